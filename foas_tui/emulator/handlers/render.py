"""Records to the seed's response shapes: jobs, instances, run summaries, projects, packages, queues."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from foas_tui.emulator import runtime
from foas_tui.emulator.store import (
    UNKNOWN,
    Cluster,
    Instance,
    Job,
    Package,
    Phase,
    Project,
    Queue,
    Store,
    pretty_json,
)

if TYPE_CHECKING:
    from foas_tui.emulator.runtime import InstanceView



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


