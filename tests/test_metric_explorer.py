"""The metric explorer: every metric of the seed's GetInstanceMetric table is reachable by display name, several
metrics share one plot, values carry human units. The table is read from the spec (tests/data/operations.json,
the GetInstanceMetric notes' metric-name table), not from the catalog under test."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_viewers_support import ViewerApp, until, utc  # noqa: F401  (utc is a fixture)
from textual.widgets import DataTable, OptionList

from foas_tui.screens.metric_explorer import MetricExplorerScreen
from foas_tui.services.metric_catalog import BY_NAME, CATALOG, GROUPS, format_value

pytestmark = pytest.mark.usefixtures("utc")
ROOT = Path(__file__).resolve().parents[1]
SHARED = next((p for p in (ROOT.parent / "shared", Path("/work/shared")) if (p / "api").is_dir()), None)


def _seed_metric_names() -> set[str]:
    if SHARED is None:
        pytest.skip("the shared spec folder is not here (CI)")
    ops = {op["operation"]: op for op in json.loads((SHARED / "api" / "instance_folder.json").read_text())}
    notes = ops["GetInstanceMetric"]["notes"]
    # "Metric-name table (display name -> metricName for the 'metric' key): A -> x; B -> y / z; ... ."
    table = notes.split("Metric-name table", 1)[1].split("):", 1)[1].split(" Doc's ", 1)[0]
    names = set()
    for entry in table.split(";"):
        if "->" not in entry:
            continue
        for name in entry.split("->", 1)[1].split("/"):
            token = re.sub(r"\(.*?\)", "", name).strip()
            if token:
                names.add(token.split()[0].strip("'").rstrip("."))
    return names


def test_every_metric_of_the_seed_table_is_in_the_catalog() -> None:
    seed = _seed_metric_names()
    assert len(seed) >= 38, sorted(seed)
    assert seed <= set(BY_NAME), sorted(seed - set(BY_NAME))
    assert {m.group for m in CATALOG} == set(GROUPS)
    assert len({m.display for m in CATALOG}) == len(CATALOG)


@pytest.mark.parametrize(("value", "unit", "shown"), [
    (1500, "ms", "1.5s"), (2048, "bytes", "2.00 KB"), (2_500_000, "ns", "2.5ms"), (750, "ns", "750ns"),
    (0.42, "ratio", "42%"), (1234.5, "rate", "1.2k/s"), (2048, "kb", "2.00 MB"), (None, "ms", "—"),
])
def test_values_are_written_with_their_units(value: float | None, unit: str, shown: str) -> None:
    assert format_value(value, unit) == shown


async def test_explorer_plots_several_metrics_and_picks_more() -> None:
    app = ViewerApp()
    queries: list[dict] = []
    original = app.session.client.get_instance_metric

    async def spy(project, job, metric_json, **kwargs):  # noqa: ANN001, ANN202
        queries.append(json.loads(metric_json))
        return await original(project, job, metric_json, **kwargs)

    app.session.client.get_instance_metric = spy
    sel = app.scenario_job("lagging")
    async with app.run_test(size=(140, 40)) as pilot:
        screen = MetricExplorerScreen(sel)
        await app.push_screen(screen)
        await until(pilot, lambda: screen.series is not None)
        assert [s.metric.name for s in screen.series] == ["delay", "watermarkLatency"]
        assert all(s.points for s in screen.series)
        assert {q["metric"] for q in queries[-1]["queries"]} == {f"blink.{sel.project}.{sel.job_name}.delay",
                                                                 f"blink.{sel.project}.{sel.job_name}.watermarkLatency"}
        table = screen.query_one("#explorer-table", DataTable)
        assert str(table.get_row_at(0)[0]) == "Business delay"
        assert re.search(r"\d+(h|m|s)", str(table.get_row_at(0)[1]))  # ms shown as a duration
        # every catalog metric is listed under its group
        options = screen.query_one("#explorer-metrics", OptionList)
        ids = [options.get_option_at_index(i).id for i in range(options.option_count)]
        assert {m.name for m in CATALOG} <= set(ids) and "group:JVM" in ids
        # pick the checkpoint size too (space on it): one more series, in bytes
        options.focus()
        options.highlighted = ids.index("lastCheckpointSize")
        await pilot.press("space")
        await until(pilot, lambda: screen.series is not None and len(screen.series) == 3)
        size_row = [str(c) for c in table.get_row_at(2)]
        assert size_row[0] == "Checkpoint size" and re.search(r"(KB|MB|GB|B)$", size_row[1]), size_row
        await pilot.press("3")
        await until(pilot, lambda: queries[-1]["end"] - queries[-1]["start"] == 7_200_000)


async def test_explorer_on_a_stopped_job_says_so() -> None:
    app = ViewerApp()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = MetricExplorerScreen(app.scenario_job("stopped"))
        await app.push_screen(screen)
        await until(pilot, lambda: screen.series is not None or screen.error is not None)
        message = str(screen.query_one("#explorer-message").render())
        assert "Cannot read the metrics" in message or "No points" in message


async def test_one_metric_across_the_projects_running_jobs() -> None:
    app = ViewerApp()
    sel = app.scenario_job("lagging")
    store = app.emulator.store
    now = store.now()
    running = {j.name for j in store.projects[sel.project].jobs.values()
               if j.current is not None and j.job_type == "FLINK_STREAM" and j.current.phase(now).actual == "RUNNING"}
    assert len(running) >= 2
    async with app.run_test(size=(140, 40)) as pilot:
        screen = MetricExplorerScreen(sel, metrics=("delay",))
        await app.push_screen(screen)
        await until(pilot, lambda: screen.series is not None)
        await pilot.press("a")
        await until(pilot, lambda: screen.across and screen.series is not None and len(screen.labels) > 1)
        assert screen.labels[0] == sel.job_name
        assert set(screen.labels) <= running and len(screen.labels) == min(6, len(running))
        assert all(s.metric.name == "delay" and s.points for s in screen.series)
        table = screen.query_one("#explorer-table", DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == screen.labels
        assert "across the project's running jobs" in str(screen.query_one("#explorer-header").render())
