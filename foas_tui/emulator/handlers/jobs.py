"""Folder and job operations: create/update/commit/offline/start, validation and plan JSON."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from foas_tui.emulator import runtime
from foas_tui.emulator.handlers.core import Call, handler, paged
from foas_tui.emulator.handlers.render import _jobs_filtered, render_job
from foas_tui.emulator.store import (
    STREAM,
    Job,
    PlanSession,
    Store,
    bad_request,
    engine_tuple,
    not_found,
    pretty_json,
)

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
    inst = job.current
    view = call.store.view(inst, inst.phase(call.now), call.now)
    names = runtime.autoscale_plan_list(view)
    if names:  # the last plan AutoScale made for the current run follows that run's load
        return {"PlanJson": pretty_json(runtime.autoscale_plan_content(view, names[-1]))}
    return {"PlanJson": pretty_json(runtime.latest_autoscale_plan(job.name, call.store.seed))}


