"""Instance operations: state, run summaries, runtime payloads (checkpoints, metrics ...), autoscale."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from foas_tui.emulator import runtime
from foas_tui.emulator.handlers.core import MAX_METRIC_WINDOW_MS, Call, compact, handler, paged
from foas_tui.emulator.handlers.render import (
    _upper,
    instance_view,
    render_instance,
    render_run_summary,
    unknown_run_summary,
)
from foas_tui.emulator.store import (
    BATCH,
    UNKNOWN,
    ApiError,
    Instance,
    Phase,
    bad_request,
    conflict,
    instance_mem_mb,
    instance_vcore,
    not_found,
)

if TYPE_CHECKING:
    from foas_tui.emulator.runtime import InstanceView

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
    is_flush = call.boolean("isFlush", True)  # the seed: default true
    trigger = call.boolean("triggerCheckpoint", False)  # the seed names no default: only when asked
    call.store.modify_instance_state(call.req("projectName"), call.req("jobName"), call.instance_id(),
                                     call.req("expectState"), trigger_checkpoint=bool(trigger),
                                     is_flush=bool(is_flush))
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
    _, view = _running_instance(call, _instance(call), "checkpoint information")
    return {"Checkpoints": compact(runtime.checkpoints(view))}


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


