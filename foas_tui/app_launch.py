"""The command line entry of the TUI: a session from the flags (profile, region, endpoint, `--demo`) and the run.

Credentials are resolved by `foas_tui.credentials` (the keyring is asked lazily); a failure is one sentence on
stderr and exit status 2, never a traceback.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

from foas_tui.app import FoasApp
from foas_tui.services.call_log import CallLog
from foas_tui.services.session import Session

if TYPE_CHECKING:
    from foas_tui.config import AppConfig


def _load_config_safely() -> tuple[AppConfig, str | None]:
    from foas_tui.config import AppConfig, ConfigError, load_config

    try:
        return load_config(), None
    except ConfigError as err:
        return AppConfig(), str(err)
    except Exception as err:  # the app must start even when the settings file is unusable
        return AppConfig(), f"cannot load the config: {err}"


def build_session(options: Any, config: AppConfig, config_error: str | None) -> Session:
    """A session against a real account: credentials resolved by `foas_tui.credentials` (keyring lazily)."""
    from foas_tui.api.client import FoasClient
    from foas_tui.credentials import resolve_credentials

    resolved = resolve_credentials(
        profile=getattr(options, "profile", None),
        region=getattr(options, "region", None),
        endpoint=getattr(options, "endpoint", None),
        access_key_id=getattr(options, "access_key_id", None),
        read_only=bool(getattr(options, "read_only", False)),
        default_profile=config.default_profile,
    )
    read_only = bool(getattr(options, "read_only", False) or resolved.read_only)
    client = FoasClient(
        resolved.credentials, region_id=resolved.region_id, endpoint=resolved.endpoint, read_only=read_only,
        timeout=config.client.timeout, retries=config.client.retries,
        max_concurrency=config.client.max_concurrency, max_response_bytes=config.client.max_response_bytes,
    )
    return Session(
        client=client, config=config, profile_name=resolved.profile_name or resolved.source,
        region_id=resolved.region_id, endpoint=client.base_url, read_only=read_only, call_log=CallLog(),
        config_error=config_error, notes=list(resolved.warnings), credential_source=resolved.source,
    )


def build_multi_profile_session(options: Any, config: AppConfig, config_error: str | None) -> Session:
    """`--profile a,b` (or `all`): the session of the first profile; the triage board merges all of them."""
    import argparse

    from foas_tui.services.triage_gather import TriageScope
    from foas_tui.triage_cli import build_scopes, profile_names

    names = profile_names(getattr(options, "profile", None))
    if not names or len(names) == 1:
        if names:
            options = argparse.Namespace(**{**vars(options), "profile": names[0]})
        return build_session(options, config, config_error)
    first = argparse.Namespace(**{**vars(options), "profile": names[0]})
    session = build_session(first, config, config_error)
    session.triage_scopes = [TriageScope(session.profile_name, session.region_id, session.client),
                             *build_scopes(names[1:], options, config)]
    return session


def run_app(options: Any) -> int:
    """Run the TUI for the CLI. Returns the exit status (2 when credentials cannot be resolved)."""
    config, config_error = _load_config_safely()
    if getattr(options, "demo", False):
        app = FoasApp.demo(jobs=getattr(options, "demo_jobs", 64) or 64, config=config, lazy_emulator=True,
                           read_only=bool(getattr(options, "read_only", False)), config_error=config_error,
                           hostile=bool(getattr(options, "hostile_text", False)))
    else:
        try:
            session = build_multi_profile_session(options, config, config_error)
        except Exception as err:  # a clear sentence, never a traceback
            print(f"foas-tui: {err}", file=sys.stderr)
            return 2
        app = FoasApp(session)
    app.context_source.read_only = bool(getattr(options, "read_only", False))
    app.run()
    return int(app.return_code or 0)
