"""The `/` filter language: text, regex, field filters and comparisons, combined (no Textual here).

    running            rows whose text contains "running" (case-insensitive), as k9s does
    !running           rows whose text does not
    /fail(ed|over)/    a regular expression over the row's text (Python syntax, case-insensitive)
    state:failed       a field contains a value; state:failed,starting = either value
    state=failed       a field equals a value (case-insensitive); state!=running
    error~/time.?out/  a regular expression over one field (quote or /…/ a pattern that holds | or spaces)
    delay>5m           durations (ms s m h d, a bare number is seconds) and numbers compare with > >= < <=
    "two words"        quotes keep spaces (and make `a:b` plain text)

Terms separated by spaces must all match (AND); `|` (or the word `or`) separates alternatives (OR), and AND
binds tighter: `state:failed queue:etl | delay>10m` is (failed AND in etl) OR delayed more than 10 minutes.
A `!` before any term negates it. Bad input raises `FilterError`, whose message says what to type instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

FieldKind = Literal["text", "duration", "number"]
Record = Mapping[str, Any]  # field name -> value; TEXT is the free text that words and /regex/ search
TEXT = ""

COMPARISONS = (">=", "<=", "!=", ">", "<", "=", "~", ":")
_FIELD = re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]*)(>=|<=|!=|>|<|=|~|:)(.*)$", re.DOTALL)
_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h|d)", re.IGNORECASE)
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0}


class FilterError(ValueError):
    """A filter that cannot be read: `message` says what is wrong and how to write it; `position` is where."""

    def __init__(self, message: str, position: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """A field a filter can name: its kind decides which operators it takes; `help` is shown in errors."""

    kind: FieldKind = "text"
    help: str = ""


Predicate = Callable[[Record], bool]


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed filter: alternatives (OR) of term lists (AND). `fields` lists the field names it uses."""

    text: str
    alternatives: tuple[tuple[Predicate, ...], ...]
    fields: frozenset[str]

    def matches(self, record: Record) -> bool:
        return any(all(term(record) for term in group) for group in self.alternatives)

    __call__ = matches


# --- tokens -------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    raw: str
    position: int
    is_or: bool = False


def _tokens(text: str) -> list[_Token]:
    """Split on spaces outside quotes and /regex/; `|` is a token of its own."""
    out: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        if text[i] == "|":
            out.append(_Token("|", i, is_or=True))
            i += 1
            continue
        start = i
        quote = False
        regex = False
        while i < n:
            ch = text[i]
            if ch == "\\" and (quote or regex) and i + 1 < n:
                i += 2
                continue
            if ch == '"' and not regex:
                quote = not quote
            elif ch == "/" and not quote:
                body = text[start:i].lstrip("!")
                if not regex and (body == "" or body.endswith("~")):
                    regex = True  # /…/ at the start of a term: spaces and | belong to the pattern
                elif regex:
                    regex = False
            elif not quote and not regex and (ch.isspace() or ch == "|"):
                break
            i += 1
        if quote:
            raise FilterError('a quote is not closed: add the closing "', start)
        if regex:
            raise FilterError("a /regex/ is not closed: add the closing /", start)
        raw = text[start:i]
        out.append(_Token(raw, start, is_or=raw.lower() == "or"))
    return out


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"')
    return value


# --- values -------------------------------------------------------------------------------------------


def parse_duration(value: str) -> float | None:
    """Seconds for `90`, `90s`, `5m`, `1h30m`, `2d`, `250ms`; None when `value` is no duration."""
    value = value.strip().lower()
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    pos = 0
    total = 0.0
    for match in _DURATION_PART.finditer(value):
        if match.start() != pos:
            return None
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
        pos = match.end()
    return total if pos == len(value) and pos > 0 else None


def _number(value: str, kind: FieldKind, name: str, position: int) -> float:
    if kind == "duration":
        seconds = parse_duration(value)
        if seconds is None:
            raise FilterError(f"{name} is a duration: write it like 90s, 5m, 1h30m or 2d (not {value!r})", position)
        return seconds
    try:
        return float(value)
    except ValueError:
        raise FilterError(f"{name} is a number: write it like {name}>10 (not {value!r})", position) from None


def _compile_regex(pattern: str, position: int) -> re.Pattern[str]:
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as err:
        raise FilterError(f"bad regular expression {pattern!r}: {err.msg}", position) from None


