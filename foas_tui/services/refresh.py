"""The live refresh: BatchGetInstanceRunSummary for the watched jobs, in chunks, as plain row data.

No widgets and no timers here: the app runs `refresh_once()` in a worker and arms the next run only
after it finished, so refreshes never overlap or pile up.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import repeat
from typing import TYPE_CHECKING, Any

from foas_tui.api.errors import AuthError, FoasError, ThrottledError
from foas_tui.api.signing import quoted_length

if TYPE_CHECKING:  # the lean parse imports the models' helpers (pydantic): not before the first frame
    from foas_tui.api.run_summaries import LeanRunSummary

log = logging.getLogger(__name__)

JobKey = tuple[str, str]  # (project, job name)
WatchedJob = tuple[str, str, str]  # (project, job name, job type)

# BatchGetInstanceRunSummary takes the job names as one comma-separated query parameter. The API documents
# no limit, so a call carries at most CHUNK_SIZE names and NAMES_BUDGET characters of them *as sent*
# (URL-encoded: a comma is `%2C`, a Chinese character `%E5%AE%9E`): the request line stays under about
# 6.5 KB whatever the names, below the 8 KB web servers and proxies commonly take for it. Fewer, larger calls
# cost the client and the service less (each call has a fixed cost: signing, HTTP, a connection's turn).
# A call the service refuses (400/413/414) is split in two, at most MAX_SPLITS times, and when a smaller
# call works that size is kept for the next refreshes.
CHUNK_SIZE = 300
NAMES_BUDGET = 6000
_COMMA = quoted_length(",")
MAX_SPLITS = 2
MIN_SPLIT = 10  # names: a refused call smaller than this is an error, not a size problem
CONCURRENCY = 4
MAX_BACKOFF_INTERVAL = 120.0  # seconds: the longest wait between refreshes while the service throttles
PER_JOB_LOOKUP_LIMIT = 8  # up to this many new instances per project: ListInstance per job
MAX_INSTANCE_LOOKUPS = 2000  # instances read per project when looking up start times in bulk


@dataclass(frozen=True, slots=True)
class RunRow:
    """One job's current instance as the live table shows it; equality drives the in-place updates."""

    project: str
    job_name: str
    job_type: str
    expect_state: str = ""
    actual_state: str = ""
    instance_id: int | None = None
    start_time: int | None = None  # epoch ms
    input_delay: int | None = None  # ms (as GetInstance documents)
    last_error_message: str = ""
    last_error_time: int | None = None  # epoch ms
    engine_job_handler: str = ""

    @property
    def key(self) -> JobKey:
        return (self.project, self.job_name)


