"""Issue 14, findings 3, 5, 6 and 7: numbers that agree, messages that do not mislead, staying in place.

Every test drives the app with Pilot over the emulator's demo data (tests/test_app_support.py).
"""

from __future__ import annotations

import re

import pytest
from test_app_support import make_app, plain, ready, refreshed, wait_for

from foas_tui.api import errors
from foas_tui.app import FoasApp
from foas_tui.screens.checkpoints import CheckpointsScreen
from foas_tui.screens.confirm import ConfirmScreen
from foas_tui.screens.exceptions import ExceptionsScreen
from foas_tui.screens.folders import FolderFormScreen
from foas_tui.screens.main import MainScreen
from foas_tui.screens.metrics import MetricsScreen
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


# --- finding 5: messages that mislead --------------------------------------------------------------------

PROJECT = "realtime_dw"  # the demo's first project (seed 7): the jobs below are in it


def state_of(app: FoasApp, job: str) -> str:
    return app.refresher.rows[(PROJECT, job)].actual_state


async def on_job(pilot, job: str) -> FoasApp:  # noqa: ANN001
    """The app ready, with `job` selected (tree cursor and job pane)."""
    app = await ready(pilot)
    main = app.main_screen
    assert main is not None
    app.select_job(PROJECT, job)
    await wait_for(pilot, lambda: (sel := app.current_selection()) is not None and sel.job_name == job,
                   what=f"job {job} selected")
    return app


def errors_shown(app: FoasApp) -> list[str]:
    return [f"{n.title}: {n.message}" for n in app._notifications if n.severity == "error"]


async def test_views_of_a_job_that_is_not_running_are_neutral_information() -> None:
    """Checkpoints and metrics of a stopped job: what is expected, said plainly; no red error, no toast."""
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await on_job(pilot, "dws_refund_rate_10min")
        assert state_of(app, "dws_refund_rate_10min") == "TERMINATED"
        for key, screen_type, message_id in (("c", CheckpointsScreen, "#checkpoints-message"),
                                            ("m", MetricsScreen, "#metrics-message")):
            await pilot.press(key)
            await wait_for(pilot, lambda t=screen_type: isinstance(app.screen, t), what=key)
            message = app.screen.query_one(message_id)
            await wait_for(pilot, lambda m=message: "not running" in plain(m), what=f"{key}: the note")
            text = plain(message)
            assert "dws_refund_rate_10min is not running (TERMINATED)" in text, text
            assert "Cannot" not in text and "$error" not in str(message.content.markup if hasattr(
                message.content, "markup") else "")
            assert not errors_shown(app), errors_shown(app)
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.main_screen, what="back")


async def test_a_failed_batch_job_shows_no_business_delay() -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await on_job(pilot, "dw_order_backfill_daily")
        assert state_of(app, "dw_order_backfill_daily") == "FAILED"
        main = app.main_screen
        body = main.job_pane.query_one("#overview-body")
        await wait_for(pilot, lambda: "dw_order_backfill_daily" in plain(body) and "Delay" in plain(body),
                       what="the pane's live part")
        delay_line = next(line for line in plain(body).splitlines() if line.strip().startswith("Delay"))
        assert "<1s" not in delay_line and "—" in delay_line, delay_line


async def test_resume_on_a_running_job_does_not_say_resumed() -> None:
    app = make_app()
    app.ops_poll_interval = 0.05
    async with app.run_test(size=(140, 40)) as pilot:
        await on_job(pilot, "dws_gmv_1min")
        assert state_of(app, "dws_gmv_1min") == "RUNNING"
        app.clear_notifications()
        await pilot.press("u")
        await wait_for(pilot, lambda: any("Resume" in n.title for n in app._notifications), what="the outcome")
        note = next(f"{n.title}: {n.message}" for n in app._notifications if "Resume" in n.title)
        assert "already RUNNING" in note and "nothing changed" in note, note
        assert "1 of 1 resumed" not in note, note


async def test_an_auth_failure_flips_the_header_at_once(monkeypatch) -> None:  # noqa: ANN001
    """Any refused call (not only a refresh) turns "● ok" into "✖ auth failed" before the next status tick."""
    from foas_tui.widgets.status_bar import StatusBar

    ticks = []
    show = StatusBar.show
    monkeypatch.setattr(StatusBar, "show", lambda self, *a, **k: (ticks.append(1), show(self, *a, **k))[1])
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        header = app.main_screen.query_one("#header")
        faults = app.session.emulator.faults
        for _attempt in range(3):  # a status tick (once a second) between call and check proves nothing: again
            faults.clear()
            await app.session.client.get_job(PROJECT, "dws_gmv_1min")
            await wait_for(pilot, lambda: "● ok" in plain(header), what="ok")
            faults.set(status=403)  # Forbidden.RAM: the key lost its permissions
            before = len(ticks)
            with pytest.raises(errors.AuthError):
                await app.session.client.get_job(PROJECT, "dws_gmv_1min")
            await wait_for(pilot, lambda: "auth failed" in plain(header), timeout=3, what="the header")
            if len(ticks) == before:
                break  # flipped by the call itself
        else:
            raise AssertionError("the header changed only with the status line's tick, not on the call")
        assert "● ok" not in plain(header)


