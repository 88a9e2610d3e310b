"""Backpressure and watermarks per vertex: which vertex holds the job up, in data a screen can draw.

Queue usage comes from GetInstanceDetail (vertices[].metrics buffers-in/out-pool-usage-max, the seed's example
shape). A vertex whose input queue is full while its output queue is free is the bottleneck; a vertex whose
output queue is full is backpressured by something downstream (the reading of the Flink dashboard). Watermark
delay, late records dropped and task in/out TPS come from GetInstanceMetric (the seed's metric table:
watermarkLatency, lateRecordsDroppedRate, numRecordsInPerSecond.rate, numRecordsOutPerSecond.rate,
buffers.inPoolUsage, buffers.outPoolUsage), one query per vertex narrowed by an OpenTSDB tag {"vertex": id}.
A service that ignores the tag answers job-level series; they are then shown once, not per vertex.
"""

from __future__ import annotations

import html
import json
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from foas_tui.services.flink_payloads import first_of
from foas_tui.services.metrics import granularity_s, series_items

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient

FULL = 0.8  # a queue this full means the consumer cannot keep up
FREE = 0.5
BOTTLENECK, BACKPRESSURED, OK, UNKNOWN = "bottleneck", "backpressured", "ok", "unknown"

# (our key, the seed's metric name); per vertex, newest value shown
VERTEX_METRICS: tuple[tuple[str, str], ...] = (
    ("watermark_ms", "watermarkLatency"),
    ("late_rate", "lateRecordsDroppedRate"),
    ("late_total", "numLateRecordsDropped"),
    ("in_tps", "numRecordsInPerSecond.rate"),
    ("out_tps", "numRecordsOutPerSecond.rate"),
)
WINDOW_S = 5 * 60


@dataclass(slots=True)
class VertexPressure:
    """One vertex of the plan: its place (1-based, plan order), queues, and the metrics that explain them."""

    number: int
    id: str
    name: str  # the first operator of the chain
    inputs: list[str] = field(default_factory=list)
    in_pool: float | None = None
    out_pool: float | None = None
    status: str = UNKNOWN
    watermark_ms: float | None = None
    late_rate: float | None = None
    late_total: float | None = None
    in_tps: float | None = None
    out_tps: float | None = None


@dataclass(slots=True)
class Diagnosis:
    """The vertices, the bottlenecks among them (with the sources they hold up) and whether the vertex metrics
    were per vertex (`per_vertex`) or only job-level (`job_level`, keyed like VERTEX_METRICS)."""

    vertices: list[VertexPressure]
    bottlenecks: list[tuple[VertexPressure, list[VertexPressure]]]
    per_vertex: bool = False
    job_level: dict[str, float] = field(default_factory=dict)



