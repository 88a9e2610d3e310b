"""Cluster pulse (Z): per cluster the CPU of the last hour, memory, and how full each queue is, busiest first;
a cluster short of CPU, memory or queue room is named (is the cluster itself why jobs lag?)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from foas_tui.error_guard import on, work
from foas_tui.screens.viewer_base import ViewerScreen
from foas_tui.services.cluster_pulse import CPU_HIGH, QUEUE_FULL, ClusterPulse, cluster_pulse
from foas_tui.services.formatting import NONE, sparkline
from foas_tui.text import NAME_LIMIT, safe_text, styled
from foas_tui.widgets.key_footer import KeyFooter

COLUMNS = (("cluster", "Cluster"), ("name", "Name"), ("state", "State"), ("cpu", "CPU last hour"),
           ("cpu_now", "CPU now"), ("mem", "Memory"), ("queue", "Fullest queue"), ("verdict", "Verdict"))


def _mem(pulse: ClusterPulse) -> str:
    if pulse.mem_used is None or not pulse.mem_total:
        return NONE
    return f"{pulse.mem_used / 1024:.0f}/{pulse.mem_total / 1024:.0f} GB ({pulse.mem_used / pulse.mem_total:.0%})"


class ClusterPulseScreen(ViewerScreen):
    """Every cluster's pulse; Enter on one shows its queues."""

    view_name = "cluster pulse"
    auto_refresh = True

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(None, **kwargs)
        self.pulses: list[ClusterPulse] | None = None
        self.error: str | None = None

    @property
    def refresh_interval(self) -> float:
        return max(30.0, super().refresh_interval)

    def compose(self) -> ComposeResult:
        yield Static(styled("[b]Cluster pulse[/b] · CPU, memory and queues of every cluster (last hour)"),
                     id="pulse-header", classes="viewer-header")
        yield Static(id="pulse-summary", classes="viewer-message")
        yield DataTable(id="pulse-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="pulse-queues", classes="dag")
        yield KeyFooter()

    def on_mount(self) -> None:
        table = self.query_one("#pulse-table", DataTable)
        for key, title in COLUMNS:
            table.add_column(title, key=key)
        super().on_mount()

    def load(self) -> None:
        self.query_one("#pulse-summary", Static).update("loading…")
        self._load()

    @work(exclusive=True, group="pulse", exit_on_error=False)
    async def _load(self) -> None:
        try:
            try:
                pulses = await cluster_pulse(self.client, now=self.now)
            except Exception as err:
                self.report(err, "cluster pulse")
                self.error = f"{getattr(err, 'code', type(err).__name__)}: {getattr(err, 'message', err)}"
                self.query_one("#pulse-summary", Static).update(
                    styled("[b $error]Cannot list the clusters:[/] $e", e=self.error))
                return
            self.load_succeeded()
            self.pulses, self.error = pulses, None
            self._show(pulses)
        finally:
            self.load_finished()

    def _show(self, pulses: list[ClusterPulse]) -> None:
        table = self.query_one("#pulse-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        for pulse in pulses:
            reasons = pulse.short_of()
            fullest = max(pulse.queues, key=lambda q: q.fullness or 0.0, default=None)
            queue = NONE if fullest is None or fullest.fullness is None else \
                f"{fullest.name} {fullest.fullness:.0%}"
            verdict = Text("short of " + ", ".join(reasons), style="bold red") if reasons else \
                Text("; ".join(pulse.errors), style="yellow") if pulse.errors else Text("ok", style="green")
            cpu_now = pulse.cpu_now
            table.add_row(
                safe_text(pulse.cluster_id, NAME_LIMIT), safe_text(pulse.name or NONE, NAME_LIMIT),
                safe_text(pulse.state or NONE, 40),
                Text(sparkline(pulse.cpu, 20, ceiling=100.0) if pulse.cpu else NONE),  # on a 0-100 % scale
                Text(f"{cpu_now:.0f}%" if cpu_now is not None else NONE,
                     style="bold red" if cpu_now is not None and cpu_now >= CPU_HIGH else ""),
                Text(_mem(pulse)), safe_text(queue, NAME_LIMIT), verdict, key=pulse.cluster_id)
        if pulses:
            table.move_cursor(row=min(max(cursor, 0), len(pulses) - 1))
        short = [p for p in pulses if p.short_of()]
        self.query_one("#pulse-summary", Static).update(
            styled("$n clusters · [b $error]$short short of resources[/]", n=len(pulses), short=len(short))
            if short else styled("$n clusters · none short of CPU, memory or queue room", n=len(pulses)))
        self._show_queues()

    @on(DataTable.RowHighlighted, "#pulse-table")
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self._show_queues()

    def _show_queues(self) -> None:
        pulses = self.pulses or []
        table = self.query_one("#pulse-table", DataTable)
        if not pulses or table.cursor_row is None or not 0 <= table.cursor_row < len(pulses):
            return
        pulse = pulses[table.cursor_row]
        text = Text()
        text.append("Queues of ", style="bold")
        text.append_text(safe_text(pulse.cluster_id, NAME_LIMIT))
        text.append("\n")
        for queue in pulse.queues:
            full = queue.fullness
            text.append_text(safe_text(f"  {queue.name:<24}", NAME_LIMIT))
            text.append(f" vCores {queue.used_vcore if queue.used_vcore is not None else NONE}/"
                        f"{queue.max_vcore if queue.max_vcore is not None else NONE}"
                        f"  memory {queue.used_mem if queue.used_mem is not None else NONE}/"
                        f"{queue.max_mem if queue.max_mem is not None else NONE} MB  ")
            text.append(f"{full:.0%}\n" if full is not None else f"{NONE}\n",
                        style="bold red" if full is not None and full >= QUEUE_FULL else "")
        for error in pulse.errors:
            text.append_text(safe_text(f"  {error}\n", 400))
        self.query_one("#pulse-queues", Static).update(text)
