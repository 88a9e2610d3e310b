"""Human-readable sizes, durations, epoch-ms times and unicode sparklines for the triage screens.

Pure functions (no Textual); sizes and durations follow the Flink dashboard's style (1024-based units).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, tzinfo

_SIZE_UNITS = ("B", "KB", "MB", "GB", "TB", "PB")
SPARK_BLOCKS = "▁▂▃▄▅▆▇█"
NONE = "—"


def _number(value: object) -> float | None:
    """A finite float from an int/float/numeric string; None for anything else (incl. bool, NaN)."""
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def human_bytes(value: object) -> str:
    """`4384` → `4.28 KB`; negative or missing sizes (Flink sends -1 for "unknown") → `—`."""
    number = _number(value)
    if number is None or number < 0:
        return NONE
    unit = 0
    while number >= 1024 and unit < len(_SIZE_UNITS) - 1:
        number /= 1024
        unit += 1
    if unit == 0:
        return f"{int(number)} B"
    return f"{number:.2f} {_SIZE_UNITS[unit]}" if number < 100 else f"{number:.0f} {_SIZE_UNITS[unit]}"


def human_duration_ms(value: object) -> str:
    """`14` → `14ms`, `1500` → `1.5s`, `200000` → `3m 20s`, `7_500_000` → `2h 5m`, `2d 3h`."""
    number = _number(value)
    if number is None or number < 0:
        return NONE
    if number < 1000:
        return f"{int(round(number))}ms"
    seconds = number / 1000
    if seconds < 60:
        return f"{seconds:.1f}s" if seconds < 10 else f"{int(seconds)}s"
    minutes, sec = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {sec}s" if sec else f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours}h {minutes}m" if minutes else f"{hours}h"
    days, hours = divmod(hours, 24)
    return f"{days}d {hours}h" if hours else f"{days}d"


def human_seconds(value: object) -> str:
    """A duration given in seconds, formatted like `human_duration_ms`."""
    number = _number(value)
    return NONE if number is None else human_duration_ms(number * 1000)


def format_epoch_ms(value: object, tz: tzinfo | None = None, *, with_date: bool = True) -> str:
    """Epoch milliseconds → `2021-01-13 10:37:30` in local time (or `tz`); 0, -1 or missing → `—`."""
    number = _number(value)
    if number is None or number <= 0:
        return NONE
    try:
        moment = datetime.fromtimestamp(number / 1000, tz or UTC)
    except (OverflowError, OSError, ValueError):
        return NONE
    if tz is None:
        moment = moment.astimezone()
    return moment.strftime("%Y-%m-%d %H:%M:%S" if with_date else "%H:%M:%S")


def ago(value_ms: object, now_ms: float) -> str:
    """How long before `now_ms` an epoch-ms moment was: `3m 20s ago`; future → `in 5s`."""
    number = _number(value_ms)
    if number is None or number <= 0:
        return NONE
    delta = now_ms - number
    if delta < 0:
        return f"in {human_duration_ms(-delta)}"
    return f"{human_duration_ms(delta)} ago"


def human_rate(value: object) -> str:
    """Records per second: `1234.5` → `1.2k/s`."""
    number = _number(value)
    if number is None:
        return NONE
    for scale, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(number) >= scale:
            return f"{number / scale:.1f}{suffix}/s"
    return f"{number:.1f}/s" if number % 1 else f"{int(number)}/s"


def sparkline(
    values: Sequence[float | None], width: int, *, floor: float | None = 0.0, ceiling: float | None = None
) -> str:
    """A `width`-cell trend of `values` in unicode blocks ▁▂▃▄▅▆▇█ (the newest value on the right).

    More values than cells are averaged into buckets; fewer are right-aligned and padded with spaces.
    Missing values (None/NaN) show as spaces. `floor` pins the bottom of the scale (0 by default, so
    a flat low delay stays low); pass None to scale between the series' own min and max. `ceiling`
    pins the top of the scale to at least that value (e.g. the delay alert threshold), so that a
    steady 1 s delay does not draw full-height bars.
    """
    if width <= 0:
        return ""
    clean = [_number(v) for v in values]
    if len(clean) > width:
        buckets: list[float | None] = []
        for cell in range(width):
            start = cell * len(clean) // width
            end = max(start + 1, (cell + 1) * len(clean) // width)
            chunk = [v for v in clean[start:end] if v is not None]
            buckets.append(sum(chunk) / len(chunk) if chunk else None)
        clean = buckets
    known = [v for v in clean if v is not None]
    if not known:
        return " " * width
    low = min(known) if floor is None else min(floor, min(known))
    high = max(known) if ceiling is None else max(ceiling, max(known))
    span = high - low
    top = len(SPARK_BLOCKS) - 1
    cells = []
    for v in clean:
        if v is None:
            cells.append(" ")
        elif span <= 0:
            cells.append(SPARK_BLOCKS[0])
        else:
            cells.append(SPARK_BLOCKS[max(0, min(top, int(round((v - low) / span * top))))])
    return " " * (width - len(cells)) + "".join(cells)
