"""FoasClient makes its httpx client (and a demo's in-process transport) on the first call, not when it is
built: the first frame needs no httpx (tests/test_startup_imports.py). Built late, it must still behave as
httpx's client does: a closed client sends nothing."""

from __future__ import annotations

from typing import Any

import pytest

from foas_tui.api import errors
from foas_tui.api.client import FoasClient
from foas_tui.api.signing import Credentials
from foas_tui.emulator import DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, DEMO_ENDPOINT, EmulatorConfig, create_app


def _client(made: list[Any]) -> FoasClient:
    import httpx

    emulator = create_app(EmulatorConfig(jobs=4))

    def make_transport() -> httpx.AsyncBaseTransport:
        transport = httpx.ASGITransport(app=emulator)
        made.append(transport)
        return transport

    return FoasClient(Credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET), endpoint=DEMO_ENDPOINT,
                      make_transport=make_transport, retries=0)


async def test_the_transport_is_made_once_on_the_first_call() -> None:
    made: list[Any] = []
    client = _client(made)
    assert made == []
    async with client:
        first = await client.list_project()
        await client.list_project()
    assert len(made) == 1
    assert first.items


async def test_a_closed_client_sends_nothing_even_if_it_never_sent() -> None:
    made: list[Any] = []
    client = _client(made)
    await client.aclose()
    with pytest.raises(errors.ConnectionFailed):
        await client.list_project()
    assert made == []  # no transport, no connection was made after aclose()


async def test_a_client_closed_after_calls_fails_its_next_call() -> None:
    made: list[Any] = []
    client = _client(made)
    await client.list_project()
    await client.aclose()
    with pytest.raises(errors.ConnectionFailed):
        await client.list_project()
    assert len(made) == 1
