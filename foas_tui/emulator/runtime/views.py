"""From a demo job record to an instance view."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from foas_tui.emulator.demo import SCENARIO_STATES
from foas_tui.emulator.runtime.base import InstanceView, _key, _u
from foas_tui.emulator.runtime.exceptions import failure_state

# --------------------------------------------------------------------------------------------------------------
# From a demo job to an instance view


def default_parallelism(job_name: str, seed: int) -> int:
    """A stable parallelism for a job (1, 2, 4, 8 or 16; mostly 2-4)."""
    return (1, 2, 2, 4, 4, 4, 8, 16)[_key(seed, job_name, "par") % 8]


def instance_view_for(job: dict[str, Any], instance_id: int, now_ms: int, seed: int) -> InstanceView | None:
    """The demo instance of a demo job (see demo.SCENARIO_STATES); None for 'never_started'.

    Picks start/end times, failovers and the last error to fit the job's scenario, deterministically."""
    scenario = job.get("scenario", "running")
    states = SCENARIO_STATES.get(scenario, ("RUNNING", "RUNNING"))
    if states is None:
        return None
    expect, actual = states
    k = _key(seed, job["project"], job["name"], instance_id)
    u = lambda i: _u(k, 100, i)  # noqa: E731
    hour, day = 3_600_000, 86_400_000
    end: int | None = None
    failovers, last_error = 0, None
    if scenario == "starting":
        start = now_ms - int(5_000 + 40_000 * u(1))
    elif scenario in ("batch_success", "batch_failed") or (job["job_type"] == "FLINK_BATCH" and scenario != "running"):
        start = now_ms - int(hour + 20 * hour * u(1))
        end = start + int(600_000 + 3_000_000 * u(2))
        if scenario == "batch_failed":
            last_error = end
    elif job["job_type"] == "FLINK_BATCH":
        start = now_ms - int(300_000 + 1_500_000 * u(1))
    elif scenario in ("paused", "stopped"):
        start = now_ms - int(2 * day + 30 * day * u(1))
        end = min(now_ms - 300_000, start + int(hour + 5 * day * u(2)))
        failovers = int(3 * u(3))
    else:
        start = now_ms - int(2 * hour + 20 * day * u(1))
        if scenario == "failing":
            failovers = 40 + int(400 * u(3))
            last_error = now_ms - int(5_000 + 70_000 * u(4))
        elif scenario == "restarting":
            failovers = 2 + int(10 * u(3))
            last_error = now_ms - int(600_000 + 7 * hour * u(4))
        elif scenario == "checkpoint_failing":
            failovers = int(3 * u(3))
        elif scenario == "running" and u(5) < 0.3:
            failovers = 1 + int(2 * u(3))
    if last_error is not None:
        last_error = max(start + 1000, last_error)
    view = InstanceView(
        project=job["project"], job_name=job["name"], instance_id=instance_id, job_type=job["job_type"],
        scenario=scenario, expect_state=expect, actual_state=actual, start_ms=start, end_ms=end, now_ms=now_ms,
        failovers=failovers, last_error_ms=last_error, last_error_message=None, seed=seed,
        parallelism=default_parallelism(job["name"], seed), code=job.get("code", ""),
        properties=job.get("properties", ""), queue_name=job.get("queue_name", ""),
        cluster_id=job.get("cluster_id", ""))
    count, latest, message = failure_state(view)
    if count:
        view = replace(view, failovers=count, last_error_ms=latest, last_error_message=message)
    return view
