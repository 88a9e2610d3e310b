"""Which tree nodes are expanded, remembered across refreshes and across runs (a small JSON file).

Node paths are `project` for a project and `project:/folder/sub` for a folder.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

log = logging.getLogger("foas_tui.tree_state")

STATE_FILE = "tree-state.json"


def project_path(project: str) -> str:
    return project


def folder_path(project: str, path: str) -> str:
    return f"{project}:{path}"


def default_state_path() -> Path:
    """`<data dir>/tree-state.json` (honours FOAS_TUI_DATA_DIR); one section per profile inside."""
    from foas_tui.config import data_dir

    return data_dir() / STATE_FILE


class TreeState:
    """Expanded node paths per profile; `save()` is cheap and only writes when something changed."""

    def __init__(self, path: Path | None, profile: str) -> None:
        self.path = path
        self.profile = profile
        self._all: dict[str, list[str]] = {}
        self.expanded: set[str] = set()
        self.known = False  # False until this profile has a saved (or changed) expansion: the first run
        self._dirty = False
        self._load()

    def _load(self) -> None:
        if self.path is None:
            return
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return
        except (OSError, ValueError) as err:  # a broken state file costs the expansion, nothing else
            log.warning("ignoring tree state %s: %s", self.path, err)
            return
        if isinstance(data, dict) and isinstance(data.get("expanded"), dict):
            self._all = {k: [p for p in v if isinstance(p, str)] for k, v in data["expanded"].items()
                         if isinstance(v, list)}
            self.expanded = set(self._all.get(self.profile, []))
            self.known = self.profile in self._all

    def is_expanded(self, node_path: str) -> bool:
        return node_path in self.expanded

    def set_expanded(self, node_path: str, expanded: bool) -> None:
        self.known = True
        if expanded and node_path not in self.expanded:
            self.expanded.add(node_path)
            self._dirty = True
        elif not expanded and node_path in self.expanded:
            self.expanded.discard(node_path)
            self._dirty = True

    def save(self) -> None:
        if self.path is None or not self._dirty:
            return
        from foas_tui.config import atomic_write

        self._all[self.profile] = sorted(self.expanded)
        try:
            atomic_write(self.path, json.dumps({"version": 1, "expanded": self._all}, indent=1))
            self._dirty = False
        except OSError as err:
            log.warning("cannot save tree state to %s: %s", self.path, err)
