"""GetInstanceMetric use cases: build the OpenTSDB-style metricJson, fetch series, delay trends for the live table.

Metric names follow the seed's table: blink.{project}.{job}.{delay | tps.rate | sink.outTps.rate |
task_failover.rate}; the service keeps only the last two hours.
"""

from __future__ import annotations

import asyncio
import json
import math
import time
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient


@dataclass(frozen=True, slots=True)
class MetricSpec:
    key: str  # our name
    metric: str  # the service's metricName suffix
    label: str
    unit: str
    aggregator: str = "avg"


DELAY = MetricSpec("delay", "delay", "Delay", "s", "max")
INPUT_TPS = MetricSpec("input_tps", "tps.rate", "Input TPS", "rec/s", "avg")
OUTPUT_TPS = MetricSpec("output_tps", "sink.outTps.rate", "Output TPS", "rec/s", "avg")
FAILOVER = MetricSpec("failover", "task_failover.rate", "Failover rate", "/s", "max")
DEFAULT_METRICS: tuple[MetricSpec, ...] = (DELAY, INPUT_TPS, OUTPUT_TPS, FAILOVER)

MAX_WINDOW_S = 2 * 3600  # the service keeps two hours of metrics (seed, GetInstanceMetric demo)
WINDOWS: dict[str, int] = {"15m": 15 * 60, "1h": 3600, "2h": MAX_WINDOW_S}
_DELAY_UNIT_MS = 1000.0  # the seed's metric table gives delay in milliseconds; we show seconds


def granularity_s(window_s: int, max_points: int = 60) -> int:
    """Seconds per point so a window has at most `max_points` (too many points time the call out)."""
    raw = max(1, math.ceil(window_s / max_points))
    for step in (10, 20, 30, 60, 120, 300, 600):
        if raw <= step:
            return step
    return raw


def build_metric_query(
    project: str,
    job: str,
    *,
    end_ms: int,
    window_s: int,
    metrics: Sequence[MetricSpec] = DEFAULT_METRICS,
) -> dict[str, Any]:
    """The metricJson object, in the form of the seed's example (start/end in ms, one query per metric)."""
    window_s = max(60, min(window_s, MAX_WINDOW_S))
    step = f"{granularity_s(window_s)}s"
    return {
        "start": int(end_ms - window_s * 1000),
        "end": int(end_ms),
        "limit": "avg:sample:50",
        "queries": [
            {
                "downsample": f"{step}-{spec.aggregator}",
                "metric": f"blink.{project}.{job}.{spec.metric}",
                "granularity": step,
                "aggregator": spec.aggregator,
            }
            for spec in metrics
        ],
    }


@dataclass(slots=True)
class Series:
    """One metric over time: `points` are (epoch seconds, value) sorted by time."""

    spec: MetricSpec
    points: list[tuple[float, float]] = field(default_factory=list)
    summary: float | None = None

    @property
    def values(self) -> list[float]:
        return [v for _, v in self.points]

    @property
    def last(self) -> float | None:
        return self.points[-1][1] if self.points else None


@dataclass(slots=True)
class MetricSet:
    """The series of one query, keyed by MetricSpec.key; `missing` lists metrics that came back empty."""

    project: str
    job: str
    window_s: int
    start_ms: int
    end_ms: int
    series: dict[str, Series]

    @property
    def missing(self) -> list[str]:
        return [key for key, s in self.series.items() if not s.points]


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _points_of(item: Any) -> list[tuple[float, float]]:
    points = getattr(item, "points", None)
    if points is None:
        dps = getattr(item, "dps", None)
        if dps is None and isinstance(item, dict):
            dps = item.get("dps") or item.get("Dps")
        points = list((dps or {}).items()) if isinstance(dps, dict) else []
    cleaned = []
    for ts, value in points:
        t, v = _float(ts), _float(value)
        if t is not None and v is not None:
            cleaned.append((t / 1000 if t > 1e11 else t, v))  # tolerate ms keys
    cleaned.sort()
    return cleaned


def _name_of(item: Any) -> str:
    name = getattr(item, "metric_name", None)
    if name is None and isinstance(item, dict):
        name = item.get("metricName") or item.get("MetricName")
    return str(name or "")


def series_items(response: Any) -> list[Any]:
    """The list of series in a GetInstanceMetric response (wrapped PascalCase or bare camelCase)."""
    for attr in ("metrics", "items"):
        value = getattr(response, attr, None)
        if value is not None and not isinstance(value, str | bytes):
            inner = getattr(value, "metric", None)
            return list(inner if inner is not None else value)
    return []


