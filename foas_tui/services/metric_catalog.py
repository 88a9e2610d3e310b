"""Every metric of the seed's GetInstanceMetric table (参数名称 → 指标名称), by display name, group and unit,
and how to fetch several of them at once and write their values for humans.

Display names are the table's own (translated); units are the ones the table gives in parentheses (ms, byte,
ns, kb) or, for rates and ratios, what the metric name says (.rate = per second, *Usage = 0..1).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from foas_tui.services.formatting import NONE, human_bytes, human_duration_ms, human_rate
from foas_tui.services.metrics import MAX_WINDOW_S, granularity_s, series_items

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient

GROUPS = ("latency", "throughput", "checkpoint", "state", "queues", "task time", "JVM")


@dataclass(frozen=True, slots=True)
class CatalogMetric:
    name: str  # the service's metricName suffix (blink.<project>.<job>.<name>)
    display: str  # the seed table's display name, in English
    group: str
    unit: str  # ms | ns | bytes | kb | rate | bytes/s | ratio | count


CATALOG: tuple[CatalogMetric, ...] = (
    CatalogMetric("delay", "Business delay", "latency", "ms"),
    CatalogMetric("fetched_delay", "Data retention time (fetched delay)", "latency", "ms"),
    CatalogMetric("no_data_delay", "Data interval time (no data)", "latency", "ms"),
    CatalogMetric("watermarkLatency", "Watermark delay", "latency", "ms"),
    CatalogMetric("input.tt.readLatency", "TT read latency", "latency", "ms"),
    CatalogMetric("partitionLatency.mean", "Partition latency mean", "latency", "ns"),
    CatalogMetric("tps.rate", "Source input TPS", "throughput", "rate"),
    CatalogMetric("parserTps.rate", "Source RPS output", "throughput", "rate"),
    CatalogMetric("inBps.rate", "Source input traffic", "throughput", "bytes/s"),
    CatalogMetric("sink.outTps.rate", "Sink output TPS", "throughput", "rate"),
    CatalogMetric("numRecordsInPerSecond.rate", "Task input TPS", "throughput", "rate"),
    CatalogMetric("numRecordsOutPerSecond.rate", "Task output TPS", "throughput", "rate"),
    CatalogMetric("parserSkipCount", "Source dirty-data ratio", "throughput", "ratio"),
    CatalogMetric("lateRecordsDroppedRate", "Late records dropped TPS", "throughput", "rate"),
    CatalogMetric("numLateRecordsDropped", "Late records dropped (total)", "throughput", "count"),
    CatalogMetric("task_failover.rate", "Job failover rate", "throughput", "rate"),
    CatalogMetric("lastCheckpointDuration", "Checkpoint duration", "checkpoint", "ms"),
    CatalogMetric("lastCheckpointSize", "Checkpoint size", "checkpoint", "bytes"),
    CatalogMetric("checkpointAlignmentTime", "Checkpoint alignment time", "checkpoint", "ns"),
    CatalogMetric("checkpoints", "Checkpoint count", "checkpoint", "count"),
    CatalogMetric("rocksdb_get.mean", "State get time", "state", "ns"),
    CatalogMetric("rocksdb_put.mean", "State put time", "state", "ns"),
    CatalogMetric("rocksdb_seek.mean", "State seek time (RocksDB)", "state", "ns"),
    CatalogMetric("niagara_seek.meam", "State seek time (Niagara)", "state", "ns"),  # 'meam' as the seed spells it
    CatalogMetric("state.state_size", "State size", "state", "bytes"),
    CatalogMetric("state.state_newsize", "State size (new)", "state", "bytes"),
    CatalogMetric("buffers.inPoolUsage", "Input queue usage", "queues", "ratio"),
    CatalogMetric("buffers.outPoolUsage", "Output queue usage", "queues", "ratio"),
    CatalogMetric("taskLatency.sum", "Time used in processing per second", "task time", "ns"),
    CatalogMetric("waitOutput.sum", "Time used waiting for output per second", "task time", "ns"),
    CatalogMetric("taskLatency.histogram.mean", "TaskLatency histogram mean", "task time", "ns"),
    CatalogMetric("waitOutput.histogram.mean", "WaitOutput histogram mean", "task time", "ns"),
    CatalogMetric("waitInput.histogram.mean", "WaitInput histogram mean", "task time", "ns"),
    CatalogMetric("Status.JVM.CPU.Usage", "CPU usage", "JVM", "ratio"),
    CatalogMetric("Status.JVM.Memory.Heap.Used", "Memory heap used", "JVM", "bytes"),
    CatalogMetric("Status.JVM.Memory.NonHeap.Used", "Memory non-heap used", "JVM", "bytes"),
    CatalogMetric("Status.JVM.Memory.Process.rss", "Process memory RSS", "JVM", "kb"),
    CatalogMetric("Status.JVM.Threads.Count", "Threads count", "JVM", "count"),
    CatalogMetric("Status.JVM.GarbageCollector.ConcurrentMarkSweep.Time", "CMS GC time", "JVM", "ms"),
    CatalogMetric("Status.JVM.GarbageCollector.ConcurrentMarkSweep.Count", "CMS GC count", "JVM", "count"),
)
BY_NAME = {m.name: m for m in CATALOG}


def human_ns(value: float) -> str:
    if value < 1_000:
        return f"{value:.0f}ns"
    if value < 1_000_000:
        return f"{value / 1_000:.1f}µs"
    if value < 1_000_000_000:
        return f"{value / 1_000_000:.1f}ms"
    return human_duration_ms(value / 1_000_000)


def format_value(value: float | None, unit: str) -> str:
    """A value with its unit, for humans: 1500 ms → 1.5s, 2048 bytes → 2.00 KB, 0.42 ratio → 42%."""
    if value is None:
        return NONE
    if unit == "ms":
        return human_duration_ms(value)
    if unit == "ns":
        return human_ns(value)
    if unit == "bytes":
        return human_bytes(value)
    if unit == "kb":
        return human_bytes(value * 1024)
    if unit == "bytes/s":
        return f"{human_bytes(value)}/s"
    if unit == "rate":
        return human_rate(value)
    if unit == "ratio":
        return f"{value:.0%}" if value <= 1.5 else f"{value:.3g}"
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:.3g}"


@dataclass(slots=True)
class MetricSeries:
    metric: CatalogMetric
    points: list[tuple[float, float]]  # (epoch seconds, value), by time

    @property
    def last(self) -> float | None:
        return self.points[-1][1] if self.points else None

    def stats(self) -> tuple[float, float, float] | None:
        """(min, max, average) of the window, None without points."""
        values = [v for _, v in self.points]
        return (min(values), max(values), sum(values) / len(values)) if values else None


def build_query(project: str, job: str, names: Sequence[str], *, end_ms: int, window_s: int) -> dict[str, object]:
    window_s = max(60, min(window_s, MAX_WINDOW_S))
    step = f"{granularity_s(window_s)}s"
    return {"start": int(end_ms - window_s * 1000), "end": int(end_ms), "limit": "avg:sample:50",
            "queries": [{"downsample": f"{step}-avg", "metric": f"blink.{project}.{job}.{name}", "granularity": step,
                         "aggregator": "avg"} for name in names]}


async def fetch_catalog_metrics(client: FoasClient, project: str, job: str, names: Sequence[str], *, window_s: int,
                                instance_id: int = -1, now: Callable[[], float] = time.time) -> list[MetricSeries]:
    """One GetInstanceMetric call for the named catalog metrics; a series the service did not send is empty."""
    query = build_query(project, job, names, end_ms=int(now() * 1000), window_s=window_s)
    response = await client.get_instance_metric(project, job, json.dumps(query, separators=(",", ":")),
                                                instance_id=instance_id)
    found: dict[str, list[tuple[float, float]]] = {}
    for item in series_items(response):
        name = str(getattr(item, "metric_name", "") or "")
        key = next((n for n in names if name == n or name.endswith("." + n)), None)
        if key is not None and key not in found:
            found[key] = [(float(t), float(v)) for t, v in getattr(item, "points", [])]
    return [MetricSeries(BY_NAME[n], found.get(n, [])) for n in names]


async def fetch_across_jobs(client: FoasClient, project: str, jobs: Sequence[str], name: str, *, window_s: int,
                            now: Callable[[], float] = time.time,
                            concurrency: int = 4) -> list[tuple[str, MetricSeries]]:
    """One metric of several jobs of a project (one GetInstanceMetric call per job, a few at a time); a job
    whose call fails (not running ...) comes back with an empty series."""
    gate = asyncio.Semaphore(concurrency)

    async def one(job: str) -> tuple[str, MetricSeries]:
        async with gate:
            try:
                (series,) = await fetch_catalog_metrics(client, project, job, [name], window_s=window_s, now=now)
            except Exception:  # that job is not running: a blank line, not an error for the whole view
                series = MetricSeries(BY_NAME[name], [])
            return job, series

    return list(await asyncio.gather(*(one(job) for job in jobs)))


async def running_stream_jobs(client: FoasClient, project: str, *, limit: int = 6, first: str = "") -> list[str]:
    """Up to `limit` names of the project's running stream jobs (ListInstance), `first` leading."""
    names = [first] if first else []
    async for inst in client.iter_list_instance(project, "FLINK_STREAM", is_archived=False, page_size=50):
        name = str(getattr(inst, "job_name", "") or "")
        if name and name not in names and getattr(inst, "actual_state", None) == "RUNNING":
            names.append(name)
        if len(names) >= limit:
            break
    return names
