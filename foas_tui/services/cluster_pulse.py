"""Cluster pulse: is a cluster itself short of CPU or memory, or is a queue full, when jobs lag?

Per cluster (ListCluster): GetClusterMetrics over the last hour (the seed: exclusive clusters only; metric names
as its examples, `<clusterId>.system.cpu.user` and `<clusterId>.system.mem.memtotal`; the memory in use is
asked as `<clusterId>.system.mem.memused`, a name the seed does not list) and GetClusterQueueInfo for each
queue's used and maximum vCores and memory.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from foas_tui.services.metrics import granularity_s, series_items

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient

WINDOW_S = 3600
CPU_HIGH = 85.0  # percent
QUEUE_FULL = 0.9
METRICS = (("cpu", "system.cpu.user"), ("mem_used", "system.mem.memused"), ("mem_total", "system.mem.memtotal"))


@dataclass(slots=True)
class QueueUse:
    name: str
    used_vcore: int | None
    max_vcore: int | None
    used_mem: int | None
    max_mem: int | None

    @property
    def fullness(self) -> float | None:
        """The fuller of vCores and memory, 0..1 (None when the queue gives no limits)."""
        ratios = [u / m for u, m in ((self.used_vcore, self.max_vcore), (self.used_mem, self.max_mem))
                  if u is not None and m and m > 0]
        return max(ratios) if ratios else None


@dataclass(slots=True)
class ClusterPulse:
    cluster_id: str
    name: str
    state: str
    cpu: list[float] = field(default_factory=list)  # percent, oldest first
    mem_used: float | None = None  # MB
    mem_total: float | None = None
    queues: list[QueueUse] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def cpu_now(self) -> float | None:
        return self.cpu[-1] if self.cpu else None

    def short_of(self) -> list[str]:
        """Why this cluster could be what slows its jobs down (empty: it is not)."""
        reasons = []
        if self.cpu_now is not None and self.cpu_now >= CPU_HIGH:
            reasons.append(f"CPU {self.cpu_now:.0f}%")
        if self.mem_used is not None and self.mem_total and self.mem_used / self.mem_total >= QUEUE_FULL:
            reasons.append(f"memory {self.mem_used / self.mem_total:.0%}")
        for queue in self.queues:
            full = queue.fullness
            if full is not None and full >= QUEUE_FULL:
                reasons.append(f"queue {queue.name} {full:.0%} used")
        return reasons


def _error(err: BaseException) -> str:
    return f"{getattr(err, 'code', type(err).__name__)}: {getattr(err, 'message', err)}"


async def _one(client: FoasClient, cluster: Any, end_ms: int) -> ClusterPulse:
    cid = str(getattr(cluster, "cluster_id", "") or "")
    pulse = ClusterPulse(cid, str(getattr(cluster, "display_name", "") or ""), str(getattr(cluster, "state", "") or ""))
    step = f"{granularity_s(WINDOW_S)}s"
    query = {"start": end_ms - WINDOW_S * 1000, "end": end_ms, "limit": "avg:sample:50",
             "queries": [{"metric": f"{cid}.{name}", "aggregator": "avg", "downsample": "avg", "granularity": step}
                         for _key, name in METRICS]}
    metrics, queues = await asyncio.gather(
        client.get_cluster_metrics(cid, json.dumps(query, separators=(",", ":"))),
        client.get_cluster_queue_info(cid), return_exceptions=True)
    if isinstance(metrics, BaseException):
        pulse.errors.append(f"metrics: {_error(metrics)}")
    else:
        for item in series_items(metrics):
            name = str(getattr(item, "metric_name", "") or "")
            values = [float(v) for _, v in getattr(item, "points", [])]
            if name.endswith("cpu.user"):
                pulse.cpu = values
            elif name.endswith("mem.memused") and values:
                pulse.mem_used = values[-1]
            elif name.endswith("mem.memtotal") and values:
                pulse.mem_total = values[-1]
    if isinstance(queues, BaseException):
        pulse.errors.append(f"queues: {_error(queues)}")
    else:
        pulse.queues = [QueueUse(str(q.queue_name or ""), q.resource("used_vcore"), q.resource("max_vcore"),
                                 q.resource("used_mem"), q.resource("max_mem")) for q in queues.queues]
    return pulse


async def cluster_pulse(client: FoasClient, *, now: Callable[[], float] = time.time,
                        concurrency: int = 4) -> list[ClusterPulse]:
    """The pulse of every cluster of the account, busiest first."""
    clusters = [c async for c in client.iter_list_cluster(page_size=50)]
    end_ms = int(now() * 1000)
    gate = asyncio.Semaphore(concurrency)

    async def bounded(cluster: Any) -> ClusterPulse:
        async with gate:
            return await _one(client, cluster, end_ms)

    pulses = list(await asyncio.gather(*(bounded(c) for c in clusters)))
    pulses.sort(key=lambda p: (-len(p.short_of()), -(p.cpu_now or 0.0), p.cluster_id))
    return pulses
