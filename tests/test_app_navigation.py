"""Driving the main screen with keys only: tree, drill-down and back, panes, filters, `:` jumps, help, palette."""

from __future__ import annotations

from test_app_support import make_app, notifications, paste, ready, wait_for
from textual.command import CommandList, CommandPalette

from foas_tui.app import FoasApp
from foas_tui.screens.command_log import CommandLogScreen
from foas_tui.screens.main import MainScreen
from foas_tui.widgets.instance_table import InstanceTable
from foas_tui.widgets.palette import ActionsProvider, JobsProvider


def _tree_lines(app: FoasApp) -> list[str]:
    tree = app.main_screen.tree
    nodes = (tree.get_node_at_line(y) for y in range(tree.last_line + 1))
    return [str(node.label) for node in nodes if node is not None]


def _cursor_label(app: FoasApp) -> str:
    node = app.main_screen.tree.cursor_node
    return str(node.label) if node is not None else ""


def _table_jobs(table: InstanceTable) -> list[str]:
    return [table.get_row_at(i)[1].plain for i in range(table.row_count)]


async def test_keys_move_open_drill_down_and_back() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        main = app.main_screen
        assert app.focused is main.tree
        first_project = next(iter(main.tree.projects))
        assert _cursor_label(app).startswith(first_project)
        # The first project opens on the first run and its folders are listed.
        await wait_for(pilot, lambda: len(_tree_lines(app)) > len(main.tree.projects), what="folders")
        await pilot.press("j")
        for _ in range(20):  # open folders (l) until one has jobs; close the others (h) and go on (j)
            folder = main.tree.cursor_node
            assert folder.data.kind == "folder"
            await pilot.press("l")  # open: ListChildFolder + ListJob by folderId
            await wait_for(pilot, lambda: folder.data.loaded, what="folder contents")  # noqa: B023
            if folder.data.job_count:
                break
            await pilot.press("h", "j")
        await wait_for(pilot, lambda: main.scope_key == (first_project, folder.data.path), what="folder scope")
        await pilot.press("l")  # into the folder
        for _ in range(50):
            if main.tree.cursor_node.data.kind == "job":
                break
            await pilot.press("j")
        job = main.tree.cursor_node.data.job
        await pilot.press("enter")  # drill down into the job pane
        await wait_for(pilot, lambda: main.job_pane.job is not None and main.job_pane.job.key == job.key)
        assert app.focused is not None and main.job_pane in app.focused.ancestors_with_self
        selection = app.current_selection()
        assert selection is not None and selection.job_name == job.job_name and selection.folder_path == \
            folder.data.path
        await pilot.press("escape")  # back where we came from
        assert app.focused is main.tree
        await pilot.press("h")  # to the parent folder
        assert main.tree.cursor_node is folder
        await pilot.press("h")  # close it
        assert not folder.is_expanded


async def test_tab_cycles_the_panes_and_enter_on_a_table_row_drills_down() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        main = app.main_screen
        await pilot.press("tab")
        assert app.focused is main.live
        await pilot.press("tab")
        assert main.job_pane in app.focused.ancestors_with_self
        await pilot.press("tab")
        assert app.focused is main.tree
        await pilot.press("shift+tab", "shift+tab")
        assert app.focused is main.live
        await pilot.press("j", "j")
        key = main.live.cursor_job_key()
        assert key is not None and main.live.cursor_row == 2
        await pilot.press("enter")
        await wait_for(pilot, lambda: main.job_pane.job is not None and main.job_pane.job.key == key)
        assert main.job_pane in app.focused.ancestors_with_self
        await pilot.press("escape")
        assert app.focused is main.live and main.live.cursor_job_key() == key
        # Space marks rows for bulk actions (and moves on); selected_jobs() returns the marked ones.
        assert [s.job_name for s in app.selected_jobs()] == [key[1]]
        await pilot.press("space", "space")
        marked = app.selected_jobs()
        assert len(marked) == 2 and marked[0].job_name == key[1]
        assert "2 marked" in str(main.live.border_title)


async def test_tree_filter_shows_matches_with_their_folders_and_esc_clears() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        main = app.main_screen
        # Load every folder of the first project, so there is something to search.
        queue = [next(iter(main.tree.projects.values()))]
        while queue:
            node = queue.pop()
            await main.tree.ensure_loaded(node)
            queue += [c for c in node.children if c.data.kind == "folder"]
        await pilot.pause()
        names = [k[1] for k in main.tree.job_nodes]
        needle = next(n for n in names if "gmv" in n.lower())
        await pilot.press("slash", *"GMV")  # case does not matter
        lines = _tree_lines(app)
        jobs_shown = [line for line in lines if any(line.endswith(n) or f" {n}" in line for n in names)]
        assert jobs_shown and all("gmv" in line.lower() for line in jobs_shown)
        assert any(needle in line for line in lines)
        assert main.tree.filter_text == "GMV"
        await pilot.press("enter")  # keep the filter, back in the tree
        assert app.focused is main.tree and main.tree.filter_text == "GMV"
        await pilot.press("slash", "home", "!")  # the prompt keeps the text: make it "!GMV", everything but
        lines = _tree_lines(app)
        assert not any("gmv" in line.lower() for line in lines)
        await pilot.press("escape")  # Esc in the prompt clears the filter
        assert main.tree.matcher is None
        assert len(_tree_lines(app)) > len(main.tree.projects)


