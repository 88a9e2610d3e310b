"""Lifecycle actions: start, pause, resume, stop, take offline, delete, commit and AutoScale."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from foas_tui.api import errors
from foas_tui.error_guard import work
from foas_tui.screens.ops.base import OpsBase
from foas_tui.services.selection import Selection

# services.actions is imported where an action runs, not with FoasApp: the first frame does not need it.
if TYPE_CHECKING:
    from foas_tui.services.actions import ActionKind


class LifecycleActions(OpsBase):
    """Keys s P u x F D C A: the instance's state and the job's online state."""

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
            if len(targets) > 1 and not await self._ops_confirm(request.kind, targets, details=request.plan):
                return
            await self._ops_run(request.kind, targets, request.options)
        except Exception as err:
            self._ops_fail(err, "start")

    async def _ops_start_context(self, targets: list[Selection]) -> Any:
        from foas_tui.screens.start_job import StartContext
        from foas_tui.services.start_points import gather_start_info

        client = self.ops_session.client
        states = await self.ops_actions.current_states(targets)
        now = self._ops_now()
        context = StartContext([t.job_name for t in targets], now=now, keys=[t.key for t in targets])
        # The start points (last checkpoint, last failure) and each job's last parameters, from the service.
        context.infos = await gather_start_info(client, targets, now, self.ops_checkpoints,
                                                getattr(self.ops_session, "call_log", None))
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

    def action_ops_pause(self, checkpoint: bool = False) -> None:
        """`P` pauses; `ctrl+k` (checkpoint=True) asks the service for a checkpoint first (triggerCheckpoint)."""
        from foas_tui.services.actions import ActionKind

        targets = self._ops_targets()
        if targets:
            self._ops_state_worker(ActionKind.PAUSE, targets, checkpoint)

    def action_ops_resume(self) -> None:
        from foas_tui.services.actions import ActionKind

        targets = self._ops_targets()
        if targets:
            self._ops_state_worker(ActionKind.RESUME, targets)

    def action_ops_stop(self, checkpoint: bool = False) -> None:
        """`x` stops after a confirmation whose "checkpoint first" box is ticked when checkpoint=True."""
        from foas_tui.services.actions import ActionKind

        targets = self._ops_targets()
        if targets:
            self._ops_state_worker(ActionKind.STOP, targets, checkpoint)

    def action_ops_offline(self) -> None:
        from foas_tui.services.actions import ActionKind

        targets = self._ops_targets()
        if targets:
            self._ops_state_worker(ActionKind.OFFLINE, targets)

    def action_ops_delete(self) -> None:
        from foas_tui.services.actions import ActionKind

        targets = self._ops_targets()
        if targets:
            self._ops_state_worker(ActionKind.DELETE, targets)

    @work(group="ops", exit_on_error=False)
    async def _ops_state_worker(self, kind: ActionKind, targets: list[Selection], checkpoint: bool = False) -> None:
        from foas_tui.services.actions import ACTIONS, ActionOptions

        try:
            # One key asks for the checkpoint; the confirmation (bulk, or a destructive action) shows it ticked.
            options = ActionOptions(trigger_checkpoint=True if checkpoint else None)
            info = ACTIONS[kind]
            if info.destructive or len(targets) > 1:
                confirmed = await self._ops_confirm(kind, targets, options, checkpoint=checkpoint)
                if not confirmed:
                    return
            await self._ops_run(kind, targets, options)
        except Exception as err:
            self._ops_fail(err, ACTIONS[kind].label.lower())

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
        from foas_tui.services.actions import ActionKind

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
        from foas_tui.services.actions import ACTIONS, ActionKind, ActionOptions

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
