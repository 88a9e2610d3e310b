"""Bench: one filter keystroke in a 10,000-job tree (goal < 50 ms) and the process RSS (goal < 150 MB).

Baseline, measured in the same run: the same keystrokes in a 64-job tree. The tree is filled in memory
(4 projects x 25 folders x 100 jobs, every folder open), so RSS is the TUI's own, without the emulator's data.
Usage: python bench/tui_filter.py [--jobs 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import result

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import asyncio, json, sys, time
from foas_tui.app import FoasApp
from foas_tui.config import AppConfig
from foas_tui.services.session import FolderContents, FolderInfo, JobInfo
from foas_tui.widgets.filter_bar import compile_filter

JOBS = int(sys.argv[1])
WORDS = ["orders", "payment", "refund", "cart", "gmv", "risk", "ads", "click", "iot", "sensor"]

def rss_mb():
    for line in open("/proc/self/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024

async def main():
    app = FoasApp.demo(jobs=16, state_path=None, config=AppConfig(refresh_interval=3600))
    app.watch_jobs = lambda jobs: None  # the bench measures the tree, not refreshes of made-up jobs
    async with app.run_test(size=(120, 36)) as pilot:
        main = app.main_screen
        while not main.query("#tree") or not main.tree.projects_loaded.is_set():
            await pilot.pause(0.05)
        tree = main.tree
        while main.live.row_count == 0 or any(not t.done() for t in tree._loads.values()):
            await pilot.pause(0.05)  # the first project's own load must not land on top of the made-up tree
        await pilot.pause(0.3)
        projects = list(tree.projects.values())
        per_project = max(1, JOBS // len(projects))
        folders_per_project = 25 if per_project >= 100 else 1
        per_folder = per_project // folders_per_project
        n = 0
        for p_node in projects:
            project = p_node.data.project
            folders = [FolderInfo(project, f"/f{i:02d}_{WORDS[i % len(WORDS)]}", 10_000 + i)
                       for i in range(folders_per_project)]
            tree._fill(p_node, FolderContents(FolderInfo(project, "/", 1), folders, []))
            p_node.expand()
            for f_node in list(p_node.children):
                folder = f_node.data
                jobs = []
                for j in range(per_folder):
                    n += 1
                    name = f"{WORDS[n % 10]}_{WORDS[(n // 10) % 10]}_job_{n:05d}"
                    jobs.append(JobInfo(project, name, "FLINK_STREAM", folder.folder_id, folder.path))
                tree._fill(f_node, FolderContents(FolderInfo(project, folder.path, folder.folder_id), [], jobs))
                f_node.expand()
        tree.focus()
        await pilot.pause(0.3)
        lines = tree.last_line + 1
        rss_loaded = rss_mb()
        await pilot.press("slash")
        await pilot.pause(0.2)
        # Keystroke to painted frame: the key goes in through the driver like a real one; the clock stops
        # when the screen refresh after the tree's filter change has run (call_after_refresh).
        painted = asyncio.Event()
        original = tree.set_filter

        def set_filter(text, matcher):
            original(text, matcher)
            tree.call_after_refresh(painted.set)

        tree.set_filter = set_filter
        keystrokes, pilot_ms, handler = [], [], []
        from textual import events
        for ch in "refund_cart":  # narrowing, like a person typing
            painted.clear()
            t0 = time.perf_counter()
            app._driver.send_message(events.Key(ch, ch))
            await asyncio.wait_for(painted.wait(), 10)
            keystrokes.append((time.perf_counter() - t0) * 1000)
            await pilot.pause(0.05)
        for ch in "\b" * 4:  # Pilot's own press(), which adds its idle-detection sleeps (for reference)
            t0 = time.perf_counter()
            await pilot.press("backspace")
            pilot_ms.append((time.perf_counter() - t0) * 1000)
        tree.set_filter = original
        for ch in "x" * 5:  # the handler alone: match + rebuild the visible lines + paint the tree
            text = ("!" if ch == "x" else "") + "refund"
            t0 = time.perf_counter()
            tree.set_filter(text, compile_filter(text))
            tree.last_line  # builds the visible lines
            tree.render_lines(tree.region.reset_offset)
            handler.append((time.perf_counter() - t0) * 1000)
            tree.set_filter("refund", compile_filter("refund"))
        shown = tree.last_line + 1
        print(json.dumps({"jobs": len(tree.job_data), "lines": lines, "shown": shown, "rss_mb": rss_loaded,
                          "rss_end_mb": rss_mb(), "keystroke_ms": keystrokes, "handler_ms": handler,
                          "pilot_ms": pilot_ms}))
        app.exit()

asyncio.run(main())
"""


def run_child(jobs: int, env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, str(jobs)], env=env, capture_output=True, text=True,
                         timeout=600, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, FOAS_TUI_CONFIG_DIR=tmp, FOAS_TUI_DATA_DIR=tmp,
                   PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        base = run_child(64, env)
        big = run_child(args.jobs, env)
    for label, r in (("baseline", base), ("big", big)):
        keys, handler = r["keystroke_ms"], r["handler_ms"]
        print(f"{label}: {r['jobs']} jobs, {r['lines']} tree lines open; "
              f"keystroke median {statistics.median(keys):.1f} ms "
              f"(max {max(keys):.1f}); filter handler median {statistics.median(handler):.1f} ms; "
              f"Pilot press {statistics.median(r['pilot_ms']):.0f} ms; "
              f"RSS {r['rss_mb']:.0f} MB loaded, {r['rss_end_mb']:.0f} MB at the end")
    k_big, k_base = statistics.median(big["keystroke_ms"]), statistics.median(base["keystroke_ms"])
    print(f"keystroke at {big['jobs']} jobs: {k_big:.1f} ms = {k_big / k_base:.2f}x the 64-job tree "
          f"(goal < 50 ms): {'OK' if k_big < 50 else 'OVER BUDGET'}")
    print(f"RSS at {big['jobs']} jobs: {big['rss_end_mb']:.0f} MB = {big['rss_end_mb'] / base['rss_end_mb']:.2f}x "
          f"the 64-job tree (goal < 150 MB): {'OK' if big['rss_end_mb'] < 150 else 'OVER BUDGET'}")
    result(f"filter_keystroke_{big['jobs']}_jobs", k_big, "ms", "< 50")
    result("filter_keystroke_vs_64_jobs", k_big / k_base, "x")
    # Switching between `refund` and `!refund` adds back (or removes) most of the tree's nodes: the worst case.
    result(f"filter_invert_{big['jobs']}_jobs", statistics.median(big["handler_ms"]), "ms")
    result(f"tree_rss_{big['jobs']}_jobs", big["rss_end_mb"], "MB", "< 150")
    result("tree_rss_vs_64_jobs", big["rss_end_mb"] / base["rss_end_mb"], "x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
