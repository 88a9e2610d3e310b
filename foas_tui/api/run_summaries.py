"""BatchGetInstanceRunSummary for the live refresh, parsed lean: the fields the live table shows, in one pass.

The refresh reads 1,000 run summaries every few seconds. Validating each through the lenient pydantic model
(`models.RunSummary`) cost about half of the client's CPU per refresh; this reads the same keys (any
spelling, as the models accept), takes the same wrappers (`RunSummarys.RunSummary`, a bare list, one
object) and turns odd values into text or None as the models do, without building models.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from foas_tui.api.models import _to_str as text_of
from foas_tui.api.models import normalize_key

_FIELDS = {
    "id": "id", "jobname": "job_name", "expectstate": "expect_state", "actualstate": "actual_state",
    "enginejobhandler": "engine_job_handler", "inputdelay": "input_delay", "lasterrortime": "last_error_time",
    "lasterrormessage": "last_error_message",
}
_LIST_KEYS = ("runsummarys", "runsummaries")
_ITEM_KEY = "runsummary"
_key_cache: dict[str, str | None] = {}
_KEY_CACHE_LIMIT = 1024  # bodies may carry arbitrary keys


class LeanRunSummary:
    """One run summary with the attributes of `models.RunSummary` the refresh reads (raw, not coerced)."""

    __slots__ = tuple(_FIELDS.values())

    id: Any
    job_name: Any
    expect_state: Any
    actual_state: Any
    engine_job_handler: Any
    input_delay: Any
    last_error_time: Any
    last_error_message: Any

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, None)

    def __repr__(self) -> str:
        return f"LeanRunSummary(job_name={self.job_name!r}, actual_state={self.actual_state!r})"


def _field(key: Any) -> str | None:
    if not isinstance(key, str):
        return None
    name = _key_cache.get(key, "")
    if name == "":
        name = _FIELDS.get(normalize_key(key))
        if len(_key_cache) < _KEY_CACHE_LIMIT:
            _key_cache[key] = name
    return name


def _scalar(value: Any) -> Any:
    """Text and numbers as they came; anything else (objects, lists, booleans) as the models' text."""
    if value is None or type(value) in (str, int, float):
        return value
    return text_of(value)


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
    field, scalar = _field, _scalar
    for item in _items(body):
        if not isinstance(item, Mapping):
            continue
        summary = LeanRunSummary()
        for key, value in item.items():
            name = field(key)
            if name is not None and getattr(summary, name) is None:  # the first spelling of a field wins
                setattr(summary, name, scalar(value))
        out.append(summary)
    return out