def _ratio(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and 0 <= number <= 1.0001 else None


def first_operator(name: str) -> str:
    """`Source: X -> Calc(...) -> Sink: Y` → `Source: X` (a chained vertex is named by its head)."""
    head = " ".join(html.unescape(name).split()).split(" -> ", 1)[0]
    return head.split("(", 1)[0] if "(" in head and len(head) > 48 else head


def classify(in_pool: float | None, out_pool: float | None) -> str:
    if in_pool is None and out_pool is None:
        return UNKNOWN
    if out_pool is not None and out_pool >= FULL:
        return BACKPRESSURED
    if in_pool is not None and in_pool >= FULL and (out_pool is None or out_pool < FREE):
        return BOTTLENECK
    return OK


def read_vertices(detail: Any) -> list[VertexPressure]:
    """VertexPressure per vertex of a GetInstanceDetail payload (dict or model); inputs from its plan."""
    vertices = first_of(detail, "vertices") or []
    plan_inputs: dict[str, list[str]] = {}
    for node in first_of(first_of(detail, "plan") or {}, "nodes") or []:
        node_id = str(first_of(node, "id") or "")
        plan_inputs[node_id] = [str(first_of(i, "id") or "") for i in (first_of(node, "inputs") or [])]
    out = []
    for n, vertex in enumerate(vertices, start=1):
        vid = str(first_of(vertex, "id") or n)
        metrics = first_of(vertex, "metrics") or {}
        in_pool = _ratio(first_of(metrics, "buffers-in-pool-usage-max", "buffers_in_pool_usage_max"))
        out_pool = _ratio(first_of(metrics, "buffers-out-pool-usage-max", "buffers_out_pool_usage_max"))
        out.append(VertexPressure(n, vid, first_operator(str(first_of(vertex, "name") or "?")),
                                  plan_inputs.get(vid, []), in_pool, out_pool, classify(in_pool, out_pool)))
    return out


def upstream_of(vertices: Sequence[VertexPressure], vertex: VertexPressure) -> list[VertexPressure]:
    """Every vertex upstream of `vertex` (transitively), in plan order."""
    by_id = {v.id: v for v in vertices}
    seen: set[str] = set()
    todo = list(vertex.inputs)
    while todo:
        vid = todo.pop()
        if vid in seen or vid not in by_id:
            continue
        seen.add(vid)
        todo.extend(by_id[vid].inputs)
    return [v for v in vertices if v.id in seen]


def diagnose(vertices: list[VertexPressure]) -> Diagnosis:
    """The bottlenecks: vertices with a full input and a free output. A bottleneck whose upstream shows no
    backpressure is still named (its queue is full), with no sources listed."""
    necks = []
    for vertex in vertices:
        if vertex.status == BOTTLENECK:
            held = [v for v in upstream_of(vertices, vertex) if v.status == BACKPRESSURED]
            necks.append((vertex, held))
    # the one holding up most sources first
    necks.sort(key=lambda pair: (-len(pair[1]), pair[0].number))
    return Diagnosis(vertices, necks)


def build_vertex_query(project: str, job: str, vertex_ids: Sequence[str], *, end_ms: int,
                       window_s: int = WINDOW_S) -> dict[str, Any]:
    """One metricJson with a query per (vertex, metric), each narrowed by the tag {"vertex": id}."""
    step = f"{granularity_s(window_s)}s"
    return {
        "start": int(end_ms - window_s * 1000), "end": int(end_ms), "limit": "avg:sample:50",
        "queries": [{"downsample": f"{step}-avg", "metric": f"blink.{project}.{job}.{metric}", "granularity": step,
                     "aggregator": "max", "tags": {"vertex": vid}}
                    for vid in vertex_ids for _key, metric in VERTEX_METRICS],
    }


def _last(item: Any) -> float | None:
    points = getattr(item, "points", None)
    if points is None:
        dps = first_of(item, "dps") or {}
        points = []
        for stamp, raw in dps.items() if isinstance(dps, Mapping) else ():
            try:
                points.append((float(stamp), float(raw)))
            except (TypeError, ValueError):
                continue
        points.sort()
    for _stamp, value in reversed(points):
        if isinstance(value, int | float) and math.isfinite(value):
            return float(value)
    return None


def apply_vertex_metrics(diagnosis: Diagnosis, response: Any) -> None:
    """Fill each vertex's metrics from a GetInstanceMetric answer to build_vertex_query."""
    by_id = {v.id: v for v in diagnosis.vertices}
    suffixes = {metric: key for key, metric in VERTEX_METRICS}
    for item in series_items(response):
        name = str(first_of(item, "metric_name", "metricName") or "")
        key = next((k for metric, k in suffixes.items() if name == metric or name.endswith("." + metric)), None)
        if key is None:
            continue
        value = _last(item)
        tags = first_of(item, "tags") or {}
        vertex = by_id.get(str(tags.get("vertex") or "")) if isinstance(tags, Mapping) else None
        if vertex is not None:
            diagnosis.per_vertex = True
            setattr(vertex, key, value)
        elif value is not None:
            diagnosis.job_level.setdefault(key, value)


async def fetch_vertex_metrics(client: FoasClient, project: str, job: str, instance_id: int, diagnosis: Diagnosis,
                               *, now: Callable[[], float] = time.time) -> None:
    """One GetInstanceMetric call for every vertex's watermark, late records and task TPS."""
    if not diagnosis.vertices:
        return
    query = build_vertex_query(project, job, [v.id for v in diagnosis.vertices], end_ms=int(now() * 1000))
    response = await client.get_instance_metric(project, job, json.dumps(query, separators=(",", ":")),
                                                instance_id=instance_id)
    apply_vertex_metrics(diagnosis, response)
