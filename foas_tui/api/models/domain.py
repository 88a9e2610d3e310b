"""Domain models shared by several operations (projects, folders, jobs, instances, packages, queues, clusters ...)."""

from __future__ import annotations

import math
from operator import itemgetter
from typing import Annotated

from pydantic import (
    JsonValue,
)

from foas_tui.api.models.base import Embedded, FoasModel, Unwrap, _embedded, _list
from foas_tui.api.models.convert import (
    ApiTypeValue,
    Bool,
    ClusterStateValue,
    DeployTypeValue,
    EpochMs,
    Float,
    InstanceStateValue,
    Int,
    JobTypeValue,
    JsonDict,
    PackageScanStateValue,
    PackageTypeValue,
    PlanJsonStatusValue,
    ProjectStateValue,
    Str,
    _split_csv,
    _to_float,
    _to_int,
)
from foas_tui.api.models.embedded import AutoScaleParams, PlanJson, QueueExternalInfo, UserOssInfo

# ================================================================================================
# Domain models shared by several operations.
# ================================================================================================


class Job(FoasModel):
    """A job (GetJob, ListJob, GetRefPackageJob)."""

    job_id: Str = None
    job_name: Str = None
    project_name: Str = None
    job_type: JobTypeValue = None
    api_type: ApiTypeValue = None
    code: Str = None
    properties: Str = None  # properties-file text ("#comment", "key=value" lines)
    packages: Str = None  # comma-separated package names
    plan_json: Embedded[PlanJson] = _embedded()
    engine_version: Str = None
    cluster_id: Str = None
    queue_name: Str = None
    folder_id: Int = None
    file_id: Str = None  # String per the table, a number in GetJob's example
    is_committed: Bool = None  # online (CommitJob) vs offline (OfflineJob)
    creator: Str = None
    create_time: EpochMs = None
    modifier: Str = None
    modify_time: EpochMs = None
    description: Str = None

    @property
    def package_names(self) -> list[str]:
        return _split_csv(self.packages)


class Instance(FoasModel):
    """A job instance, i.e. one run (GetInstance, ListInstance)."""

    id: Int = None
    job_name: Str = None
    project_name: Str = None
    expect_state: InstanceStateValue = None
    actual_state: InstanceStateValue = None
    start_time: EpochMs = None
    end_time: EpochMs = None
    last_error_time: EpochMs = None
    last_error_message: Str = None
    last_operate_time: EpochMs = None
    last_operator: Str = None
    starter: Str = None
    engine_job_handler: Str = None  # "<YARN application id>|<Flink job id>"
    engine_version: Str = None
    cluster_id: Str = None
    queue_name: Str = None
    job_type: JobTypeValue = None
    api_type: ApiTypeValue = None
    code: Str = None
    properties: Str = None
    packages: Str = None
    plan_json: Embedded[PlanJson] = _embedded()
    auto_scale_params: Embedded[AutoScaleParams] = _embedded()  # GetInstance only
    priority: Int = None  # ListInstance only
    input_delay: Int = None  # business delay, ms (-99999999 appears as a sentinel)

    @property
    def package_names(self) -> list[str]:
        return _split_csv(self.packages)


class RunSummary(FoasModel):
    """The short state of an instance (GetInstanceRunSummary, BatchGetInstanceRunSummary)."""

    id: Int = None
    job_name: Str = None
    expect_state: InstanceStateValue = None
    actual_state: InstanceStateValue = None
    engine_job_handler: Str = None
    input_delay: Int = None
    last_error_time: EpochMs = None
    last_error_message: Str = None


class InstanceResource(FoasModel):
    """GetInstanceResource: allocated = requested from YARN, total = actually used."""

    allocated_mb: Int = None
    allocated_virtual_cores: Int = None
    total_mb: Int = None
    total_virtual_cores: Int = None


class ClusterResource(InstanceResource):
    """GetClusterResource: total = allocated + available."""

    available_mb: Int = None
    available_virtual_cores: Int = None


class Folder(FoasModel):
    folder_id: Int = None
    path: Str = None


class Package(FoasModel):
    package_name: Str = None
    project_name: Str = None
    type: PackageTypeValue = None
    origin_name: Str = None
    description: Str = None
    tag: Str = None
    md5: Str = None
    oss_bucket: Str = None
    oss_endpoint: Str = None
    oss_owner: Str = None
    oss_path: Str = None
    creator: Str = None
    create_time: EpochMs = None
    modifier: Str = None
    modify_time: EpochMs = None
    scan_state: PackageScanStateValue = None  # GetPackage only
    scan_error_message: Str = None
    scan_ext_biz_no: Str = None
    scan_link: Str = None


