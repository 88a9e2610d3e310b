"""OpsBase: what every job-action part shares (session, read-only check, targets, confirm, run, progress).

The parts (lifecycle, inspect, editing, organise) subclass it; `ops_mixin.OpsActionsMixin` puts them
together for FoasApp.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from textual.command import CommandPalette
from textual.screen import ModalScreen

from foas_tui.api import errors
from foas_tui.services.selection import Selection
from foas_tui.text import NAME_LIMIT, safe_str

# services.actions and services.start_points are imported by the methods that use them, when an action runs:
# FoasApp mixes this class in, and the first frame should not wait for them (bench/tui_startup.py).
if TYPE_CHECKING:
    from foas_tui.services.actions import ActionKind, ActionOptions, ActionRun, JobActions
    from foas_tui.services.drafts import DraftStore
    from foas_tui.services.session import Session
    from foas_tui.services.start_points import CheckpointMemory

JOB_ACTIONS = frozenset({
    "ops_start", "ops_pause", "ops_resume", "ops_stop", "ops_commit", "ops_offline", "ops_delete", "ops_validate",
    "ops_raw_plan", "ops_calc_resources", "ops_autoscale", "ops_edit_code", "ops_edit_external",
    "ops_edit_properties",
})
OTHER_ACTIONS = frozenset({
    "ops_new_job", "ops_new_folder", "ops_move_folder", "ops_delete_folder", "ops_resources", "ops_show_progress",
})
# Hidden in a read-only session: everything that sends a mutating request.
MUTATING_ACTIONS = frozenset({
    "ops_start", "ops_pause", "ops_resume", "ops_stop", "ops_commit", "ops_offline", "ops_delete", "ops_autoscale",
    "ops_edit_external", "ops_new_job", "ops_new_folder", "ops_move_folder", "ops_delete_folder",
})


CHECKPOINT_NOTE = ("A checkpoint first saves the state at this moment: a later start can replay from its time "
                   "(start form: last completed checkpoint) instead of an older one.")


class OpsBase:
    """Plumbing of the job actions; a plain class mixed into FoasApp (through OpsActionsMixin)."""

    ops_poll_interval: float = 1.0  # seconds between run-summary polls
    ops_wait_timeout: float = 300.0  # give up waiting for a state after this long

    # --- plumbing ---------------------------------------------------------------------------------

    @property
    def _app(self) -> Any:
        return self  # the FoasApp this is mixed into

    @property
    def ops_session(self) -> Session:
        return self._app.session

    @property
    def ops_read_only(self) -> bool:
        session = self.ops_session
        return bool(session.read_only or getattr(session.client, "read_only", False))

    @property
    def ops_drafts(self) -> DraftStore:
        store = getattr(self, "_ops_draft_store", None)
        if store is None:
            from foas_tui.services.drafts import DraftStore

            store = DraftStore()
            self._ops_draft_store = store
        return store

    @property
    def ops_actions(self) -> JobActions:
        from foas_tui.services.actions import JobActions

        return JobActions(self.ops_session.client, poll_interval=self.ops_poll_interval,
                          timeout=self.ops_wait_timeout, checkpoints=self.ops_checkpoints)

    @property
    def ops_checkpoints(self) -> CheckpointMemory:
        """Checkpoints seen when pausing/stopping with a checkpoint: the start form offers their time."""
        memory = getattr(self, "_ops_checkpoint_memory", None)
        if memory is None:
            from foas_tui.services.start_points import CheckpointMemory

            memory = CheckpointMemory()
            self._ops_checkpoint_memory = memory
        return memory

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in JOB_ACTIONS or action in OTHER_ACTIONS:
            if action in MUTATING_ACTIONS and self.ops_read_only:
                return False
            stack = self._app.screen_stack
            screen = stack[-1] if stack else None
            if isinstance(screen, CommandPalette) and len(stack) > 1:
                screen = stack[-2]  # judge by the screen the palette was opened on
            if isinstance(screen, ModalScreen):
                return False  # no job actions stacked on top of a dialog
            main = getattr(self._app, "main_screen", None)
            if main is not None and screen is not main and not getattr(screen, "ALLOW_OPS_ACTIONS", False):
                return False  # e.g. on the resources screen `s` must not start the job selected elsewhere
            return True
        return super().check_action(action, parameters)  # type: ignore[misc]

    def _ops_targets(self, bulk: bool = True) -> list[Selection]:
        app = self._app
        selections = list(app.selected_jobs()) if bulk else []
        if not selections:
            current = app.current_selection()
            selections = [current] if current is not None else []
        if not selections:
            app.notify("select a job first (tree or live table; space marks several)", severity="warning")
        return selections

    def _ops_one(self) -> Selection | None:
        current = self._app.current_selection()
        if current is None:
            self._app.notify("select a job first", severity="warning")
        return current

    def _ops_scope(self) -> tuple[str | None, str, str | None]:
        """(project, folder path, folder under the tree cursor or None) for folder and new-job actions."""
        main = getattr(self._app, "main_screen", None)
        try:
            node = main.tree.cursor_node if main is not None else None
        except Exception:  # no tree (tests, other screens)
            node = None
        data = getattr(node, "data", None)
        if data is not None and getattr(data, "project", None):
            folder = data.path if getattr(data, "kind", "") == "folder" else None
            return data.project, data.path or "/", folder
        current = self._app.current_selection()
        if current is not None:
            return current.project, current.folder_path, None
        return None, "/", None

    def _ops_refresh(self) -> None:
        app = self._app
        main = getattr(app, "main_screen", None)
        if main is not None and hasattr(main, "reload_scope"):
            main.reload_scope()
        if hasattr(app, "request_refresh"):
            app.request_refresh()

    def _ops_fail(self, err: BaseException, context: str) -> None:
        self._app.report_error(err, context)

    def _ops_now(self) -> float:
        clock = getattr(self._app, "clock", None)
        return float(clock()) if callable(clock) else time.time()

    # --- confirm, run, report ---------------------------------------------------------------------

    async def _ops_confirm(self, kind: ActionKind, targets: Sequence[Selection],
                           options: ActionOptions | None = None, *, checkpoint: bool = False,
                           details: dict[tuple[str, str], str] | None = None) -> bool:
        """Name what will happen to which jobs (with their current state); options are filled in place.

        Pause and stop offer "take a checkpoint first", ticked when the operator asked for it with the key.
        `details` adds a line per job (a bulk start: the parameters each job gets).
        """
        from foas_tui.screens.confirm import ConfirmScreen
        from foas_tui.services.actions import ACTIONS, ActionKind

        info = ACTIONS[kind]
        states = await self.ops_actions.current_states(targets)
        committed = await self._ops_committed(targets) if kind is ActionKind.DELETE else {}
        lines = []
        for sel in targets:
            state = states.get(sel.key)
            state = "state unknown" if state is None else state or "no instance"
            extra = ""
            if kind is ActionKind.DELETE and committed.get(sel.key):
                extra = ", ONLINE: will fail until taken offline"
            lines.append(f"{sel.project}/{sel.job_name} ({state}{extra})")
        notes: list[str] = []
        if kind is ActionKind.STOP:
            notes.append("To keep the state for later, pause (P) instead of stopping.")
        if kind is ActionKind.OFFLINE:
            running = [s for s in targets if states.get(s.key) in ("RUNNING", "WAITING", "PAUSED")]
            if running:
                notes.append(f"{len(running)} job(s) still have an instance: stop them first or they will fail.")
        count = len(targets)
        noun = "job" if count == 1 else "jobs"
        require = None
        if kind is ActionKind.DELETE:
            require = targets[0].job_name if count == 1 else f"delete {count} jobs"
        option = None
        if kind in (ActionKind.STOP, ActionKind.PAUSE) and options is not None:
            option = "Take a checkpoint first (triggerCheckpoint, Blink 3.5.0+)"
            notes.append(CHECKPOINT_NOTE)
        what = info.explanation
        if details:
            # Outside text (job names, typed values) through the door: the dialog shows this as plain Text.
            what += "\n\nEach job gets:\n" + "\n".join(
                f"• {safe_str(f'{sel.project}/{sel.job_name}', 2 * NAME_LIMIT)}: {safe_str(details[sel.key], 400)}"
                for sel in targets if sel.key in details)
        screen = ConfirmScreen(
            f"{info.label} {count} {noun}?", what, lines, notes=notes,
            confirm_label=f"{info.label} {count} {noun}", danger=info.destructive, require_text=require,
            option=option, option_value=checkpoint)
        confirmed = bool(await self._app.push_screen_wait(screen))
        if confirmed and option is not None and options is not None:
            options.trigger_checkpoint = True if screen.option_value else None
        return confirmed

    async def _ops_committed(self, targets: Sequence[Selection]) -> dict[tuple[str, str], bool]:
        client = self.ops_session.client
        out: dict[tuple[str, str], bool] = {}
        for sel in targets[:50]:  # enough to warn; the service checks every one anyway
            try:
                job = (await client.get_job(sel.project, sel.job_name)).job
                out[sel.key] = bool(getattr(job, "is_committed", False))
            except errors.FoasError:
                continue
        return out

    async def _ops_run(self, kind: ActionKind, targets: Sequence[Selection],
                       options: ActionOptions | None = None) -> ActionRun:
        """Send, follow, notify; the progress screen shows it and turns into a summary for bulk or failures."""
        from foas_tui.screens.action_progress import ActionProgressScreen
        from foas_tui.services.actions import ActionRun

        app = self._app
        run = ActionRun(kind, targets)
        self._ops_last_run = run
        progress = ActionProgressScreen(run)
        await app.push_screen(progress)
        try:
            await run.execute(self.ops_actions, options)
        finally:
            if not run.finished:
                run.finish()
        self._ops_finished(run, progress)
        return run

    def _ops_finished(self, run: ActionRun, progress: Any) -> None:
        from foas_tui.screens.bulk_summary import BulkSummaryScreen
        from foas_tui.services.actions import ActionKind

        app = self._app
        failed = run.failed
        severity = "information" if not failed else "warning" if run.succeeded else "error"
        message = run.summary()
        if len(run.targets) == 1 and failed:
            message += f"\n{failed[0].reason}"
        visible = progress.is_current if progress is not None else False
        if not visible:
            message += "\n(w shows the details)"
        app.notify(message, title=run.title, severity=severity, timeout=8, markup=False)
        main = getattr(app, "main_screen", None)
        if run.kind is ActionKind.DELETE and main is not None:
            for target in run.succeeded:  # the job pane must not go on showing a job that is gone
                main.job_deleted(target.selection.key)
        if visible and (len(run.targets) > 1 or failed):
            progress.dismiss(None)
            app.push_screen(BulkSummaryScreen(run))
        elif visible:
            progress.dismiss(None)
        self._ops_refresh()

    def action_ops_show_progress(self) -> None:
        from foas_tui.screens.action_progress import ActionProgressScreen
        from foas_tui.screens.bulk_summary import BulkSummaryScreen

        run: ActionRun | None = getattr(self, "_ops_last_run", None)
        if run is None:
            self._app.notify("no action has run yet", timeout=3)
        elif run.finished:
            self._app.push_screen(BulkSummaryScreen(run))
        else:
            self._app.push_screen(ActionProgressScreen(run))
