"""Pydantic models for the responses of all 67 foas operations, lenient about key casing, wrappers and types.

`RESPONSE_MODELS` maps each operation name to its `<Operation>Response`; any dict body validates.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import partial
from operator import itemgetter
from typing import Annotated, Any, ClassVar, Generic, TypeVar, get_args, get_origin

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    JsonValue,
    SerializationInfo,
    TypeAdapter,
    ValidationError,
    model_validator,
)
from pydantic.functional_validators import ModelWrapValidatorHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

T = TypeVar("T")
ItemT = TypeVar("ItemT")

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


# ================================================================================================
# Base model: case-insensitive keys, extras kept, salvage instead of failure.
# ================================================================================================


class FoasModel(BaseModel):
    """Base of every model here.

    * Keys match fields whatever their spelling: `RequestId`, `requestId`, `request_id`, `REQUEST-ID`
      (lower-cased, `_ - @` and spaces removed; a per-class cache makes this one dict hit per key).
      When two spellings of one field arrive, the exact field name wins, else the first; the other is
      kept as an extra under its own spelling.
    * Unknown keys are kept (`model_extra`).
    * Pydantic validates natively first. If it rejects some fields, those are salvaged (`Lenient`
      conversion, dropping bad list items or dict entries) or reset to their default, and the model is
      validated again; so any dict validates. Only a body that is not an object (or JSON text of
      one) raises `ValidationError`.
    """

    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)

    __foas_fields__: ClassVar[dict[str, str]] = {}
    __foas_key_cache__: ClassVar[dict[Any, str | None]] = {}
    __foas_plans__: ClassVar[dict[tuple[str, ...], tuple[str, ...]]] = {}
    __foas_coercers__: ClassVar[dict[str, Callable[[Any], Any]] | None] = None

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        fields: dict[str, str] = {}
        for name in cls.model_fields:
            key = normalize_key(name)
            if key in fields:
                raise TypeError(f"{cls.__name__}: fields {fields[key]!r} and {name!r} differ only in spelling")
            fields[key] = name
        cls.__foas_fields__ = fields
        cls.__foas_key_cache__ = {}
        cls.__foas_plans__ = {}
        cls.__foas_coercers__ = None

    @model_validator(mode="wrap")
    @classmethod
    def _foas_lenient(cls, data: Any, handler: ModelWrapValidatorHandler[Any]) -> Any:
        if not isinstance(data, Mapping):
            decoded = _json_container(data)
            if not isinstance(decoded, dict):
                return handler(data)  # a model instance passes; anything else raises ValidationError
            data = decoded
        data = cls._foas_normalize(data)
        for attempt in range(3):
            try:
                return handler(data)
            except ValidationError as exc:
                if attempt == 2:
                    raise
                data = cls._foas_repair(data, exc, drop=attempt == 1)
        raise AssertionError("unreachable")

    @classmethod
    def _foas_normalize(cls, data: Mapping[Any, Any]) -> dict[str, Any]:
        keys = tuple(data)
        plan = cls.__foas_plans__.get(keys)
        if plan is not None:  # this exact key sequence was seen before: one zip
            return dict(zip(plan, data.values(), strict=False))
        out, targets = cls._foas_normalize_keys(data)
        if targets is not None and len(cls.__foas_plans__) < _PLAN_CACHE_LIMIT and all(type(k) is str for k in keys):
            cls.__foas_plans__[keys] = targets
        return out

    @classmethod
    def _foas_normalize_keys(cls, data: Mapping[Any, Any]) -> tuple[dict[str, Any], tuple[str, ...] | None]:
        """The renamed dict, and the target key of each position (None if that is not a plain renaming)."""
        cache, fields = cls.__foas_key_cache__, cls.__foas_fields__
        out: dict[str, Any] = {}
        targets: list[str] | None = []
        for key, value in data.items():
            name = cache.get(key, _MISSING)
            if name is _MISSING:
                name = _field_for(fields, key)
                if len(cache) < _KEY_CACHE_LIMIT:
                    cache[key] = name
            if name is None or name in out:  # an extra, or a second spelling of a field (kept as an extra)
                target = key if isinstance(key, str) else str(key)
                if name is not None and key == name:  # the exact field name wins over an earlier spelling
                    earlier = next(k for k in data if k != key and _field_for(fields, k) == name)
                    out[earlier] = out[name]
                    target, targets = name, None
            else:
                target = name
            if targets is not None:
                targets.append(target)
            out[target] = value
        return out, None if targets is None or len(out) != len(targets) else tuple(targets)

    @classmethod
    def _foas_get_coercers(cls) -> dict[str, Callable[[Any], Any]]:
        coercers = cls.__dict__.get("__foas_coercers__")
        if coercers is None:
            coercers = {
                name: meta.coerce
                for name, field in cls.model_fields.items()
                for meta in field.metadata
                if isinstance(meta, Lenient)
            }
            cls.__foas_coercers__ = coercers
        return coercers

    @classmethod
    def _foas_repair(cls, data: dict[str, Any], exc: ValidationError, *, drop: bool) -> dict[str, Any]:
        coercers = cls._foas_get_coercers()
        whole: set[str] = set()
        parts: dict[str, set[Any]] = {}
        for error in exc.errors(include_url=False, include_context=False, include_input=False):
            loc = error["loc"]
            if not loc or loc[0] not in data:
                continue
            name = str(loc[0])
            if drop or len(loc) == 1 or name in coercers:
                whole.add(name)
            else:
                parts.setdefault(name, set()).add(loc[1])
        fixed = dict(data)
        for name in whole:
            coerce = None if drop else coercers.get(name)
            value = coerce(fixed[name]) if coerce is not None else None
            if value is None:
                del fixed[name]  # back to the field default
            else:
                fixed[name] = value
        for name, bad in parts.items():
            value = fixed[name]
            if isinstance(value, Mapping):
                fixed[name] = {k: v for k, v in value.items() if k not in bad}
            elif isinstance(value, list | tuple):
                fixed[name] = [item for index, item in enumerate(value) if index not in bad]
            else:
                del fixed[name]
        return fixed


# ================================================================================================
# Field helpers: list wrappers and embedded JSON text.
# ================================================================================================


def _keep_items(items: Iterable[Any], kind: Any) -> list[Any]:
    if kind is str:
        return [text for item in items if isinstance(item, str | int | float) and (text := _to_str(item)) is not None]
    if kind is dict or get_origin(kind) is dict:
        return [dict(item) for item in items if isinstance(item, Mapping)]
    if isinstance(kind, type) and issubclass(kind, BaseModel):
        kept: list[Any] = []
        for item in items:
            if isinstance(item, Mapping | kind):
                kept.append(item)
            elif isinstance(decoded := _json_container(item), dict):
                kept.append(decoded)
        return kept
    return list(items)


def _unwrap_list(value: Any, *, key: str | None, kind: Any, depth: int = 0) -> list[Any]:
    if value is None or depth > 3:
        return []
    if isinstance(value, list | tuple):
        return _keep_items(value, kind)
    if isinstance(value, str | bytes | bytearray):
        decoded = _json_container(value)
        if decoded is not _MISSING:
            return _unwrap_list(decoded, key=key, kind=kind, depth=depth + 1)
        if kind is not str:
            return []
        text = _to_str(value) or ""
        stripped = text.strip()
        if stripped.startswith("[") and stripped.endswith("]"):  # "[planA,planB]"
            return [part.strip().strip("'\"") for part in stripped[1:-1].split(",") if part.strip().strip("'\"")]
        return [text] if stripped else []
    if isinstance(value, Mapping):
        if not value:
            return []
        if key is not None:
            for inner_key, inner in value.items():
                if isinstance(inner_key, str) and normalize_key(inner_key) == key:
                    return _unwrap_list(inner, key=key, kind=kind, depth=depth + 1)
        if len(value) == 1:
            (only,) = value.values()
            if kind is str or isinstance(only, list | tuple):  # a wrapper with an unexpected item name
                return _unwrap_list(only, key=key, kind=kind, depth=depth + 1)
        return [] if kind is str else _keep_items([value], kind)
    return _keep_items([value], kind)


@dataclass(frozen=True, slots=True)
class Unwrap:
    """Metadata for list fields (`Annotated[list[Job], Unwrap("Job")]`).

    Accepts the API's wrapper `{"Job": [...]}` (inner key matched case-insensitively), a bare list,
    one item instead of a list, JSON text of any of these, or nothing (-> `[]`); items of the wrong kind
    are dropped. For lists of strings, scalars are stringified and `"[a,b]"` is split.
    """

    item_key: str | None = None

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        args = get_args(source)
        kind = args[0] if args else Any
        key = normalize_key(self.item_key) if self.item_key else None
        unwrap = partial(_unwrap_list, key=key, kind=kind)
        return core_schema.no_info_before_validator_function(unwrap, handler(source))


class Embedded(Generic[T]):
    """A JSON document the API sends as text (`Checkpoints`, `PlanJson`, `UserOssInfo` ...), parsed.

    `value` is the parsed payload, or None when absent or unusable; `raw` the text exactly as received;
    `error` why `value` is None although there was content (malformed JSON, wrong shape). An
    already-decoded object is accepted too (`raw` stays None unless it had the wrong shape). The outer
    model never fails because of it, and it serializes back to the raw text when there is one.
    """

    __slots__ = ("value", "raw", "error")

    def __init__(self, value: T | None = None, raw: str | None = None, error: str | None = None) -> None:
        self.value = value
        self.raw = raw
        self.error = error

    @property
    def ok(self) -> bool:
        return self.value is not None and self.error is None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Embedded):
            return NotImplemented
        return (self.value, self.raw, self.error) == (other.value, other.raw, other.error)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        if self.error is not None:
            return f"Embedded(error={self.error!r}, raw={(self.raw or '')[:60]!r})"
        return f"Embedded({self.value!r})"

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        args = get_args(source)
        parser = _EmbeddedParser(args[0] if args else JsonValue)
        return core_schema.no_info_plain_validator_function(
            parser.parse,
            serialization=core_schema.plain_serializer_function_ser_schema(parser.serialize, info_arg=True),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"description": "JSON text (or the decoded JSON value)", "type": ["string", "object", "array", "null"]}


class _EmbeddedParser:
    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self._adapter: TypeAdapter[Any] | None = None

    @property
    def adapter(self) -> TypeAdapter[Any]:
        if self._adapter is None:
            self._adapter = TypeAdapter(self.inner)
        return self._adapter

    def parse(self, data: Any) -> Embedded[Any]:
        if isinstance(data, Embedded):
            return data
        raw: str | None = None
        if isinstance(data, bytes | bytearray):
            data = data.decode("utf-8", "replace")
        if isinstance(data, str):
            raw = data
            if not data.strip():
                return Embedded(raw=raw)
            data, error = _decode_json(data)
            if error is not None:
                return Embedded(raw=raw, error=error)
        if data is None:
            return Embedded(raw=raw)
        try:
            return Embedded(self.adapter.validate_python(data), raw=raw)
        except ValidationError as exc:
            return Embedded(raw=raw if raw is not None else _dump_text(data), error=_short_error(exc))

    def serialize(self, value: Any, info: SerializationInfo) -> Any:
        if not isinstance(value, Embedded):
            return value
        if value.raw is not None or value.value is None:
            return value.raw
        return self.adapter.dump_python(value.value, mode=info.mode)


def _embedded() -> Any:
    return Field(default_factory=Embedded)


def _list() -> Any:
    return Field(default_factory=list)


# ================================================================================================
# Domain models shared by several operations.
# ================================================================================================


class Job(FoasModel):
    """A job (GetJob, ListJob, GetRefPackageJob)."""

    job_id: Str = None
    job_name: Str = None
    project_name: Str = None
    job_type: JobTypeValue = None
    api_type: ApiTypeValue = None
    code: Str = None
    properties: Str = None  # properties-file text ("#comment", "key=value" lines)
    packages: Str = None  # comma-separated package names
    plan_json: Embedded[PlanJson] = _embedded()
    engine_version: Str = None
    cluster_id: Str = None
    queue_name: Str = None
    folder_id: Int = None
    file_id: Str = None  # String per the table, a number in GetJob's example
    is_committed: Bool = None  # online (CommitJob) vs offline (OfflineJob)
    creator: Str = None
    create_time: EpochMs = None
    modifier: Str = None
    modify_time: EpochMs = None
    description: Str = None

    @property
    def package_names(self) -> list[str]:
        return _split_csv(self.packages)


class Instance(FoasModel):
    """A job instance, i.e. one run (GetInstance, ListInstance)."""

    id: Int = None
    job_name: Str = None
    project_name: Str = None
    expect_state: InstanceStateValue = None
    actual_state: InstanceStateValue = None
    start_time: EpochMs = None
    end_time: EpochMs = None
    last_error_time: EpochMs = None
    last_error_message: Str = None
    last_operate_time: EpochMs = None
    last_operator: Str = None
    starter: Str = None
    engine_job_handler: Str = None  # "<YARN application id>|<Flink job id>"
    engine_version: Str = None
    cluster_id: Str = None
    queue_name: Str = None
    job_type: JobTypeValue = None
    api_type: ApiTypeValue = None
    code: Str = None
    properties: Str = None
    packages: Str = None
    plan_json: Embedded[PlanJson] = _embedded()
    auto_scale_params: Embedded[AutoScaleParams] = _embedded()  # GetInstance only
    priority: Int = None  # ListInstance only
    input_delay: Int = None  # business delay, ms (-99999999 appears as a sentinel)

    @property
    def package_names(self) -> list[str]:
        return _split_csv(self.packages)


class RunSummary(FoasModel):
    """The short state of an instance (GetInstanceRunSummary, BatchGetInstanceRunSummary)."""

    id: Int = None
    job_name: Str = None
    expect_state: InstanceStateValue = None
    actual_state: InstanceStateValue = None
    engine_job_handler: Str = None
    input_delay: Int = None
    last_error_time: EpochMs = None
    last_error_message: Str = None


class InstanceResource(FoasModel):
    """GetInstanceResource: allocated = requested from YARN, total = actually used."""

    allocated_mb: Int = None
    allocated_virtual_cores: Int = None
    total_mb: Int = None
    total_virtual_cores: Int = None


class ClusterResource(InstanceResource):
    """GetClusterResource: total = allocated + available."""

    available_mb: Int = None
    available_virtual_cores: Int = None


class Folder(FoasModel):
    folder_id: Int = None
    path: Str = None


class Package(FoasModel):
    package_name: Str = None
    project_name: Str = None
    type: PackageTypeValue = None
    origin_name: Str = None
    description: Str = None
    tag: Str = None
    md5: Str = None
    oss_bucket: Str = None
    oss_endpoint: Str = None
    oss_owner: Str = None
    oss_path: Str = None
    creator: Str = None
    create_time: EpochMs = None
    modifier: Str = None
    modify_time: EpochMs = None
    scan_state: PackageScanStateValue = None  # GetPackage only
    scan_error_message: Str = None
    scan_ext_biz_no: Str = None
    scan_link: Str = None


QUEUE_OVERFLOW = -9999  # an Integer queue field that overflowed; read ExternalInfo instead


class Queue(FoasModel):
    """A YARN queue. vCores count hundredths of a core (100 vCores = 1 CU = 4 GB); memory in MB."""

    cluster_id: Str = None
    queue_name: Str = None
    max_vcore: Int = None
    min_vcore: Int = None
    used_vcore: Int = None
    max_mem: Int = None
    min_mem: Int = None
    used_mem: Int = None
    max_gpu: Int = None
    min_gpu: Int = None
    used_gpu: Int = None
    external_info: Embedded[QueueExternalInfo] = _embedded()  # GetClusterQueueInfo only

    def resource(self, name: str) -> int | None:
        """A resource field (`"max_mem"` ...), read from ExternalInfo when it holds the -9999 overflow."""
        value = getattr(self, name)
        info = self.external_info.value
        if value == QUEUE_OVERFLOW and info is not None and getattr(info, name, None) is not None:
            return getattr(info, name)
        return value


class Cluster(FoasModel):
    cluster_id: Str = None
    display_name: Str = None
    description: Str = None
    state: ClusterStateValue = None
    region_id: Str = None
    zone_id: Str = None
    owner_id: Str = None
    operator: Str = None
    gmt_create: EpochMs = None
    gmt_modified: EpochMs = None


class ClusterDetails(Cluster):
    """GetClusterDetails `Details`."""

    is_mix_deploy: Bool = None
    storage_type: Str = None
    user_vpc_id: Str = None
    user_sg_id: Str = None
    user_vswitch_list: Embedded[list[str]] = _embedded()
    user_oss_info: Embedded[UserOssInfo] = _embedded()
    instance_infos: Embedded[JsonValue] = _embedded()  # structure undocumented


class Project(FoasModel):
    id: Str = None
    name: Str = None
    description: Str = None
    state: ProjectStateValue = None
    deploy_type: DeployTypeValue = None
    cluster_id: Str = None
    region: Str = None
    manager_ids: Str = None  # comma-separated
    global_job_config: Str = None  # GetProject only
    creator: Str = None
    create_time: EpochMs = None
    modifier: Str = None
    modify_time: EpochMs = None

    @property
    def manager_id_list(self) -> list[str]:
        return _split_csv(self.manager_ids)


class TagResource(FoasModel):
    resource_id: Str = None
    resource_type: Str = None
    tag_key: Str = None
    tag_value: Str = None


class TableRef(FoasModel):
    """A source, sink or dimension table found by ValidateJob."""

    name: Str = None
    alias: Str = None
    type: Str = None  # connector: rds, datahub, ots ...
    workspace: Str = None
    properties: JsonDict = None  # the table's WITH properties (a real object, not text)


class JobInOut(FoasModel):
    inputs: Annotated[list[TableRef], Unwrap("Input")] = _list()
    outputs: Annotated[list[TableRef], Unwrap("Output")] = _list()
    dims: Annotated[list[TableRef], Unwrap("Dim")] = _list()


class PlanJsonInfo(FoasModel):
    """CheckRawPlanJson: poll until status is success (plan_json) or fail (error_message)."""

    status: PlanJsonStatusValue = None
    plan_json: Embedded[PlanJson] = _embedded()
    error_message: Str = None


class PlanJsonResource(FoasModel):
    cores: Float = None
    memory_gb: Float = None


class Metric(FoasModel):
    """One metric series. `dps` maps epoch seconds (as text) to values (numbers or numeric text)."""

    metric_name: Str = None
    dps: JsonDict = None
    summary: Float = None
    tags: JsonDict = None

    @property
    def points(self) -> list[tuple[int, float]]:
        """`(epoch seconds, value)` sorted by time; unparsable or non-finite points are skipped."""
        points: list[tuple[int, float]] = []
        for stamp, raw in (self.dps or {}).items():
            when, value = _to_int(stamp), _to_float(raw)
            if when is not None and value is not None and math.isfinite(value):
                points.append((when, value))
        points.sort(key=itemgetter(0))
        return points


class TagResourcesPage(FoasModel):
    """ListTagResources `Data`."""

    next_token: Str = None
    tag_resources: Annotated[list[TagResource], Unwrap("TagResource")] = _list()


# ================================================================================================
# Payloads the API embeds as JSON text (see `Embedded`).
# ================================================================================================

# --- execution plans (Job/Instance PlanJson, CheckRawPlanJson, autoscale plans) ----------------


class PlanEdge(FoasModel):
    """A plan link `{source, target}` or a node predecessor `{id}`; plus side/ship_strategy."""

    source: NodeId = None
    target: NodeId = None
    id: NodeId = None
    side: Str = None
    ship_strategy: Str = None


class PlanNode(FoasModel):
    """A Blink plan node (`uid`, `vcore`, memory ...) or a Flink execution-plan node (`type`, `contents`)."""

    id: NodeId = None
    uid: Str = None
    name: Str = None
    type: Str = None
    pact: Str = None  # Source / Data Source / Operator / Data Sink ...
    contents: Str = None
    slot_sharing_group: Str = None
    chaining_strategy: Str = None
    parallelism: Int = None
    max_parallelism: Int = None
    vcore: Number = None
    heap_memory: Number = None
    direct_memory: Number = None
    native_memory: Number = None
    predecessors: Annotated[list[PlanEdge], Unwrap()] = _list()


class PlanJson(FoasModel):
    """A job plan. Blink plans also carry resourceSettings, autoConfig, vertices, workers ... (extras)."""

    global_: Annotated[list[dict[str, Any]], Unwrap()] = _list()  # key "global"
    nodes: Annotated[list[PlanNode], Unwrap()] = _list()
    links: Annotated[list[PlanEdge], Unwrap()] = _list()

    @property
    def edges(self) -> list[tuple[int | str | None, int | str | None]]:
        """`(source id, target id)` for every link and every node predecessor."""
        edges = [(link.source, link.target) for link in self.links]
        edges += [(pred.id, node.id) for node in self.nodes for pred in node.predecessors]
        return edges


class AutoScaleParams(FoasModel):
    """GetInstance `AutoScaleParams`, e.g. {"isOnOff":false,"strategyConfigure":null,"maxCU":null}."""

    is_on_off: Bool = None
    strategy_configure: Any = None
    max_cu: Number = None


# --- GetInstanceCheckpoint `Checkpoints` (Flink REST /checkpoints) ----------------------------


class MinMaxAvg(FoasModel):
    min: Number = None
    max: Number = None
    avg: Number = None


class CheckpointCounts(FoasModel):
    restored: Int = None
    total: Int = None
    in_progress: Int = None
    completed: Int = None
    failed: Int = None


class CheckpointSummary(FoasModel):
    state_size: MinMaxAvg | None = None
    end_to_end_duration: MinMaxAvg | None = None
    alignment_buffered: MinMaxAvg | None = None
    checkpointed_size: MinMaxAvg | None = None
    processed_data: MinMaxAvg | None = None
    persisted_data: MinMaxAvg | None = None


class CheckpointInfo(FoasModel):
    """One checkpoint (history entry, latest completed/savepoint/failed)."""

    class_: Str = None  # key "@class": completed / failed / in_progress
    id: Int = None
    status: CheckpointStatusValue = None
    is_savepoint: Bool = None
    trigger_timestamp: EpochMs = None
    latest_ack_timestamp: EpochMs = None
    state_size: Int = None
    full_state_size: Int = None
    checkpointed_size: Int = None
    end_to_end_duration: Int = None  # ms
    alignment_buffered: Int = None
    processed_data: Int = None
    persisted_data: Int = None
    num_subtasks: Int = None
    num_acknowledged_subtasks: Int = None
    tasks: JsonDict = None
    external_path: Str = None
    discarded: Bool = None
    checkpoint_type: Str = None
    failure_timestamp: EpochMs = None
    failure_message: Str = None


class RestoredCheckpoint(FoasModel):
    id: Int = None
    restore_timestamp: EpochMs = None
    is_savepoint: Bool = None
    external_path: Str = None


class LatestCheckpoints(FoasModel):
    completed: CheckpointInfo | None = None
    savepoint: CheckpointInfo | None = None
    failed: CheckpointInfo | None = None
    restored: RestoredCheckpoint | None = None


class CheckpointStats(FoasModel):
    counts: CheckpointCounts | None = None
    summary: CheckpointSummary | None = None
    latest: LatestCheckpoints | None = None
    history: Annotated[list[CheckpointInfo], Unwrap()] = _list()  # newest first


# --- GetInstanceExceptions `Exceptions` (Flink REST /exceptions, legacy and exceptionHistory) ---


class ExceptionEntry(FoasModel):
    """A failure in the shape of Flink's `exceptionHistory.entries[]`; `FlinkExceptions.history` items."""

    exception_name: Str = None
    stacktrace: Str = None
    timestamp: EpochMs = None
    task_name: Str = None
    location: Str = None
    endpoint: Str = None
    task_manager_id: Str = None
    failure_labels: JsonDict = None
    concurrent_exceptions: Annotated[list[ExceptionEntry], Unwrap()] = _list()


