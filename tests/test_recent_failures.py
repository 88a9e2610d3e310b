"""What failed in the last hours across every project (issue 15): ListInstance with its state and stop-time
filters, current and archived instances. The expectation comes from the emulator's own state (which
instance ended FAILED, when), never from the code under test."""

from __future__ import annotations

from typing import Any

from test_app_support import make_app, notifications, wait_for

from foas_tui.screens.exceptions import ExceptionsScreen
from foas_tui.screens.recent_failures import RecentFailuresScreen
from foas_tui.services.recent_failures import recent_failures

HOUR_MS = 3600 * 1000


def failed_in_store(app: Any, hours: float) -> set[tuple[str, str, int]]:
    """(project, job, instance id) of every instance the emulator says ended FAILED within the last `hours`."""
    store = app.session.emulator.store
    now = store.now()
    out = set()
    for project in store.projects.values():
        for inst in project.instances.values():
            phase = inst.phase(now)
            if phase.actual == "FAILED" and phase.final and phase.end_ms is not None \
                    and now - hours * HOUR_MS <= phase.end_ms <= now:
                out.add((project.name, inst.job_name, inst.id))
    return out


def list_instance_calls(app: Any) -> list[Any]:
    return [r for r in app.session.call_log if r.operation == "ListInstance"]


async def test_the_service_finds_exactly_the_instances_that_failed_in_the_window() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)):
        for hours in (24.0, 24.0 * 14):
            expected = failed_in_store(app, hours)
            report = await recent_failures(app.session.client, hours, now=app.clock)
            found = {(f.project, f.job_name, f.run.id) for f in report.failures}
            assert found == expected, hours
            assert report.errors == [] and report.projects == len(app.session.emulator.store.projects)
            ends = [f.run.end_ms for f in report.failures]
            assert ends == sorted(ends, reverse=True), "newest failure first"
        assert failed_in_store(app, 24.0 * 14), "the demo has failed instances (current and archived)"
        # Each request asks the service to filter: FAILED only, a stop-time window, both archive states.
        calls = list_instance_calls(app)
        assert calls and all(r.query.get("actualState") == "FAILED" and "endBeginTs" in r.query
                             and "endEndTs" in r.query for r in calls)
        assert {r.query.get("isArchived") for r in calls} == {"true", "false"}
        assert {r.query.get("jobType") for r in calls} == {"FLINK_STREAM", "FLINK_BATCH"}


async def test_a_project_that_cannot_be_read_is_named_and_the_others_still_count() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)):
        client = app.session.client
        real = client.list_instance
        broken = sorted(app.session.emulator.store.projects)[0]

        async def failing_for_one(project: str, *args: Any, **kwargs: Any) -> Any:
            if project == broken:
                from foas_tui.api.errors import FoasError

                raise FoasError("Throttling.User", "Request was denied due to user flow control.", request_id="r-1")
            return await real(project, *args, **kwargs)

        client.list_instance = failing_for_one
        report = await recent_failures(client, 24 * 14, now=app.clock)
        assert len(report.errors) == 1 and report.errors[0].startswith(f"{broken}: ")
        assert "Throttling.User" in report.errors[0] and "r-1" in report.errors[0]
        expected = {key for key in failed_in_store(app, 24 * 14) if key[0] != broken}
        assert {(f.project, f.job_name, f.run.id) for f in report.failures} == expected


async def test_w_shows_what_failed_and_opens_the_exceptions_of_that_instance() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        main = app.main_screen
        await wait_for(pilot, lambda: main.tree.projects_loaded.is_set(), what="projects")
        await pilot.press("W")
        await wait_for(pilot, lambda: isinstance(app.screen, RecentFailuresScreen)
                       and app.screen.report_data is not None, what="the failures")
        screen = app.screen
        assert screen.hours == 6.0
        expected = failed_in_store(app, 6.0)
        table = screen.query_one("#failures-table")
        assert table.row_count == len(expected)
        await pilot.press("3")  # 24 h
        await wait_for(pilot, lambda: screen.report_data is not None and screen.hours == 24.0, what="24 h")
        expected = failed_in_store(app, 24.0)
        assert expected, "the demo has a failure in the last day"
        assert table.row_count == len(expected)
        first = screen.current_failure()
        assert first is not None and (first.project, first.job_name, first.run.id) in expected
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExceptionsScreen), what="the exceptions")
        viewer = app.screen
        assert viewer.selection.key == (first.project, first.job_name)
        assert viewer.selection.instance_id == first.run.id, "the failed instance, not the current one"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is screen, what="back")
        await pilot.press("g")
        await wait_for(pilot, lambda: app.screen is main and (sel := app.current_selection()) is not None
                       and sel.key == (first.project, first.job_name), what="the job on the main screen")


async def test_the_failures_command_takes_hours_and_refuses_nonsense() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.main_screen.tree.projects_loaded.is_set(), what="projects")
        app.run_command_line("failures 12h")
        await wait_for(pilot, lambda: isinstance(app.screen, RecentFailuresScreen), what="the screen")
        assert app.screen.hours == 12.0
        app.run_command_line("failures soon")
        await pilot.pause()
        assert app.screen.hours == 12.0
        assert any("give the hours" in note for note in notifications(app))
