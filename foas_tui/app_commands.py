"""FoasApp's quitting, `:` command line and palette commands (mixed into FoasApp; a plain class).

`q` goes back on every screen but the main one; quitting asks first when work would be lost
(screens/quit_guard.py). `:` commands are jumps (job, project, folder), switches (profile, region, ro/rw)
and every `command_<name>` the feature mixins add.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from textual.app import SystemCommand
from textual.screen import Screen

from foas_tui.error_guard import work


class AppCommandsMixin:
    """Quitting, the `:` command line and the palette's system commands of FoasApp."""

    _main: Any
    _quit_asked: bool

    async def action_quit(self, anywhere: bool = False) -> None:
        """`q`: back on any screen but the main one; ctrl+c (`anywhere`) and `:q` quit from every screen."""
        if not anywhere and self.screen is not self._main:
            back = self.screen.active_bindings.get("escape")
            if back is not None and back.enabled:
                await self.run_action(back.binding.action, back.node)
            elif len(self.screen_stack) > 1:
                self.pop_screen()
            return
        if self._quit_asked:
            self.exit(0)  # ctrl+c on the question itself: the operator means it
            return
        self._quit_checked()

    @work(group="quit", exclusive=True, exit_on_error=False)
    async def _quit_checked(self) -> None:
        from foas_tui.screens.confirm import ConfirmScreen
        from foas_tui.screens.quit_guard import quit_blockers

        reasons = quit_blockers(self)
        if reasons:
            self._quit_asked = True
            try:
                if not await self.push_screen_wait(ConfirmScreen(
                        "Quit foas-tui?", "Quitting now cuts these short:", reasons, confirm_label="Quit",
                        notes=["ctrl+c again quits at once."])):
                    return
            finally:
                self._quit_asked = False
        self.exit(0)

    def _pop_to_main(self) -> None:
        while len(self.screen_stack) > 1 and self.screen is not self._main:
            self.pop_screen()

    # --- `:` commands -----------------------------------------------------------------------------

    def run_command_line(self, line: str | None) -> None:
        """Run a `:` command: job/project/folder jumps, triage, log, help, q; else `command_<name>`."""
        if not line:
            return
        from foas_tui.screens.jump import parse_command

        name, arg = parse_command(line)
        if name == "q!":
            self.exit(0)  # vim's "quit, I know"
        elif name in ("q", "quit", "exit"):
            self._quit_checked()
        elif name in ("job", "jobs", "j") and arg:
            self.select_job_by_name(arg)
        elif name in ("project", "projects", "proj", "p") and arg:
            if self._main is not None:
                self._pop_to_main()
                self._main.select_project(arg)
        elif name in ("folder", "f", "dir", "cd") and arg:
            if self._main is not None:
                self._pop_to_main()
                self._main.select_folder(arg)
        elif name in ("log", "logs", "calls"):
            self.action_command_log()
        elif name in ("help", "h", "?"):
            self.action_help()
        elif name in ("refresh",):
            self.action_refresh_now()
        elif name in ("profile", "ctx", "context", "region"):
            from foas_tui.app_context import context_command

            context_command(self, name, arg)
        elif name in ("ro", "readonly", "read-only", "rw"):
            if (name == "rw") == self.session.read_only:
                self.action_toggle_read_only()
        elif callable(getattr(self, f"command_{name}", None)):
            getattr(self, f"command_{name}")(arg)  # feature mixins add `:` commands this way
        elif callable(getattr(self, f"action_{name}", None)) and not arg:
            self.run_action(name)
        else:
            self.notify(f"unknown command :{line} (try :help)", severity="warning", markup=False)

    def select_job_by_name(self, name: str) -> None:
        """`:job NAME` and `:job PROJECT/NAME`."""
        project, _, job = name.rpartition("/")
        if self._main is not None:
            self._pop_to_main()
            self._main.find_and_select_job(job, project or None)

    # --- palette ----------------------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Command log", "Every API call this session made (L)", self.action_command_log)
        yield SystemCommand("Pause / resume live refresh", "Toggle the live refresh (p)", self.action_toggle_pause)
        yield SystemCommand("Refresh now", "Reload the jobs and their states (r)", self.action_refresh_now)
        yield SystemCommand("Read-only on / off", "Refuse or allow every change to jobs (ctrl+r; allowing asks first)",
                            self.action_toggle_read_only)
