"""Triage board: what is broken now across all projects of the profile, worst first, with a health score.

Rows come from `services.triage` (ranking is pure); one key jumps to a row's exceptions, checkpoints,
metrics or internals. Reloads like the live table: the next one is armed when the last has finished.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.widgets import DataTable, Static

from foas_tui import keys
from foas_tui.error_guard import on, work
from foas_tui.screens.viewer_base import ViewerScreen, same_cell
from foas_tui.screens.viewers import viewer_screen
from foas_tui.services.filter_query import TRIAGE_ALIASES, TRIAGE_FIELDS, FilterError, Query, parse_query
from foas_tui.services.formatting import NONE, format_epoch_ms, human_seconds
from foas_tui.services.selection import Selection
from foas_tui.services.triage import JobHealth, Thresholds, Weights, filter_record
from foas_tui.services.triage_gather import MultiGatherer, TriageReport, TriageScope
from foas_tui.text import NAME_LIMIT, safe_str, safe_text, styled
from foas_tui.widgets.filter_bar import FilterBar, FilterHint
from foas_tui.widgets.key_footer import KeyFooter

COLUMNS: tuple[tuple[str, str], ...] = (
    ("rank", "#"),
    ("health", "Health"),
    ("project", "Project"),
    ("job", "Job"),
    ("reason", "Reason"),
    ("state", "Expected→Actual"),
    ("delay", "Delay"),
)
PROFILE_COLUMN = ("profile", "Profile@region")  # shown when several profiles are merged on the board
LEVEL_STYLES = {"green": "green", "yellow": "yellow", "red": "bold red"}
REASON_WIDTH = 64
#: Narrowest these columns get when the width runs out, shrunk in this order (the detail line below the
#: table has every finding in full, so the reason goes first).
MIN_WIDTHS = {"reason": 12, "profile": 10, "project": 8, "job": 14}


def health_text(row: JobHealth) -> Text:
    return Text(f"{row.score:>3}", style=LEVEL_STYLES[row.level])


def state_cell(row: JobHealth) -> Text:
    s = row.summary
    expect, actual = s.expect_state or NONE, s.actual_state or NONE
    style = "bold red" if actual == "FAILED" else ("yellow" if expect != actual else "")
    return safe_text(f"{expect}→{actual}" if expect != actual else actual, 60, style=style)


def row_key(row: JobHealth) -> str:
    s = row.summary
    return f"{s.profile}:{s.project}/{s.job_name}" if s.profile else f"{s.project}/{s.job_name}"


def row_cells(rank: int, row: JobHealth, with_profile: bool = False) -> dict[str, Any]:
    s = row.summary
    delay = human_seconds(s.input_delay_ms / 1000) if s.input_delay_ms is not None and s.alive else NONE
    reason = safe_str(row.reason, REASON_WIDTH)
    worst = row.worst
    return {
        "rank": Text(str(rank), style="dim"),
        "health": health_text(row),
        # Text cells: a str cell of a DataTable is parsed as markup, and these names come from the service.
        "project": safe_text(s.project, NAME_LIMIT),
        "job": safe_text(s.job_name, NAME_LIMIT, style="bold" if row.findings else ""),
        "state": state_cell(row),
        "delay": delay,
        "reason": safe_text(reason, style=LEVEL_STYLES[row.level] if worst and worst.severity == "P0" else ""),
    } | ({"profile": safe_text(f"{s.profile}@{s.region}", NAME_LIMIT)} if with_profile else {})


def _cell_len(value: Any) -> int:
    return value.cell_len if isinstance(value, Text) else Text(str(value)).cell_len


def column_widths(rows: list[dict[str, Any]], width: int,
                  columns: tuple[tuple[str, str], ...] = COLUMNS) -> dict[str, int]:
    """A width per column so that the table fits `width` cells (each column has 2 cells of padding).

    Explicit widths, not DataTable's auto width: that one is measured after the rows were first drawn,
    and those drawings stayed on screen (the board showed "iot_tel iot 16 fai" at 80 columns).
    """
    widths = {key: max([len(title), *(_cell_len(row[key]) for row in rows)]) for key, title in columns}
    excess = sum(w + 2 for w in widths.values()) - width
    titles = dict(columns)
    for key, narrowest in MIN_WIDTHS.items():
        if excess <= 0:
            break
        if key not in widths:
            continue
        cut = min(excess, widths[key] - max(narrowest, len(titles[key])))
        if cut > 0:
            widths[key] -= cut
            excess -= cut
    return widths


def fitted(cells: dict[str, Any], widths: dict[str, int]) -> dict[str, Any]:
    """The cells cut to their column's width with an ellipsis (a DataTable cuts them without one)."""
    out: dict[str, Any] = {}
    for key, value in cells.items():
        text = value.copy() if isinstance(value, Text) else Text(str(value))
        text.truncate(widths[key], overflow="ellipsis")
        out[key] = text
    return out


