"""What a refresh costs the screen and the service: nothing painted when nothing changed, one row when one
job changed, and an immediate back-off when the service throttles (issue 16). Counts, never timings."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

import pytest
from test_app_refresh import paused_elsewhere
from test_app_support import make_app, ready, refreshed

from foas_tui.api.errors import ThrottledError
from foas_tui.api.models import BatchGetInstanceRunSummaryResponse
from foas_tui.api.run_summaries import parse_run_summaries
from foas_tui.services.refresh import RefreshScheduler, _row


async def test_a_refresh_where_nothing_changed_paints_nothing_and_one_change_paints_its_row() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        await pilot.pause()
        live = app.main_screen.live
        painted, rendered = live.lines_painted, live.rows_rendered
        await refreshed(pilot)  # the emulator's clock stands still: no job changed
        await pilot.pause()
        assert (live.lines_painted, live.rows_rendered) == (painted, rendered), \
            "an unchanged refresh repainted the live table"
        rows = app.refresher.rows
        target = next(k for k in live.jobs if rows[k].actual_state == "RUNNING")
        await paused_elsewhere(app, target)
        await refreshed(pilot)
        await pilot.pause()
        assert live.rows_rendered - rendered >= 1, "the changed row was not rendered anew"
        # Its row (its cells) and not the table: far fewer lines than the table shows.
        assert 1 <= live.lines_painted - painted < live.size.height // 2, live.lines_painted - painted


class ThrottlingClient:
    """BatchGetInstanceRunSummary (lean form) that throttles while `throttle` is set; counts calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.in_flight = 0
        self.peak = 0
        self.throttle = True

    async def run_summaries(self, project: str, names: list[str], job_type: str) -> list[Any]:
        self.calls += 1
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(0.01)
            if self.throttle:
                raise ThrottledError("Throttling", "Request was denied due to request throttling.", status=429)
            return [SimpleNamespace(id=1, job_name=n, expect_state="RUNNING", actual_state="RUNNING",
                                    engine_job_handler="", input_delay=0, last_error_time=None,
                                    last_error_message=None) for n in names]
        finally:
            self.in_flight -= 1

    async def list_instance(self, *args: Any, **kwargs: Any) -> Any:
        return SimpleNamespace(items=[])


async def test_throttling_backs_off_at_once_fewer_calls_in_flight_and_a_longer_wait() -> None:
    client = ThrottlingClient()
    scheduler = RefreshScheduler(client, interval=5.0, chunk_size=10, concurrency=8)
    scheduler.watch([("p", f"job{i:03d}", "FLINK_STREAM") for i in range(160)])  # 16 calls of 10 names
    first = await scheduler.refresh_once()
    assert not first.ok
    # The first 8 were in flight when the service said Throttling; the 8 waiting ones were never sent.
    assert client.calls == 8 and client.peak == 8
    assert scheduler.current_concurrency == 4
    assert scheduler.next_interval == 10.0
    client.calls = client.peak = 0
    await scheduler.refresh_once()
    assert client.peak <= 4 and client.calls == 4, "the next refresh sends at most half as many at once"
    assert scheduler.current_concurrency == 2 and scheduler.next_interval == 20.0
    client.throttle = False
    client.calls = client.peak = 0
    clean = await scheduler.refresh_once()
    assert clean.ok and client.calls == 16 and client.peak <= 2
    assert scheduler.next_interval == 5.0, "a clean refresh ends the longer wait"
    assert scheduler.current_concurrency == 3, "and the calls in flight grow back one at a time"


def test_the_app_takes_its_refresh_concurrency_from_the_config() -> None:
    from foas_tui.config import AppConfig, ClientConfig

    app = make_app(config=AppConfig(refresh_interval=3600, client=ClientConfig(retries=0, refresh_concurrency=3)))
    assert app.refresher.concurrency == 3


BODIES = [
    {"RequestId": "R", "RunSummarys": {"RunSummary": [
        {"Id": 7, "JobName": "a", "ExpectState": "RUNNING", "ActualState": "failed", "EngineJobHandler": "x|y",
         "InputDelay": "1200", "LastErrorTime": 1700000000000, "LastErrorMessage": "boom"},
        {"id": "8", "jobName": "b", "expectState": "PAUSED", "actualState": "PAUSED", "inputDelay": None},
        {"JOB_NAME": "c", "Actual-State": "RUNNING", "InputDelay": 2.5, "LastErrorMessage": {"nested": [1]}},
        "not an object",
        {"JobName": "d", "ActualState": True, "Id": "x"},
    ]}},
    {"requestId": "R", "runSummarys": [{"jobName": "e", "actualState": "RUNNING", "id": 3}]},
    {"RequestId": "R", "RunSummarys": {"RunSummary": {"JobName": "f", "ActualState": "STARTING"}}},
    {"RequestId": "R"},
    {"RequestId": "R", "RunSummarys": "garbage"},
]


@pytest.mark.parametrize("body", BODIES)
def test_the_lean_parse_gives_the_rows_the_models_give(body: dict[str, Any]) -> None:
    """The refresh's one-pass parse against the lenient pydantic models: the same live-table rows."""
    from_models = [_row("p", "FLINK_STREAM", s, {}) for s in
                   BatchGetInstanceRunSummaryResponse.model_validate(body).run_summaries]
    lean = [_row("p", "FLINK_STREAM", s, {}) for s in parse_run_summaries(body)]
    assert lean == from_models


async def test_the_tree_filter_opens_folders_with_matches_and_gives_back_the_operators_expansion() -> None:
    app = make_app()
    async with app.run_test(size=(120, 36)) as pilot:
        await ready(pilot)
        tree = app.main_screen.tree
        project = next(iter(tree.projects.values()))
        queue = [project]
        while queue:  # load every folder, the nested ones too, and leave them closed
            node = queue.pop()
            await tree.ensure_loaded(node)
            queue += [c for c in node.children if c.data.kind == "folder"]
        await pilot.pause()
        folders = [c for c in project.children if c.data.kind == "folder"]
        assert folders and not any(f.is_expanded for f in folders)
        inside = [k[1] for k, d in tree.job_data.items() if d.path != "/" and k[0] == project.data.project]
        needle = inside[0]  # a job inside a (closed) folder
        word = needle[-6:]
        tree.set_filter(word, lambda text: word in text)
        await pilot.pause()
        shown = [tree.get_node_at_line(y) for y in range(tree.last_line + 1)]
        jobs = [n for n in shown if n is not None and n.data.kind == "job"]
        assert jobs and all(word in n.data.job.job_name.lower() for n in jobs)
        assert any(n.data.job.job_name == needle for n in jobs)
        tree.set_filter("", None)
        await pilot.pause()
        folders = [c for c in project.children if c.data.kind == "folder"]
        assert not any(f.is_expanded for f in folders), "the filter's openings are not the operator's"
        assert not any(tree.state.is_expanded(f.data.state_path) for f in folders)
        assert len(tree.job_nodes) == len(tree.job_data), "every loaded job is back in the tree"
