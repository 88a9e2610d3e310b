"""Snapshots of the core screens (frozen clock, fixed seed): main at 120x36 and 80x24, help, a filtered view.

`pytest --snapshot-update tests/test_app_snapshots.py` rewrites them after a deliberate change.
"""

from __future__ import annotations

from typing import Any

from test_app_support import frame_settled, make_app, ready, wait_for


async def settled(pilot: Any) -> None:
    """Data in, one refresh applied, the job pane's details loaded: nothing left to change the frame."""
    app = await ready(pilot)
    pane = app.main_screen.job_pane
    await wait_for(pilot, lambda: pane.job is not None and pane.detail is not None, what="the job details")
    # The overview's length (and so its scrollbar) depends on the current instance's run summary.
    await wait_for(pilot, lambda: pane.run is not None and pane.run.start_time, what="the pane's run summary")
    await wait_for(pilot, lambda: app.main_screen.trends_idle, what="the delay trends")
    # Whatever else is loading (the pane's run summary, start times) changes the layout: let it finish.
    await wait_for(pilot, lambda: not any(w.is_running for w in app.workers), what="idle workers")
    await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await frame_settled(pilot)


def test_main_screen_120x36(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=(120, 36), run_before=settled)


def test_main_screen_80x24(snap_compare) -> None:
    assert snap_compare(make_app(), terminal_size=(80, 24), run_before=settled)


def test_help_screen(snap_compare) -> None:
    async def open_help(pilot: Any) -> None:
        await settled(pilot)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: pilot.app.screen.query("#help-table"), what="help")

    assert snap_compare(make_app(), terminal_size=(120, 36), run_before=open_help)


def test_filtered_live_table(snap_compare) -> None:
    async def filter_table(pilot: Any) -> None:
        await settled(pilot)
        await pilot.press("tab", "slash", *"dws", "enter")

    assert snap_compare(make_app(), terminal_size=(120, 36), run_before=filter_table)
