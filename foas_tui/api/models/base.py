"""The base model (case-insensitive keys, extras kept, salvage instead of failure) and field helpers
(list wrappers, embedded JSON text)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, ClassVar, Generic, TypeVar, get_args, get_origin

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

from foas_tui.api.models.convert import (
    _KEY_CACHE_LIMIT,
    _MISSING,
    _PLAN_CACHE_LIMIT,
    Lenient,
    _decode_json,
    _dump_text,
    _field_for,
    _json_container,
    _short_error,
    _to_str,
    normalize_key,
)

T = TypeVar("T")


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
