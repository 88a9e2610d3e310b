"""Resolution: flags, then env (read at call time, never saved), then a profile and its secret store."""

from __future__ import annotations

import getpass
import logging
import os
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TextIO

from foas_tui.api.signing import Credentials, mask_id
from foas_tui.credentials.errors import NOT_FOUND_HELP, CredentialsNotFound
from foas_tui.credentials.profiles import ProfileStore, is_masked, migrate_key_id, sts_state
from foas_tui.credentials.secret import StoreFactory
from foas_tui.credentials.stores import default_store_factory
from foas_tui.logging_setup import register_secret

log = logging.getLogger(__name__)

PROFILE_ENVS = ("FOAS_TUI_PROFILE", "ALIBABA_CLOUD_PROFILE")
ENV_PREFIXES = ("ALIBABA_CLOUD_", "ALIBABACLOUD_", "ALICLOUD_")

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


def _from_profile(
    name: str, flags: CredentialFlags, profiles: ProfileStore, store_factory: StoreFactory, now: float
) -> ResolvedCredentials:
    profile = profiles.get(name)
    warnings = sts_state(profile, now)
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


def with_region(resolved: ResolvedCredentials, region_id: str) -> ResolvedCredentials:
    """A copy for another region (the region switcher)."""
    return replace(resolved, region_id=region_id)
