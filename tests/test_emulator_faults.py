"""Each fault knob, in-process (httpx.ASGITransport) and over a real loopback port; the emulator CLI."""

from __future__ import annotations

import argparse
import asyncio
import io
import time

import httpx
import pytest
from test_emulator_service import T0, Api

from foas_tui.api import errors
from foas_tui.emulator import EmulatorConfig, FakeClock, create_app, demo_client
from foas_tui.emulator.faults import ConnectionDropped, FaultConfig
from foas_tui.emulator.server import ServerThread, add_emulator_parser, banner, is_loopback, loopback_warning


@pytest.fixture
def emulator():
    return create_app(EmulatorConfig(jobs=16, clock=FakeClock(T0)))


@pytest.fixture
async def api(emulator):
    client = Api(httpx.ASGITransport(app=emulator))
    yield client
    await client.aclose()


async def list_projects(api: Api) -> httpx.Response:
    return await api.send(api.request("ListProject", {}))


# --- knobs ----------------------------------------------------------------------------------------


async def test_no_faults_by_default(emulator, api: Api) -> None:
    assert not emulator.faults.active
    assert (await list_projects(api)).status_code == 200


async def test_latency(emulator, api: Api) -> None:
    emulator.faults.set(latency_ms=120)
    started = time.perf_counter()
    assert (await list_projects(api)).status_code == 200
    assert time.perf_counter() - started >= 0.11


def test_jitter_is_seeded_and_bounded() -> None:
    def delays(seed: int) -> list[float]:
        faults = FaultConfig(seed=seed)
        faults.set(latency_ms=100, jitter_ms=50)
        return [faults.decide("ListJob").delay_s for _ in range(50)]

    assert delays(1) == delays(1)
    assert delays(1) != delays(2)
    assert all(0.05 <= d <= 0.15 for d in delays(1)) and len(set(delays(1))) > 10


@pytest.mark.parametrize(("status", "code"), [(500, "InternalError"), (503, "ServiceUnavailable"),
                                              (429, "Throttling.User"), (403, "Forbidden.RAM")])
async def test_forced_status(emulator, api: Api, status: int, code: str) -> None:
    emulator.faults.set(status=status)
    response = await list_projects(api)
    body = response.json()
    assert (response.status_code, body["Code"]) == (status, code)
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}


async def test_throttling_sends_retry_after(emulator, api: Api) -> None:
    emulator.faults.set(throttle=True, retry_after_s=2)
    response = await list_projects(api)
    assert (response.status_code, response.json()["Code"]) == (429, "Throttling.User")
    assert response.headers["retry-after"] == "2"


async def test_error_rate_is_random_but_repeatable(api: Api) -> None:
    async def outcomes(seed: int) -> list[int]:
        emulator = create_app(EmulatorConfig(jobs=4, seed=seed))
        emulator.faults.set(error_rate=0.5)
        client = Api(httpx.ASGITransport(app=emulator))
        got = [(await list_projects(client)).status_code for _ in range(40)]
        await client.aclose()
        return got

    first = await outcomes(3)
    assert first == await outcomes(3)
    assert 200 in first and set(first) - {200} <= {500, 502, 503, 504} and len(set(first)) > 2


async def test_error_rate_with_chosen_statuses(emulator, api: Api) -> None:
    emulator.faults.set(error_rate=1.0, error_statuses=[409])
    response = await list_projects(api)
    assert (response.status_code, response.json()["Code"]) == (409, "IncorrectStatus")


async def test_malformed_body(emulator, api: Api) -> None:
    emulator.faults.set(malformed=True)
    for _ in range(6):
        response = await list_projects(api)
        assert response.status_code == 200
        with pytest.raises(ValueError):
            response.json()


async def test_hang_past_the_client_timeout_in_process(emulator, api: Api) -> None:
    emulator.faults.set(hang_s=5)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(list_projects(api), timeout=0.2)


async def test_drop_in_process_raises_a_connection_error(emulator, api: Api) -> None:
    emulator.faults.set(drop=True)
    with pytest.raises(ConnectionDropped) as info:
        await list_projects(api)
    assert isinstance(info.value, OSError)


async def test_down_and_restart_in_process(emulator, api: Api) -> None:
    emulator.faults.set_down()
    with pytest.raises(httpx.ConnectError):
        await list_projects(api)
    emulator.faults.set_down(False)
    assert (await list_projects(api)).status_code == 200


async def test_a_restart_is_down_for_its_downtime_then_serves_the_same_state(emulator, api: Api) -> None:
    now = [100.0]
    emulator.faults = FaultConfig(monotonic=lambda: now[0])  # the downtime is measured on the test's clock
    emulator.faults.restart(downtime_s=2.0)
    with pytest.raises(httpx.ConnectError):
        await list_projects(api)
    now[0] += 1.9
    with pytest.raises(httpx.ConnectError):
        await list_projects(api)
    now[0] += 0.2
    assert (await list_projects(api)).status_code == 200
    assert emulator.store.projects  # a restart keeps the state


async def test_per_operation_rule_overrides_global(emulator, api: Api) -> None:
    emulator.faults.set("ListJob", status=503)
    assert (await list_projects(api)).status_code == 200
    status, body = await api("ListJob", projectName="realtime_dw")
    assert (status, body["Code"]) == (503, "ServiceUnavailable")
    emulator.faults.set(status=500)
    emulator.faults.set("ListJob", status=None, latency_ms=1)  # None keeps the value set before
    assert (await api("ListJob", projectName="realtime_dw"))[0] == 503
    emulator.faults.clear("ListJob")
    assert (await api("ListJob", projectName="realtime_dw"))[0] == 500
    emulator.faults.clear()
    assert (await list_projects(api)).status_code == 200 and not emulator.faults.active


