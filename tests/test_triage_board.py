"""The triage board over the emulator's demo: ranking, scores, config thresholds, bounded cost, jumps, refresh."""

from __future__ import annotations

import asyncio
import math

import pytest
from test_viewers_support import ViewerApp, until, utc  # noqa: F401  (utc is a fixture)
from textual.widgets import DataTable

from foas_tui.config import AppConfig, TriageConfig
from foas_tui.emulator import EmulatorConfig, FakeClock, create_app, demo_client
from foas_tui.screens.checkpoints import CheckpointsScreen
from foas_tui.screens.exceptions import ExceptionsScreen
from foas_tui.screens.triage import TriageScreen
from foas_tui.services.triage import Weights
from foas_tui.services.triage_gather import TriageGatherer

pytestmark = pytest.mark.usefixtures("utc")
BROKEN = {"failing", "batch_failed", "checkpoint_failing"}


async def open_board(app: ViewerApp, pilot, **kwargs) -> TriageScreen:  # noqa: ANN001
    screen = TriageScreen(**kwargs)
    await app.push_screen(screen)
    await until(pilot, lambda: screen.report_data is not None)
    await pilot.pause()
    return screen


def scenario_of(app: ViewerApp, project: str, job: str) -> str:
    return app.emulator.store.projects[project].jobs[job].scenario


async def test_failing_demo_jobs_rank_first_with_health_scores() -> None:
    app = ViewerApp()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_board(app, pilot)
        report = screen.report_data
        assert report is not None and report.projects == 4 and not report.errors
        rows = report.broken
        scenarios = [scenario_of(app, r.summary.project, r.summary.job_name) for r in rows]
        assert scenarios[0] == "failing"
        first_other = next(i for i, s in enumerate(scenarios) if s not in BROKEN)
        assert set(scenarios[:first_other]) == BROKEN  # every broken demo job is above everything else
        assert all(s not in BROKEN for s in scenarios[first_other:])
        assert "lagging" in scenarios and "restarting" in scenarios
        weights = Weights()
        for row in report.rows:
            assert row.score == max(0, 100 - sum(f.weight for f in row.findings))
        assert all(r.level == "red" for r in rows if scenario_of(app, r.summary.project, r.summary.job_name)
                   in ("failing", "batch_failed"))
        assert [f.weight for f in rows[0].findings if f.kind == "failed"] in ([weights.failed], [])
        table = screen.query_one("#triage-table", DataTable)
        assert table.row_count == len(rows)
        top = table.get_row_at(0)
        assert (top[2].plain, top[3].plain) == (rows[0].summary.project, rows[0].summary.job_name)
        assert top[1].plain.strip() == str(rows[0].score) and "red" in str(top[1].style)
        await pilot.press("a")  # every online job, healthy ones with 100
        assert table.row_count == len(report.rows) > len(rows)
        assert table.get_row_at(table.row_count - 1)[1].plain.strip() == "100"


async def test_thresholds_come_from_the_config() -> None:
    relaxed = AppConfig(triage=TriageConfig(delay_seconds=24 * 3600))
    app = ViewerApp(config=relaxed)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_board(app, pilot)
        report = screen.report_data
        assert report is not None
        assert not any(f.kind == "delay" for row in report.rows for f in row.findings)
        assert "delay ≥ 1d" in str(screen.query_one("#triage-header").render())
    app = ViewerApp()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_board(app, pilot)
        report = screen.report_data
        assert report is not None
        lagging = [r for r in report.rows if scenario_of(app, r.summary.project, r.summary.job_name) == "lagging"]
        assert lagging and all(any(f.kind == "delay" for f in r.findings) for r in lagging)


async def test_enter_on_a_row_opens_its_exceptions() -> None:
    app = ViewerApp()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_board(app, pilot)
        report = screen.report_data
        assert report is not None
        top = report.broken[0].summary
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ExceptionsScreen))
        viewer = app.screen
        assert isinstance(viewer, ExceptionsScreen) and viewer.selection is not None
        assert (viewer.selection.project, viewer.selection.job_name) == (top.project, top.job_name)
        assert viewer.selection.instance_id == top.instance_id  # the run summary's instance, not "-1"
        await until(pilot, lambda: viewer.report_data is not None)
        assert viewer.report_data is not None and viewer.report_data.history
        await pilot.press("c")  # hop to the same job's checkpoints: replaces the viewer, no stacking
        await until(pilot, lambda: isinstance(app.screen, CheckpointsScreen))
        assert app.screen.selection == viewer.selection  # type: ignore[attr-defined]
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("g")
        assert app.selected == [(top.project, top.job_name)]


async def test_gathering_cost_is_bounded() -> None:
    clock = FakeClock(1_767_225_600.0)
    emulator = create_app(EmulatorConfig(jobs=64, seed=7, clock=clock))
    client = demo_client(emulator, retries=0)
    calls: list[str] = []
    client.observers.append(lambda record: calls.append(record.operation))
    gatherer = TriageGatherer(client, chunk_size=10, sample_size=3, first_sample_size=5, now=clock.now)
    report = await gatherer.gather()
    store = emulator.store
    chunks = 0
    for project in store.projects.values():
        by_type: dict[str, int] = {}
        for job in project.jobs.values():
            if job.committed:
                by_type[job.job_type] = by_type.get(job.job_type, 0) + 1
        chunks += sum(math.ceil(n / 10) for n in by_type.values())
    assert calls.count("BatchGetInstanceRunSummary") == chunks
    assert calls.count("GetInstanceRunSummary") == 0  # never one call per job
    suspicious = report.deep_checked - 5
    assert 0 < suspicious < report.jobs
    assert calls.count("GetInstanceCheckpoint") == report.deep_checked
    assert calls.count("GetInstanceExceptions") <= suspicious
    calls.clear()
    clock.advance(5)
    again = await gatherer.gather()
    assert again.deep_checked == calls.count("GetInstanceCheckpoint") <= 3  # cached: only the rotating sample
    await client.aclose()


async def test_board_refreshes_without_overlap() -> None:
    app = ViewerApp(config=AppConfig(refresh_interval=1.0))
    in_flight = 0
    peak = 0
    done = 0
    async with app.run_test(size=(140, 40)) as pilot:
        screen = TriageScreen()
        gatherer = screen.gatherer  # wrap the screen's gatherer to watch how gathers overlap
        original = None

        def patched() -> TriageGatherer:
            nonlocal original
            real = gatherer()
            if original is None:
                original = real.gather

                async def watched():  # noqa: ANN202
                    nonlocal in_flight, peak, done
                    in_flight += 1
                    peak = max(peak, in_flight)
                    try:
                        await asyncio.sleep(0.3)  # a slow scan: a fixed-rate timer would pile these up
                        return await original()
                    finally:
                        in_flight -= 1
                        done += 1

                real.gather = watched  # type: ignore[method-assign]
            return real

        screen.gatherer = patched  # type: ignore[method-assign]
        await app.push_screen(screen)
        await pilot.press("r")  # a manual reload while one is running replaces it (exclusive worker)
        await until(pilot, lambda: done >= 3, timeout=8)
        assert peak == 1
