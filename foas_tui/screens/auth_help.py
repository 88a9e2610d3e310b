"""Shown when the service rejects our credentials: what failed and exactly how to fix it."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from foas_tui import keys
from foas_tui.error_guard import ModalScreen as GuardedModalScreen

FIXES = """\
How to fix it:

  1. Check which key is used: the header shows the profile; `foas-tui profile list` lists them.
  2. Test the profile outside the TUI:      foas-tui profile test [PROFILE]
  3. Store a new AccessKey for a profile:   foas-tui profile add PROFILE --region REGION
  4. Or use environment variables (they win over profiles):
       ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET
       ALIBABA_CLOUD_SECURITY_TOKEN   (STS tokens expire: get a fresh one)
  5. RAM permissions: the RAM user or role needs the Realtime Compute policy, e.g.
       AliyunStreamFullAccess (operate) or AliyunStreamReadOnlyAccess (browse only),
     and the project must grant the user access in the Realtime Compute console.
  6. Clock skew: signatures include the time; a bastion clock off by more than 15 min fails them.

The app keeps running: press Esc to go back, then r to retry."""


class AuthHelpScreen(GuardedModalScreen[None]):
    BINDINGS = keys.bindings("auth_help")  # foas_tui/keys.py defines every key

    def __init__(self, error: BaseException) -> None:
        super().__init__()
        self.error = error

    def compose(self) -> ComposeResult:
        err = self.error
        code = getattr(err, "code", type(err).__name__)
        message = getattr(err, "message", str(err))
        rid = getattr(err, "request_id", None)
        operation = getattr(err, "operation", None)
        session = self.app.session  # type: ignore[attr-defined]
        head = Text("Authentication failed\n\n", style="bold red")
        head.append(f"{operation + ': ' if operation else ''}{code}: {message}\n")
        if rid:
            head.append(f"request id {rid}\n", style="dim")
        head.append(f"profile {session.profile_name}, region {session.region_id}, key "
                    f"{getattr(session.client, 'access_key_id_masked', '?')}\n\n", style="dim")
        with VerticalScroll(id="auth-box"):
            yield Static(head, id="auth-error")
            yield Static(Text(FIXES), id="auth-fixes")

    def action_close(self) -> None:
        self.dismiss(None)
