"""`:` the k9s-style command prompt: `:job NAME`, `:project NAME`, `:folder PATH`, `:profile NAME`, `:region ID`,
`:triage`, `:log`, `:help`, `:q`."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static

from foas_tui import keys
from foas_tui.error_guard import ModalScreen as GuardedModalScreen

COMMANDS = ("job ", "project ", "folder ", "profile ", "region ", "triage", "failures", "log", "help", "refresh", "ro",
            "rw", "q")


def parse_command(line: str) -> tuple[str, str]:
    """`:job  foo ` -> ("job", "foo"); the name is lower-cased, the argument kept as typed."""
    line = line.strip().lstrip(":").strip()
    name, _, arg = line.partition(" ")
    return name.lower(), arg.strip()


class JumpScreen(GuardedModalScreen[str | None]):
    """A one-line prompt at the bottom; Enter runs (the app parses), Esc cancels. Tab completes."""

    BINDINGS = keys.bindings("jump")  # foas_tui/keys.py defines every key
    AUTO_FOCUS = "#jump-input"

    def __init__(self, initial: str = "", suggestions: list[str] | None = None) -> None:
        super().__init__()
        self.initial = initial
        self.suggestions = suggestions or []

    def compose(self) -> ComposeResult:
        with Vertical(id="jump-box"):
            # One line that fits 80 columns (the box is one line high); Tab completes each word.
            yield Static(":job :project :folder :profile :region :triage :log :ro :rw :help :q",
                         id="jump-hint")
            yield Input(
                value=self.initial, placeholder="command", id="jump-input",
                suggester=SuggestFromList([*COMMANDS, *self.suggestions], case_sensitive=False),
            )

    def on_mount(self) -> None:
        self.query_one("#jump-input", Input).focus()

    def on_key(self, event: events.Key) -> None:
        """Keys that arrive before the input has focus (fast typing, a paste over SSH) are typed into it."""
        field = self.query_one("#jump-input", Input)
        if not field.has_focus and event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            field.insert_text_at_cursor(event.character)

    def action_complete(self) -> None:
        """Tab takes the suggestion shown after the cursor (as → does at the end of the line)."""
        field = self.query_one("#jump-input", Input)
        field.focus()
        field.cursor_position = len(field.value)
        field.action_cursor_right()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value.strip() or None)

    def action_cancel(self) -> None:
        self.dismiss(None)
