"""Lenient conversions: whatever the API sent becomes the field's type or None, never an error; the scalar
field types (`Str`, `Int`, `EpochMs` ...) built on them.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

# ================================================================================================
# Lenient conversions. Each returns None for what it cannot salvage; none of them ever raises.
# ================================================================================================

_NORMALIZE = str.maketrans("", "", "_-@ ")
_MISSING: Any = object()
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
