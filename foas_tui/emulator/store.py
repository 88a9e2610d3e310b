"""The emulator's in-memory state (projects, folders, jobs, instances, packages, queues, clusters, tags).

Instance states are derived lazily from the clock and a few regimes per instance, so a fake clock works.
"""

from __future__ import annotations

import json
import math
import random
import re
import string
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from foas_tui.emulator import runtime
from foas_tui.emulator.clock import Clock, SystemClock, now_ms

STREAM = "FLINK_STREAM"
BATCH = "FLINK_BATCH"
JOB_TYPES = (STREAM, BATCH)
API_TYPES = ("SQL", "DATASTREAM")
PACKAGE_TYPES = ("JAR", "FILE", "SCRIPT", "PYTHON")

WAITING, RUNNING, PAUSED, TERMINATED = "WAITING", "RUNNING", "PAUSED", "TERMINATED"
SUCCESS, FAILED, UNKNOWN = "SUCCESS", "FAILED", "UNKNOWN"
RUN = "RUN"  # regime kind: the job runs (the scenario decides RUNNING / FAILED / batch end)

SCENARIOS = (
    "running", "failing", "restarting", "paused", "stopped", "never_started", "starting",
    "batch_success", "batch_failed", "lagging", "checkpoint_failing",
)
CURRENT_ENGINE = "blink-3.4.4"
BETA_ENGINE = "blink-3.5.0-hotfix"
ENGINE_VERSIONS = ("current--blink-3.4.4", "beta--blink-3.5.0-hotfix", "blink-3.3.0", "blink-3.2.3",
                   "blink-2.2.7")
ACCOUNT_ID = "1709064687573327"
MODEL_RE = re.compile(r"^Ecs_(\d+)c(\d+)g$")
BATCH_ARCHIVE_MS = 2 * 24 * 3600 * 1000
_ALNUM = string.ascii_lowercase + string.digits

_FAILURE_MESSAGES = (
    "java.lang.RuntimeException: Failed to fetch records from DataHub shard 3: ReadTimeout",
    "org.apache.flink.runtime.io.network.netty.exception.RemoteTransportException: "
    "Connection unexpectedly closed by remote task manager",
    "java.lang.OutOfMemoryError: Java heap space",
    "com.alibaba.blink.streaming.connectors.common.exception.ErrorUtils$ConnectorException: "
    "Write to RDS sink failed: Communications link failure",
)


