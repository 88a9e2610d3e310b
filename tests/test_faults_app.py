"""Fault injection through the whole app: the TUI (Pilot) against the emulator with each fault knob.

For every knob: the app does not crash, the error is shown (with the request id whenever the service
sent one), the live state is kept and marked stale, the refresh recovers by itself when the fault
clears, no edit is lost, and no action is reported done or failed when it was not.
The in-process emulator (fake clock) is used where it can be; timeouts and a restart of the emulator
need a real loopback server (httpx enforces timeouts on sockets only).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from rich.console import Console
from test_app_support import Gate
from textual import events

from foas_tui.api import errors
from foas_tui.api.client import FoasClient
from foas_tui.api.signing import Credentials
from foas_tui.app import FoasApp
from foas_tui.config import AppConfig, ClientConfig
from foas_tui.emulator import DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, EmulatorConfig, FakeClock, create_app
from foas_tui.emulator.server import ServerThread
from foas_tui.screens.bulk_summary import BulkSummaryScreen
from foas_tui.screens.code_editor import CodeEditorScreen
from foas_tui.screens.confirm import ChoiceScreen, ConfirmScreen
from foas_tui.services.call_log import CallLog
from foas_tui.services.drafts import DraftKey, DraftStore
from foas_tui.services.selection import Selection
from foas_tui.services.session import Session

T0 = 1_795_680_000.0
INTERVAL = 0.25  # seconds between live refreshes: the timer, not the test, drives them
REFRESH_OP = "BatchGetInstanceRunSummary"


# --- harness ------------------------------------------------------------------------------------------------


def make_app(jobs: int = 16, *, retries: int = 0, interval: float = INTERVAL, **kw: Any) -> FoasApp:
    """A demo app over the in-process emulator (fake clock) that refreshes every `interval` seconds."""
    config = AppConfig(refresh_interval=interval, client=ClientConfig(retries=retries, timeout=5.0))
    app = FoasApp.demo(jobs=jobs, seed=7, clock=FakeClock(T0), config=config, state_path=None, **kw)
    app.ops_poll_interval = 0.05  # a tight loop keeps Pilot from ever seeing the app idle
    return app


def make_server_app(server: ServerThread, *, timeout: float = 0.5, interval: float = INTERVAL) -> FoasApp:
    """The app against the emulator on a real loopback port, as against the real service."""
    config = AppConfig(refresh_interval=interval, client=ClientConfig(retries=0, timeout=timeout))
    client = FoasClient(Credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET), region_id="cn-hangzhou",
                        endpoint=server.endpoint, timeout=timeout, connect_timeout=timeout, retries=0)
    session = Session(client=client, config=config, profile_name="faults", region_id="cn-hangzhou",
                      endpoint=client.base_url, read_only=False, call_log=CallLog())
    app = FoasApp(session, state_path=None)
    app.ops_poll_interval = 0.05
    return app


async def wait_for(pilot: Any, predicate: Callable[[], Any], timeout: float = 15.0, what: str = "",
                   advance: float = 0.0) -> Any:
    """Let the app run until `predicate()` holds (advancing the emulator's fake clock if asked)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        assert pilot.app.is_running, f"the app exited while waiting for {what}"
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}; notes: {notes(pilot.app)}")
        if advance:
            emulator(pilot.app).clock.advance(advance)
        await pilot.pause(0.02)


async def ready(pilot: Any) -> FoasApp:
    app: FoasApp = pilot.app
    main = app.main_screen
    assert main is not None
    await wait_for(pilot, lambda: main.tree.projects_loaded.is_set(), what="projects")
    await wait_for(pilot, lambda: main.scope_jobs and main.live.row_count == len(main.scope_jobs), what="scope")
    await wait_for(pilot, lambda: app.refresher.generation >= 1 and app.refresher.consecutive_failures == 0
                   and app.refresher.rows, what="first refresh")
    await wait_for(pilot, lambda: "live" in status_line(app), what="the first refresh on screen")
    return app


def emulator(app: FoasApp) -> Any:
    return app.session.emulator


def notes(app: FoasApp) -> list[str]:
    return [f"{n.title}\n{n.message}" for n in app._notifications]