class TaskException(FoasModel):
    """An item of Flink's legacy `all-exceptions`."""

    exception: Str = None  # the stack trace
    task: Str = None
    location: Str = None
    timestamp: EpochMs = None


class ExceptionHistory(FoasModel):
    entries: Annotated[list[ExceptionEntry], Unwrap()] = _list()
    truncated: Bool = None


def _exception_name(stacktrace: str | None) -> str | None:
    """`"java.io.IOException: boom\\n\\tat ..."` -> `"java.io.IOException"`."""
    if not stacktrace or not stacktrace.strip():
        return None
    return stacktrace.strip().splitlines()[0].split(":", 1)[0].strip() or None


class FlinkExceptions(FoasModel):
    root_exception: Str = None  # key "root-exception"
    timestamp: EpochMs = None
    all_exceptions: Annotated[list[TaskException], Unwrap()] = _list()
    truncated: Bool = None
    exception_history: ExceptionHistory | None = None  # Flink >= 1.13

    @property
    def history(self) -> list[ExceptionEntry]:
        """The failures in one shape, whichever form came: `exceptionHistory` if present, else the
        legacy root exception followed by `all-exceptions`."""
        if self.exception_history is not None:
            return list(self.exception_history.entries)
        entries: list[ExceptionEntry] = []
        if self.root_exception and all(e.exception != self.root_exception for e in self.all_exceptions):
            entries.append(ExceptionEntry(
                exception_name=_exception_name(self.root_exception),
                stacktrace=self.root_exception, timestamp=self.timestamp))
        entries += [
            ExceptionEntry(exception_name=_exception_name(e.exception), stacktrace=e.exception,
                           timestamp=e.timestamp, task_name=e.task, location=e.location)
            for e in self.all_exceptions
        ]
        return entries


