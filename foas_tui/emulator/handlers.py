"""One handler per foas operation: parameters in, the seed's response shape out (RequestId added by the app).
"""

from __future__ import annotations

import json
import math
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from foas_tui.emulator import runtime
from foas_tui.emulator.spec_table import OPERATIONS, SpecOp
from foas_tui.emulator.store import (
    BATCH,
    PACKAGE_TYPES,
    STREAM,
    UNKNOWN,
    ApiError,
    Cluster,
    Instance,
    Job,
    Package,
    Phase,
    PlanSession,
    Project,
    Queue,
    Store,
    Tag,
    bad_request,
    conflict,
    engine_tuple,
    instance_mem_mb,
    instance_vcore,
    model_cores,
    not_found,
    pretty_json,
)

if TYPE_CHECKING:
    from foas_tui.emulator.runtime import InstanceView

Handler = Callable[["Call"], dict[str, Any]]
HANDLERS: dict[str, Handler] = {}

# Parameters the spec tables mark required but the seed's own demo omits (CreateJob picks defaults,
# exclusive-cluster CreatePackage needs only ossPath, ShrinkCluster takes instanceIds or modelTargetCount).
_OPTIONAL_AFTER_ALL = {
    "CreateJob": {"planJson", "clusterId", "queueName", "engineVersion"},
    "CreatePackage": {"ossBucket", "ossEndpoint", "ossOwner"},
    "ShrinkCluster": {"instanceIds"},
}
_TRUE = {"true", "1", "yes"}
_FALSE = {"false", "0", "no"}
_MODEL_RE = re.compile(r"^Ecs_\d+c\d+g$")
MAX_METRIC_WINDOW_MS = 2 * 3600 * 1000


def handler(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        if name not in OPERATIONS:
            raise KeyError(f"unknown operation {name}")
        HANDLERS[name] = fn
        return fn

    return register


@dataclass(slots=True)
class Call:
    """One request to one operation: its merged parameters and the store, at one moment."""

    op: SpecOp
    params: dict[str, Any]
    store: Store
    now: int

    def has(self, name: str) -> bool:
        value = self.params.get(name)
        return value is not None and value != ""

    def text(self, name: str, default: str | None = None) -> str | None:
        value = self.params.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, dict | list):
            return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        return str(value)

    def req(self, name: str) -> str:
        value = self.text(name)
        if value is None or value == "":
            raise missing(name)
        return value

    def integer(self, name: str, default: int | None = None, *, minimum: int | None = None) -> int | None:
        value = self.params.get(name)
        if value is None or value == "":
            return default
        try:
            number = int(value) if not isinstance(value, bool) else None
        except (TypeError, ValueError):
            number = None
        if number is None or (minimum is not None and number < minimum):
            floor = f" (at least {minimum})" if minimum is not None else ""
            raise bad_request(f"The parameter {name} must be an integer{floor}, not {value!r}.",
                              f"InvalidParameter.{_cap(name)}")
        return number

    def number(self, name: str) -> float | None:
        value = self.params.get(name)
        if value is None or value == "":
            return None
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise bad_request(f"The parameter {name} must be a number, not {value!r}.",
                              f"InvalidParameter.{_cap(name)}") from None
        if not math.isfinite(number):
            raise bad_request(f"The parameter {name} must be a finite number.", f"InvalidParameter.{_cap(name)}")
        return number

    def boolean(self, name: str, default: bool | None = None) -> bool | None:
        value = self.params.get(name)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise bad_request(f"The parameter {name} must be true or false, not {value!r}.",
                          f"InvalidParameter.{_cap(name)}")

    def json_value(self, name: str, kind: type | tuple[type, ...] = dict) -> Any:
        value = self.params.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, str):
            try:
                value = json.loads(value)
            except ValueError:
                raise bad_request(f"The parameter {name} must be JSON text, not {value[:80]!r}.",
                                  f"InvalidParameter.{_cap(name)}") from None
        if not isinstance(value, kind):
            raise bad_request(f"The parameter {name} has the wrong JSON type ({type(value).__name__}).",
                              f"InvalidParameter.{_cap(name)}")
        return value

    def instance_id(self, name: str = "instanceId", default: int | None = None) -> int:
        value = self.params.get(name)
        if (value is None or value == "") and default is not None:
            return default
        try:
            iid = int(str(value))
        except (TypeError, ValueError):
            iid = None
        if iid is None or (iid < 1 and iid != -1):
            raise ApiError(400, "InvalidinstanceId", "Specified parameter instanceId is not valid.")
        return iid


def _cap(name: str) -> str:
    return name[:1].upper() + name[1:]


def missing(name: str) -> ApiError:
    return ApiError(400, "MissingParameter",
                    f"The input parameter '{name}' that is mandatory for processing this request is not supplied.")


def check_required(call: Call) -> None:
    optional = _OPTIONAL_AFTER_ALL.get(call.op.name, set())
    for param in call.op.params:
        if param.required and param.name not in optional and not call.has(param.name):
            raise missing(param.name)


def dispatch(call: Call) -> dict[str, Any]:
    check_required(call)
    return HANDLERS[call.op.name](call)


# --- paging ---------------------------------------------------------------------------------------


def paged(call: Call, items: Sequence[Any], render: Callable[[Any], dict[str, Any]], wrapper: str,
          element: str, default_size: int = 10) -> dict[str, Any]:
    index = call.integer("pageIndex", 1, minimum=1) or 1
    size = call.integer("pageSize", default_size, minimum=1) or default_size
    total = len(items)
    start = (index - 1) * size
    page = items[start:start + size] if start < total else []
    return {
        wrapper: {element: [render(item) for item in page]},
        "PageIndex": index,
        "PageSize": size,
        "TotalCount": total,
        "TotalPage": math.ceil(total / size) if total else 0,
    }


# --- rendering ------------------------------------------------------------------------------------


def instance_view(store: Store, inst: Instance, phase: Phase, now: int) -> InstanceView:
    return store.view(inst, phase, now)


def input_delay(store: Store, inst: Instance, phase: Phase, now: int) -> int:
    if not phase.running:
        return 0
    return int(runtime.input_delay(store.view(inst, phase, now)))


def render_job(job: Job, store: Store, *, full: bool = True, file_id: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "JobName": job.name,
        "ProjectName": job.project,
        "JobType": job.job_type,
        "ApiType": job.api_type,
        "Packages": job.packages,
        "IsCommitted": job.committed,
        "Creator": job.creator,
        "CreateTime": job.create_ms,
        "Modifier": job.modifier,
        "ModifyTime": job.modify_ms,
        "EngineVersion": job.engine_version,
        "ClusterId": job.cluster_id,
        "QueueName": job.queue_name,
        "FolderId": job.folder_id,
        "JobId": job.job_id,
        "Description": job.description,
    }
    if full:
        out["Code"] = job.code
        out["Properties"] = job.properties
        out["PlanJson"] = store.job_plan_json(job)
    if file_id:
        out["FileId"] = str(job.file_id)
    return out


