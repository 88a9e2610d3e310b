"""What failed in the last hours, across every project: ListInstance with its state and stop-time filters.

Per project and job type (ListInstance needs `jobType`), current and archived instances (`isArchived`: the
seed archives a stream job's instance when the job is started again, so a failure that was restarted since
is archived) whose actual state is FAILED and whose stop time lies in the window. The seed names
`endBeginTs` the upper and `endEndTs` the lower bound, against the names; like the emulator we send
`endBeginTs` = the start of the window and `endEndTs` = now (../shared/api notes: the doc does not confirm
either reading), and keep only instances whose end time is in the window, whichever way the service reads
them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from foas_tui.services.history import Run, error_text, run_of

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient

JOB_TYPES = ("FLINK_STREAM", "FLINK_BATCH")
PAGE_SIZE = 50
MAX_PAGES = 4  # per project, type and archive flag: 200 failed instances in the window are plenty to read
WINDOWS_H = (1.0, 6.0, 24.0)


@dataclass(slots=True)
class Failure:
    """One failed instance: which job, when it ran and ended, and its last error (texts as the service sent)."""

    project: str
    job_name: str
    job_type: str
    run: Run

    @property
    def key(self) -> tuple[str, str, int | None]:
        return self.project, self.job_name, self.run.id


@dataclass(slots=True)
class FailureReport:
    hours: float
    since_ms: int
    until_ms: int
    projects: int
    failures: list[Failure]  # newest end first
    errors: list[str] = field(default_factory=list)  # "project: what went wrong" (the other projects still count)
    capped: list[str] = field(default_factory=list)  # "project TYPE": more failures than MAX_PAGES pages

    @property
    def jobs(self) -> int:
        return len({(f.project, f.job_name) for f in self.failures})


async def recent_failures(client: FoasClient, hours: float, *, now: Callable[[], float],
                          projects: Sequence[str] | None = None, concurrency: int = 4) -> FailureReport:
    """Failed instances whose stop time is within the last `hours`, in every project (or `projects`)."""
    until_ms = int(now() * 1000)
    since_ms = until_ms - int(hours * 3600 * 1000)
    limit = asyncio.Semaphore(max(1, concurrency))
    errors: list[str] = []
    capped: list[str] = []
    names = list(projects) if projects else [p.name async for p in client.iter_list_project(page_size=100)]

    async def failed(project: str, job_type: str, archived: bool) -> list[Failure]:
        found: list[Failure] = []
        for index in range(1, MAX_PAGES + 1):
            async with limit:
                page = await client.list_instance(project, job_type, actual_state="FAILED", is_archived=archived,
                                                  end_begin_ts=since_ms, end_end_ts=until_ms,
                                                  page_index=index, page_size=PAGE_SIZE)
            for item in page.items:
                run = run_of(item, archived)
                # The filter is the service's; the window is checked here too (the bounds' order is unclear).
                if run.actual.upper() == "FAILED" and run.end_ms is not None and since_ms <= run.end_ms <= until_ms:
                    found.append(Failure(project, str(getattr(item, "job_name", "") or ""), job_type, run))
            total = page.total_count
            if not page.items or total is None or index * PAGE_SIZE >= total:
                return found
        capped.append(f"{project} {job_type}{' (archived)' if archived else ''}")
        return found

    calls = [(p, t, a) for p in names for t in JOB_TYPES for a in (False, True)]
    results = await asyncio.gather(*(failed(*call) for call in calls), return_exceptions=True)
    failures: dict[tuple[str, str, int | None], Failure] = {}
    failed_projects: dict[str, str] = {}
    for (project, job_type, archived), result in zip(calls, results, strict=True):
        if isinstance(result, BaseException):
            if not isinstance(result, Exception):
                raise result  # cancellation is not a project's failure
            failed_projects.setdefault(project, f"{project}: {job_type}{' archived' if archived else ''}: "
                                                f"{error_text(result)}")
            continue
        for failure in result:
            failures.setdefault(failure.key, failure)  # an instance archived between two calls counts once
    errors.extend(failed_projects.values())
    ordered = sorted(failures.values(), key=lambda f: (f.run.end_ms or 0, f.project, f.job_name), reverse=True)
    return FailureReport(hours, since_ms, until_ms, len(names), ordered, errors, capped)


def error_line(failure: Failure) -> str:
    """The first line of the last error (the whole text is in the exceptions viewer)."""
    text: Any = failure.run.last_error or ""
    return str(text).strip().splitlines()[0] if str(text).strip() else ""
