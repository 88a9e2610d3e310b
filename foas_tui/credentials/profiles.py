"""Profiles: `profiles.toml` (no secrets, masked key ids), saving a profile with its secret, STS expiry."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from foas_tui.api.signing import mask_id
from foas_tui.config import ConfigError, atomic_write, config_dir, read_toml
from foas_tui.credentials.errors import CredentialError, CredentialsNotFound, UnknownProfile
from foas_tui.credentials.secret import STORE_KINDS, Secret, SecretStore, StoreFactory, StoreKind
from foas_tui.credentials.stores import default_store_factory

log = logging.getLogger(__name__)

PROFILES_FILE = "profiles.toml"
STS_WARN_SECONDS = 300
_PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_FORBIDDEN_KEY = re.compile(r"secret|token", re.IGNORECASE)


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
        import tomli_w  # only to write: not on every start

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


def sts_state(profile: Profile, now: float) -> list[str]:
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
