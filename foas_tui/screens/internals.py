"""Instance internals in tabs: vertices (GetInstanceDetail), plan DAG, config, resources, final state, autoscale.

Each tab's call runs in its own worker when the screen opens; a failing call shows its error in its tab.
The vertices tab colors each vertex by its queue usage, names the bottleneck in words and, for a running
instance, adds watermark delay, late records and task TPS per vertex (services/backpressure.py).
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import ScrollableContainer
from textual.content import Content
from textual.widgets import DataTable, OptionList, Static, TabbedContent, TabPane
from textual.widgets.option_list import Option

from foas_tui import keys
from foas_tui.error_guard import on, work
from foas_tui.screens.viewer_base import ViewerScreen
from foas_tui.services.backpressure import (
    BACKPRESSURED,
    BOTTLENECK,
    FREE,
    FULL,
    OK,
    Diagnosis,
    VertexPressure,
    diagnose,
    fetch_vertex_metrics,
    read_vertices,
)
from foas_tui.services.flink_payloads import first_of, read_payload
from foas_tui.services.formatting import NONE, format_epoch_ms, human_duration_ms, human_rate
from foas_tui.text import NAME_LIMIT, safe_text, styled
from foas_tui.widgets.dag_view import dag_lines, nodes_from_plan
from foas_tui.widgets.key_footer import KeyFooter

SECRET_KEY = re.compile(r"(secret|password|passwd|token|accesskey|access_key|credential|sts)", re.IGNORECASE)
# queue columns first: at 80 columns they are what shows next to the (long) vertex name
VERTEX_COLUMNS = (("no", "#"), ("pressure", "Backpressure"), ("in_queue", "In queue"), ("out_queue", "Out queue"),
                  ("name", "Name"), ("status", "Status"), ("watermark", "Watermark"),
                  ("late", "Late/s"), ("in_tps", "In TPS"), ("out_tps", "Out TPS"), ("parallelism", "Parallel"),
                  ("tasks", "Tasks"), ("read", "Received"), ("write", "Sent"), ("tps", "TPS"),
                  ("delay", "Delay"), ("duration", "Duration"))
#: Columns kept first when the width runs out (the name is always there; it shrinks to NAME_MIN first).
VERTEX_PRIORITY = ("pressure", "in_queue", "out_queue", "no", "status", "tasks", "tps", "delay", "watermark", "late",
                   "in_tps", "out_tps", "parallelism", "read", "write", "duration")
NAME_MIN = 18  # cells of the vertex name before columns are dropped
# words first, color second: the meaning survives NO_COLOR and 16-color terminals
PRESSURE_STYLES = {BOTTLENECK: "bold red", BACKPRESSURED: "yellow", OK: "green"}
PRESSURE_WORDS = {BOTTLENECK: "BOTTLENECK", BACKPRESSURED: "backpressured", OK: "ok"}
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



def queue_cell(value: float | None) -> Text:
    if value is None:
        return Text(NONE)
    style = "bold red" if value >= FULL else "yellow" if value >= FREE else "green"
    return Text(f"{value:.0%}", style=style)


def pressure_cells(vp: VertexPressure | None) -> list[Any]:
    """# · Backpressure · In queue · Out queue · Watermark · Late/s · In TPS · Out TPS of one vertex."""
    if vp is None:
        return [Text(NONE)] * 8
    return [
        Text(str(vp.number)),
        Text(PRESSURE_WORDS.get(vp.status, NONE), style=PRESSURE_STYLES.get(vp.status, "")),
        queue_cell(vp.in_pool),
        queue_cell(vp.out_pool),
        *metric_cells(vp),
    ]


def metric_cells(vp: VertexPressure) -> list[Text]:
    """Watermark · Late/s · In TPS · Out TPS (blank until the vertex metrics arrive)."""
    late = vp.late_rate
    return [
        Text(human_duration_ms(vp.watermark_ms) if vp.watermark_ms is not None else NONE),
        Text(f"{late:.1f}" if late is not None else NONE, style="yellow" if late else ""),
        Text(human_rate(vp.in_tps) if vp.in_tps is not None else NONE),
        Text(human_rate(vp.out_tps) if vp.out_tps is not None else NONE),
    ]


