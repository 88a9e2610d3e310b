"""`foas-tui serve`: loopback by default, a clear warning otherwise, and the demo seen in a real browser.

The browser test runs `foas-tui serve -- --demo` and opens it in headless Chromium (Debian's `chromium`),
driven over the DevTools protocol (aiohttp, a dependency of textual-serve, speaks the websocket): a
script in the page records what the terminal receives, and the test waits for the demo's projects.
It skips when Chromium is not installed, unless $REQUIRE_CHROMIUM is set (CI installs it and sets it).
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from foas_tui import serve as serve_module
from foas_tui.cli import build_parser
from foas_tui.serve import app_command, bind_problem, exposure_warning, is_loopback, public_url, serve

# .ci/run sets it: there a missing browser fails. (Not FOAS_TUI_*: the conftest clears those.)
REQUIRE_CHROMIUM_ENV = "REQUIRE_CHROMIUM"
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--disable-dev-shm-usage", "--mute-audio", "--window-size=1280,800"]


# --- the command and its safety rails --------------------------------------------------------------------------


@pytest.mark.parametrize("host, loopback", [
    ("127.0.0.1", True), ("localhost", True), ("::1", True), ("[::1]", True), ("127.0.0.2", True),
    ("0.0.0.0", False), ("::", False), ("10.0.0.5", False), ("bastion.example.com", False),
])
def test_is_loopback(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback


def test_cli_binds_to_loopback_by_default() -> None:
    args = build_parser().parse_args(["serve", "--", "--demo"])
    assert args.host == "127.0.0.1" and is_loopback(args.host)
    assert app_command(args.app_args).endswith("-m foas_tui --demo")


def test_app_command_is_this_python_and_quoted() -> None:
    command = app_command(["--", "--profile", "prod x", "--read-only"])
    assert command.startswith(sys.executable) or command.startswith(f"'{sys.executable}'")
    assert command.endswith("-m foas_tui --profile 'prod x' --read-only")


def test_public_url_brackets_ipv6_and_names_a_wildcard_bind() -> None:
    assert public_url("127.0.0.1", 8000) == "http://127.0.0.1:8000"
    assert public_url("::1", 8000) == "http://[::1]:8000"
    assert "0.0.0.0" not in public_url("0.0.0.0", 8000)


class FakeServer:
    """Stands in for textual_serve.server.Server: records how it was built, serves nothing."""

    made: list[dict[str, Any]] = []

    def __init__(self, command: str, **kwargs: Any) -> None:
        FakeServer.made.append({"command": command, **kwargs})

    def serve(self) -> None:
        return None


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> type[FakeServer]:
    import textual_serve.server

    FakeServer.made = []
    monkeypatch.setattr(textual_serve.server, "Server", FakeServer)
    monkeypatch.delenv(serve_module.PUBLIC_URL_ENV, raising=False)
    return FakeServer


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def test_loopback_serves_without_warning(fake_server: type[FakeServer]) -> None:
    out, err = io.StringIO(), io.StringIO()
    port = free_port()
    assert serve("127.0.0.1", port, ["--", "--demo"], out=out, err=err) == 0
    assert err.getvalue() == ""
    assert f"http://127.0.0.1:{port}/" in out.getvalue()
    (made,) = fake_server.made
    assert made["host"] == "127.0.0.1" and made["port"] == port and made["title"] == "foas-tui"
    assert made["command"].endswith("-m foas_tui --demo") and made["public_url"] == f"http://127.0.0.1:{port}"


def test_non_loopback_warns_clearly(fake_server: type[FakeServer]) -> None:
    out, err = io.StringIO(), io.StringIO()
    port = free_port("0.0.0.0")
    assert serve("0.0.0.0", port, ["--demo"], out=out, err=err) == 0
    warning = err.getvalue()
    assert warning.startswith("WARNING: serving on 0.0.0.0, not loopback")
    assert "credentials" in warning and "no login" in warning and f"ssh -L {port}:127.0.0.1:{port}" in warning
    assert exposure_warning("127.0.0.1", port) is None and exposure_warning("::1", port) is None


def test_public_url_can_be_given_for_a_reverse_proxy(fake_server: type[FakeServer], monkeypatch) -> None:
    monkeypatch.setenv(serve_module.PUBLIC_URL_ENV, "https://bastion.example.com/foas/")
    assert serve("127.0.0.1", free_port(), [], out=io.StringIO(), err=io.StringIO()) == 0
    assert fake_server.made[0]["public_url"] == "https://bastion.example.com/foas"


def test_public_url_option_for_a_tunnel_on_another_port(fake_server: type[FakeServer], monkeypatch, capsys) -> None:
    from foas_tui.cli import main

    monkeypatch.setenv(serve_module.PUBLIC_URL_ENV, "https://ignored.example.com/")  # the option wins
    port = free_port()
    assert main(["serve", "--port", str(port), "--public-url", "http://127.0.0.1:9000/", "--", "--demo"]) == 0
    (made,) = fake_server.made
    assert made["port"] == port and made["public_url"] == "http://127.0.0.1:9000"
    assert made["command"].endswith("-m foas_tui --demo")
    assert "Serving foas-tui at http://127.0.0.1:9000/" in capsys.readouterr().out


def test_port_in_use_is_a_sentence_not_a_traceback(fake_server: type[FakeServer]) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        err = io.StringIO()
        assert serve("127.0.0.1", port, ["--demo"], out=io.StringIO(), err=err) == 2
    assert err.getvalue().startswith(f"foas-tui serve: cannot listen on 127.0.0.1:{port}")
    assert not fake_server.made
    assert bind_problem("no-such-host.invalid", 8000) is not None


@pytest.mark.parametrize("port", [0, 70000, -1])
def test_impossible_port(fake_server: type[FakeServer], port: int) -> None:
    err = io.StringIO()
    assert serve("127.0.0.1", port, [], out=io.StringIO(), err=err) == 2
    assert "--port must be within 1..65535" in err.getvalue()


# --- in a real browser ------------------------------------------------------------------------------------------


def find_chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


def wait_http(url: str, timeout: float, proc: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback test server
                return response.read().decode("utf-8")
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(f"`foas-tui serve` exited with {proc.returncode}") from None
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


@contextlib.contextmanager
def process_group(argv: list[str], **kwargs: Any) -> Iterator[subprocess.Popen[bytes]]:
    """A subprocess in its own process group, killed with everything it started (app sessions, renderers)."""
    proc = subprocess.Popen(argv, start_new_session=True, **kwargs)
    try:
        yield proc
    finally:
        for sig in (signal.SIGTERM, signal.SIGKILL):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            try:
                proc.wait(timeout=5)
                break
            except subprocess.TimeoutExpired:
                continue


class DevTools:
    """A minimal Chrome DevTools Protocol client over one websocket (aiohttp)."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.next_id = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        ident = self.next_id
        await self.ws.send_str(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.receive_str(), timeout=30))
            if message.get("id") == ident:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message.get("result", {})

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")


