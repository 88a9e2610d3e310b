"""The command palette offers only actions the app would run: none of the mutating ones in read-only mode."""

from __future__ import annotations

from test_app_support import make_app, ready, wait_for
from textual.command import CommandPalette

from foas_tui.widgets.palette import ActionsProvider


async def _action_names(main, query: str) -> set[str]:  # noqa: ANN001
    return {str(hit.text) async for hit in ActionsProvider(main).search(query)}


async def test_read_only_palette_offers_no_mutating_actions() -> None:
    app = make_app(read_only=True)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        main = app.main_screen
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
        names = await _action_names(main, "job")
        assert "Validate job SQL" in names  # read-only actions stay
        assert not names & {"Stop job", "Start job", "Pause job", "Delete job", "Commit job", "New job"}
        assert not await _action_names(main, "stop job")


async def test_writable_palette_offers_job_actions() -> None:
    app = make_app()
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        main = app.main_screen
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the palette")
        names = await _action_names(main, "job")
        assert {"Stop job", "Start job", "Validate job SQL"} <= names
