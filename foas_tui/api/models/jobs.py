"""Jobs: the job, ValidateJob's tables, and the responses of the job operations."""

from __future__ import annotations

from typing import Annotated

from foas_tui.api.models.base import FoasModel, FoasResponse, PagedResponse
from foas_tui.api.models.enums import ApiTypeValue, JobTypeValue
from foas_tui.api.models.fields import Embedded, Unwrap, _embedded, _list
from foas_tui.api.models.lenient import Bool, EpochMs, Int, JsonDict, Str, _split_csv
from foas_tui.api.models.plans import PlanJson, PlanJsonInfo, PlanJsonResource


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
