"""Local safety rails: the --log-file is private (0600, umask-proof), and a plain-http endpoint on another
machine is flagged in the header and at start."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from foas_tui.api.client import plain_http_remote
from foas_tui.logging_setup import PrivateFileHandler, open_private_log
from foas_tui.widgets.header import header_text


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_log_file_is_0600_whatever_the_umask(tmp_path: Path) -> None:
    old = os.umask(0)  # the most permissive umask: a plain open() would make it 0666
    try:
        handler = PrivateFileHandler(str(tmp_path / "debug.log"))
    finally:
        os.umask(old)
    try:
        record = logging.LogRecord("foas_tui.x", logging.INFO, __file__, 1, "hello %s", ("world",), None)
        handler.emit(record)
    finally:
        handler.close()
    assert _mode(tmp_path / "debug.log") == 0o600
    assert "hello world" in (tmp_path / "debug.log").read_text()


def test_an_existing_world_readable_log_file_is_tightened_and_appended_to(tmp_path: Path) -> None:
    path = tmp_path / "debug.log"
    path.write_text("earlier line\n")
    path.chmod(0o644)
    os.close(open_private_log(str(path)))
    assert _mode(path) == 0o600 and path.read_text() == "earlier line\n"


def test_a_log_file_we_cannot_make_private_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "shared.log"
    path.write_text("")
    path.chmod(0o666)

    def not_ours(fd: int, mode: int) -> None:  # what fchmod says on another user's file
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "fchmod", not_ours)
    with pytest.raises(PermissionError, match="readable by others"):
        open_private_log(str(path))


def test_cli_log_file_is_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    from foas_tui.cli import main

    monkeypatch.setattr("foas_tui.app.FoasApp.run", lambda self, *a, **k: None)  # no terminal here
    logger = logging.getLogger("foas_tui")
    before = list(logger.handlers)
    old = os.umask(0o022)
    try:
        assert main(["--log-file", str(tmp_path / "x.log"), "--demo"]) == 0
    finally:
        os.umask(old)
        for handler in [h for h in logger.handlers if h not in before]:
            handler.close()
            logger.removeHandler(handler)
    assert _mode(tmp_path / "x.log") == 0o600


@pytest.mark.parametrize(("url", "flagged"), [
    ("http://10.0.0.5:8123", True),
    ("http://foas.cn-hangzhou.aliyuncs.com", True),
    ("http://[2001:db8::1]:80", True),
    ("https://foas.cn-hangzhou.aliyuncs.com", False),
    ("http://127.0.0.1:8123", False),
    ("http://127.3.4.5", False),
    ("http://[::1]:8123", False),
    ("http://localhost:8123", False),
    ("http://LOCALHOST", False),
])
def test_plain_http_remote(url: str, flagged: bool) -> None:
    assert plain_http_remote(url) is flagged


def test_the_header_says_no_tls_for_a_remote_plain_http_endpoint() -> None:
    common = {"profile": "prod", "profile_color": None, "region": "cn-hangzhou", "read_only": False,
              "connection": "ok", "width": 120}
    assert "NO TLS" in header_text(endpoint="http://10.1.2.3:8080", demo=False, **common).plain
    assert "NO TLS" not in header_text(endpoint="https://foas.cn-hangzhou.aliyuncs.com", demo=False, **common).plain
    assert "NO TLS" not in header_text(endpoint="http://127.0.0.1:8123", demo=False, **common).plain


async def test_the_app_warns_at_start_about_a_remote_plain_http_endpoint(monkeypatch: pytest.MonkeyPatch) -> None:
    from foas_tui.app import FoasApp

    app = FoasApp.demo(jobs=4, state_path=None)
    app.session.demo = False  # as a real session against this endpoint (the requests still go in-process)
    app.session.endpoint = "http://10.1.2.3:8080"
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(app, "notify", lambda message, **kw: shown.append((str(message), kw.get("title", ""))))
    async with app.run_test() as pilot:
        await pilot.pause()
    warnings = [m for m, title in shown if title == "No TLS"]
    assert len(warnings) == 1 and "http://10.1.2.3:8080" in warnings[0] and "unencrypted" in warnings[0]
