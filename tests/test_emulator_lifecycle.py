"""Job and instance lifecycles on a fake clock, and every precondition the seed documents."""

from __future__ import annotations

import json
from typing import Any

import pytest
from test_emulator_service import World, make_world

from foas_tui.emulator.store import BATCH, STREAM

SQL = "CREATE TABLE s (a INT) WITH (type='datahub');\nINSERT INTO s SELECT a FROM s;"


@pytest.fixture
async def world():
    w = make_world()
    yield w
    await w.api.aclose()


def step(world: World, times: float = 1.0) -> None:
    world.clock.advance(world.store.step_ms / 1000 * times + 0.001)


async def create_job(world: World, name: str, *, job_type: str = STREAM, commit: bool = True,
                     properties: str = "", packages: str = "") -> None:
    await world.api.ok("CreateJob", projectName=world.project, jobName=name, jobType=job_type, apiType="SQL",
                       code=SQL, clusterId=world.cluster, queueName="root.default", properties=properties,
                       packages=packages)
    if commit:
        await world.api.ok("CommitJob", projectName=world.project, jobName=name)


async def summary(world: World, name: str, instance_id: str = "-1") -> dict[str, Any]:
    body = await world.api.ok("GetInstanceRunSummary", projectName=world.project, jobName=name,
                              instanceId=instance_id)
    return body["RunSummary"]


async def states(world: World, name: str) -> tuple[str, str]:
    s = await summary(world, name)
    return s["ExpectState"], s["ActualState"]


async def modify(world: World, name: str, expect: str, instance_id: str = "-1") -> tuple[int, dict]:
    return await world.api("ModifyInstanceState", projectName=world.project, jobName=name, instanceId=instance_id,
                           expectState=expect)


async def expect_error(world: World, status: int, code: str, op: str, /, **params: Any) -> dict:
    got, body = await world.api(op, **params)
    assert (got, body.get("Code")) == (status, code), body
    return body


# --- the happy path -------------------------------------------------------------------------------


async def test_stream_job_lifecycle(world: World) -> None:
    await create_job(world, "life", commit=False)
    job = (await world.api.ok("GetJob", projectName=world.project, jobName="life"))["Job"]
    assert job["IsCommitted"] is False and job["JobType"] == STREAM
    assert await states(world, "life") == ("UNKNOWN", "UNKNOWN")
    await world.api.ok("CommitJob", projectName=world.project, jobName="life")
    assert (await world.api.ok("GetJob", projectName=world.project, jobName="life"))["Job"]["IsCommitted"] is True

    started = await world.api.ok("StartJob", projectName=world.project, jobName="life",
                                 parameterJson=json.dumps({"startOffset": str(world.now_ms())}))
    iid = started["instanceId"]
    assert isinstance(iid, int) and iid > 0
    assert await states(world, "life") == ("RUNNING", "WAITING")
    step(world)
    s = await summary(world, "life")
    assert (s["Id"], s["ExpectState"], s["ActualState"]) == (iid, "RUNNING", "RUNNING")
    assert s["EngineJobHandler"].startswith("application_") and "|" in s["EngineJobHandler"]

    assert (await modify(world, "life", "PAUSED"))[0] == 200
    assert await states(world, "life") == ("PAUSED", "RUNNING")  # expected at once, actual follows
    step(world)
    assert await states(world, "life") == ("PAUSED", "PAUSED")

    assert (await modify(world, "life", "RUNNING"))[0] == 200
    assert await states(world, "life") == ("RUNNING", "PAUSED")
    step(world)
    assert await states(world, "life") == ("RUNNING", "RUNNING")

    assert (await modify(world, "life", "TERMINATED", str(iid)))[0] == 200
    assert await states(world, "life") == ("TERMINATED", "RUNNING")
    step(world)
    assert await states(world, "life") == ("TERMINATED", "TERMINATED")
    instance = (await world.api.ok("GetInstance", projectName=world.project, jobName="life",
                                   instanceId=str(iid)))["Instance"]
    assert instance["EndTime"] >= instance["StartTime"]
    final = await world.api.ok("GetInstanceFinalState", projectName=world.project, jobName="life", instanceId="-1")
    assert final["Finalstate"] == "KILLED"  # the YARN application state

    await world.api.ok("OfflineJob", projectName=world.project, jobName="life")
    await world.api.ok("DeleteJob", projectName=world.project, jobName="life")
    await expect_error(world, 404, "JobNotFound", "GetJob", projectName=world.project, jobName="life")
    assert iid not in world.store.instances


