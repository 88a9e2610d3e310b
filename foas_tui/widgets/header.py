"""The top line: who and where (profile in its configured color, region, endpoint), DEMO / READ-ONLY, connection."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from foas_tui.api.client import plain_http_remote
from foas_tui.error_guard import Guarded
from foas_tui.services.call_log import ConnectionState
from foas_tui.text import safe_str

_CONNECTION_STYLE = {
    "ok": ("● ok", "green"),
    "degraded": ("◐ degraded", "yellow"),
    "down": ("✖ down", "bold red"),
    "auth": ("✖ auth failed", "bold white on red"),
    "unknown": ("○ connecting", "bright_black"),
}
SLOW_CALL_S = 2.0  # as the status line: a first call this slow shows its elapsed time


def header_text(*, profile: str, profile_color: str | None, region: str, endpoint: str, read_only: bool,
                demo: bool, connection: ConnectionState, width: int = 120, waiting_s: float | None = None) -> Text:
    text = Text(" foas-tui ", style="bold")
    badge = f" {safe_str(profile, 40)} "
    text.append(badge, style=f"bold white on {profile_color}" if profile_color else "bold reverse")
    text.append(f" {safe_str(region, 40)}", style="bold")
    host = safe_str(endpoint.split("://", 1)[-1], 80)
    if width >= 100:
        text.append(f"  {host}", style="bright_black")
    if demo:
        text.append("  ")
        text.append(" DEMO ", style="bold black on yellow")
    if read_only:
        text.append("  ")
        text.append(" READ-ONLY ", style="bold white on blue")
    if not demo and plain_http_remote(endpoint):
        text.append("  ")
        text.append(" NO TLS ", style="bold white on red")  # signed but readable by anyone on the path
    label, style = _CONNECTION_STYLE.get(connection, _CONNECTION_STYLE["unknown"])
    if connection == "unknown" and waiting_s is not None and waiting_s >= SLOW_CALL_S:
        label, style = f"○ connecting… {int(waiting_s)}s", "yellow"  # the first answer is slow: say how slow
    pad = max(2, width - text.cell_len - len(label) - 1)
    text.append(" " * pad)
    text.append(label, style=style)
    return text


class AppHeader(Guarded, Static):
    """Re-rendered only when something in it changed (bastion links are slow)."""

    DEFAULT_CSS = "AppHeader { height: 1; width: 1fr; }"

    def __init__(self, **kwargs) -> None:
        super().__init__("", **kwargs)
        self._last: tuple | None = None

    def on_mount(self) -> None:
        self.update_header()
        # Each finished call may change the connection state: show it at once, not at the next status tick.
        self._unsubscribe = self.app.session.call_log.subscribe(  # type: ignore[attr-defined]
            lambda _record: self.call_later(self.update_header))

    def on_unmount(self) -> None:
        unsubscribe = getattr(self, "_unsubscribe", None)
        if unsubscribe is not None:
            unsubscribe()

    def on_resize(self) -> None:
        self._last = None
        self.update_header()

    def update_header(self) -> None:
        session = self.app.session  # type: ignore[attr-defined]
        state = session.call_log.connection_state()
        call = session.client.slowest_pending() if state == "unknown" else None
        waiting = int(call.elapsed()) if call is not None else None
        key = (state, self.size.width, session.read_only, waiting)
        if key == self._last:
            return
        self._last = key
        self.update(header_text(
            profile=session.profile_name, profile_color=None if session.demo else session.profile_color,
            region=session.region_id, endpoint=session.endpoint, read_only=session.read_only, demo=session.demo,
            connection=state, width=self.size.width or 120, waiting_s=waiting,
        ), layout=False)  # one fixed line: no screen reflow
        color = None if session.demo else session.profile_color
        self.set_class(bool(color), "-profile-colored")
        if color:
            try:  # the whole line in the profile's color: production is unmistakable
                self.styles.background = color
                self.styles.color = "white"
            except Exception:  # a color name Textual does not know: the badge alone carries it
                pass
