"""An httpx transport that gives each call in flight a connection of its own: one lane per call.

Why not httpx's own pool: given a burst of requests (a refresh sends its batches at once), httpcore's pool
assigns every one of them to the same idle connection, because it stays idle until the first request
starts on it. All but one then find it taken and go round the pool again, and each round checks every
idle socket for readability. In the refresh bench (10 calls at once over 12 kept-alive connections)
that was 40 % of the HTTP library's CPU: 13.8 ms per refresh through one pool, 8.2 ms through lanes
(median of 30 interleaved rounds, bare requests, bodies dropped).

A lane is an `httpx.AsyncHTTPTransport` holding at most one connection, so its pool never has a choice to
make. Free lanes are kept last-used-first, so a quiet client reuses its warmest connection. Lanes are
made when first needed, all sharing one SSL context (loading the CA file takes ~30 ms each time).
The lane goes back when the response is closed, or when the request fails or is cancelled.

Only public httpx API is used; a transport given to httpx turns off its proxy-from-environment support,
so `make_http_client` uses lanes only where no proxy is configured (http_client.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

import httpx

if TYPE_CHECKING:
    import ssl


class _LaneStream(httpx.AsyncByteStream):
    """A response body that gives its lane back when it is closed (once)."""

    def __init__(self, inner: httpx.AsyncByteStream, release: Callable[[], None]) -> None:
        self._inner = inner
        self._release: Callable[[], None] | None = release

    async def __aiter__(self) -> AsyncIterator[bytes]:
        async for chunk in self._inner:
            yield chunk

    async def aclose(self) -> None:
        try:
            await self._inner.aclose()
        finally:
            release, self._release = self._release, None
            if release is not None:
                release()


class LaneTransport(httpx.AsyncBaseTransport):
    """At most `lanes` calls in flight, each on a one-connection transport; more calls wait for a lane."""

    def __init__(self, lanes: int, *, keepalive_expiry: float) -> None:
        if lanes < 1:
            raise ValueError("lanes must be at least 1")
        self._keepalive_expiry = keepalive_expiry
        self._free: list[httpx.AsyncHTTPTransport] = []  # the last one is the most recently used
        self._made: list[httpx.AsyncHTTPTransport] = []
        self._slots = asyncio.Semaphore(lanes)
        self._ssl_context: ssl.SSLContext | None = None

    @property
    def connections_made(self) -> int:
        """Lanes made so far (each holds at most one connection)."""
        return len(self._made)

    def _take(self) -> httpx.AsyncHTTPTransport:
        if self._free:
            return self._free.pop()
        if self._ssl_context is None:
            self._ssl_context = httpx.create_ssl_context()
        lane = httpx.AsyncHTTPTransport(
            verify=self._ssl_context,
            limits=httpx.Limits(max_connections=1, max_keepalive_connections=1,
                                keepalive_expiry=self._keepalive_expiry))
        self._made.append(lane)
        return lane

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self._slots.acquire()
        lane = self._take()

        def release() -> None:
            self._free.append(lane)
            self._slots.release()

        try:
            response = await lane.handle_async_request(request)
        except BaseException:
            release()
            raise
        return httpx.Response(response.status_code, headers=response.headers.raw,
                              stream=_LaneStream(response.stream, release),  # type: ignore[arg-type]
                              extensions=response.extensions)

    async def aclose(self) -> None:
        self._free = []
        for lane in self._made:
            await lane.aclose()
