"""Which jobs newly entered critical, for the optional terminal bell (`[triage] bell_on_critical`).

Pure: fed with observations (job key, critical or not) from one or more sources (the live refresh's run
summaries, the triage board's deeper scan). A job rings once when it goes from not critical to critical;
staying critical over many refreshes rings nothing. A job's state is the OR of its sources' latest
observations, so a shallow source that cannot see a stale checkpoint does not "clear" what the board saw
(which would make it ring again on the board's next scan). A job seen for the first time already critical
does not ring: that is the state at start, not a transition (the board and the status bar show it).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable

Key = Hashable


class CriticalWatch:
    def __init__(self) -> None:
        self._seen: dict[Key, dict[str, bool]] = {}

    def critical(self, key: Key) -> bool:
        return any(self._seen.get(key, {}).values())

    def update(self, source: str, observed: Iterable[tuple[Key, bool]]) -> list[Key]:
        """Record `source`'s observations; return the keys that have just become critical."""
        entered: list[Key] = []
        for key, is_critical in observed:
            known = key in self._seen
            before = self.critical(key)
            self._seen.setdefault(key, {})[source] = is_critical
            if known and not before and self.critical(key):
                entered.append(key)
        return entered

    def forget(self, source: str) -> None:
        """A source stopped observing (the board was closed): its old word no longer holds jobs critical."""
        for sources in self._seen.values():
            sources.pop(source, None)
