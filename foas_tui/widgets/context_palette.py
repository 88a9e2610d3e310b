"""Command palette (ctrl+p) provider: "Switch to profile NAME" and "Switch to region ID" (as `:profile`/`:region`)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import Any

from textual.command import Hit, Hits, Provider

from foas_tui.services.context_switch import KNOWN_REGIONS, profile_names
from foas_tui.text import NAME_LIMIT, safe_str
from foas_tui.widgets.palette import highlight


class ContextProvider(Provider):
    """Every saved profile and every known region; picking one switches the whole app to it."""

    async def startup(self) -> None:
        source = getattr(self.app, "context_source", None)
        # profiles.toml is read once per palette opening, off the UI thread.
        self._profiles = await asyncio.to_thread(profile_names, source) if source is not None else []

    def _switch(self, **target: str) -> Callable[[], Any]:
        return partial(self.app.switch_context, **target)  # type: ignore[attr-defined]

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        session = getattr(self.app, "session", None)
        current_profile = getattr(session, "profile_name", None)
        current_region = getattr(session, "region_id", None)
        for name in getattr(self, "_profiles", []):
            if name == current_profile:
                continue
            text = f"Switch to profile {safe_str(name, NAME_LIMIT)}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, highlight(matcher, text), self._switch(profile=name),
                          help="its credentials, region, color and read-only setting (:profile NAME)")
        for region in KNOWN_REGIONS:
            if region == current_region:
                continue
            text = f"Switch to region {region}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, highlight(matcher, text), self._switch(region=region),
                          help="the same account in another region (:region ID)")
