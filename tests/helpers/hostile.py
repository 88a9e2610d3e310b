"""The attacker's side of issue 12: a demo app on the hostile emulator whose terminal output is recorded, and a
scanner that finds data-borne escape sequences, C1/C0 controls and live links in raw terminal output.

`hostile_app()` builds FoasApp.demo(hostile=True) with `CaptureDriver`: run it with `run_test(headless=False)`
and Textual writes every frame to the driver exactly as it would to a terminal (Driver is public API; the
headless driver would drop the bytes). `terminal_findings(text)` then lists what must never be there.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass
from typing import Any

from textual.drivers.headless_driver import HeadlessDriver

# What the driver received, per app (weak: the apps of finished tests go away).
_OUTPUT: weakref.WeakKeyDictionary[Any, list[str]] = weakref.WeakKeyDictionary()


class CaptureDriver(HeadlessDriver):
    """A headless driver that says it is not headless, so the app renders, and keeps every write."""

    def __init__(self, app: Any, **kwargs: Any) -> None:
        super().__init__(app, **kwargs)
        self.written = _OUTPUT.setdefault(app, [])

    @property
    def is_headless(self) -> bool:
        return False

    def write(self, data: str) -> None:
        self.written.append(data)


def written(app: Any) -> str:
    """Everything the app wrote to its terminal so far."""
    return "".join(_OUTPUT.get(app, []))


def clear_written(app: Any) -> None:
    _OUTPUT.setdefault(app, []).clear()


def hostile_app(jobs: int = 64, **kw: Any) -> Any:
    """A demo app on the hostile emulator, frozen clock (as tests/test_app_support.make_app), output recorded."""
    from test_app_support import make_app

    kw.setdefault("driver_class", CaptureDriver)
    return make_app(jobs, hostile=True, **kw)


# --- the scanner -------------------------------------------------------------------------------------

# Textual writes CSI sequences (cursor moves, SGR colours, modes) and OSC 8 links of its own styles and OSC 22
# pointer shapes. Everything else that starts a control sequence came from the data.
_CSI = re.compile(r"\x1b\[([0-9;:?<>=]*)([ -/]*)([@-~])")
_OSC = re.compile(r"\x1b\]([^\x07\x1b]*)(?:\x07|\x1b\\)")
_ALLOWED_CSI_FINALS = set("HfmABCDGhlKrtnqdu")  # J (erase display) is never part of a compositor frame


@dataclass(frozen=True)
class Finding:
    kind: str
    at: int
    context: str

    def __str__(self) -> str:
        return f"{self.kind} at {self.at}: {self.context!r}"


def terminal_findings(text: str, *, allow_erase: bool = False) -> list[Finding]:
    """Escape sequences and controls in `text` (what a terminal receives) that the app itself never writes."""
    found: list[Finding] = []

    def add(kind: str, start: int, end: int) -> None:
        found.append(Finding(kind, start, text[max(0, start - 40): end + 40]))

    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "\x1b":
            m = _CSI.match(text, i)
            if m:
                if m.group(3) not in _ALLOWED_CSI_FINALS and not (allow_erase and m.group(3) == "J"):
                    add(f"CSI ...{m.group(3)}", i, m.end())
                i = m.end()
                continue
            m = _OSC.match(text, i)
            if m:
                body = m.group(1)
                if body.startswith("8;"):
                    if "HOSTILE" in body or "a:b" in body or "evil" in body:
                        add("OSC 8 link from the data", i, m.end())
                elif not body.startswith("22;"):
                    add(f"OSC {body.split(';', 1)[0]}", i, m.end())
                i = m.end()
                continue
            add("bare ESC (DCS/ST/other)", i, i + 4)
            i += 1
            continue
        cp = ord(ch)
        if 0x80 <= cp <= 0x9F:
            add(f"C1 U+{cp:04X}", i, i + 1)
        elif cp in (0x00, 0x08, 0x0D, 0x7F):
            add(f"C0 U+{cp:04X}", i, i + 1)
        elif cp == 0x07:
            add("BEL", i, i + 1)
        elif 0xD800 <= cp <= 0xDFFF:
            add(f"lone surrogate U+{cp:04X}", i, i + 1)
        i += 1
    return found


def visible_text(text: str) -> str:
    """`text` without CSI/OSC sequences: the characters a terminal would show (for literal-markup checks)."""
    return _OSC.sub("", _CSI.sub("", text))
