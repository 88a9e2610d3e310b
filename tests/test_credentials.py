"""Credentials: secret stores and their failure messages, profiles.toml, resolution order, aliyun import."""

from __future__ import annotations

import base64
import io
import json
import logging
import stat
import subprocess
import sys
import time
from pathlib import Path

import keyring.backend
import keyring.core
import pytest
from helpers import CANARY_SECRET
from helpers.memory_keyring import MemoryKeyring, RaisingKeyring
from keyring.backends import fail
from keyring.backends.chainer import ChainerBackend
from keyring.errors import KeyringLocked, NoKeyringError, PasswordSetError

from foas_tui import credentials as creds_mod
from foas_tui.api.signing import Credentials
from foas_tui.config import ConfigError
from foas_tui.credentials import (
    CredentialFlags,
    CredentialsNotFound,
    CryptFileStore,
    ImportAliyunError,
    KeyringStore,
    Profile,
    ProfileStore,
    Secret,
    SecretStoreUnavailable,
    UnknownProfile,
    WrongPassphrase,
    import_aliyun,
    mask_id,
    resolve_credentials,
    save_profile,
    select_backend,
)
from foas_tui.credentials import cryptfile as cryptfile_mod

AK_ID = "LTAI5tExampleKeyId42"
STS_ID = "STS.NUexampleStsKeyId99"
TOKEN = "CAIS-canary-token-9d8e7f"
NOW = 1_800_000_000.0


def unregistered(cls: type) -> type:
    """Keep a test backend out of keyring's auto-detection registry."""
    keyring.backend.KeyringBackend._classes.discard(cls)
    return cls




@unregistered
class PlaintextKeyring(MemoryKeyring):
    """Named like keyrings.alt's; claims a high priority to prove the refusal is by kind, not priority."""

    priority = 5.0  # type: ignore[assignment]


@unregistered
class SlowKeyring(MemoryKeyring):
    def get_password(self, service, username):
        time.sleep(2)
        return None


@pytest.fixture
def fast_kdf(monkeypatch):
    monkeypatch.setattr(CryptFileStore, "time_cost", 1)
    monkeypatch.setattr(CryptFileStore, "memory_cost", 64)


@pytest.fixture
def no_prompt(monkeypatch):
    """Fail loudly if anything tries an interactive prompt."""

    def refuse(*_a, **_k):
        raise AssertionError("prompted")

    monkeypatch.setattr("getpass.getpass", refuse)
    monkeypatch.setattr("builtins.input", refuse)


def make_profile(name="prod", **kw) -> Profile:
    kw.setdefault("region_id", "cn-hangzhou")
    kw.setdefault("access_key_id", AK_ID)
    return Profile(name=name, **kw)


def assert_clean_message(err: BaseException) -> str:
    text = str(err)
    assert "Traceback" not in text
    assert CANARY_SECRET not in text and CANARY_SECRET not in repr(err)
    return text


# --- wrappers never show secrets ------------------------------------------------------------------


def test_secret_repr_is_masked():
    secret = Secret(CANARY_SECRET, TOKEN)
    for text in (repr(secret), str(secret), f"{secret}", repr([secret])):
        assert CANARY_SECRET not in text and TOKEN not in text
    assert repr(Secret(CANARY_SECRET)) == "Secret(access_key_secret='****', security_token=None)"


def test_profile_repr_masks_key_id_and_has_no_secret_field():
    profile = make_profile()
    assert AK_ID not in repr(profile) and mask_id(AK_ID) in repr(profile)
    assert not any("secret" in f or "token" in f for f in Profile.__dataclass_fields__)


def test_mask_id_is_the_signing_one():
    from foas_tui.api import signing

    assert creds_mod.mask_id is signing.mask_id
    assert creds_mod.Credentials is signing.Credentials
    assert mask_id("LTAI5tAbcdEfgh1234") == "LTAI****1234"


