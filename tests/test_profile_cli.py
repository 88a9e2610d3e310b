"""`foas-tui profile ...`: secrets only from a hidden prompt or stdin, masked listings, clear errors."""

from __future__ import annotations

import argparse
import io
import json

import keyring.backend
import keyring.core
import pytest
from helpers import CANARY_SECRET
from helpers.memory_keyring import RaisingKeyring
from keyring.backends import fail, null
from keyring.errors import KeyringLocked, PasswordSetError

from foas_tui.credentials import CryptFileStore, KeyringStore, Profile, ProfileStore, Secret, save_profile
from foas_tui.profile_cli import add_profile_parser, main, run_profile_command

AK_ID = "LTAI5tExampleKeyId42"


@pytest.fixture
def fast_kdf(monkeypatch):
    monkeypatch.setattr(CryptFileStore, "time_cost", 1)
    monkeypatch.setattr(CryptFileStore, "memory_cost", 64)


@pytest.fixture
def stdin(monkeypatch):
    def feed(text: str) -> None:
        monkeypatch.setattr("sys.stdin", io.StringIO(text))

    return feed


@pytest.fixture
def no_prompt(monkeypatch):
    def refuse(*_a, **_k):
        raise AssertionError("prompted")

    monkeypatch.setattr("getpass.getpass", refuse)
    monkeypatch.setattr("builtins.input", refuse)


def run(*argv: str, **kw) -> int:
    return main(["profile", *argv], **kw)


def output(capsys) -> tuple[str, str]:
    out, err = capsys.readouterr()
    assert CANARY_SECRET not in out and CANARY_SECRET not in err
    assert "Traceback" not in out + err
    return out, err


def add_keyring_profile(name="prod", secret=CANARY_SECRET, **kw) -> None:
    kw.setdefault("region_id", "cn-hangzhou")
    kw.setdefault("access_key_id", AK_ID)
    save_profile(ProfileStore(), Profile(name=name, **kw), Secret(secret))


# --- add ------------------------------------------------------------------------------------------


def test_add_reads_secret_from_stdin(stdin, no_prompt, memory_keyring, capsys):
    stdin(CANARY_SECRET + "\n")
    rc = run("add", "prod", "--region", "cn-shanghai", "--access-key-id", AK_ID, "--secret-stdin", "--read-only")
    out, _ = output(capsys)
    assert rc == 0
    assert "LTAI****Id42" in out and AK_ID not in out and "default" in out
    assert memory_keyring.passwords[("foas-tui", "prod/access_key_secret")] == CANARY_SECRET
    profile = ProfileStore().get("prod")
    assert (profile.region_id, profile.read_only, profile.store) == ("cn-shanghai", True, "keyring")
    assert ProfileStore().default == "prod"


def test_add_reads_secret_from_hidden_prompt_and_asks_for_the_id(monkeypatch, memory_keyring, capsys):
    prompts: list[str] = []

    def fake_getpass(prompt: str = "") -> str:
        prompts.append(prompt)
        return CANARY_SECRET

    monkeypatch.setattr("getpass.getpass", fake_getpass)
    monkeypatch.setattr("builtins.input", lambda prompt="": AK_ID + "  ")
    rc = run("add", "dev", "--region", "cn-beijing", "--endpoint", "https://foas.example")
    output(capsys)
    assert rc == 0 and len(prompts) == 1 and "hidden" in prompts[0]
    assert KeyringStore().get("dev") == Secret(CANARY_SECRET, access_key_id=AK_ID)
    profile = ProfileStore().get("dev")
    assert profile.access_key_id == "LTAI****Id42" and profile.endpoint == "https://foas.example"  # masked in the file


@pytest.mark.parametrize("flag", ["--secret", "--access-key-secret", "--security-token", "--sts-token", "--secret={c}"])
def test_add_never_accepts_a_secret_on_argv(flag, no_prompt, memory_keyring, capsys):
    argv = ["add", "prod", "--region", "r", "--access-key-id", AK_ID, flag.format(c=CANARY_SECRET)]
    if "=" not in flag:
        argv.append(CANARY_SECRET)
    with pytest.raises(SystemExit) as info:
        run(*argv)
    assert info.value.code == 2
    _, err = output(capsys)
    assert "never read from the command line" in err and "--secret-stdin" in err
    assert memory_keyring.passwords == {} and not ProfileStore().path.exists()


