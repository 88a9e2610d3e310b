"""Metric series: GetInstanceMetric and GetClusterMetrics."""

from __future__ import annotations

import math
from operator import itemgetter
from typing import Annotated

from foas_tui.api.models.base import FoasModel, FoasResponse
from foas_tui.api.models.fields import Unwrap, _list
from foas_tui.api.models.lenient import Float, JsonDict, Str, _to_float, _to_int


class Metric(FoasModel):
    """One metric series. `dps` maps epoch seconds (as text) to values (numbers or numeric text)."""

    metric_name: Str = None
    dps: JsonDict = None
    summary: Float = None
    tags: JsonDict = None

    @property
    def points(self) -> list[tuple[int, float]]:
        """`(epoch seconds, value)` sorted by time; unparsable or non-finite points are skipped."""
        points: list[tuple[int, float]] = []
        for stamp, raw in (self.dps or {}).items():
            when, value = _to_int(stamp), _to_float(raw)
            if when is not None and value is not None and math.isfinite(value):
                points.append((when, value))
        points.sort(key=itemgetter(0))
        return points


class _MetricsResponse(FoasResponse):
    """`{"Metrics": {"Metric": [...]}}` per the tables; the examples send a bare (camelCase) list."""

    metrics: Annotated[list[Metric], Unwrap("Metric")] = _list()


class GetInstanceMetricResponse(_MetricsResponse):
    pass


class GetClusterMetricsResponse(_MetricsResponse):
    pass
