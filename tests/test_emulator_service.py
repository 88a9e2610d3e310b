"""Every one of the 67 operations answers at its documented method and path with the documented shape."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from foas_tui.api.signing import Credentials, RoaSigner, build_request
from foas_tui.emulator import (
    DEMO_ACCESS_KEY_ID,
    DEMO_ACCESS_KEY_SECRET,
    DEMO_ENDPOINT,
    EmulatorConfig,
    FakeClock,
    create_app,
)
from foas_tui.emulator.app import Emulator
from foas_tui.emulator.store import STREAM, Cluster, Job, Package, Project, Queue

SPECS = {op["operation"]: op for op in json.loads((Path(__file__).parent / "data" / "operations.json").read_text())}
# TagResources' SDK class has no setters (its spec lists no parameter); the emulator takes the filters its
# sibling UntagResources takes, in the query (scripts/gen_emulator_table.py, EXTENSIONS).
_UNDOCUMENTED_IN_QUERY = {"TagResources": {"ResourceType", "ResourceIds", "Tags"}}


def locations(op: str) -> dict[str, str]:
    """Where the spec (tests/data/operations.json, never the client's table) puts each parameter."""
    where = {p["name"]: p["in"] for p in SPECS[op]["params"]}
    return where | dict.fromkeys(_UNDOCUMENTED_IN_QUERY.get(op, ()), "query")
T0 = 1_795_651_200.0  # 2026-11-26T00:00:00Z, the demo data's reference time


# --- a signed raw client --------------------------------------------------------------------------


class Api:
    """Signed raw requests (foas_tui.api.signing, like the SDK lays them out) to one emulator.

    Parameters go where the spec puts them; `moved` sends the named ones to the other place instead.
    """

    def __init__(self, transport: httpx.AsyncBaseTransport, base_url: str = DEMO_ENDPOINT,
                 credentials: Credentials | None = None, content_type: str | None = None) -> None:
        self.http = httpx.AsyncClient(transport=transport, timeout=10)
        self.base_url = base_url
        self.signer = RoaSigner(credentials or Credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET))
        self.content_type = content_type

    def request(self, op: str, params: dict[str, Any], **kw: Any) -> httpx.Request:
        spec = SPECS[op]
        where = locations(op)
        for name in kw.get("moved", ()):
            where[name] = {"query": "body", "body": "query"}[where[name]]
        path = {k: v for k, v in params.items() if where.get(k) == "path"}
        query = [(k, v) for k, v in params.items() if where.get(k) == "query"]
        body = {k: v for k, v in params.items() if where.get(k, "body") == "body"}
        return build_request(base_url=self.base_url, method=spec["method"], action=op, uri_pattern=spec["path"],
                             region_id="cn-hangzhou", path_params=path, query_params=query, body_params=body,
                             content_type=kw.get("content_type", self.content_type),
                             signer=kw.get("signer", self.signer))

    async def send(self, request: httpx.Request) -> httpx.Response:
        return await self.http.send(request)

    async def __call__(self, op: str, **params: Any) -> tuple[int, dict[str, Any]]:
        response = await self.send(self.request(op, params))
        return response.status_code, response.json()

    async def ok(self, op: str, **params: Any) -> dict[str, Any]:
        status, body = await self(op, **params)
        assert status == 200, (op, status, body)
        return body

    async def aclose(self) -> None:
        await self.http.aclose()


# --- a world with known objects -------------------------------------------------------------------


