"""LogView: a virtualized, foldable, searchable line view for big texts (10 MB exception payloads).

Only visible lines are rendered (Line API); a folded block's body is never split into lines, and search
runs over each block's text in C (`re`), splitting only the blocks that match.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from rich.cells import cell_len, chop_cells
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

from foas_tui import keys
from foas_tui.error_guard import Guarded
from foas_tui.text import safe_str

FOLD = -1  # line index of a folded block's marker row


@dataclass(eq=False, slots=True)
class LogBlock:
    """A unit of the view: head lines always show; the body (e.g. a stack trace) folds to one marker row."""

    key: str
    head: list[str]
    body_text: str = ""
    kind: str = "text"  # title | row | columns | note | error | text
    folded: bool = True
    copy: str | None = None  # what "copy this block" takes, when not head + body
    fold_hint: str = ""  # shown on the fold marker, e.g. the root cause of a folded stack trace
    _body: list[str] | None = field(default=None, repr=False)
    _body_width: int = field(default=-1, repr=False)
    _lower: str | None = field(default=None, repr=False)

    @property
    def lower_body(self) -> str:
        """The body lower-cased once, for fast case-insensitive search."""
        if self._lower is None:
            self._lower = self.body_text.lower()
        return self._lower

    @property
    def body(self) -> list[str]:
        if self._body is None:
            # Cleaned once, when the body is first needed (a fold never costs the pass); one regex scan,
            # and line numbers stay those of `body_text` (the door keeps LF and shows a lone CR).
            self._body = (safe_str(self.body_text, multiline=True).expandtabs(4).split("\n")
                          if self.body_text else [])
        return self._body

    @property
    def body_line_count(self) -> int:
        if self._body is not None:
            return len(self._body)
        return self.body_text.count("\n") + 1 if self.body_text else 0

    @property
    def foldable(self) -> bool:
        return bool(self.body_text)

    def __post_init__(self) -> None:
        # Head lines and hints are built from outside values (exception names, causes): clean them once here.
        self.head = [safe_str(line) for line in self.head]
        self.fold_hint = safe_str(self.fold_hint)

    def line(self, index: int) -> str:
        """Line `index` of head + body (head first)."""
        if index < len(self.head):
            return self.head[index]
        return self.body[index - len(self.head)]

    @property
    def text(self) -> str:
        if self.copy is not None:
            return self.copy
        return "\n".join([*self.head, self.body_text] if self.body_text else self.head)

    def body_width(self) -> int:
        if self._body_width < 0:
            body = self.body
            if self.body_text.isascii():
                self._body_width = max(map(len, body), default=0)
            else:
                self._body_width = max((_width(line) for line in body), default=0)
        return self._body_width


def _width(line: str) -> int:
    return len(line) if line.isascii() else cell_len(line)


@dataclass(frozen=True, slots=True)
class Query:
    """A search: regex (or literal when not a valid regex), smart case: case-insensitive unless it has capitals.

    `scan` runs over lower-cased text when the search ignores case: much faster on megabytes than
    re.IGNORECASE. `show` highlights matches in the few visible lines.
    """

    text: str
    scan: re.Pattern[str]
    show: re.Pattern[str]
    ignore_case: bool


def compile_query(query: str) -> Query | None:
    if not query:
        return None
    ignore_case = query == query.lower()
    try:
        re.compile(query)
        source = query
    except re.error:
        source = re.escape(query)
    flags = re.IGNORECASE if ignore_case else 0
    return Query(query, re.compile(source), re.compile(source, flags), ignore_case)


def _matching_lines(query: Query, block: LogBlock) -> list[int]:
    """Body line numbers with a match, found on the block's whole text (one C-level scan, no split)."""
    text = block.lower_body if query.ignore_case else block.body_text
    pattern = query.scan
    lines: list[int] = []
    line, pos = 0, 0
    for match in pattern.finditer(text):
        start = match.start()
        line += text.count("\n", pos, start)
        pos = start
        if not lines or lines[-1] != line:
            lines.append(line)
    return lines


