"""Bench: resident memory of the app, headless, after its first refresh, with 1,000 and 10,000 demo jobs.

Each figure is a fresh process. `app`: foas-tui against the emulator in another process (a real loopback
server), so the RSS is the app's own; `--demo`: the in-process emulator, its data included (what
`foas-tui --demo` costs). Baseline, measured in the same run: a bare Textual app showing one Static.
The app opens as an operator sees it: the tree with the first project open, its jobs in the live table,
their states refreshed. Usage: python bench/memory.py [--jobs 1000 10000]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import EmulatorProcess, result

ROOT = Path(__file__).resolve().parent.parent
GOAL_MB = 100.0  # for the app at 10,000 jobs (issue 16)

CHILD = r"""
import json, sys, time

def rss():
    values = {}
    for line in open("/proc/self/status"):
        if line.startswith(("VmRSS:", "VmHWM:")):
            values[line.split(":")[0]] = int(line.split()[1]) / 1024
    return values

mode, jobs, endpoint = sys.argv[1], int(sys.argv[2]), sys.argv[3]
out = {"mode": mode, "jobs": jobs}

if mode == "bare":
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("hello")

        def on_mount(self):
            self.set_timer(1.0, self.done)

        def done(self):
            out.update(rss())
            self.exit()

    Bare().run(headless=True, size=(120, 36))
else:
    from foas_tui.app import FoasApp
    from foas_tui.config import AppConfig

    class BenchApp(FoasApp):
        def on_mount(self):
            super().on_mount()
            self.set_interval(0.1, check)

    config = AppConfig(refresh_interval=3600)  # one refresh: the first
    if mode == "demo":
        app = BenchApp.demo(jobs=jobs, seed=7, config=config, state_path=None)
    else:
        from foas_tui.api.client import FoasClient
        from foas_tui.api.signing import Credentials
        from foas_tui.emulator import DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET
        from foas_tui.services.call_log import CallLog
        from foas_tui.services.session import Session

        client = FoasClient(Credentials(DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET), endpoint=endpoint)
        session = Session(client=client, config=config, profile_name="bench", region_id="cn-hangzhou",
                          endpoint=client.base_url, read_only=True, call_log=CallLog())
        app = BenchApp(session, state_path=None)
    started = time.monotonic()

    def check():
        main = app.main_screen
        refreshed = app.refresher.generation >= 1 and not app.refresher.running and app.refresher.rows
        if refreshed and main is not None and main.scope_jobs and main.live.row_count == len(main.scope_jobs):
            out.update(rss())
            out.update(rows=main.live.row_count, watched=len(app.refresher.watched), tree=len(main.tree.job_nodes),
                       seconds=time.monotonic() - started, errors=app.refresher.consecutive_failures)
            app.exit()
        elif time.monotonic() - started > 120:
            out["error"] = "no first refresh within 120 s"
            app.exit()

    app.run(headless=True, size=(120, 36))
print("MEMORY " + json.dumps(out), flush=True)
"""


def child(mode: str, jobs: int, endpoint: str, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", CHILD, mode, str(jobs), endpoint], env=env, capture_output=True,
                          text=True, timeout=300)
    lines = [line for line in done.stdout.splitlines() if line.startswith("MEMORY ")]
    if not lines:
        raise SystemExit(f"{mode} {jobs}: no result\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    result = json.loads(lines[-1][len("MEMORY "):])
    if "error" in result:
        raise SystemExit(f"{mode} {jobs}: {result['error']}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "FOAS_TUI_CONFIG_DIR": tmp, "FOAS_TUI_DATA_DIR": tmp,
               "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        bare = child("bare", 0, "", env)
        print(f"baseline (bare Textual app, headless): RSS {bare['VmRSS']:.0f} MB (peak {bare['VmHWM']:.0f} MB)")
        result("memory_bare_textual", bare["VmRSS"], "MB")
        for jobs in args.jobs:
            with EmulatorProcess(jobs, env=env) as emulator:
                app = child("app", jobs, emulator.endpoint, env)
            demo = child("demo", jobs, "", env)
            for what, r in (("foas-tui, emulator in another process", app),
                            ("foas-tui --demo (emulator inside)", demo)):
                print(f"{what}, {jobs} jobs: RSS {r['VmRSS']:.0f} MB (peak {r['VmHWM']:.0f} MB) = "
                      f"{r['VmRSS'] / bare['VmRSS']:.2f}x the bare app; {r['rows']} jobs in the live table, "
                      f"first refresh after {r['seconds']:.1f} s")
            result(f"memory_app_{jobs}_jobs", app["VmRSS"], "MB", f"<= {GOAL_MB:g}" if jobs == 10000 else "")
            result(f"memory_app_{jobs}_jobs_vs_bare", app["VmRSS"] / bare["VmRSS"], "x")
            result(f"memory_demo_{jobs}_jobs", demo["VmRSS"], "MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
