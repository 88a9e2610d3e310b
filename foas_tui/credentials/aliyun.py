"""`profile import-aliyun`: one AK or StsToken profile from the aliyun CLI's config.json (only read)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from foas_tui.credentials.errors import CredentialsNotFound, ImportAliyunError
from foas_tui.credentials.profiles import Profile, ProfileStore, check_profile_name, save_profile, sts_state
from foas_tui.credentials.secret import Secret, StoreFactory, StoreKind
from foas_tui.credentials.stores import store_kind_from_env

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
        warnings = sts_state(profile, time.time() if now is None else now)
    except CredentialsNotFound as err:
        warnings = [f"imported, but {err}"]
    profiles = profiles or ProfileStore()
    made_default = save_profile(profiles, profile, Secret(secret_text, token), store_factory)
    return ImportResult(profile, source_name, mode, source, made_default, warnings)
