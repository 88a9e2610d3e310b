"""A Static-like widget that repaints only the cells that changed: the fewest bytes over a slow SSH link.

Textual repaints a whole widget when its content changes, and a content update with a layout pass also
repaints the scrollbars of every scrolling widget on screen. Over a bastion link that is what a key costs: one
Down key in the live table at 200x50 made the job pane repaint ~20 KB for a few changed words. This widget
keeps the lines it last rendered; a new renderable with as many lines repaints, per line, only the span from
the first to the last changed cell, without a layout pass. A different line count (or width) lays out as
Static does.
"""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len
from rich.console import RenderableType
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Region
from textual.widget import Widget

Cells = tuple[str, tuple[Style | None, ...]]


def _cells(line: list[Segment]) -> Cells:
    """A line as (its text, one style per character): two lines compare character by character."""
    text = "".join(segment.text for segment in line)
    styles: list[Style | None] = []
    for segment in line:
        styles.extend([segment.style] * len(segment.text))
    return text, tuple(styles)


def changed_span(old: Cells, new: Cells) -> tuple[int, int] | None:
    """(first cell, end cell) of what differs between two rendered lines, or None when they are the same."""
    if old == new:
        return None
    (old_text, old_styles), (new_text, new_styles) = old, new
    limit = min(len(old_text), len(new_text))
    first = 0
    while first < limit and old_text[first] == new_text[first] and old_styles[first] == new_styles[first]:
        first += 1
    back = 0  # equal characters at the end of both
    while (back < limit - first and old_text[-1 - back] == new_text[-1 - back]
           and old_styles[-1 - back] == new_styles[-1 - back]):
        back += 1
    start = cell_len(new_text[:first])
    end = max(cell_len(new_text[:len(new_text) - back]), cell_len(old_text[:len(old_text) - back]))
    return start, max(end, start + 1)


class DiffStatic(Widget):
    """Shows one renderable (height auto); `update` repaints only the changed cells when the shape is kept."""

    DEFAULT_CSS = "DiffStatic { height: auto; }"

    def __init__(self, content: RenderableType = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._content: RenderableType = content
        self._lines: list[Cells] | None = None  # as last painted; None: unknown (repaint whole)
        self._width = 0

    @property
    def content(self) -> RenderableType:
        return self._content

    def render(self) -> RenderableType:
        return self._content

    def _render_cells(self, content: RenderableType, width: int) -> list[Cells]:
        console = self.app.console
        options = console.options.update_width(width).update(height=None, highlight=False)
        return [_cells(line) for line in console.render_lines(content, options, pad=False)]

    def _remember(self, content: RenderableType) -> None:
        """Keep the lines the first paint drew (the widget had no width at `update`): without them the next
        update would repaint the whole widget instead of what changed."""
        width = self.content_region.width
        if content is self._content and self._lines is None and width > 0:
            self._lines = self._render_cells(content, width)
            self._width = width

    def update(self, content: RenderableType, *, layout: bool = True) -> None:
        """Show `content`. `layout=False` (a hidden pane) keeps the old size until the widget is shown."""
        self._content = content
        width = self.content_region.width
        if not layout or width <= 0 or not self.is_mounted:
            self._lines = None
            self.refresh(layout=layout)
            if layout and self.is_mounted:  # not laid out yet (just mounted): learn what it paints once it is
                self.call_after_refresh(self._remember, content)
            return
        new = self._render_cells(content, width)
        old, self._lines = self._lines, new
        if old is None or len(old) != len(new) or width != self._width:
            self._width = width
            self.refresh(layout=True)  # a new shape: lay out as Static does
            return
        spans = [(y, span) for y, (a, b) in enumerate(zip(old, new, strict=True))
                 if (span := changed_span(a, b)) is not None]
        if not spans:
            return  # nothing changed: nothing goes over the wire
        left = self.gutter.left  # refresh regions are in the widget's own cells, padding included
        top = self.gutter.top
        self.refresh(*[Region(left + start, top + y, end - start, 1) for y, (start, end) in spans])
