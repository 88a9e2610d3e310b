"""BatchGetInstanceRunSummary for the live refresh, parsed lean: the fields the live table shows, in one pass.

The refresh reads 1,000 run summaries every few seconds. Validating each through the lenient pydantic model
(`models.RunSummary`) cost about half of the client's CPU per refresh; this reads the same keys (any
spelling, as the models accept), takes the same wrappers (`RunSummarys.RunSummary`, a bare list, one
object) and turns odd values into text or None as the models do, without building models.

Every summary of one answer has the same keys in the same order, so the key -> field mapping is worked out
once per key layout (a "plan") and each summary is then read with a few C-level calls. A summary is a
`LeanRunSummary`, a named tuple: hashable and comparable, so the refresh can tell an unchanged summary from
the last one without converting it again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

from foas_tui.api.models import _to_str as text_of
from foas_tui.api.models import normalize_key


class LeanRunSummary(NamedTuple):
    """One run summary with the attributes of `models.RunSummary` the refresh reads (raw, not coerced):
    text and numbers as they came, anything else (objects, lists, booleans) as the models' text."""

    id: Any = None
    job_name: Any = None
    expect_state: Any = None
    actual_state: Any = None
    engine_job_handler: Any = None
    input_delay: Any = None
    last_error_time: Any = None
    last_error_message: Any = None

    def __repr__(self) -> str:  # short: a summary's error message can be long
        return f"LeanRunSummary(job_name={self.job_name!r}, actual_state={self.actual_state!r})"


_FIELDS = {
    "id": "id", "jobname": "job_name", "expectstate": "expect_state", "actualstate": "actual_state",
    "enginejobhandler": "engine_job_handler", "inputdelay": "input_delay", "lasterrortime": "last_error_time",
    "lasterrormessage": "last_error_message",
}
_INDEX = {normalized: LeanRunSummary._fields.index(name) for normalized, name in _FIELDS.items()}
_LIST_KEYS = ("runsummarys", "runsummaries")
_ITEM_KEY = "runsummary"
_PLAIN = frozenset({str, int, float, type(None)})  # values kept as they came (`_scalar`)
_ABSENT: Any = object()  # a plan's key for a field the summary lacks: `dict.get` finds nothing under it
_STATES = (LeanRunSummary._fields.index("expect_state"), LeanRunSummary._fields.index("actual_state"))
_plans: dict[tuple[Any, ...], tuple[Any, ...]] = {}
_PLAN_CACHE_LIMIT = 256  # layouts remembered; bodies may carry arbitrary keys
_key_cache: dict[str, int | None] = {}
_KEY_CACHE_LIMIT = 1024
_new = tuple.__new__


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
    plan: list[Any] = [_ABSENT] * len(LeanRunSummary._fields)
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
    list is no state (None); other fields keep such values as text."""
    return tuple(None if index in _STATES and isinstance(value, Mapping | list) else _scalar(value)
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
        out.append(_new(LeanRunSummary, values))
    return out
