"""The one door for outside text: any string from the service, a file or the user becomes display text here.

Rules (issue 12): nothing from outside is ever parsed as markup, and no code point that a terminal acts on
or that hides/reorders text reaches the screen. The visible placeholder scheme, one rule for all:

* C0 controls and DEL (U+0000-U+001F, U+007F) show as their Unicode *Control Picture*, one cell wide:
  ESC -> ``␛`` (U+241B), NUL -> ``␀``, BEL -> ``␇``, DEL -> ``␡``, LF -> ``␊``, TAB -> ``␉``.
  With ``multiline=True`` (viewers of logs, stack traces, code) LF and TAB stay as they are and CR LF
  becomes LF (a lone CR, the overwrite trick, still shows as ``␍``, so the line count never changes).
* Every other invisible or direction-changing code point (C1 controls U+0080-U+009F, bidi embeddings,
  overrides and isolates U+202A-U+202E / U+2066-U+2069, zero-width and other format characters (Cf),
  line/paragraph separators U+2028/U+2029) shows as a ``⟨U+202E⟩`` token naming the code point.
* A lone surrogate (undecodable bytes smuggled through ``surrogateescape``) becomes U+FFFD.
* ``limit`` cuts long text to at most ``limit`` characters, the last one being ``…``.

`safe_str` gives a plain str (for APIs that take plain text, with ``markup=False``); `safe_text` gives a
Rich `Text` (never parsed); `styled` fills a *literal* markup template with outside values, which are
inserted as plain text after cleaning. This module imports Textual only inside `styled`, so the services
layer may use `safe_str` without pulling in the UI framework.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text

if TYPE_CHECKING:
    from textual.content import Content

ELLIPSIS = "…"
NAME_LIMIT = 200  # a name (job, project, folder) in a cell, label or title: longer ones only spoof layouts
CONTROL_PICTURES = 0x2400  # U+2400 + code is the picture of C0 control `code`
DEL_PICTURE = "\u2421"  # ␡

# The code points of Unicode categories Cc, Cf, Zl, Zp and Cs (Python 3.11's Unicode 14 database; a unit test
# checks this class against `unicodedata` so a newer Python cannot silently widen the gap).
_UNSAFE_RANGES = (
    "\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891\u08e2\u180e\u200b-\u200f"
    "\u2028-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb\U000110bd\U000110cd"
    "\U00013430-\U00013438\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0001\U000e0020-\U000e007f"
)
UNSAFE = re.compile(f"[{_UNSAFE_RANGES}]")
_UNSAFE_MULTILINE = re.compile(f"\r\n|[{_UNSAFE_RANGES.replace(chr(0) + '-' + chr(0x1f), '')}"
                               "\x00-\x08\x0b-\x1f]")


def _placeholder(char: str) -> str:
    code = ord(char)
    if code < 0x20:
        return chr(CONTROL_PICTURES + code)
    if code == 0x7F:
        return DEL_PICTURE
    if 0xD800 <= code <= 0xDFFF:
        return "\ufffd"
    return f"⟨U+{code:04X}⟩"


def _replace(match: re.Match[str]) -> str:
    return _placeholder(match.group())


def _replace_multiline(match: re.Match[str]) -> str:
    found = match.group()
    return "\n" if found == "\r\n" else _placeholder(found)


def safe_str(value: object, limit: int | None = None, *, multiline: bool = False) -> str:
    """Outside text as a plain string that is safe to write to a terminal and free of hidden code points.

    Not escaped for markup: pass the result only where markup is off (`markup=False`, `Text`, `Content`).
    `None` becomes "" (a missing field shows as nothing, not as "None").
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if limit is not None and len(text) > limit:
        # Cut before cleaning so a 10 MB field costs no more than `limit` characters of work.
        text = text[:limit]
        cut = True
    else:
        cut = False
    pattern, replace = (_UNSAFE_MULTILINE, _replace_multiline) if multiline else (UNSAFE, _replace)
    if pattern.search(text) is not None:
        text = pattern.sub(replace, text)
    if limit is not None and (cut or len(text) > limit):
        text = text[: max(limit - 1, 0)] + ELLIPSIS if limit > 0 else ""
    return text


def safe_text(value: object, limit: int | None = None, style: str | Style = "", *,
              multiline: bool = False) -> Text:
    """Outside text as a Rich `Text` (never parsed as markup), cleaned and cut like `safe_str`."""
    return Text(safe_str(value, limit, multiline=multiline), style=style, end="")


def styled(template: str, *, limit: int | None = None, **parts: object) -> Content:
    """A literal markup `template` with `$name` placeholders filled by cleaned outside values.

    Only the template (written in our code) is markup; each value is cleaned by `safe_str` and inserted as
    plain text, so ``styled("[b]Stopped[/b] $job", job="orders[2")`` shows ``orders[2`` literally.
    Theme variables such as ``[$error]`` work in the template's tags.
    """
    from textual.content import Content

    return Content.from_markup(template, **{name: safe_str(value, limit) for name, value in parts.items()})


def one_line(value: object, limit: int | None = None) -> str:
    """Outside text squeezed to one line (runs of whitespace become one space), then cleaned and cut."""
    if value is None:
        return ""
    return safe_str(" ".join(str(value).split()), limit)


class ShownLines:
    """Editable text shown through the door, yet saved byte for byte where the user did not change it.

    A TextArea draws its own text, so it is given the cleaned text (`shown`); `restore` maps what the user
    edited back: every line that still equals the cleaned form of an original line (matched in order, so
    inserted or deleted lines elsewhere do not matter) becomes that original line again, with its ESC, NUL or
    bidi characters. A line the user changed is saved as typed (its placeholders are then plain text).
    Cleaning never adds or removes a line break (LF is kept, a lone CR shows as ``␍``), so lines map 1:1.
    """

    def __init__(self, original: str) -> None:
        self.original_lines = original.split("\n")
        self.shown_lines = [safe_str(line, multiline=True) for line in self.original_lines]
        self.shown = "\n".join(self.shown_lines)

    def restore(self, edited: str) -> str:
        if edited == self.shown:
            return "\n".join(self.original_lines)
        from difflib import SequenceMatcher

        edited_lines = edited.split("\n")
        out: list[str] = []
        matcher = SequenceMatcher(None, self.shown_lines, edited_lines, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            out.extend(self.original_lines[i1:i2] if tag == "equal" else edited_lines[j1:j2])
        return "\n".join(out)
