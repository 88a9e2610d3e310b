"""Blink job properties: the documented keys (type, default, validation) and a `key=value` text model.

The text model keeps comments, blank lines, unknown keys and the original separators, so saving
a form changes only the lines the operator changed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["long", "bool", "enum", "text", "timezone"]

# Keys whose presence changes the state layout: adding or removing them loses the job's state (seed, 配置参数表).
STATE_LAYOUT_NOTE = "adding or removing this key loses the job's state; changing its value does not"


@dataclass(frozen=True, slots=True)
class PropertySpec:
    """One documented configuration key of the seed's configuration table (StartJob/UpdateJob)."""

    key: str
    label: str
    kind: Kind
    default: str | None = None  # documented default; None = "not set" (the engine decides)
    unit: str = ""
    choices: tuple[str, ...] = ()
    minimum: int | None = None
    since: str = ""  # engine version that introduced the key
    note: str = ""
    example: str = ""

    @property
    def help(self) -> str:
        parts = [self.label]
        if self.default is not None:
            parts.append(f"default {self.default}{' ' + self.unit if self.unit else ''}")
        elif self.unit:
            parts.append(f"unit {self.unit}")
        if self.since:
            parts.append(f"Blink {self.since}+")
        if self.note:
            parts.append(self.note)
        return "; ".join(parts)


def _long(key: str, label: str, **kw: object) -> PropertySpec:
    return PropertySpec(key, label, "long", **kw)  # type: ignore[arg-type]


def _bool(key: str, label: str, **kw: object) -> PropertySpec:
    return PropertySpec(key, label, "bool", choices=("true", "false"), **kw)  # type: ignore[arg-type]


# The seed's configuration table (StartJob / UpdateJob, "配置参数表"), in its order, plus
# state.backend.type from the seed's GetInstance example code. Defaults are the documented ones.
PROPERTY_SPECS: tuple[PropertySpec, ...] = (
    PropertySpec("blink.checkpoint.mode", "Checkpoint mode", "enum", choices=("EXACTLY_ONCE", "AT_LEAST_ONCE"),
                 note="EXACTLY_ONCE = exactly once, AT_LEAST_ONCE = at least once"),
    _long("blink.checkpoint.interval.ms", "Checkpoint interval", unit="ms", minimum=1, example="180000"),
    _long("blink.checkpoint.timeout.ms", "Checkpoint timeout", default="600000", unit="ms", minimum=1),
    _long("blink.job.option.jmMemMB", "JobManager memory", unit="MB", minimum=1, example="1024"),
    PropertySpec("blink.job.option", "Arguments passed to flink run", "text",
                 example="-yD env.java.opts='-Xss8192K'"),
    PropertySpec("client.jvm.option", "JVM options of the compile phase", "text", example="-Xss2048k"),
    _long("blink.miniBatch.allowLatencyMs", "MiniBatch max latency", unit="ms", minimum=0, example="10000",
          note=STATE_LAYOUT_NOTE),
    _long("blink.miniBatch.size", "MiniBatch max records", minimum=1, example="1000",
          note=STATE_LAYOUT_NOTE + "; too large a batch (>65536 distinct) can trigger a JNI OOM"),
    _long("blink.microBatch.allowLatencyMs", "MicroBatch max latency", unit="ms", minimum=0, since="2.2",
          example="10000"),
    _bool("blink.localAgg.enabled", "Local-Global aggregation (needs MiniBatch)", note=STATE_LAYOUT_NOTE
          + "; default true on Blink 2.2, false otherwise"),
    _bool("blink.partialAgg.enabled", "Partial-Final aggregation (COUNT DISTINCT hot spots)", default="false",
          since="2.2.0"),
    _bool("sql.exec.mini-batch.window.enabled", "MiniBatch window", default="false", since="3.2.0"),
    _long("sql.exec.source.idle.timeout.ms", "Source idle timeout (-1 = off)", default="-1", unit="ms",
          minimum=-1, since="3.2.0"),
    _long("blink.state.ttl.ms", "State TTL of TopN/groupBy nodes", unit="ms", minimum=1, example="60000",
          note="default: never cleared"),
    _long("blink.topn.cache.size", "TopN cache records", default="10000", minimum=1),
    _long("blink.job.submit.timeoutInSeconds", "SQL compile timeout", default="180", unit="s", minimum=1,
          note="keep it at 250 s or less"),
    PropertySpec("blink.job.timeZone", "Job time zone", "timezone", example="Asia/Shanghai",
                 note="default: the console's time zone"),
    _bool("blink.object.reuse", "Object reuse between chained operators",
          note="default true on Blink 2.2.0+, false otherwise"),
    _long("blink.auto.watermark.interval.ms", "Watermark emit interval", default="100", unit="ms", minimum=1),
    _bool("blink.job.timestamp.reserve.ms", "Millisecond timestamps in Ads/Petadata/SLS/ES/DataHub sinks",
          default="false", since="2.2.6"),
    _long("yarn.app.blink.source.buffer-len", "Source reader queue length", default="10", minimum=1),
    _long("yarn.app.blink.source.source.idle-interval", "Source idle sleep", default="10", unit="x100 ms",
          minimum=1, since="2.2.5"),
    _bool("sql.exec.fault.tolerance.enabled", "Fault tolerance", default="false", since="3.4.0"),
    PropertySpec("state.backend.type", "State backend", "enum", choices=("niagara", "gemini", "rocksdb"),
                 note="the console template sets niagara"),
    _long("state.backend.niagara.ttl.ms", "Niagara state retention", default="129600000", unit="ms", minimum=1,
          note="1.5 days"),
    _long("state.backend.gemini.ttl.ms", "Gemini state retention", default="129600000", unit="ms", minimum=1,
          note="1.5 days"),
    _long("state.backend.gemini.mem.size.mb", "Gemini native memory", default="384", unit="MB", minimum=1),
    _long("state.backend.block.cache.size.mb", "State backend read cache (Niagara/Gemini)", default="256",
          unit="MB", minimum=1),
    _long("state.backend.mem.table.size.mb", "State backend write cache (Niagara/Gemini)", default="128",
          unit="MB", minimum=1),
)
SPECS_BY_KEY: dict[str, PropertySpec] = {spec.key: spec for spec in PROPERTY_SPECS}

