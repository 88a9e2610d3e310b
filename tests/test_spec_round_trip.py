"""Every operation, once, through FoasClient and the strict emulator: the documented shape on the wire, and
the parsed fields the UI reads (or, for writes whose answer is only a RequestId, the effect, read back).

This replaces two weaker sweeps (raw shape only; parsed RequestId only). Expectations come from the spec
(tests/data/operations.json, via check_shape) and from the objects each case creates, not from the client.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from test_emulator_service import CASES, SPECS, World, check_shape, make_world

from foas_tui.api import errors
from foas_tui.api.client import FoasClient
from foas_tui.api.models import Embedded
from foas_tui.api.operations import OPERATIONS
from foas_tui.api.signing import Credentials
from foas_tui.emulator import DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, DEMO_ENDPOINT


class Recorder(httpx.AsyncBaseTransport):
    """Passes requests to the emulator and keeps the last raw JSON answer."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner = inner
        self.last: dict[str, Any] = {}

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        content = await response.aread()
        self.last = json.loads(content)
        return httpx.Response(response.status_code, headers=response.headers, content=content)


def get(obj: Any, path: str) -> Any:
    """`a.b[0].c` on a parsed model; an Embedded document is looked into (and must have parsed)."""
    for part in path.split("."):
        index = None
        if part.endswith("]"):
            part, _, rest = part.partition("[")
            index = int(rest[:-1])
        obj = getattr(obj, part)
        if isinstance(obj, Embedded):
            assert obj.ok, (path, obj)
            obj = obj.value
        if index is not None:
            obj = obj[index]
    return obj


def present(response: Any, *paths: str) -> None:
    for path in paths:
        value = get(response, path)
        assert value is not None and value != [] and value != "", f"{path} is empty: {value!r}"


Check = Callable[[World, Any, FoasClient], Awaitable[None]]
P = "realtime_dw"


async def _batch(w: World, r: Any, c: FoasClient) -> None:
    by_name = {s.job_name: s for s in r.run_summarys}
    assert set(by_name) == {w.running}  # the unknown name of the request has no summary
    present(by_name[w.running], "id", "actual_state", "expect_state", "engine_job_handler")
    assert by_name[w.running].actual_state == "RUNNING"


async def _bound(w: World, r: Any, c: FoasClient) -> None:
    queues = (await c.list_project_bind_queue("bind_me")).queues
    assert [(q.cluster_id, q.queue_name) for q in queues] == [(w.cluster, "root.bind_me")]


async def _unbound(w: World, r: Any, c: FoasClient) -> None:
    assert (await c.list_project_bind_queue("unbind_me")).queues == []


async def _committed(w: World, r: Any, c: FoasClient) -> None:
    assert (await c.get_job(P, w.running)).job.is_committed


async def _created_job(w: World, r: Any, c: FoasClient) -> None:
    job = (await c.get_job(P, "created_job")).job
    assert (job.job_type, job.api_type, job.code) == ("FLINK_STREAM", "SQL", "INSERT INTO s SELECT a FROM t;")
    assert job.folder_id == w.store.folder(P, "/").folder_id and job.description == "test"


async def _created_package(w: World, r: Any, c: FoasClient) -> None:
    pkg = (await c.get_package(P, "package1.jar")).package
    assert (pkg.type, pkg.oss_path, pkg.oss_bucket, pkg.description) == ("JAR", "path1/path2/a.jar", "blinktest2",
                                                                         "test")


async def _created_project(w: World, r: Any, c: FoasClient) -> None:
    project = (await c.get_project("project_new")).project
    assert (project.deploy_type.lower(), project.cluster_id, project.description) == ("cell", w.cluster, "测试项目")


async def _queue(w: World, name: str, vcore: int, mem: int) -> None:
    queue = w.store.clusters[w.cluster].queues[name]
    assert (queue.max_vcore, queue.max_mem_mb) == (vcore, mem)


