"""The response of each of the 67 operations, and `RESPONSE_MODELS` (operation name -> response model)."""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Generic, TypeVar

from foas_tui.api.models.base import Embedded, FoasModel, Unwrap, _embedded, _list
from foas_tui.api.models.convert import Bool, Int, Str
from foas_tui.api.models.domain import (
    Cluster,
    ClusterDetails,
    ClusterResource,
    Folder,
    Instance,
    InstanceResource,
    Job,
    JobInOut,
    Metric,
    Package,
    PlanJsonInfo,
    PlanJsonResource,
    Project,
    Queue,
    RunSummary,
    TagResource,
    TagResourcesPage,
)
from foas_tui.api.models.embedded import CheckpointStats, FlinkExceptions, FlinkJobConfig, FlinkJobDetail, PlanJson

ItemT = TypeVar("ItemT")


# ================================================================================================
# Responses, one per operation.
# ================================================================================================


class FoasResponse(FoasModel):
    """Every response carries a RequestId (often spelled `requestId`)."""

    request_id: Str = None


class PagedResponse(FoasResponse, Generic[ItemT]):
    """Page-number paging (common.md section 6); `items` is the unwrapped list."""

    items_field: ClassVar[str] = ""

    page_index: Int = None
    page_size: Int = None
    total_count: Int = None
    total_page: Int = None

    @property
    def items(self) -> list[ItemT]:
        items: list[ItemT] = getattr(self, self.items_field)
        return items


class _QueuesResponse(FoasResponse):
    queues: Annotated[list[Queue], Unwrap("Queue")] = _list()


class _MetricsResponse(FoasResponse):
    """`{"Metrics": {"Metric": [...]}}` per the tables; the examples send a bare (camelCase) list."""

    metrics: Annotated[list[Metric], Unwrap("Metric")] = _list()


class _TagResponse(FoasResponse):
    """The SDK-only tag operations add a business status to the body."""

    success: Bool = None
    http_status_code: Int = None
    code: Str = None
    message: Str = None


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


class GetInstanceMetricResponse(_MetricsResponse):
    pass


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


# --- folders -----------------------------------------------------------------------------------


class CreateFolderResponse(FoasResponse):
    folder_id: Int = None


class DeleteFolderResponse(FoasResponse):
    pass


class GetFolderResponse(FoasResponse):
    folder: Folder | None = None  # absent (or without FolderId) when the path does not exist


class ListChildFolderResponse(FoasResponse):
    folders: Annotated[list[Folder], Unwrap("Folder")] = _list()


class MVFolderResponse(FoasResponse):
    pass


# --- jobs --------------------------------------------------------------------------------------


class CheckRawPlanJsonResponse(FoasResponse):
    plan_json_info: PlanJsonInfo | None = None


class CommitJobResponse(FoasResponse):
    pass


class CreateJobResponse(FoasResponse):
    pass


class DeleteJobResponse(FoasResponse):
    pass


class GetJobResponse(FoasResponse):
    job: Job | None = None


class ListJobResponse(PagedResponse[Job]):
    items_field = "jobs"
    jobs: Annotated[list[Job], Unwrap("Job")] = _list()


class OfflineJobResponse(FoasResponse):
    pass


class StartJobResponse(FoasResponse):
    instance_id: Int = None  # key "instanceId" (camelCase next to "RequestId")


class UpdateJobResponse(FoasResponse):
    pass


class ValidateJobResponse(FoasResponse):
    job_in_out: JobInOut | None = None


class CalcPlanJsonResourceResponse(FoasResponse):
    plan_json_resource: PlanJsonResource | None = None


class UpdateAutoScaleConfigResponse(FoasResponse):
    pass  # the seed's example also carries an unrelated "Metrics" array (kept as an extra)


class GetJobLatestAutoScalePlanResponse(FoasResponse):
    plan_json: Embedded[PlanJson] = _embedded()


class GetRawPlanJsonResponse(FoasResponse):
    session_id: Str = None


# --- packages ----------------------------------------------------------------------------------


class CreatePackageResponse(FoasResponse):
    pass


class DeletePackageResponse(FoasResponse):
    pass


class GetPackageResponse(FoasResponse):
    package: Package | None = None


class GetRefPackageJobResponse(PagedResponse[Job]):
    items_field = "jobs"
    jobs: Annotated[list[Job], Unwrap("Job")] = _list()


class ListPackageResponse(PagedResponse[Package]):
    items_field = "packages"
    packages: Annotated[list[Package], Unwrap("Package")] = _list()


class UpdatePackageResponse(FoasResponse):
    pass


# --- queues ------------------------------------------------------------------------------------


class CreateQueueResponse(FoasResponse):
    pass


class DeleteQueueResponse(FoasResponse):
    pass


class BindQueueResponse(FoasResponse):
    pass


class UnbindQueueResponse(FoasResponse):
    pass


class GetClusterQueueInfoResponse(_QueuesResponse):
    pass


class ListProjectBindQueueResponse(_QueuesResponse):
    pass


class ListProjectBindQueueResourceResponse(_QueuesResponse):
    pass