async def test_a_hanging_call_shows_its_elapsed_time_and_esc_cancels_it(monkeypatch) -> None:  # noqa: ANN001
    from foas_tui.widgets import header as header_module
    from foas_tui.widgets import status_bar

    monkeypatch.setattr(status_bar, "SLOW_CALL_S", 0.3)  # the test need not wait 2 s to call a call slow
    monkeypatch.setattr(header_module, "SLOW_CALL_S", 0.3)
    app = make_app()
    app.session.emulator.faults.set("ListProject", hang_s=60)  # the endpoint takes the call and never answers
    async with app.run_test(size=(140, 40)) as pilot:
        main = app.main_screen
        await wait_for(pilot, lambda: main.query("#status"), what="the main screen")
        status, header = main.query_one("#status"), main.query_one("#header")
        await wait_for(pilot, lambda: "connecting…" in plain(status) and "ListProject" in plain(status),
                       what="the slow call in the status line")
        assert "esc cancels" in plain(status)
        await wait_for(pilot, lambda: re.search(r"connecting… \d+s", plain(header)), what="elapsed in the header")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.session.client.pending, timeout=3, what="the call cancelled")
        assert any("cancelled ListProject" in n.message for n in app._notifications)
        await wait_for(pilot, lambda: "connecting…" not in plain(status), timeout=2, what="the status line")
        assert "● ok" not in plain(header)  # a cancelled call proves nothing about the service
        assert app.is_running
        app.session.emulator.faults.clear()
        await pilot.press("r")  # the operator retries: everything loads
        await ready(pilot)


# --- finding 6: losing your place ------------------------------------------------------------------------


async def cursor_on_folder(pilot, path: str):  # noqa: ANN001, ANN201
    main = pilot.app.main_screen
    node = await main.tree.reveal_folder(PROJECT, path)
    assert node is not None, path
    main.tree.focus_node(node)
    main.tree.focus()
    await wait_for(pilot, lambda: main.tree.cursor_node is node, what=f"the cursor on {path}")
    return node


def cursor_place(main: MainScreen) -> tuple[str, str] | None:
    node = main.tree.cursor_node
    return None if node is None or node.data is None else (node.data.kind, node.data.path)


async def test_after_moving_a_folder_the_tree_cursor_follows_it() -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        main = app.main_screen
        await cursor_on_folder(pilot, "/ods/kafka")
        await pilot.press("M")
        await wait_for(pilot, lambda: isinstance(app.screen, FolderFormScreen), what="the move form")
        app.screen.query_one("#folder-dest").value = "/tmp/kafka"
        await pilot.click("#ops-ok")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        await pilot.click("#ops-ok")
        await wait_for(pilot, lambda: "/tmp/kafka" in app.session.emulator.store.project(PROJECT).folders,
                       what="the move")
        # The reload ends with the cursor on the folder at its new place (its new parent opened).
        await wait_for(pilot, lambda: cursor_place(main) == ("folder", "/tmp/kafka"), timeout=5,
                       what=f"the cursor on /tmp/kafka, not {cursor_place(main)}")
        await pilot.pause(0.2)
        assert cursor_place(main) == ("folder", "/tmp/kafka")


async def test_after_deleting_a_folder_the_cursor_stays_at_its_parent() -> None:
    app = make_app()
    app.session.emulator.store.create_folder(PROJECT, "/dws/trade/scratch")
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        main = app.main_screen
        await cursor_on_folder(pilot, "/dws/trade/scratch")
        await pilot.press("X")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        await pilot.click("#ops-ok")
        await wait_for(pilot, lambda: "/dws/trade/scratch" not in app.session.emulator.store.project(PROJECT).folders,
                       what="the delete")
        await wait_for(pilot, lambda: main.tree.projects_loaded.is_set(), what="the reload")
        await wait_for(pilot, lambda: cursor_place(main) == ("folder", "/dws/trade"), timeout=5,
                       what=f"the cursor on /dws/trade, not {cursor_place(main)}")
        await pilot.pause(0.2)
        assert cursor_place(main) == ("folder", "/dws/trade")


