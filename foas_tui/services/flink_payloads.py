"""The Flink payloads embedded in foas responses (Exceptions, Checkpoints, Config ...) read into view data.

Pure functions: `read_payload` never raises; `parse_*` raise ValueError on an unexpected shape and the
`read_*` wrappers turn that into a `Payload.error` the screens show.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

# --- embedded JSON payloads ------------------------------------------------------------------------


@dataclass(slots=True)
class Payload:
    """An embedded JSON field (Exceptions, Checkpoints, Config ...): the parsed value, or why not."""

    data: Any = None
    raw: str | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.data is not None


def read_payload(value: Any) -> Payload:
    """Accept what the models give for an embedded JSON field (`Embedded`: `.value`/`.raw`/`.error`),
    JSON text, or an already parsed dict/list/model. Never raises."""
    if value is None:
        return Payload(error="the service sent no data for this field")
    if hasattr(value, "raw") and hasattr(value, "error"):
        raw = value.raw if isinstance(value.raw, str) else None
        if value.error:
            return Payload(None, raw, str(value.error))
        if value.value is None:
            return Payload(raw=raw, error="the service sent an empty value")
        return Payload(value.value, raw)
    if isinstance(value, bytes):
        value = value.decode("utf-8", "replace")
    if isinstance(value, str):
        if not value.strip():
            return Payload(raw=value, error="the service sent an empty value")
        try:
            data = json.loads(value)
        except ValueError as err:
            return Payload(raw=value, error=f"not valid JSON ({err})")
        if data is None:
            return Payload(raw=value, error="the service sent null")
        return Payload(data, value)
    return Payload(value)


def first_of(obj: Any, *names: str) -> Any:
    """The first non-None of `names`: keys of a mapping, or fields (and extras) of a model (or attributes)."""
    if not isinstance(obj, Mapping):
        fields = getattr(obj, "__dict__", None)
        if fields is not None and hasattr(type(obj), "model_fields"):
            # A pydantic model: read its field dict directly (missing attributes are slow to probe).
            extra = getattr(obj, "__pydantic_extra__", None) or {}
            for name in names:
                value = fields.get(name)
                if value is None:
                    value = extra.get(name)
                if value is not None:
                    return value
            return None
    if isinstance(obj, Mapping):
        for name in names:
            value = obj.get(name)
            if value is not None:
                return value
        return None
    for name in names:
        value = getattr(obj, name, None)
        if value is not None:
            return value
    return None


def _int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return None


def _is_record(value: Any) -> bool:
    return isinstance(value, Mapping) or hasattr(type(value), "model_fields")


# --- exceptions ------------------------------------------------------------------------------------


@dataclass(slots=True)
class ExceptionEntry:
    """One failure: when, what (first line of the trace), which task, where (TM), and the full trace."""

    timestamp_ms: int | None
    name: str
    task: str
    location: str
    trace: str
    labels: tuple[str, ...] = ()
    concurrent: int = 0


@dataclass(slots=True)
class ExceptionReport:
    root: ExceptionEntry | None
    history: list[ExceptionEntry]
    truncated: bool

    @property
    def is_empty(self) -> bool:
        return self.root is None and not self.history

    def failures_since(self, since_ms: float) -> int:
        """Failures at or after `since_ms` (history entries, or the root when there is no history)."""
        entries = self.history or ([self.root] if self.root else [])
        return sum(1 for e in entries if e.timestamp_ms is not None and e.timestamp_ms >= since_ms)

    def first_failure_since(self, since_ms: float) -> int | None:
        """The earliest failure at or after `since_ms` (when a run of failovers began), if any."""
        entries = self.history or ([self.root] if self.root else [])
        stamps = [e.timestamp_ms for e in entries if e.timestamp_ms is not None and e.timestamp_ms >= since_ms]
        return min(stamps) if stamps else None

    @property
    def latest_ms(self) -> int | None:
        stamps = [e.timestamp_ms for e in ([self.root] if self.root else []) + self.history if e.timestamp_ms]
        return max(stamps) if stamps else None


def exception_name(trace: str) -> str:
    """The first line of a stack trace (`java.io.IOException: disk full`)."""
    head = trace.lstrip().split("\n", 1)[0].rstrip("\r")
    return head or "(no message)"


def _entry(item: Any) -> ExceptionEntry:
    trace = str(first_of(item, "stacktrace", "exception", "stackTrace") or "")
    endpoint = first_of(item, "endpoint", "location")
    tm = first_of(item, "task_manager_id", "taskManagerId")
    location = f"{tm} ({endpoint})" if tm and endpoint and tm != endpoint else str(tm or endpoint or "(unassigned)")
    labels = first_of(item, "failure_labels", "failureLabels") or {}
    concurrent = first_of(item, "concurrent_exceptions", "concurrentExceptions") or []
    return ExceptionEntry(
        timestamp_ms=_int(first_of(item, "timestamp")),
        name=exception_name(trace) if trace else str(first_of(item, "exception_name", "exceptionName") or "(no trace)"),
        task=str(first_of(item, "task_name", "taskName", "task") or ""),
        location=location,
        trace=trace,
        labels=tuple(f"{k}:{v}" for k, v in labels.items()) if isinstance(labels, Mapping) else (),
        concurrent=len(concurrent) if isinstance(concurrent, list) else 0,
    )


def parse_exceptions(data: Any) -> ExceptionReport:
    """Blink's `{"root-exception", "timestamp", "all-exceptions": [{exception, task, location, timestamp}],
    "truncated"}` or newer Flink's `exceptionHistory.entries`, as a dict or a `FlinkExceptions` model.
    Raises ValueError on another shape."""
    if not _is_record(data):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    root_trace = first_of(data, "root_exception", "root-exception")
    root = None
    if root_trace:
        root_trace = str(root_trace)
        root = ExceptionEntry(_int(first_of(data, "timestamp")), exception_name(root_trace), "", "", root_trace)
    items = first_of(data, "all_exceptions", "all-exceptions")
    truncated = bool(first_of(data, "truncated"))
    history_obj = first_of(data, "exception_history", "exceptionHistory")
    if history_obj is not None:
        entries = first_of(history_obj, "entries")
        if isinstance(entries, list) and (entries or not items):
            items = entries
        truncated = truncated or bool(first_of(history_obj, "truncated"))
    if items is None:
        items = []
    if not isinstance(items, list):
        raise ValueError("all-exceptions is not a list")
    history = [_entry(item) for item in items if _is_record(item)]
    history.sort(key=lambda e: e.timestamp_ms or 0, reverse=True)
    if root is not None and root.timestamp_ms is None and history:
        root.timestamp_ms = history[0].timestamp_ms
    return ExceptionReport(root, history, truncated)


def read_exceptions(response: Any) -> tuple[ExceptionReport | None, Payload]:
    """A GetInstanceExceptions response → (report or None, the payload with its error if unreadable)."""
    payload = read_payload(getattr(response, "exceptions", response))
    if not payload.ok:
        return None, payload
    try:
        return parse_exceptions(payload.data), payload
    except ValueError as err:
        payload.error = f"unexpected exceptions shape: {err}"
        return None, payload


# --- checkpoints -----------------------------------------------------------------------------------


@dataclass(slots=True)
class CheckpointStats:
    """One row of the checkpoint history, in the Flink dashboard's terms."""

    id: int | None
    status: str
    is_savepoint: bool
    trigger_ms: int | None
    latest_ack_ms: int | None
    end_to_end_ms: int | None
    checkpointed_size: int | None
    full_size: int | None
    acknowledged: int | None
    subtasks: int | None
    alignment_buffered: int | None = None
    external_path: str = ""
    discarded: bool = False
    failure_ms: int | None = None
    failure_message: str = ""


@dataclass(slots=True)
class RestoredCheckpoint:
    id: int | None
    restore_ms: int | None
    is_savepoint: bool
    external_path: str


@dataclass(slots=True)
class MinAvgMax:
    min: float | None
    avg: float | None
    max: float | None


@dataclass(slots=True)
class CheckpointReport:
    counts: dict[str, int]
    summary: dict[str, MinAvgMax]
    latest_completed: CheckpointStats | None
    latest_savepoint: CheckpointStats | None
    latest_failed: CheckpointStats | None
    latest_restored: RestoredCheckpoint | None
    history: list[CheckpointStats]

    @property
    def is_empty(self) -> bool:
        return not self.history and not any(self.counts.values()) and self.latest_completed is None

    def last_completed_ms(self) -> int | None:
        done = self.latest_completed
        return (done.latest_ack_ms or done.trigger_ms) if done else None


COUNT_KEYS = ("total", "in_progress", "completed", "failed", "restored")
SUMMARY_KEYS = ("checkpointed_size", "state_size", "end_to_end_duration", "alignment_buffered",
                "processed_data", "persisted_data")


def _stats(item: Any) -> CheckpointStats:
    # Flink >= 1.15 sends checkpointed_size (incremental) + state_size (full); Blink sends state_size
    # (what this checkpoint wrote) + full_state_size.
    incremental = _int(first_of(item, "checkpointed_size"))
    if incremental is not None:
        checkpointed, full = incremental, _int(first_of(item, "state_size"))
    else:
        checkpointed = _int(first_of(item, "state_size"))
        full = _int(first_of(item, "full_state_size", "state_size"))
    status = str(first_of(item, "status", "class_", "@class") or "UNKNOWN").upper()
    return CheckpointStats(
        id=_int(first_of(item, "id")),
        status=status,
        is_savepoint=bool(first_of(item, "is_savepoint", "savepoint")),
        trigger_ms=_int(first_of(item, "trigger_timestamp")),
        latest_ack_ms=_int(first_of(item, "latest_ack_timestamp")),
        end_to_end_ms=_int(first_of(item, "end_to_end_duration")),
        checkpointed_size=checkpointed,
        full_size=full,
        acknowledged=_int(first_of(item, "num_acknowledged_subtasks")),
        subtasks=_int(first_of(item, "num_subtasks")),
        alignment_buffered=_int(first_of(item, "alignment_buffered")),
        external_path=str(first_of(item, "external_path") or ""),
        discarded=bool(first_of(item, "discarded")),
        failure_ms=_int(first_of(item, "failure_timestamp")),
        failure_message=str(first_of(item, "failure_message") or ""),
    )


def _min_avg_max(value: Any) -> MinAvgMax | None:
    if not _is_record(value):
        return None
    return MinAvgMax(_int(first_of(value, "min")), _int(first_of(value, "avg")), _int(first_of(value, "max")))


def parse_checkpoints(data: Any) -> CheckpointReport:
    """The GetInstanceCheckpoint payload (Flink's /checkpoints shape) as a dict or a `CheckpointStats` model.
    Raises ValueError on another shape."""
    if not _is_record(data):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    counts_raw = first_of(data, "counts")
    if counts_raw is not None and not _is_record(counts_raw):
        raise ValueError("counts is not an object")
    counts = {key: _int(first_of(counts_raw, key)) or 0 if counts_raw is not None else 0 for key in COUNT_KEYS}
    summary_raw = first_of(data, "summary")
    summary: dict[str, MinAvgMax] = {}
    if summary_raw is not None:
        for key in SUMMARY_KEYS:
            value = _min_avg_max(first_of(summary_raw, key))
            if value is not None:
                summary[key] = value
    latest = first_of(data, "latest")
    if latest is not None and not _is_record(latest):
        raise ValueError("latest is not an object")

    def one(key: str) -> CheckpointStats | None:
        value = first_of(latest, key) if latest is not None else None
        return _stats(value) if _is_record(value) else None

    restored_raw = first_of(latest, "restored") if latest is not None else None
    restored = None
    if _is_record(restored_raw):
        restored = RestoredCheckpoint(
            _int(first_of(restored_raw, "id")), _int(first_of(restored_raw, "restore_timestamp")),
            bool(first_of(restored_raw, "is_savepoint")), str(first_of(restored_raw, "external_path") or ""),
        )
    history_raw = first_of(data, "history") or []
    if not isinstance(history_raw, list):
        raise ValueError("history is not a list")
    history = [_stats(item) for item in history_raw if _is_record(item)]
    history.sort(key=lambda c: c.id if c.id is not None else -1, reverse=True)
    return CheckpointReport(counts, summary, one("completed"), one("savepoint"), one("failed"), restored, history)


def read_checkpoints(response: Any) -> tuple[CheckpointReport | None, Payload]:
    payload = read_payload(getattr(response, "checkpoints", response))
    if not payload.ok:
        return None, payload
    try:
        return parse_checkpoints(payload.data), payload
    except ValueError as err:
        payload.error = f"unexpected checkpoints shape: {err}"
        return None, payload
