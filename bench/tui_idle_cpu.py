"""Bench: CPU use of the idle app with live refresh on (every 5 s), as process CPU time / wall time.

After a warm-up (first loads), process CPU time is measured over --seconds, headless, for each job count:

* foas-tui against the emulator in another process on a loopback port, as against the real service (whose
  CPU is not ours): the app's own idle cost. Goal < 1 %.
* foas-tui --demo: the same with the emulator in the app's process (what `--demo` costs), for reference.

Baseline, measured in the same run: a bare Textual app showing one Static for the same time.
Usage: python bench/tui_idle_cpu.py [--seconds 20] [--jobs 64 1000] [--interval 5]
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

CHILD = r"""
import json, sys, time
kind, endpoint = sys.argv[1], sys.argv[5]
seconds, jobs, interval = float(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
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
    from types import SimpleNamespace
    from foas_tui.app import FoasApp
    from foas_tui.app_launch import build_session
    from foas_tui.config import AppConfig

    class Bench(FoasApp):
        def on_mount(self):
            super().on_mount()
            measure(self)

    config = AppConfig(refresh_interval=interval)
    if kind == "demo":
        app = Bench.demo(jobs=jobs, state_path=None, config=config)
    else:  # the emulator in another process: credentials from the environment, as an operator might
        options = SimpleNamespace(endpoint=endpoint, region="cn-hangzhou")
        app = Bench(build_session(options, config, None), state_path=None)
    app.run(headless=True, size=(120, 36))
    result["refreshes"] = app.refresher.generation
    result["calls"] = app.session.call_log.total
    result["watched"] = len(app.refresher.watched)
print(json.dumps(result))
"""


def run(kind: str, seconds: float, jobs: int, interval: float, env: dict[str, str], endpoint: str = "-") -> dict:
    out = subprocess.run([sys.executable, "-c", CHILD, kind, str(seconds), str(jobs), str(interval), endpoint],
                         env=env, capture_output=True, text=True, timeout=seconds + 120)
    if out.returncode != 0:
        raise SystemExit(f"the {kind} run failed:\n{out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def percent(run: dict) -> float:
    return run["cpu"] / run["wall"] * 100


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--jobs", type=int, nargs="+", default=[64, 1000])
    parser.add_argument("--interval", type=float, default=5.0)
    args = parser.parse_args()
    from foas_tui.emulator import DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET

    with tempfile.TemporaryDirectory() as tmp:
        env = dict(os.environ, FOAS_TUI_CONFIG_DIR=tmp, FOAS_TUI_DATA_DIR=tmp,
                   ALIBABA_CLOUD_ACCESS_KEY_ID=DEMO_ACCESS_KEY_ID,
                   ALIBABA_CLOUD_ACCESS_KEY_SECRET=DEMO_ACCESS_KEY_SECRET,
                   PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
        base = run("baseline", args.seconds, 0, args.interval, env)
        b = percent(base)
        print(f"baseline (bare Textual app, idle): {base['cpu']:.2f} s CPU in {base['wall']:.1f} s = {b:.2f}%")
        result("idle_cpu_bare_textual", b, "%")
        for jobs in args.jobs:
            with EmulatorProcess(jobs, 0.0) as emulator:
                alone = run("remote", args.seconds, jobs, args.interval, env, emulator.endpoint)
            demo = run("demo", args.seconds, jobs, args.interval, env)
            a, d = percent(alone), percent(demo)
            print(f"foas-tui, {jobs} jobs ({alone['watched']} in the live table), refresh every {args.interval:g} s, "
                  f"emulator in another process: {alone['cpu']:.2f} s CPU in {alone['wall']:.1f} s = {a:.2f}% "
                  f"({alone['refreshes']} refreshes, {alone['calls']} API calls in total); "
                  f"goal < 1%: {'OK' if a < 1 else 'OVER BUDGET'}")
            print(f"foas-tui --demo, {jobs} jobs, emulator in the app's process: {d:.2f}%")
            result(f"idle_cpu_{jobs}_jobs", a, "%", "< 1")
            result(f"idle_cpu_{jobs}_jobs_demo", d, "%")
            result(f"idle_cpu_{jobs}_jobs_vs_bare", a / b if b else float("inf"), "x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