class ApiError(Exception):
    """An error the service answers with: HTTP status, error code, message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code, message)
        self.status = status
        self.code = code
        self.message = message


def bad_request(message: str, code: str = "InvalidParameter") -> ApiError:
    return ApiError(400, code, message)


def not_found(code: str, message: str) -> ApiError:
    return ApiError(404, code, message)


def conflict(code: str, message: str) -> ApiError:
    return ApiError(409, code, message)


# --- records --------------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class Folder:
    folder_id: int
    path: str


@dataclass(slots=True, eq=False)
class Package:
    project: str
    name: str
    type: str
    oss_path: str
    oss_bucket: str = ""
    oss_endpoint: str = ""
    oss_owner: str = ""
    origin_name: str = ""
    description: str = ""
    md5: str = ""
    tag: str = ""
    creator: str = ACCOUNT_ID
    modifier: str = ACCOUNT_ID
    create_ms: int = 0
    modify_ms: int = 0


@dataclass(slots=True, eq=False)
class Queue:
    cluster_id: str
    name: str
    max_vcore: int
    max_mem_mb: int
    gpu: int = 0
    projects: list[str] = field(default_factory=list)  # bound projects (BindQueue allows one; demo data more)


@dataclass(slots=True, eq=False)
class Cluster:
    cluster_id: str
    display_name: str
    description: str = ""
    region_id: str = "cn-hangzhou"
    zone_id: str = "cn-hangzhou-f"
    state: str = "RUNNING"
    owner_id: str = ACCOUNT_ID
    operator: str = ACCOUNT_ID
    create_ms: int = 0
    modify_ms: int = 0
    user_vpc_id: str = "vpc-bp1emulator0000000000"
    user_vswitch: str = "vsw-bp1emulator0000000000"
    user_oss_bucket: str = "foas-emulator-bucket"
    user_sg_id: str = ""
    user_oss_info: dict[str, Any] = field(default_factory=dict)
    storage_type: str = "HDFS"
    is_mix_deploy: bool = False
    fixed_vcore: int = 0  # capacity given by demo data (the larger of this and the machines' counts)
    fixed_mem_mb: int = 0
    pay_model: str = "post"
    master_model: str = "Ecs_4c16g"
    master_count: int = 3
    slave_model: str = "Ecs_8c32g"
    slave_count: int = 3
    slave_ids: list[str] = field(default_factory=list)
    master_ids: list[str] = field(default_factory=list)
    queues: dict[str, Queue] = field(default_factory=dict)
    engine_versions: tuple[str, ...] = ENGINE_VERSIONS
    busy_until_ms: int | None = None  # an asynchronous change in progress
    busy_after: dict[str, Any] = field(default_factory=dict)

    def refresh(self, now: int) -> None:
        if self.busy_until_ms is not None and now >= self.busy_until_ms:
            for key, value in self.busy_after.items():
                setattr(self, key, value)
            self.state = self.busy_after.get("state", "RUNNING")
            self.modify_ms = self.busy_until_ms
            self.busy_until_ms = None
            self.busy_after = {}

    def start_change(self, during: str, now: int, duration_ms: int, **after: Any) -> None:
        """Enter state `during` now; after `duration_ms` apply `after` (state defaults to RUNNING)."""
        self.state = during
        self.modify_ms = now
        self.busy_until_ms = now + duration_ms
        self.busy_after = {"state": "RUNNING", **after}

    @property
    def total_vcore(self) -> int:
        return max(self.fixed_vcore, self.slave_count * model_cores(self.slave_model) * 100)

    @property
    def total_mem_mb(self) -> int:
        return max(self.fixed_mem_mb, self.slave_count * model_mem_gb(self.slave_model) * 1024)

    def resolve_engine(self, version: str | None) -> str:
        """'current' / 'beta' / nothing -> the concrete version this cluster maps it to."""
        alias = (version or "current").lower()
        if alias in ("current", "beta"):
            for entry in self.engine_versions:
                name, sep, concrete = entry.partition("--")
                if sep and name.lower() == alias:
                    return concrete
            return CURRENT_ENGINE if alias == "current" else BETA_ENGINE
        return version or CURRENT_ENGINE


@dataclass(slots=True, eq=False)
class Project:
    name: str
    project_id: str
    deploy_type: str = "CELL"
    cluster_id: str = ""
    region: str = "cn-hangzhou"
    description: str = ""
    manager_ids: str = ACCOUNT_ID
    state: str = "ENABLE"
    creator: str = ACCOUNT_ID
    modifier: str = ACCOUNT_ID
    create_ms: int = 0
    modify_ms: int = 0
    global_job_config: str = ""
    open_batch_sql: bool = False
    folders: dict[str, Folder] = field(default_factory=dict)  # path -> folder
    jobs: dict[str, Job] = field(default_factory=dict)
    packages: dict[str, Package] = field(default_factory=dict)
    instances: dict[int, Instance] = field(default_factory=dict)
    bindings: list[tuple[str, str]] = field(default_factory=list)  # (cluster id, queue name)


@dataclass(slots=True, eq=False)
class Job:
    project: str
    name: str
    job_id: str
    file_id: int
    folder_id: int
    job_type: str
    api_type: str
    code: str
    properties: str = ""
    packages: str = ""
    queue_name: str = "root.default"
    cluster_id: str = ""
    engine_version: str = CURRENT_ENGINE
    description: str = ""
    plan_json: str | None = ""  # None: generate lazily from the code
    committed: bool = False
    scenario: str = "running"
    creator: str = ACCOUNT_ID
    modifier: str = ACCOUNT_ID
    create_ms: int = 0
    modify_ms: int = 0
    parallelism: int = 2
    seed: int = 0
    autoscale: dict[str, Any] = field(default_factory=dict)
    committed_version: dict[str, Any] | None = None
    current: Instance | None = None
    instance_ids: list[int] = field(default_factory=list)

    def package_names(self) -> list[str]:
        return [p.strip() for p in self.packages.split(",") if p.strip()]


@dataclass(slots=True)
class Phase:
    """The derived state of an instance at one moment."""

    actual: str
    final: bool
    end_ms: int | None = None
    failovers: int = 0
    last_error_ms: int | None = None
    last_error_message: str | None = None

    @property
    def running(self) -> bool:
        """Alive on the cluster: RUNNING, or FAILED for a moment while failing over."""
        return not self.final and self.actual in (RUNNING, FAILED)


@dataclass(slots=True, eq=False)
class Instance:
    id: int
    project: str
    job_name: str
    job_type: str
    api_type: str
    scenario: str
    start_ms: int
    seed: int
    parallelism: int
    version: dict[str, Any]  # the committed job version it runs (code, properties, packages ...)
    regimes: list[tuple[int, str]]
    expect_state: str = RUNNING
    starter: str = ACCOUNT_ID
    last_operator: str = ACCOUNT_ID
    last_operate_ms: int = 0
    priority: int = 5
    batch_ms: int = 0
    fail_period_ms: int = 0
    fail_window_ms: int = 0
    fail_offset_ms: int = 0
    error_message: str = ""
    start_params: dict[str, Any] = field(default_factory=dict)
    triggered_checkpoints: list[int] = field(default_factory=list)  # ms of pause/stop with triggerCheckpoint
    autoscale: dict[str, Any] = field(default_factory=dict)
    autoscale_config: dict[str, Any] = field(default_factory=dict)
    app_id: str = ""
    jid: str = ""

    @property
    def is_batch(self) -> bool:
        return self.job_type == BATCH

    def phase(self, now: int) -> Phase:
        failovers = 0
        last_err: int | None = None
        first_run: int | None = None
        actual = WAITING
        regimes = self.regimes
        upto = bisect_right(regimes, (now, "\uffff"))  # regimes that began at or before now
        for i in range(upto):
            begin, kind = regimes[i]
            nxt = regimes[i + 1][0] if i + 1 < len(regimes) else None
            current = nxt is None or nxt > now
            seg_end = now if current else nxt  # type: ignore[assignment]
            if kind == TERMINATED:
                return Phase(TERMINATED, True, begin, failovers, last_err, self.error_message if last_err else None)
            if kind != RUN:
                actual = kind
                continue
            if first_run is None:
                first_run = begin
            if self.is_batch:
                done = first_run + self.batch_ms
                if done <= seg_end:
                    end = max(done, begin)
                    if self.scenario in ("batch_failed", "failing"):
                        return Phase(FAILED, True, end, 1, end, self.error_message)
                    return Phase(SUCCESS, True, end, failovers, last_err, None)
                actual = RUNNING
                continue
            n, last = self._failures(begin, seg_end)
            failovers += n
            if last is not None:
                last_err = last
            if current:
                in_window = last is not None and now - last < self.fail_window_ms
                actual = FAILED if in_window else RUNNING
        return Phase(actual, False, None, failovers, last_err, self.error_message if last_err else None)

    def _failures(self, begin: int, end: int) -> tuple[int, int | None]:
        if not self.fail_period_ms:
            return 0, None
        first = begin + self.fail_offset_ms
        if end <= first:
            return 0, None
        n = math.ceil((end - first) / self.fail_period_ms)
        return n, first + (n - 1) * self.fail_period_ms

    def schedule(self, at: int, kind: str) -> None:
        """From `at` on the instance is in regime `kind`; later plans are superseded."""
        while self.regimes and self.regimes[-1][0] >= at:
            self.regimes.pop()
        self.regimes.append((at, kind))

    def expect_at(self, phase: Phase) -> str:
        if phase.final and phase.actual in (SUCCESS, FAILED):
            return phase.actual
        return self.expect_state

    def engine_job_handler(self) -> str:
        return f"{self.app_id}|{self.jid}"


def model_cores(model: str) -> int:
    m = MODEL_RE.match(model)
    return int(m.group(1)) if m else 8


def model_mem_gb(model: str) -> int:
    m = MODEL_RE.match(model)
    return int(m.group(2)) if m else 32


def instance_vcore(parallelism: int) -> int:
    return 50 + 25 * parallelism


def instance_mem_mb(parallelism: int) -> int:
    return 1024 + 768 * parallelism


def engine_tuple(version: str) -> tuple[int, ...] | None:
    m = re.search(r"(\d+)\.(\d+)\.(\d+)", version)
    return tuple(int(g) for g in m.groups()) if m else None


def normalize_folder_path(path: str) -> str:
    if not path or not path.startswith("/"):
        raise bad_request(f"The folder path {path!r} must be absolute (start with '/').", "InvalidParameter.Path")
    parts = [p for p in path.split("/") if p]
    if any(p in (".", "..") for p in parts):
        raise bad_request(f"The folder path {path!r} must not contain '.' or '..'.", "InvalidParameter.Path")
    return "/" + "/".join(parts)


def parent_path(path: str) -> str:
    return path.rsplit("/", 1)[0] or "/"


# --- the store ------------------------------------------------------------------------------------


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


class Store:
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

    def job_plan_json(self, job: Job) -> str:
        if job.plan_json is None:
            job.plan_json = pretty_json(runtime.plan_json(job.name, job.code, job.parallelism, self.seed))
        return job.plan_json

    def view(self, inst: Instance, phase: Phase, now: int) -> runtime.InstanceView:
        """The runtime generators' picture of an instance (a failover in progress counts as running there)."""
        v = inst.version
        return runtime.InstanceView(
            project=inst.project, job_name=inst.job_name, instance_id=inst.id, job_type=inst.job_type,
            scenario=inst.scenario, expect_state=inst.expect_at(phase),
            actual_state=RUNNING if phase.running else phase.actual, start_ms=inst.start_ms, end_ms=phase.end_ms,
            now_ms=now, failovers=phase.failovers, last_error_ms=phase.last_error_ms,
            last_error_message=phase.last_error_message, seed=self.seed, parallelism=inst.parallelism,
            code=v.get("code") or "", properties=v.get("properties") or "", queue_name=v.get("queue_name") or "",
            cluster_id=v.get("cluster_id") or "",
        )

    def add_job(self, project: Project, **values: Any) -> Job:
        name = values["name"]
        now = self.now()
        self._next_file += 1
        job = Job(
            project=project.name,
            job_id=values.pop("job_id", None) or self.random_id(),
            file_id=self._next_file,
            create_ms=values.pop("create_ms", None) or now,
            modify_ms=values.pop("modify_ms", None) or now,
            parallelism=values.pop("parallelism", None) or runtime.default_parallelism(name, self.seed),
            seed=self.seed,
            **values,
        )
        project.jobs[name] = job
        return job

    def create_job(self, project_name: str, params: dict[str, Any]) -> Job:
        project = self.project(project_name)
        name = params["jobName"]
        if not name or any(c in name for c in "/?#"):
            raise bad_request(f"The job name {name!r} is not valid.", "InvalidParameter.JobName")
        if name in project.jobs:
            raise conflict("JobAlreadyExists", f"The job {name!r} already exists in project {project_name!r}.")
        job_type = _enum(params["jobType"], JOB_TYPES, "jobType")
        api_type = _enum(params["apiType"], API_TYPES, "apiType")
        folder_id = params.get("folderId")
        folder = (self.folder_by_id(project_name, folder_id) if folder_id is not None
                  else project.folders.get("/") or self.ensure_folder(project, "/"))
        packages = params.get("packages") or ""
        self._check_packages(project, packages)
        cluster_id, queue_name = self._placement(project, params.get("clusterId"), params.get("queueName"))
        properties = params.get("properties") or ""
        return self.add_job(
            project, name=name, folder_id=folder.folder_id, job_type=job_type, api_type=api_type,
            code=params["code"], properties=properties, packages=packages, queue_name=queue_name,
            cluster_id=cluster_id, engine_version=self.resolve_engine(cluster_id, params.get("engineVersion")),
            description=params.get("description") or "", plan_json=params.get("planJson") or "",
            committed=False, scenario=scenario_hint(properties, job_type),
        )

    def resolve_engine(self, cluster_id: str, version: str | None) -> str:
        cluster = self.clusters.get(cluster_id)
        return cluster.resolve_engine(version) if cluster is not None else resolve_engine(version)

    def _placement(self, project: Project, cluster_id: str | None, queue_name: str | None) -> tuple[str, str]:
        if cluster_id and queue_name:
            return cluster_id, queue_name
        if project.bindings:
            bound_cluster, bound_queue = project.bindings[0]
            return cluster_id or bound_cluster, queue_name or bound_queue
        return cluster_id or project.cluster_id, queue_name or "root.default"

    def _check_packages(self, project: Project, packages: str) -> None:
        for name in (p.strip() for p in packages.split(",")):
            if name and name not in project.packages:
                raise not_found("PackageNotFound", f"The package {name!r} does not exist in project {project.name!r}.")

    def update_job(self, project_name: str, job_name: str, params: dict[str, Any]) -> Job:
        job = self.job(project_name, job_name)
        project = self.project(project_name)
        if params.get("folderId") is not None:
            job.folder_id = self.folder_by_id(project_name, params["folderId"]).folder_id
        if params.get("packages") is not None:
            self._check_packages(project, params["packages"])
            job.packages = params["packages"]
        if params.get("engineVersion") is not None:
            job.engine_version = self.resolve_engine(params.get("clusterId") or job.cluster_id,
                                                     params["engineVersion"])
        for param, attr in (("code", "code"), ("planJson", "plan_json"), ("description", "description"),
                            ("clusterId", "cluster_id"), ("queueName", "queue_name"),
                            ("properties", "properties")):
            if params.get(param) is not None:
                setattr(job, attr, params[param])
        if params.get("properties") is not None:
            job.scenario = scenario_hint(job.properties, job.job_type, job.scenario)
        job.modify_ms = self.now()
        return job

    def commit_job(self, project_name: str, job_name: str, autoscale: dict[str, Any]) -> Job:
        job = self.job(project_name, job_name)
        if autoscale.get("isOnOff"):
            version = engine_tuple(job.engine_version)
            if version is not None and version < (3, 2, 1):
                raise bad_request(f"AutoScale needs engine blink-3.2.1 or later; the job uses {job.engine_version}.",
                                  "AutoScaleNotSupported")
        job.committed = True
        job.autoscale = autoscale
        job.committed_version = self._version_of(job)
        job.modify_ms = self.now()
        return job

    def _version_of(self, job: Job) -> dict[str, Any]:
        return {"code": job.code, "properties": job.properties, "packages": job.packages,
                "engine_version": job.engine_version, "queue_name": job.queue_name,
                "cluster_id": job.cluster_id, "plan_json": job.plan_json}

    def offline_job(self, project_name: str, job_name: str) -> Job:
        job = self.job(project_name, job_name)
        if not job.committed:
            raise conflict("JobAlreadyOffline", f"The job {job_name!r} is not online (not committed).")
        active = self.active_instance(job)
        if active is not None:
            state = active.phase(self.now()).actual
            raise conflict("JobNotStopped", f"The job {job_name!r} still has instance {active.id} in state "
                           f"{state}; stop it (ModifyInstanceState TERMINATED) before taking the job offline.")
        job.committed = False
        job.modify_ms = self.now()
        return job

    def delete_job(self, project_name: str, job_name: str) -> None:
        project = self.project(project_name)
        job = self.job(project_name, job_name)
        if job.committed:
            raise conflict("JobNotOffline", f"The job {job_name!r} is online (committed); take it offline "
                           "(OfflineJob) before deleting it.")
        for iid in job.instance_ids:
            self.instances.pop(iid, None)
            project.instances.pop(iid, None)
        del project.jobs[job_name]

    # --- instances --------------------------------------------------------------------------------

    def start_job(self, project_name: str, job_name: str, start_params: dict[str, Any]) -> Instance:
        job = self.job(project_name, job_name)
        if not job.committed:
            raise conflict("JobNotCommitted", f"The job {job_name!r} is not online; commit it (CommitJob) before "
                           "starting it.")
        active = self.active_instance(job)
        if active is not None:
            state = active.phase(self.now()).actual
            raise conflict("JobAlreadyStarted", f"The job {job_name!r} already has instance {active.id} in "
                           f"state {state}; stop it before starting a new one.")
        now = self.now()
        return self._new_instance(job, start_ms=now, startup_ms=self.step_ms, start_params=start_params)

    def _new_instance(self, job: Job, *, start_ms: int, startup_ms: int,
                      start_params: dict[str, Any] | None = None, scenario: str | None = None) -> Instance:
        iid = self.new_instance_id()
        scenario = scenario or job.scenario
        rng = self.rng
        inst = Instance(
            id=iid, project=job.project, job_name=job.name, job_type=job.job_type, api_type=job.api_type,
            scenario=scenario, start_ms=start_ms, seed=self.seed, parallelism=job.parallelism,
            version=job.committed_version or self._version_of(job),
            regimes=[(start_ms, WAITING), (start_ms + startup_ms, RUN)],
            last_operate_ms=start_ms, start_params=dict(start_params or {}), autoscale=dict(job.autoscale),
            priority=rng.choice((1, 3, 5, 5, 5, 7)),
            app_id=f"application_{1597654819348 + (iid // 5000)}_{iid % 10000:04d}",
            jid=f"{rng.getrandbits(128):032x}",
        )
        # Periods stay below the runtime generators' own failover cadence (75 s / 2 h), so that
        # the failovers they derive from ours add none of their own.
        if scenario == "failing":
            inst.fail_period_ms = rng.randrange(55_000, 75_000)
            inst.fail_window_ms = 15_000
        elif scenario == "restarting":
            inst.fail_period_ms = rng.randrange(15 * 60_000, 90 * 60_000)
            inst.fail_window_ms = 5_000
        inst.fail_offset_ms = rng.randrange(0, inst.fail_period_ms) if inst.fail_period_ms else 0
        if inst.is_batch:
            inst.batch_ms = rng.randrange(60_000, 180_000)
        if scenario in ("failing", "restarting", "batch_failed") or (inst.is_batch and scenario == "failing"):
            inst.error_message = rng.choice(_FAILURE_MESSAGES)
        self.instances[iid] = inst
        self.project(job.project).instances[iid] = inst
        job.instance_ids.append(iid)
        job.current = inst
        return inst

    def modify_instance_state(self, project_name: str, job_name: str, instance_id: int, expect: str,
                              trigger_checkpoint: bool = False) -> Instance:
        inst = self.instance(project_name, job_name, instance_id)
        expect = (expect or "").upper()
        if expect not in (PAUSED, RUNNING, TERMINATED):
            raise bad_request(f"expectState must be PAUSED, RUNNING or TERMINATED, not {expect!r}.",
                              "InvalidParameter.ExpectState")
        now = self.now()
        phase = inst.phase(now)
        if phase.final:
            raise conflict("InstanceStateConflict", f"The instance {inst.id} has already ended ({phase.actual}); "
                           "start the job again with StartJob.")
        if inst.job_type == BATCH and expect == PAUSED:
            raise conflict("InstanceStateConflict", "Batch job instances cannot be paused.")
        if expect == inst.expect_state:
            return inst  # already on its way there
        if expect == RUNNING and inst.expect_state != PAUSED:
            raise conflict("InstanceStateConflict", f"Only a paused instance can be resumed; instance {inst.id} "
                           f"is {phase.actual} (expected {inst.expect_state}).")
        if expect == PAUSED and inst.expect_state != RUNNING:
            raise conflict("InstanceStateConflict", f"Only a running instance can be paused; instance {inst.id} "
                           f"is {phase.actual} (expected {inst.expect_state}).")
        kind = RUN if expect == RUNNING else expect
        if trigger_checkpoint and expect in (PAUSED, TERMINATED) and not inst.is_batch:
            inst.triggered_checkpoints.append(now)  # one checkpoint before the state changes (Blink 3.5.0+)
        inst.schedule(now + self.step_ms, kind)
        inst.expect_state = expect
        inst.last_operate_ms = now
        return inst

    def is_archived(self, inst: Instance, job: Job | None, phase: Phase, now: int) -> bool:
        if inst.is_batch:
            return phase.final and phase.end_ms is not None and now - phase.end_ms > BATCH_ARCHIVE_MS
        return job is None or job.current is not inst

    # --- packages ---------------------------------------------------------------------------------

    def jobs_referencing(self, project: Project, package_name: str, committed_only: bool) -> list[Job]:
        return [j for j in project.jobs.values()
                if (j.committed or not committed_only) and package_name in j.package_names()]

    def delete_package(self, project_name: str, package_name: str) -> None:
        project = self.project(project_name)
        self.package(project_name, package_name)
        users = self.jobs_referencing(project, package_name, committed_only=True)
        if users:
            raise conflict("PackageInUse", f"The package {package_name!r} is referenced by {len(users)} online "
                           f"job(s) (e.g. {users[0].name!r}); take them offline first.")
        del project.packages[package_name]

    # --- queues and clusters ----------------------------------------------------------------------

    def queue_usage(self, queue: Queue) -> tuple[int, int]:
        """vCores (1/100 core) and MB used by running instances of the project bound to the queue."""
        now = self.now()
        vcore = mem = 0
        for name in queue.projects:
            project = self.projects.get(name)
            for job in project.jobs.values() if project is not None else ():
                inst = job.current
                if inst is None or job.queue_name != queue.name or job.cluster_id != queue.cluster_id:
                    continue
                if inst.phase(now).running:
                    vcore += instance_vcore(inst.parallelism)
                    mem += instance_mem_mb(inst.parallelism)
        return min(vcore, queue.max_vcore), min(mem, queue.max_mem_mb)

    def check_capacity(self, cluster: Cluster, queue_name: str, max_vcore: int, max_mem_mb: int) -> None:
        if max_vcore <= 0 or max_mem_mb <= 0:
            raise bad_request("maxVcore and maxMemMB must be positive.", "InvalidParameter.Resource")
        others = [q for q in cluster.queues.values() if q.name != queue_name]
        vcore = sum(q.max_vcore for q in others) + max_vcore
        mem = sum(q.max_mem_mb for q in others) + max_mem_mb
        if vcore > cluster.total_vcore or mem > cluster.total_mem_mb:
            raise bad_request(
                f"The cluster {cluster.cluster_id} has {cluster.total_vcore} vCores and {cluster.total_mem_mb} MB; "
                f"its queues would need {vcore} vCores and {mem} MB.", "ResourceNotEnough")

    def bind_queue(self, project_name: str, cluster_id: str, queue_name: str) -> None:
        project = self.project(project_name)
        queue = self.queue(cluster_id, queue_name)
        if project_name in queue.projects:
            raise conflict("QueueAlreadyBound", f"The queue {queue_name!r} is already bound to this project.")
        if queue.projects:
            raise conflict("QueueAlreadyBound", f"The queue {queue_name!r} is bound to project "
                           f"{queue.projects[0]!r}; a queue can be bound to one project only.")
        if project.bindings:
            raise conflict("ProjectAlreadyBound", f"The project {project_name!r} is already bound to queue "
                           f"{project.bindings[0][1]!r}; a project can be bound to one queue only.")
        queue.projects.append(project_name)
        project.bindings.append((cluster_id, queue_name))

    def unbind_queue(self, project_name: str, cluster_id: str, queue_name: str) -> None:
        project = self.project(project_name)
        if (cluster_id, queue_name) not in project.bindings:
            raise not_found("QueueNotFound", f"The project {project_name!r} is not bound to queue {queue_name!r} "
                            f"of cluster {cluster_id!r}.")
        online = [j.name for j in project.jobs.values() if j.committed and j.queue_name == queue_name]
        if online:
            raise conflict("ProjectHasOnlineJobs", f"{len(online)} online job(s) of project {project_name!r} use "
                           f"the queue (e.g. {online[0]!r}); take them offline before unbinding.")
        project.bindings.remove((cluster_id, queue_name))
        cluster = self.clusters.get(cluster_id)
        if cluster is not None and queue_name in cluster.queues:
            _discard(cluster.queues[queue_name].projects, project_name)

    def delete_project(self, project_name: str) -> None:
        project = self.project(project_name)
        online = [j.name for j in project.jobs.values() if j.committed]
        if online:
            raise conflict("ProjectHasOnlineJobs", f"The project {project_name!r} has {len(online)} online job(s) "
                           f"(e.g. {online[0]!r}); take all jobs offline before deleting the project.")
        for cluster_id, queue_name in project.bindings:
            cluster = self.clusters.get(cluster_id)
            if cluster is not None and queue_name in cluster.queues:
                _discard(cluster.queues[queue_name].projects, project_name)
        for iid in project.instances:
            self.instances.pop(iid, None)
        for folder in project.folders.values():
            self.folders_by_id.pop(folder.folder_id, None)
        del self.projects[project_name]

    # --- demo data --------------------------------------------------------------------------------

    def load_demo(self, data: Any) -> None:
        """Fill the store from `demo.build_demo()` output (lists of plain dicts)."""
        now = self.now()
        for c in getattr(data, "clusters", ()):
            self._load_cluster(c, now)
        for p in getattr(data, "projects", ()):
            self._load_project(p, now)
        for q in getattr(data, "queues", ()):
            self._load_queue(q)
        for b in getattr(data, "project_queues", ()):
            project = self.projects.get(_pick(b, "project", "project_name"))
            cluster = self.clusters.get(_pick(b, "cluster_id"))
            queue = cluster.queues.get(_pick(b, "queue_name")) if cluster is not None else None
            if project is not None and queue is not None and project.name not in queue.projects:
                queue.projects.append(project.name)
                project.bindings.append((cluster.cluster_id, queue.name))  # type: ignore[union-attr]
        for f in getattr(data, "folders", ()):
            project = self.projects.get(_pick(f, "project", "project_name"))
            if project is None:
                continue
            path = normalize_folder_path(_pick(f, "path", default="/"))
            if path != "/":
                self.ensure_folder(project, parent_path(path))
            if path not in project.folders:
                self.add_folder(project, path, _pick(f, "folder_id", "id"))
        for pkg in getattr(data, "packages", ()):
            self._load_package(pkg, now)
        for j in getattr(data, "jobs", ()):
            self._load_job(j, now)
        for t in getattr(data, "tags", ()):
            self.tags.append(Tag(
                str(_pick(t, "resource_type", default="cluster")), str(_pick(t, "resource_id", "cluster_id")),
                str(_pick(t, "key", "tag_key")), str(_pick(t, "value", "tag_value", default=""))))

    def _load_cluster(self, c: dict[str, Any], now: int) -> None:
        cid = _pick(c, "cluster_id", "id")
        cluster = Cluster(
            cluster_id=cid, display_name=_pick(c, "display_name", "name", default=cid),
            description=_pick(c, "description", default=""),
            region_id=_pick(c, "region_id", "region", default=self.region_id),
            zone_id=_pick(c, "zone_id", default=f"{self.region_id}-f"),
            state=_pick(c, "state", default="RUNNING"),
            create_ms=_pick(c, "create_ms", "gmt_create", default=now - 90 * 86400_000),
            modify_ms=_pick(c, "modify_ms", "gmt_modified", default=now - 7 * 86400_000),
            pay_model=_pick(c, "pay_model", default="post"),
            master_model=_pick(c, "master_model", "master_spec", default="Ecs_4c16g"),
            master_count=int(_pick(c, "master_count", "master_num", default=3)),
            slave_model=_pick(c, "slave_model", "slave_spec", default="Ecs_8c32g"),
            slave_count=int(_pick(c, "slave_count", "slave_num", default=4)),
            owner_id=str(_pick(c, "owner_id", default=ACCOUNT_ID)),
            operator=str(_pick(c, "operator", default=ACCOUNT_ID)),
            user_vpc_id=_pick(c, "vpc_id", "user_vpc_id", default="vpc-bp1emulator0000000000"),
            user_vswitch=_pick(c, "vswitch", "user_vswitch", default="vsw-bp1emulator0000000000"),
            user_sg_id=_pick(c, "security_group_id", "user_sg_id", default=""),
            user_oss_info=dict(_pick(c, "user_oss_info", default={})),
            storage_type=_pick(c, "storage_type", default="HDFS"),
            is_mix_deploy=bool(_pick(c, "is_mix_deploy", default=False)),
            # The demo sizes clusters to exactly their queues; leave a quarter free for CreateQueue.
            fixed_vcore=int(_pick(c, "total_virtual_cores", default=0)) * 5 // 4,
            fixed_mem_mb=int(_pick(c, "total_mb", default=0)) * 5 // 4,
        )
        cluster.user_oss_bucket = cluster.user_oss_info.get("bucket") or cluster.user_oss_bucket
        if c.get("engine_versions"):
            cluster.engine_versions = tuple(c["engine_versions"])
        self._assign_machine_ids(cluster)
        self.clusters[cid] = cluster

    def _assign_machine_ids(self, cluster: Cluster) -> None:
        rng = random.Random(f"ecs:{cluster.cluster_id}")
        while len(cluster.master_ids) < cluster.master_count:
            cluster.master_ids.append("i-" + "".join(rng.choice(_ALNUM) for _ in range(20)))
        while len(cluster.slave_ids) < cluster.slave_count:
            cluster.slave_ids.append("i-" + "".join(rng.choice(_ALNUM) for _ in range(20)))

    def _load_project(self, p: dict[str, Any], now: int) -> None:
        name = _pick(p, "name", "project_name")
        project = Project(
            name=name, project_id=_pick(p, "project_id", "id", default=None) or self.random_id(),
            deploy_type=str(_pick(p, "deploy_type", default="CELL")).upper(),
            cluster_id=_pick(p, "cluster_id", default=""),
            region=_pick(p, "region", "region_id", default=self.region_id),
            description=_pick(p, "description", default=""),
            manager_ids=_pick(p, "manager_ids", default=ACCOUNT_ID),
            state=_pick(p, "state", default="ENABLE"),
            creator=str(_pick(p, "creator", default=ACCOUNT_ID)),
            modifier=str(_pick(p, "modifier", "creator", default=ACCOUNT_ID)),
            create_ms=_pick(p, "create_ms", "create_time", default=now - 60 * 86400_000),
            modify_ms=_pick(p, "modify_ms", "modify_time", default=now - 3 * 86400_000),
            global_job_config=_pick(p, "global_job_config", default=""),
        )
        self.projects[name] = project
        if p.get("root_folder_id") is not None:
            self.add_folder(project, "/", p["root_folder_id"])

    def _load_queue(self, q: dict[str, Any]) -> None:
        cluster = self.clusters.get(_pick(q, "cluster_id"))
        if cluster is None:
            return
        name = _pick(q, "queue_name", "name")
        queue = Queue(cluster.cluster_id, name, int(_pick(q, "max_vcore", "max_vcores", default=600)),
                      int(_pick(q, "max_mem_mb", "max_mem", default=24576)), int(_pick(q, "gpu", default=0)))
        cluster.queues[name] = queue
        project_name = _pick(q, "project", "project_name", default=None)
        project = self.projects.get(project_name) if project_name else None
        if project is not None:
            queue.projects.append(project.name)
            project.bindings.append((cluster.cluster_id, name))

    def _load_package(self, pkg: dict[str, Any], now: int) -> None:
        project = self.projects.get(_pick(pkg, "project", "project_name"))
        if project is None:
            return
        name = _pick(pkg, "package_name", "name")
        project.packages[name] = Package(
            project=project.name, name=name, type=str(_pick(pkg, "type", default="JAR")).upper(),
            oss_path=_pick(pkg, "oss_path", default=f"{project.project_id}/{name}/{self.random_id(8)}.bayes"),
            oss_bucket=_pick(pkg, "oss_bucket", default=""), oss_endpoint=_pick(pkg, "oss_endpoint", default=""),
            oss_owner=_pick(pkg, "oss_owner", default=""), origin_name=_pick(pkg, "origin_name", default=name),
            description=_pick(pkg, "description", default=""), md5=_pick(pkg, "md5", default=""),
            tag=_pick(pkg, "tag", default=""),
            creator=str(_pick(pkg, "creator", default=ACCOUNT_ID)),
            modifier=str(_pick(pkg, "modifier", "creator", default=ACCOUNT_ID)),
            create_ms=_pick(pkg, "create_ms", "create_time", default=now - 20 * 86400_000),
            modify_ms=_pick(pkg, "modify_ms", "modify_time", default=now - 5 * 86400_000),
        )

    def _load_job(self, j: dict[str, Any], now: int) -> None:
        project = self.projects.get(_pick(j, "project", "project_name"))
        if project is None:
            return
        folder = self.ensure_folder(project, _pick(j, "folder_path", default="/"))
        job_type = str(_pick(j, "job_type", default=STREAM)).upper()
        scenario = _pick(j, "scenario", default="running")
        packages = j.get("packages") or ""
        if isinstance(packages, list | tuple):
            packages = ",".join(packages)
        rng = self.rng
        created = _pick(j, "create_ms", "create_time", default=None) or now - rng.randrange(3, 200) * 86400_000
        job = self.add_job(
            project, name=j["name"], folder_id=folder.folder_id, job_type=job_type,
            api_type=str(_pick(j, "api_type", default="SQL")).upper(), code=_pick(j, "code", default=""),
            properties=_pick(j, "properties", default=""), packages=packages,
            queue_name=_pick(j, "queue_name", default="root.default"),
            cluster_id=_pick(j, "cluster_id", default=project.cluster_id),
            engine_version=_pick(j, "engine_version", default=CURRENT_ENGINE),
            # Demo jobs never fetched a PlanJson (it stays "" as in the seed's GetInstance example); the
            # runtime derives their DAG from the code, and CheckRawPlanJson generates one on request.
            description=_pick(j, "description", default=""), plan_json=j.get("plan_json") or "",
            committed=bool(j.get("committed")), scenario=scenario, create_ms=created,
            creator=str(_pick(j, "creator", default=project.creator)),
            modifier=str(_pick(j, "modifier", "creator", default=project.creator)),
            modify_ms=_pick(j, "modify_ms", "modify_time", default=None) or created + rng.randrange(1, 86400_000),
            parallelism=j.get("parallelism"),
        )
        if job.committed:
            job.committed_version = self._version_of(job)
            if j.get("autoscale"):
                job.autoscale = dict(j["autoscale"])
            self._demo_instance(job, scenario, now, rng)
            inst = job.current
            if inst is not None and not j.get("autoscale") and job.job_type == STREAM:
                # Jobs the runtime gives an AutoScale history were committed with AutoScale on.
                if runtime.autoscale_plan_list(self.view(inst, inst.phase(now), now)):
                    job.autoscale = inst.autoscale = {"isOnOff": True, "maxCU": float(4 * job.parallelism),
                                                      "configure": {"fetch_delay": 60.0}}

    def _demo_instance(self, job: Job, scenario: str, now: int, rng: random.Random) -> None:
        if scenario == "never_started":
            return
        if scenario == "starting":
            start = now - rng.randrange(1_000, 20_000)
            self._new_instance(job, start_ms=start, startup_ms=rng.randrange(120_000, 360_000))
            return
        batch = job.job_type == BATCH
        if batch and scenario in ("batch_success", "batch_failed"):
            start = now - rng.randrange(3600_000, 6 * 3600_000)
        elif batch:
            start = now - rng.randrange(60_000, 20 * 60_000)
        else:
            start = now - rng.randrange(2 * 3600_000, 3 * 86400_000)
        inst = self._new_instance(job, start_ms=start, startup_ms=rng.randrange(5_000, 60_000))
        if batch:
            done = scenario in ("batch_success", "batch_failed")
            inst.batch_ms = rng.randrange(5 * 60_000, 45 * 60_000) if done else rng.randrange(30 * 60_000, 120 * 60_000)
        if scenario == "paused" and not batch:
            at = now - rng.randrange(5 * 60_000, 5 * 3600_000)
            inst.schedule(max(at, start + 60_000), PAUSED)
            inst.expect_state, inst.last_operate_ms = PAUSED, at
        elif scenario == "stopped":
            at = now - rng.randrange(30_000, 10 * 60_000 if batch else 3600_000)
            inst.schedule(max(at, start + 60_000), TERMINATED)
            inst.expect_state, inst.last_operate_ms = TERMINATED, at