async def test_restart_creates_a_new_instance_and_archives_the_old(world: World) -> None:
    await create_job(world, "again")
    first = (await world.api.ok("StartJob", projectName=world.project, jobName="again"))["instanceId"]
    step(world)
    await modify(world, "again", "TERMINATED")
    step(world)
    second = (await world.api.ok("StartJob", projectName=world.project, jobName="again"))["instanceId"]
    assert second != first
    live = await world.api.ok("ListInstance", projectName=world.project, jobType=STREAM, jobName="again")
    assert [i["Id"] for i in live["Instances"]["Instance"]] == [second]
    archived = await world.api.ok("ListInstance", projectName=world.project, jobType=STREAM, jobName="again",
                                  isArchived="true")
    assert [i["Id"] for i in archived["Instances"]["Instance"]] == [first]
    old = (await world.api.ok("GetInstance", projectName=world.project, jobName="again",
                              instanceId=str(first)))["Instance"]
    assert old["ActualState"] == "TERMINATED"


async def test_batch_job_ends_success_or_failed(world: World) -> None:
    await create_job(world, "nightly", job_type=BATCH)
    await create_job(world, "nightly_bad", job_type=BATCH, properties="emulator.scenario=batch_failed")
    for name in ("nightly", "nightly_bad"):
        await world.api.ok("StartJob", projectName=world.project, jobName=name)
    step(world)
    assert await states(world, "nightly") == ("RUNNING", "RUNNING")
    world.clock.advance(200)  # batch instances run 1-3 minutes
    assert await states(world, "nightly") == ("SUCCESS", "SUCCESS")
    bad = await summary(world, "nightly_bad")
    assert (bad["ActualState"], bad["ExpectState"]) == ("FAILED", "FAILED")
    assert bad["LastErrorMessage"] and bad["LastErrorTime"] > 0
    await expect_error(world, 409, "InstanceStateConflict", "ModifyInstanceState", projectName=world.project,
                       jobName="nightly", instanceId="-1", expectState="TERMINATED")
    listed = await world.api.ok("ListInstance", projectName=world.project, jobType="flink_batch",
                                jobName="nightly", actualState="SUCCESS")
    assert listed["TotalCount"] == 1 and listed["Instances"]["Instance"][0]["EndTime"] > 0
    # Batch instances are archived two days after they finish.
    world.clock.advance(2 * 86400 + 60)
    listed = await world.api.ok("ListInstance", projectName=world.project, jobType=BATCH, jobName="nightly")
    assert listed["TotalCount"] == 0


async def test_failing_stream_job_fails_over(world: World) -> None:
    await create_job(world, "flaky", properties="emulator.scenario=failing")
    await world.api.ok("StartJob", projectName=world.project, jobName="flaky")
    step(world)
    seen: set[str] = set()
    for _ in range(60):
        world.clock.advance(5)
        seen.add((await summary(world, "flaky"))["ActualState"])
    assert seen == {"RUNNING", "FAILED"}
    s = await summary(world, "flaky")
    assert s["LastErrorTime"] <= world.now_ms() and s["LastErrorMessage"]
    inst = world.job("flaky").current
    assert inst is not None and inst.phase(world.now_ms()).failovers >= 2
    assert (await world.api("GetInstanceExceptions", projectName=world.project, jobName="flaky",
                            instanceId="-1"))[0] == 200


async def test_demo_scenarios_have_their_states(world: World) -> None:
    expected = {"running": "RUNNING", "paused": "PAUSED", "starting": "WAITING", "lagging": "RUNNING",
                "checkpoint_failing": "RUNNING", "batch_success": "SUCCESS", "batch_failed": "FAILED"}
    now = world.now_ms()
    for project in world.store.projects.values():
        for job in project.jobs.values():
            if job.committed and job.scenario in expected:
                assert job.current is not None, job.name
                assert job.current.phase(now).actual == expected[job.scenario], (job.name, job.scenario)
            if job.scenario == "never_started":
                assert job.current is None


