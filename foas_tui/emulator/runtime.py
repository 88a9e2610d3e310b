"""Runtime payloads of emulated instances (checkpoints, exceptions, metrics, DAG, plans, validation).
Pure: no clock reads, no I/O; times are epoch ms, delays ms, vCores hundredths of a core, memory MB."""

from __future__ import annotations

import copy
import json
import math
import re
import zlib
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from functools import lru_cache
from typing import Any

from foas_tui.emulator import sql_templates as tpl
from foas_tui.emulator.demo import SCENARIO_STATES

CST = timezone(timedelta(hours=8))
_M64 = (1 << 64) - 1
DEFAULT_CHECKPOINT_INTERVAL_MS = 180_000
DEFAULT_CHECKPOINT_TIMEOUT_MS = 600_000
ALL_EXCEPTIONS_CAP = 32  # entries kept in "all-exceptions" (older ones -> truncated=true)
HISTORY_CAP = 16  # Flink's web.exception-history-size default
CHECKPOINT_HISTORY = 10  # Flink's web.checkpoints.history default
RESTART_WINDOW_MS = 15_000  # after a failover the job reports RESTARTING this long


@dataclass
class InstanceView:
    """What the generators need to know about one instance. The trailing optional fields refine the output:
    code (SQL or DataStream config) shapes the DAG and task names, properties gives the checkpoint interval."""

    project: str
    job_name: str
    instance_id: int
    job_type: str
    scenario: str
    expect_state: str
    actual_state: str
    start_ms: int
    end_ms: int | None
    now_ms: int
    failovers: int
    last_error_ms: int | None
    last_error_message: str | None
    seed: int
    parallelism: int = 4
    code: str = ""
    properties: str = ""
    queue_name: str = ""
    cluster_id: str = ""


# --------------------------------------------------------------------------------------------------------------
# Deterministic noise


def _mix(x: int) -> int:
    """splitmix64 finalizer."""
    x = (x + 0x9E3779B97F4A7C15) & _M64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _M64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _M64
    return x ^ (x >> 31)


def _key(*parts: object) -> int:
    return _mix(zlib.crc32("|".join(map(str, parts)).encode()) | (len(parts) << 40))


_MULS = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)


def _u(base: int, *ints: int) -> float:
    """A uniform [0, 1) value determined by base and (up to four) ints."""
    x = base
    for mul, i in zip(_MULS, ints, strict=False):
        x ^= (i * mul) & _M64
    return (_mix(x) >> 11) / 9007199254740992.0


@lru_cache(maxsize=4096)
def _ckey(*parts: object) -> int:
    return _key(*parts)


def _job_key(v: InstanceView) -> int:
    return _ckey(v.seed, v.project, v.job_name)


def _inst_key(v: InstanceView) -> int:
    return _ckey(v.seed, v.project, v.job_name, v.instance_id)


def _hex(base: int, n: int) -> str:
    out, x = "", base
    while len(out) < n:
        x = _mix(x)
        out += f"{x:016x}"
    return out[:n]


def jid(v: InstanceView) -> str:
    """The Flink JobID (32 hex) of an instance."""
    return _hex(_inst_key(v) ^ 0x5A5A, 32)


def cst(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, CST).strftime("%Y-%m-%d %H:%M:%S")


# --------------------------------------------------------------------------------------------------------------
# Properties


@lru_cache(maxsize=1024)
def _parse_properties(text: str) -> tuple[tuple[str, str], ...]:
    out = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or line.startswith("--") or "=" not in line:
            continue
        k, _, val = line.partition("=")
        out.append((k.strip(), val.strip()))
    return tuple(out)


def parse_properties(text: str) -> dict[str, str]:
    """key=value lines of a job's properties (or DataStream code); '#' and '--' lines are comments."""
    return dict(_parse_properties(text or ""))


def _int_prop(v: InstanceView, key: str, default: int) -> int:
    for text in (v.properties, v.code if "blink.main.class" in v.code else ""):
        value = parse_properties(text).get(key)
        if value and value.isdigit():
            return int(value)
    return default


def checkpoint_interval_ms(v: InstanceView) -> int:
    return max(1000, _int_prop(v, "blink.checkpoint.interval.ms", DEFAULT_CHECKPOINT_INTERVAL_MS))


# --------------------------------------------------------------------------------------------------------------
# SQL analysis (shared by validate() and plan_json())

_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_STRUCTURAL = ("SELECT", "INSERT", "CREATE", "TABLE", "WHERE", "GROUP", "HAVING", "UNION", "ORDER", "VALUES",
               "FROM", "JOIN", "INTO", "WITH", "LEFT", "INNER", "RIGHT", "WINDOW", "PRIMARY", "WATERMARK",
               "PERIOD", "SYSTEM_TIME", "INTERVAL", "DISTINCT", "BETWEEN", "LATERAL", "FUNCTION", "VIEW")
_LOWER_CHECK = ("SELECT", "INSERT", "CREATE", "WHERE", "GROUP", "HAVING", "UNION")
_KNOWN = frozenset("""
SELECT INSERT CREATE TABLE WHERE GROUP HAVING UNION ORDER VALUES FROM JOIN INTO WITH LEFT INNER RIGHT FULL OUTER
WINDOW PRIMARY KEY WATERMARK PERIOD FOR SYSTEM_TIME AS OF INTERVAL DISTINCT BETWEEN LATERAL FUNCTION VIEW ON AND OR
NOT NULL IS IN BY ALL ANY CASE WHEN THEN ELSE END CAST TRUE FALSE LIKE SET EXISTS LIMIT OVER PARTITION ROWS RANGE
PRECEDING FOLLOWING CURRENT ROW UNBOUNDED ASC DESC SECOND MINUTE HOUR DAY MONTH YEAR TUMBLE HOP SESSION
TUMBLE_START TUMBLE_END TUMBLE_ROWTIME HOP_START HOP_END SESSION_START SESSION_END PROCTIME COUNT SUM AVG MIN MAX
FIRST_VALUE LAST_VALUE CONCAT CONCAT_WS COALESCE IF DATE_FORMAT FROM_UNIXTIME UNIX_TIMESTAMP TO_TIMESTAMP
TO_DATE NOW CURRENT_TIMESTAMP JSON_VALUE SPLIT_INDEX REGEXP_EXTRACT SUBSTRING TRIM UPPER LOWER ROUND FLOOR CEIL
ABS TABLE UNNEST BIGINT INT INTEGER TINYINT SMALLINT VARCHAR CHAR STRING DOUBLE FLOAT DECIMAL BOOLEAN TIMESTAMP
DATE TIME VARBINARY BYTES ARRAY MAP ROW MULTISET EXTRACT POSITION OVERLAY IGNORE IF_NOT_EXISTS WITHOFFSET BEGIN
STATEMENT SYSTEM ROW_NUMBER RANK DENSE_RANK DEFAULT REPLACE IFNULL ISNULL
""".split())


@dataclass(eq=False)
class _Table:
    name: str
    props: dict[str, str]
    dim: bool
    offset: int
    columns: list[str]
    watermark: str


@dataclass
class _Analysis:
    tables: dict[str, _Table]  # lower name -> table
    views: dict[str, set[str]]  # lower view name -> referenced lower names
    inserts: list[tuple[str, int]]  # (lower target, offset)
    refs: list[tuple[str, int, int]]  # (lower name, start, end) of FROM/JOIN references
    dim_refs: set[str]
    error: str | None
    datastream: bool
    masked: str


def _mask(code: str) -> str:
    """Blank out comments and string-literal contents, keeping offsets and line breaks."""
    out = list(code)
    i, n = 0, len(code)
    while i < n:
        c = code[i]
        if c == "-" and code.startswith("--", i):
            j = code.find("\n", i)
            j = n if j < 0 else j
            for k in range(i, j):
                out[k] = " "
            i = j
        elif c == "/" and code.startswith("/*", i):
            j = code.find("*/", i + 2)
            j = n if j < 0 else j + 2
            for k in range(i, j):
                if out[k] != "\n":
                    out[k] = " "
            i = j
        elif c == "'":
            j = i + 1
            while j < n:
                if code[j] == "'":
                    if j + 1 < n and code[j + 1] == "'":
                        j += 2
                        continue
                    break
                j += 1
            for k in range(i + 1, min(j, n)):
                if out[k] != "\n":
                    out[k] = "x"
            i = j + 1
        else:
            i += 1
    return "".join(out)


class _Pos:
    def __init__(self, text: str) -> None:
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def __call__(self, offset: int) -> tuple[int, int]:
        line = bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1


def _damerau1(a: str, b: str) -> bool:
    """True if a and b have the same length and differ by one substitution or one adjacent transposition."""
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    if len(diff) == 1:
        return True
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]


def _typo(word: str, line_start: bool) -> bool:
    if len(word) < 4:
        return False
    up = word.upper()
    if up in _KNOWN:
        return False
    if word.isupper():
        return any((k.startswith(up) and len(k) > len(up)) or _damerau1(up, k) for k in _STRUCTURAL)
    if line_start and word.islower():
        return any(k.startswith(up) and len(k) > len(up) for k in _LOWER_CHECK)
    return False


def _parse_error(token: str, line: int, col: int, expecting: tuple[str, ...], extra: str = "") -> str:
    exp = "\n".join(f'    "{e}" ...' for e in expecting)
    return f'SQL parse failed. Encountered "{token}" at line {line}, column {col}.\nWas expecting one of:\n{exp}' + \
        (f"\n{extra}" if extra else "")


def _unclosed(line: int, col: int) -> str:
    return f'(unclosed "(" opened at line {line}, column {col})'


def _matching(masked: str, open_at: int) -> int:
    depth = 0
    for i in range(open_at, len(masked)):
        if masked[i] == "(":
            depth += 1
        elif masked[i] == ")":
            depth -= 1
            if depth == 0:
                return i
    return len(masked)


def _inside_function(stmt: str, rel: int) -> bool:
    """Is offset rel inside the parentheses of EXTRACT/SUBSTRING/TRIM/OVERLAY/POSITION (where FROM is no table)?"""
    depth = 0
    for i in range(rel - 1, -1, -1):
        ch = stmt[i]
        if ch == ")":
            depth += 1
        elif ch == "(":
            if depth == 0:
                m = re.search(r"([A-Za-z_]+)\s*$", stmt[:i])
                return bool(m) and m.group(1).upper() in ("EXTRACT", "SUBSTRING", "TRIM", "OVERLAY", "POSITION")
            depth -= 1
    return False


_CREATE_TABLE = re.compile(r"\s*CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(`?)([\w.]+)\1\s*\(", re.I)
_CREATE_VIEW = re.compile(r"\s*CREATE\s+VIEW\s+(`?)([\w.]+)\1\s+AS\b", re.I)
_INSERT = re.compile(r"\s*INSERT\s+(?:INTO|OVERWRITE)\s+(`?)([\w.]+)\1", re.I)
_REF = re.compile(r"\b(FROM|JOIN)\s+(`?)([A-Za-z_][\w.]*)\2", re.I)
_PROP = re.compile(r"(`?)([\w.\-]+)\1\s*=\s*'((?:[^']|'')*)'")
_SECRET = re.compile(r"password|accesskey|secret|token", re.I)


