"""Credentials: profiles (TOML, no secrets), secret stores (OS keyring or opt-in encrypted file), resolution.

`keyring` is imported lazily, inside functions: importing this module costs nothing at startup.
"""

from __future__ import annotations

import configparser
import getpass
import json
import logging
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, TextIO, TypeVar

import tomli_w

from foas_tui.api.signing import Credentials, mask_id
from foas_tui.config import ConfigError, atomic_write, config_dir, data_dir, ensure_private_dir, read_toml
from foas_tui.logging_setup import register_secret

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

__all__ = [
    "Credentials",
    "CredentialError",
    "CredentialFlags",
    "CredentialsNotFound",
    "CryptFileStore",
    "ImportAliyunError",
    "ImportResult",
    "KeyringStore",
    "Profile",
    "ProfileStore",
    "ResolvedCredentials",
    "Secret",
    "SecretStore",
    "SecretStoreUnavailable",
    "UnknownProfile",
    "WrongPassphrase",
    "default_store_factory",
    "import_aliyun",
    "mask_id",
    "resolve_credentials",
    "save_profile",
    "terminal_store_factory",
]

log = logging.getLogger(__name__)

StoreKind = Literal["keyring", "cryptfile"]
STORE_KINDS: tuple[StoreKind, ...] = ("keyring", "cryptfile")
SERVICE = "foas-tui"
PROFILES_FILE = "profiles.toml"
CRYPTFILE_NAME = "secrets.cfg"
SECRET_STORE_ENV = "FOAS_TUI_SECRET_STORE"
PASSPHRASE_ENV = "FOAS_TUI_KEYRING_PASSPHRASE"
PROFILE_ENVS = ("FOAS_TUI_PROFILE", "ALIBABA_CLOUD_PROFILE")
ENV_PREFIXES = ("ALIBABA_CLOUD_", "ALIBABACLOUD_", "ALICLOUD_")
KEYRING_TIMEOUT = 10.0
STS_WARN_SECONDS = 300
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_FORBIDDEN_KEY = re.compile(r"secret|token", re.IGNORECASE)

CRYPTFILE_INSTALL = "pip install 'foas-tui[cryptfile]'"
ENV_FIX = "export ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET (nothing is saved)"
CRYPTFILE_FIX = f"{CRYPTFILE_INSTALL}, then foas-tui profile add NAME --store cryptfile"
DBUS_FIX = "dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock; foas-tui'"


# --- errors ---------------------------------------------------------------------------------------


class CredentialError(Exception):
    """Base of every credentials failure; its `str()` is a message for humans, never with a secret."""


class SecretStoreUnavailable(CredentialError):
    """The secret store cannot be used: `reason` says why, `fixes` say what to do."""

    def __init__(self, reason: str, fixes: Sequence[str] = (), summary: str = "No OS keyring"):
        self.reason = reason
        self.fixes = tuple(fixes)
        self.summary = summary
        super().__init__(str(self))

    def __str__(self) -> str:
        head = f"{self.summary} ({self.reason})."
        if not self.fixes:
            return head
        if len(self.fixes) == 1:
            return f"{head} Fix: {self.fixes[0]}."
        numbered = [f"({i}) {fix}" for i, fix in enumerate(self.fixes, 1)]
        body = ",\n".join(numbered[:-1]) + ", or\n" + numbered[-1] + "."
        return f"{head} Either\n{body}"


class WrongPassphrase(SecretStoreUnavailable):
    """The encrypted secrets file did not open with the passphrase given."""


class CredentialsNotFound(CredentialError):
    """Nothing resolved, or the chosen source lacks a secret or holds an expired STS token."""


class UnknownProfile(CredentialError):
    """A profile name that is not in profiles.toml."""


class ImportAliyunError(CredentialError):
    """The aliyun CLI config could not be imported."""


NOT_FOUND_HELP = (
    "No credentials found. Provide them in one of three ways:\n"
    "  (1) flags: --access-key-id ID --region R (the secret is prompted for, or read with --secret-stdin),\n"
    "  (2) env: ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and ALIBABA_CLOUD_REGION_ID"
    " (optionally ALIBABA_CLOUD_SECURITY_TOKEN), or\n"
    "  (3) a profile: foas-tui profile add NAME --region R (or foas-tui profile import-aliyun),"
    " chosen with --profile, FOAS_TUI_PROFILE or foas-tui profile set-default NAME."
)


# --- secrets --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, repr=False)
class Secret:
    """The secret half of a credential; `repr`/`str` never show it.

    `access_key_id` rides along (it is not secret, but profiles.toml keeps only its masked form, as the
    README promises); None for entries written before it was stored here.
    """

    access_key_secret: str
    security_token: str | None = None
    access_key_id: str | None = None

    def __repr__(self) -> str:
        token = "'****'" if self.security_token else "None"
        key_id = f", access_key_id={mask_id(self.access_key_id)!r}" if self.access_key_id else ""
        return f"Secret(access_key_secret='****', security_token={token}{key_id})"

    __str__ = __repr__


class SecretStore(Protocol):
    """Where profile secrets live. Methods may raise `SecretStoreUnavailable`."""

    def get(self, profile: str) -> Secret | None: ...

    def set(self, profile: str, secret: Secret) -> None: ...

    def delete(self, profile: str) -> None: ...

    def has_secret(self, profile: str) -> bool: ...

    def describe(self) -> str: ...


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _headless_reason(detail: str) -> str:
    if sys.platform.startswith("linux") and not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return "no Secret Service: DBUS_SESSION_BUS_ADDRESS unset"
    return detail


