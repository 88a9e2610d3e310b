"""The status line: refresh state (live / paused / stale with the last error), last update, job counts."""

from __future__ import annotations

import time

from rich.cells import cell_len
from rich.text import Text
from textual.geometry import Region
from textual.widget import Widget

from foas_tui.services.refresh import RefreshScheduler
from foas_tui.text import one_line
from foas_tui.widgets.state_style import duration, needs_attention


def clock_time(epoch: float) -> str:
    return time.strftime("%H:%M:%S", time.gmtime(epoch))


def status_text(refresher: RefreshScheduler, now: float, *, jobs: int, width: int = 120) -> Text:
    text = Text(" ")
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
    rows = refresher.rows.values()
    failing = sum(1 for r in rows if needs_attention(r.expect_state, r.actual_state))
    running = sum(1 for r in rows if r.actual_state == "RUNNING")
    tail = Text("")
    if stale is None:  # when stale, the error gets the whole line: it is what the operator must read
        tail.append(f"{jobs} jobs  ")
        tail.append(f"{running} running  ", style="green")
        if failing:
            tail.append(f"{failing} need attention  ", style="bold red")
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

    def show(self, refresher: RefreshScheduler, now: float, jobs: int) -> None:
        text = status_text(refresher, now, jobs=jobs, width=self.size.width or 120)
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
