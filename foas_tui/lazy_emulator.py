"""The demo emulator behind `--demo`, built on its first request in a thread so the first frame comes fast."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

DEMO_REGION = "cn-hangzhou"  # the emulator's default region


class LazyEmulator:
    """An ASGI app that builds the demo emulator on its first request, in a thread (the UI keeps painting).

    Attribute access (`.store`, `.faults`, `.clock`) builds it at once for callers that need it.
    """

    def __init__(self, jobs: int, seed: int, clock: Any = None, hostile: bool = False) -> None:
        self._args = (jobs, seed, clock, hostile)
        self._emulator: Any = None
        self._lock = threading.Lock()

    def build(self) -> Any:
        with self._lock:
            if self._emulator is None:
                from foas_tui.emulator import EmulatorConfig, create_app

                jobs, seed, clock, hostile = self._args
                self._emulator = create_app(EmulatorConfig(jobs=jobs, seed=seed, clock=clock, hostile=hostile))
            return self._emulator

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        emulator = self._emulator or await asyncio.to_thread(self.build)
        await emulator(scope, receive, send)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.build(), name)

    def client(self, **kwargs: Any) -> Any:
        """The demo client to this emulator; neither httpx nor the emulator is loaded before its first call."""
        from foas_tui.emulator import demo_client

        return demo_client(self, region_id=DEMO_REGION, **kwargs)