def headless_error(detail: str) -> SecretStoreUnavailable:
    return SecretStoreUnavailable(_headless_reason(detail), (ENV_FIX, CRYPTFILE_FIX, DBUS_FIX))


def locked_error(detail: str) -> SecretStoreUnavailable:
    fixes = (
        "unlock it (log in to the desktop session, or run `gnome-keyring-daemon --unlock` and type the login password)",
        ENV_FIX,
        CRYPTFILE_FIX,
    )
    return SecretStoreUnavailable(detail, fixes, summary="The OS keyring is locked")


def _refused_error(backend: object, why: str) -> SecretStoreUnavailable:
    name = f"{type(backend).__module__}.{type(backend).__qualname__}"
    fixes = (
        "unset PYTHON_KEYRING_BACKEND and remove default-keyring from keyringrc.cfg (`keyring diagnose`)",
        ENV_FIX,
        CRYPTFILE_FIX,
    )
    return SecretStoreUnavailable(f"{name}: {why}", fixes, summary="Refusing this keyring backend")


def _map_keyring_error(exc: BaseException) -> SecretStoreUnavailable:
    from keyring.errors import KeyringError, KeyringLocked, NoKeyringError

    if isinstance(exc, SecretStoreUnavailable):
        return exc
    if isinstance(exc, KeyringLocked):
        return locked_error(_first_line(exc))
    if isinstance(exc, NoKeyringError | RuntimeError | ImportError):
        return headless_error(_first_line(exc))
    if isinstance(exc, KeyringError):
        return SecretStoreUnavailable(
            f"{type(exc).__name__}: {_first_line(exc)}", (ENV_FIX, CRYPTFILE_FIX), summary="OS keyring error"
        )
    raise exc


def _refusal(backend: KeyringBackend) -> str | None:
    """Why `backend` must not hold our secrets, or None when it is acceptable."""
    import keyring.core
    from keyring.backends.chainer import ChainerBackend

    lineage = type(backend).__mro__
    if isinstance(backend, ChainerBackend):
        return "the chainer is refused (with no real backend behind it, set_password silently does nothing)"
    if any(c.__name__ == "PlaintextKeyring" for c in lineage):
        return "it stores secrets unencrypted"
    if any(c.__module__.startswith("keyrings.cryptfile") for c in lineage):
        return f"it prompts on the terminal; use the encrypted file store instead: {CRYPTFILE_FIX}"
    if not keyring.core.recommended(backend):  # evaluating priority may raise RuntimeError
        return "not a recommended (secure, working) backend"
    return None


def _usable(backend: KeyringBackend) -> bool:
    try:
        return _refusal(backend) is None
    except RuntimeError:
        return False


def _check_backend(backend: KeyringBackend) -> KeyringBackend:
    from keyring.backends import fail

    try:
        why = _refusal(backend)
    except RuntimeError as exc:
        raise headless_error(_first_line(exc)) from None
    if why is None:
        return backend
    if isinstance(backend, fail.Keyring) or why.startswith("not a recommended"):
        raise headless_error(f"{type(backend).__module__}.{type(backend).__qualname__} is {why}")
    raise _refused_error(backend, why)


def select_backend() -> KeyringBackend:
    """The keyring backend to use, per the rules in research/credentials.md section 1.

    A backend installed with `keyring.set_keyring()` (tests, embedding apps), `PYTHON_KEYRING_BACKEND` or
    keyringrc.cfg is honoured only if acceptable; otherwise the best recommended real backend, never the
    chainer, never a plaintext or terminal-prompting file backend.
    """
    import keyring.backend
    import keyring.core
    from keyring.backends.chainer import ChainerBackend

    chosen = keyring.core._keyring_backend  # set only by set_keyring() or an earlier detection
    if chosen is not None and not isinstance(chosen, ChainerBackend):
        return _check_backend(chosen)
    try:
        explicit = keyring.core.load_env() or keyring.core.load_config()
    except (ImportError, AttributeError, ValueError, configparser.Error) as exc:
        raise SecretStoreUnavailable(
            f"the configured backend cannot be loaded: {_first_line(exc)}",
            ("fix or unset PYTHON_KEYRING_BACKEND / keyringrc.cfg (`keyring diagnose`)", ENV_FIX),
            summary="Keyring misconfigured",
        ) from None
    if explicit is not None:
        return _check_backend(explicit)
    candidates = [b for b in keyring.backend.get_all_keyring() if _usable(b)]
    if not candidates:
        raise headless_error("no recommended keyring backend is available")
    return max(candidates, key=keyring.backend.by_priority)


_T = TypeVar("_T")


def call_with_timeout(func: Callable[[], _T], timeout: float, what: str = "The OS keyring") -> _T:
    """Run `func` in a daemon thread; a backend that hangs (a hidden unlock prompt) becomes an error."""
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = func()
        except BaseException as exc:  # handed to the caller's thread below
            outcome["error"] = exc

    worker = threading.Thread(target=run, name="foas-tui-secret-store", daemon=True)
    worker.start()
    worker.join(timeout)
    if worker.is_alive():
        raise SecretStoreUnavailable(
            f"no answer within {timeout:g} s; is it waiting for an unlock prompt?",
            (ENV_FIX, CRYPTFILE_FIX, DBUS_FIX),
            summary=f"{what} did not answer",
        )
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