def render_instance(store: Store, inst: Instance, phase: Phase, now: int, *, autoscale: bool = False,
                    priority: bool = False) -> dict[str, Any]:
    v = inst.version
    out: dict[str, Any] = {
        "Id": inst.id,
        "ProjectName": inst.project,
        "JobName": inst.job_name,
        "JobType": inst.job_type,
        "ApiType": inst.api_type,
        "Code": v.get("code") or "",
        "Properties": v.get("properties") or "",
        "Packages": v.get("packages") or "",
        "PlanJson": instance_plan_json(store, inst),
        "EngineVersion": v.get("engine_version") or "",
        "ClusterId": v.get("cluster_id") or "",
        "QueueName": v.get("queue_name") or "",
        "ExpectState": inst.expect_at(phase),
        "ActualState": phase.actual,
        "StartTime": inst.start_ms,
        "Starter": inst.starter,
        "LastOperator": inst.last_operator,
        "LastOperateTime": inst.last_operate_ms,
        "EngineJobHandler": inst.engine_job_handler(),
        "InputDelay": input_delay(store, inst, phase, now),
    }
    if phase.end_ms is not None:
        out["EndTime"] = phase.end_ms
    if phase.last_error_ms is not None:
        out["LastErrorTime"] = phase.last_error_ms
        out["LastErrorMessage"] = phase.last_error_message or ""
    if autoscale:
        a = inst.autoscale
        out["AutoScaleParams"] = json.dumps({"isOnOff": bool(a.get("isOnOff", False)),
                                             "strategyConfigure": a.get("configure"),
                                             "maxCU": a.get("maxCU")}, separators=(",", ":"))
    if priority:
        out["Priority"] = inst.priority
    return out


def instance_plan_json(store: Store, inst: Instance) -> str:
    """The PlanJson the instance runs with; demo versions without one get it generated (once)."""
    v = inst.version
    if v.get("plan_json") is None:
        v["plan_json"] = pretty_json(runtime.plan_json(inst.job_name, v.get("code") or "", inst.parallelism,
                                                       store.seed))
    return v["plan_json"]


def render_run_summary(store: Store, inst: Instance, phase: Phase, now: int) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Id": inst.id,
        "JobName": inst.job_name,
        "ExpectState": inst.expect_at(phase),
        "ActualState": phase.actual,
        "EngineJobHandler": inst.engine_job_handler(),
        "InputDelay": input_delay(store, inst, phase, now),
    }
    if phase.last_error_ms is not None:
        out["LastErrorTime"] = phase.last_error_ms
        out["LastErrorMessage"] = phase.last_error_message or ""
    return out


def unknown_run_summary(job: Job) -> dict[str, Any]:
    """A job without any instance: the seed's demo reads this as ActualState UNKNOWN (start it)."""
    return {"Id": -1, "JobName": job.name, "ExpectState": UNKNOWN, "ActualState": UNKNOWN,
            "EngineJobHandler": "", "InputDelay": 0}


def render_project(project: Project, *, global_config: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "Id": project.project_id,
        "Name": project.name,
        "DeployType": project.deploy_type,
        "ClusterId": project.cluster_id,
        "Region": project.region,
        "Description": project.description,
        "ManagerIds": project.manager_ids,
        "State": project.state,
        "Creator": project.creator,
        "Modifier": project.modifier,
        "CreateTime": project.create_ms,
        "ModifyTime": project.modify_ms,
    }
    if global_config:
        out["GlobalJobConfig"] = project.global_job_config
    return out


def render_package(pkg: Package, *, scan: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "PackageName": pkg.name,
        "ProjectName": pkg.project,
        "Type": pkg.type,
        "OriginName": pkg.origin_name,
        "Description": pkg.description,
        "Md5": pkg.md5,
        "OssBucket": pkg.oss_bucket,
        "OssEndpoint": pkg.oss_endpoint,
        "OssOwner": pkg.oss_owner,
        "OssPath": pkg.oss_path,
        "Tag": pkg.tag,
        "Creator": pkg.creator,
        "Modifier": pkg.modifier,
        "CreateTime": pkg.create_ms,
        "ModifyTime": pkg.modify_ms,
    }
    if scan:
        out.update({"ScanState": "SUCCESS", "ScanErrorMessage": "", "ScanLink": "", "ScanExtBizNo": ""})
    return out


def render_cluster(cluster: Cluster) -> dict[str, Any]:
    return {
        "ClusterId": cluster.cluster_id,
        "DisplayName": cluster.display_name,
        "Description": cluster.description,
        "State": cluster.state,
        "RegionId": cluster.region_id,
        "ZoneId": cluster.zone_id,
        "OwnerId": cluster.owner_id,
        "Operator": cluster.operator,
        "GmtCreate": cluster.create_ms,
        "GmtModified": cluster.modify_ms,
    }


def render_queue(store: Store, queue: Queue, *, external: bool = False) -> dict[str, Any]:
    used_vcore, used_mem = store.queue_usage(queue)
    out: dict[str, Any] = {
        "ClusterId": queue.cluster_id,
        "QueueName": queue.name,
        "MaxVCore": queue.max_vcore,
        "MinVCore": max(0, queue.max_vcore - 1),
        "MaxMem": queue.max_mem_mb,
        "MinMem": max(0, queue.max_mem_mb - 41),
        "MaxGpu": queue.gpu,
        "MinGpu": 0,
        "UsedVCore": used_vcore,
        "UsedMem": used_mem,
        "UsedGpu": 0,
    }
    if external:
        out["ExternalInfo"] = json.dumps({
            "minGpu": 0, "maxGpu": queue.gpu, "name": queue.name, "minMem": out["MinMem"],
            "usedVCore": used_vcore, "usedGpu": 0, "usedMem": used_mem, "minVCore": out["MinVCore"],
            "maxVCore": queue.max_vcore, "maxMem": queue.max_mem_mb}, separators=(",", ":"))
    return out


def _jobs_filtered(jobs: Iterable[Job], predicates: list[Callable[[Job], bool]]) -> list[Job]:
    if not predicates:
        return list(jobs)
    return [j for j in jobs if all(p(j) for p in predicates)]


def _upper(value: str | None) -> str | None:
    return value.upper() if value else None


# --- instances ------------------------------------------------------------------------------------


def _running_instance(call: Call, inst: Instance, what: str) -> tuple[Phase, InstanceView]:
    phase = inst.phase(call.now)
    if not phase.running:
        raise conflict("InstanceNotRunning", f"The instance {inst.id} of job {inst.job_name!r} is not running "
                       f"(actual state {phase.actual}); {what} is only available while it runs.")
    return phase, instance_view(call.store, inst, phase, call.now)


def _instance(call: Call, default: int | None = None, name: str = "instanceId") -> Instance:
    return call.store.instance(call.req("projectName"), call.req("jobName"), call.instance_id(name, default))


@handler("GetInstance")
def get_instance(call: Call) -> dict[str, Any]:
    job = call.store.job(call.req("projectName"), call.req("jobName"))
    iid = call.instance_id()
    if iid == -1 and job.current is None:
        return {"Instance": {"JobName": job.name, "ProjectName": job.project, "JobType": job.job_type,
                             "ApiType": job.api_type, "ExpectState": UNKNOWN, "ActualState": UNKNOWN}}
    inst = _instance(call)
    return {"Instance": render_instance(call.store, inst, inst.phase(call.now), call.now, autoscale=True)}


