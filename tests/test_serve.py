"""`foas-tui serve`: loopback by default, a clear warning otherwise, a token and an Origin check in front of the
terminal, and the demo seen in a real browser.

The token tests run the real `foas-tui serve -- --demo` and talk to it with aiohttp's websocket client, the
way a foreign web page would (an `Origin` of another site) and the way the served page does.

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
import urllib.error
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
    """Stands in for serve_web.TokenServer: records how it was built, serves nothing."""

    made: list[dict[str, Any]] = []

    def __init__(self, command: str, **kwargs: Any) -> None:
        FakeServer.made.append({"command": command, **kwargs})

    def serve(self) -> None:
        return None


@pytest.fixture
def fake_server(monkeypatch: pytest.MonkeyPatch) -> type[FakeServer]:
    from foas_tui import serve_web

    FakeServer.made = []
    monkeypatch.setattr(serve_web, "TokenServer", FakeServer)
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


def printed_token(text: str) -> str:
    match = re.search(r"Serving foas-tui at \S+/\?token=([A-Za-z0-9_-]+)\s", text)
    assert match, text
    return match.group(1)


def test_each_run_prints_its_own_token_in_the_url_and_nowhere_else(fake_server: type[FakeServer]) -> None:
    tokens = []
    for _ in range(2):
        out, err = io.StringIO(), io.StringIO()
        assert serve("127.0.0.1", free_port(), ["--demo"], out=out, err=err) == 0
        token = printed_token(out.getvalue())
        assert out.getvalue().count(token) == 1 and token not in err.getvalue()
        tokens.append(token)
    assert tokens[0] != tokens[1] and all(len(t) >= 40 for t in tokens)  # 32 random bytes, base64url
    assert [m["token"] for m in fake_server.made] == tokens


def test_websocket_origins_are_the_public_url_and_the_bind_address() -> None:
    from foas_tui.serve import served_origins
    from foas_tui.serve_web import origin_of

    assert served_origins("127.0.0.1", 8000, "http://127.0.0.1:9000") == ["http://127.0.0.1:9000",
                                                                           "http://127.0.0.1:8000"]
    assert served_origins("0.0.0.0", 8000, "https://bastion.example.com") == ["https://bastion.example.com"]
    assert served_origins("::1", 8000, "http://[::1]:8000")[1] == "http://[::1]:8000"
    assert origin_of("https://Bastion.example.com/foas") == ("https", "bastion.example.com", 443)
    assert origin_of("http://[::1]:8000") == ("http", "::1", 8000)
    assert origin_of("null") is None and origin_of("http://x:99999") is None


def test_a_public_url_that_is_not_http_is_refused(fake_server: type[FakeServer]) -> None:
    err = io.StringIO()
    assert serve("127.0.0.1", free_port(), [], url="javascript:alert(1)", out=io.StringIO(), err=err) == 2
    assert "--public-url must be an http:// or https:// URL" in err.getvalue() and not fake_server.made


def wait_for_text(path: Path, pattern: str, timeout: float, proc: subprocess.Popen[bytes]) -> str:
    deadline = time.monotonic() + timeout
    while True:
        text = path.read_text(errors="replace")
        if re.search(pattern, text):
            return text
        if proc.poll() is not None:
            raise AssertionError(f"`foas-tui serve` exited with {proc.returncode}: {text}")
        if time.monotonic() > deadline:
            raise AssertionError(f"no {pattern!r} in time: {text}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def served_demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[int, str, Path]]:
    """A real `foas-tui serve -- --demo` on a free loopback port: (port, token, its output file)."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.pop(serve_module.PUBLIC_URL_ENV, None)
    with log_path.open("wb") as log, process_group(
            [sys.executable, "-m", "foas_tui", "serve", "--port", str(port), "--", "--demo"],
            stdout=log, stderr=subprocess.STDOUT, env=env) as proc:
        token = printed_token(wait_for_text(log_path, r"token=\S+\s", 30, proc))
        wait_http(f"http://127.0.0.1:{port}/static/css/xterm.css", 30, proc)
        yield port, token, log_path