class LogView(Guarded, ScrollView, can_focus=True):
    """A pager over `LogBlock`s with a line cursor, folding, wrapping and search highlights."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log-view--cursor", "log-view--match", "log-view--current-match", "log-view--title",
        "log-view--columns", "log-view--row", "log-view--fold", "log-view--error", "log-view--note",
        "log-view--frame", "log-view--cause",
    }
    DEFAULT_CSS = """
    LogView { background: $surface; overflow: auto auto; }
    LogView > .log-view--cursor { background: $boost; text-style: bold; }
    /* The cursor sets its own text color: the theme's cursor pair, never an accent over accent-colored lines
       (titles and "Caused by" lines are orange; an orange cursor made them unreadable). */
    LogView:focus > .log-view--cursor {
        background: $block-cursor-background; color: $block-cursor-foreground; text-style: $block-cursor-text-style;
    }
    LogView > .log-view--match { background: $warning 60%; color: $text; }
    LogView > .log-view--current-match { background: $warning; color: $background; text-style: bold; }
    LogView > .log-view--title { color: $accent; text-style: bold; }
    LogView > .log-view--columns { color: $text-muted; text-style: bold underline; }
    LogView > .log-view--row { color: $text; }
    LogView > .log-view--fold { color: $text-muted; text-style: italic; }
    LogView > .log-view--error { color: $error; text-style: bold; }
    LogView > .log-view--note { color: $warning; }
    LogView > .log-view--frame { color: $text-muted; }
    LogView > .log-view--cause { color: $warning; text-style: bold; }
    """
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("log_view")  # foas_tui/keys.py defines every key

    wrap: var[bool] = var(False)

    class SearchMoved(Message):
        """The current match changed (index is 0-based; total 0 = no match)."""

        def __init__(self, index: int, total: int) -> None:
            super().__init__()
            self.index = index
            self.total = total

    def __init__(self, *, name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._blocks: list[LogBlock] = []
        # One display row = (block index, line index or FOLD, start cell for wrapped continuation).
        self._row_block: list[int] = []
        self._row_line: list[int] = []
        self._row_start: list[int] = []
        self._block_first_row: list[int] = []
        self._cursor = 0
        self._query: Query | None = None
        self._matches: list[tuple[int, int]] = []  # (block, line) in document order
        self._current = -1
        self._styles: dict[str, Style] = {}
        self._layout_width = 0

    # --- content ---------------------------------------------------------------------------------

    @property
    def blocks(self) -> Sequence[LogBlock]:
        return self._blocks

    @property
    def cursor_row(self) -> int:
        return self._cursor

    @property
    def row_count(self) -> int:
        return len(self._row_block)

    def set_blocks(self, blocks: Iterable[LogBlock], *, keep_state: bool = True) -> None:
        """Replace the content; blocks whose key existed keep their fold state and the cursor its block."""
        blocks = list(blocks)
        if keep_state and self._blocks:
            folded = {b.key: b.folded for b in self._blocks}
            for block in blocks:
                block.folded = folded.get(block.key, block.folded)
            anchor = self.current_block()
            anchor_key = anchor.key if anchor is not None else None
        else:
            anchor_key = None
        self._blocks = blocks
        self._rebuild()
        if anchor_key is not None:
            index = next((i for i, b in enumerate(blocks) if b.key == anchor_key), None)
            self._cursor = self._block_first_row[index] if index is not None else 0
        else:
            self._cursor = 0
        if self._query is not None:
            self._search_all()
        self._clamp_cursor()
        self.refresh()

    def current_block(self) -> LogBlock | None:
        if not self._row_block:
            return None
        return self._blocks[self._row_block[min(self._cursor, len(self._row_block) - 1)]]

    @property
    def text(self) -> str:
        return "\n".join(b.text for b in self._blocks)

    def row_text(self, row: int) -> str:
        """The text of display row `row` (for tests and copy)."""
        block = self._blocks[self._row_block[row]]
        line = self._row_line[row]
        if line == FOLD:
            return self._fold_label(block)
        text = block.line(line)
        if self.wrap:
            start = self._row_start[row]
            return self._chunk(text, start)
        return text

    # --- layout ----------------------------------------------------------------------------------

    def _fold_label(self, block: LogBlock) -> str:
        count = block.body_line_count
        hint = f" · {block.fold_hint}" if block.fold_hint else " (enter to expand)"
        return f"  ▸ {count} line{'s' if count != 1 else ''} folded{hint}"

    def _rebuild(self) -> None:
        width = max(1, self.scrollable_content_region.width or self.size.width or 80)
        self._layout_width = width
        wrap = self.wrap
        row_block: list[int] = []
        row_line: list[int] = []
        row_start: list[int] = []
        first_rows: list[int] = []
        max_width = 0
        for b_index, block in enumerate(self._blocks):
            first_rows.append(len(row_block))
            n_head = len(block.head)
            lines: list[tuple[int, str]] = list(enumerate(block.head))
            unfolded = block.foldable and not block.folded
            if unfolded and not wrap:
                # The common big case: one C-level extend per block instead of a loop per line.
                for line in block.head:
                    max_width = max(max_width, _width(line))
                count = len(block.body)
                row_block.extend([b_index] * (n_head + count))
                row_line.extend(range(n_head + count))
                row_start.extend([0] * (n_head + count))
                max_width = max(max_width, block.body_width())
                continue
            if unfolded:
                lines.extend((n_head + i, line) for i, line in enumerate(block.body))
            for l_index, line in lines:
                w = _width(line)
                if wrap and w > width:
                    starts = self._wrap_starts(line, width)
                    row_block.extend([b_index] * len(starts))
                    row_line.extend([l_index] * len(starts))
                    row_start.extend(starts)
                else:
                    row_block.append(b_index)
                    row_line.append(l_index)
                    row_start.append(0)
                    max_width = max(max_width, w)
            if block.foldable and block.folded:
                row_block.append(b_index)
                row_line.append(FOLD)
                row_start.append(0)
        self._row_block, self._row_line, self._row_start = row_block, row_line, row_start
        self._block_first_row = first_rows
        self.virtual_size = Size(width if wrap else max(max_width + 1, width), len(row_block))

    @staticmethod
    def _wrap_starts(line: str, width: int) -> list[int]:
        if line.isascii():
            return list(range(0, len(line), width))
        starts, offset = [], 0
        for piece in chop_cells(line, width):
            starts.append(offset)
            offset += len(piece)
        return starts

    def _chunk(self, line: str, start: int) -> str:
        width = self._layout_width
        if line.isascii():
            return line[start:start + width]
        return next(iter(chop_cells(line[start:], width)), "")

    def on_resize(self) -> None:
        if self.wrap and self.scrollable_content_region.width != self._layout_width:
            self._relayout()

    def watch_wrap(self) -> None:
        self._relayout()

    def _relayout(self) -> None:
        """Rebuild rows keeping the cursor on the same (block, line)."""
        if not self._row_block:
            self._rebuild()
            return
        at = (self._row_block[self._cursor], self._row_line[self._cursor]) if self._row_block else (0, 0)
        self._rebuild()
        self._cursor = self._row_of(*at)
        self.scroll_to(x=0, animate=False, immediate=True)
        self._scroll_cursor_visible(center=True)
        self.refresh()

    def _row_of(self, block: int, line: int) -> int:
        """First display row of (block, line); the fold marker if that line is folded away."""
        if not self._row_block:
            return 0
        first = self._block_first_row[block]
        end = self._block_first_row[block + 1] if block + 1 < len(self._block_first_row) else len(self._row_block)
        for row in range(first, end):
            if self._row_line[row] == line or self._row_line[row] == FOLD:
                return row
        return first

    # --- styles and rendering --------------------------------------------------------------------

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()

    def _style(self, name: str) -> Style:
        style = self._styles.get(name)
        if style is None:
            style = self._styles[name] = self.get_component_rich_style(f"log-view--{name}", partial=True)
        return style

    def _line_style(self, block: LogBlock, line: int, text: str) -> Style | None:
        if line == FOLD:
            return self._style("fold")
        if line < len(block.head):
            return self._style(block.kind) if block.kind in ("title", "columns", "row", "error", "note") else None
        body_line = line - len(block.head)
        stripped = text.lstrip()
        if body_line == 0:
            return self._style("error")
        if stripped.startswith("Caused by:"):
            return self._style("cause")
        if stripped.startswith(("at ", "... ")):
            return self._style("frame")
        return None

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        row = scroll_y + y
        width = self.size.width
        base = self.rich_style
        if row >= len(self._row_block):
            return Strip.blank(width, base)
        block = self._blocks[self._row_block[row]]
        line_index = self._row_line[row]
        raw = self._fold_label(block) if line_index == FOLD else block.line(line_index)
        start = self._row_start[row]
        shown = self._chunk(raw, start) if self.wrap else raw
        text = Text(shown, style=base, no_wrap=True, end="")
        line_style = self._line_style(block, line_index, raw)
        if line_style is not None:
            text.stylize(line_style)
        if self._query is not None and line_index != FOLD:
            is_current = (
                0 <= self._current < len(self._matches)
                and self._matches[self._current] == (self._row_block[row], line_index)
            )
            style = self._style("current-match" if is_current else "match")
            for match in self._query.show.finditer(shown):
                if match.end() > match.start():
                    text.stylize(style, match.start(), match.end())
        if row == self._cursor:
            text.stylize(self._style("cursor"))
            text.pad_right(max(0, self.virtual_size.width - text.cell_len))
        strip = Strip(text.render(self.app.console), text.cell_len)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    # --- cursor ----------------------------------------------------------------------------------

    def _clamp_cursor(self) -> None:
        self._cursor = max(0, min(self._cursor, len(self._row_block) - 1))

    def _scroll_cursor_visible(self, *, center: bool = False) -> None:
        height = self.scrollable_content_region.height or self.size.height
        top = self.scroll_offset.y
        if center and not (top <= self._cursor < top + height):
            self.scroll_to(y=max(0, self._cursor - height // 2), animate=False, immediate=True)
        elif self._cursor < top:
            self.scroll_to(y=self._cursor, animate=False, immediate=True)
        elif height and self._cursor >= top + height:
            self.scroll_to(y=self._cursor - height + 1, animate=False, immediate=True)

    def move_cursor(self, row: int, *, center: bool = False) -> None:
        old = self._cursor
        self._cursor = row
        self._clamp_cursor()
        self._scroll_cursor_visible(center=center)
        self.refresh_line(old)
        self.refresh_line(self._cursor)

    def on_click(self, event: events.Click) -> None:
        row = self.scroll_offset.y + event.y
        if 0 <= row < len(self._row_block):
            self.move_cursor(row)

    def action_cursor(self, delta: int) -> None:
        self.move_cursor(self._cursor + delta)

    def action_page(self, direction: int) -> None:
        height = max(1, (self.scrollable_content_region.height or self.size.height) - 1)
        self.move_cursor(self._cursor + direction * height)

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._row_block) - 1)

    def action_block(self, direction: int) -> None:
        """Jump to the head of the next/previous block."""
        if not self._row_block:
            return
        current = self._row_block[self._cursor]
        target = max(0, min(len(self._blocks) - 1, current + direction))
        if direction < 0 and self._cursor != self._block_first_row[current]:
            target = current
        self.move_cursor(self._block_first_row[target])

    # --- folding ---------------------------------------------------------------------------------

    def action_toggle_fold(self) -> None:
        block = self.current_block()
        if block is None or not block.foldable:
            return
        self.set_folded(self._row_block[self._cursor], not block.folded)

    def set_folded(self, index: int, folded: bool) -> None:
        block = self._blocks[index]
        if block.folded == folded:
            return
        at_line = self._row_line[self._cursor] if self._row_block else 0
        at_block = self._row_block[self._cursor] if self._row_block else 0
        block.folded = folded
        self._rebuild()
        if at_block == index:
            self._cursor = self._row_of(index, at_line if at_line != FOLD else len(block.head))
            if folded:
                self._cursor = min(self._cursor, self._block_first_row[index])
        else:
            self._cursor = self._row_of(at_block, at_line)
        self._clamp_cursor()
        self._scroll_cursor_visible()
        self.refresh()

    def fold_all(self, folded: bool) -> None:
        at_block = self._row_block[self._cursor] if self._row_block else 0
        for block in self._blocks:
            block.folded = folded
        self._rebuild()
        self._cursor = self._block_first_row[at_block] if self._block_first_row else 0
        self._clamp_cursor()
        self._scroll_cursor_visible(center=True)
        self.refresh()

    # --- search ----------------------------------------------------------------------------------

    @property
    def match_count(self) -> int:
        return len(self._matches)

    @property
    def match_index(self) -> int:
        return self._current

    def search(self, query: str) -> int:
        """Find every line matching `query` (folded bodies included); move to the first at/after the cursor."""
        self._query = compile_query(query)
        self._search_all()
        if self._matches:
            here = self._position()
            index = bisect_left(self._matches, here)
            self._goto_match(index % len(self._matches))
        else:
            self._current = -1
            self.post_message(self.SearchMoved(-1, 0))
        self.refresh()
        return len(self._matches)

    def clear_search(self) -> None:
        self._query = None
        self._matches = []
        self._current = -1
        self.refresh()

    def _search_all(self) -> None:
        query = self._query
        matches: list[tuple[int, int]] = []
        if query is not None:
            for b_index, block in enumerate(self._blocks):
                for l_index, line in enumerate(block.head):
                    if query.show.search(line):
                        matches.append((b_index, l_index))
                if block.body_text:
                    matches.extend((b_index, len(block.head) + line) for line in _matching_lines(query, block))
        self._matches = matches
        if self._current >= len(matches):
            self._current = len(matches) - 1

    def _position(self) -> tuple[int, int]:
        if not self._row_block:
            return (0, 0)
        line = self._row_line[self._cursor]
        block = self._row_block[self._cursor]
        return (block, len(self._blocks[block].head) if line == FOLD else line)

    def next_match(self, direction: int = 1) -> int:
        """Move to the next (1) or previous (-1) match, wrapping around; returns its index or -1."""
        if not self._matches:
            return -1
        here = self._position()
        if direction > 0:
            index = bisect_right(self._matches, here)
        else:
            index = bisect_left(self._matches, here) - 1
        self._goto_match(index % len(self._matches))
        return self._current

    def _goto_match(self, index: int) -> None:
        self._current = index
        block, line = self._matches[index]
        if line >= len(self._blocks[block].head) and self._blocks[block].folded:
            self._blocks[block].folded = False
            self._rebuild()
        self._cursor = self._row_of(block, line)
        self._clamp_cursor()
        self._scroll_cursor_visible(center=True)
        self.refresh()
        self.post_message(self.SearchMoved(index, len(self._matches)))