def _as_text(value: Any) -> str:
    return "" if value is None else str(value)


def _as_number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# --- terms --------------------------------------------------------------------------------------------


def _text_term(needle: str) -> Predicate:
    needle = needle.lower()
    return lambda record: needle in _as_text(record.get(TEXT)).lower()


def _regex_term(pattern: re.Pattern[str], name: str) -> Predicate:
    return lambda record: pattern.search(_as_text(record.get(name))) is not None


def _field_term(name: str, spec: FieldSpec, op: str, raw_value: str, position: int) -> Predicate:
    value = _unquote(raw_value)
    if value == "":
        example = f"{name}>5m" if spec.kind == "duration" else (f"{name}>10" if spec.kind == "number" else
                                                              f"{name}:value")
        raise FilterError(f"{name}{op} needs a value, e.g. {example}", position)
    if op == "~":
        return _regex_term(_compile_regex(value, position), name)
    if spec.kind == "text":
        if op in (">", ">=", "<", "<="):
            raise FilterError(f"{name} is text: it takes : = != or ~, not {op}", position)
        wanted = [v.strip().lower() for v in value.split(",") if v.strip()]
        if op == ":":
            return lambda record: any(w in _as_text(record.get(name)).lower() for w in wanted)
        if op == "=":
            return lambda record: _as_text(record.get(name)).lower() in wanted
        return lambda record: _as_text(record.get(name)).lower() not in wanted
    # durations and numbers
    if op == ":":
        raise FilterError(f"{name} is a {spec.kind}: compare it, e.g. {name}>5m or {name}<=30s"
                          if spec.kind == "duration" else f"{name} is a number: compare it, e.g. {name}<60",
                          position)
    limit = _number(value, spec.kind, name, position)
    compare: Callable[[float], bool] = {
        ">": lambda v: v > limit, ">=": lambda v: v >= limit, "<": lambda v: v < limit,
        "<=": lambda v: v <= limit, "=": lambda v: v == limit, "!=": lambda v: v != limit,
    }[op]

    def term(record: Record) -> bool:
        number = _as_number(record.get(name))
        return number is not None and compare(number)  # no value (a stopped job's delay): never matches

    return term


def _term(token: _Token, fields: Mapping[str, FieldSpec], aliases: Mapping[str, str],
          used: set[str]) -> Predicate:
    raw, position = token.raw, token.position
    negate = raw.startswith("!")
    body = raw[1:] if negate else raw
    if not body:
        raise FilterError("! needs something to negate, e.g. !running", position)
    predicate: Predicate
    if body.startswith("/"):
        if len(body) < 3 or not body.endswith("/"):
            raise FilterError("a /regex/ needs a pattern between the slashes", position)
        predicate = _regex_term(_compile_regex(body[1:-1], position), TEXT)
    elif body.startswith('"'):
        predicate = _text_term(_unquote(body))
    elif (match := _FIELD.match(body)) is not None:
        name, op, value = match.group(1).lower(), match.group(2), match.group(3)
        name = aliases.get(name, name)
        spec = fields.get(name)
        if spec is None:
            known = ", ".join(sorted(fields))
            raise FilterError(f"unknown field {match.group(1)!r} (fields here: {known}); "
                              f'to search the text itself, quote it: "{body}"', position)
        used.add(name)
        if value.startswith("/") and value.endswith("/") and len(value) >= 2 and op == "~":
            value = value[1:-1]  # field~/regex/ reads like the text form
        predicate = _field_term(name, spec, op, value, position)
    else:
        predicate = _text_term(body)
    if negate:
        inner = predicate
        return lambda record: not inner(record)
    return predicate


def parse_query(text: str, fields: Mapping[str, FieldSpec], aliases: Mapping[str, str] | None = None) -> Query | None:
    """The filter `text` over records with these `fields`, or None when it filters nothing. Raises FilterError."""
    tokens = _tokens(text)
    if not tokens:
        return None
    aliases = aliases or {}
    groups: list[tuple[Predicate, ...]] = []
    current: list[Predicate] = []
    used: set[str] = set()
    for token in tokens:
        if token.is_or:
            if not current:
                raise FilterError("| needs a filter on each side, e.g. state:failed | delay>5m", token.position)
            groups.append(tuple(current))
            current = []
            continue
        current.append(_term(token, fields, aliases, used))
    if not current:
        raise FilterError("| needs a filter on each side, e.g. state:failed | delay>5m", len(text))
    groups.append(tuple(current))
    return Query(text.strip(), tuple(groups), frozenset(used))