def test_importing_credentials_does_not_import_keyring():
    code = (
        "import sys, foas_tui.credentials, foas_tui.config, foas_tui.profile_cli\n"
        "assert 'keyring' not in sys.modules, 'keyring imported'\n"
        "assert 'keyrings' not in sys.modules\n"
        "assert 'textual' not in sys.modules, 'textual imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parent.parent)


# --- KeyringStore ---------------------------------------------------------------------------------


def test_keyring_round_trip_uses_separate_entries(memory_keyring):
    store = KeyringStore()  # the backend conftest installed with keyring.set_keyring
    assert store.get("prod") is None and not store.has_secret("prod")
    store.set("prod", Secret(CANARY_SECRET, TOKEN))
    assert memory_keyring.passwords == {
        ("foas-tui", "prod/access_key_secret"): CANARY_SECRET,
        ("foas-tui", "prod/security_token"): TOKEN,
    }
    assert store.get("prod") == Secret(CANARY_SECRET, TOKEN)
    assert store.has_secret("prod")
    store.set("prod", Secret("other"))  # a plain AK replaces an STS pair: the old token goes
    assert store.get("prod") == Secret("other", None)
    assert ("foas-tui", "prod/security_token") not in memory_keyring.passwords
    store.delete("prod")
    store.delete("prod")  # deleting twice is fine
    assert memory_keyring.passwords == {}
    assert "MemoryKeyring" in store.describe()


def test_keyring_store_accepts_an_injected_backend(memory_keyring):
    mine = MemoryKeyring()
    store = KeyringStore(backend=mine)
    store.set("dev", Secret("s"))
    assert mine.passwords and not memory_keyring.passwords


@pytest.mark.parametrize("install", ["set_keyring", "inject"])
def test_fail_keyring_gives_the_headless_message(install, monkeypatch):
    monkeypatch.delenv("DBUS_SESSION_BUS_ADDRESS", raising=False)
    if install == "set_keyring":
        keyring.core.set_keyring(fail.Keyring())
        store = KeyringStore()
    else:
        store = KeyringStore(backend=fail.Keyring())
    with pytest.raises(SecretStoreUnavailable) as info:
        store.set("prod", Secret(CANARY_SECRET))
    text = assert_clean_message(info.value)
    assert text.startswith("No OS keyring (")
    assert "ALIBABA_CLOUD_ACCESS_KEY_ID" in text
    assert "pip install 'foas-tui[cryptfile]'" in text and "--store cryptfile" in text
    assert "dbus-run-session" in text and "gnome-keyring-daemon --unlock" in text
    if sys.platform.startswith("linux"):
        assert "DBUS_SESSION_BUS_ADDRESS unset" in text
    assert info.value.fixes and info.value.reason


def test_backend_raising_no_keyring_error_is_mapped():
    store = KeyringStore(backend=RaisingKeyring(NoKeyringError("No recommended backend")))
    with pytest.raises(SecretStoreUnavailable, match="No OS keyring") as info:
        store.get("prod")
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_backend_raising_runtime_error_is_mapped():
    store = KeyringStore(backend=RaisingKeyring(RuntimeError("neither running nor activatable")))
    with pytest.raises(SecretStoreUnavailable, match="ALIBABA_CLOUD_ACCESS_KEY_ID"):
        store.has_secret("prod")


def test_locked_keyring_has_its_own_message():
    store = KeyringStore(backend=RaisingKeyring(KeyringLocked("Failed to unlock the collection!")))
    with pytest.raises(SecretStoreUnavailable) as info:
        store.set("prod", Secret(CANARY_SECRET))
    text = assert_clean_message(info.value)
    assert text.startswith("The OS keyring is locked (Failed to unlock the collection!)")
    assert "unlock" in text and "ALIBABA_CLOUD_ACCESS_KEY_ID" in text and "cryptfile" in text


def test_other_keyring_error_is_mapped():
    store = KeyringStore(backend=RaisingKeyring(PasswordSetError("denied")))
    with pytest.raises(SecretStoreUnavailable, match="OS keyring error.*PasswordSetError: denied"):
        store.set("prod", Secret("s"))


def test_a_bug_is_not_disguised_as_a_keyring_problem():
    store = KeyringStore(backend=RaisingKeyring(ZeroDivisionError("bug")))
    with pytest.raises(ZeroDivisionError):
        store.get("prod")


def test_plaintext_keyring_is_refused_even_with_high_priority():
    backend = PlaintextKeyring()
    store = KeyringStore(backend=backend)
    with pytest.raises(SecretStoreUnavailable) as info:
        store.set("prod", Secret(CANARY_SECRET))
    assert "unencrypted" in str(info.value) and "Refusing" in str(info.value)
    assert backend.passwords == {}


def test_plaintext_backend_named_in_env_is_refused(monkeypatch):
    pytest.importorskip("keyrings.cryptfile.file")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyrings.cryptfile.file.PlaintextKeyring")
    with pytest.raises(SecretStoreUnavailable, match="unencrypted"):
        KeyringStore().set("prod", Secret(CANARY_SECRET))


def test_empty_chainer_is_refused(monkeypatch):
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: [])
    chainer = ChainerBackend()
    assert chainer.priority < 1  # the silent do-nothing chainer of research section 1
    with pytest.raises(SecretStoreUnavailable, match="chainer"):
        KeyringStore(backend=chainer).set("prod", Secret("s"))
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.chainer.ChainerBackend")
    with pytest.raises(SecretStoreUnavailable, match="chainer"):
        KeyringStore().set("prod", Secret("s"))


def test_detection_skips_chainer_plaintext_and_cryptfile(monkeypatch):
    good = MemoryKeyring()
    candidates = [fail.Keyring(), PlaintextKeyring(), ChainerBackend(), good]
    cryptfile = pytest.importorskip("keyrings.cryptfile.cryptfile")
    candidates.append(cryptfile.CryptFileKeyring())  # priority 2.5 "recommended", but would prompt
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: candidates)
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    assert select_backend() is good
    # A chainer installed globally (by an unfiltered detection elsewhere) is not used either.
    monkeypatch.setattr(keyring.core, "_keyring_backend", ChainerBackend())
    assert select_backend() is good