async def test_the_pane_of_a_deleted_job_says_it_was_deleted() -> None:
    app = make_app()
    job = "ods_orders_ingest"  # TERMINATED in the demo; taken offline below so that it can be deleted
    app.session.emulator.store.project(PROJECT).jobs[job].committed = False
    async with app.run_test(size=(140, 40)) as pilot:
        await on_job(pilot, job)
        main = app.main_screen
        body = main.job_pane.query_one("#overview-body")
        await wait_for(pilot, lambda: main.job_pane.detail is not None, what="the job's details")
        await pilot.press("D")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        app.screen.query_one("#ops-confirm-text").value = job
        await pilot.click("#ops-ok")
        await wait_for(pilot, lambda: job not in app.session.emulator.store.project(PROJECT).jobs, what="the delete")
        await wait_for(pilot, lambda: "was deleted" in plain(body), what="the pane saying so")
        await refreshed(pilot)  # a refresh later, it still says so (no stale state comes back)
        text = plain(body)
        assert f"{job} was deleted" in text and "TERMINATED" not in text, text
        assert f"{job} (deleted)" in plain(main.job_pane.query_one("#job-title"))


async def test_a_job_deleted_elsewhere_is_shown_as_deleted_not_as_an_error() -> None:
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        main = app.main_screen
        job = next(j for j in main.scope_jobs if j.job_name == "ods_orders_ingest")
        del app.session.emulator.store.project(PROJECT).jobs[job.job_name]  # the console deleted it meanwhile
        app.select_job(PROJECT, job.job_name)
        body = main.job_pane.query_one("#overview-body")
        await wait_for(pilot, lambda: "was deleted" in plain(body), what="the pane saying it was deleted")
        assert not errors_shown(app), errors_shown(app)


# --- finding 7: rough edges ------------------------------------------------------------------------------


def _luminance(color: tuple[int, int, int]) -> float:
    def channel(value: int) -> float:
        v = value / 255
        return v / 12.92 if v <= 0.03928 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = color
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def contrast(fg: tuple[int, int, int], bg: tuple[int, int, int]) -> float:
    """WCAG 2 contrast ratio (1 = invisible, 21 = black on white; 4.5 is the bar for normal text)."""
    high, low = sorted((_luminance(fg), _luminance(bg)), reverse=True)
    return (high + 0.05) / (low + 0.05)


async def test_the_exceptions_cursor_line_is_readable_on_every_kind_of_line() -> None:
    """The cursor over the orange title and "Caused by" lines was orange on orange (contrast 1.0)."""
    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await on_job(pilot, "ods_payment_ingest")  # failed over: root exception, history, causes
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, ExceptionsScreen) and app.screen.report_data is not None,
                       what="the exceptions")
        view = app.screen.log_view
        view.focus()
        await pilot.pause()
        worst: list[tuple[float, int, str]] = []
        for row in range(min(12, view.virtual_size.height)):
            view.move_cursor(row)
            await pilot.pause()
            for segment in view.render_line(row - int(view.scroll_offset.y)):
                style = segment.style
                if segment.text.strip() and style is not None and style.color and style.bgcolor:
                    ratio = contrast(tuple(style.color.get_truecolor()), tuple(style.bgcolor.get_truecolor()))
                    worst.append((ratio, row, segment.text.strip()[:40]))
        assert worst, "no styled cursor line rendered"
        assert min(worst)[0] >= 4.5, sorted(worst)[:3]


def test_emulator_on_a_busy_port_says_so_in_one_line(capsys) -> None:  # noqa: ANN001
    import socket

    from foas_tui.cli import main as cli_main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        code = cli_main(["emulator", "--port", str(port)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert f"cannot listen on 127.0.0.1:{port}: address already in use" in err and "--port 0" in err, err


async def test_the_palette_finds_a_job_whose_folder_is_not_loaded() -> None:
    from foas_tui.widgets.palette import JobsProvider

    app = make_app()
    async with app.run_test(size=(140, 40)) as pilot:
        await ready(pilot)
        main = app.main_screen
        target = ("risk_control", "risk_sms_flood_detect")  # in /rules of a project nobody opened
        assert target not in main.known_jobs()
        hits = [hit async for hit in JobsProvider(main).search("sms_flood")]
        found = [hit for hit in hits if "risk_sms_flood_detect" in str(hit.match_display)]
        assert found, [str(h.match_display) for h in hits]
        found[0].command()  # enter on the hit: the tree opens its folder and selects it
        await wait_for(pilot, lambda: (sel := app.current_selection()) is not None and sel.key == target,
                       what="the job selected")


async def test_the_palette_says_projects_are_loading_instead_of_finding_nothing(monkeypatch) -> None:  # noqa: ANN001
    from foas_tui.widgets.palette import ProjectsProvider

    app = make_app()
    app.session.emulator.faults.set("ListProject", hang_s=60)
    async with app.run_test(size=(140, 40)) as pilot:
        main = app.main_screen
        await wait_for(pilot, lambda: main.query("#tree") and app.session.client.pending, what="ListProject sent")
        hits = [str(hit.match_display) async for hit in ProjectsProvider(main).search("realtime")]
        assert any("still loading" in hit for hit in hits), hits
        app.session.client.cancel_pending()
