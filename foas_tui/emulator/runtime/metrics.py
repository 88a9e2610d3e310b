"""Metrics: GetInstanceMetric series for every metric of the seed's table."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from foas_tui.emulator.runtime.base import InstanceView, _ckey, _job_key, _u
from foas_tui.emulator.runtime.checkpoints import _ckpt_entry, _CkptModel
from foas_tui.emulator.runtime.lifecycle import _ALIVE, _FailIndex, _started

# --------------------------------------------------------------------------------------------------------------
# Metrics

_METRIC_KINDS = {
    "delay": "delay", "fetched_delay": "fetched_delay", "no_data_delay": "no_data_delay",
    "task_failover.rate": "failover", "failover_rate": "failover", "failover": "failover",
    "tps.rate": "in_tps", "inputTps": "in_tps", "in_tps": "in_tps", "input_tps": "in_tps",
    "numRecordsInPerSecond.rate": "in_tps", "parserTps.rate": "in_tps",
    "sink.outTps.rate": "out_tps", "outputTps": "out_tps", "out_tps": "out_tps", "output_tps": "out_tps",
    "numRecordsOutPerSecond.rate": "out_tps", "inBps.rate": "in_bps", "parserSkipCount": "skip",
    "lastCheckpointDuration": "cp_duration", "lastCheckpointSize": "cp_size", "checkpoints": "cp_count",
    "checkpointAlignmentTime": "cp_align", "state.state_size": "state_size", "state.state_newsize": "state_size",
    "Status.JVM.CPU.Usage": "cpu", "Status.JVM.Memory.Heap.Used": "heap", "Status.JVM.Memory.NonHeap.Used": "nonheap",
    "Status.JVM.Memory.Process.rss": "rss", "Status.JVM.Threads.Count": "threads",
    "Status.JVM.GarbageCollector.ConcurrentMarkSweep.Count": "gc_count",
    "Status.JVM.GarbageCollector.ConcurrentMarkSweep.Time": "gc_time", "watermarkLatency": "watermark",
    "lateRecordsDroppedRate": "late_rate", "numLateRecordsDropped": "late_total", "buffers.inPoolUsage": "in_pool",
    "buffers.outPoolUsage": "out_pool",
}
_RATE_KINDS = {"failover", "in_tps", "out_tps", "in_bps", "cpu", "late_rate", "in_pool", "out_pool", "skip"}
MAX_POINTS = 120


def metric_kind(v: InstanceView, metric: str) -> str:
    """Our series kind for a query's metric: 'blink.<project>.<job>.<name>' or a bare name/alias."""
    name = metric
    prefix = f"blink.{v.project}.{v.job_name}."
    if name.startswith(prefix):
        name = name[len(prefix):]
    elif name.startswith("blink.") and name.count(".") >= 3:
        name = name.split(".", 3)[3]
    return _METRIC_KINDS.get(name, _METRIC_KINDS.get(name.lower(), "generic"))


@dataclass(frozen=True)
class _Traits:
    tps: float
    ratio: float
    record_bytes: float
    delay: float
    key: int


_GROUP_BY = re.compile(r"GROUP\s+BY", re.I)


def _traits(v: InstanceView) -> _Traits:
    return _traits_of(_job_key(v), v.code or "")


@lru_cache(maxsize=8192)
def _traits_of(jk: int, code: str) -> _Traits:
    """A job's traffic traits: fixed by its key and whether its SQL aggregates (asked for every run summary,
    so worked out once per job and code)."""
    agg = _GROUP_BY.search(code) is not None
    return _Traits(10 ** (2.3 + 2.5 * _u(jk, 60)), (0.01 + 0.2 * _u(jk, 61)) if agg else 0.9 + 0.1 * _u(jk, 62),
                   200 + 800 * _u(jk, 63), 200 + 1500 * _u(jk, 64), jk)