QUEUE_OVERFLOW = -9999  # an Integer queue field that overflowed; read ExternalInfo instead


class Queue(FoasModel):
    """A YARN queue. vCores count hundredths of a core (100 vCores = 1 CU = 4 GB); memory in MB."""

    cluster_id: Str = None
    queue_name: Str = None
    max_vcore: Int = None
    min_vcore: Int = None
    used_vcore: Int = None
    max_mem: Int = None
    min_mem: Int = None
    used_mem: Int = None
    max_gpu: Int = None
    min_gpu: Int = None
    used_gpu: Int = None
    external_info: Embedded[QueueExternalInfo] = _embedded()  # GetClusterQueueInfo only

    def resource(self, name: str) -> int | None:
        """A resource field (`"max_mem"` ...), read from ExternalInfo when it holds the -9999 overflow."""
        value = getattr(self, name)
        info = self.external_info.value
        if value == QUEUE_OVERFLOW and info is not None and getattr(info, name, None) is not None:
            return getattr(info, name)
        return value


class Cluster(FoasModel):
    cluster_id: Str = None
    display_name: Str = None
    description: Str = None
    state: ClusterStateValue = None
    region_id: Str = None
    zone_id: Str = None
    owner_id: Str = None
    operator: Str = None
    gmt_create: EpochMs = None
    gmt_modified: EpochMs = None


class ClusterDetails(Cluster):
    """GetClusterDetails `Details`."""

    is_mix_deploy: Bool = None
    storage_type: Str = None
    user_vpc_id: Str = None
    user_sg_id: Str = None
    user_vswitch_list: Embedded[list[str]] = _embedded()
    user_oss_info: Embedded[UserOssInfo] = _embedded()
    instance_infos: Embedded[JsonValue] = _embedded()  # structure undocumented


class Project(FoasModel):
    id: Str = None
    name: Str = None
    description: Str = None
    state: ProjectStateValue = None
    deploy_type: DeployTypeValue = None
    cluster_id: Str = None
    region: Str = None
    manager_ids: Str = None  # comma-separated
    global_job_config: Str = None  # GetProject only
    creator: Str = None
    create_time: EpochMs = None
    modifier: Str = None
    modify_time: EpochMs = None

    @property
    def manager_id_list(self) -> list[str]:
        return _split_csv(self.manager_ids)


class TagResource(FoasModel):
    resource_id: Str = None
    resource_type: Str = None
    tag_key: Str = None
    tag_value: Str = None


class TableRef(FoasModel):
    """A source, sink or dimension table found by ValidateJob."""

    name: Str = None
    alias: Str = None
    type: Str = None  # connector: rds, datahub, ots ...
    workspace: Str = None
    properties: JsonDict = None  # the table's WITH properties (a real object, not text)


class JobInOut(FoasModel):
    inputs: Annotated[list[TableRef], Unwrap("Input")] = _list()
    outputs: Annotated[list[TableRef], Unwrap("Output")] = _list()
    dims: Annotated[list[TableRef], Unwrap("Dim")] = _list()


class PlanJsonInfo(FoasModel):
    """CheckRawPlanJson: poll until status is success (plan_json) or fail (error_message)."""

    status: PlanJsonStatusValue = None
    plan_json: Embedded[PlanJson] = _embedded()
    error_message: Str = None


class PlanJsonResource(FoasModel):
    cores: Float = None
    memory_gb: Float = None


class Metric(FoasModel):
    """One metric series. `dps` maps epoch seconds (as text) to values (numbers or numeric text)."""

    metric_name: Str = None
    dps: JsonDict = None
    summary: Float = None
    tags: JsonDict = None

    @property
    def points(self) -> list[tuple[int, float]]:
        """`(epoch seconds, value)` sorted by time; unparsable or non-finite points are skipped."""
        points: list[tuple[int, float]] = []
        for stamp, raw in (self.dps or {}).items():
            when, value = _to_int(stamp), _to_float(raw)
            if when is not None and value is not None and math.isfinite(value):
                points.append((when, value))
        points.sort(key=itemgetter(0))
        return points


class TagResourcesPage(FoasModel):
    """ListTagResources `Data`."""

    next_token: Str = None
    tag_resources: Annotated[list[TagResource], Unwrap("TagResource")] = _list()
