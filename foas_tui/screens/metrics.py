"""Metrics (GetInstanceMetric): delay, input/output TPS and failover rate of one job, plotted with plotext.

`MetricsPanel` only draws a `MetricSet` (a job pane can embed it); `MetricsScreen` fetches in a worker.
Windows: `1` 15 min, `2` 1 h, `3` 2 h (the service keeps two hours).
"""

from __future__ import annotations

from typing import Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Grid
from textual.content import Content
from textual.widgets import Static
from textual_plotext import PlotextPlot

from foas_tui import keys
from foas_tui.error_guard import Guarded, work
from foas_tui.screens.viewer_base import ViewerScreen
from foas_tui.services.formatting import human_rate, human_seconds, sparkline
from foas_tui.services.metrics import DEFAULT_METRICS, DELAY, WINDOWS, MetricSet, Series, fetch_metrics
from foas_tui.text import safe_text, styled
from foas_tui.widgets.key_footer import KeyFooter

COLORS = {"delay": "red", "input_tps": "cyan", "output_tps": "green", "failover": "orange"}
LINE_COLORS = {"delay": "red", "input_tps": "cyan", "output_tps": "green", "failover": "dark_orange"}  # Rich names
WINDOW_KEYS = {"1": "15m", "2": "1h", "3": "2h"}


def latest_label(series: Series) -> str:
    last = series.last
    if last is None:
        return "no data"
    if series.spec is DELAY:
        return human_seconds(last)
    if series.spec.unit == "rec/s":
        return human_rate(last)
    return f"{last:.3g}{series.spec.unit}"


PLOT_MIN_WIDTH = 30  # cells: narrower, plotext's axis labels eat the plot (garbled at 80 columns in a job pane)
PLOT_MIN_HEIGHT = 8  # rows: title, 4 lines of data, axis, ticks, label


def panel_mode(width: int, height: int) -> str:
    """How four plots fit in width x height: `grid` (2x2), `column` (1x4), `row` (4x1) or `lines` (text)."""
    if width >= 2 * PLOT_MIN_WIDTH + 1 and height >= 2 * PLOT_MIN_HEIGHT:
        return "grid"
    if width >= PLOT_MIN_WIDTH and height >= 4 * PLOT_MIN_HEIGHT:
        return "column"
    if width >= 4 * PLOT_MIN_WIDTH + 3 and height >= PLOT_MIN_HEIGHT:
        return "row"
    return "lines"


def metric_lines(metrics: MetricSet, width: int) -> Text:
    """One line per metric (label, latest value, sparkline over the window): the plots when they cannot fit."""
    label_width = max(len(spec.label) for spec in DEFAULT_METRICS) + 1
    spark = max(4, width - label_width - 12)
    text = Text(no_wrap=True, overflow="ellipsis")
    for index, spec in enumerate(DEFAULT_METRICS):
        series = metrics.series[spec.key]
        if index:
            text.append("\n")
        text.append(spec.label.ljust(label_width), "bold")
        text.append(latest_label(series)[:10].ljust(11))
        text.append(sparkline(series.values, spark) if series.points else "no data",
                    LINE_COLORS.get(spec.key, "") if series.points else "dim")
    return text