async def test_instance_minus_one_is_the_current_instance(world: World) -> None:
    job = world.job(world.running)
    assert job.current is not None
    by_id = await world.api.ok("GetInstance", projectName=world.project, jobName=world.running,
                               instanceId=str(job.current.id))
    current = await world.api.ok("GetInstance", projectName=world.project, jobName=world.running, instanceId="-1")
    assert by_id["Instance"]["Id"] == current["Instance"]["Id"] == job.current.id
    assert current["Instance"]["ActualState"] == "RUNNING"


async def test_runtime_data_while_running(world: World) -> None:
    p = {"projectName": world.project, "jobName": world.running, "instanceId": "-1"}
    checkpoints = json.loads((await world.api.ok("GetInstanceCheckpoint", **p))["Checkpoints"])
    assert isinstance(checkpoints, dict)
    assert isinstance(json.loads((await world.api.ok("GetInstanceConfig", **p))["Config"]), dict)
    assert isinstance(json.loads((await world.api.ok("GetInstanceDetail", **p))["Detail"]), dict)
    resource = (await world.api.ok("GetInstanceResource", **p))["Resource"]
    assert {"AllocatedMB", "AllocatedVirtualCores", "TotalMB", "TotalVirtualCores"} <= set(resource)
    now = world.now_ms()
    metric = json.dumps({"start": now - 600_000, "end": now, "queries": [
        {"metric": f"blink.{world.project}.{world.running}.delay", "aggregator": "max", "granularity": "20s"}]})
    metrics = (await world.api.ok("GetInstanceMetric", projectName=world.project, jobName=world.running,
                                  metricJson=metric))["Metrics"]
    assert metrics and "dps" in metrics[0]


@pytest.mark.parametrize("op", ["GetInstanceCheckpoint", "GetInstanceConfig", "GetInstanceDetail",
                                "GetInstanceResource", "GetInstanceMetric"])
async def test_runtime_data_of_a_stopped_instance_errors(world: World, op: str) -> None:
    await create_job(world, "halted")
    await world.api.ok("StartJob", projectName=world.project, jobName="halted")
    extra = {"metricJson": json.dumps({"queries": [{"metric": "delay"}]})} if op == "GetInstanceMetric" else {}
    # WAITING is not running yet either
    await expect_error(world, 409, "InstanceNotRunning", op, projectName=world.project, jobName="halted",
                       instanceId="-1", **extra)
    step(world)
    await modify(world, "halted", "TERMINATED")
    step(world)
    body = await expect_error(world, 409, "InstanceNotRunning", op, projectName=world.project, jobName="halted",
                              instanceId="-1", **extra)
    assert "TERMINATED" in body["Message"]
    # exceptions stay readable: that is how you find out why it stopped
    assert (await world.api("GetInstanceExceptions", projectName=world.project, jobName="halted",
                            instanceId="-1"))[0] == 200


async def test_no_instance_yet(world: World) -> None:
    await create_job(world, "fresh")
    instance = (await world.api.ok("GetInstance", projectName=world.project, jobName="fresh",
                                   instanceId="-1"))["Instance"]
    assert instance["ActualState"] == "UNKNOWN"
    await expect_error(world, 404, "InstanceNotFound", "GetInstanceCheckpoint", projectName=world.project,
                       jobName="fresh", instanceId="-1")
    await expect_error(world, 404, "InstanceNotFound", "GetInstance", projectName=world.project, jobName="fresh",
                       instanceId="123")


# --- preconditions --------------------------------------------------------------------------------


async def test_start_requires_a_committed_job(world: World) -> None:
    await create_job(world, "draft", commit=False)
    await expect_error(world, 409, "JobNotCommitted", "StartJob", projectName=world.project, jobName="draft")


async def test_start_requires_no_active_instance(world: World) -> None:
    await expect_error(world, 409, "JobAlreadyStarted", "StartJob", projectName=world.project,
                       jobName=world.running)
    await modify(world, world.running, "PAUSED")
    step(world)
    await expect_error(world, 409, "JobAlreadyStarted", "StartJob", projectName=world.project,
                       jobName=world.running)


