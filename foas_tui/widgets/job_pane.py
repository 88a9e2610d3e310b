"""The job pane: tabs Overview (metadata + current run summary), Code (SQL), Properties, Instances (paged),
Metrics (delay / TPS / failover plots of the current instance over the last 15 minutes)."""

from __future__ import annotations

import asyncio
import functools
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, Group, RenderableType, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import Static, TabbedContent, TabPane

from foas_tui import keys
from foas_tui.api.errors import NotFoundError
from foas_tui.error_guard import Guarded, contained, on, work
from foas_tui.services.refresh import RunRow
from foas_tui.services.session import JobInfo
from foas_tui.text import NAME_LIMIT, one_line, safe_str, safe_text
from foas_tui.widgets.diff_static import DiffStatic
from foas_tui.widgets.state_style import delay_text, duration, state_text, timestamp

if TYPE_CHECKING:
    from textual.widget import AwaitMount
    from textual.widgets import DataTable

INSTANCE_PAGE = 20
# A new job's overview waits this long for its details (GetJob) before it shows placeholders: one repaint
# instead of two per cursor move, and none for the lines the operator only passed over (bytes over SSH).
DETAILS_WAIT_S = 0.3
DETAILS_KEPT = 64  # the details (SQL included) of the jobs last shown: coming back to one paints it at once
METRICS_WINDOW_S = 15 * 60
SYNTAX_THEME = "ansi_dark"  # uses the terminal's own 16 colors: readable everywhere, honours the palette


@functools.cache
def sql_language_available() -> bool:
    """True when the SQL grammar loads (textual[syntax] installs tree-sitter and tree-sitter-sql).

    Loaded through tree-sitter's own public API, as Textual loads it, not through Textual's private
    `_tree_sitter` module; asked once per process."""
    try:
        import tree_sitter
        import tree_sitter_sql

        return tree_sitter.Language(tree_sitter_sql.language()) is not None
    except Exception:  # not installed, or a grammar built for another tree-sitter ABI: plain Rich Syntax instead
        return False


