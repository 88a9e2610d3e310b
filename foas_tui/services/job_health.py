"""One answer to "does this job need attention?" for every count, badge and pane.

The status bar, the live table's red names, the tree's ✖ counts and the triage board all ask a
`HealthBook`: it scores a live row with the triage board's own `assess` (same thresholds, same weights)
and with the checkpoints/exceptions the board read (the book and the board share one `deep` dict), so a
job the board lists is red in the table and counted in the status bar, and nowhere else is it counted
by a different rule.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from foas_tui.services.refresh import JobKey, RunRow

# services.triage (the rules) is imported on the first `health()`, i.e. when live rows arrive: the app, the tree
# and the live table each hold a HealthBook from their first frame, which scores nothing (bench/tui_startup.py).
if TYPE_CHECKING:
    from foas_tui.services.triage import JobHealth, RunSummary, Thresholds, Weights
    from foas_tui.services.triage_gather import DeepResult


@dataclass(frozen=True, slots=True)
class JobCounts:
    """What the status bar says about the live table's scope: all from the same rows."""

    jobs: int = 0
    running: int = 0
    attention: int = 0


def run_summary(row: RunRow) -> RunSummary:
    """A live row as the triage board's run summary (both come from BatchGetInstanceRunSummary)."""
    from foas_tui.services.triage import RunSummary

    delay = row.input_delay
    return RunSummary(
        project=row.project, job_name=row.job_name, job_type=(row.job_type or "FLINK_STREAM").upper(),
        instance_id=row.instance_id, expect_state=row.expect_state.upper(), actual_state=row.actual_state.upper(),
        input_delay_ms=float(delay) if delay is not None and delay >= 0 else None,
        last_error_message=row.last_error_message, last_error_ms=row.last_error_time,
    )


@dataclass
class HealthBook:
    """Health of live rows by the triage rules; `deep` is filled by the triage board's gatherer.

    `thresholds`/`weights` left None are read on first use from `triage` (`AppConfig.triage`; None = the
    board's defaults), exactly as the triage board reads them.
    """

    thresholds: Thresholds | None = None
    weights: Weights | None = None
    clock: Callable[[], float] = time.time
    deep: dict[JobKey, DeepResult] = field(default_factory=dict)
    triage: Any = None
    # The health of each row asked for in the current second of the clock: one refresh asks for every row
    # several times (the table's red names, the tree's counts, the status bar). A row object is reused while
    # its summary is unchanged (refresh.py), so `is` tells a row already scored, as it tells the deep result.
    _memo: dict[JobKey, tuple[RunRow, Any, JobHealth]] = field(default_factory=dict, init=False, repr=False,
                                                                compare=False)
    _memo_moment: tuple[int, Any, Any] | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def from_config(cls, triage: Any, clock: Callable[[], float] = time.time) -> HealthBook:
        """From `AppConfig.triage` exactly as the triage board reads it (thresholds and optional weights)."""
        return cls(clock=clock, triage=triage)

    def reset(self, triage: Any) -> None:
        """Another account or region: its config's thresholds, and nothing deep-checked yet."""
        self.triage, self.thresholds, self.weights = triage, None, None
        self.deep.clear()
        self._memo.clear()

    def rules(self) -> tuple[Thresholds, Weights]:
        """The thresholds and weights in force (built from `triage` the first time)."""
        thresholds, weights = self.thresholds, self.weights
        if thresholds is None or weights is None:
            from foas_tui.services.triage import Thresholds, Weights

            if thresholds is None:
                thresholds = self.thresholds = Thresholds.from_config(self.triage)
            if weights is None:
                custom = getattr(self.triage, "weights", None)
                weights = self.weights = Weights(**custom) if isinstance(custom, dict) else Weights()
        return thresholds, weights

    def health(self, row: RunRow) -> JobHealth:
        """The row scored by the triage rules at the clock's time; the same row and deep result asked again
        within the same second of the clock get the same answer without scoring again."""
        now = self.clock()
        thresholds, weights = self.rules()
        moment = (int(now), thresholds, weights)  # another second, or other rules: score again
        if moment != self._memo_moment:
            self._memo.clear()
            self._memo_moment = moment
        key = row.key
        deep = self.deep.get(key)
        known = self._memo.get(key)
        if known is not None and known[0] is row and known[1] is deep:
            return known[2]
        from foas_tui.services.triage import assess

        summary = run_summary(row)
        # As the board does: a stopped job's old checkpoints say nothing about now.
        used = deep if deep is not None and summary.alive else None
        result = assess(summary, now_ms=now * 1000, thresholds=thresholds, weights=weights,
                        checkpoints=used.checkpoints if used else None, exceptions=used.exceptions if used else None)
        self._memo[key] = (row, deep, result)
        return result

    def needs_attention(self, row: RunRow | None) -> bool:
        return row is not None and bool(self.health(row).findings)

    def counts(self, rows: Mapping[JobKey, RunRow], scope: Iterable[JobKey]) -> JobCounts:
        """Counts over the scope's jobs only (the refresh also watches jobs shown in the tree elsewhere)."""
        keys = list(scope)
        scoped = [row for key in keys if (row := rows.get(key)) is not None]
        return JobCounts(
            jobs=len(keys),
            running=sum(1 for row in scoped if row.actual_state.upper() == "RUNNING"),
            attention=sum(1 for row in scoped if self.needs_attention(row)),
        )
