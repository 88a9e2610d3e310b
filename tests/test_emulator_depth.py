"""Emulator state that is not flat: StartJob parameters applied, cluster metrics following the jobs on the
cluster, AutoScale plans from the job's load, triggerCheckpoint / isFlush honoured, checkpoint task details,
one bottleneck vertex in a lagging job. Expectations come from the seed (operation tables and notes)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_emulator_service import World, make_world

from foas_tui.emulator.store import BATCH, PAUSED, RUNNING, TERMINATED


@pytest.fixture
async def world():
    w = make_world()
    yield w
    await w.api.aclose()


def _fresh_running(world: World, name: str, *, engine: str = "blink-3.5.0-hotfix", props: str = "",
                   start_params: dict[str, Any] | None = None, autoscale: dict[str, Any] | None = None) -> int:
    world.new_job(name, engineVersion=engine, properties=props)
    world.store.commit_job(world.project, name, autoscale or {})
    inst = world.store.start_job(world.project, name, start_params or {})
    world.clock.advance(world.store.step_ms / 1000 + 1)
    return inst.id


async def _detail(world: World, job: str) -> dict[str, Any]:
    body = await world.api.ok("GetInstanceDetail", projectName=world.project, jobName=job, instanceId="-1")
    return json.loads(body["Detail"])


async def _checkpoints(world: World, job: str, instance: int) -> dict[str, Any]:
    body = await world.api.ok("GetInstanceCheckpoint", projectName=world.project, jobName=job,
                              instanceId=str(instance))
    return json.loads(body["Checkpoints"])


# --- StartJob parameterJson -----------------------------------------------------------------------


async def test_start_job_parameter_json_is_what_the_instance_runs_with(world: World) -> None:
    # the seed's own StartJob example: parameterJson {"blink.checkpoint.interval.ms": "180000"}
    world.new_job("pj", engineVersion="blink-3.5.0-hotfix", properties="blink.checkpoint.interval.ms=180000")
    world.store.commit_job(world.project, "pj", {})
    await world.api.ok("StartJob", projectName=world.project, jobName="pj",
                       parameterJson=json.dumps({"blink.checkpoint.interval.ms": "60000"}))
    world.clock.advance(10 * 60)
    body = await world.api.ok("GetInstanceConfig", projectName=world.project, jobName="pj", instanceId="-1")
    user = json.loads(body["Config"])["execution-config"]["user-config"]
    assert user["blink.checkpoint.interval.ms"] == "60000"
    inst = world.job("pj").current
    assert inst is not None
    history = (await _checkpoints(world, "pj", inst.id))["history"]
    triggers = sorted(e["trigger_timestamp"] for e in history)
    assert len(triggers) >= 5 and {b - a for a, b in zip(triggers, triggers[1:], strict=False)} == {60_000}


# --- GetClusterMetrics ----------------------------------------------------------------------------


async def _cluster_cpu(world: World, start: int, end: int) -> dict[str, float]:
    metric_json = json.dumps({"start": start, "end": end, "limit": "avg:sample:50",
                              "queries": [{"metric": f"{world.cluster}.system.cpu.user", "granularity": "60s",
                                           "aggregator": "avg", "downsample": "avg"}]})
    body = await world.api.ok("GetClusterMetrics", clusterId=world.cluster, metricJson=metric_json)
    return {k: float(v) for k, v in body["Metrics"][0]["dps"].items()}


async def test_cluster_cpu_follows_the_jobs_running_on_it(world: World) -> None:
    before_ms = world.now_ms()
    world.new_job("big", engineVersion="blink-3.5.0-hotfix")
    world.job("big").parallelism = 32
    world.store.commit_job(world.project, "big", {})
    world.clock.advance(10 * 60)
    world.store.start_job(world.project, "big", {})
    world.clock.advance(20 * 60)
    inst = world.job("big").current
    assert inst is not None
    world.store.modify_instance_state(world.project, "big", inst.id, TERMINATED)
    world.clock.advance(20 * 60)
    cpu = await _cluster_cpu(world, before_ms, world.now_ms())
    idle_before = [v for k, v in cpu.items() if int(k) * 1000 < inst.start_ms]
    busy = [v for k, v in cpu.items() if inst.start_ms + 60_000 < int(k) * 1000 < inst.start_ms + 19 * 60_000]
    idle_after = [v for k, v in cpu.items() if int(k) * 1000 > world.now_ms() - 15 * 60_000]
    assert idle_before and busy and idle_after
    assert min(busy) > max(idle_before) + 3 and min(busy) > max(idle_after) + 3


# --- AutoScale from load --------------------------------------------------------------------------


async def test_autoscale_plans_follow_commit_and_load(world: World) -> None:
    from foas_tui.emulator import runtime

    # committed without AutoScale: no plans, whatever the job's name
    _fresh_running(world, "no_scale", autoscale={"isOnOff": False})
    world.clock.advance(5 * 3600)
    body = await world.api.ok("GetInstanceHistoryAutoScalePlanList", projectName=world.project,
                              jobName="no_scale", instanceId="-1")
    assert body["PlanList"] == []
    # committed with AutoScale: plans every two hours; the plans follow the load
    _fresh_running(world, "scaled", autoscale={"isOnOff": True, "configure": {"fetch_delay": 60.0}})
    world.clock.advance(7 * 3600)
    inst = world.job("scaled").current
    assert inst is not None
    body = await world.api.ok("GetInstanceHistoryAutoScalePlanList", projectName=world.project,
                              jobName="scaled", instanceId="-1")
    names = body["PlanList"]
    assert len(names) >= 3

    def actions() -> list[str]:
        view = world.store.view(inst, inst.phase(world.now_ms()), world.now_ms())
        return [runtime.autoscale_plan_content(view, n)["autoConfig"]["result"]["scalingAction"] for n in names]

    healthy = actions()
    assert healthy[0] == "InitialScale" and "ScaleUp" not in healthy[1:]  # delay far below 60 s, queues free
    inst.scenario = "lagging"  # minutes of delay and full input queues
    lagging = actions()
    assert lagging[0] == "InitialScale" and set(lagging[1:]) == {"ScaleUp"}
    view = world.store.view(inst, inst.phase(world.now_ms()), world.now_ms())
    pars = [max(n["parallelism"] for n in runtime.autoscale_plan_content(view, name)["nodes"]) for name in names]
    assert pars == sorted(pars) and pars[-1] > pars[0]


# --- ModifyInstanceState triggerCheckpoint / isFlush ----------------------------------------------


async def _pause_resume(world: World, job: str, iid: int, **flags: str) -> int:
    """Pause (with the flags) and resume; GetInstanceCheckpoint answers only while the instance runs (seed)."""
    await world.api.ok("ModifyInstanceState", projectName=world.project, jobName=job, instanceId=str(iid),
                       expectState=PAUSED, **flags)
    asked_at = world.now_ms()
    world.clock.advance(60)
    await world.api.ok("ModifyInstanceState", projectName=world.project, jobName=job, instanceId=str(iid),
                       expectState=RUNNING)
    world.clock.advance(30)
    return asked_at


async def test_trigger_checkpoint_on_pause_takes_one(world: World) -> None:
    iid = _fresh_running(world, "tc", props="blink.checkpoint.interval.ms=180000")
    world.clock.advance(600)
    before = await _checkpoints(world, "tc", iid)
    asked_at = await _pause_resume(world, "tc", iid, triggerCheckpoint="true")
    after = await _checkpoints(world, "tc", iid)
    assert after["counts"]["completed"] == before["counts"]["completed"] + 1
    taken = [e for e in after["history"] if e["trigger_timestamp"] == asked_at]
    assert len(taken) == 1 and taken[0]["status"] == "COMPLETED" and not taken[0]["is_savepoint"]
    assert after["latest"]["completed"]["id"] == taken[0]["id"]


async def test_trigger_checkpoint_on_stop_takes_one(world: World) -> None:
    from foas_tui.emulator import runtime

    iid = _fresh_running(world, "ts")
    world.clock.advance(600)
    asked_at = world.now_ms()
    # after a stop GetInstanceCheckpoint refuses (the instance no longer runs): read the generator itself
    await world.api.ok("ModifyInstanceState", projectName=world.project, jobName="ts", instanceId=str(iid),
                       expectState=TERMINATED, triggerCheckpoint="true")
    world.clock.advance(60)
    inst = world.job("ts").current
    assert inst is not None and inst.id == iid
    data = runtime.checkpoints(world.store.view(inst, inst.phase(world.now_ms()), world.now_ms()))
    assert data["latest"]["completed"]["trigger_timestamp"] == asked_at


async def test_no_checkpoint_when_not_asked_or_engine_too_old(world: World) -> None:
    iid = _fresh_running(world, "nt")
    world.clock.advance(600)
    before = await _checkpoints(world, "nt", iid)
    asked_at = await _pause_resume(world, "nt", iid)
    after = await _checkpoints(world, "nt", iid)
    assert not [e for e in after["history"] if e["trigger_timestamp"] == asked_at]
    assert after["counts"]["total"] - before["counts"]["total"] <= 1  # at most one periodic checkpoint in 90 s
    # the seed: triggerCheckpoint is supported from Blink 3.5.0
    old = _fresh_running(world, "old_engine", engine="blink-3.4.4")
    world.clock.advance(600)
    asked_at = await _pause_resume(world, "old_engine", old, triggerCheckpoint="true")
    after = await _checkpoints(world, "old_engine", old)
    assert not [e for e in after["history"] if e["trigger_timestamp"] == asked_at]


async def test_is_flush_resumes_with_the_latest_configuration(world: World) -> None:
    for flush, expected in (("true", "EXACTLY_ONCE"), ("false", "AT_LEAST_ONCE")):
        name = f"flush_{flush}"
        iid = _fresh_running(world, name, props="blink.checkpoint.mode=AT_LEAST_ONCE")
        await world.api.ok("ModifyInstanceState", projectName=world.project, jobName=name, instanceId=str(iid),
                           expectState=PAUSED)
        world.clock.advance(30)
        world.store.update_job(world.project, name, {"properties": "blink.checkpoint.mode=EXACTLY_ONCE"})
        world.store.commit_job(world.project, name, {})
        await world.api.ok("ModifyInstanceState", projectName=world.project, jobName=name, instanceId=str(iid),
                           expectState=RUNNING, isFlush=flush)
        world.clock.advance(30)
        body = await world.api.ok("GetInstanceConfig", projectName=world.project, jobName=name, instanceId="-1")
        user = json.loads(body["Config"])["execution-config"]["user-config"]
        assert user["blink.checkpoint.mode"] == expected, flush


# --- checkpoint task details ----------------------------------------------------------------------


async def test_checkpoint_tasks_carry_per_subtask_details(world: World) -> None:
    iid = _fresh_running(world, "ck")
    world.clock.advance(900)
    data = await _checkpoints(world, "ck", iid)
    detail = await _detail(world, "ck")
    vertex_ids = {v["id"] for v in detail["vertices"]}
    entry = next(e for e in data["history"] if e["status"] == "COMPLETED")
    tasks = entry["tasks"]
    assert set(tasks) == vertex_ids
    for task in tasks.values():
        assert task["num_subtasks"] == len(task["subtasks"]) == task["num_acknowledged_subtasks"]
        assert task["end_to_end_duration"] == max(s["end_to_end_duration"] for s in task["subtasks"])
        for sub in task["subtasks"]:
            assert {"index", "ack_timestamp", "end_to_end_duration", "state_size", "checkpoint",
                    "alignment"} <= set(sub)
    # the checkpoint's duration is its slowest task's (Flink: end-to-end = last acknowledgement)
    assert max(t["end_to_end_duration"] for t in tasks.values()) == entry["end_to_end_duration"]


# --- backpressure and watermarks ------------------------------------------------------------------


def _lagging_job(world: World, vertices: int = 2) -> str:
    for project in world.store.projects.values():
        for job in project.jobs.values():
            if job.scenario == "lagging" and job.current is not None and job.job_type != BATCH:
                inst = job.current
                from foas_tui.emulator import runtime

                view = world.store.view(inst, inst.phase(world.now_ms()), world.now_ms())
                if len(runtime.detail(view)["vertices"]) >= vertices:
                    world.project = project.name
                    return job.name
    raise LookupError("no multi-vertex lagging job in the demo")


async def test_a_lagging_job_has_one_bottleneck_vertex(world: World) -> None:
    # source -> window aggregate -> print sink: the aggregate holds up the source, the sink idles
    job = _lagging_job(world, vertices=3)
    vertices = (await _detail(world, job))["vertices"]
    usage = [(v["metrics"]["buffers-in-pool-usage-max"], v["metrics"]["buffers-out-pool-usage-max"]) for v in vertices]
    necks = [i for i, (inp, out) in enumerate(usage) if inp >= 0.9 and out < 0.5]
    assert len(necks) == 1, usage
    neck = necks[0]
    upstream: set[str] = set()  # the plan's inputs name the upstream vertices
    plan = {n["id"]: n for n in (await _detail(world, job))["plan"]["nodes"]}
    todo = [vertices[neck]["id"]]
    while todo:
        for inp in plan[todo.pop()].get("inputs", []):
            upstream.add(inp["id"])
            todo.append(inp["id"])
    assert upstream
    for v in vertices:
        if v["id"] in upstream:  # backpressured: their output queues are full
            assert v["metrics"]["buffers-out-pool-usage-max"] >= 0.9
        elif v["id"] != vertices[neck]["id"]:  # downstream of the bottleneck: starved, not pressed
            assert v["metrics"]["buffers-in-pool-usage-max"] < 0.5
    assert "Aggregate" in vertices[neck]["name"] and len(upstream) + 1 < len(vertices)


async def test_a_healthy_job_has_free_queues(world: World) -> None:
    vertices = (await _detail(world, world.running))["vertices"]
    assert all(v["metrics"]["buffers-in-pool-usage-max"] < 0.5 and v["metrics"]["buffers-out-pool-usage-max"] < 0.5
               for v in vertices)


async def test_vertex_tagged_metrics(world: World) -> None:
    job = _lagging_job(world)
    vertices = (await _detail(world, job))["vertices"]
    neck = next(v for v in vertices if v["metrics"]["buffers-in-pool-usage-max"] >= 0.9
                and v["metrics"]["buffers-out-pool-usage-max"] < 0.5)
    source = vertices[0]
    now = world.now_ms()
    queries = [{"metric": f"blink.{world.project}.{job}.{m}", "granularity": "60s", "aggregator": "max",
                "downsample": "60s-avg", "tags": {"vertex": vid}}
               for vid in (source["id"], neck["id"])
               for m in ("watermarkLatency", "buffers.inPoolUsage", "numRecordsInPerSecond.rate")]
    body = await world.api.ok("GetInstanceMetric", projectName=world.project, jobName=job, instanceId="-1",
                              metricJson=json.dumps({"start": now - 600_000, "end": now, "queries": queries}))
    series = body["Metrics"] if "Metrics" in body else body["metrics"]
    got = {(s["tags"]["vertex"], s["metricName"].rsplit(".", 1)[-1] if "Usage" not in s["metricName"]
            else "in_pool"): s for s in series}
    last = {k: float(list(s["dps"].values())[-1]) for k, s in got.items()}
    assert last[(neck["id"], "in_pool")] == 1.0 and last[(source["id"], "in_pool")] == 0.0
    # the bottleneck's watermark lags far more than its source's
    assert last[(neck["id"], "watermarkLatency")] > 5 * last[(source["id"], "watermarkLatency")]
    # an unknown vertex matches nothing
    body = await world.api.ok("GetInstanceMetric", projectName=world.project, jobName=job, instanceId="-1",
                              metricJson=json.dumps({"start": now - 600_000, "end": now, "queries": [
                                  {"metric": "watermarkLatency", "tags": {"vertex": "nope"}}]}))
    series = body["Metrics"] if "Metrics" in body else body["metrics"]
    assert series[0]["dps"] == {}