# --- GetInstanceConfig `Config` and GetInstanceDetail `Detail` (Flink REST) -------------------


class FlinkExecutionConfig(FoasModel):
    execution_mode: Str = None
    restart_strategy: Str = None
    job_parallelism: Int = None
    object_reuse_mode: Bool = None
    user_config: JsonDict = Field(default=None, repr=False)  # string values, may include sts* credentials


class FlinkJobConfig(FoasModel):
    jid: Str = None
    name: Str = None
    execution_config: FlinkExecutionConfig | None = None


class FlinkVertex(FoasModel):
    id: Str = None
    name: Str = None
    topology_id: Int = None
    parallelism: Int = None
    max_parallelism: Int = None
    status: FlinkStateValue = None
    start_time: EpochMs = None
    end_time: EpochMs = None
    duration: Int = None  # ms
    tasks: JsonDict = None  # task counts per execution state
    metrics: JsonDict = None  # read-bytes, write-records, tps, delay ... and their "-complete" flags


class FlinkPlanInput(FoasModel):
    num: Int = None
    id: Str = None
    ship_strategy: Str = None
    exchange: Str = None


class FlinkPlanNode(FoasModel):
    id: Str = None
    parallelism: Int = None
    operator: Str = None
    operator_strategy: Str = None
    description: Str = None  # HTML-escaped ("-&gt;") in the seed's example
    optimizer_properties: JsonDict = None
    inputs: Annotated[list[FlinkPlanInput], Unwrap()] = _list()


