"""Bench: CPU use of the idle app with live refresh on (every 5 s), as process CPU time / wall time. Goal < 2%.

The demo app runs headless; after a warm-up (first loads), CPU time is measured over --seconds. Baseline,
measured in the same run: a bare Textual app showing one Static for the same time.
Usage: python bench/tui_idle_cpu.py [--seconds 20] [--jobs 64] [--interval 5]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
kind, seconds, jobs, interval = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
WARMUP = 4.0
result = {}

def measure(app):
    def start():
        result["cpu0"], result["wall0"] = time.process_time(), time.monotonic()
        app.set_timer(seconds, stop)
    def stop():
        result["cpu"] = time.process_time() - result["cpu0"]
        result["wall"] = time.monotonic() - result["wall0"]
        app.exit()
    app.set_timer(WARMUP, start)

if kind == "baseline":
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("idle")
        def on_mount(self):
            measure(self)

    Bare().run(headless=True, size=(120, 36))
else:
    from foas_tui.app import FoasApp
    from foas_tui.config import AppConfig

    class Bench(FoasApp):
        def on_mount(self):
            super().on_mount()
            measure(self)

    app = Bench.demo(jobs=jobs, state_path=None, config=AppConfig(refresh_interval=interval))
    app.run(headless=True, size=(120, 36))
    result["refreshes"] = app.refresher.generation
    result["calls"] = app.session.call_log.total
print(json.dumps(result))
"""


def run(kind: str, seconds: float, jobs: int, interval: float, env: dict[str, str]) -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, kind, str(seconds), str(jobs), str(interval)], env=env,
                         capture_output=True, text=True, timeout=seconds + 120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--jobs", type=int, default=64)
    parser.add_argument("--interval", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, FOAS_TUI_CONFIG_DIR=tmp, FOAS_TUI_DATA_DIR=tmp,
                   PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        base = run("baseline", args.seconds, args.jobs, args.interval, env)
        app = run("app", args.seconds, args.jobs, args.interval, env)
    b, a = base["cpu"] / base["wall"] * 100, app["cpu"] / app["wall"] * 100
    print(f"baseline (bare Textual app, idle): {base['cpu']:.2f} s CPU in {base['wall']:.1f} s = {b:.2f}%")
    print(f"foas-tui --demo ({args.jobs} jobs, refresh every {args.interval:g} s, in-process emulator included): "
          f"{app['cpu']:.2f} s CPU in {app['wall']:.1f} s = {a:.2f}%  "
          f"({app['refreshes']} refreshes, {app['calls']} API calls in total)")
    print(f"ratio {a / b if b else float('inf'):.2f}x the bare app; goal < 2%: {'OK' if a < 2 else 'OVER BUDGET'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
