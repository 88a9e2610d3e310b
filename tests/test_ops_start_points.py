"""Starting and pausing as an operator thinks of it, end to end against the in-process emulator.

Start points (now, last completed checkpoint, last failure, typed) come from the service and each says what
it means for data replay; pause/stop can take a checkpoint first (ModifyInstanceState triggerCheckpoint,
Blink 3.5.0+) from one key and in bulk; a bulk start gives each job its own parameters and shows them.
"""

from __future__ import annotations

import json
from typing import Any

from textual.widgets import Input, RadioButton

from foas_tui.emulator.store import TERMINATED
from foas_tui.screens.confirm import ConfirmScreen
from foas_tui.screens.start_job import StartJobScreen
from foas_tui.services.start_points import REPLAY_NOTES
from tests.test_ops_actions import (
    find_job,
    finish_run,
    job,
    make_app,
    running,
    select,
    state,
    stopped,
    store,
    wait_for,
)


def calls(app: Any, operation: str) -> list[Any]:
    return [r for r in app.session.call_log if r.operation == operation]


def now_ms(app: Any) -> int:
    return store(app).now()


def stop_in_emulator(app: Any, target: tuple[str, str]) -> None:
    """Stop a job behind the app's back (the service's state, not the UI under test)."""
    emulator = store(app)
    inst = job(app, *target).current
    emulator.modify_instance_state(target[0], target[1], inst.id, TERMINATED)
    emulator.clock.advance(emulator.step_ms / 1000 + 1)
    assert state(app, *target) == TERMINATED


async def open_start_form(pilot: Any) -> StartJobScreen:
    app = pilot.app
    await pilot.press("s")
    await wait_for(pilot, lambda: isinstance(app.screen, StartJobScreen))
    return app.screen


async def test_triggered_checkpoint_is_applied_by_the_emulator() -> None:
    """The emulator does what the spec says: a pause with triggerCheckpoint takes one checkpoint first."""
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        project, name = running(app)
        client = app.session.client
        before = (await client.get_instance_checkpoint(project, name, -1)).checkpoints.value.latest.completed
        at = now_ms(app)
        await client.modify_instance_state(project, name, -1, "PAUSED", trigger_checkpoint=True)
        store(app).clock.advance(5)
        await client.modify_instance_state(project, name, -1, "RUNNING")
        store(app).clock.advance(5)
        after = (await client.get_instance_checkpoint(project, name, -1)).checkpoints.value.latest.completed
        # Taken when the pause was asked for, completed after that (acknowledged once its duration passed).
        assert after.trigger_timestamp == at
        assert after.latest_ack_timestamp >= at
        assert after.id > before.id and after.trigger_timestamp > before.trigger_timestamp
        await pilot.pause()


