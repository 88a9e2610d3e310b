"""Connections outlive the gap between two live refreshes: no new TCP (and, on HTTPS, TLS) handshake per call
every refresh. Against the emulator on a real loopback port (its server keeps idle connections 5 s)."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import pytest

from foas_tui.api.client import KEEPALIVE_SECONDS, FoasClient
from foas_tui.api.signing import Credentials
from foas_tui.config import AppConfig
from foas_tui.emulator import DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET
from foas_tui.emulator.server import ServerThread


def test_idle_connections_are_kept_longer_than_the_default_refresh_interval() -> None:
    # The next refresh starts one interval after the last one ended: its connections must still be there,
    # even when it comes late.
    assert KEEPALIVE_SECONDS >= 2 * AppConfig().refresh_interval


async def _connects_after_a_pause(server: ServerThread, keepalive: float, pause: float,
                                  monkeypatch: pytest.MonkeyPatch) -> int:
    client = FoasClient(Credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET), endpoint=server.endpoint,
                        keepalive_expiry=keepalive, retries=0)
    connects = []
    original = socket.socket.connect

    def counting(self: socket.socket, address: Any) -> Any:
        connects.append(address)
        return original(self, address)

    async with client:
        await client.list_project()  # opens the connection
        monkeypatch.setattr(socket.socket, "connect", counting)
        await asyncio.sleep(pause)  # the idle gap between two refreshes (shortened), not a wait for a condition
        await client.list_project()
        monkeypatch.undo()
    return len(connects)


async def test_a_connection_idle_for_less_than_the_keepalive_is_reused(loopback_emulator: ServerThread,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert await _connects_after_a_pause(loopback_emulator, keepalive=30.0, pause=0.5, monkeypatch=monkeypatch) == 0
    # The same pause with a keep-alive shorter than it: the connection is dropped and opened again (this is
    # what httpx's default of 5 s did at the app's default refresh interval of 5 s).
    assert await _connects_after_a_pause(loopback_emulator, keepalive=0.2, pause=0.5, monkeypatch=monkeypatch) == 1