def test_add_has_no_option_that_takes_a_secret():
    parser = argparse.ArgumentParser()
    add_profile_parser(parser.add_subparsers())
    args = parser.parse_args(["profile", "add", "p", "--region", "r"])
    assert not any("secret" in k and k != "secret_stdin" for k in vars(args))


def test_add_stdin_needs_access_key_id(stdin, memory_keyring, capsys):
    stdin(CANARY_SECRET + "\n")
    assert run("add", "prod", "--region", "r", "--secret-stdin") == 2
    _, err = output(capsys)
    assert "--secret-stdin needs --access-key-id" in err
    assert not ProfileStore().path.exists()


def test_add_empty_secret_saves_nothing(stdin, memory_keyring, capsys):
    stdin("\n")
    assert run("add", "prod", "--region", "r", "--access-key-id", AK_ID, "--secret-stdin") == 2
    assert "no AccessKey secret" in output(capsys)[1]
    assert memory_keyring.passwords == {} and not ProfileStore().path.exists()


def test_add_prompt_eof_is_clean(monkeypatch, capsys):
    def eof(prompt=""):
        raise EOFError

    monkeypatch.setattr("getpass.getpass", eof)
    assert run("add", "prod", "--region", "r", "--access-key-id", AK_ID) == 2
    assert "no input" in output(capsys)[1]


def test_add_invalid_name(stdin, capsys):
    stdin("s\n")
    assert run("add", "a/b", "--region", "r", "--access-key-id", AK_ID, "--secret-stdin") == 2
    assert "invalid profile name" in output(capsys)[1]


def test_add_on_a_headless_box_explains_and_saves_nothing(stdin, capsys):
    keyring.core.set_keyring(fail.Keyring())
    stdin(CANARY_SECRET + "\n")
    assert run("add", "prod", "--region", "r", "--access-key-id", AK_ID, "--secret-stdin") == 2
    _, err = output(capsys)
    assert "No OS keyring" in err and "ALIBABA_CLOUD_ACCESS_KEY_ID" in err and "--store cryptfile" in err
    assert not ProfileStore().path.exists()


def test_add_to_cryptfile(stdin, fast_kdf, no_prompt, memory_keyring, monkeypatch, capsys):
    monkeypatch.setenv("FOAS_TUI_KEYRING_PASSPHRASE", "pp")
    stdin(CANARY_SECRET + "\n")
    assert run("add", "prod", "--region", "r", "--access-key-id", AK_ID, "--secret-stdin", "--store", "cryptfile") == 0
    out, _ = output(capsys)
    assert "encrypted file" in out
    assert memory_keyring.passwords == {}
    assert CryptFileStore().get("prod") == Secret(CANARY_SECRET, access_key_id=AK_ID)


def test_secret_store_env_picks_cryptfile(stdin, fast_kdf, monkeypatch, capsys):
    monkeypatch.setenv("FOAS_TUI_KEYRING_PASSPHRASE", "pp")
    monkeypatch.setenv("FOAS_TUI_SECRET_STORE", "cryptfile")
    stdin("s\n")
    assert run("add", "prod", "--region", "r", "--access-key-id", AK_ID, "--secret-stdin") == 0
    assert ProfileStore().get("prod").store == "cryptfile"
    monkeypatch.setenv("FOAS_TUI_SECRET_STORE", "vault")
    stdin("s\n")
    assert run("add", "x", "--region", "r", "--access-key-id", AK_ID, "--secret-stdin") == 2
    assert "FOAS_TUI_SECRET_STORE" in capsys.readouterr().err


# --- list -----------------------------------------------------------------------------------------


def test_list_masks_ids_and_shows_secret_status(memory_keyring, capsys):
    add_keyring_profile("prod", endpoint="https://foas.example", read_only=True)
    ProfileStore().add(Profile(name="nosecret", region_id="cn-beijing", access_key_id="LTAIotherKey9876"))
    assert run("list") == 0
    out, err = output(capsys)
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "REGION", "ENDPOINT", "ACCESS", "KEY", "ID", "READ-ONLY", "STORE", "SECRET"]
    nosecret = next(line for line in lines if "nosecret" in line)
    prod = next(line for line in lines if " prod " in line)
    assert prod.startswith("*") and "LTAI****Id42" in prod and AK_ID not in out
    assert prod.split()[-3:] == ["yes", "keyring", "set"]
    assert nosecret.split()[-4:] == ["no", "keyring", "not", "set"]
    assert "LTAI****9876" in nosecret and "https://foas.example" in prod
    assert err == ""


