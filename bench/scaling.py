"""Bench: how the costs grow with the number of jobs: 100, 1,000 and 10,000 (one fresh set of processes each).

For each job count: the live refresh of every job (the app's scheduler, emulator in another process with
20 ms latency; median of --rounds steady refreshes) and its client CPU; the app's memory after its first
refresh (`bench/memory.py`'s child); the terminal bytes at 80x24 (`bench/tty_bytes.py`: first frame, an
unchanged refresh, one job changed, one Down key). No goals: the table shows the shape of the growth.
Usage: python bench/scaling.py [--jobs 100 1000 10000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
from pathlib import Path

import memory
import refresh_vs_sdk
import tty_bytes
from _common import EmulatorProcess, result

from foas_tui.emulator import EmulatorConfig, create_app

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=20.0)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "FOAS_TUI_CONFIG_DIR": tmp, "FOAS_TUI_DATA_DIR": tmp,
               "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        for jobs in args.jobs:
            watched = refresh_vs_sdk.watched_jobs(create_app(EmulatorConfig(jobs=jobs, seed=7)))
            with EmulatorProcess(jobs, args.latency_ms, env=env) as server:
                ours = asyncio.run(refresh_vs_sdk.measure_foas_tui(server.endpoint, watched, args.rounds))
            with EmulatorProcess(jobs, env=env) as server:
                mem = memory.child("app", jobs, server.endpoint, env)
            tty = tty_bytes.measure(80, 24, jobs, 4.0)
            row = {"jobs": jobs, "calls": ours["calls"], "refresh_ms": ours["steady"] * 1000,
                   "rtt_ms": ours["rtt"] * 1000, "cpu_ms": ours["cpu"] * 1000, "rss_mb": mem["VmRSS"],
                   "table_rows": mem["rows"], **{f"tty_{k}": tty[k] for k in ("first", "idle", "one_change", "cursor")}}
            rows.append(row)
            for key in ("refresh_ms", "cpu_ms", "rss_mb", "tty_first", "tty_idle", "tty_one_change", "tty_cursor"):
                unit = {"refresh_ms": "ms", "cpu_ms": "ms", "rss_mb": "MB"}.get(key, "B")
                result(f"scale_{key.removesuffix('_ms').removesuffix('_mb')}_{jobs}_jobs", row[key], unit)
    print("| jobs | calls | refresh (round trip) | client CPU | memory (rows in table) | tty first frame "
          "| idle refresh | one change | Down key |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['jobs']:,} | {r['calls']} | {r['refresh_ms']:.0f} ms ({r['rtt_ms']:.0f} ms) "
              f"| {r['cpu_ms']:.0f} ms | {r['rss_mb']:.0f} MB ({r['table_rows']}) | {r['tty_first']:,} B "
              f"| {r['tty_idle']:,.0f} B | {r['tty_one_change']:,} B | {r['tty_cursor']:,} B |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