def _gone(call: Callable[[FoasClient, World], Awaitable[Any]]) -> Check:
    async def check(w: World, r: Any, c: FoasClient) -> None:
        with pytest.raises(errors.NotFoundError):
            await call(c, w)
    return check


async def _folders_moved(w: World, r: Any, c: FoasClient) -> None:
    assert (await c.get_folder(P, "/mv_dest")).folder.path == "/mv_dest"


async def _paused(w: World, r: Any, c: FoasClient) -> None:
    assert (await c.get_instance_run_summary(P, w.running, -1)).run_summary.expect_state == "PAUSED"


async def _offline(w: World, r: Any, c: FoasClient) -> None:
    assert not (await c.get_job(P, "to_offline")).job.is_committed


async def _started(w: World, r: Any, c: FoasClient) -> None:
    assert r.instance_id and r.instance_id > 0
    assert (await c.get_instance_run_summary(P, "to_start", -1)).run_summary.id == r.instance_id


async def _updated_job(w: World, r: Any, c: FoasClient) -> None:
    job = (await c.get_job(P, w.running)).job
    assert (job.code, job.description) == ("INSERT INTO s SELECT b FROM t;", "changed")


async def _updated_package(w: World, r: Any, c: FoasClient) -> None:
    name = w.store.project(P).packages  # the referenced package the case picked
    updated = [p for p in name.values() if p.description == "new description"]
    assert len(updated) == 1
    pkg = (await c.get_package(P, updated[0].name)).package
    assert (pkg.description, pkg.oss_path) == ("new description", "path1/b.jar")


async def _project_config(w: World, r: Any, c: FoasClient) -> None:
    assert (await c.get_project(P)).project.global_job_config == "sql.type=print"


async def _tagged(w: World, r: Any, c: FoasClient) -> None:
    tags = (await c.list_tag_resources(resource_ids=w.cluster)).data.tag_resources
    assert ("k1", "v 1") in [(t.tag_key, t.tag_value) for t in tags]


async def _untagged(w: World, r: Any, c: FoasClient) -> None:
    tags = (await c.list_tag_resources(resource_ids=w.cluster)).data.tag_resources
    assert "env" not in [t.tag_key for t in tags]


def fields(*paths: str, then: Check | None = None) -> Check:
    async def check(w: World, r: Any, c: FoasClient) -> None:
        present(r, *paths)
        if then is not None:
            await then(w, r, c)
    return check


def _eq(path: str, want: Callable[[World], Any]) -> Check:
    async def check(w: World, r: Any, c: FoasClient) -> None:
        assert get(r, path) == want(w), path
    return check


_INSTANCE = ("instance.id", "instance.job_name", "instance.actual_state", "instance.expect_state",
             "instance.start_time", "instance.engine_version", "instance.cluster_id", "instance.queue_name")

