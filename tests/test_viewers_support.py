"""Shared by the viewer and triage tests: a light app over the in-process emulator, waiting, demo-job lookup.

`ViewerApp` carries what the triage screens need from FoasApp (session, clock, report_error) without the
main screen, so a test starts in ~0.1 s instead of ~1.5 s; the FoasApp integration is tested separately.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from textual.app import App

from foas_tui.app import _css_paths
from foas_tui.config import AppConfig
from foas_tui.emulator import EmulatorConfig, FakeClock, create_app, demo_client
from foas_tui.services.selection import Selection

START = 1_767_225_600.0  # 2026-01-01 00:00:00 UTC: a frozen clock for the emulator and the screens


class ViewerApp(App[None]):
    """A bare app over the emulator: `session.client/config/emulator`, `clock`, `report_error`."""

    CSS_PATH = _css_paths()  # type: ignore[assignment]

    def __init__(self, *, config: AppConfig | None = None, jobs: int = 64, seed: int = 7,
                 client: Any = None) -> None:
        super().__init__()
        self.fake_clock = FakeClock(START)
        self.emulator = create_app(EmulatorConfig(jobs=jobs, seed=seed, clock=self.fake_clock))
        self.calls: list[str] = []
        client = client or demo_client(self.emulator, retries=0)
        client.observers.append(lambda record: self.calls.append(record.operation))
        self.session = SimpleNamespace(client=client, config=config or AppConfig(), emulator=self.emulator)
        self.clock = self.fake_clock.now
        self.errors: list[tuple[BaseException, str]] = []
        self.selected: list[tuple[str, str]] = []

    def report_error(self, err: BaseException, context: str = "") -> None:
        self.errors.append((err, context))

    def select_job(self, project: str, job_name: str) -> None:
        self.selected.append((project, job_name))

    def scenario_jobs(self, scenario: str) -> list[Selection]:
        store = self.emulator.store
        return [Selection(project, name, job.job_type)
                for project in sorted(store.projects)
                for name, job in sorted(store.projects[project].jobs.items())
                if job.scenario == scenario]

    def scenario_job(self, scenario: str) -> Selection:
        return self.scenario_jobs(scenario)[0]


async def until(pilot: Any, condition: Callable[[], bool], timeout: float = 8.0) -> None:
    """Pause the pilot until `condition()` holds (fails the test after `timeout` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the screen")
        await pilot.pause(0.02)


@pytest.fixture
def utc() -> Iterator[None]:
    """Times on screen in UTC, so assertions and snapshots do not depend on the machine's zone."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


async def test_viewer_app_talks_to_the_emulator() -> None:
    app = ViewerApp()
    async with app.run_test():
        projects = [p.name async for p in app.session.client.iter_list_project()]
    assert projects and app.scenario_jobs("failing") and app.scenario_jobs("checkpoint_failing")


def test_sparkline_ceiling_keeps_small_values_low() -> None:
    from foas_tui.services.formatting import sparkline

    assert sparkline([1.0, 1.2, 0.9], 3, ceiling=180.0) == "▁▁▁"
    assert sparkline([1.0, 1.2, 0.9], 3)[1] == "█"  # without a ceiling the series' own peak is full height
    assert sparkline([10.0, 200.0], 2, ceiling=180.0)[-1] == "█"
