"""Session: the client, config and identity of one run of the app, plus the browse use cases the tree needs.

Widgets call these methods inside workers; nothing here knows about Textual.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from foas_tui.services.call_log import CallLog

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient
    from foas_tui.config import AppConfig

ROOT = "/"


@dataclass(frozen=True, slots=True)
class ProjectInfo:
    name: str
    region: str = ""
    state: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class FolderInfo:
    project: str
    path: str
    folder_id: int | None

    @property
    def name(self) -> str:
        return self.path.rstrip("/").rsplit("/", 1)[-1] or "/"


@dataclass(frozen=True, slots=True)
class JobInfo:
    """A job as the tree and the live table list it (no code, no plan)."""

    project: str
    job_name: str
    job_type: str
    folder_id: int | None = None
    folder_path: str = ROOT
    api_type: str = ""
    engine_version: str = ""
    queue_name: str = ""
    description: str = ""

    @property
    def key(self) -> tuple[str, str]:
        return (self.project, self.job_name)


@dataclass(slots=True)
class FolderContents:
    """The children of one folder: sub-folders (direct only) and the jobs filed directly in it."""

    folder: FolderInfo
    folders: list[FolderInfo]
    jobs: list[JobInfo]


def parent_path(path: str) -> str:
    stripped = path.rstrip("/")
    if not stripped:
        return ROOT
    parent = stripped.rsplit("/", 1)[0]
    return parent or ROOT


def job_info(project: str, job: Any, folder_path: str = ROOT) -> JobInfo:
    return JobInfo(
        project=getattr(job, "project_name", None) or project,
        job_name=job.job_name,
        job_type=(getattr(job, "job_type", None) or "FLINK_STREAM").upper(),
        folder_id=getattr(job, "folder_id", None),
        folder_path=folder_path,
        api_type=getattr(job, "api_type", None) or "",
        engine_version=getattr(job, "engine_version", None) or "",
        queue_name=getattr(job, "queue_name", None) or "",
        description=getattr(job, "description", None) or "",
    )


@dataclass
class Session:
    """Everything a screen needs to talk to one account: client, settings, who and where."""

    client: FoasClient
    config: AppConfig
    profile_name: str
    region_id: str
    endpoint: str
    read_only: bool
    call_log: CallLog
    demo: bool = False
    emulator: Any = None
    config_error: str | None = None  # a malformed config file: shown once as a notification
    notes: list[str] = field(default_factory=list)  # other start-up warnings (e.g. from the credentials)
    # `--profile a,b`: every profile the triage board merges (services.triage_gather.TriageScope), this
    # session's first; empty = this session's profile only.
    triage_scopes: list[Any] = field(default_factory=list)
    credential_source: str = ""  # "profile:<name>" | "env" | "flags" ("" for the demo): what `:region` re-reads
    _root_ids: dict[str, int | None] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.call_log.attach(self.client)

    @property
    def profile_color(self) -> str | None:
        """The color the config gives this profile (e.g. `prod = "red"`), if any."""
        return self.config.profile_colors.get(self.profile_name)

    async def aclose(self) -> None:
        await self.client.aclose()
        for scope in self.triage_scopes:
            if scope.client is not self.client:
                await scope.client.aclose()

    # --- browsing ---------------------------------------------------------------------------------

    async def list_projects(self) -> list[ProjectInfo]:
        projects: list[ProjectInfo] = []
        async for item in self.client.iter_list_project(page_size=100):
            if not item.name:
                continue
            projects.append(ProjectInfo(
                name=item.name, region=getattr(item, "region", None) or "",
                state=getattr(item, "state", None) or "", description=getattr(item, "description", None) or "",
            ))
        return projects

    async def root_folder_id(self, project: str) -> int | None:
        """The id of `/` (ListJob files root jobs under it); cached, None if the service has none."""
        if project not in self._root_ids:
            response = await self.client.get_folder(project, ROOT)
            folder = getattr(response, "folder", None)
            self._root_ids[project] = getattr(folder, "folder_id", None) if folder is not None else None
        return self._root_ids[project]

    async def folder_contents(self, project: str, path: str = ROOT, folder_id: int | None = None) -> FolderContents:
        """Direct sub-folders (ListChildFolder) and jobs (ListJob by folderId) of one folder, fetched together."""
        if folder_id is None and path == ROOT:
            folder_id = await self.root_folder_id(project)
        folders_call = self.client.list_child_folder(project, path)
        jobs_call = self._folder_jobs(project, folder_id, path)
        folders_response, jobs = await asyncio.gather(folders_call, jobs_call)
        prefix = path.rstrip("/") + "/"
        folders = []
        for item in folders_response.folders:
            child = item.path
            if not child:
                continue  # a folder without a path cannot be shown or addressed
            # The doc leaves open whether the whole subtree comes back: keep direct children only.
            if child.startswith(prefix) and "/" not in child[len(prefix):].strip("/") and child != path:
                folders.append(FolderInfo(project, child, getattr(item, "folder_id", None)))
        folders.sort(key=lambda f: f.path.lower())
        return FolderContents(FolderInfo(project, path, folder_id), folders, jobs)

    async def _folder_jobs(self, project: str, folder_id: int | None, path: str) -> list[JobInfo]:
        if folder_id is None:
            return []
        jobs = [
            job_info(project, job, path)
            async for job in self.client.iter_list_job(project, folder_id=folder_id, is_show_full_field=False,
                                                       page_size=100)
            if job.job_name  # a job without a name cannot be addressed by any call
        ]
        jobs.sort(key=lambda j: j.job_name.lower())
        return jobs

    async def project_jobs(self, project: str) -> list[JobInfo]:
        """Every job of a project (the live table's scope when a project is selected)."""
        jobs = [
            job_info(project, job)
            async for job in self.client.iter_list_job(project, is_show_full_field=False, page_size=100)
            if job.job_name
        ]
        jobs.sort(key=lambda j: j.job_name.lower())
        return jobs

    async def find_jobs(self, query: str, projects: list[str], *, limit: int = 20,
                        concurrency: int = 4) -> tuple[list[JobInfo], list[str]]:
        """Jobs whose name contains `query`, asked of the service (ListJob jobName=...) in each project.

        For the palette: jobs in folders nobody opened yet are not loaded. The reference does not say whether
        ListJob's jobName filters exactly or by substring, so the names are matched here again (case
        insensitive substring). Returns (jobs, one line per project that failed)."""
        needle = query.strip().lower()
        gate = asyncio.Semaphore(max(1, concurrency))

        async def one(project: str) -> list[JobInfo]:
            async with gate:
                response = await self.client.list_job(project, job_name=query.strip(), is_show_full_field=False,
                                                      page_size=limit)
            return [job_info(project, item) for item in response.items
                    if item.job_name and needle in item.job_name.lower()]

        results = await asyncio.gather(*(one(p) for p in projects), return_exceptions=True)
        jobs: list[JobInfo] = []
        failed: list[str] = []
        for project, result in zip(projects, results, strict=True):
            if isinstance(result, BaseException):
                failed.append(f"{project}: {getattr(result, 'code', type(result).__name__)}")
            else:
                jobs.extend(result)
        return jobs, failed