class KeyringStore:
    """Secrets in the OS keyring: service `foas-tui`, users `<profile>/access_key_secret`, `.../security_token`.

    Secret and token are separate entries: Windows caps one entry at about 1,280 characters.
    """

    kind: StoreKind = "keyring"

    def __init__(self, backend: KeyringBackend | None = None, timeout: float = KEYRING_TIMEOUT):
        self._backend = backend
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"KeyringStore({self.describe()})"

    def describe(self) -> str:
        if self._backend is None:
            return "OS keyring"
        return f"OS keyring ({type(self._backend).__name__})"

    def _ready_backend(self) -> KeyringBackend:
        if self._backend is None:
            self._backend = select_backend()
        else:
            _check_backend(self._backend)
        return self._backend

    def _run(self, operation: Callable[[KeyringBackend], _T]) -> _T:
        try:
            return call_with_timeout(lambda: operation(self._ready_backend()), self.timeout)
        except SecretStoreUnavailable:
            raise
        except Exception as exc:  # mapped to a clear message below, or re-raised if not a keyring error
            raise _map_keyring_error(exc) from None

    @staticmethod
    def _users(profile: str) -> tuple[str, str, str]:
        return f"{profile}/access_key_secret", f"{profile}/security_token", f"{profile}/access_key_id"

    def get(self, profile: str) -> Secret | None:
        secret_user, token_user, id_user = self._users(profile)

        def read(backend: KeyringBackend) -> Secret | None:
            secret = backend.get_password(SERVICE, secret_user)
            if secret is None:
                return None
            return Secret(secret, backend.get_password(SERVICE, token_user) or None,
                          backend.get_password(SERVICE, id_user) or None)

        return self._run(read)

    def has_secret(self, profile: str) -> bool:
        user = self._users(profile)[0]
        return self._run(lambda backend: backend.get_password(SERVICE, user) is not None)

    def set(self, profile: str, secret: Secret) -> None:
        secret_user, token_user, id_user = self._users(profile)

        def write(backend: KeyringBackend) -> None:
            backend.set_password(SERVICE, secret_user, secret.access_key_secret)
            if secret.security_token:
                backend.set_password(SERVICE, token_user, secret.security_token)
            else:
                _delete_quietly(backend, token_user)
            if secret.access_key_id:
                backend.set_password(SERVICE, id_user, secret.access_key_id)

        self._run(write)
        log.debug("stored the secret of profile %r in %s", profile, self.describe())

    def delete(self, profile: str) -> None:
        users = self._users(profile)

        def remove(backend: KeyringBackend) -> None:
            for user in users:
                _delete_quietly(backend, user)

        self._run(remove)


def _delete_quietly(backend: KeyringBackend, user: str) -> None:
    from keyring.errors import PasswordDeleteError

    try:
        backend.delete_password(SERVICE, user)
    except PasswordDeleteError:
        pass  # nothing stored under this name


# --- the encrypted file store ---------------------------------------------------------------------

PassphraseSource = Callable[[bool], str]
"""Returns the passphrase; its argument is True when the file is about to be created (confirm it)."""


def _cryptfile_missing() -> SecretStoreUnavailable:
    return SecretStoreUnavailable(
        "keyrings.cryptfile is not installed",
        (CRYPTFILE_INSTALL,),
        summary="The encrypted file store is unavailable",
    )


_CRYPTFILE_CLASS: list[type] = []


def _cryptfile_class() -> type:
    """A `CryptFileKeyring` that never prompts, kept out of keyring's auto-detection registry."""
    if _CRYPTFILE_CLASS:
        return _CRYPTFILE_CLASS[0]
    try:
        from keyring.backend import KeyringBackend
        from keyrings.cryptfile.cryptfile import CryptFileKeyring
    except ImportError:
        raise _cryptfile_missing() from None

    class FoasCryptFileKeyring(CryptFileKeyring):
        def _get_new_password(self) -> str:
            raise SecretStoreUnavailable("no passphrase given", summary="The encrypted file store is locked")

        def _unlock(self) -> None:
            if self._keyring_key is None:
                self._get_new_password()
            super()._unlock()

    KeyringBackend._classes.discard(FoasCryptFileKeyring)  # the metaclass registered it
    _CRYPTFILE_CLASS.append(FoasCryptFileKeyring)
    return FoasCryptFileKeyring