def test_detection_with_nothing_usable_is_the_headless_error(monkeypatch):
    monkeypatch.setattr(keyring.backend, "get_all_keyring", lambda: [fail.Keyring(), PlaintextKeyring()])
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    with pytest.raises(SecretStoreUnavailable, match="No OS keyring"):
        KeyringStore().get("prod")


def test_misconfigured_backend_name(monkeypatch):
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "no_such_module_xyz.Keyring")
    with pytest.raises(SecretStoreUnavailable, match="misconfigured") as info:
        KeyringStore().get("prod")
    assert "PYTHON_KEYRING_BACKEND" in str(info.value)


def test_keyring_call_times_out():
    store = KeyringStore(backend=SlowKeyring(), timeout=0.1)
    started = time.monotonic()
    with pytest.raises(SecretStoreUnavailable, match="did not answer"):
        store.get("prod")
    assert time.monotonic() - started < 1.5


# --- CryptFileStore -------------------------------------------------------------------------------


def test_cryptfile_round_trip_private_file(fast_kdf, no_prompt, isolated_env, monkeypatch):
    monkeypatch.setenv("FOAS_TUI_KEYRING_PASSPHRASE", "correct horse")
    store = CryptFileStore()
    assert store.path.parent == isolated_env.data_dir
    store.set("prod", Secret(CANARY_SECRET, TOKEN))
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(store.path.parent.stat().st_mode) == 0o700
    raw = store.path.read_bytes()
    assert CANARY_SECRET.encode() not in raw and TOKEN.encode() not in raw
    fresh = CryptFileStore()
    assert fresh.has_secret("prod") and not fresh.has_secret("dev")
    assert fresh.get("prod") == Secret(CANARY_SECRET, TOKEN)
    assert fresh.get("dev") is None
    fresh.delete("prod")
    assert CryptFileStore().get("prod") is None
    assert "encrypted file" in store.describe()


def test_cryptfile_wrong_passphrase(fast_kdf, no_prompt):
    CryptFileStore(lambda new: "right one").set("prod", Secret(CANARY_SECRET))
    with pytest.raises(WrongPassphrase) as info:
        CryptFileStore(lambda new: "wrong one").get("prod")
    text = assert_clean_message(info.value)
    assert "Wrong passphrase" in text and "FOAS_TUI_KEYRING_PASSPHRASE" in text


def test_cryptfile_passphrase_callable_is_told_about_a_new_file(fast_kdf, no_prompt):
    seen: list[bool] = []

    def passphrase(new_file: bool) -> str:
        seen.append(new_file)
        return "pass phrase"

    CryptFileStore(passphrase).set("a", Secret("s1"))
    store = CryptFileStore(passphrase)
    assert store.get("a") == Secret("s1")
    assert store.get("a") == Secret("s1")  # cached: decrypted once per store
    assert seen == [True, False]


def test_cryptfile_without_passphrase_never_prompts(fast_kdf, no_prompt):
    with pytest.raises(SecretStoreUnavailable, match="FOAS_TUI_KEYRING_PASSPHRASE"):
        CryptFileStore().set("prod", Secret("s"))
    with pytest.raises(SecretStoreUnavailable, match="locked"):
        CryptFileStore(lambda new: "   ").set("prod", Secret("s"))


def test_cryptfile_not_installed(monkeypatch):
    monkeypatch.setattr(cryptfile_mod, "_CRYPTFILE_CLASS", [])
    monkeypatch.setitem(sys.modules, "keyrings.cryptfile.cryptfile", None)
    monkeypatch.setitem(sys.modules, "keyrings.cryptfile.escape", None)
    monkeypatch.setenv("FOAS_TUI_KEYRING_PASSPHRASE", "x")
    store = CryptFileStore()
    for call in (lambda: store.set("p", Secret("s")), lambda: store.get("p"), lambda: store.has_secret("p")):
        with pytest.raises(SecretStoreUnavailable) as info:
            call()
        assert "pip install 'foas-tui[cryptfile]'" in str(info.value)


def test_cryptfile_class_stays_out_of_keyring_detection(fast_kdf):
    CryptFileStore(lambda new: "p").set("x", Secret("s"))
    names = {c.__name__ for c in keyring.backend.KeyringBackend._classes}
    assert "FoasCryptFileKeyring" not in names


# --- ProfileStore ---------------------------------------------------------------------------------


def test_profile_store_crud_and_default(isolated_env):
    store = ProfileStore()
    assert store.path == isolated_env.config_dir / "profiles.toml"
    assert store.list() == [] and store.default is None
    store.add(make_profile("prod", read_only=True, endpoint="https://foas.example"))
    store.add(make_profile("dev", store="cryptfile", sts_expiration=NOW))
    store.set_default("prod")
    assert [p.name for p in store.list()] == ["dev", "prod"]
    assert store.get("prod").read_only and store.get("prod").endpoint == "https://foas.example"
    assert store.get("dev").store == "cryptfile" and store.get("dev").sts_expiration == NOW
    assert store.default == "prod"
    store.add(make_profile("prod", region_id="cn-shanghai"))  # replace
    assert store.get("prod").region_id == "cn-shanghai" and len(store.list()) == 2
    assert store.remove("prod").name == "prod"
    assert store.default is None and store.find("prod") is None
    with pytest.raises(UnknownProfile, match="known: dev"):
        store.get("prod")
    with pytest.raises(UnknownProfile):
        store.set_default("nope")


