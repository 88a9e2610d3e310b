"""Save SVG and PNG screenshots of the demo app (Pilot-driven, frozen clock) into screenshots/.

Add a screen: write `async def my_screen(pilot)` that drives the app there, decorate it with
`@scenario("my-screen")`, done. `python scripts/screenshots.py [NAME ...] [--out DIR] [--no-png]`.

PNG: each SVG is rendered by headless Chromium (Debian: `apt-get install chromium`) when it is on the PATH,
else by CairoSVG (`pip install cairosvg`) when it is installed; with neither, only the SVGs are written and
the script says how to get PNGs. Nothing here is needed at run time or by the tests. Chinese text (the
demo's job descriptions) needs a CJK font for Chromium (Debian: `fonts-noto-cjk`), else it shows as boxes.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import subprocess
import sys
import tempfile
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
    await wait_for(pilot, lambda: main.trends_idle)
    await pilot.pause()


async def on_job(pilot: Any, scenario_name: str, prefer: str = "realtime_dw") -> tuple[str, str]:
    """Select the first stream job of a demo scenario (`failing`, `lagging` ...) and wait for the job pane."""
    app = pilot.app
    store = app.session.emulator.store
    project, job = next((project, name) for project in sorted(store.projects, key=lambda p: p != prefer)
                        for name, info in sorted(store.projects[project].jobs.items())
                        if info.scenario == scenario_name and info.job_type != "FLINK_BATCH")
    app.select_job(project, job)
    pane = app.main_screen.job_pane
    await wait_for(pilot, lambda: pane.job is not None and pane.job.job_name == job and pane.detail is not None)
    await wait_for(pilot, lambda: pane.run is not None)
    await pilot.pause()
    return project, job


async def open_screen(pilot: Any, key: str, kind: str, ready: Callable[[Any], Any]) -> None:
    """Press `key` and wait until the screen named `kind` is on top and `ready(screen)` holds."""
    await pilot.press(key)
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == kind and ready(pilot.app.screen))
    await pilot.pause(0.3)


# --- the scenarios ----------------------------------------------------------------------------------------


@scenario("main")
async def main_screen(pilot: Any) -> None:
    await settled(pilot)


@scenario("main-80x24", size=(80, 24))
async def main_small(pilot: Any) -> None:
    await settled(pilot)


@scenario("live-80x24", size=(80, 24))
async def live_small(pilot: Any) -> None:
    await settled(pilot)
    await pilot.press("tab")  # in the live table the tree gives way: state, delay and trend columns in view
    await pilot.pause(0.3)


@scenario("zoom-80x24", size=(80, 24))
async def zoom_small(pilot: Any) -> None:
    await settled(pilot)
    await on_job(pilot, "failing")
    pilot.app.main_screen.job_pane.focus_content()
    await pilot.press("z")  # the job pane full screen; z or esc goes back
    await pilot.pause(0.3)


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


@scenario("job-metrics")
async def job_metrics(pilot: Any) -> None:
    await settled(pilot)
    await on_job(pilot, "lagging")
    pane = pilot.app.main_screen.job_pane
    pane.query_one("#job-tabs").active = "metrics"
    await wait_for(pilot, lambda: pane.metric_set is not None)
    await pilot.pause(0.3)


@scenario("triage-board")
async def triage_board(pilot: Any) -> None:
    await settled(pilot)
    await open_screen(pilot, "t", "TriageScreen", lambda s: s.report_data is not None)


@scenario("exceptions")
async def exceptions(pilot: Any) -> None:
    await settled(pilot)
    await on_job(pilot, "failing")
    await open_screen(pilot, "e", "ExceptionsScreen", lambda s: s.report_data is not None)


@scenario("checkpoints")
async def checkpoints(pilot: Any) -> None:
    await settled(pilot)
    await on_job(pilot, "checkpoint_failing")
    await open_screen(pilot, "c", "CheckpointsScreen", lambda s: s.report_data is not None)


@scenario("metrics")
async def metrics(pilot: Any) -> None:
    await settled(pilot)
    await on_job(pilot, "lagging")
    await open_screen(pilot, "m", "MetricsScreen", lambda s: s.metric_set is not None)


@scenario("internals")
async def internals(pilot: Any) -> None:
    await settled(pilot)
    await on_job(pilot, "running")
    await open_screen(pilot, "i", "InternalsScreen", lambda s: len(s.loaded) == 5)


@scenario("internals-bottleneck")
async def internals_bottleneck(pilot: Any) -> None:
    await settled(pilot)
    pilot.app.select_job("risk_control", "risk_login_fail_1min")  # a lagging job: source -> window agg -> sink
    pane = pilot.app.main_screen.job_pane
    await wait_for(pilot, lambda: pane.job is not None and pane.job.job_name == "risk_login_fail_1min")
    await open_screen(pilot, "i", "InternalsScreen", lambda s: len(s.loaded) == 5 and s.vertex_metrics is not None)


@scenario("history")
async def history(pilot: Any) -> None:
    await settled(pilot)
    await on_job(pilot, "failing")
    await open_screen(pilot, "H", "HistoryScreen", lambda s: s.history is not None)


@scenario("metric-explorer")
async def metric_explorer(pilot: Any) -> None:
    await settled(pilot)
    await on_job(pilot, "lagging")
    await open_screen(pilot, "V", "MetricExplorerScreen", lambda s: s.series is not None)


@scenario("cluster-pulse")
async def cluster_pulse(pilot: Any) -> None:
    await settled(pilot)
    await open_screen(pilot, "Z", "ClusterPulseScreen", lambda s: s.pulses is not None)


@scenario("what-failed")
async def what_failed(pilot: Any) -> None:
    await settled(pilot)
    await pilot.press("colon", *"failures", "space", *"336", "enter")  # two weeks: the demo's failed runs
    await wait_for(pilot, lambda: type(pilot.app.screen).__name__ == "RecentFailuresScreen"
                   and pilot.app.screen.report_data is not None)


@scenario("sql-editor")
async def sql_editor(pilot: Any) -> None:
    import tempfile

    from foas_tui.services.drafts import DraftStore

    await settled(pilot)
    pilot.app._ops_draft_store = DraftStore(Path(tempfile.mkdtemp(prefix="foas-shots-")))  # no real drafts
    await on_job(pilot, "running")
    await open_screen(pilot, "E", "CodeEditorScreen", lambda s: True)


@scenario("start-form")
async def start_form(pilot: Any) -> None:
    await settled(pilot)
    await on_job(pilot, "stopped")
    await open_screen(pilot, "s", "StartJobScreen", lambda s: True)


@scenario("stop-confirmation")
async def stop_confirmation(pilot: Any) -> None:
    await settled(pilot)
    await on_job(pilot, "running")
    await open_screen(pilot, "x", "ConfirmScreen", lambda s: True)


@scenario("bulk-summary")
async def bulk_summary(pilot: Any) -> None:
    from foas_tui.api import errors
    from foas_tui.screens.bulk_summary import BulkSummaryScreen
    from foas_tui.services.actions import ActionKind, ActionResult, ActionRun, Outcome, Progress

    await settled(pilot)
    targets = pilot.app.main_screen.marked_selections() or [
        pilot.app.main_screen._selection(job) for job in pilot.app.main_screen.scope_jobs[:3]]
    run = ActionRun(ActionKind.PAUSE, targets)
    error = errors.ConflictError("InstanceStateConflict", "The instance has already ended (TERMINATED).",
                                 request_id="5A0AF0E2-A715-40FD-8A2B-1EDBF4213489")
    run.record_results([ActionResult(t, ActionKind.PAUSE, True) for t in targets[:-1]]
                       + [ActionResult(targets[-1], ActionKind.PAUSE, False, f"{error.code}: {error.message}",
                                       error.request_id)])
    for target in targets[:-1]:
        run.record_progress(Progress(target, "PAUSED", "PAUSED", 4.0, Outcome.REACHED, "now PAUSED"))
    run.finish()
    await pilot.app.push_screen(BulkSummaryScreen(run))
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, BulkSummaryScreen))
    await pilot.pause(0.3)


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


CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
# Offline and quiet: no sandbox as root, no GPU, none of the background calls a closed network refuses.
CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--hide-scrollbars", "--force-device-scale-factor=1")


def png_converter() -> str | None:
    """`chromium`, `cairosvg` or None: what turns the SVGs into PNGs on this machine."""
    if any(shutil.which(name) for name in CHROMIUM_NAMES):
        return "chromium"
    try:
        import cairosvg  # noqa: F401
    except ImportError:
        return None
    return "cairosvg"


def svg_to_png(svg: Path, png: Path, converter: str) -> None:
    text = svg.read_text(encoding="utf-8")
    # The web-font URLs would be fetched (and fail) offline; the local monospace font is used instead.
    text = re.sub(r"url\([^)]*\)(\s*format\([^)]*\))?\s*,?", "", text)
    if converter == "cairosvg":
        import cairosvg

        cairosvg.svg2png(bytestring=text.encode("utf-8"), write_to=str(png))
        return
    match = re.search(r'viewBox="0 0 ([0-9.]+) ([0-9.]+)"', text)
    width, height = (round(float(match.group(1))), round(float(match.group(2)))) if match else (1200, 800)
    browser = next(path for name in CHROMIUM_NAMES if (path := shutil.which(name)))
    with tempfile.TemporaryDirectory(prefix="foas-shots-") as tmp:
        page = Path(tmp) / "shot.html"
        page.write_text(f"<!doctype html><html><body style='margin:0;background:#000'>{text}</body></html>",
                        encoding="utf-8")
        subprocess.run([browser, *CHROMIUM_FLAGS, f"--user-data-dir={tmp}/profile", f"--screenshot={png}",
                        f"--window-size={width},{height}", page.as_uri()],
                       check=True, capture_output=True, timeout=120)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"scenarios (default all): {', '.join(SCENARIOS)}")
    parser.add_argument("--out", type=Path, default=ROOT / "screenshots")
    parser.add_argument("--no-png", action="store_true", help="write the SVGs only")
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario(s) {unknown}; known: {', '.join(SCENARIOS)}")
    args.out.mkdir(parents=True, exist_ok=True)
    converter = None if args.no_png else png_converter()
    if not args.no_png and converter is None:
        print("no PNGs: neither chromium nor cairosvg found (apt-get install chromium, or pip install cairosvg)")
    for name in args.names or list(SCENARIOS):
        path = asyncio.run(shoot(SCENARIOS[name], args.out))
        print(f"saved {path}")
        if converter is not None:
            png = path.with_suffix(".png")
            svg_to_png(path, png, converter)
            print(f"saved {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
