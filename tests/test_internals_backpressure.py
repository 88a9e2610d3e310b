"""Backpressure and watermarks in the instance internals (Pilot on the in-process emulator).

Expectations from the seed: GetInstanceDetail's vertices carry buffers-in/out-pool-usage-max (0..1); the
metric table names watermarkLatency (ms), lateRecordsDroppedRate, numRecordsIn/OutPerSecond.rate. The reading
(input full + output free = bottleneck; output full = backpressured) is the Flink dashboard's."""

from __future__ import annotations

import json

import pytest
from test_viewers_support import ViewerApp, until, utc  # noqa: F401  (utc is a fixture)
from textual.widgets import DataTable

from foas_tui.emulator import runtime
from foas_tui.screens.internals import InternalsScreen
from foas_tui.services.backpressure import BACKPRESSURED, BOTTLENECK, OK, classify, diagnose, read_vertices
from foas_tui.services.selection import Selection

pytestmark = pytest.mark.usefixtures("utc")


def _lagging_multi_vertex(app: ViewerApp, vertices: int = 3) -> Selection:
    store = app.emulator.store
    now = store.now()
    for sel in app.scenario_jobs("lagging"):
        inst = store.job(sel.project, sel.job_name).current
        if inst is not None and len(runtime.detail(store.view(inst, inst.phase(now), now))["vertices"]) >= vertices:
            return sel
    raise LookupError("no lagging demo job with enough vertices")


def test_classify_reads_queues_like_the_flink_dashboard() -> None:
    assert classify(1.0, 0.1) == BOTTLENECK
    assert classify(0.95, 1.0) == BACKPRESSURED
    assert classify(0.0, 1.0) == BACKPRESSURED  # a source held up by its consumer
    assert classify(0.1, 0.1) == OK
    detail = {"vertices": [
        {"id": "a", "name": "Source: S -> Calc(x)", "metrics": {"buffers-in-pool-usage-max": 0.0,
                                                               "buffers-out-pool-usage-max": 1.0}},
        {"id": "b", "name": "Join(inner)", "metrics": {"buffers-in-pool-usage-max": 1.0,
                                                       "buffers-out-pool-usage-max": 0.05}},
        {"id": "c", "name": "Sink: out", "metrics": {"buffers-in-pool-usage-max": 0.1,
                                                     "buffers-out-pool-usage-max": 0.0}}],
        "plan": {"nodes": [{"id": "a"}, {"id": "b", "inputs": [{"id": "a"}]}, {"id": "c", "inputs": [{"id": "b"}]}]}}
    diagnosis = diagnose(read_vertices(detail))
    assert [(n.number, n.name, [h.name for h in held]) for n, held in diagnosis.bottlenecks] == \
        [(2, "Join(inner)", ["Source: S"])]


async def test_internals_name_the_bottleneck_and_color_queues() -> None:
    app = ViewerApp()
    queries: list[dict] = []
    original = app.session.client.get_instance_metric

    async def spy(project, job, metric_json, **kwargs):  # noqa: ANN001, ANN202
        queries.append(json.loads(metric_json))
        return await original(project, job, metric_json, **kwargs)

    app.session.client.get_instance_metric = spy
    sel = _lagging_multi_vertex(app)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = InternalsScreen(sel)
        await app.push_screen(screen)
        await until(pilot, lambda: screen.vertex_metrics is not None)
        assert screen.vertex_metrics == "ok"
        table = screen.query_one("#vertices-table", DataTable)
        rows = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
        columns = [str(c.label) for c in table.columns.values()]
        col = {name: columns.index(name) for name in ("#", "Backpressure", "In queue", "Out queue", "Watermark",
                                                        "Late/s", "In TPS", "Out TPS")}
        pressures = [r[col["Backpressure"]] for r in rows]
        assert pressures.count("BOTTLENECK") == 1, rows
        neck = pressures.index("BOTTLENECK")
        assert rows[neck][col["In queue"]] == "100%"
        assert "backpressured" in pressures[:neck]
        assert rows[0][col["In queue"]] == "0%"  # a source reads no network queue
        # the bottleneck's watermark is filled in from the per-vertex metrics
        assert rows[neck][col["Watermark"]] not in ("", "—", "-")
        text = str(screen.query_one("#vertices-diagnosis").render())
        name = rows[neck][columns.index("Name")].split(" (+")[0]
        assert f"vertex {neck + 1} `" in text and "is backpressuring its sources" in text, text
        assert name.split("(")[0][:20] in text
        assert "watermark" in text and "behind" in text
        # one GetInstanceMetric call, one tagged query per (vertex, metric) of the seed's table
        vertex_queries = [q for q in queries if any("tags" in x for x in q["queries"])]
        assert len(vertex_queries) == 1
        metrics = {x["metric"].rsplit(".", 1)[-1] if "PerSecond" not in x["metric"] else x["metric"].split(".")[-2]
                   for x in vertex_queries[0]["queries"]}
        assert {"watermarkLatency", "lateRecordsDroppedRate", "numRecordsInPerSecond"} <= metrics
        assert len({x["tags"]["vertex"] for x in vertex_queries[0]["queries"]}) == table.row_count


async def test_internals_of_a_healthy_job_say_no_backpressure() -> None:
    app = ViewerApp()
    async with app.run_test(size=(160, 40)) as pilot:
        screen = InternalsScreen(app.scenario_job("running"))
        await app.push_screen(screen)
        await until(pilot, lambda: screen.vertex_metrics is not None)
        text = str(screen.query_one("#vertices-diagnosis").render())
        assert text.startswith("No backpressure"), text
        table = screen.query_one("#vertices-table", DataTable)
        column = [str(c.label) for c in table.columns.values()].index("Backpressure")
        assert {str(table.get_row_at(i)[column]) for i in range(table.row_count)} == {"ok"}


async def test_vertex_metrics_failing_leaves_the_queues() -> None:
    app = ViewerApp()
    app.emulator.faults.set(op="GetInstanceMetric", status=500)
    sel = _lagging_multi_vertex(app)
    async with app.run_test(size=(160, 40)) as pilot:
        screen = InternalsScreen(sel)
        await app.push_screen(screen)
        await until(pilot, lambda: screen.vertex_metrics is not None)
        assert screen.vertex_metrics.startswith("InternalError")
        text = str(screen.query_one("#vertices-diagnosis").render())
        assert "is backpressuring its sources" in text and "Per-vertex metrics unavailable" in text
