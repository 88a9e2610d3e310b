"""Triage ranking as pure functions: findings, health scores and bands, thresholds from the config, payload readers."""

from __future__ import annotations

import json

import pytest

from foas_tui.config import TriageConfig
from foas_tui.services.flink_payloads import (
    CheckpointReport,
    parse_checkpoints,
    parse_exceptions,
    read_checkpoints,
    read_exceptions,
    read_payload,
)
from foas_tui.services.triage import (
    RunSummary,
    Thresholds,
    assess,
    health_level,
    is_suspicious,
    rank,
)

NOW_MS = 1_767_225_600_000


def summary(job: str = "job", *, expect: str = "RUNNING", actual: str = "RUNNING", delay_ms: float | None = 0,
            error_ms: int | None = None, message: str = "", job_type: str = "FLINK_STREAM") -> RunSummary:
    return RunSummary("proj", job, job_type, 1, expect, actual, delay_ms, message, error_ms)


def checkpoints(last_ok_ms: int | None, failed_ms: int | None = None, cause: str = "") -> CheckpointReport:
    latest: dict = {}
    if last_ok_ms is not None:
        latest["completed"] = {"id": 10, "status": "COMPLETED", "trigger_timestamp": last_ok_ms - 100,
                               "latest_ack_timestamp": last_ok_ms}
    if failed_ms is not None:
        latest["failed"] = {"id": 11, "status": "FAILED", "trigger_timestamp": failed_ms - 100,
                            "failure_timestamp": failed_ms, "failure_message": cause}
    return parse_checkpoints({"counts": {"completed": 1, "failed": int(failed_ms is not None)}, "latest": latest})


def test_healthy_running_job_scores_100_green() -> None:
    health = assess(summary(), now_ms=NOW_MS, checkpoints=checkpoints(NOW_MS - 60_000))
    assert health.score == 100
    assert health.level == "green"
    assert health.findings == []
    assert health.reason == "healthy"


def test_failed_instance_is_p0_and_red() -> None:
    health = assess(summary(actual="FAILED", message="java.lang.OutOfMemoryError: Java heap space"), now_ms=NOW_MS)
    assert [f.kind for f in health.findings] == ["failed"]
    assert health.worst is not None and health.worst.severity == "P0"
    assert health.score == 40
    assert health.level == "red"
    assert "OutOfMemoryError" in health.reason


def test_expected_running_but_terminated_counts_as_failed() -> None:
    health = assess(summary(actual="TERMINATED"), now_ms=NOW_MS)
    assert health.findings[0].kind == "failed"
    assert "unexpectedly" in health.reason


def test_finished_batch_job_is_not_a_failure() -> None:
    health = assess(summary(actual="SUCCESS", job_type="FLINK_BATCH"), now_ms=NOW_MS)
    assert health.findings == []


def test_expected_state_differs_from_actual() -> None:
    health = assess(summary(expect="PAUSED", actual="RUNNING"), now_ms=NOW_MS)
    assert [f.kind for f in health.findings] == ["state-mismatch"]
    assert health.level == "yellow"


def test_delay_threshold_comes_from_the_config() -> None:
    job = summary(delay_ms=90_000)
    assert assess(job, now_ms=NOW_MS).findings == []  # console default: 180 s
    strict = Thresholds.from_config(TriageConfig(delay_seconds=60))
    health = assess(job, now_ms=NOW_MS, thresholds=strict)
    assert [f.kind for f in health.findings] == ["delay"]
    assert health.findings[0].view == "metrics"


def test_stale_and_failing_checkpoints() -> None:
    stale = assess(summary(), now_ms=NOW_MS, checkpoints=checkpoints(NOW_MS - 600_000, NOW_MS - 5_000, "timeout"))
    assert [f.kind for f in stale.findings] == ["checkpoint-stale"]
    assert "timeout" in stale.reason and stale.findings[0].view == "checkpoints"
    failing = assess(summary(), now_ms=NOW_MS, checkpoints=checkpoints(NOW_MS - 60_000, NOW_MS - 5_000, "declined"))
    assert [f.kind for f in failing.findings] == ["checkpoint-failing"]
    never = assess(summary(), now_ms=NOW_MS, checkpoints=checkpoints(None))
    assert "ever" in never.reason
    relaxed = Thresholds.from_config(TriageConfig(checkpoint_stale_seconds=3600))
    assert assess(summary(), now_ms=NOW_MS, thresholds=relaxed,
                  checkpoints=checkpoints(NOW_MS - 600_000)).findings == []


