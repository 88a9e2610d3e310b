"""Ops services without a screen: properties text and validation, drafts, diffs, job actions and polling."""

from __future__ import annotations

import json
import os
import stat

import pytest

from foas_tui.emulator import EmulatorConfig, FakeClock, create_app, demo_client
from foas_tui.services.actions import ActionKind, ActionOptions, ActionRun, CancelToken, JobActions, Outcome
from foas_tui.services.diffing import EditState, classify, stats, unified
from foas_tui.services.drafts import DraftKey, DraftStore, EditSession
from foas_tui.services.properties import (
    PROPERTY_SPECS,
    PropertiesText,
    parse_pairs,
    validate_value,
    warnings_for,
)
from foas_tui.services.resources import RESOURCE_KINDS, collect, prefill
from foas_tui.services.selection import Selection

SEED_PROPERTIES = (
    "#checkpoint模式：EXACTLY_ONCE 或者 AT_LEAST_ONCE\n#blink.checkpoint.mode=EXACTLY_ONCE\n\n"
    "#checkpoint间隔时间，单位毫秒\n#blink.checkpoint.interval.ms=180000\n\n"
    "#启用项目参数\n#enable.project.config=true\nblink.job.timeZone=Asia/Shanghai"
)


# --- properties -------------------------------------------------------------------------------------

def test_properties_text_round_trips_byte_for_byte() -> None:
    for text in (SEED_PROPERTIES, SEED_PROPERTIES + "\n", "a.b : 1\n  c=2\n! bang\n-- dash\nweird line\n", ""):
        assert PropertiesText.parse(text).to_text() == text


def test_setting_keeps_comments_unknown_keys_and_separators() -> None:
    doc = PropertiesText.parse(SEED_PROPERTIES + "\nmy.custom.key:abc\n")
    doc.set("blink.checkpoint.mode", "AT_LEAST_ONCE")
    doc.set("my.custom.key", "xyz")
    doc.set("blink.job.timeZone", "UTC")
    text = doc.to_text()
    # The new key goes under the template's commented-out line; the others change in place.
    lines = text.splitlines()
    assert lines[1] == "#blink.checkpoint.mode=EXACTLY_ONCE" and lines[2] == "blink.checkpoint.mode=AT_LEAST_ONCE"
    assert "my.custom.key:xyz" in lines and "blink.job.timeZone=UTC" in lines
    assert "#启用项目参数" in lines
    doc.remove("my.custom.key")
    assert "my.custom.key" not in doc.to_text()
    assert doc.as_dict() == {"blink.checkpoint.mode": "AT_LEAST_ONCE", "blink.job.timeZone": "UTC"}


def test_documented_keys_come_from_the_seed_table() -> None:
    keys = {spec.key for spec in PROPERTY_SPECS}
    for key in ("blink.checkpoint.mode", "blink.checkpoint.interval.ms", "blink.checkpoint.timeout.ms",
                "blink.job.timeZone", "blink.miniBatch.size", "state.backend.type", "state.backend.gemini.ttl.ms",
                "sql.exec.source.idle.timeout.ms", "blink.job.submit.timeoutInSeconds"):
        assert key in keys
    by_key = {spec.key: spec for spec in PROPERTY_SPECS}
    assert by_key["blink.checkpoint.timeout.ms"].default == "600000"
    assert by_key["blink.topn.cache.size"].default == "10000"
    assert by_key["blink.checkpoint.mode"].choices == ("EXACTLY_ONCE", "AT_LEAST_ONCE")


@pytest.mark.parametrize(("key", "value", "fragment"), [
    ("blink.checkpoint.interval.ms", "3min", "must be a whole number in ms (e.g. 180000); got '3min'"),
    ("blink.checkpoint.interval.ms", "0", "must be at least 1"),
    ("blink.checkpoint.mode", "exactly_once", "must be one of EXACTLY_ONCE, AT_LEAST_ONCE"),
    ("blink.partialAgg.enabled", "yes", "must be one of true, false"),
    ("blink.job.timeZone", "Shanghai time", "must be a time zone such as Asia/Shanghai"),
    ("sql.exec.source.idle.timeout.ms", "-2", "must be at least -1"),
    ("bad key!", "1", "is not a property key"),
])
def test_validation_messages_say_what_is_expected(key: str, value: str, fragment: str) -> None:
    message = validate_value(key, value)
    assert message is not None and fragment in message


def test_valid_values_and_free_keys_pass() -> None:
    assert validate_value("blink.checkpoint.interval.ms", "180000") is None
    assert validate_value("blink.job.timeZone", "Asia/Shanghai") is None
    assert validate_value("blink.job.timeZone", "UTC+8") is None
    assert validate_value("sql.exec.source.idle.timeout.ms", "-1") is None
    assert validate_value("some.unknown.key", "anything at all") is None
    pairs, errors = parse_pairs("# comment\na.b=1\nblink.checkpoint.mode = AT_LEAST_ONCE\nnot a pair\n")
    assert pairs == {"a.b": "1", "blink.checkpoint.mode": "AT_LEAST_ONCE"}
    assert errors == ["line 4: expected key=value, got 'not a pair'"]