async def test_one_key_pauses_after_a_checkpoint(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        target = running(app)
        select(app, monkeypatch, target)
        await pilot.press("ctrl+k")  # one job, one key: no dialog
        await finish_run(pilot)
        assert state(app, *target) == "PAUSED"
        [request] = calls(app, "ModifyInstanceState")
        assert request.body.get("expectState") == "PAUSED"
        assert str(request.body.get("triggerCheckpoint")).lower() == "true"
        # P alone still pauses without asking for one
        app._ops_last_run = None
        other = running(app, exclude=(target,))
        select(app, monkeypatch, other)
        await pilot.press("P")
        await finish_run(pilot)
        assert "triggerCheckpoint" not in calls(app, "ModifyInstanceState")[-1].body


async def test_bulk_pause_dialog_shows_the_checkpoint_option_ticked(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        first = running(app)
        second = running(app, exclude=(first,))
        select(app, monkeypatch, first, second)
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        box = app.screen.query_one("#ops-confirm-option")
        assert box.value is True and "triggerCheckpoint" in str(box.label)
        await pilot.click("#ops-ok")
        await finish_run(pilot)
        sent = calls(app, "ModifyInstanceState")
        assert len(sent) == 2 and all(str(r.body.get("triggerCheckpoint")).lower() == "true" for r in sent)
        assert state(app, *first) == "PAUSED" and state(app, *second) == "PAUSED"


async def test_stop_with_a_checkpoint_then_start_from_it(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        target = running(app)
        select(app, monkeypatch, target)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        box = app.screen.query_one("#ops-confirm-option")
        assert box.value is False  # x alone: the operator ticks it
        box.value = True
        await pilot.pause()
        stopped_at = now_ms(app)
        await pilot.click("#ops-ok")
        await finish_run(pilot)
        assert state(app, *target) == TERMINATED
        assert str(calls(app, "ModifyInstanceState")[-1].body.get("triggerCheckpoint")).lower() == "true"

        store(app).clock.advance(600)  # ten minutes later the operator starts it again
        form = await open_start_form(pilot)
        option = form.query_one("#point-checkpoint", RadioButton)
        assert not option.disabled  # remembered: the service no longer shows a stopped instance's checkpoints
        option.value = True
        await pilot.pause()
        note = str(form.query_one("#start-offset-value").render())
        assert REPLAY_NOTES["checkpoint"][:40] in note
        await pilot.press("ctrl+s")
        await finish_run(pilot)
        assert state(app, *target) == "RUNNING"
        # the checkpoint the emulator took at the stop request: triggered 1 s before it completed
        # The stop's checkpoint was triggered at the stop: replay starts at its trigger time.
        assert job(app, *target).current.start_params["startOffset"] == str(stopped_at)


async def test_start_from_the_last_failure(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        target = find_job(store(app), scenario="failing", committed=True)
        emulator = store(app)
        emulator.clock.advance(300)  # a few failovers happen
        stop_in_emulator(app, target)
        now = emulator.now()
        expected = max(i.phase(now).last_error_ms or 0 for i in emulator.project(target[0]).instances.values()
                       if i.job_name == target[1])
        assert expected > 0
        select(app, monkeypatch, target)
        form = await open_start_form(pilot)
        option = form.query_one("#point-failure", RadioButton)
        assert not option.disabled
        option.value = True
        await pilot.pause()
        note = str(form.query_one("#start-offset-value").render())
        assert REPLAY_NOTES["failure"][:40] in note and str(expected) in note
        await pilot.press("ctrl+s")
        await finish_run(pilot)
        assert job(app, *target).current.start_params["startOffset"] == str(expected)


async def test_points_that_the_service_does_not_know_cannot_be_picked(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        target = stopped(app)
        select(app, monkeypatch, target)
        form = await open_start_form(pilot)
        assert form.query_one("#point-checkpoint", RadioButton).disabled  # stopped, none seen: unavailable
        form.query_one("#point-now", RadioButton).value = True
        await pilot.pause()
        assert REPLAY_NOTES["now"][:30] in str(form.query_one("#start-offset-value").render())
        form.query_one("#start-offset", Input).value = "2999-01-01 00:00"  # typing picks "a time I type"
        await pilot.pause()
        assert form.query_one("#point-typed", RadioButton).value
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert app.screen is form and "future" in str(form.query_one("#start-errors").render())
        assert calls(app, "StartJob") == []
        form.query_one("#point-now", RadioButton).value = True
        form.query_one("#start-offset", Input).value = ""
        await pilot.pause()
        at = now_ms(app)
        await pilot.press("ctrl+s")
        await finish_run(pilot)
        assert job(app, *target).current.start_params["startOffset"] == str(at)


async def test_bulk_start_gives_each_job_its_own_parameters(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        first = stopped(app)
        second = find_job(store(app), state=TERMINATED, committed=True, exclude=(first,))
        # first: started once by this session with its own interval, then stopped
        select(app, monkeypatch, first)
        form = await open_start_form(pilot)
        form.query_one("#start-cp-interval", Input).value = "60000"
        await pilot.press("ctrl+s")
        await finish_run(pilot)
        stop_in_emulator(app, first)
        app._ops_last_run = None

        select(app, monkeypatch, first, second)
        form = await open_start_form(pilot)
        own_first = form.query_one("#start-job-0", Input)
        assert own_first.value == "blink.checkpoint.interval.ms=60000"  # its last start parameters
        form.query_one("#start-job-1", Input).value = "blink.checkpoint.mode=AT_LEAST_ONCE"
        form.query_one("#point-now", RadioButton).value = True
        await pilot.pause()
        at = now_ms(app)
        preview = str(form.query_one("#start-preview").render())
        assert "blink.checkpoint.interval.ms=60000" in preview and "AT_LEAST_ONCE" in preview
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        what = app.screen.what_happens
        assert f"{first[0]}/{first[1]}: startOffset={at}; blink.checkpoint.interval.ms=60000" in what
        assert f"{second[0]}/{second[1]}: startOffset={at}; blink.checkpoint.mode=AT_LEAST_ONCE" in what
        await pilot.click("#ops-ok")
        await finish_run(pilot)
        assert job(app, *first).current.start_params == {"startOffset": str(at),
                                                          "blink.checkpoint.interval.ms": "60000"}
        assert job(app, *second).current.start_params == {"startOffset": str(at),
                                                           "blink.checkpoint.mode": "AT_LEAST_ONCE"}
        bodies = [json.loads(r.body["parameterJson"]) for r in calls(app, "StartJob")[-2:]]
        assert {b.get("blink.checkpoint.mode") for b in bodies} == {None, "AT_LEAST_ONCE"}


async def test_pause_command_with_cp_takes_a_checkpoint_first(monkeypatch) -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        target = running(app)
        select(app, monkeypatch, target)
        app.run_command_line("pause cp")
        await finish_run(pilot)
        assert state(app, *target) == "PAUSED"
        assert str(calls(app, "ModifyInstanceState")[-1].body.get("triggerCheckpoint")).lower() == "true"
