"""The job pane: overview with the live run summary, SQL code, properties, and the paged instance history."""

from __future__ import annotations

import pytest
from test_app_support import make_app, plain, wait_for

from foas_tui.widgets import job_pane


async def _restart(app, project: str, job: str, times: int) -> None:
    """Stop and start a job `times` times, so it has archived instances (history)."""
    client, clock = app.session.client, app.session.emulator.clock
    for _ in range(times):
        current = (await client.get_instance_run_summary(project, job, -1)).run_summary
        await client.modify_instance_state(project, job, current.id, "TERMINATED")
        clock.advance(30)
        await client.start_job(project, job)
        clock.advance(30)


async def test_tabs_show_code_properties_and_paged_instances(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(job_pane, "INSTANCE_PAGE", 1)  # one instance per page: paging with a small demo
    app = make_app()
    project, job = "realtime_dw", "dws_gmv_1min"
    # the demo's own earlier runs of this job (archived), then 2 more by restarting it: 1 current + archived
    earlier = len(app.session.emulator.store.job(project, job).instance_ids) - 1
    await _restart(app, project, job, 2)
    total = 1 + earlier + 2
    async with app.run_test(size=(80, 24)) as pilot:
        main = app.main_screen
        await wait_for(pilot, lambda: main.query("#tree") and main.tree.projects_loaded.is_set())
        app.select_job(project, job)
        pane = main.job_pane
        await wait_for(pilot, lambda: pane.job is not None and pane.job.job_name == job and pane.detail is not None,
                       what="the job")
        await wait_for(pilot, lambda: pane.run is not None, what="its run summary")
        # At 80x24 the pane shows when it has the focus; its overview is drawn then (not while hidden).
        pane.focus_content()
        await wait_for(pilot, lambda: "RUNNING" in plain(pane.query_one("#overview-body")), what="the overview")
        overview = plain(pane.query_one("#overview-body"))
        assert "RUNNING" in overview and job in overview
        await pilot.press("right_square_bracket")
        assert pane.active_tab == "code"
        code = pane.query_one("#code-view", job_pane.CodeView).text
        assert code and ("INSERT" in code.upper() or "SELECT" in code.upper())
        await pilot.press("right_square_bracket")
        assert pane.active_tab == "properties"
        await pilot.press("right_square_bracket")
        assert pane.active_tab == "instances"
        table = pane.query_one("#instances-table")
        await wait_for(pilot, lambda: table.row_count == 2, what="current + first archived page")
        assert f"2 of {total}" in str(table.border_subtitle) and "+ for more" in str(table.border_subtitle)
        for rows in range(3, total + 1):
            await pilot.press("plus")
            await wait_for(pilot, lambda rows=rows: table.row_count == rows, what="the next page")
        assert f"{total} of {total}" in str(table.border_subtitle)
        await pilot.press("plus")
        await wait_for(pilot, lambda: any("all instances" in n.message for n in app._notifications))
        ids = [int(str(table.get_row_at(i)[0])) for i in range(total)]
        assert ids[0] == max(ids), "the current instance first"
