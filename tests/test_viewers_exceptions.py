"""Exceptions viewer (Pilot, in-process emulator): history, search n/N, fold, wrap, copy, save, bad payloads."""

from __future__ import annotations

import asyncio
import json
from types import SimpleNamespace

import httpx
import pytest
from test_viewers_support import ViewerApp, until, utc  # noqa: F401  (utc is a fixture)
from textual.app import App

from foas_tui.api.client import FoasClient
from foas_tui.api.signing import Credentials
from foas_tui.app import _css_paths
from foas_tui.config import AppConfig
from foas_tui.screens.exceptions import COLUMNS, ExceptionsScreen
from foas_tui.services.selection import Selection
from foas_tui.widgets.log_view import FOLD, LogView

pytestmark = pytest.mark.usefixtures("utc")


async def open_exceptions(app: App, pilot, selection: Selection) -> ExceptionsScreen:  # noqa: ANN001
    screen = ExceptionsScreen(selection)
    await app.push_screen(screen)
    await until(pilot, lambda: screen.report_data is not None or screen.payload is not None)
    await pilot.pause()
    return screen


async def search(pilot, screen: ExceptionsScreen, query: str) -> None:  # noqa: ANN001
    """`/`, the query (set at once: typing it key by key only slows the test), enter."""
    from textual.widgets import Input

    await pilot.press("slash")
    screen.query_one("#exceptions-search", Input).value = query
    await pilot.press("enter")
    await pilot.pause()


async def test_failing_job_shows_root_then_history_newest_first() -> None:
    app = ViewerApp()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_exceptions(app, pilot, app.scenario_job("failing"))
        report = screen.report_data
        assert report is not None and report.root is not None and len(report.history) >= 2
        view = screen.query_one(LogView)
        texts = [view.row_text(row) for row in range(view.row_count)]
        assert texts[0].startswith("Root exception · 2025-12-31")
        history_at = next(i for i, t in enumerate(texts) if t.startswith("Exception history"))
        header = texts[history_at + 1]
        assert [header.index(name) for name in COLUMNS] == sorted(header.index(name) for name in COLUMNS)
        stamps = [e.timestamp_ms for e in report.history]
        assert stamps == sorted(stamps, reverse=True)
        # Every trace is folded to one marker row, so the view is short whatever the payload size.
        assert sum(1 for r in range(view.row_count) if view._row_line[r] == FOLD) == len(report.history) + 1
        header_text = str(screen.query_one("#exceptions-header").render())
        assert "in history" in header_text
        assert ("TRUNCATED" in header_text) == report.truncated


async def test_search_n_and_shift_n_move_between_matches() -> None:
    app = ViewerApp()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_exceptions(app, pilot, app.scenario_job("failing"))
        view = screen.query_one(LogView)
        await search(pilot, screen, "at org.apache")
        total = view.match_count
        assert total > 3
        first_row, first_index = view.cursor_row, view.match_index
        assert "at org.apache" in view.row_text(first_row)  # the match opened its folded trace
        await pilot.press("n")
        assert view.match_index == (first_index + 1) % total
        assert view.cursor_row > first_row
        await pilot.press("N")
        assert view.match_index == first_index and view.cursor_row == first_row
        await pilot.press("N")
        assert view.match_index == (first_index - 1) % total  # wraps around
        await search(pilot, screen, "no-such-text-anywhere")
        assert view.match_count == 0


async def test_fold_unfold_and_wrap() -> None:
    app = ViewerApp()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exceptions(app, pilot, app.scenario_job("failing"))
        view = screen.query_one(LogView)
        row = next(r for r in range(view.row_count) if view.blocks[view._row_block[r]].kind == "row")
        view.move_cursor(row)
        block = view.current_block()
        assert block is not None and block.folded
        folded_rows = view.row_count
        await pilot.press("enter")
        assert not block.folded
        assert view.row_count == folded_rows - 1 + block.body_line_count
        await pilot.press("enter")
        assert block.folded and view.row_count == folded_rows
        await pilot.press("plus")
        unfolded = view.row_count
        assert unfolded > folded_rows
        await pilot.press("w")
        await pilot.pause()
        assert view.wrap
        assert view.row_count > unfolded  # long frames wrap at 80 columns
        assert all(len(view.row_text(r)) <= view.size.width for r in range(view.row_count))
        await pilot.press("w", "minus")
        await pilot.pause()
        assert not view.wrap and view.row_count == folded_rows


