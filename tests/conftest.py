"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import CANARY_SECRET
from helpers.memory_keyring import MemoryKeyring
from hypothesis import HealthCheck, Phase, settings

# Hypothesis profiles for every property test of the suite, chosen with $HYPOTHESIS_PROFILE: `ci` (the default)
# draws the same examples every run (derandomize), so a red build is reproducible, not a dice roll; `dev` and
# `thorough` draw new ones and many more. A failure prints the example and a @reproduce_failure blob.
HYPOTHESIS_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "ci")
for _name, _count in (("ci", 120), ("dev", 500), ("thorough", 5000)):
    _ci = {"phases": (Phase.explicit, Phase.reuse, Phase.generate), "derandomize": True} if _name == "ci" else {}
    settings.register_profile(_name, max_examples=_count, deadline=None, database=None, print_blob=True,
                              suppress_health_check=list(HealthCheck), **_ci)
if HYPOTHESIS_PROFILE not in ("ci", "dev", "thorough"):
    HYPOTHESIS_PROFILE = "ci"
settings.load_profile(HYPOTHESIS_PROFILE)


def pytest_report_header() -> str:
    return f"hypothesis profile: {HYPOTHESIS_PROFILE} (derandomized: {settings.default.derandomize})"


_CLEARED_PREFIXES = ("ALIBABA_CLOUD_", "ALIBABACLOUD_", "ALICLOUD_", "FOAS_TUI_", "KEYRING_PROPERTY_")
_CLEARED_NAMES = ("PYTHON_KEYRING_BACKEND",)


@dataclass(frozen=True)
class IsolatedEnv:
    """The temporary locations every test runs in, and the in-memory keyring it sees."""

    root: Path
    home: Path
    config_dir: Path
    data_dir: Path
    keyring: MemoryKeyring


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[IsolatedEnv]:
    """Temporary HOME/XDG dirs, no credential env vars, and an in-memory keyring; all restored afterwards."""
    import keyring.core

    for name in list(os.environ):
        if name.startswith(_CLEARED_PREFIXES) or name in _CLEARED_NAMES:
            monkeypatch.delenv(name)
    root = tmp_path / "isolated"
    home = root / "home"
    dirs = {
        "HOME": home,
        "XDG_CONFIG_HOME": home / ".config",
        "XDG_DATA_HOME": home / ".local" / "share",
        "XDG_CACHE_HOME": home / ".cache",
        "XDG_STATE_HOME": home / ".local" / "state",
    }
    for var, path in dirs.items():
        path.mkdir(parents=True, exist_ok=True)
        monkeypatch.setenv(var, str(path))
    config_dir = dirs["XDG_CONFIG_HOME"] / "foas-tui"
    data_dir = dirs["XDG_DATA_HOME"] / "foas-tui"
    monkeypatch.setenv("FOAS_TUI_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("FOAS_TUI_DATA_DIR", str(data_dir))
    # A bug in a handler fails the test that hit it (Textual's strict behaviour), instead of the app's production
    # containment turning it into a toast no test looks at (foas_tui/error_guard.py; its own tests turn it on).
    monkeypatch.setenv("FOAS_TUI_RAISE_ERRORS", "1")
    memory = MemoryKeyring()
    monkeypatch.setattr(keyring.core, "_keyring_backend", memory)
    yield IsolatedEnv(root, home, config_dir, data_dir, memory)


@pytest.fixture
def loopback_emulator() -> Iterator[Any]:
    """The emulator (4 jobs) as a real HTTP server on a loopback port, in a background thread."""
    from foas_tui.emulator import EmulatorConfig, create_app
    from foas_tui.emulator.server import ServerThread

    thread = ServerThread(create_app(EmulatorConfig(jobs=4))).start()
    try:
        yield thread
    finally:
        thread.stop()


@pytest.fixture
def memory_keyring(isolated_env: IsolatedEnv) -> MemoryKeyring:
    """The in-memory keyring backend installed for this test."""
    return isolated_env.keyring


@pytest.fixture
def canary_secret() -> str:
    """A fake secret that must never appear in a file, repr, log record or error message."""
    return CANARY_SECRET