def test_list_when_the_keyring_is_unavailable(memory_keyring, capsys):
    add_keyring_profile("a")
    add_keyring_profile("b")
    keyring.core.set_keyring(fail.Keyring())
    assert run("list") == 0
    out, err = output(capsys)
    assert [line.split()[-1] for line in out.splitlines()[1:]] == ["unknown", "unknown"]
    assert err.count("unknown") == 1 and "No OS keyring" in err


def test_list_cryptfile_needs_no_passphrase(fast_kdf, monkeypatch, no_prompt, capsys):
    monkeypatch.setenv("FOAS_TUI_KEYRING_PASSPHRASE", "pp")
    add_keyring_profile("enc", store="cryptfile")
    monkeypatch.delenv("FOAS_TUI_KEYRING_PASSPHRASE")
    assert run("list") == 0
    assert output(capsys)[0].splitlines()[1].split()[-2:] == ["cryptfile", "set"]


def test_list_empty(capsys):
    assert run("list") == 0
    assert "No profiles" in output(capsys)[0]


def test_list_with_a_broken_profiles_file(capsys):
    path = ProfileStore().path
    path.parent.mkdir(parents=True)
    path.write_text(f'[profiles.p]\nregion_id = "r"\naccess_key_id = "i"\naccess_key_secret = "{CANARY_SECRET}"\n')
    assert run("list") == 2
    _, err = output(capsys)
    assert str(path) in err and "must not" in err


# --- remove, set-default --------------------------------------------------------------------------


def test_remove_deletes_profile_and_secret(memory_keyring, capsys):
    add_keyring_profile("prod")
    assert run("remove", "prod") == 0
    assert "Removed" in output(capsys)[0]
    assert memory_keyring.passwords == {} and ProfileStore().list() == []
    assert run("remove", "prod") == 2
    assert "not found" in output(capsys)[1]


def test_remove_keeps_profile_when_store_fails_unless_forced(memory_keyring, capsys):
    add_keyring_profile("prod")
    keyring.core.set_keyring(fail.Keyring())
    assert run("remove", "prod") == 2
    assert "--force" in output(capsys)[1]
    assert ProfileStore().find("prod") is not None
    assert run("remove", "prod", "--force") == 0
    assert ProfileStore().find("prod") is None


def test_set_default(capsys):
    add_keyring_profile("a")
    add_keyring_profile("b")
    assert run("set-default", "b") == 0
    assert ProfileStore().default == "b"
    assert run("set-default", "zzz") == 2
    assert "not found" in output(capsys)[1]


# --- test -----------------------------------------------------------------------------------------


class FakeClient:
    def __init__(self, resolved, error: Exception | None = None):
        self.resolved = resolved
        self.error = error
        self.calls: list[dict] = []
        self.closed = False

    async def list_project(self, **kw):
        self.calls.append(kw)
        if self.error:
            raise self.error
        return type("Page", (), {"total_count": 3})()

    async def aclose(self):
        self.closed = True


def test_test_calls_list_project_with_page_size_1(capsys):
    add_keyring_profile("prod", region_id="cn-shenzhen")
    clients: list[FakeClient] = []

    def make_client(resolved):
        clients.append(FakeClient(resolved))
        return clients[-1]

    assert run("test", "prod", make_client=make_client) == 0
    out, _ = output(capsys)
    assert out.startswith("OK: profile prod (LTAI****Id42, cn-shenzhen)") and "3 project" in out
    (client,) = clients
    assert client.calls == [{"page_size": 1}] and client.closed
    assert client.resolved.credentials.access_key_secret == CANARY_SECRET
    assert client.resolved.source == "profile:prod"