@lru_cache(maxsize=512)
def _analyze(code: str) -> _Analysis:
    masked = _mask(code)
    pos = _Pos(code)
    result = _Analysis({}, {}, [], [], set(), None, False, masked)
    if not re.search(r"\b(CREATE|INSERT)\b", masked, re.I) and "blink.main.class" in code:
        result.datastream = True
        return result

    def fail(msg: str) -> _Analysis:
        result.error = msg
        return result

    if not masked.strip():
        return fail(_parse_error("<EOF>", 1, 1, ("CREATE", "INSERT", "SET")))
    # Parentheses
    stack: list[int] = []
    for i, ch in enumerate(masked):
        if ch == "(":
            stack.append(i)
        elif ch == ")":
            if not stack:
                line, col = pos(i)
                return fail(_parse_error(")", line, col, (";", "<EOF>")))
            stack.pop()
        elif ch == ";" and stack:
            line, col = pos(i)
            oline, ocol = pos(stack[-1])
            return fail(_parse_error(";", line, col, (")", ","), _unclosed(oline, ocol)))
    if stack:
        line, col = pos(len(code.rstrip()))
        oline, ocol = pos(stack[-1])
        return fail(_parse_error("<EOF>", line, col, (")", ","), _unclosed(oline, ocol)))
    # Statements
    statements: list[tuple[int, int]] = []
    start = 0
    for i, ch in enumerate(masked):
        if ch == ";":
            statements.append((start, i))
            start = i + 1
    statements.append((start, len(masked)))
    for s0, s1 in statements:
        stmt = masked[s0:s1]
        if not stmt.strip():
            continue
        first = _WORD.search(stmt)
        lead = len(stmt) - len(stmt.lstrip())
        if first is None or first.start() != lead:
            line, col = pos(s0 + lead)
            return fail(_parse_error(stmt.lstrip()[:1], line, col, ("CREATE", "INSERT", "SET")))
        if first.group().upper() not in ("CREATE", "INSERT", "SET", "BEGIN", "END"):
            line, col = pos(s0 + first.start())
            return fail(_parse_error(first.group(), line, col, ("CREATE", "INSERT", "SET")))
        for m in _WORD.finditer(stmt):
            if m.start() and stmt[m.start() - 1] in "`.":
                continue
            nl = stmt.rfind("\n", 0, m.start())
            line_start = not stmt[nl + 1:m.start()].strip()
            if _typo(m.group(), line_start):
                line, col = pos(s0 + m.start())
                return fail(_parse_error(m.group(), line, col, ("SELECT", "FROM", "WHERE", "GROUP", "WITH")))
        if m2 := _CREATE_TABLE.match(stmt):
            name = m2.group(2)
            open_at = m2.end() - 1
            close = _matching(stmt, open_at)
            body = stmt[open_at + 1:close]
            rest = stmt[close + 1:]
            wm = re.search(r"\bWATERMARK\s+(?:\w+\s+)?FOR\s+(\w+)", body, re.I)
            columns = [c.group(2) for c in re.finditer(r"(?:^|,)\s*(`?)(\w+)\1\s+[A-Za-z]", body)
                       if c.group(2).upper() not in ("PRIMARY", "WATERMARK", "PERIOD", "UNIQUE", "INDEX")]
            props: dict[str, str] = {}
            wm_with = re.match(r"\s*WITH\s*\(", rest, re.I)
            if wm_with:
                w0 = s0 + close + 1 + wm_with.end()
                w1 = s0 + _matching(stmt, close + 1 + wm_with.end() - 1)
                for p in _PROP.finditer(code[w0:w1]):
                    key, val = p.group(2), p.group(3).replace("''", "'")
                    props[key] = "******" if _SECRET.search(key) else val
            typ = next((v for k, v in props.items() if k.lower() == "type"), "")
            if not typ:
                line, col = pos(s0 + m2.start(2))
                return fail(f"SQL validation failed. From line {line}, column {col} to line {line}, column "
                            f"{col + len(name) - 1}: Table '{name}' has no WITH property 'type' (connector type)")
            dim = bool(re.search(r"\bPERIOD\s+FOR\s+SYSTEM_TIME\b", body, re.I))
            result.tables[name.lower()] = _Table(name, props, dim, s0 + m2.start(2), columns,
                                                 wm.group(1) if wm else "")
            continue
        target = ""
        if m3 := _CREATE_VIEW.match(stmt):
            target = "view:" + m3.group(2).lower()
            result.views[m3.group(2).lower()] = set()
        elif m4 := _INSERT.match(stmt):
            name = m4.group(2).lower()
            result.inserts.append((name, s0 + m4.start(2)))
            target = "insert:" + name
            if name not in result.tables and name not in result.views:
                line, col = pos(s0 + m4.start(2))
                return fail(f"SQL validation failed. From line {line}, column {col} to line {line}, column "
                            f"{col + len(m4.group(2)) - 1}: Object '{m4.group(2)}' not found")
        for r in _REF.finditer(stmt):
            ref = r.group(3)
            if ref.upper() in ("LATERAL", "TABLE", "UNNEST") or _inside_function(stmt, r.start()):
                continue
            low = ref.lower()
            if low not in result.tables and low not in result.views:
                line, col = pos(s0 + r.start(3))
                return fail(f"SQL validation failed. From line {line}, column {col} to line {line}, column "
                            f"{col + len(ref) - 1}: Object '{ref}' not found")
            result.refs.append((low, s0 + r.start(3), s0 + r.end(3)))
            if re.match(r"\s+(?:AS\s+)?FOR\s+SYSTEM_TIME\b", stmt[r.end():], re.I):
                result.dim_refs.add(low)
            if target.startswith("view:"):
                result.views[target[5:]].add(low)
    if not result.inserts:
        return fail("SQL validation failed. No INSERT INTO statement found: a Blink SQL job must write to at least "
                    "one result table (INSERT INTO <sink> SELECT ...).")
    return result


def _expand(a: _Analysis, name: str, seen: set[str] | None = None) -> list[str]:
    """Tables behind a name (views resolved), in order."""
    seen = seen if seen is not None else set()
    if name in seen:
        return []
    seen.add(name)
    if name in a.views:
        out: list[str] = []
        for r in sorted(a.views[name]):
            out += _expand(a, r, seen)
        return out
    return [name] if name in a.tables else []


def _io(a: _Analysis) -> tuple[list[_Table], list[_Table], list[_Table]]:
    """(inputs, outputs, dims) of an analysed SQL job, in order of appearance."""
    outputs: list[_Table] = []
    for name, _ in a.inserts:
        t = a.tables.get(name)
        if t is not None and t not in outputs:
            outputs.append(t)
    inputs: list[_Table] = []
    dims: list[_Table] = []
    for ref, _, _ in sorted(a.refs, key=lambda r: r[1]):
        for name in _expand(a, ref):
            t = a.tables[name]
            if t.dim or name in a.dim_refs:
                if t not in dims:
                    dims.append(t)
            elif t not in inputs and t not in outputs:
                inputs.append(t)
    return inputs, outputs, dims


def validate(code: str) -> dict[str, Any] | str:
    """ValidateJob: the JobInOut structure for valid SQL, or a Blink-style error message (str) for invalid SQL.

    DataStream 'code' (blink.main.class=...) validates to empty lists."""
    a = _analyze(code or "")
    if a.error:
        return a.error
    inputs, outputs, dims = _io(a)

    def item(t: _Table) -> dict[str, Any]:
        typ = next((v for k, v in t.props.items() if k.lower() == "type"), "")
        return {"Name": t.name, "Alias": t.name, "Type": typ, "Properties": dict(t.props), "Workspace": ""}

    return {"Inputs": {"Input": [item(t) for t in inputs]}, "Outputs": {"Output": [item(t) for t in outputs]},
            "Dims": {"Dim": [item(t) for t in dims]}}


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


# --------------------------------------------------------------------------------------------------------------
# Lifecycle and failovers

_ALIVE = ("RUNNING",)
_NOT_STARTED = ("", "UNKNOWN", "WAITING", "CREATED")


def _started(v: InstanceView) -> bool:
    return v.actual_state not in _NOT_STARTED and v.start_ms > 0 and v.start_ms <= v.now_ms


def _horizon(v: InstanceView) -> int:
    """Up to when the instance has been running: now for a running instance, else its end (or now)."""
    if v.actual_state in _ALIVE or v.end_ms is None:
        return v.now_ms
    return max(v.start_ms, min(v.end_ms, v.now_ms))


def _cadence_ms(v: InstanceView) -> int:
    """Time between new failovers while the instance runs: 'failing' ~ every 1.5 min, 'restarting' every few
    hours; 0 for the others (their failovers are only the ones the view reports)."""
    if v.actual_state not in _ALIVE:
        return 0
    u = _u(_job_key(v), 11)
    if v.scenario == "failing":
        return int(75_000 + u * 45_000)
    if v.scenario == "restarting":
        return int(2 * 3_600_000 + u * 4 * 3_600_000)
    return 0


@dataclass(frozen=True)
class _Failures:
    count: int
    latest: int  # ms of the newest failure (0 if none)
    spacing: float  # ms between failures, going back from the newest
    start: int


