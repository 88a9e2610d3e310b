"""Since when, and what changed: a job's runs from ListInstance as a timeline, and the running instance
(GetInstance) against the current draft (GetJob).

ListInstance lists the current instance(s) or the archived ones (isArchived; the seed: starting a stream job
archives its previous instance, batch instances are archived two days after they end), so the history needs
both. The running code, properties, engine and packages come from GetInstance, the draft's from GetJob.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from foas_tui.services import diffing
from foas_tui.services.formatting import NONE, format_epoch_ms, human_duration_ms

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient

PAGE_SIZE = 50
MAX_ARCHIVED_PAGES = 4  # 200 earlier runs are plenty for "since when"; the count says when there are more
ENDED = ("TERMINATED", "FAILED", "SUCCESS")
# the fields an operator changes between runs, in the order the summary names them
DRIFT_FIELDS = (("engine_version", "engine"), ("properties", "properties"), ("code", "code"),
                ("packages", "packages"), ("queue_name", "queue"), ("cluster_id", "cluster"))


@dataclass(slots=True)
class Run:
    """One instance of the job, as ListInstance reports it."""

    id: int | None
    actual: str
    expect: str
    start_ms: int | None
    end_ms: int | None
    starter: str
    last_operator: str
    last_operate_ms: int | None
    last_error: str
    last_error_ms: int | None
    archived: bool

    def duration_ms(self, now_ms: int) -> int | None:
        if self.start_ms is None:
            return None
        return max(0, (self.end_ms if self.end_ms is not None else now_ms) - self.start_ms)


@dataclass(slots=True)
class Drift:
    """One field that differs between what runs and the draft (texts as they are: the screen cleans them)."""

    name: str
    running: str
    draft: str

    @property
    def stats(self) -> diffing.DiffStats:
        return diffing.stats(self.running, self.draft)


@dataclass(slots=True)
class History:
    runs: list[Run]  # newest first
    total: int | None  # runs the service knows of (current + archived), when it says
    running: Any = None  # GetInstance's Instance, when one could be read
    draft: Any = None  # GetJob's Job
    drift: list[Drift] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # part -> "Code: message (request id ...)"


def error_text(err: BaseException) -> str:
    """`Code: message (request id …)` of a failed call, for a line of a report."""
    code = getattr(err, "code", type(err).__name__)
    rid = getattr(err, "request_id", None)
    return f"{code}: {getattr(err, 'message', err)}" + (f" (request id {rid})" if rid else "")


def run_of(inst: Any, archived: bool) -> Run:
    return Run(getattr(inst, "id", None), str(getattr(inst, "actual_state", "") or ""),
               str(getattr(inst, "expect_state", "") or ""), getattr(inst, "start_time", None),
               getattr(inst, "end_time", None), str(getattr(inst, "starter", "") or ""),
               str(getattr(inst, "last_operator", "") or ""), getattr(inst, "last_operate_time", None),
               str(getattr(inst, "last_error_message", "") or ""), getattr(inst, "last_error_time", None), archived)


def drift_between(running: Any, draft: Any) -> list[Drift]:
    """Fields whose running value differs from the draft's (line endings and trailing blanks ignored)."""
    out = []
    for attr, name in DRIFT_FIELDS:
        have, want = getattr(running, attr, None), getattr(draft, attr, None)
        if have is None or want is None:
            continue  # a field one side did not send is not a change
        a, b = _norm(str(have)), _norm(str(want))
        if a != b:
            out.append(Drift(name, a, b))
    return out