def _in_tps(v: InstanceView, tr: _Traits, fi: _FailIndex, t_ms: int) -> float:
    hour = ((t_ms // 1000 + 8 * 3600) % 86400) / 3600
    x = tr.tps * (1 + 0.45 * math.sin(2 * math.pi * (hour - 10) / 24)) * (0.92 + 0.16 * _u(tr.key, 65, t_ms // 60_000))
    if fi.f.count and fi.recent(t_ms, 45_000) is not None:
        return 0.0
    if v.scenario == "lagging":
        x *= 0.55
    return x


def _delay(v: InstanceView, tr: _Traits, fi: _FailIndex, t_ms: int) -> float:
    noise = 0.7 + 0.6 * _u(tr.key, 66, t_ms // 60_000)
    d = tr.delay * noise
    if v.scenario == "lagging":  # falls behind by 1.2 s per minute, from > 3 minutes at the start
        d = 185_000 + 60_000 * _u(tr.key, 67) + max(0, t_ms - v.start_ms) * 0.02 + d
    elif v.scenario == "checkpoint_failing":
        d = d * 3 + 2000
    if fi.f.count:
        tf = fi.recent(t_ms, 900_000)
        if tf is not None:
            d += 90_000 * math.exp(-(t_ms - tf) / 150_000)
    return d


def _series_value(v: InstanceView, kind: str, metric: str, t_ms: int, step_ms: int, tr: _Traits, fi: _FailIndex,
                  cm: _CkptModel | None) -> float:
    u = _u(tr.key, 70, t_ms // 60_000)
    if kind in ("delay", "watermark"):
        return _delay(v, tr, fi, t_ms) + (4000 if kind == "watermark" else 0)
    if kind == "fetched_delay":
        return _delay(v, tr, fi, t_ms) * (0.75 + 0.15 * u)
    if kind == "no_data_delay":
        tf = fi.recent(t_ms, 45_000) if fi.f.count else None
        return float(t_ms - tf) if tf is not None else 30 + 900 * u
    if kind == "failover":
        n = len(fi.between(t_ms - step_ms + 1, t_ms)) if fi.f.count else 0
        return n / (step_ms / 60_000)
    if kind == "in_tps":
        return _in_tps(v, tr, fi, t_ms)
    if kind == "out_tps":
        return _in_tps(v, tr, fi, t_ms) * tr.ratio * (0.95 + 0.1 * u)
    if kind == "in_bps":
        return _in_tps(v, tr, fi, t_ms) * tr.record_bytes
    if kind == "skip":
        return 0.0 if u < 0.9 else u * 0.002
    if kind in ("cp_duration", "cp_size", "state_size", "cp_count", "cp_align"):
        if cm is None or t_ms < cm.first:
            return 0.0
        k = (t_ms - cm.first) // cm.interval + 1
        if kind == "cp_count":
            return float(k)
        e = _ckpt_entry(v, cm, fi, k, k)
        if kind == "cp_duration":
            return float(e["end_to_end_duration"])
        if kind == "cp_align":
            return float(e["alignment_buffered"]) * 1000.0
        return float(e["state_size"] if kind == "cp_size" else e["full_state_size"])
    if kind == "cpu":
        return min(0.99, (0.9 + 0.09 * u) if v.scenario == "lagging" else 0.15 + 0.45 * u)
    if kind in ("heap", "rss"):
        saw = (t_ms // 60_000) % 7 / 7
        mb = (300 + 700 * _u(tr.key, 71)) * (0.6 + 0.4 * saw) * (3 if kind == "rss" else 1)
        return mb * 1024 * (1024 if kind == "heap" else 1)
    if kind == "nonheap":
        return (110 + 30 * u) * 1024 * 1024
    if kind == "threads":
        return float(int(90 + 60 * _u(tr.key, 72) + 4 * u))
    if kind in ("gc_count", "gc_time"):
        n = (t_ms - v.start_ms) / 600_000 * (1 + _u(tr.key, 73))
        return float(int(n if kind == "gc_count" else n * 35))
    if kind == "in_pool":
        return 1.0 if v.scenario == "lagging" else 0.05 + 0.25 * u
    if kind == "out_pool":
        return 0.98 if v.scenario == "lagging" else 0.02 + 0.2 * u
    if kind == "late_rate":
        return 0.0 if u < 0.7 else u * 3
    if kind == "late_total":
        return float(int((t_ms - v.start_ms) / 60_000 * 0.5 * _u(tr.key, 74)))
    base = 10 ** (1 + 3 * _u(_ckey(metric), 75))
    return base * (0.8 + 0.4 * u)


def input_delay(v: InstanceView) -> int:
    """InputDelay (ms) of the instance: its business delay now; 0 when it is not running."""
    if v.actual_state not in _ALIVE or not _started(v) or v.job_type == "FLINK_BATCH":
        return 0
    return int(_delay(v, _traits(v), _FailIndex(v), v.now_ms))


