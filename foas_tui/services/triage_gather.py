"""TriageGatherer: fetch what the triage board needs with bounded concurrency and keep each refresh cheap.

Run summaries for every job of every project in chunks, then checkpoints/exceptions only for suspicious
jobs (and a small rotating sample of healthy ones); `services.triage` scores and ranks the result.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from foas_tui.services.flink_payloads import CheckpointReport, ExceptionReport, read_checkpoints, read_exceptions
from foas_tui.services.refresh import unsendable_reason
from foas_tui.services.triage import JobHealth, RunSummary, Thresholds, Weights, assess, is_suspicious, rank

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient

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
        profile: str = "",
        region: str = "",
        deep: dict[tuple[str, str], DeepResult] | None = None,
    ) -> None:
        self.client = client
        self.profile = profile
        self.region = region
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
            out = [RunSummary.from_model(project, item, job_type) for item in response.run_summaries]
            for summary in out:
                summary.profile, summary.region = self.profile, self.region
            return out

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


# --- several profiles (regions, accounts) on one board ---------------------------------------------------


@dataclass(slots=True)
class TriageScope:
    """One account and region to scan: the profile's name, its region and a client for it."""

    profile: str
    region: str
    client: FoasClient


@dataclass(slots=True)
class ScopeResult:
    """What one scope's scan gave (for the headless report): counts, or the error that stopped it."""

    profile: str
    region: str
    projects: int = 0
    jobs: int = 0
    deep_checked: int = 0
    errors: list[str] = field(default_factory=list)
    failed: str | None = None  # the scan of this scope failed as a whole (e.g. ListProject refused)


@dataclass(slots=True)
class MergedReport(TriageReport):
    scopes: list[ScopeResult] = field(default_factory=list)


class MultiGatherer:
    """Scans several scopes at once (one TriageGatherer each) and merges them into one ranked report.

    A scope that fails as a whole (bad credentials, an unreachable endpoint) is an error line of the report
    labelled with its profile; the other scopes still count. Raises only when every scope failed.
    """

    def __init__(self, scopes: Sequence[TriageScope], *, shared_deep: tuple[Any, dict] | None = None,
                 **gatherer_options: Any) -> None:
        """`shared_deep`: (client, deep results) of the app's HealthBook: the scope scanned with that client
        reads and fills the book's deep results, so the live table counts what the board found."""
        if not scopes:
            raise ValueError("no profile to scan")
        self.scopes = list(scopes)
        self.labelled = len(self.scopes) > 1
        self.gatherers = [
            TriageGatherer(scope.client, profile=scope.profile, region=scope.region,
                           deep=shared_deep[1] if shared_deep is not None and scope.client is shared_deep[0] else None,
                           **gatherer_options)
            for scope in self.scopes
        ]

    async def gather(self) -> MergedReport:
        results = await asyncio.gather(*(g.gather() for g in self.gatherers), return_exceptions=True)
        rows: list[JobHealth] = []
        errors: list[str] = []
        scopes: list[ScopeResult] = []
        projects = jobs = deep = 0
        generated = 0.0
        failures: list[BaseException] = []
        for scope, result in zip(self.scopes, results, strict=True):
            label = f"{scope.profile} ({scope.region}): " if self.labelled else ""
            if isinstance(result, BaseException):
                if not isinstance(result, Exception):
                    raise result  # cancellation and the like are not a scope's failure
                failures.append(result)
                text = _describe(result)
                errors.append(f"{label}scan failed: {text}")
                scopes.append(ScopeResult(scope.profile, scope.region, failed=text))
                continue
            rows.extend(result.rows)
            errors.extend(f"{label}{error}" for error in result.errors)
            projects += result.projects
            jobs += result.jobs
            deep += result.deep_checked
            generated = max(generated, result.generated_ms)
            scopes.append(ScopeResult(scope.profile, scope.region, result.projects, result.jobs,
                                      result.deep_checked, list(result.errors)))
        if len(failures) == len(self.scopes):
            raise failures[0]
        return MergedReport(rank(rows), projects, jobs, deep, errors, generated, scopes)
