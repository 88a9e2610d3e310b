"""Secret safety: the app runs on a canary AccessKey secret through every screen; the canary never shows up.

The secret comes the real way (a profile whose secret is in the keyring, resolved by the CLI's
`build_session`), the service is the emulator on a loopback port that knows that secret, and the debug
log file (`--log-file`) is on. Checked: every screen's text and SVG screenshot, every notification and
error (also authentication failures, faults and unexpected exceptions), the command log and its
`aliyun` commands, reprs, every log record and the log file, and every file the app wrote.
The app/CLI path on a host without a keyring is in test_cli.py.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import CANARY_SECRET
from rich.console import Console
from textual import events

from foas_tui.api import errors
from foas_tui.app import FoasApp
from foas_tui.app_launch import build_session
from foas_tui.config import AppConfig, ClientConfig
from foas_tui.credentials import Profile, ProfileStore, Secret, save_profile
from foas_tui.emulator import EmulatorConfig, create_app
from foas_tui.emulator.server import ServerThread
from foas_tui.logging_setup import configure_file_logging
from foas_tui.services.selection import Selection

AK_ID = "LTAI5tCanaryKeyId0001"
PROFILE = "prod"


@pytest.fixture
def server() -> Iterator[ServerThread]:
    emulator = create_app(EmulatorConfig(jobs=16, step_seconds=0.2, access_keys={AK_ID: CANARY_SECRET}))
    thread = ServerThread(emulator).start()
    try:
        yield thread
    finally:
        thread.stop()


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    """`--log-file` as the CLI configures it (DEBUG, redacting formatter); removed again afterwards."""
    path = tmp_path / "foas-tui-debug.log"
    logger = logging.getLogger("foas_tui")
    before, level = list(logger.handlers), logger.level
    configure_file_logging(str(path))
    try:
        yield path
    finally:
        for handler in [h for h in logger.handlers if h not in before]:
            handler.close()
            logger.removeHandler(handler)
        logger.setLevel(level)


class Records(logging.Handler):
    """Every log record of the app, formatted without redaction: nothing may even try to log the secret."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = logging.Formatter("%(name)s %(message)s").format(record)
        self.texts.append(text)


