"""Where the app's Textual CSS (`*.tcss`) lives, and which of it the first frame needs.

Every `*.tcss` in the styles directory is loaded; feature engineers add their own files without touching
this one. The files in `SECONDARY` style only the screens pushed over the main one (dialogs, forms,
viewers, the triage board): those screens name them (`error_guard.Screen` and `ModalScreen` carry
`CSS_PATH = secondary_css_paths()`), so Textual reads them when the first such screen is pushed, not at
startup (the main screen is the default screen, never pushed: Textual does not read its CSS_PATH).
Without them the first frame's CSS parse took ~4 ms less and its style matching ~6 ms less (timed inside
the first frame). `tests/test_css_files.py` checks that no selector of theirs matches the main screen.
"""

from __future__ import annotations

from pathlib import Path

SECONDARY = ("ops.tcss", "triage.tcss")


def styles_dir() -> Path:
    """The *.tcss directory: `foas_tui/styles` when installed from the wheel, `<repo>/styles` in a checkout."""
    # The package directory next to this file is what importlib.resources answers for every installed layout
    # (wheel, editable, checkout); importlib.resources (~10 ms to import) is asked only for anything else
    # (a zip import), where `__file__` is not a real directory.
    here = Path(__file__).resolve().parent
    if (here / "styles").is_dir():
        return here / "styles"
    if here.is_dir():
        return here.parent / "styles"
    from importlib import resources

    return Path(str(resources.files("foas_tui") / "styles"))


def all_css_paths() -> list[Path]:
    """Every *.tcss, `app.tcss` first (test apps that show a secondary screen alone use this)."""
    directory = styles_dir()
    app_css = directory / "app.tcss"
    others = sorted(p for p in directory.glob("*.tcss") if p.name != "app.tcss")
    return [app_css, *others] if app_css.exists() else others


def first_frame_css_paths() -> list[Path]:
    """The app's own CSS_PATH: everything but the secondary screens' files."""
    return [path for path in all_css_paths() if path.name not in SECONDARY]


def secondary_css_paths() -> list[Path]:
    """The CSS_PATH of every screen but the main one."""
    return [path for path in all_css_paths() if path.name in SECONDARY]
