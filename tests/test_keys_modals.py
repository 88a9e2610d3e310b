"""Modal dialogs own the keyboard (issue 14, finding 1: letters typed in the type-the-name dialog leaked to the
main screen, where `P` or `u` paused or resumed a job without a confirm). For every dialog the app can open,
each of the main screen's action keys is typed into it: nothing behind it may act — no request that changes
anything reaches the emulator, no screen opens, refresh, theme and read-only stay as they were."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from textual.screen import ModalScreen

from foas_tui import keys
from foas_tui.api import errors
from foas_tui.screens.confirm import Choice, ChoiceScreen, TextScreen
from foas_tui.screens.resources import ResourcesScreen
from tests.test_ops_actions import (
    finish_run,
    make_app,
    mutating_calls,
    running,
    select,
    sql_job,
    stopped,
    store,
    wait_for,
)

# Keys that move inside a dialog by design (focus, press a button, close it): not the main screen's actions.
NAVIGATION = {"tab", "shift+tab", "space", "enter", "escape", "up", "down", "left", "right", "home", "end",
              "ctrl+c"}  # ctrl+c quits from anywhere (asking first when work would be lost)


def main_screen_keys() -> list[str]:
    """Every key the main screen, its panes and the app bind, as Textual names them (e.g. dollar_sign)."""
    names: list[str] = []
    for _scope, key in keys.iter_keys(("app", "views", "ops", "main", "tree", "table", "pane")):
        names += [name for name in keys.bound_keys(key, {}) if name not in NAVIGATION and name not in names]
    return names


def scope_of(app: Any, monkeypatch: pytest.MonkeyPatch, project: str, path: str, folder: bool) -> None:
    monkeypatch.setattr(app, "_ops_scope", lambda: (project, path, path if folder else None))


def empty_folder(app: Any) -> tuple[str, str]:
    project = store(app).project("realtime_dw")
    for path, folder in project.folders.items():
        if path != "/" and not any(j.folder_id == folder.folder_id for j in project.jobs.values()) \
                and not any(p.startswith(path + "/") for p in project.folders):
            return "realtime_dw", path
    raise AssertionError("the demo data has no empty folder")


async def press_to_open(pilot: Any, *key_names: str) -> None:
    await pilot.press(*key_names)


Opener = Callable[[Any, Any, pytest.MonkeyPatch], Awaitable[None]]


async def _stop(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    select(app, mp, running(app))
    await pilot.press("x")


async def _delete(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    select(app, mp, running(app))
    await pilot.press("D")


async def _start(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    select(app, mp, stopped(app))
    await pilot.press("s")


async def _commit(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    select(app, mp, sql_job(app))
    await pilot.press("C")


async def _properties(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    select(app, mp, sql_job(app))
    await pilot.press("K")


async def _editor(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    select(app, mp, sql_job(app))
    await pilot.press("E")


async def _new_job(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    scope_of(app, mp, "realtime_dw", "/", folder=False)
    await pilot.press("n")


async def _new_folder(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    scope_of(app, mp, "realtime_dw", "/", folder=False)
    await pilot.press("N")


async def _move_folder(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    project, path = empty_folder(app)
    scope_of(app, mp, project, path, folder=True)
    await pilot.press("M")


async def _delete_folder(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    project, path = empty_folder(app)
    scope_of(app, mp, project, path, folder=True)
    await pilot.press("X")


async def _validate(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    select(app, mp, sql_job(app))
    await pilot.press("v")


async def _raw_plan(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    select(app, mp, sql_job(app))
    await pilot.press("J")


async def _progress(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    select(app, mp, running(app))
    await pilot.press("P")  # one job, no confirm: its progress (the frozen clock keeps it short of PAUSED)


async def _bulk_summary(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    select(app, mp, running(app))
    await pilot.press("P")
    await finish_run(pilot)
    while app.screen is not app.main_screen:  # the progress closes itself or waits for esc
        await pilot.press("escape")
        await pilot.pause()
    await pilot.press("w")  # the last action, finished: its summary


async def _jump(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    await pilot.press("colon")


async def _help(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    await pilot.press("question_mark")


async def _allow_changes(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    app.action_toggle_read_only()  # on: at once; off: the question below
    await wait_for(pilot, lambda: app.session.read_only)
    await pilot.press("ctrl+r")


async def _resource_form(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    select(app, mp, running(app))
    await pilot.press("R")
    await wait_for(pilot, lambda: isinstance(app.screen, ResourcesScreen) and app.screen.rows)
    await pilot.press("n")


async def _auth_help(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    app.report_error(errors.AuthError("InvalidAccessKeyId.NotFound", "Specified access key is not found."))


async def _choice(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    app.push_screen(ChoiceScreen("Keep the draft?", "A draft of this job is on disk.",
                                 [Choice("keep", "Keep", key="k"), Choice("drop", "Drop", key="d")]))


async def _text(app: Any, pilot: Any, mp: pytest.MonkeyPatch) -> None:
    app.push_screen(TextScreen("A report", "text"))


DIALOGS: dict[str, tuple[Opener, str]] = {
    "stop confirmation": (_stop, "ConfirmScreen"),
    "type-the-name delete": (_delete, "ConfirmScreen"),
    "start form": (_start, "StartJobScreen"),
    "commit form": (_commit, "CommitScreen"),
    "properties form": (_properties, "PropertiesFormScreen"),
    "code editor": (_editor, "CodeEditorScreen"),
    "new job form": (_new_job, "CreateJobScreen"),
    "new folder form": (_new_folder, "FolderFormScreen"),
    "move folder form": (_move_folder, "FolderFormScreen"),
    "delete folder confirmation": (_delete_folder, "ConfirmScreen"),
    "validation report": (_validate, "TextScreen"),
    "raw plan": (_raw_plan, "PlanScreen"),
    "action progress": (_progress, "ActionProgressScreen"),
    "action summary": (_bulk_summary, "BulkSummaryScreen"),
    "command line": (_jump, "JumpScreen"),
    "help": (_help, "HelpScreen"),
    "allow changes": (_allow_changes, "ConfirmScreen"),
    "resource form": (_resource_form, "MutationFormScreen"),
    "authentication help": (_auth_help, "AuthHelpScreen"),
    "choice": (_choice, "ChoiceScreen"),
    "text report": (_text, "TextScreen"),
}


def dialog_own_keys(dialog: Any) -> set[str]:
    """Keys the dialog itself answers (its bindings, its widgets', a choice's letter): typing them acts in it."""
    own = set(dialog.active_bindings)
    own |= {choice.key for choice in getattr(dialog, "choices", ()) if getattr(choice, "key", None)}
    return own


def observed(app: Any) -> dict[str, Any]:
    return {"stack": list(app.screen_stack), "mutating": mutating_calls(app), "paused": app.refresher.paused,
            "theme": app.theme, "read_only": app.session.read_only, "return_code": app.return_code,
            "selection": app.current_selection()}


@pytest.mark.parametrize("name", list(DIALOGS))
async def test_keys_typed_in_a_dialog_reach_nothing_behind_it(monkeypatch, name: str) -> None:
    opener, class_name = DIALOGS[name]
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        main = app.main_screen
        await wait_for(pilot, lambda: main.tree.projects_loaded.is_set())
        await opener(app, pilot, monkeypatch)
        await wait_for(pilot, lambda: type(app.screen).__name__ == class_name)
        dialog = app.screen
        assert isinstance(dialog, ModalScreen)
        await pilot.pause()
        own = dialog_own_keys(dialog)
        typed = [key for key in main_screen_keys() if key not in own]
        assert {"P", "u", "x", "s", "D", "e", "t", "L", "p", "r"} - own <= set(typed)
        before = observed(app)
        workers_before = set(app.workers)
        for key in typed:
            await pilot.press(key)
            assert app.screen is dialog, f"{key!r} typed in the {name} opened {app.screen!r} over it"
        # Let whatever those keys started finish (a leaked job action would be a worker sending a request).
        started = [w for w in app.workers if w not in workers_before]
        await asyncio.wait_for(asyncio.gather(*(w.wait() for w in started), return_exceptions=True), timeout=10)
        await pilot.pause()
        after = observed(app)
        assert after == before, f"keys typed in the {name} acted behind it: {before} -> {after}"


def test_every_dialog_the_app_has_is_in_the_walk_above() -> None:
    """A new ModalScreen must be added to DIALOGS (with how to open it) before it can ship."""
    from tests.test_keys_keymap import foas_classes

    dialogs = {cls.__name__ for cls in foas_classes() if issubclass(cls, ModalScreen) and cls is not ModalScreen
               and cls.__module__.startswith("foas_tui.")}
    covered = {class_name for _opener, class_name in DIALOGS.values()}
    assert dialogs <= covered, f"dialogs no test types into: {sorted(dialogs - covered)}"
