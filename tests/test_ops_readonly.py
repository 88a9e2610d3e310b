"""Read-only mode: mutating ops are hidden and disabled everywhere, and no mutating request is ever sent."""

from __future__ import annotations

import pytest
from textual.actions import parse as parse_action

from foas_tui.api import errors
from foas_tui.screens.ops_mixin import OPS_BINDINGS
from foas_tui.screens.resources import ResourcesScreen
from tests.test_ops_actions import make_app, running, select, wait_for
from tests.test_ops_safety import READ_ONLY_VIEWS, SPEC_MUTATING, settled


def requests(app) -> list[tuple[str, bool]]:
    return [(r.operation, r.mutating) for r in app.session.call_log]


async def test_read_only_hides_mutating_bindings_and_sends_nothing(monkeypatch) -> None:
    app = make_app(read_only=True)
    sent: list = []
    attempted: list[str] = []
    client = app.session.client
    client.observers.append(sent.append)
    invoke = client._invoke

    async def spy(operation, args):  # sees calls the client would refuse, too
        attempted.append(operation)
        return await invoke(operation, args)

    monkeypatch.setattr(client, "_invoke", spy)
    async with app.run_test(size=(100, 30)) as pilot:
        target = running(app)
        select(app, monkeypatch, target)  # one job: pause needs no confirmation
        # the action's name, as Textual passes it to check_action (`ops_pause(True)` -> `ops_pause`)
        ops_actions = {parse_action(binding.action)[1] for binding in OPS_BINDINGS}
        for action in ops_actions:
            assert app.check_action(action, ()) is (action in READ_ONLY_VIEWS), action
        # Hidden from the footer; `:` commands and the palette go through run_action, which checks too.
        active = {parse_action(b.binding.action)[1] for b in app.screen.active_bindings.values()}
        assert active & ops_actions <= READ_ONLY_VIEWS
        assert {"ops_validate", "ops_edit_code", "ops_resources"} <= active
        for key in ("s", "P", "ctrl+k", "u", "x", "C", "F", "D", "A", "n", "N", "M", "X", "ctrl+e"):
            await pilot.press(key)
            await pilot.pause(0.02)
        for command in ("stop", "start", "delete", "commit", "offline", "mkdir"):
            app.run_command_line(command)
        await app.run_action("ops_stop")  # as the palette does: run_action honours check_action
        await settled(pilot)
        ui_attempts = list(attempted)
        with pytest.raises(errors.ReadOnlyError):  # and the client refuses what a UI bug let through
            await client.delete_job(*target)
    assert [r.operation for r in sent if r.operation in SPEC_MUTATING] == []
    assert [op for op in ui_attempts if op in SPEC_MUTATING] == []
    assert all(op not in SPEC_MUTATING for op, _ in requests(app))


async def test_read_only_resources_screen_offers_no_changes(monkeypatch) -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        select(app, monkeypatch, running(app))
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ResourcesScreen))
        screen = app.screen
        for key in ("n", "u", "d", "b", "U"):
            assert screen.check_action("mutate", (key,)) is False
            await pilot.press(key)
        await settled(pilot)
        assert isinstance(app.screen, ResourcesScreen)
        assert all(r.operation not in SPEC_MUTATING for r in app.session.call_log)


async def test_read_only_toggles_at_runtime_and_allowing_changes_asks_first(monkeypatch) -> None:
    from foas_tui.screens.confirm import ConfirmScreen
    from tests.test_ops_actions import finish_run, mutating_calls, state

    app = make_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        target = running(app)
        select(app, monkeypatch, target)
        assert "READ-ONLY" in str(app.main_screen.query_one("#header").render())
        await pilot.press("ctrl+r")  # allowing changes is asked for, naming the account
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "demo" in app.screen.what_happens
        await pilot.press("escape")  # not confirmed: still read-only
        await pilot.pause(0.05)
        assert app.session.read_only and app.session.client.read_only
        assert app.check_action("ops_pause", ()) is False

        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.session.read_only)
        assert not app.session.client.read_only and app.check_action("ops_pause", ()) is True
        assert "READ-ONLY" not in str(app.main_screen.query_one("#header").render())
        await pilot.press("P")  # one job: pause goes out now
        await finish_run(pilot)
        assert mutating_calls(app) == ["ModifyInstanceState"] and state(app, *target) == "PAUSED"

        app.run_command_line("ro")  # back to read-only at once, no question
        await pilot.pause(0.05)
        assert app.session.read_only and not isinstance(app.screen, ConfirmScreen)
        await pilot.press("u")
        await settled(pilot)
        assert mutating_calls(app) == ["ModifyInstanceState"]  # nothing more was sent
        with pytest.raises(errors.ReadOnlyError):
            await app.session.client.delete_job(*target)