class FlinkPlan(FoasModel):
    jid: Str = None
    name: Str = None
    type: Str = None
    nodes: Annotated[list[FlinkPlanNode], Unwrap()] = _list()


class FlinkJobDetail(FoasModel):
    jid: Str = None
    name: Str = None
    is_stoppable: Bool = None
    state: FlinkStateValue = None
    start_time: EpochMs = None
    end_time: EpochMs = None
    duration: Int = None  # ms
    now: EpochMs = None
    timestamps: JsonDict = None  # epoch ms per job status (0 = never)
    vertices: Annotated[list[FlinkVertex], Unwrap()] = _list()
    status_counts: JsonDict = None
    plan: FlinkPlan | None = None


# --- cluster and queue details -----------------------------------------------------------------


class UserOssInfo(FoasModel):
    """GetClusterDetails `UserOssInfo`."""

    endpoint: Str = None
    vpc_endpoint: Str = None
    oxs_endpoint: Str = None
    bucket: Str = None
    access_id: Str = None
    access_key: Str = Field(default=None, repr=False)


class QueueExternalInfo(FoasModel):
    """Queue `ExternalInfo`: the raw (possibly > 32-bit) queue figures."""

    name: Str = None
    max_vcore: Int = None
    min_vcore: Int = None
    used_vcore: Int = None
    max_mem: Int = None
    min_mem: Int = None
    used_mem: Int = None
    max_gpu: Int = None
    min_gpu: Int = None
    used_gpu: Int = None


