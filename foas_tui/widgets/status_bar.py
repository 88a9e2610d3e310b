"""The status line: refresh state (live / paused / stale with the last error), last update, job counts."""

from __future__ import annotations

import time

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Region
from textual.widget import Widget

from foas_tui.services.job_health import JobCounts
from foas_tui.services.refresh import RefreshScheduler
from foas_tui.text import one_line
from foas_tui.widgets.state_style import duration


def clock_time(epoch: float) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(epoch))


SLOW_CALL_S = 2.0  # a call in flight this long is shown with its elapsed time (and esc cancels it)


def status_text(refresher: RefreshScheduler, now: float, *, counts: JobCounts, width: int = 120,
                slow: tuple[str, float] | None = None) -> Text:
    """`counts` come from the HealthBook over the live table's scope: the same rule as the triage board.

    `slow` is (operation, seconds) of the oldest call in flight: past SLOW_CALL_S it leads the line."""
    text = Text(" ")
    if slow is not None and slow[1] >= SLOW_CALL_S:
        # The key to act first, the operation last: at 80 columns the operation's name is what gets cut.
        waiting = "connecting…" if refresher.last_success_at is None else "waiting"
        text.append(f"⧗ {waiting} {duration(slow[1])}", style="bold yellow")
        text.append(f" · esc cancels · {one_line(slow[0], 60)}  ", style="yellow")
    stale = refresher.stale_seconds(now)
    if stale is not None:
        err = refresher.last_error
        code = getattr(err, "code", None) or type(err).__name__ if err is not None else "error"
        message = getattr(err, "message", None) or str(err or "")
        text.append(f"⚠ stale {duration(stale)}", style="bold white on red")
        text.append(f" — last error: {one_line(code, 60)}: {one_line(message, 200)}", style="red")
    elif refresher.last_success_at is None:
        text.append("○ loading…", style="bright_black")
    else:
        text.append("● live" if not refresher.paused else "‖ paused", style="green" if not refresher.paused
                    else "bold yellow")
        # An absolute time: it changes once per refresh, so an idle screen sends nothing over the wire.
        text.append(f" updated {clock_time(refresher.last_success_at)} UTC", style="")
    if refresher.paused and stale is not None:
        text.append("  ‖ paused", style="bold yellow")
    tail = Text("")
    if stale is None:  # when stale, the error gets the whole line: it is what the operator must read
        tail.append(f"{counts.jobs} jobs  ")
        tail.append(f"{counts.running} running  ", style="green")
        if counts.attention:
            tail.append(f"{counts.attention} need attention  ", style="bold red")
        tail.append(f"every {refresher.interval:g}s ", style="bright_black")
    if text.cell_len + tail.cell_len + 1 > width:
        text.truncate(max(10, width - tail.cell_len - 2), overflow="ellipsis")
    text.append(" " * max(1, width - text.cell_len - tail.cell_len))
    text.append_text(tail)
    return text


class StatusBar(Widget):
    """One line; when only some characters change (the time of the last update), only they are repainted."""

    DEFAULT_CSS = "StatusBar { height: 1; width: 1fr; }"

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._text = Text("")
        self._last: str | None = None

    @property
    def content(self) -> Text:
        return self._text

    def render(self) -> Text:
        return self._text

    def show(self, refresher: RefreshScheduler, now: float, counts: JobCounts,
             slow: tuple[str, float] | None = None) -> None:
        text = status_text(refresher, now, counts=counts, width=self.size.width or 120, slow=slow)
        if text.markup == self._last:
            return  # nothing changed: send nothing over the wire
        self._last = text.markup
        old, self._text = self._text, text
        stale = refresher.stale_seconds(now) is not None
        if stale != self.has_class("-stale"):
            self.set_class(stale, "-stale")  # a new look: the whole line repaints
            self.refresh()
            return
        self.refresh(*_changed_cells(old, text))


def _changed_cells(old: Text, new: Text) -> list[Region]:
    """The cells that differ between two versions of the line (none listed: the whole line)."""
    if len(old.plain) != len(new.plain) or old.spans != new.spans:
        return []
    changed = [i for i, (a, b) in enumerate(zip(old.plain, new.plain, strict=True)) if a != b]
    if not changed:
        return []
    start = cell_len(new.plain[:changed[0]])
    end = cell_len(new.plain[:changed[-1] + 1])
    return [Region(start, 0, end - start, 1)]
