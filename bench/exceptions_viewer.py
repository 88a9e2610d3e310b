"""Exceptions viewer on a 10 MB GetInstanceExceptions payload: open, search and `n` times, vs json.loads.

Usage: python bench/exceptions_viewer.py [--mb 10] [--rounds 3]. Goals: open < 1 s, search < 200 ms.
The payload goes through the real FoasClient (httpx.MockTransport, so no network), the models, the
screen's parser and the virtualized LogView in a headless Textual app at 120x40.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from types import SimpleNamespace

import httpx
from _common import result
from textual.app import App

from foas_tui.api.client import FoasClient
from foas_tui.api.signing import Credentials
from foas_tui.config import AppConfig
from foas_tui.services.selection import Selection

NOW_MS = 1_767_225_600_000


def trace(i: int, depth: int) -> str:
    frames = [f"\tat org.apache.flink.streaming.runtime.tasks.StreamTask.invoke{j}(StreamTask.java:{200 + j})"
              for j in range(depth)]
    cause = [f"\tat com.alibaba.blink.streaming.connectors.datahub.DatahubReader.next{j}(DatahubReader.java:{j})"
             for j in range(depth // 3)]
    return "\n".join([f"java.lang.RuntimeException: Failed to fetch records from DataHub shard {i % 16}: "
                      "ReadTimeout", *frames, "Caused by: java.net.SocketTimeoutException: Read timed out",
                      *cause, f"\t... {depth} more"])


def payload_of_size(target_bytes: int, depth: int = 120) -> str:
    """A Blink-shaped Exceptions text of about `target_bytes`, truncated like a long-failing job's."""
    entries: list[dict] = []
    size = 0
    while size < target_bytes:
        i = len(entries)
        entry = {"exception": trace(i, depth), "task": f"Source: datahub_orders_{i % 4} -> Calc -> Sink: rds",
                 "location": f"container_e07_{i:06d}@10.0.{i % 250}.{i % 199}:4{i % 1000:03d}",
                 "timestamp": NOW_MS - i * 61_000}
        size += len(json.dumps(entry)) + 2
        entries.append(entry)
    return json.dumps({"root-exception": entries[0]["exception"], "timestamp": NOW_MS,
                       "all-exceptions": entries, "truncated": True})


class BenchApp(App[None]):
    """A bare app carrying what the screen needs (session, clock); records when frames are painted."""

    CSS_PATH = "../styles/triage.tcss"

    def __init__(self, client: FoasClient) -> None:
        super().__init__()
        self.session = SimpleNamespace(client=client, config=AppConfig())
        self.clock = lambda: NOW_MS / 1000
        self.frames: list[float] = []
        self.ticks: list[tuple[float, float]] = []  # (when, how late a 5 ms sleep woke up)

    def _display(self, screen, renderable) -> None:  # type: ignore[no-untyped-def]
        if renderable is not None:
            self.frames.append(time.perf_counter())  # a compositor update: what a terminal would get
        super()._display(screen, renderable)

    async def watch_loop(self) -> None:
        """Sleep 5 ms again and again on the app's event loop; a late wake-up is a stall keys would feel."""
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            now = time.perf_counter()
            self.ticks.append((now, now - before - 0.005))

    def max_stall(self, start: float, end: float) -> float:
        """The longest stall overlapping [start, end] (a stall spans [wake-up - lateness, wake-up])."""
        return max((late for when, late in self.ticks if when - late <= end and when >= start), default=0.0)

    def painted_after(self, moment: float) -> float:
        """Time of the first frame painted after `moment`."""
        return next(t for t in self.frames if t >= moment)