class CryptFileStore:
    """Secrets in an encrypted file (Argon2id + AES-GCM via keyrings.cryptfile), one JSON blob per profile.

    Explicit opt-in only. The passphrase comes from `$FOAS_TUI_KEYRING_PASSPHRASE` or the `passphrase`
    callable; the file is decrypted once per store instance.
    """

    kind: StoreKind = "cryptfile"
    # Argon2 cost; tests lower these (class attributes, so stores built by factories follow).
    time_cost: int = 15
    memory_cost: int = 2**16

    def __init__(
        self,
        passphrase: PassphraseSource | None = None,
        *,
        path: Path | None = None,
        env: Mapping[str, str] | None = None,
        time_cost: int | None = None,
        memory_cost: int | None = None,
    ):
        self._env = os.environ if env is None else env
        self.path = path if path is not None else data_dir(self._env) / CRYPTFILE_NAME
        self._passphrase = passphrase
        self._time_cost = time_cost if time_cost is not None else self.time_cost
        self._memory_cost = memory_cost if memory_cost is not None else self.memory_cost
        self._keyring: Any = None
        self._cache: dict[str, Secret | None] = {}

    def __repr__(self) -> str:
        return f"CryptFileStore({str(self.path)!r})"

    def describe(self) -> str:
        return f"encrypted file {self.path}"

    def _read_passphrase(self, new_file: bool) -> str:
        passphrase = self._env.get(PASSPHRASE_ENV)
        if not passphrase and self._passphrase is not None:
            passphrase = self._passphrase(new_file)
        if not passphrase or not passphrase.strip():
            raise SecretStoreUnavailable(
                "no passphrase: set FOAS_TUI_KEYRING_PASSPHRASE or run in a terminal to be asked",
                summary=f"The encrypted file store {self.path} is locked",
            )
        return passphrase

    def _open(self) -> Any:
        if self._keyring is not None:
            return self._keyring
        keyring = _cryptfile_class()()
        keyring.file_path = str(self.path)
        keyring.time_cost = self._time_cost
        keyring.memory_cost = self._memory_cost
        ensure_private_dir(self.path.parent)
        passphrase = self._read_passphrase(new_file=not self.path.exists())
        try:
            keyring.keyring_key = passphrase  # creates the file, or checks the passphrase (one KDF)
        except ValueError as exc:
            raise self._value_error(exc) from None
        self._keyring = keyring
        return keyring

    def _value_error(self, exc: ValueError) -> SecretStoreUnavailable:
        """keyrings.cryptfile says "MAC check failed" for a wrong passphrase, other texts for a bad file."""
        text = str(exc)
        if "MAC check" in text or "Incorrect Password" in text:
            return WrongPassphrase(
                f"cannot decrypt {self.path}",
                (f"check {PASSPHRASE_ENV} or retype it",),
                summary="Wrong passphrase for the encrypted secrets file",
            )
        return SecretStoreUnavailable(
            f"{self.path}: {_first_line(exc)}", summary="The encrypted file store cannot be read"
        )

    def _guard(self, operation: Callable[[], _T]) -> _T:
        from keyring.errors import KeyringError

        try:
            return operation()
        except ValueError as exc:
            raise self._value_error(exc) from None
        except (configparser.Error, KeyringError, OSError) as exc:
            raise SecretStoreUnavailable(
                f"{type(exc).__name__}: {_first_line(exc)}",
                summary=f"The encrypted file store {self.path} failed",
            ) from None

    def get(self, profile: str) -> Secret | None:
        if profile not in self._cache:
            blob = self._guard(lambda: self._open().get_password(SERVICE, profile))
            self._cache[profile] = _secret_from_blob(blob, self.path)
        return self._cache[profile]

    def set(self, profile: str, secret: Secret) -> None:
        blob = json.dumps({"access_key_secret": secret.access_key_secret, "security_token": secret.security_token,
                           "access_key_id": secret.access_key_id})
        self._guard(lambda: self._open().set_password(SERVICE, profile, blob))
        os.chmod(self.path, 0o600)
        self._cache[profile] = secret
        log.debug("stored the secret of profile %r in %s", profile, self.describe())

    def delete(self, profile: str) -> None:
        """Remove the profile's entry; needs no passphrase."""
        from keyring.errors import PasswordDeleteError

        self._cache.pop(profile, None)
        if not self.path.exists():
            return
        keyring = _cryptfile_class()()
        keyring.file_path = str(self.path)

        def remove() -> None:
            try:
                keyring.delete_password(SERVICE, profile)
            except PasswordDeleteError:
                pass  # nothing stored for this profile

        self._guard(remove)

    def has_secret(self, profile: str) -> bool:
        """Whether an entry exists; entry names are plaintext in the file, so no passphrase is needed."""
        if profile in self._cache:
            return self._cache[profile] is not None
        try:
            from keyrings.cryptfile.escape import escape
        except ImportError:
            raise _cryptfile_missing() from None
        parser = configparser.RawConfigParser()
        self._guard(lambda: parser.read(self.path, encoding="utf-8"))
        return parser.has_option(escape(SERVICE), escape(profile))


def _secret_from_blob(blob: str | None, path: Path) -> Secret | None:
    if blob is None:
        return None
    try:
        data = json.loads(blob)
        return Secret(str(data["access_key_secret"]), data.get("security_token") or None,
                      data.get("access_key_id") or None)
    except (ValueError, KeyError, TypeError, AttributeError):
        raise SecretStoreUnavailable(
            "an entry is not in the expected format", summary=f"The encrypted file store {path} is corrupt"
        ) from None


def getpass_passphrase(new_file: bool) -> str:
    """A `PassphraseSource` for the terminal, before Textual starts; asks twice for a new file."""
    if not sys.stdin.isatty():
        return ""
    first = getpass.getpass("Passphrase for the foas-tui secrets file: ")
    if new_file and getpass.getpass("Repeat the passphrase: ") != first:
        raise SecretStoreUnavailable("the two passphrases differ", summary="Passphrase not set")
    return first