@pytest.mark.parametrize("state", ["RUNNING", "PAUSED", "STOPPING"])
async def test_offline_requires_a_stopped_job(world: World, state: str) -> None:
    if state == "PAUSED":
        await modify(world, world.running, "PAUSED")
        step(world)
    elif state == "STOPPING":
        await modify(world, world.running, "TERMINATED")  # actual state still RUNNING for a moment
    body = await expect_error(world, 409, "JobNotStopped", "OfflineJob", projectName=world.project,
                              jobName=world.running)
    assert "TERMINATED" in body["Message"]
    if state == "STOPPING":
        step(world)
        await world.api.ok("OfflineJob", projectName=world.project, jobName=world.running)
        await expect_error(world, 409, "JobAlreadyOffline", "OfflineJob", projectName=world.project,
                           jobName=world.running)


async def test_delete_requires_an_offline_job(world: World) -> None:
    await create_job(world, "online")
    await expect_error(world, 409, "JobNotOffline", "DeleteJob", projectName=world.project, jobName="online")
    await world.api.ok("OfflineJob", projectName=world.project, jobName="online")
    await world.api.ok("DeleteJob", projectName=world.project, jobName="online")


@pytest.mark.parametrize(("expect", "before", "code"), [
    ("PAUSED", "TERMINATED", "InstanceStateConflict"),  # pause what is being stopped
    ("RUNNING", "TERMINATED", "InstanceStateConflict"),  # resume what is being stopped
    ("WAITING", None, "InvalidParameter.ExpectState"),
    ("SUCCESS", None, "InvalidParameter.ExpectState"),
])
async def test_invalid_state_changes(world: World, expect: str, before: str | None, code: str) -> None:
    if before:
        await modify(world, world.running, before)
    status, body = await modify(world, world.running, expect)
    assert (status, body["Code"]) == (400 if code.startswith("Invalid") else 409, code)


async def test_repeating_a_state_change_is_harmless(world: World) -> None:
    for _ in range(2):
        assert (await modify(world, world.running, "RUNNING"))[0] == 200
        assert (await modify(world, world.running, "PAUSED"))[0] == 200
        assert (await modify(world, world.running, "PAUSED"))[0] == 200
        step(world)
        assert await states(world, world.running) == ("PAUSED", "PAUSED")
        assert (await modify(world, world.running, "RUNNING"))[0] == 200
        step(world)


async def test_stopping_twice_is_harmless_but_a_stopped_instance_stays_stopped(world: World) -> None:
    assert (await modify(world, world.running, "TERMINATED"))[0] == 200
    assert (await modify(world, world.running, "TERMINATED"))[0] == 200
    step(world)
    status, body = await modify(world, world.running, "RUNNING")
    assert (status, body["Code"]) == (409, "InstanceStateConflict")


async def test_delete_folder_only_when_empty(world: World) -> None:
    p = world.project
    await world.api.ok("CreateFolder", projectName=p, path="/team")
    await world.api.ok("CreateFolder", projectName=p, path="/team/sub")
    await expect_error(world, 409, "FolderNotEmpty", "DeleteFolder", projectName=p, path="/team")
    await world.api.ok("DeleteFolder", projectName=p, path="/team/sub")
    folder_id = (await world.api.ok("GetFolder", projectName=p, path="/team"))["Folder"]["FolderId"]
    await world.api.ok("CreateJob", projectName=p, jobName="in_team", jobType=STREAM, apiType="SQL", code=SQL,
                       folderId=str(folder_id))
    body = await expect_error(world, 409, "FolderNotEmpty", "DeleteFolder", projectName=p, path="/team")
    assert "in_team" in body["Message"]
    await world.api.ok("DeleteJob", projectName=p, jobName="in_team")
    await world.api.ok("DeleteFolder", projectName=p, path="/team")
    await expect_error(world, 404, "FolderNotFound", "GetFolder", projectName=p, path="/team")
    await expect_error(world, 400, "InvalidParameter.Path", "DeleteFolder", projectName=p, path="/")


async def test_folder_tree_rules(world: World) -> None:
    p = world.project
    await expect_error(world, 404, "FolderNotFound", "CreateFolder", projectName=p, path="/no/parent")
    await expect_error(world, 400, "InvalidParameter.Path", "CreateFolder", projectName=p, path="relative")
    await world.api.ok("CreateFolder", projectName=p, path="/a")
    await expect_error(world, 409, "FolderAlreadyExists", "CreateFolder", projectName=p, path="/a/")
    await world.api.ok("CreateFolder", projectName=p, path="/a/b")
    await world.api.ok("MVFolder", projectName=p, srcPath="/a", destPath="/ods/a")
    children = await world.api.ok("ListChildFolder", projectName=p, path="/ods/a")
    assert [f["Path"] for f in children["Folders"]["Folder"]] == ["/ods/a/b"]
    await expect_error(world, 400, "InvalidParameter.Path", "MVFolder", projectName=p, srcPath="/ods",
                       destPath="/ods/a/inside")


