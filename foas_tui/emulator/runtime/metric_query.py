"""GetInstanceMetric's answer: the time line of a query, one series per query, per job or per vertex.

A query whose OpenTSDB `tags` name a vertex ({"vertex": "<vertex id>"}) gets that vertex's series for the
per-task metrics (queue usage, task TPS, watermark delay, late records); other queries get the job's series."""

from __future__ import annotations

import json
import math
from typing import Any

from foas_tui.emulator.runtime.backpressure import VertexLoad, vertex_loads
from foas_tui.emulator.runtime.base import InstanceView, _ckey, _u
from foas_tui.emulator.runtime.checkpoints import _ckpt_model
from foas_tui.emulator.runtime.lifecycle import _FailIndex, _horizon, _started
from foas_tui.emulator.runtime.metrics import (
    _RATE_KINDS,
    MAX_POINTS,
    _series_value,
    _traits,
    metric_kind,
)
from foas_tui.emulator.runtime.plan import _view_vertices


def _java_number(x: float) -> str:
    """Java-ish scientific notation as the spec example ('4.929E+8', '4.9350016E+8')."""
    mantissa, exp = f"{x:.7E}".split("E")
    mantissa = mantissa.rstrip("0")
    mantissa = mantissa + "0" if mantissa.endswith(".") else mantissa
    return f"{mantissa}E+{int(exp)}"


def _format(kind: str, x: float, key: int, t: int) -> str | float:
    if kind in _RATE_KINDS or kind == "generic":
        return round(x, 3)
    if abs(x) >= 1e7 and _u(key, 76, t) < 0.5:
        return _java_number(x)
    return str(int(round(x)))


def _timeline(v: InstanceView, start_ms: int, end_ms: int) -> tuple[list[int], int]:
    """Epoch seconds of the points (every 60 s, or coarser to stay within MAX_POINTS) and the step in ms."""
    lo = max(start_ms, v.start_ms)
    hi = min(end_ms, _horizon(v), v.now_ms)
    if not _started(v) or hi < lo:
        return [], 60_000
    step = 60
    span = (end_ms - start_ms) / 1000
    if span / step > MAX_POINTS:
        step = 60 * math.ceil(span / 60 / MAX_POINTS)
    first = math.ceil(lo / 1000 / step) * step
    return list(range(first, hi // 1000 + 1, step)), step * 1000


def metrics(v: InstanceView, metric_json: dict[str, Any] | str) -> list[dict[str, Any]]:
    """GetInstanceMetric's `metrics` list: one {"metricName", "dps", "summary", "tags"} per query.

    dps keys are 10-digit epoch-second strings, one point per 60 s within [start, end] and the instance's life
    (coarser steps beyond MAX_POINTS). Units: delay/fetched_delay/no_data_delay/watermarkLatency in ms;
    *tps/rate in records (or bytes) per second; failover_rate in failovers per minute. Millisecond/byte/count
    series are strings (large ones sometimes in Java notation, '4.929E+8'); rates are JSON numbers."""
    q = json.loads(metric_json) if isinstance(metric_json, str) else metric_json
    start = int(q.get("start") or (v.now_ms - 3_600_000))
    end = int(q.get("end") or v.now_ms)
    points, step = _timeline(v, start, end)
    tr = _traits(v)
    fi = _FailIndex(v)
    if points:
        fi.between(points[0] * 1000 - 900_000 - step, points[-1] * 1000)
    cm = _ckpt_model(v) if _started(v) and v.job_type != "FLINK_BATCH" else None
    out = []
    loads: dict[int, list[VertexLoad]] = {}  # one load computation per point, shared by the vertex queries
    vertex_ids = [vx.id for vx in _view_vertices(v)]
    for query in q.get("queries") or []:
        metric = str(query.get("metric", ""))
        kind = metric_kind(v, metric)
        tags = query.get("tags") if isinstance(query.get("tags"), dict) else {}
        vertex = str(tags.get("vertex") or "") if tags else ""
        pick = _VERTEX_KINDS.get(kind) if vertex else None
        index = vertex_ids.index(vertex) if pick and vertex in vertex_ids else None
        dps: dict[str, str | float] = {}
        total = 0.0
        fkey = tr.key ^ _ckey(metric)
        for t in points:
            if pick is not None and index is None:
                break  # an unknown vertex: no series, as a time-series store answers a tag that matches nothing
            if pick is not None and index is not None:
                if t not in loads:
                    loads[t] = vertex_loads(v, t * 1000)
                x = float(pick(loads[t][index]))
            else:
                x = _series_value(v, kind, metric, t * 1000, step, tr, fi, cm)
            total += x
            dps[str(t)] = _format(kind, x, fkey, t)
        avg = total / len(dps) if dps else 0
        summary: float | int = round(avg, 3) if kind in _RATE_KINDS or kind == "generic" else int(round(avg))
        out.append({"metricName": metric, "dps": dps, "summary": summary,
                    "tags": {"vertex": vertex} if pick is not None else {}})
    return out


# The per-task metrics of the seed's table that a vertex tag narrows down.
_VERTEX_KINDS = {
    "in_pool": lambda x: x.in_pool, "out_pool": lambda x: x.out_pool, "in_tps": lambda x: x.in_tps,
    "out_tps": lambda x: x.out_tps, "watermark": lambda x: x.watermark_ms, "late_rate": lambda x: x.late_rate,
    "late_total": lambda x: x.late_total,
}


