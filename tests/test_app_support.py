"""Helpers for the TUI tests (a demo app on a frozen clock, waiting for it), and tests of the pure services."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote_plus

from foas_tui.app import FoasApp
from foas_tui.config import AppConfig, ClientConfig
from foas_tui.emulator import FakeClock
from foas_tui.screens.jump import parse_command
from foas_tui.services.call_log import CallLog
from foas_tui.services.refresh import NAMES_BUDGET, RefreshScheduler, RunRow
from foas_tui.services.tree_state import TreeState
from foas_tui.widgets.filter_bar import compile_filter

EPOCH = 1795680000.0  # 2026-11-26 08:00:00 UTC: every test and snapshot runs at this instant


def make_app(jobs: int = 64, *, retries: int = 0, **kw: Any) -> FoasApp:
    """A demo app on a frozen clock; refreshes only when a test asks (the interval is an hour)."""
    config = kw.pop("config", None) or AppConfig(refresh_interval=3600, client=ClientConfig(retries=retries))
    kw.setdefault("state_path", None)
    return FoasApp.demo(jobs=jobs, seed=7, clock=FakeClock(EPOCH), config=config, **kw)


async def wait_for(pilot: Any, predicate: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
    """Let the app run until `predicate()` is truthy; fail the test after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what or predicate}")
        await pilot.pause(0.02)


class Gate:
    """Holds the calls of `owner.method` (those `when` picks) until `release()`: a late answer made certain.

    `waiting` counts the calls held right now, so a test can wait until the call it holds is in flight.
    """

    def __init__(self, owner: Any, method: str, when: Callable[..., bool] = lambda *a, **k: True) -> None:
        self._open = asyncio.Event()
        self.waiting = 0
        original = getattr(owner, method)

        async def held(*args: Any, **kwargs: Any) -> Any:
            if when(*args, **kwargs) and not self._open.is_set():
                self.waiting += 1
                try:
                    await self._open.wait()
                finally:
                    self.waiting -= 1
            return await original(*args, **kwargs)

        setattr(owner, method, held)

    def release(self) -> None:
        self._open.set()


@asynccontextmanager
async def rows_held(size: tuple[int, int] = (120, 36)) -> AsyncIterator[tuple[FoasApp, Any, Gate]]:
    """A demo app whose live table gets no rows until `held.release()` (the first project's jobs are held
    back): yields (app, pilot, held) once the tree has its projects."""
    app = make_app()
    held = Gate(app.session, "project_jobs")
    async with app.run_test(size=size) as pilot:
        main = app.main_screen
        await wait_for(pilot, lambda: main.query("#tree") and main.tree.projects_loaded.is_set(), what="projects")
        yield app, pilot, held


async def ready(pilot: Any) -> FoasApp:
    """Wait until the projects, the first project's jobs and one refresh of their states are in."""
    app: FoasApp = pilot.app
    main = app.main_screen
    assert main is not None
    await wait_for(pilot, lambda: main.query("#tree"), what="the main screen")
    await wait_for(pilot, lambda: main.tree.projects_loaded.is_set(), what="projects")
    await wait_for(pilot, lambda: main.scope_jobs and main.live.row_count == len(main.scope_jobs), what="scope")
    await wait_for(pilot, lambda: app.refresher.generation >= 1 and not app.refresher.running, what="refresh")
    await pilot.pause()
    return app


