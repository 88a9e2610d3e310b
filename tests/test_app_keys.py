"""Keys an operator can trust (issue 14, finding 1): `q` goes back except on the main screen, quitting asks
first when an action is still followed or an edit is unsaved, and a dialog keeps its keys to itself."""

from __future__ import annotations

from typing import Any

from foas_tui.screens.code_editor import CodeEditorScreen
from foas_tui.screens.confirm import ConfirmScreen
from foas_tui.screens.triage import TriageScreen
from tests.test_ops_actions import make_app, mutating_calls, running, select, state, wait_for


async def exited(pilot: Any) -> None:
    await wait_for(pilot, lambda: pilot.app.return_code is not None)


async def test_q_on_the_triage_board_goes_back_and_on_the_main_screen_quits() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        await pilot.press("q")
        await wait_for(pilot, lambda: app.screen is app.main_screen)
        assert app.return_code is None, "q on the triage board quit the app"
        await pilot.press("q")  # nothing in flight, nothing unsaved: no question
        await exited(pilot)
    assert app.return_code == 0


async def test_ctrl_c_with_an_action_in_flight_asks_and_twice_quits(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        target = running(app)
        select(app, monkeypatch, target)
        await pilot.press("P")  # one job: no confirm; the frozen clock keeps it short of PAUSED
        await wait_for(pilot, lambda: mutating_calls(app) == ["ModifyInstanceState"])
        assert not app._ops_last_run.finished
        before = app.screen  # the action's progress
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert any(target[1] in reason for reason in app.screen.targets), app.screen.targets
        await pilot.press("escape")  # not now
        await wait_for(pilot, lambda: app.screen is before)
        assert app.return_code is None
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("ctrl+c")  # again: the operator means it
        await exited(pilot)


async def test_quitting_with_an_unsaved_edit_asks_first(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        select(app, monkeypatch, running(app))
        await pilot.press("E")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeEditorScreen) and app.screen.query("#editor-area"))
        editor = app.screen
        editor.query_one("#editor-area").insert("-- a change\n", (0, 0))
        await wait_for(pilot, lambda: editor.edit.dirty)
        app.run_command_line("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert any("unsaved changes" in reason for reason in app.screen.targets)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is editor)
        assert editor.edit.dirty and app.return_code is None


async def test_letters_typed_in_the_type_the_name_dialog_reach_nothing_behind_it(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        target = running(app)
        select(app, monkeypatch, target)
        await pilot.press("D")  # delete: the name must be typed
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        dialog = app.screen
        for key in ("P", "u", "x", "s", "C", "F", "q", "t", "L", "r", "colon"):
            await pilot.press(key)
            await pilot.pause()
            assert app.screen is dialog, f"{key!r} left the dialog"
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen)
        await pilot.pause()
        assert mutating_calls(app) == [] and state(app, *target) == "RUNNING"


async def test_keys_typed_fast_after_colon_land_in_the_prompt_and_tab_completes() -> None:
    from textual import events
    from textual.widgets import Input

    from foas_tui.screens.jump import JumpScreen

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        main = app.main_screen
        await wait_for(pilot, lambda: main.tree.projects_loaded.is_set() and main.live.row_count)
        main.tree.focus()
        await pilot.pause()
        # All at once, as a paste or a fast typist over SSH delivers them: nothing waits for the prompt.
        for char in ":job ods_":
            app._driver.send_message(events.Key({":": "colon", " ": "space", "_": "underscore"}.get(char, char), char))
        await wait_for(pilot, lambda: isinstance(app.screen, JumpScreen) and app.screen.query("#jump-input")
                       and app.screen.query_one("#jump-input", Input).value == "job ods_")
        field = app.screen.query_one("#jump-input", Input)
        await pilot.press("tab")
        await wait_for(pilot, lambda: field.value.startswith("job ods_") and len(field.value) > len("job ods_"))
        assert field.has_focus, "tab completes; it does not move the focus away"
