"""An unexpected error in a screen ends as a toast and a log entry; the app stays up and the edit is kept.

The guard is on in production and off in the rest of the suite (tests/conftest.py sets
$FOAS_TUI_RAISE_ERRORS), so these tests switch it on for their app.
"""

from __future__ import annotations

import logging
from typing import Any

import pytest
from test_app_support import make_app, notifications, ready, wait_for
from textual.widgets import Static

from foas_tui.error_guard import STORM_ERRORS, Guarded, contain_errors_default, work


def guarded_app(**kw: Any) -> Any:
    app = make_app(jobs=12, **kw)
    app.contain_errors = True
    return app


def test_the_suite_runs_strict_and_production_contains(monkeypatch: pytest.MonkeyPatch) -> None:
    assert not contain_errors_default()  # conftest's setting: a bug fails its test
    monkeypatch.delenv("FOAS_TUI_RAISE_ERRORS")
    assert contain_errors_default()


async def test_an_error_in_a_key_action_is_a_toast_and_the_app_stays_up(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    app = guarded_app()

    class BrokenHelp:
        def __init__(self, *_args: Any) -> None:
            raise RuntimeError("help exploded")

    monkeypatch.setattr("foas_tui.screens.help.HelpScreen", BrokenHelp)
    with caplog.at_level(logging.ERROR, logger="foas_tui.error_guard"):
        async with app.run_test(size=(100, 30)) as pilot:
            await ready(pilot)
            await pilot.press("question_mark")  # the app's `help` action raises
            await wait_for(pilot, lambda: any("RuntimeError: help exploded" in n for n in notifications(app)),
                           what="the error toast")
            await pilot.press("question_mark")  # the app still takes keys (a second toast)
            await wait_for(pilot, lambda: sum("help exploded" in n for n in notifications(app)) == 2,
                           what="the second toast")
            assert app.is_running and app.return_code is None
    assert any(r.exc_info and "help exploded" in str(r.exc_info[1]) for r in caplog.records)


class Probe(Guarded, Static):
    """A widget of ours with a worker that fails."""

    @work(exit_on_error=True)
    async def fail(self) -> None:
        raise KeyError("missing-field")


async def test_an_error_in_a_worker_is_a_toast_naming_the_real_error() -> None:
    app = guarded_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        probe = Probe()
        await app.screen.mount(probe)
        probe.fail()
        await wait_for(pilot, lambda: any("KeyError: 'missing-field'" in n for n in notifications(app)),
                       what="the worker error toast")
        assert app.is_running


async def test_an_unsaved_edit_survives_an_error_in_its_screens_handler(monkeypatch: pytest.MonkeyPatch) -> None:
    from test_ops_actions import select, sql_job

    from foas_tui.screens.code_editor import CodeEditorScreen

    app = guarded_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        select(app, monkeypatch, sql_job(app))
        await pilot.press("E")
        editor = await wait_for(pilot, lambda: isinstance(app.screen, CodeEditorScreen) and app.screen,
                                what="the editor")
        area = editor.query_one("#editor-area")
        await wait_for(pilot, lambda: area.has_focus, what="the editor's focus")
        area.move_cursor(area.document.end)
        await pilot.press(*"-- mine")
        await wait_for(pilot, lambda: area.text.endswith("-- mine"), what="the typed text")

        def broken_status() -> None:
            raise ValueError("status bug")

        monkeypatch.setattr(editor, "_update_status", broken_status)  # the editor's change handler now raises
        await pilot.press("!")
        await wait_for(pilot, lambda: any("ValueError: status bug" in n for n in notifications(app)),
                       what="the error toast")
        await pilot.press("?")  # the editor still takes keys
        await wait_for(pilot, lambda: area.text.endswith("-- mine!?"), what="more typing")
        assert app.screen is editor and editor.edit.text.endswith("-- mine!?")  # the draft has it too


async def test_an_error_storm_still_ends_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    """Errors without end mean the app is broken: after STORM_ERRORS quick ones it exits (no locals shown)."""
    app = guarded_app()

    class BrokenHelp:
        def __init__(self, *_args: Any) -> None:
            raise RuntimeError("again")

    monkeypatch.setattr("foas_tui.screens.help.HelpScreen", BrokenHelp)
    with pytest.raises(RuntimeError, match="again"):
        async with app.run_test(size=(100, 30)) as pilot:
            await ready(pilot)
            for _ in range(STORM_ERRORS):
                await pilot.press("question_mark")
            await wait_for(pilot, lambda: not app.is_running, what="the app to exit")
    assert app.return_code == 1


def _foas_modules() -> list[Any]:
    import importlib
    import pkgutil

    import foas_tui

    names = [m.name for m in pkgutil.walk_packages(foas_tui.__path__, "foas_tui.")]
    skip = ("__main__", ".cli")  # importing __main__ would run the CLI
    return [importlib.import_module(name) for name in names if not name.endswith(skip) and ".emulator" not in name]


def test_every_handler_of_ours_is_guarded() -> None:
    """Screens, widgets and the app build on the guarded bases, so each `on_*`/`action_*`/`key_*` is contained,
    and `@on` / `@work` come from foas_tui.error_guard (Textual's own would let an error end the app)."""
    import inspect
    import re
    from pathlib import Path

    from textual.message_pump import MessagePump

    from foas_tui.error_guard import GUARDED_PREFIXES

    unguarded = []
    for module in _foas_modules():
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, MessagePump):
                continue
            for name, value in vars(cls).items():
                if name.startswith(GUARDED_PREFIXES) and inspect.isfunction(value) \
                        and not getattr(value, "__contained__", False):
                    unguarded.append(f"{cls.__module__}.{cls.__qualname__}.{name}")
        source = Path(module.__file__).read_text(encoding="utf-8")
        if not module.__name__.endswith("error_guard") and re.search(
                r"^from textual import .*\b(on|work)\b|@textual\.(on|work)\b", source, re.M):
            unguarded.append(f"{module.__name__}: imports Textual's own `on`/`work`")
    assert unguarded == []
