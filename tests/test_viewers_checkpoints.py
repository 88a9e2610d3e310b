"""Checkpoint viewer (Pilot, in-process emulator): dashboard columns, failing checkpoints, reloads, bad payloads."""

from __future__ import annotations

import json

import httpx
import pytest
from test_viewers_support import ViewerApp, until, utc  # noqa: F401  (utc is a fixture)
from textual.widgets import DataTable

from foas_tui.api.client import FoasClient
from foas_tui.api.signing import Credentials
from foas_tui.config import AppConfig
from foas_tui.screens.checkpoints import CheckpointsScreen
from foas_tui.services.selection import Selection

pytestmark = pytest.mark.usefixtures("utc")

FLINK_HISTORY_COLUMNS = ["ID", "Status", "Acknowledged", "Trigger Time", "Latest Acknowledgement",
                         "End to End Duration", "Checkpointed Data Size", "Full Checkpoint Data Size"]


async def open_checkpoints(app: ViewerApp, pilot, selection: Selection) -> CheckpointsScreen:  # noqa: ANN001
    screen = CheckpointsScreen(selection)
    await app.push_screen(screen)
    await until(pilot, lambda: screen.report_data is not None or screen.payload is not None)
    await pilot.pause()
    return screen


async def test_failing_checkpoints_job() -> None:
    app = ViewerApp()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_checkpoints(app, pilot, app.scenario_job("checkpoint_failing"))
        report = screen.report_data
        assert report is not None
        history = screen.query_one("#checkpoints-history", DataTable)
        assert [column.label.plain for column in history.columns.values()] == FLINK_HISTORY_COLUMNS
        assert history.row_count == len(report.history) > 0
        ids = [int(history.get_row_at(i)[0].plain) for i in range(history.row_count)]
        assert ids == sorted(ids, reverse=True)  # newest first
        first = history.get_row_at(0)
        status = first[1]
        assert status.plain in ("FAILED", "COMPLETED", "IN PROGRESS", "COMPLETED (savepoint)")
        failed_rows = [history.get_row_at(i) for i in range(history.row_count)
                       if history.get_row_at(i)[1].plain == "FAILED"]
        assert failed_rows and all("red" in str(row[1].style) for row in failed_rows)
        assert any(row[6].plain.endswith(("B", "KB", "MB", "GB")) or row[6].plain == "—" for row in failed_rows)
        counts = str(screen.query_one("#checkpoints-counts").render())
        assert f"Failed {report.counts['failed']}" in counts and report.counts["failed"] > 0
        latest = str(screen.query_one("#checkpoints-latest").render())
        assert "Latest failed" in latest and "cause:" in latest
        assert report.latest_failed is not None and report.latest_failed.failure_message[:20] in latest
        summary = screen.query_one("#checkpoints-summary", DataTable)
        assert [column.label.plain for column in summary.columns.values()] == ["Summary", "Minimum", "Average",
                                                                                "Maximum"]
        assert "End to End Duration" in [summary.get_row_at(i)[0] for i in range(summary.row_count)]


async def test_checkpoints_reload_while_open_and_keep_the_cursor() -> None:
    app = ViewerApp(config=AppConfig(refresh_interval=1.0))
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_checkpoints(app, pilot, app.scenario_job("running"))
        history = screen.query_one("#checkpoints-history", DataTable)
        history.move_cursor(row=2)
        key = history.coordinate_to_cell_key(history.cursor_coordinate).row_key
        loads = app.calls.count("GetInstanceCheckpoint")
        await until(pilot, lambda: app.calls.count("GetInstanceCheckpoint") > loads, timeout=5)
        await pilot.pause()
        assert history.coordinate_to_cell_key(history.cursor_coordinate).row_key == key
        await pilot.press("f")  # auto-refresh off
        assert not screen.auto_refresh


async def test_unreadable_payload_is_a_clear_message_reported_once() -> None:
    app = ViewerApp(config=AppConfig(refresh_interval=1.0))
    app.emulator.faults.set(op="GetInstanceCheckpoint", malformed=True)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_checkpoints(app, pilot, app.scenario_job("running"))
        message = screen.query_one("#checkpoints-message")
        assert message.display and "Cannot read the checkpoints" in str(message.render())
        await until(pilot, lambda: app.calls.count("GetInstanceCheckpoint") >= 2, timeout=5)
        assert len(app.errors) == 1  # reported through the app once, not on every reload
        assert app.errors[0][0].request_id


@pytest.mark.parametrize(("body", "expected"), [
    ({"RequestId": "R", "Checkpoints": "{not json"}, "Cannot read the checkpoints of this instance"),
    ({"RequestId": "R", "Checkpoints": json.dumps({"counts": {}, "history": []})}, "No checkpoints yet"),
])
async def test_malformed_or_empty_embedded_payload(body: dict, expected: str) -> None:
    client = FoasClient(Credentials("id", "s"), retries=0,
                        transport=httpx.MockTransport(lambda request: httpx.Response(200, json=body)))
    app = ViewerApp(client=client)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_checkpoints(app, pilot, Selection("p", "j", "FLINK_STREAM"))
        assert expected in str(screen.query_one("#checkpoints-message").render())
        await pilot.press("y", "ctrl+s")
        assert app.screen is screen
