"""Cluster operations: orders, lifecycle, scaling, details, resources and metrics."""

from __future__ import annotations

import json
import random
import re
from typing import Any

from foas_tui.emulator.handlers.core import _MODEL_RE, Call, _cap, handler, missing, paged
from foas_tui.emulator.handlers.instances import _clamp_window
from foas_tui.emulator.handlers.render import _upper, render_cluster
from foas_tui.emulator.store import (
    Cluster,
    Store,
    bad_request,
    conflict,
    instance_mem_mb,
    instance_vcore,
)

# --- clusters -------------------------------------------------------------------------------------


def _model(call: Call, name: str, required: bool = True) -> str | None:
    value = call.req(name) if required else call.text(name)
    if value is not None and not _MODEL_RE.match(value):
        raise bad_request(f"{name} must be a machine model such as Ecs_8c32g, not {value!r}.",
                          f"InvalidParameter.{_cap(name)}")
    return value


def _post_paid(cluster: Cluster, what: str) -> None:
    if cluster.pay_model != "post":
        raise conflict("UnsupportedOperation.PrePaid", f"{what} is only supported for pay-as-you-go clusters; "
                       f"{cluster.cluster_id} is subscription (pre-paid).")
    if cluster.state != "RUNNING":
        raise conflict("IncorrectClusterStatus", f"The cluster {cluster.cluster_id} is {cluster.state}; wait until "
                       "it is RUNNING.")


@handler("CreateCellClusterOrder")
def create_cell_cluster_order(call: Call) -> dict[str, Any]:
    store = call.store
    master, slave = _model(call, "masterSpec"), _model(call, "slaveSpec")
    masters, slaves = call.integer("masterNum", minimum=1), call.integer("slaveNum", minimum=1)
    pay = call.req("payModel").lower()
    if pay not in ("pre", "post"):
        raise bad_request(f"payModel must be 'pre' or 'post', not {pay!r}.", "InvalidParameter.PayModel")
    period = call.integer("period", minimum=1)
    if pay == "pre" and period is None:
        raise missing("period")
    order_id = f"blinkonecs_{pay}-cn-{store.random_id(11)}"
    store.orders[order_id] = {"master_model": master, "master_count": masters, "slave_model": slave,
                              "slave_count": slaves, "pay_model": pay, "region": call.req("region")}
    return {"OrderId": order_id}


@handler("CreateCluster")
def create_cluster(call: Call) -> dict[str, Any]:
    store = call.store
    order = store.orders.get(call.req("orderId"), {})
    cid = store.random_id()
    cluster = Cluster(
        cluster_id=cid, display_name=call.req("displayName"), description=call.req("description"),
        region_id=order.get("region") or store.region_id, zone_id=call.req("zoneId"), create_ms=call.now,
        modify_ms=call.now, user_vpc_id=call.req("userVpcId"), user_vswitch=call.req("userVSwitch"),
        user_oss_bucket=call.req("userOssBucket"), pay_model=order.get("pay_model", "post"),
        master_model=order.get("master_model", "Ecs_4c16g"), master_count=order.get("master_count", 3),
        slave_model=order.get("slave_model", "Ecs_8c32g"), slave_count=order.get("slave_count", 3),
    )
    store._assign_machine_ids(cluster)
    cluster.start_change("STARTING", call.now, 5 * store.step_ms)
    store.clusters[cid] = cluster
    return {"ClusterId": cid}


@handler("DestroyCluster")
def destroy_cluster(call: Call) -> dict[str, Any]:
    store = call.store
    cluster = store.cluster(call.req("clusterId"))
    _post_paid(cluster, "DestroyCluster")
    users = [p.name for p in store.projects.values()
             if p.cluster_id == cluster.cluster_id or any(c == cluster.cluster_id for c, _ in p.bindings)]
    if users:
        raise conflict("ClusterInUse", f"The cluster {cluster.cluster_id} still hosts {len(users)} project(s) "
                       f"(e.g. {users[0]!r}); delete them first.")
    cluster.start_change("DESTROYING", call.now, 2 * store.step_ms, state="DESTROYED")
    return {}


