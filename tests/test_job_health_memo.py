"""HealthBook scores a row once per second of the clock (issue 16: idle CPU), and never hands out an old answer
for a changed row, a changed deep check, other rules, or a later second.

The expectation is the triage rule itself (`triage.assess`, a failover in the restart window is a finding; an
error before the window is not), asked directly with the same time: never the memo's own bookkeeping.
"""

from __future__ import annotations

from dataclasses import replace

from foas_tui.services.job_health import HealthBook, run_summary
from foas_tui.services.refresh import RunRow
from foas_tui.services.triage import Thresholds, assess


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _findings(book: HealthBook, row: RunRow) -> list[str]:
    return [finding.kind for finding in book.health(row).findings]


def _reference(book: HealthBook, row: RunRow, now: float) -> list[str]:
    thresholds, weights = book.rules()  # the rules in force, as the triage board reads them
    return [finding.kind for finding in
            assess(run_summary(row), now_ms=now * 1000, thresholds=thresholds, weights=weights).findings]


def test_a_failover_leaving_the_window_is_seen_in_the_next_second() -> None:
    window = Thresholds().restart_window_seconds
    clock = Clock(1_700_000_000.0)
    error_at = clock.now - window + 0.5  # inside the window for half a second more
    row = RunRow("p", "j", "FLINK_STREAM", expect_state="RUNNING", actual_state="RUNNING", instance_id=1,
                 last_error_time=int(error_at * 1000), last_error_message="boom")
    book = HealthBook(clock=clock)
    assert _findings(book, row) == _reference(book, row, clock.now) == ["restarts"]
    assert _findings(book, row) == ["restarts"]  # asked again in the same second
    clock.now += 1.0
    assert _findings(book, row) == _reference(book, row, clock.now) == []


def test_a_changed_row_or_other_rules_are_scored_again_in_the_same_second() -> None:
    clock = Clock(1_700_000_000.25)
    running = RunRow("p", "j", "FLINK_STREAM", expect_state="RUNNING", actual_state="RUNNING", instance_id=1)
    book = HealthBook(clock=clock)
    assert _findings(book, running) == []
    failed = replace(running, actual_state="FAILED")
    assert _findings(book, failed) == _reference(book, failed, clock.now) == ["failed"]
    delayed = replace(running, input_delay=10 * 3600 * 1000)  # ten hours behind
    assert _findings(book, delayed) == _reference(book, delayed, clock.now) == ["delay"]
    book.thresholds = Thresholds(delay_seconds=100 * 3600)
    assert _findings(book, delayed) == _reference(book, delayed, clock.now) == []
