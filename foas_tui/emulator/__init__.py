"""Embedded foas emulator: the Realtime Compute OpenAPI as an in-process ASGI app with deterministic demo data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from foas_tui.emulator.clock import Clock, FakeClock, SystemClock

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient
    from foas_tui.emulator.app import Emulator
    from foas_tui.emulator.auth import StsToken

# Made-up demo credentials: they only open the emulator (never a real account; not an LTAI id).
DEMO_ACCESS_KEY_ID = "FOASDEMOKEY00000001"
DEMO_ACCESS_KEY_SECRET = "foas-demo-secret-do-not-use"
DEMO_ENDPOINT = "http://foas-emulator.local"


@dataclass
class EmulatorConfig:
    """How to build an emulator. `clock` drives instance lifecycles; `auth_clock` checks Date headers."""

    seed: int = 7
    jobs: int = 64
    access_keys: dict[str, str] = field(default_factory=lambda: {DEMO_ACCESS_KEY_ID: DEMO_ACCESS_KEY_SECRET})
    sts_tokens: dict[str, StsToken | str] = field(default_factory=dict)
    region_id: str = "cn-hangzhou"
    clock: Clock | None = None
    auth_clock: Clock | None = None
    step_seconds: float = 3.0  # WAITING -> RUNNING and every state change take this long
    demo: bool = True  # load demo.build_demo(seed, jobs); False = an empty service
    hostile: bool = False  # hostile text in names, descriptions, code and errors (emulator/hostile.py)


def create_app(config: EmulatorConfig | None = None) -> Emulator:
    """Build an emulator: a store filled with demo data, fault knobs, the signature verifier."""
    from foas_tui.emulator.app import Emulator
    from foas_tui.emulator.auth import Verifier
    from foas_tui.emulator.faults import FaultConfig
    from foas_tui.emulator.store import Store

    config = config or EmulatorConfig()
    clock = config.clock or SystemClock()
    store = Store(clock=clock, seed=config.seed, step_seconds=config.step_seconds, region_id=config.region_id)
    if config.demo:
        from foas_tui.emulator import demo

        data = demo.build_demo(seed=config.seed, jobs=config.jobs, now_ms=store.now())
        store.load_demo(_hostile().poison_demo(data) if config.hostile else data)
    verifier = Verifier(config.access_keys, config.sts_tokens, config.auth_clock or SystemClock())
    if config.hostile:
        _hostile().poison_store(store)
        return _hostile().HostileEmulator(config, store, FaultConfig(seed=config.seed), verifier)
    return Emulator(config, store, FaultConfig(seed=config.seed), verifier)


def __getattr__(name: str) -> Any:
    """`StsToken` from emulator.auth, imported when asked for: `--demo` reads the demo key before its first
    frame, and auth (with email.utils) is only needed when the emulator answers."""
    if name == "StsToken":
        from foas_tui.emulator.auth import StsToken

        return StsToken
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _hostile() -> Any:
    from foas_tui.emulator import hostile

    return hostile


def demo_client(emulator: Any, **kwargs: Any) -> FoasClient:
    """A FoasClient talking to `emulator` in-process (httpx.ASGITransport) with the demo credentials.

    The transport is made with the client's first call (httpx is imported then); `emulator` may be a
    `LazyEmulator`, which is built only when that call comes (give `region_id` so its config is not read).
    """
    from foas_tui.api.client import FoasClient
    from foas_tui.api.signing import Credentials

    def make_transport() -> Any:
        import httpx

        return httpx.ASGITransport(app=emulator)

    if "region_id" not in kwargs:
        kwargs["region_id"] = emulator.config.region_id
    kwargs.setdefault("endpoint", DEMO_ENDPOINT)
    credentials = kwargs.pop("credentials", None) or Credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET)
    return FoasClient(credentials, make_transport=make_transport, **kwargs)


__all__ = [
    "DEMO_ACCESS_KEY_ID",
    "DEMO_ACCESS_KEY_SECRET",
    "DEMO_ENDPOINT",
    "Clock",
    "EmulatorConfig",
    "FakeClock",
    "StsToken",
    "SystemClock",
    "create_app",
    "demo_client",
]
