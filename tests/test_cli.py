"""The command line: --help, --version, exit codes, and a clear sentence (never a traceback) on bad input.

Most cases call `foas_tui.cli.main` in-process (fast); a few run the installed entry point as a real
subprocess, the way an operator on a bastion runs it.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import keyring.core
import pytest
from helpers import CANARY_SECRET
from keyring.backends import fail

from foas_tui import __version__
from foas_tui.cli import main
from foas_tui.credentials import Profile, ProfileStore, Secret, save_profile

AK_ID = "LTAI5tExampleKeyId42"


def run_cli(*argv: str, timeout: float = 60, **env: str) -> subprocess.CompletedProcess[str]:
    """`python -m foas_tui ARGV` with the test's isolated environment (HOME, XDG dirs, no credentials)."""
    environ = {**os.environ, **env}
    return subprocess.run([sys.executable, "-m", "foas_tui", *argv], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=timeout, env=environ)


def call_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """main(argv) in-process: (exit status, stdout, stderr); argparse's SystemExit counts as a status."""
    try:
        code = main(list(argv))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    out, err = capsys.readouterr()
    return code, out, err


def assert_clean(text: str) -> None:
    assert "Traceback" not in text, text
    assert CANARY_SECRET not in text


def add_profile(name: str = "x", **kw: object) -> None:
    """A profile in profiles.toml only (its secret is in no store)."""
    ProfileStore().add(Profile(name=name, region_id="cn-hangzhou", access_key_id=AK_ID, **kw))  # type: ignore[arg-type]


# --- help and version -----------------------------------------------------------------------------------


def test_help_lists_the_commands_and_examples(capsys) -> None:
    code, out, err = call_main(capsys, "--help")
    assert code == 0 and err == ""
    for word in ("--demo", "--profile", "--read-only", "--log-file", "profile", "emulator", "serve", "examples:"):
        assert word in out, word


@pytest.mark.parametrize("command", ["profile", "emulator", "serve"])
def test_each_command_has_help(capsys, command: str) -> None:
    code, out, _ = call_main(capsys, command, "--help")
    assert code == 0 and f"foas-tui {command}" in out


def test_serve_help_says_loopback_by_default(capsys) -> None:
    code, out, _ = call_main(capsys, "serve", "--help")
    assert code == 0 and "loopback" in out


def test_version(capsys) -> None:
    code, out, _ = call_main(capsys, "--version")
    assert code == 0 and out.strip() == f"foas-tui {__version__}"


def test_entry_point_help_and_version_in_a_subprocess() -> None:
    shown = run_cli("--version")
    assert shown.returncode == 0 and shown.stdout.strip() == f"foas-tui {__version__}"
    helped = run_cli("--help")
    assert helped.returncode == 0 and "usage: foas-tui" in helped.stdout and helped.stderr == ""


# --- bad input: exit status 2, a sentence, no traceback ----------------------------------------------------


@pytest.mark.parametrize("argv, fragment", [
    (["--bogus"], "unrecognized arguments: --bogus"),
    (["--demo-jobs", "abc"], "invalid int value: 'abc'"),
    (["profile", "bogus"], "invalid choice: 'bogus'"),
    (["profile"], "required"),
    (["serve", "--port", "notaport"], "invalid int value: 'notaport'"),
    (["emulator", "--error-rate", "2"], "--error-rate must be within 0..1"),
    (["emulator", "--fault-op", "NoSuchOperation"], "unknown operation 'NoSuchOperation'"),
    (["--profile", "nope"], "profile 'nope' not found"),
    (["--profile", "bad name!"], "foas-tui:"),
])
def test_bad_input_exits_2_with_a_sentence(capsys, argv: list[str], fragment: str) -> None:
    code, out, err = call_main(capsys, *argv)
    assert code == 2, (code, out, err)
    assert fragment in err, err
    assert_clean(out + err)


def test_no_credentials_names_the_three_ways(capsys, monkeypatch) -> None:
    monkeypatch.setattr("getpass.getpass", lambda *a, **k: pytest.fail("prompted"))
    code, out, err = call_main(capsys)
    assert code == 2
    assert "No credentials found" in err and "--access-key-id" in err and "ALIBABA_CLOUD_ACCESS_KEY_ID" in err
    assert_clean(out + err)


