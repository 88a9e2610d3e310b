"""FoasClient: one method per operation, parameters where the spec puts them, retries, read-only, errors."""

from __future__ import annotations

import inspect
import json
import logging
from pathlib import Path
from urllib.parse import parse_qsl

import httpx
import pytest

from foas_tui.api import errors
from foas_tui.api.client import FoasClient, resolve_endpoint
from foas_tui.api.operations import OPERATIONS
from foas_tui.api.signing import Credentials

SPECS = json.loads((Path(__file__).parent / "data" / "operations.json").read_text())
CANARY = "CANARY-secret-7f3a9d"


def make_client(handler, **kw) -> tuple[FoasClient, list[httpx.Request]]:
    sent: list[httpx.Request] = []

    def record(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return handler(request)

    kw.setdefault("sleep", _no_sleep)
    client = FoasClient(Credentials("LTAI5tTestKeyId0001", CANARY), transport=httpx.MockTransport(record),
                        endpoint="http://emulator.test", **kw)
    return client, sent


async def _no_sleep(_: float) -> None:
    return None


def ok(body: dict | None = None, status: int = 200) -> httpx.Response:
    return httpx.Response(status, json=body or {"RequestId": "RID-1"})




def test_every_spec_operation_has_a_method() -> None:
    import re

    def to_snake(name: str) -> str:
        name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
        return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()

    assert len(SPECS) == 67
    for spec in SPECS:
        method = getattr(FoasClient, to_snake(spec["operation"]), None)
        assert method is not None and inspect.iscoroutinefunction(method), spec["operation"]
        op = OPERATIONS[spec["operation"]]
        assert (op.method, op.path) == (spec["method"], spec["path"])
        wire = {p.name for p in op.params}
        for param in spec["params"]:
            name = param["name"]
            if name.startswith("suspendPeriodParam."):
                name = "suspendPeriodParam"
            assert name in wire, (spec["operation"], name)


def test_generated_operations_are_up_to_date() -> None:
    import runpy

    gen = runpy.run_path(str(Path(__file__).parents[1] / "scripts" / "gen_operations.py"))
    for name, expected in gen["render"](SPECS).items():
        assert (Path(__file__).parents[1] / "foas_tui" / "api" / name).read_text() == expected, name


async def test_parameters_go_where_the_spec_says() -> None:
    client, sent = make_client(lambda r: ok({"RequestId": "R", "Jobs": {"Job": []}}))
    await client.list_job("proj", page_size=5, job_type="FLINK_STREAM", is_show_full_field=True)
    request = sent[0]
    assert request.url.path == "/api/v2/projects/proj/jobs"
    query = dict(parse_qsl(request.url.query.decode()))
    assert query == {"pageSize": "5", "jobType": "FLINK_STREAM", "isShowFullField": "true", "RegionId": "cn-hangzhou"}
    assert request.headers["x-acs-action"] == "ListJob"
    assert request.headers["Authorization"].startswith("acs LTAI5tTestKeyId0001:")


async def test_body_params_and_repeated_params() -> None:
    client, sent = make_client(lambda r: ok())
    period = {"startTime": "00:00", "endTime": "06:00", "plan": "a", "policy": "b"}
    await client.commit_job("p", "j", max_cu=10.0, is_on_off=True, suspend_period_param=[period])
    body = dict(parse_qsl(sent[0].content.decode()))
    assert body["maxCU"] == "10.0" and body["isOnOff"] == "true"
    assert body["suspendPeriodParam.1.startTime"] == "00:00"
    assert sent[0].headers["Content-MD5"]


async def test_json_parameter_dicts_are_serialized() -> None:
    client, sent = make_client(lambda r: ok({"RequestId": "R", "instanceId": 7}))
    result = await client.start_job("p", "j", parameter_json={"startOffset": "1700000000000"})
    assert result.instance_id == 7
    body = dict(parse_qsl(sent[0].content.decode()))
    assert json.loads(body["parameterJson"]) == {"startOffset": "1700000000000"}


async def test_read_only_refuses_mutations_before_any_io() -> None:
    client, sent = make_client(lambda r: ok(), read_only=True)
    for name, op in OPERATIONS.items():
        if not op.mutating:
            continue
        args = {p.name: "x" for p in op.params if p.required}
        with pytest.raises(errors.ReadOnlyError) as info:
            await client._invoke(name, args)
        assert "read-only" in str(info.value)
    assert sent == []
    # Reads still work, including the metric POST.
    await client.get_project("p")
    await client.get_instance_metric("p", "j", "{}")
    assert len(sent) == 2


@pytest.mark.parametrize(
    ("status", "body", "cls"),
    [
        (400, {"Code": "SignatureDoesNotMatch", "Message": "bad", "RequestId": "R1"}, errors.AuthError),
        (404, {"Code": "InvalidAccessKeyId.NotFound", "Message": "x", "RequestId": "R2"}, errors.AuthError),
        (403, {"Code": "Forbidden.RAM", "Message": "x", "RequestId": "R3"}, errors.AuthError),
        (404, {"Code": "JobNotFound", "Message": "x", "RequestId": "R4"}, errors.NotFoundError),
        (409, {"Code": "JobIsOnline", "Message": "x", "requestId": "R5"}, errors.ConflictError),
        (429, {"Code": "Throttling.User", "Message": "x", "RequestId": "R6"}, errors.ThrottledError),
        (503, {"Code": "ServiceUnavailable", "Message": "x", "RequestId": "R7"}, errors.ServerError),
        (400, {"Code": "InvalidinstanceId", "Message": "x", "RequestId": "R8", "HostId": "h", "Recommend": "u"},
         errors.BadRequestError),
    ],
)
async def test_error_mapping_keeps_request_id(status, body, cls) -> None:
    client, sent = make_client(lambda r: httpx.Response(status, json=body), retries=0)
    with pytest.raises(cls) as info:
        await client.get_job("p", "j")
    err = info.value
    assert err.request_id == (body.get("RequestId") or body.get("requestId"))
    assert err.code == body["Code"] and err.status == status
    assert err.request_id in str(err)
    assert CANARY not in str(err) + repr(err)


async def test_non_json_error_body() -> None:
    client, _ = make_client(lambda r: httpx.Response(502, text="<html>Bad Gateway</html>"), retries=0)
    with pytest.raises(errors.ServerError, match="Bad Gateway"):
        await client.get_job("p", "j")


async def test_malformed_success_body_is_invalid_response() -> None:
    client, _ = make_client(lambda r: httpx.Response(200, text='{"RequestId": "x", "Jo'))
    with pytest.raises(errors.InvalidResponse):
        await client.get_job("p", "j")


async def test_reads_retry_on_5xx_with_backoff_then_succeed() -> None:
    replies = [httpx.Response(503, json={"Code": "ServiceUnavailable", "Message": "m", "RequestId": "a"}),
               httpx.Response(500, json={"Code": "InternalError", "Message": "m", "RequestId": "b"}),
               ok({"RequestId": "c", "Project": {"Name": "p"}})]
    delays: list[float] = []

    async def sleep(d: float) -> None:
        delays.append(d)

    client, sent = make_client(lambda r: replies.pop(0), retries=2, sleep=sleep, rng=lambda: 1.0,
                               backoff_base=0.1)
    result = await client.get_project("p")
    assert result.request_id == "c"
    assert len(sent) == 3
    assert delays == [0.1, 0.2]  # exponential, full jitter scaled by rng()=1.0
    # Every attempt is signed afresh.
    assert all("Authorization" in r.headers for r in sent)


async def test_mutations_are_not_retried_on_5xx() -> None:
    client, sent = make_client(lambda r: httpx.Response(500, json={"Code": "InternalError", "Message": "m"}),
                               retries=3)
    with pytest.raises(errors.ServerError):
        await client.delete_job("p", "j")
    assert len(sent) == 1


async def test_throttling_is_retried_even_for_mutations_and_honours_retry_after() -> None:
    replies = [httpx.Response(429, headers={"Retry-After": "1.5"},
                              json={"Code": "Throttling.User", "Message": "slow down", "RequestId": "t"}),
               ok()]
    delays: list[float] = []

    async def sleep(d: float) -> None:
        delays.append(d)

    client, sent = make_client(lambda r: replies.pop(0), sleep=sleep, rng=lambda: 0.0)
    await client.offline_job("p", "j")
    assert len(sent) == 2 and delays == [1.5]


async def test_timeouts_and_connection_errors_map_to_connection_errors() -> None:
    def boom(request: httpx.Request) -> httpx.Response:
        raise httpx.ReadTimeout("timed out", request=request)

    client, sent = make_client(boom, retries=1)
    with pytest.raises(errors.RequestTimeout):
        await client.get_project("p")
    assert len(sent) == 2

    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client, sent = make_client(refused, retries=1)
    with pytest.raises(errors.ConnectionFailed, match="connection refused"):
        await client.delete_job("p", "j")  # never reached the server: safe to retry
    assert len(sent) == 2


async def test_paging_iterates_all_pages() -> None:
    def page(request: httpx.Request) -> httpx.Response:
        q = dict(parse_qsl(request.url.query.decode()))
        index, size = int(q["pageIndex"]), int(q["pageSize"])
        jobs = [{"JobName": f"j{i}"} for i in range((index - 1) * size, min(index * size, 7))]
        return ok({"RequestId": "r", "Jobs": {"Job": jobs}, "PageIndex": index, "PageSize": size,
                   "TotalCount": 7, "TotalPage": 3})

    client, sent = make_client(page)
    names = [job.job_name async for job in client.iter_list_job("p", page_size=3)]
    assert names == [f"j{i}" for i in range(7)]
    assert len(sent) == 3


async def test_concurrency_limit_bounds_fan_out() -> None:
    import asyncio

    in_flight = 0
    peak = 0

    async def handler(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return ok({"RequestId": "r", "Project": {}})

    client = FoasClient(Credentials("id", "s"), transport=httpx.MockTransport(handler),
                        endpoint="http://x", max_concurrency=3)
    results = await client.gather(client.get_project(f"p{i}") for i in range(12))
    assert len(results) == 12 and peak == 3


async def test_call_log_observer_and_cli_equivalent(caplog) -> None:
    caplog.set_level(logging.DEBUG)
    client, _ = make_client(lambda r: ok({"RequestId": "RID-9", "Jobs": {"Job": []}}))
    records = []
    client.observers.append(records.append)
    await client.list_job("proj", page_size=2)
    rec = records[0]
    assert (rec.operation, rec.status, rec.request_id) == ("ListJob", 200, "RID-9")
    assert rec.aliyun_cli().startswith("aliyun foas GET /api/v2/projects/proj/jobs --region cn-hangzhou")
    text = caplog.text + repr(rec) + repr(client)
    assert CANARY not in text and "Authorization" not in text


def test_endpoint_resolution() -> None:
    assert resolve_endpoint("cn-shanghai") == "https://foas.cn-shanghai.aliyuncs.com"
    assert resolve_endpoint("cn-hongkong") == "https://foas.aliyuncs.com"
    assert resolve_endpoint("eu-central-1") == "https://foas.ap-northeast-1.aliyuncs.com"
    assert resolve_endpoint("cn-hangzhou", "foas.aliyuncs.com") == "https://foas.aliyuncs.com"
    assert resolve_endpoint("cn-hangzhou", "http://127.0.0.1:8123/") == "http://127.0.0.1:8123"


def test_api_package_never_imports_textual() -> None:
    import subprocess
    import sys

    code = ("import sys, foas_tui.api.client, foas_tui.api.models, foas_tui.api.errors, foas_tui.api.signing;"
            "print([m for m in sys.modules if m.startswith('textual')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


async def test_hang_is_bounded_by_the_client_timeout_even_in_process() -> None:
    import asyncio

    async def hang(request: httpx.Request) -> httpx.Response:
        await asyncio.sleep(30)
        return ok()

    client = FoasClient(Credentials("id", "s"), transport=httpx.MockTransport(hang), endpoint="http://x",
                        timeout=0.2, connect_timeout=0.1, retries=0)
    with pytest.raises(errors.RequestTimeout):
        await client.get_project("p")


async def test_lone_surrogates_in_a_body_are_replaced() -> None:
    body = b'{"RequestId": "r", "Project": {"Name": "p\\ud800"}}'
    client, _ = make_client(lambda r: httpx.Response(200, content=body))
    result = await client.get_project("p")
    assert result.project.name == "p?"
    result.model_dump_json()  # every string can be encoded again