UI: dict[str, Check] = {
    "BatchGetInstanceRunSummary": _batch,
    "BindQueue": _bound,
    "CalcPlanJsonResource": fields("plan_json_resource.cores", "plan_json_resource.memory_gb"),
    "CheckRawPlanJson": fields("plan_json_info.status"),
    "CommitJob": _committed,
    "CreateCellClusterOrder": fields("order_id"),
    "CreateCluster": fields("cluster_id", then=lambda w, r, c: _cluster_named(c, r.cluster_id, "cluster_name")),
    "CreateFolder": fields("folder_id", then=lambda w, r, c: _folder_id(c, "/新手任务 2", r.folder_id)),
    "CreateJob": _created_job,
    "CreatePackage": _created_package,
    "CreateProject": _created_project,
    "CreateQueue": lambda w, r, c: _queue(w, "root.new_queue", 300, 12288),
    "DeleteFolder": lambda w, r, c: _folder_id(c, "/empty", None),
    "DeleteJob": _gone(lambda c, w: c.get_job(P, "offline_job")),
    "DeletePackage": _gone(lambda c, w: c.get_package(P, "spare.jar")),
    "DeleteProject": _gone(lambda c, w: c.get_project("empty_project")),
    "DeleteQueue": lambda w, r, c: _no_queue(w, "root.unused"),
    "DestroyCluster": lambda w, r, c: _cluster_state(c, "spare0cluster0000000000x", "DESTROYING"),
    "ExpandCluster": lambda w, r, c: _cluster_state(c, w.cluster, "EXPANDING"),
    "GetClusterDetails": fields("details.cluster_id", "details.display_name", "details.state", "details.zone_id",
                                "details.user_vpc_id"),
    "GetClusterEngineVersions": fields("engine_versions"),
    "GetClusterMetrics": fields("metrics[0].metric_name", "metrics[0].dps"),
    "GetClusterQueueInfo": fields("queues[0].queue_name", "queues[0].max_vcore", "queues[0].used_vcore",
                                  "queues[0].max_mem", "queues[0].used_mem"),
    "GetClusterResource": fields("resource.allocated_mb", "resource.total_mb", "resource.allocated_virtual_cores",
                                 "resource.total_virtual_cores"),
    "GetFolder": fields("folder.folder_id", then=_eq("folder.path", lambda w: "/ods")),
    "GetInstance": fields(*_INSTANCE, then=_eq("instance.job_name", lambda w: w.running)),
    "GetInstanceCheckpoint": fields("checkpoints.counts.completed", "checkpoints.latest.completed.id"),
    "GetInstanceConfig": fields("config.jid", "config.execution_config.job_parallelism"),
    "GetInstanceDetail": fields("detail.jid", "detail.state", "detail.vertices[0].name",
                                "detail.vertices[0].metrics"),
    "GetInstanceExceptions": fields("exceptions"),
    "GetInstanceFinalState": fields("final_state"),
    "GetInstanceHistoryAutoScalePlanContent": fields("plan_content.nodes"),
    "GetInstanceHistoryAutoScalePlanList": _eq("plan_list", lambda w: _plan_list(w)),
    "GetInstanceMetric": fields("metrics[0].metric_name", "metrics[0].dps"),
    "GetInstanceResource": fields("resource.allocated_mb", "resource.allocated_virtual_cores"),
    "GetInstanceRunSummary": fields("run_summary.id", "run_summary.actual_state", "run_summary.input_delay",
                                    then=_eq("run_summary.actual_state", lambda w: "RUNNING")),
    "GetJob": fields("job.job_name", "job.job_type", "job.api_type", "job.code", "job.engine_version",
                     "job.cluster_id", "job.queue_name", "job.folder_id", "job.modify_time",
                     then=_eq("job.is_committed", lambda w: True)),
    "GetJobLatestAutoScalePlan": lambda w, r, c: _latest_plan(w, r, c),
    "GetPackage": fields("package.package_name", "package.type", "package.oss_path", "package.scan_state"),
    "GetProject": fields("project.name", "project.state", "project.deploy_type", "project.cluster_id",
                         then=_eq("project.name", lambda w: P)),
    "GetRawPlanJson": fields("session_id"),
    "GetRefPackageJob": fields("jobs[0].job_name", "total_count", "page_index"),
    "ListChildFolder": fields("folders[0].path", "folders[0].folder_id"),
    "ListCluster": fields("clusters[0].cluster_id", "clusters[0].display_name", "clusters[0].state",
                          "total_count"),
    "ListInstance": fields("instances[0].id", "instances[0].job_name", "instances[0].actual_state",
                           "instances[0].start_time", "total_count", "total_page"),
    "ListJob": fields("jobs[0].job_name", "jobs[0].job_type", "jobs[0].api_type", "jobs[0].folder_id",
                      "jobs[0].code", "total_count", "total_page",
                      then=_eq("page_size", lambda w: 10)),
    "ListPackage": fields("packages[0].package_name", "packages[0].type", "total_count"),
    "ListProject": fields("projects[0].name", "projects[0].deploy_type", "projects[0].state", "total_count"),
    "ListProjectBindQueue": fields("queues[0].queue_name", "queues[0].cluster_id"),
    "ListProjectBindQueueResource": fields("queues[0].queue_name", "queues[0].max_vcore", "queues[0].used_vcore"),
    "ListTagResources": fields("data.tag_resources[0].tag_key", "data.tag_resources[0].resource_id"),
    "MVFolder": _folders_moved,
    "ModifyInstanceState": _paused,
    "ModifyMasterSpec": lambda w, r, c: _cluster_state(c, w.cluster, "UPGRADING"),
    "OfflineJob": _offline,
    "ShrinkCluster": lambda w, r, c: _shrunk(w),
    "StartJob": _started,
    "TagResources": _tagged,
    "UnbindQueue": _unbound,
    "UntagResources": _untagged,
    "UpdateAutoScaleConfig": lambda w, r, c: _autoscale_config(w),
    "UpdateJob": _updated_job,
    "UpdatePackage": _updated_package,
    "UpdateProject": _project_config,
    "UpdateProjectConfig": fields("data"),
    "UpdateQueue": lambda w, r, c: _queue(w, "root.default", 1200, 49152),
    "ValidateJob": fields("job_in_out.inputs[0].name", "job_in_out.outputs[0].name"),
}


