"""Per-vertex load of a running instance: queue usage, task TPS, watermark delay, late records.

A lagging job has one bottleneck vertex (its input queue full, its output queue free); every vertex upstream of
it is backpressured (output queue full), everything downstream idles. Other jobs keep all queues low. Pure and
deterministic: values depend on the instance and the minute only."""

from __future__ import annotations

import re
from dataclasses import dataclass

from foas_tui.emulator.runtime.base import InstanceView, _u
from foas_tui.emulator.runtime.bottleneck import ancestors, bottleneck_index
from foas_tui.emulator.runtime.lifecycle import _FailIndex
from foas_tui.emulator.runtime.metrics import _delay, _in_tps, _traits
from foas_tui.emulator.runtime.plan import _view_vertices

_WINDOWED = re.compile(r"Window|Aggregate|Over|Join", re.I)
_WATERMARK_OFFSET_MS = 4000  # the WatermarkAssigner offset of the seed's example plan


@dataclass(frozen=True)
class VertexLoad:
    """One vertex at one moment (queue usages are 0..1, TPS in records per second, delays in ms)."""

    in_pool: float
    out_pool: float
    in_tps: float
    out_tps: float
    watermark_ms: float
    late_rate: float
    late_total: int


def vertex_loads(v: InstanceView, t_ms: int) -> list[VertexLoad]:
    """The load of every vertex at t_ms (all zero when the instance is not running then)."""
    verts = _view_vertices(v)
    tr = _traits(v)
    fi = _FailIndex(v)
    running = v.start_ms <= t_ms <= (v.end_ms if v.end_ms is not None else v.now_ms)
    if not running:
        return [VertexLoad(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0) for _ in verts]
    minute = t_ms // 60_000
    neck = bottleneck_index(v)
    upstream = ancestors(verts, neck) if neck is not None else set()
    delay = _delay(v, tr, fi, t_ms)
    source_tps = _in_tps(v, tr, fi, t_ms)
    age_min = max(0, t_ms - v.start_ms) / 60_000
    out: list[VertexLoad] = []
    for i, vx in enumerate(verts):
        u = _u(tr.key, 90, i, minute)
        source = vx.kind.startswith("source")
        sink = "sink" in vx.kind
        if neck is None:  # healthy queues: the formula GetInstanceDetail always used for these jobs
            in_pool, out_pool = round(0.1 * _u(tr.key, 80, i), 3), round(0.1 * _u(tr.key, 81, i), 3)
        elif i == neck:
            in_pool, out_pool = 1.0, round(0.05 + 0.15 * u, 3)
        elif i in upstream:
            in_pool, out_pool = round(0.85 + 0.15 * u, 3), 1.0
        else:
            in_pool, out_pool = round(0.05 + 0.25 * u, 3), round(0.02 + 0.2 * u, 3)
        if source:
            in_pool = 0.0  # a source reads from outside, not from a network queue
        if sink:
            out_pool = 0.0
        factor = 1.0 if source or i < len(verts) - 1 and not _WINDOWED.search(vx.name) else tr.ratio
        in_tps = 0.0 if source else source_tps
        out_tps = 0.0 if sink else source_tps * factor
        behind = neck is not None and (i == neck or i not in upstream and not source)
        watermark = (delay + _WATERMARK_OFFSET_MS) if behind or neck is None else \
            _WATERMARK_OFFSET_MS + delay * (0.05 + 0.1 * u)
        late = 0.0
        late_total = 0
        if _WINDOWED.search(vx.name) and not source:
            late = (2 + 6 * u) if behind else (0.0 if u < 0.7 else u * 3)
            late_total = int(age_min * (4 if behind else 0.5) * _u(tr.key, 74, i))
        out.append(VertexLoad(in_pool, out_pool, round(in_tps, 3), round(out_tps, 3), watermark, round(late, 3),
                              late_total))
    return out