def store_kind_from_env(env: Mapping[str, str] | None = None) -> StoreKind:
    """`$FOAS_TUI_SECRET_STORE` (keyring or cryptfile), keyring by default."""
    env = os.environ if env is None else env
    value = (env.get(SECRET_STORE_ENV) or "keyring").strip().lower()
    if value not in STORE_KINDS:
        raise CredentialError(f"{SECRET_STORE_ENV} must be 'keyring' or 'cryptfile', not {value!r}")
    return value  # type: ignore[return-value]


StoreFactory = Callable[[StoreKind], SecretStore]


def default_store_factory(kind: StoreKind, passphrase: PassphraseSource | None = None) -> SecretStore:
    """The store for `kind`; without `passphrase` the encrypted file opens only with the env passphrase."""
    if kind == "cryptfile":
        return CryptFileStore(passphrase)
    return KeyringStore()


def terminal_store_factory(kind: StoreKind) -> SecretStore:
    """Like `default_store_factory`, asking for the file passphrase on the terminal: only before Textual runs."""
    return default_store_factory(kind, getpass_passphrase)


# --- profiles -------------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class Profile:
    """A named account + region; the secret is in a `SecretStore`, never here.

    `access_key_id` is what profiles.toml holds: the masked ID (`LTAI****abcd`), the full one being in the
    secret store next to the secret. Files written before that hold the full ID; they are still read, and
    migrated when the profile is next used or another profile is saved (`migrate_key_id`).
    """

    name: str
    region_id: str
    access_key_id: str
    endpoint: str | None = None
    read_only: bool = False
    store: StoreKind = "keyring"
    sts_expiration: float | None = None

    def __post_init__(self) -> None:
        check_profile_name(self.name)
        if self.store not in STORE_KINDS:
            raise ValueError(f"store must be 'keyring' or 'cryptfile', not {self.store!r}")

    def __repr__(self) -> str:
        return (
            f"Profile(name={self.name!r}, region_id={self.region_id!r}, "
            f"access_key_id={mask_id(self.access_key_id)!r}, endpoint={self.endpoint!r}, "
            f"read_only={self.read_only}, store={self.store!r}, sts_expiration={self.sts_expiration!r})"
        )


def is_masked(access_key_id: str) -> bool:
    return "****" in access_key_id


def migrate_key_id(profiles: ProfileStore, profile: Profile, store: SecretStore,
                   secret: Secret | None = None) -> Profile:
    """Move a full AccessKey ID from profiles.toml into the secret store; returns the profile as now saved.

    Best effort: if the store cannot take it, the file keeps the full ID (the profile must keep working).
    """
    if is_masked(profile.access_key_id):
        return profile
    try:
        secret = secret if secret is not None else store.get(profile.name)
        if secret is None:
            return profile
        store.set(profile.name, replace(secret, access_key_id=profile.access_key_id))
        masked = replace(profile, access_key_id=mask_id(profile.access_key_id))
        profiles.add(masked)
    except (CredentialError, ConfigError, OSError) as err:
        log.warning("kept the full AccessKey ID of profile %r in %s: %s", profile.name, profiles.path, err)
        return profile
    return masked


def check_profile_name(name: str) -> str:
    if not _PROFILE_NAME.match(name):
        raise CredentialError(
            f"invalid profile name {name!r}: use letters, digits, '.', '_' or '-' (at most 64, no '/')"
        )
    return name


_PROFILE_FIELDS: dict[str, tuple[type | tuple[type, ...], bool]] = {
    # field: (accepted types, required)
    "region_id": (str, True),
    "access_key_id": (str, True),
    "endpoint": (str, False),
    "read_only": (bool, False),
    "store": (str, False),
    "sts_expiration": ((int, float), False),
}