def test_state_losing_changes_are_warned() -> None:
    notes = warnings_for({}, {"blink.miniBatch.size": "1000"})
    assert notes == ["adding blink.miniBatch.size loses the job's state on the next start"]
    assert warnings_for({"blink.miniBatch.size": "1"}, {"blink.miniBatch.size": "2"}) == []


# --- diffs and drafts ---------------------------------------------------------------------------------

def test_classify_edits() -> None:
    assert classify("a", "a", "a") is EditState.UNCHANGED
    assert classify("a", "b", "a") is EditState.CLEAN
    assert classify("a", "b", "c") is EditState.CONFLICT
    assert classify("a", "b", "b") is EditState.ALREADY_APPLIED
    assert "+b" in unified("a\n", "b\n") and str(stats("a\nb", "a\nc\nd")) == "+2 -1"


def test_drafts_are_written_atomically_privately_and_read_back(tmp_path) -> None:
    store = DraftStore(tmp_path / "drafts", clock=lambda: 1000.0)
    key = DraftKey("prod", "proj/with slash", "job 1")
    other = DraftKey("test", "proj/with slash", "job 1")
    store.save(key, "SELECT 2", "SELECT 1", 123)
    assert store.load(other) is None  # one file per (profile, project, job)
    draft = store.load(key)
    assert draft is not None and draft.text == "SELECT 2" and draft.base_text == "SELECT 1"
    assert draft.base_modify_time == 123 and draft.differs_from_base
    path = store.path(key)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]
    assert json.loads(path.read_text())["project"] == "proj/with slash"
    path.write_text("{not json")  # a damaged draft is ignored, not fatal
    assert store.load(key) is None


