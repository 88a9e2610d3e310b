"""The viewers' pure helpers: human formats, sparklines, the metricJson query and its series, clipboard and save."""

from __future__ import annotations

import json
import os
from pathlib import Path
from types import SimpleNamespace

import httpx
import pytest

from foas_tui.api.client import FoasClient
from foas_tui.api.models import GetInstanceMetricResponse
from foas_tui.api.signing import Credentials
from foas_tui.services import clipboard
from foas_tui.services.formatting import ago, format_epoch_ms, human_bytes, human_duration_ms, sparkline
from foas_tui.services.metrics import (
    DEFAULT_METRICS,
    DELAY,
    build_metric_query,
    delay_trends,
    granularity_s,
    parse_series,
)
from foas_tui.widgets.dag_view import dag_lines, nodes_from_plan


def test_human_sizes_and_durations_like_the_dashboard() -> None:
    assert human_bytes(4384) == "4.28 KB"
    assert human_bytes(0) == "0 B"
    assert human_bytes(3 * 1024**3) == "3.00 GB"
    assert human_bytes(-1) == human_bytes(None) == "—"
    assert human_duration_ms(14) == "14ms"
    assert human_duration_ms(1500) == "1.5s"
    assert human_duration_ms(200_000) == "3m 20s"
    assert human_duration_ms(7_500_000) == "2h 5m"
    assert human_duration_ms(2 * 86_400_000 + 3 * 3_600_000) == "2d 3h"


def test_epoch_ms_times() -> None:
    from datetime import UTC

    assert format_epoch_ms(1610505450869, UTC) == "2021-01-13 02:37:30"
    assert format_epoch_ms(0) == format_epoch_ms(None) == "—"
    assert ago(1_000, 61_000) == "1m ago"
    assert ago(1_000, 62_000) == "1m 1s ago"


def test_sparkline() -> None:
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8) == "▁▂▃▄▅▆▇█"
    assert sparkline([5, 5, 5], 3) == "███"  # flat but above zero: high on a zero-based scale
    assert sparkline([0, 0], 2) == "▁▁"
    assert sparkline([1, 2], 5) == "   ▅█"  # right-aligned: the newest value is at the right
    assert len(sparkline(list(range(100)), 10)) == 10
    assert sparkline([None, 3], 2) == " █"
    assert sparkline([], 4) == "    "


def test_metric_query_has_the_seed_form() -> None:
    query = build_metric_query("bayes_team", "ss2", end_ms=1606294626216, window_s=3600)
    assert set(query) == {"start", "end", "limit", "queries"}
    assert query["end"] - query["start"] == 3_600_000
    assert query["limit"] == "avg:sample:50"
    metrics = [q["metric"] for q in query["queries"]]
    assert metrics == ["blink.bayes_team.ss2.delay", "blink.bayes_team.ss2.tps.rate",
                       "blink.bayes_team.ss2.sink.outTps.rate", "blink.bayes_team.ss2.task_failover.rate"]
    first = query["queries"][0]
    assert set(first) == {"downsample", "metric", "granularity", "aggregator"}
    assert first["granularity"] == "60s" and first["downsample"] == "60s-max"
    assert build_metric_query("p", "j", end_ms=10**13, window_s=99_999)["start"] == 10**13 - 7_200_000  # 2 h cap
    assert granularity_s(900) == 20


def test_series_parse_from_the_seed_example_converts_delay_to_seconds() -> None:
    body = {"requestId": "r", "metrics": [{"metricName": "blink.bayes_team.ss2.delay",
                                            "dps": {"1574247600": "4.9350016E+8", "1574247000": "4.929E+8"},
                                            "summary": 494400448, "tags": {}}]}
    series = parse_series(GetInstanceMetricResponse.model_validate(body), "bayes_team", "ss2", DEFAULT_METRICS)
    delay = series[DELAY.key]
    assert delay.points == [(1574247000, 492900.0), (1574247600, 493500.16)]
    assert delay.summary == pytest.approx(494400.448)
    assert series["input_tps"].points == []