async def test_times_limits_a_rule_to_the_next_requests(emulator, api: Api) -> None:
    emulator.faults.set("ListProject", status=500, times=2)
    assert [(await list_projects(api)).status_code for _ in range(3)] == [500, 500, 200]
    assert emulator.faults.injected["status"] == 2


def test_invalid_knobs_are_refused() -> None:
    faults = FaultConfig()
    with pytest.raises(ValueError):
        faults.set(error_rate=1.5)
    with pytest.raises(ValueError):
        faults.set(status=200)


# --- what the FoasClient makes of them --------------------------------------------------------------


async def test_client_maps_injected_faults(emulator) -> None:
    client = demo_client(emulator, retries=0)
    try:
        emulator.faults.set(throttle=True, retry_after_s=3)
        with pytest.raises(errors.ThrottledError) as throttled:
            await client.list_project()
        assert throttled.value.retry_after == 3 and throttled.value.request_id
        emulator.faults.clear()
        emulator.faults.set(status=503)
        with pytest.raises(errors.ServerError):
            await client.list_project()
        emulator.faults.clear()
        emulator.faults.set(drop=True)
        with pytest.raises(errors.ConnectionFailed):
            await client.list_project()
        emulator.faults.clear()
        emulator.faults.set(malformed=True)
        with pytest.raises(errors.InvalidResponse):
            await client.list_project()
        emulator.faults.clear()
        emulator.faults.set_down()
        with pytest.raises(errors.ConnectionFailed):
            await client.list_project()
    finally:
        await client.aclose()


async def test_client_retries_through_one_transient_error(emulator) -> None:
    async def no_sleep(_: float) -> None:
        return None

    client = demo_client(emulator, retries=2, sleep=no_sleep)
    try:
        emulator.faults.set("ListProject", status=503, times=1)
        page = await client.list_project()
        assert page.items
    finally:
        await client.aclose()


# --- over a real port -----------------------------------------------------------------------------


@pytest.fixture
def server():
    with ServerThread(create_app(EmulatorConfig(jobs=8))) as running:
        yield running


async def test_real_server_hang_times_out(server: ServerThread) -> None:
    server.emulator.faults.set(hang_s=0.8)
    api = Api(httpx.AsyncHTTPTransport(), base_url=server.endpoint)
    api.http.timeout = httpx.Timeout(0.3)
    with pytest.raises(httpx.ReadTimeout):
        await list_projects(api)
    await api.aclose()


async def test_real_server_drops_the_connection(server: ServerThread) -> None:
    api = Api(httpx.AsyncHTTPTransport(), base_url=server.endpoint)
    assert (await list_projects(api)).status_code == 200
    server.emulator.faults.set(drop=True)
    with pytest.raises(httpx.TransportError):
        response = await list_projects(api)
        await response.aread()
    server.emulator.faults.clear()
    server.emulator.faults.set_down()
    with pytest.raises(httpx.TransportError):
        await list_projects(api)
    server.emulator.faults.set_down(False)
    assert (await list_projects(api)).status_code == 200
    await api.aclose()


async def test_real_server_throttles(server: ServerThread) -> None:
    server.emulator.faults.set(throttle=1.0)
    api = Api(httpx.AsyncHTTPTransport(), base_url=server.endpoint)
    response = await list_projects(api)
    await api.aclose()
    assert (response.status_code, response.headers["retry-after"]) == (429, "1")


# --- CLI ------------------------------------------------------------------------------------------


def test_emulator_command_line() -> None:
    parser = argparse.ArgumentParser(prog="foas-tui")
    add_emulator_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["emulator", "--port", "0", "--jobs", "200", "--seed", "3", "--latency-ms", "50",
                              "--error-rate", "0.1", "--throttle-rate", "0.05", "--malformed-rate", "0.01",
                              "--fault-op", "ListJob", "--fault-op", "GetJob"])
    assert (args.host, args.port, args.jobs, args.seed) == ("127.0.0.1", 0, 200, 3)
    assert (args.latency_ms, args.error_rate, args.throttle_rate) == (50, 0.1, 0.05)
    assert args.fault_op == ["ListJob", "GetJob"] and callable(args.handler)
    bad = parser.parse_args(["emulator", "--fault-op", "NoSuchOperation"])
    assert bad.handler(bad) == 2


def test_banner_and_loopback_warning(emulator) -> None:
    text = banner(emulator, "127.0.0.1", 8123)
    assert "http://127.0.0.1:8123" in text
    assert "FOASDEMOKEY00000001" in text and "foas-demo-secret-do-not-use" in text
    assert not text.count("LTAI")
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert loopback_warning("127.0.0.1") is None
    warning = loopback_warning("0.0.0.0")
    assert warning and "WARNING" in warning


def test_serve_prints_endpoint_and_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    import foas_tui.emulator.server as server_module

    class FakeServer:
        def run(self, sockets):  # noqa: ANN001 - stands in for uvicorn.Server.run
            self.sockets = sockets

    monkeypatch.setattr(server_module, "_uvicorn_server", lambda emulator, log_level: FakeServer())
    out = io.StringIO()
    assert server_module.serve("127.0.0.1", 0, jobs=8, latency_ms=5, out=out) == 0
    text = out.getvalue()
    assert "listening on http://127.0.0.1:" in text and "FOASDEMOKEY00000001" in text and "faults:" in text