def vertex_cells(vertex: Any, vp: VertexPressure | None = None) -> list[Any]:
    status = str(first_of(vertex, "status") or NONE)
    tasks = first_of(vertex, "tasks") or {}
    total = sum(v for v in tasks.values() if isinstance(v, int)) if isinstance(tasks, dict) else 0
    running = tasks.get("RUNNING", 0) if isinstance(tasks, dict) else 0
    metrics = first_of(vertex, "metrics") or {}
    tps = metrics.get("tps")
    delay = metrics.get("delay")
    name = " ".join(str(first_of(vertex, "name") or "?").split())
    operators = name.split(" -> ")
    if len(operators) > 1:  # a chain: the source/first operator names the vertex; the plan tab has the rest
        name = f"{operators[0]} (+{len(operators) - 1} chained)"
    if len(name) > 60:
        name = name[:59] + "…"
    # Every cell is a Text: a str cell of a DataTable is parsed as markup, and these values come from the job.
    no, pressure, in_queue, out_queue, *measured = pressure_cells(vp)
    return [
        no, pressure, in_queue, out_queue,
        safe_text(name),
        safe_text(status, 40, style=STATUS_STYLES.get(status, "")),
        *measured,
        safe_text(first_of(vertex, "parallelism") or NONE, 20),
        Text(f"{running}/{total}" if total else NONE),
        safe_text(metrics.get("read-records", NONE), 20),
        safe_text(metrics.get("write-records", NONE), 20),
        Text(human_rate(tps) if isinstance(tps, int | float) and tps >= 0 else NONE),
        Text(human_duration_ms(delay) if isinstance(delay, int | float) and delay >= 0 else NONE),
        Text(human_duration_ms(first_of(vertex, "duration"))),
    ]


def vertex_columns(rows: list[list[Any]], width: int) -> list[tuple[str, str, int]]:
    """(key, title, width) of the vertex columns that fit in `width` cells, in table order.

    Each column takes its widest cell or title plus DataTable's two cells of padding; columns are kept in
    VERTEX_PRIORITY order while the name keeps NAME_MIN cells; the name gets what is left (up to its widest).
    """
    index = {key: position for position, (key, _) in enumerate(VERTEX_COLUMNS)}
    titles = dict(VERTEX_COLUMNS)

    def natural(key: str) -> int:
        return max([len(titles[key]), *(row[index[key]].cell_len for row in rows)])  # every cell is a Text

    kept = {"name"}
    used = NAME_MIN + 2
    for key in VERTEX_PRIORITY:
        cost = natural(key) + 2
        if used + cost <= width:
            kept.add(key)
            used += cost
    name_width = max(NAME_MIN, min(natural("name"), width - (used - NAME_MIN - 2) - 2))
    return [(key, title, name_width if key == "name" else natural(key))
            for key, title in VERTEX_COLUMNS if key in kept]


class InternalsScreen(ViewerScreen):
    """One job's instance internals, one tab each."""

    view_name = "internals"

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("internals")  # foas_tui/keys.py defines every key

    def __init__(self, selection: Any = None, *, tab: str = "vertices", **kwargs: Any) -> None:
        super().__init__(selection, **kwargs)
        self.initial_tab = tab if tab in TABS else "vertices"
        self.loaded: dict[str, str] = {}  # tab -> "ok" | error text, for tests and the header
        self.diagnosis: Diagnosis | None = None
        self.vertex_metrics: str | None = None  # "ok" | "job-level" | error text, once the per-vertex call ended
        self._vertices: list[tuple[str, Any, VertexPressure | None]] = []  # (row key, vertex, pressure)
        self._vertex_width = 0  # the width the vertices table was laid out for (laid out again on resize)

    def compose(self) -> ComposeResult:
        yield Static(styled("[b]Internals[/b] $job", job=self.job_label), id="internals-header",
                     classes="viewer-header")
        with TabbedContent(initial=self.initial_tab, id="internals-tabs"):
            with TabPane("Vertices", id="vertices"):
                yield Static(id="vertices-summary", classes="viewer-message")
                yield Static(id="vertices-diagnosis", classes="viewer-message")
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
        yield KeyFooter()

    def on_mount(self) -> None:
        self._fill_vertices()
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
            if (note := self.not_running_note(err, "the instance's details")) is not None:
                self.loaded[tab] = "not running"
                self._tab_note(tab, note)  # an expected state: neutral, not "Cannot load"
                return
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

    def _tab_note(self, tab: str, note: Content) -> None:
        target = {"vertices": "#vertices-summary", "plan": "#plan-text", "config": "#config-summary",
                  "resource": "#resource-text", "state": "#state-text", "autoscale": "#autoscale-latest"}[tab]
        self.query_one(target, Static).update(note)
        if tab == "vertices":
            self.query_one("#plan-text", Static).update(note)

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
        state = first_of(detail, "state") or NONE
        start = first_of(detail, "start_time", "start-time")
        duration = first_of(detail, "duration")
        vertices = first_of(detail, "vertices") or []
        self.query_one("#vertices-summary", Static).update(
            styled("Job state [b]$state[/] · started $start · running $duration · $count vertices", state=state,
                   start=format_epoch_ms(start), duration=human_duration_ms(duration), count=len(vertices)))
        diagnosis = diagnose(read_vertices(detail))
        self.diagnosis = diagnosis
        self._vertices = []
        for index, vertex in enumerate(vertices):
            vp = diagnosis.vertices[index] if index < len(diagnosis.vertices) else None
            self._vertices.append((vp.id if vp else str(first_of(vertex, "id") or index), vertex, vp))
        self._fill_vertices()
        self._show_diagnosis()
        if state == "RUNNING" and diagnosis.vertices:
            self._load_vertex_metrics()
        plan = first_of(detail, "plan")
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

    def _show_diagnosis(self) -> None:
        diagnosis = self.diagnosis
        if diagnosis is None:
            return
        self.query_one("#vertices-diagnosis", Static).update(diagnosis_text(diagnosis, self.vertex_metrics))

    @work(exclusive=True, group="internals-vertex-metrics", exit_on_error=False)
    async def _load_vertex_metrics(self) -> None:
        sel, diagnosis = self.selection, self.diagnosis
        if sel is None or diagnosis is None:
            return
        try:
            await fetch_vertex_metrics(self.client, sel.project, sel.job_name, self.instance_id, diagnosis,
                                       now=self.now)
        except Exception as err:  # the queues are already shown; the extra metrics are a bonus
            self.vertex_metrics = f"{getattr(err, 'code', type(err).__name__)}: {getattr(err, 'message', err)}"
            self._show_diagnosis()
            return
        self.vertex_metrics = "ok" if diagnosis.per_vertex else "job-level"
        self._fill_vertices()  # the pressures were filled in place: the watermark, late and TPS cells now show
        self._show_diagnosis()

    def on_resize(self) -> None:
        if self.size.width != self._vertex_width:
            self._fill_vertices()

    def _fill_vertices(self) -> None:
        """(Re)build the vertices table for the width: columns that do not fit go, the name is cut to fit."""
        self._vertex_width = self.size.width
        table = self.query_one("#vertices-table", DataTable)
        rows = [(key, vertex_cells(vertex, vp)) for key, vertex, vp in self._vertices]
        columns = vertex_columns([cells for _, cells in rows], max(40, self.size.width - 3))
        cursor = table.cursor_row
        table.clear(columns=True)
        for key, title, width in columns:
            table.add_column(title, key=key, width=width)
        index = {key: position for position, (key, _) in enumerate(VERTEX_COLUMNS)}
        for row_key, cells in rows:
            row = []
            for key, _, width in columns:
                cell = cells[index[key]]
                if key == "name":
                    cell = cell.copy()
                    cell.truncate(width, overflow="ellipsis")
                row.append(cell)
            table.add_row(*row, key=row_key)
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))

    def action_tab(self, direction: int) -> None:
        tabs = self.query_one(TabbedContent)
        current = TABS.index(tabs.active) if tabs.active in TABS else 0
        tabs.active = TABS[(current + direction) % len(TABS)]


