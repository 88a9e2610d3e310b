"""The `/` filter language in the app: the live jobs table and the triage board filter with it; bad input is a
sentence under the prompt (no crash) and the last filter that could be read stays applied."""

from __future__ import annotations

import pytest
from test_app_support import make_app, ready, wait_for
from test_viewers_support import ViewerApp, until, utc  # noqa: F401  (utc is a fixture)
from textual.widgets import DataTable

from foas_tui.screens.triage import TriageScreen
from foas_tui.widgets.filter_bar import FilterBar, FilterHint
from foas_tui.widgets.instance_table import InstanceTable


def shown_jobs(table: InstanceTable) -> list[str]:
    return [table.get_row_at(i)[1].plain for i in range(table.row_count)]


async def type_filter(pilot, text: str) -> None:  # noqa: ANN001
    await pilot.press("slash")
    bar = pilot.app.screen.query_one(FilterBar)
    bar.value = ""
    await pilot.press(*text)


async def test_live_table_filters_by_fields_and_comparisons() -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        main = app.main_screen
        live = main.live
        store = app.session.emulator.store
        project = next(p for p in sorted(store.projects)
                       if {"lagging", "failing"} <= {j.scenario for j in store.projects[p].jobs.values()})
        main.select_project(project)
        await wait_for(pilot, lambda: live.jobs and all(k[0] == project for k in live.jobs), what="project scope")
        await wait_for(pilot, lambda: all(k in live.rows_data for k in live.jobs), what="run rows")
        rows = {key[1]: row for key, row in live.rows_data.items() if key in live.jobs}
        total = live.row_count
        expected_failed = sorted(n for n, r in rows.items() if r.actual_state == "FAILED")
        expected_batch = sorted(n for n, j in ((k[1], j) for k, j in live.jobs.items())
                                if (rows.get(n) and rows[n].job_type == "FLINK_BATCH") or j.job_type == "FLINK_BATCH")
        delayed = sorted(n for n, r in rows.items()
                         if r.actual_state == "RUNNING" and r.input_delay is not None and r.input_delay > 60_000)
        assert expected_failed and expected_batch and delayed, "the demo scope should hold each case"
        await pilot.press("tab")
        await type_filter(pilot, "state:failed")
        assert sorted(shown_jobs(live)) == expected_failed
        await type_filter(pilot, "type:batch")
        assert sorted(shown_jobs(live)) == expected_batch
        await type_filter(pilot, "delay>1m")
        assert sorted(shown_jobs(live)) == delayed
        await type_filter(pilot, "!running")
        assert all(rows[n].actual_state != "RUNNING" and rows[n].expect_state != "RUNNING" for n in shown_jobs(live))
        await type_filter(pilot, "state:failed | delay>1m")
        assert sorted(shown_jobs(live)) == sorted(set(expected_failed) | set(delayed))
        # A bad filter: a sentence under the prompt, no crash, the last good filter still applied.
        main.query_one(FilterBar).value = "state:failed | colour:red"  # as a paste: one change
        await pilot.pause()
        hint = main.query_one(FilterHint)
        assert hint.display and "unknown field 'colour'" in str(hint.render())
        assert main.query_one(FilterBar).has_class("-error")
        assert sorted(shown_jobs(live)) == sorted(set(expected_failed) | set(delayed))  # the last good one
        await pilot.press("enter")  # Enter on a bad filter: the prompt goes back to the filter that applies
        assert not hint.display and live.filter_text.startswith("state:failed")
        await pilot.press("escape")  # Esc on the table clears it
        assert live.row_count == total


