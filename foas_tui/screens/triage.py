"""Triage board: what is broken now across all projects of the profile, worst first, with a health score.

Rows come from `services.triage` (ranking is pure); one key jumps to a row's exceptions, checkpoints,
metrics or internals. Reloads like the live table: the next one is armed when the last has finished.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.content import Content
from textual.widgets import DataTable, Footer, Static

from foas_tui import keys
from foas_tui.screens.triage_mixin import ViewerScreen, same_cell, viewer_screen
from foas_tui.services.formatting import NONE, format_epoch_ms, human_seconds
from foas_tui.services.selection import Selection
from foas_tui.services.triage import JobHealth, Thresholds, TriageGatherer, TriageReport, Weights
from foas_tui.text import NAME_LIMIT, safe_str, safe_text, styled

COLUMNS: tuple[tuple[str, str], ...] = (
    ("rank", "#"),
    ("health", "Health"),
    ("project", "Project"),
    ("job", "Job"),
    ("reason", "Reason"),
    ("state", "Expected→Actual"),
    ("delay", "Delay"),
)
LEVEL_STYLES = {"green": "green", "yellow": "yellow", "red": "bold red"}
REASON_WIDTH = 64


def health_text(row: JobHealth) -> Text:
    return Text(f"{row.score:>3}", style=LEVEL_STYLES[row.level])


def state_cell(row: JobHealth) -> Text:
    s = row.summary
    expect, actual = s.expect_state or NONE, s.actual_state or NONE
    style = "bold red" if actual == "FAILED" else ("yellow" if expect != actual else "")
    return safe_text(f"{expect}→{actual}" if expect != actual else actual, 60, style=style)


def row_cells(rank: int, row: JobHealth) -> dict[str, Any]:
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
    }


def thresholds_line(t: Thresholds) -> str:
    return (f"delay ≥ {human_seconds(t.delay_seconds)} · no checkpoint in {human_seconds(t.checkpoint_stale_seconds)}"
            f" · failovers ≥ {t.restart_count} in {human_seconds(t.restart_window_seconds)}")


class TriageScreen(ViewerScreen):
    """Every online job of every project, ranked by health; jobs with findings first."""

    auto_refresh = True
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("triage_board")  # foas_tui/keys.py defines every key

    def __init__(self, *, projects: list[str] | None = None, show_all: bool = False, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)
        self.projects = projects
        self.show_all = show_all
        self.report_data: TriageReport | None = None
        self._gatherer: TriageGatherer | None = None
        self._rows: dict[str, JobHealth] = {}

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
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#triage-table", DataTable)
        for key, title in COLUMNS:
            table.add_column(title, key=key)
        table.focus()
        self.query_one("#triage-message", Static).display = False

    def gatherer(self) -> TriageGatherer:
        if self._gatherer is None:
            config = self.config
            concurrency = getattr(getattr(config, "client", None), "max_concurrency", 4) or 4
            self._gatherer = TriageGatherer(
                self.client, thresholds=self.thresholds, weights=self.weights, concurrency=concurrency,
                projects=self.projects, now=self.now,
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
        return list(report.rows) if self.show_all else report.broken

    def _fill(self, report: TriageReport) -> None:
        """Update cells in place and sort by rank, so the cursor stays on its job (dolphie's way)."""
        table = self.query_one("#triage-table", DataTable)
        rows = self.visible_rows()
        wanted = {f"{r.summary.project}/{r.summary.job_name}": (rank, r) for rank, r in enumerate(rows, 1)}
        existing = {str(key.value) for key in table.rows}
        for key in existing - set(wanted):
            table.remove_row(key)
        for key, (rank, row) in wanted.items():
            cells = row_cells(rank, row)
            if key in existing:
                for column, value in cells.items():
                    if not same_cell(table.get_cell(key, column), value):
                        table.update_cell(key, column, value)
            else:
                table.add_row(*(cells[c] for c, _ in COLUMNS), key=key)
        self._rows = {key: row for key, (_, row) in wanted.items()}
        if table.row_count:
            table.sort("rank", key=lambda cell: int(cell.plain))
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
        if self.projects:
            parts.append(safe_str("projects " + ", ".join(self.projects)))
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

    def action_open(self, view: str) -> None:
        row = self.current_row()
        if row is None:
            self.notify("no job selected", severity="warning", timeout=2)
            return
        self.app.push_screen(viewer_screen(view, self.row_selection(row)))

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
        if row is not None and callable(select):
            select(row.summary.project, row.summary.job_name)

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all
        if self.report_data is not None:
            self._fill(self.report_data)
        self._set_header()