async def test_package_referenced_by_an_online_job(world: World) -> None:
    p = world.project
    await world.api.ok("CreatePackage", projectName=p, packageName="udf.jar", type="jar", ossPath="o/udf.jar",
                       ossBucket="b", ossEndpoint="e", ossOwner="o")
    await expect_error(world, 409, "PackageAlreadyExists", "CreatePackage", projectName=p, packageName="udf.jar",
                       type="JAR", ossPath="o/udf.jar", ossBucket="b", ossEndpoint="e", ossOwner="o")
    await create_job(world, "uses_udf", packages="udf.jar")
    refs = await world.api.ok("GetRefPackageJob", projectName=p, packageName="udf.jar")
    assert [j["JobName"] for j in refs["Jobs"]["Job"]] == ["uses_udf"]
    await expect_error(world, 409, "PackageInUse", "DeletePackage", projectName=p, packageName="udf.jar")
    await world.api.ok("OfflineJob", projectName=p, jobName="uses_udf")
    await world.api.ok("DeletePackage", projectName=p, packageName="udf.jar")
    await expect_error(world, 404, "PackageNotFound", "DeletePackage", projectName=p, packageName="udf.jar")
    await expect_error(world, 404, "PackageNotFound", "CreateJob", projectName=p, jobName="x", jobType=STREAM,
                       apiType="SQL", code=SQL, packages="udf.jar")


async def test_queue_rules(world: World) -> None:
    c = world.cluster
    await world.api.ok("CreateQueue", clusterId=c, queueName="root.q1", maxVcore="200", maxMemMB="8192")
    await expect_error(world, 409, "QueueAlreadyExists", "CreateQueue", clusterId=c, queueName="root.q1",
                       maxVcore="200", maxMemMB="8192")
    await expect_error(world, 400, "ResourceNotEnough", "CreateQueue", clusterId=c, queueName="root.huge",
                       maxVcore="10000000", maxMemMB="8192")
    world.new_project("p_q")
    await world.api.ok("BindQueue", projectName="p_q", clusterId=c, queueName="root.q1")
    await expect_error(world, 409, "QueueAlreadyBound", "BindQueue", projectName=world.project, clusterId=c,
                       queueName="root.q1")
    await expect_error(world, 409, "QueueInUse", "DeleteQueue", clusterId=c, queueName="root.q1")
    bound = await world.api.ok("ListProjectBindQueue", projectName="p_q")
    assert bound["Queues"]["Queue"] == [{"ClusterId": c, "QueueName": "root.q1"}]
    await world.api.ok("CreateJob", projectName="p_q", jobName="j", jobType=STREAM, apiType="SQL", code=SQL)
    assert world.store.job("p_q", "j").queue_name == "root.q1"  # the bound queue is the default
    await world.api.ok("CommitJob", projectName="p_q", jobName="j")
    await expect_error(world, 409, "ProjectHasOnlineJobs", "UnbindQueue", projectName="p_q", clusterId=c,
                       queueName="root.q1")
    await world.api.ok("OfflineJob", projectName="p_q", jobName="j")
    await world.api.ok("UnbindQueue", projectName="p_q", clusterId=c, queueName="root.q1")
    await world.api.ok("DeleteQueue", clusterId=c, queueName="root.q1")


async def test_delete_project_with_online_jobs(world: World) -> None:
    await expect_error(world, 409, "ProjectHasOnlineJobs", "DeleteProject", projectName=world.project)
    world.new_project("gone")
    await world.api.ok("DeleteProject", projectName="gone")
    await expect_error(world, 404, "ProjectNotFound", "GetProject", projectName="gone")


