"""The live table's TREND column: delay sparklines fetched by the main screen's own (non-overlapping) timer."""

from __future__ import annotations

from test_app_support import make_app, ready, wait_for

from foas_tui.services.formatting import SPARK_BLOCKS
from foas_tui.widgets.instance_table import row_key


def _trend_cells(app) -> dict[tuple[str, str], str]:  # noqa: ANN001
    live = app.main_screen.live
    return {key: live.get_cell(row_key(key), "trend").plain for key in live._shown}


async def test_trend_cells_get_sparklines_after_the_trend_refresh() -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        main = app.main_screen
        await wait_for(pilot, lambda: main.trends_idle, what="the first trend round")
        running = {job.key for job in main.live.running_stream_jobs()}
        assert running, "the demo data has running stream jobs in the first project"
        cells = _trend_cells(app)
        drawn = {key for key, text in cells.items() if any(ch in SPARK_BLOCKS for ch in text)}
        assert drawn and drawn <= running  # only running jobs get a trend
        assert all(not cells[key].strip() for key in cells if key not in running)
        assert "TREND" in [str(column.label) for column in main.live.columns.values()]


async def test_trend_failure_leaves_the_column_and_the_app_alive() -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        main = app.main_screen
        await wait_for(pilot, lambda: main.trends_idle, what="the first trend round")
        before = _trend_cells(app)

        async def broken(*_args: object, **_kwargs: object) -> object:
            raise RuntimeError("metrics are down")

        main._trend_cache.refresh = broken  # type: ignore[method-assign, union-attr]
        rounds = main.trend_rounds
        main.request_trends()
        await wait_for(pilot, lambda: main.trend_rounds > rounds and main.trends_idle, what="a failed round")
        assert _trend_cells(app) == before
        assert app.is_running


async def test_trend_rounds_never_overlap() -> None:
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        main = app.main_screen
        await wait_for(pilot, lambda: main.trends_idle, what="the first trend round")
        rounds = main.trend_rounds
        for _ in range(5):
            main.request_trends()  # asked again and again while one runs: one more round, then one after it
        await wait_for(pilot, lambda: main.trend_rounds > rounds and main.trends_idle, what="the asked-for rounds")
        assert main.trend_rounds - rounds <= 2
        assert main._trend_timer is not None  # the next regular round is armed


async def test_rows_paged_into_view_get_their_sparklines_at_once_not_next_minute() -> None:
    app = make_app(jobs=1000)  # 347 jobs in the first project: more running jobs than one round fetches
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        main = app.main_screen
        await wait_for(pilot, lambda: main.trends_idle, what="the first trend round")
        live = main.live

        def drawn(keys: set) -> set:  # noqa: ANN001
            cells = _trend_cells(app)
            return {key for key in keys if any(ch in SPARK_BLOCKS for ch in cells[key])}

        top = main._running_on_screen()
        assert top and drawn(top) == top  # the first round served the rows on screen first
        assert len(live.running_stream_jobs()) > main._trend_cache.per_cycle
        live.focus()
        await pilot.press("G")  # the cursor to the last row: other rows on screen, never fetched
        await wait_for(pilot, lambda: not (main._running_on_screen() & top), what="the bottom rows on screen")
        bottom = main._running_on_screen()
        assert bottom
        # No timer is due for a minute (the frozen clock never moves): only the new rows on screen call for it.
        await wait_for(pilot, lambda: drawn(bottom) == bottom, what="sparklines for the rows paged into view")


async def test_a_job_that_starts_off_screen_waits_for_the_minute_round_one_on_screen_does_not() -> None:
    """Every refresh of a big account sees some job start somewhere: that alone must not cost a round of
    GetInstanceMetric calls (issue 16: idle CPU, and calls on the account); a running row on screen without a
    sparkline still gets one at once."""
    from dataclasses import replace

    app = make_app(jobs=1000)
    async with app.run_test(size=(160, 40)) as pilot:
        await ready(pilot)
        main = app.main_screen
        await wait_for(pilot, lambda: main.trends_idle, what="the first trend round")
        live, refresher = main.live, app.refresher
        on_screen = live.viewport_keys()
        idle_stream = [job.key for job in main.scope_jobs if job.job_type != "FLINK_BATCH"
                       and (row := refresher.rows.get(job.key)) is not None and row.actual_state != "RUNNING"]
        off = next(key for key in idle_stream if key not in on_screen)
        on = next(key for key in idle_stream if key in on_screen)
        starts: list[tuple[str, str]] = []  # the job the next refresh reports RUNNING
        refresh_once = refresher.refresh_once

        async def one_job_starts():  # noqa: ANN202
            result = await refresh_once()
            for key in starts:
                result.rows[key] = replace(result.rows[key], actual_state="RUNNING", expect_state="RUNNING")
                result.changed.add(key)
            return result

        refresher.refresh_once = one_job_starts  # type: ignore[method-assign]

        async def refresh_with(key: tuple[str, str]) -> None:
            starts[:] = [key]
            generation = refresher.generation
            app.request_refresh()
            await wait_for(pilot, lambda: refresher.generation > generation and not refresher.running,
                           what="a refresh")
            await wait_for(pilot, lambda: live.rows_data.get(key) is not None
                           and live.rows_data[key].actual_state == "RUNNING", what="the row applied")
            await pilot.pause()

        def metric_calls() -> int:
            return sum(1 for r in app.session.call_log if r.operation == "GetInstanceMetric")

        rounds, calls = main.trend_rounds, metric_calls()
        await refresh_with(off)
        assert main.trends_idle and main.trend_rounds == rounds and metric_calls() == calls, \
            "a job starting off screen started a trend round"
        await refresh_with(on)
        await wait_for(pilot, lambda: main.trend_rounds > rounds and main.trends_idle,
                       what="a trend round for the row on screen")