def test_failovers_in_the_window_from_the_exception_history() -> None:
    history = {"root-exception": "java.lang.RuntimeException: boom\n\tat a.b(C.java:1)", "timestamp": NOW_MS - 1000,
               "all-exceptions": [{"exception": "java.lang.RuntimeException: boom", "timestamp": NOW_MS - i * 60_000}
                                  for i in range(5)] + [{"exception": "old", "timestamp": NOW_MS - 7_200_000}],
               "truncated": False}
    report = parse_exceptions(history)
    storm = assess(summary(error_ms=NOW_MS - 1000), now_ms=NOW_MS, exceptions=report)
    assert [f.kind for f in storm.findings] == ["restarts"]
    assert storm.findings[0].reason.startswith("5 failovers")
    assert storm.score == 65
    one = assess(summary(error_ms=NOW_MS - 1000), now_ms=NOW_MS)  # no history read: the run summary's error
    assert one.findings[0].reason.startswith("1 failover")
    assert one.score == 75 and one.level == "yellow"  # any restart is a P0 alert in the console
    old = assess(summary(error_ms=NOW_MS - 3_600_000), now_ms=NOW_MS)  # outside the 30 min window
    assert old.findings == []


def test_health_bands_match_the_console() -> None:
    assert health_level(100) == health_level(81) == "green"
    assert health_level(80) == health_level(60) == "yellow"
    assert health_level(59) == health_level(0) == "red"


def test_rank_puts_the_worst_first() -> None:
    rows = [
        assess(summary("healthy"), now_ms=NOW_MS),
        assess(summary("lagging", delay_ms=400_000), now_ms=NOW_MS),
        assess(summary("failed", actual="FAILED"), now_ms=NOW_MS),
        assess(summary("mismatch", expect="PAUSED"), now_ms=NOW_MS),
    ]
    assert [r.summary.job_name for r in rank(rows)] == ["failed", "lagging", "mismatch", "healthy"]


def test_suspicious_jobs_get_a_deep_check() -> None:
    assert is_suspicious(summary(error_ms=NOW_MS - 60_000), NOW_MS)
    assert is_suspicious(summary(delay_ms=100_000), NOW_MS)
    assert not is_suspicious(summary(), NOW_MS)
    assert is_suspicious(summary(actual="FAILED", error_ms=NOW_MS), NOW_MS)  # a stream job failing over
    assert not is_suspicious(summary(actual="TERMINATED", error_ms=NOW_MS), NOW_MS)  # stopped: state says it all
    assert not is_suspicious(summary(actual="FAILED", job_type="FLINK_BATCH"), NOW_MS)


@pytest.mark.parametrize("text", ["{not json", "", "   ", "[1, 2]", "null"])
def test_unreadable_exceptions_payload_gives_a_reason(text: str) -> None:
    report, payload = read_exceptions(text)
    assert report is None
    assert payload.error


def test_exceptions_both_shapes() -> None:
    legacy = parse_exceptions({"root-exception": None, "timestamp": None, "all-exceptions": [], "truncated": False})
    assert legacy.is_empty and not legacy.truncated
    modern = parse_exceptions({"exceptionHistory": {"entries": [
        {"exceptionName": "java.io.IOException", "stacktrace": "java.io.IOException: disk\n\tat x.y(Z.java:1)",
         "timestamp": 5, "taskName": "Sink", "endpoint": "10.0.0.1:1234", "taskManagerId": "tm-1",
         "failureLabels": {"type": "system"}, "concurrentExceptions": [{}]}], "truncated": True}})
    entry = modern.history[0]
    assert modern.truncated
    assert (entry.name, entry.task, entry.location) == ("java.io.IOException: disk", "Sink", "tm-1 (10.0.0.1:1234)")
    assert entry.labels == ("type:system",) and entry.concurrent == 1


def test_payload_reader_accepts_models_and_embedded_wrappers() -> None:
    from foas_tui.api.models import GetInstanceCheckpointResponse, GetInstanceExceptionsResponse

    body = {"RequestId": "r", "Checkpoints": json.dumps({"counts": {"completed": 3, "failed": 1},
                                                         "history": [{"id": 3, "status": "COMPLETED",
                                                                      "state_size": 2048, "full_state_size": 4096}]})}
    report, payload = read_checkpoints(GetInstanceCheckpointResponse.model_validate(body))
    assert payload.ok and report is not None
    assert report.counts["completed"] == 3
    assert (report.history[0].checkpointed_size, report.history[0].full_size) == (2048, 4096)
    bad = GetInstanceExceptionsResponse.model_validate({"RequestId": "r", "Exceptions": "{not json"})
    report_e, payload_e = read_exceptions(bad)
    assert report_e is None and payload_e.error and payload_e.raw == "{not json"
    assert read_payload(None).error
