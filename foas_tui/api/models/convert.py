"""Lenient conversions and open enums: salvage what the service sends, never raise."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    ValidationError,
)

# ================================================================================================
# Lenient conversions. Each returns None for what it cannot salvage; none of them ever raises.
# ================================================================================================

_NORMALIZE = str.maketrans("", "", "_-@ ")
_MISSING: Any = object()
_KEY_CACHE_LIMIT = 4096  # raw keys remembered per model (bounded: bodies may carry arbitrary keys)
_PLAN_CACHE_LIMIT = 256  # key sequences remembered per model
_PSEUDO_MEMBER_LIMIT = 256  # unknown enum values remembered per enum
_TRUE = frozenset({"true", "t", "yes", "y", "on", "1"})
_FALSE = frozenset({"false", "f", "no", "n", "off", "0"})


def normalize_key(key: str) -> str:
    """The spelling-independent form of a key: `RunSummarys`, `runSummarys`, `run_summarys` -> `runsummarys`."""
    return key.lower().translate(_NORMALIZE)


def scrub_surrogates(value: Any) -> Any:
    """Replace lone UTF-16 surrogates (valid JSON escapes, invalid text) so every string can be encoded."""
    if isinstance(value, str):
        return value.encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [scrub_surrogates(v) for v in value]
    if isinstance(value, dict):
        return {scrub_surrogates(k): scrub_surrogates(v) for k, v in value.items()}
    return value


def has_escaped_surrogate(text: str | bytes | bytearray) -> bool:
    """Lone surrogates only arrive as `\\uD800`-style escapes: a cheap test before the walk."""
    if isinstance(text, str):
        return "\\ud" in text or "\\uD" in text
    return b"\\ud" in text or b"\\uD" in text


def _decode_json(text: str | bytes | bytearray) -> tuple[Any, str | None]:
    """`(value, None)`, or `(None, reason)` when the text is not JSON. Never raises."""
    try:
        value = json.loads(text)
        return (scrub_surrogates(value) if has_escaped_surrogate(text) else value), None
    except RecursionError:
        return None, "invalid JSON: nested too deeply"
    except ValueError as exc:  # JSONDecodeError, UnicodeDecodeError
        return None, f"invalid JSON: {exc}"


def _json_container(value: Any) -> Any:
    """The decoded object or array if `value` is JSON text of one, else `_MISSING`."""
    if isinstance(value, bytes | bytearray):
        value = value.decode("utf-8", "replace")
    if not isinstance(value, str):
        return _MISSING
    head = value.lstrip()[:1]
    if head not in ("{", "["):
        return _MISSING
    decoded, error = _decode_json(value)
    return _MISSING if error is not None or not isinstance(decoded, dict | list) else decoded


def _dump_text(value: Any) -> str:
    """Compact JSON text of an already-decoded value (`repr` for what JSON cannot express)."""
    try:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=repr)
    except (ValueError, TypeError, RecursionError):
        return repr(value)


def _to_str(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", "replace")
    if isinstance(value, Mapping | list | tuple):
        return _dump_text(value)
    return None


def _to_float(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float):  # bool included
        try:
            return float(value)
        except OverflowError:
            return None
    if isinstance(value, str | bytes | bytearray):
        try:
            return float(value)  # accepts Java's "4.929E+8", "NaN", "Infinity"
        except (ValueError, OverflowError):
            return None
    return None


def _to_int(value: Any) -> int | None:
    if value is None or isinstance(value, int):  # bool is an int
        return None if value is None else int(value)
    if isinstance(value, str | bytes | bytearray):
        try:
            return int(value)
        except ValueError:  # also: more digits than int() accepts
            pass
    number = _to_float(value)
    return int(number) if number is not None and math.isfinite(number) else None


def _to_number(value: Any) -> int | float | None:
    """An int when the value is integral text or an int, else a float (counts, sizes, averages)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str | bytes | bytearray):
        try:
            return int(value)
        except ValueError:
            pass
    return _to_float(value)


