"""The job viewers by name ("exceptions", "checkpoints", "metrics", "internals"): `viewer_screen` builds one.

Imported lazily by the app's keys and by the triage board, so the first frame does not pay for the viewers.
"""

from __future__ import annotations

from foas_tui.screens.checkpoints import CheckpointsScreen
from foas_tui.screens.exceptions import ExceptionsScreen
from foas_tui.screens.internals import InternalsScreen
from foas_tui.screens.metrics import MetricsScreen
from foas_tui.screens.viewer_base import ViewerScreen
from foas_tui.services.selection import Selection

VIEWERS: dict[str, type[ViewerScreen]] = {
    "exceptions": ExceptionsScreen,
    "checkpoints": CheckpointsScreen,
    "metrics": MetricsScreen,
    "internals": InternalsScreen,
}


def viewer_screen(view: str, selection: Selection) -> ViewerScreen:
    """The viewer `view` ("exceptions" | "checkpoints" | "metrics" | "internals") for one job."""
    screen_class = VIEWERS.get(view)
    if screen_class is None:
        raise ValueError(f"unknown view {view!r}")
    return screen_class(selection, open_view=viewer_screen)
