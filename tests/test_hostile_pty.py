"""Issue 12 through the real terminal path: `foas-tui --demo --hostile-text` under a pseudo-terminal.

The app runs in a subprocess with Textual's own Linux driver; the test reads the raw bytes the terminal would
get, presses a few keys, quits, and looks for the hostile payloads as live sequences (OSC 52 clipboard, OSC 2
title, CSI erase, C1 controls, BEL ...) and for a traceback. Takes ~10 s.
"""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from foas_tui.emulator.hostile import hostile_markers

ROOT = Path(__file__).resolve().parents[1]
ROWS, COLS = 40, 160


class Terminal:
    """A child process on a pty: `read_until(text)` collects output, `send(keys)` types."""

    def __init__(self, *args: str) -> None:
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
        env = {**os.environ, "TERM": "xterm-256color", "COLORTERM": "truecolor", "PYTHONPATH": str(ROOT),
               "TEXTUAL_ANIMATIONS": "none"}
        env.pop("NO_COLOR", None)
        self.proc = subprocess.Popen([sys.executable, "-m", "foas_tui", *args], stdin=slave, stdout=slave,
                                     stderr=slave, env=env, cwd=ROOT, start_new_session=True, close_fds=True)
        os.close(slave)
        self.raw = bytearray()

    def pump(self, timeout: float) -> None:
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the child closed the terminal
                chunk = b""
            self.raw += chunk

    def read_until(self, needle: bytes, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.raw:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                self.pump(0.2)
                raise AssertionError(f"no {needle!r} within {timeout} s; last output: {bytes(self.raw[-2000:])!r}")
            self.pump(0.2)

    def settle(self, quiet: float = 0.8, limit: float = 10.0) -> None:
        """Read until the app has written nothing for `quiet` seconds (the frame for the last key is out)."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            before = len(self.raw)
            self.pump(quiet)
            if len(self.raw) == before:
                return

    def send(self, keys: bytes) -> None:
        os.write(self.master, keys)
        self.settle()

    def close(self) -> int | None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.pump(0)
        os.close(self.master)
        return self.proc.returncode


@pytest.mark.skipif(sys.platform == "win32", reason="pseudo-terminals are POSIX")
def test_hostile_text_through_a_real_terminal_writes_no_payload_sequence_and_no_traceback() -> None:
    term = Terminal("--demo", "--hostile-text")
    try:
        term.read_until(b"realtime_dw")  # the first project is in the tree
        term.settle()
        for keys in (b"j", b"l", b"j", b"l", b"j", b"j", b"l", b"j", b"j", b"\t", b"j", b"j", b"\r"):
            term.send(keys)
        term.send(b"t")  # the triage board: failing jobs and their hostile last errors
        term.send(b"\x1b")
        term.send(b"?")
        term.send(b"\x1b")
        term.send(b"R")  # resources: package and queue names
        term.send(b"]")
        term.send(b"\x1b")
        term.send(b"q")
        deadline = time.monotonic() + 10
        while term.proc.poll() is None and time.monotonic() < deadline:
            term.pump(0.2)
    finally:
        code = term.close()
    text = bytes(term.raw).decode("utf-8", "replace")
    assert "Traceback" not in text, text[-3000:]
    leaked = {name: text.count(marker) for name, marker in hostile_markers().items() if marker in text}
    assert not leaked, f"hostile payloads reached the terminal as live sequences: {leaked}"
    assert code == 0, f"exit status {code}"
