"""A one-line footer that fits: the most important keys of the current screen first, as many as the width holds.

Textual's Footer lists every shown binding in the order the focus chain gives and cuts the line at the edge
(at 120 columns it lost the triage keys). This one ranks them (help, back, command, filter, zoom, the triage
and start/stop keys, then the screen's own, then the rest), drops what does not fit whole, and leaves the
rest to `?`. It reads only public API: `Screen.active_bindings` and `bindings_updated_signal`.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import Widget

from foas_tui.error_guard import Guarded

#: Actions by importance (the name before any "(args)"; the triage board's `open('x')` counts as `x`).
FIRST = ("help", "close", "back", "cancel", "submit", "jump", "filter", "search", "zoom", "triage", "exceptions",
         "checkpoints", "metrics", "internals", "ops_start", "ops_stop")
#: Actions everyone knows or that the status bar already shows: after the screen's own keys.
LAST = ("refresh_now", "reload", "toggle_pause", "command_log", "quit", "command_palette")


class FooterItem(NamedTuple):
    key: str  # as displayed
    description: str
    enabled: bool


def action_name(action: str) -> str:
    name, _, args = action.partition("(")
    if name == "open" and args:
        return args.strip("')\" ")
    return name


def rank(binding: Binding) -> int:
    name = action_name(binding.action)
    if name in FIRST:
        return FIRST.index(name)
    if name in LAST:
        return 200 + LAST.index(name)
    return 100


def fit(items: list[FooterItem], width: int, gap: int = 1) -> list[FooterItem]:
    """The items that fit in `width` cells, in order, each whole (`key description` after `gap` blank cells)."""
    out: list[FooterItem] = []
    used = 0
    for item in items:
        cells = Text(f"{item.key} {item.description}").cell_len + gap
        if used + cells > width:
            continue  # a shorter one further down may still fit
        out.append(item)
        used += cells
    return out


def footer_items(screen: Screen) -> list[FooterItem]:
    """The shown bindings of the screen, one per action, most important first."""
    seen: set[str] = set()
    ranked: list[tuple[int, int, FooterItem]] = []
    for index, active in enumerate(screen.active_bindings.values()):
        binding = active.binding
        if not binding.show or binding.action in seen:
            continue
        seen.add(binding.action)
        item = FooterItem(screen.app.get_key_display(binding), binding.description, active.enabled)
        ranked.append((rank(binding), index, item))
    ranked.sort(key=lambda entry: entry[:2])
    return [item for _, _, item in ranked]


class KeyFooter(Guarded, Widget):
    """The keys line at the bottom of a screen (no mouse needed: every key is also under `?`)."""

    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        width: 1fr;
        background: $footer-background;
        color: $footer-foreground;
    }
    KeyFooter > .key-footer--key {
        color: $footer-key-foreground;
        text-style: bold;
    }
    KeyFooter > .key-footer--description {
        color: $footer-description-foreground;
    }
    """
    COMPONENT_CLASSES = {"key-footer--key", "key-footer--description"}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        # The screen's shown bindings, ranked: asking the screen walks the focus chain and checks every action
        # (about 1 ms), so they are kept until the screen says its bindings changed (as Textual's Footer does).
        self._items: list[FooterItem] | None = None

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, _screen: Screen) -> None:
        self._items = None
        self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key")
        description_style = self.get_component_rich_style("key-footer--description")
        text = Text(no_wrap=True, overflow="crop")
        if self._items is None:
            self._items = footer_items(self.screen)
        for item in fit(self._items, self.size.width):
            dim = Style(dim=not item.enabled)
            text.append(" ")
            text.append(item.key, key_style + dim)
            text.append(f" {item.description}", description_style + dim)
        return text
