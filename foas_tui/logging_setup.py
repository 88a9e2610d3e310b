"""Debug logging to a file, with every known secret and signature header redacted, the file private (0600)."""

from __future__ import annotations

import logging
import os
import re
import stat

_SECRETS: set[str] = set()
_HEADER_PATTERN = re.compile(r"(?i)(authorization|x-acs-security-token)([\"']?\s*[:=]\s*[\"']?)([^\s\"',}]+)")


def register_secret(value: str | None) -> None:
    """Remember a secret so that the log filter removes it wherever it shows up."""
    if value and len(value) >= 4:
        _SECRETS.add(value)


def redact(text: str) -> str:
    for secret in _SECRETS:
        if secret in text:
            text = text.replace(secret, "****")
    return _HEADER_PATTERN.sub(r"\1\2****", text)


class RedactingFormatter(logging.Formatter):
    """Redacts the whole formatted record, tracebacks included."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


LOG_FILE_MODE = 0o600


def open_private_log(path: str) -> int:
    """Open `path` for appending, created 0600; an existing file of ours with a wider mode is tightened.

    The log holds raw server text (job names, SQL, error bodies): nobody else should read it. `os.open`'s
    mode only ever loses bits to the umask, so a new file is never wider than 0600; `fchmod` on the open
    descriptor fixes an old file without a window in which another name could be swapped in. A regular
    file we cannot tighten (another user's) is refused with `PermissionError`; a device or pipe (e.g.
    /dev/stderr) is used as it is.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), LOG_FILE_MODE)
    try:
        info = os.fstat(fd)
        if stat.S_ISREG(info.st_mode) and stat.S_IMODE(info.st_mode) & 0o077:
            try:
                os.fchmod(fd, LOG_FILE_MODE)
            except PermissionError:
                raise PermissionError(
                    13, f"it is readable by others (mode {stat.S_IMODE(info.st_mode):o}) and not ours to "
                        "make private; remove it or pick another path") from None
    except BaseException:
        os.close(fd)
        raise
    return fd


class PrivateFileHandler(logging.StreamHandler):
    """A StreamHandler over the file `open_private_log` opened; closing the handler closes the file."""

    def __init__(self, path: str) -> None:
        super().__init__(os.fdopen(open_private_log(path), "a", encoding="utf-8"))

    def close(self) -> None:
        self.acquire()
        try:
            self.flush()
            self.stream.close()
        finally:
            self.release()
            super().close()


def configure_file_logging(path: str, level: int = logging.DEBUG) -> None:
    handler = PrivateFileHandler(path)
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("foas_tui")
    root.setLevel(level)
    root.addHandler(handler)
