"""The live instance-state table: one row per job in scope, updated in place (changed cells only).

Rows are keyed `project/job`; cursor and scroll survive refreshes, filters and re-sorts. The TREND column
shows a sparkline of each running job's recent delay (`set_trends`, fed by the main screen). Built on
`LineTable` (Line API): a refresh that changes nothing renders and repaints nothing, a changed cell
repaints only itself.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text

from foas_tui import keys
from foas_tui.services.formatting import sparkline
from foas_tui.services.job_health import HealthBook
from foas_tui.services.refresh import JobKey, RunRow
from foas_tui.services.session import JobInfo
from foas_tui.text import NAME_LIMIT, one_line, safe_str, safe_text
from foas_tui.widgets import job_messages
from foas_tui.widgets.line_table import LineTable, RowDoesNotExist
from foas_tui.widgets.state_style import delay_text, duration, state_text, timestamp

if TYPE_CHECKING:  # the filter language is loaded with the first filter, not at startup
    from foas_tui.services.filter_query import Query

TREND_WIDTH = 10  # cells of the delay sparkline


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    width: int | None
    sort: Callable[[JobInfo, RunRow | None, float], Any]


def _started(row: RunRow | None) -> int:
    return row.start_time or 0 if row else 0


COLUMNS: tuple[Column, ...] = (
    Column("mark", " ", 1, lambda j, r, now: 0),
    Column("job", "JOB", 28, lambda j, r, now: j.job_name.lower()),
    Column("actual", "ACTUAL", 10, lambda j, r, now: (r.actual_state if r else "")),
    Column("expect", "EXPECTED", 10, lambda j, r, now: (r.expect_state if r else "")),
    Column("delay", "DELAY", 7, lambda j, r, now: (r.input_delay if r and r.input_delay is not None else -1)),
    Column("trend", "TREND", TREND_WIDTH, lambda j, r, now: 0),
    Column("uptime", "UPTIME", 8, lambda j, r, now: -_started(r) if _started(r) else 1),
    Column("type", "TYPE", 6, lambda j, r, now: j.job_type),
    Column("instance", "INSTANCE", 9, lambda j, r, now: (r.instance_id or 0) if r else 0),
    Column("started", "STARTED (UTC)", 19, lambda j, r, now: _started(r)),
    Column("error", "LAST ERROR", 36, lambda j, r, now: (r.last_error_message if r else "")),
    Column("engine", "ENGINE HANDLE", 30, lambda j, r, now: (r.engine_job_handler if r else "")),
)
SORTABLE = [c for c in COLUMNS if c.key not in ("mark", "trend")]
TREND_INDEX = [c.key for c in COLUMNS].index("trend")


def _uptime(row: RunRow | None, now: float) -> str:
    if row is None or not row.start_time or row.actual_state != "RUNNING":
        return "—"
    return duration(now - row.start_time / 1000)


@functools.lru_cache(maxsize=2048)
def _shared_text(plain: str, style: str = "") -> Text:
    return Text(plain, style=style)


def _shared(text: Text) -> Text:
    """The one Text of this look, for cells that repeat from row to row (a state, a delay band, "—", "stream"):
    10,000 rows hold a few hundred of them instead of one each (memory). Safe because no cell is changed in
    place: LineTable renders a copy of each (test_instance_table_cells.py checks)."""
    if text.spans or len(text) > 16 or text.justify or text.overflow or text.no_wrap is not None or text.end != "\n":
        return text
    return _shared_text(text.plain, str(text.style))


def _same_cell(old: Any, new: Any) -> bool:
    """Equal for display: rich `Text ==` ignores the base style, so a name turning red would not be redrawn."""
    if isinstance(old, Text) and isinstance(new, Text):
        return old.plain == new.plain and str(old.style) == str(new.style) and old.spans == new.spans
    return bool(old == new)


def row_key(key: JobKey) -> str:
    return f"{key[0]}/{key[1]}"


class InstanceTable(LineTable):
    """Jobs of the selected project or folder with their live run summaries."""

    # No horizontal scrollbar (h/l scroll, the columns are fixed): one more row at 80x24, and Textual repaints
    # a ScrollView's scrollbars on every layout of the screen (the job pane following the cursor is one),
    # which cost ~10 KB per cursor move over SSH.
    DEFAULT_CSS = "InstanceTable { scrollbar-size-horizontal: 0; }"

    BINDINGS = keys.bindings("table")  # foas_tui/keys.py defines every key

    class JobHighlighted(job_messages.JobHighlighted):
        pass

    class JobChosen(job_messages.JobChosen):
        pass

    def __init__(self, *, clock: Callable[[], float], delay_warn_seconds: float = 180.0,
                 attention: Callable[[RunRow | None], bool] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        # Whether a job's name is red: the app's HealthBook, the rule the status bar and triage board use.
        self.attention = attention or HealthBook(clock=clock).needs_attention
        self.delay_warn_seconds = delay_warn_seconds
        self.jobs: dict[JobKey, JobInfo] = {}
        self.rows_data: dict[JobKey, RunRow] = {}
        self.marked: set[JobKey] = set()
        self.matcher: Query | None = None  # the `/` filter (services.filter_query)
        self.filter_text = ""
        self.sort_index = 0  # into SORTABLE
        self.sort_reverse = False
        self.scope_label = ""
        self._shown: dict[JobKey, tuple[Any, ...]] = {}
        self._wanted_cursor: JobKey | None = None  # a jump to a row that has not arrived yet
        self._signatures: dict[JobKey, tuple[Any, ...]] = {}
        self.trends: dict[JobKey, list[float]] = {}
        self._title: tuple[Any, ...] | None = None

    def on_mount(self) -> None:
        for column in COLUMNS:
            self.add_column(column.label, width=column.width, key=column.key)
        self._update_title()

    # --- data in ----------------------------------------------------------------------------------

    def set_scope(self, label: str, jobs: Iterable[JobInfo]) -> None:
        """Show these jobs (a project's or a folder's); keeps rows that stay, so the cursor stays too."""
        self.scope_label = label
        self.jobs = {job.key: job for job in jobs}
        self.marked &= self.jobs.keys()
        self.sync()

    def apply(self, rows: dict[JobKey, RunRow]) -> None:
        self.rows_data = rows
        self.sync()

    def set_trends(self, trends: dict[JobKey, list[float]]) -> None:
        """New delay trends (seconds, oldest first) by job; only the TREND cells of changed rows are redrawn.

        Jobs missing from `trends` keep what they show: a failed or skipped fetch leaves the column as it is.
        """
        for key, values in trends.items():
            if self.trends.get(key) == values:
                continue
            self.trends[key] = list(values)
            old = self._shown.get(key)
            if old is None:
                continue  # not shown now; `_cells` picks the trend up when the row appears
            cell = self._trend_cell(key)
            if old[TREND_INDEX] != cell:
                self.update_cell(row_key(key), "trend", cell)
                self._shown[key] = (*old[:TREND_INDEX], cell, *old[TREND_INDEX + 1:])

    def running_stream_jobs(self) -> list[JobInfo]:
        """The shown jobs whose latest run is a RUNNING stream job (the ones with a delay trend)."""
        out = []
        for key in self._shown:
            row = self.rows_data.get(key)
            job = self.jobs.get(key)
            if job is not None and row is not None and row.actual_state == "RUNNING" \
                    and row.job_type != "FLINK_BATCH" and job.job_type != "FLINK_BATCH":
                out.append(job)
        return out

    def viewport_keys(self) -> set[JobKey]:
        """The jobs whose rows are on screen now (what the operator is looking at)."""
        on_screen = set(self.keys_on_screen())
        return {key for key in self._shown if row_key(key) in on_screen}

    def set_filter(self, text: str, matcher: Query | None) -> None:
        self.filter_text = text if matcher else ""
        self.matcher = matcher
        self.sync()

    # --- rendering --------------------------------------------------------------------------------

    def _trend_cell(self, key: JobKey) -> Text:
        row = self.rows_data.get(key)
        values = self.trends.get(key) if row is not None and row.actual_state == "RUNNING" else None
        if not values:
            return _shared_text("")
        # Bars are relative to the delay alert threshold: full height means "at the threshold or above".
        bars = sparkline(values, TREND_WIDTH, ceiling=self.delay_warn_seconds)
        return Text(bars, style="red" if max(values) >= self.delay_warn_seconds else "cyan")

    def _cells(self, job: JobInfo, row: RunRow | None, now: float) -> tuple[Any, ...]:
        mark = _shared_text("✓", "bold") if job.key in self.marked else _shared_text(" ")
        trend = self._trend_cell(job.key)
        dash, blank = _shared_text("—"), _shared_text("")
        if row is None:
            loading = _shared_text("…", "bright_black")
            kind = _shared_text("stream" if job.job_type != "FLINK_BATCH" else "batch")
            return (mark, safe_text(job.job_name, NAME_LIMIT), loading, loading, dash, trend, dash, kind, dash, dash,
                    blank, blank)
        alert = self.attention(row)
        uptime = _uptime(row, now)
        error = one_line(row.last_error_message, 200)
        return (
            mark,
            safe_text(job.job_name, NAME_LIMIT, style="bold red" if alert else ""),
            _shared(state_text(row.actual_state)),
            _shared(state_text(row.expect_state)),
            _shared(delay_text(row.input_delay if row.actual_state == "RUNNING" else None, self.delay_warn_seconds)),
            trend,
            _shared_text(uptime) if uptime == "—" else Text(uptime),
            _shared_text("stream" if row.job_type != "FLINK_BATCH" else "batch"),
            Text(str(row.instance_id)) if row.instance_id else dash,
            Text(timestamp(row.start_time)) if row.start_time else dash,
            Text(error, style="red") if error else blank,
            (safe_text(row.engine_job_handler, NAME_LIMIT, style="bright_black") if row.engine_job_handler
             else _shared_text("", "bright_black")),
        )

    def visible_keys(self) -> list[JobKey]:
        matcher = self.matcher
        if matcher is None:
            return list(self.jobs)
        now = self.clock()
        return [key for key, job in self.jobs.items() if matcher.matches(self.filter_record(job, now))]

    def filter_record(self, job: JobInfo, now: float) -> dict[str, Any]:
        """What the `/` filter sees of a job (services.filter_query.job_record)."""
        from foas_tui.services.filter_query import job_record

        return job_record(job.project, job.job_name, job, self.rows_data.get(job.key), now)

    def sync(self) -> None:
        """Bring the table to the data: remove/add rows by key, update changed cells, re-sort if needed."""
        if not self.columns:
            return
        now = self.clock()
        cursor_key = self.cursor_job_key()
        scroll_y = self.scroll_y
        visible = self.visible_keys()
        wanted = set(visible)
        reorder = False
        gone = [k for k in self._shown if k not in wanted]
        self.remove_rows(row_key(k) for k in gone)
        for key in gone:
            del self._shown[key]
            self._signatures.pop(key, None)
        sort_column = SORTABLE[self.sort_index].key
        sort_position = [c.key for c in COLUMNS].index(sort_column)
        for key in visible:
            row = self.rows_data.get(key)
            signature = (row, key in self.marked, _uptime(row, now), self.attention(row))
            if self._signatures.get(key) == signature and key in self._shown:
                continue  # nothing this row shows has changed: no new cells, no comparison
            self._signatures[key] = signature
            cells = self._cells(self.jobs[key], row, now)
            old = self._shown.get(key)
            if old is None:
                self.add_row(*cells, key=row_key(key))
                reorder = True
            else:
                for index, (before, after) in enumerate(zip(old, cells, strict=True)):
                    if not _same_cell(before, after):
                        self.update_cell(row_key(key), COLUMNS[index].key, after)
                        reorder = reorder or index == sort_position
            self._shown[key] = cells
        if reorder:
            self._sort(now)
        if self._wanted_cursor in self._shown:  # a jump made before these rows loaded wins over row 0
            self.move_to_job(self._wanted_cursor)
        elif reorder or gone:
            self._restore_cursor(cursor_key, scroll_y)
        self.post_highlight()
        self._update_title()

    def _sort(self, now: float) -> None:
        column = SORTABLE[self.sort_index]
        jobs, rows = self.jobs, self.rows_data

        def sort_key(key: str) -> Any:
            project, _, name = key.partition("/")
            job = jobs.get((project, name))
            if job is None:  # never compared with a sort value (their types differ per column)
                return (1, key)
            return (0, column.sort(job, rows.get(job.key), now), job.job_name.lower())

        self.sort(sort_key, reverse=self.sort_reverse)

    def _restore_cursor(self, cursor_key: JobKey | None, scroll_y: float) -> None:
        """After rows came, went or moved: the cursor stays on its job and the view where it was."""
        if cursor_key is None or cursor_key not in self._shown:
            return
        try:
            index = self.get_row_index(row_key(cursor_key))
        except RowDoesNotExist:
            return
        if index != self.cursor_row:
            self.move_cursor(row=index, scroll=False)
        if self.scroll_offset.y != int(scroll_y):
            self.scroll_to(y=scroll_y, animate=False, immediate=True)
        self.scroll_to_row(index)

    def _update_title(self) -> None:
        column = SORTABLE[self.sort_index]
        arrow = "↓" if self.sort_reverse else "↑"
        shown, total = len(self._shown), len(self.jobs)
        count = f"{shown}/{total}" if self.matcher else f"{total}"
        filt = f" │ /{self.filter_text}" if self.filter_text else ""
        marked = f" │ {len(self.marked)} marked" if self.marked else ""
        # A Text, not a str: Textual parses a str title as markup, and the scope and filter come from outside.
        scope = safe_str(self.scope_label, NAME_LIMIT) or "jobs"
        title = (f"{scope} [{count}]{safe_str(filt)}{marked}", f"sort {column.label.split()[0].lower()}{arrow}")
        if title == self._title:
            return  # setting a border title repaints the whole widget, even to the same text
        self._title = title
        self.border_title = Text(title[0])
        self.border_subtitle = safe_text(title[1])

    # --- queries ----------------------------------------------------------------------------------

    def cursor_job_key(self) -> JobKey | None:
        key = self.cursor_row_key()
        if key is None:
            return None
        project, _, job = key.partition("/")
        return (project, job)

    def cursor_job(self) -> JobInfo | None:
        key = self.cursor_job_key()
        return self.jobs.get(key) if key else None

    def marked_jobs(self) -> list[JobInfo]:
        return [self.jobs[k] for k in self.jobs if k in self.marked]

    def move_to_job(self, key: JobKey) -> bool:
        """Put the cursor on a job's row; a job not shown yet gets the cursor when its row arrives."""
        if key not in self._shown:
            self._wanted_cursor = key
            return False
        self._wanted_cursor = None
        self.move_cursor(row=self.get_row_index(row_key(key)), scroll=True)
        return True

    # --- events and actions -----------------------------------------------------------------------

    def on_line_table_row_highlighted(self, event: LineTable.RowHighlighted) -> None:
        event.stop()
        if self.has_focus:
            self._wanted_cursor = None  # the operator moved: an older jump no longer applies
        job = self.cursor_job()
        if job is not None:
            self.post_message(self.JobHighlighted(job))

    def on_line_table_row_selected(self, event: LineTable.RowSelected) -> None:
        event.stop()
        job = self.cursor_job()
        if job is not None:
            self.post_message(self.JobChosen(job))

    def action_cycle_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTABLE)
        self._resort()

    def action_reverse_sort(self) -> None:
        self.sort_reverse = not self.sort_reverse
        self._resort()

    def _resort(self) -> None:
        cursor_key = self.cursor_job_key()
        self._sort(self.clock())
        if cursor_key is not None:
            self.move_to_job(cursor_key)
        self._update_title()

    def action_toggle_mark(self) -> None:
        key = self.cursor_job_key()
        if key is None:
            return
        self.marked ^= {key}
        self.sync()
        if self.cursor_row < self.row_count - 1:
            self.action_cursor_down()  # like a file manager: mark and move on

    def action_mark_all(self) -> None:
        visible = set(self._shown)
        self.marked = set() if visible <= self.marked else set(visible)
        self.sync()
