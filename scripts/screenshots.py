"""Save SVG screenshots of the demo app (Pilot-driven, frozen clock) into screenshots/.

Add a screen: write `async def my_screen(pilot)` that drives the app there, decorate it with
`@scenario("my-screen")`, done. `python scripts/screenshots.py [NAME ...] [--out DIR]`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

EPOCH = 1795680000.0  # 2026-11-26 08:00:00 UTC, as in the snapshot tests

Drive = Callable[[Any], Awaitable[None]]


@dataclass(frozen=True)
class Scenario:
    name: str
    drive: Drive
    size: tuple[int, int]
    jobs: int


SCENARIOS: dict[str, Scenario] = {}


def scenario(name: str, size: tuple[int, int] = (120, 36), jobs: int = 64) -> Callable[[Drive], Drive]:
    """Register a screenshot: `drive(pilot)` brings the app to the screen; the file is `<name>.svg`."""

    def register(drive: Drive) -> Drive:
        SCENARIOS[name] = Scenario(name, drive, size, jobs)
        return drive

    return register


# --- helpers the scenarios share ------------------------------------------------------------------------


async def wait_for(pilot: Any, predicate: Callable[[], Any], timeout: float = 15.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise TimeoutError(f"screenshot scenario timed out waiting for {predicate}")
        await pilot.pause(0.05)


async def settled(pilot: Any) -> None:
    """The main screen with data, one refresh applied and the job pane's details loaded."""
    app = pilot.app
    main = app.main_screen
    await wait_for(pilot, lambda: main.query("#tree"))
    await wait_for(pilot, lambda: main.tree.projects_loaded.is_set())
    await wait_for(pilot, lambda: main.scope_jobs and main.live.row_count == len(main.scope_jobs))
    await wait_for(pilot, lambda: app.refresher.generation >= 1 and not app.refresher.running)
    await wait_for(pilot, lambda: main.job_pane.job is not None and main.job_pane.detail is not None)
    await pilot.pause()


# --- the scenarios ----------------------------------------------------------------------------------------


@scenario("main")
async def main_screen(pilot: Any) -> None:
    await settled(pilot)


@scenario("main-80x24", size=(80, 24))
async def main_small(pilot: Any) -> None:
    await settled(pilot)


@scenario("help")
async def help_screen(pilot: Any) -> None:
    await settled(pilot)
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: pilot.app.screen.query("#help-table"))


@scenario("filtered")
async def filtered(pilot: Any) -> None:
    await settled(pilot)
    await pilot.press("tab", "slash", *"dws", "enter")


@scenario("filter-prompt", size=(80, 24))
async def filter_prompt(pilot: Any) -> None:
    await settled(pilot)
    await pilot.press("slash", *"gmv")


@scenario("command-log")
async def command_log(pilot: Any) -> None:
    await settled(pilot)
    await pilot.press("L")
    await wait_for(pilot, lambda: pilot.app.screen.query("#log-table"))
    await pilot.pause(0.6)  # the log syncs twice a second


@scenario("job-code")
async def job_code(pilot: Any) -> None:
    await settled(pilot)
    pilot.app.main_screen.job_pane.focus_content()
    await pilot.press("right_square_bracket")
    await pilot.pause(0.2)


@scenario("jump")
async def jump(pilot: Any) -> None:
    await settled(pilot)
    await pilot.press("colon", *"job dws_gmv")


# --- runner -----------------------------------------------------------------------------------------------


async def shoot(item: Scenario, out: Path) -> Path:
    from foas_tui.app import FoasApp
    from foas_tui.config import AppConfig
    from foas_tui.emulator import FakeClock

    app = FoasApp.demo(jobs=item.jobs, seed=7, clock=FakeClock(EPOCH), config=AppConfig(refresh_interval=3600),
                       state_path=None)
    async with app.run_test(size=item.size) as pilot:
        await item.drive(pilot)
        await pilot.pause()
        path = app.save_screenshot(f"{item.name}.svg", str(out))
    return Path(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"scenarios (default all): {', '.join(SCENARIOS)}")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s) {unknown}; known: {', '.join(SCENARIOS)}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in args.names or list(SCENARIOS):
        path = asyncio.run(shoot(SCENARIOS[name], args.out))
        print(f"saved {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