def _keys(data: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """(dotted name, key) of every top-level key and every key inside a [profiles.NAME] table."""
    for key, value in data.items():
        yield key, key
        if key == "profiles" and isinstance(value, dict):
            for name, table in value.items():
                if isinstance(table, dict):
                    yield from ((f"profiles.{name}.{inner}", inner) for inner in table)


def _reject_secret_keys(data: Mapping[str, Any], path: Path) -> None:
    for dotted, key in _keys(data):
        if _FORBIDDEN_KEY.search(key):
            raise ConfigError(
                "secrets must not be stored in this file; remove the key and run "
                "`foas-tui profile add NAME ...` to keep the secret in the OS keyring or the encrypted file",
                path,
                dotted,
            )


def _profile_from_table(name: str, table: object, path: Path) -> Profile:
    where = f"profiles.{name}"
    if not isinstance(table, dict):
        raise ConfigError(f"expected a table [{where}]", path, where)
    for key in table:
        if key not in _PROFILE_FIELDS:
            raise ConfigError(f"unknown key (known: {', '.join(_PROFILE_FIELDS)})", path, f"{where}.{key}")
    for key, (types, required) in _PROFILE_FIELDS.items():
        if key not in table:
            if required:
                raise ConfigError("missing", path, f"{where}.{key}")
        elif not isinstance(table[key], types) or (types is not bool and isinstance(table[key], bool)):
            raise ConfigError(f"wrong type {type(table[key]).__name__}", path, f"{where}.{key}")
    try:
        return Profile(name=name, **table)
    except (ValueError, CredentialError) as err:
        raise ConfigError(str(err), path, where) from None


@dataclass
class ProfilesFile:
    """The parsed `profiles.toml`."""

    profiles: dict[str, Profile] = field(default_factory=dict)
    default: str | None = None


HEADER = "# foas-tui profiles. No secrets here: they live in the OS keyring or the encrypted file.\n\n"


class ProfileStore:
    """`profiles.toml` under the config dir (or `path`): read on every call, written atomically, 0600."""

    def __init__(self, path: Path | None = None):
        self._path = path

    @property
    def path(self) -> Path:
        return self._path if self._path is not None else config_dir() / PROFILES_FILE

    def __repr__(self) -> str:
        return f"ProfileStore({str(self.path)!r})"

    def load(self) -> ProfilesFile:
        path = self.path
        data = read_toml(path)
        if data is None:
            return ProfilesFile()
        _reject_secret_keys(data, path)
        for key in data:
            if key not in ("default", "profiles"):
                raise ConfigError("unknown key (known: default, profiles)", path, key)
        default = data.get("default")
        if default is not None and not isinstance(default, str):
            raise ConfigError("expected a profile name", path, "default")
        tables = data.get("profiles", {})
        if not isinstance(tables, dict):
            raise ConfigError("expected tables [profiles.NAME]", path, "profiles")
        profiles = {name: _profile_from_table(name, table, path) for name, table in tables.items()}
        return ProfilesFile(profiles, default)

    def save(self, content: ProfilesFile) -> None:
        doc: dict[str, Any] = {}
        if content.default:
            doc["default"] = content.default
        doc["profiles"] = {name: _profile_table(p) for name, p in sorted(content.profiles.items())}
        atomic_write(self.path, HEADER + tomli_w.dumps(doc), mode=0o600)

    def list(self) -> list[Profile]:
        return sorted(self.load().profiles.values(), key=lambda p: p.name)

    def find(self, name: str) -> Profile | None:
        return self.load().profiles.get(name)

    def get(self, name: str) -> Profile:
        content = self.load()
        if name not in content.profiles:
            known = ", ".join(sorted(content.profiles)) or "none"
            raise UnknownProfile(f"profile {name!r} not found in {self.path} (known: {known})")
        return content.profiles[name]

    def add(self, profile: Profile) -> None:
        """Add or replace `profile`."""
        content = self.load()
        content.profiles[profile.name] = profile
        self.save(content)

    def remove(self, name: str) -> Profile:
        content = self.load()
        profile = self.get(name)
        del content.profiles[name]
        if content.default == name:
            content.default = None
        self.save(content)
        return profile

    @property
    def default(self) -> str | None:
        return self.load().default

    def set_default(self, name: str | None) -> None:
        content = self.load()
        if name is not None:
            self.get(name)
        content.default = name
        self.save(content)


def _profile_table(profile: Profile) -> dict[str, Any]:
    table: dict[str, Any] = {"region_id": profile.region_id, "access_key_id": profile.access_key_id}
    if profile.endpoint:
        table["endpoint"] = profile.endpoint
    table["read_only"] = profile.read_only
    table["store"] = profile.store
    if profile.sts_expiration is not None:
        table["sts_expiration"] = profile.sts_expiration
    return table


def save_profile(
    profiles: ProfileStore, profile: Profile, secret: Secret, store_factory: StoreFactory | None = None
) -> bool:
    """Store the secret, then the profile (so a failing store leaves no half profile); True if made default.

    A profile that moves to another store has its old secret removed from the old one, best effort.
    """
    factory = store_factory or default_store_factory
    previous = profiles.find(profile.name)
    key_id = profile.access_key_id if not is_masked(profile.access_key_id) else secret.access_key_id
    factory(profile.store).set(profile.name, replace(secret, access_key_id=key_id))
    profiles.add(replace(profile, access_key_id=mask_id(key_id)) if key_id else profile)
    # Profiles written before IDs moved to the store, in the store just opened (no other passphrase asked).
    for other in profiles.list():
        if other.name != profile.name and other.store == profile.store and not is_masked(other.access_key_id):
            migrate_key_id(profiles, other, factory(other.store))
    if previous is not None and previous.store != profile.store:
        try:
            factory(previous.store).delete(profile.name)
        except CredentialError as err:
            log.warning("could not remove the old secret of %r: %s", profile.name, err)
    if profiles.default is None:
        profiles.set_default(profile.name)
        return True
    return False


# --- resolution -----------------------------------------------------------------------------------

Source = str  # "flags" | "env" | "profile:<name>"


@dataclass(frozen=True)
class CredentialFlags:
    """What the command line said. There is deliberately no secret here: argv is visible to every user."""

    access_key_id: str | None = None
    region: str | None = None
    endpoint: str | None = None
    profile: str | None = None
    read_only: bool = False
    secret_from_stdin: bool = False


@dataclass(frozen=True)
class ResolvedCredentials:
    """Credentials plus where to use them; `repr` shows only the masked key id."""

    credentials: Credentials
    region_id: str
    endpoint: str | None
    read_only: bool
    source: Source
    profile_name: str | None = None
    expires_at: float | None = None
    warnings: list[str] = field(default_factory=list)


def env_value(env: Mapping[str, str], suffix: str) -> str | None:
    """`ALIBABA_CLOUD_<suffix>`, then `ALIBABACLOUD_<suffix>`, then `ALICLOUD_<suffix>`."""
    for prefix in ENV_PREFIXES:
        value = env.get(prefix + suffix)
        if value:
            return value
    return None


def _read_flag_secret(flags: CredentialFlags, stdin: TextIO | None, prompt: Callable[[str], str]) -> str:
    if flags.secret_from_stdin:
        secret = (stdin or sys.stdin).readline().strip()
    else:
        secret = prompt(f"AccessKey secret for {mask_id(flags.access_key_id or '')}: ").strip()
    if not secret:
        raise CredentialsNotFound("no AccessKey secret given (it is read from a hidden prompt or stdin)")
    return secret


def _from_flags(
    flags: CredentialFlags, env: Mapping[str, str], stdin: TextIO | None, prompt: Callable[[str], str]
) -> ResolvedCredentials:
    region = flags.region or env_value(env, "REGION_ID")
    if not region:
        raise CredentialsNotFound("--access-key-id needs --region (or ALIBABA_CLOUD_REGION_ID)")
    secret = _read_flag_secret(flags, stdin, prompt)
    creds = Credentials(flags.access_key_id or "", secret)
    return ResolvedCredentials(creds, region, flags.endpoint, flags.read_only, "flags")


def _from_env(flags: CredentialFlags, env: Mapping[str, str]) -> ResolvedCredentials | None:
    key_id = env_value(env, "ACCESS_KEY_ID")
    secret = env_value(env, "ACCESS_KEY_SECRET")
    if not key_id and not secret:
        return None
    if not key_id or not secret:
        missing = "ACCESS_KEY_SECRET" if key_id else "ACCESS_KEY_ID"
        raise CredentialsNotFound(f"ALIBABA_CLOUD_{missing} is not set, but its partner is (set both or neither)")
    region = flags.region or env_value(env, "REGION_ID")
    if not region:
        raise CredentialsNotFound("credentials come from env but no region: set ALIBABA_CLOUD_REGION_ID or --region")
    creds = Credentials(key_id, secret, env_value(env, "SECURITY_TOKEN"))
    return ResolvedCredentials(creds, region, flags.endpoint, flags.read_only, "env")


def _profile_name(flags: CredentialFlags, env: Mapping[str, str], profiles: ProfileStore) -> str | None:
    if flags.profile:
        return flags.profile
    for var in PROFILE_ENVS:
        if env.get(var):
            return env[var]
    return profiles.default


def _sts_state(profile: Profile, now: float) -> list[str]:
    """Warnings for a token close to expiry; `CredentialsNotFound` for an expired one."""
    expires = profile.sts_expiration
    if expires is None:
        return []
    left = expires - now
    stamp = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(expires))
    if left <= 0:
        raise CredentialsNotFound(
            f"the STS token of profile {profile.name!r} expired at {stamp}; get a new one and run "
            f"`foas-tui profile import-aliyun --as {profile.name}` (or use env vars)"
        )
    if left < STS_WARN_SECONDS:
        return [f"the STS token of profile {profile.name!r} expires in {int(left)} s (at {stamp})"]
    return []


