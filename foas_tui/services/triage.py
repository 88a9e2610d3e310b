"""Triage: read the Flink payloads (exceptions, checkpoints) into view data, score job health, rank what is broken.

Pure functions over run summaries and optional checkpoint/exception reports (testable without a screen),
plus `TriageGatherer`, which fetches them with bounded concurrency: run summaries for every job of every
project in chunks, then checkpoints/exceptions only for suspicious jobs (and a small rotating sample).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from foas_tui.services.refresh import unsendable_reason
from foas_tui.services.selection import JobIdentity

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient

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


def _f(obj: Any, *names: str) -> Any:
    """The first non-None of `names`: keys of a mapping, or fields (and extras) of a model."""
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

    @property
    def latest_ms(self) -> int | None:
        stamps = [e.timestamp_ms for e in ([self.root] if self.root else []) + self.history if e.timestamp_ms]
        return max(stamps) if stamps else None


def exception_name(trace: str) -> str:
    """The first line of a stack trace (`java.io.IOException: disk full`)."""
    head = trace.lstrip().split("\n", 1)[0].rstrip("\r")
    return head or "(no message)"


def _entry(item: Any) -> ExceptionEntry:
    trace = str(_f(item, "stacktrace", "exception", "stackTrace") or "")
    endpoint = _f(item, "endpoint", "location")
    tm = _f(item, "task_manager_id", "taskManagerId")
    location = f"{tm} ({endpoint})" if tm and endpoint and tm != endpoint else str(tm or endpoint or "(unassigned)")
    labels = _f(item, "failure_labels", "failureLabels") or {}
    concurrent = _f(item, "concurrent_exceptions", "concurrentExceptions") or []
    return ExceptionEntry(
        timestamp_ms=_int(_f(item, "timestamp")),
        name=exception_name(trace) if trace else str(_f(item, "exception_name", "exceptionName") or "(no trace)"),
        task=str(_f(item, "task_name", "taskName", "task") or ""),
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
    root_trace = _f(data, "root_exception", "root-exception")
    root = None
    if root_trace:
        root_trace = str(root_trace)
        root = ExceptionEntry(_int(_f(data, "timestamp")), exception_name(root_trace), "", "", root_trace)
    items = _f(data, "all_exceptions", "all-exceptions")
    truncated = bool(_f(data, "truncated"))
    history_obj = _f(data, "exception_history", "exceptionHistory")
    if history_obj is not None:
        entries = _f(history_obj, "entries")
        if isinstance(entries, list) and (entries or not items):
            items = entries
        truncated = truncated or bool(_f(history_obj, "truncated"))
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
    incremental = _int(_f(item, "checkpointed_size"))
    if incremental is not None:
        checkpointed, full = incremental, _int(_f(item, "state_size"))
    else:
        checkpointed = _int(_f(item, "state_size"))
        full = _int(_f(item, "full_state_size", "state_size"))
    status = str(_f(item, "status", "class_", "@class") or "UNKNOWN").upper()
    return CheckpointStats(
        id=_int(_f(item, "id")),
        status=status,
        is_savepoint=bool(_f(item, "is_savepoint", "savepoint")),
        trigger_ms=_int(_f(item, "trigger_timestamp")),
        latest_ack_ms=_int(_f(item, "latest_ack_timestamp")),
        end_to_end_ms=_int(_f(item, "end_to_end_duration")),
        checkpointed_size=checkpointed,
        full_size=full,
        acknowledged=_int(_f(item, "num_acknowledged_subtasks")),
        subtasks=_int(_f(item, "num_subtasks")),
        alignment_buffered=_int(_f(item, "alignment_buffered")),
        external_path=str(_f(item, "external_path") or ""),
        discarded=bool(_f(item, "discarded")),
        failure_ms=_int(_f(item, "failure_timestamp")),
        failure_message=str(_f(item, "failure_message") or ""),
    )


def _min_avg_max(value: Any) -> MinAvgMax | None:
    if not _is_record(value):
        return None
    return MinAvgMax(_int(_f(value, "min")), _int(_f(value, "avg")), _int(_f(value, "max")))


def parse_checkpoints(data: Any) -> CheckpointReport:
    """The GetInstanceCheckpoint payload (Flink's /checkpoints shape) as a dict or a `CheckpointStats` model.
    Raises ValueError on another shape."""
    if not _is_record(data):
        raise ValueError(f"expected a JSON object, got {type(data).__name__}")
    counts_raw = _f(data, "counts")
    if counts_raw is not None and not _is_record(counts_raw):
        raise ValueError("counts is not an object")
    counts = {key: _int(_f(counts_raw, key)) or 0 if counts_raw is not None else 0 for key in COUNT_KEYS}
    summary_raw = _f(data, "summary")
    summary: dict[str, MinAvgMax] = {}
    if summary_raw is not None:
        for key in SUMMARY_KEYS:
            value = _min_avg_max(_f(summary_raw, key))
            if value is not None:
                summary[key] = value
    latest = _f(data, "latest")
    if latest is not None and not _is_record(latest):
        raise ValueError("latest is not an object")

    def one(key: str) -> CheckpointStats | None:
        value = _f(latest, key) if latest is not None else None
        return _stats(value) if _is_record(value) else None

    restored_raw = _f(latest, "restored") if latest is not None else None
    restored = None
    if _is_record(restored_raw):
        restored = RestoredCheckpoint(
            _int(_f(restored_raw, "id")), _int(_f(restored_raw, "restore_timestamp")),
            bool(_f(restored_raw, "is_savepoint")), str(_f(restored_raw, "external_path") or ""),
        )
    history_raw = _f(data, "history") or []
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


# --- health ----------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Thresholds:
    """When a job needs attention; defaults follow the console's suggested alerts."""

    delay_seconds: float = 180.0
    checkpoint_stale_seconds: float = 300.0
    restart_window_seconds: float = 1800.0
    restart_count: int = 3

    @classmethod
    def from_config(cls, triage: Any) -> Thresholds:
        """From `AppConfig.triage` (any object with the same attribute names); missing → default."""
        if triage is None:
            return cls()
        defaults = cls()
        return cls(**{name: getattr(triage, name, getattr(defaults, name)) for name in cls.__slots__})


@dataclass(frozen=True, slots=True)
class Weights:
    """Points a risk takes off the health score (100 = healthy). P0 alerts weigh most."""

    failed: int = 60
    state_mismatch: int = 20
    restarted: int = 25
    restart_storm: int = 35
    checkpoint_stale: int = 30
    checkpoint_failing: int = 15
    delay: int = 25
    recent_error: int = 5


SEVERITY_ORDER = {"P0": 0, "P1": 1, "P2": 2}
TERMINAL_STATES = {"TERMINATED", "FAILED", "SUCCESS", "CANCELED", "CANCELLED", "FINISHED"}
RUNNING_STATES = {"RUNNING"}


@dataclass(frozen=True, slots=True)
class Finding:
    """One risk of a job: `kind` is stable (for keys and tests), `reason` is what the operator reads."""

    kind: str
    severity: str
    weight: int
    reason: str
    view: str = "exceptions"  # where the jump key goes: "exceptions" | "checkpoints" | "metrics"


@dataclass(slots=True)
class RunSummary(JobIdentity):
    """The fields of a run summary the board uses (from BatchGetInstanceRunSummary)."""

    project: str
    job_name: str
    job_type: str = "FLINK_STREAM"
    instance_id: int | None = None
    expect_state: str = ""
    actual_state: str = ""
    input_delay_ms: float | None = None
    last_error_message: str = ""
    last_error_ms: int | None = None
    folder_path: str = "/"

    @property
    def running(self) -> bool:
        return self.actual_state.upper() in RUNNING_STATES

    @property
    def alive(self) -> bool:
        """Running, or a stream job FAILED for a moment while it fails over (still expected to run)."""
        return self.running or (self.is_stream and self.actual_state == "FAILED" and self.expect_state == "RUNNING")

    @classmethod
    def from_model(cls, project: str, item: Any, job_type: str = "FLINK_STREAM", folder_path: str = "/") -> RunSummary:
        def attr(name: str) -> Any:
            return item.get(name) if isinstance(item, dict) else getattr(item, name, None)

        delay = attr("input_delay")
        return cls(
            project=project,
            job_name=str(attr("job_name") or ""),
            job_type=job_type,
            instance_id=_int(attr("id")),
            expect_state=str(attr("expect_state") or "").upper(),
            actual_state=str(attr("actual_state") or "").upper(),
            input_delay_ms=float(delay) if (_int(delay) or 0) >= 0 and _int(delay) is not None else None,
            last_error_message=str(attr("last_error_message") or ""),
            last_error_ms=_int(attr("last_error_time")),
            folder_path=folder_path,
        )


@dataclass(slots=True)
class JobHealth:
    summary: RunSummary
    score: int
    findings: list[Finding]
    checked_deep: bool = False

    @property
    def key(self) -> tuple[str, str]:
        return self.summary.key

    @property
    def level(self) -> str:
        return health_level(self.score)

    @property
    def worst(self) -> Finding | None:
        return min(self.findings, key=lambda f: (SEVERITY_ORDER.get(f.severity, 9), -f.weight), default=None)

    @property
    def reason(self) -> str:
        return "; ".join(f.reason for f in sorted(self.findings, key=lambda f: -f.weight)) or "healthy"


def health_level(score: int) -> str:
    """The console's bands: green > 80, yellow 60–80, red < 60."""
    if score > 80:
        return "green"
    if score >= 60:
        return "yellow"
    return "red"


def _short(text: str, limit: int = 80) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def assess(
    summary: RunSummary,
    *,
    now_ms: float,
    thresholds: Thresholds | None = None,
    weights: Weights | None = None,
    checkpoints: CheckpointReport | None = None,
    exceptions: ExceptionReport | None = None,
) -> JobHealth:
    """Score one job: 100 minus the weights of its risks (never below 0)."""
    thresholds = thresholds or Thresholds()
    weights = weights or Weights()
    findings: list[Finding] = []
    expect, actual = summary.expect_state, summary.actual_state
    window_start = now_ms - thresholds.restart_window_seconds * 1000
    error = f": {_short(summary.last_error_message)}" if summary.last_error_message else ""

    if actual == "FAILED":
        findings.append(Finding("failed", "P0", weights.failed, f"instance FAILED{error}"))
    elif expect == "RUNNING" and actual in TERMINAL_STATES and not (actual == "SUCCESS" and not summary.is_stream):
        reason = f"expected RUNNING, {actual.lower()} unexpectedly{error}"
        findings.append(Finding("failed", "P0", weights.failed, reason))
    elif expect and actual and expect != actual and not (expect == "RUNNING" and actual == "SUCCESS"):
        findings.append(Finding("state-mismatch", "P1", weights.state_mismatch, f"expected {expect}, actual {actual}"))

    if summary.alive:
        failures = exceptions.failures_since(window_start) if exceptions is not None else 0
        if failures == 0 and summary.last_error_ms and summary.last_error_ms >= window_start:
            failures = 1  # the run summary saw an error in the window even if the history was not read
        if failures >= thresholds.restart_count:
            findings.append(Finding("restarts", "P0", weights.restart_storm,
                                    f"{failures} failovers in {_window(thresholds)}{error}"))
        elif failures:
            plural = "s" if failures > 1 else ""
            findings.append(Finding("restarts", "P0", weights.restarted,
                                    f"{failures} failover{plural} in {_window(thresholds)}{error}"))

        delay_s = summary.input_delay_ms / 1000 if summary.input_delay_ms is not None else None
        if delay_s is not None and delay_s >= thresholds.delay_seconds:
            findings.append(Finding("delay", "P1", weights.delay,
                                    f"delay {_duration(delay_s)} ≥ {_duration(thresholds.delay_seconds)}", "metrics"))

        if checkpoints is not None and summary.is_stream and summary.running:
            findings.extend(_checkpoint_findings(checkpoints, now_ms, thresholds, weights))
    elif summary.last_error_ms and summary.last_error_ms >= window_start and not findings:
        findings.append(Finding("recent-error", "P2", weights.recent_error, f"error in {_window(thresholds)}{error}"))

    score = max(0, 100 - sum(f.weight for f in findings))
    return JobHealth(summary, score, findings, checked_deep=checkpoints is not None or exceptions is not None)


def _checkpoint_findings(report: CheckpointReport, now_ms: float, t: Thresholds, w: Weights) -> list[Finding]:
    findings = []
    last_ok = report.last_completed_ms()
    stale_ms = t.checkpoint_stale_seconds * 1000
    failed = report.latest_failed
    cause = f": {_short(failed.failure_message, 60)}" if failed and failed.failure_message else ""
    if last_ok is None or now_ms - last_ok > stale_ms:
        since = "ever" if last_ok is None else _duration((now_ms - last_ok) / 1000)
        findings.append(Finding("checkpoint-stale", "P0", w.checkpoint_stale,
                                f"no checkpoint completed in {since}{cause}", "checkpoints"))
    elif failed is not None and (failed.failure_ms or failed.trigger_ms or 0) > last_ok:
        findings.append(Finding("checkpoint-failing", "P1", w.checkpoint_failing,
                                f"latest checkpoint failed{cause}", "checkpoints"))
    return findings


def _duration(seconds: float) -> str:
    from foas_tui.services.formatting import human_seconds

    return human_seconds(seconds)


def _window(t: Thresholds) -> str:
    return f"last {_duration(t.restart_window_seconds)}"


def rank(healths: Iterable[JobHealth]) -> list[JobHealth]:
    """Worst first: lowest score, then the most severe finding, then the most recent error, then name."""
    def key(h: JobHealth) -> tuple:
        worst = h.worst
        return (
            h.score,
            SEVERITY_ORDER.get(worst.severity, 9) if worst else 9,
            -(h.summary.last_error_ms or 0),
            h.summary.project,
            h.summary.job_name,
        )

    return sorted(healths, key=key)


def is_suspicious(summary: RunSummary, now_ms: float, thresholds: Thresholds | None = None) -> bool:
    """Worth reading checkpoints/exceptions for: a running stream job with an error, delay or odd state."""
    thresholds = thresholds or Thresholds()
    if not summary.alive or not summary.is_stream:
        return False
    window_start = now_ms - thresholds.restart_window_seconds * 1000
    if summary.last_error_ms and summary.last_error_ms >= window_start:
        return True
    if summary.input_delay_ms is not None and summary.input_delay_ms / 1000 >= thresholds.delay_seconds / 2:
        return True
    return bool(summary.expect_state) and summary.expect_state != summary.actual_state


# --- gathering -------------------------------------------------------------------------------------


@dataclass(slots=True)
class DeepResult:
    checkpoints: CheckpointReport | None = None
    exceptions: ExceptionReport | None = None
    fetched_ms: float = 0.0


@dataclass(slots=True)
class TriageReport:
    rows: list[JobHealth]
    projects: int
    jobs: int
    deep_checked: int
    errors: list[str] = field(default_factory=list)
    generated_ms: float = 0.0

    @property
    def broken(self) -> list[JobHealth]:
        return [row for row in self.rows if row.findings]


def chunks(items: Sequence[str], size: int) -> list[list[str]]:
    return [list(items[i:i + size]) for i in range(0, len(items), size)]


def _describe(err: BaseException) -> str:
    code = getattr(err, "code", None)
    message = getattr(err, "message", None) or str(err) or type(err).__name__
    request_id = getattr(err, "request_id", None)
    text = f"{code}: {message}" if code else message
    return f"{text} (request id {request_id})" if request_id else text


class TriageGatherer:
    """Fetches what the board needs; keeps deep results between refreshes so each one stays cheap.

    Per refresh: ListProject, ListJob per project, BatchGetInstanceRunSummary per `chunk_size` jobs of one
    type, then GetInstanceCheckpoint (+ GetInstanceExceptions when there was an error) for suspicious
    jobs and for up to `sample_size` other running stream jobs whose deep result is the oldest.
    """

    def __init__(
        self,
        client: FoasClient,
        *,
        thresholds: Thresholds | None = None,
        weights: Weights | None = None,
        chunk_size: int = 20,
        concurrency: int = 4,
        sample_size: int = 8,
        first_sample_size: int = 24,
        deep_ttl_s: float = 60.0,
        projects: Sequence[str] | None = None,
        now: Callable[[], float] = time.time,
        deep: dict[tuple[str, str], DeepResult] | None = None,
    ) -> None:
        self.client = client
        self.thresholds = thresholds or Thresholds()
        self.weights = weights or Weights()
        self.chunk_size = max(1, chunk_size)
        self.sample_size = max(0, sample_size)
        self.first_sample_size = max(self.sample_size, first_sample_size)
        self._first = True
        self.deep_ttl_ms = deep_ttl_s * 1000
        self.projects = list(projects) if projects else None
        self.now = now
        self._limit = asyncio.Semaphore(max(1, concurrency))
        # Shared with the app's HealthBook (services/job_health.py) so the live table counts what the board read.
        self._deep: dict[tuple[str, str], DeepResult] = deep if deep is not None else {}

    async def _call(self, coro_fn: Callable[[], Any]) -> Any:
        async with self._limit:
            return await coro_fn()

    async def _project_names(self) -> list[str]:
        if self.projects is not None:
            return self.projects
        return [p.name async for p in self.client.iter_list_project(page_size=100)]

    async def _project_jobs(self, project: str) -> list[Any]:
        async with self._limit:
            return [job async for job in self.client.iter_list_job(project, is_show_full_field=False, page_size=100)]

    async def run_summaries(self, errors: list[str]) -> tuple[list[RunSummary], int, int]:
        projects = await self._project_names()
        job_lists = await asyncio.gather(*(self._project_jobs(p) for p in projects), return_exceptions=True)
        calls = []
        jobs_seen = 0
        for project, jobs in zip(projects, job_lists, strict=True):
            if isinstance(jobs, BaseException):
                errors.append(f"{project}: cannot list jobs: {_describe(jobs)}")
                continue
            by_type: dict[str, list[str]] = {}
            for job in jobs:
                if getattr(job, "is_committed", True) is False:
                    continue  # only online jobs have a run summary
                jobs_seen += 1
                reason = unsendable_reason(job.job_name)
                if reason is not None:  # a name with no UTF-8 form would fail its whole chunk: report it alone
                    errors.append(f"{project}/{job.job_name}: {reason}")
                    continue
                job_type = str(getattr(job, "job_type", None) or "FLINK_STREAM").upper()
                by_type.setdefault(job_type, []).append(job.job_name)
            for job_type, names in by_type.items():
                for chunk in chunks(names, self.chunk_size):
                    calls.append((project, job_type, chunk))

        async def batch(project: str, job_type: str, names: list[str]) -> list[RunSummary]:
            response = await self._call(lambda: self.client.batch_get_instance_run_summary(project, names, job_type))
            return [RunSummary.from_model(project, item, job_type) for item in response.run_summaries]

        results = await asyncio.gather(*(batch(*c) for c in calls), return_exceptions=True)
        summaries: list[RunSummary] = []
        for (project, job_type, names), result in zip(calls, results, strict=True):
            if isinstance(result, BaseException):
                errors.append(f"{project}: run summary of {len(names)} {job_type} job(s): {_describe(result)}")
            else:
                summaries.extend(result)
        return summaries, len(projects), jobs_seen

    def _pick_deep(self, summaries: list[RunSummary], now_ms: float) -> list[tuple[RunSummary, bool]]:
        """(summary, with_exceptions) for suspicious jobs plus the `sample_size` stalest healthy ones."""
        picked: list[tuple[RunSummary, bool]] = []
        others: list[RunSummary] = []
        for summary in summaries:
            cached = self._deep.get(summary.key)
            fresh = cached is not None and now_ms - cached.fetched_ms < self.deep_ttl_ms
            if is_suspicious(summary, now_ms, self.thresholds):
                if not fresh:
                    window_start = now_ms - self.thresholds.restart_window_seconds * 1000
                    picked.append((summary, (summary.last_error_ms or 0) >= window_start))
            elif summary.running and summary.is_stream and not fresh:
                others.append(summary)
        others.sort(key=lambda s: self._deep[s.key].fetched_ms if s.key in self._deep else 0.0)
        budget = self.first_sample_size if self._first else self.sample_size
        self._first = False
        picked.extend((s, False) for s in others[:budget])
        return picked

    async def _deep_one(self, summary: RunSummary, with_exceptions: bool, now_ms: float,
                        errors: list[str]) -> None:
        project, job = summary.key
        instance = summary.instance_id if summary.instance_id is not None else -1
        result = DeepResult(fetched_ms=now_ms)
        try:
            response = await self._call(lambda: self.client.get_instance_checkpoint(project, job, instance))
            result.checkpoints, payload = read_checkpoints(response)
            if payload.error:
                errors.append(f"{project}/{job}: checkpoints unreadable: {payload.error}")
            if with_exceptions:
                response = await self._call(lambda: self.client.get_instance_exceptions(project, job, instance))
                result.exceptions, payload = read_exceptions(response)
                if payload.error:
                    errors.append(f"{project}/{job}: exceptions unreadable: {payload.error}")
        except Exception as err:  # a job that stopped meanwhile, throttling ...: keep the shallow result
            errors.append(f"{project}/{job}: {_describe(err)}")
        self._deep[summary.key] = result

    async def gather(self) -> TriageReport:
        """One full refresh of the board. Never raises for per-project or per-job failures."""
        errors: list[str] = []
        now_ms = self.now() * 1000
        summaries, projects, jobs = await self.run_summaries(errors)
        picked = self._pick_deep(summaries, now_ms)
        await asyncio.gather(*(self._deep_one(s, ex, now_ms, errors) for s, ex in picked))
        live = {s.key for s in summaries}
        for key in list(self._deep):
            if key not in live:
                del self._deep[key]
        rows = []
        for summary in summaries:
            deep = self._deep.get(summary.key)
            if deep is not None and not summary.alive:
                deep = None  # a stopped job's old checkpoints say nothing about now
            rows.append(assess(
                summary, now_ms=now_ms, thresholds=self.thresholds, weights=self.weights,
                checkpoints=deep.checkpoints if deep else None, exceptions=deep.exceptions if deep else None,
            ))
        return TriageReport(rank(rows), projects, jobs, len(picked), errors, now_ms)
