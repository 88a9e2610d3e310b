"""A job's history: since when it runs, how earlier runs ended (ListInstance, current and archived) as a table and
a timeline, and whether the draft differs from what runs (GetInstance vs GetJob), with the diff.

Everything the service sends (starters, errors, code, properties) reaches the screen through the text door.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from foas_tui import keys
from foas_tui.error_guard import work
from foas_tui.screens.viewer_base import ViewerScreen
from foas_tui.services import diffing
from foas_tui.services.formatting import NONE, human_duration_ms
from foas_tui.services.history import History, fetch_history, since_when, timeline_bars
from foas_tui.text import NAME_LIMIT, one_line, safe_text, styled
from foas_tui.widgets.key_footer import KeyFooter
from foas_tui.widgets.state_style import state_text, timestamp

HISTORY_COLUMNS = (("id", "Instance"), ("state", "State"), ("started", "Started (UTC)"), ("ended", "Ended (UTC)"),
                   ("ran", "Ran for"), ("starter", "Started by"), ("stopper", "Last operator"),
                   ("error", "Last error"))
TABS = ("timeline", "drift")
BAR_STYLES = {"error": "red", "live": "green", "ended": "bright_black"}


class HistoryScreen(ViewerScreen):
    """Runs of one job over time, and the running version against the draft."""

    view_name = "history"

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("history")  # foas_tui/keys.py defines every key

    def __init__(self, selection: Any = None, *, tab: str = "timeline", **kwargs: Any) -> None:
        super().__init__(selection, **kwargs)
        self.initial_tab = tab if tab in TABS else "timeline"
        self.history: History | None = None
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        yield Static(styled("[b]History[/b] $job", job=self.job_label), id="history-header", classes="viewer-header")
        with TabbedContent(initial=self.initial_tab, id="history-tabs"):
            with TabPane("Timeline", id="timeline"), VerticalScroll(id="history-scroll"):
                yield Static(id="history-summary", classes="viewer-message")
                yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)
                yield Static(id="history-timeline", classes="dag")
            with TabPane("Running vs draft", id="drift"), VerticalScroll(id="drift-scroll"):
                yield Static(id="drift-summary", classes="viewer-message")
                yield Static(id="drift-diff", classes="dag")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#history-table", DataTable)
        for key, title in HISTORY_COLUMNS:
            table.add_column(title, key=key)
        super().on_mount()

    def load(self) -> None:
        if self.selection is None:
            return
        self.query_one("#history-summary", Static).update("loading…")
        self.query_one("#drift-summary", Static).update("loading…")
        self._load()

    @work(exclusive=True, group="history", exit_on_error=False)
    async def _load(self) -> None:
        sel = self.selection
        assert sel is not None
        try:
            history = await fetch_history(self.client, sel.project, sel.job_name, sel.job_type or "FLINK_STREAM")
        except Exception as err:  # a bug-shaped answer: say so in the screen
            self.error = f"{type(err).__name__}: {err}"
            self.query_one("#history-summary", Static).update(styled("[b $error]Cannot load:[/] $e", e=self.error))
            self.load_finished()
            return
        self.history = history
        self._show(history)
        self.load_succeeded()
        self.load_finished()

    # --- rendering -------------------------------------------------------------------------------

    def _show(self, history: History) -> None:
        now_ms = int(self.now() * 1000)
        lines = [styled("$line", line=line) for line in since_when(history, now_ms)]
        for part, text in history.errors.items():
            lines.append(styled("[b $error]Cannot read the $part part:[/] $text", part=part, text=text))
        self.query_one("#history-summary", Static).update(Content("\n").join(lines))
        table = self.query_one("#history-table", DataTable)
        table.clear()
        for run in history.runs:
            error = one_line(run.last_error, 120)
            table.add_row(
                Text(str(run.id) + ("" if run.archived else " ●")), state_text(run.actual), timestamp(run.start_ms),
                timestamp(run.end_ms), Text(human_duration_ms(run.duration_ms(now_ms))),
                safe_text(run.starter or NONE, NAME_LIMIT), safe_text(run.last_operator or NONE, NAME_LIMIT),
                Text(error or NONE, style="red" if error else ""), key=str(run.id))
        bars = Text()
        for run, (bar, kind) in zip(history.runs, timeline_bars(history.runs, now_ms), strict=True):
            bars.append(f"{run.id!s:>8} ", style="bold")
            bars.append(bar, style=BAR_STYLES[kind])
            bars.append(f" {run.actual or NONE}\n")
        if history.runs:
            oldest = min((r.start_ms for r in history.runs if r.start_ms), default=None)
            bars.append(f"{'':>8} {timestamp(oldest)} … now (red: a run with errors, green: alive)", style="dim")
        self.query_one("#history-timeline", Static).update(bars)
        self._show_drift(history)

    def _show_drift(self, history: History) -> None:
        summary = self.query_one("#drift-summary", Static)
        diff_view = self.query_one("#drift-diff", Static)
        if history.running is None:
            why = history.errors.get("running") or "no instance runs now"
            summary.update(styled("Nothing to compare: $why.", why=why))
            diff_view.update("")
            return
        if history.draft is None:
            summary.update(styled("The draft could not be read: $why", why=history.errors.get("draft") or NONE))
            diff_view.update("")
            return
        if not history.drift:
            summary.update(styled("[b $success]The draft is what runs[/] (code, properties, engine, packages, queue "
                                  "and cluster are the same)."))
            diff_view.update("")
            return
        parts = []
        for change in history.drift:
            if change.name in ("code", "properties"):
                parts.append(f"{change.name} {change.stats}")
            else:
                parts.append(f"{change.name} {one_line(change.running, 60)} → {one_line(change.draft, 60)}")
        summary.update(styled("[b $warning]The draft differs from what runs:[/] $parts.", parts="; ".join(parts)))
        text = Text()
        for change in history.drift:
            text.append(f"{change.name}\n", style="bold")
            text.append_text(diffing.styled(diffing.unified(change.running, change.draft, "running", "draft")))
            text.append("\n")
        diff_view.update(text)

    def action_tab(self, direction: int) -> None:
        tabs = self.query_one(TabbedContent)
        current = TABS.index(tabs.active) if tabs.active in TABS else 0
        tabs.active = TABS[(current + direction) % len(TABS)]
