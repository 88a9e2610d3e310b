"""What the benches share: the RESULT line bench/run_all.py collects, and the emulator in a child process."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def result(name: str, value: float, unit: str, goal: str = "") -> None:
    """Print `RESULT <name> <value> <unit> [goal <op> <target>]` (see bench/run_all.py)."""
    print(f"RESULT {name} {value:.6g} {unit}" + (f" goal {goal}" if goal else ""), flush=True)


class EmulatorProcess:
    """`foas-tui emulator` on a free loopback port in a child process (its CPU and memory are not ours).

    The emulator's listening socket says IPPROTO_TCP, so asyncio sets TCP_NODELAY on each connection: no
    40 ms wait for a delayed ACK on kept-alive connections.
    """

    def __init__(self, jobs: int, latency_ms: float = 0.0, env: dict[str, str] | None = None) -> None:
        env = env or {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "foas_tui", "emulator", "--port", "0", "--jobs", str(jobs), "--seed", "7",
             "--latency-ms", str(latency_ms)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        match = re.search(r"listening on (http://\S+)", line)
        if not match:
            self.proc.kill()
            raise SystemExit(f"the emulator did not start: {line}{self.proc.stderr.read() if self.proc.stderr else ''}")
        self.endpoint = match.group(1)
        self.netloc = self.endpoint.removeprefix("http://")

    def __enter__(self) -> EmulatorProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
