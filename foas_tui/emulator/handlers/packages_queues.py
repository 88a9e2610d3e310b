"""Package and queue operations."""

from __future__ import annotations

import re
from typing import Any

from foas_tui.emulator.handlers.core import Call, handler, paged
from foas_tui.emulator.handlers.render import _upper, render_job, render_package, render_queue
from foas_tui.emulator.store import (
    PACKAGE_TYPES,
    Package,
    Queue,
    bad_request,
    conflict,
)

# --- packages -------------------------------------------------------------------------------------


@handler("CreatePackage")
def create_package(call: Call) -> dict[str, Any]:
    store = call.store
    project = store.project(call.req("projectName"))
    name = call.req("packageName")
    if name in project.packages:
        raise conflict("PackageAlreadyExists", f"The package {name!r} already exists in project {project.name!r}.")
    if any(c in name for c in "/?#"):
        raise bad_request(f"The package name {name!r} is not valid.", "InvalidParameter.PackageName")
    kind = call.req("type").upper()
    if kind not in PACKAGE_TYPES:
        raise bad_request(f"type must be one of {', '.join(PACKAGE_TYPES)}, not {call.text('type')!r}.",
                          "InvalidParameter.Type")
    project.packages[name] = Package(
        project=project.name, name=name, type=kind, oss_path=call.req("ossPath"),
        oss_bucket=call.text("ossBucket", ""), oss_endpoint=call.text("ossEndpoint", ""),  # type: ignore[arg-type]
        oss_owner=call.text("ossOwner", ""), origin_name=call.text("originName") or name,  # type: ignore[arg-type]
        description=call.text("description", ""), md5=call.text("md5", ""),  # type: ignore[arg-type]
        tag=call.text("tag", ""), create_ms=call.now, modify_ms=call.now,  # type: ignore[arg-type]
    )
    return {}


@handler("DeletePackage")
def delete_package(call: Call) -> dict[str, Any]:
    call.store.delete_package(call.req("projectName"), call.req("packageName"))
    return {}


@handler("GetPackage")
def get_package(call: Call) -> dict[str, Any]:
    pkg = call.store.package(call.req("projectName"), call.req("packageName"))
    return {"Package": render_package(pkg, scan=True)}


@handler("UpdatePackage")
def update_package(call: Call) -> dict[str, Any]:
    pkg = call.store.package(call.req("projectName"), call.req("packageName"))
    for param, attr in (("originName", "origin_name"), ("description", "description"), ("md5", "md5"),
                        ("ossEndpoint", "oss_endpoint"), ("ossBucket", "oss_bucket"), ("ossOwner", "oss_owner"),
                        ("ossPath", "oss_path"), ("tag", "tag")):
        if call.params.get(param) is not None:
            setattr(pkg, attr, call.text(param))
    pkg.modify_ms = call.now
    return {}


@handler("ListPackage")
def list_package(call: Call) -> dict[str, Any]:
    project = call.store.project(call.req("projectName"))
    needle = (call.text("packageName") or "").lower()
    kind = _upper(call.text("type"))
    tag = call.text("tag") or None
    pkgs = [p for p in project.packages.values()
            if needle in p.name.lower() and (not kind or p.type == kind) and (tag is None or p.tag == tag)]
    return paged(call, pkgs, render_package, "Packages", "Package")


@handler("GetRefPackageJob")
def get_ref_package_job(call: Call) -> dict[str, Any]:
    store = call.store
    project = store.project(call.req("projectName"))
    name = call.req("packageName")
    store.package(project.name, name)
    jobs = store.jobs_referencing(project, name, committed_only=True)
    return paged(call, jobs, lambda j: render_job(j, store), "Jobs", "Job")


# --- queues ---------------------------------------------------------------------------------------


def _queue_limits(call: Call) -> tuple[int, int, int]:
    vcore = call.integer("maxVcore", minimum=1)
    mem = call.integer("maxMemMB", minimum=1)
    gpu = call.integer("gpu", 0, minimum=0)
    return vcore, mem, gpu  # type: ignore[return-value]


@handler("CreateQueue")
def create_queue(call: Call) -> dict[str, Any]:
    cluster = call.store.cluster(call.req("clusterId"))
    name = call.req("queueName")
    if not re.fullmatch(r"(root\.)?[A-Za-z0-9_\-]+", name):
        raise bad_request(f"The queue name {name!r} is not valid; only first-level queues such as "
                          "'root.<name>' can be created.", "InvalidParameter.QueueName")
    if name in cluster.queues:
        raise conflict("QueueAlreadyExists", f"The queue {name!r} already exists on cluster {cluster.cluster_id}.")
    vcore, mem, gpu = _queue_limits(call)
    call.store.check_capacity(cluster, name, vcore, mem)
    cluster.queues[name] = Queue(cluster.cluster_id, name, vcore, mem, gpu)
    return {}


@handler("UpdateQueue")
def update_queue(call: Call) -> dict[str, Any]:
    store = call.store
    queue = store.queue(call.req("clusterId"), call.req("queueName"))
    vcore, mem, gpu = _queue_limits(call)
    store.check_capacity(store.cluster(queue.cluster_id), queue.name, vcore, mem)
    queue.max_vcore, queue.max_mem_mb = vcore, mem
    if call.has("gpu"):
        queue.gpu = gpu
    return {}


@handler("DeleteQueue")
def delete_queue(call: Call) -> dict[str, Any]:
    queue = call.store.queue(call.req("clusterId"), call.req("queueName"))
    if queue.projects:
        raise conflict("QueueInUse", f"The queue {queue.name!r} is bound to project {queue.projects[0]!r}; "
                       "unbind it (UnbindQueue) before deleting it.")
    del call.store.clusters[queue.cluster_id].queues[queue.name]
    return {}


@handler("BindQueue")
def bind_queue(call: Call) -> dict[str, Any]:
    call.store.bind_queue(call.req("projectName"), call.req("clusterId"), call.req("queueName"))
    return {}


@handler("UnbindQueue")
def unbind_queue(call: Call) -> dict[str, Any]:
    call.store.unbind_queue(call.req("projectName"), call.req("clusterId"), call.req("queueName"))
    return {}


@handler("GetClusterQueueInfo")
def get_cluster_queue_info(call: Call) -> dict[str, Any]:
    cluster = call.store.cluster(call.req("clusterId"))
    return {"Queues": {"Queue": [render_queue(call.store, q, external=True) for q in cluster.queues.values()]}}


def _project_queues(call: Call) -> list[Queue]:
    store = call.store
    project = store.project(call.req("projectName"))
    cluster_id, queue_name = call.text("clusterId") or None, call.text("queueName") or None
    out = []
    for cid, qname in project.bindings:
        if (cluster_id and cid != cluster_id) or (queue_name and qname != queue_name):
            continue
        cluster = store.clusters.get(cid)
        if cluster is not None and qname in cluster.queues:
            out.append(cluster.queues[qname])
    return out


@handler("ListProjectBindQueue")
def list_project_bind_queue(call: Call) -> dict[str, Any]:
    return {"Queues": {"Queue": [{"ClusterId": q.cluster_id, "QueueName": q.name} for q in _project_queues(call)]}}


@handler("ListProjectBindQueueResource")
def list_project_bind_queue_resource(call: Call) -> dict[str, Any]:
    return {"Queues": {"Queue": [render_queue(call.store, q) for q in _project_queues(call)]}}


