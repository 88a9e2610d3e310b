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

from textual.binding import BindingType

from foas_tui import keys
from foas_tui.screens.ops.base import JOB_ACTIONS, MUTATING_ACTIONS, OTHER_ACTIONS
from foas_tui.screens.ops.editing import EditActions
from foas_tui.screens.ops.inspect import InspectActions, resources_report, validation_report
from foas_tui.screens.ops.lifecycle import LifecycleActions
from foas_tui.screens.ops.organise import OrganiseActions

__all__ = ["JOB_ACTIONS", "MUTATING_ACTIONS", "OPS_BINDINGS", "OPS_COMMANDS", "OTHER_ACTIONS", "OpsActionsMixin",
           "resources_report", "validation_report"]

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


class OpsActionsMixin(LifecycleActions, InspectActions, EditActions, OrganiseActions):
    """Mixed into FoasApp (a plain class: FoasApp splices `BINDINGS` in itself)."""

    BINDINGS: list[BindingType] = OPS_BINDINGS


CHECKPOINT_ARGS = ("cp", "checkpoint")  # `:pause cp`, `:stop cp`: take a checkpoint first


def _command(action: str, argument: str | None = None, name: str = "") -> Any:
    def command(self: OpsActionsMixin, arg: str = "") -> None:
        # Through run_action, so check_action (read-only) applies to `:` commands too; say why it refuses one.
        if self.ops_read_only and action in keys.mutating_actions("ops"):
            described = next((k.description for k in keys.SCOPES["ops"].keys if k.action == action), action)
            keymap = getattr(self._app, "keymap", {})
            self._app.notify(keys.read_only_message(self._app, f":{name}", described, keymap), title="Read-only",
                             severity="warning", timeout=5, markup=False)
            return
        target = f"{action}({argument!r})" if argument else action
        if action in ("ops_pause", "ops_stop") and arg.strip().lower() in CHECKPOINT_ARGS:
            target = f"{action}(True)"
        self._app.call_later(self._app.run_action, target)

    command.__doc__ = f"`:` command for {action}"
    return command


for _name, _action in OPS_COMMANDS.items():
    setattr(OpsActionsMixin, f"command_{_name}", _command(_action, name=_name))
for _name in RESOURCE_COMMANDS:
    setattr(OpsActionsMixin, f"command_{_name}", _command("ops_resources", "packages" if _name == "resources"
                                                          else _name))
