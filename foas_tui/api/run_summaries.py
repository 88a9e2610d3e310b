"""BatchGetInstanceRunSummary for the live refresh, parsed lean: the fields the live table shows, in one pass.

The refresh reads 1,000 run summaries every few seconds. Validating each through the lenient pydantic model
(`models.RunSummary`) cost about half of the client's CPU per refresh; this reads the same keys (any
spelling, as the models accept), takes the same wrappers (`RunSummarys.RunSummary`, a bare list, one
object) and turns odd values into text or None as the models do, without building models.

An answer in the documented shape (the seed's example: `{"RequestId", "RunSummarys": {"RunSummary": [...]}}`,
the documented keys only, each value text, a number or null) is decoded straight from its bytes by msgspec
into `LeanRunSummary` objects (`decode_run_summaries`): no dict per summary, a fifth of the CPU of `json` plus
the pass below. Anything else (other spellings, wrappers or keys, odd values, numbers JSON cannot hold in a
double, invalid UTF-8, a lone surrogate escape such as "\\ud800") makes that decoder refuse, and the body
takes the lenient path: `json`, then `parse_run_summaries`.

On the lenient path every summary of one answer has the same keys in the same order, so the key -> field
mapping is worked out once per key layout (a "plan") and each summary is then read with a few C-level calls.
A summary is a `LeanRunSummary`, a frozen msgspec Struct: hashable and comparable, so the refresh can tell an
unchanged summary from the last one without converting it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Union

import msgspec

from foas_tui.api.models import _to_str as text_of
from foas_tui.api.models import normalize_key

Scalar = Union[str, int, float, None]  # noqa: UP007 (msgspec reads the annotation at class creation)

# The documented keys (seed 5.1, BatchGetInstanceRunSummary), by attribute.
_DOCUMENTED = {
    "id": "Id", "job_name": "JobName", "expect_state": "ExpectState", "actual_state": "ActualState",
    "engine_job_handler": "EngineJobHandler", "input_delay": "InputDelay", "last_error_time": "LastErrorTime",
    "last_error_message": "LastErrorMessage",
}


class LeanRunSummary(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename=_DOCUMENTED, gc=False):
    """One run summary with the attributes of `models.RunSummary` the refresh reads (raw, not coerced):
    text and numbers as they came, anything else (objects, lists, booleans) as the models' text.

    `gc=False`: it holds only text and numbers, so it can be in no reference cycle; the collector skips it."""

    id: Scalar = None
    job_name: Scalar = None
    expect_state: Scalar = None
    actual_state: Scalar = None
    engine_job_handler: Scalar = None
    input_delay: Scalar = None
    last_error_time: Scalar = None
    last_error_message: Scalar = None

    def __repr__(self) -> str:  # short: a summary's error message can be long
        return f"LeanRunSummary(job_name={self.job_name!r}, actual_state={self.actual_state!r})"


class _Wrapper(msgspec.Struct, forbid_unknown_fields=True, rename={"items": "RunSummary"}):
    items: list[LeanRunSummary]


class _Answer(msgspec.Struct, forbid_unknown_fields=True,
              rename={"request_id": "RequestId", "summaries": "RunSummarys"}):
    summaries: _Wrapper
    request_id: Scalar = None


_decoder = msgspec.json.Decoder(_Answer)


def decode_run_summaries(content: bytes) -> tuple[str | None, list[LeanRunSummary]] | None:
    """(request id, summaries) of an answer in the documented shape, or None: then read it the lenient way
    (`json.loads` and `parse_run_summaries`), which gives the same summaries for what this decoder takes."""
    try:
        answer = _decoder.decode(content)
    except (msgspec.ValidationError, msgspec.DecodeError):
        return None
    request_id = answer.request_id
    return (str(request_id) if request_id else None), answer.summaries.items


_FIELD_NAMES = LeanRunSummary.__struct_fields__
_INDEX = {normalize_key(key): _FIELD_NAMES.index(name) for name, key in _DOCUMENTED.items()}
_LIST_KEYS = ("runsummarys", "runsummaries")
_ITEM_KEY = "runsummary"
_PLAIN = frozenset({str, int, float, type(None)})  # values kept as they came (`_scalar`)
_ABSENT: Any = object()  # a plan's key for a field the summary lacks: `dict.get` finds nothing under it
_STATES = (_FIELD_NAMES.index("expect_state"), _FIELD_NAMES.index("actual_state"))
_NUMBERS = tuple(_FIELD_NAMES.index(name) for name in ("id", "input_delay", "last_error_time"))
_plans: dict[tuple[Any, ...], tuple[Any, ...]] = {}
_PLAN_CACHE_LIMIT = 256  # layouts remembered; bodies may carry arbitrary keys
_key_cache: dict[str, int | None] = {}
_KEY_CACHE_LIMIT = 1024


def _field(key: Any) -> int | None:
    """The LeanRunSummary position a key fills (any spelling), or None."""
    if not isinstance(key, str):
        return None
    index = _key_cache.get(key, -1)
    if index == -1:
        index = _INDEX.get(normalize_key(key))
        if len(_key_cache) < _KEY_CACHE_LIMIT:
            _key_cache[key] = index
    return index


def _plan(layout: tuple[Any, ...]) -> tuple[Any, ...]:
    """Which key to read for each field, in LeanRunSummary order. A field spelled twice in one summary (no
    service does that) is read from its first spelling."""
    plan: list[Any] = [_ABSENT] * len(_FIELD_NAMES)
    for key in layout:
        index = _field(key)
        if index is not None and plan[index] is _ABSENT:
            plan[index] = key
    return tuple(plan)


def _scalar(value: Any) -> Any:
    """Text and numbers as they came; anything else (objects, lists, booleans) as the models' text."""
    if value is None or type(value) in (str, int, float):
        return value
    return text_of(value)


def _odd_values(values: tuple[Any, ...]) -> tuple[Any, ...]:
    """Values that are not plain text or numbers, as the models take them: a state that is an object or a
    list is no state (None); a boolean in a number field is 0 or 1; other fields keep such values as text."""
    return tuple(None if index in _STATES and isinstance(value, Mapping | list)
                 else int(value) if index in _NUMBERS and type(value) is bool else _scalar(value)
                 for index, value in enumerate(values))


def _items(body: Mapping[str, Any]) -> list[Any]:
    for key, value in body.items():
        if isinstance(key, str) and normalize_key(key) in _LIST_KEYS:
            if isinstance(value, Mapping):
                value = next((v for k, v in value.items() if isinstance(k, str) and normalize_key(k) == _ITEM_KEY),
                             value)
            if isinstance(value, Mapping):
                return [value]
            return value if isinstance(value, list) else []
    return []


def parse_run_summaries(body: Mapping[str, Any]) -> list[LeanRunSummary]:
    """The run summaries in a BatchGetInstanceRunSummary body; entries that are not objects are skipped."""
    out = []
    plans, plain = _plans, _PLAIN
    for item in _items(body):
        if type(item) is not dict:
            if not isinstance(item, Mapping):
                continue
            item = dict(item)
        layout = tuple(item)
        plan = plans.get(layout)
        if plan is None:
            plan = _plan(layout)
            if len(plans) < _PLAN_CACHE_LIMIT:
                plans[layout] = plan
        values = tuple(map(item.get, plan))
        if not plain.issuperset(map(type, values)):
            values = _odd_values(values)
        out.append(LeanRunSummary(*values))
    return out
