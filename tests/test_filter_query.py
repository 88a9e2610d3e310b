"""The `/` filter language as pure functions: parse, evaluate, and the error for each kind of bad input."""

from __future__ import annotations

import pytest

from foas_tui.services.filter_query import (
    JOB_ALIASES,
    JOB_FIELDS,
    TEXT,
    FieldSpec,
    FilterError,
    parse_duration,
    parse_query,
)

ROWS = {
    "etl_daily": {TEXT: "etl_daily FAILED RUNNING java.io.IOException: disk full", "job": "etl_daily",
                  "state": "FAILED", "expect": "RUNNING", "type": "stream", "queue": "root.etl",
                  "delay": None, "error": "java.io.IOException: disk full", "instance": 7},
    "gmv_1min": {TEXT: "gmv_1min RUNNING RUNNING", "job": "gmv_1min", "state": "RUNNING", "expect": "RUNNING",
                 "type": "stream", "queue": "root.default", "delay": 600.0, "error": "", "instance": 3},
    "report": {TEXT: "report SUCCESS SUCCESS", "job": "report", "state": "SUCCESS", "expect": "SUCCESS",
               "type": "batch", "queue": "root.etl", "delay": None, "error": "", "instance": None},
    "fast": {TEXT: "fast RUNNING RUNNING", "job": "fast", "state": "RUNNING", "expect": "RUNNING",
             "type": "stream", "queue": "root.default", "delay": 2.0, "error": "", "instance": 1},
}


def shown(text: str) -> list[str]:
    query = parse_query(text, JOB_FIELDS, JOB_ALIASES)
    assert query is not None
    return sorted(name for name, row in ROWS.items() if query.matches(row))


@pytest.mark.parametrize("text, expected", [
    ("running", ["etl_daily", "fast", "gmv_1min"]),           # text, as before: the expected state counts too
    ("!running", ["report"]),
    ("RUN", ["etl_daily", "fast", "gmv_1min"]),                # case-insensitive
    ("state:failed", ["etl_daily"]),
    ("state:run", ["fast", "gmv_1min"]),                       # `:` contains
    ("state=run", []),                                         # `=` equals
    ("state=running", ["fast", "gmv_1min"]),
    ("state!=running", ["etl_daily", "report"]),
    ("state:failed,success", ["etl_daily", "report"]),         # a comma: either value
    ("queue:etl", ["etl_daily", "report"]),
    ("type:batch", ["report"]),
    ("!type:batch", ["etl_daily", "fast", "gmv_1min"]),
    ("delay>5m", ["gmv_1min"]),
    ("delay>=600", ["gmv_1min"]),
    ("delay<5m", ["fast"]),                                    # no delay (not running) never compares
    ("!delay>5m", ["etl_daily", "fast", "report"]),
    ("instance<5", ["fast", "gmv_1min"]),
    ("queue:etl type:stream", ["etl_daily"]),                  # space = AND
    ("state:failed | delay>5m", ["etl_daily", "gmv_1min"]),    # | = OR
    ("state:failed or delay>5m", ["etl_daily", "gmv_1min"]),
    ("queue:etl type:batch | delay>5m", ["gmv_1min", "report"]),  # AND binds tighter than OR
    ("/disk +full/", ["etl_daily"]),                           # a regex over the text, spaces inside
    ("/^(fast|report) /", ["fast", "report"]),
    ("error~/IOExc.*disk/", ["etl_daily"]),
    ('error~"disk|oom"', ["etl_daily"]),
    ('"IOException: disk"', ["etl_daily"]),                    # quoted: plain text, not a field
    ("status:failed", ["etl_daily"]),                          # an alias
    ("lag>5m", ["gmv_1min"]),
])
def test_filters_select_the_expected_rows(text: str, expected: list[str]) -> None:
    assert shown(text) == expected


def test_empty_filters_nothing() -> None:
    assert parse_query("", JOB_FIELDS) is None
    assert parse_query("   ", JOB_FIELDS) is None


def test_the_query_names_the_fields_it_uses() -> None:
    query = parse_query("state:failed delay>1m gmv", JOB_FIELDS)
    assert query is not None and query.fields == {"state", "delay"}


@pytest.mark.parametrize("value, seconds", [
    ("90", 90), ("90s", 90), ("5m", 300), ("1h30m", 5400), ("2d", 172800), ("250ms", 0.25), ("1.5h", 5400),
])
def test_durations(value: str, seconds: float) -> None:
    assert parse_duration(value) == pytest.approx(seconds)


@pytest.mark.parametrize("value", ["", "m5", "5 m", "5x", "1h-3m"])
def test_not_durations(value: str) -> None:
    assert parse_duration(value) is None


@pytest.mark.parametrize("text, fragment, position", [
    ("colour:red", "unknown field 'colour'", 0),
    ("x state:", "state: needs a value", 2),
    ("delay>soon", "delay is a duration", 0),
    ("delay:5m", "compare it, e.g. delay>5m", 0),
    ("instance>many", "instance is a number", 0),
    ("job>abc", "job is text", 0),
    ("/[unclosed/", "bad regular expression", 0),
    ("/abc", "a /regex/ is not closed", 0),
    ('"abc', "a quote is not closed", 0),
    ("| state:failed", "| needs a filter on each side", 0),
    ("state:failed |", "| needs a filter on each side", 14),
    ("!", "! needs something to negate", 0),
])
def test_bad_input_is_a_sentence_with_a_position(text: str, fragment: str, position: int) -> None:
    with pytest.raises(FilterError) as caught:
        parse_query(text, JOB_FIELDS, JOB_ALIASES)
    assert fragment in caught.value.message
    assert caught.value.position == position


def test_unknown_field_says_how_to_search_the_text() -> None:
    with pytest.raises(FilterError) as caught:
        parse_query("IOException:", {"job": FieldSpec()})
    assert 'quote it: "IOException:"' in caught.value.message and "fields here: job" in caught.value.message