# Installed before the page's own script: keeps the text of everything the terminal websocket receives.
RECORDER = """
(() => {
  window.__foasTerminal = "";
  const Native = window.WebSocket;
  const decoder = new TextDecoder("utf-8");
  window.WebSocket = function (...args) {
    const ws = new Native(...args);
    ws.addEventListener("message", (event) => {
      const data = event.data;
      const text = typeof data === "string" ? data : decoder.decode(new Uint8Array(data), {stream: true});
      if (window.__foasTerminal.length < 4000000) window.__foasTerminal += text;
    });
    return ws;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, {CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3});
})();
"""


async def browse(devtools_url: str, page_url: str, expect: list[str], timeout: float, shot: Path) -> dict[str, Any]:
    import aiohttp

    async with aiohttp.ClientSession() as http:
        version = await (await http.get(f"{devtools_url}/json/version")).json()
        assert "Chrome" in version.get("Browser", "") or "Chromium" in version.get("Browser", ""), version
        targets = await (await http.get(f"{devtools_url}/json/list")).json()
        page = next(t for t in targets if t.get("type") == "page")
        async with http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
            cdp = DevTools(ws)
            await cdp.call("Page.enable")
            await cdp.call("Page.addScriptToEvaluateOnNewDocument", source=RECORDER)
            await cdp.call("Page.navigate", url=page_url)
            deadline = time.monotonic() + timeout
            state: dict[str, Any] = {}
            while time.monotonic() < deadline:
                state = await cdp.evaluate(
                    "({title: document.title, classes: document.body ? document.body.className : '',"
                    " terminal: !!document.querySelector('.xterm-screen'),"
                    " received: (window.__foasTerminal || '').length,"
                    f" found: {json.dumps(expect)}.filter(w => (window.__foasTerminal || '').includes(w))}})")
                if state and state["terminal"] and len(state["found"]) == len(expect):
                    break
                await asyncio.sleep(0.25)
            picture = await cdp.call("Page.captureScreenshot", format="png")
            import base64

            shot.write_bytes(base64.b64decode(picture["data"]))
            state["text"] = await cdp.evaluate("(window.__foasTerminal || '').slice(0, 200000)")
            return state


