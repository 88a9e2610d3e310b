"""A keyed, fixed-column table on Textual's Line API: a row cursor, a fixed header, one cached strip per row.

Why not DataTable: its `update_cell` repaints the whole table and keys its render cache on one table-wide
counter, so one uptime ticking over re-rendered every visible cell and re-sent the whole table to the
terminal. Here a changed cell invalidates its own row's strip and repaints only that cell's cells on the
screen; a refresh that changes nothing repaints nothing. Only public Textual API is used: `ScrollView`,
`render_line`, `refresh(region)`, component classes (a theme change gives new styles, and the row cache is
keyed on them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.geometry import Region, Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from foas_tui import keys
from foas_tui.error_guard import Guarded

PADDING = 1  # blank cells either side of every column


@dataclass(frozen=True, slots=True)
class TableColumn:
    key: str
    label: Text
    width: int  # content cells, without the padding

    @property
    def outer(self) -> int:
        return self.width + 2 * PADDING


class RowDoesNotExist(KeyError):
    """No row has this key."""


class LineTable(Guarded, ScrollView, can_focus=True):
    """Rows keyed by a string, shown under a fixed header; the cursor is a whole row.

    Counters say how much work the table did (tests assert on them: nothing changed, nothing painted):
    `lines_painted` lines drawn for the screen, `rows_rendered` rows turned into cells anew (strip cache
    misses), `lines_refreshed` lines the table asked to repaint.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"line-table--header", "line-table--cursor"}

    DEFAULT_CSS = """
    LineTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .line-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .line-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .line-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .line-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("line_table")  # foas_tui/keys.py defines every key

    class RowHighlighted(Message):
        """The cursor is on another row (moved, or rows arrived under it)."""

        def __init__(self, table: LineTable, row_key: str) -> None:
            super().__init__()
            self.table = table
            self.row_key = row_key

        @property
        def control(self) -> LineTable:
            return self.table

    class RowSelected(RowHighlighted):
        """Enter (or a second click) on a row."""

    def __init__(self, columns: Sequence[TableColumn] = (), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.columns: dict[str, TableColumn] = {}
        self._offsets: dict[str, int] = {}  # column key -> first cell of the column in a row
        self._width = 0
        self._order: list[str] = []
        self._index: dict[str, int] = {}
        self._row_cells: dict[str, list[Any]] = {}
        self._strips: dict[str, Strip] = {}  # row key -> its cells rendered, without base or cursor style
        self._strip_styles: tuple[Style, ...] | None = None
        self._header: Strip | None = None
        self._cursor = 0
        self._highlighted: str | None = None
        self.rows_rendered = 0
        self.lines_refreshed = 0
        self.lines_painted = 0
        for column in columns:
            self.add_column(column.label, width=column.width, key=column.key)

    # --- structure --------------------------------------------------------------------------------

    def add_column(self, label: str | Text, *, width: int, key: str) -> None:
        column = TableColumn(key, label if isinstance(label, Text) else Text(label), width)
        self._offsets[key] = self._width
        self.columns[key] = column
        self._width += column.outer
        self._header = None
        self._strips.clear()
        self._resize()

    @property
    def row_count(self) -> int:
        return len(self._order)

    @property
    def ordered_keys(self) -> list[str]:
        return list(self._order)

    @property
    def cursor_row(self) -> int:
        return self._cursor if self._order else -1

    def add_row(self, *cells: Any, key: str) -> str:
        if key in self._row_cells:
            raise ValueError(f"a row with key {key!r} exists")
        self._row_cells[key] = list(cells)
        self._index[key] = len(self._order)
        self._order.append(key)
        self._refresh_rows(len(self._order) - 1)
        self._resize()
        return key

    def remove_row(self, key: str) -> None:
        if key not in self._index:
            raise RowDoesNotExist(key)
        self.remove_rows([key])

    def remove_rows(self, keys: Iterable[str]) -> None:
        """Remove many rows in one pass (a scope change drops thousands)."""
        gone = {k for k in keys if k in self._index}
        if not gone:
            return
        cursor_key = self.cursor_row_key()
        first = min(self._index[k] for k in gone)
        for key in gone:
            del self._row_cells[key]
            self._strips.pop(key, None)
        self._order = [k for k in self._order if k not in gone]
        self._index = {k: i for i, k in enumerate(self._order)}
        if cursor_key is not None and cursor_key in self._index:
            self._cursor = self._index[cursor_key]
        else:
            self._cursor = max(0, min(self._cursor, len(self._order) - 1))
        self._refresh_rows(first, len(self._order) + len(gone) - first)
        self._resize()

    def clear(self) -> None:
        self._order.clear()
        self._index.clear()
        self._row_cells.clear()
        self._strips.clear()
        self._cursor = 0
        self._resize()
        self.refresh()

    def update_cell(self, row_key: str, column_key: str, value: Any) -> None:
        """Set one cell; only that cell's place on the screen is repainted."""
        cells = self._row(row_key)
        position = list(self.columns).index(column_key)
        cells[position] = value
        self._strips.pop(row_key, None)
        index = self._index[row_key]
        y = index + 1 - self.scroll_offset.y
        view = self.scrollable_content_region.size.region
        cell = Region(self._offsets[column_key] - self.scroll_offset.x, y, self.columns[column_key].outer, 1)
        on_screen = cell.intersection(view)  # off to the side or scrolled away: nothing to send
        if on_screen.area:
            self.refresh(on_screen)
            self.lines_refreshed += 1

    def sort(self, key: Callable[[str], Any], *, reverse: bool = False) -> bool:
        """Order rows by `key(row_key)`; the cursor stays on its row. True when the order changed."""
        cursor_key = self.cursor_row_key()
        order = sorted(self._order, key=key, reverse=reverse)
        if order == self._order:
            return False
        self._order = order
        self._index = {k: i for i, k in enumerate(order)}
        if cursor_key is not None:
            self._cursor = self._index[cursor_key]
        self.refresh()
        return True

    # --- queries ----------------------------------------------------------------------------------

    def _row(self, row_key: str) -> list[Any]:
        try:
            return self._row_cells[row_key]
        except KeyError:
            raise RowDoesNotExist(row_key) from None

    def get_row(self, row_key: str) -> list[Any]:
        return list(self._row(row_key))

    def get_row_at(self, index: int) -> list[Any]:
        return list(self._row_cells[self._order[index]])

    def get_cell(self, row_key: str, column_key: str) -> Any:
        return self._row(row_key)[list(self.columns).index(column_key)]

    def get_row_index(self, row_key: str) -> int:
        try:
            return self._index[row_key]
        except KeyError:
            raise RowDoesNotExist(row_key) from None

    def cursor_row_key(self) -> str | None:
        return self._order[self._cursor] if self._order else None

    @property
    def body_height(self) -> int:
        """Rows that fit under the header."""
        return max(1, self.scrollable_content_region.height - 1)

    def keys_on_screen(self) -> list[str]:
        first = self.scroll_offset.y
        return self._order[first:first + self.body_height]

    # --- cursor -----------------------------------------------------------------------------------

    def move_cursor(self, *, row: int, animate: bool = False, scroll: bool = True) -> None:
        if not self._order:
            return
        row = max(0, min(row, len(self._order) - 1))
        if row != self._cursor:
            old = self._cursor
            self._cursor = row
            self._refresh_rows(old)
            self._refresh_rows(row)
        if scroll:
            self.scroll_to_row(row)
        self.post_highlight()

    def scroll_to_row(self, row: int) -> None:
        top, height = self.scroll_offset.y, self.body_height
        if row < top:
            self.scroll_to(y=row, animate=False, immediate=True)
        elif row >= top + height:
            self.scroll_to(y=row - height + 1, animate=False, immediate=True)

    def post_highlight(self) -> None:
        """Say so when the row under the cursor is another one than last said."""
        key = self.cursor_row_key()
        if key is not None and key != self._highlighted:
            self._highlighted = key
            self.post_message(self.RowHighlighted(self, key))

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self._cursor - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self._cursor + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self._cursor - self.body_height)

    def action_page_down(self) -> None:
        self.move_cursor(row=self._cursor + self.body_height)

    def action_scroll_top(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(row=len(self._order) - 1)

    def action_cursor_left(self) -> None:
        self.scroll_to(x=max(0, self.scroll_offset.x - 8), animate=False)

    def action_cursor_right(self) -> None:
        self.scroll_to(x=self.scroll_offset.x + 8, animate=False)

    def action_select_cursor(self) -> None:
        key = self.cursor_row_key()
        if key is not None:
            self.post_message(self.RowSelected(self, key))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None or offset.y < 1:
            return
        row = self.scroll_offset.y + offset.y - 1
        if row < len(self._order):
            self.move_cursor(row=row, scroll=False)
            if event.chain >= 2:
                self.action_select_cursor()

    # --- rendering --------------------------------------------------------------------------------

    def _refresh_rows(self, first: int, count: int = 1) -> None:
        """Repaint these rows where they are on screen, inside the content (not the border or scrollbar)."""
        view = self.scrollable_content_region.size.region
        rows = Region(0, first + 1 - self.scroll_offset.y, view.width, max(1, count)).intersection(view)
        if rows.area:
            self.refresh(rows)
            self.lines_refreshed += rows.height

    def on_resize(self, event: events.Resize) -> None:
        # A layout change that resizes the table (Tab hides the tree at 80x24) leaves Textual holding the old
        # size's whole region as "to repaint" until the table's next partial refresh, so the next Down key
        # paid 5 KB for it. Repaint whole now, with the layout change that caused it.
        self.refresh()

    def _resize(self) -> None:
        size = Size(self._width, len(self._order) + 1)
        if self.virtual_size != size:
            self.virtual_size = size

    def _styles(self) -> tuple[Style, Style, Style]:
        return (self.rich_style, self.get_component_rich_style("line-table--header"),
                self.get_component_rich_style("line-table--cursor"))

    def _render_cells(self, cells: Iterable[Any]) -> Strip:
        console = self.app.console
        segments: list[Segment] = []
        pad = Segment(" " * PADDING)
        for column, value in zip(self.columns.values(), cells, strict=False):
            text = value.copy() if isinstance(value, Text) else Text(str(value))
            text.truncate(column.width, overflow="ellipsis", pad=True)
            segments.append(pad)
            if text.style:  # Text.render leaves the text's own style to its caller
                style = console.get_style(text.style)
                segments.extend(Segment(s.text, style + s.style if s.style else style) for s in text.render(console))
            else:
                segments.extend(text.render(console))
            segments.append(pad)
        return Strip(segments, self._width).simplify()  # fewer style changes: fewer bytes to the terminal

    def render_line(self, y: int) -> Strip:
        self.lines_painted += 1
        base, header_style, cursor_style = styles = self._styles()
        if styles != self._strip_styles:  # a theme or focus change: the header renders anew
            self._strip_styles = styles  # (row strips hold only the cells' own styles: they stay)
            self._header = None
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = self.scroll_offset
        if y == 0:
            if self._header is None:
                self._header = self._render_cells(c.label for c in self.columns.values()).apply_style(
                    base + header_style)
            return self._header.crop_extend(scroll_x, scroll_x + width, base + header_style)
        index = scroll_y + y - 1
        if index >= len(self._order):
            return Strip.blank(width, base)
        key = self._order[index]
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self._render_cells(self._row_cells[key])
            self.rows_rendered += 1
        style = base + cursor_style if index == self._cursor else base
        return strip.apply_style(style).crop_extend(scroll_x, scroll_x + width, base)