def screen_text(app: FoasApp) -> str:
    """What the terminal shows now, as plain text (the same render as a screenshot)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, record=True,
                      color_system="truecolor", legacy_windows=False)
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    return console.export_text()


def status_line(app: FoasApp) -> str:
    return str(app.main_screen.query_one("#status").render())


def failed_records(app: FoasApp, operation: str | None = None) -> list[Any]:
    return [r for r in app.session.call_log if not r.ok and (operation is None or r.operation == operation)]


def job_state(emu: Any, project: str, name: str) -> str | None:
    current = emu.store.job(project, name).current
    return current.phase(emu.store.now()).actual if current is not None else None


def table_rows(app: FoasApp) -> dict[str, str]:
    """Job name -> its actual state, expected state and delay in the live table (what the operator still sees).

    (Not the whole row: columns like the delay trend are drawn from history and may move while stale.)
    """
    table = app.main_screen.live
    labels = [str(column.label).strip().upper() for column in table.columns.values()]
    wanted = [labels.index(name) for name in ("JOB", "ACTUAL", "EXPECTED", "DELAY")]
    rows = {}
    for index in range(table.row_count):
        cells = [getattr(c, "plain", str(c)).strip() for c in table.get_row_at(index)]
        rows[cells[wanted[0]]] = " ".join(cells[i] for i in wanted[1:])
    return rows


@pytest.fixture
def server() -> Iterator[ServerThread]:
    emu = create_app(EmulatorConfig(jobs=16, step_seconds=0.2))
    thread = ServerThread(emu).start()
    try:
        yield thread
    finally:
        thread.stop()


# --- refresh under each fault knob: shown, stale, no crash, recovers by itself ----------------------------

# knob -> (fault settings, error class, the service sent a request id)
REFRESH_FAULTS: dict[str, tuple[dict[str, Any], type[errors.FoasError], bool]] = {
    "5xx": ({"status": 503}, errors.ServerError, True),
    "throttling": ({"throttle": 1.0, "retry_after_s": 0.01}, errors.ThrottledError, True),
    "malformed-json": ({"malformed": 1.0}, errors.InvalidResponse, True),
    "dropped-connection": ({"drop": 1.0}, errors.ConnectionFailed, False),
}


@pytest.mark.parametrize("knob", sorted(REFRESH_FAULTS))
async def test_refresh_fault_is_shown_kept_stale_and_recovers_by_itself(knob: str) -> None:
    settings, error_class, has_request_id = REFRESH_FAULTS[knob]
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        before_rows = dict(app.refresher.rows)
        before_table = table_rows(app)
        assert before_table and "live" in status_line(app)

        emulator(app).faults.set(**settings)  # every operation fails from now on
        # Two failed refreshes in a row: the timer keeps re-arming after a failure (no one presses r).
        await wait_for(pilot, lambda: app.refresher.consecutive_failures >= 2, what=f"{knob}: failing refreshes")
        await pilot.pause()

        err = app.refresher.last_error
        assert isinstance(err, error_class), repr(err)
        assert app.is_running and app.return_code is None
        shown = notes(app)
        assert any(err.code in n and "refresh" in n for n in shown), shown
        failed = failed_records(app, REFRESH_OP)
        assert failed, "the command log has no failed call"
        if has_request_id:  # the id the service sent is in the notification, to quote to support
            assert all(r.request_id for r in failed), failed
            assert any(f"request id {r.request_id}" in n for r in failed for n in shown), shown
        else:
            assert "connect" in err.message, err.message  # no answer, so no request id: say where it failed
        # The stale state stays on screen, marked as such, with the last error.
        await wait_for(pilot, lambda: "stale" in status_line(app), what="the stale status on screen")
        status = status_line(app)
        assert err.code in status, status
        assert app.refresher.rows == before_rows
        assert table_rows(app) == before_table
        assert "stale" in screen_text(app)

        emulator(app).faults.clear()
        failures_seen = len(shown)
        await wait_for(pilot, lambda: app.refresher.consecutive_failures == 0, what=f"{knob}: recovery")
        # The status line follows the refresher through a message: wait for it, do not race it.
        await wait_for(pilot, lambda: "live" in status_line(app) and "stale" not in status_line(app),
                       what="the live status on screen")
        assert "stale" not in screen_text(app)
        generation = app.refresher.generation
        await wait_for(pilot, lambda: app.refresher.generation >= generation + 2, what="refreshes go on")
        assert app.refresher.consecutive_failures == 0
        assert len(notes(app)) <= failures_seen + 1  # no new error once it recovered


async def test_an_outage_is_notified_once_and_its_end_once() -> None:
    app = make_app()
    shown: list[str] = []  # every notification ever posted (toasts expire on screen after a few seconds)
    notify = app.notify
    app.notify = lambda message, title="", **kw: (shown.append(f"{title}\n{message}"), notify(message, title, **kw))[1]
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)

        def said(text: str) -> list[str]:
            return [n for n in shown if text in n]

        emulator(app).faults.set(REFRESH_OP, status=503)
        await wait_for(pilot, lambda: app.refresher.consecutive_failures >= 4, what="an outage of 4 refreshes")
        assert len(said("refresh:")) == 1, shown  # the status line says "stale" meanwhile
        await wait_for(pilot, lambda: "stale" in status_line(app), what="the stale status on screen")
        emulator(app).faults.clear()
        emulator(app).faults.set(REFRESH_OP, malformed=1.0)  # a different failure is news: shown once more
        await wait_for(pilot, lambda: said("InvalidResponse"), what="the new error")
        emulator(app).faults.clear()
        await wait_for(pilot, lambda: said("Recovered"), what="the recovery note")
        generation = app.refresher.generation
        await wait_for(pilot, lambda: app.refresher.generation >= generation + 2, what="refreshes go on")
        assert len(said("refresh:")) == 2 and len(said("Recovered")) == 1, shown


async def test_a_failing_chunk_keeps_its_rows_while_the_others_update() -> None:
    app = make_app(jobs=64)
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        app.refresher.chunk_size = 2  # several BatchGetInstanceRunSummary calls per refresh
        emulator(app).faults.set(REFRESH_OP, status=500, times=1)  # the next call fails, the rest answer
        generation = app.refresher.generation
        await wait_for(pilot, lambda: app.refresher.generation > generation, what="a refresh")
        assert app.refresher.consecutive_failures == 1
        assert len(app.refresher.rows) == len(app.main_screen.scope_jobs)  # nothing dropped from the table
        await wait_for(pilot, lambda: app.refresher.consecutive_failures == 0, what="recovery")


async def test_throttled_once_is_retried_without_bothering_the_operator() -> None:
    app = make_app(retries=2)
    app.session.client.retry.backoff_base = 0.001
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        emulator(app).faults.set(REFRESH_OP, throttle=1.0, retry_after_s=0.01, times=1)
        before = len(notes(app))
        throttled_before = emulator(app).faults.injected.get("throttle", 0)
        generation = app.refresher.generation
        await wait_for(pilot, lambda: app.refresher.generation > generation + 1, what="two refreshes")
        assert emulator(app).faults.injected.get("throttle", 0) == throttled_before + 1
        assert app.refresher.consecutive_failures == 0
        assert len(notes(app)) == before
        retried = [r for r in app.session.call_log if r.operation == REFRESH_OP and r.attempts == 2]
        assert retried and retried[0].ok


async def test_latency_slows_refreshes_but_never_the_keyboard_and_they_never_overlap() -> None:
    app = make_app()
    in_flight = peak = 0
    original = app.refresher.refresh_once

    async def counted() -> Any:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        try:
            return await original()
        finally:
            in_flight -= 1

    app.refresher.refresh_once = counted  # type: ignore[method-assign]
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        main = app.main_screen
        emulator(app).faults.set(REFRESH_OP, latency_ms=300)
        # The test decides when the slow answer comes: no race between the answer and the keys.
        answer = Gate(app.refresher.client, "run_summaries")
        app.request_refresh()
        await wait_for(pilot, lambda: answer.waiting, what="a slow refresh in flight")
        generation = app.refresher.generation
        for key, target in (("tab", main.live), ("shift+tab", main.tree)):
            app._driver.send_message(events.Key(key, None))  # as the terminal would send it
            await wait_for(pilot, lambda target=target: app.focused is target, what=f"{key} handled")
        # The keys were handled while the refresh still waited for its answer.
        assert in_flight == 1 and app.refresher.generation == generation
        app.request_refresh()  # asking again while one runs queues one, never a second in parallel
        app.request_refresh()
        answer.release()
        await wait_for(pilot, lambda: app.refresher.generation >= generation + 2 and not app.refresher.running,
                       what="the slow refresh and the one queued behind it")
        assert peak == 1
        assert app.refresher.consecutive_failures == 0 and not failed_records(app)
        await wait_for(pilot, lambda: "live" in status_line(app), what="the live status on screen")


# --- timeouts and a restart need a real socket ---------------------------------------------------------------


async def test_timeout_is_shown_then_recovers(server: ServerThread) -> None:
    app = make_server_app(server, timeout=1.0)  # not tighter: a loaded CI box must not time out by itself
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        server.emulator.faults.set(REFRESH_OP, hang_s=2.5)  # longer than the client's timeout
        await wait_for(pilot, lambda: app.refresher.consecutive_failures >= 1, what="a timed-out refresh")
        rows = dict(app.refresher.rows)  # (real time: the states may move until the fault bites)
        err = app.refresher.last_error
        assert isinstance(err, errors.RequestTimeout), repr(err)
        # The notification is a message: it lands on the app's queue a moment after the counter moves.
        await wait_for(pilot, lambda: any("RequestTimeout" in n and "Timeout error" in n and server.endpoint in n
                                          for n in notes(app)), what="the timeout notification")
        await wait_for(pilot, lambda: app.refresher.consecutive_failures >= 2, what="a second timed-out refresh")
        assert app.refresher.rows == rows and rows
        await wait_for(pilot, lambda: "stale" in status_line(app), what="the stale status on screen")
        server.emulator.faults.clear()
        await wait_for(pilot, lambda: app.refresher.consecutive_failures == 0, what="recovery")
        await wait_for(pilot, lambda: "live" in status_line(app), what="the live status on screen")


async def test_emulator_restarted_mid_session(server: ServerThread) -> None:
    emu, port = server.emulator, server.port
    app = make_server_app(server, timeout=1.0)
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        server.stop()  # the service goes away (keep-alive connections die with it)
        await wait_for(pilot, lambda: app.refresher.consecutive_failures >= 1, what="a failure while down")
        # The last good states (real time: they may have moved until the stop) stay while it is down.
        rows_before, data_before = table_rows(app), dict(app.refresher.rows)
        await wait_for(pilot, lambda: app.refresher.consecutive_failures >= 3, what="failures while down")
        err = app.refresher.last_error
        assert isinstance(err, errors.ConnectionFailed), repr(err)
        assert any("Connection error" in n and f"127.0.0.1:{port}" in n for n in notes(app)), notes(app)
        assert rows_before and table_rows(app) == rows_before
        await wait_for(pilot, lambda: "stale" in status_line(app), what="the stale status on screen")
        assert app.refresher.rows == data_before
        assert app.is_running

        restarted = ServerThread(emu, port=port).start()  # same port, same state
        try:
            await wait_for(pilot, lambda: app.refresher.consecutive_failures == 0, what="recovery after restart")
            await wait_for(pilot, lambda: "live" in status_line(app), what="the live status on screen")
            generation = app.refresher.generation
            await wait_for(pilot, lambda: app.refresher.generation > generation, what="next refresh")
            assert app.refresher.consecutive_failures == 0
        finally:
            await pilot.pause()
            restarted.stop()


# --- no edit lost ------------------------------------------------------------------------------------------------

PROJECT, JOB = "ads_attribution", "ads_conv_attribution"

EDIT_FAULTS = {
    "5xx": {"status": 503},
    "dropped-connection": {"drop": 1.0},
    "malformed-json": {"malformed": 1.0},  # the update is applied, the answer is garbage
}


def select(app: FoasApp, monkeypatch: pytest.MonkeyPatch, *names: tuple[str, str]) -> list[Selection]:
    store = emulator(app).store
    sels = [Selection(p, n, store.job(p, n).job_type) for p, n in names]
    monkeypatch.setattr(app, "current_selection", lambda: sels[0])
    monkeypatch.setattr(app, "selected_jobs", lambda: list(sels))
    return sels


async def save_in_editor(pilot: Any) -> None:
    app = pilot.app
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen) and "Save" in app.screen.title_text,
                   what="the save diff")
    await pilot.press("s")


@pytest.mark.parametrize("knob", sorted(EDIT_FAULTS))
async def test_a_failed_save_loses_no_edit(knob: str, monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(interval=3600)
    async with app.run_test(size=(110, 32)) as pilot:
        select(app, monkeypatch, (PROJECT, JOB))
        await pilot.press("E")
        editor = await wait_for(pilot, lambda: isinstance(app.screen, CodeEditorScreen) and app.screen,
                                what="the editor")
        area = editor.query_one("#editor-area")
        area.move_cursor(area.document.end)
        area.insert("\n-- my fix")  # one change event, as a paste
        await wait_for(pilot, lambda: editor.edit.dirty, what="the edit recorded")
        mine = area.text
        assert mine.endswith("-- my fix")

        emulator(app).faults.set("UpdateJob", **EDIT_FAULTS[knob])
        before = len(notes(app))
        await save_in_editor(pilot)
        await wait_for(pilot, lambda: len(notes(app)) > before and app.screen is editor, what="the save error")
        shown = notes(app)[before:]
        failed = failed_records(app, "UpdateJob")
        assert failed and any(failed[-1].error_code in n for n in shown), shown
        if failed[-1].request_id:
            assert any(f"request id {failed[-1].request_id}" in n for n in shown), shown
        # The editor is still open with my text, and the draft on disk holds it.
        assert app.screen is editor and area.text == mine and editor.edit.dirty
        draft = DraftStore().load(DraftKey("demo", PROJECT, JOB))
        assert draft is not None and draft.text == mine
        assert app.is_running

        emulator(app).faults.clear()
        await pilot.press("ctrl+s")
        if knob == "malformed-json":  # it was applied: the next save finds nothing left to do
            await wait_for(pilot, lambda: any("already has this code" in n for n in notes(app)),
                           what="already applied")
        else:
            await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen) and "Save" in app.screen.title_text,
                           what="the save diff")
            await pilot.press("s")
            await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen) and app.screen.title_text == "Saved",
                           what="saved")
        assert emulator(app).store.job(PROJECT, JOB).code == mine
        assert DraftStore().load(DraftKey("demo", PROJECT, JOB)) is None


# --- no action silently half-done -----------------------------------------------------------------------------


async def test_bulk_stop_with_one_failure_says_exactly_which(monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(interval=3600)
    targets = [("ads_attribution", "ads_click_ingest"), ("ads_attribution", "ads_impression_ingest"),
               ("iot_telemetry", "iot_alarm_ingest")]
    async with app.run_test(size=(120, 36)) as pilot:
        emu = emulator(app)
        assert all(job_state(emu, p, n) == "RUNNING" for p, n in targets)
        select(app, monkeypatch, *targets)
        emu.faults.set("ModifyInstanceState", status=503, times=1)  # exactly one of the three requests fails
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        await pilot.press("y")
        await wait_for(pilot, lambda: getattr(app, "_ops_last_run", None) is not None and app._ops_last_run.finished,
                       advance=2.0, what="the run")
        await wait_for(pilot, lambda: isinstance(app.screen, BulkSummaryScreen), what="the summary")
        run = app._ops_last_run
        failed_calls = failed_records(app, "ModifyInstanceState")
        assert len(failed_calls) == 1 and failed_calls[0].request_id
        assert len(run.failed) == 1 and len(run.succeeded) == 2
        bad = run.failed[0]
        assert f"request id {failed_calls[0].request_id}" in bad.reason
        # What the summary says is what happened.
        for target in run.targets.values():
            actual = job_state(emu, target.selection.project, target.selection.job_name)
            assert actual == ("RUNNING" if target is bad else "TERMINATED"), (target.selection, actual)
        text = await wait_for(pilot, lambda: screen_text(app), what="the summary painted")
        assert "2 of 3 stopped, 1 failed" in text and bad.selection.job_name in text
        await wait_for(pilot, lambda: any("1 failed" in n for n in notes(app)), what="the outcome notification")


async def test_a_dropped_start_changes_nothing_and_says_the_outcome_is_unknown(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # A dropped connection may or may not have reached the service: the run must not claim a plain failure,
    # but say the outcome is unknown and follow the job's state (which shows nothing changed).
    app = make_app(interval=3600)
    async with app.run_test(size=(120, 36)) as pilot:
        emu = emulator(app)
        project, name = "realtime_dw", "ods_cart_events_ingest"
        assert job_state(emu, project, name) == "TERMINATED"
        select(app, monkeypatch, (project, name))
        emu.faults.set("StartJob", drop=1.0)
        await pilot.press("s")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "StartJobScreen", what="the start form")
        await pilot.press("ctrl+s")

        def target() -> Any:
            run = getattr(app, "_ops_last_run", None)
            status = next(iter(run.targets.values())) if run is not None else None
            return status if status is not None and status.result is not None else None

        status = await wait_for(pilot, target, what="the start's result")
        assert not status.ok and status.result.uncertain
        assert "outcome unknown" in status.reason and "ConnectionFailed" in status.reason
        app._ops_last_run.cancel_token.cancel()
        await wait_for(pilot, lambda: app._ops_last_run.finished, what="the cancelled wait")
        assert not app._ops_last_run.targets[status.selection].ok
        assert job_state(emu, project, name) == "TERMINATED" and emu.calls.get("StartJob", 0) == 0


async def _stop_under_fault(pilot: Any, emu: Any, monkeypatch: pytest.MonkeyPatch, settle: float,
                            advance: float = 0.0) -> tuple[Any, str]:
    app = pilot.app
    project, name = "ads_attribution", "ads_click_ingest"
    assert job_state(emu, project, name) == "RUNNING"
    store = emu.store
    sel = Selection(project, name, store.job(project, name).job_type)
    monkeypatch.setattr(app, "current_selection", lambda: sel)
    monkeypatch.setattr(app, "selected_jobs", lambda: [sel])
    await pilot.press("x")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
    await pilot.press("y")
    await wait_for(pilot, lambda: getattr(app, "_ops_last_run", None) is not None and app._ops_last_run.finished,
                   what="the run", advance=advance)
    await asyncio.sleep(settle)  # let the service finish what it was asked
    if advance:
        emu.clock.advance(30)
    return app._ops_last_run.targets[sel], job_state(emu, project, name) or ""


def _honest(target: Any, actual: str) -> bool:
    """The run either found out the real outcome, or said plainly that it is unknown."""
    if target.ok:
        return actual == "TERMINATED"
    reason = target.reason.lower()
    return actual == "RUNNING" or any(word in reason for word in ("unknown", "may have", "may still", "check"))


async def test_stop_that_timed_out_is_not_reported_as_a_plain_failure(server: ServerThread,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_server_app(server, timeout=1.0, interval=3600)
    async with app.run_test(size=(120, 36)) as pilot:
        server.emulator.faults.set("ModifyInstanceState", hang_s=2.0)  # answered after the client gave up
        target, actual = await _stop_under_fault(pilot, server.emulator, monkeypatch, settle=1.5)
        assert actual == "TERMINATED"  # the service did stop it
        assert _honest(target, actual), (target.status, target.reason, actual)


async def test_stop_with_a_garbled_answer_is_not_reported_as_a_plain_failure(
        monkeypatch: pytest.MonkeyPatch) -> None:
    app = make_app(interval=3600)
    async with app.run_test(size=(120, 36)) as pilot:
        emulator(app).faults.set("ModifyInstanceState", malformed=1.0)
        target, actual = await _stop_under_fault(pilot, emulator(app), monkeypatch, settle=0.0, advance=2.0)
        assert actual == "TERMINATED"
        assert _honest(target, actual), (target.status, target.reason, actual)
