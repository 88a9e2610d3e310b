"""Checkpoint viewer (GetInstanceCheckpoint): counts, min/avg/max summary, latest ones, and the history.

The history has the Flink dashboard's columns, colored by status; the screen reloads while it is open.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.widgets import DataTable, Static

from foas_tui import keys
from foas_tui.error_guard import on, work
from foas_tui.screens.viewer_base import ViewerScreen, same_cell
from foas_tui.services import clipboard
from foas_tui.services.checkpoint_depth import task_rows, trend
from foas_tui.services.flink_payloads import CheckpointReport, CheckpointStats, MinAvgMax, Payload, read_checkpoints
from foas_tui.services.formatting import NONE, ago, format_epoch_ms, human_bytes, human_duration_ms
from foas_tui.text import one_line, safe_str, safe_text, styled
from foas_tui.widgets.dag_view import short_id
from foas_tui.widgets.key_footer import KeyFooter

HISTORY_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "ID"),
    ("status", "Status"),
    ("acknowledged", "Acknowledged"),
    ("trigger", "Trigger Time"),
    ("latest_ack", "Latest Acknowledgement"),
    ("duration", "End to End Duration"),
    ("checkpointed", "Checkpointed Data Size"),
    ("full", "Full Checkpoint Data Size"),
)
SUMMARY_ROWS: tuple[tuple[str, str, str], ...] = (
    ("checkpointed_size", "Checkpointed Data Size", "bytes"),
    ("state_size", "Full Checkpoint Data Size", "bytes"),
    ("end_to_end_duration", "End to End Duration", "ms"),
    ("alignment_buffered", "Alignment Buffered", "bytes"),
    ("processed_data", "Processed (persisted) in-flight data", "bytes"),
)


def summary_rows(report: CheckpointReport) -> list[tuple[str, str, MinAvgMax, str]]:
    """(key, title, values, unit) in the dashboard's order. Blink has no checkpointed_size: its state_size is
    what each checkpoint wrote, i.e. the "Checkpointed Data Size" of the history table."""
    rows = []
    blink = "checkpointed_size" not in report.summary
    for key, title, unit in SUMMARY_ROWS:
        values = report.summary.get(key)
        if values is None:
            continue
        if blink and key == "state_size":
            title = "Checkpointed Data Size"
        rows.append((key, title, values, unit))
    return rows
STATUS_STYLES = {"COMPLETED": "green", "FAILED": "bold red", "IN_PROGRESS": "yellow"}


def status_text(stats: CheckpointStats) -> Text:
    label = stats.status.replace("_", " ")
    if stats.is_savepoint:
        label += " (savepoint)"
    return safe_text(label, 40, style=STATUS_STYLES.get(stats.status, ""))


def acknowledged(stats: CheckpointStats) -> str:
    if stats.acknowledged is None or stats.subtasks is None:
        return NONE
    text = f"{stats.acknowledged}/{stats.subtasks}"
    if stats.status == "IN_PROGRESS" and stats.subtasks:
        text += f" ({stats.acknowledged * 100 // stats.subtasks}%)"
    return text


def history_cells(stats: CheckpointStats) -> dict[str, Text]:
    """The row of one checkpoint, by column key (sizes and durations made human)."""
    style = STATUS_STYLES.get(stats.status, "")
    plain = {
        "id": str(stats.id) if stats.id is not None else NONE,
        "acknowledged": acknowledged(stats),
        "trigger": format_epoch_ms(stats.trigger_ms),
        "latest_ack": format_epoch_ms(stats.latest_ack_ms or stats.failure_ms),
        "duration": human_duration_ms(stats.end_to_end_ms),
        "checkpointed": human_bytes(stats.checkpointed_size),
        "full": human_bytes(stats.full_size),
    }
    cells = {key: Text(value, style=style if key == "id" else "") for key, value in plain.items()}
    cells["status"] = status_text(stats)
    return cells


def summary_cells(key: str, values: MinAvgMax, unit: str) -> tuple[str, str, str]:
    fmt = human_duration_ms if unit == "ms" else human_bytes
    return fmt(values.min), fmt(values.avg), fmt(values.max)


def counts_markup(report: CheckpointReport) -> str:
    c = report.counts
    failed = f"[b red]{c['failed']}[/]" if c["failed"] else "0"
    progress = f"[yellow]{c['in_progress']}[/]" if c["in_progress"] else "0"
    return (f"Triggered [b]{c['total']}[/] · In progress {progress} · Completed [green]{c['completed']}[/] · "
            f"Failed {failed} · Restored {c['restored']}")


def latest_markup(report: CheckpointReport, now_ms: float) -> Content:
    """The latest completed/savepoint/failed/restored checkpoints; paths and causes come from the service."""
    lines: list[Content] = []
    done = report.latest_completed
    if done is not None:
        when = done.latest_ack_ms or done.trigger_ms
        lines.append(styled("[green]Latest completed[/] #$id · $when ($ago) · $duration · $size$path",
                            id=done.id, when=format_epoch_ms(when), ago=ago(when, now_ms),
                            duration=human_duration_ms(done.end_to_end_ms), size=human_bytes(done.checkpointed_size),
                            path=f" · {done.external_path}" if done.external_path else ""))
    else:
        lines.append(styled("[yellow]Latest completed[/] none yet"))
    savepoint = report.latest_savepoint
    if savepoint is not None:
        lines.append(styled("Latest savepoint #$id · $when · $path", id=savepoint.id,
                            when=format_epoch_ms(savepoint.trigger_ms), path=savepoint.external_path or NONE))
    else:
        lines.append(styled("Latest savepoint none"))
    failed = report.latest_failed
    if failed is not None:
        when = failed.failure_ms or failed.trigger_ms
        cause = one_line(failed.failure_message) or "(no cause given)"
        lines.append(styled("[b red]Latest failed[/] #$id · $when ($ago) · cause: $cause", id=failed.id,
                            when=format_epoch_ms(when), ago=ago(when, now_ms), cause=cause))
    else:
        lines.append(styled("Latest failed none"))
    restored = report.latest_restored
    if restored is not None:
        kind = "savepoint" if restored.is_savepoint else "checkpoint"
        lines.append(styled("Latest restore #$id ($kind) · $when · $path", id=restored.id, kind=kind,
                            when=format_epoch_ms(restored.restore_ms), path=restored.external_path or NONE))
    else:
        lines.append(styled("Latest restore none"))
    return Content("\n").join(lines)


def report_text(report: CheckpointReport) -> str:
    """A plain-text copy of the history (tab-separated, the dashboard's columns) for copy/save."""
    rows = ["\t".join(title for _, title in HISTORY_COLUMNS)]
    for stats in report.history:
        cells = history_cells(stats)
        rows.append("\t".join(cells[key].plain for key, _ in HISTORY_COLUMNS))
    c = report.counts
    rows.append(f"\nTriggered {c['total']}, in progress {c['in_progress']}, completed {c['completed']}, "
                f"failed {c['failed']}, restored {c['restored']}")
    for label, stats in (("completed", report.latest_completed), ("savepoint", report.latest_savepoint)):
        if stats is not None:
            rows.append(f"Latest {label} #{stats.id}: {stats.external_path or '-'}")
    failed = report.latest_failed
    if failed is not None:
        rows.append(f"Latest failed #{failed.id}: {failed.failure_message or '(no cause given)'}")
    if report.latest_restored is not None:
        rows.append(f"Latest restore #{report.latest_restored.id}: {report.latest_restored.external_path or '-'}")
    return "\n".join(rows)


class CheckpointsScreen(ViewerScreen):
    """Checkpoint statistics of one instance, reloaded every refresh interval while open."""

    view_name = "checkpoints"

    auto_refresh = True
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("checkpoints")  # foas_tui/keys.py defines every key

    def __init__(self, selection: Any = None, **kwargs: Any) -> None:
        super().__init__(selection, **kwargs)
        self.report_data: CheckpointReport | None = None
        self.payload: Payload | None = None
        self.last_saved: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="checkpoints-header", classes="viewer-header")
        yield Static(id="checkpoints-message", classes="viewer-message")
        yield Static(id="checkpoints-counts", classes="checkpoints-counts")
        summary: DataTable[Any] = DataTable(id="checkpoints-summary", cursor_type="none", show_cursor=False,
                                            zebra_stripes=False)
        summary.can_focus = False
        yield summary
        yield Static(id="checkpoints-latest", classes="checkpoints-latest")
        yield Static(id="checkpoints-trend", classes="checkpoints-latest")
        yield DataTable(id="checkpoints-history", cursor_type="row", zebra_stripes=True)
        yield Static(id="checkpoints-tasks", classes="checkpoints-latest")
        yield KeyFooter()

    def on_mount(self) -> None:
        summary = self.query_one("#checkpoints-summary", DataTable)
        for key, title in (("metric", "Summary"), ("min", "Minimum"), ("avg", "Average"), ("max", "Maximum")):
            summary.add_column(title, key=key)
        history = self.query_one("#checkpoints-history", DataTable)
        for key, title in HISTORY_COLUMNS:
            history.add_column(title, key=key)
        history.focus()

    # --- loading ---------------------------------------------------------------------------------

    def load(self) -> None:
        if self.report_data is None and self.payload is None:
            self._set_header("loading…")
        self._fetch()

    @work(exclusive=True, group="checkpoints", exit_on_error=False)
    async def _fetch(self) -> None:
        sel = self.selection
        try:
            if sel is None:
                return
            try:
                response = await self.client.get_instance_checkpoint(sel.project, sel.job_name, self.instance_id)
            except Exception as err:
                if (note := self.not_running_note(err, "checkpoints")) is not None:
                    self.load_succeeded()  # an expected state, told as information: no red, no toast
                    self._show_note(note)
                    return
                self.report(err, f"checkpoints of {sel.project}/{sel.job_name}")
                code = getattr(err, "code", type(err).__name__)
                self._show(None, Payload(error=f"{code}: {getattr(err, 'message', err)}"))
                return
            report, payload = read_checkpoints(response)
            self.load_succeeded()
            self._show(report, payload)
        finally:
            self.load_finished()

    def _show_note(self, note: Content) -> None:
        message = self.query_one("#checkpoints-message", Static)
        message.update(note)
        message.display = True
        if self.report_data is None:  # no empty summary grid under the note (_fill_summary shows it again)
            self.query_one("#checkpoints-summary", DataTable).display = False
        self._set_header()

    def _show(self, report: CheckpointReport | None, payload: Payload) -> None:
        message = self.query_one("#checkpoints-message", Static)
        if report is None:
            if self.report_data is None:
                message.update(styled("[b $error]Cannot read the checkpoints of this instance:[/] $error",
                                      error=payload.error or ""))
            else:  # keep the last good data on screen; say it is stale
                message.update(styled("[$warning]Reload failed ($error); showing the last data.[/]",
                                      error=payload.error or ""))
            message.display = True
            self.payload = payload if self.report_data is None else self.payload
            self._set_header()
            return
        self.report_data, self.payload = report, payload
        if report.is_empty:
            message.update("No checkpoints yet: the instance has not completed or failed one.")
            message.display = True
        else:
            message.display = False
        self.query_one("#checkpoints-counts", Static).update(counts_markup(report))
        self._fill_summary(report)
        self.query_one("#checkpoints-latest", Static).update(latest_markup(report, self.now() * 1000))
        self._fill_history(report)
        self._show_trend(report)
        self._show_tasks()
        self._set_header()

    def _show_trend(self, report: CheckpointReport) -> None:
        t = trend(report.history)
        widget = self.query_one("#checkpoints-trend", Static)
        widget.display = bool(t.marks)
        if t.marks:
            widget.update(styled("Trend (oldest → newest) size $size  duration $duration  $marks" +
                                 (" · [b $error]$failed failed[/]" if t.failed else "") +
                                 (" · [b $warning]size growing[/]" if t.growing else ""),
                                 size=t.size or "—", duration=t.duration or "—", marks=t.marks, failed=t.failed))

    @on(DataTable.RowHighlighted, "#checkpoints-history")
    def _history_highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_tasks()

    def _show_tasks(self) -> None:
        """The tasks of the highlighted checkpoint: size, duration, alignment and the slowest subtask."""
        widget = self.query_one("#checkpoints-tasks", Static)
        table = self.query_one("#checkpoints-history", DataTable)
        payload = self.payload
        if payload is None or payload.data is None or table.row_count == 0:
            widget.display = False
            return
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        rows = task_rows(payload.data, int(key)) if key and str(key).isdigit() else []
        widget.display = bool(rows)
        if not rows:
            return
        text = Text()
        text.append(f"Tasks of checkpoint #{key} (slowest first)\n", style="bold")
        for row in rows:
            text.append(f"  {safe_str(short_id(row.vertex_id), 12)}  {human_bytes(row.state_size):>9}  "
                        f"{human_duration_ms(row.duration_ms):>7}  align {human_duration_ms(row.alignment_ms):>7}  "
                        f"{row.acknowledged if row.acknowledged is not None else '?'}/"
                        f"{row.subtasks if row.subtasks is not None else '?'} acked")
            if row.slowest is not None:
                text.append(f"  slowest subtask #{row.slowest} ({human_duration_ms(row.slowest_ms)})", style="yellow")
            text.append("\n")
        widget.update(text)

    def _fill_summary(self, report: CheckpointReport) -> None:
        table = self.query_one("#checkpoints-summary", DataTable)
        table.clear()
        for key, title, values, unit in summary_rows(report):
            table.add_row(title, *summary_cells(key, values, unit), key=key)
        table.display = table.row_count > 0

    def _fill_history(self, report: CheckpointReport) -> None:
        """Update changed cells in place (the cursor stays); add new checkpoints, drop gone ones."""
        table = self.query_one("#checkpoints-history", DataTable)
        wanted = {str(stats.id): history_cells(stats) for stats in report.history if stats.id is not None}
        existing = {str(key.value) for key in table.rows}
        for key in existing - set(wanted):
            table.remove_row(key)
        for key, cells in wanted.items():
            if key in existing:
                for column, value in cells.items():
                    if not same_cell(table.get_cell(key, column), value):
                        table.update_cell(key, column, value)
            else:
                table.add_row(*(cells[column] for column, _ in HISTORY_COLUMNS), key=key)
        table.sort("id", key=lambda cell: int(cell.plain) if cell.plain.isdigit() else -1, reverse=True)

    def _set_header(self, status: str | None = None) -> None:
        parts = [styled("[b]Checkpoints[/b] $job", job=self.job_label)]
        if status:
            parts.append(Content(status))
        parts.append(styled("[$success]refreshing every $seconds[/]", seconds=f"{self.refresh_interval:g}s")
                     if self.auto_refresh else Content("auto-refresh off (f)"))
        self.query_one("#checkpoints-header", Static).update(Content(" · ").join(parts))

    # --- actions ---------------------------------------------------------------------------------

    def action_toggle_follow(self) -> None:
        self.auto_refresh = not self.auto_refresh
        if self.auto_refresh:
            self.load()
        else:
            self.load_finished()
        self._set_header()

    def action_copy(self) -> None:
        if self.report_data is None:
            self.notify("nothing to copy", severity="warning", timeout=2)
            return
        result = clipboard.copy_text(self.app, report_text(self.report_data), what="the checkpoint history")
        self.notify(result.message, severity="information" if result.ok else "warning", timeout=4, markup=False)

    def action_save(self) -> None:
        if self.report_data is None:
            self.notify("nothing to save yet", severity="warning", timeout=2)
            return
        sel = self.selection
        parts = (sel.project, sel.job_name, "checkpoints") if sel is not None else ("checkpoints",)
        try:
            path = clipboard.save_text(report_text(self.report_data), clipboard.default_export_path(*parts,
                                                                                                   now=self.now()))
        except OSError as err:
            self.notify(f"cannot save: {err}", severity="error", markup=False)
            return
        self.last_saved = str(path)
        self.notify(f"saved to {path}", timeout=6, markup=False)
