"""Fault injection: latency, random errors, throttling, forced statuses, malformed bodies, hangs, drops, down.

Rules are global or per operation (a per-operation value overrides the global one); one seeded RNG decides.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, fields, replace

# HTTP status -> the error code the emulator sends for an injected failure with that status.
STATUS_CODES: dict[int, str] = {
    400: "InvalidParameter",
    403: "Forbidden.RAM",
    404: "InvalidApi.NotFound",
    408: "RequestTimeout",
    409: "IncorrectStatus",
    429: "Throttling.User",
    500: "InternalError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
}
DEFAULT_ERROR_STATUSES: tuple[int, ...] = (500, 503, 502, 504)


class ConnectionDropped(ConnectionResetError):
    """Raised inside the app to drop the connection: httpx.ASGITransport re-raises it; uvicorn aborts."""


@dataclass(slots=True)
class FaultRule:
    """One set of knobs; None = not set here (inherit the global value)."""

    latency_ms: float | None = None
    jitter_ms: float | None = None
    error_rate: float | None = None
    error_statuses: tuple[int, ...] | None = None
    throttle: float | None = None  # probability of Throttling.User (429 + Retry-After)
    retry_after_s: float | None = None
    status: int | None = None  # always answer with this error status
    malformed: float | None = None  # probability of a truncated/garbage 200 body
    hang_s: float | None = None  # sleep this long before answering
    drop: float | None = None  # probability of dropping the connection
    times: int | None = None  # apply this rule to the next N requests only (None = always)

    def merged_over(self, base: FaultRule) -> FaultRule:
        values = {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name) is not None}
        return replace(base, **values)

    def describe(self) -> str:
        return ", ".join(f"{f.name}={getattr(self, f.name)}" for f in fields(self) if getattr(self, f.name) is not None)

    def is_empty(self) -> bool:
        return all(getattr(self, f.name) is None for f in fields(self) if f.name != "times")


@dataclass(slots=True)
class Decision:
    """What to do with one request."""

    delay_s: float = 0.0
    hang_s: float = 0.0
    drop: bool = False
    down: bool = False
    error: tuple[int, str, str] | None = None  # status, code, message
    retry_after_s: float | None = None
    malformed: bool = False


def _probability(value: bool | float | None) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if not 0.0 <= float(value) <= 1.0:
        raise ValueError(f"a probability must be within 0..1, not {value!r}")
    return float(value)


class FaultConfig:
    """The fault knobs of one emulator. Thread-safe; cheap when nothing is set."""

    def __init__(self, seed: int = 7, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._monotonic = monotonic  # what a restart's downtime is measured on (tests pass a controllable one)
        self._rng = random.Random(seed)
        self._global = FaultRule()
        self._ops: dict[str, FaultRule] = {}
        self._down_until: float | None = None  # monotonic seconds; inf = until set_down(False)
        self.injected: dict[str, int] = {}  # counters by kind, for tests and the status line

    def reseed(self, seed: int) -> None:
        with self._lock:
            self._rng = random.Random(seed)

    def set(
        self,
        op: str | None = None,
        *,
        latency_ms: float | None = None,
        jitter_ms: float | None = None,
        error_rate: float | None = None,
        error_statuses: tuple[int, ...] | list[int] | None = None,
        throttle: bool | float | None = None,
        retry_after_s: float | None = None,
        status: int | None = None,
        malformed: bool | float | None = None,
        hang_s: float | None = None,
        drop: bool | float | None = None,
        times: int | None = None,
    ) -> None:
        """Set knobs for one operation (`op`) or for all (op=None). Unset arguments keep their value."""
        if status is not None and not 400 <= status <= 599:
            raise ValueError(f"status must be an HTTP error status (4xx/5xx), not {status}")
        update = FaultRule(
            latency_ms=latency_ms,
            jitter_ms=jitter_ms,
            error_rate=_probability(error_rate),
            error_statuses=tuple(error_statuses) if error_statuses is not None else None,
            throttle=_probability(throttle),
            retry_after_s=retry_after_s,
            status=status,
            malformed=_probability(malformed),
            hang_s=hang_s,
            drop=_probability(drop),
            times=times,
        )
        with self._lock:
            if op is None:
                self._global = update.merged_over(self._global)
            else:
                self._ops[op] = update.merged_over(self._ops.get(op, FaultRule()))

    def clear(self, op: str | None = None) -> None:
        """Clear one operation's rule, or everything (including the down switch) when op is None."""
        with self._lock:
            if op is not None:
                self._ops.pop(op, None)
                return
            self._global = FaultRule()
            self._ops.clear()
            self._down_until = None

    def set_down(self, down: bool = True, *, for_s: float | None = None) -> None:
        """Simulate the service being down: until set_down(False), or for `for_s` seconds (a restart)."""
        with self._lock:
            if not down:
                self._down_until = None
            elif for_s is None:
                self._down_until = float("inf")
            else:
                self._down_until = self._monotonic() + for_s

    def restart(self, downtime_s: float = 2.0) -> None:
        """A restart: down for `downtime_s` seconds, then serving again with the same state."""
        self.set_down(True, for_s=downtime_s)

    @property
    def down(self) -> bool:
        until = self._down_until
        return until is not None and self._monotonic() < until

    @property
    def active(self) -> bool:
        return bool(self._ops) or not self._global.is_empty() or self._down_until is not None

    def rule_for(self, op: str | None) -> FaultRule:
        rule = self._ops.get(op) if op else None
        return rule.merged_over(self._global) if rule is not None else self._global

    def _consume(self, op: str | None) -> None:
        # Count down `times` on the rules that were applied.
        for key, rule in ((op, self._ops.get(op) if op else None), (None, self._global)):
            if rule is None or rule.times is None:
                continue
            rule.times -= 1
            if rule.times <= 0:
                if key is None:
                    self._global = FaultRule()
                else:
                    self._ops.pop(key, None)

    def _count(self, kind: str) -> None:
        self.injected[kind] = self.injected.get(kind, 0) + 1

    def decide(self, op: str | None) -> Decision:
        """Roll the dice for one request to operation `op` (None when no route matched)."""
        decision = Decision()
        if not self.active:
            return decision
        with self._lock:
            if self.down:
                decision.down = True
                self._count("down")
                return decision
            rule = self.rule_for(op)
            if rule.is_empty():
                return decision
            rng = self._rng
            if rule.drop and rng.random() < rule.drop:
                decision.drop = True
                self._count("drop")
            if rule.hang_s:
                decision.hang_s = rule.hang_s
                self._count("hang")
            if rule.latency_ms or rule.jitter_ms:
                jitter = rng.uniform(-1.0, 1.0) * (rule.jitter_ms or 0.0)
                decision.delay_s = max(0.0, ((rule.latency_ms or 0.0) + jitter) / 1000.0)
            if decision.drop:
                self._consume(op)
                return decision
            if rule.throttle and rng.random() < rule.throttle:
                decision.error = (429, "Throttling.User", "Request was denied due to user flow control.")
                decision.retry_after_s = rule.retry_after_s if rule.retry_after_s is not None else 1.0
                self._count("throttle")
            elif rule.status is not None:
                decision.error = _error_for(rule.status)
                if rule.status == 429:
                    decision.retry_after_s = rule.retry_after_s if rule.retry_after_s is not None else 1.0
                self._count("status")
            elif rule.error_rate and rng.random() < rule.error_rate:
                statuses = rule.error_statuses or DEFAULT_ERROR_STATUSES
                status = statuses[rng.randrange(len(statuses))]
                decision.error = _error_for(status)
                self._count("error")
            if decision.error is None and rule.malformed and rng.random() < rule.malformed:
                decision.malformed = True
                self._count("malformed")
            self._consume(op)
        return decision

    def malformed_body(self, body: bytes) -> bytes:
        """A 200 body a JSON parser rejects: a truncated body, or garbage when it is tiny."""
        with self._lock:
            choice = self._rng.random()
        if len(body) > 8 and choice < 0.5:
            return body[: max(1, len(body) // 2)]
        return b"<html><body>502 Bad Gateway</body></html>" if choice < 0.75 else b'{"RequestId": "\xff'

    def __repr__(self) -> str:
        parts = [f"all: {self._global.describe()}"] if not self._global.is_empty() else []
        parts += [f"{op}: {rule.describe()}" for op, rule in self._ops.items()]
        if self.down:
            parts.append("service down")
        return f"FaultConfig({'; '.join(parts) or 'none'})"


def _error_for(status: int) -> tuple[int, str, str]:
    code = STATUS_CODES.get(status) or ("InternalError" if status >= 500 else "InvalidParameter")
    messages = {
        "InternalError": "The request processing has failed due to some unknown error.",
        "ServiceUnavailable": "The request has failed due to a temporary failure of the server.",
        "Throttling.User": "Request was denied due to user flow control.",
    }
    message = messages.get(code, f"Injected failure with HTTP status {status}.")
    return status, code, f"{message} (fault injected by the emulator)"