@dataclass
class World:
    emulator: Emulator
    clock: FakeClock
    api: Api
    project: str
    cluster: str
    running: str  # a committed SQL stream job whose instance runs

    @property
    def store(self):  # noqa: ANN201 - the emulator's Store
        return self.emulator.store

    def job(self, name: str) -> Job:
        return self.store.job(self.project, name)

    def pick(self, **want: Any) -> Job:
        now = self.store.now()
        for job in self.store.project(self.project).jobs.values():
            state = job.current.phase(now).actual if job.current else None
            fields = {"scenario": job.scenario, "committed": job.committed, "job_type": job.job_type,
                      "api_type": job.api_type, "state": state}
            if all(fields[k] == v for k, v in want.items()):
                return job
        raise LookupError(f"no demo job with {want}")

    def new_job(self, name: str, *, commit: bool = False, **extra: Any) -> Job:
        params = {"jobName": name, "jobType": STREAM, "apiType": "SQL", "code": "INSERT INTO s SELECT * FROM t;",
                  "clusterId": self.cluster, "queueName": "root.default", **extra}
        job = self.store.create_job(self.project, params)
        if commit:
            self.store.commit_job(self.project, name, {})
        return job

    def new_project(self, name: str) -> Project:
        project = Project(name=name, project_id=self.store.random_id(), cluster_id=self.cluster)
        self.store.projects[name] = project
        self.store.add_folder(project, "/")
        return project

    def new_queue(self, name: str) -> Queue:
        queue = Queue(self.cluster, name, 100, 4096)
        self.store.clusters[self.cluster].queues[name] = queue
        return queue

    def now_ms(self) -> int:
        return self.store.now()


def make_world(jobs: int = 64) -> World:
    clock = FakeClock(T0)
    emulator = create_app(EmulatorConfig(jobs=jobs, clock=clock))
    project = "realtime_dw"
    world = World(emulator, clock, Api(httpx.ASGITransport(app=emulator)), project,
                  emulator.store.project(project).cluster_id, "")
    world.running = world.pick(scenario="running", committed=True, job_type=STREAM, api_type="SQL",
                               state="RUNNING").name
    return world


@pytest.fixture
async def world():
    w = make_world()
    yield w
    await w.api.aclose()


# --- one case per operation: parameters for a call that must succeed ------------------------------

Case = Callable[[World], dict[str, Any]]


def _metric_json(world: World, metric: str) -> str:
    now = world.now_ms()
    return json.dumps({"start": now - 3600_000, "end": now, "limit": "avg:sample:50",
                       "queries": [{"metric": metric, "aggregator": "max", "granularity": "20s",
                                    "downsample": "20s-avg"}]})


def _referenced_package(world: World) -> str:
    for job in world.store.project(world.project).jobs.values():
        if job.committed and job.package_names():
            return job.package_names()[0]
    raise LookupError("no package referenced by an online job")


def _plan_session(world: World) -> dict[str, Any]:
    from foas_tui.emulator.handlers import Call, dispatch
    from foas_tui.emulator.spec_table import OPERATIONS as SERVED

    call = Call(SERVED["GetRawPlanJson"], {"projectName": world.project, "jobName": world.running},
                world.store, world.now_ms())
    session = dispatch(call)["SessionId"]
    world.clock.advance(world.store.step_ms / 1000 + 1)
    return {"projectName": world.project, "jobName": world.running, "sessionId": session}


def _plan_name(world: World) -> str:
    from foas_tui.emulator import runtime

    inst = world.job(world.running).current
    assert inst is not None
    names = runtime.autoscale_plan_list(world.store.view(inst, inst.phase(world.now_ms()), world.now_ms()))
    if not names:  # this job has no AutoScale history: use one that has
        for job in world.store.project(world.project).jobs.values():
            if job.autoscale.get("isOnOff") and job.current is not None and job.job_type == STREAM:
                world.running = job.name
                return _plan_name(world)
    return names[0]


def _autoscale_on(world: World) -> dict[str, Any]:
    inst = world.job(world.running).current
    assert inst is not None
    inst.autoscale["isOnOff"] = True
    return {"projectName": world.project, "jobName": world.running, "instanceId": "-1",
            "configJson": '{"autoscale.enable":"true"}'}


def _spare_cluster(world: World) -> str:
    cluster = Cluster("spare0cluster0000000000x", "spare", create_ms=world.now_ms(), modify_ms=world.now_ms())
    world.store.clusters[cluster.cluster_id] = cluster
    return cluster.cluster_id


