"""TriageActionsMixin (the app's keys for the viewers and the triage board) and the viewers' base screen.

Screens are imported lazily in the actions so the app's first frame does not pay for them.
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.binding import BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import NoActiveWorker, Worker, WorkerState, get_current_worker

from foas_tui import keys

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient
    from foas_tui.services.selection import Selection


def same_cell(old: Any, new: Any) -> bool:
    """DataTable cells equal for display: rich Text equality ignores the base style, so compare it too."""
    if isinstance(old, Text) and isinstance(new, Text):
        return old.plain == new.plain and str(old.style) == str(new.style) and old.spans == new.spans
    return bool(old == new)


class ViewerScreen(Screen[None]):
    """Base of the triage screens: the job they show, the client, errors, and a re-armed reload timer.

    A reload is armed only after the previous load finished (`load_finished`), so loads never overlap.
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("viewer")  # foas_tui/keys.py defines every key

    auto_refresh: bool = False
    view_name: ClassVar[str] = ""

    def __init__(self, selection: Selection | None = None, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.selection = selection
        self._reload_timer: Timer | None = None
        self._failing = False  # the last load failed and was reported: reloads do not repeat it

    # --- context ---------------------------------------------------------------------------------

    @property
    def client(self) -> FoasClient:
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
        if view == self.view_name or self.selection is None:
            return
        if self._reload_timer is not None:
            self._reload_timer.stop()
        self.app.switch_screen(viewer_screen(view, self.selection))


def viewer_screen(view: str, selection: Selection) -> ViewerScreen:
    """The viewer `view` ("exceptions" | "checkpoints" | "metrics" | "internals") for one job."""
    if view == "exceptions":
        from foas_tui.screens.exceptions import ExceptionsScreen

        return ExceptionsScreen(selection)
    if view == "checkpoints":
        from foas_tui.screens.checkpoints import CheckpointsScreen

        return CheckpointsScreen(selection)
    if view == "metrics":
        from foas_tui.screens.metrics import MetricsScreen

        return MetricsScreen(selection)
    if view == "internals":
        from foas_tui.screens.internals import InternalsScreen

        return InternalsScreen(selection)
    raise ValueError(f"unknown view {view!r}")


class TriageActionsMixin:
    """Keys on the app: e exceptions, c checkpoints, m metrics, i internals, t triage board (`:triage`)."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("views")  # foas_tui/keys.py defines every key

    def _triage_selection(self, what: str) -> Selection | None:
        selection = self.current_selection()  # type: ignore[attr-defined]
        if selection is None:
            self.notify(f"select a job first to see its {what}", severity="warning", markup=False)  # type: ignore[attr-defined]
        return selection

    def _open_viewer(self, view: str) -> None:
        if (selection := self._triage_selection(view)) is not None:
            self.push_screen(viewer_screen(view, selection))  # type: ignore[attr-defined]

    def action_exceptions(self) -> None:
        """Exceptions of the selected job's instance (root exception and history)."""
        self._open_viewer("exceptions")

    def action_checkpoints(self) -> None:
        """Checkpoints of the selected job's instance (counts, summary, latest, history)."""
        self._open_viewer("checkpoints")

    def action_metrics(self) -> None:
        """Delay, input/output TPS and failover rate of the selected job (plot)."""
        self._open_viewer("metrics")

    def action_internals(self) -> None:
        """Config, resources, vertices, plan, final state and autoscale plans of the selected job."""
        self._open_viewer("internals")

    def action_triage(self) -> None:
        """The triage board: what is broken now across all projects, worst first."""
        from foas_tui.screens.triage import TriageScreen

        if not isinstance(self.screen, TriageScreen):  # type: ignore[attr-defined]
            self.push_screen(TriageScreen())  # type: ignore[attr-defined]

    def command_triage(self, arg: str = "") -> None:
        """`:triage [PROJECT,...]`: the triage board, optionally for some projects only."""
        from foas_tui.screens.triage import TriageScreen

        projects = [p.strip() for p in (arg or "").replace(",", " ").split() if p.strip()]
        self.push_screen(TriageScreen(projects=projects or None))  # type: ignore[attr-defined]