def test_draft_store_honours_the_data_dir_env(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("FOAS_TUI_DATA_DIR", str(tmp_path / "elsewhere"))
    assert DraftStore().root == tmp_path / "elsewhere" / "drafts"


def test_edit_session_records_rebases_and_backs_up(tmp_path) -> None:
    store = DraftStore(tmp_path)
    key = DraftKey("p", "proj", "job")
    edit = EditSession.open(store, key, "base", 1)
    edit.record("mine")
    assert store.load(key).text == "mine"
    edit.record("base")  # back to the base: no draft left behind
    assert store.load(key) is None
    edit.record("mine again")
    backup = edit.take_remote("theirs", 2)
    assert backup is not None and backup.read_text() == "mine again"
    assert edit.text == edit.base_text == "theirs" and store.load(key) is None


# --- job actions against the emulator -------------------------------------------------------------------

def emulator() -> tuple[object, object]:
    clock = FakeClock(1_700_000_000)
    emu = create_app(EmulatorConfig(jobs=16, seed=7, clock=clock))
    return emu, demo_client(emu)


def running_job(emu: object, exclude: tuple = ()) -> Selection:
    from tests.test_ops_actions import find_job

    project, name = find_job(emu.store, state="RUNNING", scenario="running", exclude=exclude)
    return Selection(project, name, "FLINK_STREAM")


def stopped_job(emu: object) -> Selection:
    from tests.test_ops_actions import find_job

    project, name = find_job(emu.store, state="TERMINATED", committed=True)
    return Selection(project, name, "FLINK_STREAM")


async def test_follow_reaches_the_expected_state_as_the_clock_moves() -> None:
    emu, client = emulator()
    actions = JobActions(client, poll_interval=0.0)
    sel = running_job(emu)
    result = await actions.perform(ActionKind.STOP, sel, ActionOptions(trigger_checkpoint=True))
    assert result.ok, result.reason
    seen = []
    async for progress in actions.follow([(sel, "TERMINATED")]):
        seen.append(progress)
        emu.store.clock.advance(1.0)
    assert seen[-1].outcome is Outcome.REACHED and seen[-1].actual == "TERMINATED"
    assert any(p.outcome is Outcome.WAITING for p in seen)


async def test_follow_can_be_cancelled_and_times_out() -> None:
    emu, client = emulator()
    sel = running_job(emu)
    await JobActions(client).perform(ActionKind.STOP, sel)
    cancel = CancelToken()
    cancel.cancel()
    events = [p async for p in JobActions(client, poll_interval=0.0).follow([(sel, "TERMINATED")], cancel)]
    assert [e.outcome for e in events] == [Outcome.CANCELLED]
    ticks = iter(range(1000))
    slow = JobActions(client, poll_interval=0.0, timeout=3, monotonic=lambda: float(next(ticks)))
    events = [p async for p in slow.follow([(sel, "TERMINATED")])]  # the fake clock never moves
    assert events[-1].outcome is Outcome.TIMED_OUT


class ScriptedStates:
    """A client whose run summary answers the given actual states in turn (the last one forever)."""

    def __init__(self, *states: str) -> None:
        self.states = list(states)

    async def get_instance_run_summary(self, project: str, job: str, instance: int) -> object:
        from types import SimpleNamespace

        state = self.states.pop(0) if len(self.states) > 1 else self.states[0]
        return SimpleNamespace(run_summary=SimpleNamespace(actual_state=state, last_error_message="boom"))


async def _outcomes(client: object, expected: str) -> list[tuple[Outcome, str | None]]:
    sel = Selection("p", "j", "FLINK_STREAM")
    return [(p.outcome, p.actual) async for p in JobActions(client, poll_interval=0.0).follow([(sel, expected)])]


async def test_a_job_failing_over_while_it_stops_is_not_reported_failed_at_the_first_failed() -> None:
    # A failing-over job shows FAILED between restarts: a stop (or pause) keeps following it for a while...
    seen = await _outcomes(ScriptedStates("FAILED", "RUNNING", "FAILED", "TERMINATED"), "TERMINATED")
    assert seen[-1] == (Outcome.REACHED, "TERMINATED") and Outcome.FAILED not in [o for o, _ in seen]
    seen = await _outcomes(ScriptedStates("FAILED", "FAILED", "PAUSED"), "PAUSED")
    assert seen[-1] == (Outcome.REACHED, "PAUSED")
    # ...but a job that stays FAILED is reported, with its error,
    seen = await _outcomes(ScriptedStates("FAILED"), "TERMINATED")
    assert [o for o, _ in seen] == [Outcome.WAITING, Outcome.WAITING, Outcome.FAILED]
    # and a start that fails is reported at once.
    seen = await _outcomes(ScriptedStates("FAILED"), "RUNNING")
    assert [o for o, _ in seen] == [Outcome.FAILED]


async def test_bulk_run_records_successes_and_failures_with_reasons() -> None:
    emu, client = emulator()
    sels = [running_job(emu), stopped_job(emu)]  # a stopped job cannot be paused
    run = ActionRun(ActionKind.PAUSE, sels)
    seen = []
    run.subscribe(lambda r: (seen.append(1), emu.store.clock.advance(1.0)))
    await run.execute(JobActions(client, poll_interval=0.0))
    assert run.finished and len(run.succeeded) == 1 and len(run.failed) == 1
    failure = run.failed[0]
    assert failure.selection == sels[1]
    assert failure.result is not None and failure.result.request_id and "request id" in failure.reason
    assert "1 of 2 paused, 1 failed" in run.summary()


async def test_read_only_client_refuses_before_any_request() -> None:
    clock = FakeClock(1_700_000_000)
    emu = create_app(EmulatorConfig(jobs=16, seed=7, clock=clock))
    client = demo_client(emu, read_only=True)
    sent = []
    client.observers.append(sent.append)
    result = await JobActions(client).perform(ActionKind.STOP, running_job(emu))
    assert not result.ok and "ReadOnlyMode" in result.reason
    assert sent == []


# --- resources -------------------------------------------------------------------------------------------

def test_mutation_forms_type_and_check_their_fields() -> None:
    spec = next(m for m in RESOURCE_KINDS["queues"].mutations if m.operation == "CreateQueue")
    kwargs, problems = collect(spec, {"cluster_id": "c1", "queue_name": "root.a", "max_vcore": "x",
                                      "max_mem_mb": ""})
    assert "Max vCores must be a whole number; got 'x'" in problems
    assert "Max memory (MB) is required" in problems
    kwargs, problems = collect(spec, {"cluster_id": "c1", "queue_name": "root.a", "max_vcore": "300",
                                      "max_mem_mb": "4096", "gpu": ""})
    assert problems == [] and kwargs == {"cluster_id": "c1", "queue_name": "root.a", "max_vcore": 300,
                                         "max_mem_mb": 4096}
    delete = next(m for m in RESOURCE_KINDS["packages"].mutations if m.operation == "DeletePackage")
    assert prefill(delete, RESOURCE_KINDS["packages"] and __import__(
        "foas_tui.services.resources", fromlist=["ResourceContext"]).ResourceContext("p"),
        {"package_name": "a.jar"}) == {"package_name": "a.jar"}


async def test_every_resource_kind_lists_against_the_emulator() -> None:
    from foas_tui.services.resources import ResourceContext

    emu, client = emulator()
    project = next(iter(emu.store.projects))
    for kind in RESOURCE_KINDS.values():
        rows = await kind.lister(client, ResourceContext(project=project))
        assert isinstance(rows, list), kind.name
        if rows and kind.name != "tags":
            detail = await kind.detailer(client, ResourceContext(project=project), rows[0])
            assert detail, kind.name


def test_resource_details_never_show_credentials() -> None:
    from foas_tui.services.resources import as_row

    row = as_row({"cluster_id": "c1", "user_oss_info": '{"endpoint":"oss","accessId":"LTAIabc","accessKey":"s3cr3t"}',
                  "sts_access_key": "x", "access_key_id": "LTAIabc"})
    assert "s3cr3t" not in str(row) and row["sts_access_key"] == "****"
    assert row["access_key_id"] == "LTAIabc" and row["cluster_id"] == "c1"
