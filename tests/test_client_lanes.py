"""The client's lanes (api/lanes.py): one connection per call in flight, reused, never more than the client's
concurrency, given back on every way a call ends; and httpx's own pool whenever a proxy is configured, so that
HTTP(S)_PROXY keeps working. Against the emulator on a real loopback port, and small raw servers."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from foas_tui.api import errors
from foas_tui.api.client import FoasClient
from foas_tui.api.http_client import proxy_configured
from foas_tui.api.lanes import LaneTransport
from foas_tui.api.signing import Credentials
from foas_tui.emulator import DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET
from foas_tui.emulator.server import ServerThread

PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY")


@pytest.fixture(autouse=True)
def no_proxy_in_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)


@pytest.fixture
def connects(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """TCP connects made in this process from now on."""
    made: list[Any] = []
    original = socket.socket.connect

    def counting(self: socket.socket, address: Any) -> Any:
        made.append(address)
        return original(self, address)

    monkeypatch.setattr(socket.socket, "connect", counting)
    return made


def _client(endpoint: str, **options: Any) -> FoasClient:
    return FoasClient(Credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET), endpoint=endpoint, retries=0,
                      **options)


@asynccontextmanager
async def _serve(handler: Any) -> AsyncIterator[str]:
    """A raw HTTP server on a loopback port; on leaving, it waits for its handlers to end (close clients first)."""
    running: set[asyncio.Task[Any]] = set()

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        running.add(task)
        try:
            await handler(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass  # the client hung up
        finally:
            writer.close()
            running.discard(task)

    listener = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = listener.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        listener.close()
        while running:
            await asyncio.wait_for(asyncio.wait(set(running)), 10)


@pytest.fixture
def lane_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Requests that went through a LaneTransport from now on."""
    calls: list[str] = []
    original = LaneTransport.handle_async_request

    async def counting(self: LaneTransport, request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return await original(self, request)

    monkeypatch.setattr(LaneTransport, "handle_async_request", counting)
    return calls


async def test_no_proxy_in_the_environment_means_lanes(loopback_emulator: ServerThread, lane_calls: list[str]) -> None:
    assert not proxy_configured()
    async with _client(loopback_emulator.endpoint) as client:
        await client.list_project()
    assert len(lane_calls) == 1


@pytest.mark.parametrize("name", ["HTTP_PROXY", "https_proxy", "ALL_PROXY"])
def test_any_proxy_variable_counts(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    monkeypatch.setenv(name, "http://127.0.0.1:9")
    assert proxy_configured()


async def test_a_burst_opens_no_more_connections_than_calls_in_flight_and_the_next_burst_none(
        loopback_emulator: ServerThread, connects: list[Any]) -> None:
    async with _client(loopback_emulator.endpoint, max_concurrency=4) as client:
        projects = await asyncio.gather(*(client.list_project() for _ in range(12)))
        assert all(projects)
        first = len(connects)
        assert 1 <= first <= 4
        await asyncio.gather(*(client.list_project() for _ in range(12)))
        assert len(connects) == first  # every connection kept and reused
        for _ in range(5):
            await client.list_project()
        assert len(connects) == first


async def test_one_call_at_a_time_uses_one_connection(loopback_emulator: ServerThread, connects: list[Any]) -> None:
    async with _client(loopback_emulator.endpoint, max_concurrency=8) as client:
        for _ in range(6):
            await client.list_project()
    assert len(connects) == 1


async def test_a_body_over_the_cap_gives_its_lane_back(loopback_emulator: ServerThread) -> None:
    # One lane: if the refused body kept it, the next call would wait for ever (bounded here by wait_for).
    async with _client(loopback_emulator.endpoint, max_concurrency=1, max_response_bytes=64) as client:
        for _ in range(3):
            with pytest.raises(errors.ResponseTooLarge):
                await asyncio.wait_for(client.list_project(), 10)
        client.max_response_bytes = 1 << 20
        assert await asyncio.wait_for(client.list_project(), 10)


async def test_a_cancelled_call_gives_its_lane_back(loopback_emulator: ServerThread) -> None:
    answered = asyncio.Event()

    async def never_answers(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        answered.set()
        await reader.read()  # until the client hangs up

    lanes = LaneTransport(1, keepalive_expiry=30)
    async with _serve(never_answers) as silent, httpx.AsyncClient(transport=lanes) as http:
        stuck = asyncio.ensure_future(http.get(silent + "/"))
        await answered.wait()
        stuck.cancel()
        with pytest.raises(asyncio.CancelledError):
            await stuck
        response = await asyncio.wait_for(http.get(loopback_emulator.endpoint + "/"), 10)
        assert response.status_code > 0
    assert lanes.connections_made == 1


async def test_a_failed_connect_gives_its_lane_back(loopback_emulator: ServerThread) -> None:
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()  # nothing listens there now
    lanes = LaneTransport(1, keepalive_expiry=30)
    async with httpx.AsyncClient(transport=lanes) as http:
        for _ in range(2):
            with pytest.raises(httpx.ConnectError):
                await asyncio.wait_for(http.get(f"http://127.0.0.1:{port}/"), 10)
        response = await asyncio.wait_for(http.get(loopback_emulator.endpoint + "/"), 10)
        assert response.status_code > 0


async def test_more_calls_than_lanes_wait_their_turn(loopback_emulator: ServerThread) -> None:
    in_flight = peak = 0
    release = asyncio.Event()

    async def slow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal in_flight, peak
        while True:
            await reader.readuntil(b"\r\n\r\n")  # until the client hangs up
            in_flight += 1
            peak = max(peak, in_flight)
            if peak == 2:
                release.set()
            await release.wait()
            in_flight -= 1
            writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            await writer.drain()

    lanes = LaneTransport(2, keepalive_expiry=30)
    async with _serve(slow) as endpoint, httpx.AsyncClient(transport=lanes) as http:
        responses = await asyncio.wait_for(asyncio.gather(*(http.get(endpoint + "/") for _ in range(7))), 10)
    assert [r.text for r in responses] == ["ok"] * 7
    assert peak == 2
    assert lanes.connections_made == 2


async def test_requests_go_through_a_proxy_named_in_the_environment(monkeypatch: pytest.MonkeyPatch,
                                                                    lane_calls: list[str]) -> None:
    seen: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        seen.append(head.split(b"\r\n", 1)[0])
        body = b'{"Message": "from the proxy"}'
        writer.write(b"HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\n"
                     b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(body), body))
        await writer.drain()

    async with _serve(proxy) as proxy_url:
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        # The endpoint is never reached directly: the request goes to the proxy, in absolute form.
        async with _client("http://foas.example.invalid:8080") as client:
            with pytest.raises(errors.FoasError):
                await asyncio.wait_for(client.list_project(), 10)
    assert len(seen) == 1
    assert seen[0].startswith(b"GET http://foas.example.invalid:8080/")
    assert lane_calls == []  # httpx's own pool, which knows proxies
