"""Confirmation and choice dialogs: what will happen, to which jobs, and a safe default (Cancel)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import RenderableType
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Static

from foas_tui import keys
from foas_tui.error_guard import ModalScreen as GuardedModalScreen
from foas_tui.error_guard import on
from foas_tui.text import NAME_LIMIT, safe_str

MAX_LISTED = 12


def target_list(targets: Sequence[str], limit: int = MAX_LISTED) -> str:
    """A bullet list of targets, cut to `limit` lines with an "and N more" tail."""
    shown = [f"• {safe_str(t, 2 * NAME_LIMIT)}" for t in targets[:limit]]  # "project/job": outside text
    if len(targets) > limit:
        shown.append(f"  … and {len(targets) - limit} more")
    return "\n".join(shown)


class ConfirmScreen(GuardedModalScreen[bool]):
    """Asks before a destructive or bulk action. Cancel is focused; `y` confirms unless a name must be typed."""

    BINDINGS = keys.bindings("confirm")  # foas_tui/keys.py defines every key

    def __init__(
        self,
        title: str,
        what_happens: str,
        targets: Sequence[str] = (),
        *,
        notes: Sequence[str] = (),
        confirm_label: str = "Confirm",
        danger: bool = True,
        require_text: str | None = None,
        option: str | None = None,
        option_value: bool = False,
    ) -> None:
        super().__init__(classes="ops-dialog")
        self.option = option
        self.option_value = option_value
        self.title_text = title
        self.what_happens = what_happens
        self.targets = list(targets)
        self.notes = list(notes)
        self.confirm_label = confirm_label
        self.danger = danger
        self.require_text = require_text

    def compose(self) -> ComposeResult:
        with Vertical(id="ops-confirm", classes="ops-box" + (" -danger" if self.danger else "")):
            yield Static(self.title_text, classes="ops-title")
            with VerticalScroll(classes="ops-body"):
                yield Static(Text(self.what_happens), classes="ops-what")
                if self.targets:
                    yield Static(Text(target_list(self.targets)), classes="ops-targets")
                for note in self.notes:
                    yield Static(Text(f"! {note}"), classes="ops-note")
            if self.option:
                yield Checkbox(self.option, value=self.option_value, id="ops-confirm-option")
            if self.require_text:
                yield Static(Text(f"Type {self.require_text} to confirm:"), classes="ops-hint")
                yield Input(placeholder=self.require_text, id="ops-confirm-text")
            with Horizontal(classes="ops-buttons"):
                yield Button("Cancel", id="ops-cancel", variant="default")
                yield Button(self.confirm_label, id="ops-ok", variant="error" if self.danger else "primary",
                             disabled=bool(self.require_text))

    def on_mount(self) -> None:
        self.query_one("#ops-cancel", Button).focus()

    @on(Checkbox.Changed, "#ops-confirm-option")
    def _option(self, event: Checkbox.Changed) -> None:
        self.option_value = event.value

    @on(Input.Changed, "#ops-confirm-text")
    def _typed(self, event: Input.Changed) -> None:
        self.query_one("#ops-ok", Button).disabled = event.value.strip() != self.require_text

    @on(Input.Submitted, "#ops-confirm-text")
    def _typed_enter(self, event: Input.Submitted) -> None:
        if event.value.strip() == self.require_text:
            self.dismiss(True)

    @on(Button.Pressed, "#ops-ok")
    def _ok(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#ops-cancel")
    def _cancel(self) -> None:
        self.dismiss(False)

    def action_cancel(self) -> None:
        self.dismiss(False)

    def action_confirm(self) -> None:
        if self.require_text is None:
            self.dismiss(True)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm" and self.require_text is not None:
            return False  # typing the name is the confirmation; `y` would go into the input
        return True


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    label: str
    variant: str = "default"  # default | primary | success | warning | error
    key: str | None = None  # a single-letter shortcut


class ChoiceScreen(GuardedModalScreen[str | None]):
    """A question with several answers and an optional body (e.g. a diff). Esc answers None."""

    BINDINGS = keys.bindings("choice")  # foas_tui/keys.py defines every key

    def __init__(self, title: str, message: str, choices: Sequence[Choice], body: RenderableType | None = None,
                 *, wide: bool = False) -> None:
        super().__init__(classes="ops-dialog" + (" -wide" if wide or body is not None else ""))
        self.title_text = title
        self.message = message
        self.choices = list(choices)
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(id="ops-choice", classes="ops-box"):
            yield Static(self.title_text, classes="ops-title")
            yield Static(Text(self.message), classes="ops-what")
            if self.body is not None:
                with VerticalScroll(classes="ops-body ops-diff"):
                    yield Static(self.body)
            with Horizontal(classes="ops-buttons"):
                for choice in self.choices:
                    label = f"{choice.label} ({choice.key})" if choice.key else choice.label
                    yield Button(label, id=f"ops-choice-{choice.id}", variant=choice.variant)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    @on(Button.Pressed)
    def _chosen(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        self.dismiss(button_id.removeprefix("ops-choice-"))

    def on_key(self, event) -> None:  # noqa: ANN001 - textual.events.Key
        for choice in self.choices:
            if choice.key and event.key == choice.key:
                event.stop()
                self.dismiss(choice.id)
                return

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


class TextScreen(GuardedModalScreen[None]):
    """A read-only report (validation result, plan resources ...); Esc or q closes it."""

    BINDINGS = keys.bindings("text")  # foas_tui/keys.py defines every key

    def __init__(self, title: str, body: RenderableType) -> None:
        super().__init__(classes="ops-dialog -wide")
        self.title_text = title
        self.body = body

    def compose(self) -> ComposeResult:
        with Vertical(classes="ops-box"):
            yield Static(self.title_text, classes="ops-title")
            with VerticalScroll(classes="ops-body"):
                yield Static(self.body)
            with Horizontal(classes="ops-buttons"):
                yield Button("Close", id="ops-close", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#ops-close", Button).focus()

    @on(Button.Pressed, "#ops-close")
    def action_close(self) -> None:
        self.dismiss(None)
