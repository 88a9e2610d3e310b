"""A load that lands after the operator made a choice never overrides it (issue 13: the lost jump).

Each test holds a load back with a gate, lets the operator act, then lets the load land: the order of
events is forced, not left to the scheduler.
"""

from __future__ import annotations

from test_app_support import Gate, make_app, rows_held, wait_for


async def test_a_jump_before_the_first_table_load_survives_the_load() -> None:
    async with rows_held() as (app, pilot, held):
        main = app.main_screen
        assert main.live.row_count == 0, "the scope load is held back"
        target = ("realtime_dw", "dws_gmv_1min")
        app.select_job(*target)
        pane = main.job_pane
        await wait_for(pilot, lambda: pane.job is not None and pane.job.key == target, what="the jump")

        shown: list[tuple[str, str]] = []  # every job the pane is asked to show from now on
        show_job = pane.show_job

        def recording_show_job(job, *args, **kwargs):
            shown.append(job.key)
            return show_job(job, *args, **kwargs)

        pane.show_job = recording_show_job
        held.release()  # now the first project's jobs arrive, with their first row under the cursor
        await wait_for(pilot, lambda: main.live.row_count > 1, what="the table's rows")
        await wait_for(pilot, lambda: main.live.cursor_job_key() == target, what="the table's cursor on the jump")
        await pilot.pause()
        assert pane.job is not None and pane.job.key == target, "the late load replaced the operator's jump"
        # Not even for a moment: the first row the load put under the table's cursor never reached the pane.
        assert set(shown) <= {target}, f"the late load showed {shown} in the pane after the jump"
        assert app.current_selection().job_name == target[1]


async def test_with_nothing_picked_the_pane_follows_the_first_row() -> None:
    async with rows_held() as (app, pilot, held):
        main = app.main_screen
        held.release()
        await wait_for(pilot, lambda: main.live.row_count > 1, what="the table's rows")
        first = main.live.cursor_job_key()
        await wait_for(pilot, lambda: main.job_pane.job is not None and main.job_pane.job.key == first,
                       what="the pane on the first row")


async def test_moving_in_the_tree_while_a_reload_is_loading_folders_keeps_the_new_place() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        main = app.main_screen
        tree = main.tree
        await wait_for(pilot, lambda: tree.projects_loaded.is_set() and main.live.row_count, what="the first load")
        # The cursor on a job inside a folder of the second project, whose folders a reload must load again.
        second = list(tree.projects)[1]
        store_jobs = app.session.emulator.store.projects[second].jobs
        name = sorted(store_jobs)[0]
        app.select_job(second, name)
        await wait_for(pilot, lambda: tree.cursor_node is not None and tree.cursor_node.data.job is not None
                       and tree.cursor_node.data.job.key == (second, name), what="the cursor on the job")

        held = Gate(app.session, "folder_contents", lambda project, *a, **k: project == second)
        tree.focus()
        await pilot.press("r")  # reload: the cursor should come back to the job once its folder loads again
        await wait_for(pilot, lambda: tree.projects_loaded.is_set() and tree.cursor_node is not None,
                       what="the reloaded projects")
        start = tree.cursor_line
        # Meanwhile the cursor waits on the job's project (its nearest loaded place); below it is only the
        # "loading…" line the late load replaces, so the operator moves up, to a node that stays.
        assert tree.cursor_node is tree.projects[second]
        await pilot.press("up")  # the operator moves on before the folders arrive
        await wait_for(pilot, lambda: tree.cursor_line == start - 1, what="the cursor one line up")
        chosen = tree.cursor_node
        held.release()
        await wait_for(pilot, lambda: (second, name) in tree.job_nodes, what="the folder loaded again")
        await pilot.pause()
        assert tree.cursor_node is chosen, "the late folder load pulled the cursor back to the old place"


async def test_a_jump_to_a_job_of_another_project_moves_the_live_table_there() -> None:
    """After `:job` / `g` to a job outside the table's scope, the table lists the job's folder with the job
    under its cursor (found in an 80x24 round: the table stayed on the first project)."""
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        main = app.main_screen
        await wait_for(pilot, lambda: main.tree.projects_loaded.is_set() and main.live.row_count > 1, what="the load")
        first = main.scope_key[0]
        store = app.session.emulator.store
        project = next(name for name in sorted(store.projects) if name != first)
        job = sorted(store.projects[project].jobs)[0]
        app.select_job(project, job)
        await wait_for(pilot, lambda: main.live.cursor_job_key() == (project, job), what="the job in the live table")
        assert main.scope_key[0] == project
        assert main.job_pane.job is not None and main.job_pane.job.key == (project, job)
