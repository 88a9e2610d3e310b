"""The app's side of `:profile NAME` / `:region ID` (and the palette's "Switch to ..." hits).

The new session comes from `services/context_switch.py` (in a thread: keyrings may block); the app then
swaps it in: a fresh refresh scheduler, a fresh main screen (so the tree, header color and read-only badge
are the new account's), and tells the operator where they are now. A refused switch changes nothing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from functools import partial
from typing import TYPE_CHECKING

from foas_tui.services.context_switch import KNOWN_REGIONS, ContextError, profile_names, switch_session

if TYPE_CHECKING:
    from foas_tui.app import FoasApp
    from foas_tui.services.session import Session


async def switch_context(app: FoasApp, *, profile: str | None = None, region: str | None = None) -> bool:
    """Switch and say so; on any refusal a clear error and the current account stays. True when switched."""
    from foas_tui.credentials import CredentialError

    what = f"profile {profile}" if profile else f"region {region}"
    try:
        session = await asyncio.to_thread(partial(switch_session, app.session, app.context_source,
                                                  profile=profile, region=region))
    except (ContextError, CredentialError) as err:
        app.notify(f"cannot switch to {what}: {err}", title="Switch", severity="error", timeout=10, markup=False)
        return False
    await install_session(app, session)
    mode = "read-only" if session.read_only else "changes allowed"
    app.notify(f"now on profile {session.profile_name}, region {session.region_id} ({mode})", title="Switched",
               severity="information" if session.read_only else "warning", timeout=6, markup=False)
    for note in session.notes:
        app.notify(note, severity="warning", timeout=8, markup=False)
    return True


async def install_session(app: FoasApp, session: Session) -> None:
    """Put a new session in place of the current one: refresher, main screen (tree reloads), memories."""
    old, main = app.session, app.main_screen
    if main is not None:
        # Back to the main screen first (a dialog or viewer of the old account must not stay on top);
        # judged by identity: a screen being dismissed right now must not count twice.
        while app.screen is not main and len(app.screen_stack) > 1:
            await app.pop_screen()
    app.session = session
    app.reset_refresher()
    app.forget_account_state()
    if main is not None:
        await main.start_over()
    app.retire_session(old)  # closed at exit: a worker of the old account may still finish a call


def context_command(app: FoasApp, name: str, arg: str) -> None:
    """`:profile NAME` / `:region ID` switch; without an argument, say where we are and what exists."""
    if not arg:
        known = profile_names(app.context_source) if name != "region" else list(KNOWN_REGIONS)
        what = "profiles" if name != "region" else "regions"
        app.notify(f"on profile {app.session.profile_name}, region {app.session.region_id}; {what}: "
                   f"{', '.join(known) or 'none saved'}", timeout=8, markup=False)
    elif name == "region":
        app.switch_context(region=arg)
    else:
        app.switch_context(profile=arg)


def profile_suggestions(app: FoasApp) -> list[str]:
    return [f"profile {name}" for name in profile_names(app.context_source)]


def region_suggestions() -> Iterable[str]:
    return (f"region {region}" for region in KNOWN_REGIONS)
