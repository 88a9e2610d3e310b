"""Job detail (DAG with vertex metrics), configuration, resources and final state of an instance."""

from __future__ import annotations

from typing import Any

from foas_tui.emulator.runtime.backpressure import vertex_loads
from foas_tui.emulator.runtime.base import (
    RESTART_WINDOW_MS,
    InstanceView,
    _inst_key,
    _u,
    checkpoint_interval_ms,
    cst,
    jid,
    parse_properties,
)
from foas_tui.emulator.runtime.checkpoints import _external_base
from foas_tui.emulator.runtime.lifecycle import _ALIVE, _FailIndex, _failures, _horizon, _started
from foas_tui.emulator.runtime.metrics import _delay, _in_tps, _traits
from foas_tui.emulator.runtime.plan import _plan, _view_vertices, plan_resource, synth_code
from foas_tui.emulator.runtime.validation import _SECRET

# --------------------------------------------------------------------------------------------------------------
# Job detail (DAG with vertex metrics), configuration, resources, final state

_TASK_STATES = ("CANCELING", "RUNNING", "SCHEDULED", "RECONCILING", "DEPLOYING", "CREATED", "CANCELED", "FINISHED",
                "FAILED")
_JOB_TIMESTAMPS = ("CREATED", "RUNNING", "RECONCILING", "FAILING", "FINISHED", "CANCELLING", "RESTARTING",
                   "SUSPENDING", "SUSPENDED", "FAILED", "CANCELED")


def job_state(v: InstanceView) -> str:
    """The Flink job status of the instance (RUNNING, RESTARTING, CANCELED, SUSPENDED, FINISHED, FAILED, CREATED)."""
    if v.actual_state in _ALIVE:
        if not _started(v):
            return "CREATED"
        f = _failures(v)
        if f.count and v.now_ms - f.latest < RESTART_WINDOW_MS:
            return "RESTARTING"
        return "RUNNING"
    return {"PAUSED": "SUSPENDED", "TERMINATED": "CANCELED", "SUCCESS": "FINISHED", "FAILED": "FAILED"}.get(
        v.actual_state, "CREATED")


