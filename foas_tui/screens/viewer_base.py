"""ViewerScreen: the base of the job viewers and the triage board (the job, the client, errors, reloads).

It imports none of the screens built on it: another view of the same job is built by the `open_view`
factory the creator passes in (screens/viewers.py), so there is no import circle between the viewers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.content import Content
from textual.timer import Timer
from textual.worker import NoActiveWorker, Worker, WorkerState, get_current_worker

from foas_tui import keys
from foas_tui.error_guard import Screen as GuardedScreen
from foas_tui.text import styled

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient
    from foas_tui.services.selection import Selection

ViewFactory = Callable[[str, "Selection"], "ViewerScreen"]


def same_cell(old: Any, new: Any) -> bool:
    """DataTable cells equal for display: rich Text equality ignores the base style, so compare it too."""
    if isinstance(old, Text) and isinstance(new, Text):
        return old.plain == new.plain and str(old.style) == str(new.style) and old.spans == new.spans
    return bool(old == new)


class ViewerScreen(GuardedScreen[None]):
    """Base of the triage screens: the job they show, the client, errors, and a re-armed reload timer.

    A reload is armed only after the previous load finished (`load_finished`), so loads never overlap.
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("viewer")  # foas_tui/keys.py defines every key

    auto_refresh: bool = False
    view_name: ClassVar[str] = ""

    def __init__(self, selection: Selection | None = None, *, open_view: ViewFactory | None = None,
                 client: FoasClient | None = None, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.selection = selection
        self._client = client  # a job of another profile than the session's (a merged triage board)
        # How to build another view of this job (`e c m i` inside a viewer). Injected by whoever builds the
        # screen (screens/viewers.py), so this base module never imports the viewers built on it.
        self.open_view = open_view
        self._reload_timer: Timer | None = None
        self._failing = False  # the last load failed and was reported: reloads do not repeat it

    # --- context ---------------------------------------------------------------------------------

    @property
    def client(self) -> FoasClient:
        if self._client is not None:
            return self._client
        return self.app.session.client  # type: ignore[attr-defined]

    @property
    def config(self) -> Any:
        session = getattr(self.app, "session", None)
        return getattr(session, "config", None)

    def now(self) -> float:
        """Seconds since the epoch from the app's clock (a fake one in tests)."""
        clock = getattr(self.app, "clock", None)
        return float(clock()) if callable(clock) else time.time()

    @property
    def refresh_interval(self) -> float:
        return float(getattr(self.config, "refresh_interval", 5.0) or 5.0)

    @property
    def job_label(self) -> str:
        sel = self.selection
        if sel is None:
            return "(no job)"
        instance = "current instance" if sel.instance_id in (-1, None) else f"instance {sel.instance_id}"
        return f"{sel.project}/{sel.job_name} · {instance}"

    @property
    def instance_id(self) -> int:
        sel = self.selection
        return -1 if sel is None or sel.instance_id is None else int(sel.instance_id)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A bug in a viewer's worker (all use exit_on_error=False) ends as a log entry and a toast; the app stays."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            error = event.worker.error
            log.error("%s: worker %s failed", self.view_name, event.worker.name,
                      exc_info=(type(error), error, error.__traceback__))
            self.notify(f"{self.view_name}: unexpected {type(error).__name__}: {error} (details in the log)",
                        title="Unexpected error", severity="error", timeout=8, markup=False)

    def not_running_note(self, err: BaseException, what: str) -> Content | None:
        """Neutral text when `err` only says the job is not running (services/expected_states.py), else None.

        `what` names what exists only while an instance runs ("checkpoints", "metrics" ...)."""
        from foas_tui.services.expected_states import not_running_state

        sel = self.selection
        if sel is None:
            return None
        rows = getattr(getattr(self.app, "refresher", None), "rows", None) or {}
        row = rows.get((sel.project, sel.job_name))
        state = not_running_state(err, row.actual_state if row is not None else None)
        if state is None:
            return None
        hint = "Start it (s) to see them." if what == "exceptions" else \
            "Start it (s) to see them; its exceptions (e) tell why the last run ended."
        return styled("[b]$job is not running[/b] ($state): $what exist only while an instance runs.\n[dim]$hint[/dim]",
                      job=sel.job_name, state=state, what=what, hint=hint)

    def report(self, err: BaseException, context: str) -> None:
        """The app's error report (code, message, request id), or a plain notification standalone.

        Once per run of failures: an auto-refreshing screen would otherwise notify every few seconds."""
        if self._failing:
            return
        self._failing = True
        reporter = getattr(self.app, "report_error", None)
        if callable(reporter):
            reporter(err, context)
        else:
            self.notify(f"{context}: {err}", severity="error", markup=False)

    # --- loading ---------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.load()

    def load(self) -> None:
        """Start a load (subclasses run their `@work` worker here)."""

    def load_succeeded(self) -> None:
        """A load worked: the next failure is reported again."""
        self._failing = False

    def load_finished(self) -> None:
        """Call at the end of every load: re-arms the next one when auto refresh is on.

        A load cancelled by a newer one (exclusive workers) arms nothing: the newer load will, so a slow
        service cannot make cancelled loads re-arm timers that cancel the next load in turn."""
        try:
            if get_current_worker().is_cancelled:
                return
        except NoActiveWorker:
            pass
        if self._reload_timer is not None:
            self._reload_timer.stop()
            self._reload_timer = None
        if self.auto_refresh and self.is_attached:
            self._reload_timer = self.set_timer(self.refresh_interval, self.load, name="viewer-reload")

    def action_reload(self) -> None:
        self.load()

    def action_close(self) -> None:
        if self._reload_timer is not None:
            self._reload_timer.stop()
        self.dismiss()

    def action_view(self, view: str) -> None:
        """Replace this viewer by another view of the same job (Esc still goes back to where we came from)."""
        if view == self.view_name or self.selection is None or self.open_view is None:
            return
        if self._reload_timer is not None:
            self._reload_timer.stop()
        self.app.switch_screen(self.open_view(view, self.selection))
