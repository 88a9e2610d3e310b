"""Editing: drafts survive a crash, remote changes show as a conflict, properties are validated, $EDITOR works."""

from __future__ import annotations

import contextlib
import stat
import sys
from typing import Any

import pytest
from textual.app import App

from foas_tui.screens.code_editor import CodeEditorScreen
from foas_tui.screens.confirm import ChoiceScreen
from foas_tui.screens.properties_form import PropertiesFormScreen
from foas_tui.services.drafts import DraftKey, DraftStore
from tests.test_ops_actions import job, make_app, mutating_calls, select, sql_job, wait_for


async def open_editor(pilot: Any, monkeypatch: pytest.MonkeyPatch) -> CodeEditorScreen:
    app = pilot.app
    select(app, monkeypatch, sql_job(app))
    await pilot.press("E")
    await wait_for(pilot, lambda: isinstance(app.screen, CodeEditorScreen | ChoiceScreen))
    return app.screen


async def test_draft_survives_a_crash_and_is_offered_back(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        target = sql_job(app)
        editor = await open_editor(pilot, monkeypatch)
        assert isinstance(editor, CodeEditorScreen)
        original = editor.edit.base_text
        area = editor.query_one("#editor-area")
        area.move_cursor(area.document.end)
        await pilot.press(*"-- draft")
        await pilot.pause(0.05)
        assert editor.edit.dirty
        # The app goes away here without saving (as after a dropped SSH session).
    draft = DraftStore().load(DraftKey("demo", *target))
    assert draft is not None and draft.text.endswith("-- draft") and draft.base_text == original

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        offer = await open_editor(pilot, monkeypatch)
        assert isinstance(offer, ChoiceScreen) and offer.title_text == "Recover unsaved draft?"
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeEditorScreen))
        assert app.screen.query_one("#editor-area").text.endswith("-- draft")
        assert mutating_calls(app) == []


async def test_what_editor_wrote_before_the_app_died_is_offered_back(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        target = sql_job(app)
        original = job(app, *target).code
    # The app died while $EDITOR was open (a dropped SSH session); the editor had written the file.
    store = DraftStore()
    key = DraftKey("demo", *target)
    scratch = store.scratch_path(key)
    scratch.parent.mkdir(parents=True, exist_ok=True)
    scratch.write_text(original + "\n-- typed in vim before the link dropped", encoding="utf-8")

    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        offer = await open_editor(pilot, monkeypatch)
        assert isinstance(offer, ChoiceScreen) and offer.title_text == "Recover unsaved draft?"
        assert not scratch.exists()  # it is a draft now (and stays one until saved or discarded)
        assert store.load(key).base_text == original
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, CodeEditorScreen))
        assert app.screen.query_one("#editor-area").text.endswith("-- typed in vim before the link dropped")
        assert mutating_calls(app) == []


async def test_saving_over_a_remote_change_shows_the_conflict(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot, monkeypatch)
        area = editor.query_one("#editor-area")
        area.move_cursor(area.document.end)
        await pilot.press(*"-- mine")
        await pilot.pause(0.05)
        # Someone else saves the job behind the editor's back.
        theirs = editor.edit.base_text + "\n-- theirs"
        target = sql_job(app)
        await app.session.client.update_job(*target, code=theirs)
        before = mutating_calls(app)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        assert app.screen.title_text == "Changed remotely"
        assert mutating_calls(app) == before  # nothing was overwritten
        await pilot.press("k")  # keep editing: my text stays, the remote becomes the base
        await wait_for(pilot, lambda: isinstance(app.screen, CodeEditorScreen))
        assert editor.edit.base_text == theirs and editor.edit.text.endswith("-- mine")
        await pilot.press("ctrl+s")  # now a clean save: the diff, then UpdateJob
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen) and "Save" in app.screen.title_text)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen) and app.screen.title_text == "Saved")
        assert job(app, *target).code.endswith("-- mine")
        assert DraftStore().load(DraftKey("demo", *target)) is None


async def test_closing_with_unsaved_changes_asks_and_keeps_the_draft(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        editor = await open_editor(pilot, monkeypatch)
        await pilot.press(*"x")
        await pilot.pause(0.05)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        assert app.screen.title_text == "Unsaved changes"
        await pilot.press("k")
        await wait_for(pilot, lambda: not isinstance(app.screen, CodeEditorScreen | ChoiceScreen))
        assert DraftStore().load(DraftKey("demo", *sql_job(app))).text == editor.edit.text


async def test_properties_are_validated_with_clear_messages_then_saved_minimally(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        target = sql_job(app)
        select(app, monkeypatch, target)
        before = job(app, *target).properties
        await pilot.press("K")
        await wait_for(pilot, lambda: isinstance(app.screen, PropertiesFormScreen))
        form = app.screen
        keys = [str(w.render()) for w in form.query(".prop-key")]
        interval = keys.index("blink.checkpoint.interval.ms")
        form.query_one(f"#prop-{interval}").value = "3 minutes"
        await pilot.pause(0.05)
        await pilot.press("ctrl+s")
        expected = "blink.checkpoint.interval.ms must be a whole number in ms (e.g. 180000); got '3 minutes'"
        await wait_for(pilot, lambda: expected in str(form.query_one(f"#prop-{interval}-error").render()))
        assert app.screen is form and mutating_calls(app) == []

        form.query_one(f"#prop-{interval}").value = before_value(before, "blink.checkpoint.interval.ms")
        form.query_one(f"#prop-{keys.index('blink.topn.cache.size')}").value = "20000"
        await pilot.pause(0.05)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen) and "Save" in app.screen.title_text)
        await pilot.press("s")
        await wait_for(pilot, lambda: "UpdateJob" in mutating_calls(app))
        after = job(app, *target).properties
        assert "blink.topn.cache.size=20000" in after.splitlines()
        # Only that line changed: comments, order and other keys are as they were.
        assert [line for line in after.splitlines() if "topn" not in line] == \
            [line for line in before.splitlines() if "topn" not in line]


def before_value(text: str, key: str) -> str:
    from foas_tui.services.properties import PropertiesText

    return PropertiesText.parse(text).get(key) or ""


EDITOR_SCRIPT = """\
import sys
path = sys.argv[1]
with open(path, encoding="utf-8") as f:
    text = f.read()
with open(path, "w", encoding="utf-8") as f:
    f.write(text.replace("SELECT", "SELECT /* via $EDITOR */", 1))
"""


async def test_external_editor_edits_and_saves_with_a_diff(monkeypatch, tmp_path) -> None:
    script = tmp_path / "fake_editor.py"
    script.write_text(EDITOR_SCRIPT)
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("EDITOR", f"{sys.executable} {script}")
    monkeypatch.delenv("VISUAL", raising=False)
    # The headless test driver cannot suspend; a real terminal does. Suspending is a no-op here.
    monkeypatch.setattr(App, "suspend", lambda self: contextlib.nullcontext())
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        target = sql_job(app)
        select(app, monkeypatch, target)
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        assert "Save" in app.screen.title_text  # the diff of the change comes before UpdateJob
        assert mutating_calls(app) == []
        await pilot.press("s")
        await wait_for(pilot, lambda: "UpdateJob" in mutating_calls(app))
        assert "/* via $EDITOR */" in job(app, *target).code