# ================================================================================================
# Responses, one per operation.
# ================================================================================================


class FoasResponse(FoasModel):
    """Every response carries a RequestId (often spelled `requestId`)."""

    request_id: Str = None


class PagedResponse(FoasResponse, Generic[ItemT]):
    """Page-number paging (common.md section 6); `items` is the unwrapped list."""

    items_field: ClassVar[str] = ""

    page_index: Int = None
    page_size: Int = None
    total_count: Int = None
    total_page: Int = None

    @property
    def items(self) -> list[ItemT]:
        items: list[ItemT] = getattr(self, self.items_field)
        return items


class _QueuesResponse(FoasResponse):
    queues: Annotated[list[Queue], Unwrap("Queue")] = _list()


class _MetricsResponse(FoasResponse):
    """`{"Metrics": {"Metric": [...]}}` per the tables; the examples send a bare (camelCase) list."""

    metrics: Annotated[list[Metric], Unwrap("Metric")] = _list()


class _TagResponse(FoasResponse):
    """The SDK-only tag operations add a business status to the body."""

    success: Bool = None
    http_status_code: Int = None
    code: Str = None
    message: Str = None


# --- instances ---------------------------------------------------------------------------------


class BatchGetInstanceRunSummaryResponse(FoasResponse):
    run_summarys: Annotated[list[RunSummary], Unwrap("RunSummary")] = _list()  # sic: "RunSummarys"

    @property
    def run_summaries(self) -> list[RunSummary]:
        return self.run_summarys


