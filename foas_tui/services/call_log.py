"""CallLog: a ring buffer of every API call (a client observer), and the connection health it implies."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from foas_tui.api.client import CallRecord, FoasClient

ConnectionState = Literal["unknown", "ok", "degraded", "down", "auth"]
Listener = Callable[["CallRecord"], None]

# Error codes that mean "the service or the network is not answering", as opposed to "the call was wrong".
_OUTAGE_CODES = ("ConnectionFailed", "RequestTimeout", "InvalidResponse")


def _is_outage(record: CallRecord) -> bool:
    if record.ok:
        return False
    code = record.error_code or ""
    return code in _OUTAGE_CODES or (record.status is not None and record.status >= 500) or code.startswith("HTTP5")


def _is_auth(record: CallRecord) -> bool:
    from foas_tui.api.errors import is_auth_failure

    return not record.ok and is_auth_failure(record.status, record.error_code)


class CallLog:
    """Keeps the last `maxlen` calls; listeners hear each new call (used by the command log screen)."""

    def __init__(self, maxlen: int = 2000) -> None:
        self._records: deque[CallRecord] = deque(maxlen=maxlen)
        self._listeners: list[Listener] = []
        self.total = 0  # calls seen since start, including those the ring buffer dropped

    def __call__(self, record: CallRecord) -> None:
        """The client observer hook: record a finished call and tell the listeners."""
        self._records.append(record)
        self.total += 1
        for listener in list(self._listeners):
            try:
                listener(record)
            except Exception:  # a broken listener must never break an API call
                self._listeners.remove(listener)

    def attach(self, client: FoasClient) -> None:
        """Register as an observer of `client` (idempotent)."""
        if self not in client.observers:
            client.observers.append(self)

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        """Add a listener; returns a function that removes it."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def __len__(self) -> int:
        return len(self._records)

    def __iter__(self) -> Iterator[CallRecord]:
        return iter(self._records)

    def newest_first(self, limit: int | None = None) -> list[CallRecord]:
        records = list(reversed(self._records))
        return records if limit is None else records[:limit]

    @property
    def last(self) -> CallRecord | None:
        return self._records[-1] if self._records else None

    def connection_state(self, window: int = 6) -> ConnectionState:
        """ok / degraded / down from the last `window` calls: outages, not application errors, count.

        "auth" when a call was refused for its credentials or permissions and no call worked since."""
        # A call the operator cancelled (esc) says nothing about the service: it is left out.
        recent: list[CallRecord] = []
        for record in reversed(self._records):
            if record.error_code != "Cancelled":
                recent.insert(0, record)
                if len(recent) == window:
                    break
        if not recent:
            return "unknown"
        for record in reversed(recent):  # refused credentials since the last answered call: say so at once
            if record.ok:
                break
            if _is_auth(record):
                return "auth"
        outages = [_is_outage(r) for r in recent]
        if all(outages[-3:]):  # the last three calls (or all, if fewer) could not reach the service
            return "down"
        return "degraded" if any(outages) else "ok"
