"""Diffs of job code and properties: unified text, styled lines for the screen, and edit conflicts."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from enum import Enum

from rich.text import Text

from foas_tui.text import safe_str


def unified(old: str, new: str, old_label: str = "remote", new_label: str = "yours", context: int = 3) -> str:
    """A unified diff (empty string when the texts are equal)."""
    lines = difflib.unified_diff(
        old.splitlines(), new.splitlines(), fromfile=old_label, tofile=new_label, lineterm="", n=context)
    return "\n".join(lines)


def styled(diff: str) -> Text:
    """The unified diff as rich Text: additions green, removals red, hunks cyan (16-colour safe)."""
    text = Text(no_wrap=True, overflow="ellipsis")
    if not diff:
        text.append("(no differences)", style="dim")
        return text
    for line in diff.splitlines():
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("@@"):
            style = "cyan"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        else:
            style = ""
        text.append(safe_str(line, multiline=True) + "\n", style=style)  # the code is outside text
    return text


@dataclass(frozen=True, slots=True)
class DiffStats:
    added: int
    removed: int

    def __str__(self) -> str:
        return f"+{self.added} -{self.removed}"


def stats(old: str, new: str) -> DiffStats:
    added = removed = 0
    for line in difflib.ndiff(old.splitlines(), new.splitlines()):
        if line.startswith("+ "):
            added += 1
        elif line.startswith("- "):
            removed += 1
    return DiffStats(added, removed)


class EditState(Enum):
    UNCHANGED = "unchanged"  # mine == remote: nothing to save
    CLEAN = "clean"  # remote still equals the base I started from: safe to save
    ALREADY_APPLIED = "already_applied"  # remote changed, but to exactly my text
    CONFLICT = "conflict"  # remote changed since I opened it, and differently


def classify(base: str, mine: str, remote: str) -> EditState:
    """Where an edit stands against the remote copy, given the text it started from."""
    if mine == remote:
        return EditState.ALREADY_APPLIED if remote != base else EditState.UNCHANGED
    if remote == base:
        return EditState.CLEAN
    return EditState.CONFLICT
