"""Issue 14, findings 3, 5, 6 and 7: numbers that agree, messages that do not mislead, staying in place.

Every test drives the app with Pilot over the emulator's demo data (tests/test_app_support.py).
"""

from __future__ import annotations

import re

from test_app_support import make_app, plain, ready, refreshed, wait_for

from foas_tui.screens.main import MainScreen
from foas_tui.screens.triage import TriageScreen
from foas_tui.widgets.instance_table import row_key

# --- finding 3: numbers that disagree ------------------------------------------------------------------


def status_counts(main: MainScreen) -> tuple[int, int, int]:
    """(jobs, running, need attention) as the status bar prints them."""
    text = plain(main.query_one("#status"))
    jobs = re.search(r"(\d+) jobs", text)
    running = re.search(r"(\d+) running", text)
    attention = re.search(r"(\d+) need attention", text)
    assert jobs and running, text
    return int(jobs[1]), int(running[1]), int(attention[1]) if attention else 0


def table_view(main: MainScreen) -> tuple[int, set[str], set[str]]:
    """(rows, names in RUNNING, names shown in red) as the live table shows them."""
    live = main.live
    running, red = set(), set()
    for job in main.scope_jobs:
        key = row_key(job.key)
        name = live.get_cell(key, "job")
        if live.get_cell(key, "actual").plain == "RUNNING":
            running.add(name.plain)
        if "red" in str(name.style) or any("red" in str(span.style) for span in name.spans):
            red.add(name.plain)
    return live.row_count, running, red


async def test_status_bar_live_table_and_triage_board_agree() -> None:
    """The status bar, the live table and the triage board count the same jobs the same way.

    Before: the status bar counted "running" over every refreshed row (the table's scope plus the jobs
    visible in the tree's other projects: "16 jobs 19 running") and "need attention" as FAILED or
    expected≠actual only, while the board also flags delay, failovers and checkpoints ("1" vs 4).
    """
    app = make_app()
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(pilot)
        main = app.main_screen
        assert main is not None
        project = main.scope_key[0]
        # Another project's folder open in the tree: its jobs are refreshed too (their glyphs are visible).
        other = next(name for name in main.tree.projects if name != project)
        folder = await main.tree.reveal_folder(other, "/features")
        assert folder is not None
        await main.tree.ensure_loaded(folder)
        main.tree.projects[other].expand()
        folder.expand()
        await wait_for(pilot, lambda: any(p == other for p, _j, _t in app.refresher.watched), what="other project")
        await refreshed(pilot)
        assert any(key[0] == other for key in app.refresher.rows)

        # The board reads checkpoints/exceptions the live refresh does not: open it, then come back.
        app.action_triage()
        await wait_for(pilot, lambda: isinstance(app.screen, TriageScreen) and app.screen.report_data is not None,
                       what="the triage board")
        report = app.screen.report_data
        board = {h.summary.job_name for h in report.broken if h.summary.project == project}
        app.pop_screen()
        await refreshed(pilot)
        main.update_status()
        await pilot.pause()

        jobs, running, attention = status_counts(main)
        rows, table_running, table_red = table_view(main)
        assert jobs == rows == len(main.scope_jobs)
        assert running == len(table_running)
        assert board, "the demo has broken jobs in the first project"
        assert table_red == board
        assert attention == len(board)