async def test_copy_puts_the_trace_on_the_clipboard_and_save_writes_a_file(isolated_env) -> None:  # noqa: ANN001
    app = ViewerApp()
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_exceptions(app, pilot, app.scenario_job("failing"))
        report = screen.report_data
        assert report is not None and report.root is not None
        view = screen.query_one(LogView)
        view.move_cursor(1)  # the root exception block
        await pilot.press("y")
        assert app.clipboard == report.root.trace
        await pilot.press("ctrl+s")
        await until(pilot, lambda: screen.last_saved is not None)
        saved = (isolated_env.data_dir / "exports").glob("*exceptions*.txt")
        text = next(saved).read_text()
        assert report.root.trace in text
        assert all(entry.trace in text for entry in report.history)


async def test_follow_mode_reloads() -> None:
    app = ViewerApp(config=AppConfig(refresh_interval=1.0))
    calls = app.calls
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_exceptions(app, pilot, app.scenario_job("failing"))
        before = calls.count("GetInstanceExceptions")
        await pilot.press("f")
        assert screen.auto_refresh
        await until(pilot, lambda: calls.count("GetInstanceExceptions") >= before + 2, timeout=5)
        assert "following" in str(screen.query_one("#exceptions-header").render())
        await pilot.press("f")
        assert not screen.auto_refresh


async def test_http_level_garbage_is_an_inline_message() -> None:
    app = ViewerApp()
    app.emulator.faults.set(op="GetInstanceExceptions", malformed=True)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_exceptions(app, pilot, app.scenario_job("failing"))
        assert screen.report_data is None
        view = screen.query_one(LogView)
        assert view.row_text(0).startswith("Cannot read the exceptions of this instance: InvalidResponse")
        assert app.screen is screen  # still running, no crash
        assert app.errors and app.errors[0][0].request_id  # reported with the request id


class MockApp(App[None]):
    CSS_PATH = _css_paths()  # type: ignore[assignment]

    def __init__(self, body: dict) -> None:
        super().__init__()
        transport = httpx.MockTransport(lambda request: httpx.Response(200, json=body))
        client = FoasClient(Credentials("id", "secret"), transport=transport, retries=0)
        self.session = SimpleNamespace(client=client, config=AppConfig())
        self.errors: list[BaseException] = []

    def report_error(self, err: BaseException, context: str = "") -> None:
        self.errors.append(err)


@pytest.mark.parametrize(("exceptions", "expected"), [
    ("{not json", "Cannot read the exceptions of this instance: invalid JSON"),
    ("", "Cannot read the exceptions of this instance: the service sent an empty value"),
    (json.dumps({"root-exception": None, "timestamp": None, "all-exceptions": [], "truncated": False}),
     "No exceptions: this instance has not failed over"),
])
async def test_malformed_or_empty_embedded_payload(exceptions: str, expected: str) -> None:
    app = MockApp({"RequestId": "R1", "Exceptions": exceptions})
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_exceptions(app, pilot, Selection("p", "j", "FLINK_STREAM"))  # type: ignore[arg-type]
        view = screen.query_one(LogView)
        assert view.row_text(0).startswith(expected)
        await pilot.press("y", "slash", "x", "enter", "n", "w")  # keys stay harmless on a message
        await asyncio.sleep(0)
        assert app.screen is screen


async def test_e_on_the_main_screen_opens_the_selected_job() -> None:
    """Integration with FoasApp: the mixin's `e` binding pushes the viewer for `current_selection()`."""
    from test_viewers_support import START

    from foas_tui.app import FoasApp
    from foas_tui.emulator import FakeClock

    app = FoasApp.demo(jobs=64, seed=7, clock=FakeClock(START), state_path=False)
    async with app.run_test(size=(100, 30)) as pilot:
        store = app.session.emulator.store
        project, job = next((p, name) for p in sorted(store.projects)
                            for name, j in sorted(store.projects[p].jobs.items()) if j.scenario == "failing")
        await until(pilot, lambda: app.main_screen is not None and app.main_screen.is_mounted)
        app.select_job(project, job)
        await until(pilot, lambda: (s := app.current_selection()) is not None and s.job_name == job)
        await pilot.press("e")
        await until(pilot, lambda: isinstance(app.screen, ExceptionsScreen))
        assert app.screen.selection.job_name == job  # type: ignore[attr-defined]
        await pilot.press("escape")
        assert not isinstance(app.screen, ExceptionsScreen)