_LONG = re.compile(r"^-?\d+$")
_TZ = re.compile(r"^(UTC|GMT)([+-]\d{1,2}(:\d{2})?)?$|^[A-Za-z_]+(/[A-Za-z0-9_+\-]+)+$")
_KEY = re.compile(r"^[A-Za-z0-9_.\-]+$")
LONG_MAX = 2**63 - 1


def validate_value(key: str, value: str) -> str | None:
    """None when `value` is acceptable for `key`, else a message that says what is expected."""
    value = value.strip()
    spec = SPECS_BY_KEY.get(key)
    if not _KEY.match(key):
        return f"{key!r} is not a property key: use letters, digits, '.', '_' or '-' only"
    if spec is None:
        return None  # free keys are passed through untouched
    if value == "":
        return f"{key}: empty value; clear the field to remove the key instead"
    if spec.kind == "long":
        if not _LONG.match(value):
            example = f" (e.g. {spec.example or spec.default})" if (spec.example or spec.default) else ""
            unit = f" in {spec.unit}" if spec.unit else ""
            return f"{key} must be a whole number{unit}{example}; got {value!r}"
        number = int(value)
        if number > LONG_MAX:
            return f"{key} is too large (the engine reads it as a LONG, at most {LONG_MAX})"
        if spec.minimum is not None and number < spec.minimum:
            return f"{key} must be at least {spec.minimum}; got {number}"
    elif spec.kind in ("bool", "enum"):
        if value not in spec.choices:
            return f"{key} must be one of {', '.join(spec.choices)}; got {value!r}"
    elif spec.kind == "timezone" and not _TZ.match(value):
        return f"{key} must be a time zone such as Asia/Shanghai or UTC+8; got {value!r}"
    return None


