"""The httpx side of FoasClient: its AsyncClient, built on the first call.

httpx (with http.cookiejar, urllib.request, email and ssl behind it, and click where it is installed) costs
about 60 ms to import, a fifth of the first frame's time: nothing before the first call needs it, so
`FoasClient` imports this module then (tests/test_startup_imports.py).
"""

from __future__ import annotations

import http.cookiejar
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


def make_http_client(transport: httpx.AsyncBaseTransport | None, *, timeout: float, connect_timeout: float,
                     max_concurrency: int, keepalive_expiry: float) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        transport=transport,
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        follow_redirects=False,
        cookies=_NoCookies(),
        # Keep as many connections as calls may be in flight (a refresh sends up to max_concurrency).
        limits=httpx.Limits(max_connections=max(100, max_concurrency),
                            max_keepalive_connections=max(20, max_concurrency), keepalive_expiry=keepalive_expiry),
    )
