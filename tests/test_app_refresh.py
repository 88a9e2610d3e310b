"""The live refresh against the emulator: changed states show up in place, the cursor stays, failures go stale."""

from __future__ import annotations

import asyncio

from test_app_support import Gate, make_app, notifications, plain, ready, refreshed, wait_for

from foas_tui.screens.auth_help import AuthHelpScreen
from foas_tui.screens.main import MainScreen
from foas_tui.widgets.instance_table import row_key


async def paused_elsewhere(app, key: tuple[str, str]) -> None:
    """Someone pauses the job behind our back (another operator, the console ...); the app is not told."""
    instance_id = app.refresher.rows[key].instance_id
    await app.session.client.modify_instance_state(key[0], key[1], instance_id, "PAUSED")
    app.session.emulator.clock.advance(30)  # past the emulator's state transition time


def _cell(app, key: tuple[str, str], column: str) -> str:
    return app.main_screen.live.get_cell(row_key(key), column).plain


async def test_a_state_changed_in_the_service_updates_its_cell_and_the_cursor_stays_also_when_sorting() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        main = app.main_screen
        rows = app.refresher.rows
        running = [k for k in main.live.jobs if rows[k].actual_state == "RUNNING" and rows[k].job_type ==
                   "FLINK_STREAM"]
        assert len(running) >= 2
        target = running[-1]
        # The operator sits on another row, scrolled; the refresh must not move them.
        await pilot.press("tab")
        cursor_key = running[0]
        main.live.move_to_job(cursor_key)
        await pilot.pause()
        cells_before = {key: main.live.get_row(row_key(key)) for key in main.live.jobs}
        await paused_elsewhere(app, target)
        updates: list[tuple] = []
        original = main.live.update_cell
        main.live.update_cell = lambda *a, **k: (updates.append(a[:2]), original(*a, **k))  # type: ignore
        await refreshed(pilot)
        assert _cell(app, target, "actual") == "PAUSED"
        assert _cell(app, target, "expect") == "PAUSED"
        assert main.live.cursor_job_key() == cursor_key
        # Changed cells only: the paused row's state cells changed; nothing was re-added.
        assert (row_key(target), "actual") in updates
        assert main.live.row_count == len(cells_before)
        tree_node = main.tree.job_nodes.get(target)
        if tree_node is not None:  # its folder is open: the glyph follows
            assert str(tree_node.label).startswith("‖")
        # Sorting moves rows, not the cursor: it stays on its job.
        await pilot.press("o")  # sort by the next column (actual state)
        assert main.live.cursor_job_key() == cursor_key
        assert "sort actual" in str(main.live.border_subtitle)
        order = [main.live.get_row_at(i)[2].plain for i in range(main.live.row_count)]
        assert order == sorted(order)
        await pilot.press("O")
        order = [main.live.get_row_at(i)[2].plain for i in range(main.live.row_count)]
        assert order == sorted(order, reverse=True) and main.live.cursor_job_key() == cursor_key


async def test_a_failing_refresh_notifies_goes_stale_and_recovers() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        main = app.main_screen
        emulator = app.session.emulator
        emulator.faults.set("BatchGetInstanceRunSummary", status=503)
        app.session.emulator.clock.advance(42)
        await refreshed(pilot)
        assert app.is_running
        text = "\n".join(notifications(app))
        assert "ServiceUnavailable" in text and "request id" in text
        status = plain(main.query_one("#status"))
        assert "stale 42s" in status and "ServiceUnavailable" in status
        assert app.refresher.rows, "the last known states stay on screen"
        # Garbage instead of JSON is reported the same way.
        emulator.faults.clear("BatchGetInstanceRunSummary")
        emulator.faults.set("BatchGetInstanceRunSummary", malformed=1.0)
        await refreshed(pilot)
        assert "InvalidResponse" in "\n".join(notifications(app))
        assert app.is_running
        emulator.faults.clear("BatchGetInstanceRunSummary")
        await refreshed(pilot)
        await pilot.pause()
        main.update_status()
        assert "stale" not in plain(main.query_one("#status"))
        assert "live" in plain(main.query_one("#status"))