class GetInstanceResponse(FoasResponse):
    instance: Instance | None = None


class GetInstanceResourceResponse(FoasResponse):
    resource: InstanceResource | None = None


class GetInstanceCheckpointResponse(FoasResponse):
    checkpoints: Embedded[CheckpointStats] = _embedded()


class GetInstanceConfigResponse(FoasResponse):
    config: Embedded[FlinkJobConfig] = _embedded()


class GetInstanceDetailResponse(FoasResponse):
    detail: Embedded[FlinkJobDetail] = _embedded()


class GetInstanceExceptionsResponse(FoasResponse):
    exceptions: Embedded[FlinkExceptions] = _embedded()


class GetInstanceFinalStateResponse(FoasResponse):
    final_state: Str = None  # key "Finalstate": the final state on YARN


class GetInstanceMetricResponse(_MetricsResponse):
    pass


class GetInstanceRunSummaryResponse(FoasResponse):
    run_summary: RunSummary | None = None


class ListInstanceResponse(PagedResponse[Instance]):
    items_field = "instances"
    instances: Annotated[list[Instance], Unwrap("Instance")] = _list()


class ModifyInstanceStateResponse(FoasResponse):
    pass


class GetInstanceHistoryAutoScalePlanContentResponse(FoasResponse):
    plan_content: Embedded[PlanJson] = _embedded()


