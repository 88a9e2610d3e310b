"""One place defines every key, and one binding id is one action concept (issue 14: `e` `c` `m` `i` had two
ids each, so remapping one left the other on the old key). Old ids in `[keymap]` still work, reported renamed."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections import defaultdict
from typing import Any

import pytest
from textual.binding import Binding

from foas_tui import keys
from foas_tui.app import FoasApp
from foas_tui.config import AppConfig, config_path, load_config
from foas_tui.screens.checkpoints import CheckpointsScreen
from foas_tui.screens.exceptions import ExceptionsScreen
from foas_tui.screens.triage import TriageScreen
from tests.test_ops_actions import make_app, running, select, wait_for
from tests.test_ops_safety import settled


def foas_classes() -> list[type]:
    classes: list[type] = [FoasApp]
    for package_name in ("foas_tui.screens", "foas_tui.widgets"):
        package = importlib.import_module(package_name)
        for info in pkgutil.iter_modules(package.__path__, prefix=f"{package_name}."):
            module = importlib.import_module(info.name)
            classes += [c for _, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == info.name]
    return classes


def shape(binding: Binding) -> tuple[Any, ...]:
    return (binding.key, binding.action, binding.description, binding.show, binding.key_display, binding.priority,
            binding.id)


def test_every_binding_of_the_app_its_screens_and_panes_comes_from_foas_tui_keys() -> None:
    checked = []
    for cls in foas_classes():
        declared = [b for b in vars(cls).get("BINDINGS", []) if isinstance(b, Binding)]
        if not declared:
            continue
        scopes = [s.name for s in keys.SCOPES.values() if cls.__name__ in s.classes]
        if cls is FoasApp:  # the app splices in its feature mixins' bindings
            scopes = ["app", "views", "ops"]
        assert scopes, f"{cls.__module__}.{cls.__name__} declares BINDINGS outside foas_tui/keys.py: move them there"
        assert [shape(b) for b in declared] == [shape(b) for b in keys.bindings(*scopes)], cls.__name__
        checked.append(cls.__name__)
    assert {"FoasApp", "MainScreen", "ViewerScreen", "TriageScreen", "ConfirmScreen", "InstanceTable"} <= set(checked)


# Same keys and words, different things: saving a file vs saving code to the service; going back from a screen
# vs leaving a dialog without an answer.
DIFFERENT_CONCEPTS = {("ctrl+s", "Save"): {"export", "ops.editor.save"},
                      ("escape", "Back"): {"nav.back", "dialog.close"}}


def test_the_same_key_for_the_same_words_has_one_id() -> None:
    ids: dict[tuple[str, str], set[str | None]] = defaultdict(set)
    for scope in keys.SCOPES.values():
        for key in scope.keys:
            if key.id is not None:
                ids[(key.keys, key.description)].add(key.id)
    split = {pair: found for pair, found in ids.items() if len(found) > 1 and DIFFERENT_CONCEPTS.get(pair) != found}
    assert not split, f"one action concept, several binding ids: {split}"


def test_view_keys_have_one_id_each_on_the_main_screen_the_viewers_and_the_triage_board() -> None:
    for view, key_name in (("exceptions", "e"), ("checkpoints", "c"), ("metrics", "m"), ("internals", "i")):
        places = {scope.name: key.id for scope in keys.SCOPES.values() for key in scope.keys
                  if key.keys == key_name and key.description.lower() == view}
        # the "what failed" list opens an instance's exceptions too, with the same id
        expected = {"views", "viewer", "triage_board"} | ({"failures"} if view == "exceptions" else set())
        assert set(places) == expected and set(places.values()) == {f"view.{view}"}


def test_old_ids_are_translated_and_reported_as_renamed() -> None:
    resolved = keys.resolve_keymap({"triage.exceptions": "f2", "ops.stop": "ctrl+x", "ops.stp": "f3"})
    assert resolved.keymap == {"view.exceptions": "f2", "ops.stop": "ctrl+x", "ops.stp": "f3"}
    sentences = dict(resolved.problems)
    assert "renamed 'view.exceptions'" in sentences["triage.exceptions"]
    assert sentences["ops.stp"].startswith("unknown binding id 'ops.stp'")
    # Today's id wins over an old one naming the same concept, and the old one is reported as ignored.
    both = keys.resolve_keymap({"viewer.metrics": "f4", "view.metrics": "f5"})
    assert both.keymap == {"view.metrics": "f5"} and "ignored" in dict(both.problems)["viewer.metrics"]
    assert set(keys.RENAMED.values()) <= keys.known_ids(), "a rename must lead to an id that exists"
    assert not set(keys.RENAMED) & keys.known_ids(), "an old id must not still be in use"


async def _view_key_moves_everywhere(app: FoasApp, pilot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    select(app, monkeypatch, running(app))
    await pilot.press("c")
    await wait_for(pilot, lambda: isinstance(app.screen, CheckpointsScreen))
    viewer = app.screen
    await pilot.press("e")  # the old key, on a viewer: no longer exceptions
    await settled(pilot)
    assert app.screen is viewer, "e still opened the exceptions on a viewer after view.exceptions was remapped"
    await pilot.press("f2")
    await wait_for(pilot, lambda: isinstance(app.screen, ExceptionsScreen))
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.screen is app.main_screen)
    await pilot.press("t")
    await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.current_row() is not None)
    board = app.screen
    await pilot.press("e")
    await settled(pilot)
    assert app.screen is board, "e still opened the exceptions on the triage board"
    await pilot.press("f2")
    await wait_for(pilot, lambda: isinstance(app.screen, ExceptionsScreen))
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.screen is board)
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.screen is app.main_screen)
    await pilot.press("e")  # and on the main screen
    await settled(pilot)
    assert app.screen is app.main_screen
    await pilot.press("f2")
    await wait_for(pilot, lambda: isinstance(app.screen, ExceptionsScreen))


async def test_remapping_view_exceptions_moves_the_key_on_every_screen(monkeypatch) -> None:
    app = make_app(config=AppConfig(keymap={"view.exceptions": "f2"}))
    async with app.run_test(size=(100, 30)) as pilot:
        await _view_key_moves_everywhere(app, pilot, monkeypatch)


@pytest.mark.parametrize("old_id", ["triage.exceptions", "viewer.exceptions", "triage_board.exceptions"])
async def test_an_old_id_in_config_toml_still_remaps_everywhere_and_is_reported_renamed(monkeypatch, old_id) -> None:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f'[keymap]\n"{old_id}" = "f2"\n', encoding="utf-8")
    app = make_app(config=load_config())
    shown: list[str] = []
    notify = app.notify
    monkeypatch.setattr(app, "notify", lambda message, **kw: (shown.append(str(message)), notify(message, **kw)))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: any("keymap" in m for m in shown))
        assert [m for m in shown if "keymap" in m] == [
            f"{path} line 2: keymap: {old_id!r} was renamed 'view.exceptions' (one id for the action on every "
            "screen); 'f2' applies to it — rename it in the file"]
        await _view_key_moves_everywhere(app, pilot, monkeypatch)


def test_the_keys_marked_mutating_are_the_actions_read_only_refuses() -> None:
    from foas_tui.screens.ops_mixin import MUTATING_ACTIONS

    def name(action: str) -> str:  # `ops_pause(True)` (ctrl+k) is the action ops_pause with an argument
        return action.split("(", 1)[0]

    assert {name(a) for a in keys.mutating_actions("ops")} == \
        MUTATING_ACTIONS & {name(key.action) for key in keys.SCOPES["ops"].keys}
    assert keys.mutating_actions("resources") == {key.action for key in keys.SCOPES["resources"].keys
                                                  if key.action.startswith("mutate(")}