def test_profiles_file_is_private_and_holds_no_secret(isolated_env):
    save_profile(ProfileStore(), make_profile(), Secret(CANARY_SECRET, TOKEN))
    path = ProfileStore().path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    text = path.read_text()
    assert CANARY_SECRET not in text and TOKEN not in text
    assert "secret" not in text.split("\n", 1)[1].lower()  # only the header comment mentions secrets
    # The README: profiles hold the masked AccessKey ID; the full one is in the secret store.
    assert 'access_key_id = "LTAI****Id42"' in text and AK_ID not in text
    assert 'default = "prod"' in text  # the first profile becomes the default


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ('[profiles.prod]\nregion_id = "r"\naccess_key_id = "i"\naccess_key_secret = "{c}"\n', "profiles.prod"),
        ('[profiles.prod]\nregion_id = "r"\naccess_key_id = "i"\nSecurity_Token = "{c}"\n', "Security_Token"),
        ('sts_token = "{c}"\n', "sts_token"),
        ('secret = "{c}"\n[profiles.prod]\nregion_id = "r"\naccess_key_id = "i"\n', "secret"),
    ],
)
def test_loader_rejects_secret_keys_without_echoing_them(body, field):
    path = ProfileStore().path
    path.parent.mkdir(parents=True)
    path.write_text(body.format(c=CANARY_SECRET))
    with pytest.raises(ConfigError) as info:
        ProfileStore().list()
    text = assert_clean_message(info.value)
    assert str(path) in text and field in text and "must not" in text


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ('[profiles.prod]\nregion_id = "r"\n', "profiles.prod.access_key_id: missing"),
        ('[profiles.prod]\nregion_id = 1\naccess_key_id = "i"\n', "profiles.prod.region_id: wrong type"),
        ('[profiles.prod]\nregion_id = "r"\naccess_key_id = "i"\nread_only = "yes"\n', "read_only"),
        ('[profiles.prod]\nregion_id = "r"\naccess_key_id = "i"\nstore = "vault"\n', "store"),
        ('[profiles.prod]\nregion_id = "r"\naccess_key_id = "i"\nregon = "x"\n', "profiles.prod.regon"),
        ('[profiles."a/b"]\nregion_id = "r"\naccess_key_id = "i"\n', "invalid profile name"),
        ("default = 3\n", "default"),
        ("colour = 3\n", "colour"),
        ("[profiles\n", "line 1"),
    ],
)
def test_loader_reports_bad_fields(body, fragment):
    path = ProfileStore().path
    path.parent.mkdir(parents=True)
    path.write_text(body)
    with pytest.raises(ConfigError, match="profiles.toml") as info:
        ProfileStore().load()
    assert fragment in str(info.value)


def test_profile_name_is_validated():
    with pytest.raises(creds_mod.CredentialError, match="invalid profile name"):
        make_profile("bad/name")
    with pytest.raises(ValueError):
        make_profile(store="vault")


def test_save_profile_moves_secret_between_stores(fast_kdf, memory_keyring, monkeypatch):
    monkeypatch.setenv("FOAS_TUI_KEYRING_PASSPHRASE", "pp")
    profiles = ProfileStore()
    save_profile(profiles, make_profile(), Secret("s1"))
    assert memory_keyring.passwords
    save_profile(profiles, make_profile(store="cryptfile"), Secret("s2"))
    assert memory_keyring.passwords == {}
    assert CryptFileStore().get("prod") == Secret("s2", access_key_id=AK_ID)


def test_save_profile_writes_nothing_when_the_store_fails(isolated_env):
    keyring.core.set_keyring(fail.Keyring())
    with pytest.raises(SecretStoreUnavailable):
        save_profile(ProfileStore(), make_profile(), Secret(CANARY_SECRET))
    assert not ProfileStore().path.exists()


# --- resolution -----------------------------------------------------------------------------------


def keyring_profile(name="prod", secret=CANARY_SECRET, token=None, **kw) -> Profile:
    profile = make_profile(name, **kw)
    save_profile(ProfileStore(), profile, Secret(secret, token))
    return profile


def test_flags_with_secret_from_stdin(no_prompt):
    flags = CredentialFlags(access_key_id=AK_ID, region="cn-beijing", secret_from_stdin=True, read_only=True)
    resolved = resolve_credentials(flags, env={}, stdin=io.StringIO(CANARY_SECRET + "\n"))
    assert resolved.source == "flags" and resolved.profile_name is None
    assert resolved.credentials.access_key_id == AK_ID
    assert resolved.credentials.access_key_secret == CANARY_SECRET
    assert resolved.region_id == "cn-beijing" and resolved.read_only
    assert CANARY_SECRET not in repr(resolved)