async def one_round(body: bytes, query: str) -> dict[str, float]:
    from foas_tui.screens.exceptions import ExceptionsScreen
    from foas_tui.widgets.log_view import LogView

    client = FoasClient(Credentials("bench", "bench"), retries=0,
                        transport=httpx.MockTransport(lambda request: httpx.Response(200, content=body)))
    app = BenchApp(client)
    done: dict[str, float] = {}
    figures: dict[str, float] = {}

    def mark(name: str, method):  # type: ignore[no-untyped-def]
        def wrapped(*args, **kwargs):  # type: ignore[no-untyped-def]
            result = method(*args, **kwargs)
            done[name] = time.perf_counter()
            return result
        return wrapped

    async with app.run_test(size=(120, 40)) as pilot:
        watcher = asyncio.create_task(app.watch_loop())
        await pilot.pause()
        screen = ExceptionsScreen(Selection("bench", "job_failing", "FLINK_STREAM"))
        screen._show = mark("show", screen._show)  # type: ignore[method-assign]
        started = time.perf_counter()
        await app.push_screen(screen)
        view = screen.query_one(LogView)
        view.search = mark("search", view.search)  # type: ignore[method-assign]
        view.next_match = mark("next", view.next_match)  # type: ignore[method-assign]
        while "show" not in done:
            await asyncio.sleep(0.002)
        await pilot.pause()
        painted = app.painted_after(done["show"])
        figures["open_ms"] = (painted - started) * 1000
        figures["max_stall_open_ms"] = app.max_stall(started, painted) * 1000
        await pilot.press("slash", *query)
        started = time.perf_counter()
        await pilot.press("enter")
        await pilot.pause()
        figures["search_ms"] = (app.painted_after(done["search"]) - started) * 1000
        figures["matches"] = view.match_count
        started = time.perf_counter()
        await pilot.press("n")
        await pilot.pause()
        figures["next_ms"] = (app.painted_after(done["next"]) - started) * 1000
        started = time.perf_counter()
        await pilot.press("x")  # an unbound key: the harness's own cost of a keystroke, for comparison
        await pilot.pause()
        figures["noop_key_ms"] = (app.frames[-1] - started) * 1000 if app.frames[-1] >= started else 0.0
        figures["rows"] = view.row_count
        watcher.cancel()
    await client.aclose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--query", default="sockettimeout")
    args = parser.parse_args()

    exceptions = payload_of_size(int(args.mb * 1_000_000))
    body = json.dumps({"RequestId": "BENCH", "Exceptions": exceptions}).encode()
    loads = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        json.loads(json.loads(body)["Exceptions"])
        loads.append((time.perf_counter() - started) * 1000)
    baseline = statistics.median(loads)
    print(f"payload: {len(body) / 1e6:.1f} MB body, {exceptions.count(chr(92) + 'n') + 1} trace lines")
    print(f"baseline json.loads (body + embedded Exceptions): {baseline:.0f} ms (median of {args.rounds})")
    rounds = [asyncio.run(one_round(body, args.query)) for _ in range(args.rounds)]
    cold, warm = rounds[0], rounds[1:] or rounds
    print("cold = the first open in the process (pydantic builds its validators, modules import);")
    print(f"warm = median of the {len(warm)} later round(s)")
    for name, goal in (("open_ms", 1000), ("max_stall_open_ms", None), ("search_ms", 200), ("next_ms", 200)):
        values = [r[name] for r in warm]
        median = statistics.median(values)
        verdict = "" if goal is None else ("  OK" if median < goal else f"  OVER the {goal} ms goal")
        print(f"{name:>18}: cold {cold[name]:6.0f} ms · warm {median:6.0f} ms (x{median / baseline:4.1f} "
              f"json.loads; {', '.join(f'{v:.0f}' for v in values)}){verdict}")
    result("exceptions_json_loads_10mb", baseline, "ms")
    for name, figure, goal in (("open_ms", "exceptions_open_10mb", "< 1000"),
                               ("search_ms", "exceptions_search", "< 200"),
                               ("next_ms", "exceptions_next_match", "< 200")):
        result(figure, statistics.median(r[name] for r in warm), "ms", goal)
    result("exceptions_open_vs_json_loads", statistics.median(r["open_ms"] for r in warm) / baseline, "x")
    print(f"matches for {args.query!r}: {rounds[0]['matches']:.0f}; display rows after n: {rounds[0]['rows']:.0f}")
    print("open = push_screen → first frame painted with the data (HTTP via MockTransport, models, parse, "
          "layout);\nsearch/next = keystroke → first frame painted after the match moved; max_stall = longest "
          "event-loop\ngap during the open (keys wait at most this long).")


if __name__ == "__main__":
    main()
