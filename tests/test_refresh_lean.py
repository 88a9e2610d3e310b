"""The live refresh's fast paths (issue 16): the lean parse by key layout, the row reused for an unchanged
summary, and calls sized by what is really sent (URL-encoded job names).

Expectations come from the seed (the BatchGetInstanceRunSummary example answer, `jobNames` a comma-separated
query parameter), from the lenient pydantic models (the reference for odd spellings and values) and from
`urllib.parse.quote_plus` (what aliyunsdkcore's `urlencode` sends), never from the code under test.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any
from urllib.parse import parse_qsl, quote_plus

import httpx
import pytest

from foas_tui.api.client import FoasClient
from foas_tui.api.models import BatchGetInstanceRunSummaryResponse
from foas_tui.api.run_summaries import parse_run_summaries
from foas_tui.api.signing import Credentials
from foas_tui.services.refresh import NAMES_BUDGET, RefreshScheduler, _row

# The seed's JSON example answer (5.1 BatchGetInstanceRunSummary), plus its documented LastError* fields.
SEED_ANSWER = {
    "RequestId": "1CA9A8E9-F398-493F-83CA-A92A38501B47",
    "RunSummarys": {"RunSummary": [{
        "ActualState": "RUNNING",
        "EngineJobHandler": "application_1561366511517_113805|a10928cec91de395ff3d7593f7ff46c5",
        "ExpectState": "RUNNING", "JobName": "ss2", "Id": 214650, "InputDelay": 0,
        "LastErrorMessage": "error", "LastErrorTime": 1548397575000,
    }]},
}


def test_the_seed_example_answer_reads_as_documented() -> None:
    (summary,) = parse_run_summaries(SEED_ANSWER)
    row = _row("project1", "FLINK_STREAM", summary, {})
    assert (row.job_name, row.expect_state, row.actual_state, row.instance_id, row.input_delay) == \
        ("ss2", "RUNNING", "RUNNING", 214650, 0)
    assert row.engine_job_handler == "application_1561366511517_113805|a10928cec91de395ff3d7593f7ff46c5"
    assert (row.last_error_message, row.last_error_time) == ("error", 1548397575000)


MIXED_LAYOUTS = [
    # Summaries of one answer in different key layouts: each layout is read on its own.
    {"RunSummarys": {"RunSummary": [
        {"Id": 1, "JobName": "a", "ActualState": "RUNNING", "InputDelay": 5},
        {"jobName": "b", "id": 2, "actualState": "FAILED", "lastErrorMessage": "x"},
        {"Id": 3, "JobName": "c", "ActualState": "RUNNING", "InputDelay": 7},
        {"Id": 4, "JobName": "d", "ClusterId": "extra", "ActualState": "PAUSED"},  # a key the table ignores
        {"JobName": "e", "ActualState": "RUNNING"},  # fewer keys
    ]}},
    # Odd values in the common layout: booleans, objects, lists, floats, text numbers.
    {"RunSummarys": {"RunSummary": [
        {"Id": "11", "JobName": "h", "ActualState": False, "InputDelay": 1.0, "LastErrorMessage": ["x", {"y": 1}]},
        {"Id": 12, "JobName": "i", "ActualState": {"s": "RUNNING"}, "InputDelay": "250", "LastErrorTime": "1"},
    ]}},
]


def test_a_field_spelled_twice_in_one_summary_is_read_not_refused() -> None:
    """No service sends that (the models' pick between the spellings is their own); the row still comes."""
    summary = {"JobName": "f", "InputDelay": 9, "inputDelay": 10, "ActualState": "RUNNING"}
    body = {"RunSummarys": {"RunSummary": [summary]}}
    (summary,) = parse_run_summaries(body)
    assert summary.job_name == "f" and summary.input_delay in (9, 10) and summary.actual_state == "RUNNING"


@pytest.mark.parametrize("body", MIXED_LAYOUTS)
def test_each_key_layout_gives_the_rows_the_models_give(body: dict[str, Any]) -> None:
    from_models = [_row("p", "FLINK_STREAM", s, {}) for s in
                   BatchGetInstanceRunSummaryResponse.model_validate(body).run_summaries]
    for _ in range(2):  # the second time the layouts are known
        assert [_row("p", "FLINK_STREAM", s, {}) for s in parse_run_summaries(body)] == from_models


def _answer(states: dict[str, tuple[int, str, int]]) -> dict[str, Any]:
    return {"RequestId": "R", "RunSummarys": {"RunSummary": [
        {"Id": inst, "JobName": name, "ExpectState": "RUNNING", "ActualState": state, "InputDelay": delay}
        for name, (inst, state, delay) in states.items()]}}


class LeanClient:
    """BatchGetInstanceRunSummary in the lean form, from a dict of job -> (instance id, state, delay)."""

    def __init__(self, states: dict[str, tuple[int, str, int]]) -> None:
        self.states = states
        self.listed: list[str] = []

    async def run_summaries(self, project: str, names: list[str], job_type: str) -> list[Any]:
        return parse_run_summaries(_answer({n: self.states[n] for n in names if n in self.states}))

    async def list_instance(self, project: str, job_type: str, job_name: str = "", **kw: Any) -> Any:
        self.listed.append(job_name)
        return SimpleNamespace(items=[])  # no start time known yet


async def test_an_unchanged_summary_keeps_its_row_and_a_changed_one_is_reported() -> None:
    states = {f"j{i}": (100 + i, "RUNNING", 0) for i in range(50)}
    scheduler = RefreshScheduler(LeanClient(states), chunk_size=20)
    scheduler.watch([("p", name, "FLINK_STREAM") for name in states])
    first = await scheduler.refresh_once()
    assert len(first.changed) == 50
    again = await scheduler.refresh_once()
    assert again.changed == set() and again.rows == first.rows
    states["j7"] = (107, "RUNNING", 1500)  # only its delay moved
    states["j8"] = (999, "RUNNING", 0)  # restarted: a new instance
    third = await scheduler.refresh_once()
    assert third.changed == {("p", "j7"), ("p", "j8")}
    assert third.rows["p", "j7"].input_delay == 1500 and third.rows["p", "j8"].instance_id == 999


async def test_a_start_time_learnt_later_reaches_an_unchanged_summarys_row() -> None:
    client = LeanClient({"a": (500, "RUNNING", 0), "b": (501, "RUNNING", 0)})
    scheduler = RefreshScheduler(client)
    scheduler.watch([("p", "a", "FLINK_STREAM"), ("p", "b", "FLINK_STREAM")])
    await scheduler.refresh_once()
    await scheduler.refresh_once()
    assert scheduler.rows["p", "a"].start_time is None  # ListInstance did not know it
    scheduler.start_times[500] = 1_700_000_000_000  # learnt since (e.g. by a project-wide listing)
    result = await scheduler.refresh_once()
    assert result.rows["p", "a"].start_time == 1_700_000_000_000 and result.changed == {("p", "a")}
    assert result.rows["p", "b"].start_time is None


async def test_watching_other_jobs_changes_the_calls() -> None:
    client = LeanClient({"a": (1, "RUNNING", 0), "b": (2, "RUNNING", 0), "c": (3, "RUNNING", 0)})
    scheduler = RefreshScheduler(client)
    scheduler.watch([("p", "a", "FLINK_STREAM"), ("p", "b", "FLINK_STREAM")])
    assert scheduler.batches() == [("p", "FLINK_STREAM", ["a", "b"])]
    scheduler.watch([("p", "c", "FLINK_STREAM"), ("q", "a", "flink_batch")])
    assert sorted(scheduler.batches()) == [("p", "FLINK_STREAM", ["c"]), ("q", "FLINK_BATCH", ["a"])]
    scheduler.watch([("p", "a", "FLINK_STREAM"), ("p", "b", "FLINK_STREAM")])
    scheduler.chunk_size = 1  # learnt from a refusal
    assert scheduler.batches() == [("p", "FLINK_STREAM", ["a"]), ("p", "FLINK_STREAM", ["b"])]


def _chinese(i: int) -> str:
    return f"实时作业_{i:03d}"  # 4 characters of 3 UTF-8 bytes: 36 characters as sent, plus 4


async def test_calls_are_sized_by_the_job_names_as_sent() -> None:
    """Chinese job names take 9 characters each in the URL: the calls hold fewer of them."""
    names = [_chinese(i) for i in range(400)] + [f"ascii_job_{i:03d}" for i in range(400)]
    sent: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        raw_query = request.url.query.decode("ascii")
        sent.append(next(v for k, v in (p.split("=", 1) for p in raw_query.split("&")) if k == "jobNames"))
        asked = dict(parse_qsl(raw_query))["jobNames"].split(",")
        return httpx.Response(200, json=_answer({n: (1, "RUNNING", 0) for n in asked}))

    client = FoasClient(Credentials("LTAI5tTestKeyId0001", "secret"), transport=httpx.MockTransport(answer),
                        endpoint="http://emulator.test")
    async with client:
        scheduler = RefreshScheduler(client, concurrency=4)
        scheduler.watch([("p", n, "FLINK_STREAM") for n in names])
        result = await scheduler.refresh_once()
    assert result.ok and sum(1 for row in result.rows.values() if row.actual_state == "RUNNING") == 800
    assert all(len(value) <= NAMES_BUDGET for value in sent), max(map(len, sent))
    chunks = [chunk for _, _, chunk in scheduler.batches()]
    assert sorted(sent) == sorted(quote_plus(",".join(chunk)) for chunk in chunks)  # encoded as the SDK does
    # Each call is as full as allowed: one more name would have passed the budget (or the name count).
    for chunk, following in zip(chunks, chunks[1:], strict=False):
        assert len(chunk) == scheduler.chunk_size or len(quote_plus(",".join([*chunk, following[0]]))) > NAMES_BUDGET
    assert max(len(c) for c in chunks if c[-1].startswith("实时")) < max(len(c) for c in chunks)
