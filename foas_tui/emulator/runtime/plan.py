"""Execution plan (Blink PlanJson) and the runtime DAG (vertices) derived from it."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from foas_tui.emulator import sql_templates as tpl
from foas_tui.emulator.runtime.base import InstanceView, _hex, _key, parse_properties
from foas_tui.emulator.runtime.validation import _analyze, _io

# --------------------------------------------------------------------------------------------------------------
# Execution plan (Blink PlanJson) and the runtime DAG derived from it

_SUBJECT_HINTS = (("order", "orders"), ("gmv", "orders"), ("pay", "payment"), ("refund", "refund"),
                  ("cart", "cart"), ("invent", "inventory"), ("login", "login"), ("txn", "txn"),
                  ("device", "device"), ("click", "clicks"), ("imp", "impressions"), ("conv", "conversions"),
                  ("alarm", "alarms"), ("iot", "telemetry"), ("risk", "txn"), ("ads", "clicks"))
_SOURCE_NAMES = {"datahub": "DatahubTableSource", "kafka011": "Kafka011TableSource", "kafka010": "Kafka010TableSource",
                 "kafka": "KafkaTableSource", "sls": "GSlsTableSource", "odps": "OdpsTableSource",
                 "random": "RandomSource", "mq": "MetaQTableSource"}
_SINK_CLASSES = {"rds": "rds.sink.RdsOutputFormat", "hologres": "hologres.sink.HologresOutputFormat",
                 "elasticsearch": "elasticsearch.sink.ElasticSearchOutputFormat",
                 "kafka011": "kafka.sink.Kafka011OutputFormat", "datahub": "datahub.sink.DatahubOutputFormat",
                 "sls": "sls.sink.SlsOutputFormat", "ots": "ots.sink.OtsOutputFormat"}


@lru_cache(maxsize=1024)
def synth_code(job_name: str, seed: int, streaming: bool = True) -> str:
    """SQL for a job whose code is unknown: a template picked from the job name (stable for a name and seed)."""
    h = _key(seed, "synth", job_name)
    subject = next((s for hint, s in _SUBJECT_HINTS if hint in job_name.lower()), "orders")
    if not streaming:
        template = "batch_agg"
    elif "join" in job_name or "attribution" in job_name:
        template = "stream_join" if subject in tpl.PAIRS else "dim_join"
    elif re.search(r"\d+(min|h)\b", job_name):
        template = "tumble"
    elif "ingest" in job_name or "etl" in job_name:
        template = "etl"
    else:
        template = ("tumble", "hop", "dim_join", "group_agg", "etl", "dim_tumble")[h % 6]
    window = next((w for w in ("10min", "5min", "1min", "1h") if w in job_name), "1min")
    return tpl.header("emulator", "2026-01-01 00:00:00", job_name) + tpl.render_body(
        template, subject, tpl.SOURCE_CONNECTORS[(h >> 8) % 3], ("rds", "hologres", "print")[(h >> 12) % 3],
        tpl.DIM_CONNECTORS[(h >> 16) % 4], window, "demo")


def _ms(n: str, unit: str) -> int:
    return int(n) * {"SECOND": 1000, "MINUTE": 60_000, "HOUR": 3_600_000, "DAY": 86_400_000}[unit.upper()]


def _node(nid: int, pact: str, name: str, parallelism: int, head: bool, vcore: float = 0.25, heap: int = 256,
          direct: int = 0, native: int = 4) -> dict[str, Any]:
    return {"id": nid, "uid": str(nid), "pact": pact, "name": name, "slotSharingGroup": "default",
            "chainingStrategy": "HEAD" if head else "ALWAYS", "parallelism": parallelism, "maxParallelism": 32768,
            "vcore": vcore, "heap_memory": heap, "direct_memory": direct, "native_memory": native}


def _link(src: int, dst: int, ship: str = "FORWARD") -> dict[str, Any]:
    return {"source": src, "target": dst, "ship_strategy": ship, "side": "second"}


@lru_cache(maxsize=1024)
def _plan(job_name: str, code: str, parallelism: int, seed: int) -> dict[str, Any]:
    p = max(1, int(parallelism))
    h = _key(seed, "plan", job_name)
    a = _analyze(code)
    if a.error:
        code = synth_code(job_name, seed)
        a = _analyze(code)
    glob = [{"jobManagerMinCpuCores": 0.1, "jobManagerMinMemoryCores": 1024, "jobManagerCpuCores": 0.25,
             "jobManagerMemoryInMB": 1024}]
    if a.datastream:
        main = parse_properties(code).get("blink.main.class", "com.example.Main").rsplit(".", 1)[-1]
        nodes = [_node(1, "Source", "Source: Custom Source", p, True),
                 _node(2, "Operator", "Timestamps/Watermarks", p, False),
                 _node(3, "Operator", f"KeyedProcess({main}$Processor)", p, True, 0.5, 512, 0, 256),
                 _node(4, "Sink", "Sink: Unnamed", p, False, 0.25, 256, 32)]
        links = [_link(1, 2), _link(2, 3, "HASH"), _link(3, 4)]
        return {"global": glob, "nodes": nodes, "links": links, "statefulNodes": [3]}
    inputs, outputs, dims = _io(a)
    masked = a.masked
    batch = any(t.props.get("type", "").lower() == "odps" for t in inputs)
    # Window sizes are string literals, which the masked text blanks out: search the code itself.
    win = re.search(r"\b(TUMBLE|HOP)\s*\(\s*(\w+)\s*,\s*INTERVAL\s*'(\d+)'\s*(\w+)"
                    r"(?:\s*,\s*INTERVAL\s*'(\d+)'\s*(\w+))?", code, re.I)
    grouped = re.search(r"\bGROUP\s+BY\b", masked, re.I)
    group_cols = ""
    if grouped:
        tail = re.split(r";|\bHAVING\b", masked[grouped.end():], flags=re.I)[0]
        tail = re.sub(r"\w+\s*\([^()]*\)", "", tail)
        cols = [c.strip().strip("`").rsplit(".", 1)[-1] for c in tail.split(",")]
        group_cols = ", ".join(c for c in cols if c)[:60]
    # Candidate nodes in pipeline order; optional ones are dropped when the plan would exceed 8 nodes.
    cand: list[tuple[str, str, bool, str, bool, bool]] = []  # (pact, name, head, ship_in, optional, stateful)
    srcs = inputs[:2] or [next(iter(a.tables.values()))]
    src_chains: list[list[int]] = []
    for t in srcs:
        typ = t.props.get("type", "").lower()
        base = f"{_SOURCE_NAMES.get(typ, typ.capitalize() + 'TableSource')}-{t.name}-{'Batch' if batch else 'Stream'}"
        chain = [len(cand)]
        cand.append(("Source", base, True, "", False, False))
        chain.append(len(cand))
        fields = ", ".join(t.columns[:8])
        cand.append(("Operator", f"SourceConversion(table:[builtin, default, {t.name}, source: [{base}]], "
                                 f"fields:({fields}))", False, "FORWARD", True, False))
        if t.watermark:
            chain.append(len(cand))
            cand.append(("Operator", f"WatermarkAssigner(rowtime: {t.watermark}, offset: 5000)", False, "FORWARD",
                         True, False))
        src_chains.append(chain)
    where = re.search(r"\bWHERE\b", masked, re.I)
    if len(srcs) == 2:
        cand.append(("Operator", f"IntervalJoin(joinType: InnerJoin, where: (=({srcs[0].name}, {srcs[1].name})), "
                                 "windowBounds: (isRowTime=true, leftLowerBound=-600000, leftUpperBound=600000))",
                     True, "HASH", False, True))
    else:
        cand.append(("Operator", "Calc(select: (*)" + (", where: (filter)" if where else "") + ")", False,
                     "FORWARD", False, False))
    join_type = "LeftOuterJoin" if re.search(r"\bLEFT\s+JOIN\b", masked, re.I) else "InnerJoin"
    for d in dims[:1]:
        cand.append(("Operator", f"JoinTable(table: ({d.name}), joinType: {join_type}, "
                                 f"join: ({d.columns[0] if d.columns else 'id'}))", False, "FORWARD", False, False))
    if win:
        size = _ms(win.group(3), win.group(4))
        if win.group(1).upper() == "HOP" and win.group(5):
            w = f"SlidingGroupWindow('w$, {win.group(2)}, {_ms(win.group(5), win.group(6))}.millis, {size}.millis)"
        else:
            w = f"TumblingGroupWindow('w$, {win.group(2)}, {size}.millis)"
        cand.append(("Operator", f"GroupWindowAggregate(groupBy: ({group_cols}), window: ({w}), "
                                 "properties: (w$start, w$end, w$rowtime), select: (COUNT(*), SUM(...)))",
                     True, "HASH", False, True))
        cand.append(("Operator", "Calc(select: (w$start AS window_start, ...))", False, "FORWARD", True, False))
    elif grouped and batch:
        cand.append(("Operator", f"LocalHashAggregate(groupBy: ({group_cols}))", False, "FORWARD", True, False))
        cand.append(("Operator", f"HashAggregate(isMerge: true, groupBy: ({group_cols}))", True, "HASH", False, True))
    elif grouped:
        cand.append(("Operator", f"GroupAggregate(groupBy: ({group_cols}), select: ({group_cols}, COUNT(*), ...))",
                     True, "HASH", False, True))
    cand.append(("Operator", "SinkConversion to Tuple2", False, "FORWARD", True, False))
    sinks = outputs[:2]
    for t in sinks:
        typ = t.props.get("type", "").lower()
        if typ == "print":
            name = "Print to System.out"
        else:
            cls = _SINK_CLASSES.get(typ, f"{typ}.sink.{typ.capitalize()}OutputFormat")
            name = f"OutputFormatAdapterSink:com.alibaba.blink.streaming.connectors.{cls}@{_hex(h ^ len(t.name), 7)}"
        cand.append(("Sink", name, False, "FORWARD", False, False))
    keep = list(range(len(cand)))
    for kind in ("SourceConversion", "WatermarkAssigner", "SinkConversion", "Calc(select: (w$", "LocalHash"):
        if len(keep) <= 8:
            break
        keep = [i for i in keep if not (cand[i][4] and cand[i][1].startswith(kind))]
    ids = {ci: n + 1 for n, ci in enumerate(keep)}
    nodes, links, stateful = [], [], []
    state_native = 512 if "gemini" in code else 256
    for ci in keep:
        pact, name, head, _, _, is_state = cand[ci]
        par = 1 if name == "Print to System.out" else p
        if is_state:
            nodes.append(_node(ids[ci], pact, name, par, head, 0.5, 1024, 0, state_native))
            stateful.append(ids[ci])
        elif pact == "Sink":
            nodes.append(_node(ids[ci], pact, name, par, head, 0.25, 256, 32))
        else:
            nodes.append(_node(ids[ci], pact, name, par, head))
    # Links: each source chain in order, then the chains' ends into the first shared node, then a straight line.
    shared = [ci for ci in keep if not any(ci in ch for ch in src_chains)]
    sink_ids = [ci for ci in shared if cand[ci][0] == "Sink"]
    middle = [ci for ci in shared if cand[ci][0] != "Sink"]
    for ch in src_chains:
        kept = [ci for ci in ch if ci in ids]
        for x, y in zip(kept, kept[1:], strict=False):
            links.append(_link(ids[x], ids[y]))
        links.append(_link(ids[kept[-1]], ids[middle[0]], cand[middle[0]][3] or "FORWARD"))
    for x, y in zip(middle, middle[1:], strict=False):
        links.append(_link(ids[x], ids[y], cand[y][3]))
    last = middle[-1]
    for ci in sink_ids:
        node = nodes[ids[ci] - 1]
        links.append(_link(ids[last], ids[ci], "FORWARD" if node["parallelism"] == p else "REBALANCE"))
    return {"global": glob, "nodes": nodes, "links": links, "statefulNodes": stateful}


def plan_json(job_name: str, code: str, parallelism: int, seed: int) -> dict[str, Any]:
    """A Blink PlanJson for the job: {"global": [...], "nodes": [...], "links": [...], "statefulNodes": [...]}.

    The DAG follows the SQL (sources, calc/join/window/aggregate operators, sinks), 3 to 8 nodes; DataStream
    code gives Source -> Timestamps/Watermarks -> KeyedProcess -> Sink. Unparsable code falls back to a
    template picked from the job name."""
    return copy.deepcopy(_plan(job_name, code or "", parallelism, seed))


def plan_resource(plan: dict[str, Any]) -> dict[str, float]:
    """CalcPlanJsonResource: {"Cores", "MemoryGB"} = JobManager + sum over nodes of (resources x parallelism)."""
    g = (plan.get("global") or [{}])[0]
    cores = float(g.get("jobManagerCpuCores", 0.25))
    mem_mb = float(g.get("jobManagerMemoryInMB", 1024))
    for n in plan.get("nodes", []):
        par = int(n.get("parallelism", 1))
        cores += float(n.get("vcore", 0.25)) * par
        mem_mb += (float(n.get("heap_memory", 256)) + float(n.get("direct_memory", 0))
                   + float(n.get("native_memory", 0))) * par
    return {"Cores": round(cores, 2), "MemoryGB": round(mem_mb / 1024, 2)}


@dataclass
class _Vertex:
    id: str
    name: str
    parallelism: int
    node_ids: list[int]
    inputs: list[tuple[str, str]]  # (upstream vertex id, ship strategy)
    kind: str  # "source" | "operator" | "sink" | "source-sink"


@lru_cache(maxsize=1024)
def _vertices(job_name: str, code: str, parallelism: int, seed: int) -> tuple[_Vertex, ...]:
    """Chain plan nodes into job vertices as Flink does (FORWARD, same parallelism, no HEAD, single in/out)."""
    plan = _plan(job_name, code, parallelism, seed)
    nodes = {n["id"]: n for n in plan["nodes"]}
    ins: dict[int, list[dict[str, Any]]] = {i: [] for i in nodes}
    outs: dict[int, list[dict[str, Any]]] = {i: [] for i in nodes}
    for link in plan["links"]:
        ins[link["target"]].append(link)
        outs[link["source"]].append(link)
    owner: dict[int, int] = {}
    chains: list[list[int]] = []
    for nid in sorted(nodes):
        n = nodes[nid]
        lk = ins[nid]
        chained = (len(lk) == 1 and n["chainingStrategy"] != "HEAD" and lk[0]["ship_strategy"] == "FORWARD"
                   and nodes[lk[0]["source"]]["parallelism"] == n["parallelism"] and len(outs[lk[0]["source"]]) == 1)
        if chained:
            owner[nid] = owner[lk[0]["source"]]
            chains[owner[nid]].append(nid)
        else:
            owner[nid] = len(chains)
            chains.append([nid])
    base = _key(seed, "vertex", job_name)
    vids = [_hex(base ^ (i * 7919), 32) for i in range(len(chains))]
    out = []
    for ci, chain in enumerate(chains):
        names = []
        for nid in chain:
            n = nodes[nid]
            nm = n["name"]
            if n["pact"] == "Source" and not nm.startswith("Source: "):
                nm = "Source: " + nm
            if n["pact"] == "Sink" and not nm.startswith("Sink: "):
                nm = "Sink: " + nm
            names.append(nm)
        inputs = [(vids[owner[lk["source"]]], lk["ship_strategy"]) for lk in ins[chain[0]]
                  if owner[lk["source"]] != ci]
        pacts = {nodes[n]["pact"] for n in chain}
        kind = "source-sink" if {"Source", "Sink"} <= pacts else \
            "source" if "Source" in pacts else "sink" if "Sink" in pacts else "operator"
        out.append(_Vertex(vids[ci], " -> ".join(names), nodes[chain[0]]["parallelism"], chain, inputs, kind))
    return tuple(out)


def _view_vertices(v: InstanceView) -> tuple[_Vertex, ...]:
    return _vertices(v.job_name, v.code or synth_code(v.job_name, v.seed, v.job_type != "FLINK_BATCH"),
                     v.parallelism, v.seed)