def _from_profile(
    name: str, flags: CredentialFlags, profiles: ProfileStore, store_factory: StoreFactory, now: float
) -> ResolvedCredentials:
    profile = profiles.get(name)
    warnings = _sts_state(profile, now)
    store = store_factory(profile.store)
    secret = store.get(name)
    if secret is None:
        raise CredentialsNotFound(
            f"profile {name!r} has no secret in {store.describe()}; "
            f"run `foas-tui profile add {name} --region {profile.region_id}` to store it"
        )
    if profile.sts_expiration is not None and not secret.security_token:
        warnings = []  # the expiry belongs to a token that is no longer stored
    if is_masked(profile.access_key_id):
        key_id = secret.access_key_id
        if not key_id:
            raise CredentialsNotFound(
                f"profile {name!r} has only a masked AccessKey ID ({profile.access_key_id}) in {profiles.path} "
                f"and none in {store.describe()}; run `foas-tui profile add {name} --region {profile.region_id}` "
                "again")
    else:
        key_id = profile.access_key_id  # an older file: use it, and move it to the store for next time
        migrate_key_id(profiles, profile, store, secret)
    creds = Credentials(key_id, secret.access_key_secret, secret.security_token)
    return ResolvedCredentials(
        creds,
        flags.region or profile.region_id,
        flags.endpoint or profile.endpoint,
        flags.read_only or profile.read_only,
        f"profile:{name}",
        profile_name=name,
        expires_at=profile.sts_expiration if secret.security_token else None,
        warnings=warnings,
    )


