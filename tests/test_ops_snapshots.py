"""Snapshots (80x24) of the ops screens: editor, start form, a confirmation, a bulk summary.

Each screen is shown on a bare host app with the shipped stylesheet, fixed data and no clock, so the
pictures change only when these screens do.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from test_app_support import frame_settled
from textual.app import App
from textual.screen import Screen
from textual.widgets import TextArea

from foas_tui.api import errors
from foas_tui.screens.bulk_summary import BulkSummaryScreen
from foas_tui.screens.code_editor import CodeEditorScreen
from foas_tui.screens.confirm import ConfirmScreen
from foas_tui.screens.start_job import StartContext, StartJobScreen
from foas_tui.services.actions import ActionKind, ActionResult, ActionRun, Outcome, Progress
from foas_tui.services.drafts import DraftKey, DraftStore, EditSession
from foas_tui.services.selection import Selection

STYLES = Path(__file__).resolve().parents[1] / "styles"
SIZE = (80, 24)
SQL = """\
CREATE TABLE orders_src (
  order_id BIGINT,
  amount DECIMAL(10, 2),
  ts TIMESTAMP
) WITH (type = 'datahub', topic = 'orders');

CREATE TABLE gmv_sink (
  window_end TIMESTAMP,
  gmv DECIMAL(18, 2)
) WITH (type = 'rds', tableName = 'gmv_1min');

INSERT INTO gmv_sink
SELECT TUMBLE_END(ts, INTERVAL '1' MINUTE), SUM(amount)
FROM orders_src
GROUP BY TUMBLE(ts, INTERVAL '1' MINUTE);
"""


class Host(App[None]):
    CSS_PATH = [STYLES / "ops.tcss"]

    def __init__(self, make: Callable[[], Screen]) -> None:
        super().__init__()
        self.make = make

    def on_mount(self) -> None:
        self.push_screen(self.make())


def sel(name: str) -> Selection:
    return Selection("realtime_dw", name, "FLINK_STREAM")


def test_code_editor(snap_compare, tmp_path) -> None:
    def make() -> Screen:
        store = DraftStore(tmp_path / "drafts")
        edit = EditSession.open(store, DraftKey("demo", "realtime_dw", "dws_gmv_1min"), SQL, 1_700_000_000_000)
        edit.text = SQL.replace("SUM(amount)", "SUM(amount) AS gmv")
        return CodeEditorScreen(edit, sel("dws_gmv_1min"), store)

    async def steady_cursor(pilot) -> None:  # noqa: ANN001
        for area in pilot.app.screen.query(TextArea):
            area.cursor_blink = False  # a blinking cursor is on in one frame and off in the next
        await frame_settled(pilot)

    assert snap_compare(Host(make), terminal_size=SIZE, run_before=steady_cursor)


def test_start_form(snap_compare) -> None:
    context = StartContext(["dws_gmv_1min"], actual_state="TERMINATED", queue_name="root.realtime_dw",
                           cluster_id="cluster-a", queues=[("cluster-a", "root.realtime_dw")], now=1_700_000_000.0)
    assert snap_compare(Host(lambda: StartJobScreen(context)), terminal_size=SIZE)


def test_confirmation(snap_compare) -> None:
    def make() -> Screen:
        from foas_tui.services.actions import ACTIONS

        info = ACTIONS[ActionKind.STOP]
        return ConfirmScreen("Stop 3 jobs?", info.explanation, [
            "realtime_dw/dws_gmv_1min (RUNNING)", "realtime_dw/ods_orders_ingest (RUNNING)",
            "realtime_dw/ods_refund_ingest (PAUSED)"],
            notes=["To keep the state for later, pause (P) instead of stopping."], confirm_label="Stop 3 jobs",
            option="Take a checkpoint first (triggerCheckpoint, Blink 3.5.0+)")

    assert snap_compare(Host(make), terminal_size=SIZE)


def test_bulk_summary(snap_compare) -> None:
    def make() -> Screen:
        targets = [sel("dws_gmv_1min"), sel("ods_orders_ingest"), sel("ods_cart_events_ingest")]
        run = ActionRun(ActionKind.PAUSE, targets)
        error = errors.ConflictError("InstanceStateConflict", "The instance 1009 has already ended (TERMINATED).",
                                     request_id="5A0AF0E2-A715-40FD-8A2B-1EDBF4213489")
        run.record_results([
            ActionResult(targets[0], ActionKind.PAUSE, True),
            ActionResult(targets[1], ActionKind.PAUSE, True),
            ActionResult(targets[2], ActionKind.PAUSE, False, f"{error.code}: {error.message}", error.request_id),
        ])
        for target in targets[:2]:
            run.record_progress(Progress(target, "PAUSED", "PAUSED", 4.0, Outcome.REACHED, "now PAUSED"))
        run.finish()
        return BulkSummaryScreen(run)

    assert snap_compare(Host(make), terminal_size=SIZE)
