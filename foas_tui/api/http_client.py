"""The httpx side of FoasClient: its AsyncClient, built on the first call.

httpx (with http.cookiejar, urllib.request, email and ssl behind it, and click where it is installed) costs
about 60 ms to import, a fifth of the first frame's time: nothing before the first call needs it, so
`FoasClient` imports this module then (tests/test_startup_imports.py).
"""

from __future__ import annotations

import http.cookiejar
import urllib.request
from typing import Any

import httpx

from foas_tui import __version__

USER_AGENT = f"foas-tui/{__version__} httpx/{httpx.__version__}"


class _NoCookies(http.cookiejar.CookieJar):
    """The API signs every request and uses no cookies: skip the jar's work on every response."""

    def extract_cookies(self, response: Any, request: Any) -> None:
        return None

    def add_cookie_header(self, request: Any) -> None:
        return None


def http_limits(max_concurrency: int, keepalive_expiry: float) -> httpx.Limits:
    """Keep as many connections as calls may be in flight (a refresh sends up to max_concurrency)."""
    return httpx.Limits(max_connections=max(100, max_concurrency),
                        max_keepalive_connections=max(20, max_concurrency), keepalive_expiry=keepalive_expiry)


def proxy_configured() -> bool:
    """Whether the environment names a proxy, as httpx reads it (urllib's getproxies: http, https, all)."""
    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


def make_http_client(transport: httpx.AsyncBaseTransport | None, *, timeout: float, connect_timeout: float,
                     max_concurrency: int, keepalive_expiry: float) -> httpx.AsyncClient:
    """The client's httpx.AsyncClient. With no transport given, calls go through one lane each (lanes.py),
    unless a proxy is configured: then httpx's own pool, which honours HTTP(S)_PROXY, ALL_PROXY and NO_PROXY."""
    if transport is None and not proxy_configured():
        from foas_tui.api.lanes import LaneTransport

        transport = LaneTransport(max_concurrency, keepalive_expiry=keepalive_expiry)
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        follow_redirects=False,
        cookies=_NoCookies(),
        limits=http_limits(max_concurrency, keepalive_expiry),
    )
