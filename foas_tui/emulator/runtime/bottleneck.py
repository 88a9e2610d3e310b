"""Which vertex of a lagging job is its bottleneck, and what lies upstream of it (plan-only, no metrics)."""

from __future__ import annotations

import re

from foas_tui.emulator.runtime.base import InstanceView
from foas_tui.emulator.runtime.plan import _Vertex, _view_vertices

# Heavier operators are likelier bottlenecks: a join holds two inputs' state, an aggregate one input's.
_HEAVY = (re.compile(r"Join", re.I), re.compile(r"Aggregate|GroupBy|Window|Over", re.I), re.compile(r"Rank|TopN", re.I))


def ancestors(verts: tuple[_Vertex, ...], index: int) -> set[int]:
    """Indexes of every vertex upstream of verts[index]."""
    pos = {vx.id: i for i, vx in enumerate(verts)}
    seen: set[int] = set()
    todo = [index]
    while todo:
        for src, _ship in verts[todo.pop()].inputs:
            j = pos.get(src)
            if j is not None and j not in seen:
                seen.add(j)
                todo.append(j)
    return seen


def bottleneck_index(v: InstanceView) -> int | None:
    """The vertex that slows a lagging job down (the heaviest non-source operator); None for other jobs."""
    if v.scenario != "lagging":
        return None
    verts = _view_vertices(v)
    candidates = [i for i, vx in enumerate(verts) if not vx.kind.startswith("source") and vx.inputs]
    if not candidates:
        return None
    for pattern in _HEAVY:
        heavy = [i for i in candidates if pattern.search(verts[i].name)]
        if heavy:
            return heavy[0]
    return candidates[0]


