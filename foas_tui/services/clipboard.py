"""Copy over SSH (OSC 52, through `App.copy_to_clipboard`) and save text to a safe default path.

Terminals cap OSC 52 payloads (xterm, tmux and others drop long ones silently), so big texts are refused
with a hint to save instead. Under tmux the terminal only sees the copy with `set -g set-clipboard on`.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from foas_tui.config import atomic_write, data_dir

OSC52_MAX_BYTES = 100_000  # base64 grows it by a third; xterm's default limit is around 100 kB
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+|\.{2,}")


class SupportsClipboard(Protocol):
    def copy_to_clipboard(self, text: str) -> None: ...


@dataclass(frozen=True, slots=True)
class CopyResult:
    ok: bool
    message: str


def copy_text(app: SupportsClipboard, text: str, *, what: str = "text", max_bytes: int = OSC52_MAX_BYTES) -> CopyResult:
    """Put `text` on the clipboard (OSC 52 + the app's own clipboard); refuse what a terminal would drop."""
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        return CopyResult(False, f"{what} is {size // 1024} KB, too big for the terminal clipboard "
                                 f"(limit {max_bytes // 1024} KB): save it to a file instead (ctrl+s)")
    app.copy_to_clipboard(text)
    hint = " (in tmux: set -g set-clipboard on)" if os.environ.get("TMUX") else ""
    lines = text.count("\n") + 1
    return CopyResult(True, f"copied {what}: {lines} line{'s' if lines != 1 else ''}{hint}")


def safe_name(*parts: str) -> str:
    """A file name from free text (project, job ...): no slashes, dots at the start, or odd characters."""
    cleaned = [_UNSAFE.sub("_", part).strip("._") for part in parts if part]
    return "-".join(p for p in cleaned if p)[:120] or "export"


def export_dir() -> Path:
    """`<data dir>/exports` (honours $FOAS_TUI_DATA_DIR); created 0700 on first save."""
    return data_dir() / "exports"


def default_export_path(*parts: str, suffix: str = ".txt", now: float | None = None,
                        directory: Path | None = None) -> Path:
    """`exports/<parts>-YYYYmmdd-HHMMSS.txt`; never an existing file (a counter is added)."""
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(time.time() if now is None else now))
    folder = directory or export_dir()
    base = f"{safe_name(*parts)}-{stamp}"
    path = folder / f"{base}{suffix}"
    counter = 1
    while path.exists():
        counter += 1
        path = folder / f"{base}-{counter}{suffix}"
    return path


def save_text(text: str, path: Path) -> Path:
    """Write `text` atomically with mode 0600 (stack traces can hold hostnames and paths)."""
    path = path.expanduser()
    atomic_write(path, text if text.endswith("\n") else text + "\n")
    return path
