"""Clusters and their YARN queues: cluster, details, resources, queue figures, and the responses of the
cluster and queue operations.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, JsonValue

from foas_tui.api.models.base import FoasModel, FoasResponse, PagedResponse
from foas_tui.api.models.enums import ClusterStateValue
from foas_tui.api.models.fields import Embedded, Unwrap, _embedded, _list
from foas_tui.api.models.instances import InstanceResource
from foas_tui.api.models.lenient import Bool, EpochMs, Int, Str


class UserOssInfo(FoasModel):
    """GetClusterDetails `UserOssInfo`."""

    endpoint: Str = None
    vpc_endpoint: Str = None
    oxs_endpoint: Str = None
    bucket: Str = None
    access_id: Str = None
    access_key: Str = Field(default=None, repr=False)


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


class ClusterResource(InstanceResource):
    """GetClusterResource: total = allocated + available."""

    available_mb: Int = None
    available_virtual_cores: Int = None


QUEUE_OVERFLOW = -9999  # an Integer queue field that overflowed; read ExternalInfo instead


class QueueExternalInfo(FoasModel):
    """Queue `ExternalInfo`: the raw (possibly > 32-bit) queue figures."""

    name: Str = None
    max_vcore: Int = None
    min_vcore: Int = None
    used_vcore: Int = None
    max_mem: Int = None
    min_mem: Int = None
    used_mem: Int = None
    max_gpu: Int = None
    min_gpu: Int = None
    used_gpu: Int = None


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


class _QueuesResponse(FoasResponse):
    queues: Annotated[list[Queue], Unwrap("Queue")] = _list()


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
