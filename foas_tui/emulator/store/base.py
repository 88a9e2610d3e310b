"""The store's core: clock, ids, lookups and folders. The other parts of the store are mixins over it."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from foas_tui.emulator.clock import Clock, SystemClock, now_ms
from foas_tui.emulator.store.records import (
    _ALNUM,
    Cluster,
    Folder,
    Instance,
    Job,
    Package,
    Project,
    Queue,
    bad_request,
    conflict,
    normalize_folder_path,
    not_found,
    parent_path,
)


@dataclass(slots=True)
class PlanSession:
    session_id: str
    project: str
    job_name: str
    created_ms: int
    expected_core: float | None
    expected_gb: float | None


@dataclass(slots=True)
class Tag:
    resource_type: str
    resource_id: str
    key: str
    value: str




class StoreBase:
    """All state of one emulated foas service. Every method takes the current time from the clock."""

    def __init__(self, *, clock: Clock | None = None, seed: int = 7, step_seconds: float = 3.0,
                 region_id: str = "cn-hangzhou") -> None:
        self.clock = clock or SystemClock()
        self.seed = seed
        self.step_ms = int(step_seconds * 1000)
        self.region_id = region_id
        self.rng = random.Random(seed)
        # The real service documents no cap on BatchGetInstanceRunSummary's jobNames; tests set one here to
        # check that the client copes with a service that has one (a 400 InvalidParameter.JobNames).
        self.max_run_summary_names: int | None = None
        self.projects: dict[str, Project] = {}
        self.clusters: dict[str, Cluster] = {}
        self.instances: dict[int, Instance] = {}
        self.folders_by_id: dict[int, tuple[str, Folder]] = {}
        self.plan_sessions: dict[str, PlanSession] = {}
        self.orders: dict[str, dict[str, Any]] = {}
        self.tags: list[Tag] = []
        self._next_instance = 400_000
        self._next_folder = 20_000
        self._next_file = 70_000

    # --- clock and ids ----------------------------------------------------------------------------

    def now(self) -> int:
        return now_ms(self.clock)

    def random_id(self, n: int = 24) -> str:
        """A lower-case alphanumeric id like the service's 24-character ones."""
        return "".join(self.rng.choices(_ALNUM, k=n))

    def new_instance_id(self) -> int:
        self._next_instance += 1
        return self._next_instance

    def new_folder_id(self) -> int:
        self._next_folder += 1
        return self._next_folder

    # --- lookups ----------------------------------------------------------------------------------

    def project(self, name: str) -> Project:
        project = self.projects.get(name)
        if project is None:
            raise not_found("ProjectNotFound", f"The project {name!r} does not exist.")
        return project

    def job(self, project_name: str, job_name: str) -> Job:
        job = self.project(project_name).jobs.get(job_name)
        if job is None:
            raise not_found("JobNotFound", f"The job {job_name!r} does not exist in project {project_name!r}.")
        return job

    def cluster(self, cluster_id: str) -> Cluster:
        cluster = self.clusters.get(cluster_id)
        if cluster is None:
            raise not_found("ClusterNotFound", f"The cluster {cluster_id!r} does not exist.")
        cluster.refresh(self.now())
        return cluster

    def queue(self, cluster_id: str, queue_name: str) -> Queue:
        queue = self.cluster(cluster_id).queues.get(queue_name)
        if queue is None:
            raise not_found("QueueNotFound", f"The queue {queue_name!r} does not exist on cluster {cluster_id!r}.")
        return queue

    def package(self, project_name: str, package_name: str) -> Package:
        package = self.project(project_name).packages.get(package_name)
        if package is None:
            raise not_found(
                "PackageNotFound", f"The package {package_name!r} does not exist in project {project_name!r}.")
        return package

    def folder(self, project_name: str, path: str) -> Folder:
        project = self.project(project_name)
        folder = project.folders.get(normalize_folder_path(path))
        if folder is None:
            raise not_found("FolderNotFound", f"The folder {path!r} does not exist in project {project_name!r}.")
        return folder

    def folder_by_id(self, project_name: str, folder_id: int) -> Folder:
        entry = self.folders_by_id.get(folder_id)
        if entry is None or entry[0] != project_name:
            raise not_found("FolderNotFound", f"The folder id {folder_id} does not exist in project {project_name!r}.")
        return entry[1]

    def instance(self, project_name: str, job_name: str, instance_id: int) -> Instance:
        """`instance_id` -1 is the job's current instance."""
        job = self.job(project_name, job_name)
        if instance_id == -1:
            if job.current is None:
                raise not_found("InstanceNotFound", f"The job {job_name!r} has no instance; start it first.")
            return job.current
        inst = self.instances.get(instance_id)
        if inst is None or inst.project != project_name or inst.job_name != job_name:
            raise not_found("InstanceNotFound", f"The instance {instance_id} of job {job_name!r} does not exist.")
        return inst

    def active_instance(self, job: Job, now: int | None = None) -> Instance | None:
        inst = job.current
        if inst is None:
            return None
        return None if inst.phase(self.now() if now is None else now).final else inst

    # --- folders ----------------------------------------------------------------------------------

    def add_folder(self, project: Project, path: str, folder_id: int | None = None) -> Folder:
        folder = Folder(folder_id if folder_id is not None else self.new_folder_id(), path)
        self._next_folder = max(self._next_folder, folder.folder_id)
        project.folders[path] = folder
        self.folders_by_id[folder.folder_id] = (project.name, folder)
        return folder

    def ensure_folder(self, project: Project, path: str) -> Folder:
        """mkdir -p (used when loading demo data)."""
        path = normalize_folder_path(path)
        folder = project.folders.get(path)
        if folder is not None:
            return folder
        if path != "/":
            self.ensure_folder(project, parent_path(path))
        return self.add_folder(project, path)

    def create_folder(self, project_name: str, path: str) -> Folder:
        project = self.project(project_name)
        path = normalize_folder_path(path)
        if path in project.folders:
            raise conflict("FolderAlreadyExists", f"The folder {path!r} already exists.")
        if parent_path(path) not in project.folders:
            raise not_found("FolderNotFound", f"The parent folder {parent_path(path)!r} of {path!r} does not exist.")
        return self.add_folder(project, path)

    def child_folders(self, project: Project, path: str) -> list[Folder]:
        prefix = path.rstrip("/") + "/"
        return [f for p, f in project.folders.items() if p != path and p.startswith(prefix)
                and "/" not in p[len(prefix):]]

    def delete_folder(self, project_name: str, path: str) -> None:
        project = self.project(project_name)
        folder = self.folder(project_name, path)
        if folder.path == "/":
            raise bad_request("The root folder '/' cannot be deleted.", "InvalidParameter.Path")
        if self.child_folders(project, folder.path):
            raise conflict("FolderNotEmpty", f"The folder {folder.path!r} has subfolders; only empty folders "
                           "can be deleted.")
        jobs = [j.name for j in project.jobs.values() if j.folder_id == folder.folder_id]
        if jobs:
            raise conflict("FolderNotEmpty", f"The folder {folder.path!r} still holds {len(jobs)} job(s) "
                           f"(e.g. {jobs[0]!r}); only empty folders can be deleted.")
        del project.folders[folder.path]
        self.folders_by_id.pop(folder.folder_id, None)

    def move_folder(self, project_name: str, src: str, dest: str) -> None:
        project = self.project(project_name)
        folder = self.folder(project_name, src)
        dest = normalize_folder_path(dest)
        if folder.path == "/":
            raise bad_request("The root folder '/' cannot be moved.", "InvalidParameter.Path")
        if dest == folder.path:
            return
        if dest in project.folders:
            raise conflict("FolderAlreadyExists", f"The destination folder {dest!r} already exists.")
        if dest.startswith(folder.path + "/"):
            raise bad_request(f"A folder cannot be moved into itself ({folder.path!r} -> {dest!r}).",
                              "InvalidParameter.Path")
        if parent_path(dest) not in project.folders:
            raise not_found("FolderNotFound", f"The parent folder {parent_path(dest)!r} of {dest!r} does not exist.")
        prefix = folder.path
        moved = [(p, f) for p, f in project.folders.items() if p == prefix or p.startswith(prefix + "/")]
        for path, _ in moved:
            del project.folders[path]
        for path, f in moved:
            f.path = dest + path[len(prefix):]
            project.folders[f.path] = f

    # --- jobs -------------------------------------------------------------------------------------