async def _cluster_named(c: FoasClient, cluster_id: str, name: str) -> None:
    assert (await c.get_cluster_details(cluster_id)).details.display_name == name


async def _folder_id(c: FoasClient, path: str, folder_id: int | None) -> None:
    try:
        found = (await c.get_folder(P, path)).folder
    except errors.NotFoundError:
        found = None
    assert (found.folder_id if found else None) == folder_id


async def _no_queue(w: World, name: str) -> None:
    assert name not in w.store.clusters[w.cluster].queues


async def _latest_plan(w: World, r: Any, c: FoasClient) -> None:
    # A job without AutoScale history has no plan: then the field is empty, never malformed.
    assert r.plan_json.error is None
    assert (r.plan_json.value is not None) == bool(w.job(w.running).autoscale.get("isOnOff"))


async def _cluster_state(c: FoasClient, cluster_id: str, state: str) -> None:
    assert (await c.get_cluster_details(cluster_id)).details.state == state


def _plan_list(w: World) -> list[str]:
    from foas_tui.emulator import runtime

    inst = w.job(w.running).current
    assert inst is not None
    return runtime.autoscale_plan_list(w.store.view(inst, inst.phase(w.now_ms()), w.now_ms()))


async def _shrunk(w: World) -> None:
    assert len(w.store.clusters[w.cluster].slave_ids) == w.store.clusters[w.cluster].slave_count


async def _autoscale_config(w: World) -> None:
    inst = w.job(w.running).current
    assert inst is not None and inst.autoscale_config == {"autoscale.enable": "true"}


def test_every_operation_has_a_ui_check() -> None:
    assert set(UI) == set(SPECS) == set(CASES)


@pytest.mark.parametrize("op", sorted(SPECS))
async def test_round_trip_through_the_client(op: str) -> None:
    world = make_world()
    params = CASES[op](world)
    recorder = Recorder(httpx.ASGITransport(app=world.emulator))
    client = FoasClient(Credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET), endpoint=DEMO_ENDPOINT,
                        transport=recorder, retries=0)
    py_names = {p.name: p.py_name for p in OPERATIONS[op].params}
    try:
        async with client:
            response = await client.call(op, **{py_names[k]: v for k, v in params.items()})
            check_shape(op, recorder.last)
            assert response.request_id == recorder.last["RequestId"]
            await UI[op](world, response, client)
    finally:
        await world.api.aclose()
