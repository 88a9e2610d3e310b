"""Which secret store a profile uses: `$FOAS_TUI_SECRET_STORE` and the store factories."""

from __future__ import annotations

import os
from collections.abc import Mapping

from foas_tui.credentials.cryptfile import CryptFileStore, PassphraseSource, getpass_passphrase
from foas_tui.credentials.errors import CredentialError
from foas_tui.credentials.keyring_store import KeyringStore
from foas_tui.credentials.secret import STORE_KINDS, SecretStore, StoreKind

SECRET_STORE_ENV = "FOAS_TUI_SECRET_STORE"


def store_kind_from_env(env: Mapping[str, str] | None = None) -> StoreKind:
    """`$FOAS_TUI_SECRET_STORE` (keyring or cryptfile), keyring by default."""
    env = os.environ if env is None else env
    value = (env.get(SECRET_STORE_ENV) or "keyring").strip().lower()
    if value not in STORE_KINDS:
        raise CredentialError(f"{SECRET_STORE_ENV} must be 'keyring' or 'cryptfile', not {value!r}")
    return value  # type: ignore[return-value]


def default_store_factory(kind: StoreKind, passphrase: PassphraseSource | None = None) -> SecretStore:
    """The store for `kind`; without `passphrase` the encrypted file opens only with the env passphrase."""
    if kind == "cryptfile":
        return CryptFileStore(passphrase)
    return KeyringStore()


def terminal_store_factory(kind: StoreKind) -> SecretStore:
    """Like `default_store_factory`, asking for the file passphrase on the terminal: only before Textual runs."""
    return default_store_factory(kind, getpass_passphrase)