def parse_series(response: Any, project: str, job: str, metrics: Sequence[MetricSpec]) -> dict[str, Series]:
    """Match each returned series to its MetricSpec by name suffix (delay is converted from ms to s)."""
    result = {spec.key: Series(spec) for spec in metrics}
    by_name = {f"blink.{project}.{job}.{spec.metric}": spec for spec in metrics}
    for item in series_items(response):
        name = _name_of(item)
        spec = by_name.get(name) or next((s for s in metrics if name.endswith("." + s.metric)), None)
        if spec is None:
            continue
        points = _points_of(item)
        summary = _float(getattr(item, "summary", None) if not isinstance(item, dict) else item.get("summary"))
        if spec is DELAY:
            points = [(t, v / _DELAY_UNIT_MS) for t, v in points]
            summary = summary / _DELAY_UNIT_MS if summary is not None else None
        result[spec.key] = Series(spec, points, summary)
    return result


async def fetch_metrics(
    client: FoasClient,
    project: str,
    job: str,
    *,
    window_s: int,
    instance_id: int = -1,
    metrics: Sequence[MetricSpec] = DEFAULT_METRICS,
    now: Callable[[], float] = time.time,
) -> MetricSet:
    """One GetInstanceMetric call for all `metrics` of a job over the last `window_s` seconds."""
    end_ms = int(now() * 1000)
    query = build_metric_query(project, job, end_ms=end_ms, window_s=window_s, metrics=metrics)
    response = await client.get_instance_metric(
        project, job, json.dumps(query, separators=(",", ":")), instance_id=instance_id
    )
    series = parse_series(response, project, job, metrics)
    return MetricSet(project, job, window_s, query["start"], query["end"], series)


async def delay_trends(
    client: FoasClient,
    jobs: Iterable[Any],
    *,
    window_s: int = 15 * 60,
    concurrency: int = 4,
    now: Callable[[], float] = time.time,
) -> dict[tuple[str, str], list[float]]:
    """Delay (seconds) over the last `window_s` for each job, keyed by (project, job name).

    `jobs` are Selection/JobInfo-like objects with `project` and `job_name`. Jobs whose call fails
    (not running, throttled ...) are left out: a trend column shows blank rather than an error.
    """
    limit = asyncio.Semaphore(max(1, concurrency))
    unique = {(j.project, j.job_name): j for j in jobs}

    async def one(key: tuple[str, str]) -> tuple[tuple[str, str], list[float] | None]:
        async with limit:
            try:
                result = await fetch_metrics(client, key[0], key[1], window_s=window_s, metrics=(DELAY,), now=now)
            except Exception:  # a trend is best effort; the live table shows the job's errors elsewhere
                return key, None
        return key, result.series[DELAY.key].values

    pairs = await asyncio.gather(*(one(key) for key in unique))
    return {key: values for key, values in pairs if values is not None}


class DelayTrendCache:
    """Delay trends for the live table's sparkline column, with a bounded cost per refresh.

    `refresh(client, jobs)` fetches at most `per_cycle` jobs whose trend is older than `ttl_s` (the stalest
    first; one GetInstanceMetric each) and returns every trend it holds for `jobs`, keyed (project, job).
    Pass only running stream jobs: the service answers an error for others (they are skipped).
    """

    def __init__(self, *, window_s: int = 15 * 60, ttl_s: float = 60.0, per_cycle: int = 16,
                 concurrency: int = 4, now: Callable[[], float] = time.time) -> None:
        self.window_s = window_s
        self.ttl_s = ttl_s
        self.per_cycle = per_cycle
        self.concurrency = concurrency
        self.now = now
        self._trends: dict[tuple[str, str], list[float]] = {}
        self._fetched: dict[tuple[str, str], float] = {}

    def get(self, key: tuple[str, str]) -> list[float]:
        return self._trends.get(key, [])

    def due(self, jobs: Iterable[Any], first: Collection[tuple[str, str]] = ()) -> list[Any]:
        """Up to `per_cycle` jobs older than the TTL: those in `first` (on screen), then the stalest."""
        now = self.now()
        fetched = self._fetched
        stale = [j for j in jobs if now - fetched.get((j.project, j.job_name), 0.0) >= self.ttl_s]
        stale.sort(key=lambda j: ((j.project, j.job_name) not in first, fetched.get((j.project, j.job_name), 0.0)))
        return stale[: self.per_cycle]

    def never_fetched(self, keys: Iterable[tuple[str, str]]) -> bool:
        """Whether any of these jobs was never asked for (a row that just came on screen)."""
        return any(key not in self._fetched for key in keys)

    async def refresh(self, client: FoasClient, jobs: Iterable[Any],
                      first: Collection[tuple[str, str]] = ()) -> dict[tuple[str, str], list[float]]:
        jobs = list(jobs)
        due = self.due(jobs, first)
        if due:
            fetched = await delay_trends(client, due, window_s=self.window_s, concurrency=self.concurrency,
                                         now=self.now)
            stamp = self.now()
            for job in due:
                key = (job.project, job.job_name)
                self._fetched[key] = stamp  # a failed job waits `ttl_s` too, instead of being retried at once
                if key in fetched:
                    self._trends[key] = fetched[key]
        return {(j.project, j.job_name): self._trends[(j.project, j.job_name)]
                for j in jobs if (j.project, j.job_name) in self._trends}
