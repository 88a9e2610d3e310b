"""Instances (one run of a job): the instance, its run summary and resources, and the responses of the
instance operations.
"""

from __future__ import annotations

from typing import Annotated

from foas_tui.api.models.base import FoasModel, FoasResponse, PagedResponse
from foas_tui.api.models.enums import ApiTypeValue, InstanceStateValue, JobTypeValue
from foas_tui.api.models.fields import Embedded, Unwrap, _embedded, _list
from foas_tui.api.models.flink import CheckpointStats, FlinkExceptions, FlinkJobConfig, FlinkJobDetail
from foas_tui.api.models.lenient import EpochMs, Int, Str, _split_csv
from foas_tui.api.models.plans import AutoScaleParams, PlanJson


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


# --- instances ---------------------------------------------------------------------------------


class BatchGetInstanceRunSummaryResponse(FoasResponse):
    run_summarys: Annotated[list[RunSummary], Unwrap("RunSummary")] = _list()  # sic: "RunSummarys"

    @property
    def run_summaries(self) -> list[RunSummary]:
        return self.run_summarys


class GetInstanceResponse(FoasResponse):
    instance: Instance | None = None


class GetInstanceResourceResponse(FoasResponse):
    resource: InstanceResource | None = None


class GetInstanceCheckpointResponse(FoasResponse):
    checkpoints: Embedded[CheckpointStats] = _embedded()


class GetInstanceConfigResponse(FoasResponse):
    config: Embedded[FlinkJobConfig] = _embedded()


class GetInstanceDetailResponse(FoasResponse):
    detail: Embedded[FlinkJobDetail] = _embedded()


class GetInstanceExceptionsResponse(FoasResponse):
    exceptions: Embedded[FlinkExceptions] = _embedded()


class GetInstanceFinalStateResponse(FoasResponse):
    final_state: Str = None  # key "Finalstate": the final state on YARN


class GetInstanceRunSummaryResponse(FoasResponse):
    run_summary: RunSummary | None = None


class ListInstanceResponse(PagedResponse[Instance]):
    items_field = "instances"
    instances: Annotated[list[Instance], Unwrap("Instance")] = _list()


class ModifyInstanceStateResponse(FoasResponse):
    pass


class GetInstanceHistoryAutoScalePlanContentResponse(FoasResponse):
    plan_content: Embedded[PlanJson] = _embedded()


class GetInstanceHistoryAutoScalePlanListResponse(FoasResponse):
    plan_list: Annotated[list[str], Unwrap("Plan")] = _list()  # wire shape undocumented
