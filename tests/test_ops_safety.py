"""Safety nets judged by behaviour, with expectations written out from the API reference (issue 13).

- The mutating operations are listed here from the spec (every PUT/POST/DELETE except the two POST reads,
  GetInstanceMetric and GetClusterMetrics), not taken from the code under test.
- In read-only mode no key of the ops bindings opens anything that leads to a change, and no request for
  one of those operations is even attempted.
- A fresh destructive confirmation answered with Enter sends nothing: the default is Cancel.
"""

from __future__ import annotations

import asyncio
from typing import Any

from foas_tui.api.operations import OPERATIONS
from foas_tui.screens.confirm import ConfirmScreen
from foas_tui.screens.ops_mixin import OPS_BINDINGS
from tests.test_ops_actions import make_app, mutating_calls, running, select, state, store, wait_for
from tests.test_ops_create import scope

# From ../shared/api/*.json (method and name of each of the 67 operations), written out by hand.
SPEC_MUTATING = frozenset({
    "ModifyInstanceState", "UpdateAutoScaleConfig",
    "CreateFolder", "DeleteFolder", "MVFolder",
    "CommitJob", "CreateJob", "DeleteJob", "OfflineJob", "StartJob", "UpdateJob",
    "CreatePackage", "DeletePackage", "UpdatePackage",
    "CreateQueue", "DeleteQueue", "BindQueue", "UnbindQueue", "UpdateQueue",
    "CreateCluster", "CreateCellClusterOrder", "DestroyCluster", "ExpandCluster", "ShrinkCluster",
    "ModifyMasterSpec",
    "CreateProject", "DeleteProject", "UpdateProject", "UpdateProjectConfig",
    "TagResources", "UntagResources",
})
# Keys that may open a screen in read-only mode: they show things and change nothing (the code and
# properties editors open read-only: saving is refused there).
READ_ONLY_VIEWS = frozenset({
    "ops_validate", "ops_raw_plan", "ops_calc_resources", "ops_edit_code", "ops_edit_properties",
    "ops_resources", "ops_show_progress",
})


def test_the_clients_table_marks_exactly_the_specs_mutating_operations() -> None:
    assert len(OPERATIONS) == 67
    marked = {name for name, op in OPERATIONS.items() if op.mutating}
    assert marked == SPEC_MUTATING, (f"marked but read in the spec: {sorted(marked - SPEC_MUTATING)}; "
                                     f"mutating in the spec but not marked: {sorted(SPEC_MUTATING - marked)}")


async def settled(pilot: Any) -> None:
    """Let every worker the last keys started finish: a negative check needs nothing left in flight."""
    await pilot.pause()
    await asyncio.wait_for(pilot.app.workers.wait_for_complete(), timeout=10)
    await pilot.pause()


async def _back_to_main(pilot: Any) -> None:
    app = pilot.app
    for _ in range(5):
        if app.screen is app.main_screen:
            return
        await pilot.press("escape")
        await pilot.pause(0.02)
    assert app.screen is app.main_screen, f"could not leave {app.screen!r}"


async def test_read_only_no_ops_key_leads_to_a_change(monkeypatch) -> None:
    app = make_app(read_only=True)
    attempted: list[str] = []
    client = app.session.client
    invoke = client._invoke

    async def spy(operation: str, args: Any) -> Any:  # sees what the client would refuse, too
        attempted.append(operation)
        return await invoke(operation, args)

    monkeypatch.setattr(client, "_invoke", spy)
    async with app.run_test(size=(100, 30)) as pilot:
        target = running(app)
        select(app, monkeypatch, target)
        scope(app, monkeypatch, target[0], "/", folder=False)
        opened: dict[str, str] = {}
        for binding in OPS_BINDINGS:
            await pilot.press(binding.key)
            await pilot.pause(0.05)
            if app.screen is not app.main_screen:
                opened[binding.action] = type(app.screen).__name__
                if isinstance(app.screen, ConfirmScreen):
                    await pilot.press("y")  # as an operator would: a confirm here must not lead to a change
                    await pilot.pause(0.05)
            await _back_to_main(pilot)
        await settled(pilot)
    leading_to_changes = {action: name for action, name in opened.items() if action not in READ_ONLY_VIEWS}
    assert leading_to_changes == {}, "read-only mode opened these"
    assert [op for op in attempted if op in SPEC_MUTATING] == []
    assert state(app, *target) == "RUNNING"


async def _enter_on_fresh_confirm(pilot: Any, key: str) -> ConfirmScreen:
    app = pilot.app
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
    screen = app.screen
    await pilot.press("enter")  # the very first key on the fresh dialog
    await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
    return screen


async def test_enter_on_each_fresh_destructive_confirm_sends_nothing(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        target = running(app)
        select(app, monkeypatch, target)
        for key in ("x", "F", "D"):  # stop, take offline, delete
            await _enter_on_fresh_confirm(pilot, key)
        other = running(app, exclude=(target,))
        select(app, monkeypatch, target, other)  # two marked rows: even a pause asks first
        for key in ("P", "x"):
            await _enter_on_fresh_confirm(pilot, key)
        store(app).create_folder(target[0], "/empty_for_test")
        scope(app, monkeypatch, target[0], "/empty_for_test", folder=True)
        await _enter_on_fresh_confirm(pilot, "X")
        await settled(pilot)
        assert mutating_calls(app) == []
        assert state(app, *target) == "RUNNING" and state(app, *other) == "RUNNING"
        assert store(app).folder(target[0], "/empty_for_test")


async def test_enter_on_the_fresh_allow_changes_confirm_keeps_read_only() -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await _enter_on_fresh_confirm(pilot, "ctrl+r")
        assert app.session.read_only and app.session.client.read_only