def http_status(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback test server
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode("utf-8", "replace")


def test_the_page_needs_the_token(served_demo: tuple[int, str, Path]) -> None:
    port, token, _ = served_demo
    base = f"http://127.0.0.1:{port}/"
    status, body = http_status(base)
    assert status == 403 and "open the URL that `foas-tui serve` printed" in body
    assert http_status(f"{base}?token={token[:-1]}")[0] == 403
    assert http_status(f"{base}?token=%C3%A9{token}")[0] == 403  # non-ASCII: still a 403, not a 500
    status, page = http_status(f"{base}?token={token}")
    assert status == 200 and "foas-tui" in page
    assert f'data-session-websocket-url="ws://127.0.0.1:{port}/ws/{token}"' in page  # the page's JS gets it


async def ws_attempt(url: str, origin: str | None, *, read_bytes: int = 0) -> tuple[int, int]:
    """(HTTP status of the handshake: 101 when upgraded, bytes of terminal output read before closing)."""
    import aiohttp

    headers = {"Origin": origin} if origin else {}
    async with aiohttp.ClientSession() as http:
        try:
            async with http.ws_connect(url, headers=headers, timeout=aiohttp.ClientWSTimeout(ws_close=5)) as ws:
                received = 0
                while received < read_bytes:
                    message = await asyncio.wait_for(ws.receive(), timeout=30)
                    if message.type == aiohttp.WSMsgType.BINARY:
                        received += len(message.data)
                    elif message.type != aiohttp.WSMsgType.TEXT:
                        break
                return 101, received
        except aiohttp.WSServerHandshakeError as err:
            return err.status, 0


def test_a_foreign_page_cannot_drive_the_terminal(served_demo: tuple[int, str, Path]) -> None:
    port, token, _ = served_demo
    ours = f"http://127.0.0.1:{port}"
    ws = f"ws://127.0.0.1:{port}/ws"
    cases = {
        "foreign origin, no token": (ws, "https://evil.example"),
        "foreign origin, token guessed wrong": (f"{ws}/{token[::-1]}", "https://evil.example"),
        "foreign origin, right token": (f"{ws}/{token}", "https://evil.example"),
        "another local port, right token": (f"{ws}/{token}", f"http://127.0.0.1:{port + 1}"),
        "our origin, no token": (ws, ours),
        "our origin, wrong token": (f"{ws}/x{token}", ours),
        "no origin, right token": (f"{ws}/{token}", None),
    }
    for name, (url, origin) in cases.items():
        assert asyncio.run(ws_attempt(url, origin))[0] == 403, name


def test_the_printed_url_works_and_the_token_is_printed_once(served_demo: tuple[int, str, Path]) -> None:
    port, token, log_path = served_demo
    status, received = asyncio.run(ws_attempt(f"ws://127.0.0.1:{port}/ws/{token}?width=80&height=24",
                                              f"http://127.0.0.1:{port}", read_bytes=200))
    assert status == 101 and received >= 200  # upgraded, and the demo app's terminal output came through
    # After the refused attempts above (and this session), the token is still only in the URL line.
    assert log_path.read_text(errors="replace").count(token) == 1


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
        token = printed_token(wait_for_text(tmp_path / "serve.log", r"token=\S+\s", 30, server))
        page_url = f"http://127.0.0.1:{port}/?token={token}"
        page = wait_http(page_url, 30, server)
        assert "foas-tui" in page and f"ws://127.0.0.1:{port}/ws/{token}" in page
        profile = tempfile.mkdtemp(prefix="chromium-", dir=tmp_path)
        chrome_log = (tmp_path / "chromium.log").open("wb")
        with process_group([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", "--remote-debugging-port=0",
                            "about:blank"], stdout=subprocess.DEVNULL, stderr=chrome_log) as browser:
            devtools_url = _devtools_url(tmp_path / "chromium.log", browser, timeout=30)
            expect = ["foas-tui", "realtime_dw", "RUNNING"]
            state = asyncio.run(browse(devtools_url, page_url, expect, timeout=45,
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
