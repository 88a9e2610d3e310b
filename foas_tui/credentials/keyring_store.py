"""Secrets in the OS keyring: backend selection (no chainer, no plaintext), timeouts, error mapping.

`keyring` is imported lazily, inside functions: importing this module costs nothing at startup.
"""

from __future__ import annotations

import configparser
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from foas_tui.credentials.errors import (
    CRYPTFILE_FIX,
    DBUS_FIX,
    ENV_FIX,
    SecretStoreUnavailable,
    _first_line,
    headless_error,
    locked_error,
)
from foas_tui.credentials.secret import SERVICE, Secret, StoreKind

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

KEYRING_TIMEOUT = 10.0
# What `check()` reads: no '/', so never one of a profile's entries (those are `<profile>/...`).
PROBE_USER = "probe-never-stored"


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

    def check(self) -> None:
        """Fail now, before a secret is asked for, if the keyring cannot be used.

        Chooses the backend (refusing fail/null/chainer/plaintext ones) and reads one entry that is never
        stored, under the timeout. A read, not a write-and-delete probe: it reaches the backend (a locked
        collection is unlocked or refused on any read) but cannot leave a stray entry behind if we are
        interrupted, and asks no extra write permission of the OS. A backend that reads but refuses writes
        still fails in `set`, before the profile is written, so nothing is half saved.
        """
        self._run(lambda backend: backend.get_password(SERVICE, PROBE_USER))

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
