"""AutoScale plans of an instance and the latest plan of a job."""

from __future__ import annotations

from typing import Any

from foas_tui.emulator.runtime.base import InstanceView, _key, _u, cst
from foas_tui.emulator.runtime.lifecycle import _horizon, _started
from foas_tui.emulator.runtime.plan import plan_json, plan_resource, synth_code

# --------------------------------------------------------------------------------------------------------------
# AutoScale


def _autoscale_on(project: str, job_name: str, seed: int) -> bool:
    return _u(_key(seed, project, job_name), 90) < 0.35


def _autoscale_times(v: InstanceView) -> list[int]:
    if v.job_type == "FLINK_BATCH" or not _started(v) or not _autoscale_on(v.project, v.job_name, v.seed):
        return []
    first = v.start_ms + 600_000
    horizon = _horizon(v)
    if horizon < first:
        return []
    every = 2 * 3_600_000
    n = (horizon - first) // every + 1
    return [first + k * every for k in range(max(0, n - 10), n)]


def autoscale_plan_list(v: InstanceView) -> list[str]:
    """GetInstanceHistoryAutoScalePlanList's PlanList: plan names ('yyyy-MM-dd HH:mm:ss', China time), oldest
    first, at most 10; empty for jobs without AutoScale (about a third of stream jobs have it)."""
    return [cst(t) for t in _autoscale_times(v)]


def _with_autoconfig(plan: dict[str, Any], attempt: int, action: str, message: str) -> dict[str, Any]:
    res = plan_resource(plan)
    out = {"resourceSettings": {"blink.resource.unit.per.worker": 1, "blink.resource.unit.granularity": 0.1,
                                "blink.resource.allocation.jm.min.cpu.cores": 0.2,
                                "blink.resource.allocation.jm.min.memory.mb": 512},
           "autoConfig": {"goal": {"maxResourceUnits": 10000.0},
                          "result": {"attemptId": attempt, "attempts": attempt, "attemptsCurrentPlan": 1,
                                     "statusMessage": message, "scalingAction": action,
                                     "allocatedResourceUnits": res["Cores"], "allocatedCpuCores": res["Cores"],
                                     "allocatedMemoryInMB": int(res["MemoryGB"] * 1024)}}}
    out.update(plan)
    return out


def autoscale_plan_content(v: InstanceView, plan_name: str) -> dict[str, Any]:
    """GetInstanceHistoryAutoScalePlanContent's PlanContent (a PlanJson with autoConfig). KeyError if unknown."""
    names = autoscale_plan_list(v)
    if plan_name not in names:
        raise KeyError(plan_name)
    k = names.index(plan_name)
    grow = v.scenario == "lagging"
    par = max(1, v.parallelism * (k + 2) // 2 if grow else v.parallelism + (1 if k % 3 == 1 else 0))
    plan = plan_json(v.job_name, v.code, par, v.seed)
    if k == 0:
        return _with_autoconfig(plan, 1, "InitialScale", "New job, using default configuration.")
    action = "ScaleUp" if grow or k % 3 == 1 else "ScaleDown"
    msg = ("Source data retention time exceeds fetch_delay; scaling up the bottleneck vertices." if action == "ScaleUp"
           else "Resources over-provisioned for the last 2 hours; scaling down.")
    return _with_autoconfig(plan, k + 1, action, msg)


def latest_autoscale_plan(job_name: str, seed: int) -> dict[str, Any]:
    """GetJobLatestAutoScalePlan's PlanJson for a job (synthesised from the job name; always a plan)."""
    par = 2 + _key(seed, job_name, "as") % 7
    plan = plan_json(job_name, synth_code(job_name, seed), par, seed)
    return _with_autoconfig(plan, 1 + _key(seed, job_name, "at") % 6, "ScaleUp",
                            "Applied the last AutoScale plan of the previous run.")


