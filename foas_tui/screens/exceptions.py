"""Exceptions viewer (GetInstanceExceptions): root exception, then the history like the Flink dashboard.

Log-style over a virtualized `LogView`: traces folded, `/` search with n/N, wrap, follow, copy (OSC 52), save.
"""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from rich.cells import cell_len, set_cell_size
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.widgets import Input, Static

from foas_tui import keys
from foas_tui.error_guard import on, work
from foas_tui.screens.viewer_base import ViewerScreen
from foas_tui.services import clipboard
from foas_tui.services.flink_payloads import ExceptionEntry, ExceptionReport, Payload, read_exceptions
from foas_tui.services.formatting import format_epoch_ms
from foas_tui.services.selection import Selection
from foas_tui.text import safe_str, styled
from foas_tui.widgets.key_footer import KeyFooter
from foas_tui.widgets.log_view import LogBlock, LogView

COLUMNS = ("Time", "Exception", "Task Name", "Location")


def column_widths(width: int) -> tuple[int, int, int, int]:
    """Widths of Time | Exception | Task Name | Location for a view `width` cells wide (2-cell gaps)."""
    time_w = 19 if width >= 110 else 14
    task_w = 28 if width >= 120 else 16
    location_w = 26 if width >= 120 else 16
    exception_w = max(20, width - time_w - task_w - location_w - 6 - 1)
    return time_w, exception_w, task_w, location_w


def _cell(text: str, width: int) -> str:
    text = " ".join(text.split())
    if cell_len(text) > width:
        return set_cell_size(text, width - 1) + "…"
    return set_cell_size(text, width)


def _time(ms: int | None, width: int) -> str:
    text = format_epoch_ms(ms)
    return text[5:] if width < 19 and len(text) == 19 else text  # drop the year when narrow


def history_row(entry: ExceptionEntry, widths: tuple[int, int, int, int]) -> str:
    time_w, exception_w, task_w, location_w = widths
    name = entry.name + (f" [{', '.join(entry.labels)}]" if entry.labels else "")
    if entry.concurrent:
        name += f" (+{entry.concurrent} concurrent)"
    cells = (
        _cell(_time(entry.timestamp_ms, time_w), time_w), _cell(name, exception_w),
        _cell(entry.task or "—", task_w), _cell(entry.location, location_w),
    )
    return "  ".join(cells).rstrip()


def root_cause(trace: str) -> str:
    """The last `Caused by:` line of a trace (what actually broke), or "" when there is none."""
    at = trace.rfind("Caused by:")
    if at < 0:
        return ""
    end = trace.find("\n", at)
    return " ".join(trace[at:end if end >= 0 else len(trace)].split())


def _body(trace: str) -> str:
    """The trace minus its first line (the head row already shows it)."""
    return trace.split("\n", 1)[1] if "\n" in trace else ""


def exception_blocks(report: ExceptionReport, width: int) -> list[LogBlock]:
    """The document the viewer shows: root exception first, then the history table with folded traces."""
    blocks: list[LogBlock] = []
    if report.root is not None:
        root = report.root
        blocks.append(LogBlock("root-title", [f"Root exception · {format_epoch_ms(root.timestamp_ms)}"], kind="title"))
        blocks.append(LogBlock("root", [root.name], _body(root.trace), kind="error", copy=root.trace,
                               fold_hint=root_cause(root.trace)))
    elif not report.history:
        blocks.append(LogBlock("none", ["No exceptions: this instance has not failed over (root-exception is null)."],
                               kind="note"))
    count = len(report.history)
    more = " · truncated: older failures were dropped by the service" if report.truncated else ""
    blocks.append(LogBlock("history-title", [f"Exception history ({count}){more}"], kind="title"))
    widths = column_widths(width)
    header = "  ".join(_cell(name, w) for name, w in zip(COLUMNS, widths, strict=True)).rstrip()
    blocks.append(LogBlock("columns", [header], kind="columns"))
    seen: dict[str, int] = {}
    for entry in report.history:
        key = f"h:{entry.timestamp_ms}:{entry.name[:40]}"
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:
            key = f"{key}#{seen[key]}"
        copy = f"{format_epoch_ms(entry.timestamp_ms)} | {entry.task or '-'} | {entry.location}\n{entry.trace}"
        blocks.append(LogBlock(key, [history_row(entry, widths)], entry.trace, kind="row", copy=copy,
                               fold_hint=root_cause(entry.trace)))
    if not report.history:
        blocks.append(LogBlock("history-empty", ["(no failures recorded)"], kind="note"))
    return blocks