def detail(v: InstanceView) -> dict[str, Any]:
    """GetInstanceDetail's payload: Flink job details (vertices with task counts and metrics, plan)."""
    state = job_state(v)
    end = _horizon(v) if state in ("CANCELED", "SUSPENDED", "FINISHED", "FAILED") else -1
    now = v.now_ms
    start = v.start_ms
    f = _failures(v)
    ts = dict.fromkeys(_JOB_TIMESTAMPS, 0)
    ts["CREATED"] = start - 42
    if state != "CREATED":
        ts["RUNNING"] = (f.latest + 8000) if f.count and f.latest + 8000 <= (now if end < 0 else end) else start
    if f.count:
        ts["RESTARTING"] = f.latest
        ts["FAILING"] = f.latest - 5
    if state == "CANCELED":
        ts["CANCELLING"], ts["CANCELED"] = end - 1294, end
    elif state == "SUSPENDED":
        ts["SUSPENDING"], ts["SUSPENDED"] = end - 2100, end
    elif state in ("FINISHED", "FAILED"):
        ts[state] = end
    vstatus = {"RUNNING": "RUNNING", "RESTARTING": "DEPLOYING", "CREATED": "CREATED", "CANCELED": "CANCELED",
               "SUSPENDED": "CANCELED", "FINISHED": "FINISHED", "FAILED": "FAILED"}[state]
    tr = _traits(v)
    alive_to = now if end < 0 else end
    elapsed_s = max(0.0, (alive_to - ts["RUNNING"]) / 1000) if state != "CREATED" else 0.0
    fi = _FailIndex(v, f)
    tps_now = _in_tps(v, tr, fi, now) if state == "RUNNING" else 0.0
    delay_now = int(_delay(v, tr, fi, now)) if state == "RUNNING" else -1
    records = int(tr.tps * elapsed_s)
    vertices, counts = [], dict.fromkeys(_TASK_STATES, 0)
    verts = _view_vertices(v)
    # queue usage per vertex: a lagging job's bottleneck shows here (input full, output free)
    loads = vertex_loads(v, now) if state == "RUNNING" else None
    for i, vx in enumerate(verts):
        factor = 1.0 if vx.kind.startswith("source") else tr.ratio if i == len(verts) - 1 else (tr.ratio + 1) / 2
        read = 0 if vx.kind.startswith("source") else int(records * (factor if i else 1))
        write = 0 if "sink" in vx.kind else int(records * factor)
        status = vstatus
        if state == "FAILED" and i:
            status = "CANCELED"
        tasks = dict.fromkeys(_TASK_STATES, 0)
        tasks[status] = vx.parallelism
        counts[status] += 1
        in_pool = loads[i].in_pool if loads else round(0.1 * _u(tr.key, 80, i), 3)
        out_pool = loads[i].out_pool if loads else round(0.1 * _u(tr.key, 81, i), 3)
        vertices.append({
            "id": vx.id, "topology-id": i, "name": vx.name, "parallelism": vx.parallelism, "status": status,
            "start-time": start + 600 + 40 * i if state != "CREATED" else -1, "end-time": end,
            "duration": (alive_to - start) if state != "CREATED" else -1, "tasks": tasks,
            "metrics": {
                "read-bytes": int(read * tr.record_bytes), "read-bytes-complete": True,
                "write-bytes": int(write * tr.record_bytes), "write-bytes-complete": True,
                "read-records": read, "read-records-complete": True, "write-records": write,
                "write-records-complete": True,
                "buffers-in-pool-usage-max": in_pool, "buffers-in-pool-usage-max-complete": True,
                "buffers-out-pool-usage-max": out_pool,
                "buffers-out-pool-usage-max-complete": True,
                "tps": round(tps_now, 3) if vx.kind.startswith("source") and state == "RUNNING" else -1.0,
                "tps-complete": True, "delay": delay_now if vx.kind.startswith("source") else -1,
                "delay-complete": True},
        })
    plan_nodes = []
    for vx in verts:
        node: dict[str, Any] = {"id": vx.id, "parallelism": vx.parallelism, "operator": "", "operator_strategy": "",
                                "description": vx.name.replace("->", "-&gt;"), "optimizer_properties": {}}
        if vx.inputs:
            node["inputs"] = [{"num": n, "id": src, "ship_strategy": ship, "exchange": "pipelined_bounded"}
                              for n, (src, ship) in enumerate(vx.inputs)]
        plan_nodes.append(node)
    return {"jid": jid(v), "name": v.job_name, "isStoppable": False, "state": state, "start-time": start,
            "end-time": end, "duration": (alive_to - start), "now": now, "timestamps": ts, "vertices": vertices,
            "status-counts": counts, "plan": {"jid": jid(v), "name": v.job_name, "nodes": plan_nodes}}


