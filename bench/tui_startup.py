"""Bench: start to first painted frame with 1,000 demo jobs, against `python -c "import textual.app"`.

Each figure is the median of several fresh subprocesses, measured in the same run. Goal: ratio <= 1.5x.
Usage: python bench/tui_startup.py [--runs 7] [--jobs 1000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import result

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import sys, time
from foas_tui.app import FoasApp

class BenchApp(FoasApp):
    def on_mount(self) -> None:
        super().on_mount()
        self.call_after_refresh(self._first_frame)

    def _first_frame(self) -> None:
        print(f"READY {time.time():.6f}", flush=True)
        self.exit(0)

BenchApp.demo(jobs=int(sys.argv[1]), state_path=None, lazy_emulator=True).run(headless=True, size=(120, 36))
"""


def _env(tmp: str) -> dict[str, str]:
    env = dict(os.environ)
    env["FOAS_TUI_CONFIG_DIR"] = tmp  # an empty config: the defaults
    env["FOAS_TUI_DATA_DIR"] = tmp
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    # Both sides start from compiled .pyc files, as after `pip install` (which compiles the wheel's modules):
    # with PYTHONDONTWRITEBYTECODE set (some shells and CI images set it), Textual would load its .pyc from
    # site-packages while foas_tui, run from this checkout, were compiled from source on every start.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def time_baseline(env: dict[str, str]) -> float:
    start = time.time()
    subprocess.run([sys.executable, "-c", "import textual.app"], check=True, env=env)
    return time.time() - start


def time_first_frame(jobs: int, env: dict[str, str]) -> float:
    start = time.time()
    out = subprocess.run([sys.executable, "-c", CHILD, str(jobs)], check=True, env=env, capture_output=True,
                         text=True, timeout=120)
    ready = [line for line in out.stdout.splitlines() if line.startswith("READY ")]
    if not ready:
        raise SystemExit(f"the app printed no READY line:\n{out.stdout}\n{out.stderr}")
    return float(ready[-1].split()[1]) - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--jobs", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = _env(tmp)
        time_baseline(env)  # warm the OS file cache and the .pyc files for both
        time_first_frame(args.jobs, env)
        base, app = [], []
        for _ in range(args.runs):  # interleaved so machine noise hits both alike
            base.append(time_baseline(env))
            app.append(time_first_frame(args.jobs, env))
    b, a = statistics.median(base), statistics.median(app)
    runs = ", ".join(f"{x * 1000:.0f}" for x in base)
    print(f"baseline `import textual.app`: median {b * 1000:.0f} ms  (runs: {runs})")
    print(f"foas-tui --demo ({args.jobs} jobs) to first frame: median {a * 1000:.0f} ms  "
          f"(runs: {', '.join(f'{x*1000:.0f}' for x in app)})")
    ratio = a / b
    print(f"ratio {ratio:.2f}x (goal <= 1.5x): {'OK' if ratio <= 1.5 else 'OVER BUDGET'}")
    result("import_textual_app", b * 1000, "ms")
    result("startup_first_frame", a * 1000, "ms")
    result("startup_vs_import_textual", ratio, "x", "<= 1.5")
    return 0


if __name__ == "__main__":
    sys.exit(main())
