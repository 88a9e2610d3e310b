"""Triage: score job health from run summaries and optional checkpoint/exception reports, rank what is broken.

Pure functions (testable without a screen or a service); `services.triage_gather` fetches what they read.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from foas_tui.services.selection import JobIdentity

# flink_payloads (the checkpoint/exception parsers) is imported where a run summary is read: the app's
# HealthBook imports this module for the first frame, which reads no payload (bench/tui_startup.py).
if TYPE_CHECKING:
    from foas_tui.services.flink_payloads import CheckpointReport, ExceptionReport

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
# What scripts and filters call the console's alert levels: P0 critical, P1 warning, P2 info; no finding: ok.
SEVERITY_WORDS = {"P0": "critical", "P1": "warning", "P2": "info"}
SEVERITY_RANK = {"ok": 0, "info": 1, "warning": 2, "critical": 3}
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
    since_ms: int | None = None  # when the problem began, where the data says (epoch ms)

    @property
    def severity_word(self) -> str:
        return SEVERITY_WORDS.get(self.severity, "info")


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
    profile: str = ""  # the profile and region the job was found with (several can be merged on one board)
    region: str = ""

    @property
    def running(self) -> bool:
        return self.actual_state.upper() in RUNNING_STATES

    @property
    def alive(self) -> bool:
        """Running, or a stream job FAILED for a moment while it fails over (still expected to run)."""
        return self.running or (self.is_stream and self.actual_state == "FAILED" and self.expect_state == "RUNNING")

    @classmethod
    def from_model(cls, project: str, item: Any, job_type: str = "FLINK_STREAM", folder_path: str = "/") -> RunSummary:
        from foas_tui.services.flink_payloads import _int

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

    @property
    def severity(self) -> str:
        """critical, warning, info (the worst finding's level) or ok (no finding)."""
        worst = self.worst
        return worst.severity_word if worst is not None else "ok"

    @property
    def since_ms(self) -> int | None:
        """When the earliest of its problems began, where the data says."""
        stamps = [f.since_ms for f in self.findings if f.since_ms is not None]
        return min(stamps) if stamps else None


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
        findings.append(Finding("failed", "P0", weights.failed, f"instance FAILED{error}",
                                since_ms=summary.last_error_ms))
    elif expect == "RUNNING" and actual in TERMINAL_STATES and not (actual == "SUCCESS" and not summary.is_stream):
        reason = f"expected RUNNING, {actual.lower()} unexpectedly{error}"
        findings.append(Finding("failed", "P0", weights.failed, reason, since_ms=summary.last_error_ms))
    elif expect and actual and expect != actual and not (expect == "RUNNING" and actual == "SUCCESS"):
        findings.append(Finding("state-mismatch", "P1", weights.state_mismatch, f"expected {expect}, actual {actual}"))

    if summary.alive:
        failures = exceptions.failures_since(window_start) if exceptions is not None else 0
        first = exceptions.first_failure_since(window_start) if exceptions is not None else None
        if failures == 0 and summary.last_error_ms and summary.last_error_ms >= window_start:
            failures = 1  # the run summary saw an error in the window even if the history was not read
            first = summary.last_error_ms
        if failures >= thresholds.restart_count:
            findings.append(Finding("restarts", "P0", weights.restart_storm,
                                    f"{failures} failovers in {_window(thresholds)}{error}", since_ms=first))
        elif failures:
            plural = "s" if failures > 1 else ""
            findings.append(Finding("restarts", "P0", weights.restarted,
                                    f"{failures} failover{plural} in {_window(thresholds)}{error}", since_ms=first))

        delay_s = summary.input_delay_ms / 1000 if summary.input_delay_ms is not None else None
        if delay_s is not None and delay_s >= thresholds.delay_seconds:
            findings.append(Finding("delay", "P1", weights.delay,
                                    f"delay {_duration(delay_s)} ≥ {_duration(thresholds.delay_seconds)}", "metrics"))

        if checkpoints is not None and summary.is_stream and summary.running:
            findings.extend(_checkpoint_findings(checkpoints, now_ms, thresholds, weights))
    elif summary.last_error_ms and summary.last_error_ms >= window_start and not findings:
        findings.append(Finding("recent-error", "P2", weights.recent_error, f"error in {_window(thresholds)}{error}",
                                since_ms=summary.last_error_ms))

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
                                f"no checkpoint completed in {since}{cause}", "checkpoints", since_ms=last_ok))
    elif failed is not None and (failed.failure_ms or failed.trigger_ms or 0) > last_ok:
        findings.append(Finding("checkpoint-failing", "P1", w.checkpoint_failing,
                                f"latest checkpoint failed{cause}", "checkpoints",
                                since_ms=failed.failure_ms or failed.trigger_ms))
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


def filter_record(row: JobHealth) -> dict[str, Any]:
    """What the `/` filter of the triage board (and `triage --filter`) sees of a row (services.filter_query)."""
    s = row.summary
    return {
        "": f"{s.project} {s.job_name} {s.actual_state} {s.expect_state} {row.reason} {s.profile}",
        "job": s.job_name, "project": s.project, "state": s.actual_state, "expect": s.expect_state,
        "type": "batch" if "BATCH" in s.job_type.upper() else "stream", "severity": row.severity,
        "kind": " ".join(f.kind for f in row.findings), "reason": row.reason, "error": s.last_error_message,
        "profile": s.profile, "region": s.region, "health": row.score,
        "delay": s.input_delay_ms / 1000 if s.input_delay_ms is not None and s.alive else None,
    }