def _bound_fresh_project(world: World) -> dict[str, Any]:
    world.new_project("unbind_me")
    world.new_queue("root.unbind_me")
    world.store.bind_queue("unbind_me", world.cluster, "root.unbind_me")
    return {"projectName": "unbind_me", "clusterId": world.cluster, "queueName": "root.unbind_me"}


def _instance_id(world: World) -> str:
    inst = world.job(world.running).current
    assert inst is not None
    return str(inst.id)


def _pj(world: World, **extra: Any) -> dict[str, Any]:
    return {"projectName": world.project, "jobName": world.running, **extra}


CASES: dict[str, Case] = {
    "BatchGetInstanceRunSummary": lambda w: {"projectName": w.project, "jobType": "FLINK_STREAM",
                                             "jobNames": f"{w.running},no_such_job"},
    "BindQueue": lambda w: (w.new_project("bind_me"), w.new_queue("root.bind_me"))
    and {"projectName": "bind_me", "clusterId": w.cluster, "queueName": "root.bind_me"},
    "CalcPlanJsonResource": lambda w: _pj(w),
    "CheckRawPlanJson": _plan_session,
    "CommitJob": lambda w: _pj(w, isOnOff="true", maxCU="10.0", configure='{"fetch_delay":1.0}',
                               recommendOnly="false",
                               suspendPeriods='[{"startTime":"18:00","endTime":"18:20","plan":"ORIGINAL",'
                                              '"policy":"EVERY_DAY_TIME"}]'),
    "CreateCellClusterOrder": lambda w: {"masterNum": "3", "masterSpec": "Ecs_4c16g", "payModel": "post",
                                         "region": "cn-hangzhou", "slaveNum": "3", "slaveSpec": "Ecs_8c32g"},
    "CreateCluster": lambda w: {"description": "cluster1", "displayName": "cluster_name",
                                "orderId": "blinkonecs_1234", "userOssBucket": "12345", "userVpcId": "vpc-abcde",
                                "userVSwitch": "vsw-abcde", "zoneId": "cn-hangzhou-h"},
    "CreateFolder": lambda w: {"projectName": w.project, "path": "/新手任务 2"},
    "CreateJob": lambda w: {"projectName": w.project, "jobName": "created_job", "jobType": "flink_stream",
                            "apiType": "sql", "code": "INSERT INTO s SELECT a FROM t;", "clusterId": w.cluster,
                            "queueName": "root.default", "engineVersion": "current", "planJson": "",
                            "properties": "blink.checkpoint.interval.ms=180000", "description": "test",
                            "folderId": str(w.store.folder(w.project, "/").folder_id)},
    "CreatePackage": lambda w: {"projectName": w.project, "packageName": "package1.jar", "type": "jar",
                                "ossBucket": "blinktest2", "ossEndpoint": "oss-cn-hangzhou-internal.aliyuncs.com",
                                "ossOwner": "user1", "ossPath": "path1/path2/a.jar", "originName": "a.jar",
                                "description": "test", "md5": "3F7468C153E529B141C326332DF15D05",
                                "tag": '{"function":"group by time"}'},
    "CreateProject": lambda w: {"deployType": "cell", "name": "project_new", "clusterId": w.cluster,
                                "managerIds": "1234567", "description": "测试项目"},
    "CreateQueue": lambda w: {"clusterId": w.cluster, "queueName": "root.new_queue", "maxVcore": "300",
                              "maxMemMB": "12288", "gpu": "0"},
    "DeleteFolder": lambda w: w.store.create_folder(w.project, "/empty") and {"projectName": w.project,
                                                                              "path": "/empty"},
    "DeleteJob": lambda w: {"projectName": w.project, "jobName": w.new_job("offline_job").name},
    "DeletePackage": lambda w: w.store.project(w.project).packages.update(
        {"spare.jar": Package(w.project, "spare.jar", "JAR", "p/spare.jar")}) or {"projectName": w.project,
                                                                                   "packageName": "spare.jar"},
    "DeleteProject": lambda w: {"projectName": w.new_project("empty_project").name},
    "DeleteQueue": lambda w: {"clusterId": w.cluster, "queueName": w.new_queue("root.unused").name},
    "DestroyCluster": lambda w: {"clusterId": _spare_cluster(w)},
    "ExpandCluster": lambda w: {"clusterId": w.cluster, "model": w.store.clusters[w.cluster].slave_model,
                                "count": str(w.store.clusters[w.cluster].slave_count + 2),
                                "userVSwitch": "vsw-abcd"},
    "GetClusterDetails": lambda w: {"clusterId": w.cluster},
    "GetClusterEngineVersions": lambda w: {"clusterId": w.cluster},
    "GetClusterMetrics": lambda w: {"clusterId": w.cluster,
                                    "metricJson": _metric_json(w, f"{w.cluster}.system.cpu.user")},
    "GetClusterQueueInfo": lambda w: {"clusterId": w.cluster},
    "GetClusterResource": lambda w: {"clusterId": w.cluster},
    "GetFolder": lambda w: {"projectName": w.project, "path": "/ods"},
    "GetInstance": lambda w: _pj(w, instanceId="-1"),
    "GetInstanceCheckpoint": lambda w: _pj(w, instanceId=_instance_id(w)),
    "GetInstanceConfig": lambda w: _pj(w, instanceId="-1"),
    "GetInstanceDetail": lambda w: _pj(w, instanceId=_instance_id(w)),
    "GetInstanceExceptions": lambda w: _pj(w, instanceId="-1"),
    "GetInstanceFinalState": lambda w: _pj(w, instanceId=_instance_id(w)),
    "GetInstanceHistoryAutoScalePlanContent": lambda w: _pj(w, instanceId="-1", planName=_plan_name(w)),
    "GetInstanceHistoryAutoScalePlanList": lambda w: _pj(w, instanceId="-1"),
    "GetInstanceMetric": lambda w: _pj(w, instanceId="-1", metricJson=_metric_json(
        w, f"blink.{w.project}.{w.running}.delay")),
    "GetInstanceResource": lambda w: _pj(w, instanceId="-1"),
    "GetInstanceRunSummary": lambda w: _pj(w, instanceId="-1"),
    "GetJob": lambda w: _pj(w),
    "GetJobLatestAutoScalePlan": lambda w: _pj(w),
    "GetPackage": lambda w: {"projectName": w.project, "packageName": _referenced_package(w)},
    "GetProject": lambda w: {"projectName": w.project},
    "GetRawPlanJson": lambda w: _pj(w, autoconfEnable="true", expectedCore="1", expectedGB="4",
                                    AdvisorAction="advancedInfo"),
    "GetRefPackageJob": lambda w: {"projectName": w.project, "packageName": _referenced_package(w),
                                   "pageSize": "10", "pageIndex": "1"},
    "ListChildFolder": lambda w: {"projectName": w.project, "path": "/"},
    "ListCluster": lambda w: {"region": "cn-hangzhou", "pageSize": "10", "pageIndex": "1"},
    "ListInstance": lambda w: {"projectName": w.project, "jobType": "FLINK_STREAM", "pageSize": "10",
                               "pageIndex": "1"},
    "ListJob": lambda w: {"projectName": w.project, "pageSize": "10", "pageIndex": "1", "jobType": "FLINK_STREAM",
                          "isShowFullField": "true"},
    "ListPackage": lambda w: {"projectName": w.project, "pageSize": "10", "pageIndex": "1"},
    "ListProject": lambda w: {"deployType": "cell", "pageSize": "10", "pageIndex": "1"},
    "ListProjectBindQueue": lambda w: {"projectName": w.project},
    "ListProjectBindQueueResource": lambda w: {"projectName": w.project},
    "ListTagResources": lambda w: {"ResourceType": "cluster", "ResourceIds": json.dumps([w.cluster])},
    "MVFolder": lambda w: w.store.create_folder(w.project, "/mv_src") and {
        "projectName": w.project, "srcPath": "/mv_src", "destPath": "/mv_dest"},
    "ModifyInstanceState": lambda w: _pj(w, instanceId="-1", expectState="PAUSED", isFlush="true",
                                         triggerCheckpoint="false"),
    "ModifyMasterSpec": lambda w: {"clusterId": w.cluster, "masterTargetModel": "Ecs_16c64g"},
    "OfflineJob": lambda w: {"projectName": w.project, "jobName": w.new_job("to_offline", commit=True).name},
    "ShrinkCluster": lambda w: {"clusterId": w.cluster, "instanceIds": w.store.clusters[w.cluster].slave_ids[0]},
    "StartJob": lambda w: {"projectName": w.project, "jobName": w.new_job("to_start", commit=True).name,
                           "parameterJson": '{"blink.checkpoint.interval.ms":"180000"}'},
    "TagResources": lambda w: {"ResourceType": "cluster", "ResourceIds": json.dumps([w.cluster]),
                               "Tags": '[{"key":"k1","value":"v 1"}]'},
    "UnbindQueue": _bound_fresh_project,
    "UntagResources": lambda w: {"ResourceType": "cluster", "ResourceIds": json.dumps([w.cluster]),
                                 "TagKeys": '["env"]', "All": "false"},
    "UpdateAutoScaleConfig": _autoscale_on,
    "UpdateJob": lambda w: _pj(w, code="INSERT INTO s SELECT b FROM t;", description="changed",
                               properties="blink.checkpoint.interval.ms=60000"),
    "UpdatePackage": lambda w: {"projectName": w.project, "packageName": _referenced_package(w),
                                "description": "new description", "ossPath": "path1/b.jar"},
    "UpdateProject": lambda w: {"projectName": w.project, "globalJobConfig": "sql.type=print"},
    "UpdateProjectConfig": lambda w: {"ProjectName": w.project, "IsOpenBatchSQL": "true"},
    "UpdateQueue": lambda w: {"clusterId": w.cluster, "queueName": "root.default", "maxVcore": "1200",
                              "maxMemMB": "49152", "gpu": "0"},
    "ValidateJob": lambda w: _pj(w),
}


