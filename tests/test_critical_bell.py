"""The optional terminal bell: it rings once when a job newly enters critical, not on every refresh; off by
default; the watch itself as a pure function."""

from __future__ import annotations

from test_app_support import make_app, ready, wait_for

from foas_tui.config import AppConfig, ClientConfig, TriageConfig
from foas_tui.emulator.store import RUN
from foas_tui.services.alerts import CriticalWatch


def test_watch_reports_transitions_only() -> None:
    watch = CriticalWatch()
    assert watch.update("live", [("a", False), ("b", True)]) == []  # first sight: the state at start
    assert watch.update("live", [("a", False), ("b", True)]) == []
    assert watch.update("live", [("a", True)]) == ["a"]  # a goes critical: once
    assert watch.update("live", [("a", True)]) == []
    assert watch.update("board", [("a", True)]) == []  # another source agreeing is no new transition
    assert watch.update("live", [("a", False)]) == []  # the board still sees it: stays critical, no ring later
    assert watch.update("live", [("a", True)]) == []
    watch.forget("board")
    assert watch.update("live", [("a", False)]) == []
    assert watch.update("live", [("a", True)]) == ["a"]  # recovered, then failed again: rings again


def bell_app(enabled: bool):  # noqa: ANN201
    config = AppConfig(refresh_interval=3600, client=ClientConfig(retries=0),
                       triage=TriageConfig(bell_on_critical=enabled))
    app = make_app(config=config)
    rung: list[int] = []
    app.bell = lambda: rung.append(1)  # type: ignore[method-assign]
    return app, rung


async def refresh(app, pilot) -> None:  # noqa: ANN001
    generation = app.refresher.generation
    app.request_refresh()
    await wait_for(pilot, lambda: app.refresher.generation > generation and not app.refresher.running,
                   what="a refresh")
    await pilot.pause()


def make_a_running_job_fail(app):  # noqa: ANN001, ANN201
    """A healthy running stream job of the live scope starts failing over now (the emulator's own regimes)."""
    store = app.session.emulator.store
    now = store.now()
    for key, row in sorted(app.refresher.rows.items()):
        job = store.projects[key[0]].jobs[key[1]]
        instance = store.active_instance(job, now)
        if row.actual_state == "RUNNING" and job.scenario == "running" and instance is not None \
                and not row.last_error_message:
            instance.fail_period_ms = 600_000
            instance.fail_window_ms = 20_000
            run_began = max(begin for begin, kind in instance.regimes if kind == RUN and begin <= now)
            instance.fail_offset_ms = (now - run_began) + 1_000  # the first failure one second from now
            instance.error_message = "java.io.IOException: disk full"
            return key
    raise AssertionError("no healthy running stream job in the live scope")


async def test_bell_rings_once_when_a_job_enters_critical() -> None:
    app, rung = bell_app(True)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await refresh(app, pilot)
        assert rung == []  # jobs already critical at start ring nothing (the board shows them)
        key = make_a_running_job_fail(app)
        app.session.emulator.clock.advance(5)
        await refresh(app, pilot)
        assert app.refresher.rows[key].last_error_message  # the emulator did fail it
        assert rung == [1] and app.bells_rung == 1
        assert any(f"{key[0]}/{key[1]}" in n.message for n in app._notifications)
        for _ in range(3):  # still critical on the next refreshes: silence
            app.session.emulator.clock.advance(5)
            await refresh(app, pilot)
        assert rung == [1]


async def test_bell_is_off_by_default() -> None:
    assert TriageConfig().bell_on_critical is False
    app, rung = bell_app(False)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        make_a_running_job_fail(app)
        app.session.emulator.clock.advance(5)
        await refresh(app, pilot)
        assert rung == [] and app.bells_rung == 0