async def test_queue_usage_follows_running_instances(world: World) -> None:
    c = world.cluster
    await world.api.ok("CreateQueue", clusterId=c, queueName="root.metered", maxVcore="1000", maxMemMB="40960")
    world.new_project("metered")
    await world.api.ok("BindQueue", projectName="metered", clusterId=c, queueName="root.metered")
    await world.api.ok("CreateJob", projectName="metered", jobName="j", jobType=STREAM, apiType="SQL", code=SQL)
    await world.api.ok("CommitJob", projectName="metered", jobName="j")

    async def used() -> int:
        body = await world.api.ok("ListProjectBindQueueResource", projectName="metered")
        return body["Queues"]["Queue"][0]["UsedVCore"]

    assert await used() == 0
    await world.api.ok("StartJob", projectName="metered", jobName="j")
    step(world)
    assert await used() > 0


async def test_batch_run_summary_leaves_out_what_it_cannot_answer(world: World) -> None:
    await create_job(world, "draft2", commit=False)
    batch = world.pick(job_type=BATCH, committed=True)
    body = await world.api.ok("BatchGetInstanceRunSummary", projectName=world.project, jobType="flink_stream",
                              jobNames=f"{world.running},draft2,{batch.name},missing,{world.running}")
    assert [s["JobName"] for s in body["RunSummarys"]["RunSummary"]] == [world.running]


async def test_plan_json_session(world: World) -> None:
    p = {"projectName": world.project, "jobName": world.running}
    await expect_error(world, 400, "InvalidParameter.ExpectedResource", "GetRawPlanJson", **p, expectedCore="1")
    session = (await world.api.ok("GetRawPlanJson", **p))["SessionId"]
    info = (await world.api.ok("CheckRawPlanJson", **p, sessionId=session))["PlanJsonInfo"]
    assert info["Status"] == "Session in run"
    step(world)
    info = (await world.api.ok("CheckRawPlanJson", **p, sessionId=session))["PlanJsonInfo"]
    assert info["Status"] == "success" and json.loads(info["PlanJson"])
    await world.api.ok("UpdateJob", **p, planJson=info["PlanJson"])
    assert (await world.api.ok("GetJob", **p))["Job"]["PlanJson"] == info["PlanJson"]
    await expect_error(world, 404, "SessionNotFound", "CheckRawPlanJson", **p, sessionId="nope")
    resource = (await world.api.ok("CalcPlanJsonResource", **p))["PlanJsonResource"]
    assert resource["Cores"] > 0 and resource["MemoryGB"] > 0


async def test_update_job_is_a_partial_update_and_instances_keep_their_version(world: World) -> None:
    await create_job(world, "versioned")
    await world.api.ok("StartJob", projectName=world.project, jobName="versioned")
    await world.api.ok("UpdateJob", projectName=world.project, jobName="versioned", description="v2",
                       code="INSERT INTO s SELECT 2 FROM s;")
    job = (await world.api.ok("GetJob", projectName=world.project, jobName="versioned"))["Job"]
    assert (job["Description"], job["Code"], job["QueueName"]) == ("v2", "INSERT INTO s SELECT 2 FROM s;",
                                                                     "root.default")
    instance = (await world.api.ok("GetInstance", projectName=world.project, jobName="versioned",
                                   instanceId="-1"))["Instance"]
    assert instance["Code"] == SQL


async def test_autoscale_config_needs_autoscale(world: World) -> None:
    p = {"projectName": world.project, "jobName": world.running, "instanceId": "-1"}
    await expect_error(world, 409, "AutoScaleNotEnabled", "UpdateAutoScaleConfig", **p,
                       configJson='{"autoscale.enable":false}')
    batch = world.pick(job_type=BATCH, committed=True, state="SUCCESS")
    await expect_error(world, 400, "InvalidinstanceId", "GetInstanceHistoryAutoScalePlanList",
                       projectName=world.project, jobName=batch.name, instanceId="-1")
    await create_job(world, "scaled", commit=False)
    await world.api.ok("CommitJob", projectName=world.project, jobName="scaled", isOnOff="true", maxCU="4")
    await world.api.ok("StartJob", projectName=world.project, jobName="scaled")
    await world.api.ok("UpdateAutoScaleConfig", projectName=world.project, jobName="scaled", instanceId="-1",
                       configJson='{"autoscale.enable":"true"}')
    params = json.loads((await world.api.ok("GetInstance", projectName=world.project, jobName="scaled",
                                            instanceId="-1"))["Instance"]["AutoScaleParams"])
    assert params == {"isOnOff": True, "strategyConfigure": None, "maxCU": 4.0}
    await expect_error(world, 404, "PlanNotFound", "GetInstanceHistoryAutoScalePlanContent",
                       projectName=world.project, jobName="scaled", instanceId="-1", planName="nope")


