"""Read-only job actions: validate the SQL, generate the raw plan, plan resources (and their reports)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.text import Text

from foas_tui.error_guard import work
from foas_tui.screens.ops.base import OpsBase
from foas_tui.services.selection import Selection

# services.actions is imported where an action runs, not with FoasApp: the first frame does not need it.
if TYPE_CHECKING:
    from foas_tui.services.actions import ActionKind


class InspectActions(OpsBase):
    """Keys v J $: ask the service about a job without changing it (J may store the plan)."""

    def action_ops_validate(self) -> None:
        from foas_tui.services.actions import ActionKind

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
        from foas_tui.services.actions import ACTIONS

        try:
            await self._ops_run(kind, targets)
        except Exception as err:
            self._ops_fail(err, ACTIONS[kind].label.lower())

    async def ops_validate_flow(self, target: Selection) -> bool:
        """ValidateJob and show the tables (or the SQL error). Runs inside a worker."""
        from foas_tui.screens.confirm import TextScreen
        from foas_tui.services.actions import ActionKind

        result = await self.ops_actions.perform(ActionKind.VALIDATE, target)
        if not result.ok:
            rid = f"\n\nrequest id {result.request_id}" if result.request_id else ""
            body = Text(f"{result.reason}{rid}", style="red")
            await self._app.push_screen_wait(TextScreen(f"{target.job_name}: validation failed", body))
            return False
        await self._app.push_screen_wait(TextScreen(f"{target.job_name}: valid", validation_report(result.value)))
        return True

    def action_ops_calc_resources(self) -> None:
        from foas_tui.services.actions import ActionKind

        targets = self._ops_targets()
        if len(targets) == 1:
            self._ops_calc_worker(targets[0])
        elif targets:
            self._ops_bulk_read_worker(ActionKind.CALC_RESOURCES, targets)

    @work(group="ops", exit_on_error=False)
    async def _ops_calc_worker(self, target: Selection) -> None:
        from foas_tui.screens.confirm import TextScreen
        from foas_tui.services.actions import ActionKind

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