async def test_auth_error_opens_the_credentials_help_and_the_app_keeps_running() -> None:
    app = make_app()
    app.session.emulator.faults.set("ListProject", status=403)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, AuthHelpScreen) and app.screen.query("#auth-fixes"),
                       what="the auth help screen")
        text = plain(app.screen.query_one("#auth-fixes"))
        assert "foas-tui profile test" in text and "ALIBABA_CLOUD_ACCESS_KEY_ID" in text
        assert any("Forbidden" in n for n in notifications(app))
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen) and app.is_running
        app.session.emulator.faults.clear()
        await pilot.press("r")  # retry
        await wait_for(pilot, lambda: app.main_screen.tree.projects, what="projects after the retry")


async def test_refresh_requests_never_overlap_or_pile_up_and_p_pauses() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        running, peak = 0, 0
        original = app.refresher.refresh_once

        async def counted():
            nonlocal running, peak
            running += 1
            peak = max(peak, running)
            try:
                return await original()
            finally:
                running -= 1

        app.refresher.refresh_once = counted  # type: ignore[method-assign]
        # The first refresh's answer is held until the operator is done hammering.
        answer = Gate(app.refresher.client, "run_summaries")
        start = app.refresher.generation
        app.request_refresh()
        await wait_for(pilot, lambda: answer.waiting, what="a refresh in flight")
        for _ in range(5):  # an impatient operator hammers r
            app.request_refresh()
            await pilot.pause()
        answer.release()
        await wait_for(pilot, lambda: app.refresher.generation >= start + 2 and not app.refresher.running)
        for _ in range(2):  # a third refresh, had one been queued, would start within these
            await pilot.pause()
            await asyncio.wait_for(app.workers.wait_for_complete(), timeout=10)
        assert peak == 1, "two refreshes ran at once"
        assert app.refresher.generation - start == 2, "requests during a refresh collapse into one follow-up"
        assert app._refresh_timer is not None, "the next periodic refresh is armed"
        # p pauses: no timer armed, the status says so; p again resumes with a refresh at once.
        await pilot.press("p")
        assert app.refresher.paused and app._refresh_timer is None
        assert "paused" in plain(app.main_screen.query_one("#status"))
        generation = app.refresher.generation
        await pilot.press("p")
        await wait_for(pilot, lambda: app.refresher.generation > generation, what="a refresh on resume")


def _painted_line(app, job_name: str) -> str:
    """The live table's line for this job as it is painted (not the table's data)."""
    return _painted(app, job_name)[1]


def _painted(app, job_name: str) -> tuple[int, str]:
    live = app.main_screen.live
    for y in range(live.size.height):
        text = live.render_line(y).text
        if job_name in text:
            return y, text
    raise AssertionError(f"{job_name} is not on screen")


async def test_a_changed_cell_is_painted_anew_and_the_others_come_from_the_render_cache() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        main = app.main_screen
        rows = app.refresher.rows
        target = next(k for k in main.live.jobs if rows[k].actual_state == "RUNNING")
        assert "RUNNING" in _painted_line(app, target[1])
        await paused_elsewhere(app, target)
        await refreshed(pilot)
        await pilot.pause()
        line = _painted_line(app, target[1])
        assert "PAUSED" in line and "RUNNING" not in line
        # Sorted by state, the rows move: each is painted at its new place with its own cells.
        await pilot.press("tab", "o")
        await pilot.pause()
        on_screen = main.live.viewport_keys()
        assert len(on_screen) >= 8
        for key in on_screen:
            line = _painted_line(app, key[1])
            assert rows[key].actual_state in line, (key, line)
        # A click lands on the job painted there (each cell carries its row's index for the mouse).
        clicked = sorted(on_screen)[len(on_screen) // 2]
        y, _ = _painted(app, clicked[1])
        await pilot.click("#live", offset=(4, y + 1))  # (+1: the border above the content)
        await pilot.pause()
        assert main.live.cursor_job_key() == clicked