class CodeView(Widget):
    """Read-only SQL: a tree-sitter TextArea when available, else a Rich Syntax (pygments) in a scroller.

    The viewer is built the first time text is shown, so the first frame pays for neither.
    """

    DEFAULT_CSS = "CodeView { height: 1fr; }"

    def __init__(self, language: str = "sql", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.language = language
        self.text = ""
        self._shown: str | None = None
        self._view: Widget | None = None

    def set_text(self, text: str) -> None:
        """Keep the text; it is rendered when the tab is shown (`show`)."""
        self.text = text

    def show(self) -> None:
        if self._shown == self.text and self._view is not None:
            return
        self._shown = self.text
        if self._view is None:
            self._view = self._build(self.text)
            self.mount(self._view)
        elif isinstance(self._view, VerticalScroll):
            self._view.query_one(".code-static", Static).update(self._renderable(self.text))
        else:
            self._view.load_text(safe_str(self.text, multiline=True))  # type: ignore[attr-defined]

    def _build(self, text: str) -> Widget:
        if self.language == "sql" and sql_language_available():
            from textual.widgets import TextArea

            # Read-only, so showing the cleaned text changes no data; the editor (screens/code_editor) keeps
            # the original bytes.
            return TextArea.code_editor(safe_str(text, multiline=True), language="sql", read_only=True,
                                        id="code-text")
        return VerticalScroll(Static(self._renderable(text), classes="code-static", expand=False, shrink=False),
                              classes="code-scroll", can_focus=True)

    def _renderable(self, text: str) -> RenderableType:
        if not text:
            return Text("(empty)", style="dim")
        from rich.syntax import Syntax

        lexer = "sql" if self.language == "sql" else "properties"
        return Syntax(safe_str(text, multiline=True), lexer, theme=SYNTAX_THEME, line_numbers=True, word_wrap=False,
                      background_color="default")


class KeyValues:
    """Rows of `key  value`, the keys in a bold column, values wrapped beside them.

    Unlike a Rich table, no line is padded with spaces up to the widest value: a line repainted alone (see
    DiffStatic) sends its characters only, and the same content always renders as the same segments."""

    def __init__(self, rows: list[tuple[str, RenderableType]]) -> None:
        # A str value may come from the service: it is shown as text, never parsed as markup.
        self.rows = [(key, safe_text(value, multiline=True) if isinstance(value, str) else value)
                     for key, value in rows]

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        key_width = max((cell_len(key) for key, _ in self.rows), default=0) + 1
        value_options = options.update(width=max(1, options.max_width - key_width), height=None)
        bold = Style(bold=True)
        blank = Segment(" " * key_width)
        newline = Segment.line()
        for key, value in self.rows:
            lines = console.render_lines(value, value_options, pad=False) or [[]]
            for index, line in enumerate(lines):
                yield Segment(key.ljust(key_width), bold) if index == 0 else blank
                yield from line
                yield newline


def _delay_cell(run: RunRow) -> Text:
    """Business delay means something only for a running stream job: a failed batch job is not "<1s" behind."""
    if run.job_type.upper() == "FLINK_BATCH":
        return Text("— (batch job)", style="bright_black")
    if run.actual_state.upper() != "RUNNING":
        return Text(f"— ({safe_str(run.actual_state or 'not running', 40).lower()})", style="bright_black")
    return delay_text(run.input_delay)


class NoJob(Static, can_focus=True):
    """What the pane shows before its first job: focusable, so Tab into the pane still lands somewhere."""


class JobTabs(Vertical):
    """The job pane's tabs, made when the pane shows its first job."""

    DEFAULT_CSS = "JobTabs { height: 1fr; }"

    def compose(self) -> ComposeResult:
        # No `initial`: the first tab (Overview) is active. With `initial`, Textual checks on mount that its tab
        # exists, and raises if the app quit while the tabs were mounting (their children already gone).
        with TabbedContent(id="job-tabs"):
            with TabPane("Overview", id="overview"):
                with VerticalScroll(can_focus=True, id="overview-scroll"):
                    yield DiffStatic(id="overview-body")  # the job's overview, painted before the tabs show
            with TabPane("Code", id="code"):
                yield CodeView("sql", id="code-view")
            with TabPane("Properties", id="properties"):
                yield CodeView("properties", id="properties-view")
            yield TabPane("Instances", id="instances")  # its table is made when the tab first shows
            with TabPane("Metrics", id="metrics"):
                yield Static(Text("Select a running job to see its metrics.", style="dim"), id="metrics-message")


class JobPane(Guarded, Vertical):
    """Shows one job; loads GetJob when the cursor settles on it (debounced) and instances on demand."""

    BINDINGS = keys.bindings("pane")  # foas_tui/keys.py defines every key
    TABS = ("overview", "code", "properties", "instances", "metrics")

    def __init__(self, *, clock: Callable[[], float], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        self.job: JobInfo | None = None
        self.detail: Any = None  # the GetJob model
        self.run: RunRow | None = None
        self.deleted = False  # the job shown was deleted: the pane says so instead of its last data
        self.instances: list[Any] = []
        self.instance_total: int | None = None
        self._instances_for: tuple[str, str] | None = None
        self._archived_pages = 0
        self._current_total = 0
        self._metrics_for: tuple[str, str, int | None] | None = None
        self.metric_set: Any = None  # the MetricSet shown in the Metrics tab
        self._overview_stale = False  # the overview changed while the pane was hidden (see _render_overview)
        self._details: OrderedDict[tuple[str, str], Any] = OrderedDict()  # GetJob answers, newest last
        self._details_timer: Timer | None = None
        self._tabs_made = False  # JobTabs mounted or mounting (made with the first job shown)
        self._tabs_ready = False  # ... and mounted: the widgets below it can be queried
        self._focus_when_ready = False  # focus_content was asked while the tabs were mounting

    def compose(self) -> ComposeResult:
        # The job's name on a line of its own, not in the border title: a new border title repaints the whole
        # pane (~6 KB at 200x50 per Down key in the live table), this line only the characters that changed.
        yield DiffStatic(Text("no job selected", style="dim"), id="job-title")
        # The tabs (about twenty widgets) come with the first job shown (`_make_tabs`): until then there is
        # nothing to show in them, and the first frame does not wait for them.
        yield NoJob(Text("Select a job in the tree or the table.", style="dim"), id="job-empty")

    def on_mount(self) -> None:
        self.border_title = "job"

    # --- data in ----------------------------------------------------------------------------------

    def show_job(self, job: JobInfo, run: RunRow | None = None) -> None:
        if self.job is not None and self.job.key == job.key and self.detail is not None and not self.deleted:
            return
        self.deleted = False
        self.job = job
        self.detail = None
        self.run = run
        self.instances = []
        self.instance_total = None
        self._instances_for = None
        if self._details_timer is not None:
            self._details_timer.stop()
            self._details_timer = None
        kept = self._details.get(job.key)
        if kept is not None:
            self._apply_detail(kept)  # shown at once; the GetJob below brings any change since
        elif not self._shown():
            self._render_overview()  # hidden: nothing is painted, the content just follows
        else:
            self._render_title()  # the body follows when the details come, or placeholders after a moment
            self._details_timer = self.set_timer(DETAILS_WAIT_S, self._details_overdue, name="job-details")
        self._load_job(job)
        if self.active_tab == "metrics":
            self.load_metrics()
        self._make_tabs()

    def _make_tabs(self) -> None:
        """Mount the tabs, once, out of sight; `_tabs_mounted` paints what is known by then into them and shows
        them in place of the placeholder: the pane is repainted once, not once per step."""
        if self._tabs_made:
            return
        self._tabs_made = True
        tabs = JobTabs()
        tabs.display = False
        self.call_later(self._tabs_mounted, tabs, self.mount(tabs))

    @contained
    async def _tabs_mounted(self, tabs: JobTabs, mounting: AwaitMount) -> None:
        await mounting
        if not self.query("#overview-body"):
            return  # the app quits: the tabs were taken down while they mounted
        self._tabs_ready = True
        if self.detail is not None:
            self._set_code(self.detail)
        self._render_overview()
        placeholder = self.query_one("#job-empty", NoJob)
        tabs.display = True
        if placeholder.has_focus or self._focus_when_ready:
            self._focus_when_ready = False
            self.focus_content()  # the placeholder had the focus, or Enter on a job asked for it
        placeholder.display = False

    def mark_deleted(self) -> None:
        """The job no longer exists: say so, and drop what was shown of it (code, instances, metrics)."""
        job = self.job
        if job is None:
            return
        self.deleted = True
        self._details.pop(job.key, None)
        self.detail, self.run, self.instances, self.instance_total = None, None, [], None
        if self._tabs_ready:
            for view_id in ("#code-view", "#properties-view"):
                self.query_one(view_id, CodeView).set_text("")
        self._render_overview()

    def update_run(self, row: RunRow | None) -> None:
        if self.deleted:
            return  # a deleted job has no run summary; keep saying it was deleted
        if row == self.run:
            return
        self.run = row
        self._render_overview()
        if self.active_tab == "metrics" and self._metrics_key() != self._metrics_for:
            self.load_metrics()  # the job started, stopped or moved to a new instance

    @work(exclusive=True, group="job-pane", exit_on_error=False)
    async def _load_job(self, job: JobInfo) -> None:
        await asyncio.sleep(0.08)  # debounce: holding j/k over the tree must not fire a GetJob per line
        try:
            response = await self.app.session.client.get_job(job.project, job.job_name)  # type: ignore[attr-defined]
        except Exception as err:
            if isinstance(err, NotFoundError) and self.job is not None and self.job.key == job.key:
                self.mark_deleted()  # deleted elsewhere (console, another operator): not an error to report
                return
            self.app.report_error(err, f"GetJob {job.job_name}")  # type: ignore[attr-defined]
            return
        if self.job is None or self.job.key != job.key or self.deleted:
            return
        self._details[job.key] = response.job
        self._details.move_to_end(job.key)
        while len(self._details) > DETAILS_KEPT:
            self._details.popitem(last=False)
        self._apply_detail(response.job)
        if self.active_tab == "instances":
            self.load_instances(reset=True)

    def _apply_detail(self, detail: Any) -> None:
        if self._details_timer is not None:
            self._details_timer.stop()
            self._details_timer = None
        self.detail = detail
        self._render_overview()
        if self._tabs_ready:
            self._set_code(detail)

    def _set_code(self, detail: Any) -> None:
        self.query_one("#code-view", CodeView).set_text(getattr(detail, "code", None) or "")
        self.query_one("#properties-view", CodeView).set_text(getattr(detail, "properties", None) or "")
        self._show_code(self.active_tab)

    def _show_code(self, tab: str) -> None:
        if tab in ("code", "properties"):
            self.query_one(f"#{tab}-view", CodeView).show()

    # --- overview ---------------------------------------------------------------------------------

    def _shown(self) -> bool:
        """Whether the pane takes part in the layout (the short layout hides it until it is zoomed or focused)."""
        node: Any = self
        while isinstance(node, Widget):
            if not node.display:
                return False
            node = node.parent
        return True

    def on_show(self) -> None:
        if self._overview_stale:
            self._render_overview()  # what changed while the pane was hidden

    def _title(self, job: JobInfo) -> Text:
        title = Text.assemble((safe_str(job.project, NAME_LIMIT), "bold"), " / ",
                              (safe_str(job.job_name, NAME_LIMIT), "bold"))
        if self.deleted:
            title.append(" (deleted)", style="bold red")
        title.no_wrap, title.overflow = True, "ellipsis"  # one line, whatever the names
        return title

    @contained
    def _details_overdue(self) -> None:
        self._details_timer = None
        self._render_overview()  # GetJob is slow: show what is known, with placeholders for the rest

    def _render_title(self) -> None:
        if self.job is not None:
            self.query_one("#job-title", DiffStatic).update(self._title(self.job), layout=self._shown())

    def _render_overview(self) -> None:
        job = self.job
        if job is None:
            return
        # Updating a hidden widget with a layout pass repaints the visible live table whole (one Down key at
        # 80x24 cost 7 KB instead of two rows): while hidden, update the content only, lay out when shown.
        shown = self._shown()
        self._overview_stale = not shown
        self._render_title()
        if not self._tabs_ready:
            return  # painted when the tabs are mounted
        body = self.query_one("#overview-body", DiffStatic)
        if self.deleted:
            body.update(layout=shown, content=Text.assemble(
                (f"{safe_str(job.job_name, NAME_LIMIT)} was deleted", "bold red"),
                f" from {safe_str(job.project, NAME_LIMIT)}: it no longer exists on the service.\n",
                ("Pick another job in the tree or the table.", "dim")))
            return
        body.update(Group(KeyValues(self._meta_rows(job)), Text(""), Text("Current instance", style="bold underline"),
                          KeyValues(self._run_rows())), layout=shown)

    def _meta_rows(self, job: JobInfo) -> list[tuple[str, RenderableType]]:
        """Every row is there while GetJob loads ("…"), so the pane keeps its shape: when the details arrive,
        or the cursor moves to another job, only the changed characters are repainted."""
        d = self.detail
        pending = Text("…" if d is None else "—", style="dim")

        def field(name: str) -> Any:
            return getattr(d, name, None) if d is not None else None

        online = field("is_committed")
        return [
            ("Job", safe_text(job.job_name, style="bold")),
            ("Project", job.project),
            ("Folder", job.folder_path),
            ("Type", f"{job.job_type} {field('api_type') or job.api_type or ''}".strip()),
            ("Engine", field("engine_version") or pending),
            ("Cluster/queue", f"{field('cluster_id') or '—'} / {field('queue_name') or '—'}" if d is not None
             else pending),
            ("Online", "yes (committed)" if online else "no" if online is False else pending),
            ("Packages", field("packages") or pending),
            ("Created", f"{timestamp(field('create_time'))} by {field('creator') or '—'}" if d is not None
             else pending),
            ("Modified", f"{timestamp(field('modify_time'))} by {field('modifier') or '—'}" if d is not None
             else pending),
            ("Description", field("description") or pending),
        ]

    def _run_rows(self) -> list[tuple[str, RenderableType]]:
        """The current instance, always the same rows (a dash where there is nothing)."""
        run = self.run
        none = Text("—", style="dim")
        if run is None or (not run.actual_state and not run.instance_id):
            what = "no run summary yet" if run is None else "no instance (never started, or offline)"
            return [("State", Text(what, style="dim")), ("Instance", none), ("Started", none), ("Uptime", none),
                    ("Delay", none), ("Engine handle", none)]
        now = self.clock()
        uptime = duration(now - run.start_time / 1000) if run.start_time and run.actual_state == "RUNNING" else "—"
        rows: list[tuple[str, RenderableType]] = [
            ("State", Text.assemble(state_text(run.actual_state), " (expected ", state_text(run.expect_state), ")")),
            ("Instance", str(run.instance_id or "—")),
            ("Started", f"{timestamp(run.start_time)} UTC" if run.start_time else "—"),
            ("Uptime", uptime),
            ("Delay", _delay_cell(run)),
            ("Engine handle", run.engine_job_handler or "—"),
        ]
        if run.last_error_message:
            rows.append(("Last error", safe_text(f"{timestamp(run.last_error_time)}\n{run.last_error_message}",
                                                  style="red", multiline=True)))
        return rows

    # --- instances --------------------------------------------------------------------------------

    @property
    def active_tab(self) -> str:
        """The active tab's id; "" before the tabs are mounted."""
        return self.query_one("#job-tabs", TabbedContent).active if self._tabs_ready else ""

    @on(TabbedContent.TabActivated)
    def _tab_activated(self, event: TabbedContent.TabActivated) -> None:
        self._show_code(event.pane.id or "")
        if event.pane.id == "instances" and self.job is not None and self._instances_for != self.job.key:
            self.load_instances(reset=True)
        if event.pane.id == "metrics" and self._metrics_key() != self._metrics_for:
            self.load_metrics()

    # --- metrics ----------------------------------------------------------------------------------

    def _metrics_key(self) -> tuple[str, str, int | None] | None:
        if self.job is None:
            return None
        running = self.run is not None and self.run.actual_state == "RUNNING"
        return (*self.job.key, self.run.instance_id if running and self.run is not None else None)

    def _metrics_message(self, text: RenderableType | None) -> None:
        message = self.query_one("#metrics-message", Static)
        message.display = text is not None
        if text is not None:
            message.update(text)

    def _metrics_panel(self) -> Widget:
        """The plot grid, mounted the first time the tab shows a running job (plotext loads only then)."""
        from foas_tui.screens.metrics import MetricsPanel

        found = self.query(MetricsPanel)
        if found:
            return found.first()
        threshold = getattr(getattr(getattr(self.app, "session", None), "config", None), "triage", None)
        panel = MetricsPanel(delay_threshold_s=getattr(threshold, "delay_seconds", None), id="job-metrics")
        self.query_one("#metrics", TabPane).mount(panel)
        return panel

    def load_metrics(self) -> None:
        """Load the current instance's metrics into the Metrics tab, or say why there are none."""
        job, run = self.job, self.run
        self._metrics_for = self._metrics_key()
        if job is None:
            return
        running = run is not None and run.actual_state == "RUNNING"
        if job.job_type == "FLINK_BATCH" or not running:
            if run is None:
                state = "no run summary yet"
            else:
                state = run.actual_state or "no instance"
            what = "a batch job" if job.job_type == "FLINK_BATCH" else "not running"
            self.metric_set = None
            self._metrics_message(Text.assemble(
                (f"{safe_str(job.job_name, NAME_LIMIT)} is {what}", "bold"), f" ({safe_str(state, 40)}).\n",
                "Metrics exist only for the current instance of a running stream job."))
            for panel in self.query("#job-metrics"):
                panel.display = False
            return
        panel = self._metrics_panel()
        panel.display = True
        self._metrics_message(Text(f"loading metrics of the last {METRICS_WINDOW_S // 60} minutes…", style="dim"))
        self._load_metrics(job, run.instance_id if run is not None and run.instance_id else -1)

    @work(exclusive=True, group="job-metrics", exit_on_error=False)
    async def _load_metrics(self, job: JobInfo, instance_id: int) -> None:
        from foas_tui.services.metrics import fetch_metrics

        try:
            result = await fetch_metrics(self.app.session.client, job.project, job.job_name,  # type: ignore[attr-defined]
                                         window_s=METRICS_WINDOW_S, instance_id=instance_id, now=self.clock)
        except Exception as err:
            if self.job is not None and self.job.key == job.key:
                code = getattr(err, "code", type(err).__name__)
                self._metrics_message(safe_text(f"Cannot read the metrics: {code}: {getattr(err, 'message', err)}",
                                                style="red", multiline=True))
                self._metrics_for = None  # showing the tab again retries
            self.app.report_error(err, f"metrics of {job.job_name}")  # type: ignore[attr-defined]
            return
        if self.job is None or self.job.key != job.key:
            return  # the operator moved on; that job's load is on its way
        self.metric_set = result
        self._metrics_panel().show(result)  # type: ignore[attr-defined]
        missing = result.missing
        if len(missing) == len(result.series):
            self._metrics_message(Text("No metric points in the last 15 minutes.", style="dim"))
        elif missing:
            names = ", ".join(result.series[key].spec.label for key in missing)
            self._metrics_message(Text(f"No points for: {names}.", style="dim"))
        else:
            self._metrics_message(None)

    def _instances_table(self) -> DataTable:
        """The Instances tab's table, made the first time it is needed: the first frame (the Overview tab)
        pays neither for DataTable nor for its styles."""
        from textual.widgets import DataTable

        found = self.query("#instances-table")
        if found:
            return found.first(DataTable)
        table: DataTable = DataTable(id="instances-table", cursor_type="row")
        for key, label, width in (("id", "INSTANCE", 9), ("actual", "ACTUAL", 10), ("expect", "EXPECTED", 10),
                                  ("start", "STARTED (UTC)", 19), ("end", "ENDED (UTC)", 19),
                                  ("starter", "STARTER", 12), ("error", "LAST ERROR", 40)):
            table.add_column(Text(label), key=key, width=width)  # Text: a label is never parsed as markup
        self.query_one("#instances", TabPane).mount(table)
        return table

    def load_instances(self, reset: bool = False) -> None:
        """The current instance(s) and the archived history, 20 at a time (`+` loads the next page)."""
        if self.job is None:
            return
        if reset:
            self.instances = []
            self.instance_total = None
            self._archived_pages = 0
            self._instances_table().clear()
        self._instances_for = self.job.key
        self._load_instances(self.job, self._archived_pages + 1)

    @work(exclusive=True, group="job-instances", exit_on_error=False)
    async def _load_instances(self, job: JobInfo, archived_page: int) -> None:
        table = self._instances_table()
        table.border_subtitle = "loading…"
        client = self.app.session.client  # type: ignore[attr-defined]

        def page(archived: bool, index: int) -> Any:
            return client.list_instance(job.project, job.job_type, job_name=job.job_name, is_archived=archived,
                                        page_index=index, page_size=INSTANCE_PAGE)

        try:
            # ListInstance lists either the current instances or the archived ones: history needs both.
            if archived_page == 1:
                current, archived = await asyncio.gather(page(False, 1), page(True, 1))
                pages = [current, archived]
                self._current_total = current.total_count or len(current.items)
            else:
                pages = [await page(True, archived_page)]
        except Exception as err:
            table.border_subtitle = "failed — + to retry"
            self.app.report_error(err, f"ListInstance {job.job_name}")  # type: ignore[attr-defined]
            return
        if self.job is None or self.job.key != job.key:
            return
        self._archived_pages = archived_page
        known = {getattr(i, "id", None) for i in self.instances}
        for response in pages:
            for inst in response.items:
                if inst.id in known:
                    continue
                known.add(inst.id)
                self.instances.append(inst)
                error = one_line(inst.last_error_message, 200)
                table.add_row(
                    str(inst.id), state_text(inst.actual_state), state_text(inst.expect_state),
                    timestamp(inst.start_time), timestamp(inst.end_time), safe_text(inst.starter or "—", NAME_LIMIT),
                    Text(error, style="red" if error else ""), key=str(inst.id),
                )
        archived_total = pages[-1].total_count
        self.instance_total = None if archived_total is None else self._current_total + archived_total
        total = self.instance_total if self.instance_total is not None else "?"
        more = " — + for more" if self.instance_total is None or len(self.instances) < self.instance_total else ""
        table.border_subtitle = safe_text(f"{len(self.instances)} of {total}{more}")

    # --- actions ----------------------------------------------------------------------------------

    def action_next_tab(self) -> None:
        self._step_tab(1)

    def action_previous_tab(self) -> None:
        self._step_tab(-1)

    def _step_tab(self, step: int) -> None:
        if not self._tabs_ready:
            return  # no job shown yet: no tabs to step through
        tabs = self.query_one("#job-tabs", TabbedContent)
        index = self.TABS.index(tabs.active) if tabs.active in self.TABS else 0
        tabs.active = self.TABS[(index + step) % len(self.TABS)]
        if self.has_focus_within:
            self.call_after_refresh(self.focus_content)  # keep the keyboard in the pane just shown

    def action_more_instances(self) -> None:
        if not self._tabs_ready:
            return
        if self.active_tab != "instances":
            self.query_one("#job-tabs", TabbedContent).active = "instances"
            self.call_after_refresh(self.focus_content)
            return
        if self.instance_total is not None and len(self.instances) >= self.instance_total:
            self.notify("all instances are loaded", timeout=2)
            return
        self.load_instances()

    def focus_content(self) -> None:
        """Put the focus inside the active tab (Enter drills down here)."""
        if not self._tabs_ready:
            if self._tabs_made:
                self._focus_when_ready = True  # mounting: a few milliseconds
            else:
                self.query_one("#job-empty", NoJob).focus()
            return
        pane = self.query_one("#job-tabs", TabbedContent).active_pane
        if pane is None:
            return
        for widget in pane.query("*"):
            if widget.focusable:
                widget.focus()
                return
        self.query_one("#job-tabs", TabbedContent).query_one("Tabs").focus()  # the viewer is still mounting
