"""The outcome of an action on many jobs: what succeeded, what failed and why (with request ids)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Static

from foas_tui import keys
from foas_tui.error_guard import ModalScreen as GuardedModalScreen
from foas_tui.error_guard import on
from foas_tui.screens.action_progress import status_text
from foas_tui.services.actions import ActionRun
from foas_tui.text import safe_text


class BulkSummaryScreen(GuardedModalScreen[None]):
    """One row per job: outcome, final state and the reason of a failure; failures first."""

    BINDINGS = keys.bindings("summary")  # foas_tui/keys.py defines every key

    def __init__(self, run: ActionRun) -> None:
        super().__init__(classes="ops-dialog -wide")
        self.run = run

    def compose(self) -> ComposeResult:
        ok, bad = len(self.run.succeeded), len(self.run.failed)
        style = "green" if bad == 0 else "red" if ok == 0 else "yellow"
        with Vertical(classes="ops-box", id="ops-summary"):
            yield Static(self.run.title, classes="ops-title")
            yield Static(safe_text(self.run.summary(), style=f"bold {style}"), id="ops-summary-line")
            yield DataTable(id="ops-summary-table", cursor_type="row")
            yield Static("", id="ops-summary-reason", classes="ops-hint")
            with Horizontal(classes="ops-buttons"):
                yield Button("Close", id="ops-close", variant="primary")

    def on_mount(self) -> None:
        table: DataTable[Text | str] = self.query_one(DataTable)
        table.add_column("Job", key="job")
        table.add_column("Outcome", key="outcome")
        table.add_column("State", key="state")
        table.add_column("Reason", key="reason")
        targets = sorted(self.run.targets.values(), key=lambda t: (t.ok, t.selection.job_name))
        self._ordered = targets
        for target in targets:
            sel = target.selection
            state = target.progress.actual if target.progress is not None and target.progress.actual else ""
            table.add_row(sel.job_name, status_text(target), state, target.reason or "ok",
                          key=f"{sel.project}/{sel.job_name}")
        table.focus()

    @on(DataTable.RowHighlighted, "#ops-summary-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        # The reason column is cut at 80 columns: the highlighted row's reason is shown whole below.
        target = self._ordered[event.cursor_row] if 0 <= event.cursor_row < len(self._ordered) else None
        if target is not None:
            sel = target.selection
            self.query_one("#ops-summary-reason", Static).update(
                safe_text(f"{sel.project}/{sel.job_name}: {target.reason or 'ok'}"))

    @on(Button.Pressed, "#ops-close")
    def action_close(self) -> None:
        self.dismiss(None)