@handler("GetInstanceRunSummary")
def get_instance_run_summary(call: Call) -> dict[str, Any]:
    job = call.store.job(call.req("projectName"), call.req("jobName"))
    if call.instance_id() == -1 and job.current is None:
        return {"RunSummary": unknown_run_summary(job)}
    inst = _instance(call)
    return {"RunSummary": render_run_summary(call.store, inst, inst.phase(call.now), call.now)}


@handler("BatchGetInstanceRunSummary")
def batch_get_instance_run_summary(call: Call) -> dict[str, Any]:
    project = call.store.project(call.req("projectName"))
    job_type = call.req("jobType").upper()
    names = [n.strip() for n in call.req("jobNames").split(",") if n.strip()]
    cap = call.store.max_run_summary_names
    if cap is not None and len(names) > cap:
        raise bad_request(f"Too many job names: {len(names)}, at most {cap}.", "InvalidParameter.JobNames")
    out = []
    for name in dict.fromkeys(names):
        job = project.jobs.get(name)
        # As the seed's demo says: jobs that do not exist, are offline or of another type are left out.
        if job is None or not job.committed or job.job_type != job_type:
            continue
        inst = job.current
        out.append(unknown_run_summary(job) if inst is None
                   else render_run_summary(call.store, inst, inst.phase(call.now), call.now))
    return {"RunSummarys": {"RunSummary": out}}


@handler("ListInstance")
def list_instance(call: Call) -> dict[str, Any]:
    store = call.store
    project = store.project(call.req("projectName"))
    job_type = call.req("jobType").upper()
    job_name = call.text("jobName") or None
    api_type = _upper(call.text("apiType"))
    expect = _upper(call.text("expectState"))
    actual = _upper(call.text("actualState"))
    archived = call.boolean("isArchived", False)
    start_lo, start_hi = call.integer("startBeginTs"), call.integer("startEndTs")
    end_lo, end_hi = call.integer("endBeginTs"), call.integer("endEndTs")
    now = call.now
    rows: list[tuple[Instance, Phase]] = []
    for inst in reversed(project.instances.values()):  # newest first
        if inst.job_type != job_type or (job_name and inst.job_name != job_name):
            continue
        if api_type and inst.api_type != api_type:
            continue
        if start_lo is not None and inst.start_ms < start_lo or start_hi is not None and inst.start_ms > start_hi:
            continue
        phase = inst.phase(now)
        if store.is_archived(inst, project.jobs.get(inst.job_name), phase, now) != archived:
            continue
        if actual and phase.actual != actual or expect and inst.expect_at(phase) != expect:
            continue
        if end_lo is not None or end_hi is not None:
            if phase.end_ms is None or (end_lo is not None and phase.end_ms < end_lo) \
                    or (end_hi is not None and phase.end_ms > end_hi):
                continue
        rows.append((inst, phase))
    return paged(call, rows, lambda row: render_instance(store, row[0], row[1], now, priority=True),
                 "Instances", "Instance")


@handler("ModifyInstanceState")
def modify_instance_state(call: Call) -> dict[str, Any]:
    call.boolean("isFlush")
    call.store.modify_instance_state(call.req("projectName"), call.req("jobName"), call.instance_id(),
                                     call.req("expectState"), bool(call.boolean("triggerCheckpoint")))
    return {}


@handler("GetInstanceResource")
def get_instance_resource(call: Call) -> dict[str, Any]:
    inst = _instance(call)
    _, view = _running_instance(call, inst, "the resource usage")
    resource = {"TotalVirtualCores": instance_vcore(inst.parallelism), "TotalMB": instance_mem_mb(inst.parallelism)}
    resource.update(runtime.resource(view))
    return {"Resource": resource}


@handler("GetInstanceCheckpoint")
def get_instance_checkpoint(call: Call) -> dict[str, Any]:
    inst = _instance(call)
    _, view = _running_instance(call, inst, "checkpoint information")
    return {"Checkpoints": compact(_with_triggered(runtime.checkpoints(view), inst.triggered_checkpoints))}


def _with_triggered(stats: dict[str, Any], triggered: list[int]) -> dict[str, Any]:
    """Checkpoints asked for with triggerCheckpoint, completed at the request: newest one is the latest completed."""
    for at in triggered:
        latest = stats["latest"].get("completed")
        if latest is not None and latest.get("trigger_timestamp", 0) >= at:
            continue
        entry = dict(latest or {"@class": "completed", "status": "COMPLETED", "is_savepoint": False, "tasks": {},
                                "state_size": 0, "full_state_size": 0, "alignment_buffered": 0,
                                "num_subtasks": 1, "num_acknowledged_subtasks": 1, "discarded": False})
        ids = [e.get("id", 0) for e in stats["history"]] + [latest.get("id", 0) if latest else 0]
        entry.update({"id": max(ids) + 1, "trigger_timestamp": at - 1000, "latest_ack_timestamp": at,
                      "end_to_end_duration": 1000, "discarded": False})
        if entry.get("external_path"):
            entry["external_path"] = entry["external_path"].rsplit("/", 1)[0] + f"/chk-{entry['id']}"
        stats["latest"]["completed"] = entry
        stats["history"] = [entry, *stats["history"]][:runtime.CHECKPOINT_HISTORY]
        stats["counts"]["total"] += 1
        stats["counts"]["completed"] += 1
    return stats


@handler("GetInstanceConfig")
def get_instance_config(call: Call) -> dict[str, Any]:
    _, view = _running_instance(call, _instance(call), "the configuration")
    return {"Config": compact(runtime.config(view))}


@handler("GetInstanceDetail")
def get_instance_detail(call: Call) -> dict[str, Any]:
    _, view = _running_instance(call, _instance(call), "the detail")
    return {"Detail": compact(runtime.detail(view))}


@handler("GetInstanceExceptions")
def get_instance_exceptions(call: Call) -> dict[str, Any]:
    inst = _instance(call)
    phase = inst.phase(call.now)
    return {"Exceptions": compact(runtime.exceptions(instance_view(call.store, inst, phase, call.now)))}


@handler("GetInstanceFinalState")
def get_instance_final_state(call: Call) -> dict[str, Any]:
    inst = _instance(call)
    phase = inst.phase(call.now)
    return {"Finalstate": runtime.final_state(instance_view(call.store, inst, phase, call.now)) or phase.actual}


@handler("GetInstanceMetric")
def get_instance_metric(call: Call) -> dict[str, Any]:
    metric_json = call.json_value("metricJson")
    if not isinstance(metric_json.get("queries"), list) or not metric_json["queries"]:
        raise bad_request("metricJson needs a non-empty 'queries' list.", "InvalidParameter.MetricJson")
    _, view = _running_instance(call, _instance(call, default=-1), "metrics")
    return {"Metrics": runtime.metrics(view, _clamp_window(metric_json, call.now))}


def _clamp_window(metric_json: dict[str, Any], now: int) -> dict[str, Any]:
    """Only the last two hours can be queried (seed demo): clamp start/end into that window."""
    out = dict(metric_json)
    try:
        end = int(out.get("end") or now)
        start = int(out.get("start") or end - 3600_000)
    except (TypeError, ValueError):
        raise bad_request("metricJson start/end must be epoch milliseconds.", "InvalidParameter.MetricJson") from None
    end = min(end, now)
    start = max(start, now - MAX_METRIC_WINDOW_MS)
    if start >= end:
        raise bad_request("metricJson start must be before end (and within the last two hours).",
                          "InvalidParameter.MetricJson")
    out["start"], out["end"] = start, end
    return out


