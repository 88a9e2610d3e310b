"""Checkpoints in depth: per-task details of a checkpoint (which subtask is slow, alignment) and the trend
over the history with failures marked. Shapes from Flink's checkpoint statistics, which the seed's
GetInstanceCheckpoint example follows (history entries with num_subtasks, tasks, alignment_buffered)."""

from __future__ import annotations

import json

import pytest
from test_viewers_support import ViewerApp, until, utc  # noqa: F401  (utc is a fixture)
from textual.widgets import DataTable

from foas_tui.screens.checkpoints import CheckpointsScreen
from foas_tui.services.checkpoint_depth import task_rows, trend
from foas_tui.services.flink_payloads import CheckpointStats

pytestmark = pytest.mark.usefixtures("utc")


def _stats(cid: int, status: str, size: int, ms: int) -> CheckpointStats:
    return CheckpointStats(cid, status, False, cid * 1000, cid * 1000 + ms, ms, size, size, 4, 4)


def test_trend_marks_failures_and_a_growing_size() -> None:
    history = [_stats(1, "COMPLETED", 100, 10), _stats(2, "FAILED", 0, 0), _stats(3, "COMPLETED", 110, 12),
               _stats(4, "COMPLETED", 300, 40)]
    t = trend(history)
    assert t.marks == "✓✗✓✓" and t.failed == 1 and t.growing
    assert len(t.size) == 3 and t.size[-1] == "█"


def test_task_rows_name_the_slowest_subtask() -> None:
    payload = {"history": [{"id": 7, "tasks": {"v1": {
        "status": "COMPLETED", "state_size": 10, "end_to_end_duration": 900, "num_subtasks": 3,
        "num_acknowledged_subtasks": 3, "alignment_buffered": 0,
        "subtasks": [{"index": 0, "end_to_end_duration": 100, "alignment": {"duration": 5}},
                     {"index": 1, "end_to_end_duration": 900, "alignment": {"duration": 700}},
                     {"index": 2, "status": "pending_or_failed"}]}}}]}
    (row,) = task_rows(payload, 7)
    assert (row.slowest, row.slowest_ms, row.alignment_ms, row.acknowledged) == (1, 900, 700, 3)
    assert task_rows(payload, 8) == []


async def test_the_viewer_shows_the_tasks_of_the_highlighted_checkpoint_and_the_trend() -> None:
    app = ViewerApp()
    sel = app.scenario_job("checkpoint_failing")
    async with app.run_test(size=(140, 50)) as pilot:
        screen = CheckpointsScreen(sel)
        await app.push_screen(screen)
        await until(pilot, lambda: screen.report_data is not None)
        trend_text = str(screen.query_one("#checkpoints-trend").render())
        assert "Trend" in trend_text and "✗" in trend_text and "failed" in trend_text
        table = screen.query_one("#checkpoints-history", DataTable)
        raw = json.loads(screen.payload.raw) if screen.payload.raw else None
        assert raw is not None
        first_id = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        entry = next(e for e in raw["history"] if str(e["id"]) == first_id)
        tasks = str(screen.query_one("#checkpoints-tasks").render())
        assert f"Tasks of checkpoint #{first_id}" in tasks
        assert tasks.count("acked") == len(entry["tasks"]) and "slowest subtask #" in tasks
        table.focus()
        await pilot.press("down")
        second_id = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        assert second_id != first_id
        assert f"Tasks of checkpoint #{second_id}" in str(screen.query_one("#checkpoints-tasks").render())
