"""Credentials: profiles (TOML, no secrets), secret stores (OS keyring or opt-in encrypted file), resolution.

One module per topic; this package re-exports the public names so `from foas_tui.credentials import X` works.
`keyring` is imported lazily, inside functions: importing this package costs nothing at startup.
"""

from __future__ import annotations

from foas_tui.api.signing import Credentials, mask_id
from foas_tui.credentials.aliyun import SUPPORTED_ALIYUN_MODES, ImportResult, aliyun_config_path, import_aliyun
from foas_tui.credentials.cryptfile import (
    CRYPTFILE_NAME,
    PASSPHRASE_ENV,
    CryptFileStore,
    PassphraseSource,
    getpass_passphrase,
)
from foas_tui.credentials.errors import (
    CRYPTFILE_FIX,
    CRYPTFILE_INSTALL,
    DBUS_FIX,
    ENV_FIX,
    NOT_FOUND_HELP,
    CredentialError,
    CredentialsNotFound,
    ImportAliyunError,
    SecretStoreUnavailable,
    UnknownProfile,
    WrongPassphrase,
    headless_error,
    locked_error,
)
from foas_tui.credentials.keyring_store import KEYRING_TIMEOUT, KeyringStore, call_with_timeout, select_backend
from foas_tui.credentials.profiles import (
    HEADER,
    PROFILES_FILE,
    STS_WARN_SECONDS,
    Profile,
    ProfilesFile,
    ProfileStore,
    check_profile_name,
    is_masked,
    migrate_key_id,
    save_profile,
    sts_state,
)
from foas_tui.credentials.resolve import (
    ENV_PREFIXES,
    PROFILE_ENVS,
    CredentialFlags,
    ResolvedCredentials,
    Source,
    env_value,
    resolve_credentials,
    with_region,
)
from foas_tui.credentials.secret import SERVICE, STORE_KINDS, Secret, SecretStore, StoreFactory, StoreKind
from foas_tui.credentials.stores import (
    SECRET_STORE_ENV,
    default_store_factory,
    store_kind_from_env,
    terminal_store_factory,
)

__all__ = [
    "CRYPTFILE_FIX",
    "CRYPTFILE_INSTALL",
    "CRYPTFILE_NAME",
    "DBUS_FIX",
    "ENV_FIX",
    "ENV_PREFIXES",
    "HEADER",
    "KEYRING_TIMEOUT",
    "NOT_FOUND_HELP",
    "PASSPHRASE_ENV",
    "PROFILES_FILE",
    "PROFILE_ENVS",
    "SECRET_STORE_ENV",
    "SERVICE",
    "STORE_KINDS",
    "STS_WARN_SECONDS",
    "SUPPORTED_ALIYUN_MODES",
    "Credentials",
    "CredentialError",
    "CredentialFlags",
    "CredentialsNotFound",
    "CryptFileStore",
    "ImportAliyunError",
    "ImportResult",
    "KeyringStore",
    "PassphraseSource",
    "Profile",
    "ProfileStore",
    "ProfilesFile",
    "ResolvedCredentials",
    "Secret",
    "SecretStore",
    "SecretStoreUnavailable",
    "Source",
    "StoreFactory",
    "StoreKind",
    "UnknownProfile",
    "WrongPassphrase",
    "aliyun_config_path",
    "call_with_timeout",
    "check_profile_name",
    "default_store_factory",
    "env_value",
    "getpass_passphrase",
    "headless_error",
    "import_aliyun",
    "is_masked",
    "locked_error",
    "mask_id",
    "migrate_key_id",
    "resolve_credentials",
    "save_profile",
    "select_backend",
    "store_kind_from_env",
    "sts_state",
    "terminal_store_factory",
    "with_region",
]
