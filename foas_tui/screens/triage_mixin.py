"""TriageActionsMixin (the app's keys for the viewers and the triage board) and the viewers' base screen.

Screens are imported lazily in the actions so the app's first frame does not pay for them.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import NoActiveWorker, get_current_worker

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

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Back", id="viewer.back"),
        Binding("r", "reload", "Reload", id="viewer.reload"),
    ]

    auto_refresh: bool = False

    def __init__(self, selection: Selection | None = None, *, name: str | None = None, id: str | None = None) -> None:
        super().__init__(name=name, id=id)
        self.selection = selection
        self._reload_timer: Timer | None = None

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

    def report(self, err: BaseException, context: str) -> None:
        """The app's error report (code, message, request id), or a plain notification standalone."""
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


class TriageActionsMixin:
    """Keys on the app: e exceptions, c checkpoints, m metrics, i internals, t triage board (`:triage`)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("e", "exceptions", "Exceptions", id="triage.exceptions"),
        Binding("c", "checkpoints", "Checkpoints", id="triage.checkpoints"),
        Binding("m", "metrics", "Metrics", id="triage.metrics"),
        Binding("i", "internals", "Internals", id="triage.internals"),
        Binding("t", "triage", "Triage", id="triage.board"),
    ]

    def _triage_selection(self, what: str) -> Selection | None:
        selection = self.current_selection()  # type: ignore[attr-defined]
        if selection is None:
            self.notify(f"select a job first to see its {what}", severity="warning")  # type: ignore[attr-defined]
        return selection

    def action_exceptions(self) -> None:
        """Exceptions of the selected job's instance (root exception and history)."""
        if (selection := self._triage_selection("exceptions")) is not None:
            from foas_tui.screens.exceptions import ExceptionsScreen

            self.push_screen(ExceptionsScreen(selection))  # type: ignore[attr-defined]

    def action_checkpoints(self) -> None:
        """Checkpoints of the selected job's instance (counts, summary, latest, history)."""
        if (selection := self._triage_selection("checkpoints")) is not None:
            from foas_tui.screens.checkpoints import CheckpointsScreen

            self.push_screen(CheckpointsScreen(selection))  # type: ignore[attr-defined]

    def action_metrics(self) -> None:
        """Delay, input/output TPS and failover rate of the selected job (plot)."""
        if (selection := self._triage_selection("metrics")) is not None:
            from foas_tui.screens.metrics import MetricsScreen

            self.push_screen(MetricsScreen(selection))  # type: ignore[attr-defined]

    def action_internals(self) -> None:
        """Config, resources, vertices, plan, final state and autoscale plans of the selected job."""
        if (selection := self._triage_selection("internals")) is not None:
            from foas_tui.screens.internals import InternalsScreen

            self.push_screen(InternalsScreen(selection))  # type: ignore[attr-defined]

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
