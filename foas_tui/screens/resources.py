"""Packages, queues, clusters, projects and tags: a table per kind, a detail pane, and forms for changes."""

from __future__ import annotations

from typing import Any

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, DataTable, Input, Label, Select, Static, Tab, Tabs, TextArea

from foas_tui import keys
from foas_tui.api import errors
from foas_tui.error_guard import ModalScreen as GuardedModalScreen
from foas_tui.error_guard import Screen as GuardedScreen
from foas_tui.error_guard import on, work
from foas_tui.screens.confirm import ConfirmScreen
from foas_tui.services.resources import (
    RESOURCE_KINDS,
    MutationSpec,
    ResourceContext,
    ResourceKind,
    Row,
    cell,
    collect,
    prefill,
    run_mutation,
    with_context,
)
from foas_tui.text import NAME_LIMIT, safe_text
from foas_tui.widgets.key_footer import KeyFooter

MUTATION_KEYS = ("n", "u", "d", "b", "U", "e", "s", "m", "B", "c")


def detail_renderable(detail: dict[str, Row | list[Row]]) -> Group:
    parts: list[Any] = []
    for title, value in detail.items():
        parts.append(Text(title, style="bold"))
        if isinstance(value, dict):
            table = Table.grid(padding=(0, 2))
            table.add_column(style="dim")
            table.add_column()
            for key, item in value.items():
                if item not in (None, "", [], {}):
                    table.add_row(key, safe_text(cell(item, key)))
            parts.append(table)
        else:
            if not value:
                parts.append(Text("  (none)", style="dim"))
            keys = list(value[0].keys()) if value else []
            table = Table(*keys, box=None, padding=(0, 1), show_edge=False) if keys else None
            for row in value:
                if table is not None:
                    table.add_row(*(safe_text(cell(row.get(k), k)) for k in keys))
            if table is not None:
                parts.append(table)
        parts.append(Text(""))
    return Group(*parts)


