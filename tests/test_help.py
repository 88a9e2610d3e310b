"""`?` (issue 14: it buried the app's keys under about 100 generic Textual bindings and read Textual's private
`_bindings`/`_merged_bindings`): the app's own keys of the current screen first, grouped; generic keys after,
collapsed; remapped keys as remapped; user text through the door; no private Textual API."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from test_app_support import make_app, ready, wait_for

from foas_tui import keys
from foas_tui.screens.checkpoints import CheckpointsScreen
from foas_tui.screens.help import HelpScreen
from foas_tui.screens.main import MainScreen

ROOT = Path(__file__).resolve().parent.parent


def table_rows(app: Any) -> list[list[Any]]:
    table = app.screen.query_one("#help-table")
    return [list(table.get_row_at(i)) for i in range(table.row_count)]


def plain_rows(app: Any) -> list[list[str]]:
    return [[cell.plain if hasattr(cell, "plain") else str(cell) for cell in row] for row in table_rows(app)]


async def open_help(app: Any, pilot: Any) -> None:
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen) and app.screen.query("#help-table"))


async def test_help_lists_the_screens_own_keys_first_grouped_then_generic_keys_collapsed() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        app.set_keymap({"app.pause": "f6"})
        await open_help(app, pilot)
        rows = plain_rows(app)
        groups = list(dict.fromkeys(row[2] for row in rows))
        # Every key this screen, its panes and the app define, by the definition's own words.
        main_scopes = ("app", "views", "ops", "main", "tree", "table", "pane")
        missing = [key.description for _scope, key in keys.iter_keys(main_scopes)
                   if key.description not in {row[1] for row in rows}]
        assert not missing, f"help misses {missing}"
        assert groups[:3] == ["Main screen", "Views of the job", "Job actions"], groups
        assert {"Tree", "Live table (when focused)", "Job pane (when focused)", "Global"} <= set(groups)
        pause = next(row for row in rows if row[1] == "Pause")
        assert pause[0] == "f6" and pause[3] == "app.pause", "help shows the key from the user's keymap"
        # Textual's generic keys: one collapsed row at the end, listed when asked for.
        assert not any(row[2].startswith("Textual:") for row in rows)
        assert rows[-1][2] == "Textual" and rows[-1][1].startswith("Show ")
        own_count = len(rows) - 1
        await pilot.press("a")
        await wait_for(pilot, lambda: len(plain_rows(app)) > own_count)
        expanded = plain_rows(app)
        assert expanded[:own_count] == rows[:own_count], "generic keys come after the app's own"
        assert all(row[2].startswith("Textual:") for row in expanded[own_count:])
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_help_on_a_viewer_lists_that_viewers_keys_and_not_the_main_screens_job_actions() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        app.main_screen.live.focus()
        await wait_for(pilot, lambda: app.current_selection() is not None)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckpointsScreen))
        await open_help(app, pilot)
        rows = plain_rows(app)
        assert rows[0][2] == "Checkpoints", rows[:3]
        descriptions = {row[1] for row in rows}
        assert {"Auto-refresh", "Copy", "Save", "Back", "Reload", "Exceptions"} <= descriptions
        assert "Stop job" not in descriptions  # job actions do not run on a viewer, so they are not listed


async def test_help_in_read_only_lists_the_keys_it_turned_off_and_how_to_allow_changes() -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        await open_help(app, pilot)
        off = [row for row in plain_rows(app) if row[2].startswith("Off in read-only")]
        assert {"Stop job", "Delete job", "Start job"} <= {row[1] for row in off}
        assert "Validate job SQL" not in {row[1] for row in off}
        assert off[0][2] == "Off in read-only (^r or :rw allows changes)"


async def test_keys_from_the_keymap_reach_the_help_only_through_the_door() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        app.set_keymap({"app.pause": "[b]x\x1b[2J\x07"})
        await open_help(app, pilot)
        key_cell = next(row[0] for row in table_rows(app) if str(row[1]) == "Pause")
        assert "\x1b" not in key_cell.plain and "\x07" not in key_cell.plain
        assert "[b]" in key_cell.plain, "the key text is shown as text, not read as markup"


def test_the_key_modules_use_no_private_textual_api() -> None:
    """`node._bindings`, `_merged_bindings`, `app._keymap` ... may change in any Textual release."""
    for path in ("foas_tui/screens/help.py", "foas_tui/keys.py", "foas_tui/keymap_ids.py"):
        text = (ROOT / path).read_text(encoding="utf-8")
        private = re.findall(r"\.(_[a-z]\w*)", text)
        assert not private, f"{path} uses private attributes: {sorted(set(private))}"