def _autoscale_instance(call: Call) -> tuple[Instance, InstanceView]:
    inst = _instance(call)
    if inst.job_type == BATCH:
        raise ApiError(400, "InvalidinstanceId", "Specified parameter instanceId is not valid.")
    phase = inst.phase(call.now)
    return inst, instance_view(call.store, inst, phase, call.now)


def _plan_names(plans: list[Any]) -> list[str]:
    names = []
    for plan in plans:
        if isinstance(plan, dict):
            names.append(str(plan.get("planName") or plan.get("PlanName") or plan.get("name") or ""))
        else:
            names.append(str(plan))
    return names


@handler("GetInstanceHistoryAutoScalePlanList")
def get_autoscale_plan_list(call: Call) -> dict[str, Any]:
    _, view = _autoscale_instance(call)
    return {"PlanList": _plan_names(runtime.autoscale_plan_list(view))}


@handler("GetInstanceHistoryAutoScalePlanContent")
def get_autoscale_plan_content(call: Call) -> dict[str, Any]:
    _, view = _autoscale_instance(call)
    plan_name = call.req("planName")
    if plan_name not in _plan_names(runtime.autoscale_plan_list(view)):
        raise not_found("PlanNotFound", f"The instance has no auto-scale plan named {plan_name!r}.")
    return {"PlanContent": compact(runtime.autoscale_plan_content(view, plan_name))}


@handler("UpdateAutoScaleConfig")
def update_auto_scale_config(call: Call) -> dict[str, Any]:
    inst, _ = _autoscale_instance(call)
    config = call.json_value("configJson")
    if not inst.autoscale.get("isOnOff"):
        raise conflict("AutoScaleNotEnabled", f"The instance {inst.id} was not started with AutoScale "
                       "(CommitJob isOnOff=true); its AutoScale configuration cannot be changed.")
    inst.autoscale_config.update(config)
    return {}


# --- folders --------------------------------------------------------------------------------------


def render_folder(folder: Any) -> dict[str, Any]:
    return {"FolderId": folder.folder_id, "Path": folder.path}


@handler("CreateFolder")
def create_folder(call: Call) -> dict[str, Any]:
    folder = call.store.create_folder(call.req("projectName"), call.req("path"))
    return {"FolderId": folder.folder_id}


@handler("DeleteFolder")
def delete_folder(call: Call) -> dict[str, Any]:
    call.store.delete_folder(call.req("projectName"), call.req("path"))
    return {}


@handler("GetFolder")
def get_folder(call: Call) -> dict[str, Any]:
    return {"Folder": render_folder(call.store.folder(call.req("projectName"), call.req("path")))}


@handler("ListChildFolder")
def list_child_folder(call: Call) -> dict[str, Any]:
    project = call.store.project(call.req("projectName"))
    folder = call.store.folder(project.name, call.req("path"))
    children = sorted(call.store.child_folders(project, folder.path), key=lambda f: f.path)
    return {"Folders": {"Folder": [render_folder(f) for f in children]}}


@handler("MVFolder")
def mv_folder(call: Call) -> dict[str, Any]:
    call.store.move_folder(call.req("projectName"), call.req("srcPath"), call.req("destPath"))
    return {}


# --- jobs -----------------------------------------------------------------------------------------


@handler("CreateJob")
def create_job(call: Call) -> dict[str, Any]:
    params: dict[str, Any] = {p.name: call.text(p.name) for p in call.op.params}
    params["folderId"] = call.integer("folderId")
    call.store.create_job(call.req("projectName"), params)
    return {}


@handler("UpdateJob")
def update_job(call: Call) -> dict[str, Any]:
    params = {p.name: call.text(p.name) for p in call.op.params if p.location == "body"}
    params["folderId"] = call.integer("folderId")
    call.store.update_job(call.req("projectName"), call.req("jobName"), params)
    return {}


@handler("GetJob")
def get_job(call: Call) -> dict[str, Any]:
    job = call.store.job(call.req("projectName"), call.req("jobName"))
    return {"Job": render_job(job, call.store, file_id=True)}


@handler("ListJob")
def list_job(call: Call) -> dict[str, Any]:
    store = call.store
    project = store.project(call.req("projectName"))
    preds: list[Callable[[Job], bool]] = []
    if call.has("jobName"):
        needle = call.req("jobName").lower()
        preds.append(lambda j: needle in j.name.lower())
    for param, attr, upper in (("jobType", "job_type", True), ("apiType", "api_type", True),
                               ("engineVersion", "engine_version", False), ("clusterId", "cluster_id", False),
                               ("queueName", "queue_name", False)):
        if call.has(param):
            wanted = call.req(param)
            wanted = wanted.upper() if upper else wanted
            preds.append(lambda j, a=attr, w=wanted: getattr(j, a) == w)
    folder_id = call.integer("folderId")
    if folder_id is not None:
        preds.append(lambda j: j.folder_id == folder_id)
    full = call.boolean("isShowFullField", True)
    jobs = _jobs_filtered(project.jobs.values(), preds)
    return paged(call, jobs, lambda j: render_job(j, store, full=bool(full)), "Jobs", "Job")


@handler("DeleteJob")
def delete_job(call: Call) -> dict[str, Any]:
    call.store.delete_job(call.req("projectName"), call.req("jobName"))
    return {}


@handler("CommitJob")
def commit_job(call: Call) -> dict[str, Any]:
    max_cu = call.number("maxCU")
    if max_cu is not None and max_cu <= 0:
        raise bad_request("maxCU must be greater than 0.", "InvalidParameter.MaxCU")
    configure = call.json_value("configure")
    periods = call.json_value("suspendPeriods", list)
    flattened = _suspend_period_params(call.params)
    autoscale = {
        "isOnOff": bool(call.boolean("isOnOff", False)),
        "maxCU": max_cu,
        "configure": configure,
        "recommendOnly": call.boolean("recommendOnly"),
        "suspendPeriods": periods if periods is not None else flattened,
    }
    call.store.commit_job(call.req("projectName"), call.req("jobName"), autoscale)
    return {}


def _suspend_period_params(params: dict[str, Any]) -> list[dict[str, str]]:
    periods: dict[int, dict[str, str]] = {}
    for key, value in params.items():
        m = re.fullmatch(r"suspendPeriodParam\.(\d+)\.(\w+)", key)
        if m:
            periods.setdefault(int(m.group(1)), {})[m.group(2)] = str(value)
    return [periods[i] for i in sorted(periods)]


@handler("OfflineJob")
def offline_job(call: Call) -> dict[str, Any]:
    call.store.offline_job(call.req("projectName"), call.req("jobName"))
    return {}


@handler("StartJob")
def start_job(call: Call) -> dict[str, Any]:
    params = call.json_value("parameterJson") or {}
    inst = call.store.start_job(call.req("projectName"), call.req("jobName"), params)
    return {"instanceId": inst.id}