async def frame_settled(pilot: Any, timeout: float = 10.0, quiet: int = 3) -> None:
    """Wait until the screen renders the same frame `quiet` times in a row, 50 ms apart.

    Data being in is not enough for a snapshot under load: a late layout pass (a scrollbar appearing
    when a pane's text grew) can still change the frame after every worker is done.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    previous, same = None, 0
    while same < quiet:
        await pilot.pause(0.05)
        frame = pilot.app.export_screenshot()
        same = same + 1 if frame == previous else 0
        previous = frame
        if loop.time() > deadline:
            raise AssertionError("the screen never settled: it keeps changing")


async def refreshed(pilot: Any) -> None:
    """Ask for a refresh and wait until it completed (and was applied)."""
    app: FoasApp = pilot.app
    generation = app.refresher.generation
    app.request_refresh()
    await wait_for(pilot, lambda: app.refresher.generation > generation and not app.refresher.running,
                   what="a refresh")
    await pilot.pause()


async def paste(pilot: Any, text: str) -> None:
    """Paste into the focused widget (how operators enter a job name copied from an alert)."""
    from textual import events

    focused = pilot.app.focused
    assert focused is not None, "nothing focused to paste into"
    focused.post_message(events.Paste(text))
    await pilot.pause()


def plain(static: Any, width: int = 200) -> str:
    """The text a Static shows (Rich renderables included), without styles."""
    import io

    from rich.console import Console

    console = Console(width=width, file=io.StringIO(), color_system=None, legacy_windows=False)
    console.print(static.content)
    return console.file.getvalue()


def notifications(app: FoasApp) -> list[str]:
    return [f"{n.title}\n{n.message}" for n in app._notifications]


# --- pure services: no app needed ----------------------------------------------------------------------


def test_filter_is_case_insensitive_substring_and_bang_inverts() -> None:
    match = compile_filter("GMV")
    assert match is not None and match("dws_gmv_1min") and not match("dwd_order")
    inverse = compile_filter("!gmv")
    assert inverse is not None and not inverse("dws_gmv_1min") and inverse("dwd_order")
    assert compile_filter("") is None and compile_filter("!") is None and compile_filter("  ") is None


def test_parse_command() -> None:
    assert parse_command(":job  dws_gmv_1min ") == ("job", "dws_gmv_1min")
    assert parse_command("Q") == ("q", "")
    assert parse_command("folder /dws/hourly") == ("folder", "/dws/hourly")


class _FakeClient:
    """Answers BatchGetInstanceRunSummary from a dict; records each call's size and the peak concurrency."""

    def __init__(self, states: dict[str, str]) -> None:
        self.states = states
        self.calls: list[tuple[str, str, int]] = []
        self.in_flight = 0
        self.peak = 0
        self.fail = False

    async def batch_get_instance_run_summary(self, project: str, names: list[str], job_type: str) -> Any:
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(0.001)
            self.calls.append((project, job_type, len(names)))
            if self.fail:
                raise RuntimeError("boom")
            items = [SimpleNamespace(job_name=n, actual_state=self.states[n], expect_state="RUNNING", id=i + 1,
                                     input_delay=0, last_error_message=None, last_error_time=None,
                                     engine_job_handler="app|job")
                     for i, n in enumerate(names) if n in self.states]
            return SimpleNamespace(run_summaries=items)
        finally:
            self.in_flight -= 1

    async def list_instance(self, *args: Any, **kwargs: Any) -> Any:
        return SimpleNamespace(items=[])

    def iter_list_instance(self, *args: Any, **kwargs: Any) -> Any:
        async def empty() -> Any:
            if False:
                yield None

        return empty()


async def test_refresh_chunks_per_project_and_type_with_bounded_concurrency() -> None:
    states = {f"s{i}": "RUNNING" for i in range(120)} | {f"b{i}": "SUCCESS" for i in range(10)}
    client = _FakeClient(states)
    clock = FakeClock(EPOCH)
    refresher = RefreshScheduler(client, clock=clock.now, chunk_size=50, concurrency=2)
    watched = [("p", f"s{i}", "FLINK_STREAM") for i in range(120)] + [("p", f"b{i}", "flink_batch") for i in range(10)]
    assert refresher.watch(watched) is True
    result = await refresher.refresh_once()
    assert sorted(client.calls) == sorted([("p", "FLINK_BATCH", 10), ("p", "FLINK_STREAM", 50),
                                           ("p", "FLINK_STREAM", 50), ("p", "FLINK_STREAM", 20)])
    assert client.peak <= 2
    assert len(result.rows) == 130 and result.changed == set(result.rows) and result.ok
    states["s3"] = "FAILED"
    again = await refresher.refresh_once()
    assert again.changed == {("p", "s3")}, "only the row that changed is reported"


def test_refresh_chunks_also_by_the_length_of_the_names() -> None:
    refresher = RefreshScheduler(_FakeClient({}), chunk_size=100)
    long_names = [f"{'x' * 390}{i:03d}" for i in range(30)]  # 393 characters each, +3 for the comma sent as %2C
    fit = (NAMES_BUDGET + 3) // 396  # k names take 393 k + 3 (k - 1) characters in the URL
    short_names = [f"s{i}" for i in range(150)]
    refresher.watch([("p", n, "FLINK_STREAM") for n in long_names + short_names])
    sizes = [len(names) for _, _, names in refresher.batches()]
    assert sizes[0] == fit < 30 and sum(sizes) == 180 and max(sizes) == 100
    for _, _, names in refresher.batches():
        assert len(quote_plus(",".join(names))) <= NAMES_BUDGET  # as sent: the query parameter, URL-encoded