@pytest.mark.usefixtures("utc")
async def test_triage_board_filters_with_the_same_language() -> None:
    app = ViewerApp()
    async with app.run_test(size=(140, 40)) as pilot:
        screen = TriageScreen(show_all=True)
        await app.push_screen(screen)
        await until(pilot, lambda: screen.report_data is not None)
        report = screen.report_data
        assert report is not None
        table = screen.query_one("#triage-table", DataTable)
        assert table.row_count == len(report.rows)
        critical = sorted(r.summary.job_name for r in report.rows if any(f.severity == "P0" for f in r.findings))
        delayed = sorted(r.summary.job_name for r in report.rows
                         if r.summary.alive and (r.summary.input_delay_ms or 0) > 180_000)
        assert critical and delayed
        await pilot.press("slash", *"severity:critical")
        assert sorted(table.get_row_at(i)[3].plain for i in range(table.row_count)) == critical
        screen.query_one(FilterBar).value = ""
        await pilot.press(*"delay>3m type:stream")
        assert sorted(table.get_row_at(i)[3].plain for i in range(table.row_count)) == delayed
        screen.query_one(FilterBar).value = ""
        await pilot.press(*"health<")  # half typed: a sentence, and the board keeps the last filter
        hint = screen.query_one(FilterHint)
        assert hint.display and "health< needs a value" in str(hint.render())
        await pilot.press("6", "0")
        assert not hint.display
        assert all(int(table.get_row_at(i)[1].plain) < 60 for i in range(table.row_count))
        await pilot.press("enter", "escape")  # Esc on the board clears the filter first, then leaves
        assert app.screen is screen and table.row_count == len(report.rows)
        await pilot.press("escape")
        assert app.screen is not screen


async def test_palette_takes_field_filters_and_says_what_is_wrong() -> None:
    from foas_tui.widgets.palette import JobsProvider

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        main = app.main_screen
        live = main.live
        await wait_for(pilot, lambda: live.jobs and all(k in live.rows_data for k in live.jobs), what="run rows")
        failed = sorted(k[1] for k, row in app.refresher.rows.items() if row.actual_state == "FAILED")
        assert failed
        provider = JobsProvider(main)
        hits = [hit async for hit in provider.search("state:failed")]
        assert sorted(str(h.match_display).split()[1] for h in hits) == failed
        assert all("FAILED" in str(h.match_display) for h in hits)
        hits = [hit async for hit in provider.search("state:failed delay>1x")]
        assert len(hits) == 1 and "delay is a duration" in str(hits[0].match_display)
        hits[0].command()  # selecting the error line does nothing (and does not raise)
        hits = [hit async for hit in provider.search(failed[0][:6])]  # plain words stay fuzzy
        assert any(failed[0] in str(h.match_display) for h in hits)


@pytest.mark.usefixtures("utc")
async def test_board_over_two_profiles_labels_rows_and_opens_them_with_their_client() -> None:
    from foas_tui.emulator import EmulatorConfig, create_app, demo_client
    from foas_tui.screens.checkpoints import CheckpointsScreen
    from foas_tui.screens.exceptions import ExceptionsScreen
    from foas_tui.services.triage_gather import TriageScope

    app = ViewerApp()
    other = create_app(EmulatorConfig(jobs=24, seed=11, clock=app.fake_clock, region_id="cn-shanghai"))
    sh_client = demo_client(other, retries=0)
    scopes = [TriageScope("prod-hz", "cn-hangzhou", app.session.client), TriageScope("prod-sh", "cn-shanghai",
                                                                                   sh_client)]
    async with app.run_test(size=(160, 40)) as pilot:
        screen = TriageScreen(scopes=scopes)
        await app.push_screen(screen)
        await until(pilot, lambda: screen.report_data is not None)
        report = screen.report_data
        assert report is not None and {r.summary.profile for r in report.broken} == {"prod-hz", "prod-sh"}
        table = screen.query_one("#triage-table", DataTable)
        assert [str(c.label) for c in table.columns.values()][2] == "Profile@region"
        await pilot.press("slash", *"profile:prod-sh")
        await pilot.press("enter")
        shown = [table.get_row_at(i)[2].plain for i in range(table.row_count)]
        assert shown and set(shown) == {"prod-sh@cn-shanghai"}
        await pilot.press("enter")  # a Shanghai job's exceptions, read with the Shanghai client
        await until(pilot, lambda: isinstance(app.screen, ExceptionsScreen))
        assert app.screen.client is sh_client  # type: ignore[attr-defined]
        await pilot.press("c")  # hopping keeps the job's profile
        await until(pilot, lambda: isinstance(app.screen, CheckpointsScreen))
        assert app.screen.client is sh_client  # type: ignore[attr-defined]
        await pilot.press("escape")
        assert app.screen is screen
        await pilot.press("g")  # the main screen shows another profile: said, not done
        assert app.selected == []
