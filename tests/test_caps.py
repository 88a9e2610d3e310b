"""Oversized answers and unsendable text: a decoded-size cap counted while decoding, a per-call error for a
parameter with no UTF-8 form, and a refresh that reports such a job alone while the others refresh.

The gzip bomb is produced lazily (a zlib stream fed with zeros, chunk by chunk), so the test can tell how
far the client read: a client that decodes the whole body first would pull every chunk.
"""

from __future__ import annotations

import tracemalloc
import zlib
from collections.abc import AsyncIterator

import httpx
import pytest

from foas_tui.api import errors
from foas_tui.api.client import DEFAULT_MAX_RESPONSE_BYTES, FoasClient
from foas_tui.api.signing import Credentials, RoaSigner, build_request
from foas_tui.services.refresh import RefreshScheduler, unsendable_reason

MIB = 1024 * 1024
BAD_NAME = "orders_\udcff_etl"  # what invalid UTF-8 becomes when decoded with surrogateescape


class GzipBomb(httpx.AsyncByteStream):
    """`decoded` bytes of zeros, gzip-compressed on the fly one MiB at a time; counts what was pulled."""

    def __init__(self, decoded: int) -> None:
        self.decoded = decoded
        self.produced = 0  # decoded bytes behind the compressed chunks handed out so far
        self.wire = 0  # compressed bytes handed out

    async def __aiter__(self) -> AsyncIterator[bytes]:
        packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # gzip framing
        block = bytes(MIB)
        while self.produced < self.decoded:
            self.produced += MIB
            chunk = packer.compress(block) + packer.flush(zlib.Z_SYNC_FLUSH)
            self.wire += len(chunk)
            yield chunk
        tail = packer.flush()
        self.wire += len(tail)
        yield tail


def client_over(handler, **kw) -> FoasClient:
    return FoasClient(Credentials("LTAI5tTestKeyId0001", "secret-for-tests"), endpoint="http://emulator.test",
                      transport=httpx.MockTransport(handler), retries=2, sleep=_no_sleep, **kw)


async def _no_sleep(_: float) -> None:
    return None


async def test_a_gzip_bomb_stops_at_the_cap_before_it_is_decoded_whole() -> None:
    bomb = GzipBomb(decoded=1024 * MIB)  # 1 GiB decoded, about 1 MB on the wire
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return httpx.Response(200, headers={"content-encoding": "gzip", "content-type": "application/json",
                                            "x-acs-request-id": "RID-BOMB"}, stream=bomb)

    client = client_over(handler)
    tracemalloc.start()
    try:
        with pytest.raises(errors.ResponseTooLarge) as info:
            await client.get_instance_exceptions("p", "job", 1)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        await client.aclose()
    err = info.value
    # Reading stopped one chunk past the cap, not at the end of the gigabyte.
    assert DEFAULT_MAX_RESPONSE_BYTES < bomb.produced <= DEFAULT_MAX_RESPONSE_BYTES + 2 * MIB
    assert peak < 3 * DEFAULT_MAX_RESPONSE_BYTES, f"peak {peak / MIB:.0f} MiB"
    assert len(calls) == 1, "a too-large answer is not retried"
    text = str(err)
    assert "GetInstanceExceptions" in text and "32 MiB" in text and "RID-BOMB" in text
    assert "max_response_bytes" in text and isinstance(err, errors.InvalidResponse)
    assert err.limit == DEFAULT_MAX_RESPONSE_BYTES and err.seen > err.limit


async def test_the_cap_is_configurable_and_counts_decoded_bytes() -> None:
    bomb = GzipBomb(decoded=64 * MIB)
    client = client_over(lambda r: httpx.Response(200, headers={"content-encoding": "gzip"}, stream=bomb),
                         max_response_bytes=2 * MIB)
    with pytest.raises(errors.ResponseTooLarge, match="limit of 2 MiB"):
        await client.get_job("p", "job")
    await client.aclose()
    assert bomb.produced <= 4 * MIB and bomb.wire < 64 * 1024  # a few KB on the wire were enough


async def test_a_declared_length_over_the_cap_is_refused_before_reading() -> None:
    class Counting(httpx.AsyncByteStream):
        pulled = 0

        async def __aiter__(self) -> AsyncIterator[bytes]:
            for _ in range(8):
                Counting.pulled += 1
                yield bytes(MIB)

    client = client_over(lambda r: httpx.Response(200, headers={"content-length": str(8 * MIB)}, stream=Counting()),
                         max_response_bytes=1 * MIB)
    with pytest.raises(errors.ResponseTooLarge, match="GetJob"):
        await client.get_job("p", "job")
    await client.aclose()
    assert Counting.pulled == 0


