"""The `/` prompt and its error line. Tables filter with the language of `services.filter_query` (fields,
comparisons, regex); `compile_filter` is the plain text filter the project tree keeps (k9s semantics:
substring, case-insensitive; `!foo` keeps what does NOT match)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.message import Message
from textual.widgets import Input, Static

from foas_tui import keys
from foas_tui.error_guard import Guarded
from foas_tui.text import safe_text

if TYPE_CHECKING:  # the filter language is loaded with the first filter, not at startup
    from foas_tui.services.filter_query import FilterError

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


class FilterBar(Guarded, Input):
    """One-line prompt under the panes; applies on every keystroke, Enter keeps it, Esc clears it."""

    BINDINGS = keys.bindings("filter")  # foas_tui/keys.py defines every key

    class Done(Message):
        """The operator left the prompt; `cleared` when with Esc."""

        def __init__(self, bar: FilterBar, cleared: bool) -> None:
            super().__init__()
            self.bar = bar
            self.cleared = cleared

        @property
        def control(self) -> FilterBar:
            """The bar, so `@on(FilterBar.Done, "#id")` can tell two bars apart."""
            return self.bar

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="/ filter: text, or !text for the others — Enter keeps, Esc clears", **kwargs)
        self.target: str = ""  # id of the pane being filtered

    error: str | None = None

    def set_error(self, error: FilterError | str | None) -> None:
        """Show why the filter cannot be read (the table keeps the last filter that could), or clear it."""
        if error is not None and not isinstance(error, str):  # a FilterError (services.filter_query)
            pointer = " " * min(error.position, 60) + "^"
            text: str | None = f"{pointer} {error.message} (the last valid filter stays applied)"
        else:
            text = error
        self.error = text
        self.set_class(text is not None, "-error")
        for hint in self.screen.query(FilterHint):
            hint.show(text)

    def action_cancel(self) -> None:
        self.set_error(None)
        self.value = ""
        self.post_message(self.Done(self, cleared=True))

    def action_accept(self) -> None:
        self.post_message(self.Done(self, cleared=False))


class FilterHint(Guarded, Static):
    """The line under the `/` prompt that says what is wrong with the filter typed (hidden when nothing is)."""

    DEFAULT_CSS = """
    FilterHint { height: auto; max-height: 3; padding: 0 1; color: $text-error; background: $error 15%; }
    """

    def on_mount(self) -> None:
        self.display = False

    def show(self, text: str | None) -> None:
        self.display = text is not None
        # Through the door: the filter is typed by the operator, but it may be pasted from anywhere.
        self.update(safe_text(text or "", 400))
