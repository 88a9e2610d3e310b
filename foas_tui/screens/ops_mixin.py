"""OpsActionsMixin: job actions, bulk runs, code and properties editing, folders and resources for FoasApp.

Every action is a binding with an id (remappable), shows in the palette and has a `:` command; in a
read-only session the mutating ones are hidden (`check_action`) and the client refuses them anyway.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.text import Text
from textual import work
from textual.binding import BindingType
from textual.command import CommandPalette
from textual.screen import ModalScreen

from foas_tui import keys
from foas_tui.api import errors
from foas_tui.services.actions import ACTIONS, ActionKind, ActionOptions, ActionRun, JobActions
from foas_tui.services.selection import Selection

if TYPE_CHECKING:
    from foas_tui.services.drafts import DraftStore, EditSession
    from foas_tui.services.session import Session

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

OPS_BINDINGS: list[BindingType] = keys.bindings("ops")  # foas_tui/keys.py defines every key

# `:` commands (FoasApp.run_command_line calls `command_<name>`); each goes through check_action.
OPS_COMMANDS: dict[str, str] = {
    "start": "ops_start", "pause": "ops_pause", "resume": "ops_resume", "stop": "ops_stop",
    "commit": "ops_commit", "offline": "ops_offline", "delete": "ops_delete", "validate": "ops_validate",
    "plan": "ops_raw_plan", "rawplan": "ops_raw_plan", "cost": "ops_calc_resources", "autoscale": "ops_autoscale",
    "edit": "ops_edit_code", "vim": "ops_edit_external", "props": "ops_edit_properties",
    "properties": "ops_edit_properties", "new": "ops_new_job", "newjob": "ops_new_job", "mkdir": "ops_new_folder",
    "mv": "ops_move_folder", "rmdir": "ops_delete_folder", "progress": "ops_show_progress",
}
RESOURCE_COMMANDS = ("resources", "packages", "queues", "clusters", "projects", "tags")


class OpsActionsMixin:
    """Mixed into FoasApp (a plain class: FoasApp splices `BINDINGS` in itself)."""

    BINDINGS: list[BindingType] = OPS_BINDINGS
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
        return JobActions(self.ops_session.client, poll_interval=self.ops_poll_interval,
                          timeout=self.ops_wait_timeout)

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

    # --- state changes: start, pause, resume, stop -------------------------------------------------

    def action_ops_start(self) -> None:
        targets = self._ops_targets()
        if targets:
            self._ops_start_worker(targets)

    @work(group="ops", exit_on_error=False)
    async def _ops_start_worker(self, targets: list[Selection]) -> None:
        from foas_tui.screens.start_job import StartJobScreen

        app = self._app
        try:
            context = await self._ops_start_context(targets)
            request = await app.push_screen_wait(StartJobScreen(context))
            if request is None:
                return
            if len(targets) > 1 and not await self._ops_confirm(request.kind, targets):
                return
            await self._ops_run(request.kind, targets, request.options)
        except Exception as err:
            self._ops_fail(err, "start")

    async def _ops_start_context(self, targets: list[Selection]) -> Any:
        from foas_tui.screens.start_job import StartContext

        client = self.ops_session.client
        states = await self.ops_actions.current_states(targets)
        context = StartContext([t.job_name for t in targets], now=self._ops_now())
        if len(targets) == 1:
            sel = targets[0]
            context.actual_state = states.get(sel.key, "")
            try:
                job = (await client.get_job(sel.project, sel.job_name)).job
                context.queue_name = getattr(job, "queue_name", "") or ""
                context.cluster_id = getattr(job, "cluster_id", "") or ""
                bound = await client.list_project_bind_queue(sel.project)
                context.queues = [(q.cluster_id or "", q.queue_name or "") for q in bound.queues if q.queue_name]
                if context.queue_name and (context.cluster_id, context.queue_name) not in context.queues:
                    context.queues.insert(0, (context.cluster_id, context.queue_name))
            except errors.FoasError as err:
                self._ops_fail(err, "reading the job's queue")
        return context

    def _ops_now(self) -> float:
        clock = getattr(self._app, "clock", None)
        import time

        return float(clock()) if callable(clock) else time.time()

    def action_ops_pause(self) -> None:
        targets = self._ops_targets()
        if targets:
            self._ops_state_worker(ActionKind.PAUSE, targets)

    def action_ops_resume(self) -> None:
        targets = self._ops_targets()
        if targets:
            self._ops_state_worker(ActionKind.RESUME, targets)

    def action_ops_stop(self) -> None:
        targets = self._ops_targets()
        if targets:
            self._ops_state_worker(ActionKind.STOP, targets)

    def action_ops_offline(self) -> None:
        targets = self._ops_targets()
        if targets:
            self._ops_state_worker(ActionKind.OFFLINE, targets)

    def action_ops_delete(self) -> None:
        targets = self._ops_targets()
        if targets:
            self._ops_state_worker(ActionKind.DELETE, targets)

    @work(group="ops", exit_on_error=False)
    async def _ops_state_worker(self, kind: ActionKind, targets: list[Selection]) -> None:
        try:
            options = ActionOptions()
            info = ACTIONS[kind]
            if info.destructive or len(targets) > 1:
                confirmed = await self._ops_confirm(kind, targets, options)
                if not confirmed:
                    return
            await self._ops_run(kind, targets, options)
        except Exception as err:
            self._ops_fail(err, ACTIONS[kind].label.lower())

    async def _ops_confirm(self, kind: ActionKind, targets: Sequence[Selection],
                           options: ActionOptions | None = None) -> bool:
        """Name what will happen to which jobs (with their current state); options are filled in place."""
        from foas_tui.screens.confirm import ConfirmScreen

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
        screen = ConfirmScreen(
            f"{info.label} {count} {noun}?", info.explanation, lines, notes=notes,
            confirm_label=f"{info.label} {count} {noun}", danger=info.destructive, require_text=require,
            option=option)
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

    # --- commit, autoscale ------------------------------------------------------------------------

    def action_ops_commit(self) -> None:
        targets = self._ops_targets()
        if targets:
            self._ops_commit_worker(targets)

    @work(group="ops", exit_on_error=False)
    async def _ops_commit_worker(self, targets: list[Selection]) -> None:
        try:
            await self.ops_commit_flow(targets)
        except Exception as err:
            self._ops_fail(err, "commit")

    async def ops_commit_flow(self, targets: Sequence[Selection]) -> None:
        """Commit one job (with the AutoScale form) or many (after a confirmation). Runs inside a worker."""
        from foas_tui.screens.start_job import CommitScreen

        cores = None
        if len(targets) == 1:
            result = await self.ops_actions.perform(ActionKind.CALC_RESOURCES, targets[0])
            resource = getattr(result.value, "plan_json_resource", None) if result.ok else None
            cores = getattr(resource, "cores", None)
        options = await self._app.push_screen_wait(CommitScreen([t.job_name for t in targets], cores))
        if options is None:
            return
        if len(targets) > 1 and not await self._ops_confirm(ActionKind.COMMIT, targets):
            return
        await self._ops_run(ActionKind.COMMIT, targets, options)

    def action_ops_autoscale(self) -> None:
        target = self._ops_one()
        if target is not None:
            self._ops_autoscale_worker(target)

    @work(group="ops", exit_on_error=False)
    async def _ops_autoscale_worker(self, target: Selection) -> None:
        from foas_tui.screens.confirm import Choice, ChoiceScreen

        try:
            answer = await self._app.push_screen_wait(ChoiceScreen(
                f"AutoScale of {target.job_name}", ACTIONS[ActionKind.AUTOSCALE].explanation, [
                    Choice("on", "Turn on", "success", "1"), Choice("off", "Turn off", "warning", "0"),
                    Choice("cancel", "Cancel", "default", "c")]))
            if answer not in ("on", "off"):
                return
            await self._ops_run(ActionKind.AUTOSCALE, [target], ActionOptions(autoscale_on=answer == "on"))
        except Exception as err:
            self._ops_fail(err, "autoscale")

    # --- read-only job actions: validate, plan, resources --------------------------------------------

    def action_ops_validate(self) -> None:
        targets = self._ops_targets()
        if len(targets) == 1:
            self._ops_validate_worker(targets[0])
        elif targets:
            self._ops_bulk_read_worker(ActionKind.VALIDATE, targets)

    @work(group="ops", exit_on_error=False)
    async def _ops_validate_worker(self, target: Selection) -> None:
        try:
            await self.ops_validate_flow(target)
        except Exception as err:
            self._ops_fail(err, "validate")

    @work(group="ops", exit_on_error=False)
    async def _ops_bulk_read_worker(self, kind: ActionKind, targets: list[Selection]) -> None:
        try:
            await self._ops_run(kind, targets)
        except Exception as err:
            self._ops_fail(err, ACTIONS[kind].label.lower())

    async def ops_validate_flow(self, target: Selection) -> bool:
        """ValidateJob and show the tables (or the SQL error). Runs inside a worker."""
        from foas_tui.screens.confirm import TextScreen

        result = await self.ops_actions.perform(ActionKind.VALIDATE, target)
        if not result.ok:
            rid = f"\n\nrequest id {result.request_id}" if result.request_id else ""
            body = Text(f"{result.reason}{rid}", style="red")
            await self._app.push_screen_wait(TextScreen(f"{target.job_name}: validation failed", body))
            return False
        await self._app.push_screen_wait(TextScreen(f"{target.job_name}: valid", validation_report(result.value)))
        return True

    def action_ops_calc_resources(self) -> None:
        targets = self._ops_targets()
        if len(targets) == 1:
            self._ops_calc_worker(targets[0])
        elif targets:
            self._ops_bulk_read_worker(ActionKind.CALC_RESOURCES, targets)

    @work(group="ops", exit_on_error=False)
    async def _ops_calc_worker(self, target: Selection) -> None:
        from foas_tui.screens.confirm import TextScreen

        try:
            result = await self.ops_actions.perform(ActionKind.CALC_RESOURCES, target)
            if not result.ok:
                self._ops_fail(result.error or RuntimeError(result.reason), "plan resources")
                return
            await self._app.push_screen_wait(TextScreen(f"{target.job_name}: plan resources",
                                                        resources_report(result.value)))
        except Exception as err:
            self._ops_fail(err, "plan resources")

    def action_ops_raw_plan(self) -> None:
        target = self._ops_one()
        if target is not None:
            self._ops_plan_worker(target)

    @work(group="ops", exit_on_error=False)
    async def _ops_plan_worker(self, target: Selection) -> None:
        from foas_tui.screens.action_progress import PlanScreen
        from foas_tui.services.actions import CancelToken

        app = self._app
        try:
            cancel = CancelToken()
            screen = PlanScreen(target, cancel, can_store=not self.ops_read_only)
            await app.push_screen(screen)
            final = None
            async for progress in self.ops_actions.raw_plan(target, cancel):
                screen.update_progress(progress)
                final = progress
            answer = await screen.wait_for_answer()
            if answer == "store" and final is not None and final.plan_json:
                await self.ops_session.client.update_job(target.project, target.job_name, plan_json=final.plan_json)
                app.notify(f"{target.job_name}: plan stored (UpdateJob planJson); commit to use it", timeout=6,
                           markup=False)
        except Exception as err:
            self._ops_fail(err, "raw plan")

    # --- editing ------------------------------------------------------------------------------------

    def action_ops_edit_code(self) -> None:
        target = self._ops_one()
        if target is not None:
            self._ops_edit_worker(target, "code")

    def action_ops_edit_properties(self) -> None:
        target = self._ops_one()
        if target is not None:
            self._ops_edit_worker(target, "properties")

    async def _ops_open_edit(self, target: Selection, kind: str) -> EditSession | None:
        from foas_tui.screens.code_editor import open_edit
        from foas_tui.services.drafts import DraftKey, EditSession, fetch_job_text

        if self.ops_read_only:  # view only: no drafts are read or written
            try:
                text, modify_time, _ = await fetch_job_text(self.ops_session.client, target.project,
                                                            target.job_name, kind)
            except errors.FoasError as err:
                self._ops_fail(err, f"reading {target.job_name}")
                return None
            key = DraftKey(self.ops_session.profile_name, target.project, target.job_name, kind)
            return EditSession(self.ops_drafts, key, text, modify_time, text)
        return await open_edit(self._app, self.ops_drafts, self.ops_session.profile_name, target, kind)

    @work(group="ops-edit", exclusive=True, exit_on_error=False)
    async def _ops_edit_worker(self, target: Selection, kind: str) -> None:
        from foas_tui.screens.code_editor import CodeEditorScreen
        from foas_tui.screens.properties_form import PropertiesFormScreen

        try:
            edit = await self._ops_open_edit(target, kind)
            if edit is None:
                return
            if kind == "code":
                await self._app.push_screen(CodeEditorScreen(edit, target, self.ops_drafts,
                                                             read_only=self.ops_read_only))
            else:
                await self._app.push_screen(PropertiesFormScreen(edit, target, read_only=self.ops_read_only))
        except Exception as err:
            self._ops_fail(err, f"editing {target.job_name}")

    def action_ops_edit_external(self) -> None:
        target = self._ops_one()
        if target is not None:
            self._ops_external_worker(target)

    @work(group="ops-edit", exclusive=True, exit_on_error=False)
    async def _ops_external_worker(self, target: Selection) -> None:
        from foas_tui.screens.code_editor import CodeEditorScreen, run_external_editor, save_flow

        app = self._app
        try:
            edit = await self._ops_open_edit(target, "code")
            if edit is None:
                return
            text = await run_external_editor(app, self.ops_drafts, edit)
            if text is not None and text != edit.text:
                edit.record(text)
            if not edit.dirty:
                app.notify(f"{target.job_name}: no changes", timeout=3, markup=False)
                return
            result = await save_flow(app, edit, target)
            if result in ("kept", "cancelled", "error", "theirs") and edit.dirty:
                app.notify("your edit is kept as a draft; it opens in the editor now", timeout=6)
                await app.push_screen(CodeEditorScreen(edit, target, self.ops_drafts))
        except Exception as err:
            self._ops_fail(err, f"editing {target.job_name}")

    # --- create and organise --------------------------------------------------------------------------

    def action_ops_new_job(self) -> None:
        project, path, _ = self._ops_scope()
        if project is None:
            self._app.notify("select a project first", severity="warning")
            return
        self._ops_new_job_worker(project, path)

    @work(group="ops", exit_on_error=False)
    async def _ops_new_job_worker(self, project: str, path: str) -> None:
        from foas_tui.screens.confirm import Choice, ChoiceScreen
        from foas_tui.screens.create_job import CreateJobContext, CreateJobScreen

        app = self._app
        client = self.ops_session.client
        try:
            context = CreateJobContext(project, path)
            try:
                bound = await client.list_project_bind_queue(project)
                context.queues = [(q.cluster_id or "", q.queue_name or "") for q in bound.queues if q.queue_name]
                if context.queues and context.queues[0][0]:
                    versions = await client.get_cluster_engine_versions(context.queues[0][0])
                    context.engine_versions = [v for v in versions.engine_versions if v]
            except errors.FoasError as err:
                self._ops_fail(err, "reading the project's queues")
            main = getattr(app, "main_screen", None)
            if main is not None and hasattr(main, "known_jobs"):
                context.existing = {job for proj, job in main.known_jobs() if proj == project}
            request = await app.push_screen_wait(CreateJobScreen(context))
            if request is None:
                return
            folder_id = await self._ops_folder_id(project, request.folder_path)
            if folder_id is False:
                return
            await client.create_job(
                project, request.api_type, request.cluster_id or "", request.code,
                _engine_version(request.engine_version), request.job_name, request.job_type, "",
                request.queue_name or "", properties=request.properties, description=request.description or None,
                folder_id=folder_id if isinstance(folder_id, int) else None)
            app.notify(f"{request.job_name} created in {request.folder_path} (offline)", timeout=5, markup=False)
            self._ops_refresh()
            answer = await app.push_screen_wait(ChoiceScreen(
                "Job created", f"{request.job_name} exists now, offline. Edit its code now?", [
                    Choice("edit", "Edit code", "primary", "e"), Choice("later", "Later", "default", "l")]))
            if answer == "edit":
                sel = Selection(project, request.job_name, request.job_type, request.folder_path)
                self._ops_edit_worker(sel, "code")
        except errors.FoasError as err:
            self._ops_fail(err, "creating the job")
        except Exception as err:
            self._ops_fail(err, "creating the job")

    async def _ops_folder_id(self, project: str, path: str) -> int | None | bool:
        """The folder's id, creating it (and missing parents) after asking; False when the operator declines."""
        from foas_tui.screens.confirm import Choice, ChoiceScreen

        client = self.ops_session.client
        missing: list[str] = []
        folder_id = None
        current = path
        while current != "/":
            folder_id = await self._ops_lookup_folder(project, current)
            if folder_id is not None:
                break
            missing.insert(0, current)
            current = current.rsplit("/", 1)[0] or "/"
        if not missing:
            return folder_id if path != "/" else await self._ops_lookup_folder(project, "/")
        answer = await self._app.push_screen_wait(ChoiceScreen(
            "Folder does not exist", f"{', '.join(missing)} do(es) not exist in {project}. Create it?", [
                Choice("create", "Create folder", "primary", "y"), Choice("cancel", "Cancel", "default", "n")]))
        if answer != "create":
            return False
        for folder in missing:  # parents first: the service needs them
            folder_id = (await client.create_folder(project, folder)).folder_id
        return folder_id

    async def _ops_lookup_folder(self, project: str, path: str) -> int | None:
        try:  # the doc's demo reads a missing folder as an empty answer; a service may also say NotFound
            folder = (await self.ops_session.client.get_folder(project, path)).folder
        except errors.NotFoundError:
            return None
        return getattr(folder, "folder_id", None) if folder is not None else None

    def action_ops_new_folder(self) -> None:
        project, path, _ = self._ops_scope()
        if project is None:
            self._app.notify("select a project first", severity="warning")
            return
        self._ops_folder_worker("create", project, path)

    def action_ops_move_folder(self) -> None:
        project, path, folder = self._ops_scope()
        if project is None or not folder or folder == "/":
            self._app.notify("put the tree cursor on a folder (not the root) to move it", severity="warning")
            return
        self._ops_folder_worker("move", project, folder)

    @work(group="ops", exit_on_error=False)
    async def _ops_folder_worker(self, action: str, project: str, path: str) -> None:
        from foas_tui.screens.confirm import ConfirmScreen
        from foas_tui.screens.folders import MOVE_NOTE, FolderFormScreen

        app = self._app
        client = self.ops_session.client
        try:
            request = await app.push_screen_wait(FolderFormScreen(action, project, path))
            if request is None:
                return
            if request.action == "create":
                created = await client.create_folder(project, request.path)
                app.notify(f"folder {request.path} created (id {created.folder_id})", timeout=4, markup=False)
            else:
                folders, jobs = await self._ops_folder_contents(project, request.path)
                what = f"{len(jobs)} job(s) and {len(folders)} sub-folder(s) move along."
                ok = await app.push_screen_wait(ConfirmScreen(
                    f"Move {request.path}?", f"{request.path} -> {request.dest}. {what}\n{MOVE_NOTE}",
                    jobs, confirm_label="Move", danger=len(jobs) > 0))
                if not ok:
                    return
                await client.mv_folder(project, request.dest, request.path)
                app.notify(f"moved {request.path} to {request.dest}", timeout=4, markup=False)
            self._ops_refresh()
        except Exception as err:
            self._ops_fail(err, f"{action} folder")

    async def _ops_folder_contents(self, project: str, path: str) -> tuple[list[str], list[str]]:
        client = self.ops_session.client
        children = (await client.list_child_folder(project, path)).folders
        prefix = path.rstrip("/") + "/"
        folders = [f.path for f in children if f.path and f.path.startswith(prefix) and f.path != path]
        folder = (await client.get_folder(project, path)).folder
        jobs: list[str] = []
        if folder is not None and folder.folder_id is not None:
            async for job in client.iter_list_job(project, folder_id=folder.folder_id, page_size=100):
                jobs.append(job.job_name or "")
        return folders, jobs

    def action_ops_delete_folder(self) -> None:
        project, _path, folder = self._ops_scope()
        if project is None or not folder or folder == "/":
            self._app.notify("put the tree cursor on a folder (not the root) to delete it", severity="warning")
            return
        self._ops_delete_folder_worker(project, folder)

    @work(group="ops", exit_on_error=False)
    async def _ops_delete_folder_worker(self, project: str, path: str) -> None:
        from foas_tui.screens.confirm import ConfirmScreen, TextScreen
        from foas_tui.screens.folders import DELETE_NOTE

        app = self._app
        try:
            folders, jobs = await self._ops_folder_contents(project, path)
            if folders or jobs:
                body = Text(f"{DELETE_NOTE}\n\n{path} holds {len(folders)} sub-folder(s) and {len(jobs)} job(s):\n"
                            + "\n".join(f"• {x}" for x in (folders + jobs)[:20]))
                await app.push_screen_wait(TextScreen(f"{path} is not empty", body))
                return
            ok = await app.push_screen_wait(ConfirmScreen(
                f"Delete folder {path}?", f"Deletes the empty folder {path} from {project} (DeleteFolder).",
                [path], notes=[DELETE_NOTE], confirm_label="Delete folder"))
            if not ok:
                return
            await self.ops_session.client.delete_folder(project, path)
            app.notify(f"folder {path} deleted", timeout=4, markup=False)
            self._ops_refresh()
        except Exception as err:
            self._ops_fail(err, "delete folder")

    # --- resources ------------------------------------------------------------------------------------

    def action_ops_resources(self, kind: str = "packages") -> None:
        from foas_tui.screens.resources import ResourcesScreen
        from foas_tui.services.resources import ResourceContext

        project, _, _ = self._ops_scope()
        self._app.push_screen(ResourcesScreen(kind, ResourceContext(project=project),
                                              read_only=self.ops_read_only))


