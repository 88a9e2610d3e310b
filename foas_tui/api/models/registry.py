"""The registry: `RESPONSE_MODELS` maps each operation name to its `<Operation>Response`; `parse_response`."""

from __future__ import annotations

from typing import Any

from foas_tui.api.models.base import FoasModel
from foas_tui.api.models.clusters import (
    BindQueueResponse,
    CreateCellClusterOrderResponse,
    CreateClusterResponse,
    CreateQueueResponse,
    DeleteQueueResponse,
    DestroyClusterResponse,
    ExpandClusterResponse,
    GetClusterDetailsResponse,
    GetClusterEngineVersionsResponse,
    GetClusterQueueInfoResponse,
    GetClusterResourceResponse,
    ListClusterResponse,
    ListProjectBindQueueResourceResponse,
    ListProjectBindQueueResponse,
    ModifyMasterSpecResponse,
    ShrinkClusterResponse,
    UnbindQueueResponse,
    UpdateQueueResponse,
)
from foas_tui.api.models.instances import (
    BatchGetInstanceRunSummaryResponse,
    GetInstanceCheckpointResponse,
    GetInstanceConfigResponse,
    GetInstanceDetailResponse,
    GetInstanceExceptionsResponse,
    GetInstanceFinalStateResponse,
    GetInstanceHistoryAutoScalePlanContentResponse,
    GetInstanceHistoryAutoScalePlanListResponse,
    GetInstanceResourceResponse,
    GetInstanceResponse,
    GetInstanceRunSummaryResponse,
    ListInstanceResponse,
    ModifyInstanceStateResponse,
)
from foas_tui.api.models.jobs import (
    CalcPlanJsonResourceResponse,
    CheckRawPlanJsonResponse,
    CommitJobResponse,
    CreateJobResponse,
    DeleteJobResponse,
    GetJobLatestAutoScalePlanResponse,
    GetJobResponse,
    GetRawPlanJsonResponse,
    ListJobResponse,
    OfflineJobResponse,
    StartJobResponse,
    UpdateAutoScaleConfigResponse,
    UpdateJobResponse,
    ValidateJobResponse,
)
from foas_tui.api.models.metrics import GetClusterMetricsResponse, GetInstanceMetricResponse
from foas_tui.api.models.packages import (
    CreatePackageResponse,
    DeletePackageResponse,
    GetPackageResponse,
    GetRefPackageJobResponse,
    ListPackageResponse,
    UpdatePackageResponse,
)
from foas_tui.api.models.projects import (
    CreateFolderResponse,
    CreateProjectResponse,
    DeleteFolderResponse,
    DeleteProjectResponse,
    GetFolderResponse,
    GetProjectResponse,
    ListChildFolderResponse,
    ListProjectResponse,
    ListTagResourcesResponse,
    MVFolderResponse,
    TagResourcesResponse,
    UntagResourcesResponse,
    UpdateProjectConfigResponse,
    UpdateProjectResponse,
)

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


for _model in _all_models(FoasModel):  # resolve any forward reference left (each topic module imports its types)
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
