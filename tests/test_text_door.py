"""foas_tui.text, the one door for outside text: the rules of issue 12, checked on hostile strings."""

from __future__ import annotations

import unicodedata

from rich.console import Console
from rich.text import Text
from textual.content import Content

from foas_tui.text import UNSAFE, one_line, safe_str, safe_text, styled

ESC, BEL = "\x1b", "\x07"
OSC52 = f"/z{ESC}]52;c;SElKQUNL{BEL}"
CLEAR_AND_RETITLE = f"{ESC}[2J{ESC}]2;PWNED{BEL}"


def rendered(renderable: object) -> str:
    """What Rich writes to a terminal for `renderable` (colors on, so escapes of styles appear too)."""
    console = Console(force_terminal=True, color_system="truecolor", width=200, record=False)
    with console.capture() as capture:
        console.print(renderable, markup=False)
    return capture.get()


def data_bytes(output: str) -> str:
    """The output minus Rich's own SGR color sequences: whatever terminal control is left came from data."""
    import re

    return re.sub(r"\x1b\[[0-9;]*m", "", output)


def test_escape_becomes_a_visible_picture() -> None:
    assert safe_str(f"a{ESC}b") == "a␛b"
    assert "\x1b" not in safe_str(CLEAR_AND_RETITLE)
    assert safe_str(CLEAR_AND_RETITLE) == "␛[2J␛]2;PWNED␇"


def test_osc52_sequence_cannot_survive_the_door() -> None:
    shown = safe_str(OSC52)
    assert shown == "/z␛]52;c;SElKQUNL␇"
    out = data_bytes(rendered(safe_text(OSC52)))
    assert "\x1b]" not in out and "\x07" not in out
    assert "␛]52;c;SElKQUNL␇" in out


def test_every_c0_c1_and_del_is_replaced() -> None:
    hostile = "".join(chr(c) for c in [*range(0x20), 0x7F, *range(0x80, 0xA0)])
    shown = safe_str(hostile)
    assert not any(unicodedata.category(ch) == "Cc" for ch in shown)
    assert shown.startswith("␀␁␂") and "␡" in shown and "⟨U+009B⟩" in shown  # 0x9B is the 8-bit CSI


def test_newline_and_tab_are_kept_only_in_multiline_mode() -> None:
    assert safe_str("a\nb\tc") == "a␊b␉c"
    assert safe_str("a\r\nb\rc\n\td", multiline=True) == "a\nb␍c\n\td"
    assert safe_str(f"x{ESC}[31m\n", multiline=True) == "x␛[31m\n"


def test_bidi_overrides_and_zero_width_are_visible() -> None:
    spoof = "invoice\u202egnp.exe"
    assert safe_str(spoof) == "invoice⟨U+202E⟩gnp.exe"
    for code in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069, 0x200B, 0x200E,
                 0xFEFF, 0x2028, 0x2029):
        assert safe_str(chr(code)) == f"⟨U+{code:04X}⟩"


def test_lone_surrogate_becomes_replacement_character() -> None:
    smuggled = b"job\xff".decode("utf-8", "surrogateescape")
    assert safe_str(smuggled) == "job\ufffd"
    rendered(safe_text(smuggled))  # encodable: no UnicodeEncodeError on the way to the terminal


def test_markup_is_shown_literally() -> None:
    for raw in ("[@click=app.quit]x[/]", "orders[2", "a[/]b", "[link=a:b]y", "/x[link=a:b]y", "[b]bold"):
        text = safe_text(raw)
        assert isinstance(text, Text)
        assert text.plain == raw and not text.spans
        assert raw in data_bytes(rendered(text))
        assert Content.from_rich_text(text).plain == raw


def test_long_string_is_cut_with_an_ellipsis() -> None:
    long = "x" * 10_000
    cut = safe_str(long, limit=40)
    assert len(cut) == 40 and cut.endswith("…") and cut[:-1] == "x" * 39
    assert safe_str("short", limit=40) == "short"
    assert safe_str("exactly5", limit=8) == "exactly5"
    assert safe_text(long, limit=10).plain == "x" * 9 + "…"
    # A string that only grows past the limit through placeholders is cut too.
    assert len(safe_str("\u202e" * 5, limit=8)) == 8


def test_none_and_non_strings() -> None:
    assert safe_str(None) == ""
    assert safe_str(42) == "42"
    assert one_line("  a \n\t b  ") == "a b"


def test_styled_fills_a_literal_template_with_plain_values() -> None:
    content = styled("[b]Stopped[/b] $job in $project", job="orders[2", project=f"p{ESC}]2;x{BEL}[@click=app.quit]")
    assert isinstance(content, Content)
    assert content.plain == "Stopped orders[2 in p␛]2;x␇[@click=app.quit]"
    # Only the literal "Stopped" is bold; the values carry no style of their own.
    assert [(span.start, span.end) for span in content.spans] == [(0, 7)]
    # A value holding a $name is not substituted a second time.
    assert styled("$a", a="$b", b="no").plain == "$b"


def test_unsafe_class_covers_every_control_format_and_separator_code_point() -> None:
    """The hard-coded class must cover what this Python's Unicode database calls Cc, Cf, Zl, Zp or Cs."""
    missing = [hex(code) for code in range(0x110000)
               if unicodedata.category(chr(code)) in {"Cc", "Cf", "Zl", "Zp", "Cs"} and not UNSAFE.match(chr(code))]
    assert missing == []


def test_shown_lines_restore_untouched_lines_and_keep_edits() -> None:
    from foas_tui.text import ShownLines

    original = f"a{ESC}[31m\n\tb\x00\nc\r\nd"
    lines = ShownLines(original)
    assert lines.shown == "a␛[31m\n\tb␀\nc␍\nd"
    assert lines.restore(lines.shown) == original
    # An inserted line and an edited one: every other line comes back with its original bytes.
    edited = "new\n" + lines.shown.replace("d", "d2")
    assert lines.restore(edited) == f"new\na{ESC}[31m\n\tb\x00\nc\r\nd2"
