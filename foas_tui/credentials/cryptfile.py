"""Secrets in an encrypted file (opt-in): keyrings.cryptfile without its prompts, one blob per profile."""

from __future__ import annotations

import configparser
import getpass
import json
import logging
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from foas_tui.config import data_dir, ensure_private_dir
from foas_tui.credentials.errors import CRYPTFILE_INSTALL, SecretStoreUnavailable, WrongPassphrase, _first_line
from foas_tui.credentials.secret import SERVICE, Secret, StoreKind

log = logging.getLogger(__name__)

CRYPTFILE_NAME = "secrets.cfg"
PASSPHRASE_ENV = "FOAS_TUI_KEYRING_PASSPHRASE"

_T = TypeVar("_T")

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

    def check(self) -> None:
        """Open the file now (passphrase asked or read from env, checked with one KDF), before secrets are typed.

        The opened file is kept, so a later `set` on this store asks nothing again.
        """
        self._guard(self._open)

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
