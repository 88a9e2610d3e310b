"""SQL analysis shared by validate() and plan_json(): a light parser that finds tables, views and errors."""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

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