async def test_delay_trends_skips_jobs_whose_call_fails() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if "/jobs/broken/" in request.url.path:
            return httpx.Response(400, json={"Code": "JobNotRunning", "Message": "not running", "RequestId": "x"})
        query = json.loads(dict(httpx.QueryParams(request.content.decode()))["metricJson"])
        start = query["start"] // 1000
        dps = {str(start + i * 60): str(i * 1000) for i in range(5)}
        return httpx.Response(200, json={"RequestId": "r", "metrics": [
            {"metricName": query["queries"][0]["metric"], "dps": dps}]})

    client = FoasClient(Credentials("id", "s"), transport=httpx.MockTransport(handler), retries=0)
    jobs = [SimpleNamespace(project="p", job_name="ok"), SimpleNamespace(project="p", job_name="broken")]
    trends = await delay_trends(client, jobs, now=lambda: 1_700_000_000.0)
    assert trends == {("p", "ok"): [0.0, 1.0, 2.0, 3.0, 4.0]}
    await client.aclose()


class FakeApp:
    def __init__(self) -> None:
        self.clipboard = ""

    def copy_to_clipboard(self, text: str) -> None:
        self.clipboard = text


def test_copy_refuses_what_a_terminal_would_drop() -> None:
    app = FakeApp()
    assert clipboard.copy_text(app, "a\nb").ok and app.clipboard == "a\nb"
    big = clipboard.copy_text(app, "x" * 200_000, what="all exceptions")
    assert not big.ok and "save" in big.message and app.clipboard == "a\nb"


def test_save_goes_to_a_private_file_that_never_overwrites(isolated_env) -> None:  # noqa: ANN001
    first = clipboard.default_export_path("proj/../x", "job name", "exceptions", now=0)
    assert first.parent == isolated_env.data_dir / "exports"
    assert "/" not in first.name and ".." not in first.name
    clipboard.save_text("trace", first)
    second = clipboard.default_export_path("proj/../x", "job name", "exceptions", now=0)
    assert second != first and second.name.endswith("-2.txt")
    assert first.read_text() == "trace\n"
    assert oct(os.stat(first).st_mode & 0o777) == "0o600"
    assert Path(first).parent.stat().st_mode & 0o077 == 0


def test_dag_of_a_join() -> None:
    plan = {"nodes": [
        {"id": 1, "description": "Source: orders", "parallelism": 4},
        {"id": 2, "description": "Source: users", "parallelism": 2},
        {"id": 3, "description": "Join -&gt; Calc", "parallelism": 4, "inputs": [{"id": 1}, {"id": 2}]},
        {"id": 4, "description": "Sink: rds", "parallelism": 1, "inputs": [{"id": 3}]},
    ]}
    lines = dag_lines(nodes_from_plan(plan))
    assert lines == [
        "[1] Source: orders  ×4",
        "└─▶ [3] Join  ×4  ⟵ joins 1, 2",
        "    │   ⤷ Calc",  # a chained operator of vertex 3
        "    └─▶ [4] Sink: rds  ×1",
        "[2] Source: users  ×2",
        "└─▶ [3] ↑ (drawn above)",
    ]
    blink = {"nodes": [{"id": 1, "pact": "Source"}, {"id": 2, "pact": "Data Sink"}],
             "links": [{"source": 1, "target": 2}]}
    assert dag_lines(nodes_from_plan(blink)) == ["[1] Source", "└─▶ [2] Data Sink"]


async def test_delay_trend_cache_bounds_calls_per_refresh() -> None:
    from foas_tui.services.metrics import DelayTrendCache

    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path.split("/jobs/")[1].split("/")[0])
        query = json.loads(dict(httpx.QueryParams(request.content.decode()))["metricJson"])
        return httpx.Response(200, json={"RequestId": "r", "metrics": [
            {"metricName": query["queries"][0]["metric"], "dps": {str(query["end"] // 1000): "5000"}}]})

    clock = [1_700_000_000.0]
    client = FoasClient(Credentials("id", "s"), transport=httpx.MockTransport(handler), retries=0)
    cache = DelayTrendCache(per_cycle=2, ttl_s=60, now=lambda: clock[0])
    jobs = [SimpleNamespace(project="p", job_name=f"j{i}") for i in range(3)]
    first = await cache.refresh(client, jobs)
    assert len(calls) == 2 and first == {("p", "j0"): [5.0], ("p", "j1"): [5.0]}
    second = await cache.refresh(client, jobs)
    assert calls[2:] == ["j2"] and len(second) == 3  # only the one never fetched
    assert await cache.refresh(client, jobs) == second and len(calls) == 3  # nothing is due yet
    clock[0] += 61
    await cache.refresh(client, jobs)
    assert len(calls) == 5
    await client.aclose()