@handler("ValidateJob")
def validate_job(call: Call) -> dict[str, Any]:
    job = call.store.job(call.req("projectName"), call.req("jobName"))
    if job.api_type != "SQL":
        return {"JobInOut": {"Inputs": {"Input": []}, "Outputs": {"Output": []}, "Dims": {"Dim": []}}}
    result = runtime.validate(job.code)
    if isinstance(result, str):
        raise bad_request(result, "SqlParseError")
    return {"JobInOut": result.get("JobInOut", result)}


def _job_plan(store: Store, job: Job) -> dict[str, Any]:
    text = store.job_plan_json(job)
    try:
        plan = json.loads(text) if text else {}
    except ValueError:
        return {}
    return plan if isinstance(plan, dict) else {}


@handler("CalcPlanJsonResource")
def calc_plan_json_resource(call: Call) -> dict[str, Any]:
    job = call.store.job(call.req("projectName"), call.req("jobName"))
    version = engine_tuple(job.engine_version)
    if version is not None and version < (3, 2, 1):
        raise bad_request(f"CalcPlanJsonResource needs engine blink-3.2.1 or later; the job uses "
                          f"{job.engine_version}.", "UnsupportedEngineVersion")
    plan = _job_plan(call.store, job)
    if not plan.get("nodes"):  # no PlanJson stored yet: estimate from the generated one
        plan = runtime.plan_json(job.name, job.code, job.parallelism, call.store.seed)
    resource = runtime.plan_resource(plan)
    return {"PlanJsonResource": {"Cores": resource["Cores"], "MemoryGB": resource["MemoryGB"]}}


@handler("GetRawPlanJson")
def get_raw_plan_json(call: Call) -> dict[str, Any]:
    store = call.store
    job = store.job(call.req("projectName"), call.req("jobName"))
    core, gb = call.number("expectedCore"), call.number("expectedGB")
    if (core is None) != (gb is None):
        raise bad_request("expectedCore and expectedGB must be given together or not at all.",
                          "InvalidParameter.ExpectedResource")
    call.boolean("autoconfEnable")
    session_id = store.random_id(64)
    store.plan_sessions[session_id] = PlanSession(session_id, job.project, job.name, call.now, core, gb)
    return {"SessionId": session_id}


@handler("CheckRawPlanJson")
def check_raw_plan_json(call: Call) -> dict[str, Any]:
    store = call.store
    job = store.job(call.req("projectName"), call.req("jobName"))
    session = store.plan_sessions.get(call.req("sessionId"))
    if session is None or session.project != job.project or session.job_name != job.name:
        raise not_found("SessionNotFound", "The PlanJson session does not exist (or belongs to another job); "
                        "call GetRawPlanJson first.")
    if call.now < session.created_ms + store.step_ms:
        return {"PlanJsonInfo": {"Status": "Session in run", "PlanJson": "", "ErrorMessage": ""}}
    if job.api_type == "SQL":
        result = runtime.validate(job.code)
        if isinstance(result, str):
            return {"PlanJsonInfo": {"Status": "fail", "PlanJson": "", "ErrorMessage": result}}
    parallelism = job.parallelism
    if session.expected_core:
        parallelism = max(1, int(session.expected_core * 2))
    plan = pretty_json(runtime.plan_json(job.name, job.code, parallelism, store.seed))
    return {"PlanJsonInfo": {"Status": "success", "PlanJson": plan, "ErrorMessage": ""}}


@handler("GetJobLatestAutoScalePlan")
def get_job_latest_auto_scale_plan(call: Call) -> dict[str, Any]:
    job = call.store.job(call.req("projectName"), call.req("jobName"))
    if job.current is None or job.job_type != STREAM or not job.autoscale.get("isOnOff"):
        return {"PlanJson": None}  # the seed: null when no earlier run was tuned automatically
    return {"PlanJson": pretty_json(runtime.latest_autoscale_plan(job.name, call.store.seed))}


# --- packages -------------------------------------------------------------------------------------


@handler("CreatePackage")
def create_package(call: Call) -> dict[str, Any]:
    store = call.store
    project = store.project(call.req("projectName"))
    name = call.req("packageName")
    if name in project.packages:
        raise conflict("PackageAlreadyExists", f"The package {name!r} already exists in project {project.name!r}.")
    if any(c in name for c in "/?#"):
        raise bad_request(f"The package name {name!r} is not valid.", "InvalidParameter.PackageName")
    kind = call.req("type").upper()
    if kind not in PACKAGE_TYPES:
        raise bad_request(f"type must be one of {', '.join(PACKAGE_TYPES)}, not {call.text('type')!r}.",
                          "InvalidParameter.Type")
    project.packages[name] = Package(
        project=project.name, name=name, type=kind, oss_path=call.req("ossPath"),
        oss_bucket=call.text("ossBucket", ""), oss_endpoint=call.text("ossEndpoint", ""),  # type: ignore[arg-type]
        oss_owner=call.text("ossOwner", ""), origin_name=call.text("originName") or name,  # type: ignore[arg-type]
        description=call.text("description", ""), md5=call.text("md5", ""),  # type: ignore[arg-type]
        tag=call.text("tag", ""), create_ms=call.now, modify_ms=call.now,  # type: ignore[arg-type]
    )
    return {}


@handler("DeletePackage")
def delete_package(call: Call) -> dict[str, Any]:
    call.store.delete_package(call.req("projectName"), call.req("packageName"))
    return {}


@handler("GetPackage")
def get_package(call: Call) -> dict[str, Any]:
    pkg = call.store.package(call.req("projectName"), call.req("packageName"))
    return {"Package": render_package(pkg, scan=True)}


@handler("UpdatePackage")
def update_package(call: Call) -> dict[str, Any]:
    pkg = call.store.package(call.req("projectName"), call.req("packageName"))
    for param, attr in (("originName", "origin_name"), ("description", "description"), ("md5", "md5"),
                        ("ossEndpoint", "oss_endpoint"), ("ossBucket", "oss_bucket"), ("ossOwner", "oss_owner"),
                        ("ossPath", "oss_path"), ("tag", "tag")):
        if call.params.get(param) is not None:
            setattr(pkg, attr, call.text(param))
    pkg.modify_ms = call.now
    return {}


@handler("ListPackage")
def list_package(call: Call) -> dict[str, Any]:
    project = call.store.project(call.req("projectName"))
    needle = (call.text("packageName") or "").lower()
    kind = _upper(call.text("type"))
    tag = call.text("tag") or None
    pkgs = [p for p in project.packages.values()
            if needle in p.name.lower() and (not kind or p.type == kind) and (tag is None or p.tag == tag)]
    return paged(call, pkgs, render_package, "Packages", "Package")


@handler("GetRefPackageJob")
def get_ref_package_job(call: Call) -> dict[str, Any]:
    store = call.store
    project = store.project(call.req("projectName"))
    name = call.req("packageName")
    store.package(project.name, name)
    jobs = store.jobs_referencing(project, name, committed_only=True)
    return paged(call, jobs, lambda j: render_job(j, store), "Jobs", "Job")


# --- queues ---------------------------------------------------------------------------------------