def warnings_for(old: dict[str, str], new: dict[str, str]) -> list[str]:
    """Things the operator should know before saving: state-losing additions/removals."""
    notes = []
    for spec in PROPERTY_SPECS:
        if spec.note.startswith(STATE_LAYOUT_NOTE) and (spec.key in old) != (spec.key in new):
            verb = "adding" if spec.key in new else "removing"
            notes.append(f"{verb} {spec.key} loses the job's state on the next start")
    if new.get("blink.job.submit.timeoutInSeconds", "0").isdigit() and int(
            new.get("blink.job.submit.timeoutInSeconds", "0")) > 250:
        notes.append("blink.job.submit.timeoutInSeconds above 250 s is not recommended")
    return notes


# --- the properties text ---------------------------------------------------------------------------

_ENTRY = re.compile(r"^(?P<indent>\s*)(?P<key>[^\s=:#!]+)(?P<sep>\s*[=:]\s*)(?P<value>.*?)\s*$")


@dataclass(slots=True)
class Line:
    raw: str
    key: str | None = None
    sep: str = "="
    value: str = ""


@dataclass(slots=True)
class PropertiesText:
    """Properties-file text (`#`/`--` comments, `key=value` or `key:value` lines) that round-trips exactly."""

    lines: list[Line] = field(default_factory=list)
    trailing_newline: bool = False

    @classmethod
    def parse(cls, text: str | None) -> PropertiesText:
        text = text or ""
        doc = cls(trailing_newline=text.endswith("\n"))
        for raw in text.splitlines():
            stripped = raw.strip()
            match = _ENTRY.match(raw)
            if not stripped or stripped.startswith(("#", "!", "--")) or match is None:
                doc.lines.append(Line(raw))
            else:
                doc.lines.append(Line(raw, match["key"], match["sep"], match["value"]))
        return doc

    def to_text(self) -> str:
        text = "\n".join(line.raw for line in self.lines)
        return text + "\n" if self.trailing_newline and self.lines else text

    def as_dict(self) -> dict[str, str]:
        """Effective values: the last occurrence of a key wins, as in java.util.Properties."""
        return {line.key: line.value for line in self.lines if line.key is not None}

    def get(self, key: str) -> str | None:
        return self.as_dict().get(key)

    def set(self, key: str, value: str) -> None:
        """Change the key's last line in place (keeping its separator), or append it."""
        for line in reversed(self.lines):
            if line.key == key:
                if line.value != value:
                    indent = line.raw[: len(line.raw) - len(line.raw.lstrip())]
                    line.value = value
                    line.raw = f"{indent}{key}{line.sep}{value}"
                return
        new_line = Line(f"{key}={value}", key, "=", value)
        # Put it under the template's commented-out line for the key ("#blink.checkpoint.mode=..."), if any.
        commented = re.compile(rf"^\s*(#|--)\s*{re.escape(key)}\s*[=:]")
        for index in range(len(self.lines) - 1, -1, -1):
            if self.lines[index].key is None and commented.match(self.lines[index].raw):
                self.lines.insert(index + 1, new_line)
                return
        self.lines.append(new_line)

    def remove(self, key: str) -> None:
        self.lines = [line for line in self.lines if line.key != key]

    def apply(self, values: dict[str, str | None]) -> None:
        """Set each key to its value; None removes it."""
        for key, value in values.items():
            if value is None:
                self.remove(key)
            else:
                self.set(key, value)


def parse_pairs(text: str) -> tuple[dict[str, str], list[str]]:
    """Free `key=value` lines from a text box: (pairs, errors with line numbers)."""
    pairs: dict[str, str] = {}
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not stripped or stripped.startswith(("#", "--")):
            continue
        match = _ENTRY.match(raw)
        if match is None:
            errors.append(f"line {number}: expected key=value, got {stripped!r}")
            continue
        key, value = match["key"], match["value"]
        problem = validate_value(key, value)
        if problem:
            errors.append(f"line {number}: {problem}")
        else:
            pairs[key] = value
    return pairs, errors


def parameter_json(values: dict[str, str]) -> dict[str, str]:
    """StartJob's parameterJson: a JSON object whose values are strings (as the seed's examples send)."""
    return {key: str(value) for key, value in values.items()}
