"""Switching account or region inside the app (`:profile NAME`, `:region ID`), as k9s switches contexts.

A switch builds a new `Session`: a new client signed with the profile's credentials (resolved by
`foas_tui.credentials` from its keyring or encrypted file, exactly as at start), its region and endpoint,
its read-only setting. Nothing is changed when the profile or the region is unknown: the error says which
ones exist. No Textual here; keyring calls may block, so the app runs this in a thread.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from foas_tui.services.session import Session

if TYPE_CHECKING:
    from foas_tui.credentials import ProfileStore, StoreFactory

# Regions of the service (common.md 1.1, the seed's region table) and those the SDK's endpoint map routes
# (common.md 1.3). A region outside both is refused: a typo would otherwise sign for a host that does not exist.
KNOWN_REGIONS = (
    "cn-hangzhou", "cn-shanghai", "cn-shenzhen", "cn-beijing", "cn-zhangjiakou", "cn-hangzhou-finance",
    "cn-shanghai-finance-1", "cn-shenzhen-finance-1", "cn-hongkong", "ap-northeast-1", "ap-southeast-1",
    "ap-southeast-3", "us-east-1", "eu-central-1",
    "us-west-1", "eu-west-1", "me-east-1", "ap-southeast-2", "ap-southeast-5", "ap-south-1",
)


class ContextError(Exception):
    """A switch that cannot be made; the message says what exists and what to do."""


@dataclass(slots=True)
class ContextSource:
    """Where switches look: the profiles file and secret stores (the defaults are the real ones).

    `transport` is for tests (the emulator over httpx.ASGITransport); `env` is read for env-var sessions.
    """

    profiles: ProfileStore | None = None
    store_factory: StoreFactory | None = None
    transport: Any = None
    env: Mapping[str, str] | None = None
    read_only: bool = False  # `--read-only` on the command line: every profile switched to stays read-only

    def profile_store(self) -> ProfileStore:
        from foas_tui.credentials import ProfileStore

        if self.profiles is None:
            self.profiles = ProfileStore()
        return self.profiles


def check_region(region: str) -> str:
    region = region.strip().lower()
    if region not in KNOWN_REGIONS:
        raise ContextError(f"unknown region {region!r}; known: {', '.join(KNOWN_REGIONS)}")
    return region


def profile_names(source: ContextSource) -> list[str]:
    """The saved profiles (names only); [] when the file cannot be read."""
    from foas_tui.credentials import CredentialError

    try:
        return [profile.name for profile in source.profile_store().list()]
    except (CredentialError, OSError, ValueError):
        return []


def _no_prompt(_: str) -> str:
    raise ContextError("this switch would need a secret typed in; save it as a profile first "
                       "(foas-tui profile add NAME)")


def switch_session(current: Session, source: ContextSource, *, profile: str | None = None,
                   region: str | None = None) -> Session:
    """A new session for `profile` (its region unless `region` is given) or for `region` on the same account.

    Raises ContextError / credentials.CredentialError with a sentence for the operator; `current` is untouched.
    """
    from foas_tui.api.client import FoasClient
    from foas_tui.credentials import CredentialsNotFound, UnknownProfile, resolve_credentials

    if region is not None:
        region = check_region(region)
    if profile is None and region is None:
        raise ContextError("name a profile or a region")
    options = current.config.client
    client_options: dict[str, Any] = {
        "timeout": options.timeout, "retries": options.retries, "max_concurrency": options.max_concurrency,
        "max_response_bytes": options.max_response_bytes,
    }
    transport = source.transport
    if profile is None and current.demo:
        # The demo account has no profile: same emulator, same demo key, another region.
        from foas_tui.emulator import demo_client

        client = demo_client(current.emulator, region_id=region, read_only=current.read_only, **client_options)
        return _session(current, client, current.profile_name, current.read_only, demo=True)
    if profile is None:
        if current.credential_source not in ("env",) and not current.credential_source.startswith("profile:"):
            raise ContextError("this session's key was given on the command line; restart with --region "
                               f"{region}, or save the key as a profile (foas-tui profile add NAME)")
        profile = current.credential_source.removeprefix("profile:") if current.credential_source != "env" else None
    env = dict(os.environ) if source.env is None else dict(source.env)
    try:
        resolved = resolve_credentials(profile=profile, region=region, profiles=source.profile_store(),
                                       store_factory=source.store_factory, env=env, prompt=_no_prompt)
    except UnknownProfile:
        known = profile_names(source)
        raise ContextError(f"unknown profile {profile!r}; known: {', '.join(known) if known else 'none'} "
                           "(foas-tui profile add NAME saves one)") from None
    except CredentialsNotFound as err:
        raise ContextError(str(err)) from None
    read_only = resolved.read_only or source.read_only  # never less safe than the command line asked
    client = FoasClient(resolved.credentials, region_id=resolved.region_id, endpoint=resolved.endpoint,
                        read_only=read_only, transport=transport, **client_options)
    name = resolved.profile_name or resolved.source
    session = _session(current, client, name, read_only, demo=False)
    session.credential_source = resolved.source
    session.notes = list(resolved.warnings)
    return session


def _session(current: Session, client: Any, profile_name: str, read_only: bool, *, demo: bool) -> Session:
    # The command log goes on across the switch: it is the operator's record of this whole run.
    return Session(client=client, config=current.config, profile_name=profile_name, region_id=client.region_id,
                   endpoint=client.base_url, read_only=read_only, call_log=current.call_log, demo=demo,
                   emulator=current.emulator, credential_source=current.credential_source)