def _queue_limits(call: Call) -> tuple[int, int, int]:
    vcore = call.integer("maxVcore", minimum=1)
    mem = call.integer("maxMemMB", minimum=1)
    gpu = call.integer("gpu", 0, minimum=0)
    return vcore, mem, gpu  # type: ignore[return-value]


@handler("CreateQueue")
def create_queue(call: Call) -> dict[str, Any]:
    cluster = call.store.cluster(call.req("clusterId"))
    name = call.req("queueName")
    if not re.fullmatch(r"(root\.)?[A-Za-z0-9_\-]+", name):
        raise bad_request(f"The queue name {name!r} is not valid; only first-level queues such as "
                          "'root.<name>' can be created.", "InvalidParameter.QueueName")
    if name in cluster.queues:
        raise conflict("QueueAlreadyExists", f"The queue {name!r} already exists on cluster {cluster.cluster_id}.")
    vcore, mem, gpu = _queue_limits(call)
    call.store.check_capacity(cluster, name, vcore, mem)
    cluster.queues[name] = Queue(cluster.cluster_id, name, vcore, mem, gpu)
    return {}


@handler("UpdateQueue")
def update_queue(call: Call) -> dict[str, Any]:
    store = call.store
    queue = store.queue(call.req("clusterId"), call.req("queueName"))
    vcore, mem, gpu = _queue_limits(call)
    store.check_capacity(store.cluster(queue.cluster_id), queue.name, vcore, mem)
    queue.max_vcore, queue.max_mem_mb = vcore, mem
    if call.has("gpu"):
        queue.gpu = gpu
    return {}


@handler("DeleteQueue")
def delete_queue(call: Call) -> dict[str, Any]:
    queue = call.store.queue(call.req("clusterId"), call.req("queueName"))
    if queue.projects:
        raise conflict("QueueInUse", f"The queue {queue.name!r} is bound to project {queue.projects[0]!r}; "
                       "unbind it (UnbindQueue) before deleting it.")
    del call.store.clusters[queue.cluster_id].queues[queue.name]
    return {}


@handler("BindQueue")
def bind_queue(call: Call) -> dict[str, Any]:
    call.store.bind_queue(call.req("projectName"), call.req("clusterId"), call.req("queueName"))
    return {}


@handler("UnbindQueue")
def unbind_queue(call: Call) -> dict[str, Any]:
    call.store.unbind_queue(call.req("projectName"), call.req("clusterId"), call.req("queueName"))
    return {}


@handler("GetClusterQueueInfo")
def get_cluster_queue_info(call: Call) -> dict[str, Any]:
    cluster = call.store.cluster(call.req("clusterId"))
    return {"Queues": {"Queue": [render_queue(call.store, q, external=True) for q in cluster.queues.values()]}}


def _project_queues(call: Call) -> list[Queue]:
    store = call.store
    project = store.project(call.req("projectName"))
    cluster_id, queue_name = call.text("clusterId") or None, call.text("queueName") or None
    out = []
    for cid, qname in project.bindings:
        if (cluster_id and cid != cluster_id) or (queue_name and qname != queue_name):
            continue
        cluster = store.clusters.get(cid)
        if cluster is not None and qname in cluster.queues:
            out.append(cluster.queues[qname])
    return out


@handler("ListProjectBindQueue")
def list_project_bind_queue(call: Call) -> dict[str, Any]:
    return {"Queues": {"Queue": [{"ClusterId": q.cluster_id, "QueueName": q.name} for q in _project_queues(call)]}}


@handler("ListProjectBindQueueResource")
def list_project_bind_queue_resource(call: Call) -> dict[str, Any]:
    return {"Queues": {"Queue": [render_queue(call.store, q) for q in _project_queues(call)]}}


# --- clusters -------------------------------------------------------------------------------------


def _model(call: Call, name: str, required: bool = True) -> str | None:
    value = call.req(name) if required else call.text(name)
    if value is not None and not _MODEL_RE.match(value):
        raise bad_request(f"{name} must be a machine model such as Ecs_8c32g, not {value!r}.",
                          f"InvalidParameter.{_cap(name)}")
    return value


def _post_paid(cluster: Cluster, what: str) -> None:
    if cluster.pay_model != "post":
        raise conflict("UnsupportedOperation.PrePaid", f"{what} is only supported for pay-as-you-go clusters; "
                       f"{cluster.cluster_id} is subscription (pre-paid).")
    if cluster.state != "RUNNING":
        raise conflict("IncorrectClusterStatus", f"The cluster {cluster.cluster_id} is {cluster.state}; wait until "
                       "it is RUNNING.")


@handler("CreateCellClusterOrder")
def create_cell_cluster_order(call: Call) -> dict[str, Any]:
    store = call.store
    master, slave = _model(call, "masterSpec"), _model(call, "slaveSpec")
    masters, slaves = call.integer("masterNum", minimum=1), call.integer("slaveNum", minimum=1)
    pay = call.req("payModel").lower()
    if pay not in ("pre", "post"):
        raise bad_request(f"payModel must be 'pre' or 'post', not {pay!r}.", "InvalidParameter.PayModel")
    period = call.integer("period", minimum=1)
    if pay == "pre" and period is None:
        raise missing("period")
    order_id = f"blinkonecs_{pay}-cn-{store.random_id(11)}"
    store.orders[order_id] = {"master_model": master, "master_count": masters, "slave_model": slave,
                              "slave_count": slaves, "pay_model": pay, "region": call.req("region")}
    return {"OrderId": order_id}


@handler("CreateCluster")
def create_cluster(call: Call) -> dict[str, Any]:
    store = call.store
    order = store.orders.get(call.req("orderId"), {})
    cid = store.random_id()
    cluster = Cluster(
        cluster_id=cid, display_name=call.req("displayName"), description=call.req("description"),
        region_id=order.get("region") or store.region_id, zone_id=call.req("zoneId"), create_ms=call.now,
        modify_ms=call.now, user_vpc_id=call.req("userVpcId"), user_vswitch=call.req("userVSwitch"),
        user_oss_bucket=call.req("userOssBucket"), pay_model=order.get("pay_model", "post"),
        master_model=order.get("master_model", "Ecs_4c16g"), master_count=order.get("master_count", 3),
        slave_model=order.get("slave_model", "Ecs_8c32g"), slave_count=order.get("slave_count", 3),
    )
    store._assign_machine_ids(cluster)
    cluster.start_change("STARTING", call.now, 5 * store.step_ms)
    store.clusters[cid] = cluster
    return {"ClusterId": cid}


@handler("DestroyCluster")
def destroy_cluster(call: Call) -> dict[str, Any]:
    store = call.store
    cluster = store.cluster(call.req("clusterId"))
    _post_paid(cluster, "DestroyCluster")
    users = [p.name for p in store.projects.values()
             if p.cluster_id == cluster.cluster_id or any(c == cluster.cluster_id for c, _ in p.bindings)]
    if users:
        raise conflict("ClusterInUse", f"The cluster {cluster.cluster_id} still hosts {len(users)} project(s) "
                       f"(e.g. {users[0]!r}); delete them first.")
    cluster.start_change("DESTROYING", call.now, 2 * store.step_ms, state="DESTROYED")
    return {}


