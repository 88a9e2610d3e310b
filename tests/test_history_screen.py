"""The history viewer: since when a job runs, how its earlier runs ended (ListInstance current + archived),
and the running instance (GetInstance) against the draft (GetJob). Pilot over the in-process emulator.

From the seed: ListInstance's isArchived lists archived instances (starting a stream job archives the old one);
GetInstance returns the instance's Code, Properties, EngineVersion; GetJob the job's."""

from __future__ import annotations

import pytest
from test_viewers_support import ViewerApp, until, utc  # noqa: F401  (utc is a fixture)
from textual.widgets import DataTable, TabbedContent

from foas_tui.screens.history import HistoryScreen
from foas_tui.services.history import Drift, Run, drift_between, timeline_bars
from foas_tui.services.selection import Selection

pytestmark = pytest.mark.usefixtures("utc")
STREAM = "FLINK_STREAM"


async def _restart(app: ViewerApp, project: str, job: str, *, error_first: bool = False) -> None:
    """Stop the job and start it again: the seed says the old instance is archived."""
    client = app.session.client
    current = (await client.get_instance_run_summary(project, job, -1)).run_summary
    await client.modify_instance_state(project, job, current.id, "TERMINATED")
    app.fake_clock.advance(60)
    await client.start_job(project, job)
    app.fake_clock.advance(120)


def _running_job(app: ViewerApp) -> Selection:
    return app.scenario_job("running")


async def test_history_lists_every_run_newest_first_with_how_it_ended() -> None:
    app = ViewerApp()
    sel = _running_job(app)
    store = app.emulator.store
    first = store.job(sel.project, sel.job_name).current.id
    await _restart(app, sel.project, sel.job_name)
    await _restart(app, sel.project, sel.job_name)
    ids = store.job(sel.project, sel.job_name).instance_ids  # what the service holds, oldest first
    async with app.run_test(size=(120, 40)) as pilot:
        screen = HistoryScreen(sel)
        await app.push_screen(screen)
        await until(pilot, lambda: screen.history is not None)
        table = screen.query_one("#history-table", DataTable)
        shown = [str(table.get_row_at(i)[0]).split()[0] for i in range(table.row_count)]
        assert shown == [str(i) for i in reversed(ids)], "every run, newest first"
        states = [str(table.get_row_at(i)[1]) for i in range(table.row_count)]
        assert states[0] == "RUNNING" and set(states[1:]) == {"TERMINATED"}
        assert str(first) in shown
        summary = str(screen.query_one("#history-summary").render())
        assert f"Instance {ids[-1]} RUNNING since" in summary
        assert f"The run before, {ids[-2]}, ended TERMINATED" in summary
        timeline = str(screen.query_one("#history-timeline").render())
        assert timeline.count("█") >= len(ids) and str(ids[-1]) in timeline
        # ListInstance was asked for both the current and the archived instances
        assert app.calls.count("ListInstance") >= 2 and "GetInstance" in app.calls and "GetJob" in app.calls


async def test_history_of_a_failing_job_names_its_last_error() -> None:
    app = ViewerApp()
    sel = app.scenario_job("failing")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = HistoryScreen(sel)
        await app.push_screen(screen)
        await until(pilot, lambda: screen.history is not None)
        summary = str(screen.query_one("#history-summary").render())
        assert "Its last error at" in summary
        table = screen.query_one("#history-table", DataTable)
        errors = [str(table.get_row_at(i)[7]) for i in range(table.row_count)]
        assert errors[0] not in ("", "—")


async def test_the_draft_differs_from_what_runs() -> None:
    app = ViewerApp()
    sel = _running_job(app)
    client = app.session.client
    job = (await client.get_job(sel.project, sel.job_name)).job
    running_props = job.properties or ""
    await client.update_job(sel.project, sel.job_name, engine_version="blink-3.5.0-hotfix",
                            properties=running_props + "\nblink.checkpoint.interval.ms=60000")
    async with app.run_test(size=(120, 40)) as pilot:
        screen = HistoryScreen(sel, tab="drift")
        await app.push_screen(screen)
        await until(pilot, lambda: screen.history is not None)
        assert screen.query_one(TabbedContent).active == "drift"
        summary = str(screen.query_one("#drift-summary").render())
        assert summary.startswith("The draft differs from what runs:"), summary
        assert "properties +1 -0" in summary and "→ blink-3.5.0-hotfix" in summary
        diff = str(screen.query_one("#drift-diff").render())
        assert "+blink.checkpoint.interval.ms=60000" in diff and "--- running" in diff


async def test_an_unchanged_draft_is_what_runs() -> None:
    app = ViewerApp()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = HistoryScreen(_running_job(app), tab="drift")
        await app.push_screen(screen)
        await until(pilot, lambda: screen.history is not None)
        assert str(screen.query_one("#drift-summary").render()).startswith("The draft is what runs")


async def test_a_failing_list_call_stays_in_the_summary() -> None:
    app = ViewerApp()
    app.emulator.faults.set(op="ListInstance", status=500)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = HistoryScreen(_running_job(app))
        await app.push_screen(screen)
        await until(pilot, lambda: screen.history is not None)
        summary = str(screen.query_one("#history-summary").render())
        assert "Cannot read the current part" in summary and "InternalError" in summary


def test_drift_ignores_trailing_blanks_and_missing_fields() -> None:
    class Side:
        def __init__(self, **kw: str | None) -> None:
            self.__dict__.update(kw)

    running = Side(code="SELECT 1;\r\n", properties="a=1  \n", engine_version="blink-3.4.4", packages=None)
    draft = Side(code="SELECT 1;", properties="a=1", engine_version="blink-3.5.0", packages="x.jar")
    assert drift_between(running, draft) == [Drift("engine", "blink-3.4.4", "blink-3.5.0")]


def test_timeline_bars_share_one_axis() -> None:
    now = 10_000
    runs = [Run(2, "RUNNING", "RUNNING", 5_000, None, "", "", None, "", None, False),
            Run(1, "TERMINATED", "TERMINATED", 0, 4_000, "", "", None, "boom", 3_000, True)]
    (new, kind_new), (old, kind_old) = timeline_bars(runs, now, width=11)
    assert (kind_new, kind_old) == ("live", "error")
    assert new.index("█") == 5 and new.rstrip().endswith("█") and len(new) == 11
    assert old.startswith("█") and old.rstrip() == "█" * 5


async def test_the_demo_has_a_job_whose_draft_differs_from_what_runs() -> None:
    app = ViewerApp()
    store = app.emulator.store
    project, name = next((p.name, j.name) for p in store.projects.values() for j in p.jobs.values()
                         if j.current is not None and j.current.version.get("engine_version") != j.engine_version)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = HistoryScreen(Selection(project, name, store.job(project, name).job_type), tab="drift")
        await app.push_screen(screen)
        await until(pilot, lambda: screen.history is not None)
        summary = str(screen.query_one("#drift-summary").render())
        assert summary.startswith("The draft differs from what runs:") and "engine blink-3.3.0 →" in summary
