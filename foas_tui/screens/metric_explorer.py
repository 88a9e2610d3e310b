"""Metric explorer (V): every metric of the seed's GetInstanceMetric table by display name, grouped; pick several
(space) to plot them on one chart over 15 min, 1 h or 2 h (the service keeps two hours) with their values in
human units. One GetInstanceMetric call per load. `a` switches to one metric (the first picked) across the
project's running stream jobs, one line per job.
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.widgets import DataTable, OptionList, Static
from textual.widgets.option_list import Option
from textual_plotext import PlotextPlot

from foas_tui import keys
from foas_tui.error_guard import on, work
from foas_tui.screens.viewer_base import ViewerScreen
from foas_tui.services.metric_catalog import (
    BY_NAME,
    CATALOG,
    GROUPS,
    MetricSeries,
    fetch_across_jobs,
    fetch_catalog_metrics,
    format_value,
    running_stream_jobs,
)
from foas_tui.services.metrics import WINDOWS
from foas_tui.text import safe_str, styled
from foas_tui.widgets.key_footer import KeyFooter

DEFAULT_SELECTION = ("delay", "watermarkLatency")
MAX_SELECTED = 6
COLORS = ("red", "cyan", "green", "orange", "magenta", "yellow")
WINDOW_KEYS = {"1": "15m", "2": "1h", "3": "2h"}


class MetricExplorerScreen(ViewerScreen):
    """Pick metrics from the catalog; they are plotted together and summarised with units."""

    view_name = "explorer"

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("explorer")  # foas_tui/keys.py defines every key

    DEFAULT_CSS = """
    MetricExplorerScreen #explorer-body { height: 1fr; }
    MetricExplorerScreen #explorer-metrics { width: 44; height: 1fr; }
    MetricExplorerScreen #explorer-plot { height: 1fr; min-height: 6; }
    MetricExplorerScreen #explorer-table { height: auto; max-height: 8; }
    """

    def __init__(self, selection: Any = None, *, window: str = "15m", metrics: tuple[str, ...] = DEFAULT_SELECTION,
                 **kwargs: Any) -> None:
        super().__init__(selection, **kwargs)
        self.window = window if window in WINDOWS else "15m"
        self.selected: list[str] = [m for m in metrics if m in BY_NAME][:MAX_SELECTED]
        self.series: list[MetricSeries] | None = None
        self.error: str | None = None
        self.across = False  # one metric across the project's running jobs
        self.labels: list[str] = []  # per series: the metric's display name, or the job's (cleaned) name

    def compose(self) -> ComposeResult:
        yield Static(id="explorer-header", classes="viewer-header")
        yield Static(id="explorer-message", classes="viewer-message")
        with Horizontal(id="explorer-body"):
            yield OptionList(id="explorer-metrics")
            with Vertical():
                yield PlotextPlot(id="explorer-plot")
                yield DataTable(id="explorer-table", cursor_type="row", zebra_stripes=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#explorer-table", DataTable)
        for key, title in (("metric", "Metric"), ("last", "Last"), ("min", "Min"), ("max", "Max"), ("avg", "Avg")):
            table.add_column(title, key=key)
        self._fill_catalog()
        super().on_mount()

    def _fill_catalog(self) -> None:
        options = self.query_one("#explorer-metrics", OptionList)
        highlighted = options.highlighted
        options.clear_options()
        for group in GROUPS:
            options.add_option(Option(Text(group.upper(), style="bold"), id=f"group:{group}", disabled=True))
            for metric in CATALOG:
                if metric.group == group:
                    mark = "●" if metric.name in self.selected else "○"
                    options.add_option(Option(Text(f" {mark} {metric.display} ({metric.unit})"), id=metric.name))
        options.highlighted = highlighted if highlighted is not None else 1

    def load(self) -> None:
        self._set_header("loading…")
        self._fetch(self.window, tuple(self.selected))

    @work(exclusive=True, group="explorer", exit_on_error=False)
    async def _fetch(self, window: str, names: tuple[str, ...]) -> None:
        sel = self.selection
        try:
            if sel is None or not names:
                self._show([])
                return
            try:
                if self.across:
                    jobs = await running_stream_jobs(self.client, sel.project, first=sel.job_name)
                    pairs = await fetch_across_jobs(self.client, sel.project, jobs, names[0],
                                                    window_s=WINDOWS[window], now=self.now)
                    labels = [safe_str(job, 40) for job, _ in pairs]  # job names are outside text
                    series = [s for _, s in pairs]
                else:
                    series = await fetch_catalog_metrics(self.client, sel.project, sel.job_name, names,
                                                         window_s=WINDOWS[window], instance_id=self.instance_id,
                                                         now=self.now)
                    labels = [s.metric.display for s in series]
            except Exception as err:
                self.report(err, f"metrics of {sel.project}/{sel.job_name}")
                self.error = f"{getattr(err, 'code', type(err).__name__)}: {getattr(err, 'message', err)}"
                self._message(styled("[b $error]Cannot read the metrics:[/] $error", error=self.error))
                return
            if window != self.window or names != tuple(self.selected):
                return  # a newer choice is loading
            self.load_succeeded()
            self.error = None
            self.labels = labels
            self._show(series)
        finally:
            self._set_header()
            self.load_finished()

    def _show(self, series: list[MetricSeries]) -> None:
        self.series = series
        plot = self.query_one("#explorer-plot", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        end_s = self.now()
        labels = self.labels if len(self.labels) == len(series) else [s.metric.display for s in series]
        if self.across and series:
            plt.title(f"{series[0].metric.display} across jobs")
        for color, s, label in zip(COLORS, series, labels, strict=False):
            if s.points:
                xs = [(t - end_s) / 60 for t, _ in s.points]
                plt.plot(xs, [v for _, v in s.points], color=color, marker="hd",
                         label=f"{label} · {format_value(s.last, s.metric.unit)}")
        plt.xlim(-WINDOWS[self.window] / 60, 0)
        plt.xlabel("minutes ago")
        plot.refresh()
        table = self.query_one("#explorer-table", DataTable)
        table.clear()
        empty = []
        for color, s, label in zip(COLORS, series, labels, strict=False):
            stats = s.stats()
            unit = s.metric.unit
            cells = [format_value(x, unit) for x in stats] if stats else ["—"] * 3
            table.add_row(Text(label, style=color), format_value(s.last, unit), *cells, key=f"{len(table.rows)}")
            if not s.points:
                empty.append(label)
        if not series:
            self._message("Pick metrics with space (up to 6); they share one plot.")
        elif empty:
            self._message(styled("No points for: $names (is the instance running?).", names=", ".join(empty)))
        else:
            self._message(None)

    def _message(self, text: Content | str | None) -> None:
        message = self.query_one("#explorer-message", Static)
        message.display = text is not None
        if text is not None:
            message.update(text)

    def _set_header(self, status: str | None = None) -> None:
        windows = Content(" ").join(styled("[reverse]$name[/]", name=name) if name == self.window else name
                                    for name in WINDOW_KEYS.values())
        parts: list[Content | str] = [styled("[b]Metric explorer[/b] $job", job=self.job_label), windows + " (1 2 3)",
                                      f"{len(self.selected)} picked of {len(CATALOG)}",
                                      "across the project's running jobs (a)" if self.across else "one job (a)"]
        if status:
            parts.append(status)
        self.query_one("#explorer-header", Static).update(Content(" · ").join(parts))

    def action_window(self, window: str) -> None:
        if window in WINDOWS and window != self.window:
            self.window = window
            self.load()

    def action_across(self) -> None:
        """One metric (the first picked) across the project's running jobs, or back to this job."""
        if not self.selected:
            self.notify("pick a metric first (space)", severity="warning", markup=False)
            return
        self.across = not self.across
        self.load()

    def action_toggle(self) -> None:
        options = self.query_one("#explorer-metrics", OptionList)
        if options.highlighted is None:
            return
        self.toggle(str(options.get_option_at_index(options.highlighted).id))

    @on(OptionList.OptionSelected, "#explorer-metrics")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.toggle(event.option.id)

    def toggle(self, name: str) -> None:
        """Pick or unpick one metric, then load the picked ones."""
        if name not in BY_NAME:
            return
        if name in self.selected:
            self.selected.remove(name)
        elif len(self.selected) < MAX_SELECTED:
            self.selected.append(name)
        else:
            self.notify(f"at most {MAX_SELECTED} metrics on one plot", severity="warning", markup=False)
            return
        self._fill_catalog()
        self.load()
