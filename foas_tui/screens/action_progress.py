"""Progress of an action while the run summary is polled: per-job state, stop waiting, or hide it."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, ProgressBar, Static

from foas_tui import keys
from foas_tui.error_guard import ModalScreen as GuardedModalScreen
from foas_tui.error_guard import on
from foas_tui.services.actions import ACTIONS, ActionKind, ActionRun, CancelToken, PlanProgress, TargetStatus
from foas_tui.services.selection import Selection
from foas_tui.text import safe_str, safe_text

STATUS_STYLE = {
    "reached": "green", "done": "green", "failed": "red", "error": "red", "timed out": "yellow",
    "cancelled": "yellow", "waiting": "cyan", "sending": "cyan", "no change": "yellow",
}


def status_text(target: TargetStatus) -> Text:
    return Text(target.status, style=STATUS_STYLE.get(target.status, ""))


class ActionProgressScreen(GuardedModalScreen[None]):
    """Follows an `ActionRun`. Esc hides it (the wait goes on and notifies); `s` stops waiting."""

    BINDINGS = keys.bindings("progress")  # foas_tui/keys.py defines every key

    def __init__(self, run: ActionRun, on_finished: Callable[[ActionRun], None] | None = None) -> None:
        super().__init__(classes="ops-dialog -wide")
        self.run = run
        self.on_finished = on_finished
        self._unsubscribe: Callable[[], None] | None = None

    def compose(self) -> ComposeResult:
        expected = self.run.info.expected_state
        with Vertical(classes="ops-box", id="ops-progress"):
            yield Static(self.run.title, classes="ops-title")
            wait = f"waiting until the instance is {expected}" if self.run.follow else "sending the request"
            yield Static(Text(f"{self.run.info.explanation}\n{wait}"), classes="ops-what")
            yield ProgressBar(total=len(self.run.targets), show_eta=False, id="ops-progress-bar")
            table: DataTable[Text | str] = DataTable(id="ops-progress-table", cursor_type="row", zebra_stripes=False)
            yield table
            with Horizontal(classes="ops-buttons"):
                yield Button("Stop waiting (s)", id="ops-stop-waiting", variant="warning")
                yield Button("Hide (esc)", id="ops-hide", variant="default")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("Job", key="job")
        table.add_column("State", key="state")
        table.add_column("Status", key="status")
        table.add_column("Reason", key="reason")
        for sel, target in self.run.targets.items():
            table.add_row(sel.job_name, "", status_text(target), "", key=f"{sel.project}/{sel.job_name}")
        self._unsubscribe = self.run.subscribe(self._changed)
        self._changed(self.run)

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _changed(self, run: ActionRun) -> None:
        table = self.query_one(DataTable)
        done = 0
        for sel, target in run.targets.items():
            key = f"{sel.project}/{sel.job_name}"
            actual = target.progress.actual if target.progress is not None else None
            table.update_cell(key, "state", actual or "", update_width=True)
            table.update_cell(key, "status", status_text(target), update_width=True)
            table.update_cell(key, "reason", target.reason, update_width=True)
            done += target.finished
        self.query_one(ProgressBar).update(progress=done)
        if run.finished:
            self.query_one("#ops-stop-waiting", Button).disabled = True
            hide = self.query_one("#ops-hide", Button)
            hide.label = "Close (esc)"
            hide.variant = "primary"
            hide.focus()
            if self.on_finished is not None:
                callback, self.on_finished = self.on_finished, None
                callback(run)

    @on(Button.Pressed, "#ops-stop-waiting")
    def action_stop_waiting(self) -> None:
        if not self.run.finished:
            self.run.cancel_token.cancel()
            self.notify("stopped waiting; the request was already sent and cannot be taken back", timeout=4)

    @on(Button.Pressed, "#ops-hide")
    def action_hide(self) -> None:
        self.dismiss(None)


PLAN_HIGHLIGHT_LIMIT = 200_000  # characters: a bigger plan is shown plain (highlighting it would stall the UI)


def plan_view(plan_json: str) -> Syntax | Text:
    """The plan JSON through the door (controls made visible), highlighted when it is not huge."""
    text = safe_str(plan_json, multiline=True)
    if len(text) > PLAN_HIGHLIGHT_LIMIT:
        return Text(text)
    return Syntax(text, "json", theme="ansi_dark", line_numbers=True, word_wrap=False, background_color="default")


class PlanScreen(GuardedModalScreen[None]):
    """GetRawPlanJson + CheckRawPlanJson polling, then the plan with "store as the job's plan"."""

    BINDINGS = keys.bindings("plan")  # foas_tui/keys.py defines every key

    def __init__(self, selection: Selection, cancel: CancelToken, *, can_store: bool) -> None:
        super().__init__(classes="ops-dialog -full")
        self.selection = selection
        self.cancel = cancel
        self.can_store = can_store
        self.result: PlanProgress | None = None
        self._answer: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()

    def compose(self) -> ComposeResult:
        with Vertical(classes="ops-box", id="ops-plan"):
            yield Static(safe_text(f"Raw plan of {self.selection.job_name}"), classes="ops-title")
            yield Static(Text(ACTIONS[ActionKind.RAW_PLAN].explanation), classes="ops-hint")
            yield Static("generating…", id="plan-status")
            # Highlighted by Rich's Syntax (pygments), not a tree-sitter TextArea: tree-sitter-json 0.24
            # (ABI 14) segfaults under tree-sitter 0.26.
            with VerticalScroll(id="plan-scroll"):
                yield Static(id="plan-text")
            with Horizontal(classes="ops-buttons"):
                yield Button("Store as the job's plan (UpdateJob)", id="plan-store", variant="warning",
                             disabled=True)
                yield Button("Cancel", id="plan-close")

    def on_mount(self) -> None:
        self.query_one("#plan-scroll").display = False
        self.query_one("#plan-close", Button).focus()

    def update_progress(self, progress: PlanProgress) -> None:
        if not self.is_attached:
            return  # closed while the session was still running
        status = self.query_one("#plan-status", Static)
        if not progress.done:
            status.update(safe_text(f"generating… {progress.elapsed:.0f} s (session running)"))
            return
        self.result = progress
        close = self.query_one("#plan-close", Button)
        close.label = "Close"
        if progress.status == "success":
            status.update(Text(f"plan ready after {progress.elapsed:.0f} s", style="green"))
            self.query_one("#plan-text", Static).update(plan_view(progress.plan_json or "(empty plan)"))
            self.query_one("#plan-scroll").display = True
            self.query_one("#plan-store", Button).disabled = not (self.can_store and progress.plan_json)
        else:
            rid = f" (request id {progress.request_id})" if progress.request_id else ""
            status.update(Text(f"{progress.status}: {progress.error}{rid}", style="red"))

    async def wait_for_answer(self) -> str | None:
        return await self._answer

    def _answer_with(self, value: str | None) -> None:
        if not self._answer.done():
            self._answer.set_result(value)
        self.dismiss(None)

    @on(Button.Pressed, "#plan-store")
    def _store(self) -> None:
        self._answer_with("store")

    @on(Button.Pressed, "#plan-close")
    def action_close(self) -> None:
        self.cancel.cancel()
        self._answer_with(None)

    def on_unmount(self) -> None:
        self.cancel.cancel()
        if not self._answer.done():
            self._answer.set_result(None)