def _norm(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").strip("\n").split("\n"))


async def fetch_history(client: FoasClient, project: str, job: str, job_type: str) -> History:
    """Current and archived runs (ListInstance), the draft (GetJob) and the running instance (GetInstance)."""
    errors: dict[str, str] = {}

    async def listed(archived: bool) -> tuple[list[Run], int | None]:
        runs: list[Run] = []
        total: int | None = None
        for index in range(1, (MAX_ARCHIVED_PAGES if archived else 1) + 1):
            page = await client.list_instance(project, job_type, job_name=job, is_archived=archived,
                                              page_index=index, page_size=PAGE_SIZE)
            runs.extend(run_of(item, archived) for item in page.items)
            total = page.total_count
            if not page.items or total is None or len(runs) >= total:
                break
        return runs, total

    current, archived, draft = await asyncio.gather(listed(False), listed(True), client.get_job(project, job),
                                                    return_exceptions=True)
    runs: list[Run] = []
    total: int | None = 0
    for part, result in (("current", current), ("archived", archived)):
        if isinstance(result, BaseException):
            errors[part] = error_text(result)
            total = None
            continue
        runs.extend(result[0])
        total = None if total is None or result[1] is None else total + result[1]
    seen: set[Any] = set()
    unique = []
    for run in sorted(runs, key=lambda r: (r.start_ms or 0, r.id or 0), reverse=True):
        if run.id not in seen:
            seen.add(run.id)
            unique.append(run)
    history = History(unique, total)
    if isinstance(draft, BaseException):
        errors["draft"] = error_text(draft)
    else:
        history.draft = getattr(draft, "job", None)
    live = next((r for r in unique if not r.archived and r.actual not in ENDED), None)
    if live is not None and live.id is not None:
        try:
            history.running = getattr(await client.get_instance(project, job, live.id), "instance", None)
        except Exception as err:  # the timeline stands without it
            errors["running"] = error_text(err)
    if history.running is not None and history.draft is not None:
        history.drift = drift_between(history.running, history.draft)
    history.errors = errors
    return history


def since_when(history: History, now_ms: int) -> list[str]:
    """Plain sentences: the current run's state and age, and how the run before it ended."""
    runs = history.runs
    if not runs:
        return ["The job has never run (ListInstance lists no instance)."]
    latest = runs[0]
    lines = []
    age = human_duration_ms(latest.duration_ms(now_ms))
    if latest.actual in ENDED:
        lines.append(f"Last run {latest.id} {latest.actual} at {format_epoch_ms(latest.end_ms)} after {age}.")
    else:
        lines.append(f"Instance {latest.id} {latest.actual or NONE} since {format_epoch_ms(latest.start_ms)} "
                     f"({age}), started by {latest.starter or NONE}.")
    if latest.last_error:
        lines.append(f"Its last error at {format_epoch_ms(latest.last_error_ms)}: {_first_line(latest.last_error)}")
    if len(runs) > 1:
        before = runs[1]
        how = f"{before.actual or NONE}"
        if before.last_operator:
            how += f" by {before.last_operator}"
        lines.append(f"The run before, {before.id}, ended {how} at {format_epoch_ms(before.end_ms)} after "
                     f"{human_duration_ms(before.duration_ms(now_ms))}"
                     + (f"; its last error: {_first_line(before.last_error)}" if before.last_error else "."))
    failed = sum(1 for r in runs if r.last_error)
    lines.append(f"{len(runs)} runs listed" + (f" of {history.total}" if history.total not in (None, len(runs))
                                                 else "") + (f", {failed} with errors." if failed else "."))
    return lines


def _first_line(text: str, limit: int = 160) -> str:
    line = " ".join(text.strip().split("\n", 1)[0].split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


def timeline_bars(runs: Sequence[Run], now_ms: int, width: int = 48) -> list[tuple[str, str]]:
    """(bar, kind) per run, newest first, on one time axis from the oldest start to now: `█` while it ran,
    kind 'error' when it had errors, 'live' for a run still alive, else 'ended'."""
    starts = [r.start_ms for r in runs if r.start_ms is not None]
    if not starts:
        return [(" " * width, "ended") for _ in runs]
    lo = min(starts)
    span = max(1, now_ms - lo)
    out = []
    for run in runs:
        if run.start_ms is None:
            out.append((" " * width, "ended"))
            continue
        end = run.end_ms if run.end_ms is not None else now_ms
        a = int((run.start_ms - lo) / span * (width - 1))
        b = max(a, int((end - lo) / span * (width - 1)))
        bar = " " * a + "█" * (b - a + 1) + " " * (width - b - 1)
        kind = "error" if run.last_error else "live" if run.actual not in ENDED else "ended"
        out.append((bar, kind))
    return out
