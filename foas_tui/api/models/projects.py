"""Projects, their folders and resource tags, and the responses of the project, folder and tag operations."""

from __future__ import annotations

from typing import Annotated

from foas_tui.api.models.base import FoasModel, FoasResponse, PagedResponse
from foas_tui.api.models.enums import DeployTypeValue, ProjectStateValue
from foas_tui.api.models.fields import Unwrap, _list
from foas_tui.api.models.lenient import Bool, EpochMs, Int, Str, _split_csv


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


class TagResourcesPage(FoasModel):
    """ListTagResources `Data`."""

    next_token: Str = None
    tag_resources: Annotated[list[TagResource], Unwrap("TagResource")] = _list()


class Folder(FoasModel):
    folder_id: Int = None
    path: Str = None


class _TagResponse(FoasResponse):
    """The SDK-only tag operations add a business status to the body."""

    success: Bool = None
    http_status_code: Int = None
    code: Str = None
    message: Str = None


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
