"""The base of every model (`FoasModel`: any key spelling, extras kept, salvage instead of failure) and of
every response (`FoasResponse`, page-number `PagedResponse`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator
from pydantic.functional_validators import ModelWrapValidatorHandler

from foas_tui.api.models.lenient import _MISSING, Int, Lenient, Str, _json_container, normalize_key

ItemT = TypeVar("ItemT")

_KEY_CACHE_LIMIT = 4096  # raw keys remembered per model (bounded: bodies may carry arbitrary keys)
_PLAN_CACHE_LIMIT = 256  # key sequences remembered per model


def _field_for(fields: dict[str, str], key: Any) -> str | None:
    return fields.get(normalize_key(key)) if isinstance(key, str) else None


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
# Responses, one per operation (in the topic modules); their bases here.
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