@handler("ExpandCluster")
def expand_cluster(call: Call) -> dict[str, Any]:
    store = call.store
    cluster = store.cluster(call.req("clusterId"))
    _post_paid(cluster, "ExpandCluster")
    model = _model(call, "model", required=False)
    if model and model != cluster.slave_model:
        raise bad_request(f"Mixed deployment is not supported: the cluster's slaves are {cluster.slave_model}.",
                          "InvalidParameter.Model")
    count = call.integer("count", minimum=1)
    if count is None:
        raise missing("count")
    if count <= cluster.slave_count:
        raise bad_request(f"count is the target number of machines and must exceed the current "
                          f"{cluster.slave_count}.", "InvalidParameter.Count")
    cluster.start_change("EXPANDING", call.now, 3 * store.step_ms, slave_count=count)
    cluster.busy_after["slave_ids"] = list(cluster.slave_ids)
    rng = random.Random(f"expand:{cluster.cluster_id}:{count}")
    while len(cluster.busy_after["slave_ids"]) < count:
        cluster.busy_after["slave_ids"].append("i-" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                                                            for _ in range(20)))
    return {}


@handler("ShrinkCluster")
def shrink_cluster(call: Call) -> dict[str, Any]:
    store = call.store
    cluster = store.cluster(call.req("clusterId"))
    _post_paid(cluster, "ShrinkCluster")
    ids = [i.strip() for i in (call.text("instanceIds") or "").split(",") if i.strip()]
    if not ids:
        if call.has("modelTargetCount"):
            raise bad_request("Scaling in by modelTargetCount is not supported yet; pass instanceIds.",
                              "UnsupportedOperation.ModelTargetCount")
        raise missing("instanceIds")
    unknown = [i for i in ids if i not in cluster.slave_ids]
    if unknown:
        raise bad_request(f"{unknown[0]!r} is not a slave instance of cluster {cluster.cluster_id} "
                          "(see GetClusterDetails InstanceInfos).", "InvalidParameter.InstanceIds")
    remaining = [i for i in cluster.slave_ids if i not in ids]
    if not remaining:
        raise bad_request("A cluster needs at least one slave machine.", "InvalidParameter.InstanceIds")
    cluster.start_change("REDUCING", call.now, 3 * store.step_ms, slave_count=len(remaining), slave_ids=remaining)
    return {}


@handler("ModifyMasterSpec")
def modify_master_spec(call: Call) -> dict[str, Any]:
    store = call.store
    cluster = store.cluster(call.req("clusterId"))
    _post_paid(cluster, "ModifyMasterSpec")
    model = _model(call, "masterTargetModel")
    cluster.start_change("UPGRADING", call.now, 3 * store.step_ms, master_model=model)
    return {}


@handler("ListCluster")
def list_cluster(call: Call) -> dict[str, Any]:
    store = call.store
    cid, state = call.text("clusterId") or None, _upper(call.text("state"))
    display, region = (call.text("displayName") or "").lower(), call.text("region") or None
    for cluster in store.clusters.values():
        cluster.refresh(call.now)
    clusters = [c for c in store.clusters.values()
                if (not cid or c.cluster_id == cid) and (not state or c.state == state)
                and display in c.display_name.lower() and (not region or c.region_id == region)]
    return paged(call, clusters, render_cluster, "Clusters", "Cluster")


@handler("GetClusterDetails")
def get_cluster_details(call: Call) -> dict[str, Any]:
    cluster = call.store.cluster(call.req("clusterId"))
    machines = [{"instanceId": i, "role": "master", "model": cluster.master_model, "status": "Running"}
                for i in cluster.master_ids]
    machines += [{"instanceId": i, "role": "slave", "model": cluster.slave_model, "status": "Running"}
                 for i in cluster.slave_ids]
    details = render_cluster(cluster)
    oss = cluster.user_oss_info or {
        "endpoint": f"oss-{cluster.region_id}.aliyuncs.com",
        "vpcEndpoint": f"oss-{cluster.region_id}-internal.aliyuncs.com",
        "oxsEndpoint": f"oss-{cluster.region_id}-internal.aliyuncs.com",
        "accessId": None, "accessKey": None, "bucket": cluster.user_oss_bucket}
    details.update({
        "StorageType": cluster.storage_type,
        "IsMixDeploy": cluster.is_mix_deploy,
        "UserVpcId": cluster.user_vpc_id,
        "UserVSwitchList": json.dumps([cluster.user_vswitch]),
        "UserSGId": cluster.user_sg_id or f"sg-{cluster.cluster_id[:20]}",
        "UserOssInfo": json.dumps(oss, separators=(",", ":")),
        "InstanceInfos": json.dumps(machines, separators=(",", ":")),
    })
    return {"Details": details}


@handler("GetClusterEngineVersions")
def get_cluster_engine_versions(call: Call) -> dict[str, Any]:
    cluster = call.store.cluster(call.req("clusterId"))
    return {"EngineVersions": {"EngineVersion": list(cluster.engine_versions)}}


@handler("GetClusterResource")
def get_cluster_resource(call: Call) -> dict[str, Any]:
    store = call.store
    cluster = store.cluster(call.req("clusterId"))
    used = [store.queue_usage(q) for q in cluster.queues.values()]
    vcore = min(sum(u[0] for u in used), cluster.total_vcore)
    mem = min(sum(u[1] for u in used), cluster.total_mem_mb)
    return {"Resource": {"TotalVirtualCores": cluster.total_vcore, "TotalMB": cluster.total_mem_mb,
                         "AllocatedVirtualCores": vcore, "AllocatedMB": mem,
                         "AvailableVirtualCores": cluster.total_vcore - vcore,
                         "AvailableMB": cluster.total_mem_mb - mem}}


@handler("GetClusterMetrics")
def get_cluster_metrics(call: Call) -> dict[str, Any]:
    cluster = call.store.cluster(call.req("clusterId"))
    metric_json = call.json_value("metricJson")
    queries = metric_json.get("queries")
    if not isinstance(queries, list) or not queries:
        raise bad_request("metricJson needs a non-empty 'queries' list.", "InvalidParameter.MetricJson")
    window = _clamp_window(metric_json, call.now)
    out = []
    for query in queries:
        name = str(query.get("metric") or "") if isinstance(query, dict) else ""
        if not name:
            raise bad_request("Every metricJson query needs a 'metric'.", "InvalidParameter.MetricJson")
        out.append(_cluster_series(cluster, name, window["start"], window["end"], query))
    return {"Metrics": out}