def _to_bool(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0 if not (isinstance(value, float) and math.isnan(value)) else None
    if isinstance(value, str):
        folded = value.strip().lower()
        return True if folded in _TRUE else False if folded in _FALSE else None
    return None


def _to_dict(value: Any) -> dict[str, Any] | None:
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    decoded = _json_container(value)
    return decoded if isinstance(decoded, dict) else None


def _to_id(value: Any) -> int | str | None:
    """Plan node ids: numbers in Blink plans, hex strings in Flink plans."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return _to_str(value) if isinstance(value, str | int | float | bytes | bytearray) else None


def _split_csv(text: str | None) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()] if text else []


def _short_error(exc: ValidationError) -> str:
    first = exc.errors(include_url=False, include_context=False, include_input=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "payload"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"unexpected shape at {where}: {first['msg']}{more}"


def _field_for(fields: dict[str, str], key: Any) -> str | None:
    return fields.get(normalize_key(key)) if isinstance(key, str) else None


@dataclass(frozen=True, slots=True)
class Lenient:
    """Field metadata: how to salvage a value pydantic rejected. `None` means "use the field default"."""

    coerce: Callable[[Any], Any]


# Scalar field types. Pydantic validates them natively (fast path); only a rejected value goes through
# the `Lenient` function (slow path, see `FoasModel`), so `"4.929E+8"` becomes 492900000, not an error.
Str = Annotated[str | None, Lenient(_to_str)]
Int = Annotated[int | None, Lenient(_to_int)]
EpochMs = Annotated[int | None, Lenient(_to_int)]  # milliseconds since the epoch (13 digits)
Float = Annotated[float | None, Lenient(_to_float)]
Number = Annotated[int | float | None, Lenient(_to_number)]
Bool = Annotated[bool | None, Lenient(_to_bool)]
JsonDict = Annotated[dict[str, Any] | None, Lenient(_to_dict)]
NodeId = Annotated[int | str | None, Lenient(_to_id)]


# ================================================================================================
# Open enums: known values are members, unknown ones become pseudo-members (never a validation error).
# ================================================================================================


class OpenStrEnum(StrEnum):
    """A `StrEnum` that accepts any string.

    Known values match case-insensitively (`"running"` -> `RUNNING`; the API is inconsistent about
    case, e.g. deployType `cell`/`CELL`); any other string becomes a pseudo-member that compares,
    prints and serializes as exactly that string (`is_known` is False).
    """

    @classmethod
    def _missing_(cls, value: object) -> Any:
        if not isinstance(value, str):
            return None
        value = str.__str__(value)  # a plain str, also for another enum's member
        folded = value.casefold()
        for member in cls:
            if member.value.casefold() == folded:
                return member
        pseudo = str.__new__(cls, value)
        pseudo._name_ = value
        pseudo._value_ = value
        if len(cls._value2member_map_) < len(cls.__members__) + _PSEUDO_MEMBER_LIMIT:
            cls._value2member_map_.setdefault(value, pseudo)  # next lookup of this value is a dict hit
        return pseudo

    @property
    def is_known(self) -> bool:
        return type(self).__members__.get(self._name_) is self


def _enum_coercer(enum_cls: type[OpenStrEnum]) -> Callable[[Any], Any]:
    def coerce(value: Any) -> Any:
        text = _to_str(value) if isinstance(value, str | int | float) else None
        return None if text is None else enum_cls(text)

    return coerce


class InstanceState(OpenStrEnum):
    """Expected/actual state of a job instance. UNKNOWN: no current instance (seed's Java demo)."""

    UNKNOWN = "UNKNOWN"
    WAITING = "WAITING"
    RUNNING = "RUNNING"
    PAUSED = "PAUSED"
    TERMINATED = "TERMINATED"
    SUCCESS = "SUCCESS"
    FAILED = "FAILED"


class JobType(OpenStrEnum):
    FLINK_STREAM = "FLINK_STREAM"
    FLINK_BATCH = "FLINK_BATCH"


class ApiType(OpenStrEnum):
    SQL = "SQL"
    DATASTREAM = "DATASTREAM"


class PackageType(OpenStrEnum):
    JAR = "JAR"
    DICTIONARY = "DICTIONARY"  # an ordinary file
    SCRIPT = "SCRIPT"
    PYTHON = "PYTHON"  # a Python file or ZIP package


class PackageScanState(OpenStrEnum):
    SKIP_SCAN = "SKIP_SCAN"
    NOT_START = "NOT_START"
    EXECUTING = "EXECUTING"
    PASS = "PASS"
    FAIL = "FAIL"
    EXCEPTION = "EXCEPTION"


class ClusterState(OpenStrEnum):
    """RUNNING is the normal state (in the examples, missing from the seed's enum table)."""

    STARTING = "STARTING"
    RUNNING = "RUNNING"
    EXPANDING = "EXPANDING"
    UPGRADING = "UPGRADING"
    REDUCING = "REDUCING"
    MAINTAINING = "MAINTAINING"
    DESTROYING = "DESTROYING"
    DESTROYED = "DESTROYED"


class ProjectState(OpenStrEnum):
    """Only ENABLE is documented."""

    ENABLE = "ENABLE"


class DeployType(OpenStrEnum):
    CELL = "CELL"  # exclusive cluster
    PUBLIC = "PUBLIC"  # shared cluster


class PlanJsonStatus(OpenStrEnum):
    """CheckRawPlanJson `PlanJsonInfo.Status`."""

    RUNNING = "Session in run"
    SUCCESS = "success"
    FAIL = "fail"


class FlinkState(OpenStrEnum):
    """Flink job status and execution (vertex) state, as in GetInstanceDetail."""

    INITIALIZING = "INITIALIZING"
    CREATED = "CREATED"
    SCHEDULED = "SCHEDULED"
    DEPLOYING = "DEPLOYING"
    RUNNING = "RUNNING"
    FAILING = "FAILING"
    FAILED = "FAILED"
    CANCELLING = "CANCELLING"
    CANCELING = "CANCELING"
    CANCELED = "CANCELED"
    FINISHED = "FINISHED"
    RESTARTING = "RESTARTING"
    SUSPENDING = "SUSPENDING"
    SUSPENDED = "SUSPENDED"
    RECONCILING = "RECONCILING"


class CheckpointStatus(OpenStrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


InstanceStateValue = Annotated[InstanceState | None, Lenient(_enum_coercer(InstanceState))]
JobTypeValue = Annotated[JobType | None, Lenient(_enum_coercer(JobType))]
ApiTypeValue = Annotated[ApiType | None, Lenient(_enum_coercer(ApiType))]
PackageTypeValue = Annotated[PackageType | None, Lenient(_enum_coercer(PackageType))]
PackageScanStateValue = Annotated[PackageScanState | None, Lenient(_enum_coercer(PackageScanState))]
ClusterStateValue = Annotated[ClusterState | None, Lenient(_enum_coercer(ClusterState))]
ProjectStateValue = Annotated[ProjectState | None, Lenient(_enum_coercer(ProjectState))]
DeployTypeValue = Annotated[DeployType | None, Lenient(_enum_coercer(DeployType))]
PlanJsonStatusValue = Annotated[PlanJsonStatus | None, Lenient(_enum_coercer(PlanJsonStatus))]
FlinkStateValue = Annotated[FlinkState | None, Lenient(_enum_coercer(FlinkState))]
CheckpointStatusValue = Annotated[CheckpointStatus | None, Lenient(_enum_coercer(CheckpointStatus))]
