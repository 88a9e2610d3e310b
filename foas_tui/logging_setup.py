"""Debug logging to a file, with every known secret and signature header redacted."""

from __future__ import annotations

import logging
import re

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


def configure_file_logging(path: str, level: int = logging.DEBUG) -> None:
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("foas_tui")
    root.setLevel(level)
    root.addHandler(handler)