def error_blocks(payload: Payload) -> list[LogBlock]:
    """A clear message for a payload the viewer cannot read, with the start of the raw text."""
    blocks = [LogBlock("error", [f"Cannot read the exceptions of this instance: {payload.error}"], kind="error")]
    if payload.raw:
        excerpt = payload.raw[:2000]
        blocks.append(LogBlock("raw", [f"Raw payload ({len(payload.raw)} characters):"], excerpt, kind="note"))
    return blocks


def report_text(report: ExceptionReport) -> str:
    """Everything, unfolded, for copy-all and save."""
    parts = []
    if report.root is not None:
        parts.append(f"Root exception ({format_epoch_ms(report.root.timestamp_ms)}):\n{report.root.trace}")
    suffix = " (truncated by the service)" if report.truncated else ""
    parts.append(f"Exception history: {len(report.history)} failure(s){suffix}")
    for entry in report.history:
        parts.append(f"--- {format_epoch_ms(entry.timestamp_ms)} | {entry.task or '-'} | {entry.location}\n"
                     f"{entry.trace}")
    return "\n\n".join(parts)


class ExceptionsScreen(ViewerScreen):
    """The failures of one instance, newest first, with search, folding, wrap, follow, copy and save."""

    view_name = "exceptions"

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("exceptions")  # foas_tui/keys.py defines every key

    def __init__(self, selection: Selection | None = None, **kwargs: Any) -> None:
        super().__init__(selection, **kwargs)
        self.report_data: ExceptionReport | None = None
        self.payload: Payload | None = None
        self.last_saved: str | None = None
        self._width = 0

    def compose(self) -> ComposeResult:
        yield Static(id="exceptions-header", classes="viewer-header")
        yield LogView(id="exceptions-log")
        yield Input(placeholder="search: regex, ignores case unless it has capitals · enter finds · esc cancels",
                    id="exceptions-search", classes="viewer-search")
        yield KeyFooter()

    @property
    def log_view(self) -> LogView:
        return self.query_one(LogView)

    def on_show(self) -> None:
        self.log_view.focus()

    # --- loading ---------------------------------------------------------------------------------

    def load(self) -> None:
        self._update_header("loading…" if self.report_data is None else None)
        self._fetch()

    @work(exclusive=True, group="exceptions", exit_on_error=False)
    async def _fetch(self) -> None:
        sel = self.selection
        try:
            if sel is None:
                return
            try:
                response = await self.client.get_instance_exceptions(sel.project, sel.job_name, self.instance_id)
            except Exception as err:  # the inline message says what failed; the app shows the request id
                if (note := self.not_running_note(err, "exceptions")) is not None:
                    self.load_succeeded()  # an expected state, told as information: no red, no toast
                    self.report_data, self.payload = None, Payload()
                    self.log_view.set_blocks([LogBlock("not-running", note.plain.splitlines(), kind="note")])
                    self._update_header(None)
                    return
                self.report(err, f"exceptions of {sel.project}/{sel.job_name}")
                reason = f"{getattr(err, 'code', type(err).__name__)}: {getattr(err, 'message', err)}"
                if self.report_data is None:
                    self._show(None, Payload(error=reason))
                else:  # keep the last good data on screen; say the reload failed
                    self._update_header(styled("[$warning]reload failed ($reason)[/]", reason=reason))
                return
            # Inline on purpose: for a 10 MB payload this is ~80 ms of work; in a thread it took 3x longer
            # (GIL hand-offs with the event loop) and the longest stall was no shorter (bench/exceptions_viewer.py).
            # The yield lets pending keys in between the client's parse and ours: two short stalls, not one long.
            await asyncio.sleep(0)
            report, payload, blocks = _prepare(response, self._view_width())
            self.load_succeeded()
            self._show(report, payload, blocks)
        finally:
            self.load_finished()

    def _view_width(self) -> int:
        """Cells for the history columns: the view's width minus its vertical scrollbar, whether or not the
        scrollbar shows yet (a big history always scrolls), so rows never overflow by the scrollbar."""
        view = self.log_view
        width = view.size.width or self.app.size.width or 80
        return max(40, width - view.styles.scrollbar_size_vertical)

    def _show(self, report: ExceptionReport | None, payload: Payload, blocks: list[LogBlock] | None = None) -> None:
        self.report_data, self.payload = report, payload
        self._width = self._view_width()
        if blocks is None:
            blocks = exception_blocks(report, self._width) if report is not None else error_blocks(payload)
        view = self.log_view
        view.set_blocks(blocks)
        if self.auto_refresh:
            view.move_cursor(0)
        self._update_header()

    def on_resize(self) -> None:
        if self.report_data is not None and self._view_width() != self._width:
            self._width = self._view_width()
            self.log_view.set_blocks(exception_blocks(self.report_data, self._width))

    def _update_header(self, status: Content | str | None = None) -> None:
        header = self.query_one("#exceptions-header", Static)
        report = self.report_data
        parts: list[Content | str] = [styled("[b]Exceptions[/b] $job", job=self.job_label)]
        if status:
            parts.append(status)
        elif report is not None:
            parts.append(f"{len(report.history)} in history")
            if report.truncated:
                parts.append(styled("[reverse $warning] TRUNCATED [/] older failures dropped by the service"))
        elif self.payload is not None and self.payload.error:
            parts.append(styled("[$error]unreadable payload[/]"))
        view = self.log_view
        if view.match_count or self.query_one("#exceptions-search", Input).value:
            parts.append(f"match {view.match_index + 1}/{view.match_count}" if view.match_count else "no match")
        parts.append("wrap on" if view.wrap else "wrap off")
        if self.auto_refresh:
            parts.append(styled("[$success]following · every $seconds[/]", seconds=f"{self.refresh_interval:g}s"))
        header.update(Content(" · ").join(parts))

    # --- search ----------------------------------------------------------------------------------

    def action_search(self) -> None:
        search = self.query_one("#exceptions-search", Input)
        search.add_class("-visible")
        search.focus()

    @on(Input.Submitted, "#exceptions-search")
    def _search_submitted(self, event: Input.Submitted) -> None:
        self.run_search(event.value)
        event.input.remove_class("-visible")
        self.log_view.focus()

    def run_search(self, query: str) -> int:
        view = self.log_view
        if not query:
            view.clear_search()
            self._update_header()
            return 0
        count = view.search(query)
        if not count:
            self.notify(f"no match for {safe_str(query)!r}", severity="warning", timeout=3, markup=False)
        self._update_header()
        return count

    def action_close(self) -> None:
        search = self.query_one("#exceptions-search", Input)
        if search.has_class("-visible"):
            search.remove_class("-visible")
            self.log_view.focus()
            return
        super().action_close()

    def action_next_match(self, direction: int) -> None:
        view = self.log_view
        if not view.match_count:
            query = self.query_one("#exceptions-search", Input).value
            if query:
                self.run_search(query)
            else:
                self.notify("search first with /", timeout=2)
            return
        view.next_match(direction)
        self._update_header()

    # --- view toggles ----------------------------------------------------------------------------

    def action_toggle_wrap(self) -> None:
        self.log_view.wrap = not self.log_view.wrap
        self._update_header()

    def action_toggle_follow(self) -> None:
        self.auto_refresh = not self.auto_refresh
        if self.auto_refresh:
            self.log_view.move_cursor(0)
            self.load()
        else:
            self.load_finished()  # stops the armed reload
        self._update_header()

    def action_fold_all(self, folded: bool) -> None:
        self.log_view.fold_all(folded)

    # --- copy and save ---------------------------------------------------------------------------

    def _full_text(self) -> str:
        if self.report_data is not None:
            return report_text(self.report_data)
        if self.payload is None:
            return ""
        return self.payload.raw or self.payload.error or ""

    def action_copy(self) -> None:
        block = self.log_view.current_block()
        if block is None:
            self.notify("nothing to copy", severity="warning", timeout=2)
            return
        result = clipboard.copy_text(self.app, block.text, what="this exception")
        self.notify(result.message, severity="information" if result.ok else "warning", timeout=4, markup=False)

    def action_copy_all(self) -> None:
        result = clipboard.copy_text(self.app, self._full_text(), what="all exceptions")
        self.notify(result.message, severity="information" if result.ok else "warning", timeout=4, markup=False)

    def action_save(self) -> None:
        text = self._full_text()
        if not text:
            self.notify("nothing to save yet", severity="warning", timeout=2)
            return
        sel = self.selection
        parts = (sel.project, sel.job_name, "exceptions") if sel is not None else ("exceptions",)
        self._save(text, parts)

    @work(thread=True, exclusive=True, group="exceptions-save", exit_on_error=False)
    def _save(self, text: str, parts: tuple[str, ...]) -> None:
        try:
            path = clipboard.save_text(text, clipboard.default_export_path(*parts, now=self.now()))
        except OSError as err:
            self.app.call_from_thread(self.notify, f"cannot save: {err}", severity="error", markup=False)
            return
        self.last_saved = str(path)
        self.app.call_from_thread(self.notify, f"saved to {path}", timeout=6, markup=False)

    @on(LogView.SearchMoved)
    def _search_moved(self) -> None:
        self._update_header()


def _prepare(response: object, width: int) -> tuple[ExceptionReport | None, Payload, list[LogBlock]]:
    report, payload = read_exceptions(response)
    blocks = exception_blocks(report, width) if report is not None else error_blocks(payload)
    return report, payload, blocks