def test_unreadable_config_file_does_not_stop_the_cli_from_reporting_credentials(capsys, isolated_env) -> None:
    isolated_env.config_dir.mkdir(parents=True, exist_ok=True)
    (isolated_env.config_dir / "config.toml").write_text("refresh_interval = [not toml", encoding="utf-8")
    code, out, err = call_main(capsys, "--profile", "nope")
    assert code == 2 and "profile 'nope' not found" in err
    assert_clean(out + err)


def test_broken_profiles_file_is_a_sentence(capsys, isolated_env) -> None:
    isolated_env.config_dir.mkdir(parents=True, exist_ok=True)
    (isolated_env.config_dir / "profiles.toml").write_text("[profiles.x]\nregion_id = 3\n", encoding="utf-8")
    code, out, err = call_main(capsys, "--profile", "x")
    assert code == 2 and "profiles.toml" in err
    assert_clean(out + err)


# --- a host with no keyring (the app/CLI path; the store itself is tested in test_credentials) ------------


def test_profile_on_a_host_without_keyring_in_process(capsys, monkeypatch) -> None:
    add_profile("x")
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    code, out, err = call_main(capsys, "--profile", "x")
    assert code == 2
    assert err.startswith("foas-tui: No OS keyring")
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in err and "--store cryptfile" in err
    assert_clean(out + err)


def test_profile_on_a_host_without_keyring_through_the_entry_point(isolated_env) -> None:
    add_profile("x")
    done = run_cli("--profile", "x", PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    assert done.returncode == 2, done
    assert done.stdout == ""
    assert done.stderr.startswith("foas-tui: No OS keyring"), done.stderr
    assert "(1) export ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET" in done.stderr
    assert "foas-tui profile add NAME --store cryptfile" in done.stderr
    assert_clean(done.stdout + done.stderr)


def test_profile_with_secret_but_no_keyring_now_says_the_same(capsys, monkeypatch, memory_keyring) -> None:
    # The secret was saved on a desktop; on the bastion the keyring is missing: same clear message.
    save_profile(ProfileStore(), Profile(name="x", region_id="cn-hangzhou", access_key_id=AK_ID),
                 Secret(CANARY_SECRET))
    monkeypatch.setattr(keyring.core, "_keyring_backend", fail.Keyring())
    code, out, err = call_main(capsys, "--profile", "x")
    assert code == 2 and "No OS keyring" in err
    assert_clean(out + err)


# --- --log-file ---------------------------------------------------------------------------------------------


def test_log_file_is_written_and_holds_no_secret(capsys, tmp_path: Path, monkeypatch, memory_keyring) -> None:
    import logging

    save_profile(ProfileStore(), Profile(name="x", region_id="cn-hangzhou", access_key_id=AK_ID),
                 Secret(CANARY_SECRET))
    log_file = tmp_path / "debug.log"
    monkeypatch.setattr("foas_tui.app.FoasApp.run", lambda self, *a, **k: None)  # no terminal here
    logger = logging.getLogger("foas_tui")
    handlers = list(logger.handlers)
    try:
        code, out, err = call_main(capsys, "--profile", "x", "--log-file", str(log_file))
        logging.getLogger("foas_tui.test").debug("the secret is %s", CANARY_SECRET)
    finally:
        for handler in [h for h in logger.handlers if h not in handlers]:
            handler.close()
            logger.removeHandler(handler)
    assert code == 0, err
    text = log_file.read_text(encoding="utf-8")
    assert "the secret is ****" in text and CANARY_SECRET not in text
    assert_clean(out + err)


def test_unwritable_log_file_is_a_sentence(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr("foas_tui.app.FoasApp.run", lambda self, *a, **k: None)  # no terminal here
    code, out, err = call_main(capsys, "--log-file", str(tmp_path / "no" / "such" / "dir" / "x.log"), "--demo")
    assert code == 2 and "x.log" in err
    assert_clean(out + err)
