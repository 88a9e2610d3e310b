"""Read-only says which key it refused and why (issue 14: "Read-only silently ignores keys instead of saying
why"): a toast names the key as the operator pressed it (remapped keys included), the action, and how to allow
changes; keys refused for another reason, and keys that change nothing, get no such toast."""

from __future__ import annotations

from typing import Any

import pytest

from foas_tui.screens.resources import ResourcesScreen
from foas_tui.screens.triage import TriageScreen
from foas_tui.widgets.filter_bar import FilterBar
from tests.test_ops_actions import make_app, mutating_calls, running, select, state, wait_for
from tests.test_ops_safety import settled


def spy_notes(app: Any, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    shown: list[str] = []
    notify = app.notify

    def spy(message: str, **kw: Any) -> None:
        shown.append(str(message))
        notify(message, **kw)

    monkeypatch.setattr(app, "notify", spy)
    return shown


def refusals(shown: list[str]) -> list[str]:
    return [m for m in shown if m.startswith("read-only:")]


async def test_a_refused_key_names_the_key_the_action_and_how_to_allow_changes(monkeypatch) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        target = running(app)
        select(app, monkeypatch, target)
        shown = spy_notes(app, monkeypatch)
        await pilot.press("x")
        await wait_for(pilot, lambda: refusals(shown))
        assert refusals(shown) == ["read-only: 'x' (Stop job) refused — ^r or :rw allows changes"]
        await pilot.press("P")
        await wait_for(pilot, lambda: len(refusals(shown)) == 2)
        assert "'P' (Pause job)" in refusals(shown)[1]
        await settled(pilot)
        assert mutating_calls(app) == [] and state(app, *target) == "RUNNING"


async def test_a_remapped_key_is_named_as_remapped_and_the_old_key_is_free(monkeypatch) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        select(app, monkeypatch, running(app))
        app.set_keymap({"ops.stop": "f7", "app.read_only": "f9"})
        shown = spy_notes(app, monkeypatch)
        await pilot.press("f7")
        await wait_for(pilot, lambda: refusals(shown))
        assert refusals(shown) == ["read-only: 'f7' (Stop job) refused — f9 or :rw allows changes"]
        await pilot.press("x")  # no longer stop: nothing to refuse
        await settled(pilot)
        assert len(refusals(shown)) == 1


async def test_a_colon_command_refused_by_read_only_says_so(monkeypatch) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        select(app, monkeypatch, running(app))
        shown = spy_notes(app, monkeypatch)
        app.run_command_line("stop")
        await wait_for(pilot, lambda: refusals(shown))
        assert refusals(shown) == ["read-only: ':stop' (Stop job) refused — ^r or :rw allows changes"]
        await settled(pilot)
        assert mutating_calls(app) == []


async def test_keys_that_change_nothing_or_are_refused_for_another_reason_get_no_read_only_toast(monkeypatch) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        select(app, monkeypatch, running(app))
        shown = spy_notes(app, monkeypatch)
        await pilot.press("p", "p")  # pause and resume the live refresh: allowed in read-only
        await pilot.press("t")
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen))
        await pilot.press("x")  # job actions do not run on the triage board, read-only or not
        await settled(pilot)
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main_screen)
        await pilot.press("slash", "x", "s", "P")  # letters typed into the filter are text
        await settled(pilot)
        assert app.main_screen.query_one(FilterBar).value.endswith("xsP")
        assert refusals(shown) == []


async def test_the_resources_screen_names_its_refused_change(monkeypatch) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        select(app, monkeypatch, running(app))
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ResourcesScreen))
        shown = spy_notes(app, monkeypatch)
        await pilot.press("n")
        await wait_for(pilot, lambda: refusals(shown))
        assert refusals(shown) == ["read-only: 'n' (New) refused — ^r or :rw allows changes"]
        await settled(pilot)
        assert mutating_calls(app) == []


async def test_with_changes_allowed_no_key_is_refused(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        select(app, monkeypatch, running(app))
        shown = spy_notes(app, monkeypatch)
        await pilot.press("P")  # one job: no confirm
        await wait_for(pilot, lambda: mutating_calls(app) == ["ModifyInstanceState"])
        assert refusals(shown) == []