class GetInstanceHistoryAutoScalePlanListResponse(FoasResponse):
    plan_list: Annotated[list[str], Unwrap("Plan")] = _list()  # wire shape undocumented


# --- folders -----------------------------------------------------------------------------------


class CreateFolderResponse(FoasResponse):
    folder_id: Int = None


class DeleteFolderResponse(FoasResponse):
    pass


class GetFolderResponse(FoasResponse):
    folder: Folder | None = None  # absent (or without FolderId) when the path does not exist


class ListChildFolderResponse(FoasResponse):
    folders: Annotated[list[Folder], Unwrap("Folder")] = _list()


class MVFolderResponse(FoasResponse):
    pass


# --- jobs --------------------------------------------------------------------------------------


class CheckRawPlanJsonResponse(FoasResponse):
    plan_json_info: PlanJsonInfo | None = None


class CommitJobResponse(FoasResponse):
    pass


class CreateJobResponse(FoasResponse):
    pass


class DeleteJobResponse(FoasResponse):
    pass


class GetJobResponse(FoasResponse):
    job: Job | None = None


class ListJobResponse(PagedResponse[Job]):
    items_field = "jobs"
    jobs: Annotated[list[Job], Unwrap("Job")] = _list()


class OfflineJobResponse(FoasResponse):
    pass


class StartJobResponse(FoasResponse):
    instance_id: Int = None  # key "instanceId" (camelCase next to "RequestId")


class UpdateJobResponse(FoasResponse):
    pass


class ValidateJobResponse(FoasResponse):
    job_in_out: JobInOut | None = None


class CalcPlanJsonResourceResponse(FoasResponse):
    plan_json_resource: PlanJsonResource | None = None


class UpdateAutoScaleConfigResponse(FoasResponse):
    pass  # the seed's example also carries an unrelated "Metrics" array (kept as an extra)


class GetJobLatestAutoScalePlanResponse(FoasResponse):
    plan_json: Embedded[PlanJson] = _embedded()


class GetRawPlanJsonResponse(FoasResponse):
    session_id: Str = None


# --- packages ----------------------------------------------------------------------------------


class CreatePackageResponse(FoasResponse):
    pass


class DeletePackageResponse(FoasResponse):
    pass


class GetPackageResponse(FoasResponse):
    package: Package | None = None


class GetRefPackageJobResponse(PagedResponse[Job]):
    items_field = "jobs"
    jobs: Annotated[list[Job], Unwrap("Job")] = _list()


class ListPackageResponse(PagedResponse[Package]):
    items_field = "packages"
    packages: Annotated[list[Package], Unwrap("Package")] = _list()


class UpdatePackageResponse(FoasResponse):
    pass


# --- queues ------------------------------------------------------------------------------------


class CreateQueueResponse(FoasResponse):
    pass


class DeleteQueueResponse(FoasResponse):
    pass


class BindQueueResponse(FoasResponse):
    pass


class UnbindQueueResponse(FoasResponse):
    pass


class GetClusterQueueInfoResponse(_QueuesResponse):
    pass


class ListProjectBindQueueResponse(_QueuesResponse):
    pass


class ListProjectBindQueueResourceResponse(_QueuesResponse):
    pass


class UpdateQueueResponse(FoasResponse):
    pass


# --- clusters ----------------------------------------------------------------------------------