def resolve_credentials(
    flags: CredentialFlags | None = None,
    env: Mapping[str, str] | None = None,
    profiles: ProfileStore | None = None,
    store_factory: StoreFactory | None = None,
    *,
    default_profile: str | None = None,
    stdin: TextIO | None = None,
    prompt: Callable[[str], str] = getpass.getpass,
    now: float | None = None,
    **flag_values: Any,
) -> ResolvedCredentials:
    """Flags, then env (read now, never saved), then a profile and its secret store.

    The profile is `--profile`, then `$FOAS_TUI_PROFILE`/`$ALIBABA_CLOUD_PROFILE`, then the default in
    profiles.toml, then `default_profile` (from config.toml). `--region`/`--endpoint` override any source.
    `flag_values` (profile=, region=, ...) are a shorthand for, or override, fields of `flags`.
    """
    flags = replace(flags or CredentialFlags(), **flag_values)
    env = os.environ if env is None else env
    if flags.access_key_id:
        resolved = _from_flags(flags, env, stdin, prompt)
    elif flags.secret_from_stdin:
        raise CredentialsNotFound("--secret-stdin needs --access-key-id")
    else:
        resolved = None if flags.profile else _from_env(flags, env)
        if resolved is None:
            profiles = profiles or ProfileStore()
            name = _profile_name(flags, env, profiles) or default_profile
            if name is None:
                raise CredentialsNotFound(NOT_FOUND_HELP)
            factory = store_factory or default_store_factory
            resolved = _from_profile(name, flags, profiles, factory, time.time() if now is None else now)
    register_secret(resolved.credentials.access_key_secret)  # the debug log file redacts it from now on
    register_secret(resolved.credentials.security_token)
    log.debug(
        "credentials from %s: key %s, region %s",
        resolved.source,
        mask_id(resolved.credentials.access_key_id),
        resolved.region_id,
    )
    return resolved


# --- aliyun CLI import ----------------------------------------------------------------------------

SUPPORTED_ALIYUN_MODES = ("AK", "StsToken")


@dataclass(frozen=True)
class ImportResult:
    profile: Profile
    source_name: str
    mode: str
    path: Path
    made_default: bool = False
    warnings: list[str] = field(default_factory=list)


def aliyun_config_path(env: Mapping[str, str] | None = None) -> Path:
    """`~/.aliyun/config.json`, else `$XDG_CONFIG_HOME/aliyun/config.json` (the first that exists)."""
    env = os.environ if env is None else env
    home = Path(env.get("HOME") or Path.home())
    primary = home / ".aliyun" / "config.json"
    xdg = Path(env.get("XDG_CONFIG_HOME") or home / ".config") / "aliyun" / "config.json"
    for candidate in (primary, xdg):
        if candidate.is_file():
            return candidate
    raise ImportAliyunError(f"no aliyun CLI config found (looked at {primary} and {xdg}); pass --path")


def _read_aliyun(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ImportAliyunError(f"cannot read {path}: {err.strerror or err}") from None
    except ValueError as err:
        raise ImportAliyunError(f"{path} is not valid JSON ({err})") from None
    if not isinstance(data, dict) or not isinstance(data.get("profiles"), list):
        raise ImportAliyunError(f"{path} has no 'profiles' list")
    return data


def _pick_aliyun_profile(data: Mapping[str, Any], name: str | None, path: Path) -> Mapping[str, Any]:
    wanted = name or data.get("current") or "default"
    entries = [p for p in data["profiles"] if isinstance(p, dict)]
    for entry in entries:
        if entry.get("name") == wanted:
            return entry
    known = ", ".join(str(p.get("name")) for p in entries) or "none"
    raise ImportAliyunError(f"profile {wanted!r} not found in {path} (known: {known})")


def _text_field(entry: Mapping[str, Any], key: str, label: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ImportAliyunError(f"aliyun profile {entry.get('name')!r} has no {key}; {label}")
    return value.strip()


def import_aliyun(
    path: Path | str | None = None,
    name: str | None = None,
    as_name: str | None = None,
    *,
    store: StoreKind | None = None,
    profiles: ProfileStore | None = None,
    store_factory: StoreFactory | None = None,
    env: Mapping[str, str] | None = None,
    now: float | None = None,
) -> ImportResult:
    """Import one `AK` or `StsToken` profile (the `current` one by default); the source is only read."""
    env = os.environ if env is None else env
    source = Path(path).expanduser() if path is not None else aliyun_config_path(env)
    entry = _pick_aliyun_profile(_read_aliyun(source), name, source)
    source_name = str(entry.get("name"))
    mode = str(entry.get("mode") or "AK")
    if mode not in SUPPORTED_ALIYUN_MODES:
        raise ImportAliyunError(
            f"aliyun profile {source_name!r} uses mode {mode}: not supported yet: use env vars "
            "(ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN)"
        )
    key_id = _text_field(entry, "access_key_id", "nothing to import")
    secret_text = _text_field(entry, "access_key_secret", "nothing to import")
    region = _text_field(entry, "region_id", "add the profile with `foas-tui profile add NAME --region R`")
    token = _text_field(entry, "sts_token", "an StsToken profile needs one") if mode == "StsToken" else None
    expiration = entry.get("sts_expiration") if mode == "StsToken" else None
    expires = float(expiration) if isinstance(expiration, int | float) and expiration > 0 else None
    profile = Profile(
        name=check_profile_name(as_name or source_name),
        region_id=region,
        access_key_id=key_id,
        store=store or store_kind_from_env(env),
        sts_expiration=expires,
    )
    warnings: list[str] = []
    try:
        warnings = _sts_state(profile, time.time() if now is None else now)
    except CredentialsNotFound as err:
        warnings = [f"imported, but {err}"]
    profiles = profiles or ProfileStore()
    made_default = save_profile(profiles, profile, Secret(secret_text, token), store_factory)
    return ImportResult(profile, source_name, mode, source, made_default, warnings)


def with_region(resolved: ResolvedCredentials, region_id: str) -> ResolvedCredentials:
    """A copy for another region (the region switcher)."""
    return replace(resolved, region_id=region_id)
