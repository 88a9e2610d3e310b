"""Lifecycle and failovers: when an instance started, failed over, and what it reports now."""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from foas_tui.emulator.runtime.base import InstanceView, _inst_key, _job_key, _u

# --------------------------------------------------------------------------------------------------------------
# Lifecycle and failovers

_ALIVE = ("RUNNING",)
_NOT_STARTED = ("", "UNKNOWN", "WAITING", "CREATED")


def _started(v: InstanceView) -> bool:
    return v.actual_state not in _NOT_STARTED and v.start_ms > 0 and v.start_ms <= v.now_ms


def _horizon(v: InstanceView) -> int:
    """Up to when the instance has been running: now for a running instance, else its end (or now)."""
    if v.actual_state in _ALIVE or v.end_ms is None:
        return v.now_ms
    return max(v.start_ms, min(v.end_ms, v.now_ms))


def _cadence_ms(v: InstanceView) -> int:
    """Time between new failovers while the instance runs: 'failing' ~ every 1.5 min, 'restarting' every few
    hours; 0 for the others (their failovers are only the ones the view reports)."""
    if v.actual_state not in _ALIVE:
        return 0
    u = _u(_job_key(v), 11)
    if v.scenario == "failing":
        return int(75_000 + u * 45_000)
    if v.scenario == "restarting":
        return int(2 * 3_600_000 + u * 4 * 3_600_000)
    return 0


@dataclass(frozen=True)
class _Failures:
    count: int
    latest: int  # ms of the newest failure (0 if none)
    spacing: float  # ms between failures, going back from the newest
    start: int


def _failures(v: InstanceView) -> _Failures:
    n = max(0, int(v.failovers))
    latest = v.last_error_ms or 0
    if v.actual_state == "FAILED" and n == 0:
        n, latest = 1, latest or (v.end_ms or v.now_ms)
    cad = _cadence_ms(v)
    if cad:
        anchor = latest if latest else v.start_ms
        extra = max(0, (v.now_ms - anchor) // cad)
        if extra:
            n += extra
            latest = anchor + extra * cad
    if n == 0:
        return _Failures(0, 0, 0.0, v.start_ms)
    if not latest:
        latest = v.start_ms + int((_horizon(v) - v.start_ms) * (0.5 + 0.4 * _u(_inst_key(v), 12)))
    room = max(1, latest - v.start_ms)
    spacing = float(cad) if cad else room / n
    spacing = max(1000.0, min(spacing, room / n)) if n > 1 else spacing or 1000.0
    return _Failures(n, latest, spacing, v.start_ms)


def _failure_time(f: _Failures, base: int, i: int) -> int:
    """Time of failure i (0 = newest); continues back in time past f.count (for exceptions_of_size)."""
    if i == 0:
        return f.latest
    return int(f.latest - i * f.spacing - _u(base, 13, i) * f.spacing * 0.3)


def _failures_between(f: _Failures, base: int, lo: int, hi: int) -> list[int]:
    """Failure times within [lo, hi], newest first."""
    if f.count == 0 or hi < lo:
        return []
    first = max(0, int((f.latest - hi) // f.spacing) - 1)
    last = min(f.count - 1, int((f.latest - lo) // f.spacing) + 1)
    out = []
    for i in range(first, last + 1):
        t = _failure_time(f, base, i)
        if lo <= t <= hi:
            out.append(t)
    return out


def _failures_count(f: _Failures, lo: int, hi: int) -> int:
    """About how many failures fall within [lo, hi] (arithmetic, for long ranges)."""
    if f.count == 0 or hi < lo:
        return 0
    newest = max(0.0, (f.latest - hi) / f.spacing)
    oldest = min(f.count - 1.0, (f.latest - lo) / f.spacing)
    return max(0, int(oldest) - math.ceil(newest) + 1)


class _FailIndex:
    """Failure times of an instance, generated once for a covering range and then looked up by bisection."""

    def __init__(self, v: InstanceView, f: _Failures | None = None) -> None:
        self.f = f if f is not None else _failures(v)
        self.base = _inst_key(v)
        self.lo = self.hi = 0
        self.times: list[int] = []

    def between(self, lo: int, hi: int) -> list[int]:
        if self.f.count == 0:
            return []
        if not self.times and not self.hi or lo < self.lo or hi > self.hi:
            self.lo = lo if not self.hi else min(lo, self.lo)
            self.hi = max(hi, self.hi)
            self.times = sorted(_failures_between(self.f, self.base, self.lo, self.hi))
        return self.times[bisect_left(self.times, lo):bisect_right(self.times, hi)]

    def recent(self, t: int, window: int) -> int | None:
        hits = self.between(t - window, t)
        return hits[-1] if hits else None


