"""What failed (W, `:failures [HOURS]`): every instance that ended FAILED in the last hours, across every
project, newest first, with its last error (services/recent_failures.py). `1` `2` `3` = 1 h, 6 h, 24 h;
`e` `H` open the exceptions or the history of the highlighted instance's job; `g` goes to the job.
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
from foas_tui.screens.viewer_base import ViewerScreen
from foas_tui.services.formatting import NONE, format_epoch_ms, human_duration_ms
from foas_tui.services.recent_failures import WINDOWS_H, Failure, FailureReport, error_line, recent_failures
from foas_tui.services.selection import Selection
from foas_tui.text import NAME_LIMIT, safe_str, safe_text, styled
from foas_tui.widgets.key_footer import KeyFooter

COLUMNS = (("ended", "Ended (UTC)"), ("project", "Project"), ("job", "Job"), ("type", "Type"),
           ("instance", "Instance"), ("ran", "Ran for"), ("error", "Last error"))
ERROR_WIDTH = 60


def _hours(hours: float) -> str:
    return f"{hours:g} h"


class RecentFailuresScreen(ViewerScreen):
    """Failed instances of every project in a time window; the highlighted one's error below in full."""

    view_name = "what failed"

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("failures")  # foas_tui/keys.py defines every key

    def __init__(self, hours: float = 6.0, *, projects: list[str] | None = None, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)
        self.hours = hours
        self.projects = projects
        self.report_data: FailureReport | None = None
        self.error: str | None = None
        self._rows: dict[str, Failure] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="failures-header", classes="viewer-header")
        yield DataTable(id="failures-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="failures-detail", classes="triage-detail")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#failures-table", DataTable)
        for key, title in COLUMNS:
            table.add_column(title, key=key)
        table.focus()
        super().on_mount()

    # --- loading ---------------------------------------------------------------------------------

    def load(self) -> None:
        self._set_header("loading…")
        self._load()

    @work(exclusive=True, group="failures", exit_on_error=False)
    async def _load(self) -> None:
        try:
            concurrency = getattr(getattr(self.config, "client", None), "max_concurrency", 4) or 4
            try:
                report = await recent_failures(self.client, self.hours, now=self.now, projects=self.projects,
                                               concurrency=concurrency)
            except Exception as err:
                self.report(err, "what failed")
                self.error = f"{getattr(err, 'code', None) or type(err).__name__}: {getattr(err, 'message', err)}"
                self._set_header()
                return
            self.load_succeeded()
            self.report_data, self.error = report, None
            self._fill(report)
        finally:
            self.load_finished()

    def _fill(self, report: FailureReport) -> None:
        table = self.query_one("#failures-table", DataTable)
        table.clear()
        self._rows = {}
        for index, failure in enumerate(report.failures):
            run = failure.run
            key = f"{index}"
            self._rows[key] = failure
            table.add_row(
                Text(format_epoch_ms(run.end_ms, with_date=True) if run.end_ms else NONE),
                safe_text(failure.project, NAME_LIMIT), safe_text(failure.job_name, NAME_LIMIT),
                Text("batch" if failure.job_type == "FLINK_BATCH" else "stream"),
                Text(str(run.id) if run.id is not None else NONE),
                Text(human_duration_ms(run.duration_ms(report.until_ms)) if run.start_ms else NONE),
                safe_text(error_line(failure) or NONE, ERROR_WIDTH, style="red"),
                key=key,
            )
        self._set_header()
        self._show_detail()

    def _set_header(self, status: str | None = None) -> None:
        parts: list[Content | str] = [styled("[b]What failed[/b] in the last $h", h=_hours(self.hours))]
        report = self.report_data
        if self.error is not None:
            parts.append(styled("[b $error]cannot list the projects:[/] $e", e=self.error))
        elif report is not None:
            count = len(report.failures)
            summary = f"{count} failed instance(s) of {report.jobs} job(s) in {report.projects} project(s)"
            parts.append(styled("[b $error]$s[/]" if count else "[$success]$s[/]", s=summary))
            parts.append(styled("since $since", since=format_epoch_ms(report.since_ms, with_date=True)))
            if report.errors:
                parts.append(styled("[$warning]not read: $e[/]", e="; ".join(report.errors), limit=400))
            if report.capped:
                parts.append(styled("[$warning]more than shown in: $c[/]", c=", ".join(report.capped), limit=400))
        if status:
            parts.append(safe_str(status))
        parts.append("1 2 3 = " + ", ".join(_hours(h) for h in WINDOWS_H))
        self.query_one("#failures-header", Static).update(Content(" · ").join(parts))

    # --- the highlighted row ---------------------------------------------------------------------

    def current_failure(self) -> Failure | None:
        table = self.query_one("#failures-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self._rows.get(str(key))

    @on(DataTable.RowHighlighted, "#failures-table")
    def _row_highlighted(self) -> None:
        self._show_detail()

    def _show_detail(self) -> None:
        detail = self.query_one("#failures-detail", Static)
        failure = self.current_failure()
        if failure is None:
            report = self.report_data
            detail.update(styled("Nothing failed in this window.") if report is not None and not report.failures
                          else "")
            return
        run = failure.run
        started = format_epoch_ms(run.start_ms, with_date=True) if run.start_ms else NONE
        head = styled("[b]$p/$j[/b] · instance $i · started $s by $by · $state", p=failure.project,
                      j=failure.job_name, i=run.id if run.id is not None else NONE, s=started, by=run.starter or NONE,
                      state=run.actual or NONE, limit=NAME_LIMIT)
        error = Content(safe_str(run.last_error, 600, multiline=True)) if run.last_error else \
            styled("[dim](no error message recorded)[/dim]")
        detail.update(Content("\n").join([head, error]))

    def selection_of(self, failure: Failure) -> Selection:
        return Selection(failure.project, failure.job_name, failure.job_type, "/",
                         failure.run.id if failure.run.id is not None else -1)

    # --- actions ---------------------------------------------------------------------------------

    def action_window(self, hours: float) -> None:
        if hours != self.hours:
            self.hours = float(hours)
            self.report_data = None
            self.load()

    def action_open(self, view: str) -> None:
        failure = self.current_failure()
        if failure is None:
            self.notify("no failed instance selected", severity="warning", timeout=2)
            return
        from foas_tui.screens.viewers import viewer_screen

        self.app.push_screen(viewer_screen(view, self.selection_of(failure)))

    def action_goto_job(self) -> None:
        failure = self.current_failure()
        select = getattr(self.app, "select_job", None)
        if failure is not None and callable(select):
            select(failure.project, failure.job_name)