def config(v: InstanceView) -> dict[str, Any]:
    """GetInstanceConfig's payload: {jid, name, execution-config{..., user-config{flat string map}}}.

    user-config carries the job's properties plus Blink's runtime defaults (no credentials)."""
    props = parse_properties(v.properties)
    queue = v.queue_name or f"root.{v.project}"
    cluster = v.cluster_id or "et2cloudprod"
    ckpt_dir = _external_base(v) + "/"
    user = {
        "env.java.opts": "-verbose:gc -XX:NewRatio=3 -XX:+PrintGCDetails -XX:+PrintGCDateStamps "
                         "-XX:ParallelGCThreads=4",
        "env.java.opts.jobmanager": "-Xloggc:<LOG_DIR>/jobmanager-gc.log -XX:+UseGCLogFileRotation "
                                    "-XX:NumberOfGCLogFiles=2 -XX:GCLogFileSize=512M",
        "env.java.opts.taskmanager": "-Xloggc:<LOG_DIR>/taskmanager-gc.log -XX:+UseGCLogFileRotation "
                                     "-XX:NumberOfGCLogFiles=2 -XX:GCLogFileSize=512M",
        "metrics.reporters": "kmonitor,jmx",
        "metrics.reporter.kmonitor.class": "com.alibaba.blink.monitor.RichKmonitorReporter",
        "metrics.reporter.kmonitor.interval": "10 SECONDS",
        "metrics.reporter.jmx.class": "org.apache.flink.metrics.jmx.JMXReporter",
        "metrics.reporter.jmx.port": "1025-10000", "sharedslot-enabled.default": "false", "job.app-master-core": "0.25",
        "jobmanager.heap.mb": "1024", "yarn.vcore-ratio": "100", "yarn.application-attempts": "100",
        "high-availability": "zookeeper", "high-availability.storageDir": f"hdfs://{cluster}/tmp/blink3.0/ha",
        "restart-strategy": "fixed-delay", "restart-strategy.fixed-delay.attempts": "2147483647",
        "restart-strategy.fixed-delay.delay": "10 s", "akka.ask.timeout": "120 s", "web.timeout": "120000",
        "blink.checkpoint.interval.ms": str(checkpoint_interval_ms(v)),
        "blink.checkpoint.mode": props.get("blink.checkpoint.mode", "EXACTLY_ONCE"),
        "blink.checkpoint.external.cleanup": "RETAIN_ON_CANCELLATION", "blink.checkpoint.path": ckpt_dir,
        "blink.checkpoint.external.path": ckpt_dir + "external_cp", "blink.job.checkpoint.dir": ckpt_dir,
        "blink.job.timeZone": props.get("blink.job.timeZone", "Asia/Shanghai"),
        "blink.job.source.startTime": cst(v.start_ms), "blink.job.source.startTime.mills": str(v.start_ms),
        "state.backend.local-recovery": "true", "state.checkpoints.create-subdirs": "false",
        "__inner__projectName__": v.project, "__inner__jobName__": v.job_name, "__inner__queueName__": queue,
        "__inner__clusterName__": cluster,
    }
    user.update({k: val for k, val in props.items() if not _SECRET.search(k)})
    return {"jid": jid(v), "name": v.job_name,
            "execution-config": {"execution-mode": "BATCH" if v.job_type == "FLINK_BATCH" else "PIPELINED",
                                 "restart-strategy": "Cluster level default restart strategy", "job-parallelism": -1,
                                 "object-reuse-mode": True, "user-config": user}}


def resource(v: InstanceView) -> dict[str, int]:
    """GetInstanceResource's Resource: allocated (plan) and used vCores (100 = 1 core) and MB; zeros if not running."""
    if v.actual_state not in _ALIVE or not _started(v):
        return {"AllocatedMB": 0, "AllocatedVirtualCores": 0, "TotalMB": 0, "TotalVirtualCores": 0}
    res = plan_resource(_plan(v.job_name, v.code or synth_code(v.job_name, v.seed, v.job_type != "FLINK_BATCH"),
                              v.parallelism, v.seed))
    vcores, mb = int(round(res["Cores"] * 100)), int(round(res["MemoryGB"] * 1024))
    u = _u(_inst_key(v), 82, v.now_ms // 60_000)
    busy = 0.9 + 0.09 * u if v.scenario == "lagging" else 0.3 + 0.4 * u
    return {"AllocatedMB": mb, "AllocatedVirtualCores": vcores, "TotalMB": int(mb * (0.55 + 0.3 * u)),
            "TotalVirtualCores": int(vcores * busy)}


def final_state(v: InstanceView) -> str | None:
    """GetInstanceFinalState: the YARN application state (ACCEPTED, RUNNING, FINISHED, FAILED, KILLED); None if
    the instance never reached YARN."""
    if v.actual_state in ("", "UNKNOWN") or v.start_ms <= 0:
        return None
    return {"WAITING": "ACCEPTED", "RUNNING": "RUNNING", "SUCCESS": "FINISHED", "FAILED": "FAILED",
            "TERMINATED": "KILLED", "PAUSED": "KILLED"}.get(v.actual_state)