def _mb(value: int | None) -> str:
    return NONE if value is None else f"{value} MB ({value / 1024:.1f} GB)"


def _num(value: int | None) -> str:
    return NONE if value is None else str(value)


def diagnosis_text(diagnosis: Diagnosis, vertex_metrics: str | None) -> Content:
    """The bottleneck in words (vertex names come from the job: they go through the text door)."""
    lines: list[Content] = []
    if not diagnosis.vertices or all(v.in_pool is None and v.out_pool is None for v in diagnosis.vertices):
        lines.append(styled("The service reported no queue usage for these vertices."))
    elif not diagnosis.bottlenecks:
        pressed = [v for v in diagnosis.vertices if v.status == BACKPRESSURED]
        lines.append(styled("[b $warning]Backpressure without a full input:[/] $names (their consumer is outside"
                            " the job, e.g. a slow sink system)",
                            names=", ".join(f"vertex {v.number} `{v.name}`" for v in pressed))
                     if pressed else styled("No backpressure: no vertex has a queue $full full.", full=f"{FULL:.0%}"))
    for neck, held in diagnosis.bottlenecks:
        queues = f"input queue {_pct(neck.in_pool)}, output queue {_pct(neck.out_pool)}"
        if held:
            lines.append(styled("[b $error]Bottleneck:[/] vertex $no `$name` is backpressuring its sources ($held);"
                                " $queues", no=neck.number, name=neck.name, queues=queues,
                                held=", ".join(f"vertex {v.number} `{v.name}`" for v in held)))
        else:
            lines.append(styled("[b $error]Bottleneck:[/] vertex $no `$name` cannot keep up with its input; $queues",
                                no=neck.number, name=neck.name, queues=queues))
        extra = []
        if neck.watermark_ms is not None:
            extra.append(f"watermark {human_duration_ms(neck.watermark_ms)} behind")
        if neck.late_rate:
            extra.append(f"{neck.late_rate:.1f} late records dropped/s")
        if neck.in_tps is not None:
            extra.append(f"in {human_rate(neck.in_tps)}, out {human_rate(neck.out_tps or 0)}")
        if extra:
            lines.append(styled("  $extra", extra=" · ".join(extra)))
    if vertex_metrics == "job-level":
        wm = diagnosis.job_level.get("watermark_ms")
        lines.append(styled("The service answered job-level metrics only (no per-vertex series): watermark $wm",
                            wm=human_duration_ms(wm) if wm is not None else NONE))
    elif vertex_metrics not in (None, "ok"):
        lines.append(styled("[$warning]Per-vertex metrics unavailable:[/] $why", why=vertex_metrics))
    return Content("\n").join(lines)


def _pct(value: float | None) -> str:
    return NONE if value is None else f"{value:.0%}"
