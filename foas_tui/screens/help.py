"""`?`: every key binding in reach — the app's (core and feature mixins'), the screen's and each pane's."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingsMap
from textual.containers import Vertical
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import DataTable, Static

from foas_tui.error_guard import ModalScreen as GuardedModalScreen


def _mixin_sections() -> list[tuple[str, set[str]]]:
    from foas_tui.screens.ops_mixin import OpsActionsMixin
    from foas_tui.screens.triage_mixin import TriageActionsMixin

    sections = []
    for title, mixin in (("Triage and viewers", TriageActionsMixin), ("Job actions", OpsActionsMixin)):
        bindings = BindingsMap(mixin.__dict__.get("BINDINGS", []))
        sections.append((title, {b.action for _key, b in bindings}))
    return sections


def _bindings_of(node: DOMNode, keymap: dict[str, str]) -> list[Binding]:
    bindings = node._bindings.copy()
    if keymap:
        bindings.apply_keymap(keymap)  # what the user's config remapped is what they must read here
    seen: set[tuple[str, str]] = set()
    out = []
    for _key, binding in bindings:
        ident = (binding.action, binding.description)
        if ident not in seen:
            seen.add(ident)
            out.append(binding)
    return out


def help_rows(app: Any, screen: Screen) -> Iterator[tuple[str, Binding, str]]:
    """(section, binding, key display) for the app, the given screen and every pane on it with bindings."""
    keymap = getattr(app, "_keymap", {}) or {}
    mixins = _mixin_sections()
    feature_rows: list[tuple[str, Binding, str]] = []
    for binding in _bindings_of(app, keymap):
        section = next((title for title, actions in mixins if binding.action in actions), "Global")
        row = (section, binding, app.get_key_display(binding))
        if section == "Global":
            yield row
        else:
            feature_rows.append(row)  # listed after the core keys and the panes, section by section
    for binding in _bindings_of(screen, keymap):
        yield "This screen", binding, app.get_key_display(binding)
    seen_types: set[type] = set()
    for widget in screen.walk_children():
        if type(widget) in seen_types or not type(widget)._merged_bindings:
            continue
        seen_types.add(type(widget))
        name = widget.border_title if isinstance(widget.border_title, str) and widget.border_title else None
        section = _WIDGET_NAMES.get(type(widget).__name__) or name or type(widget).__name__
        for binding in _bindings_of(widget, keymap):
            yield section, binding, app.get_key_display(binding)
    for title, _actions in mixins:
        yield from (row for row in feature_rows if row[0] == title)


_WIDGET_NAMES = {
    "ProjectTree": "Tree",
    "InstanceTable": "Live table",
    "JobPane": "Job pane",
    "FilterBar": "Filter prompt",
    "TabbedContent": "Tabs",
    "Tabs": "Tabs",
}


class HelpScreen(GuardedModalScreen[None]):
    """A modal over the screen it explains; Esc, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Close help", id="help.close"),
        Binding("j", "scroll(1)", "Down", show=False, id="help.down"),
        Binding("k", "scroll(-1)", "Up", show=False, id="help.up"),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(Text.assemble(("Keys", "bold"), ("  — Esc closes; every binding can be remapped in "
                                                          "config.toml [keymap] by its id", "dim")), id="help-title")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#help-table", DataTable)
        table.add_column("KEY", key="key", width=14)
        table.add_column("ACTION", key="action", width=34)
        table.add_column("WHERE", key="where", width=18)
        table.add_column("ID (keymap)", key="id")
        for index, (section, binding, key) in enumerate(help_rows(self.app, self.under)):
            table.add_row(Text(key, style="bold"), binding.description or binding.action,
                          Text(section, style="dim"), Text(binding.id or "—", style="dim"), key=f"{index}")
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, step: int) -> None:
        table = self.query_one("#help-table", DataTable)
        table.move_cursor(row=max(0, table.cursor_row + step))