def _failures(v: InstanceView) -> _Failures:
    n = max(0, int(v.failovers))
    latest = v.last_error_ms or 0
    if v.actual_state == "FAILED" and n == 0:
        n, latest = 1, latest or (v.end_ms or v.now_ms)
    cad = _cadence_ms(v)
    if cad:
        anchor = latest if latest else v.start_ms
        extra = max(0, (v.now_ms - anchor) // cad)
        if extra:
            n += extra
            latest = anchor + extra * cad
    if n == 0:
        return _Failures(0, 0, 0.0, v.start_ms)
    if not latest:
        latest = v.start_ms + int((_horizon(v) - v.start_ms) * (0.5 + 0.4 * _u(_inst_key(v), 12)))
    room = max(1, latest - v.start_ms)
    spacing = float(cad) if cad else room / n
    spacing = max(1000.0, min(spacing, room / n)) if n > 1 else spacing or 1000.0
    return _Failures(n, latest, spacing, v.start_ms)


def _failure_time(f: _Failures, base: int, i: int) -> int:
    """Time of failure i (0 = newest); continues back in time past f.count (for exceptions_of_size)."""
    if i == 0:
        return f.latest
    return int(f.latest - i * f.spacing - _u(base, 13, i) * f.spacing * 0.3)


def _failures_between(f: _Failures, base: int, lo: int, hi: int) -> list[int]:
    """Failure times within [lo, hi], newest first."""
    if f.count == 0 or hi < lo:
        return []
    first = max(0, int((f.latest - hi) // f.spacing) - 1)
    last = min(f.count - 1, int((f.latest - lo) // f.spacing) + 1)
    out = []
    for i in range(first, last + 1):
        t = _failure_time(f, base, i)
        if lo <= t <= hi:
            out.append(t)
    return out


def _failures_count(f: _Failures, lo: int, hi: int) -> int:
    """About how many failures fall within [lo, hi] (arithmetic, for long ranges)."""
    if f.count == 0 or hi < lo:
        return 0
    newest = max(0.0, (f.latest - hi) / f.spacing)
    oldest = min(f.count - 1.0, (f.latest - lo) / f.spacing)
    return max(0, int(oldest) - math.ceil(newest) + 1)


class _FailIndex:
    """Failure times of an instance, generated once for a covering range and then looked up by bisection."""

    def __init__(self, v: InstanceView, f: _Failures | None = None) -> None:
        self.f = f if f is not None else _failures(v)
        self.base = _inst_key(v)
        self.lo = self.hi = 0
        self.times: list[int] = []

    def between(self, lo: int, hi: int) -> list[int]:
        if self.f.count == 0:
            return []
        if not self.times and not self.hi or lo < self.lo or hi > self.hi:
            self.lo = lo if not self.hi else min(lo, self.lo)
            self.hi = max(hi, self.hi)
            self.times = sorted(_failures_between(self.f, self.base, self.lo, self.hi))
        return self.times[bisect_left(self.times, lo):bisect_right(self.times, hi)]

    def recent(self, t: int, window: int) -> int | None:
        hits = self.between(t - window, t)
        return hits[-1] if hits else None


def failure_state(v: InstanceView) -> tuple[int, int | None, str | None]:
    """(failovers, LastErrorTime, LastErrorMessage) as of v.now_ms: 'failing' and 'restarting' instances keep
    failing over on their own, so a service that does not track failovers can ask here."""
    f = _failures(v)
    if f.count == 0:
        return 0, None, None
    return f.count, f.latest, _event_text(v, f, 0).split("\n", 1)[0]


# --------------------------------------------------------------------------------------------------------------
# Java stack traces

_TASK_TAIL = """at @F.streaming.runtime.tasks.StreamTask.invoke(StreamTask.java:306)
at @F.runtime.taskmanager.Task.run(Task.java:711)
at java.lang.Thread.run(Thread.java:834)"""
_SOURCE_TAIL = """at @B.common.source.ParallelReader.runImpl(ParallelReader.java:301)
at @B.common.source.ParallelReader.run(ParallelReader.java:196)
at @B.common.source.AbstractParallelSourceBase.run(AbstractParallelSourceBase.java:259)
at @F.streaming.api.operators.StreamSource.run(StreamSource.java:94)
at @F.streaming.api.operators.StreamSource.run(StreamSource.java:58)
at @F.streaming.runtime.tasks.SourceStreamTask.run(SourceStreamTask.java:99)
""" + _TASK_TAIL
_CHAIN = """at @F.streaming.runtime.tasks.OperatorChain$ChainingOutput.pushToOperator(OperatorChain.java:588)
at @F.streaming.runtime.tasks.OperatorChain$ChainingOutput.collect(OperatorChain.java:563)
at @F.streaming.runtime.tasks.OperatorChain$ChainingOutput.collect(OperatorChain.java:523)
at @F.streaming.api.operators.AbstractStreamOperator$CountingOutput.collect(AbstractStreamOperator.java:733)
at @F.streaming.api.operators.AbstractStreamOperator$CountingOutput.collect(AbstractStreamOperator.java:711)"""
_INPUT_TAIL = """at @F.streaming.runtime.io.StreamInputProcessor.processInput(StreamInputProcessor.java:216)
at @F.streaming.runtime.tasks.OneInputStreamTask.run(OneInputStreamTask.java:105)
""" + _TASK_TAIL
_SOCKET_READ = """Caused by: java.net.SocketTimeoutException: Read timed out
at java.net.SocketInputStream.socketRead0(Native Method)
at java.net.SocketInputStream.socketRead(SocketInputStream.java:116)
at java.net.SocketInputStream.read(SocketInputStream.java:171)
at java.net.SocketInputStream.read(SocketInputStream.java:141)"""
_SINK_HEAD = """at @B.common.sink.OutputFormatSinkFunction.invoke(OutputFormatSinkFunction.java:95)
at @F.streaming.api.operators.StreamSink.processElement(StreamSink.java:56)
""" + _CHAIN

# kind -> (applies to: "source:<type>", "sink:<type>", "any", "checkpoint", "batch"), text with <<placeholders>>
_TRACES: dict[str, tuple[str, str]] = {
    "datahub_read": ("source:datahub", """java.io.IOException: Failed to get records from DataHub,\
 project: <<project>>_dh, topic: <<topic>>, shardId: <<shard>>
at @B.datahub.source.DatahubRecordReader.next(DatahubRecordReader.java:195)
""" + _SOURCE_TAIL + """
Caused by: com.aliyun.datahub.client.exception.DatahubClientException: [httpStatus:503,\
 requestId:<<request_id>>, errorCode:ServiceUnavailable, errorMessage:Service is temporarily\
 unavailable, please retry later.]
at com.aliyun.datahub.client.impl.request.DatahubRequestHandler.handleError(DatahubRequestHandler.java:89)
at com.aliyun.datahub.client.impl.request.DatahubRequestHandler.execute(DatahubRequestHandler.java:67)
at com.aliyun.datahub.client.impl.DatahubClientJsonImpl.callWrapper(DatahubClientJsonImpl.java:643)
at com.aliyun.datahub.client.impl.DatahubClientJsonImpl.getRecords(DatahubClientJsonImpl.java:322)
at @B.datahub.DatahubClientProvider$1.getRecords(DatahubClientProvider.java:117)
at @B.datahub.source.DatahubRecordReader.fetchRecords(DatahubRecordReader.java:241)
at @B.datahub.source.DatahubRecordReader.next(DatahubRecordReader.java:178)
... 9 more
""" + _SOCKET_READ + """
at org.apache.http.impl.io.SessionInputBufferImpl.streamRead(SessionInputBufferImpl.java:137)
at org.apache.http.impl.io.SessionInputBufferImpl.fillBuffer(SessionInputBufferImpl.java:153)
at org.apache.http.impl.io.SessionInputBufferImpl.readLine(SessionInputBufferImpl.java:282)
at org.apache.http.impl.conn.DefaultHttpResponseParser.parseHead(DefaultHttpResponseParser.java:138)
at org.apache.http.impl.execchain.MainClientExec.execute(MainClientExec.java:272)
... 14 more"""),
    "kafka_fetch": ("source:kafka", """java.lang.RuntimeException: Failed to fetch records from Kafka,\
 topic: <<topic>>, partitions: [<<topic>>-<<shard>>]
at @B.kafka.source.Kafka011BaseFetcher.runFetchLoop(Kafka011BaseFetcher.java:188)
at @B.kafka.source.KafkaBaseSourceFunction.run(KafkaBaseSourceFunction.java:412)
at @F.streaming.api.operators.StreamSource.run(StreamSource.java:94)
at @F.streaming.api.operators.StreamSource.run(StreamSource.java:58)
at @F.streaming.runtime.tasks.SourceStreamTask.run(SourceStreamTask.java:99)
""" + _TASK_TAIL + """
Caused by: org.apache.kafka.common.errors.TimeoutException: Timeout of 60000ms expired before the\
 position for partition <<topic>>-<<shard>> could be determined
at org.apache.kafka.clients.consumer.KafkaConsumer.position(KafkaConsumer.java:1720)
at org.apache.kafka.clients.consumer.KafkaConsumer.position(KafkaConsumer.java:1684)
at @B.kafka.source.KafkaConsumerThread.seekToStartOffsets(KafkaConsumerThread.java:296)
at @B.kafka.source.KafkaConsumerThread.reassignPartitions(KafkaConsumerThread.java:402)
at @B.kafka.source.KafkaConsumerThread.run(KafkaConsumerThread.java:241)
Caused by: org.apache.kafka.common.errors.DisconnectException: Cancelled fetch request to node\
 <<broker>> (id: 2 rack: null) due to node being disconnected
at org.apache.kafka.clients.consumer.internals.ConsumerNetworkClient$RequestFutureCompletionHandler.fireF\
ailure(ConsumerNetworkClient.java:596)
at org.apache.kafka.clients.consumer.internals.ConsumerNetworkClient.checkDisconnects(ConsumerNetworkClient.java:446)
at org.apache.kafka.clients.consumer.internals.ConsumerNetworkClient.poll(ConsumerNetworkClient.java:257)
at org.apache.kafka.clients.consumer.internals.ConsumerNetworkClient.poll(ConsumerNetworkClient.java:215)
at org.apache.kafka.clients.consumer.internals.Fetcher.getOffsetsByTimes(Fetcher.java:486)
... 5 more"""),
    "sls_quota": ("source:sls", """java.io.IOException: Failed to pull logs from SLS, project:\
 <<project>>-logs, logStore: <<topic>>, shard: <<shard>>
at @B.sls.source.SlsRecordReader.next(SlsRecordReader.java:214)
""" + _SOURCE_TAIL + """
Caused by: com.aliyun.openservices.log.exception.LogException: ErrorCode:ReadQuotaExceed,\
 ErrorMessage:shard read quota exceed, RequestId:<<request_id>>
at com.aliyun.openservices.log.Client.ErrorCheck(Client.java:2441)
at com.aliyun.openservices.log.Client.SendData(Client.java:2584)
at com.aliyun.openservices.log.Client.SendData(Client.java:2539)
at com.aliyun.openservices.log.Client.BatchGetLog(Client.java:1297)
at com.aliyun.openservices.log.Client.BatchGetLog(Client.java:1270)
at com.aliyun.openservices.log.Client.pullLogs(Client.java:1335)
at @B.sls.source.SlsClientProxy.pullData(SlsClientProxy.java:156)
at @B.sls.source.SlsRecordReader.next(SlsRecordReader.java:197)
... 9 more"""),
    "remote_transport": ("any", """org.apache.flink.runtime.io.network.netty.exception.RemoteTransportExc\
eption: Connection unexpectedly closed by remote task manager '<<peer>>/<<peer_ip>>:<<peer_port>>'. This\
 might indicate that the remote task manager was lost.
at @F.runtime.io.network.netty.CreditBasedPartitionRequestClientHandler.channelInactive(CreditBasedPartit\
ionRequestClientHandler.java:136)
at @N.channel.AbstractChannelHandlerContext.invokeChannelInactive(AbstractChannelHandlerContext.java:245)
at @N.channel.AbstractChannelHandlerContext.invokeChannelInactive(AbstractChannelHandlerContext.java:231)
at @N.channel.AbstractChannelHandlerContext.fireChannelInactive(AbstractChannelHandlerContext.java:224)
at @N.channel.ChannelInboundHandlerAdapter.channelInactive(ChannelInboundHandlerAdapter.java:75)
at @N.handler.codec.ByteToMessageDecoder.channelInputClosed(ByteToMessageDecoder.java:377)
at @N.handler.codec.ByteToMessageDecoder.channelInactive(ByteToMessageDecoder.java:342)
at @N.channel.AbstractChannelHandlerContext.invokeChannelInactive(AbstractChannelHandlerContext.java:245)
at @N.channel.AbstractChannelHandlerContext.invokeChannelInactive(AbstractChannelHandlerContext.java:231)
at @N.channel.AbstractChannelHandlerContext.fireChannelInactive(AbstractChannelHandlerContext.java:224)
at @N.channel.DefaultChannelPipeline$HeadContext.channelInactive(DefaultChannelPipeline.java:1429)
at @N.channel.AbstractChannelHandlerContext.invokeChannelInactive(AbstractChannelHandlerContext.java:245)
at @N.channel.AbstractChannelHandlerContext.invokeChannelInactive(AbstractChannelHandlerContext.java:231)
at @N.channel.DefaultChannelPipeline.fireChannelInactive(DefaultChannelPipeline.java:947)
at @N.channel.AbstractChannel$AbstractUnsafe$8.run(AbstractChannel.java:822)
at @N.util.concurrent.AbstractEventExecutor.safeExecute(AbstractEventExecutor.java:163)
at @N.util.concurrent.SingleThreadEventExecutor.runAllTasks(SingleThreadEventExecutor.java:404)
at @N.channel.epoll.EpollEventLoop.run(EpollEventLoop.java:309)
at @N.util.concurrent.SingleThreadEventExecutor$5.run(SingleThreadEventExecutor.java:884)
at java.lang.Thread.run(Thread.java:834)"""),
    "heartbeat": ("any", """java.util.concurrent.TimeoutException: Heartbeat of TaskManager with id\
 <<container>> timed out.
at @F.runtime.jobmaster.JobMaster$TaskManagerHeartbeatListener.notifyHeartbeatTimeout(JobMaster.java:1656)
at @F.runtime.heartbeat.HeartbeatManagerImpl$HeartbeatMonitor.run(HeartbeatManagerImpl.java:339)
at java.util.concurrent.Executors$RunnableAdapter.call(Executors.java:511)
at java.util.concurrent.FutureTask.run(FutureTask.java:266)
at @F.runtime.rpc.akka.AkkaRpcActor.handleRunAsync(AkkaRpcActor.java:332)
at @F.runtime.rpc.akka.AkkaRpcActor.handleRpcMessage(AkkaRpcActor.java:158)
at @F.runtime.rpc.akka.FencedAkkaRpcActor.handleRpcMessage(FencedAkkaRpcActor.java:70)
at @F.runtime.rpc.akka.AkkaRpcActor.onReceive(AkkaRpcActor.java:142)
at @F.runtime.rpc.akka.FencedAkkaRpcActor.onReceive(FencedAkkaRpcActor.java:40)
at akka.actor.UntypedActor$$anonfun$receive$1.applyOrElse(UntypedActor.scala:165)
at akka.actor.Actor$class.aroundReceive(Actor.scala:502)
at akka.actor.UntypedActor.aroundReceive(UntypedActor.scala:95)
at akka.actor.ActorCell.receiveMessage(ActorCell.scala:526)
at akka.actor.ActorCell.invoke(ActorCell.scala:495)
at akka.dispatch.Mailbox.processMailbox(Mailbox.scala:257)
at akka.dispatch.Mailbox.run(Mailbox.scala:224)
at akka.dispatch.Mailbox.exec(Mailbox.scala:234)
at scala.concurrent.forkjoin.ForkJoinTask.doExec(ForkJoinTask.java:260)
at scala.concurrent.forkjoin.ForkJoinPool$WorkQueue.runTask(ForkJoinPool.java:1339)
at scala.concurrent.forkjoin.ForkJoinPool.runWorker(ForkJoinPool.java:1979)
at scala.concurrent.forkjoin.ForkJoinWorkerThread.run(ForkJoinWorkerThread.java:107)"""),
    "npe_udf": ("operator", """org.apache.flink.streaming.runtime.tasks.ExceptionInChainedOperatorExcepti\
on: Could not forward element to next operator
""" + _CHAIN + """
at @F.table.runtime.conversion.SourceConversion.processElement(SourceConversion.scala:61)
""" + _CHAIN + """
at @F.streaming.api.operators.StreamSourceContexts$ManualWatermarkContext.processAndCollect(StreamSourceC\
ontexts.java:310)
at @F.streaming.api.operators.StreamSourceContexts$WatermarkContext.collect(StreamSourceContexts.java:415)
""" + _SOURCE_TAIL + """
Caused by: java.lang.NullPointerException
at com.acme.udf.GeoHashEncode.eval(GeoHashEncode.java:48)
at StreamExecCalc$<<codegen>>.processElement(Unknown Source)
at @F.streaming.runtime.tasks.OperatorChain$ChainingOutput.pushToOperator(OperatorChain.java:585)
... 22 more"""),
    "oom_heap": ("operator", """java.lang.OutOfMemoryError: Java heap space
at java.util.Arrays.copyOf(Arrays.java:3236)
at java.io.ByteArrayOutputStream.grow(ByteArrayOutputStream.java:118)
at java.io.ByteArrayOutputStream.ensureCapacity(ByteArrayOutputStream.java:93)
at java.io.ByteArrayOutputStream.write(ByteArrayOutputStream.java:153)
at @F.core.memory.DataOutputViewStreamWrapper.write(DataOutputViewStreamWrapper.java:38)
at @F.api.common.typeutils.base.StringSerializer.serialize(StringSerializer.java:68)
at @F.table.typeutils.BaseRowSerializer.serialize(BaseRowSerializer.java:116)
at @F.table.typeutils.BaseRowSerializer.serialize(BaseRowSerializer.java:48)
at @F.runtime.state.heap.CopyOnWriteStateTable.put(CopyOnWriteStateTable.java:328)
at @F.runtime.state.heap.HeapValueState.update(HeapValueState.java:82)
at @F.table.runtime.functions.ExecutionContextImpl$ValueStateWrapper.update(ExecutionContextImpl.java:102)
at @F.table.runtime.aggregate.GroupAggFunction.processElement(GroupAggFunction.scala:196)
at @F.table.runtime.aggregate.GroupAggFunction.processElement(GroupAggFunction.scala:44)
at @F.table.runtime.operator.KeyedProcessOperator.processElement(KeyedProcessOperator.java:73)
""" + _INPUT_TAIL),
    "checkpoint_decline": ("checkpoint", """org.apache.flink.runtime.checkpoint.CheckpointException:\
 Could not complete snapshot <<chk>> for operator <<operator>> (<<subtask>>/<<par>>). Failure reason:\
 Checkpoint was declined.
at @F.streaming.api.operators.AbstractStreamOperator.snapshotState(AbstractStreamOperator.java:431)
at @F.streaming.runtime.tasks.StreamTask$CheckpointingOperation.checkpointStreamOperator(StreamTask.java:1294)
at @F.streaming.runtime.tasks.StreamTask$CheckpointingOperation.executeCheckpointing(StreamTask.java:1226)
at @F.streaming.runtime.tasks.StreamTask.checkpointState(StreamTask.java:873)
at @F.streaming.runtime.tasks.StreamTask.performCheckpoint(StreamTask.java:778)
at @F.streaming.runtime.tasks.StreamTask.triggerCheckpointOnBarrier(StreamTask.java:708)
at @F.streaming.runtime.io.BarrierBuffer.notifyCheckpoint(BarrierBuffer.java:380)
at @F.streaming.runtime.io.BarrierBuffer.processBarrier(BarrierBuffer.java:283)
at @F.streaming.runtime.io.BarrierBuffer.getNextNonBlocked(BarrierBuffer.java:185)
""" + _INPUT_TAIL + """
Caused by: java.util.concurrent.TimeoutException: Timed out after 600000 ms waiting for the asynchronous\
 snapshot of the gemini state backend
at com.alibaba.flink.statebackend.gemini.GeminiKeyedStateBackend.waitForSnapshot(GeminiKeyedStateBackend.java:512)
at com.alibaba.flink.statebackend.gemini.GeminiKeyedStateBackend.snapshot(GeminiKeyedStateBackend.java:447)
at @F.streaming.api.operators.AbstractStreamOperator.snapshotState(AbstractStreamOperator.java:411)
... 13 more"""),
    "rds_write": ("sink:rds", """java.lang.RuntimeException: Writing records to JDBC failed after 3\
 retries, table: <<sink>>
at @B.rds.sink.RdsOutputFormat.writeRecords(RdsOutputFormat.java:412)
at @B.rds.sink.RdsOutputFormat.sync(RdsOutputFormat.java:355)
""" + _SINK_HEAD + """
""" + _INPUT_TAIL + """
Caused by: com.mysql.jdbc.exceptions.jdbc4.CommunicationsException: Communications link failure

The last packet successfully received from the server was 30,012 milliseconds ago.  The last packet sent\
 successfully to the server was 30,011 milliseconds ago.
at sun.reflect.NativeConstructorAccessorImpl.newInstance0(Native Method)
at sun.reflect.NativeConstructorAccessorImpl.newInstance(NativeConstructorAccessorImpl.java:62)
at sun.reflect.DelegatingConstructorAccessorImpl.newInstance(DelegatingConstructorAccessorImpl.java:45)
at java.lang.reflect.Constructor.newInstance(Constructor.java:423)
at com.mysql.jdbc.Util.handleNewInstance(Util.java:425)
at com.mysql.jdbc.SQLError.createCommunicationsException(SQLError.java:989)
at com.mysql.jdbc.MysqlIO.reuseAndReadPacket(MysqlIO.java:3556)
at com.mysql.jdbc.MysqlIO.checkErrorPacket(MysqlIO.java:3897)
at com.mysql.jdbc.MysqlIO.sendCommand(MysqlIO.java:2524)
at com.mysql.jdbc.PreparedStatement.executeBatchSerially(PreparedStatement.java:1821)
at @B.rds.sink.RdsOutputFormat.writeRecords(RdsOutputFormat.java:398)
... 14 more
""" + _SOCKET_READ + """
at com.mysql.jdbc.util.ReadAheadInputStream.fill(ReadAheadInputStream.java:101)
at com.mysql.jdbc.MysqlIO.readFully(MysqlIO.java:3008)
... 23 more"""),
    "holo_write": ("sink:hologres", """com.alibaba.hologres.client.exception.HoloClientWithDetailsExcepti\
on: failed records <<count>>, first:Record{schema=public.<<sink>>, type=INSERT},first err:[08006]Failed\
 to write records: connection is closed
at com.alibaba.hologres.client.impl.action.PutAction.getResult(PutAction.java:64)
at com.alibaba.hologres.client.HoloClient.flush(HoloClient.java:389)
at @B.hologres.sink.HologresOutputFormat.sync(HologresOutputFormat.java:244)
at @B.hologres.sink.HologresOutputFormat.writeRecord(HologresOutputFormat.java:201)
""" + _SINK_HEAD + """
""" + _INPUT_TAIL + """
Caused by: org.postgresql.util.PSQLException: FATAL: remaining connection slots are reserved for\
 non-replication superuser connections
at org.postgresql.core.v3.ConnectionFactoryImpl.doAuthentication(ConnectionFactoryImpl.java:525)
at org.postgresql.core.v3.ConnectionFactoryImpl.tryConnect(ConnectionFactoryImpl.java:146)
at org.postgresql.core.v3.ConnectionFactoryImpl.openConnectionImpl(ConnectionFactoryImpl.java:197)
at org.postgresql.core.ConnectionFactory.openConnection(ConnectionFactory.java:49)
at org.postgresql.jdbc.PgConnection.<init>(PgConnection.java:217)
at com.alibaba.hologres.client.impl.ConnectionHolder.doConnect(ConnectionHolder.java:119)
... 12 more"""),
    "es_write": ("sink:elasticsearch", """java.lang.RuntimeException: An error occurred in ElasticsearchSink.
at @B.elasticsearch.sink.ElasticSearchOutputFormat.checkErrorAndRethrow(ElasticSearchOutputFormat.java:381)
at @B.elasticsearch.sink.ElasticSearchOutputFormat.writeRecord(ElasticSearchOutputFormat.java:304)
""" + _SINK_HEAD + """
""" + _INPUT_TAIL + """
Caused by: org.elasticsearch.client.ResponseException: method [POST], host\
 [http://es-cn-tl32ncyx5000q8w2g.elasticsearch.aliyuncs.com:9200], URI [/_bulk?timeout=1m], status line\
 [HTTP/1.1 429 Too Many Requests]
{"error":{"root_cause":[{"type":"es_rejected_execution_exception","reason":"rejected execution of\
 coordinating operation [coordinating_and_primary_bytes=105283712, replica_bytes=0, all_bytes=105283712,\
 coordinating_operation_bytes=<<count>>,\
 max_coordinating_and_primary_bytes=107374182]"}],"type":"es_rejected_execution_exception"},"status":429}
at org.elasticsearch.client.RestClient.convertResponse(RestClient.java:326)
at org.elasticsearch.client.RestClient.performRequest(RestClient.java:296)
at org.elasticsearch.client.RestClient.performRequest(RestClient.java:270)
at org.elasticsearch.client.RestHighLevelClient.internalPerformRequest(RestHighLevelClient.java:1621)
at org.elasticsearch.client.RestHighLevelClient.bulk(RestHighLevelClient.java:492)
... 6 more"""),
    "kafka_produce": ("sink:kafka011", """java.lang.Exception: Failed to send data to Kafka: Expiring\
 <<count>> record(s) for <<sink>>-<<shard>>: 30005 ms has passed since batch creation plus linger time
at @B.kafka.sink.Kafka011OutputFormat.checkErroneous(Kafka011OutputFormat.java:388)
at @B.kafka.sink.Kafka011OutputFormat.writeRecord(Kafka011OutputFormat.java:301)
""" + _SINK_HEAD + """
""" + _INPUT_TAIL + """
Caused by: org.apache.kafka.common.errors.TimeoutException: Expiring <<count>> record(s) for\
 <<sink>>-<<shard>>: 30005 ms has passed since batch creation plus linger time
at @B.kafka.sink.Kafka011OutputFormat$1.onCompletion(Kafka011OutputFormat.java:214)
at org.apache.kafka.clients.producer.internals.ProducerBatch.completeFutureAndFireCallbacks(ProducerBatch.java:204)
at org.apache.kafka.clients.producer.internals.ProducerBatch.done(ProducerBatch.java:187)
at org.apache.kafka.clients.producer.internals.Sender.failBatch(Sender.java:627)
at org.apache.kafka.clients.producer.internals.Sender.sendProducerData(Sender.java:287)
at org.apache.kafka.clients.producer.internals.Sender.run(Sender.java:238)
at org.apache.kafka.clients.producer.internals.Sender.run(Sender.java:163)
at java.lang.Thread.run(Thread.java:834)"""),
    "odps_read": ("batch", """java.io.IOException: Failed to read MaxCompute table\
 <<project>>_mc.<<topic>>_di partition ds=<<ds>>: download session expired
at com.alibaba.blink.connectors.odps.source.OdpsInputFormat.nextRecord(OdpsInputFormat.java:322)
at com.alibaba.blink.connectors.odps.source.OdpsInputFormat.nextRecord(OdpsInputFormat.java:64)
at @F.runtime.operators.DataSourceTask.invoke(DataSourceTask.java:195)
at @F.runtime.taskmanager.Task.run(Task.java:711)
at java.lang.Thread.run(Thread.java:834)
Caused by: com.aliyun.odps.tunnel.TunnelException: RequestId=<<request_id>>,\
 ErrorCode=InvalidSessionStatus, ErrorMessage=The download session is expired.
at com.aliyun.odps.tunnel.TableTunnel$DownloadSession.openRecordReader(TableTunnel.java:981)
at com.aliyun.odps.tunnel.TableTunnel$DownloadSession.openRecordReader(TableTunnel.java:943)
at com.alibaba.blink.connectors.odps.source.OdpsInputFormat.openReader(OdpsInputFormat.java:251)
at com.alibaba.blink.connectors.odps.source.OdpsInputFormat.nextRecord(OdpsInputFormat.java:309)
... 4 more
Caused by: com.aliyun.odps.OdpsException: The download session is expired.
at com.aliyun.odps.commons.transport.DefaultConnection.getResponse(DefaultConnection.java:138)
at com.aliyun.odps.rest.RestClient.request(RestClient.java:344)
at com.aliyun.odps.rest.RestClient.requestWithRetry(RestClient.java:218)
at com.aliyun.odps.tunnel.TableTunnel$DownloadSession.reload(TableTunnel.java:1034)
at com.aliyun.odps.tunnel.TableTunnel$DownloadSession.<init>(TableTunnel.java:902)
at com.aliyun.odps.tunnel.io.TunnelRetryHandler.executeWithRetry(TunnelRetryHandler.java:84)
at com.aliyun.odps.tunnel.TableTunnel$DownloadSession.openRecordReader(TableTunnel.java:975)
... 7 more"""),
}
_ABBREVIATIONS = (("at @N.", "at org.apache.flink.shaded.netty4.io.netty."),
                  ("at @B.", "at com.alibaba.blink.streaming.connectors."), ("at @F.", "at org.apache.flink."))


def _expand_trace(text: str) -> str:
    lines = []
    for ln in text.split("\n"):
        for short, full in _ABBREVIATIONS:
            if ln.startswith(short):
                ln = full + ln[len(short):]
        lines.append(("\t" + ln) if ln.startswith(("at ", "... ")) else ln)
    return "\n".join(lines)


_TRACE_LINES: dict[str, str] = {k: _expand_trace(text) for k, (_, text) in _TRACES.items()}
_PLACEHOLDER = re.compile(r"<<(\w+)>>")


def _view_code(v: InstanceView) -> str:
    return v.code or synth_code(v.job_name, v.seed, v.job_type != "FLINK_BATCH")


def _connector_types(v: InstanceView) -> tuple[frozenset[str], frozenset[str]]:
    return _connector_types_of(_view_code(v))


@lru_cache(maxsize=1024)
def _connector_types_of(code: str) -> tuple[frozenset[str], frozenset[str]]:
    a = _analyze(code)
    if a.error or a.datastream:
        return frozenset({"kafka"} if a.datastream else ()), frozenset()
    inputs, outputs, _ = _io(a)

    def norm(t: _Table) -> str:
        typ = next((val for k, val in t.props.items() if k.lower() == "type"), "").lower()
        return "kafka" if typ.startswith("kafka") and t in inputs else typ

    return frozenset(norm(t) for t in inputs), frozenset(norm(t) for t in outputs)


# (keyword in a LastErrorMessage, trace kind): lets a message chosen by the service keep a matching stack trace.
_MESSAGE_KINDS = (("OutOfMemoryError", "oom_heap"), ("RemoteTransportException", "remote_transport"),
                  ("Heartbeat", "heartbeat"), ("NullPointerException", "npe_udf"), ("DataHub", "datahub_read"),
                  ("Datahub", "datahub_read"), ("send data to Kafka", "kafka_produce"), ("Kafka", "kafka_fetch"),
                  ("LogException", "sls_quota"), ("SLS", "sls_quota"), ("RDS", "rds_write"), ("JDBC", "rds_write"),
                  ("Communications link failure", "rds_write"), ("Holo", "holo_write"), ("hologres", "holo_write"),
                  ("Elasticsearch", "es_write"), ("heckpoint", "checkpoint_decline"), ("MaxCompute", "odps_read"),
                  ("ODPS", "odps_read"))


def _message_kind(message: str | None) -> str | None:
    if not message:
        return None
    return next((kind for word, kind in _MESSAGE_KINDS if word in message), None)


def _kinds(v: InstanceView) -> list[str]:
    """Candidate exception kinds for the instance, most characteristic first."""
    srcs, sinks = _connector_types(v)
    specific = [k for k, (where, _) in _TRACES.items()
                if (where.startswith("source:") and where[7:] in srcs)
                or (where.startswith("sink:") and where[5:] in sinks)]
    given = _message_kind(v.last_error_message)
    if v.job_type == "FLINK_BATCH":
        kinds = ["odps_read", "oom_heap", "heartbeat"]
    elif v.scenario == "checkpoint_failing":
        kinds = ["checkpoint_decline", "remote_transport"]
    elif v.scenario == "failing":
        dominant = (specific + ["npe_udf", "oom_heap"])[_key(v.seed, v.job_name, "dom") % (len(specific) + 2)]
        kinds = [dominant, "remote_transport", "heartbeat"]
    else:
        kinds = specific + ["remote_transport", "heartbeat"]
    if given and v.scenario in ("failing", "checkpoint_failing", "batch_failed"):
        kinds = [given] + [k for k in kinds if k != given]
    return kinds


def _event_kind(v: InstanceView, base: int, i: int) -> str:
    if i == 0 and (given := _message_kind(v.last_error_message)):
        return given
    kinds = _kinds(v)
    if v.scenario in ("failing", "checkpoint_failing", "batch_failed"):
        return kinds[0] if i == 0 or _u(base, 21, i) < 0.8 else kinds[1 + int(_u(base, 22, i) * (len(kinds) - 1))]
    return kinds[int(_u(base, 21, i) * len(kinds))]


def _event_vertex(v: InstanceView, kind: str, base: int, i: int) -> _Vertex:
    verts = _view_vertices(v)
    where = _TRACES[kind][0]
    if where.startswith("source") or kind == "odps_read":
        pool = [x for x in verts if x.kind.startswith("source")]
    elif where.startswith("sink"):
        pool = [x for x in verts if "sink" in x.kind]
    elif kind in ("oom_heap", "checkpoint_decline", "npe_udf"):
        pool = [x for x in verts if x.kind == "operator"] or [x for x in verts if "sink" in x.kind]
    else:
        pool = list(verts)
    pool = pool or list(verts)
    return pool[int(_u(base, 23, i) * len(pool))]


def _location(base: int, i: int) -> tuple[str, str, str]:
    """(location 'host:port', taskManagerId, host) of the task that failed."""
    tm = 1 + int(_u(base, 24, i) * 12)
    host = f"taskmanager-{tm}.cn-hangzhou.internal"
    port = 42000 + int(_u(base, 25, i) * 3000)
    container = f"container_e08_1597654819348_{(base >> 20) % 9000 + 1000:04d}_01_{tm + 1:06d}"
    return f"{host}:{port}", container, host


@lru_cache(maxsize=1024)
def _topic_sink(code: str) -> tuple[str, str]:
    a = _analyze(code)
    inputs, outputs, _ = _io(a) if not (a.error or a.datastream) else ([], [], [])
    topic = next((t.props.get("topic") or t.props.get("logStore") or t.name for t in inputs), "ods_events")
    return topic, outputs[0].name if outputs else "result_table"


def _event_text(v: InstanceView, f: _Failures, i: int, kind: str = "", vertex: _Vertex | None = None) -> str:
    base = _inst_key(v)
    kind = kind or _event_kind(v, base, i)
    vertex = vertex or _event_vertex(v, kind, base, i)
    t = _failure_time(f, base, i)
    topic, sink = _topic_sink(_view_code(v))
    peer_tm = 1 + int(_u(base, 26, i) * 12)
    values = {
        "project": lambda: v.project, "topic": lambda: topic, "sink": lambda: sink,
        "shard": lambda: str(int(_u(base, 27, i) * 8)),
        "request_id": lambda: f"{t // 1000}{_hex(base ^ i, 12)}", "broker": lambda: f"192.168.10.{21 + i % 3}:9092",
        "peer": lambda: f"taskmanager-{peer_tm}.cn-hangzhou.internal",
        "peer_ip": lambda: f"11.193.{peer_tm}.{17 + i % 200}",
        "peer_port": lambda: str(42000 + int(_u(base, 28, i) * 3000)),
        "container": lambda: _location(base, i + 1)[1], "codegen": lambda: str(100 + int(_u(base, 29, i) * 900)),
        "chk": lambda: str(1000 + (t - v.start_ms) // 180_000),
        "operator": lambda: vertex.name.split(" -> ")[0][:120],
        "subtask": lambda: str(1 + int(_u(base, 30, i) * vertex.parallelism)),
        "par": lambda: str(vertex.parallelism), "count": lambda: str(12 + int(_u(base, 31, i) * 500)),
        "ds": lambda: cst(t)[:10],
    }
    text = _PLACEHOLDER.sub(lambda m: values[m.group(1)](), _TRACE_LINES[kind])
    if i == 0 and v.last_error_message and not text.startswith(v.last_error_message):
        text = v.last_error_message + "\n" + text.split("\n", 1)[1]
    return text


def _event_entries(v: InstanceView, f: _Failures, i: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(all-exceptions entry, exceptionHistory entry) of failure i."""
    base = _inst_key(v)
    kind = _event_kind(v, base, i)
    vertex = _event_vertex(v, kind, base, i)
    text = _event_text(v, f, i, kind, vertex)
    sub = 1 + int(_u(base, 32, i) * vertex.parallelism)
    task = f"{vertex.name} ({sub}/{vertex.parallelism})"
    location, container, _ = _location(base, i)
    t = _failure_time(f, base, i)
    first = text.split("\n", 1)[0]
    name = first.split(":", 1)[0].strip()
    return ({"exception": text, "task": task, "location": location, "timestamp": t},
            {"exceptionName": name, "stacktrace": text, "timestamp": t, "taskName": task,
             "location": location, "endpoint": location, "taskManagerId": container, "failureLabels": {},
             "concurrentExceptions": []})


def exceptions(v: InstanceView) -> dict[str, Any]:
    """GetInstanceExceptions' payload (Flink's job exceptions REST shape plus "exceptionHistory").

    Newest first; one entry per failover (up to ALL_EXCEPTIONS_CAP / HISTORY_CAP, then truncated=true).
    An instance without failovers gives the spec example: root-exception null, empty lists."""
    f = _failures(v) if _started(v) or v.actual_state == "FAILED" else _Failures(0, 0, 0.0, v.start_ms)
    if f.count == 0:
        return {"root-exception": None, "timestamp": None, "all-exceptions": [], "truncated": False,
                "exceptionHistory": {"entries": [], "truncated": False}}
    n = min(f.count, ALL_EXCEPTIONS_CAP)
    pairs = [_event_entries(v, f, i) for i in range(n)]
    return {"root-exception": pairs[0][0]["exception"], "timestamp": pairs[0][0]["timestamp"],
            "all-exceptions": [p[0] for p in pairs], "truncated": f.count > ALL_EXCEPTIONS_CAP,
            "exceptionHistory": {"entries": [p[1] for p in pairs[:HISTORY_CAP]], "truncated": f.count > HISTORY_CAP}}


def _fit(text: str, budget: int) -> str:
    """The longest prefix of text whose JSON encoding (quotes included) is at most budget bytes."""
    lo, hi = 0, len(text)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if len(json.dumps(text[:mid])) <= budget:
            lo = mid
        else:
            hi = mid - 1
    return text[:lo]


def exceptions_of_size(v: InstanceView, target_bytes: int) -> dict[str, Any]:
    """An exceptions payload whose json.dumps() is about target_bytes long (for benchmarking huge payloads).

    Uses the instance's failure history, continued back in time as far as needed."""
    f = _failures(v)
    if f.count == 0:
        f = _Failures(1, _horizon(v) if _started(v) else v.now_ms, 90_000.0, v.start_ms)
    f = replace(f, count=1 << 30)
    first_all, first_hist = _event_entries(v, f, 0)
    payload: dict[str, Any] = {"root-exception": first_all["exception"], "timestamp": first_all["timestamp"],
                               "all-exceptions": [], "truncated": True,
                               "exceptionHistory": {"entries": [first_hist], "truncated": True}}
    size = len(json.dumps(payload))
    if size > target_bytes:  # small target: drop the history entry, then shorten the root exception
        payload["exceptionHistory"]["entries"] = []
        size = len(json.dumps(payload))
        if size > target_bytes:
            root = payload["root-exception"]
            payload["root-exception"] = _fit(root, len(json.dumps(root)) - (size - target_bytes))
            return payload
    entries: list[dict[str, Any]] = payload["all-exceptions"]
    i = 0
    while size < target_bytes:
        entry = _event_entries(v, f, i)[0]
        esize = len(json.dumps(entry)) + (2 if entries else 0)
        if size + esize > target_bytes:
            text = entry["exception"]
            budget = len(json.dumps(text)) - (size + esize - target_bytes)
            if budget > 200:
                entry["exception"] = _fit(text, budget)
                entries.append(entry)
            break
        entries.append(entry)
        size += esize
        i += 1
    return payload


# --------------------------------------------------------------------------------------------------------------
# Checkpoints


def _external_base(v: InstanceView) -> str:
    cluster = v.cluster_id or "et2cloudprod"
    queue = v.queue_name or f"root.{v.project}"
    return f"hdfs://{cluster}/blink_rest_server/{queue}/{v.job_name}"


@dataclass(frozen=True)
class _CkptModel:
    interval: int
    first: int  # trigger time of checkpoint k=1
    base_id: int  # id of checkpoint k is base_id + k
    count: int  # checkpoints triggered up to the horizon
    horizon: int
    onset: int | None  # checkpoint_failing: triggers at/after this time fail
    subtasks: int
    state: float  # base state size in bytes
    incremental: bool
    restored_id: int  # 0 if the instance did not start from a retained checkpoint/savepoint
    key: int


_P_RANDOM_FAIL = 0.01


def _ckpt_model(v: InstanceView) -> _CkptModel:
    key = _inst_key(v)
    jk = _job_key(v)
    interval = checkpoint_interval_ms(v)
    first = v.start_ms + interval + int(_u(key, 40) * 900)
    horizon = _horizon(v)
    count = 0 if horizon < first else (horizon - first) // interval + 1
    onset = None
    if v.scenario == "checkpoint_failing":
        onset = v.now_ms - int((6 + _u(key, 41) * 24) * 60_000)
    verts = _view_vertices(v)
    subtasks = sum(x.parallelism for x in verts)
    code = v.code or ""
    stateful = bool(re.search(r"GROUP\s+BY|JOIN|KeyedProcess|blink\.main\.class", code, re.I)) or not code
    state = (4096 + _u(jk, 42) * 60_000) if not stateful else 10 ** (6 + _u(jk, 43) * 3.5)
    backend = parse_properties(v.properties).get("state.backend.type", "gemini" if "gemini" in code else "niagara")
    incremental = stateful and backend in ("gemini", "niagara", "rocksdb")
    restored = int(_u(key, 44) * 60_000) + 1 if _u(key, 45) < 0.6 else 0
    return _CkptModel(interval, first, restored, count, horizon, onset, subtasks, state, incremental,
                      restored, key)


def _ckpt_trigger(m: _CkptModel, k: int) -> int:
    return m.first + (k - 1) * m.interval


def _ckpt_size(m: _CkptModel, k: int) -> tuple[int, int]:
    """(state_size, full_state_size) of checkpoint k: slow growth, a daily wave and noise."""
    full = m.state * (1 + 0.25 * math.sin(k / 37.0) + 0.4 * k / (k + 2000.0)) * (0.97 + 0.06 * _u(m.key, 46, k))
    full = max(1024, int(full))
    if m.incremental:
        return max(512, int(full * (0.08 + 0.2 * _u(m.key, 47, k)))), full
    return full, full


def _ckpt_failure(v: InstanceView, m: _CkptModel, fi: _FailIndex, k: int) -> str | None:
    t = _ckpt_trigger(m, k)
    if m.onset is not None and t >= m.onset:
        return ("Checkpoint expired before completing." if _u(m.key, 48, k) < 0.6 else
                f"Checkpoint was declined (tasks not ready). Failure reason: CheckpointException: Could not complete "
                f"snapshot {m.base_id + k} for operator {_view_vertices(v)[-1].name.split(' -> ')[0][:80]}.")
    if fi.f.count and fi.between(t, t + min(m.interval, 60_000)):
        return "Checkpoint Coordinator is suspending."
    if _u(m.key, 49, k) < _P_RANDOM_FAIL:
        return "Checkpoint expired before completing."
    return None


def _ckpt_entry(v: InstanceView, m: _CkptModel, fi: _FailIndex, k: int, latest_completed: int) -> dict[str, Any]:
    t = _ckpt_trigger(m, k)
    cid = m.base_id + k
    size, full = _ckpt_size(m, k)
    dur = int(8 + (size / 2e6) * 40 * (0.5 + _u(m.key, 50, k)) + (_u(m.key, 51, k) ** 8) * 900)
    if v.scenario == "lagging":
        dur = int(dur * 6 + 2000 * _u(m.key, 52, k))
    align = 0 if v.scenario != "lagging" else int(size * 0.02 * _u(m.key, 53, k))
    failure = _ckpt_failure(v, m, fi, k)
    in_progress = failure is None and v.actual_state in _ALIVE and t + dur > m.horizon
    entry: dict[str, Any] = {
        "@class": "completed", "id": cid, "status": "COMPLETED", "is_savepoint": False, "trigger_timestamp": t,
        "latest_ack_timestamp": t + dur, "state_size": size, "full_state_size": full, "end_to_end_duration": dur,
        "alignment_buffered": align, "num_subtasks": m.subtasks, "num_acknowledged_subtasks": m.subtasks,
        "tasks": {}, "external_path": f"{_external_base(v)}/chk-{cid}", "discarded": k != latest_completed,
    }
    if in_progress:
        acked = int(m.subtasks * (m.horizon - t) / max(dur, 1))
        entry.update({"@class": "in_progress", "status": "IN_PROGRESS", "latest_ack_timestamp": m.horizon,
                      "state_size": int(size * acked / max(m.subtasks, 1)), "end_to_end_duration": m.horizon - t,
                      "num_acknowledged_subtasks": min(acked, m.subtasks - 1), "external_path": None,
                      "discarded": False})
    elif failure:
        timeout = _int_prop(v, "blink.checkpoint.timeout.ms", DEFAULT_CHECKPOINT_TIMEOUT_MS)
        fail_after = min(timeout, max(1000, m.interval - 5000)) if "expired" in failure else int(dur * 0.6) + 50
        acked = int(m.subtasks * (0.3 + 0.6 * _u(m.key, 54, k)))
        entry.update({"@class": "failed", "status": "FAILED", "latest_ack_timestamp": t + int(fail_after * 0.7),
                      "state_size": int(size * acked / max(m.subtasks, 1)), "end_to_end_duration": fail_after,
                      "num_acknowledged_subtasks": min(acked, m.subtasks - 1), "external_path": None,
                      "discarded": True, "failure_timestamp": t + fail_after, "failure_message": failure})
    return entry


def _empty_checkpoints() -> dict[str, Any]:
    zero = {"min": 0, "max": 0, "avg": 0}
    return {"counts": {"restored": 0, "total": 0, "in_progress": 0, "completed": 0, "failed": 0},
            "summary": {"state_size": dict(zero), "end_to_end_duration": dict(zero),
                        "alignment_buffered": dict(zero)},
            "latest": {"completed": None, "savepoint": None, "failed": None, "restored": None},
            "history": []}


def checkpoints(v: InstanceView) -> dict[str, Any]:
    """GetInstanceCheckpoint's payload (Flink checkpoint statistics REST shape, as the spec example).

    A checkpoint is triggered every blink.checkpoint.interval.ms since the start, so ids, counts and sizes grow
    with now_ms; a stopped/paused instance is frozen at its end; batch or not-yet-started instances are empty."""
    if not _started(v) or v.job_type == "FLINK_BATCH":
        return _empty_checkpoints()
    m = _ckpt_model(v)
    f = _failures(v)
    if m.count == 0:
        out = _empty_checkpoints()
        out["latest"]["restored"] = _restored(v, m, f)
        out["counts"]["restored"] = f.count + (1 if m.restored_id else 0)
        return out
    ks = list(range(m.count, max(0, m.count - CHECKPOINT_HISTORY), -1))
    fi = _FailIndex(v, f)
    fi.between(_ckpt_trigger(m, ks[-1]), m.horizon + 60_000)
    failures = {k: _ckpt_failure(v, m, fi, k) for k in ks}
    latest_completed = next((k for k in ks if failures[k] is None), 0)
    if not latest_completed:
        k = min(ks) - 1
        if m.onset is not None:
            k = min(k, (m.onset - m.first) // m.interval)
        fi.between(_ckpt_trigger(m, max(1, k - 300)), m.horizon + 60_000)
        for _ in range(300):
            if k < 1:
                break
            if _ckpt_failure(v, m, fi, k) is None:
                latest_completed = k
                break
            k -= 1
    history = [_ckpt_entry(v, m, fi, k, latest_completed) for k in ks]
    if history and history[0]["status"] == "IN_PROGRESS" and latest_completed == ks[0]:
        latest_completed = next((k for k in ks[1:] if failures[k] is None), 0)
        history = [_ckpt_entry(v, m, fi, k, latest_completed) for k in ks]
    window_failed = sum(1 for e in history if e["status"] == "FAILED")
    in_progress = sum(1 for e in history if e["status"] == "IN_PROGRESS")
    older = max(0, m.count - len(ks))
    older_failed = int(older * _P_RANDOM_FAIL)
    if m.onset is not None and older:
        k_onset = max(1, (m.onset - m.first) // m.interval + 1)
        older_failed += max(0, older - k_onset + 1)
    if f.count:
        older_failed += _failures_count(f, m.first, _ckpt_trigger(m, min(ks)) - 1)
    older_failed = min(older, older_failed)
    savepoint = None
    if v.actual_state == "PAUSED" or (v.actual_state == "TERMINATED" and _u(m.key, 55) < 0.5):
        sp_id = m.base_id + m.count + 1
        t = m.horizon - 4000
        size, full = _ckpt_size(m, m.count)
        savepoint = {"@class": "completed", "id": sp_id, "status": "COMPLETED", "is_savepoint": True,
                     "trigger_timestamp": t, "latest_ack_timestamp": t + 1800, "state_size": full,
                     "full_state_size": full, "end_to_end_duration": 1800, "alignment_buffered": 0,
                     "num_subtasks": m.subtasks, "num_acknowledged_subtasks": m.subtasks, "tasks": {},
                     "external_path": f"{_external_base(v)}/savepoints/savepoint-{jid(v)[:6]}-{_hex(m.key, 12)}",
                     "discarded": False}
        history = ([savepoint] + history)[:CHECKPOINT_HISTORY]
    completed_entries = [e for e in history if e["status"] == "COMPLETED"]
    latest_completed_entry = next((e for e in history if e["status"] == "COMPLETED" and not e["is_savepoint"]), None)
    if latest_completed_entry is None and latest_completed:
        latest_completed_entry = _ckpt_entry(v, m, fi, latest_completed, latest_completed)
    latest_failed = next((e for e in history if e["status"] == "FAILED"), None)
    total = m.count + (1 if savepoint else 0)
    completed = total - window_failed - older_failed - in_progress

    def stats(key: str) -> dict[str, int]:
        vals = [e[key] for e in completed_entries] or [0]
        return {"min": min(vals), "max": max(vals), "avg": int(sum(vals) / len(vals))}

    return {
        "counts": {"restored": f.count + (1 if m.restored_id else 0), "total": total, "in_progress": in_progress,
                   "completed": completed, "failed": window_failed + older_failed},
        "summary": {"state_size": stats("state_size"), "end_to_end_duration": stats("end_to_end_duration"),
                    "alignment_buffered": stats("alignment_buffered")},
        "latest": {"completed": latest_completed_entry, "savepoint": savepoint, "failed": latest_failed,
                   "restored": _restored(v, m, f)},
        "history": history,
    }


def _restored(v: InstanceView, m: _CkptModel, f: _Failures) -> dict[str, Any] | None:
    if f.count:
        t = f.latest
        k = max(0, (t - m.first) // m.interval + 1) if t >= m.first else 0
        if k == 0 and not m.restored_id:
            return None
        cid = m.base_id + k
        return {"id": cid, "restore_timestamp": t + 4000 + int(_u(m.key, 56) * 8000), "is_savepoint": False,
                "external_path": f"{_external_base(v)}/chk-{cid}"}
    if m.restored_id:
        return {"id": m.restored_id, "restore_timestamp": v.start_ms + 42, "is_savepoint": _u(m.key, 57) < 0.3,
                "external_path": f"{_external_base(v)}/chk-{m.restored_id}"}
    return None


# --------------------------------------------------------------------------------------------------------------
# Metrics

_METRIC_KINDS = {
    "delay": "delay", "fetched_delay": "fetched_delay", "no_data_delay": "no_data_delay",
    "task_failover.rate": "failover", "failover_rate": "failover", "failover": "failover",
    "tps.rate": "in_tps", "inputTps": "in_tps", "in_tps": "in_tps", "input_tps": "in_tps",
    "numRecordsInPerSecond.rate": "in_tps", "parserTps.rate": "in_tps",
    "sink.outTps.rate": "out_tps", "outputTps": "out_tps", "out_tps": "out_tps", "output_tps": "out_tps",
    "numRecordsOutPerSecond.rate": "out_tps", "inBps.rate": "in_bps", "parserSkipCount": "skip",
    "lastCheckpointDuration": "cp_duration", "lastCheckpointSize": "cp_size", "checkpoints": "cp_count",
    "checkpointAlignmentTime": "cp_align", "state.state_size": "state_size", "state.state_newsize": "state_size",
    "Status.JVM.CPU.Usage": "cpu", "Status.JVM.Memory.Heap.Used": "heap", "Status.JVM.Memory.NonHeap.Used": "nonheap",
    "Status.JVM.Memory.Process.rss": "rss", "Status.JVM.Threads.Count": "threads",
    "Status.JVM.GarbageCollector.ConcurrentMarkSweep.Count": "gc_count",
    "Status.JVM.GarbageCollector.ConcurrentMarkSweep.Time": "gc_time", "watermarkLatency": "watermark",
    "lateRecordsDroppedRate": "late_rate", "numLateRecordsDropped": "late_total", "buffers.inPoolUsage": "in_pool",
    "buffers.outPoolUsage": "out_pool",
}
_RATE_KINDS = {"failover", "in_tps", "out_tps", "in_bps", "cpu", "late_rate", "in_pool", "out_pool", "skip"}
MAX_POINTS = 120


def metric_kind(v: InstanceView, metric: str) -> str:
    """Our series kind for a query's metric: 'blink.<project>.<job>.<name>' or a bare name/alias."""
    name = metric
    prefix = f"blink.{v.project}.{v.job_name}."
    if name.startswith(prefix):
        name = name[len(prefix):]
    elif name.startswith("blink.") and name.count(".") >= 3:
        name = name.split(".", 3)[3]
    return _METRIC_KINDS.get(name, _METRIC_KINDS.get(name.lower(), "generic"))


@dataclass(frozen=True)
class _Traits:
    tps: float
    ratio: float
    record_bytes: float
    delay: float
    key: int


def _traits(v: InstanceView) -> _Traits:
    jk = _job_key(v)
    agg = bool(re.search(r"GROUP\s+BY", v.code or "", re.I))
    return _Traits(10 ** (2.3 + 2.5 * _u(jk, 60)), (0.01 + 0.2 * _u(jk, 61)) if agg else 0.9 + 0.1 * _u(jk, 62),
                   200 + 800 * _u(jk, 63), 200 + 1500 * _u(jk, 64), jk)


def _in_tps(v: InstanceView, tr: _Traits, fi: _FailIndex, t_ms: int) -> float:
    hour = ((t_ms // 1000 + 8 * 3600) % 86400) / 3600
    x = tr.tps * (1 + 0.45 * math.sin(2 * math.pi * (hour - 10) / 24)) * (0.92 + 0.16 * _u(tr.key, 65, t_ms // 60_000))
    if fi.f.count and fi.recent(t_ms, 45_000) is not None:
        return 0.0
    if v.scenario == "lagging":
        x *= 0.55
    return x


def _delay(v: InstanceView, tr: _Traits, fi: _FailIndex, t_ms: int) -> float:
    noise = 0.7 + 0.6 * _u(tr.key, 66, t_ms // 60_000)
    d = tr.delay * noise
    if v.scenario == "lagging":  # falls behind by 1.2 s per minute, from > 3 minutes at the start
        d = 185_000 + 60_000 * _u(tr.key, 67) + max(0, t_ms - v.start_ms) * 0.02 + d
    elif v.scenario == "checkpoint_failing":
        d = d * 3 + 2000
    if fi.f.count:
        tf = fi.recent(t_ms, 900_000)
        if tf is not None:
            d += 90_000 * math.exp(-(t_ms - tf) / 150_000)
    return d


def _series_value(v: InstanceView, kind: str, metric: str, t_ms: int, step_ms: int, tr: _Traits, fi: _FailIndex,
                  cm: _CkptModel | None) -> float:
    u = _u(tr.key, 70, t_ms // 60_000)
    if kind in ("delay", "watermark"):
        return _delay(v, tr, fi, t_ms) + (4000 if kind == "watermark" else 0)
    if kind == "fetched_delay":
        return _delay(v, tr, fi, t_ms) * (0.75 + 0.15 * u)
    if kind == "no_data_delay":
        tf = fi.recent(t_ms, 45_000) if fi.f.count else None
        return float(t_ms - tf) if tf is not None else 30 + 900 * u
    if kind == "failover":
        n = len(fi.between(t_ms - step_ms + 1, t_ms)) if fi.f.count else 0
        return n / (step_ms / 60_000)
    if kind == "in_tps":
        return _in_tps(v, tr, fi, t_ms)
    if kind == "out_tps":
        return _in_tps(v, tr, fi, t_ms) * tr.ratio * (0.95 + 0.1 * u)
    if kind == "in_bps":
        return _in_tps(v, tr, fi, t_ms) * tr.record_bytes
    if kind == "skip":
        return 0.0 if u < 0.9 else u * 0.002
    if kind in ("cp_duration", "cp_size", "state_size", "cp_count", "cp_align"):
        if cm is None or t_ms < cm.first:
            return 0.0
        k = (t_ms - cm.first) // cm.interval + 1
        if kind == "cp_count":
            return float(k)
        e = _ckpt_entry(v, cm, fi, k, k)
        if kind == "cp_duration":
            return float(e["end_to_end_duration"])
        if kind == "cp_align":
            return float(e["alignment_buffered"]) * 1000.0
        return float(e["state_size"] if kind == "cp_size" else e["full_state_size"])
    if kind == "cpu":
        return min(0.99, (0.9 + 0.09 * u) if v.scenario == "lagging" else 0.15 + 0.45 * u)
    if kind in ("heap", "rss"):
        saw = (t_ms // 60_000) % 7 / 7
        mb = (300 + 700 * _u(tr.key, 71)) * (0.6 + 0.4 * saw) * (3 if kind == "rss" else 1)
        return mb * 1024 * (1024 if kind == "heap" else 1)
    if kind == "nonheap":
        return (110 + 30 * u) * 1024 * 1024
    if kind == "threads":
        return float(int(90 + 60 * _u(tr.key, 72) + 4 * u))
    if kind in ("gc_count", "gc_time"):
        n = (t_ms - v.start_ms) / 600_000 * (1 + _u(tr.key, 73))
        return float(int(n if kind == "gc_count" else n * 35))
    if kind == "in_pool":
        return 1.0 if v.scenario == "lagging" else 0.05 + 0.25 * u
    if kind == "out_pool":
        return 0.98 if v.scenario == "lagging" else 0.02 + 0.2 * u
    if kind == "late_rate":
        return 0.0 if u < 0.7 else u * 3
    if kind == "late_total":
        return float(int((t_ms - v.start_ms) / 60_000 * 0.5 * _u(tr.key, 74)))
    base = 10 ** (1 + 3 * _u(_ckey(metric), 75))
    return base * (0.8 + 0.4 * u)


def _java_number(x: float) -> str:
    """Java-ish scientific notation as the spec example ('4.929E+8', '4.9350016E+8')."""
    mantissa, exp = f"{x:.7E}".split("E")
    mantissa = mantissa.rstrip("0")
    mantissa = mantissa + "0" if mantissa.endswith(".") else mantissa
    return f"{mantissa}E+{int(exp)}"


def _format(kind: str, x: float, key: int, t: int) -> str | float:
    if kind in _RATE_KINDS or kind == "generic":
        return round(x, 3)
    if abs(x) >= 1e7 and _u(key, 76, t) < 0.5:
        return _java_number(x)
    return str(int(round(x)))


def _timeline(v: InstanceView, start_ms: int, end_ms: int) -> tuple[list[int], int]:
    """Epoch seconds of the points (every 60 s, or coarser to stay within MAX_POINTS) and the step in ms."""
    lo = max(start_ms, v.start_ms)
    hi = min(end_ms, _horizon(v), v.now_ms)
    if not _started(v) or hi < lo:
        return [], 60_000
    step = 60
    span = (end_ms - start_ms) / 1000
    if span / step > MAX_POINTS:
        step = 60 * math.ceil(span / 60 / MAX_POINTS)
    first = math.ceil(lo / 1000 / step) * step
    return list(range(first, hi // 1000 + 1, step)), step * 1000


def metrics(v: InstanceView, metric_json: dict[str, Any] | str) -> list[dict[str, Any]]:
    """GetInstanceMetric's `metrics` list: one {"metricName", "dps", "summary", "tags"} per query.

    dps keys are 10-digit epoch-second strings, one point per 60 s within [start, end] and the instance's life
    (coarser steps beyond MAX_POINTS). Units: delay/fetched_delay/no_data_delay/watermarkLatency in ms;
    *tps/rate in records (or bytes) per second; failover_rate in failovers per minute. Millisecond/byte/count
    series are strings (large ones sometimes in Java notation, '4.929E+8'); rates are JSON numbers."""
    q = json.loads(metric_json) if isinstance(metric_json, str) else metric_json
    start = int(q.get("start") or (v.now_ms - 3_600_000))
    end = int(q.get("end") or v.now_ms)
    points, step = _timeline(v, start, end)
    tr = _traits(v)
    fi = _FailIndex(v)
    if points:
        fi.between(points[0] * 1000 - 900_000 - step, points[-1] * 1000)
    cm = _ckpt_model(v) if _started(v) and v.job_type != "FLINK_BATCH" else None
    out = []
    for query in q.get("queries") or []:
        metric = str(query.get("metric", ""))
        kind = metric_kind(v, metric)
        dps: dict[str, str | float] = {}
        total = 0.0
        fkey = tr.key ^ _ckey(metric)
        for t in points:
            x = _series_value(v, kind, metric, t * 1000, step, tr, fi, cm)
            total += x
            dps[str(t)] = _format(kind, x, fkey, t)
        avg = total / len(points) if points else 0
        summary: float | int = round(avg, 3) if kind in _RATE_KINDS or kind == "generic" else int(round(avg))
        out.append({"metricName": metric, "dps": dps, "summary": summary, "tags": {}})
    return out


def input_delay(v: InstanceView) -> int:
    """InputDelay (ms) of the instance: its business delay now; 0 when it is not running."""
    if v.actual_state not in _ALIVE or not _started(v) or v.job_type == "FLINK_BATCH":
        return 0
    return int(_delay(v, _traits(v), _FailIndex(v), v.now_ms))


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
        lag = v.scenario == "lagging" and state == "RUNNING"
        vertices.append({
            "id": vx.id, "topology-id": i, "name": vx.name, "parallelism": vx.parallelism, "status": status,
            "start-time": start + 600 + 40 * i if state != "CREATED" else -1, "end-time": end,
            "duration": (alive_to - start) if state != "CREATED" else -1, "tasks": tasks,
            "metrics": {
                "read-bytes": int(read * tr.record_bytes), "read-bytes-complete": True,
                "write-bytes": int(write * tr.record_bytes), "write-bytes-complete": True,
                "read-records": read, "read-records-complete": True, "write-records": write,
                "write-records-complete": True,
                "buffers-in-pool-usage-max": 1.0 if lag and i else round(0.1 * _u(tr.key, 80, i), 3),
                "buffers-in-pool-usage-max-complete": True,
                "buffers-out-pool-usage-max": 1.0 if lag and i < len(verts) - 1 else round(0.1 * _u(tr.key, 81, i), 3),
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


# --------------------------------------------------------------------------------------------------------------
# AutoScale


def _autoscale_on(project: str, job_name: str, seed: int) -> bool:
    return _u(_key(seed, project, job_name), 90) < 0.35


def _autoscale_times(v: InstanceView) -> list[int]:
    if v.job_type == "FLINK_BATCH" or not _started(v) or not _autoscale_on(v.project, v.job_name, v.seed):
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


def autoscale_plan_content(v: InstanceView, plan_name: str) -> dict[str, Any]:
    """GetInstanceHistoryAutoScalePlanContent's PlanContent (a PlanJson with autoConfig). KeyError if unknown."""
    names = autoscale_plan_list(v)
    if plan_name not in names:
        raise KeyError(plan_name)
    k = names.index(plan_name)
    grow = v.scenario == "lagging"
    par = max(1, v.parallelism * (k + 2) // 2 if grow else v.parallelism + (1 if k % 3 == 1 else 0))
    plan = plan_json(v.job_name, v.code, par, v.seed)
    if k == 0:
        return _with_autoconfig(plan, 1, "InitialScale", "New job, using default configuration.")
    action = "ScaleUp" if grow or k % 3 == 1 else "ScaleDown"
    msg = ("Source data retention time exceeds fetch_delay; scaling up the bottleneck vertices." if action == "ScaleUp"
           else "Resources over-provisioned for the last 2 hours; scaling down.")
    return _with_autoconfig(plan, k + 1, action, msg)


def latest_autoscale_plan(job_name: str, seed: int) -> dict[str, Any]:
    """GetJobLatestAutoScalePlan's PlanJson for a job (synthesised from the job name; always a plan)."""
    par = 2 + _key(seed, job_name, "as") % 7
    plan = plan_json(job_name, synth_code(job_name, seed), par, seed)
    return _with_autoconfig(plan, 1 + _key(seed, job_name, "at") % 6, "ScaleUp",
                            "Applied the last AutoScale plan of the previous run.")


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
