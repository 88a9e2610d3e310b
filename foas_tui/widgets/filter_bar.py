"""The `/` filter: k9s semantics (substring, case-insensitive; `!foo` keeps what does NOT match) and its prompt."""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message
from textual.widgets import Input

from foas_tui import keys

Matcher = Callable[[str], bool]


def parse_filter(text: str) -> tuple[str, bool] | None:
    """(lower-cased needle, inverse) for `text`, or None when it filters nothing."""
    text = text.strip()
    inverse = text.startswith("!")
    needle = (text[1:] if inverse else text).strip().lower()
    return (needle, inverse) if needle else None


def compile_filter(text: str) -> Matcher | None:
    """A predicate for `text`, or None when the filter is empty (show everything)."""
    spec = parse_filter(text)
    if spec is None:
        return None
    needle, inverse = spec
    if inverse:
        return lambda value: needle not in value.lower()
    return lambda value: needle in value.lower()


class FilterBar(Input):
    """One-line prompt under the panes; applies on every keystroke, Enter keeps it, Esc clears it."""

    BINDINGS = keys.bindings("filter")  # foas_tui/keys.py defines every key

    class Done(Message):
        """The operator left the prompt; `cleared` when with Esc."""

        def __init__(self, bar: FilterBar, cleared: bool) -> None:
            super().__init__()
            self.bar = bar
            self.cleared = cleared

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="/ filter: text, or !text for the others — Enter keeps, Esc clears", **kwargs)
        self.target: str = ""  # id of the pane being filtered

    def action_cancel(self) -> None:
        self.value = ""
        self.post_message(self.Done(self, cleared=True))

    def action_accept(self) -> None:
        self.post_message(self.Done(self, cleared=False))