# --- helpers --------------------------------------------------------------------------------------


def _discard(items: list[str], item: str) -> None:
    if item in items:
        items.remove(item)


def _pick(d: dict[str, Any], *names: str, default: Any = KeyError) -> Any:
    for name in names:
        if name in d and d[name] is not None:
            return d[name]
    if default is KeyError:
        raise KeyError(f"none of {names} in {sorted(d)}")
    return default


def _enum(value: Any, allowed: Iterable[str], name: str) -> str:
    text = str(value or "").upper()
    allowed = tuple(allowed)
    if text not in allowed:
        raise bad_request(f"{name} must be one of {', '.join(allowed)} (case-insensitive), not {value!r}.",
                          f"InvalidParameter.{name[0].upper()}{name[1:]}")
    return text


def resolve_engine(version: str | None) -> str:
    if not version or version.lower() == "current":
        return CURRENT_ENGINE
    if version.lower() == "beta":
        return BETA_ENGINE
    return version


def scenario_hint(properties: str, job_type: str, default: str | None = None) -> str:
    """A job's behaviour in the emulator: `emulator.scenario=<name>` in its properties, else a default."""
    for line in properties.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "emulator.scenario" and value.strip() in SCENARIOS:
            return value.strip()
    if default is not None:
        return default
    return "batch_success" if job_type == BATCH else "running"


def pretty_json(value: Any) -> str:
    """Jackson-style pretty printing as the service embeds PlanJson (2 spaces, ' : ')."""
    return json.dumps(value, indent=2, separators=(",", " : "), ensure_ascii=False) + "\n"
