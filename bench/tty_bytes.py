"""Bench: bytes the app writes to a real terminal (a pseudo-terminal) with 1,000 jobs, at 80x24 and 200x50.

The app runs `--demo`-style (the emulator in its process, 1,000 jobs, the service's data frozen so that a
refresh changes exactly what the bench says) with Textual's own Linux driver on a pty, refreshing every
--interval seconds; the operator's clock runs (uptimes tick as they would). The child reports each finished
refresh on a pipe; this process reads every byte the terminal gets and counts per step:

* tty_bytes_first_frame: from start until the first refresh is on screen and the app is quiet;
* tty_bytes_idle_refresh: one refresh period in which no job changed (median of three periods);
* tty_bytes_one_change: the period of a refresh in which one job (on screen) changed its state;
* tty_bytes_cursor_move: one Down key in the live table (the job pane follows), until the app is quiet.

Each is also given as the time it takes on a 1 Mbit/s link. Goals: idle <= 200 B, one change <= 2 KB,
cursor move <= 4 KB. Usage: python bench/tty_bytes.py [--jobs 1000] [--sizes 80x24 200x50] [--interval 4]
"""

from __future__ import annotations

import argparse
import fcntl
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

from _common import result

ROOT = Path(__file__).resolve().parent.parent
LINK_BITS_PER_SECOND = 1_000_000

CHILD = r"""
import os, sys, time
import msgspec
from foas_tui.api.run_summaries import LeanRunSummary
from foas_tui.app import FoasApp
from foas_tui.config import AppConfig
from foas_tui.emulator import FakeClock

jobs, interval, marker_fd, change_at = int(sys.argv[1]), float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
app = FoasApp.demo(jobs=jobs, seed=7, clock=FakeClock(time.time()), config=AppConfig(refresh_interval=interval),
                   state_path=None)
app.clock = time.time  # the operator's clock runs (uptimes tick); the service's data stands still
app.refresher.clock = time.time
client = app.refresher.client
original = client.run_summaries
calls = {"refresh": 0}
target = {}

async def batch(project, names, job_type):
    response = await original(project, names, job_type)
    if calls["refresh"] == change_at and target.get("key") and target["key"][0] == project:
        for summary in response:
            if summary.job_name == target["key"][1]:
                state = "FAILED" if summary.actual_state != "FAILED" else "RUNNING"
                if isinstance(summary, LeanRunSummary):  # the client's lean parse: frozen structs
                    response = [msgspec.structs.replace(s, actual_state=state) if s is summary else s
                                for s in response]
                else:
                    summary.actual_state = state
    return response

client.run_summaries = batch
refresh_once = app.refresher.refresh_once

async def counted():
    result = await refresh_once()
    calls["refresh"] += 1
    live = app.main_screen.live if app.main_screen is not None else None
    if "key" not in target and live is not None and live.row_count > 3:
        target["key"] = tuple(live.ordered_keys[2].split("/", 1))
    errors = ";".join(f"{type(e).__name__}:{e}".replace(" ", "_") for e in result.errors) or "-"
    os.write(marker_fd, f"refresh {calls['refresh']} {len(result.changed)} {errors}\n".encode())
    return result

app.refresher.refresh_once = counted
if os.environ.get("TTY_BYTES_NO_PANE"):  # to tell the table's own bytes from the job pane's
    from foas_tui.widgets.job_pane import JobPane
    JobPane.show_job = lambda self, job, run=None: None
app.run()
"""


