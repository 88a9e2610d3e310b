"""The live refresh's byte decoder (issue 16): an answer in the documented shape is decoded straight from its
bytes; any other answer is read the lenient way. Either way the rows are the ones the lenient pydantic models
give (the reference for odd spellings and values), and the documented shape really takes the fast path.

The documented shape and keys come from the seed (5.1 BatchGetInstanceRunSummary: `RequestId`,
`RunSummarys.RunSummary[]` with Id, JobName, ExpectState, ActualState, EngineJobHandler, InputDelay,
LastErrorTime, LastErrorMessage), never from the code under test.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_refresh_lean import SEED_ANSWER  # the seed's example answer (5.1), with its LastError* fields

from foas_tui.api.client import FoasClient
from foas_tui.api.models import BatchGetInstanceRunSummaryResponse
from foas_tui.api.run_summaries import decode_run_summaries
from foas_tui.api.signing import Credentials
from foas_tui.services.refresh import _row

DOCUMENTED_KEYS = ["Id", "JobName", "ExpectState", "ActualState", "EngineJobHandler", "InputDelay",
                   "LastErrorTime", "LastErrorMessage"]


def _rows_from_models(body: bytes) -> list[Any]:
    answer = BatchGetInstanceRunSummaryResponse.model_validate(json.loads(body))
    return [_row("p", "FLINK_STREAM", s, {}) for s in answer.run_summaries]


async def _rows_from_client(body: bytes) -> tuple[list[Any], str | None]:
    client = FoasClient(Credentials("LTAI" + "x" * 20, "s" * 30), endpoint="http://foas.test",
                        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=body)), retries=0)
    records: list[Any] = []
    client.observers.append(records.append)
    async with client:
        summaries = await client.run_summaries("p", ["ss2"], "FLINK_STREAM")
    return [_row("p", "FLINK_STREAM", s, {}) for s in summaries], records[-1].request_id


def test_the_seed_example_takes_the_fast_path() -> None:
    decoded = decode_run_summaries(json.dumps(SEED_ANSWER).encode())
    assert decoded is not None
    request_id, summaries = decoded
    assert request_id == "1CA9A8E9-F398-493F-83CA-A92A38501B47"
    assert [_row("p", "FLINK_STREAM", s, {}) for s in summaries] == _rows_from_models(json.dumps(SEED_ANSWER).encode())


async def test_the_call_log_has_the_answers_request_id_on_the_fast_path() -> None:
    rows, request_id = await _rows_from_client(json.dumps(SEED_ANSWER).encode())
    assert request_id == "1CA9A8E9-F398-493F-83CA-A92A38501B47"
    assert [(r.job_name, r.actual_state, r.instance_id) for r in rows] == [("ss2", "RUNNING", 214650)]


def test_other_shapes_are_left_to_the_lenient_path() -> None:
    for body in (
        {"RequestId": "R", "RunSummarys": [{"JobName": "a"}]},  # a bare list
        {"RequestId": "R", "RunSummarys": {"RunSummary": {"JobName": "a"}}},  # one object
        {"RequestId": "R", "RunSummarys": {"RunSummary": [{"jobName": "a"}]}},  # another spelling
        {"RequestId": "R", "RunSummarys": {"RunSummary": [{"JobName": "a", "ClusterId": "c"}]}},  # another key
        {"RequestId": "R", "RunSummarys": {"RunSummary": [{"JobName": "a", "ActualState": True}]}},  # a boolean
        {"RequestId": "R", "RunSummarys": {"RunSummary": [{"JobName": "a", "Id": {"v": 1}}]}},  # an object
        {"RequestId": "R", "RunSummarys": {"RunSummary": ["a"]}},  # not an object
        {"RequestId": "R"},  # no summaries
    ):
        assert decode_run_summaries(json.dumps(body).encode()) is None, body
    assert decode_run_summaries(b'{"RequestId":"R","RunSummarys":{"RunSummary":[{"InputDelay":1e400}]}}') is None
    assert decode_run_summaries(b'{"RunSummarys":{"RunSummary":[{"JobName":"a\\ud800"}]}}') is None  # lone surrogate
    assert decode_run_summaries(b'{"RunSummarys":{"RunSummary":[{"JobName":"a\xed\xa0\x80"}]}}') is None  # bad UTF-8


async def test_a_lone_surrogate_in_the_documented_shape_gets_the_typed_calls_rows() -> None:
    """The typed call (models, with the client's cleaning of lone surrogates) is the reference here."""
    body = json.dumps({"RequestId": "R", "RunSummarys": {"RunSummary": [
        {"JobName": "ok", "ActualState": "RUNNING"}, {"JobName": "bad\udc80name", "ActualState": "FAILED"}]}}).encode()
    assert b"\\udc80" in body
    client = FoasClient(Credentials("LTAI" + "x" * 20, "s" * 30), endpoint="http://foas.test",
                        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=body)), retries=0)
    async with client:
        typed = (await client.batch_get_instance_run_summary("p", ["ok"], "FLINK_STREAM")).run_summaries
    rows, _ = await _rows_from_client(body)
    assert rows == [_row("p", "FLINK_STREAM", s, {}) for s in typed]
    assert all("\udc80" not in row.job_name for row in rows)


_text = st.text(max_size=12)
_numeric_text = st.sampled_from(["1.5", "1e3", " 7 ", "NaN", "Infinity", "-0", "", "12345678901234567890123"])
_scalar = st.one_of(st.none(), _text, _numeric_text, st.integers(min_value=-(2**70), max_value=2**70),
                    st.floats(allow_nan=False, allow_infinity=False))
_odd = st.one_of(st.booleans(), st.lists(st.integers(), max_size=2), st.dictionaries(_text, st.integers(), max_size=2))
_key = st.one_of(st.sampled_from(DOCUMENTED_KEYS), st.sampled_from(["jobName", "actual_state", "ClusterId"]))


@st.composite
def _summary(draw: Any) -> dict[str, Any]:
    # One spelling per field: which of two spellings the models read is theirs to pick (test_refresh_lean.py).
    keys = draw(st.lists(_key, max_size=8, unique_by=lambda key: key.lower().replace("_", "")))
    return {key: draw(st.one_of(_scalar, _odd) if draw(st.integers(0, 9)) == 0 else _scalar) for key in keys}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(summaries=st.lists(_summary(), max_size=6))
async def test_the_client_gives_the_rows_the_models_give(summaries: list[dict[str, Any]]) -> None:
    body = json.dumps({"RequestId": "R", "RunSummarys": {"RunSummary": summaries}}).encode()
    rows, _ = await _rows_from_client(body)
    assert rows == _rows_from_models(body)
    plain = all(set(s) <= set(DOCUMENTED_KEYS) and all(v is None or type(v) in (str, int, float) for v in s.values())
                for s in summaries)
    if plain:  # the documented shape with text and numbers: decoded from the bytes
        assert decode_run_summaries(body) is not None