@pytest.fixture
def records() -> Iterator[Records]:
    handler = Records()
    loggers = [logging.getLogger(name) for name in ("foas_tui", "httpx", "httpcore", "textual", "uvicorn")]
    levels = [lg.level for lg in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


class Seen:
    """Everything the operator could see or copy, collected while the test walks through the app."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []

    def add(self, where: str, text: str) -> None:
        self.items.append((where, text))

    def leaks(self, secret: str = CANARY_SECRET) -> list[str]:
        return [where for where, text in self.items if secret in text]


def screen_text(app: FoasApp) -> str:
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, record=True)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def make_app(server: ServerThread) -> FoasApp:
    """The app as `foas-tui --profile prod` builds it: profile -> keyring -> credentials -> client."""
    save_profile(ProfileStore(), Profile(name=PROFILE, region_id="cn-hangzhou", access_key_id=AK_ID,
                                         endpoint=server.endpoint), Secret(CANARY_SECRET))
    options = argparse.Namespace(profile=PROFILE, region=None, endpoint=None, access_key_id=None, read_only=False)
    config = AppConfig(refresh_interval=0.5, client=ClientConfig(retries=0, timeout=2.0))
    session = build_session(options, config, None)
    app = FoasApp(session)  # state_path default: the tree state is written to the data dir (scanned below)
    app.ops_poll_interval = 0.05
    return app


async def wait_for(pilot: Any, predicate: Callable[[], Any], timeout: float = 15.0, what: str = "") -> Any:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not (value := predicate()):
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.03)
    return value


def files_under(*roots: Path) -> Iterator[Path]:
    for root in roots:
        if root.exists():
            yield from (p for p in root.rglob("*") if p.is_file())


class Walk:
    """The app under test, with what the operator saw so far and helpers to go through it by keyboard."""

    def __init__(self, app: FoasApp, pilot: Any, shots: Path) -> None:
        self.app, self.pilot, self.shots = app, pilot, shots
        self.seen = Seen()

    def capture(self, where: str, *, svg: bool = True, save: bool = False) -> None:
        app = self.app
        self.seen.add(f"{where}: screen", screen_text(app))
        if svg:
            self.seen.add(f"{where}: svg", app.export_screenshot(title=where))
        if save:  # a few real screenshot files too
            app.save_screenshot(filename=f"{len(self.seen.items):03d}.svg", path=str(self.shots))
        for note in app._notifications:
            self.seen.add(f"{where}: notification", f"{note.title}\n{note.message}")

    async def press(self, key: str, opens: bool = True) -> None:
        """The key as the terminal sends it; then wait until the screen stack changed (or 2 s)."""
        app = self.app
        stack = list(app.screen_stack)
        app._driver.send_message(events.Key(key, None))
        for _ in range(100 if opens else 0):
            await self.pilot.pause(0.02)
            if list(app.screen_stack) != stack:
                break
        await self.pilot.pause(0.15)

    async def visit(self, key: str, where: str) -> None:
        before = self.app.screen
        await self.press(key)
        assert self.app.screen is not before, f"{key} did not open {where}"
        self.capture(where)
        while self.app.screen is not self.app.main_screen:  # leave it (and nested dialogs)
            await self.press("escape")


async def screens_part(walk: Walk) -> None:
    """The job pane and every viewer, every tab of the internals and kind of resources."""
    for key, where in (("e", "exceptions"), ("c", "checkpoints"), ("m", "metrics"), ("t", "triage board"),
                       ("L", "command log"), ("question_mark", "help"), ("colon", "command line"),
                       ("ctrl+p", "command palette")):
        await walk.visit(key, where)
    for key, tabs, where in (("i", 6, "internals tab"), ("R", 6, "resources kind")):
        await walk.press(key)
        for tab in range(tabs):
            walk.capture(f"{where} {tab}", svg=tab == 0)
            await walk.press("right_square_bracket", opens=False)
        await walk.press("escape")


async def forms_part(walk: Walk) -> None:
    """Forms and dialogs: editor, properties, start, stop confirmation, new job, new folder."""
    for key, where in (("E", "code editor"), ("K", "properties form"), ("s", "start form"),
                       ("x", "stop confirmation"), ("n", "new job form"), ("N", "new folder form")):
        await walk.visit(key, where)


async def errors_part(walk: Walk, server: ServerThread, monkeypatch: pytest.MonkeyPatch) -> None:
    """Faults (with request ids), the service rejecting the key (auth help), an unexpected exception."""
    app, pilot = walk.app, walk.pilot
    faults = server.emulator.faults
    for knob in ({"status": 503}, {"malformed": 1.0}, {"drop": 1.0}):
        faults.set(**knob)
        generation = app.refresher.generation
        await wait_for(pilot, lambda g=generation: app.refresher.generation > g, what=f"refresh with {knob}")
        walk.capture(f"fault {knob}")
        faults.clear()
    verifier = server.emulator.verifier
    verifier.access_keys[AK_ID] = "a-different-secret"  # SignatureDoesNotMatch from now on
    generation = app.refresher.generation
    await wait_for(pilot, lambda: app.refresher.generation > generation, what="a refused refresh")
    await wait_for(pilot, lambda: type(app.screen).__name__ == "AuthHelpScreen", what="the auth help screen")
    assert isinstance(app.refresher.last_error, errors.AuthError)
    await pilot.pause(0.1)
    walk.capture("auth help", save=True)
    verifier.access_keys[AK_ID] = CANARY_SECRET
    await walk.press("escape")
    monkeypatch.setattr(app.refresher, "refresh_once", _boom(app))
    await wait_for(pilot, lambda: any("Unexpected error" in n.title for n in app._notifications), what="boom")
    walk.capture("unexpected error", save=True)


@pytest.mark.parametrize("part", ["screens", "forms", "errors"])
async def test_canary_never_appears_anywhere(part: str, server: ServerThread, log_file: Path, records: Records,
                                             isolated_env: Any, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(server)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    async with app.run_test(size=(120, 36)) as pilot:
        walk = Walk(app, pilot, shots)
        main = app.main_screen
        await wait_for(pilot, lambda: app.refresher.generation >= 1 and main.live.row_count, what="first refresh")
        await pilot.pause(0.2)
        assert not [n for n in app._notifications if n.severity == "error"], [n.message for n in app._notifications]
        walk.capture("main", save=True)
        job = Selection("ads_attribution", "ads_conv_attribution", "FLINK_STREAM", "/")
        monkeypatch.setattr(app, "current_selection", lambda: job)
        monkeypatch.setattr(app, "selected_jobs", lambda: [job])
        main.select_job(job.project, job.job_name)
        await wait_for(pilot, lambda: main.job_pane.job is not None, what="the job pane")
        await pilot.pause(0.2)
        walk.capture("job pane")
        if part == "screens":
            await screens_part(walk)
        elif part == "forms":
            await forms_part(walk)
        else:
            await errors_part(walk, server, monkeypatch)
        # The command log's records and `aliyun` commands, reprs of everything that holds credentials.
        for record in app.session.call_log:
            walk.seen.add(f"call {record.operation}", f"{record!r} {record.aliyun_cli()}")
        for name, obj in (("session", app.session), ("client", app.session.client), ("config", app.session.config),
                          ("auth", app.session.client._auth), ("http", app.session.client._http)):
            walk.seen.add(f"repr {name}", f"{obj!r} {obj}")
    seen = walk.seen

    # The log file exists, has the calls in it, and the secret nowhere; no record even tried to log it.
    log_text = log_file.read_text(encoding="utf-8")
    assert "GET /api/v2/projects" in log_text
    seen.add("log file", log_text)
    for text in records.texts:
        seen.add("log record", text)
    # Nothing the app wrote to disk: config, profiles, tree state, drafts, screenshots.
    written = list(files_under(isolated_env.home, shots, log_file.parent))
    assert any(p.suffix == ".svg" for p in written) and (isolated_env.config_dir / "profiles.toml").exists()
    for path in written:
        seen.add(f"file {path}", path.read_bytes().decode("utf-8", "replace"))

    assert len(seen.items) > 20
    assert seen.leaks() == []
    # The material is real: it holds the masked key id the header shows.
    assert any("LTAI****0001" in text for _, text in seen.items)


def _boom(app: FoasApp) -> Callable[[], Any]:
    async def refresh_once() -> Any:
        raise RuntimeError(f"boom while refreshing with {app.session.client!r}")

    return refresh_once


def test_seen_finds_a_leak() -> None:
    """The collector itself works: a leaked canary (whole) is reported with where it was."""
    seen = Seen()
    seen.add("notification", "all fine")
    seen.add("log file", f"secret={CANARY_SECRET}!")
    assert seen.leaks() == ["log file"]