def test_test_reports_service_errors(capsys):
    errors = pytest.importorskip("foas_tui.api.errors")
    add_keyring_profile("prod")
    err = errors.FoasError("InvalidAccessKeyId.NotFound", "Specified access key is not found.", request_id="RID-1")
    holder: list[FakeClient] = []

    def make_client(resolved):
        holder.append(FakeClient(resolved, err))
        return holder[-1]

    assert run("test", "prod", make_client=make_client) == 1
    _, stderr = output(capsys)
    assert "FAILED" in stderr and "InvalidAccessKeyId.NotFound" in stderr and "RID-1" in stderr
    assert holder[0].closed


def test_test_without_secret_is_a_clear_error(memory_keyring, capsys):
    ProfileStore().add(Profile(name="prod", region_id="r", access_key_id=AK_ID))

    def make_client(resolved):
        raise AssertionError("no client without credentials")

    assert run("test", "prod", make_client=make_client) == 2
    assert "no secret" in output(capsys)[1]


def test_test_prints_sts_warnings(capsys, monkeypatch):
    import time

    save_profile(
        ProfileStore(),
        Profile(name="sts", region_id="r", access_key_id=AK_ID, sts_expiration=time.time() + 60),
        Secret("s", "tok"),
    )
    assert run("test", "sts", make_client=FakeClient) == 0
    assert "expires in" in output(capsys)[1]


# --- import-aliyun --------------------------------------------------------------------------------


def write_aliyun(path, mode="AK") -> None:
    entry = {
        "name": "ops",
        "mode": mode,
        "access_key_id": AK_ID,
        "access_key_secret": CANARY_SECRET,
        "sts_token": "",
        "sts_expiration": 0,
        "region_id": "cn-hangzhou",
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"current": "ops", "profiles": [entry]}))


def test_import_aliyun_command(isolated_env, memory_keyring, capsys):
    write_aliyun(isolated_env.home / ".aliyun" / "config.json")
    assert run("import-aliyun", "--as", "ops2") == 0
    out, _ = output(capsys)
    assert "Imported aliyun profile ops (AK)" in out and "as ops2" in out and "LTAI****Id42" in out
    assert KeyringStore().get("ops2") == Secret(CANARY_SECRET, access_key_id=AK_ID)


def test_import_aliyun_unsupported_mode(tmp_path, capsys):
    path = tmp_path / "config.json"
    write_aliyun(path, mode="RamRoleArn")
    assert run("import-aliyun", "--path", str(path), "--name", "ops") == 2
    assert "not supported yet: use env" in output(capsys)[1]


# --- wiring ---------------------------------------------------------------------------------------


def test_parser_plugs_into_a_host_cli(memory_keyring, capsys):
    parser = argparse.ArgumentParser(prog="foas-tui")
    parser.add_argument("--profile")
    parser.add_argument("--region")
    add_profile_parser(parser.add_subparsers(dest="command"))
    add_keyring_profile("prod")
    args = parser.parse_args(["profile", "list"])
    assert args.handler(args) == 0
    assert "prod" in output(capsys)[0]
    with pytest.raises(SystemExit):
        parser.parse_args(["profile"])  # a subcommand is required


def test_run_profile_command_accepts_injected_stores(tmp_path, capsys):
    profiles = ProfileStore(tmp_path / "p.toml")
    profiles.add(Profile(name="x", region_id="r", access_key_id=AK_ID))

    class Store:
        def has_secret(self, name):
            return True

        def describe(self):
            return "fake"

    args = argparse.ArgumentParser()
    add_profile_parser(args.add_subparsers())
    namespace = args.parse_args(["profile", "list"])
    assert run_profile_command(namespace, profiles=profiles, store_factory=lambda kind: Store()) == 0
    assert output(capsys)[0].splitlines()[1].split()[-1] == "set"


# --- the store is checked before any secret is asked for (issue 14) -------------------------------


class _PlaintextKeyring(keyring.backend.KeyringBackend):
    """Named like keyrings.alt's file backend; it works, which is why it must be refused."""

    priority = 5.0  # type: ignore[assignment]

    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        raise AssertionError("a secret reached the plaintext backend")

    def delete_password(self, service, username):
        pass


keyring.backend.KeyringBackend._classes.discard(_PlaintextKeyring)


_PlaintextKeyring.__name__ = "PlaintextKeyring"  # the refusal goes by class name, like keyrings.alt's


