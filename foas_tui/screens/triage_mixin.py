"""TriageActionsMixin: the app's keys for the job viewers and the triage board.

Screens are imported lazily in the actions so the app's first frame does not pay for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.binding import Binding, BindingType

if TYPE_CHECKING:
    from foas_tui.services.selection import Selection


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
            self.notify(f"select a job first to see its {what}", severity="warning", markup=False)  # type: ignore[attr-defined]
        return selection

    def _open_viewer(self, view: str) -> None:
        from foas_tui.screens.viewers import viewer_screen

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