def describe_fields(fields: Mapping[str, FieldSpec]) -> str:
    """One line naming the fields and what each compares as (for help text and placeholders)."""
    parts = []
    for name, spec in fields.items():
        parts.append(f"{name}>5m" if spec.kind == "duration" else (f"{name}<60" if spec.kind == "number"
                                                                    else f"{name}:…"))
    return " ".join(parts)


# --- the fields of the app's tables -------------------------------------------------------------------

JOB_FIELDS: dict[str, FieldSpec] = {
    "job": FieldSpec("text", "job name"),
    "project": FieldSpec("text", "project name"),
    "folder": FieldSpec("text", "folder path"),
    "state": FieldSpec("text", "actual state of the current instance (RUNNING, FAILED ...)"),
    "expect": FieldSpec("text", "expected state"),
    "type": FieldSpec("text", "stream or batch"),
    "queue": FieldSpec("text", "resource queue"),
    "engine": FieldSpec("text", "engine version"),
    "error": FieldSpec("text", "last error message"),
    "delay": FieldSpec("duration", "input delay of a running job"),
    "uptime": FieldSpec("duration", "time since the running instance started"),
    "instance": FieldSpec("number", "instance id"),
}
JOB_ALIASES = {"name": "job", "status": "state", "actual": "state", "expected": "expect", "lag": "delay"}

TRIAGE_FIELDS: dict[str, FieldSpec] = {
    "job": FieldSpec("text", "job name"),
    "project": FieldSpec("text", "project name"),
    "state": FieldSpec("text", "actual state"),
    "expect": FieldSpec("text", "expected state"),
    "type": FieldSpec("text", "stream or batch"),
    "severity": FieldSpec("text", "critical, warning, info or ok"),
    "kind": FieldSpec("text", "finding kinds: failed restarts delay checkpoint-stale ..."),
    "reason": FieldSpec("text", "the findings in words"),
    "error": FieldSpec("text", "last error message"),
    "profile": FieldSpec("text", "profile the job was found with"),
    "region": FieldSpec("text", "region of that profile"),
    "delay": FieldSpec("duration", "input delay"),
    "health": FieldSpec("number", "health score, 0-100"),
}
TRIAGE_ALIASES = {**JOB_ALIASES, "score": "health", "sev": "severity"}


def job_type_word(job_type: str) -> str:
    """`stream` or `batch` for FLINK_STREAM / FLINK_BATCH (what `type:` compares)."""
    return "batch" if "BATCH" in (job_type or "").upper() else "stream"


def job_record(project: str, job_name: str, job: Any = None, row: Any = None, now: float = 0.0) -> dict[str, Any]:
    """What the `/` filter sees of a job: `job` is a session JobInfo (type, folder, queue, engine) and `row` a
    live RunRow (states, delay, error) when known; either may be None. Durations in seconds."""
    job_type = getattr(row, "job_type", None) or getattr(job, "job_type", None) or ""
    record: dict[str, Any] = {
        "job": job_name, "project": project, "folder": getattr(job, "folder_path", None),
        "queue": getattr(job, "queue_name", None), "engine": getattr(job, "engine_version", None),
        "type": job_type_word(job_type) if job_type else None,
    }
    if row is None:
        record[TEXT] = job_name
        return record
    running = row.actual_state == "RUNNING"
    record.update({
        TEXT: f"{job_name} {row.actual_state} {row.expect_state} {row.last_error_message}",
        "state": row.actual_state, "expect": row.expect_state, "error": row.last_error_message,
        "instance": row.instance_id,
        # The delay and uptime the live table shows: only a running instance has them.
        "delay": row.input_delay / 1000 if running and row.input_delay is not None else None,
        "uptime": now - row.start_time / 1000 if running and row.start_time else None,
    })
    return record


def looks_like_fields(text: str) -> bool:
    """Whether `text` is meant as a field filter (the palette fuzzy-matches anything else)."""
    return _FIELD.match(text.strip().lstrip("!")) is not None or any(
        _FIELD.match(token.raw.lstrip("!")) for token in _safe_tokens(text))


def _safe_tokens(text: str) -> list[_Token]:
    try:
        return _tokens(text)
    except FilterError:
        return []
