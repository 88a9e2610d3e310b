"""Layout by terminal size (the main screen's `-short`/`-narrow` classes) and the zoom key for any pane.

Below SHORT_HEIGHT rows the main screen stops stacking tree and job pane over the live table (6 rows at
80x24) and puts the tree beside the table instead: styles/layout.tcss says how each state looks, this
module only sets the classes, from the screen size and from which pane holds the focus.

`z` (zoom) fills the screen with the focused pane (tree, live table, job pane) or, on other screens, the
focused widget (a log, a table), as tmux's zoom does; `z` or esc goes back. It uses Textual's public
maximize (`Screen.maximized`), so a later Textual keeps working.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.geometry import Size
from textual.screen import ModalScreen, Screen
from textual.widget import Widget

if TYPE_CHECKING:
    from foas_tui.screens.main import MainScreen

SHORT_HEIGHT = 32  # rows: below this the live table goes beside the tree (>= 15 rows at 24)
NARROW_WIDTH = 120  # columns: below this (and short) the tree gives way while the live table has the focus

#: What stays on screen around a zoomed pane of the main screen (direct children of the screen).
MAIN_ZOOM_COMPANIONS = "AppHeader, FilterBar, StatusBar, KeyFooter, Footer"

PANE_CLASSES = {"tree": "-in-tree", "live": "-in-live", "job-pane": "-in-pane"}


def size_classes(screen: Screen, size: Size) -> None:
    """`-short` and `-narrow` on the screen, from its size (called on every resize)."""
    screen.set_class(size.height < SHORT_HEIGHT, "-short")
    screen.set_class(size.width < NARROW_WIDTH, "-narrow")


def focused_pane(screen: MainScreen) -> Widget | None:
    """The main-screen pane (tree, live table, job pane) that holds the focus, or None."""
    focused = screen.focused
    if focused is None:
        return None
    for pane in (screen.tree, screen.live, screen.job_pane):
        if focused is pane or pane in focused.ancestors:
            return pane
    return None


def focus_classes(screen: MainScreen) -> None:
    """Mark which pane has the focus, so the short layout shows it; leave a zoom when the focus leaves it."""
    pane = focused_pane(screen)
    if pane is None:
        return  # the filter bar or nothing: keep the layout as it is
    for pane_id, css_class in PANE_CLASSES.items():
        screen.set_class(pane.id == pane_id, css_class)
    zoomed = screen.maximized
    if zoomed is not None and pane is not zoomed:
        screen.minimize()  # Tab to another pane leaves the zoom, as in tmux


def toggle_zoom(screen: Screen) -> bool:
    """Zoom the focused pane to the whole screen, or back; returns whether a pane is zoomed now."""
    if isinstance(screen, ModalScreen):
        return False  # a dialog is already in front; nothing behind it should change
    if screen.maximized is not None:
        screen.minimize()
        return False
    target = _zoom_target(screen)
    if target is None:
        screen.notify("nothing to zoom: move the focus to a pane first (Tab)", severity="warning", timeout=3)
        return False
    # Assigned, not `maximize()`: the job pane is a container that cannot take the focus itself, which
    # `maximize()` refuses; the reactive is public and does the same.
    screen.maximized = target
    return True


def _zoom_target(screen: Screen) -> Widget | None:
    own = getattr(screen, "zoom_target", None)  # the main screen zooms its panes (MainScreen.zoom_target)
    if callable(own):
        return own()
    focused = screen.focused
    if focused is None:
        return None
    # A widget inside tabs zooms with its tab bar's container when that may be zoomed, else by itself.
    for ancestor in focused.ancestors:
        if isinstance(ancestor, Widget) and not isinstance(ancestor, Screen) and ancestor.allow_maximize:
            return ancestor
    return focused
