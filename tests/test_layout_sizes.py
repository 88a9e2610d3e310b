"""80x24 first: the live table's rows, zoom of any pane, a footer that fits, plots and internals by width."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

from rich.text import Text
from test_app_support import make_app, ready, wait_for
from test_viewers_support import ViewerApp, until

from foas_tui.screens.internals import NAME_MIN, VERTEX_COLUMNS, InternalsScreen, vertex_columns
from foas_tui.screens.metrics import panel_mode
from foas_tui.widgets.key_footer import FooterItem, KeyFooter, fit


def screen_text(app: Any) -> str:
    """What the terminal shows, as plain text (from the SVG screenshot: no private API)."""
    svg = app.export_screenshot()
    return unescape(re.sub(r"<[^>]+>", "", " ".join(re.findall(r"<text[^>]*>[^<]*</text>", svg))))


async def test_the_live_table_shows_at_least_15_rows_at_80x24() -> None:
    app = make_app()  # 64 demo jobs: the first project has 16
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        main = app.main_screen
        live = main.live
        assert main.focused is main.tree, "the tree keeps the focus at start"
        rows_visible = live.body_height
        assert rows_visible >= 15, f"only {rows_visible} rows of the live table fit at 80x24"
        shown = screen_text(app)
        names = [job.job_name for job in main.scope_jobs]
        on_screen = [name for name in names if name in shown]
        assert len(on_screen) >= 15, f"{len(on_screen)} of {len(names)} jobs on screen: {on_screen}"
        # The tree stays beside the table, every project in view.
        assert main.tree.region.right <= live.region.x and live.region.height >= 18
        # In the table, the tree gives way: the state, delay and trend columns are in view.
        await pilot.press("tab")
        await wait_for(pilot, lambda: live.region.x == 0 and live.region.width == 80, what="full-width table")
        assert {"ACTUAL", "EXPECTED", "DELAY", "TREND"} <= set(screen_text(app).split())
        # The job pane takes the table's place while it has the focus; Esc goes back.
        await pilot.press("tab")
        await wait_for(pilot, lambda: main.job_pane.region.width > 40 and not live.display, what="the job pane")
        await pilot.press("escape")
        await wait_for(pilot, lambda: live.display and live.region.height >= 18, what="the table again")


async def test_the_wide_layout_is_unchanged_at_120x36() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        main = app.main_screen
        assert not main.has_class("-short")
        assert main.job_pane.region.y == main.tree.region.y and main.live.region.y > main.tree.region.bottom - 1
        assert main.live.region.width == 120


async def test_z_zooms_the_focused_pane_and_z_or_escape_comes_back() -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        main = app.main_screen
        await pilot.press("z")
        assert main.maximized is main.tree and main.tree.region.width == 80
        assert main.live.region.area == 0 or not main.live.display or main.live not in main.visible_widgets
        assert "Help" in screen_text(app), "the footer stays under a zoomed pane"
        await pilot.press("z")
        assert main.maximized is None and main.tree.region.width < 80
        await pilot.press("tab", "z")  # the live table
        assert main.maximized is main.live and main.live.region.height >= 20
        await pilot.press("escape")
        assert main.maximized is None and main.focused is main.live, "esc leaves the zoom before going back"
        await pilot.press("tab", "z")  # the job pane, a container
        assert main.maximized is main.job_pane and main.job_pane.region.width == 80
        await pilot.press("shift+tab")  # another pane: the zoom ends, as in tmux
        await wait_for(pilot, lambda: main.maximized is None, what="the zoom to end")


async def test_z_zooms_a_viewer_log() -> None:
    from foas_tui.screens.exceptions import ExceptionsScreen

    app = make_app(16)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        store = app.session.emulator.store
        project, job = next((p, n) for p in sorted(store.projects) for n, j in sorted(store.projects[p].jobs.items())
                            if j.scenario == "failing" and j.job_type != "FLINK_BATCH")
        from foas_tui.services.selection import Selection

        screen = ExceptionsScreen(Selection(project, job, "FLINK_STREAM"))
        await app.push_screen(screen)
        await wait_for(pilot, lambda: screen.report_data is not None, what="the exceptions")
        await pilot.press("z")
        assert screen.maximized is not None and screen.maximized.region.width == 80
        await pilot.press("escape")
        assert screen.maximized is None and app.screen is screen, "esc first leaves the zoom, then the screen"


def test_footer_fit_keeps_whole_items_in_order() -> None:
    items = [FooterItem("?", "Help", True), FooterItem(":", "Command", True), FooterItem("e", "Exceptions", True),
             FooterItem("q", "Quit", True)]
    kept = fit(items, 25)
    assert [i.key for i in kept] == ["?", ":", "q"]  # "e Exceptions" does not fit whole; "q Quit" still does
    assert sum(Text(f" {i.key} {i.description}").cell_len for i in kept) <= 25


async def test_the_footer_fits_and_ranks_at_80_and_120_columns() -> None:
    for width, must in ((80, ["? Help", ": Command", "/ Filter", "z Zoom", "t Triage"]),
                        (120, ["? Help", ": Command", "/ Filter", "z Zoom", "t Triage", "e Exceptions",
                               "c Checkpoints", "m Metrics", "i Internals"])):
        app = make_app(16)
        async with app.run_test(size=(width, 30)) as pilot:
            await ready(pilot)
            footer = app.main_screen.query_one(KeyFooter)
            line = footer.render().plain
            assert Text(line).cell_len <= width, line
            assert line.startswith(" ? Help"), line
            for item in must:
                assert item in line, f"{item!r} missing at {width} columns: {line!r}"
            assert footer.region.width == width


def test_plots_fall_back_to_text_lines_when_they_cannot_fit() -> None:
    assert panel_mode(49, 8) == "lines"  # a job pane's metrics tab at 80x24
    assert panel_mode(78, 18) == "grid"  # the metrics screen at 80x24
    assert panel_mode(40, 40) == "column"
    assert panel_mode(200, 10) == "row"


async def test_the_job_pane_metrics_tab_at_80x24_is_text_not_garbled_plots() -> None:
    from textual.widgets import Static

    from foas_tui.screens.metrics import MetricsPanel

    app = make_app(16)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        pane = app.main_screen.job_pane
        store = app.session.emulator.store
        project, job = next((p, n) for p in sorted(store.projects) for n, j in sorted(store.projects[p].jobs.items())
                            if j.scenario == "lagging" and j.job_type != "FLINK_BATCH")
        app.select_job(project, job)
        await wait_for(pilot, lambda: pane.job is not None and pane.job.job_name == job and pane.detail is not None
                       and pane.run is not None, what="the job pane")
        pane.focus_content()
        for _ in range(4):
            await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: pane.metric_set is not None, what="the metrics")
        panel = pane.query_one(MetricsPanel)
        await wait_for(pilot, lambda: panel.mode == "lines", what="text lines")
        lines = str(panel.query_one(".metrics-lines", Static).render())
        assert "Delay" in lines and "Input TPS" in lines and "Failover rate" in lines
        await pilot.press("z")  # zoomed, the plots have room again
        await wait_for(pilot, lambda: panel.mode == "grid", what="plots when zoomed")


def test_vertex_columns_fit_the_width_and_keep_the_important_ones() -> None:
    # One cell per VERTEX_COLUMNS entry: #, backpressure, in/out queue, name, status, watermark, late/s,
    # in/out TPS, parallelism, tasks, received, sent, TPS, delay, duration.
    rows = [[Text("1"), Text("BOTTLENECK"), Text("100%"), Text("12%"),
             Text("Source: DatahubTableSource-datahub_orders_src-Stream (+3 chained)"), Text("RUNNING"),
             Text("2m 3s"), Text("0.0"), Text("8.5k/s"), Text("8.4k/s"), Text("1"), Text("1/1"),
             Text("123456789"), Text("123456789"), Text("8.5k/s"), Text("866ms"), Text("5h 55m")]]
    assert len(rows[0]) == len(VERTEX_COLUMNS)
    for width in (77, 117, 197):
        columns = vertex_columns(rows, width)
        keys = [key for key, _, _ in columns]
        assert sum(w + 2 for _, _, w in columns) <= width
        assert "name" in keys and dict((k, w) for k, _, w in columns)["name"] >= NAME_MIN
        assert {"pressure", "in_queue", "out_queue", "status"} <= set(keys), (width, keys)
        assert keys == [key for key, _ in VERTEX_COLUMNS if key in keys], "table order is kept"
    assert {"tasks", "tps", "delay"} <= {key for key, _, _ in vertex_columns(rows, 117)}
    assert [key for key, _, _ in vertex_columns(rows, 260)] == [key for key, _ in VERTEX_COLUMNS]


async def test_internals_vertices_are_not_cut_at_80_columns() -> None:
    from textual.widgets import DataTable

    app = ViewerApp(jobs=16)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = InternalsScreen(app.scenario_job("running"))
        await app.push_screen(screen)
        await until(pilot, lambda: len(screen.loaded) == 5)
        table = screen.query_one("#vertices-table", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width, "columns run off the right edge"
        assert {"Backpressure", "In queue", "Status"} <= {str(c.label) for c in table.columns.values()}


async def test_the_triage_board_fits_80_columns_and_names_stay_readable() -> None:
    from textual.widgets import DataTable

    from foas_tui.screens.triage import TriageScreen

    app = ViewerApp(jobs=16)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = TriageScreen()
        screen.auto_refresh = False
        await app.push_screen(screen)
        await until(pilot, lambda: screen.report_data is not None and screen.report_data.broken)
        await pilot.pause()
        table = screen.query_one("#triage-table", DataTable)
        assert table.virtual_size.width <= table.scrollable_content_region.width, "columns run off the right edge"
        shown = screen_text(app)
        for row in screen.report_data.broken[:5]:
            # Long names are cut with an ellipsis, never to a stub like "iot" (what auto width left on screen).
            assert row.summary.job_name[:12] in shown, (row.summary.job_name, shown)


async def test_every_field_of_the_start_form_can_be_reached_at_80x24() -> None:
    """The form scrolls: each field, once focused, is inside the visible part of the form (it was clipped:
    the start offset field, the checkpoint settings and the parameters could not be reached)."""
    from textual.widgets import Input, RadioSet, Select, TextArea

    from foas_tui.screens.start_job import StartJobScreen

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        main = app.main_screen
        main.live.focus()
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StartJobScreen), what="the start form")
        form = app.screen
        body = form.query_one(".ops-body")
        fields = [w for w in body.query("*") if isinstance(w, Input | RadioSet | Select | TextArea)]
        assert any(w.id == "start-offset" for w in fields) and len(fields) >= 5
        for field in fields:
            field.focus()
            await pilot.pause()
            # its top-left cell is inside the visible part of the form's body
            await wait_for(pilot, lambda field=field: body.region.contains(field.region.x, field.region.y),
                           what=f"{field.id} scrolled into view")