async def test_a_service_that_refuses_big_batches_gets_smaller_ones_and_no_error() -> None:
    app = make_app(jobs=300)
    emulator = app.session.emulator
    emulator.store.max_run_summary_names = 40  # the service in this test caps jobNames (the docs name no cap)
    jobs = [(p.name, j.name, str(j.job_type)) for p in emulator.store.projects.values() for j in p.jobs.values()]
    refresher = app.refresher
    refresher.watch(jobs)
    result = await refresher.refresh_once()
    assert result.ok, result.errors
    assert sum(1 for row in result.rows.values() if row.actual_state) > 200
    assert 20 <= refresher.chunk_size <= 40  # learned: 100 refused, 50 (or 44) refused, 25 (or 22) answered
    calls = [r for r in app.session.call_log if r.operation == "BatchGetInstanceRunSummary"]
    assert any(r.error_code == "InvalidParameter.JobNames" for r in calls)
    # The next refresh asks at the learned size from the start: nothing is refused.
    before = len(calls)
    assert (await refresher.refresh_once()).ok
    calls = [r for r in app.session.call_log if r.operation == "BatchGetInstanceRunSummary"][before:]
    assert calls and all(r.ok for r in calls)
    # A refusal that smaller calls do not cure is reported as before, and teaches nothing.
    emulator.store.max_run_summary_names = 1
    learned = refresher.chunk_size
    result = await refresher.refresh_once()
    assert not result.ok and result.errors[0].code == "InvalidParameter.JobNames"
    assert refresher.chunk_size == learned


async def test_failed_refresh_keeps_rows_and_reports_stale_until_a_success() -> None:
    client = _FakeClient({"a": "RUNNING"})
    clock = FakeClock(EPOCH)
    refresher = RefreshScheduler(client, clock=clock.now)
    refresher.watch([("p", "a", "FLINK_STREAM")])
    await refresher.refresh_once()
    assert refresher.stale_seconds() is None
    client.fail = True
    clock.advance(42)
    result = await refresher.refresh_once()
    assert not result.ok and refresher.rows[("p", "a")].actual_state == "RUNNING"
    assert refresher.stale_seconds() == 42
    client.fail = False
    await refresher.refresh_once()
    assert refresher.stale_seconds() is None and refresher.last_error is None


async def test_jobs_without_instance_get_an_empty_row() -> None:
    refresher = RefreshScheduler(_FakeClient({}), clock=FakeClock(EPOCH).now)
    refresher.watch([("p", "never_started", "FLINK_STREAM")])
    result = await refresher.refresh_once()
    assert result.rows[("p", "never_started")] == RunRow("p", "never_started", "FLINK_STREAM")


def _record(ok: bool, status: int = 200, code: str | None = None) -> Any:
    return SimpleNamespace(ok=ok, status=status, error_code=code)


def test_call_log_is_a_ring_buffer_and_rates_the_connection() -> None:
    log = CallLog(maxlen=3)
    assert log.connection_state() == "unknown"
    for _ in range(5):
        log(_record(True))
    assert len(log) == 3 and log.total == 5 and log.connection_state() == "ok"
    log(_record(False, 404, "JobNotExist"))
    assert log.connection_state() == "ok", "an application error is not an outage"
    log(_record(False, 503, "ServiceUnavailable"))
    assert log.connection_state() == "degraded"
    log(_record(False, None, "ConnectionFailed"))
    log(_record(False, None, "RequestTimeout"))
    assert log.connection_state() == "down"
    heard: list[Any] = []
    stop = log.subscribe(heard.append)
    log(_record(True))
    stop()
    log(_record(True))
    assert len(heard) == 1


def test_tree_state_survives_a_restart_per_profile(tmp_path: Any) -> None:
    path = tmp_path / "tree-state.json"
    state = TreeState(path, "prod@cn-shanghai")
    assert not state.known
    state.set_expanded("realtime_dw", True)
    state.set_expanded("realtime_dw:/dws", True)
    state.save()
    other = TreeState(path, "dev@cn-hangzhou")
    other.set_expanded("x", True)
    other.save()
    again = TreeState(path, "prod@cn-shanghai")
    assert again.known and again.expanded == {"realtime_dw", "realtime_dw:/dws"}
    assert json.loads(path.read_text())["expanded"]["dev@cn-hangzhou"] == ["x"]
    path.write_text("{not json")
    assert TreeState(path, "prod@cn-shanghai").expanded == set(), "a broken file costs the expansion only"


def test_header_shows_the_profile_in_its_color_and_the_badges() -> None:
    from foas_tui.widgets.header import header_text

    text = header_text(profile="prod", profile_color="red", region="cn-shanghai",
                       endpoint="https://foas.cn-shanghai.aliyuncs.com", read_only=True, demo=False,
                       connection="down", width=120)
    assert "prod" in text.plain and "READ-ONLY" in text.plain and "down" in text.plain
    assert "DEMO" not in text.plain
    badge = next(span for span in text.spans if text.plain[span.start:span.end].strip() == "prod")
    assert "on red" in str(badge.style)
    small = header_text(profile="demo", profile_color=None, region="cn-hangzhou", endpoint="http://x",
                        read_only=False, demo=True, connection="ok", width=80)
    assert "DEMO" in small.plain and len(small.plain) <= 80