@dataclass(slots=True)
class RefreshResult:
    """What one refresh produced: every known row, which ones changed, and what failed."""

    rows: dict[JobKey, RunRow]
    changed: set[JobKey]
    removed: set[JobKey]
    errors: list[Exception]
    started_at: float
    finished_at: float
    generation: int
    # Jobs whose name cannot be sent (no UTF-8 form): reported on their own row, not as a refresh failure.
    unsendable: dict[JobKey, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class RefreshScheduler:
    """Holds the watched jobs, the latest rows and the health of the last refreshes."""

    client: Any
    interval: float = 5.0
    clock: Callable[[], float] = time.time
    chunk_size: int = CHUNK_SIZE
    concurrency: int = CONCURRENCY
    paused: bool = False
    rows: dict[JobKey, RunRow] = field(default_factory=dict)
    last_success_at: float | None = None
    last_attempt_at: float | None = None
    last_error: Exception | None = None
    consecutive_failures: int = 0
    generation: int = 0
    running: bool = False
    start_times: dict[int, int] = field(default_factory=dict)  # instance id -> epoch ms
    # Throttling: the calls in flight at most right now (halved on each throttled refresh, back up by one
    # per clean refresh) and how many refreshes in a row were throttled (each doubles the wait).
    current_concurrency: int = 0
    throttled_refreshes: int = 0
    _watched: dict[JobKey, WatchedJob] = field(default_factory=dict)
    # Derived from the watched jobs, kept until they change: the calls per chunk size, the unsendable names.
    _batches: tuple[int, list[tuple[str, str, list[str]]]] | None = None
    _unsendable: dict[JobKey, str] = field(default_factory=dict)
    # The last refresh's rows by the summary they came from, per (project, job type): a summary equal to last
    # time's (most of them, every refresh) gives the same row, without converting its fields again.
    _row_cache: dict[tuple[str, str], dict[LeanRunSummary, RunRow]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.current_concurrency = self.current_concurrency or self.concurrency

    @property
    def next_interval(self) -> float:
        """Seconds until the next refresh: the interval, doubled per throttled refresh in a row (capped)."""
        if not self.throttled_refreshes:
            return self.interval
        return min(max(self.interval, MAX_BACKOFF_INTERVAL), self.interval * 2 ** self.throttled_refreshes)

    # --- what to watch ----------------------------------------------------------------------------

    def watch(self, jobs: Iterable[WatchedJob]) -> bool:
        """Set the watched jobs; returns True when the set changed (the caller may refresh at once)."""
        watched = {(p, j): (p, j, t.upper()) for p, j, t in jobs}
        changed = watched.keys() != self._watched.keys()
        self._watched = watched
        self._batches = None
        self._unsendable = {key: reason for key, (_, job, _) in watched.items()
                            if (reason := unsendable_reason(job)) is not None}
        for key in [k for k in self.rows if k not in watched]:
            del self.rows[key]
        return changed

    @property
    def watched(self) -> list[WatchedJob]:
        return list(self._watched.values())

    def batches(self) -> list[tuple[str, str, list[str]]]:
        """(project, job type, names) per call: the API needs one project and one jobType per call."""
        if self._batches is None or self._batches[0] != self.chunk_size:
            self._batches = (self.chunk_size, self._chunk())
        return list(self._batches[1])

    def _chunk(self) -> list[tuple[str, str, list[str]]]:
        groups: dict[tuple[str, str], list[str]] = {}
        unsendable = self._unsendable
        for key, (project, job, job_type) in self._watched.items():
            if key not in unsendable:  # one bad name must not fail its whole chunk
                groups.setdefault((project, job_type), []).append(job)
        out = []
        for (project, job_type), names in sorted(groups.items()):
            chunk: list[str] = []
            length = -_COMMA  # n names take n - 1 commas
            for name in names:
                size = quoted_length(name) + _COMMA
                if chunk and (len(chunk) >= self.chunk_size or length + size > NAMES_BUDGET):
                    out.append((project, job_type, chunk))
                    chunk, length = [], -_COMMA
                chunk.append(name)
                length += size
            if chunk:
                out.append((project, job_type, chunk))
        return out

    # --- start times: the run summary has none, ListInstance has ----------------------------------

    async def _fill_start_times(self, fresh: dict[JobKey, RunRow]) -> bool:
        """Look up the start time of instances seen for the first time (cached by instance id).

        Returns whether anything was looked up (most refreshes see no new instance)."""
        unknown: dict[tuple[str, str], dict[int, str]] = {}
        for row in fresh.values():
            if row.instance_id and row.start_time is None and row.instance_id not in self.start_times:
                unknown.setdefault((row.project, row.job_type), {})[row.instance_id] = row.job_name
        if not unknown:
            return False
        limit = asyncio.Semaphore(self.concurrency)

        async def per_job(project: str, job_type: str, job: str, wanted: set[int]) -> None:
            async with limit:
                page = await self.client.list_instance(project, job_type, job_name=job, page_size=20)
            self._remember(page.items, wanted)

        async def per_project(project: str, job_type: str, wanted: set[int]) -> None:
            seen = 0
            async for item in self.client.iter_list_instance(project, job_type, is_archived=False, page_size=100):
                self._remember([item], wanted)
                seen += 1
                if not wanted or seen > MAX_INSTANCE_LOOKUPS:
                    return

        calls = []
        for (project, job_type), ids in unknown.items():
            if len(ids) <= PER_JOB_LOOKUP_LIMIT:  # a few restarts: ask per job
                calls += [per_job(project, job_type, job, set(ids)) for job in set(ids.values())]
            else:  # the first refresh of a big project: one paged listing
                calls.append(per_project(project, job_type, set(ids)))
        for ids in unknown.values():
            for inst_id in ids:
                self.start_times.setdefault(inst_id, 0)  # 0 = looked up, not found: do not ask every refresh
        # A missing start time only blanks the uptime column: not worth a notification or a stale warning.
        await asyncio.gather(*calls, return_exceptions=True)
        return True

    def _remember(self, instances: Iterable[Any], wanted: set[int]) -> None:
        for inst in instances:
            inst_id, start = _int(getattr(inst, "id", None)), _int(getattr(inst, "start_time", None))
            if inst_id is not None and start:
                self.start_times[inst_id] = start
                wanted.discard(inst_id)

    # --- health -----------------------------------------------------------------------------------

    def stale_seconds(self, now: float | None = None) -> float | None:
        """Seconds since the last good refresh while refreshes fail; None when the data is fresh."""
        if self.consecutive_failures == 0:
            return None
        now = self.clock() if now is None else now
        since = self.last_success_at if self.last_success_at is not None else self.last_attempt_at
        return max(0.0, now - since) if since is not None else 0.0

    # --- the refresh ------------------------------------------------------------------------------

    async def refresh_once(self) -> RefreshResult:
        """Fetch every watched job's run summary (bounded concurrency) and diff against the last rows."""
        self.running = True
        started = self.clock()
        self.last_attempt_at = started
        watched = dict(self._watched)
        limit = asyncio.Semaphore(max(1, min(self.current_concurrency, self.concurrency)))
        throttled: list[ThrottledError] = []
        errors: list[Exception] = []
        fresh: dict[JobKey, RunRow] = {}
        answered: set[JobKey] = set()
        unsendable = self._unsendable
        row_cache, next_cache = self._row_cache, {}

        lean = getattr(self.client, "run_summaries", None)  # FoasClient's lean parse; fakes have the typed call
        from foas_tui.api.run_summaries import LeanRunSummary  # loaded with the first refresh, not at startup

        async def fetch(project: str, job_type: str, names: list[str]) -> Iterable[Any]:
            if lean is not None:
                return await lean(project, names, job_type)
            return (await self.client.batch_get_instance_run_summary(project, names, job_type)).run_summaries

        async def one(project: str, job_type: str, names: Sequence[str], splits: int = 0) -> bool:
            async with limit:
                if throttled:  # the service said slow down: the calls not sent yet wait for a later refresh
                    errors.append(throttled[0])
                    return False
                try:
                    summaries = await fetch(project, job_type, list(names))
                except Exception as err:  # a failed chunk keeps its old rows; the others still update
                    failure: Exception | None = err
                    if isinstance(err, ThrottledError):
                        throttled.append(err)
                else:
                    failure = None
            if failure is not None:
                if splits >= MAX_SPLITS or not _too_large(failure, names):
                    errors.append(failure)
                    return False
                half = len(names) // 2
                done = await asyncio.gather(one(project, job_type, names[:half], splits + 1),
                                            one(project, job_type, names[half:], splits + 1))
                if any(done):  # smaller worked: it was the size, so ask for no more from now on
                    log.info("BatchGetInstanceRunSummary refused %d names (%s); asking for %d at a time",
                             len(names), getattr(failure, "code", failure), half)
                    self.chunk_size = min(self.chunk_size, half)
                return all(done)
            answered.update(zip(repeat(project), names))
            start_times = self.start_times
            group = (project, job_type)
            cached = row_cache.get(group, {})
            kept = next_cache.setdefault(group, {})
            for summary in summaries:
                if type(summary) is LeanRunSummary:  # hashable; fakes in tests give other objects
                    row = cached.get(summary)
                    # The same summary gives the same row, unless its instance's start time was learnt since
                    # (a start time, once known, does not change).
                    if row is None or (row.start_time is None and row.instance_id is not None
                                       and start_times.get(row.instance_id)):
                        row = _row(project, job_type, summary, start_times)
                    key = (project, row.job_name)
                    if key in watched:
                        fresh[key] = row
                        kept[summary] = row
                else:  # a client without the lean parse (tests' fakes): plain objects
                    row = _row(project, job_type, summary, start_times)
                    if row.key in watched:
                        fresh[row.key] = row
            return True

        try:
            # Largest calls first: the service answers them first, and the last answer to parse is a small one.
            calls = sorted(self.batches(), key=lambda batch: -len(batch[2]))
            await asyncio.gather(*(one(p, t, names) for p, t, names in calls))
            looked_up = await self._fill_start_times(fresh)
        finally:
            self.running = False
        if looked_up:  # new start times: the rows built before they came get them
            for key, row in fresh.items():
                if row.instance_id is not None and row.start_time is None and self.start_times.get(row.instance_id):
                    fresh[key] = replace(row, start_time=self.start_times[row.instance_id])
        self._row_cache = next_cache  # holds this refresh's summaries only: no growth, no stale rows
        changed: set[JobKey] = set()
        for key, (project, job, job_type) in watched.items():
            row = fresh.get(key)
            if row is None:
                if key in answered:
                    row = RunRow(project, job, job_type)  # no instance: never started or offline
                elif key in unsendable:
                    row = RunRow(project, job, job_type, last_error_message=unsendable[key])
                elif key in self.rows:
                    continue  # its chunk failed: keep what we had
                else:
                    row = RunRow(project, job, job_type)
            old = self.rows.get(key)
            if old is not row:
                if old != row:
                    changed.add(key)
                self.rows[key] = row  # even when equal: the row cache hands out this object, `is` is enough next time
        removed = {k for k in self.rows if k not in self._watched}
        for key in removed:
            del self.rows[key]
        finished = self.clock()
        if throttled:  # back off at once: fewer calls at a time, and a longer wait before the next refresh
            self.throttled_refreshes += 1
            self.current_concurrency = max(1, min(self.current_concurrency, self.concurrency) // 2)
            log.warning("the service throttles (%s): %d call(s) at a time, next refresh in %.0f s",
                        throttled[0].code, self.current_concurrency, self.next_interval)
        elif not errors:
            self.throttled_refreshes = 0
            self.current_concurrency = min(self.concurrency, self.current_concurrency + 1)
        if errors:
            self.consecutive_failures += 1
            self.last_error = errors[0]
        else:
            self.consecutive_failures = 0
            self.last_error = None
            self.last_success_at = finished
        self.generation += 1
        return RefreshResult(dict(self.rows), changed, removed, errors, started, finished, self.generation,
                             unsendable)


def unsendable_reason(job_name: str) -> str | None:
    """Why this job name cannot be put in a request (a lone surrogate has no UTF-8 form), or None."""
    try:
        job_name.encode("utf-8")
    except UnicodeEncodeError as exc:
        return (f"foas-tui cannot ask the service about this job: character {exc.start + 1} of its name is not "
                "valid Unicode text (e.g. from invalid UTF-8); the other jobs refresh normally")
    return None


def _too_large(err: Exception, names: Sequence[str]) -> bool:
    """A refusal that may mean "too many names": 400/413/414 on a call big enough to split."""
    return (len(names) >= MIN_SPLIT and isinstance(err, FoasError) and err.status in (400, 413, 414)
            and not isinstance(err, AuthError))


def _int(value: Any) -> int | None:
    """A whole number as the models read one (`models.lenient._to_int`, the one rule for both). Loaded on the
    first use: the models (pydantic) come with the first answer, not before the first frame."""
    from foas_tui.api.models.lenient import _to_int

    return _to_int(value)


def _text(value: Any) -> str:
    """A field as text: a number the lean parse kept as it came (0 included) reads as the models give it."""
    return "" if value is None else str(value)


def _row(project: str, job_type: str, summary: Any, start_times: dict[int, int]) -> RunRow:
    """A run summary (models.RunSummary) as a row; the start time comes from the ListInstance cache.

    Declared fields are read directly: a getattr miss on a pydantic model costs an exception, and this runs
    once per job per refresh (1,000 jobs every few seconds).
    """
    instance_id = _int(summary.id)
    return RunRow(
        project=project,
        job_name=str(summary.job_name),
        job_type=job_type,
        expect_state=_text(summary.expect_state).upper(),
        actual_state=_text(summary.actual_state).upper(),
        instance_id=instance_id,
        start_time=start_times.get(instance_id) or None if instance_id is not None else None,
        input_delay=_int(summary.input_delay),
        last_error_message=_text(summary.last_error_message),
        last_error_time=_int(summary.last_error_time),
        engine_job_handler=_text(summary.engine_job_handler),
    )
