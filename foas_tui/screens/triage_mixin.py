"""TriageActionsMixin: the app's keys for the job viewers and the triage board.

Screens are imported lazily in the actions so the app's first frame does not pay for them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar

from textual.binding import BindingType

from foas_tui import keys
from foas_tui.services.alerts import CriticalWatch

if TYPE_CHECKING:
    from foas_tui.services.selection import Selection
    from foas_tui.services.triage import JobHealth


class TriageActionsMixin:
    """Keys on the app: e exceptions, c checkpoints, m metrics, i internals, H history, V metric explorer,
    Z cluster pulse, W what failed (`:failures`), t triage board (`:triage`)."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("views")  # foas_tui/keys.py defines every key

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

    def action_history(self) -> None:
        """Since when the selected job runs, how its earlier runs ended, and the draft against what runs."""
        self._open_viewer("history")

    def action_explorer(self) -> None:
        """Every metric of the seed's table for the selected job: pick several, one plot, human units."""
        self._open_viewer("explorer")

    def action_cluster_pulse(self) -> None:
        """CPU, memory and queue usage of every cluster: is the cluster itself short when jobs lag?"""
        from foas_tui.screens.cluster_pulse import ClusterPulseScreen

        if not isinstance(self.screen, ClusterPulseScreen):  # type: ignore[attr-defined]
            self.push_screen(ClusterPulseScreen())  # type: ignore[attr-defined]

    def action_failures(self) -> None:
        """What failed in the last hours across every project (ListInstance state and stop-time filters)."""
        self.command_failures("")

    def command_failures(self, arg: str = "") -> None:
        """`:failures [HOURS]`: every instance that ended FAILED in the last HOURS (6 by default)."""
        from foas_tui.screens.recent_failures import RecentFailuresScreen

        text = (arg or "").strip().lower().removesuffix("h").strip()
        try:
            hours = float(text) if text else 6.0
        except ValueError:
            hours = -1.0
        if not 0 < hours <= 24 * 14:
            self.notify(f"`:failures {arg.strip()}`: give the hours to look back, e.g. `:failures 12` (up to 336)",
                        severity="warning", markup=False)  # type: ignore[attr-defined]
            return
        if isinstance(self.screen, RecentFailuresScreen):  # type: ignore[attr-defined]
            self.screen.action_window(hours)  # type: ignore[attr-defined]
            return
        self.push_screen(RecentFailuresScreen(hours))  # type: ignore[attr-defined]

    def action_triage(self) -> None:
        """The triage board: what is broken now across all projects, worst first."""
        from foas_tui.screens.triage import TriageScreen

        if not isinstance(self.screen, TriageScreen):  # type: ignore[attr-defined]
            self.push_screen(TriageScreen(scopes=self._triage_scopes()))  # type: ignore[attr-defined]

    def command_triage(self, arg: str = "") -> None:
        """`:triage [PROJECT,...]`: the triage board, optionally for some projects only."""
        from foas_tui.screens.triage import TriageScreen

        projects = [p.strip() for p in (arg or "").replace(",", " ").split() if p.strip()]
        self.push_screen(TriageScreen(projects=projects or None, scopes=self._triage_scopes()))  # type: ignore[attr-defined]

    def _triage_scopes(self) -> list | None:
        """Every profile of `--profile a,b` (the board merges them), or None for the session's own."""
        return list(getattr(getattr(self, "session", None), "triage_scopes", None) or []) or None

    # --- the critical bell ([triage] bell_on_critical) -------------------------------------------------

    _critical_watch: CriticalWatch | None = None
    bells_rung: int = 0  # how many times the bell rang (the status of the feature, for tests and the log)

    def _bell_enabled(self) -> bool:
        config = getattr(getattr(self, "session", None), "config", None)
        return bool(getattr(getattr(config, "triage", None), "bell_on_critical", False))

    def watch_critical(self, source: str, healths: Iterable[JobHealth]) -> None:
        """Feed assessed jobs from `source` ("live" or "board"); ring once per job that newly enters critical."""
        if not self._bell_enabled():
            return
        if self._critical_watch is None:
            self._critical_watch = CriticalWatch()
        rows = list(healths)
        entered = self._critical_watch.update(
            source, [((h.summary.profile, h.summary.project, h.summary.job_name), h.severity == "critical")
                     for h in rows])
        if not entered:
            return
        self.bells_rung += 1
        self.bell()  # type: ignore[attr-defined]
        names = ", ".join(f"{project}/{job}" for _, project, job in entered[:3])
        more = f" (+{len(entered) - 3} more)" if len(entered) > 3 else ""
        worst = {(h.summary.profile, h.summary.project, h.summary.job_name): h for h in rows}
        reason = worst[entered[0]].reason if entered[0] in worst else ""
        self.notify(f"now critical: {names}{more} — {reason}", title="Critical",  # type: ignore[attr-defined]
                    severity="error", timeout=10, markup=False)

    def forget_critical_source(self, source: str) -> None:
        if self._critical_watch is not None:
            self._critical_watch.forget(source)

    def watch_critical_rows(self, rows: Any) -> None:
        """The live refresh's run rows, assessed shallowly (no checkpoints read) with the config's thresholds."""
        if not self._bell_enabled():
            return
        from foas_tui.services.triage import RunSummary, Thresholds, assess

        session = getattr(self, "session", None)
        thresholds = Thresholds.from_config(getattr(session.config, "triage", None))
        profile = str(getattr(session, "profile_name", "") or "")
        now_ms = float(self.clock()) * 1000  # type: ignore[attr-defined]
        healths = []
        for row in rows.values():
            summary = RunSummary(row.project, row.job_name, row.job_type, row.instance_id, row.expect_state.upper(),
                                 row.actual_state.upper(), row.input_delay, row.last_error_message,
                                 row.last_error_time, profile=profile)
            healths.append(assess(summary, now_ms=now_ms, thresholds=thresholds))
        self.watch_critical("live", healths)