def _cluster_series(cluster: Cluster, name: str, start: int, end: int, query: dict[str, Any]) -> dict[str, Any]:
    m = re.match(r"(\d+)s", str(query.get("granularity") or "20s"))
    step = max(10, int(m.group(1)) if m else 20)
    rng = random.Random(f"cm:{cluster.cluster_id}:{name}")
    base = {"cpu": 35.0, "iowait": 2.0, "mem": model_cores(cluster.slave_model) * 4 * 1024.0}
    level = next((v for k, v in base.items() if k in name), rng.uniform(1000, 5000))
    first = (start // 1000 // step + 1) * step
    dps: dict[str, float] = {}
    for ts in range(first, end // 1000 + 1, step):
        phase = (ts % 3600) / 3600 * 2 * math.pi
        dps[str(ts)] = round(level * (1 + 0.15 * math.sin(phase)) + rng.uniform(-0.05, 0.05) * level, 3)
    values = list(dps.values())
    return {"metricName": name, "dps": dps, "summary": round(sum(values) / len(values), 3) if values else 0.0,
            "tags": {}}


# --- projects -------------------------------------------------------------------------------------


@handler("CreateProject")
def create_project(call: Call) -> dict[str, Any]:
    store = call.store
    name = call.req("name")
    if not re.fullmatch(r"[A-Za-z0-9_\-]{1,64}", name):
        raise bad_request(f"The project name {name!r} may contain letters, digits, '_' and '-' only.",
                          "InvalidParameter.Name")
    if name in store.projects:
        raise conflict("ProjectAlreadyExists", f"The project {name!r} already exists.")
    deploy = call.req("deployType").upper()
    if deploy not in ("CELL", "PUBLIC"):
        raise bad_request(f"deployType must be 'cell' or 'public', not {call.text('deployType')!r}.",
                          "InvalidParameter.DeployType")
    cluster_id = call.text("clusterId") or ""
    if deploy == "CELL":
        if not cluster_id:
            raise missing("clusterId")
        store.cluster(cluster_id)
    elif not call.has("orderId"):
        raise missing("orderId")
    project = Project(
        name=name, project_id=store.random_id(), deploy_type=deploy, cluster_id=cluster_id,
        region=store.region_id, description=call.text("description", ""),  # type: ignore[arg-type]
        manager_ids=call.text("managerIds") or "", create_ms=call.now, modify_ms=call.now,
    )
    store.projects[name] = project
    store.add_folder(project, "/")
    return {}


@handler("DeleteProject")
def delete_project(call: Call) -> dict[str, Any]:
    call.store.delete_project(call.req("projectName"))
    return {}


@handler("GetProject")
def get_project(call: Call) -> dict[str, Any]:
    return {"Project": render_project(call.store.project(call.req("projectName")), global_config=True)}


@handler("ListProject")
def list_project(call: Call) -> dict[str, Any]:
    name = (call.text("name") or "").lower()
    deploy, cid, region = _upper(call.text("deployType")), call.text("clusterId") or None, call.text("region") or None
    projects = [p for p in call.store.projects.values()
                if name in p.name.lower() and (not deploy or p.deploy_type == deploy)
                and (not cid or p.cluster_id == cid) and (not region or p.region == region)]
    return paged(call, projects, render_project, "Projects", "Project")


@handler("UpdateProject")
def update_project(call: Call) -> dict[str, Any]:
    project = call.store.project(call.req("projectName"))
    if call.params.get("globalJobConfig") is not None:
        project.global_job_config = call.text("globalJobConfig") or ""
    project.modify_ms = call.now
    return {}


@handler("UpdateProjectConfig")
def update_project_config(call: Call) -> dict[str, Any]:
    project = call.store.project(call.req("ProjectName"))
    value = call.boolean("IsOpenBatchSQL")
    if value is not None:
        project.open_batch_sql = value
    return {"Data": True}


# --- tags (SDK-only operations) -------------------------------------------------------------------


def _list_param(call: Call, name: str) -> list[str]:
    """A list passed as one string: JSON array text or a comma-separated list."""
    text = call.text(name)
    if not text:
        return []
    if text.lstrip().startswith("["):
        value = call.json_value(name, list)
        return [str(v) for v in value]
    return [v.strip() for v in text.split(",") if v.strip()]


def _tags_param(call: Call) -> list[tuple[str, str]]:
    """Tags as JSON: [{"key": k, "value": v}] (Key/Value accepted too) or {"k": "v"}."""
    text = call.text("Tags")
    if not text:
        return []
    value = call.json_value("Tags", (list, dict))
    if isinstance(value, dict):
        return [(str(k), str(v)) for k, v in value.items()]
    pairs = []
    for item in value:
        if not isinstance(item, dict):
            raise bad_request("Tags must be a JSON list of {\"key\": ..., \"value\": ...}.", "InvalidParameter.Tags")
        key = item.get("key", item.get("Key"))
        if not key:
            raise bad_request("Every tag needs a key.", "InvalidParameter.Tags")
        pairs.append((str(key), str(item.get("value", item.get("Value", "")))))
    return pairs


def _tag_envelope(data: Any) -> dict[str, Any]:
    return {"Success": True, "HttpStatusCode": 200, "Code": "200", "Message": "success", "Data": data}


@handler("ListTagResources")
def list_tag_resources(call: Call) -> dict[str, Any]:
    rtype = call.text("ResourceType") or None
    ids = set(_list_param(call, "ResourceIds"))
    wanted = _tags_param(call)
    rows = [t for t in call.store.tags
            if (not rtype or t.resource_type.lower() == rtype.lower()) and (not ids or t.resource_id in ids)
            and (not wanted or (t.key, t.value) in wanted)]
    token = call.text("NextToken") or "0"
    if not token.isdigit():
        raise bad_request("NextToken is not a token returned by ListTagResources.", "InvalidParameter.NextToken")
    start, size = int(token), 20
    page = rows[start:start + size]
    next_token = str(start + size) if start + size < len(rows) else ""
    return _tag_envelope({"NextToken": next_token, "TagResources": [
        {"ResourceId": t.resource_id, "ResourceType": t.resource_type, "TagKey": t.key, "TagValue": t.value}
        for t in page]})


def _check_tag_resources(call: Call, rtype: str, ids: list[str]) -> None:
    if rtype.lower() in ("cluster", "aliyun::foas::cluster"):
        for rid in ids:
            if rid not in call.store.clusters:
                raise not_found("ClusterNotFound", f"The cluster {rid!r} does not exist.")


@handler("TagResources")
def tag_resources(call: Call) -> dict[str, Any]:
    rtype = call.text("ResourceType") or "cluster"
    ids = _list_param(call, "ResourceIds")
    tags = _tags_param(call)
    if not ids:
        raise missing("ResourceIds")
    if not tags:
        raise missing("Tags")
    _check_tag_resources(call, rtype, ids)
    store = call.store
    for rid in ids:
        for key, value in tags:
            store.tags = [t for t in store.tags if not (t.resource_id == rid and t.key == key)]
            store.tags.append(Tag(rtype, rid, key, value))
    return _tag_envelope(True)


@handler("UntagResources")
def untag_resources(call: Call) -> dict[str, Any]:
    ids = set(_list_param(call, "ResourceIds"))
    if not ids:
        raise missing("ResourceIds")
    remove_all = call.boolean("All", False)
    keys = set(_list_param(call, "TagKeys"))
    if not remove_all and not keys:
        raise missing("TagKeys")
    rtype = call.text("ResourceType") or None
    call.store.tags = [t for t in call.store.tags
                       if not (t.resource_id in ids and (not rtype or t.resource_type.lower() == rtype.lower())
                               and (remove_all or t.key in keys))]
    return _tag_envelope(True)


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


_missing_handlers = set(OPERATIONS) - set(HANDLERS)
if _missing_handlers:  # pragma: no cover - a guard for whoever regenerates operations.py
    raise RuntimeError(f"operations without an emulator handler: {sorted(_missing_handlers)}")

__all__ = ["HANDLERS", "Call", "dispatch"]
