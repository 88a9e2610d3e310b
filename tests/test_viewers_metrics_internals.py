"""Metrics screen (plots, window keys) and the internals tabs (Pilot, in-process emulator)."""

from __future__ import annotations

import json

import pytest
from test_viewers_support import START, ViewerApp, until, utc  # noqa: F401  (utc is a fixture)
from textual.widgets import DataTable, TabbedContent

from foas_tui.screens.internals import InternalsScreen
from foas_tui.screens.metrics import MetricsPanel, MetricsScreen

pytestmark = pytest.mark.usefixtures("utc")


async def test_metrics_plots_four_series_and_switches_windows() -> None:
    app = ViewerApp()
    queries: list[dict] = []
    original = app.session.client.get_instance_metric

    async def spy(project, job, metric_json, **kwargs):  # noqa: ANN001, ANN202
        queries.append(json.loads(metric_json))
        return await original(project, job, metric_json, **kwargs)

    app.session.client.get_instance_metric = spy
    async with app.run_test(size=(100, 30)) as pilot:
        screen = MetricsScreen(app.scenario_job("lagging"))
        await app.push_screen(screen)
        await until(pilot, lambda: screen.metric_set is not None or screen.error is not None)
        assert screen.error is None
        metrics = screen.metric_set
        assert metrics is not None and metrics.window_s == 900
        assert not metrics.missing, metrics.missing
        assert metrics.series["delay"].last is not None and metrics.series["delay"].last > 0
        assert queries[0]["end"] == int(START * 1000) and queries[0]["end"] - queries[0]["start"] == 900_000
        panel = screen.query_one(MetricsPanel)
        assert panel.metric_set is metrics
        await pilot.press("3")
        await until(pilot, lambda: screen.metric_set is not None and screen.metric_set.window_s == 7200)
        assert queries[-1]["end"] - queries[-1]["start"] == 7_200_000
        await pilot.press("2")
        await until(pilot, lambda: screen.metric_set is not None and screen.metric_set.window_s == 3600)
        header = str(screen.query_one("#metrics-header").render())
        assert "15m 1h 2h" in header and "delay" in header


async def test_metrics_of_a_stopped_job_is_a_message_not_a_crash() -> None:
    app = ViewerApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = MetricsScreen(app.scenario_job("stopped"))
        await app.push_screen(screen)
        message = screen.query_one("#metrics-message")
        # An expected state, told as information (issue 14 finding 5), not "Cannot read the metrics".
        await until(pilot, lambda: message.display and "not running" in str(message.render()))
        assert screen.error is None and "Cannot" not in str(message.render())


async def test_internals_tabs_load_each_part() -> None:
    app = ViewerApp()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = InternalsScreen(app.scenario_job("running"))
        await app.push_screen(screen)
        await until(pilot, lambda: len(screen.loaded) == 5)
        assert screen.loaded["vertices"] == "ok" and screen.loaded["config"] == "ok"
        assert screen.loaded["resource"] == "ok" and screen.loaded["state"] == "ok"
        vertices = screen.query_one("#vertices-table", DataTable)
        assert vertices.row_count >= 1
        assert "RUNNING" in str(screen.query_one("#vertices-summary").render())
        plan = str(screen.query_one("#plan-text").render())
        assert plan.startswith("[") and "Source" in plan
        config = screen.query_one("#config-table", DataTable)
        rows = {str(config.get_row_at(i)[0]): str(config.get_row_at(i)[1]) for i in range(config.row_count)}
        secret_keys = [key for key in rows if "stsaccess" in key.lower()]
        assert all(rows[key] == "••••••" for key in secret_keys)
        assert "MB" in str(screen.query_one("#resource-text").render())
        assert "Final state on YARN" in str(screen.query_one("#state-text").render())
        tabs = screen.query_one(TabbedContent)
        await pilot.press("right_square_bracket")
        assert tabs.active == "plan"
        await pilot.press("left_square_bracket", "left_square_bracket")
        assert tabs.active == "autoscale"


async def test_internals_errors_stay_in_their_tab() -> None:
    app = ViewerApp()
    app.emulator.faults.set(op="GetInstanceConfig", status=500)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = InternalsScreen(app.scenario_job("running"))
        await app.push_screen(screen)
        await until(pilot, lambda: len(screen.loaded) == 5)
        assert screen.loaded["config"].startswith("InternalError")
        assert "request id" in screen.loaded["config"]
        assert screen.loaded["vertices"] == "ok"
        assert "Cannot load" in str(screen.query_one("#config-summary").render())
