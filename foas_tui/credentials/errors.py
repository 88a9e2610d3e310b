"""Credential errors and their messages for humans: what failed and what to do (never a secret)."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

CRYPTFILE_INSTALL = "pip install 'foas-tui[cryptfile]'"
ENV_FIX = "export ALIBABA_CLOUD_ACCESS_KEY_ID/_SECRET (nothing is saved)"
CRYPTFILE_FIX = f"{CRYPTFILE_INSTALL}, then foas-tui profile add NAME --store cryptfile"
DBUS_FIX = "dbus-run-session -- sh -c 'gnome-keyring-daemon --unlock; foas-tui'"
# The web's usual answer to "No recommended backend" is keyrings.alt; say up front why it is no fix.
PLAINTEXT_NOTE = "(Installing keyrings.alt is no fix: it keeps secrets in a plain file, and foas-tui refuses it.)"


class CredentialError(Exception):
    """Base of every credentials failure; its `str()` is a message for humans, never with a secret."""


class SecretStoreUnavailable(CredentialError):
    """The secret store cannot be used: `reason` says why, `fixes` say what to do."""

    def __init__(
        self, reason: str, fixes: Sequence[str] = (), summary: str = "No OS keyring", note: str = ""
    ):
        self.reason = reason
        self.fixes = tuple(fixes)
        self.summary = summary
        self.note = note
        super().__init__(str(self))

    def __str__(self) -> str:
        return self._text() + (f"\n{self.note}" if self.note else "")

    def _text(self) -> str:
        head = f"{self.summary} ({self.reason})."
        if not self.fixes:
            return head
        if len(self.fixes) == 1:
            return f"{head} Fix: {self.fixes[0]}."
        numbered = [f"({i}) {fix}" for i, fix in enumerate(self.fixes, 1)]
        body = ",\n".join(numbered[:-1]) + ", or\n" + numbered[-1] + "."
        return f"{head} Either\n{body}"


class WrongPassphrase(SecretStoreUnavailable):
    """The encrypted secrets file did not open with the passphrase given."""


class CredentialsNotFound(CredentialError):
    """Nothing resolved, or the chosen source lacks a secret or holds an expired STS token."""


class UnknownProfile(CredentialError):
    """A profile name that is not in profiles.toml."""


class ImportAliyunError(CredentialError):
    """The aliyun CLI config could not be imported."""


NOT_FOUND_HELP = (
    "No credentials found. Provide them in one of three ways:\n"
    "  (1) flags: --access-key-id ID --region R (the secret is prompted for, or read with --secret-stdin),\n"
    "  (2) env: ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and ALIBABA_CLOUD_REGION_ID"
    " (optionally ALIBABA_CLOUD_SECURITY_TOKEN), or\n"
    "  (3) a profile: foas-tui profile add NAME --region R (or foas-tui profile import-aliyun),"
    " chosen with --profile, FOAS_TUI_PROFILE or foas-tui profile set-default NAME."
)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _headless_reason(detail: str) -> str:
    if sys.platform.startswith("linux") and not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return "no Secret Service: DBUS_SESSION_BUS_ADDRESS unset"
    return detail


def headless_error(detail: str) -> SecretStoreUnavailable:
    return SecretStoreUnavailable(
        _headless_reason(detail), (ENV_FIX, CRYPTFILE_FIX, DBUS_FIX), note=PLAINTEXT_NOTE
    )


def locked_error(detail: str) -> SecretStoreUnavailable:
    fixes = (
        "unlock it (log in to the desktop session, or run `gnome-keyring-daemon --unlock` and type the login password)",
        ENV_FIX,
        CRYPTFILE_FIX,
    )
    return SecretStoreUnavailable(detail, fixes, summary="The OS keyring is locked")
