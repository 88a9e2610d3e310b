"""How a job state looks: a glyph (readable without color, e.g. NO_COLOR) and a 16-color style; time formats."""

from __future__ import annotations

from rich.text import Text

from foas_tui.text import safe_str

# Shapes differ per state so the tree still reads on a monochrome terminal.
_GLYPHS = {
    "RUNNING": ("●", "green"),
    "SUCCESS": ("✔", "green"),
    "WAITING": ("◌", "yellow"),
    "STARTING": ("◐", "yellow"),
    "PAUSED": ("‖", "cyan"),
    "SUSPENDED": ("‖", "cyan"),
    "TERMINATED": ("■", "bright_black"),
    "CANCELLED": ("■", "bright_black"),
    "FAILED": ("✖", "bold red"),
    "FAILING": ("✖", "red"),
}
_UNKNOWN = ("·", "bright_black")


def state_glyph(state: str | None) -> str:
    return _GLYPHS.get((state or "").upper(), _UNKNOWN)[0]


def state_style(state: str | None) -> str:
    return _GLYPHS.get((state or "").upper(), _UNKNOWN)[1]


def state_text(state: str | None) -> Text:
    label = safe_str((state or "").upper(), 40) or "—"
    return Text(label, style=state_style(state))


def glyph_text(state: str | None) -> Text:
    return Text(state_glyph(state), style=state_style(state))


def duration(seconds: float | None) -> str:
    """Compact k9s-style age: 42s, 7m12s, 3h05m, 12d4h."""
    if seconds is None:
        return "—"
    s = max(0, int(seconds))
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m{s % 60:02d}s"
    if s < 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d{s % 86400 // 3600}h"


def delay_text(delay_ms: int | None, warn_seconds: float = 180.0) -> Text:
    """Business delay, green under 5 s, yellow under the triage threshold, red above (dolphie's bands)."""
    if delay_ms is None:
        return Text("—", style="bright_black")
    seconds = delay_ms / 1000
    style = "green" if seconds < 5 else "yellow" if seconds < warn_seconds else "bold red"
    # Whole seconds: sub-second jitter would repaint the table on every refresh for nothing.
    return Text(duration(seconds) if seconds >= 1 else "<1s", style=style)


def timestamp(epoch_ms: int | None, utc: bool = True) -> str:
    """`2026-11-26 08:00:00` in UTC (deterministic in tests and the same on every bastion host)."""
    if not epoch_ms:
        return "—"
    import datetime as dt

    when = dt.datetime.fromtimestamp(epoch_ms / 1000, tz=dt.UTC if utc else None)
    return when.strftime("%Y-%m-%d %H:%M:%S")