async def test_table_filter_and_inverse_filter() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        main = app.main_screen
        total = main.live.row_count
        await pilot.press("tab", "slash", *"dws")
        rows = _table_jobs(main.live)
        assert rows and len(rows) < total and all("dws" in r for r in rows)
        assert "/dws" in str(main.live.border_title)
        await pilot.press("enter")
        assert app.focused is main.live
        await pilot.press("slash", "home", "!")
        rows = _table_jobs(main.live)
        assert rows and not any("dws" in r for r in rows)
        await pilot.press("enter", "escape")  # Esc on the table clears its filter
        assert main.live.row_count == total


async def test_colon_jumps_to_a_job_in_a_folder_that_was_never_opened() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        main = app.main_screen
        projects = list(main.tree.projects)
        target_project = projects[-1]  # never opened
        jobs = await app.session.project_jobs(target_project)
        target = next(j for j in jobs if j.folder_id is not None)
        await pilot.press("colon", "j", "space")  # :j is :job
        await paste(pilot, target.job_name)
        await pilot.press("enter")
        await wait_for(pilot, lambda: (node := main.tree.cursor_node) is not None and node.data.job is not None
                       and node.data.job.key == target.key, what="the tree cursor on the job")
        assert app.focused is main.tree
        selection = app.current_selection()
        assert selection is not None and (selection.project, selection.job_name) == target.key
        await wait_for(pilot, lambda: main.job_pane.job is not None and main.job_pane.job.key == target.key)
        # :project switches the live table; unknown commands say so; :log opens the command log.
        await pilot.press("colon", "p", "space")  # :p is :project
        await paste(pilot, target_project)
        await pilot.press("enter")
        await wait_for(pilot, lambda: main.live.scope_label == target_project, what="the project in the table")
        await pilot.press("colon", *"zz", "enter")
        assert any("unknown command" in n.message for n in app._notifications)
        await pilot.press("colon", *"log", "enter")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "CommandLogScreen")
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        # :f PATH opens a folder of the current project (loading the folders on the way).
        folder_path = main.tree.job_nodes[target.key].data.path
        await pilot.press("colon", "f", "space")
        await paste(pilot, folder_path)
        await pilot.press("enter")
        await wait_for(pilot, lambda: (node := main.tree.cursor_node) is not None and node.data.kind == "folder"
                       and node.data.path == folder_path, what="the folder")
        await pilot.press("colon", "q", "enter")
        await wait_for(pilot, lambda: not app.is_running, what=":q to quit")


async def test_palette_runs_actions_and_its_job_provider_selects_jobs() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        main = app.main_screen
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"log")
        commands = app.screen.query_one(CommandList)
        await wait_for(pilot, lambda: commands.option_count and str(
            commands.get_option_at_index(commands.highlighted or 0).prompt).lower().startswith(("log", "command log")),
            what="the palette's best match")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandLogScreen), what="the palette to open the log")
        await pilot.press("escape")
        target = main.scope_jobs[-1]
        provider = JobsProvider(main)
        hits = [hit async for hit in provider.search(target.job_name)]
        assert hits and target.job_name in str(hits[0].match_display)
        best = max(hits, key=lambda hit: hit.score)
        best.command()  # what Enter on the hit runs
        await wait_for(pilot, lambda: main.job_pane.job is not None and main.job_pane.job.key == target.key)
        actions = [hit async for hit in ActionsProvider(main).search("pause")]
        assert any("Pause" in str(hit.match_display) for hit in actions)


async def test_y_copies_the_job_name_and_Y_its_instance_ids() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        main = app.main_screen
        await pilot.press("tab", "tab")  # the live table
        job = main.live.cursor_job()
        await wait_for(pilot, lambda: main._current_job is not None and main._current_job.key == job.key)
        await pilot.press("y")
        assert app.clipboard == f"{job.project}/{job.job_name}"
        await pilot.press("Y")
        row = app.refresher.rows[job.key]
        assert app.clipboard.startswith(f"job: {job.project}/{job.job_name}\n")
        assert f"instance: {row.instance_id}" in app.clipboard and row.engine_job_handler in app.clipboard
        await wait_for(pilot, lambda: any("copied" in n for n in notifications(app)), what="the copy note")
