"""Run every benchmark in bench/ (each in its own process, one after the other) and print one table.

Convention: besides its human output, a bench prints one line per key figure,

    RESULT <name> <value> <unit> [goal <op> <target>]      e.g.  RESULT refresh_vs_round_trip 3.2 x goal <= 5

(<op> is one of < <= > >=; a ratio has unit `x` and is measured against its baseline in the same run).

Usage: python bench/run_all.py [--quick] [--only NAME ...] [--skip NAME ...] [--markdown bench/RESULTS.md]
"""

from __future__ import annotations

import argparse
import operator
import os
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
RESULT_LINE = re.compile(r"^RESULT\s+(\S+)\s+(\S+)\s+(\S+)(?:\s+goal\s+(<=|>=|<|>)\s*(\S+))?\s*$")
OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}

# Arguments for --quick (fewer rounds; same figures, more noise).
QUICK_ARGS: dict[str, list[str]] = {
    "signing": ["--rounds", "3", "--number", "1000"],
    "refresh_vs_sdk": ["--rounds", "3", "--sample", "50"],
    "tui_startup": ["--runs", "3"],
    "tui_idle_cpu": ["--seconds", "8"],
    "exceptions_viewer": ["--rounds", "2"],
    "memory": ["--jobs", "1000", "10000"],
}

@dataclass
class Figure:
    bench: str
    name: str
    value: float
    unit: str
    goal: str = ""  # e.g. "<= 5"

    @property
    def verdict(self) -> str:
        if not self.goal:
            return ""
        op, target = self.goal.split()
        return "OK" if OPS[op](self.value, float(target)) else "MISSED"


def parse(bench: str, output: str) -> list[Figure]:
    figures = []
    for line in output.splitlines():
        match = RESULT_LINE.match(line.strip())
        if match:
            name, value, unit, op, target = match.groups()
            figures.append(Figure(bench, name, float(value), unit, f"{op} {target}" if op else ""))
    return figures


def run(bench: Path, quick: bool, timeout: float) -> tuple[int, str, float]:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    args = QUICK_ARGS.get(bench.stem, []) if quick else []
    started = time.monotonic()
    try:
        done = subprocess.run([sys.executable, str(bench), *args], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=timeout)
        return done.returncode, done.stdout + done.stderr, time.monotonic() - started
    except subprocess.TimeoutExpired as exc:
        text = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return -1, f"{text}\n(timed out after {timeout:.0f} s)", time.monotonic() - started


def table(figures: list[Figure], failures: dict[str, str]) -> list[str]:
    rows = [("bench", "figure", "value", "unit", "goal", "")]
    for f in figures:
        value = f"{f.value:.3g}" if abs(f.value) < 100 else f"{f.value:.0f}"
        rows.append((f.bench, f.name, value, f.unit, f.goal, f.verdict))
    for bench, why in failures.items():
        rows.append((bench, why, "", "", "", "FAILED"))
    widths = [max(len(row[i]) for row in rows) for i in range(6)]

    def line(row: tuple[str, ...]) -> str:
        return "| " + " | ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)) + " |"

    return [line(rows[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *(line(row) for row in rows[1:])]


START, END = "<!-- run_all:start -->", "<!-- run_all:end -->"


def write_markdown(path: Path, lines: list[str], quick: bool) -> None:
    """Put the table between the markers of an existing file (its prose stays), or write a new file."""
    env = (f"{platform.python_implementation()} {platform.python_version()}, {platform.system()} "
           f"{platform.machine()}, {os.cpu_count()} CPUs; `python bench/run_all.py{' --quick' if quick else ''}` "
           f"on {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}:")
    block = "\n".join([START, env, "", *lines, END])
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if START in text and END in text:
        head, _, rest = text.partition(START)
        _, _, tail = rest.partition(END)
        path.write_text(head + block + tail, encoding="utf-8")
    else:
        path.write_text(f"# Benchmark results\n\n{block}\n", encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds per bench")
    parser.add_argument("--only", nargs="+", default=[], metavar="NAME", help="run only these benches")
    parser.add_argument("--skip", nargs="+", default=[], metavar="NAME", help="skip these benches")
    parser.add_argument("--timeout", type=float, default=900, help="seconds per bench")
    parser.add_argument("--markdown", metavar="PATH", help="also write the table (and the environment) there")
    parser.add_argument("--verbose", "-v", action="store_true", help="print each bench's own output too")
    args = parser.parse_args()
    benches = sorted(p for p in BENCH.glob("*.py") if p.name != Path(__file__).name and not p.name.startswith("_"))
    if args.only:
        benches = [p for p in benches if p.stem in args.only]
    benches = [p for p in benches if p.stem not in args.skip]
    figures: list[Figure] = []
    failures: dict[str, str] = {}
    for bench in benches:
        print(f"running bench/{bench.name} ...", file=sys.stderr, flush=True)
        code, output, seconds = run(bench, args.quick, args.timeout)
        if args.verbose:
            print(output)
        found = parse(bench.stem, output)
        figures += found
        if code != 0:
            last = output.strip().splitlines()[-1][:80] if output.strip() else ""
            failures[bench.stem] = f"exit status {code}: {last}"
        elif not found:
            failures[bench.stem] = "printed no RESULT lines"
        print(f"  {bench.stem}: {len(found)} figure(s) in {seconds:.0f} s", file=sys.stderr, flush=True)
    lines = table(figures, failures)
    print("\n".join(lines))
    print("(x = ratio to the bench's own baseline, measured in the same run)")
    if args.markdown:
        write_markdown(Path(args.markdown), lines, args.quick)
    missed = [f for f in figures if f.verdict == "MISSED"]
    return 1 if failures else (3 if missed else 0)


if __name__ == "__main__":
    sys.exit(main())