# --- reports -----------------------------------------------------------------------------------------

def validation_report(response: Any) -> Group:
    """ValidateJob's tables, by role."""
    inout = getattr(response, "job_in_out", None)
    parts: list[Text] = [Text("The SQL is valid.", style="green")]
    for title, tables in (("Inputs", getattr(inout, "inputs", [])), ("Outputs", getattr(inout, "outputs", [])),
                          ("Dimension tables", getattr(inout, "dims", []))):
        parts.append(Text(f"\n{title} ({len(tables)})", style="bold"))
        for table in tables:
            name = table.name or table.alias or "?"
            alias = f" as {table.alias}" if table.alias and table.alias != name else ""
            where = f" in {table.workspace}" if table.workspace else ""
            parts.append(Text(f"  {name}{alias}: {table.type or 'unknown type'}{where}"))
    return Group(*parts)


def resources_report(response: Any) -> Text:
    resource = getattr(response, "plan_json_resource", None)
    cores = getattr(resource, "cores", None)
    memory = getattr(resource, "memory_gb", None)
    if cores is None and memory is None:
        return Text("The service returned no resource figures (is there a plan? generate one with J).",
                    style="yellow")
    cu = max(cores or 0.0, (memory or 0.0) / 4)
    return Text(f"Cores: {cores:g}\nMemory: {memory:g} GB\n\nAbout {cu:g} CU (1 CU = 1 core + 4 GB): a "
                f"reference for the Max CU of a commit with AutoScale.")


