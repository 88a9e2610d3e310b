"""Every screen at 80x24 (an SSH session's default) and at 200x50 (a wide monitor), on the emulator.

Frozen clock, fixed seed, UTC: the pictures change only when a screen does. The main screen and what opens
over it run in the real app (16 demo jobs, to keep the file under ~40 s); the triage screens on the light
ViewerApp. `pytest tests/test_snapshots_sizes.py --snapshot-update` after checking the SVGs by eye.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from test_app_snapshots import settled
from test_app_support import EPOCH, frame_settled, make_app, wait_for
from test_viewers_support import ViewerApp, until, utc  # noqa: F401  (utc is a fixture)
from textual.screen import Screen

from foas_tui.screens.checkpoints import CheckpointsScreen
from foas_tui.screens.exceptions import ExceptionsScreen
from foas_tui.screens.internals import InternalsScreen
from foas_tui.screens.metrics import MetricsScreen
from foas_tui.screens.triage import TriageScreen

SIZES = [pytest.param((80, 24), id="80x24"), pytest.param((200, 50), id="200x50")]
JOBS = 16

pytestmark = [pytest.mark.usefixtures("utc"), pytest.mark.parametrize("size", SIZES)]


def _scenario_job(app: Any, scenario: str) -> tuple[str, str]:
    store = app.session.emulator.store
    return next((project, name) for project in sorted(store.projects)
                for name, job in sorted(store.projects[project].jobs.items())
                if job.scenario == scenario and job.job_type != "FLINK_BATCH")


async def _on_job(pilot: Any, scenario: str) -> None:
    """The main screen settled, then the job pane on the first stream job of a demo scenario."""
    await settled(pilot)
    project, job = _scenario_job(pilot.app, scenario)
    pilot.app.select_job(project, job)
    pane = pilot.app.main_screen.job_pane
    await wait_for(pilot, lambda: pane.job is not None and pane.job.job_name == job and pane.detail is not None
                   and pane.run is not None, what=f"the job pane on {job}")
    await wait_for(pilot, lambda: not any(w.is_running for w in pilot.app.workers), what="idle workers")


def _press(key: str, ready: Callable[[Screen], Any], scenario: str | None = None) -> Callable[[Any], Awaitable[None]]:
    async def run_before(pilot: Any) -> None:
        if scenario is None:
            await settled(pilot)
        else:
            await _on_job(pilot, scenario)
        await pilot.press(key)
        # Not "idle workers": the action that opened a dialog waits in a worker for its answer.
        await wait_for(pilot, lambda: ready(pilot.app.screen), what=f"the screen {key} opens")
        await frame_settled(pilot)

    return run_before


def test_main(snap_compare, size) -> None:  # noqa: ANN001
    assert snap_compare(make_app(JOBS), terminal_size=size, run_before=settled)


def test_help(snap_compare, size) -> None:  # noqa: ANN001
    ready = _press("question_mark", lambda s: s.query("#help-table"))
    assert snap_compare(make_app(JOBS), terminal_size=size, run_before=ready)


def test_command_log(snap_compare, size) -> None:  # noqa: ANN001
    from foas_tui.services.call_log import CallLog

    app = make_app(JOBS)

    def fixed(record: Any) -> None:
        record.latency_ms = 0.0  # wall-clock time and milliseconds: what varies on this screen
        record.started_at = EPOCH

    async def run_before(pilot: Any) -> None:
        await settled(pilot)
        # The startup calls run concurrently (their order varies): the log shows three calls made one by one.
        log = app.session.call_log = CallLog()
        log.subscribe(fixed)
        log.attach(app.session.client)
        project, job = _scenario_job(app, "failing")
        await app.session.client.list_project()
        await app.session.client.get_job(project, job)
        await app.session.client.get_instance_exceptions(project, job, -1)
        await pilot.press("L")
        await wait_for(pilot, lambda: pilot.app.screen.query("#log-table"), what="the command log")
        await frame_settled(pilot)

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_resources(snap_compare, size) -> None:  # noqa: ANN001
    ready = _press("R", lambda s: type(s).__name__ == "ResourcesScreen" and getattr(s, "rows", None) is not None)
    assert snap_compare(make_app(JOBS), terminal_size=size, run_before=ready)


def test_stop_dialog(snap_compare, size) -> None:  # noqa: ANN001
    ready = _press("x", lambda s: type(s).__name__ == "ConfirmScreen", scenario="running")
    assert snap_compare(make_app(JOBS), terminal_size=size, run_before=ready)


def test_start_dialog(snap_compare, size) -> None:  # noqa: ANN001
    ready = _press("s", lambda s: type(s).__name__ == "StartJobScreen", scenario="stopped")
    assert snap_compare(make_app(JOBS), terminal_size=size, run_before=ready)


def _viewer(app: ViewerApp, make: Callable[[], Screen], ready: Callable[[Any], bool]):  # noqa: ANN202
    async def run_before(pilot: Any) -> None:
        screen = make()
        screen.auto_refresh = False  # type: ignore[attr-defined]  # one deterministic frame
        await app.push_screen(screen)
        await until(pilot, lambda: ready(screen))
        await frame_settled(pilot)

    return run_before


@pytest.mark.parametrize(("screen_class", "scenario", "ready"), [
    pytest.param(ExceptionsScreen, "failing", lambda s: s.report_data is not None, id="exceptions"),
    pytest.param(CheckpointsScreen, "checkpoint_failing", lambda s: s.report_data is not None, id="checkpoints"),
    pytest.param(MetricsScreen, "lagging", lambda s: s.metric_set is not None, id="metrics"),
    pytest.param(InternalsScreen, "running", lambda s: len(s.loaded) == 5, id="internals"),
])
def test_viewer(snap_compare, size, screen_class, scenario, ready) -> None:  # noqa: ANN001
    app = ViewerApp(jobs=JOBS)
    job = app.scenario_job(scenario)
    assert snap_compare(app, terminal_size=size, run_before=_viewer(app, lambda: screen_class(job), ready))


def _board_ready(screen: Any) -> bool:
    """Rows in and measured: DataTable sizes its auto-width columns to new rows on a later idle pass."""
    if screen.report_data is None:
        return False
    job = next(c for c in screen.query_one("#triage-table").columns.values() if str(c.label) == "Job")
    return job.content_width > len("Job")


def test_triage_board(snap_compare, size) -> None:  # noqa: ANN001
    app = ViewerApp(jobs=JOBS)
    assert snap_compare(app, terminal_size=size, run_before=_viewer(app, TriageScreen, _board_ready))


def test_what_failed(snap_compare, size) -> None:  # noqa: ANN001
    from foas_tui.screens.recent_failures import RecentFailuresScreen

    app = ViewerApp(jobs=64)  # the 64-job demo has failed batch runs in the window
    assert snap_compare(app, terminal_size=size, run_before=_viewer(
        app, lambda: RecentFailuresScreen(24.0 * 14), lambda s: s.report_data is not None))