class Pty:
    def __init__(self, cols: int, rows: int, args: list[str]) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.marker_r, marker_w = os.pipe()
        env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", "TEXTUAL_ANIMATIONS": "none",
               "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        env.pop("NO_COLOR", None)
        self.proc = subprocess.Popen([sys.executable, "-c", CHILD, *args[:2], str(marker_w), *args[2:]],
                                     stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
                                     start_new_session=True, pass_fds=(marker_w,))
        os.close(slave)
        os.close(marker_w)
        self.total = 0
        self.raw = bytearray()
        self.markers: list[tuple[int, int, int]] = []  # (refresh number, jobs changed, bytes so far)
        self._pending = b""

    def pump(self, timeout: float) -> bool:
        """Read what is there within `timeout`; True if anything came."""
        ready, _, _ = select.select([self.master, self.marker_r], [], [], timeout)
        got = False
        if self.master in ready:
            try:
                chunk = os.read(self.master, 1 << 16)
            except OSError:
                chunk = b""
            self.total += len(chunk)
            self.raw += chunk
            got = bool(chunk)
        if self.marker_r in ready:
            self._pending += os.read(self.marker_r, 4096)
            while b"\n" in self._pending:
                line, self._pending = self._pending.split(b"\n", 1)
                _, number, changed, errors = line.decode().split(" ", 3)
                if errors != "-":  # a bench that measures a failing refresh measures an error toast
                    raise SystemExit(f"refresh {number} failed in the app: {errors}")
                self.markers.append((int(number), int(changed), self.total))
        return got

    def wait_marker(self, number: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while not any(m[0] >= number for m in self.markers):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise SystemExit(f"refresh {number} did not come (app exit status {self.proc.poll()})")
            self.pump(0.2)

    def settle(self, quiet: float = 0.6, limit: float = 10.0) -> None:
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            if not self.pump(quiet):
                return

    def bytes_at(self, number: int) -> int:
        return next(m[2] for m in self.markers if m[0] == number)

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        os.close(self.master)
        os.close(self.marker_r)


def measure(cols: int, rows: int, jobs: int, interval: float) -> dict[str, float]:
    change_at = 5  # the 6th refresh carries one job's new state
    term = Pty(cols, rows, [str(jobs), str(interval), str(change_at)])
    try:
        term.wait_marker(1)
        term.settle(quiet=1.0)
        first = term.total
        term.wait_marker(5)  # periods 2->3, 3->4, 4->5: nothing changed
        idle = [term.bytes_at(n + 1) - term.bytes_at(n) for n in (2, 3, 4)]
        changed_idle = [m[1] for m in term.markers if m[0] in (3, 4, 5)]
        term.wait_marker(7)
        one_change = term.bytes_at(7) - term.bytes_at(6)
        changed_one = next(m[1] for m in term.markers if m[0] == 6)
        term.settle()
        os.write(term.master, b"\t")  # focus the live table (its border and cursor repaint: not counted)
        term.wait_marker(8)
        term.settle()
        before = term.total
        os.write(term.master, b"j")  # one Down key; the job pane follows after its debounce
        term.settle(quiet=0.8)
        cursor = term.total - before
        if os.environ.get("TTY_BYTES_DUMP"):  # what each step sent, to read with `cat -v`
            out = Path(os.environ["TTY_BYTES_DUMP"])
            out.mkdir(parents=True, exist_ok=True)
            (out / f"{cols}x{rows}_idle.bin").write_bytes(term.raw[term.bytes_at(3):term.bytes_at(4)])
            (out / f"{cols}x{rows}_one_change.bin").write_bytes(term.raw[term.bytes_at(6):term.bytes_at(7)])
            (out / f"{cols}x{rows}_cursor.bin").write_bytes(term.raw[before:])
    finally:
        term.close()
    return {"first": first, "idle": statistics.median(idle), "idle_all": idle, "idle_changed": changed_idle,
            "one_change": one_change, "one_changed_jobs": changed_one, "cursor": cursor}


def link_ms(size: float) -> float:
    return size * 8 / LINK_BITS_PER_SECOND * 1000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--sizes", nargs="+", default=["80x24", "200x50"])
    parser.add_argument("--interval", type=float, default=4.0, help="seconds between refreshes")
    args = parser.parse_args()
    if sys.platform == "win32":
        raise SystemExit("pseudo-terminals are POSIX")
    for size in args.sizes:
        cols, rows = (int(v) for v in size.split("x"))
        r = measure(cols, rows, args.jobs, args.interval)
        print(f"{size}, {args.jobs} jobs: first frame {r['first']} B; idle refresh periods {r['idle_all']} B "
              f"(jobs changed per refresh: {r['idle_changed']}); one job changed ({r['one_changed_jobs']} row "
              f"changed): {r['one_change']} B; one Down key in the live table: {r['cursor']} B")
        suffix = f"_{size}"
        result(f"tty_bytes_first_frame{suffix}", r["first"], "B")
        result(f"tty_bytes_idle_refresh{suffix}", r["idle"], "B", "<= 200")
        result(f"tty_bytes_one_change{suffix}", r["one_change"], "B", "<= 2048")
        result(f"tty_bytes_cursor_move{suffix}", r["cursor"], "B", "<= 4096")
        result(f"tty_1mbit_first_frame{suffix}", link_ms(r["first"]), "ms")
        result(f"tty_1mbit_idle_refresh{suffix}", link_ms(r["idle"]), "ms")
        result(f"tty_1mbit_one_change{suffix}", link_ms(r["one_change"]), "ms")
        result(f"tty_1mbit_cursor_move{suffix}", link_ms(r["cursor"]), "ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
