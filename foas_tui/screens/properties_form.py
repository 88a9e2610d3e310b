"""The job properties form: documented keys with types, defaults and validation, free key=value pairs, a diff."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from foas_tui import keys
from foas_tui.error_guard import ModalScreen as GuardedModalScreen
from foas_tui.error_guard import on, work
from foas_tui.screens.code_editor import save_flow
from foas_tui.services.drafts import EditSession
from foas_tui.services.properties import (
    PROPERTY_SPECS,
    SPECS_BY_KEY,
    PropertiesText,
    PropertySpec,
    parse_pairs,
    validate_value,
    warnings_for,
)
from foas_tui.services.selection import Selection
from foas_tui.text import NAME_LIMIT, safe_text


def _field_id(index: int) -> str:
    return f"prop-{index}"


def free_pairs_text(values: dict[str, str]) -> str:
    return "\n".join(f"{k}={v}" for k, v in values.items() if k not in SPECS_BY_KEY)


def compose_text(base_text: str, documented: dict[str, str], free: dict[str, str]) -> str:
    """The new properties text: the base with documented keys set/removed and free keys replaced."""
    doc = PropertiesText.parse(base_text)
    before = doc.as_dict()
    changes: dict[str, str | None] = {}
    for spec in PROPERTY_SPECS:
        value = documented.get(spec.key, "").strip()
        changes[spec.key] = value if value else None
    for key in before:
        if key not in SPECS_BY_KEY and key not in free:
            changes[key] = None
    changes.update(free)
    # Leave untouched keys byte-for-byte as they were.
    doc.apply({k: v for k, v in changes.items() if before.get(k) != v})
    return doc.to_text()


class PropertiesFormScreen(GuardedModalScreen[None]):
    """Edit a job's properties; every change is kept as a draft; ctrl+s validates, diffs and saves."""

    BINDINGS = keys.bindings("properties")  # foas_tui/keys.py defines every key

    def __init__(self, edit: EditSession, selection: Selection, *, read_only: bool = False) -> None:
        super().__init__(classes="ops-dialog -full")
        self.edit = edit
        self.selection = selection
        self.read_only = read_only
        self._loading = False

    def compose(self) -> ComposeResult:
        values = PropertiesText.parse(self.edit.text).as_dict()
        with Vertical(classes="ops-box", id="ops-props"):
            yield Static(safe_text(f"Properties of {self.selection.job_name}"), classes="ops-title")
            with VerticalScroll(classes="ops-body", id="props-scroll"):
                yield Static(Text("Documented keys; empty = not set (the engine's default applies). "
                                  "Comments and unknown keys in the text are kept."), classes="ops-hint")
                for index, spec in enumerate(PROPERTY_SPECS):
                    # Key and help above the field: the keys are long, the screen may be 80 columns.
                    with Horizontal(classes="prop-row"):
                        yield Label(spec.key, classes="prop-key")
                        yield Static(Text(spec.help), classes="prop-help")
                    yield self._widget(index, spec, values.get(spec.key, ""))
                    yield Static("", id=f"{_field_id(index)}-error", classes="ops-error prop-error")
                yield Label("Other keys (key=value, one per line)")
                yield TextArea(free_pairs_text(values), id="props-free", classes="ops-small-area",
                               read_only=self.read_only)
                yield Static("", id="props-free-error", classes="ops-error")
            yield Static("", id="props-status", classes="ops-hint")
            with Horizontal(classes="ops-buttons"):
                yield Button("Close", id="ops-cancel")
                yield Button("Review & save (ctrl+s)", id="ops-ok", variant="primary", disabled=self.read_only)

    def _widget(self, index: int, spec: PropertySpec, value: str) -> Input | Select[str]:
        if spec.kind in ("bool", "enum"):
            options = [(choice, choice) for choice in spec.choices]
            if value and value not in spec.choices:
                options.append((safe_text(f"{value} (invalid)", NAME_LIMIT), value))
            default = f" (default {spec.default})" if spec.default is not None else ""
            return Select(options, value=value or Select.NULL, prompt=f"not set{default}", id=_field_id(index),
                          disabled=self.read_only)
        placeholder = spec.default or spec.example or ""
        return Input(value, placeholder=f"not set{f' — e.g. {placeholder}' if placeholder else ''}",
                     id=_field_id(index), disabled=self.read_only)

    def on_mount(self) -> None:
        self._update_status()

    # --- reading the form -------------------------------------------------------------------------

    def documented_values(self) -> dict[str, str]:
        values: dict[str, str] = {}
        for index, spec in enumerate(PROPERTY_SPECS):
            widget = self.query_one(f"#{_field_id(index)}")
            if isinstance(widget, Select):
                values[spec.key] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, Input):
                values[spec.key] = widget.value
        return values

    def validate_form(self) -> tuple[dict[str, str], dict[str, str], list[str]]:
        """(documented values, free pairs, problems); each problem is also shown under its field."""
        problems: list[str] = []
        documented = self.documented_values()
        for index, spec in enumerate(PROPERTY_SPECS):
            value = documented[spec.key].strip()
            problem = validate_value(spec.key, value) if value else None
            self.query_one(f"#{_field_id(index)}-error", Static).update(problem or "")
            if problem:
                problems.append(problem)
        free, free_problems = parse_pairs(self.query_one("#props-free", TextArea).text)
        clashes = [k for k in free if k in SPECS_BY_KEY]
        free_problems += [f"{k} has its own field above; set it there" for k in clashes]
        self.query_one("#props-free-error", Static).update(safe_text("\n".join(free_problems), multiline=True))
        problems.extend(free_problems)
        return documented, free, problems

    def current_text(self) -> str:
        documented = self.documented_values()
        free, _ = parse_pairs(self.query_one("#props-free", TextArea).text)
        free = {k: v for k, v in free.items() if k not in SPECS_BY_KEY}
        return compose_text(self.edit.base_text, documented, free)

    # --- drafts -----------------------------------------------------------------------------------

    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed, "#props-free")
    def _changed(self) -> None:
        if self._loading or self.read_only or not self.is_mounted:
            return
        try:
            self.edit.record(self.current_text())
        except OSError as err:
            self.notify(f"cannot write the draft: {err.strerror or err}", severity="error", markup=False)
        self._update_status()

    def _update_status(self) -> None:
        status = self.query_one("#props-status", Static)
        if self.read_only:
            status.update(Text("read-only session: viewing only", style="yellow"))
        elif self.edit.dirty:
            status.update(Text("unsaved changes — draft kept locally", style="yellow"))
        else:
            status.update(Text("no changes", style="dim"))

    def load_text(self, text: str) -> None:
        """Put a properties text into the form (after taking the remote version)."""
        self._loading = True
        try:
            values = PropertiesText.parse(text).as_dict()
            for index, spec in enumerate(PROPERTY_SPECS):
                widget = self.query_one(f"#{_field_id(index)}")
                value = values.get(spec.key, "")
                if isinstance(widget, Select):
                    widget.value = value if value in spec.choices else Select.NULL
                elif isinstance(widget, Input):
                    widget.value = value
            self.query_one("#props-free", TextArea).load_text(free_pairs_text(values))
        finally:
            self.call_after_refresh(self._done_loading)

    def _done_loading(self) -> None:
        self._loading = False
        self._update_status()

    # --- actions ----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save" and self.read_only:
            return False
        return True

    @on(Button.Pressed, "#ops-ok")
    def action_save(self) -> None:
        _, _, problems = self.validate_form()
        if problems:
            self.notify(f"{len(problems)} problem(s): {problems[0]}", title="Properties not valid",
                        severity="error", timeout=8, markup=False)
            return
        self._save()

    @work(exclusive=True, group="ops-props", exit_on_error=False)
    async def _save(self) -> None:
        self.edit.record(self.current_text())
        before = PropertiesText.parse(self.edit.base_text).as_dict()
        after = PropertiesText.parse(self.edit.text).as_dict()
        for warning in warnings_for(before, after):
            self.notify(warning, title="Before you save", severity="warning", timeout=10, markup=False)
        try:
            result = await save_flow(self.app, self.edit, self.selection)
        except Exception as err:  # never let a worker take the app down
            self.app.report_error(err, "saving properties")  # type: ignore[attr-defined]
            return
        if result == "theirs":
            self.load_text(self.edit.text)
        elif result in ("saved", "unchanged"):
            self.dismiss(None)
        self._update_status()

    @on(Button.Pressed, "#ops-cancel")
    def action_close(self) -> None:
        self._close()

    @work(exclusive=True, group="ops-props", exit_on_error=False)
    async def _close(self) -> None:
        from foas_tui.screens.confirm import Choice, ChoiceScreen

        if not self.edit.dirty or self.read_only:
            self.dismiss(None)
            return
        answer = await self.app.push_screen_wait(ChoiceScreen(
            "Unsaved changes", "The properties are not saved to the job. The draft stays on this machine and is "
            "offered back next time.", [
                Choice("keep", "Close, keep draft", "primary", "k"),
                Choice("discard", "Discard changes", "error", "d"),
                Choice("back", "Back to the form", "default", "b")]))
        if answer == "keep":
            self.dismiss(None)
        elif answer == "discard":
            self.edit.throw_away()
            self.dismiss(None)