def test_flags_with_secret_from_hidden_prompt():
    prompts: list[str] = []

    def prompt(text: str) -> str:
        prompts.append(text)
        return CANARY_SECRET

    flags = CredentialFlags(access_key_id=AK_ID, region="cn-beijing")
    resolved = resolve_credentials(flags, env={}, prompt=prompt)
    assert resolved.credentials.access_key_secret == CANARY_SECRET
    assert len(prompts) == 1 and AK_ID not in prompts[0] and mask_id(AK_ID) in prompts[0]


def test_flags_errors(no_prompt):
    with pytest.raises(CredentialsNotFound, match="--region"):
        resolve_credentials(CredentialFlags(access_key_id=AK_ID), env={})
    with pytest.raises(CredentialsNotFound, match="no AccessKey secret"):
        resolve_credentials(
            CredentialFlags(access_key_id=AK_ID, region="r", secret_from_stdin=True), env={}, stdin=io.StringIO("")
        )
    with pytest.raises(CredentialsNotFound, match="--access-key-id"):
        resolve_credentials(CredentialFlags(secret_from_stdin=True), env={})


def test_flags_take_region_from_env():
    flags = CredentialFlags(access_key_id=AK_ID, secret_from_stdin=True)
    env = {"ALIBABA_CLOUD_REGION_ID": "cn-shenzhen"}
    assert resolve_credentials(flags, env=env, stdin=io.StringIO("s\n")).region_id == "cn-shenzhen"


@pytest.mark.parametrize("prefix", ["ALIBABA_CLOUD_", "ALIBABACLOUD_", "ALICLOUD_"])
def test_env_credentials_touch_no_store_and_write_nothing(prefix, monkeypatch, memory_keyring, isolated_env):
    monkeypatch.setenv(prefix + "ACCESS_KEY_ID", AK_ID)
    monkeypatch.setenv(prefix + "ACCESS_KEY_SECRET", CANARY_SECRET)
    monkeypatch.setenv(prefix + "SECURITY_TOKEN", TOKEN)
    monkeypatch.setenv(prefix + "REGION_ID", "cn-shanghai")
    before = sorted(p for p in isolated_env.root.rglob("*"))

    def no_store(kind):
        raise AssertionError("secret store used")

    resolved = resolve_credentials(store_factory=no_store)  # env read at call time
    assert resolved.source == "env"
    assert resolved.credentials.access_key_secret == CANARY_SECRET
    assert resolved.credentials.security_token == TOKEN
    assert resolved.region_id == "cn-shanghai"
    assert memory_keyring.calls == []
    assert sorted(p for p in isolated_env.root.rglob("*")) == before


def test_env_prefers_the_canonical_names():
    env = {
        "ALICLOUD_ACCESS_KEY_ID": "alias-id",
        "ALIBABA_CLOUD_ACCESS_KEY_ID": AK_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s",
        "ALIBABA_CLOUD_REGION_ID": "r",
    }
    assert resolve_credentials(env=env).credentials.access_key_id == AK_ID