def test_demo_in_headless_chromium(tmp_path: Path) -> None:
    chromium = find_chromium()
    if chromium is None:
        reason = "no Chromium here (apt-get install -y --no-install-recommends chromium); CI installs it in .ci/run"
        if os.environ.get(REQUIRE_CHROMIUM_ENV):
            pytest.fail(f"{REQUIRE_CHROMIUM_ENV} is set but: {reason}")
        pytest.skip(reason)
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    serve_log = (tmp_path / "serve.log").open("wb")
    with process_group([sys.executable, "-m", "foas_tui", "serve", "--port", str(port), "--", "--demo"],
                       stdout=serve_log, stderr=subprocess.STDOUT, env=env) as server:
        page = wait_http(f"http://127.0.0.1:{port}/", 30, server)
        assert "foas-tui" in page and f"ws://127.0.0.1:{port}/ws" in page
        profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp_path)
        chrome_log = (tmp_path / "chromium.log").open("wb")
        with process_group([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
                            "about:blank"], stdout=subprocess.DEVNULL, stderr=chrome_log) as browser:
            devtools_url = _devtools_url(tmp_path / "chromium.log", browser, timeout=30)
            expect = ["foas-tui", "realtime_dw", "RUNNING"]
            state = asyncio.run(browse(devtools_url, f"http://127.0.0.1:{port}/", expect, timeout=45,
                                       shot=tmp_path / "browser.png"))
    serve_log.close()
    assert state["terminal"], state  # xterm.js is on the page
    assert "-first-byte" in state["classes"], state  # the terminal received the app's output
    # The demo: the header, its projects and live job states, as the browser's terminal received them.
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", state["text"])
    for word in ("foas-tui", "DEMO", "realtime_dw", "projects", "RUNNING"):
        assert word in text, (word, state["found"], text[-2000:])
    assert (tmp_path / "browser.png").stat().st_size > 10_000


def _devtools_url(log: Path, browser: subprocess.Popen[bytes], timeout: float) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        match = re.search(r"DevTools listening on (ws://[^/\s]+)", log.read_text(errors="replace"))
        if match:
            return match.group(1).replace("ws://", "http://")
        if browser.poll() is not None:
            raise AssertionError(f"chromium exited with {browser.returncode}: {log.read_text(errors='replace')}")
        time.sleep(0.1)
    raise AssertionError(f"chromium printed no DevTools address: {log.read_text(errors='replace')[-2000:]}")