class MetricsPanel(Guarded, Grid):
    """Four plots (delay, input TPS, output TPS, failover rate) over one window; draws, never fetches.

    The plots go 2x2, in a column or in a row as the size allows; below that, one text line per metric.
    """

    DEFAULT_CSS = """
    MetricsPanel { grid-size: 2 2; grid-gutter: 0 1; height: 1fr; }
    MetricsPanel > PlotextPlot { height: 1fr; min-height: 6; }
    MetricsPanel > .metrics-lines { display: none; height: auto; padding: 0 1; }
    MetricsPanel.-column { grid-size: 1 4; }
    MetricsPanel.-row { grid-size: 4 1; }
    MetricsPanel.-lines { grid-size: 1 1; }
    MetricsPanel.-lines > PlotextPlot { display: none; }
    MetricsPanel.-lines > .metrics-lines { display: block; }
    """

    def __init__(self, *, delay_threshold_s: float | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.delay_threshold_s = delay_threshold_s
        self.metric_set: MetricSet | None = None
        self.mode = "grid"

    def compose(self) -> ComposeResult:
        for spec in DEFAULT_METRICS:
            yield PlotextPlot(id=f"plot-{spec.key}")
        yield Static(classes="metrics-lines")

    def on_resize(self) -> None:
        mode = panel_mode(self.size.width, self.size.height)
        if mode != self.mode:
            for name in ("grid", "column", "row", "lines"):
                self.set_class(name == mode, f"-{name}")
            self.mode = mode
        self._draw_lines()

    def show(self, metrics: MetricSet) -> None:
        self.metric_set = metrics
        for spec in DEFAULT_METRICS:
            self._draw(self.query_one(f"#plot-{spec.key}", PlotextPlot), metrics.series[spec.key], metrics)
        self._draw_lines()

    def _draw_lines(self) -> None:
        if self.metric_set is not None:
            self.query_one(".metrics-lines", Static).update(metric_lines(self.metric_set, self.size.width - 2))

    def _draw(self, widget: PlotextPlot, series: Series, metrics: MetricSet) -> None:
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        spec = series.spec
        end_s = metrics.end_ms / 1000
        window_min = metrics.window_s / 60
        title = f"{spec.label} · {latest_label(series)}"
        if series.points:
            xs = [(t - end_s) / 60 for t, _ in series.points]  # minutes before the end of the window
            plt.plot(xs, series.values, color=COLORS.get(spec.key, "white"), marker="hd")
            if spec is DELAY and self.delay_threshold_s is not None and max(series.values) >= \
                    self.delay_threshold_s / 2:
                plt.hline(self.delay_threshold_s, "yellow")
        else:
            title = f"{spec.label} · no data"
        plt.title(title)
        plt.xlim(-window_min, 0)
        plt.xlabel("minutes ago")
        widget.refresh()


class MetricsScreen(ViewerScreen):
    """The metrics of one job over a window; reloads every 30 s (points are ≥ 20 s apart)."""

    view_name = "metrics"

    auto_refresh = True
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("metrics")  # foas_tui/keys.py defines every key

    def __init__(self, selection: Any = None, *, window: str = "15m", **kwargs: Any) -> None:
        super().__init__(selection, **kwargs)
        self.window = window if window in WINDOWS else "15m"
        self.metric_set: MetricSet | None = None
        self.error: str | None = None

    @property
    def refresh_interval(self) -> float:
        return max(30.0, super().refresh_interval)

    def compose(self) -> ComposeResult:
        yield Static(id="metrics-header", classes="viewer-header")
        yield Static(id="metrics-message", classes="viewer-message")
        threshold = getattr(getattr(self.config, "triage", None), "delay_seconds", None)
        yield MetricsPanel(delay_threshold_s=threshold, id="metrics-panel")
        yield KeyFooter()

    def load(self) -> None:
        self._set_header("loading…")
        self._fetch(self.window)

    @work(exclusive=True, group="metrics", exit_on_error=False)
    async def _fetch(self, window: str) -> None:
        sel = self.selection
        try:
            if sel is None:
                return
            try:
                result = await fetch_metrics(self.client, sel.project, sel.job_name, window_s=WINDOWS[window],
                                             instance_id=self.instance_id, now=self.now)
            except Exception as err:
                if (note := self.not_running_note(err, "metrics")) is not None:
                    self.load_succeeded()  # an expected state, told as information: no red, no toast
                    self.error = None
                    self._show_message(note)
                    return
                self.report(err, f"metrics of {sel.project}/{sel.job_name}")
                code = getattr(err, "code", type(err).__name__)
                self.error = f"{code}: {getattr(err, 'message', err)}"
                self._show_message(styled("[b $error]Cannot read the metrics:[/] $error", error=self.error))
                return
            self.load_succeeded()
            if window != self.window:
                return  # the operator switched windows meanwhile; that load is on its way
            self.metric_set, self.error = result, None
            self.query_one(MetricsPanel).show(result)
            missing = result.missing
            if len(missing) == len(result.series):
                self._show_message("No metric points in this window (is the instance running?).")
            elif missing:
                names = ", ".join(result.series[key].spec.label for key in missing)
                self._show_message(safe_text(f"No points for: {names}."))
            else:
                self._show_message(None)
        finally:
            self._set_header()
            self.load_finished()

    def _show_message(self, markup: Content | Text | str | None) -> None:
        message = self.query_one("#metrics-message", Static)
        message.display = markup is not None
        if markup is not None:
            message.update(markup)

    def _set_header(self, status: str | None = None) -> None:
        windows = Content(" ").join(styled("[reverse]$name[/]", name=name) if name == self.window else name
                                    for name in WINDOW_KEYS.values())
        parts: list[Content | str] = [styled("[b]Metrics[/b] $job", job=self.job_label), windows + " (1 2 3)"]
        if self.metric_set is not None:
            delay = self.metric_set.series[DELAY.key]
            parts.append(f"delay {sparkline(delay.values, 16)}")
        if status:
            parts.append(status)
        self.query_one("#metrics-header", Static).update(Content(" · ").join(parts))

    def action_window(self, window: str) -> None:
        if window in WINDOWS and window != self.window:
            self.window = window
            self.load()
