"""`?`: the keys of the screen under it — foas-tui's own first, grouped as foas_tui/keys.py groups them, then
the panes that are not focused, the keys read-only turns off, and last (collapsed) Textual's generic keys.

Built from the public `Screen.active_bindings` (what the key would do right now, keymap applied) and the
definitions in foas_tui/keys.py; read when the help is created, before it covers the screen, because a
dialog on top turns the app's job keys off.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Static

from foas_tui import keys
from foas_tui.error_guard import ModalScreen as GuardedModalScreen
from foas_tui.text import safe_text

GENERIC = "Textual"  # the section of the framework's own keys (cursor, scroll, copy ...)
# Group order: what this screen does first (its own keys, then the app's job and view keys), then the panes.
RANK_SCREEN, RANK_ACTIONS, RANK_PANE, RANK_OTHER_PANE, RANK_GLOBAL, RANK_OFF = range(6)


@dataclass
class HelpRow:
    group: str
    shown_keys: list[str]  # as shown (remapped keys included)
    description: str
    binding_id: str | None
    enabled: bool = True
    own: bool = True  # foas-tui's; False: a generic Textual binding
    rank: int = 0  # the order of its group: the screen's own, the app's actions, panes, global keys, ...
    depth: int = 0  # within a rank: the class's own scope before its bases' (Checkpoints before Viewer)

    @property
    def key(self) -> str:
        return " ".join(self.shown_keys)


def _own_key(node: Any, binding: Binding) -> tuple[keys.Scope, keys.Key] | None:
    for scope in keys.scopes_of_class(type(node)):
        for key in scope.keys:
            if key.id == binding.id and key.action == binding.action:
                return scope, key
    return None


def _group_of(node: Any) -> str:
    title = getattr(node, "BINDING_GROUP_TITLE", None)
    return title if isinstance(title, str) and title else type(node).__name__


def _add(rows: list[HelpRow], row: HelpRow) -> None:
    """One row per binding: a binding on several keys (escape,q) is one row listing them."""
    for existing in rows:
        if (existing.group, existing.description, existing.binding_id, existing.own) == \
                (row.group, row.description, row.binding_id, row.own):
            existing.shown_keys += [k for k in row.shown_keys if k not in existing.shown_keys]
            return
    rows.append(row)


def help_rows(app: Any, screen: Screen, keymap: Mapping[str, str] | None = None) -> list[HelpRow]:
    """The rows of `?` for `screen`: own keys by group, other panes, keys off in read-only, then generic keys."""
    keymap = getattr(app, "keymap", {}) if keymap is None else keymap
    own: list[HelpRow] = []
    generic: list[HelpRow] = []
    in_chain: set[int] = set()
    active = screen.active_bindings
    for _key, (node, binding, enabled, _tooltip) in active.items():
        in_chain.add(id(node))
        shown = app.get_key_display(binding)
        found = _own_key(node, binding)
        if found is not None:
            scope, key = found
            group = keys.group_title(scope, key)
            rank = RANK_SCREEN if node is screen else RANK_PANE if node is not app else \
                RANK_GLOBAL if scope.name == "app" else RANK_ACTIONS
            depth = [s.name for s in keys.scopes_of_class(type(node))].index(scope.name)
            _add(own, HelpRow(group, [shown], binding.description or binding.action, binding.id, enabled,
                              rank=rank, depth=depth))
        else:
            _add(generic, HelpRow(_group_of(node), [shown], binding.description or binding.action, binding.id,
                                  enabled, own=False))
    # Panes of this screen that are not focused now: their keys work once Tab reaches them.
    seen_scopes: set[str] = {s.name for row_node in (screen, app) for s in keys.scopes_of_class(type(row_node))}
    for widget in screen.walk_children():
        if id(widget) in in_chain:
            seen_scopes |= {s.name for s in keys.scopes_of_class(type(widget))}
    for widget in screen.walk_children():
        for scope in keys.scopes_of_class(type(widget)):
            if scope.name in seen_scopes:
                continue
            seen_scopes.add(scope.name)
            for key in scope.keys:
                shown = [app.get_key_display(Binding(name, key.action, key.description))
                         for name in keys.bound_keys(key, keymap)]
                _add(own, HelpRow(f"{keys.group_title(scope, key)} (when focused)", shown, key.description, key.id,
                                  rank=RANK_OTHER_PANE))
    # What read-only switched off here, so the operator knows the keys exist and why they do nothing.
    session = getattr(app, "session", None)
    if session is not None and session.read_only:
        live = {row.binding_id for row in own}
        off_title = f"Off in read-only ({keys.allow_changes_hint(app, keymap)} allows changes)"
        for node_class in (type(app), type(screen)):
            for scope in keys.scopes_of_class(node_class):
                for key in scope.keys:
                    if key.mutating and key.id not in live:
                        shown = [app.get_key_display(Binding(name, key.action, key.description))
                                 for name in keys.bound_keys(key, keymap)]
                        _add(own, HelpRow(off_title, shown, key.description,
                                          key.id, enabled=False, rank=RANK_OFF))
    # sort is stable: within a group the keys keep the definition's order
    order = list(dict.fromkeys(row.group for row in own))
    own.sort(key=lambda row: (row.rank, row.depth, order.index(row.group)))
    return own + generic


class HelpScreen(GuardedModalScreen[None]):
    """A modal over the screen it explains; Esc, q or ? closes it, `a` shows Textual's generic keys too."""

    BINDINGS = keys.bindings("help")  # foas_tui/keys.py defines every key

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self.under = under
        # Now, while `under` is the screen on top: under a dialog the app's job keys are off.
        self.rows = help_rows(under.app, under)
        self.show_generic = False

    def compose(self) -> ComposeResult:
        with Vertical(id="help-box"):
            yield Static(Text.assemble(("Keys", "bold"), ("  — Esc closes; every binding can be remapped in "
                                                          "config.toml [keymap] by its id", "dim")), id="help-title")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#help-table", DataTable)
        table.add_column("KEY", key="key", width=14)
        table.add_column("ACTION", key="action", width=32)
        table.add_column("WHERE", key="where", width=24)
        table.add_column("ID (keymap)", key="id")
        self.fill_table()
        table.focus()

    def fill_table(self) -> None:
        table = self.query_one("#help-table", DataTable)
        table.clear()
        generic = [row for row in self.rows if not row.own]
        for index, row in enumerate(row for row in self.rows if row.own or self.show_generic):
            style = "bold" if row.enabled else "dim strike"
            table.add_row(safe_text(row.key, 14, style), safe_text(row.description, 60),
                          safe_text(row.group if row.own else f"{GENERIC}: {row.group}", 60, "dim"),
                          safe_text(row.binding_id or "—", 60, "dim"), key=f"{index}")
        if generic and not self.show_generic:
            toggle = next((k for k in keys.SCOPES["help"].keys if k.id == "help.generic"), None)
            shown = (" ".join(self.app.get_key_display(Binding(name, "", ""))
                              for name in keys.bound_keys(toggle, getattr(self.app, "keymap", {})))
                     if toggle is not None else "")
            table.add_row(safe_text(shown, 14, "bold"),
                          safe_text(f"Show {len(generic)} generic keys (cursor, scroll, copy …)", 60),
                          safe_text(GENERIC, 60, "dim"), safe_text("help.generic", 60, "dim"), key="generic")

    def action_close(self) -> None:
        self.dismiss(None)

    def action_scroll(self, step: int) -> None:
        table = self.query_one("#help-table", DataTable)
        table.move_cursor(row=max(0, table.cursor_row + step))

    def action_toggle_generic(self) -> None:
        self.show_generic = not self.show_generic
        self.fill_table()
