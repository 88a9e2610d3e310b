"""`foas-tui triage`: the headless document (checked against a schema), exit codes by --fail-on, --watch,
--filter, and several profiles at once against emulators on real loopback ports (in-process and as a
subprocess, the way cron or a monitoring check runs it)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import pytest
from pydantic import BaseModel, ConfigDict

from foas_tui.cli import main
from foas_tui.credentials import Profile, ProfileStore, Secret, save_profile
from foas_tui.emulator import EmulatorConfig, create_app
from foas_tui.emulator.server import ServerThread
from foas_tui.services import triage_report
from foas_tui.triage_cli import EXIT_SCAN_FAILED, EXIT_USAGE, FAIL_ON

ROOT = Path(__file__).resolve().parents[1]
Severity = Literal["critical", "warning", "info", "ok"]


# --- the schema the README documents (every field, its type; nothing else allowed) --------------------


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Reason(Strict):
    kind: str
    severity: Literal["critical", "warning", "info"]
    text: str
    since: str | None


class Finding(Strict):
    profile: str
    region: str
    project: str
    job: str
    job_type: str
    instance_id: int | None
    severity: Severity
    health: int
    reasons: list[Reason]
    reason: str
    expected_state: str | None
    actual_state: str | None
    delay_seconds: float | None
    last_error: str | None
    last_error_at: str | None
    since: str | None


class Scope(Strict):
    profile: str
    region: str
    projects: int
    jobs: int
    deep_checked: int
    errors: list[str]
    failed: str | None


class Counts(Strict):
    critical: int
    warning: int
    info: int
    ok: int


class Document(Strict):
    schema_: Literal["foas-tui/triage/v1"]
    generated_at: str
    fail_on: Literal["critical", "warning", "info", "never"]
    status: Severity
    exit_code: Literal[0, 1]
    counts: Counts
    projects: int
    jobs: int
    scopes: list[Scope]
    errors: list[str]
    findings: list[Finding]


def validate(doc: dict) -> Document:
    return Document.model_validate({("schema_" if k == "schema" else k): v for k, v in doc.items()})


def run(capsys, *argv: str) -> tuple[int, str, str]:  # noqa: ANN001
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- --demo, in-process -------------------------------------------------------------------------------


def test_demo_json_follows_the_schema_and_fails_on_critical(capsys) -> None:
    code, out, err = run(capsys, "--demo", "triage", "--json")
    doc = validate(json.loads(out))
    assert err == ""
    assert doc.scopes[0].profile == "demo" and doc.scopes[0].projects == 4 and doc.jobs == doc.scopes[0].jobs
    assert doc.counts.critical > 0 and doc.status == "critical"
    assert code == 1 == doc.exit_code  # the demo holds failed jobs: critical by default
    assert sum(doc.counts.model_dump().values()) == doc.jobs
    assert all(f.severity != "ok" and f.reasons for f in doc.findings)  # healthy jobs only with --all
    ranks = {"critical": 0, "warning": 1, "info": 2}
    assert [ranks[f.severity] for f in doc.findings][:doc.counts.critical] == [0] * doc.counts.critical
    failed = [f for f in doc.findings if f.actual_state == "FAILED" and f.expected_state != "RUNNING"]
    assert failed and all(f.severity == "critical" and f.last_error and f.since for f in failed)
    assert all(f.delay_seconds is None for f in failed)  # no "delay" for a job that is not running


@pytest.mark.parametrize("fail_on, expected", [("critical", 1), ("warning", 1), ("info", 1), ("never", 0)])
def test_exit_code_follows_fail_on(capsys, fail_on: str, expected: int) -> None:
    code, out, _ = run(capsys, "triage", "--demo", "--json", "--fail-on", fail_on)
    assert code == expected == json.loads(out)["exit_code"]


def test_filter_narrows_the_report_and_the_exit_code(capsys) -> None:
    code, out, _ = run(capsys, "--demo", "triage", "--json", "--filter", "severity:warning")
    doc = validate(json.loads(out))
    assert doc.findings and all(f.severity == "warning" for f in doc.findings)
    assert code == 0  # nothing critical among what the filter kept
    code, out, _ = run(capsys, "--demo", "triage", "--json", "--filter", "severity:warning", "--fail-on", "warning")
    assert code == 1
    code, _, err = run(capsys, "--demo", "triage", "--filter", "delay>soon")
    assert code == EXIT_USAGE and "delay is a duration" in err


def test_all_lists_healthy_jobs_and_text_output_is_one_line_a_job(capsys) -> None:
    _, out, _ = run(capsys, "--demo", "triage", "--json", "--all")
    doc = validate(json.loads(out))
    assert len(doc.findings) == doc.jobs and any(f.severity == "ok" for f in doc.findings)
    code, out, _ = run(capsys, "--demo", "triage")
    lines = out.splitlines()
    assert lines[0].startswith("triage ") and "demo@cn-hangzhou" in lines[0] and code == 1
    assert lines[1].startswith("CRITICAL")


def test_watch_prints_one_document_a_line(capsys) -> None:
    code, out, _ = run(capsys, "--demo", "triage", "--json", "--watch", "1", "--count", "2")
    docs = [validate(json.loads(line)) for line in out.splitlines()]
    assert len(docs) == 2 and code == 1


@pytest.mark.parametrize("argv, fragment", [
    (["triage", "--demo", "--watch", "0"], "--watch takes a number of seconds"),
    (["triage", "--demo", "--count", "2"], "--count N (N ≥ 1) goes with --watch"),
    (["triage", "--profile", "all"], "there is no saved profile"),
    (["triage", "--profile", "a,all"], "--profile all stands alone"),
    (["triage", "--profile", "nope"], "nope"),
])
def test_bad_usage_is_a_sentence_and_exit_2(capsys, argv: list[str], fragment: str) -> None:
    code, out, err = run(capsys, *argv)
    assert code == EXIT_USAGE and fragment in err and "Traceback" not in err and out == ""


def test_fail_on_choices_agree_with_the_report() -> None:
    assert FAIL_ON == triage_report.FAIL_ON
    assert (EXIT_USAGE, EXIT_SCAN_FAILED) == (triage_report.EXIT_USAGE, triage_report.EXIT_SCAN_FAILED)


# --- two profiles, two regions, emulators on real ports ----------------------------------------------------

KEYS = {"prod-hz": ("LTAI5tTriageHz000001", "hz-secret-0001"), "prod-sh": ("LTAI5tTriageSh000001", "sh-secret-0001")}
REGIONS = {"prod-hz": "cn-hangzhou", "prod-sh": "cn-shanghai"}


@pytest.fixture
def two_regions() -> Iterator[dict[str, ServerThread]]:
    servers = {}
    try:
        for name, seed in (("prod-hz", 7), ("prod-sh", 11)):
            key_id, secret = KEYS[name]
            emulator = create_app(EmulatorConfig(jobs=24, seed=seed, region_id=REGIONS[name],
                                                 access_keys={key_id: secret}))
            servers[name] = ServerThread(emulator).start()
        for name, server in servers.items():
            key_id, secret = KEYS[name]
            save_profile(ProfileStore(), Profile(name=name, region_id=REGIONS[name], access_key_id=key_id,
                                                 endpoint=server.endpoint), Secret(secret))
        yield servers
    finally:
        for server in servers.values():
            server.stop()


def test_two_profiles_merge_with_labels(capsys, two_regions) -> None:
    singles = {}
    for name in two_regions:
        _, out, _ = run(capsys, "triage", "--profile", name, "--json", "--all")
        singles[name] = validate(json.loads(out))
        assert {f.profile for f in singles[name].findings} == {name}
        assert {f.region for f in singles[name].findings} == {REGIONS[name]}
    code, out, err = run(capsys, "--profile", "prod-hz,prod-sh", "triage", "--json", "--all")
    merged = validate(json.loads(out))
    assert err == "" and [s.profile for s in merged.scopes] == ["prod-hz", "prod-sh"]
    assert [s.region for s in merged.scopes] == ["cn-hangzhou", "cn-shanghai"]
    assert merged.jobs == sum(d.jobs for d in singles.values())
    pairs = {(f.profile, f.region, f.project, f.job) for f in merged.findings}
    assert pairs == {(f.profile, f.region, f.project, f.job) for d in singles.values() for f in d.findings}
    assert code == (1 if merged.counts.critical else 0)
    # `all` is every saved profile; the filter language sees the profile.
    _, out, _ = run(capsys, "triage", "--profile", "all", "--json", "--all", "--filter", "profile:prod-sh")
    only_sh = validate(json.loads(out))
    assert {f.profile for f in only_sh.findings} == {"prod-sh"} and len(only_sh.scopes) == 2


def test_a_profile_that_fails_is_labelled_and_the_other_still_counts(capsys, two_regions) -> None:
    two_regions["prod-sh"].stop()  # the Shanghai endpoint goes away
    code, out, _ = run(capsys, "triage", "--profile", "prod-hz,prod-sh", "--json")
    doc = validate(json.loads(out))
    failed = {s.profile: s.failed for s in doc.scopes}
    assert failed["prod-hz"] is None and failed["prod-sh"]
    assert any(e.startswith("prod-sh (cn-shanghai): scan failed") for e in doc.errors)
    assert doc.jobs == doc.scopes[0].jobs > 0
    two_regions["prod-hz"].stop()
    code, out, err = run(capsys, "triage", "--profile", "prod-hz,prod-sh", "--json")
    assert code == EXIT_SCAN_FAILED and json.loads(out)["status"] == "error" and "scan failed" in err


def test_subprocess_against_an_emulator_endpoint_reads_like_jq_would(two_regions) -> None:
    """As cron runs it: a fresh process, credentials from the environment, the emulator's endpoint."""
    key_id, secret = KEYS["prod-hz"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ALIBABA_CLOUD_", "FOAS_TUI_PROFILE"))}
    env.update({"ALIBABA_CLOUD_ACCESS_KEY_ID": key_id, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": secret,
                "ALIBABA_CLOUD_REGION_ID": "cn-hangzhou", "PYTHONPATH": str(ROOT)})
    done = subprocess.run(
        [sys.executable, "-m", "foas_tui", "--endpoint", two_regions["prod-hz"].endpoint, "triage", "--json",
         "--fail-on", "warning"], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert done.stderr == ""
    doc = validate(json.loads(done.stdout))
    assert doc.scopes[0].region == "cn-hangzhou" and doc.jobs > 0
    assert done.returncode == (1 if doc.counts.critical or doc.counts.warning else 0) == doc.exit_code


async def test_the_app_with_two_profiles_merges_them_on_the_board(two_regions) -> None:
    """`foas-tui --profile prod-hz,prod-sh`: the main screen is prod-hz's; `t` shows both, labelled."""
    import argparse

    from textual.widgets import DataTable

    from foas_tui.app import FoasApp
    from foas_tui.app_launch import build_multi_profile_session
    from foas_tui.config import AppConfig, ClientConfig
    from foas_tui.screens.triage import TriageScreen

    options = argparse.Namespace(profile="prod-hz,prod-sh", region=None, endpoint=None, access_key_id=None,
                                 read_only=False)
    session = build_multi_profile_session(options, AppConfig(refresh_interval=3600,
                                                             client=ClientConfig(retries=0)), None)
    assert session.profile_name == "prod-hz" and session.region_id == "cn-hangzhou"
    assert [(s.profile, s.region) for s in session.triage_scopes] == [("prod-hz", "cn-hangzhou"),
                                                                      ("prod-sh", "cn-shanghai")]
    assert session.triage_scopes[0].client is session.client and session.triage_scopes[1].client.read_only
    app = FoasApp(session, state_path=False)
    async with app.run_test(size=(160, 40)) as pilot:
        await pilot.pause()
        app.action_triage()
        deadline = 200
        while not (isinstance(app.screen, TriageScreen) and app.screen.report_data is not None) and deadline:
            await pilot.pause(0.05)
            deadline -= 1
        board = app.screen
        assert isinstance(board, TriageScreen) and board.report_data is not None
        assert {r.summary.profile for r in board.report_data.rows} == {"prod-hz", "prod-sh"}
        table = board.query_one("#triage-table", DataTable)
        labels = {table.get_row_at(i)[2].plain for i in range(table.row_count)}
        assert labels <= {"prod-hz@cn-hangzhou", "prod-sh@cn-shanghai"} and len(labels) == 2


@pytest.mark.parametrize("as_json", [True, False])
def test_hostile_names_reach_no_terminal(capsys, as_json: bool) -> None:
    argv = ["--demo", "--hostile-text", "triage", "--all"] + (["--json"] if as_json else [])
    code, out, err = run(capsys, *argv)
    assert code in (0, 1) and err == ""
    controls = [ch for ch in out if (ord(ch) < 0x20 and ch != "\n") or 0x7f <= ord(ch) < 0xa0]
    assert controls == []
    if as_json:
        doc = validate(json.loads(out))
        assert any("\x1b" in f.job or "\x1b" in (f.last_error or "") or "[" in f.job for f in doc.findings)