async def test_an_answer_under_the_cap_still_parses() -> None:
    exceptions = '{"root-exception": "' + "x" * 900_000 + '"}'
    client = client_over(lambda r: httpx.Response(200, json={"RequestId": "R", "Exceptions": exceptions}),
                         max_response_bytes=1 * MIB)
    answer = await client.get_instance_exceptions("p", "job", 1)
    await client.aclose()
    assert answer.exceptions is not None


# --- text that has no UTF-8 form -----------------------------------------------------------------------------


async def test_an_unencodable_parameter_is_an_error_for_that_call_only() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"RequestId": "R"})

    client = client_over(handler)
    with pytest.raises(errors.UnencodableParameter) as info:
        await client.get_job("p", BAD_NAME)
    assert "GetJob" in str(info.value) and "jobName" in str(info.value) and "character 8" in str(info.value)
    assert isinstance(info.value, errors.FoasError) and not sent  # nothing went out
    with pytest.raises(errors.UnencodableParameter, match="jobNames"):
        await client.batch_get_instance_run_summary("p", ["good", BAD_NAME], "FLINK_STREAM")
    await client.get_job("p", "fine")  # the client is not broken by it
    await client.aclose()
    assert len(sent) == 1


def test_the_signer_alone_raises_the_clear_error_too() -> None:
    request = httpx.Request("GET", "http://x.test/api/v2/projects/p/jobs/x?a=b")
    request.extensions["foas"] = None
    signer = RoaSigner(Credentials("id", "secret"))
    from foas_tui.api.signing import RoaRequestParts

    parts = RoaRequestParts("GET", "GetJob", f"/api/v2/projects/p/jobs/{BAD_NAME}", [], None, None)
    with pytest.raises(errors.UnencodableParameter):
        signer.sign_headers(parts, {})
    with pytest.raises(errors.UnencodableParameter, match="body"):
        build_request(base_url="http://x.test", method="POST", action="CreateJob", uri_pattern="/api",
                      region_id="cn-hangzhou", body_params={"body": "a\ud800"}, signer=signer)


class SummaryClient:
    """Answers BatchGetInstanceRunSummary like the service: one summary per known job name."""

    def __init__(self, states: dict[str, str]) -> None:
        self.states = states
        self.asked: list[list[str]] = []

    async def batch_get_instance_run_summary(self, project: str, names: list[str], job_type: str):
        from foas_tui.api.models import BatchGetInstanceRunSummaryResponse

        for name in names:
            name.encode("utf-8")  # what signing does: a bad name here would fail the whole chunk
        self.asked.append(list(names))
        summaries = [{"JobName": n, "Id": i + 1, "ActualState": self.states[n], "ExpectState": self.states[n]}
                     for i, n in enumerate(names) if n in self.states]
        return BatchGetInstanceRunSummaryResponse.model_validate(
            {"RequestId": "R", "RunSummarys": {"RunSummary": summaries}})

    async def list_instance(self, *args, **kwargs):
        from types import SimpleNamespace

        return SimpleNamespace(items=[])

    async def iter_list_instance(self, *args, **kwargs):
        for _ in ():
            yield _


async def test_a_job_whose_name_cannot_be_sent_is_reported_alone_and_the_rest_refreshes() -> None:
    states = {f"job{i}": ("RUNNING" if i % 2 else "FAILED") for i in range(12)}
    client = SummaryClient(states)
    refresher = RefreshScheduler(client)
    refresher.watch([("p", name, "FLINK_STREAM") for name in [*list(states)[:5], BAD_NAME, *list(states)[5:]]])
    result = await refresher.refresh_once()
    assert result.ok and result.errors == []  # not a failed refresh: no stale warning, no outage
    assert all(BAD_NAME not in names for names in client.asked)
    for name, state in states.items():
        assert result.rows[("p", name)].actual_state == state
    bad = result.rows[("p", BAD_NAME)]
    assert bad.actual_state == "" and "cannot ask the service about this job" in bad.last_error_message
    assert "character 8" in bad.last_error_message
    assert result.unsendable == {("p", BAD_NAME): bad.last_error_message}
    assert unsendable_reason("plain") is None and unsendable_reason("名前") is None


async def test_the_triage_board_reports_an_unsendable_job_alone() -> None:
    from types import SimpleNamespace

    from foas_tui.services.triage_gather import TriageGatherer

    states = {"a": "RUNNING", "b": "FAILED"}
    client = SummaryClient(states)

    async def iter_list_job(project, **kwargs):
        for name in ["a", BAD_NAME, "b"]:
            yield SimpleNamespace(job_name=name, job_type="FLINK_STREAM", is_committed=True)

    client.iter_list_job = iter_list_job
    errors_seen: list[str] = []
    summaries, _, _ = await TriageGatherer(client, projects=["p"]).run_summaries(errors_seen)
    assert sorted(s.job_name for s in summaries) == ["a", "b"]
    assert len(errors_seen) == 1 and "cannot ask the service about this job" in errors_seen[0]
