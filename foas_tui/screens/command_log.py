"""`L` / `:log`: every API call this session made, newest first, live; `c` copies the `aliyun foas` command."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from foas_tui import keys
from foas_tui.error_guard import Screen as GuardedScreen
from foas_tui.text import safe_str
from foas_tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from foas_tui.api.client import CallRecord

MAX_PARAM_CHARS = 80


def format_params(record: CallRecord) -> str:
    """Query and body parameters as `k=v`, long values cut (code bodies); the client never records secrets."""
    parts = []
    for key, value in [*record.query.items(), *record.body.items()]:
        value = str(value)
        parts.append(f"{key}={value[:40] + '…' if len(value) > 40 else value}")
    text = " ".join(parts)
    return text if len(text) <= MAX_PARAM_CHARS else text[:MAX_PARAM_CHARS - 1] + "…"


def clock_time(epoch: float) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(epoch)) + f".{int(epoch * 1000) % 1000:03d}"


class CommandLogScreen(GuardedScreen):
    """The equivalent of lazygit's command log, for the foas OpenAPI."""

    BINDINGS = keys.bindings("command_log")  # foas_tui/keys.py defines every key

    def __init__(self) -> None:
        super().__init__()
        self._records: dict[str, CallRecord] = {}
        self._seq = 0
        self._seen: dict[int, str] = {}  # id(record) -> row key
        self._dirty = True
        self._errors_only = False
        self._unsubscribe: Any = None

    def compose(self) -> ComposeResult:
        yield Static(id="log-title")
        yield DataTable(id="log-table", cursor_type="row")
        yield Static(id="log-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#log-table", DataTable)
        for key, label, width in (("seq", "#", 5), ("time", "TIME (UTC)", 12), ("op", "OPERATION", 27),
                                  ("status", "STATUS", 14), ("latency", "MS", 5), ("rid", "REQUEST ID", 36),
                                  ("params", "PARAMETERS", 80)):
            table.add_column(label, key=key, width=width)
        call_log = self.app.session.call_log  # type: ignore[attr-defined]
        self._unsubscribe = call_log.subscribe(self._on_call)
        self.set_interval(0.5, self._sync, name="log-sync")
        self._sync()
        table.focus()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _on_call(self, record: CallRecord) -> None:
        self._dirty = True  # batched: a refresh of 1,000 jobs makes 20 calls at once

    def _sync(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        table = self.query_one("#log-table", DataTable)
        call_log = self.app.session.call_log  # type: ignore[attr-defined]
        cursor_key = self._cursor_key()
        added = False
        for record in call_log:
            if id(record) in self._seen or (self._errors_only and record.ok):
                continue
            self._seq += 1
            key = f"{self._seq}"
            self._seen[id(record)] = key
            self._records[key] = record
            status = Text(f"{record.status or '—'} ok", style="green") if record.ok else Text(
                f"{record.status or '—'} {record.error_code}", style="bold red")
            table.add_row(
                Text(key, style="dim"), clock_time(record.started_at),
                Text(record.operation, style="bold yellow" if record.mutating else "bold"), status,
                f"{record.latency_ms:.0f}", record.request_id or "—", format_params(record), key=key,
            )
            added = True
        live = {id(r) for r in call_log}
        for rid, key in [(rid, key) for rid, key in self._seen.items() if rid not in live]:
            del self._seen[rid]  # fell out of the ring buffer
            self._records.pop(key, None)
            table.remove_row(key)
        if added:
            table.sort("seq", key=lambda cell: -int(cell.plain))
            if cursor_key is not None and cursor_key in self._records:
                table.move_cursor(row=table.get_row_index(cursor_key), animate=False, scroll=False)
        self._update_title(len(call_log), call_log.total)
        self._show_detail()

    def _update_title(self, kept: int, total: int) -> None:
        only = "errors only — e for all" if self._errors_only else "e for errors only"
        self.query_one("#log-title", Static).update(Text.assemble(
            ("Command log", "bold"), f"  {kept} calls kept of {total} made, newest first  ", (f"c copies the "
                                                                                               f"aliyun CLI · {only}",
                                                                                               "dim")))

    def _cursor_key(self) -> str | None:
        table = self.query_one("#log-table", DataTable)
        if not table.row_count:
            return None
        try:
            return table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        except Exception:  # empty table
            return None

    def selected_record(self) -> CallRecord | None:
        key = self._cursor_key()
        return self._records.get(key) if key else None

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        record = self.selected_record()
        detail = self.query_one("#log-detail", Static)
        if record is None:
            detail.update(Text("no calls yet", style="dim"))
            return
        text = Text()
        text.append(safe_str(f"{record.method} {record.path}"), style="bold")
        text.append(f"  attempts {record.attempts}  region {record.region_id}\n")
        if not record.ok:
            text.append(safe_str(f"{record.error_code}: {record.error_message}", multiline=True) + "\n", style="red")
        text.append(safe_str(record.aliyun_cli(), multiline=True), style="cyan")
        detail.update(text)

    def action_copy_cli(self) -> None:
        record = self.selected_record()
        if record is None:
            self.notify("no call selected", severity="warning")
            return
        command = record.aliyun_cli()
        self.app.copy_to_clipboard(command)  # OSC 52: reaches the local clipboard through SSH
        self.notify(command, title="Copied to the clipboard", timeout=6, markup=False)

    def action_toggle_errors(self) -> None:
        self._errors_only = not self._errors_only
        table = self.query_one("#log-table", DataTable)
        table.clear()
        self._seen.clear()
        self._records.clear()
        self._seq = 0
        self._dirty = True
        self._sync()

    def action_cursor(self, step: int) -> None:
        table = self.query_one("#log-table", DataTable)
        table.move_cursor(row=max(0, table.cursor_row + step))

    def action_close(self) -> None:
        self.app.pop_screen()