# --- shape checking against the spec --------------------------------------------------------------

# Documented fields the emulator leaves out when they have no value (as the seed's own examples do).
OPTIONAL_LEAVES = {"endtime", "lasterrormessage", "lasterrortime", "autoscaleparams", "priority", "planjson",
                   "fileid", "name", "workspace", "nexttoken", "scanerrormessage"}


def _paths(value: Any, prefix: str = "") -> set[str]:
    out: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            path = f"{prefix}.{key}" if prefix else key
            out.add(path.lower())
            out |= _paths(item, path)
    elif isinstance(value, list):
        if value:
            out.add(f"{prefix}[]".lower())
        for item in value:
            out |= _paths(item, prefix + "[]")
    return out


def documented_paths(op: str) -> set[str]:
    spec = SPECS[op]
    paths = {p.lower() for p in spec["response_fields"]}
    paths |= _paths(spec.get("example_json") or {})
    closure = set()
    for path in paths:
        parts = path.split(".")
        closure |= {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    # Field tables write an array as `X` (type Array/List) and its elements as `X[]`.
    return closure | {p + "[]" for p in closure} | {p.removesuffix("[]") for p in closure}


def check_shape(op: str, body: dict[str, Any]) -> None:
    documented = documented_paths(op)
    got = _paths(body)
    # Maps with free keys (Properties of ValidateJob, dps/tags of metrics) are leaves.
    free = {p for p in documented if p.rsplit(".", 1)[-1] in ("properties", "dps", "tags")}
    undocumented = {p for p in got if p not in documented and not any(p.startswith(f + ".") for f in free)}
    assert not undocumented, f"{op}: keys not in the spec: {sorted(undocumented)}"
    for path in documented:
        parent, _, leaf = path.rpartition(".")
        if (parent and parent not in got) or leaf in OPTIONAL_LEAVES or "[]" in leaf:
            continue
        if parent and f"{parent}[]" in got:
            continue  # the bare-array form of the seed's examples (`"Metrics": [...]`) instead of the wrapper
        if path not in {f.lower() for f in SPECS[op]["response_fields"]}:
            continue  # only the field tables say what must be there; examples are partial
        assert path in got, f"{op}: documented key {path!r} is missing"
    assert "requestid" in got


# --- tests ----------------------------------------------------------------------------------------


def test_every_operation_has_a_case_and_a_spec() -> None:
    assert set(CASES) == set(SPECS)
    assert len(SPECS) == 67


# (Each operation's documented shape is checked by tests/test_spec_round_trip.py, through the client.)

_BODY_OPS = sorted(name for name in SPECS if "body" in locations(name).values())


@pytest.mark.parametrize("op", _BODY_OPS)
async def test_json_bodies_are_accepted_too(world: World, op: str) -> None:
    params = CASES[op](world)
    api = Api(httpx.ASGITransport(app=world.emulator), content_type="application/json")
    try:
        response = await api.send(api.request(op, params))
    finally:
        await api.aclose()
    assert response.status_code == 200, (op, response.text)
    assert response.request.headers["content-type"] == "application/json" or not any(
        locations(op).get(name) == "body" for name in params)


async def test_json_body_with_native_types(world: World) -> None:
    api = Api(httpx.ASGITransport(app=world.emulator))
    spec = SPECS["CreateQueue"]
    body = json.dumps({"queueName": "root.ints", "maxMemMB": 4096, "maxVcore": 100, "gpu": 0}).encode()
    request = build_request(base_url=DEMO_ENDPOINT, method=spec["method"], action="CreateQueue",
                            uri_pattern=spec["path"], region_id="cn-hangzhou", path_params={"clusterId": world.cluster})
    request = httpx.Request("POST", request.url, headers={**request.headers, "content-type": "application/json"},
                            content=body)
    api.signer.sign(request)
    response = await api.send(request)
    await api.aclose()
    assert response.status_code == 200, response.text
    assert world.store.clusters[world.cluster].queues["root.ints"].max_mem_mb == 4096


async def test_sdk_style_booleans(world: World) -> None:
    for value in ("True", "true", "1", "False", "false", "0"):
        await world.api.ok("ListJob", projectName=world.project, isShowFullField=value, pageSize="1")
    status, body = await world.api("ListJob", projectName=world.project, isShowFullField="maybe")
    assert (status, body["Code"]) == (400, "InvalidParameter.IsShowFullField")


async def test_request_id_in_body_and_header(world: World) -> None:
    response = await world.api.send(world.api.request("GetProject", {"projectName": world.project}))
    assert response.headers["x-acs-request-id"] == response.json()["RequestId"]
    assert response.headers["content-type"].startswith("application/json")


async def test_error_body_has_the_documented_fields(world: World) -> None:
    status, body = await world.api("GetProject", projectName="no_such_project")
    assert status == 404
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert body["Code"] == "ProjectNotFound"
    assert body["Recommend"].endswith("Keyword=ProjectNotFound&source=PopGw")
    assert body["HostId"] == "foas-emulator.local"


@pytest.mark.parametrize(("op", "params", "code"), [
    ("GetJob", {"jobName": "nope"}, "JobNotFound"),
    ("GetPackage", {"packageName": "nope.jar"}, "PackageNotFound"),
    ("GetFolder", {"path": "/no/such/folder"}, "FolderNotFound"),
    ("GetInstance", {"jobName": None, "instanceId": "999999999"}, "InstanceNotFound"),
])
async def test_not_found_codes(world: World, op: str, params: dict[str, Any], code: str) -> None:
    merged = {"projectName": world.project, **params}
    if merged.get("jobName", "") is None:
        merged["jobName"] = world.running
    status, body = await world.api(op, **merged)
    assert (status, body["Code"]) == (404, code)


async def test_cluster_not_found(world: World) -> None:
    status, body = await world.api("GetClusterDetails", clusterId="nope")
    assert (status, body["Code"]) == (404, "ClusterNotFound")


async def test_missing_required_parameter(world: World) -> None:
    status, body = await world.api("BatchGetInstanceRunSummary", projectName=world.project, jobNames="a")
    assert (status, body["Code"]) == (400, "MissingParameter")
    assert "jobType" in body["Message"]


async def test_invalid_instance_id(world: World) -> None:
    status, body = await world.api("GetInstance", projectName=world.project, jobName=world.running, instanceId="x1")
    assert (status, body["Code"], body["Message"]) == (400, "InvalidinstanceId",
                                                       "Specified parameter instanceId is not valid.")


async def test_unknown_path_and_wrong_method(world: World) -> None:
    signer = world.api.signer
    bad = build_request(base_url=DEMO_ENDPOINT, method="GET", action="Nope", uri_pattern="/api/v2/nothing/here",
                        region_id="cn-hangzhou", signer=signer)
    response = await world.api.send(bad)
    assert (response.status_code, response.json()["Code"]) == (404, "InvalidApi.NotFound")
    wrong = build_request(base_url=DEMO_ENDPOINT, method="PATCH", action="GetProject",
                          uri_pattern="/api/v2/projects/[projectName]", region_id="cn-hangzhou",
                          path_params={"projectName": world.project}, signer=signer)
    response = await world.api.send(wrong)
    assert response.status_code == 405
    assert "GET" in response.json()["Message"]


async def test_action_header_must_match_the_route(world: World) -> None:
    spec = SPECS["GetProject"]
    request = build_request(base_url=DEMO_ENDPOINT, method="GET", action="DeleteProject", uri_pattern=spec["path"],
                            region_id="cn-hangzhou", path_params={"projectName": world.project},
                            signer=world.api.signer)
    response = await world.api.send(request)
    assert (response.status_code, response.json()["Code"]) == (400, "InvalidAction.Mismatch")
    assert world.project in world.store.projects


async def test_body_that_is_not_json(world: World) -> None:
    spec = SPECS["CreateFolder"]
    request = build_request(base_url=DEMO_ENDPOINT, method="POST", action="CreateFolder", uri_pattern=spec["path"],
                            region_id="cn-hangzhou", path_params={"projectName": world.project})
    request = httpx.Request("POST", request.url, headers={**request.headers, "content-type": "application/json"},
                            content=b"{not json")
    world.api.signer.sign(request)
    response = await world.api.send(request)
    assert (response.status_code, response.json()["Code"]) == (400, "InvalidParameter.Body")


async def test_path_parameters_are_percent_decoded(world: World) -> None:
    name = "my pkg 包+v1.jar"
    await world.api.ok("CreatePackage", projectName=world.project, packageName=name, type="JAR", ossPath="x/y.jar",
                       ossBucket="b", ossEndpoint="e", ossOwner="o")
    body = await world.api.ok("GetPackage", projectName=world.project, packageName=name)
    assert body["Package"]["PackageName"] == name


async def test_literal_route_wins_over_parameter(world: World) -> None:
    body = await world.api.ok("ListChildFolder", projectName=world.project, path="/ods")
    assert all(f["Path"].startswith("/ods/") for f in body["Folders"]["Folder"])
    folder = await world.api.ok("GetFolder", projectName=world.project, path="/ods")
    assert folder["Folder"]["Path"] == "/ods"


# --- paging ---------------------------------------------------------------------------------------


async def test_list_job_paging(world: World) -> None:
    total = len(world.store.project(world.project).jobs)
    seen: list[str] = []
    size = 5
    pages = math.ceil(total / size)
    for index in range(1, pages + 2):
        body = await world.api.ok("ListJob", projectName=world.project, pageSize=str(size), pageIndex=str(index))
        assert (body["PageIndex"], body["PageSize"], body["TotalCount"], body["TotalPage"]) == (index, size, total,
                                                                                                  pages)
        seen += [j["JobName"] for j in body["Jobs"]["Job"]]
    assert seen == list(world.store.project(world.project).jobs)
    body = await world.api.ok("ListJob", projectName=world.project)
    assert body["PageSize"] == 10 and body["PageIndex"] == 1


@pytest.mark.parametrize("bad", ["0", "-1", "ten"])
async def test_bad_page_size(world: World, bad: str) -> None:
    status, body = await world.api("ListJob", projectName=world.project, pageSize=bad)
    assert (status, body["Code"]) == (400, "InvalidParameter.PageSize")


@pytest.mark.parametrize(("op", "params", "wrapper"), [
    ("ListInstance", {"jobType": "FLINK_STREAM"}, ("Instances", "Instance")),
    ("ListPackage", {}, ("Packages", "Package")),
    ("ListProject", {}, ("Projects", "Project")),
    ("ListCluster", {}, ("Clusters", "Cluster")),
])
async def test_other_paged_lists(world: World, op: str, params: dict[str, str], wrapper: tuple[str, str]) -> None:
    if op not in ("ListProject", "ListCluster"):
        params = {"projectName": world.project, **params}
    first = await world.api.ok(op, **params, pageSize="1", pageIndex="1")
    total = first["TotalCount"]
    assert first["TotalPage"] == total and len(first[wrapper[0]][wrapper[1]]) == min(1, total)
    beyond = await world.api.ok(op, **params, pageSize="1", pageIndex=str(total + 1))
    assert beyond[wrapper[0]][wrapper[1]] == []


async def test_list_job_filters_and_short_fields(world: World) -> None:
    body = await world.api.ok("ListJob", projectName=world.project, jobType="flink_batch", pageSize="100",
                              isShowFullField="false")
    jobs = body["Jobs"]["Job"]
    assert jobs and all(j["JobType"] == "FLINK_BATCH" for j in jobs)
    assert all("Code" not in j and "PlanJson" not in j for j in jobs)
    needle = world.running[:6]
    body = await world.api.ok("ListJob", projectName=world.project, jobName=needle.upper(), pageSize="100")
    assert world.running in [j["JobName"] for j in body["Jobs"]["Job"]]
    folder = world.store.folder(world.project, "/ods")
    body = await world.api.ok("ListJob", projectName=world.project, folderId=str(folder.folder_id), pageSize="100")
    assert all(j["FolderId"] == folder.folder_id for j in body["Jobs"]["Job"])


async def test_list_tag_resources_token_paging(world: World) -> None:
    for i in range(45):
        await world.api.ok("TagResources", ResourceType="cluster", ResourceIds=world.cluster,
                           Tags=json.dumps({f"k{i:02d}": "v"}))
    keys, token = [], None
    while True:
        params = {"ResourceIds": world.cluster} | ({"NextToken": token} if token else {})
        body = await world.api.ok("ListTagResources", **params)
        keys += [t["TagKey"] for t in body["Data"]["TagResources"]]
        token = body["Data"]["NextToken"]
        if not token:
            break
    assert len(keys) == len(set(keys)) == 45 + 4


# --- scale ----------------------------------------------------------------------------------------


def test_startup_with_1000_jobs_is_fast() -> None:
    create_app(EmulatorConfig(jobs=10))  # warm imports
    started = time.perf_counter()
    emulator = create_app(EmulatorConfig(jobs=1000))
    elapsed = time.perf_counter() - started
    assert sum(len(p.jobs) for p in emulator.store.projects.values()) == 1000
    assert elapsed < 0.5, f"create_app(jobs=1000) took {elapsed:.3f} s"


async def test_batch_run_summary_of_1000_jobs_is_fast() -> None:
    emulator = create_app(EmulatorConfig(jobs=1000, clock=FakeClock(T0)))
    api = Api(httpx.ASGITransport(app=emulator))
    started = time.perf_counter()
    count = 0
    for project in emulator.store.projects.values():
        names = [j.name for j in project.jobs.values() if j.job_type == STREAM]
        for i in range(0, len(names), 100):
            body = await api.ok("BatchGetInstanceRunSummary", projectName=project.name, jobType=STREAM,
                                jobNames=",".join(names[i:i + 100]))
            count += len(body["RunSummarys"]["RunSummary"])
    elapsed = time.perf_counter() - started
    await api.aclose()
    assert count > 700
    assert elapsed < 2.0, f"{count} run summaries took {elapsed:.2f} s"
