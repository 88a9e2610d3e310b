"""Instance internals in tabs: vertices (GetInstanceDetail), plan DAG, config, resources, final state, autoscale.

Each tab's call runs in its own worker when the screen opens; a failing call shows its error in its tab.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import ScrollableContainer
from textual.widgets import DataTable, Footer, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from foas_tui import keys
from foas_tui.screens.triage_mixin import ViewerScreen
from foas_tui.services.formatting import NONE, format_epoch_ms, human_duration_ms, human_rate
from foas_tui.services.triage import read_payload
from foas_tui.text import NAME_LIMIT, safe_text, styled
from foas_tui.widgets.dag_view import dag_lines, nodes_from_plan

SECRET_KEY = re.compile(r"(secret|password|passwd|token|accesskey|access_key|credential|sts)", re.IGNORECASE)
VERTEX_COLUMNS = (("name", "Name"), ("status", "Status"), ("parallelism", "Parallelism"), ("tasks", "Tasks"),
                  ("read", "Records Received"), ("write", "Records Sent"), ("tps", "TPS"), ("delay", "Delay"),
                  ("duration", "Duration"))
STATUS_STYLES = {"RUNNING": "green", "FINISHED": "green", "FAILED": "bold red", "FAILING": "red",
                 "CANCELED": "bright_black", "CANCELING": "yellow", "RESTARTING": "yellow", "CREATED": "yellow",
                 "SCHEDULED": "yellow", "DEPLOYING": "yellow"}
TABS = ("vertices", "plan", "config", "resource", "state", "autoscale")


def mask(key: str, value: Any) -> str:
    """Config values whose key looks like a credential (stsAccesskey, passwords ...) are never shown."""
    text = "" if value is None else str(value)
    return "••••••" if text and SECRET_KEY.search(key) else text


def flatten_config(data: Any, prefix: str = "") -> list[tuple[str, str]]:
    """Config JSON → sorted (dotted key, masked value) pairs (user-config keys kept as they are)."""
    pairs: list[tuple[str, str]] = []
    if hasattr(data, "model_dump"):
        data = data.model_dump(by_alias=True)
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}{key}" if not prefix else f"{prefix}.{key}"
            if isinstance(value, dict) and value:
                pairs.extend(flatten_config(value, name))
            else:
                pairs.append((name, mask(str(key), value)))
    return sorted(pairs, key=lambda kv: kv[0])


def _get(obj: Any, *names: str) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
        if value is not None:
            return value
    return None


def vertex_cells(vertex: Any) -> list[Any]:
    status = str(_get(vertex, "status") or NONE)
    tasks = _get(vertex, "tasks") or {}
    total = sum(v for v in tasks.values() if isinstance(v, int)) if isinstance(tasks, dict) else 0
    running = tasks.get("RUNNING", 0) if isinstance(tasks, dict) else 0
    metrics = _get(vertex, "metrics") or {}
    tps = metrics.get("tps")
    delay = metrics.get("delay")
    name = " ".join(str(_get(vertex, "name") or "?").split())
    operators = name.split(" -> ")
    if len(operators) > 1:  # a chain: the source/first operator names the vertex; the plan tab has the rest
        name = f"{operators[0]} (+{len(operators) - 1} chained)"
    if len(name) > 60:
        name = name[:59] + "…"
    # Every cell is a Text: a str cell of a DataTable is parsed as markup, and these values come from the job.
    return [
        safe_text(name),
        safe_text(status, 40, style=STATUS_STYLES.get(status, "")),
        safe_text(_get(vertex, "parallelism") or NONE, 20),
        Text(f"{running}/{total}" if total else NONE),
        safe_text(metrics.get("read-records", NONE), 20),
        safe_text(metrics.get("write-records", NONE), 20),
        Text(human_rate(tps) if isinstance(tps, int | float) and tps >= 0 else NONE),
        Text(human_duration_ms(delay) if isinstance(delay, int | float) and delay >= 0 else NONE),
        Text(human_duration_ms(_get(vertex, "duration"))),
    ]


class InternalsScreen(ViewerScreen):
    """One job's instance internals, one tab each."""

    view_name = "internals"

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("internals")  # foas_tui/keys.py defines every key

    def __init__(self, selection: Any = None, *, tab: str = "vertices", **kwargs: Any) -> None:
        super().__init__(selection, **kwargs)
        self.initial_tab = tab if tab in TABS else "vertices"
        self.loaded: dict[str, str] = {}  # tab -> "ok" | error text, for tests and the header

    def compose(self) -> ComposeResult:
        yield Static(styled("[b]Internals[/b] $job", job=self.job_label), id="internals-header",
                     classes="viewer-header")
        with TabbedContent(initial=self.initial_tab, id="internals-tabs"):
            with TabPane("Vertices", id="vertices"):
                yield Static(id="vertices-summary", classes="viewer-message")
                yield DataTable(id="vertices-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Plan", id="plan"):
                yield ScrollableContainer(Static(id="plan-text", classes="dag"), id="plan-scroll")
            with TabPane("Config", id="config"):
                yield Static(id="config-summary", classes="viewer-message")
                yield DataTable(id="config-table", cursor_type="row", zebra_stripes=True)
            with TabPane("Resources", id="resource"):
                yield Static(id="resource-text")
            with TabPane("Final state", id="state"):
                yield Static(id="state-text")
            with TabPane("Autoscale", id="autoscale"):
                yield Static(id="autoscale-latest", classes="viewer-message")
                yield OptionList(id="autoscale-plans")
                yield ScrollableContainer(Static(id="autoscale-text", classes="dag"), id="autoscale-scroll")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#vertices-table", DataTable)
        for key, title in VERTEX_COLUMNS:
            table.add_column(title, key=key)
        config = self.query_one("#config-table", DataTable)
        config.add_column("Key", key="key")
        config.add_column("Value", key="value")

    def load(self) -> None:
        sel = self.selection
        if sel is None:
            return
        for widget_id in ("#vertices-summary", "#config-summary", "#resource-text", "#state-text",
                          "#autoscale-latest"):
            self.query_one(widget_id, Static).update("loading…")
        self._load_all()

    # --- workers ---------------------------------------------------------------------------------

    @work(exclusive=True, group="internals", exit_on_error=False)
    async def _load_all(self) -> None:
        sel = self.selection
        assert sel is not None
        p, j, i = sel.project, sel.job_name, self.instance_id
        client = self.client
        await asyncio.gather(
            self._one("vertices", lambda: client.get_instance_detail(p, j, i), self._show_detail),
            self._one("config", lambda: client.get_instance_config(p, j, i), self._show_config),
            self._one("resource", lambda: client.get_instance_resource(p, j, i), self._show_resource),
            self._one("state", lambda: client.get_instance_final_state(p, j, i), self._show_state),
            self._one("autoscale", lambda: self._autoscale(p, j, i), self._show_autoscale),
        )
        self.load_finished()

    async def _one(self, tab: str, call: Callable[[], Awaitable[Any]], show: Callable[[Any], None]) -> None:
        try:
            result = await call()
        except Exception as err:  # one tab's failure stays in that tab
            code = getattr(err, "code", type(err).__name__)
            rid = getattr(err, "request_id", None)
            text = f"{code}: {getattr(err, 'message', err)}" + (f" (request id {rid})" if rid else "")
            self.loaded[tab] = text
            self._tab_error(tab, text)
            return
        try:
            show(result)
            self.loaded[tab] = "ok"
        except Exception as err:  # a payload we did not expect: say so instead of crashing
            self.loaded[tab] = f"unreadable: {err}"
            self._tab_error(tab, f"unexpected response: {err}")

    async def _autoscale(self, project: str, job: str, instance: int) -> tuple[Any, Any]:
        latest, plans = await asyncio.gather(
            self.client.get_job_latest_auto_scale_plan(project, job),
            self.client.get_instance_history_auto_scale_plan_list(project, job, instance),
            return_exceptions=True,
        )
        if isinstance(latest, BaseException) and isinstance(plans, BaseException):
            raise latest
        return latest, plans

    def _tab_error(self, tab: str, text: str) -> None:
        target = {"vertices": "#vertices-summary", "plan": "#plan-text", "config": "#config-summary",
                  "resource": "#resource-text", "state": "#state-text", "autoscale": "#autoscale-latest"}[tab]
        self.query_one(target, Static).update(styled("[b $error]Cannot load:[/] $text", text=text))
        if tab == "vertices":
            self.query_one("#plan-text", Static).update(styled("[b $error]Cannot load:[/] $text", text=text))

    # --- rendering -------------------------------------------------------------------------------

    def _show_detail(self, response: Any) -> None:
        payload = read_payload(getattr(response, "detail", None))
        if not payload.ok:
            raise ValueError(payload.error or "empty detail")
        detail = payload.data
        state = _get(detail, "state") or NONE
        start = _get(detail, "start_time", "start-time")
        duration = _get(detail, "duration")
        vertices = _get(detail, "vertices") or []
        self.query_one("#vertices-summary", Static).update(
            styled("Job state [b]$state[/] · started $start · running $duration · $count vertices", state=state,
                   start=format_epoch_ms(start), duration=human_duration_ms(duration), count=len(vertices)))
        table = self.query_one("#vertices-table", DataTable)
        table.clear()
        for index, vertex in enumerate(vertices):
            table.add_row(*vertex_cells(vertex), key=str(_get(vertex, "id") or index))
        plan = _get(detail, "plan")
        lines = dag_lines(nodes_from_plan(plan)) if plan is not None else []
        self.query_one("#plan-text", Static).update(
            safe_text("\n".join(lines), multiline=True) if lines else "The detail carries no plan.")

    def _show_config(self, response: Any) -> None:
        payload = read_payload(getattr(response, "config", None))
        if not payload.ok:
            raise ValueError(payload.error or "empty config")
        data = payload.data
        if payload.raw:
            try:  # the raw text keeps the service's own key spelling (execution-config, user-config)
                data = json.loads(payload.raw)
            except ValueError:
                pass
        pairs = flatten_config(data)
        table = self.query_one("#config-table", DataTable)
        table.clear()
        for key, value in pairs:
            table.add_row(safe_text(key), safe_text(value), key=key)
        masked = sum(1 for k, v in pairs if v == "••••••")
        self.query_one("#config-summary", Static).update(
            safe_text(f"{len(pairs)} settings" + (f" · {masked} credential-like values hidden" if masked else "")))

    def _show_resource(self, response: Any) -> None:
        res = getattr(response, "resource", None)
        if res is None:
            raise ValueError("no Resource in the response")
        self.query_one("#resource-text", Static).update(
            safe_text("Requested from YARN (allocated)\n"
            f"  memory  {_mb(res.allocated_mb)}\n  vcores  {_num(res.allocated_virtual_cores)}\n"
            "Actually used (total)\n"
            f"  memory  {_mb(res.total_mb)}\n  vcores  {_num(res.total_virtual_cores)}", multiline=True))

    def _show_state(self, response: Any) -> None:
        state = getattr(response, "final_state", None)
        self.query_one("#state-text", Static).update(
            styled("Final state on YARN: [b]$state[/]", state=state) if state else
            "The service sent no final state (the field is undocumented in its examples).")

    def _show_autoscale(self, result: tuple[Any, Any]) -> None:
        latest, plans = result
        if isinstance(latest, BaseException):
            latest_text = f"Latest autoscale plan: unavailable ({getattr(latest, 'message', str(latest))})"
        else:
            payload = read_payload(getattr(latest, "plan_json", None))
            if payload.ok:
                nodes = nodes_from_plan(payload.data)
                latest_text = f"Latest autoscale plan of the job: {len(nodes)} nodes (below until you pick one)"
                self.query_one("#autoscale-text", Static).update(safe_text("\n".join(dag_lines(nodes)),
                                                                           multiline=True))
            else:
                latest_text = "Latest autoscale plan: none (autoscale off, or never tuned)"
        option_list = self.query_one("#autoscale-plans", OptionList)
        option_list.clear_options()
        if isinstance(plans, BaseException):
            latest_text += f"\nPlan history: unavailable ({getattr(plans, 'message', str(plans))})"
        else:
            names = list(getattr(plans, "plan_list", None) or [])
            latest_text += f"\nPlan history: {len(names)} plan(s)" + (" — enter shows one" if names else "")
            option_list.add_options([Option(safe_text(name, NAME_LIMIT), id=name) for name in names])
        option_list.display = option_list.option_count > 0
        self.query_one("#autoscale-latest", Static).update(safe_text(latest_text, multiline=True))

    @on(OptionList.OptionSelected, "#autoscale-plans")
    def _plan_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self._load_plan(event.option.id)

    @work(exclusive=True, group="internals-plan", exit_on_error=False)
    async def _load_plan(self, name: str) -> None:
        sel = self.selection
        assert sel is not None
        target = self.query_one("#autoscale-text", Static)
        target.update(safe_text(f"loading plan {name}…"))
        try:
            response = await self.client.get_instance_history_auto_scale_plan_content(
                sel.project, sel.job_name, self.instance_id, name)
        except Exception as err:
            self.report(err, f"autoscale plan {name}")
            reason = getattr(err, "message", str(err))
            target.update(styled("[b $error]Cannot load plan $name:[/] $reason", name=name, reason=reason))
            return
        payload = read_payload(getattr(response, "plan_content", None))
        if not payload.ok:
            target.update(styled("[b $error]Plan $name is unreadable:[/] $error", name=name, error=payload.error or ""))
            return
        lines = dag_lines(nodes_from_plan(payload.data))
        target.update(safe_text(f"Plan {name}\n" + "\n".join(lines), multiline=True))

    def action_tab(self, direction: int) -> None:
        tabs = self.query_one(TabbedContent)
        current = TABS.index(tabs.active) if tabs.active in TABS else 0
        tabs.active = TABS[(current + direction) % len(TABS)]


def _mb(value: int | None) -> str:
    return NONE if value is None else f"{value} MB ({value / 1024:.1f} GB)"


def _num(value: int | None) -> str:
    return NONE if value is None else str(value)
