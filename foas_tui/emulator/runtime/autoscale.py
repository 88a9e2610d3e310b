"""AutoScale plans of an instance and the latest plan of a job."""

from __future__ import annotations

from typing import Any

from foas_tui.emulator.runtime.base import InstanceView, _key, _u, cst
from foas_tui.emulator.runtime.lifecycle import _FailIndex, _horizon, _started
from foas_tui.emulator.runtime.metrics import _delay, _series_value, _traits
from foas_tui.emulator.runtime.plan import plan_json, plan_resource, synth_code

# --------------------------------------------------------------------------------------------------------------
# AutoScale


def _autoscale_on(v: InstanceView) -> bool:
    if v.autoscale_on is not None:
        return v.autoscale_on  # what CommitJob said
    return _u(_key(v.seed, v.project, v.job_name), 90) < 0.35  # demo data: about a third of the stream jobs


def _autoscale_times(v: InstanceView) -> list[int]:
    if v.job_type == "FLINK_BATCH" or not _started(v) or not _autoscale_on(v):
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


def _decisions(v: InstanceView) -> list[tuple[str, int, str]]:
    """(scaling action, parallelism, status message) of each plan, decided from the job's load at the plan's
    time: business delay above the fetch_delay goal or a full input queue scales up, idle cores scale down."""
    tr = _traits(v)
    fi = _FailIndex(v)
    par = v.parallelism
    out: list[tuple[str, int, str]] = []
    for k, t in enumerate(_autoscale_times(v)):
        if k == 0:
            out.append(("InitialScale", par, "New job, using default configuration."))
            continue
        delay_s = _delay(v, tr, fi, t) / 1000
        pressure = _series_value(v, "in_pool", "buffers.inPoolUsage", t, 60_000, tr, fi, None)
        cpu = _series_value(v, "cpu", "Status.JVM.CPU.Usage", t, 60_000, tr, fi, None)
        if delay_s > v.fetch_delay_s or pressure >= 0.9:
            par = min(256, max(par + 1, par * 3 // 2))
            out.append(("ScaleUp", par, f"Business delay {delay_s:.0f} s exceeds fetch_delay {v.fetch_delay_s:.0f} s"
                        f" (input queue {pressure:.0%}); scaling up the bottleneck vertices."))
        elif cpu < 0.3 and par > 1:
            par -= 1
            out.append(("ScaleDown", par, f"CPU usage {cpu:.0%} over the last 2 hours; resources over-provisioned, "
                        "scaling down."))
        else:
            out.append(("Keep", par, f"Delay {delay_s:.0f} s within fetch_delay; CPU {cpu:.0%}; no change."))
    return out


def autoscale_plan_content(v: InstanceView, plan_name: str) -> dict[str, Any]:
    """GetInstanceHistoryAutoScalePlanContent's PlanContent (a PlanJson with autoConfig). KeyError if unknown."""
    names = autoscale_plan_list(v)
    if plan_name not in names:
        raise KeyError(plan_name)
    k = names.index(plan_name)
    action, par, message = _decisions(v)[k]
    plan = plan_json(v.job_name, v.code, par, v.seed)
    return _with_autoconfig(plan, k + 1, action, message)


def latest_autoscale_plan(job_name: str, seed: int) -> dict[str, Any]:
    """GetJobLatestAutoScalePlan's PlanJson for a job (synthesised from the job name; always a plan)."""
    par = 2 + _key(seed, job_name, "as") % 7
    plan = plan_json(job_name, synth_code(job_name, seed), par, seed)
    return _with_autoconfig(plan, 1 + _key(seed, job_name, "at") % 6, "ScaleUp",
                            "Applied the last AutoScale plan of the previous run.")