class UpdateQueueResponse(FoasResponse):
    pass


# --- clusters ----------------------------------------------------------------------------------


class CreateClusterResponse(FoasResponse):
    cluster_id: Str = None


class CreateCellClusterOrderResponse(FoasResponse):
    order_id: Str = None


class DestroyClusterResponse(FoasResponse):
    pass


class ExpandClusterResponse(FoasResponse):
    pass


class ShrinkClusterResponse(FoasResponse):
    pass


class ListClusterResponse(PagedResponse[Cluster]):
    items_field = "clusters"
    clusters: Annotated[list[Cluster], Unwrap("Cluster")] = _list()


class GetClusterDetailsResponse(FoasResponse):
    details: ClusterDetails | None = None


class GetClusterEngineVersionsResponse(FoasResponse):
    engine_versions: Annotated[list[str], Unwrap("EngineVersion")] = _list()


class GetClusterResourceResponse(FoasResponse):
    resource: ClusterResource | None = None


class ModifyMasterSpecResponse(FoasResponse):
    pass


class GetClusterMetricsResponse(_MetricsResponse):
    pass


# --- projects and tags -------------------------------------------------------------------------


class CreateProjectResponse(FoasResponse):
    pass


class DeleteProjectResponse(FoasResponse):
    pass


class GetProjectResponse(FoasResponse):
    project: Project | None = None


class ListProjectResponse(PagedResponse[Project]):
    items_field = "projects"
    projects: Annotated[list[Project], Unwrap("Project")] = _list()


class ListTagResourcesResponse(_TagResponse):
    """Token paging: `items` and `next_token` come from `Data`."""

    data: TagResourcesPage | None = None

    @property
    def items(self) -> list[TagResource]:
        return self.data.tag_resources if self.data is not None else []

    @property
    def next_token(self) -> str | None:
        return self.data.next_token if self.data is not None else None


class TagResourcesResponse(_TagResponse):
    data: Bool = None


class UntagResourcesResponse(_TagResponse):
    data: Bool = None


class UpdateProjectResponse(FoasResponse):
    pass


class UpdateProjectConfigResponse(FoasResponse):
    data: Bool = None


# ================================================================================================
# Registry
# ================================================================================================


def _all_models(root: type[FoasModel]) -> list[type[FoasModel]]:
    found, stack = [], [root]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


for _model in _all_models(FoasModel):  # resolve the forward references (domain models use payloads)
    _model.model_rebuild()
del _model

RESPONSE_MODELS: dict[str, type[FoasModel]] = {
    model.__name__.removesuffix("Response"): model
    for model in (
        # instances
        BatchGetInstanceRunSummaryResponse, GetInstanceResponse, GetInstanceResourceResponse,
        GetInstanceCheckpointResponse, GetInstanceConfigResponse, GetInstanceDetailResponse,
        GetInstanceExceptionsResponse, GetInstanceFinalStateResponse, GetInstanceMetricResponse,
        GetInstanceRunSummaryResponse, ListInstanceResponse, ModifyInstanceStateResponse,
        GetInstanceHistoryAutoScalePlanContentResponse, GetInstanceHistoryAutoScalePlanListResponse,
        # folders
        CreateFolderResponse, DeleteFolderResponse, GetFolderResponse, ListChildFolderResponse,
        MVFolderResponse,
        # jobs
        CheckRawPlanJsonResponse, CommitJobResponse, CreateJobResponse, DeleteJobResponse, GetJobResponse,
        ListJobResponse, OfflineJobResponse, StartJobResponse, UpdateJobResponse, ValidateJobResponse,
        CalcPlanJsonResourceResponse, UpdateAutoScaleConfigResponse, GetJobLatestAutoScalePlanResponse,
        GetRawPlanJsonResponse,
        # packages
        CreatePackageResponse, DeletePackageResponse, GetPackageResponse, GetRefPackageJobResponse,
        ListPackageResponse, UpdatePackageResponse,
        # queues
        CreateQueueResponse, DeleteQueueResponse, BindQueueResponse, UnbindQueueResponse,
        GetClusterQueueInfoResponse, ListProjectBindQueueResponse, ListProjectBindQueueResourceResponse,
        UpdateQueueResponse,
        # clusters
        CreateClusterResponse, CreateCellClusterOrderResponse, DestroyClusterResponse,
        ExpandClusterResponse, ShrinkClusterResponse, ListClusterResponse, GetClusterDetailsResponse,
        GetClusterEngineVersionsResponse, GetClusterResourceResponse, ModifyMasterSpecResponse,
        GetClusterMetricsResponse,
        # projects and tags
        CreateProjectResponse, DeleteProjectResponse, GetProjectResponse, ListProjectResponse,
        ListTagResourcesResponse, TagResourcesResponse, UntagResourcesResponse, UpdateProjectResponse,
        UpdateProjectConfigResponse,
    )
}


def parse_response(operation: str, body: Any) -> FoasModel:
    """Validate a decoded response body with the operation's model (KeyError for an unknown operation)."""
    return RESPONSE_MODELS[operation].model_validate(body)