class ResourcesScreen(GuardedScreen[None]):
    """Tabs across the resource kinds; enter shows details; the keys in the footer change things."""

    BINDINGS = keys.bindings("resources")  # foas_tui/keys.py defines every key

    def __init__(self, kind: str, context: ResourceContext, *, read_only: bool = False) -> None:
        super().__init__(classes="ops-resources")
        self.kind_name = kind if kind in RESOURCE_KINDS else "packages"
        self.context = context
        self.read_only = read_only
        self.rows: list[Row] = []

    @property
    def kind(self) -> ResourceKind:
        return RESOURCE_KINDS[self.kind_name]

    def compose(self) -> ComposeResult:
        yield Tabs(*(Tab(k.title, id=f"tab-{k.name}") for k in RESOURCE_KINDS.values()), id="res-tabs",
                   active=f"tab-{self.kind_name}")
        yield Static("", id="res-scope", classes="ops-hint")
        with Vertical(id="res-main"):
            yield DataTable(id="res-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="res-detail"):
                yield Static("", id="res-detail-body")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(DataTable).focus()
        self.load()

    # --- loading ----------------------------------------------------------------------------------

    @on(Tabs.TabActivated, "#res-tabs")
    def _tab(self, event: Tabs.TabActivated) -> None:
        name = (event.tab.id or "").removeprefix("tab-")
        if name and name != self.kind_name:
            self.kind_name = name
            self.refresh_bindings()
            self.load()

    def action_tab(self, step: int) -> None:
        names = list(RESOURCE_KINDS)
        index = (names.index(self.kind_name) + step) % len(names)
        self.query_one(Tabs).active = f"tab-{names[index]}"

    def action_reload(self) -> None:
        self.load()

    def _scope_text(self) -> str:
        kind = self.kind
        if kind.scope == "project":
            where = f"project {self.context.project}" if self.context.project else "no project selected"
            if kind.name == "queues" and self.context.cluster_id:
                where = f"cluster {self.context.cluster_id}"
            return f"{kind.title} of {where}. {kind.note}".strip()
        return f"All {kind.title.lower()} of the account."

    def load(self) -> None:
        table = self.query_one(DataTable)
        table.clear(columns=True)
        for key, header in self.kind.columns:
            table.add_column(header, key=key)
        self.query_one("#res-scope", Static).update(self._scope_text())
        self.query_one("#res-detail-body", Static).update(Text("loading…", style="dim"))
        self._load(self.kind_name)

    @work(exclusive=True, group="ops-resources-load", exit_on_error=False)
    async def _load(self, kind_name: str) -> None:
        kind = RESOURCE_KINDS[kind_name]
        try:
            rows = await kind.lister(self.app.session.client, self.context)  # type: ignore[attr-defined]
        except ValueError as err:  # e.g. no project selected
            self.query_one("#res-detail-body", Static).update(Text(str(err), style="yellow"))
            return
        except Exception as err:
            self.app.report_error(err, f"listing {kind.title.lower()}")  # type: ignore[attr-defined]
            self.query_one("#res-detail-body", Static).update(Text(f"cannot list: {err}", style="red"))
            return
        if kind_name != self.kind_name:
            return
        self.rows = rows
        table = self.query_one(DataTable)
        for index, row in enumerate(rows):
            table.add_row(*(safe_text(cell(row.get(key), key)) for key, _ in kind.columns), key=str(index))
        body = f"{len(rows)} {kind.title.lower()} · enter: details" if rows else f"no {kind.title.lower()}"
        self.query_one("#res-detail-body", Static).update(Text(body, style="dim"))

    def selected_row(self) -> Row | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row < 0 or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowSelected, "#res-table")
    def _selected(self) -> None:
        row = self.selected_row()
        if row is None:
            return
        if self.kind_name == "clusters":
            self.context = ResourceContext(self.context.project, row.get("cluster_id"))
        self._detail(self.kind_name, row)

    @work(exclusive=True, group="ops-resources-detail", exit_on_error=False)
    async def _detail(self, kind_name: str, row: Row) -> None:
        kind = RESOURCE_KINDS[kind_name]
        body = self.query_one("#res-detail-body", Static)
        body.update(Text("loading details…", style="dim"))
        try:
            detail = await kind.detailer(self.app.session.client, self.context, row)  # type: ignore[attr-defined]
        except Exception as err:
            self.app.report_error(err, f"{kind.title.lower()} detail")  # type: ignore[attr-defined]
            body.update(Text(f"cannot load the details: {err}", style="red"))
            return
        body.update(detail_renderable(detail))

    # --- changes ----------------------------------------------------------------------------------

    def _mutation(self, key: str) -> MutationSpec | None:
        return next((m for m in self.kind.mutations if m.key == key), None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "mutate":
            spec = self._mutation(str(parameters[0])) if parameters else None
            if spec is None or self.read_only:
                return False
        return True

    def action_mutate(self, key: str) -> None:
        spec = self._mutation(key)
        if spec is None or self.read_only:
            return
        row = self.selected_row()
        if spec.needs_row and row is None:
            self.notify(f"select a row first to {spec.label.lower()}", severity="warning", markup=False)
            return
        self._mutate(spec, row)

    @work(group="ops-resources-mutate", exit_on_error=False)
    async def _mutate(self, spec: MutationSpec, row: Row | None) -> None:
        app: Any = self.app
        try:
            kwargs = await app.push_screen_wait(MutationFormScreen(spec, prefill(spec, self.context, row)))
            if kwargs is None:
                return
            kwargs = with_context(spec, kwargs, self.context)
            if spec.destructive:
                target = str(kwargs.get(spec.confirm_text or "", "")) if spec.confirm_text else None
                summary = ", ".join(f"{k}={v}" for k, v in kwargs.items())
                ok = await app.push_screen_wait(ConfirmScreen(
                    f"{spec.label}?", f"{spec.operation}: {summary}", notes=[spec.precondition] if spec.precondition
                    else [], confirm_label=spec.label, require_text=target or None))
                if not ok:
                    return
            await run_mutation(app.session.client, spec, kwargs)
            self.notify(f"{spec.label}: done", timeout=4, markup=False)
            self.load()
        except errors.FoasError as err:
            app.report_error(err, spec.label)
        except Exception as err:
            app.report_error(err, spec.label)

    def action_back(self) -> None:
        self.dismiss(None)


class MutationFormScreen(GuardedModalScreen[dict[str, Any] | None]):
    """A form from a `MutationSpec`: the precondition first, then the fields; values are typed and checked."""

    BINDINGS = keys.bindings("mutation")  # foas_tui/keys.py defines every key

    def __init__(self, spec: MutationSpec, values: dict[str, str]) -> None:
        super().__init__(classes="ops-dialog -wide")
        self.spec = spec
        self.values = values

    def compose(self) -> ComposeResult:
        with Vertical(classes="ops-box", id="ops-mutation"):
            yield Static(self.spec.label, classes="ops-title")
            with VerticalScroll(classes="ops-body"):
                if self.spec.precondition:
                    yield Static(Text(self.spec.precondition), classes="ops-hint")
                for f in self.spec.fields:
                    required = " *" if f.required else ""
                    yield Label(safe_text(f"{f.label}{required}"))
                    value = self.values.get(f.name, "")
                    if f.kind in ("choice", "bool"):
                        choices = f.choices if f.kind == "choice" else ("true", "false")
                        options = [(safe_text(c, NAME_LIMIT), c) for c in choices]
                        if value and value not in choices:
                            options.append((safe_text(value, NAME_LIMIT), value))
                        yield Select(options, value=value or Select.NULL, id=f"field-{f.name}")
                    elif f.kind == "multiline":
                        yield TextArea(value, id=f"field-{f.name}", classes="ops-small-area")
                    else:
                        yield Input(value, placeholder=f.help, id=f"field-{f.name}")
                    if f.help and f.kind != "text":
                        yield Static(Text(f.help), classes="prop-help")
                yield Static("", id="mutation-errors", classes="ops-error")
            with Horizontal(classes="ops-buttons"):
                yield Button("Cancel", id="ops-cancel")
                yield Button(safe_text(f"{self.spec.label} (ctrl+s)"), id="ops-ok",
                             variant="error" if self.spec.destructive else "primary")

    def raw_values(self) -> dict[str, str]:
        raw: dict[str, str] = {}
        for f in self.spec.fields:
            widget = self.query_one(f"#field-{f.name}")
            if isinstance(widget, Select):
                raw[f.name] = "" if widget.value is Select.NULL else str(widget.value)
            elif isinstance(widget, TextArea):
                raw[f.name] = widget.text
            elif isinstance(widget, Input):
                raw[f.name] = widget.value
        return raw

    @on(Button.Pressed, "#ops-ok")
    def action_submit(self) -> None:
        kwargs, problems = collect(self.spec, self.raw_values())
        if problems:
            self.query_one("#mutation-errors", Static).update(Text("\n".join(problems), style="red"))
            return
        self.dismiss(kwargs)

    @on(Button.Pressed, "#ops-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
