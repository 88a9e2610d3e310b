"""The job viewers by name ("exceptions", "checkpoints", "metrics", "internals", "history", "explorer"):
`viewer_screen` builds one.

Imported lazily by the app's keys and by the triage board, so the first frame does not pay for the viewers.
"""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from foas_tui.screens.checkpoints import CheckpointsScreen
from foas_tui.screens.exceptions import ExceptionsScreen
from foas_tui.screens.history import HistoryScreen
from foas_tui.screens.internals import InternalsScreen
from foas_tui.screens.metric_explorer import MetricExplorerScreen
from foas_tui.screens.metrics import MetricsScreen
from foas_tui.screens.viewer_base import ViewerScreen
from foas_tui.services.selection import Selection

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient

VIEWERS: dict[str, type[ViewerScreen]] = {
    "exceptions": ExceptionsScreen,
    "checkpoints": CheckpointsScreen,
    "metrics": MetricsScreen,
    "internals": InternalsScreen,
    "history": HistoryScreen,
    "explorer": MetricExplorerScreen,
}


def viewer_screen(view: str, selection: Selection, client: FoasClient | None = None) -> ViewerScreen:
    """The viewer `view` ("exceptions" | "checkpoints" | "metrics" | "internals" | "history" | "explorer") for
    one job.

    `client`: for a job of another profile than the session's (a merged triage board); hops to the job's
    other views keep it."""
    screen_class = VIEWERS.get(view)
    if screen_class is None:
        raise ValueError(f"unknown view {view!r}")
    return screen_class(selection, open_view=partial(viewer_screen, client=client), client=client)
