"""OpsActionsMixin: the job and folder actions of FoasApp, put together from parts named by topic.

The parts live in `foas_tui/screens/ops/`: `base` (targets, read-only check, confirm, run, progress),
`lifecycle` (start, pause, resume, stop, offline, delete, commit, AutoScale), `inspect` (validate, raw
plan, plan resources), `editing` (code and properties) and `organise` (new job, folders, resources).
This module keeps what a reader looks up first: the keys (`OPS_BINDINGS`) and the `:` commands.

Every action is a binding with an id (remappable), shows in the palette and has a `:` command; in a
read-only session the mutating ones are hidden (`check_action`) and the client refuses them anyway.
"""

from __future__ import annotations

from typing import Any

from textual.binding import Binding, BindingType

from foas_tui.screens.ops.base import JOB_ACTIONS, MUTATING_ACTIONS, OTHER_ACTIONS
from foas_tui.screens.ops.editing import EditActions
from foas_tui.screens.ops.inspect import InspectActions, resources_report, validation_report
from foas_tui.screens.ops.lifecycle import LifecycleActions
from foas_tui.screens.ops.organise import OrganiseActions

__all__ = ["JOB_ACTIONS", "MUTATING_ACTIONS", "OPS_BINDINGS", "OPS_COMMANDS", "OTHER_ACTIONS", "OpsActionsMixin",
           "resources_report", "validation_report"]

OPS_BINDINGS: list[BindingType] = [
    Binding("s", "ops_start", "Start job", id="ops.start"),
    Binding("P", "ops_pause", "Pause job", id="ops.pause", show=False),
    Binding("ctrl+k", "ops_pause(True)", "Pause job after a checkpoint", id="ops.pause_checkpoint", show=False),
    Binding("u", "ops_resume", "Resume job", id="ops.resume", show=False),
    Binding("x", "ops_stop", "Stop job", id="ops.stop"),
    Binding("C", "ops_commit", "Commit job", id="ops.commit", show=False),
    # not `o`/`O`: the live table sorts with them
    Binding("F", "ops_offline", "Take job offline", id="ops.offline", show=False),
    Binding("D", "ops_delete", "Delete job", id="ops.delete", show=False),
    Binding("v", "ops_validate", "Validate job SQL", id="ops.validate", show=False),
    Binding("J", "ops_raw_plan", "Generate raw plan JSON", id="ops.raw_plan", show=False),
    Binding("dollar_sign", "ops_calc_resources", "Plan resources (cores, memory)", id="ops.calc_resources",
            show=False, key_display="$"),
    Binding("A", "ops_autoscale", "AutoScale on/off", id="ops.autoscale", show=False),
    Binding("E", "ops_edit_code", "Edit code", id="ops.edit_code"),
    Binding("ctrl+e", "ops_edit_external", "Edit code in $EDITOR", id="ops.edit_external", show=False),
    Binding("K", "ops_edit_properties", "Edit properties", id="ops.edit_properties", show=False),
    Binding("n", "ops_new_job", "New job", id="ops.new_job", show=False),
    Binding("N", "ops_new_folder", "New folder", id="ops.new_folder", show=False),
    Binding("M", "ops_move_folder", "Move folder", id="ops.move_folder", show=False),
    Binding("X", "ops_delete_folder", "Delete folder", id="ops.delete_folder", show=False),
    Binding("R", "ops_resources", "Resources", id="ops.resources"),
    Binding("w", "ops_show_progress", "Last action progress", id="ops.show_progress", show=False),
]

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


class OpsActionsMixin(LifecycleActions, InspectActions, EditActions, OrganiseActions):
    """Mixed into FoasApp (a plain class: FoasApp splices `BINDINGS` in itself)."""

    BINDINGS: list[BindingType] = OPS_BINDINGS


CHECKPOINT_ARGS = ("cp", "checkpoint")  # `:pause cp`, `:stop cp`: take a checkpoint first


def _command(action: str, argument: str | None = None) -> Any:
    def command(self: OpsActionsMixin, arg: str = "") -> None:
        # Through run_action, so check_action (read-only) applies to `:` commands too.
        target = f"{action}({argument!r})" if argument else action
        if action in ("ops_pause", "ops_stop") and arg.strip().lower() in CHECKPOINT_ARGS:
            target = f"{action}(True)"
        self._app.call_later(self._app.run_action, target)

    command.__doc__ = f"`:` command for {action}"
    return command


for _name, _action in OPS_COMMANDS.items():
    setattr(OpsActionsMixin, f"command_{_name}", _command(_action))
for _name in RESOURCE_COMMANDS:
    setattr(OpsActionsMixin, f"command_{_name}", _command("ops_resources", "packages" if _name == "resources"
                                                          else _name))
