"""The job pane before and at its first job: its tabs are made with the first job shown (issue 16, startup).

What the operator must see either way: before any job, the pane says how to pick one, and Tab into it still
lands in it (README: `tab` next pane); the first job shows its overview in the tabs, with the keyboard where it
was asked to be; `]` before any job does nothing, and quitting while the tabs are being made ends cleanly.
"""

from __future__ import annotations

import asyncio

import pytest
from test_app_support import make_app, plain, rows_held, wait_for

from foas_tui.services.session import JobInfo


async def test_before_any_job_the_pane_says_how_to_pick_one_then_the_first_job_brings_its_tabs() -> None:
    async with rows_held() as (app, pilot, held):  # no table rows, so no job under any cursor yet
        main = app.main_screen
        pane = main.job_pane
        assert pane.job is None
        assert "Select a job in the tree or the table." in plain(pane.query_one("#job-empty"))
        assert not pane.query("#job-tabs"), "no job yet: its tabs are not made"
        await pilot.press("tab", "tab")  # tree -> live table -> job pane
        assert app.focused is not None and pane in app.focused.ancestors, "Tab lands in the job pane"
        await pilot.press("right_square_bracket", "left_square_bracket", "plus")  # no tabs to step: nothing
        assert pane.job is None and not pane.query("#job-tabs")

        held.release()  # the first project's jobs: the table's cursor row is shown in the pane
        await wait_for(pilot, lambda: pane.job is not None and pane.detail is not None, what="the first job")
        job = pane.job
        await wait_for(pilot, lambda: job.job_name in plain(pane.query_one("#overview-body")), what="its overview")
        assert pane.active_tab == "overview"
        assert not pane.query_one("#job-empty").display, "the placeholder gave way to the tabs"
        # The pane had the keyboard: it is now inside the overview, where Enter on a job puts it.
        assert app.focused is pane.query_one("#overview-scroll")
        await pilot.press("right_square_bracket")
        assert pane.active_tab == "code"


async def test_enter_on_the_first_job_lands_in_its_overview() -> None:
    async with rows_held() as (app, pilot, _held):
        main = app.main_screen
        project, job = "realtime_dw", "dws_gmv_1min"
        # The table's rows stay held back: the jump is the pane's first job, and its tabs are made for it (they
        # may or may not be mounted yet when Enter lands; the next test makes sure of "not yet").
        app.select_job(project, job)
        tree = main.tree
        await wait_for(pilot, lambda: tree.cursor_node is not None and tree.cursor_node.data.job is not None
                       and tree.cursor_node.data.job.key == (project, job), what="the tree's cursor on the job")
        tree.focus()
        await pilot.press("enter")
        pane = main.job_pane
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "overview-scroll",
                       what="the focus in the job's overview")
        assert pane.job is not None and pane.job.key == (project, job)
        await wait_for(pilot, lambda: job in plain(pane.query_one("#overview-body")), what="its overview")


async def test_asked_for_the_focus_while_its_tabs_mount_the_pane_gives_it_to_the_overview_once_they_are() -> None:
    async with rows_held() as (app, pilot, _held):
        pane = app.main_screen.job_pane
        job = JobInfo("realtime_dw", "dws_gmv_1min", "FLINK_STREAM")
        pane.show_job(job)  # the pane's first job: its tabs start mounting
        pane.focus_content()  # in the same moment (Enter on a job does both): the tabs are not mounted yet
        assert not pane.query("#overview-scroll") or not pane.query_one("#overview-scroll").has_focus
        await wait_for(pilot, lambda: app.focused is not None and app.focused.id == "overview-scroll",
                       what="the focus in the overview once the tabs are mounted")


@pytest.mark.parametrize("delay_ms", [0, 1, 3, 6, 10, 15, 25])
async def test_quitting_while_the_first_job_brings_the_tabs_ends_cleanly(delay_ms: int) -> None:
    """The tabs mount in the background for a few milliseconds; the app may be quit meanwhile (`run_test`
    re-raises any error the app met, so an error while the tabs are taken down half-made fails here)."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        main = app.main_screen
        await wait_for(pilot, lambda: main.job_pane.job is not None, what="the first job")
        await asyncio.sleep(delay_ms / 1000)
    assert app.return_code in (0, None)