class CreateClusterResponse(FoasResponse):
    cluster_id: Str = None


class CreateCellClusterOrderResponse(FoasResponse):
    order_id: Str = None


class DestroyClusterResponse(FoasResponse):
    pass


class ExpandClusterResponse(FoasResponse):
    pass


class ShrinkClusterResponse(FoasResponse):
    pass


class ListClusterResponse(PagedResponse[Cluster]):
    items_field = "clusters"
    clusters: Annotated[list[Cluster], Unwrap("Cluster")] = _list()


class GetClusterDetailsResponse(FoasResponse):
    details: ClusterDetails | None = None


class GetClusterEngineVersionsResponse(FoasResponse):
    engine_versions: Annotated[list[str], Unwrap("EngineVersion")] = _list()


class GetClusterResourceResponse(FoasResponse):
    resource: ClusterResource | None = None


class ModifyMasterSpecResponse(FoasResponse):
    pass


class GetClusterMetricsResponse(_MetricsResponse):
    pass


# --- projects and tags -------------------------------------------------------------------------


class CreateProjectResponse(FoasResponse):
    pass


class DeleteProjectResponse(FoasResponse):
    pass


class GetProjectResponse(FoasResponse):
    project: Project | None = None


class ListProjectResponse(PagedResponse[Project]):
    items_field = "projects"
    projects: Annotated[list[Project], Unwrap("Project")] = _list()


class ListTagResourcesResponse(_TagResponse):
    """Token paging: `items` and `next_token` come from `Data`."""

    data: TagResourcesPage | None = None

    @property
    def items(self) -> list[TagResource]:
        return self.data.tag_resources if self.data is not None else []

    @property
    def next_token(self) -> str | None:
        return self.data.next_token if self.data is not None else None


class TagResourcesResponse(_TagResponse):
    data: Bool = None


class UntagResourcesResponse(_TagResponse):
    data: Bool = None


class UpdateProjectResponse(FoasResponse):
    pass


class UpdateProjectConfigResponse(FoasResponse):
    data: Bool = None


# ================================================================================================
# Registry
# ================================================================================================


def _all_models(root: type[FoasModel]) -> list[type[FoasModel]]:
    found, stack = [], [root]
    while stack:
        cls = stack.pop()
        found.append(cls)
        stack.extend(cls.__subclasses__())
    return found


for _model in _all_models(FoasModel):  # resolve the forward references (domain models use payloads)
    _model.model_rebuild()
del _model

RESPONSE_MODELS: dict[str, type[FoasModel]] = {
    model.__name__.removesuffix("Response"): model
    for model in (
        # instances
        BatchGetInstanceRunSummaryResponse, GetInstanceResponse, GetInstanceResourceResponse,
        GetInstanceCheckpointResponse, GetInstanceConfigResponse, GetInstanceDetailResponse,
        GetInstanceExceptionsResponse, GetInstanceFinalStateResponse, GetInstanceMetricResponse,
        GetInstanceRunSummaryResponse, ListInstanceResponse, ModifyInstanceStateResponse,
        GetInstanceHistoryAutoScalePlanContentResponse, GetInstanceHistoryAutoScalePlanListResponse,
        # folders
        CreateFolderResponse, DeleteFolderResponse, GetFolderResponse, ListChildFolderResponse,
        MVFolderResponse,
        # jobs
        CheckRawPlanJsonResponse, CommitJobResponse, CreateJobResponse, DeleteJobResponse, GetJobResponse,
        ListJobResponse, OfflineJobResponse, StartJobResponse, UpdateJobResponse, ValidateJobResponse,
        CalcPlanJsonResourceResponse, UpdateAutoScaleConfigResponse, GetJobLatestAutoScalePlanResponse,
        GetRawPlanJsonResponse,
        # packages
        CreatePackageResponse, DeletePackageResponse, GetPackageResponse, GetRefPackageJobResponse,
        ListPackageResponse, UpdatePackageResponse,
        # queues
        CreateQueueResponse, DeleteQueueResponse, BindQueueResponse, UnbindQueueResponse,
        GetClusterQueueInfoResponse, ListProjectBindQueueResponse, ListProjectBindQueueResourceResponse,
        UpdateQueueResponse,
        # clusters
        CreateClusterResponse, CreateCellClusterOrderResponse, DestroyClusterResponse,
        ExpandClusterResponse, ShrinkClusterResponse, ListClusterResponse, GetClusterDetailsResponse,
        GetClusterEngineVersionsResponse, GetClusterResourceResponse, ModifyMasterSpecResponse,
        GetClusterMetricsResponse,
        # projects and tags
        CreateProjectResponse, DeleteProjectResponse, GetProjectResponse, ListProjectResponse,
        ListTagResourcesResponse, TagResourcesResponse, UntagResourcesResponse, UpdateProjectResponse,
        UpdateProjectConfigResponse,
    )
}


def parse_response(operation: str, body: Any) -> FoasModel:
    """Validate a decoded response body with the operation's model (KeyError for an unknown operation)."""
    return RESPONSE_MODELS[operation].model_validate(body)
