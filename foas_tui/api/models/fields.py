"""Field helpers: list wrappers (`Unwrap`) and JSON documents the API sends as text (`Embedded`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar, get_args, get_origin

from pydantic import (
    BaseModel,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    JsonValue,
    SerializationInfo,
    TypeAdapter,
    ValidationError,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import core_schema

from foas_tui.api.models.lenient import _MISSING, _decode_json, _dump_text, _json_container, _to_str, normalize_key

T = TypeVar("T")

# ================================================================================================
# Field helpers: list wrappers and embedded JSON text.
# ================================================================================================


def _short_error(exc: ValidationError) -> str:
    first = exc.errors(include_url=False, include_context=False, include_input=False)[0]
    where = ".".join(str(part) for part in first["loc"]) or "payload"
    more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
    return f"unexpected shape at {where}: {first['msg']}{more}"


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