def _engine_version(value: str) -> str:
    # GetClusterEngineVersions lists "<alias>--<engine>" (e.g. current--blink-3.4.4); CreateJob takes the engine.
    return value.split("--", 1)[1] if "--" in value else value


def _command(action: str, argument: str | None = None, name: str = "") -> Any:
    def command(self: OpsActionsMixin, arg: str = "") -> None:
        # Through run_action, so check_action (read-only) applies to `:` commands too; say why it refuses one.
        target = f"{action}({argument!r})" if argument else action
        if self.ops_read_only and action in keys.mutating_actions("ops"):
            described = next((k.description for k in keys.SCOPES["ops"].keys if k.action == action), action)
            keymap = getattr(self._app, "keymap", {})
            self._app.notify(keys.read_only_message(self._app, f":{name}", described, keymap), title="Read-only",
                             severity="warning", timeout=5, markup=False)
            return
        self._app.call_later(self._app.run_action, target)

    command.__doc__ = f"`:` command for {action}"
    return command


for _name, _action in OPS_COMMANDS.items():
    setattr(OpsActionsMixin, f"command_{_name}", _command(_action, name=_name))
for _name in RESOURCE_COMMANDS:
    setattr(OpsActionsMixin, f"command_{_name}", _command("ops_resources", "packages" if _name == "resources"
                                                          else _name))
