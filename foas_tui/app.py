"""FoasApp: the Textual application (bindings, refresh loop, errors, themes, read-only).

Quitting and the `:` command line are in app_commands.py, the command line entry (`run_app`) in app_launch.py,
the demo emulator in lazy_emulator.py. Heavy modules (API models, emulator, keyring) are imported lazily so
the first frame comes fast.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events
from textual.app import App
from textual.binding import BindingType, Keymap
from textual.message import Message
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.timer import Timer

from foas_tui import keys
from foas_tui.app_commands import AppCommandsMixin
from foas_tui.error_guard import ErrorGuard, contain_errors_default, work
from foas_tui.lazy_emulator import LazyEmulator
from foas_tui.screens.ops_mixin import OpsActionsMixin
from foas_tui.screens.triage_mixin import TriageActionsMixin
from foas_tui.services.call_log import CallLog
from foas_tui.services.context_switch import ContextSource
from foas_tui.services.job_health import HealthBook
from foas_tui.services.refresh import RefreshResult, RefreshScheduler
from foas_tui.services.selection import Selection
from foas_tui.services.session import Session
from foas_tui.text import safe_str

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    from textual.command import Provider

    from foas_tui.config import AppConfig
    from foas_tui.screens.main import MainScreen

def styles_dir() -> Path:
    """The *.tcss directory: `foas_tui/styles` when installed from the wheel, `<repo>/styles` in a checkout."""
    # The package directory next to this file is what importlib.resources answers for every installed layout
    # (wheel, editable, checkout); importlib.resources (~10 ms to import) is asked only for anything else
    # (a zip import), where `__file__` is not a real directory.
    here = Path(__file__).resolve().parent
    if (here / "styles").is_dir():
        return here / "styles"
    if here.is_dir():
        return here.parent / "styles"
    from importlib import resources

    return Path(str(resources.files("foas_tui") / "styles"))


def _css_paths() -> list[Path]:
    # Every *.tcss in the directory: feature engineers add their own files without touching this one.
    directory = styles_dir()
    app_css = directory / "app.tcss"
    others = sorted(p for p in directory.glob("*.tcss") if p.name != "app.tcss")
    return [app_css, *others] if app_css.exists() else others


# Command palette (ctrl+p) providers, imported when the palette first opens (Textual's COMMANDS takes callables
# returning Provider classes): the first frame does not need them.
def _projects_provider() -> type[Provider]:
    from foas_tui.widgets.palette import ProjectsProvider

    return ProjectsProvider


def _jobs_provider() -> type[Provider]:
    from foas_tui.widgets.palette import JobsProvider

    return JobsProvider


def _actions_provider() -> type[Provider]:
    from foas_tui.widgets.palette import ActionsProvider

    return ActionsProvider


def _context_provider() -> type[Provider]:
    from foas_tui.widgets.context_palette import ContextProvider

    return ContextProvider


CORE_BINDINGS: list[BindingType] = keys.bindings("app")  # foas_tui/keys.py defines every key


def _mixin_bindings(*mixins: type) -> list[BindingType]:
    # Textual merges BINDINGS only from DOMNode bases; the feature mixins are plain classes, so their
    # bindings are spliced in here explicitly.
    out: list[BindingType] = []
    for mixin in mixins:
        out.extend(mixin.__dict__.get("BINDINGS", []))
    return out


class FoasApp(ErrorGuard, AppCommandsMixin, TriageActionsMixin, OpsActionsMixin, App[int]):
    """The foas-tui application. One `Session` per run; the main screen is the default (first) screen."""

    TITLE = "foas-tui"
    CSS_PATH: ClassVar[list[Path]] = _css_paths()  # type: ignore[assignment]
    BINDINGS: ClassVar[list[BindingType]] = [
        *CORE_BINDINGS, *_mixin_bindings(TriageActionsMixin, OpsActionsMixin),
    ]
    COMMANDS = App.COMMANDS | {_projects_provider, _jobs_provider, _actions_provider, _context_provider}
    ALLOW_IN_MAXIMIZED_VIEW = "Footer, KeyFooter"  # the keys line stays under a zoomed pane

    class RefreshCompleted(Message):
        """Posted to every screen after a refresh (also a failed one); `result.rows` holds the live rows."""

        def __init__(self, result: RefreshResult) -> None:
            super().__init__()
            self.result = result

    def __init__(self, session: Session, *, clock: Callable[[], float] | None = None,
                 state_path: Path | None | bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.session = session
        self.contain_errors = contain_errors_default()  # foas_tui/error_guard.py
        self.clock: Callable[[], float] = clock or time.time
        self.refresher = self._make_refresher(session)
        # One rule for "needs attention" (status bar, table, tree, triage board): services/job_health.py.
        self.health = HealthBook.from_config(session.config.triage, clock=self.clock)
        self.context_source = ContextSource()  # where `:profile`/`:region` find profiles and secrets
        self._retired_sessions: list[Session] = []
        self._refresh_timer: Timer | None = None
        self._refresh_again = False
        self._quit_asked = False  # the quit question is on screen
        self._refresh_error_shown = ""  # the error code of the outage already notified ("" = none)
        self._state_path = state_path
        self._main: MainScreen | None = None
        self.keymap: dict[str, str] = {}  # [keymap] as applied (set_keymap)

    # --- construction -----------------------------------------------------------------------------

    def _make_refresher(self, session: Session) -> RefreshScheduler:
        config = session.config
        return RefreshScheduler(
            session.client, interval=config.refresh_interval, clock=self.clock,
            # [client] refresh_concurrency (12: measured, bench/refresh_vs_sdk.py), never above max_concurrency
            concurrency=max(1, min(config.client.refresh_concurrency, config.client.max_concurrency)),
        )

    @classmethod
    def demo(cls, jobs: int = 64, seed: int = 7, clock: Any = None, **kw: Any) -> FoasApp:
        """An app over the in-process emulator (demo credentials, no keyring); used by --demo and tests.

        Keyword arguments: `config` (default: built-in defaults), `read_only`, `config_error`,
        `lazy_emulator` (build the demo data on the first request, off the UI thread: --demo uses it so the
        first frame does not wait for it), and anything FoasApp takes (`state_path`, ...).
        """
        from foas_tui.config import AppConfig

        config: AppConfig = kw.pop("config", None) or AppConfig()
        read_only: bool = kw.pop("read_only", False)
        config_error: str | None = kw.pop("config_error", None)
        lazy: bool = kw.pop("lazy_emulator", False)
        hostile: bool = kw.pop("hostile", False)  # hostile text in the demo data (emulator/hostile.py)
        options = {"read_only": read_only, "timeout": config.client.timeout, "retries": config.client.retries,
                   "max_concurrency": config.client.max_concurrency,
                   "max_response_bytes": config.client.max_response_bytes}
        if lazy:
            emulator: Any = LazyEmulator(jobs, seed, clock, hostile)
            client = emulator.client(**options)
        else:
            from foas_tui.emulator import EmulatorConfig, create_app, demo_client

            emulator = create_app(EmulatorConfig(jobs=jobs, seed=seed, clock=clock, hostile=hostile))
            client = demo_client(emulator, **options)
        session = Session(
            client=client, config=config, profile_name="demo", region_id=client.region_id,
            endpoint=client.base_url, read_only=read_only, call_log=CallLog(), demo=True,
            emulator=emulator, config_error=config_error,
        )
        emu_clock = clock if lazy else (getattr(emulator, "clock", None) or clock)
        app_clock = emu_clock.now if emu_clock is not None and hasattr(emu_clock, "now") else None
        app = cls(session, clock=app_clock, **kw)
        app.context_source.read_only = read_only  # a read-only demo stays read-only through `:profile`
        return app

    # --- the public contract ----------------------------------------------------------------------

    @property
    def main_screen(self) -> MainScreen | None:
        return self._main

    # --- switching account or region (app_context.py does the switch) ------------------------------

    def reset_refresher(self) -> None:
        """A new session: a new scheduler on its client; the next refresh is armed when the tree reports jobs."""
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
            self._refresh_timer = None
        self.workers.cancel_group(self, "refresh")
        self.refresher = self._make_refresher(self.session)
        self.health.reset(self.session.config.triage)
        self._refresh_error_shown = ""

    def forget_account_state(self) -> None:
        """What belonged to the previous account: checkpoints seen, the last action's progress."""
        self._ops_checkpoint_memory = None
        self._ops_last_run = None

    def retire_session(self, session: Session) -> None:
        self._retired_sessions.append(session)

    @work(group="context", exclusive=True, exit_on_error=False)
    async def switch_context(self, profile: str | None = None, region: str | None = None) -> None:
        from foas_tui.app_context import switch_context

        await switch_context(self, profile=profile, region=region)

    def current_selection(self) -> Selection | None:
        """The job the operator is on (tree or live table cursor), or None."""
        return self._main.current_selection() if self._main is not None else None

    def selected_jobs(self) -> list[Selection]:
        """Rows marked with space in the live table; else the current selection (may be empty)."""
        if self._main is None:
            return []
        marked = self._main.marked_selections()
        if marked:
            return marked
        current = self.current_selection()
        return [current] if current is not None else []

    def notify(self, message: str, *, title: str = "", severity: SeverityLevel = "information",
               timeout: float | None = None, markup: bool = True) -> None:
        """Every toast passes the door: control characters of message and title are made visible.

        Markup stays the caller's choice (tests/test_markup_rule.py: a message built from values must say
        `markup=False`); cleaning does not touch brackets, so a literal markup message still renders.
        """
        super().notify(safe_str(message, multiline=True), title=safe_str(title), severity=severity,
                       timeout=timeout, markup=markup)

    def report_error(self, err: BaseException, context: str = "") -> None:
        """Show an error as a notification (code, message, request id); auth errors open the fix-it screen."""
        from foas_tui.api import errors

        where = f"{context}: " if context else ""
        if isinstance(err, errors.CallCancelled):
            return  # the operator cancelled it with esc and was told so then
        if isinstance(err, errors.AuthError):
            self.notify(f"{where}{err.code}: {err.message}", title="Authentication failed", severity="error",
                        timeout=10, markup=False)
            self._show_auth_help(err)
            return
        if isinstance(err, errors.FoasError):
            rid = f"\nrequest id {err.request_id}" if err.request_id else ""
            hint = f"\n{err.hint}" if err.hint else ""
            title = f"{err.kind.capitalize()} error" + (f" in {err.operation}" if err.operation else "")
            severity = "warning" if isinstance(err, errors.ReadOnlyError | errors.ConflictError) else "error"
            self.notify(f"{where}{err.code}: {err.message}{rid}{hint}", title=title, severity=severity,
                        timeout=8, markup=False)
            return
        self.notify(f"{where}{type(err).__name__}: {err}", title="Unexpected error", severity="error",
                    timeout=8, markup=False)

    def request_refresh(self) -> None:
        """Refresh the live states now (or right after the refresh in flight); never overlaps."""
        if self.refresher.running:
            self._refresh_again = True
            return
        self._arm_refresh(0)

    def select_job(self, project: str, job_name: str) -> None:
        """Move the tree and the live table to a job (loading its project and folders as needed)."""
        if self._main is not None:
            if self.screen is not self._main:
                self._pop_to_main()
            self._main.select_job(project, job_name)

    # --- lifecycle --------------------------------------------------------------------------------

    def run(self, **kwargs: Any) -> int | None:
        """Run the app in this process (the command line and the bench do; tests use `run_test`).

        What is alive now (Textual, this package's modules and classes, the key table) stays for the life of
        the process: `gc.freeze()` moves it to the permanent generation, so the full collection that otherwise
        lands before the first frame (15-40 ms here, bench/tui_startup.py) and every later one skip it.
        """
        gc.freeze()
        return super().run(**kwargs)

    def get_default_screen(self) -> Screen:
        # The main screen is the first screen, so the first painted frame is already the real layout.
        from foas_tui.screens.layout import PANE_CLASSES
        from foas_tui.screens.main import MainScreen

        # The tree takes the focus on mount: starting with its focus class (screens/layout.py) spares a restyle
        # of every widget before the first frame (Textual restyles the whole screen when a screen class changes).
        self._main = MainScreen(state_path=self._state_path, classes=PANE_CLASSES["tree"])
        return self._main

    def on_mount(self) -> None:
        config = self.session.config
        # NO_COLOR: Textual itself renders monochrome (self.no_color); state glyphs differ by shape too.
        if config.theme in self.available_themes:
            self.theme = config.theme
        else:
            self.notify(f"unknown theme {config.theme!r} in the config; using {self.theme}", severity="warning",
                        markup=False)
        if config.keymap:
            self.set_keymap(keys.resolve_keymap(config.keymap).keymap)  # renamed ids still count
            self.call_after_refresh(self._report_unknown_keymap_ids)
        for note in self.session.notes:
            self.notify(note, severity="warning", timeout=8, markup=False)
        if not self.session.demo:
            from foas_tui.api.client import plain_http_remote

            if plain_http_remote(self.session.endpoint):
                self.notify(f"{self.session.endpoint} is plain http:// on another machine: every request and answer "
                            "crosses the network unencrypted. Use https:// (the default endpoints are).",
                            title="No TLS", severity="warning", timeout=12, markup=False)
        if self.session.config_error:
            self.notify(f"{self.session.config_error}\nUsing default settings.", title="Config file ignored",
                        severity="warning", timeout=10, markup=False)

    def _report_unknown_keymap_ids(self) -> None:
        """Textual ignores `[keymap]` ids it does not know: say so, with the file and line (after the first frame)."""
        from foas_tui.config import config_line, config_path
        from foas_tui.keymap_ids import keymap_problems, known_binding_ids

        for binding_id, problem in keymap_problems(self.session.config.keymap, known_binding_ids(type(self))):
            line = config_line(f"keymap.{binding_id}")
            where = f"{config_path()}{f' line {line}' if line else ''}"
            self.notify(f"{where}: keymap: {problem}", title="Config", severity="warning", timeout=10, markup=False)

    def set_keymap(self, keymap: Keymap) -> None:
        """Kept in public `keymap` too: `?` and the read-only refusal show keys of panes that are not focused."""
        self.keymap = dict(keymap)
        super().set_keymap(keymap)

    def on_key(self, event: events.Key) -> None:
        """A key that only a mutating binding would take, refused by read-only, says so instead of nothing."""
        refused = keys.refused_by_read_only(self, event.key, self.keymap)
        if refused is not None:
            key, shown = refused
            self.notify(keys.read_only_message(self, shown, key.description, self.keymap), title="Read-only",
                        severity="warning", timeout=5, markup=False)

    async def on_unmount(self) -> None:
        if self._main is not None and hasattr(self._main, "tree_state"):
            self._main.save_state()
        for session in [*self._retired_sessions, self.session]:
            try:
                await session.aclose()
            except Exception:  # closing is best effort; the app is going away
                pass

    # --- refresh loop -----------------------------------------------------------------------------

    def watch_jobs(self, jobs: Iterable[tuple[str, str, str]]) -> None:
        """The main screen tells which jobs are visible; a new set is refreshed at once."""
        if self.refresher.watch(jobs):
            self.request_refresh()

    def _arm_refresh(self, delay: float) -> None:
        if self._refresh_timer is not None:
            self._refresh_timer.stop()
        # Textual timers divide by their interval: "now" is the shortest positive delay.
        self._refresh_timer = self.set_timer(max(delay, 0.001), self._start_refresh, name="refresh")

    def _start_refresh(self) -> None:
        self._refresh_timer = None
        if not self.refresher.watched:
            return  # armed again when the main screen reports jobs
        self._refresh_worker()

    @work(exclusive=True, group="refresh", exit_on_error=False)
    async def _refresh_worker(self) -> None:
        result: RefreshResult | None = None
        try:
            result = await self.refresher.refresh_once()
        except Exception as err:  # never let a refresh take the app down
            self.report_error(err, "refresh")
        finally:
            again, self._refresh_again = self._refresh_again, False
            if again:
                self._arm_refresh(0)
            elif not self.refresher.paused:
                self._arm_refresh(self.refresher.next_interval)  # longer while the service throttles
        if result is None:
            return
        self._report_refresh_health(result)
        self.watch_critical_rows(result.rows)  # the optional bell (TriageActionsMixin)
        for screen in self.screen_stack:
            screen.post_message(self.RefreshCompleted(result))

    def _report_refresh_health(self, result: RefreshResult) -> None:
        """One notification per outage (and per new kind of error), one when it is over.

        While refreshes keep failing the status line says "stale" with the last error; a toast every
        interval would bury everything else on screen during an outage.
        """
        if result.errors:
            err = result.errors[0]
            code = getattr(err, "code", type(err).__name__)
            if code != self._refresh_error_shown:
                self._refresh_error_shown = code
                self.report_error(err, "refresh")
        elif self._refresh_error_shown:
            self._refresh_error_shown = ""
            self.notify("live refresh works again", title="Recovered", timeout=4)

    # --- actions ----------------------------------------------------------------------------------

    def action_refresh_now(self) -> None:
        if self._main is not None:
            self._main.reload_scope()
        self.request_refresh()
        self.notify("refreshing…", timeout=1.5)

    def action_toggle_pause(self) -> None:
        self.refresher.paused = not self.refresher.paused
        if self.refresher.paused:
            if self._refresh_timer is not None:
                self._refresh_timer.stop()
                self._refresh_timer = None
            self.notify("live refresh paused (p to resume)", timeout=3)
        else:
            self.notify("live refresh resumed", timeout=2)
            self.request_refresh()
        if self._main is not None:
            self._main.update_status()

    def action_toggle_read_only(self) -> None:
        """Read-only at once; changes allowed again only after a confirmation naming the account."""
        if not self.session.read_only:
            self._set_read_only(True)
            self.notify("read-only: no request that changes anything will be sent (ctrl+r to allow changes)",
                        title="Read-only", timeout=5)
        else:
            self._allow_changes_worker()

    @work(group="read-only", exclusive=True, exit_on_error=False)
    async def _allow_changes_worker(self) -> None:
        from foas_tui.screens.confirm import ConfirmScreen

        session = self.session
        where = f"profile {session.profile_name}, region {session.region_id}, {session.endpoint}"
        allowed = await self.push_screen_wait(ConfirmScreen(
            "Allow changes?", f"Start, stop, edit, delete ... will act on real jobs again ({where}).",
            notes=["ctrl+r switches back to read-only at any time."], confirm_label="Allow changes"))
        if allowed and session.read_only:
            self._set_read_only(False)
            self.notify(f"changes allowed on {session.profile_name}", title="Read-write", severity="warning",
                        timeout=5, markup=False)

    def _set_read_only(self, read_only: bool) -> None:
        self.session.read_only = read_only
        self.session.client.read_only = read_only  # the client refuses mutating calls before any I/O
        for screen in self.screen_stack:
            screen.refresh_bindings()  # the footer and the palette show only what is allowed now
        if self._main is not None:
            self._main.update_status()

    def action_help(self) -> None:
        from foas_tui.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def action_jump(self, initial: str = "") -> None:
        from foas_tui.app_context import profile_suggestions, region_suggestions
        from foas_tui.screens.jump import JumpScreen

        suggestions: list[str] = [*profile_suggestions(self), *region_suggestions()]
        if self._main is not None:
            suggestions += [f"project {name}" for name in self._main.known_projects()]
            suggestions += [f"job {job}" for _project, job in self._main.known_jobs()]
        self.push_screen(JumpScreen(initial, suggestions), self.run_command_line)

    def action_zoom(self) -> None:
        from foas_tui.screens.layout import toggle_zoom

        toggle_zoom(self.screen)

    def action_command_log(self) -> None:
        from foas_tui.screens.command_log import CommandLogScreen

        if not isinstance(self.screen, CommandLogScreen):
            self.push_screen(CommandLogScreen())

    def _show_auth_help(self, err: Exception) -> None:
        from foas_tui.screens.auth_help import AuthHelpScreen

        if not any(isinstance(s, AuthHelpScreen) for s in self.screen_stack):
            self.push_screen(AuthHelpScreen(err))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "jump":  # not over a dialog, and in a text field `:` is a character
            from textual.screen import ModalScreen

            return not isinstance(self.screen, ModalScreen) and not _is_text_field(self.focused)
        return super().check_action(action, parameters)


def _is_text_field(widget: object) -> bool:
    """An Input or a TextArea (subclasses too), where `:` is typed text.

    Asked by the footer for the first frame; TextArea is recognised by its class name in the MRO instead of an
    isinstance check, because importing it pulls Textual's document and syntax machinery (~10 ms) that only the
    editor dialogs need.
    """
    from textual.widgets import Input

    if isinstance(widget, Input):
        return True
    return any(klass.__name__ == "TextArea" and klass.__module__.startswith("textual.")
               for klass in type(widget).__mro__)

