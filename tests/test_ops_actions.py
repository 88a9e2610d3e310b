"""Job actions through the UI against the in-process emulator: each changes the emulator's state as expected."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest

from foas_tui.app import FoasApp
from foas_tui.emulator import FakeClock
from foas_tui.screens.action_progress import PlanScreen
from foas_tui.screens.bulk_summary import BulkSummaryScreen
from foas_tui.screens.confirm import ChoiceScreen, ConfirmScreen, TextScreen
from foas_tui.screens.start_job import CommitScreen, StartJobScreen
from foas_tui.services.selection import Selection

T0 = 1_700_000_000.0


def make_app(**kw: Any) -> FoasApp:
    app = FoasApp.demo(jobs=16, seed=7, clock=FakeClock(T0), state_path=False, **kw)
    app.ops_poll_interval = 0.05  # a tight loop would keep the app from ever being idle for Pilot
    return app


def store(app: FoasApp) -> Any:
    return app.session.emulator.store


def job(app: FoasApp, project: str, name: str) -> Any:
    return store(app).job(project, name)


def state(app: FoasApp, project: str, name: str) -> str | None:
    current = job(app, project, name).current
    return current.phase(store(app).now()).actual if current is not None else None


def find_job(emulator_store: Any, *, state: str | None = None, committed: bool | None = None,
             scenario: str | None = None, api_type: str | None = None, exclude: tuple = ()) -> tuple[str, str]:
    """(project, job) of a stream job in the demo data matching the criteria (not tied to demo names)."""
    now = emulator_store.now()
    for project in emulator_store.projects.values():
        for candidate in project.jobs.values():
            current = candidate.current.phase(now).actual if candidate.current is not None else None
            if (candidate.job_type == "FLINK_STREAM" and (project.name, candidate.name) not in exclude
                    and (state is None or current == state) and (committed is None or candidate.committed == committed)
                    and (scenario is None or candidate.scenario == scenario)
                    and (api_type is None or candidate.api_type == api_type)):
                return project.name, candidate.name
    raise LookupError(f"no demo job with state={state} committed={committed} scenario={scenario}")


def running(app: FoasApp, exclude: tuple = ()) -> tuple[str, str]:
    return find_job(store(app), state="RUNNING", scenario="running", exclude=exclude)


def stopped(app: FoasApp) -> tuple[str, str]:
    return find_job(store(app), state="TERMINATED", committed=True)


def sql_job(app: FoasApp) -> tuple[str, str]:
    return find_job(store(app), state="RUNNING", scenario="running", api_type="SQL")


def select(app: FoasApp, monkeypatch: pytest.MonkeyPatch, *names: tuple[str, str]) -> list[Selection]:
    """Point the app's selection contract at jobs (the first is the cursor; several = marked rows)."""
    sels = [Selection(p, n, job(app, p, n).job_type) for p, n in names]
    monkeypatch.setattr(app, "current_selection", lambda: sels[0])
    monkeypatch.setattr(app, "selected_jobs", lambda: list(sels))
    return sels


def mutating_calls(app: FoasApp) -> list[str]:
    return [r.operation for r in app.session.call_log if r.mutating]


async def wait_for(pilot: Any, predicate: Callable[[], bool], *, advance: float = 0.0, limit: float = 10.0) -> None:
    """Let the app run (advancing the emulator's fake clock by `advance` each step) until `predicate`."""
    clock = store(pilot.app).clock
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"timed out; screen is {pilot.app.screen!r}")
        if advance:
            clock.advance(advance)
        await pilot.pause(0.02)


async def finish_run(pilot: Any) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: getattr(app, "_ops_last_run", None) is not None
                   and app._ops_last_run.finished, advance=2.0)
    await pilot.pause(0.05)