@pytest.mark.parametrize(
    ("backend", "expected"),
    [
        (fail.Keyring, "No OS keyring"),
        (null.Keyring, "No OS keyring"),
        (lambda: RaisingKeyring(RuntimeError("neither running nor activatable")), "No OS keyring"),
        (lambda: RaisingKeyring(KeyringLocked("Failed to unlock the collection!")), "The OS keyring is locked"),
        (lambda: RaisingKeyring(PasswordSetError("denied")), "OS keyring error"),
        (_PlaintextKeyring, "Refusing this keyring backend"),
    ],
    ids=["fail", "null", "runtime-error", "locked", "keyring-error", "plaintext"],
)
def test_add_checks_the_keyring_before_asking_anything(backend, expected, no_prompt, monkeypatch, capsys):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    keyring.core.set_keyring(backend())
    # No --access-key-id and no --secret-stdin: both would be prompted for, and no_prompt fails the test.
    assert run("add", "prod", "--region", "cn-hangzhou") == 2
    _, err = output(capsys)
    assert expected in err
    assert "nothing was asked and nothing saved" in err
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in err  # env credentials need no store at all
    assert "foas-tui profile add prod --region cn-hangzhou --store cryptfile" in err
    assert not ProfileStore().path.exists()


def test_headless_message_says_keyrings_alt_is_no_fix(no_prompt, capsys):
    keyring.core.set_keyring(fail.Keyring())
    assert run("add", "prod", "--region", "r") == 2
    assert "keyrings.alt is no fix" in output(capsys)[1]


def test_the_keyring_probe_writes_nothing(stdin, memory_keyring, capsys):
    stdin(CANARY_SECRET + "\n")
    assert run("add", "prod", "--region", "r", "--access-key-id", AK_ID, "--secret-stdin") == 0
    output(capsys)
    writes = [user for op, _, user in memory_keyring.calls if op != "get"]
    assert writes and all(user.startswith("prod/") for user in writes)
    first_read = memory_keyring.calls[0]
    assert first_read[0] == "get" and "/" not in first_read[2]  # the probe: an entry no profile can own
    assert set(memory_keyring.passwords) == {("foas-tui", "prod/access_key_secret"), ("foas-tui", "prod/access_key_id")}


def test_add_to_cryptfile_without_passphrase_fails_before_asking(fast_kdf, no_prompt, capsys):
    # stdin is not a terminal under pytest, so the terminal factory has no way to ask for a passphrase.
    assert run("add", "prod", "--region", "r", "--store", "cryptfile") == 2
    _, err = output(capsys)
    assert "nothing was asked and nothing saved" in err and "FOAS_TUI_KEYRING_PASSPHRASE" in err
    assert not ProfileStore().path.exists() and not CryptFileStore().path.exists()


def test_add_to_cryptfile_asks_the_passphrase_once_and_first(fast_kdf, monkeypatch, capsys):
    from foas_tui.credentials import default_store_factory

    events: list[str] = []

    def passphrase(new_file: bool) -> str:
        events.append(f"passphrase(new={new_file})")
        return "pp"

    def fake_input(prompt: str = "") -> str:
        events.append("input")
        return AK_ID

    def fake_getpass(prompt: str = "") -> str:
        events.append("getpass")
        return CANARY_SECRET

    monkeypatch.setattr("builtins.input", fake_input)
    monkeypatch.setattr("getpass.getpass", fake_getpass)
    factory = lambda kind: default_store_factory(kind, passphrase)  # noqa: E731
    assert run("add", "prod", "--region", "r", "--store", "cryptfile", store_factory=factory) == 0
    output(capsys)
    assert events == ["passphrase(new=True)", "input", "getpass"]
    monkeypatch.setenv("FOAS_TUI_KEYRING_PASSPHRASE", "pp")
    assert CryptFileStore().get("prod") == Secret(CANARY_SECRET, access_key_id=AK_ID)


def test_add_to_cryptfile_with_a_wrong_passphrase_fails_before_asking(fast_kdf, no_prompt, monkeypatch, capsys):
    monkeypatch.setenv("FOAS_TUI_KEYRING_PASSPHRASE", "right")
    CryptFileStore().set("other", Secret("s"))
    monkeypatch.setenv("FOAS_TUI_KEYRING_PASSPHRASE", "wrong")
    assert run("add", "prod", "--region", "r", "--store", "cryptfile") == 2
    _, err = output(capsys)
    assert "Wrong passphrase" in err and "nothing was asked" in err