def test_env_errors():
    with pytest.raises(CredentialsNotFound, match="ALIBABA_CLOUD_ACCESS_KEY_SECRET is not set"):
        resolve_credentials(env={"ALIBABA_CLOUD_ACCESS_KEY_ID": AK_ID})
    with pytest.raises(CredentialsNotFound, match="ALIBABA_CLOUD_REGION_ID"):
        resolve_credentials(env={"ALIBABA_CLOUD_ACCESS_KEY_ID": AK_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s"})


def test_nothing_resolves_names_the_three_ways():
    with pytest.raises(CredentialsNotFound) as info:
        resolve_credentials(env={})
    text = str(info.value)
    assert "--access-key-id" in text and "ALIBABA_CLOUD_ACCESS_KEY_ID" in text and "profile add" in text


def test_profile_from_default():
    keyring_profile(endpoint="https://e.example", read_only=True)
    resolved = resolve_credentials(env={})
    assert resolved.source == "profile:prod" and resolved.profile_name == "prod"
    assert resolved.credentials.access_key_secret == CANARY_SECRET
    assert resolved.endpoint == "https://e.example" and resolved.read_only and resolved.region_id == "cn-hangzhou"
    assert resolved.warnings == [] and resolved.expires_at is None


def test_profile_choice_order():
    keyring_profile("a", secret="sa")
    keyring_profile("b", secret="sb")
    keyring_profile("c", secret="sc")
    keyring_profile("d", secret="sd")
    assert ProfileStore().default == "a"

    def secret(flags=None, **env):
        return resolve_credentials(flags or CredentialFlags(), env=env).credentials.access_key_secret

    assert secret() == "sa"
    assert secret(ALIBABA_CLOUD_PROFILE="b") == "sb"
    assert secret(ALIBABA_CLOUD_PROFILE="b", FOAS_TUI_PROFILE="c") == "sc"
    assert secret(CredentialFlags(profile="d"), FOAS_TUI_PROFILE="c") == "sd"
    ProfileStore().set_default(None)
    assert resolve_credentials(env={}, default_profile="c").credentials.access_key_secret == "sc"


def test_resolution_order_flags_env_profile():
    keyring_profile(secret="from-profile")
    env = {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": "env-id-0000000",
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "from-env",
        "ALIBABA_CLOUD_REGION_ID": "cn-env",
    }
    flags = CredentialFlags(access_key_id=AK_ID, region="cn-flag", secret_from_stdin=True)
    assert resolve_credentials(flags, env=env, stdin=io.StringIO("from-flags\n")).source == "flags"
    assert resolve_credentials(CredentialFlags(), env=env).credentials.access_key_secret == "from-env"
    assert resolve_credentials(CredentialFlags(), env={}).credentials.access_key_secret == "from-profile"
    # An explicit --profile is a flag: it beats env credentials.
    assert resolve_credentials(CredentialFlags(profile="prod"), env=env).source == "profile:prod"


def test_region_and_endpoint_flags_override_every_source():
    keyring_profile(endpoint="https://profile.example")
    flags = CredentialFlags(region="cn-override", endpoint="http://127.0.0.1:1")
    resolved = resolve_credentials(flags, env={})
    assert (resolved.region_id, resolved.endpoint) == ("cn-override", "http://127.0.0.1:1")
    env = {"ALIBABA_CLOUD_ACCESS_KEY_ID": AK_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": "s"}
    resolved = resolve_credentials(flags, env=env)
    assert (resolved.source, resolved.region_id, resolved.endpoint) == ("env", "cn-override", "http://127.0.0.1:1")


def test_profile_without_secret(memory_keyring):
    ProfileStore().add(make_profile())
    with pytest.raises(CredentialsNotFound, match="no secret in OS keyring") as info:
        resolve_credentials(CredentialFlags(profile="prod"), env={})
    assert "foas-tui profile add prod" in str(info.value)


def test_unknown_profile():
    keyring_profile("prod")
    with pytest.raises(UnknownProfile, match="'nope' not found.*known: prod"):
        resolve_credentials(CredentialFlags(profile="nope"), env={})


def test_store_failure_propagates_with_its_message():
    keyring_profile()
    keyring.core.set_keyring(fail.Keyring())
    with pytest.raises(SecretStoreUnavailable, match="No OS keyring"):
        resolve_credentials(env={})


def test_sts_expired_counts_as_missing(memory_keyring):
    keyring_profile(token=TOKEN, sts_expiration=NOW - 1)
    memory_keyring.calls.clear()
    with pytest.raises(CredentialsNotFound, match="expired at") as info:
        resolve_credentials(env={}, now=NOW)
    assert "import-aliyun" in str(info.value)
    assert memory_keyring.calls == []  # the expired token is not even read


def test_sts_expiring_soon_warns():
    keyring_profile(token=TOKEN, sts_expiration=NOW + 120)
    resolved = resolve_credentials(env={}, now=NOW)
    assert resolved.credentials.security_token == TOKEN
    assert resolved.expires_at == NOW + 120
    assert len(resolved.warnings) == 1 and "expires in 120 s" in resolved.warnings[0]
    assert resolve_credentials(env={}, now=NOW - 3600).warnings == []


def test_cryptfile_profile_resolves(fast_kdf, monkeypatch):
    monkeypatch.setenv("FOAS_TUI_KEYRING_PASSPHRASE", "pp")
    keyring_profile(store="cryptfile")
    resolved = resolve_credentials(env={"FOAS_TUI_KEYRING_PASSPHRASE": "pp"})
    assert resolved.credentials.access_key_secret == CANARY_SECRET


# --- import-aliyun --------------------------------------------------------------------------------


def aliyun_config(home: Path, *profiles: dict, current: str = "prod", where: str = ".aliyun") -> Path:
    path = home / where / "config.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"current": current, "meta_path": "", "profiles": list(profiles)}))
    path.chmod(0o600)
    return path


AK_ENTRY = {
    "name": "prod",
    "mode": "AK",
    "access_key_id": AK_ID,
    "access_key_secret": CANARY_SECRET,
    "sts_token": "",
    "sts_expiration": 0,
    "region_id": "cn-shanghai",
    "output_format": "json",
    "language": "en",
}
STS_ENTRY = dict(AK_ENTRY, name="temp", mode="StsToken", access_key_id=STS_ID, sts_token=TOKEN)


def test_import_ak_profile(isolated_env, memory_keyring):
    path = aliyun_config(isolated_env.home, AK_ENTRY, STS_ENTRY)
    before = (path.read_bytes(), path.stat().st_mtime_ns, stat.S_IMODE(path.stat().st_mode))
    result = import_aliyun()
    assert result.path == path and result.mode == "AK" and result.source_name == "prod"
    assert result.profile == Profile(name="prod", region_id="cn-shanghai", access_key_id=AK_ID)
    assert result.made_default and ProfileStore().default == "prod"
    assert KeyringStore().get("prod") == Secret(CANARY_SECRET, access_key_id=AK_ID)
    assert (path.read_bytes(), path.stat().st_mtime_ns, stat.S_IMODE(path.stat().st_mode)) == before


def test_import_sts_profile_keeps_token_and_expiry(isolated_env):
    entry = dict(STS_ENTRY, sts_expiration=int(NOW) + 3600)
    aliyun_config(isolated_env.home, AK_ENTRY, entry)
    result = import_aliyun(name="temp", as_name="tmp-sts", now=NOW)
    assert result.profile.name == "tmp-sts" and result.profile.sts_expiration == NOW + 3600
    assert result.warnings == []
    resolved = resolve_credentials(CredentialFlags(profile="tmp-sts"), env={}, now=NOW)
    assert resolved.credentials.security_token == TOKEN and resolved.credentials.access_key_id == STS_ID


def test_import_expired_sts_warns(isolated_env):
    aliyun_config(isolated_env.home, dict(STS_ENTRY, sts_expiration=int(NOW) - 10), current="temp")
    result = import_aliyun(now=NOW)
    assert result.warnings and "expired" in result.warnings[0]


def test_import_sts_without_expiry_has_none(isolated_env):
    aliyun_config(isolated_env.home, STS_ENTRY, current="temp")
    assert import_aliyun().profile.sts_expiration is None


@pytest.mark.parametrize("mode", ["RamRoleArn", "EcsRamRole", "OIDC", "CloudSSO", "External"])
def test_import_unsupported_mode(isolated_env, mode):
    aliyun_config(isolated_env.home, dict(AK_ENTRY, mode=mode))
    with pytest.raises(ImportAliyunError, match="not supported yet: use env") as info:
        import_aliyun()
    assert_clean_message(info.value)
    assert mode in str(info.value)
    assert not ProfileStore().path.exists()


def test_import_xdg_fallback_and_explicit_path(isolated_env, tmp_path):
    aliyun_config(isolated_env.home, AK_ENTRY, where=".config/aliyun")
    assert import_aliyun().path == isolated_env.home / ".config" / "aliyun" / "config.json"
    other = aliyun_config(tmp_path / "elsewhere", dict(AK_ENTRY, name="x"), current="x")
    assert import_aliyun(path=other).profile.name == "x"


def test_import_errors(isolated_env, tmp_path):
    with pytest.raises(ImportAliyunError, match="no aliyun CLI config found"):
        import_aliyun()
    aliyun_config(isolated_env.home, AK_ENTRY)
    with pytest.raises(ImportAliyunError, match="'nope' not found.*known: prod"):
        import_aliyun(name="nope")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ImportAliyunError, match="not valid JSON"):
        import_aliyun(path=bad)
    aliyun_config(tmp_path / "h2", dict(AK_ENTRY, region_id=""))
    with pytest.raises(ImportAliyunError, match="region_id"):
        import_aliyun(path=tmp_path / "h2" / ".aliyun" / "config.json")


def test_import_into_cryptfile(isolated_env, fast_kdf, memory_keyring, monkeypatch):
    monkeypatch.setenv("FOAS_TUI_KEYRING_PASSPHRASE", "pp")
    monkeypatch.setenv("FOAS_TUI_SECRET_STORE", "cryptfile")
    aliyun_config(isolated_env.home, AK_ENTRY)
    assert import_aliyun().profile.store == "cryptfile"
    assert memory_keyring.passwords == {}
    assert CryptFileStore().get("prod") == Secret(CANARY_SECRET, access_key_id=AK_ID)


# --- the canary -----------------------------------------------------------------------------------


def _encodings(value: str) -> list[bytes]:
    raw = value.encode()
    return [raw, base64.b64encode(raw), raw.hex().encode(), json.dumps(value).encode()]


def test_canary_never_leaks(isolated_env, fast_kdf, caplog, monkeypatch, memory_keyring):
    caplog.set_level(logging.DEBUG)
    monkeypatch.setenv("FOAS_TUI_KEYRING_PASSPHRASE", "pp")
    objects: list[object] = []
    errors: list[BaseException] = []

    aliyun_config(isolated_env.home, AK_ENTRY, STS_ENTRY)
    objects.append(import_aliyun())
    objects.append(import_aliyun(name="temp", store="cryptfile"))
    keyring_profile("third", store="cryptfile")
    for name in ("prod", "temp", "third"):
        resolved = resolve_credentials(CredentialFlags(profile=name), env={})
        objects += [resolved, resolved.credentials, ProfileStore().get(name)]
    objects += [Secret(CANARY_SECRET, CANARY_SECRET), Credentials(AK_ID, CANARY_SECRET, CANARY_SECRET)]
    objects += [KeyringStore(), CryptFileStore(), ProfileStore()]
    env = {"ALIBABA_CLOUD_ACCESS_KEY_ID": AK_ID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET": CANARY_SECRET}
    objects.append(resolve_credentials(env=env | {"ALIBABA_CLOUD_REGION_ID": "r"}))

    def collect(call) -> None:
        try:
            call()
        except Exception as exc:  # every failure mode, gathered for the checks below
            errors.append(exc)

    collect(lambda: resolve_credentials(env=env))
    collect(lambda: CryptFileStore(lambda new: "wrong", path=CryptFileStore().path, env={}).get("third"))
    collect(lambda: KeyringStore(backend=fail.Keyring()).set("x", Secret(CANARY_SECRET)))
    collect(lambda: KeyringStore(backend=RaisingKeyring(KeyringLocked("locked"))).set("x", Secret(CANARY_SECRET)))
    collect(lambda: KeyringStore(backend=PlaintextKeyring()).set("x", Secret(CANARY_SECRET)))
    path = ProfileStore().path
    good = path.read_text()
    path.write_text(good + f'\n[profiles.bad]\nregion_id = "r"\naccess_key_id = "i"\nsecret = "{CANARY_SECRET}"\n')
    collect(lambda: ProfileStore().list())
    path.write_text(good)
    aliyun_config(isolated_env.home, dict(AK_ENTRY, mode="RamRoleArn"))
    collect(import_aliyun)
    assert len(errors) == 7

    for obj in [*objects, *errors]:
        assert CANARY_SECRET not in repr(obj) and CANARY_SECRET not in str(obj), obj
    for record in caplog.records:
        assert CANARY_SECRET not in record.getMessage()
    for file in isolated_env.root.rglob("*"):
        if file.is_file() and file.parent.name != ".aliyun":  # the aliyun CLI's own file is the source
            data = file.read_bytes()
            for encoded in _encodings(CANARY_SECRET):
                assert encoded not in data, file
    # The secrets did land where they belong.
    assert ("foas-tui", "prod/access_key_secret") in memory_keyring.passwords
    assert CryptFileStore().get("temp") == Secret(CANARY_SECRET, TOKEN, STS_ID)


def test_resolved_secrets_are_redacted_by_the_log_formatter():
    from foas_tui.logging_setup import redact

    env = {
        "ALIBABA_CLOUD_ACCESS_KEY_ID": AK_ID,
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET": CANARY_SECRET,
        "ALIBABA_CLOUD_SECURITY_TOKEN": TOKEN,
        "ALIBABA_CLOUD_REGION_ID": "r",
    }
    resolve_credentials(env=env)
    assert redact(f"oops {CANARY_SECRET} and {TOKEN}") == "oops **** and ****"


# --- profiles.toml holds the masked AccessKey ID (README); the full one is in the secret store ---------------


def test_the_file_holds_the_masked_id_and_the_session_gets_the_full_one(isolated_env, memory_keyring):
    save_profile(ProfileStore(), make_profile(), Secret(CANARY_SECRET))
    assert ProfileStore().get("prod").access_key_id == "LTAI****Id42"
    assert AK_ID not in ProfileStore().path.read_text()
    assert ("foas-tui", "prod/access_key_id") in memory_keyring.passwords
    resolved = resolve_credentials(profile="prod", env={})
    assert resolved.credentials.access_key_id == AK_ID


def _old_file(path: Path, *names: str) -> None:
    """profiles.toml as earlier versions wrote it: the full AccessKey ID."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tables = "".join(f'[profiles.{n}]\nregion_id = "cn-hangzhou"\naccess_key_id = "{AK_ID}"\n'
                     'read_only = false\nstore = "keyring"\n\n' for n in names)
    path.write_text(f'default = "{names[0]}"\n\n{tables}')


def test_an_old_file_with_the_full_id_is_read_and_migrated_on_use(isolated_env, memory_keyring):
    profiles = ProfileStore()
    _old_file(profiles.path, "prod")
    KeyringStore().set("prod", Secret(CANARY_SECRET))  # an old entry: the secret only
    resolved = resolve_credentials(profile="prod", env={})
    assert resolved.credentials.access_key_id == AK_ID
    assert AK_ID not in profiles.path.read_text() and profiles.get("prod").access_key_id == "LTAI****Id42"
    assert KeyringStore().get("prod") == Secret(CANARY_SECRET, access_key_id=AK_ID)
    again = resolve_credentials(profile="prod", env={})  # and it still works from the migrated state
    assert again.credentials.access_key_id == AK_ID


def test_saving_a_profile_migrates_the_old_ones_in_the_same_store(isolated_env, memory_keyring):
    profiles = ProfileStore()
    _old_file(profiles.path, "a", "b")
    KeyringStore().set("a", Secret("sa"))
    save_profile(profiles, make_profile("c"), Secret("sc"))
    # a (migrated) and c (new) masked; b has no secret in the store to keep its ID with: left as it was.
    assert [p.access_key_id for p in profiles.list()] == ["LTAI****Id42", AK_ID, "LTAI****Id42"]
    assert resolve_credentials(profile="a", env={}).credentials.access_key_id == AK_ID


def test_a_masked_id_without_the_full_one_in_the_store_is_a_sentence(isolated_env, memory_keyring):
    profiles = ProfileStore()
    save_profile(profiles, make_profile(), Secret(CANARY_SECRET))
    del memory_keyring.passwords[("foas-tui", "prod/access_key_id")]
    with pytest.raises(CredentialsNotFound, match=r"only a masked AccessKey ID \(LTAI\*\*\*\*Id42\).*profile add prod"):
        resolve_credentials(profile="prod", env={})
