"""The job pane's Metrics tab: plots of the current instance (last 15 minutes), loaded only when shown."""

from __future__ import annotations

from test_app_support import make_app, plain, ready, wait_for


def _scenario_job(app, scenario: str) -> tuple[str, str]:  # noqa: ANN001
    store = app.session.emulator.store
    return next((project, name) for project in sorted(store.projects, key=lambda p: p != "realtime_dw")
                for name, job in sorted(store.projects[project].jobs.items())
                if job.scenario == scenario and job.job_type != "FLINK_BATCH")


async def _show(pilot, app, project: str, job: str):  # noqa: ANN001, ANN202
    app.select_job(project, job)
    pane = app.main_screen.job_pane
    await wait_for(pilot, lambda: pane.job is not None and pane.job.job_name == job and pane.detail is not None,
                   what=f"the job {job}")
    await wait_for(pilot, lambda: pane.run is not None, what="its run summary")
    return pane


async def test_metrics_tab_plots_a_running_job_and_reloads_on_a_new_job() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        main = app.main_screen
        await wait_for(pilot, lambda: main.query("#tree") and main.tree.projects_loaded.is_set())
        project, job = "realtime_dw", "dws_gmv_1min"
        pane = await _show(pilot, app, project, job)
        assert pane.metric_set is None and not pane.query("#job-metrics"), "nothing loads before the tab shows"
        pane.focus_content()
        for _ in range(4):
            await pilot.press("right_square_bracket")
        assert pane.active_tab == "metrics"
        await wait_for(pilot, lambda: pane.metric_set is not None, what="the metrics")
        assert (pane.metric_set.project, pane.metric_set.job) == (project, job)
        assert pane.metric_set.window_s == 15 * 60
        assert pane.query_one("#job-metrics").display
        assert pane.metric_set.series["delay"].points, "a running job has a delay series"

        other = _scenario_job(app, "lagging")
        await _show(pilot, app, *other)
        assert pane.active_tab == "metrics"
        await wait_for(pilot, lambda: pane.metric_set is not None and pane.metric_set.job == other[1],
                       what="the other job's metrics")


async def test_metrics_tab_says_why_a_stopped_job_has_no_plot() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        pane = await _show(pilot, app, *_scenario_job(app, "stopped"))
        pane.query_one("#job-tabs").active = "metrics"
        await pilot.pause()
        message = pane.query_one("#metrics-message")
        await wait_for(pilot, lambda: "not running" in plain(message), what="the message")
        assert message.display and pane.metric_set is None
        assert not any(panel.display for panel in pane.query("#job-metrics"))
        assert app.is_running