def thresholds_line(t: Thresholds) -> str:
    return (f"delay ≥ {human_seconds(t.delay_seconds)} · no checkpoint in {human_seconds(t.checkpoint_stale_seconds)}"
            f" · failovers ≥ {t.restart_count} in {human_seconds(t.restart_window_seconds)}")


class TriageScreen(ViewerScreen):
    """Every online job of every project, ranked by health; jobs with findings first."""

    auto_refresh = True
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("triage_board")  # foas_tui/keys.py defines every key

    def __init__(self, *, projects: list[str] | None = None, show_all: bool = False,
                 scopes: list[TriageScope] | None = None, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)
        self.projects = projects
        self.show_all = show_all
        self.scopes = scopes  # None: the session's profile only
        self.report_data: TriageReport | None = None
        self._gatherer: MultiGatherer | None = None
        self._rows: dict[str, JobHealth] = {}
        self.filter_query: Query | None = None  # the `/` filter (services.filter_query)
        self.filter_text = ""
        self.on_report: list[Any] = []  # callbacks given each new report (the app's critical bell)

    @property
    def multi_profile(self) -> bool:
        return self.scopes is not None and len(self.scopes) > 1

    def columns(self) -> tuple[tuple[str, str], ...]:
        return (*COLUMNS[:2], PROFILE_COLUMN, *COLUMNS[2:]) if self.multi_profile else COLUMNS
        self._widths: dict[str, int] = {}  # the columns' widths now (column_widths)

    @property
    def thresholds(self) -> Thresholds:
        return Thresholds.from_config(getattr(self.config, "triage", None))

    @property
    def weights(self) -> Weights:
        custom = getattr(getattr(self.config, "triage", None), "weights", None)
        return Weights(**custom) if isinstance(custom, dict) else Weights()

    def compose(self) -> ComposeResult:
        yield Static(id="triage-header", classes="viewer-header")
        yield Static(id="triage-message", classes="viewer-message")
        yield DataTable(id="triage-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="triage-detail", classes="triage-detail")
        yield FilterBar(id="triage-filter")
        yield FilterHint(id="triage-filter-hint")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#triage-table", DataTable)
        columns = self.columns()
        self._widths = column_widths([], self._table_width(), columns)
        for key, title in columns:
            table.add_column(title, key=key, width=self._widths[key])
        table.focus()
        self.query_one("#triage-message", Static).display = False
        bar = self.query_one("#triage-filter", FilterBar)
        bar.display = False
        watch = getattr(self.app, "watch_critical", None)
        if callable(watch):  # the app's optional bell hears what the board finds (deeper than the live refresh)
            self.on_report.append(lambda report: watch("board", report.rows))
        bar.placeholder = ("/ filter: text !text /regex/ severity:critical state:failed profile:prod delay>5m "
                           "health<60 (space = and, | = or)")

    def gatherer(self) -> MultiGatherer:
        if self._gatherer is None:
            config = self.config
            concurrency = getattr(getattr(config, "client", None), "max_concurrency", 4) or 4
            scopes = self.scopes
            if not scopes:
                session = getattr(self.app, "session", None)
                scopes = [TriageScope(str(getattr(session, "profile_name", "") or ""),
                                      str(getattr(session, "region_id", "") or ""), self.client)]
            book = getattr(self.app, "health", None)  # the app's one rule for "needs attention" (job_health.py)
            self._gatherer = MultiGatherer(
                scopes, thresholds=self.thresholds, weights=self.weights, concurrency=concurrency,
                projects=self.projects, now=self.now,
                shared_deep=(self.app.session.client, book.deep) if book is not None else None,  # type: ignore[attr-defined]
            )
        return self._gatherer

    # --- loading ---------------------------------------------------------------------------------

    def load(self) -> None:
        if self.report_data is None:
            self._set_header("scanning every project…")
        self._fetch()

    @work(exclusive=True, group="triage", exit_on_error=False)
    async def _fetch(self) -> None:
        try:
            try:
                report = await self.gatherer().gather()
            except Exception as err:  # e.g. ListProject itself failed: keep the last board
                self.report(err, "triage")
                self._message(styled("[b $error]Scan failed:[/] $reason", reason=getattr(err, "message", str(err))))
                return
            self.load_succeeded()
            self.report_data = report
            self._fill(report)
            for callback in self.on_report:
                callback(report)
            if report.errors:
                extra = f" (+{len(report.errors) - 1} more)" if len(report.errors) > 1 else ""
                self._message(styled("[$warning]Partial:[/] $error$extra", error=report.errors[0], extra=extra))
            elif not report.broken:
                self._message("[$success]Nothing needs attention.[/] Every online job is healthy "
                              "(a to list them all).")
            else:
                self._message(None)
            self._set_header()
        finally:
            self.load_finished()

    def _message(self, markup: Content | str | None) -> None:
        message = self.query_one("#triage-message", Static)
        message.display = markup is not None
        if markup is not None:
            message.update(markup)

    def visible_rows(self) -> list[JobHealth]:
        report = self.report_data
        if report is None:
            return []
        rows = list(report.rows) if self.show_all else report.broken
        query = self.filter_query
        return [row for row in rows if query.matches(filter_record(row))] if query is not None else rows

    def _table_width(self) -> int:
        return max(40, (self.size.width or self.app.size.width) - 2)  # a vertical scrollbar may take 1-2

    def on_resize(self) -> None:
        if self.report_data is not None:
            self._fill(self.report_data)

    def _fill(self, report: TriageReport) -> None:
        """Update cells in place and sort by rank, so the cursor stays on its job (dolphie's way).

        When the rows need other column widths (or the terminal was resized) the columns are laid anew.
        """
        table = self.query_one("#triage-table", DataTable)
        rows = self.visible_rows()
        wanted = {row_key(r): (rank, r) for rank, r in enumerate(rows, 1)}
        columns = self.columns()
        all_cells = {key: row_cells(rank, row, self.multi_profile) for key, (rank, row) in wanted.items()}
        widths = column_widths(list(all_cells.values()), self._table_width(), columns)
        cursor = self.current_row()
        cursor_key = row_key(cursor) if cursor is not None else None
        if widths != self._widths:
            self._widths = widths
            table.clear(columns=True)
            for column, title in columns:
                table.add_column(title, key=column, width=widths[column])
        existing = {str(key.value) for key in table.rows}
        for key in existing - set(wanted):
            table.remove_row(key)
        for key in wanted:
            cells = fitted(all_cells[key], widths)
            if key in existing:
                for column, value in cells.items():
                    if not same_cell(table.get_cell(key, column), value):
                        table.update_cell(key, column, value)
            else:
                table.add_row(*(cells[c] for c, _ in columns), key=key)
        self._rows = {key: row for key, (_, row) in wanted.items()}
        if table.row_count:
            table.sort("rank", key=lambda cell: int(cell.plain))
            if cursor_key in wanted and not existing:  # the columns were laid anew: back to the same job
                table.move_cursor(row=table.get_row_index(cursor_key))
        self._show_detail()

    def _set_header(self, status: str | None = None) -> None:
        parts: list[Content | str] = [styled("[b]Triage[/b]")]
        report = self.report_data
        if report is not None:
            broken = len(report.broken)
            style = "b red" if any(r.level == "red" for r in report.broken) else ("b yellow" if broken else "green")
            counts = styled("$projects project(s) · $rows online job(s) · ", projects=report.projects,
                            rows=len(report.rows))
            parts.append(counts + Content(f"{broken} need attention").stylize(style) + styled(
                " · deep-checked $deep · at $at", deep=report.deep_checked,
                at=format_epoch_ms(report.generated_ms, with_date=False)))
        if self.multi_profile and self.scopes:
            parts.append(safe_str("profiles " + ", ".join(f"{sc.profile}@{sc.region}" for sc in self.scopes)))
        if self.projects:
            parts.append(safe_str("projects " + ", ".join(self.projects)))
        if self.filter_query is not None:
            shown = len(self.visible_rows())
            parts.append(safe_str(f"filter /{self.filter_text} ({shown} shown)", 120))
        if status:
            parts.append(status)
        parts.append(safe_str(thresholds_line(self.thresholds)))
        parts.append("showing all" if self.show_all else "showing broken")
        self.query_one("#triage-header", Static).update(Content(" · ").join(parts))

    # --- actions ---------------------------------------------------------------------------------

    def current_row(self) -> JobHealth | None:
        table = self.query_one("#triage-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._rows.get(str(key))

    def row_selection(self, row: JobHealth) -> Selection:
        s = row.summary
        # The instance of the run summary: a failed instance is no longer "the current" (-1) one.
        return Selection(s.project, s.job_name, s.job_type, s.folder_path,
                         s.instance_id if s.instance_id is not None else -1)

    def scope_client(self, row: JobHealth) -> Any:
        """The client of the row's profile when it is not the session's (None: the session's own)."""
        if not self.scopes:
            return None
        session_profile = getattr(getattr(self.app, "session", None), "profile_name", None)
        for scope in self.scopes:
            if scope.profile == row.summary.profile:
                return None if scope.profile == session_profile and scope.client is self.client else scope.client
        return None

    def action_open(self, view: str) -> None:
        row = self.current_row()
        if row is None:
            self.notify("no job selected", severity="warning", timeout=2)
            return
        self.app.push_screen(viewer_screen(view, self.row_selection(row), client=self.scope_client(row)))

    @on(DataTable.RowHighlighted, "#triage-table")
    def _row_highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        """Every finding of the highlighted job in full (the Reason column is cut on narrow terminals)."""
        detail = self.query_one("#triage-detail", Static)
        row = self.current_row()
        if row is None:
            detail.update("")
            return
        s = row.summary
        lines = [styled("[b]$project/$job[/b] · health ", project=s.project, job=s.job_name)
                 + Content(str(row.score)).stylize(LEVEL_STYLES[row.level])
                 + styled(" · instance $instance", instance=s.instance_id if s.instance_id is not None else NONE)]
        for finding in sorted(row.findings, key=lambda f: -f.weight):
            key = {"exceptions": "e", "checkpoints": "c", "metrics": "m"}.get(finding.view, "e")
            lines.append(styled("  $severity −$weight $reason [dim]($key)[/]", severity=finding.severity,
                                weight=finding.weight, reason=finding.reason, key=key))
        if not row.findings:
            lines.append(Content("  healthy"))
        detail.update(Content("\n").join(lines))

    @on(DataTable.RowSelected, "#triage-table")
    def _row_selected(self) -> None:
        """Enter on a row: its exceptions (the usual first look at a broken job)."""
        self.action_open("exceptions")

    def action_goto_job(self) -> None:
        row = self.current_row()
        select = getattr(self.app, "select_job", None)
        if row is not None and self.scope_client(row) is not None:
            self.notify(safe_str(f"{row.summary.job_name} is in profile {row.summary.profile}; the main screen "
                                 f"shows another profile (e c m i open this job's views here)"),
                        severity="warning", timeout=5, markup=False)
            return
        if row is not None and callable(select):
            select(row.summary.project, row.summary.job_name)

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        if self.report_data is not None:
            self._fill(self.report_data)
        self._set_header()

    # --- the `/` filter ----------------------------------------------------------------------------

    def action_filter(self) -> None:
        bar = self.query_one("#triage-filter", FilterBar)
        bar.value = self.filter_text
        bar.display = True
        bar.focus()

    @on(FilterBar.Changed, "#triage-filter")
    def _filter_changed(self, event: FilterBar.Changed) -> None:
        event.stop()
        self.apply_filter(event.value)

    def apply_filter(self, text: str) -> bool:
        """Filter the board; a filter that cannot be read says why under the prompt and the last one stays."""
        bar = self.query_one("#triage-filter", FilterBar)
        try:
            query = parse_query(text, TRIAGE_FIELDS, TRIAGE_ALIASES)
        except FilterError as err:
            bar.set_error(err)
            return False
        bar.set_error(None)
        self.filter_query, self.filter_text = query, (text.strip() if query is not None else "")
        if self.report_data is not None:
            self._fill(self.report_data)
        self._set_header()
        return True

    @on(FilterBar.Done, "#triage-filter")
    def _filter_done(self, event: FilterBar.Done) -> None:
        event.stop()
        bar = event.bar
        if event.cleared:
            self.apply_filter("")
        elif bar.error is not None:
            bar.value = self.filter_text
            bar.set_error(None)
        bar.display = False
        self.query_one("#triage-table", DataTable).focus()

    def action_close(self) -> None:
        """Esc: clear the filter first (as k9s does), then leave the board."""
        if self.filter_query is not None:
            self.apply_filter("")
            return
        super().action_close()

    def on_unmount(self) -> None:
        forget = getattr(self.app, "forget_critical_source", None)
        if callable(forget):
            forget("board")