async def test_cancelled_confirmations_send_nothing_then_stop_follows_until_terminated(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        target = running(app)
        select(app, monkeypatch, target)
        for key in ("x", "F", "D"):  # stop, offline, delete: each asks first; escape cancels
            await pilot.press(key)
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
            await pilot.press("escape")
            await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert mutating_calls(app) == []
        assert state(app, *target) == "RUNNING"

        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert f"{target[0]}/{target[1]} (RUNNING)" in app.screen.targets
        assert "pause (P) instead" in str(app.screen.notes)
        await pilot.click("#ops-ok")
        await finish_run(pilot)
        assert state(app, *target) == "TERMINATED"
        assert mutating_calls(app) == ["ModifyInstanceState"]
        run = app._ops_last_run
        assert [t.status for t in run.targets.values()] == ["reached"]


async def test_pause_then_resume(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        target = running(app)
        select(app, monkeypatch, target)
        await pilot.press("P")  # one job, not destructive: no confirmation
        await finish_run(pilot)
        assert state(app, *target) == "PAUSED"
        app._ops_last_run = None
        await pilot.press("u")
        await finish_run(pilot)
        assert state(app, *target) == "RUNNING"
        assert mutating_calls(app) == ["ModifyInstanceState", "ModifyInstanceState"]


async def test_start_form_checks_the_offset_sends_it_and_waits_for_running(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        target = stopped(app)
        select(app, monkeypatch, target)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StartJobScreen))
        form = app.screen
        form.query_one("#start-offset").value = "yesterday-ish"
        await pilot.press("ctrl+s")
        await pilot.pause(0.05)
        assert app.screen is form and "start offset" in str(form.query_one("#start-errors").render())
        assert mutating_calls(app) == []
        form.query_one("#start-offset").value = "now"
        form.query_one("#start-cp-interval").value = "60000"
        await pilot.press("ctrl+s")
        await finish_run(pilot)
        assert state(app, *target) == "RUNNING"
        params = job(app, *target).current.start_params
        assert params["startOffset"] == str(int(T0 * 1000))
        assert params["blink.checkpoint.interval.ms"] == "60000"


async def test_commit_offline_delete(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        project, name = target = find_job(store(app), committed=False)
        select(app, monkeypatch, target)
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, CommitScreen))
        await pilot.press("ctrl+s")
        await finish_run(pilot)
        assert job(app, *target).committed is True

        app._ops_last_run = None
        await pilot.press("F")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.click("#ops-ok")
        await finish_run(pilot)
        assert job(app, *target).committed is False

        app._ops_last_run = None
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert app.screen.query_one("#ops-ok").disabled  # the name must be typed
        await pilot.press("y")  # `y` alone does not delete
        await pilot.pause(0.05)
        assert name in store(app).project(project).jobs
        app.screen.query_one("#ops-confirm-text").value = name
        await pilot.click("#ops-ok")
        await finish_run(pilot)
        assert name not in store(app).project(project).jobs
        assert mutating_calls(app) == ["CommitJob", "OfflineJob", "DeleteJob"]


async def test_validate_raw_plan_resources_and_autoscale(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        select(app, monkeypatch, sql_job(app))
        target = job(app, *sql_job(app))
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, TextScreen))
        assert "valid" in app.screen.title_text and "Inputs" in str(app.screen.body.renderables)
        await pilot.press("escape")

        await pilot.press("dollar_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, TextScreen))
        assert "Cores" in str(app.screen.body)
        await pilot.press("escape")
        assert mutating_calls(app) == []

        target.plan_json = ""
        await pilot.press("J")
        await wait_for(pilot, lambda: isinstance(app.screen, PlanScreen))
        screen = app.screen
        await wait_for(pilot, lambda: screen.result is not None, advance=2.0)
        assert screen.result.status == "success", screen.result
        # The plan is shown highlighted as JSON (issue 14, finding 8), through the door.
        from rich.syntax import Syntax
        from textual.widgets import Static

        shown = screen.query_one("#plan-text", Static).content
        assert isinstance(shown, Syntax) and shown.lexer is not None and "json" in shown.lexer.aliases
        assert '"nodes"' in shown.code
        await pilot.click("#plan-store")
        await wait_for(pilot, lambda: "UpdateJob" in mutating_calls(app))
        assert '"nodes"' in target.plan_json

        target.current.autoscale["isOnOff"] = True  # as if committed with AutoScale and started
        await pilot.press("A")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        await pilot.press("0")
        await finish_run(pilot)
        assert target.current.autoscale_config.get("autoscale.enable") in ("false", False)
        assert mutating_calls(app) == ["UpdateJob", "UpdateAutoScaleConfig"]


async def test_bulk_with_a_partial_failure_shows_reasons(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        first = running(app)
        second = running(app, exclude=(first,))
        third = stopped(app)  # pausing a stopped job fails
        select(app, monkeypatch, first, second, third)
        await pilot.press("P")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))  # many jobs: always confirmed
        await pilot.click("#ops-ok")
        await finish_run(pilot)
        await wait_for(pilot, lambda: isinstance(app.screen, BulkSummaryScreen))
        run = app.screen.run
        assert len(run.succeeded) == 2 and len(run.failed) == 1
        failure = run.failed[0]
        assert failure.selection.job_name == third[1]
        assert failure.reason  # the service's code and message
        table = app.screen.query_one("#ops-summary-table")
        row = table.get_row_at(0)
        assert row[0] == third[1] and "failed" in str(row[1])
        assert state(app, *first) == "PAUSED" and state(app, *second) == "PAUSED"