async def test_commit_with_suspend_period_params(world: World) -> None:
    await create_job(world, "suspended", commit=False)
    await world.api.ok("CommitJob", projectName=world.project, jobName="suspended", isOnOff="True",
                       **{"suspendPeriodParam.1.startTime": "18:00", "suspendPeriodParam.1.endTime": "18:20",
                          "suspendPeriodParam.1.plan": "ORIGINAL", "suspendPeriodParam.1.policy": "EVERY_DAY_TIME"})
    assert world.job("suspended").autoscale["suspendPeriods"] == [
        {"startTime": "18:00", "endTime": "18:20", "plan": "ORIGINAL", "policy": "EVERY_DAY_TIME"}]
    await expect_error(world, 400, "InvalidParameter.MaxCU", "CommitJob", projectName=world.project,
                       jobName="suspended", maxCU="0")


async def test_cluster_operations_are_asynchronous(world: World) -> None:
    c = world.cluster
    before = world.store.clusters[c].slave_count
    await world.api.ok("ExpandCluster", clusterId=c, count=str(before + 2))
    listed = await world.api.ok("ListCluster", clusterId=c)
    assert listed["Clusters"]["Cluster"][0]["State"] == "EXPANDING"
    await expect_error(world, 409, "IncorrectClusterStatus", "ModifyMasterSpec", clusterId=c,
                       masterTargetModel="Ecs_16c64g")
    step(world, 3)
    details = (await world.api.ok("GetClusterDetails", clusterId=c))["Details"]
    assert details["State"] == "RUNNING"
    slaves = [m for m in json.loads(details["InstanceInfos"]) if m["role"] == "slave"]
    assert len(slaves) == before + 2
    await world.api.ok("ShrinkCluster", clusterId=c, instanceIds=slaves[0]["instanceId"])
    step(world, 3)
    details = (await world.api.ok("GetClusterDetails", clusterId=c))["Details"]
    remaining = [m["instanceId"] for m in json.loads(details["InstanceInfos"]) if m["role"] == "slave"]
    assert len(remaining) == before + 1 and slaves[0]["instanceId"] not in remaining
    order = (await world.api.ok("CreateCellClusterOrder", masterNum="3", masterSpec="Ecs_4c16g", payModel="post",
                                region="cn-hangzhou", slaveNum="2", slaveSpec="Ecs_8c32g"))["OrderId"]
    new = (await world.api.ok("CreateCluster", orderId=order, displayName="n", description="d",
                              userOssBucket="b", userVpcId="v", userVSwitch="s", zoneId="cn-hangzhou-h"))["ClusterId"]
    assert (await world.api.ok("ListCluster", clusterId=new))["Clusters"]["Cluster"][0]["State"] == "STARTING"
    step(world, 5)
    assert (await world.api.ok("ListCluster", clusterId=new))["Clusters"]["Cluster"][0]["State"] == "RUNNING"
    await expect_error(world, 409, "ClusterInUse", "DestroyCluster", clusterId=c)
    await world.api.ok("DestroyCluster", clusterId=new)
    step(world, 2)
    assert (await world.api.ok("ListCluster", clusterId=new))["Clusters"]["Cluster"][0]["State"] == "DESTROYED"


async def test_project_creation(world: World) -> None:
    await world.api.ok("CreateProject", name="p_public", deployType="public", orderId="stream-abcd")
    await expect_error(world, 409, "ProjectAlreadyExists", "CreateProject", name="p_public",
                       deployType="public", orderId="stream-abcd")
    await expect_error(world, 400, "MissingParameter", "CreateProject", name="p_cell", deployType="cell")
    await expect_error(world, 404, "ClusterNotFound", "CreateProject", name="p_cell", deployType="cell",
                       clusterId="nope")
    project = (await world.api.ok("GetProject", projectName="p_public"))["Project"]
    assert project["DeployType"] == "PUBLIC"
    await world.api.ok("UpdateProject", projectName="p_public", globalJobConfig="a=b")
    assert (await world.api.ok("GetProject", projectName="p_public"))["Project"]["GlobalJobConfig"] == "a=b"
