"""Command palette (ctrl+p) providers: projects, jobs and every bound action (core and feature mixins).

Actions the app would refuse right now (`check_action` False/None: read-only mode, a dialog open) are not
offered, so a read-only session's palette has no "Stop job".
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.actions import ActionError, parse
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.content import Content

from foas_tui.services.filter_query import (
    JOB_ALIASES,
    JOB_FIELDS,
    FilterError,
    describe_fields,
    job_record,
    looks_like_fields,
    parse_query,
)
from foas_tui.text import NAME_LIMIT, safe_str, safe_text

if TYPE_CHECKING:
    from textual.binding import Binding
    from textual.dom import DOMNode
    from textual.fuzzy import Matcher

_MAX_HITS = 200  # 10,000 jobs must not flood the palette
SERVICE_SEARCH_MIN = 3  # characters typed before the palette asks the service for jobs not loaded yet
SERVICE_SEARCH_DELAY_S = 0.3  # typing on: the palette cancels this search before any call is made


def highlight(matcher: Matcher, text: str) -> Content:
    """`matcher.highlight` without its markup parse: a name like `x[@click=app.quit]y` stays literal text."""
    content = Content(text)
    score, offsets = matcher.fuzzy_search.match(matcher.query, text)
    if score:
        for offset in offsets:
            if not text[offset].isspace():
                content = content.stylize(matcher.match_style, offset, offset + 1)
    return content


def _main(provider: Provider) -> Any:
    return getattr(provider.app, "main_screen", None)


class ProjectsProvider(Provider):
    """`Project: NAME` jumps the tree and the live table to a project."""

    def _items(self) -> list[str]:
        main = _main(self)
        return main.known_projects() if main is not None else []

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        main = _main(self)
        if main is not None and not main.tree.projects_loaded.is_set():
            # Nothing to search yet: say so (and how to load them) instead of finding nothing.
            yield Hit(1.0, Content("Projects are still loading… (r loads them again)"), self.app.action_refresh_now,
                      help="the project list has not arrived yet; the status line shows how long it has waited")
            return
        for name in self._items():
            text = f"Project: {safe_str(name, NAME_LIMIT)}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, highlight(matcher, text), partial(main.select_project, name),
                          help="show this project in the tree and the live table")

    async def discover(self) -> Hits:
        main = _main(self)
        for name in self._items()[:20]:
            yield DiscoveryHit(safe_text(f"Project: {name}", NAME_LIMIT), partial(main.select_project, name))


class JobsProvider(Provider):
    """`Job: NAME (project)` for every job the app has loaded, then jobs the service finds by name.

    Jobs in folders nobody opened are not loaded; after SERVICE_SEARCH_MIN characters the palette asks
    ListJob(jobName) in every project, so a job can be found by name without opening its folder first.
    A query with fields (`state:failed delay>5m`) filters the loaded jobs with the `/` language
    (services.filter_query) instead of fuzzy matching."""

    def _items(self) -> list[tuple[str, str]]:
        main = _main(self)
        return main.known_jobs() if main is not None else []

    async def search(self, query: str) -> Hits:
        if looks_like_fields(query):  # `state:failed queue:etl`: the `/` filter language, not fuzzy
            async for hit in self._field_search(query):
                yield hit
            return
        matcher = self.matcher(query)
        hits = 0
        known = self._items()
        for project, job in known:
            text = f"Job: {safe_str(job, NAME_LIMIT)}  ({safe_str(project, NAME_LIMIT)})"
            score = matcher.match(text)
            if score > 0:
                hits += 1
                yield Hit(score, highlight(matcher, text), partial(self.app.select_job, project, job),
                          help="select this job")
                if hits >= _MAX_HITS:
                    return
        main = _main(self)
        if main is None or len(query.strip()) < SERVICE_SEARCH_MIN or not main.tree.projects_loaded.is_set():
            return
        await asyncio.sleep(SERVICE_SEARCH_DELAY_S)  # a newer keystroke cancels this search here, before a call
        try:
            found, failed = await self.app.session.find_jobs(query, main.known_projects())  # type: ignore[attr-defined]
        except Exception as err:  # the palette must stay usable: say what failed instead
            yield Hit(0.1, Content(f"Service search failed: {safe_str(getattr(err, 'code', None) or err, 80)}"),
                      lambda: None, help="the loaded jobs above are still searchable")
            return
        seen = set(known)
        for job in found:
            if job.key in seen:
                continue
            seen.add(job.key)
            text = f"Job: {safe_str(job.job_name, NAME_LIMIT)}  ({safe_str(job.project, NAME_LIMIT)})"
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, highlight(matcher, text), partial(self.app.select_job, job.project, job.job_name),
                          help="found on the service (its folder is not loaded yet): enter opens it")
        if failed:
            yield Hit(0.1, Content(safe_str("Not searched: " + "; ".join(failed), 200)), lambda: None,
                      help="these projects did not answer the job search")


    async def _field_search(self, text: str) -> Hits:
        try:
            query = parse_query(text, JOB_FIELDS, JOB_ALIASES)
        except FilterError as err:
            yield Hit(1.0, Content(f"Filter: {safe_str(err.message, 200)}"), lambda: None,
                      help="fields: " + describe_fields(JOB_FIELDS))
            return
        if query is None:
            return
        main = _main(self)
        refresher = getattr(self.app, "refresher", None)
        rows = getattr(refresher, "rows", {}) or {}
        infos = main.job_infos() if main is not None and hasattr(main, "job_infos") else {}
        now = float(self.app.clock()) if callable(getattr(self.app, "clock", None)) else 0.0
        hits = 0
        for project, job in self._items():
            key = (project, job)
            row = rows.get(key)
            if not query.matches(job_record(project, job, infos.get(key), row, now)):
                continue
            state = f" · {row.actual_state}" if row is not None and row.actual_state else ""
            text = f"Job: {safe_str(job, NAME_LIMIT)}  ({safe_str(project, NAME_LIMIT)}){safe_str(state, 20)}"
            hits += 1
            yield Hit(1.0, Content(text), partial(self.app.select_job, project, job), help="select this job")
            if hits >= _MAX_HITS:
                return


def action_bindings(screen: Any) -> Iterator[tuple[DOMNode, Binding]]:
    """(node, binding) for every binding reachable from `screen`, keymap applied, duplicates dropped."""
    seen: set[tuple[str, str]] = set()
    # Public: the focused widget up to the app, keymap applied, one binding per key (the one the key runs).
    for node, binding, _enabled, _tooltip in screen.active_bindings.values():
        ident = (binding.action, binding.description)
        if not binding.description or ident in seen:
            continue
        seen.add(ident)
        yield node, binding


def action_allowed(node: DOMNode, action: str) -> bool:
    """What `check_action` says about a binding's action on the node that owns it (True only if allowed)."""
    try:
        destination, name, params = parse(action)
    except ActionError:
        return False
    try:
        if destination == "app":
            node = node.app
        elif destination == "screen":
            node = node.screen
        return bool(node.check_action(name, params))
    except Exception:  # a broken check must not take the palette down; offering is harmless, running checks again
        return True


class ActionsProvider(Provider):
    """Every bound action with a description, so nothing is reachable only through a key."""

    def _run(self, node: DOMNode, action: str) -> Callable[[], Any]:
        async def run() -> None:
            await self.app.run_action(action, default_namespace=node)

        return run

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for node, binding in action_bindings(self.screen):
            if not action_allowed(node, binding.action):
                continue
            key = self.app.get_key_display(binding)
            text = f"{binding.description}"
            score = matcher.match(text)
            if score > 0:
                yield Hit(score, highlight(matcher, text), self._run(node, binding.action),
                          text=text, help=f"key: {key}")
