"""Records of the emulated service (projects, folders, jobs, instances, packages, queues, clusters),
its constants and errors. Instance states are derived lazily from the clock and a few regimes per instance."""

from __future__ import annotations

import json
import math
import re
import string
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

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
    autoscale: dict[str, Any] = field(default_factory=dict)
    autoscale_config: dict[str, Any] = field(default_factory=dict)
    app_id: str = ""
    jid: str = ""
    # when ModifyInstanceState took a checkpoint on pause/stop; None: not tracked (demo instances)
    triggered: list[int] | None = None

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