@handler("ExpandCluster")
def expand_cluster(call: Call) -> dict[str, Any]:
    store = call.store
    cluster = store.cluster(call.req("clusterId"))
    _post_paid(cluster, "ExpandCluster")
    model = _model(call, "model", required=False)
    if model and model != cluster.slave_model:
        raise bad_request(f"Mixed deployment is not supported: the cluster's slaves are {cluster.slave_model}.",
                          "InvalidParameter.Model")
    count = call.integer("count", minimum=1)
    if count is None:
        raise missing("count")
    if count <= cluster.slave_count:
        raise bad_request(f"count is the target number of machines and must exceed the current "
                          f"{cluster.slave_count}.", "InvalidParameter.Count")
    cluster.start_change("EXPANDING", call.now, 3 * store.step_ms, slave_count=count)
    cluster.busy_after["slave_ids"] = list(cluster.slave_ids)
    rng = random.Random(f"expand:{cluster.cluster_id}:{count}")
    while len(cluster.busy_after["slave_ids"]) < count:
        cluster.busy_after["slave_ids"].append("i-" + "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                                                            for _ in range(20)))
    return {}


@handler("ShrinkCluster")
def shrink_cluster(call: Call) -> dict[str, Any]:
    store = call.store
    cluster = store.cluster(call.req("clusterId"))
    _post_paid(cluster, "ShrinkCluster")
    ids = [i.strip() for i in (call.text("instanceIds") or "").split(",") if i.strip()]
    if not ids:
        if call.has("modelTargetCount"):
            raise bad_request("Scaling in by modelTargetCount is not supported yet; pass instanceIds.",
                              "UnsupportedOperation.ModelTargetCount")
        raise missing("instanceIds")
    unknown = [i for i in ids if i not in cluster.slave_ids]
    if unknown:
        raise bad_request(f"{unknown[0]!r} is not a slave instance of cluster {cluster.cluster_id} "
                          "(see GetClusterDetails InstanceInfos).", "InvalidParameter.InstanceIds")
    remaining = [i for i in cluster.slave_ids if i not in ids]
    if not remaining:
        raise bad_request("A cluster needs at least one slave machine.", "InvalidParameter.InstanceIds")
    cluster.start_change("REDUCING", call.now, 3 * store.step_ms, slave_count=len(remaining), slave_ids=remaining)
    return {}


@handler("ModifyMasterSpec")
def modify_master_spec(call: Call) -> dict[str, Any]:
    store = call.store
    cluster = store.cluster(call.req("clusterId"))
    _post_paid(cluster, "ModifyMasterSpec")
    model = _model(call, "masterTargetModel")
    cluster.start_change("UPGRADING", call.now, 3 * store.step_ms, master_model=model)
    return {}


@handler("ListCluster")
def list_cluster(call: Call) -> dict[str, Any]:
    store = call.store
    cid, state = call.text("clusterId") or None, _upper(call.text("state"))
    display, region = (call.text("displayName") or "").lower(), call.text("region") or None
    for cluster in store.clusters.values():
        cluster.refresh(call.now)
    clusters = [c for c in store.clusters.values()
                if (not cid or c.cluster_id == cid) and (not state or c.state == state)
                and display in c.display_name.lower() and (not region or c.region_id == region)]
    return paged(call, clusters, render_cluster, "Clusters", "Cluster")


@handler("GetClusterDetails")
def get_cluster_details(call: Call) -> dict[str, Any]:
    cluster = call.store.cluster(call.req("clusterId"))
    machines = [{"instanceId": i, "role": "master", "model": cluster.master_model, "status": "Running"}
                for i in cluster.master_ids]
    machines += [{"instanceId": i, "role": "slave", "model": cluster.slave_model, "status": "Running"}
                 for i in cluster.slave_ids]
    details = render_cluster(cluster)
    oss = cluster.user_oss_info or {
        "endpoint": f"oss-{cluster.region_id}.aliyuncs.com",
        "vpcEndpoint": f"oss-{cluster.region_id}-internal.aliyuncs.com",
        "oxsEndpoint": f"oss-{cluster.region_id}-internal.aliyuncs.com",
        "accessId": None, "accessKey": None, "bucket": cluster.user_oss_bucket}
    details.update({
        "StorageType": cluster.storage_type,
        "IsMixDeploy": cluster.is_mix_deploy,
        "UserVpcId": cluster.user_vpc_id,
        "UserVSwitchList": json.dumps([cluster.user_vswitch]),
        "UserSGId": cluster.user_sg_id or f"sg-{cluster.cluster_id[:20]}",
        "UserOssInfo": json.dumps(oss, separators=(",", ":")),
        "InstanceInfos": json.dumps(machines, separators=(",", ":")),
    })
    return {"Details": details}


@handler("GetClusterEngineVersions")
def get_cluster_engine_versions(call: Call) -> dict[str, Any]:
    cluster = call.store.cluster(call.req("clusterId"))
    return {"EngineVersions": {"EngineVersion": list(cluster.engine_versions)}}


@handler("GetClusterResource")
def get_cluster_resource(call: Call) -> dict[str, Any]:
    store = call.store
    cluster = store.cluster(call.req("clusterId"))
    used = [store.queue_usage(q) for q in cluster.queues.values()]
    vcore = min(sum(u[0] for u in used), cluster.total_vcore)
    mem = min(sum(u[1] for u in used), cluster.total_mem_mb)
    return {"Resource": {"TotalVirtualCores": cluster.total_vcore, "TotalMB": cluster.total_mem_mb,
                         "AllocatedVirtualCores": vcore, "AllocatedMB": mem,
                         "AvailableVirtualCores": cluster.total_vcore - vcore,
                         "AvailableMB": cluster.total_mem_mb - mem}}


@handler("GetClusterMetrics")
def get_cluster_metrics(call: Call) -> dict[str, Any]:
    cluster = call.store.cluster(call.req("clusterId"))
    metric_json = call.json_value("metricJson")
    queries = metric_json.get("queries")
    if not isinstance(queries, list) or not queries:
        raise bad_request("metricJson needs a non-empty 'queries' list.", "InvalidParameter.MetricJson")
    window = _clamp_window(metric_json, call.now)
    out = []
    for query in queries:
        name = str(query.get("metric") or "") if isinstance(query, dict) else ""
        if not name:
            raise bad_request("Every metricJson query needs a 'metric'.", "InvalidParameter.MetricJson")
        out.append(_cluster_series(call.store, cluster, name, window["start"], window["end"], query))
    return {"Metrics": out}


def _cluster_series(store: Store, cluster: Cluster, name: str, start: int, end: int,
                    query: dict[str, Any]) -> dict[str, Any]:
    """A cluster metric that follows the instances running on the cluster: CPU % and memory/YARN allocation
    rise when a job starts and fall when it stops (the emulator clock decides which instances run at a point)."""
    m = re.match(r"(\d+)s", str(query.get("granularity") or "20s"))
    step = max(10, int(m.group(1)) if m else 20)
    rng = random.Random(f"cm:{cluster.cluster_id}:{name}")
    instances = [i for i in store.instances.values() if i.version.get("cluster_id") == cluster.cluster_id]
    total_vcore, total_mb = max(1, cluster.total_vcore), max(1, cluster.total_mem_mb)
    lower = name.lower()
    first = (start // 1000 // step + 1) * step
    dps: dict[str, float] = {}
    for ts in range(first, end // 1000 + 1, step):
        t_ms = ts * 1000
        running = [i for i in instances if i.start_ms <= t_ms and i.phase(t_ms).running]
        vcore = sum(instance_vcore(i.parallelism) for i in running)
        mb = sum(instance_mem_mb(i.parallelism) for i in running)
        noise = 1 + rng.uniform(-0.02, 0.02)
        if "memtotal" in lower:
            value = float(total_mb)
        elif "cpu" in lower or "iowait" in lower:
            # system overhead plus the share of the cluster's cores the running instances hold
            value = (2.0 if "iowait" in lower else 4.0) + (10 if "iowait" in lower else 90) * vcore / total_vcore
        elif "vcore" in lower or "core" in lower:
            value = vcore / 100
        elif "mem" in lower or "heap" in lower:
            value = 0.08 * total_mb + mb
        else:  # any other series: a level scaled by the cluster's load
            value = rng.uniform(1000, 5000) * (0.3 + vcore / total_vcore)
        dps[str(ts)] = round(value * noise, 3)
    values = list(dps.values())
    return {"metricName": name, "dps": dps, "summary": round(sum(values) / len(values), 3) if values else 0.0,
            "tags": {}}


