"""Snapshots at 80x24 of the triage screens over the emulator (seed 7, frozen clock, UTC): update with
`pytest tests/test_viewer_snapshots.py --snapshot-update` after checking the SVGs by eye."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from test_app_support import frame_settled
from test_viewers_support import ViewerApp, until, utc  # noqa: F401  (utc is a fixture)
from textual.screen import Screen

from foas_tui.screens.checkpoints import CheckpointsScreen
from foas_tui.screens.cluster_pulse import ClusterPulseScreen
from foas_tui.screens.exceptions import ExceptionsScreen
from foas_tui.screens.history import HistoryScreen
from foas_tui.screens.internals import InternalsScreen
from foas_tui.screens.metric_explorer import MetricExplorerScreen
from foas_tui.screens.metrics import MetricsScreen
from foas_tui.screens.triage import TriageScreen

pytestmark = pytest.mark.usefixtures("utc")


def showing(app: ViewerApp, make: Callable[[], Screen], ready: Callable[[Screen], bool]):  # noqa: ANN201
    async def run_before(pilot) -> None:  # noqa: ANN001
        screen = make()
        screen.auto_refresh = False  # type: ignore[attr-defined]  # one deterministic frame
        await app.push_screen(screen)
        await until(pilot, lambda: ready(screen))
        await frame_settled(pilot)

    return run_before


def test_exceptions_snapshot(snap_compare) -> None:  # noqa: ANN001
    app = ViewerApp()
    job = app.scenario_job("failing")
    assert snap_compare(app, run_before=showing(app, lambda: ExceptionsScreen(job),
                                                lambda s: s.report_data is not None))


def test_checkpoints_snapshot(snap_compare) -> None:  # noqa: ANN001
    app = ViewerApp()
    job = app.scenario_job("checkpoint_failing")
    assert snap_compare(app, run_before=showing(app, lambda: CheckpointsScreen(job),
                                                lambda s: s.report_data is not None))


def test_metrics_snapshot(snap_compare) -> None:  # noqa: ANN001
    app = ViewerApp()
    job = app.scenario_job("lagging")
    assert snap_compare(app, run_before=showing(app, lambda: MetricsScreen(job),
                                                lambda s: s.metric_set is not None))


def test_internals_snapshot(snap_compare) -> None:  # noqa: ANN001
    app = ViewerApp()
    job = app.scenario_job("running")
    assert snap_compare(app, run_before=showing(app, lambda: InternalsScreen(job),
                                                lambda s: len(s.loaded) == 5 and s.vertex_metrics is not None))


def test_internals_bottleneck_snapshot(snap_compare) -> None:  # noqa: ANN001
    app = ViewerApp()
    job = next(s for s in app.scenario_jobs("lagging") if s.job_name == "risk_login_fail_1min")
    assert snap_compare(app, run_before=showing(app, lambda: InternalsScreen(job),
                                                lambda s: len(s.loaded) == 5 and s.vertex_metrics is not None))


def test_triage_board_snapshot(snap_compare) -> None:  # noqa: ANN001
    app = ViewerApp()
    assert snap_compare(app, run_before=showing(app, TriageScreen, lambda s: s.report_data is not None))


def test_history_snapshot(snap_compare) -> None:  # noqa: ANN001
    app = ViewerApp()
    job = app.scenario_job("failing")
    assert snap_compare(app, run_before=showing(app, lambda: HistoryScreen(job), lambda s: s.history is not None))


def test_metric_explorer_snapshot(snap_compare) -> None:  # noqa: ANN001
    app = ViewerApp()
    job = app.scenario_job("lagging")
    assert snap_compare(app, run_before=showing(app, lambda: MetricExplorerScreen(job), lambda s: s.series is not None))


def test_cluster_pulse_snapshot(snap_compare) -> None:  # noqa: ANN001
    app = ViewerApp()
    assert snap_compare(app, run_before=showing(app, ClusterPulseScreen, lambda s: s.pulses is not None))
