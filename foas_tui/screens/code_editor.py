"""The full-screen SQL editor and the edit flows it shares with `$EDITOR`: draft recovery, conflicts, diff, save.

Every change is written to a local draft at once; saving re-reads the job, shows a remote change as a
diff to choose from, shows the diff of the change before UpdateJob, and offers validate and commit after.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Group
from rich.text import Text
from textual.app import App, ComposeResult, SuspendNotSupported
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from foas_tui import keys
from foas_tui.api import errors
from foas_tui.error_guard import ModalScreen as GuardedModalScreen
from foas_tui.error_guard import on, work
from foas_tui.screens.confirm import Choice, ChoiceScreen
from foas_tui.services.diffing import EditState, classify, stats, styled, unified
from foas_tui.services.drafts import Draft, DraftKey, DraftStore, EditSession, fetch_job_text, store_job_text
from foas_tui.services.selection import Selection
from foas_tui.text import ShownLines, safe_text
from foas_tui.widgets.key_footer import KeyFooter

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient

LABELS = {"code": "code", "properties": "properties"}


def _client(app: App[Any]) -> FoasClient:
    return app.session.client  # type: ignore[attr-defined]


def _when(epoch: float | int | None, ms: bool = False) -> str:
    if not epoch:
        return "unknown time"
    seconds = epoch / 1000 if ms else epoch
    return datetime.fromtimestamp(seconds).strftime("%Y-%m-%d %H:%M:%S")


# --- opening: the remote copy, or a draft offered back ------------------------------------------------

async def open_edit(app: App[Any], store: DraftStore, profile: str, sel: Selection, kind: str
                    ) -> EditSession | None:
    """Read the job and offer a leftover draft back; None when the operator cancels or the read fails."""
    try:
        remote, modify_time, _job = await fetch_job_text(_client(app), sel.project, sel.job_name, kind)
    except errors.FoasError as err:
        app.report_error(err, f"reading {sel.job_name}")  # type: ignore[attr-defined]
        return None
    key = DraftKey(profile, sel.project, sel.job_name, kind)
    store.adopt_scratch(key, remote, modify_time)  # left by $EDITOR when the last session died mid-edit
    draft = store.load(key)
    if draft is None or draft.text == remote:
        if draft is not None:
            store.discard(key)
        return EditSession.open(store, key, remote, modify_time)
    answer = await app.push_screen_wait(draft_offer_screen(sel, kind, draft, remote))
    if answer == "recover":
        return EditSession.open(store, key, remote, modify_time, draft)
    if answer == "discard":
        backup = store.backup(key, draft.text)
        store.discard(key)
        app.notify(f"draft discarded; a copy is kept at {backup}", timeout=6, markup=False)
        return EditSession.open(store, key, remote, modify_time)
    return None


def draft_offer_screen(sel: Selection, kind: str, draft: Draft, remote: str) -> ChoiceScreen:
    moved = draft.base_text != remote
    message = (f"An unsaved draft of {sel.job_name}'s {LABELS[kind]} was kept locally "
               f"(last change {_when(draft.saved_at)}).")
    if moved:
        message += " The job also changed remotely since the draft began; saving will show that conflict."
    body = Group(Text("Draft against the job now:", style="bold"),
                 styled(unified(remote, draft.text, "job now", "draft")))
    return ChoiceScreen("Recover unsaved draft?", message, [
        Choice("recover", "Recover draft", "primary", "r"),
        Choice("discard", "Discard draft", "warning", "d"),
        Choice("cancel", "Cancel", "default", "c"),
    ], body)


# --- saving: re-read, conflict, diff, UpdateJob, then validate/commit ---------------------------------

async def save_flow(app: App[Any], edit: EditSession, sel: Selection, *, offer_next: bool = True) -> str:
    """Save an edit safely. Returns saved | unchanged | theirs | kept | cancelled | error."""
    kind = edit.key.kind
    client = _client(app)
    try:
        remote, modify_time, _job = await fetch_job_text(client, sel.project, sel.job_name, kind)
    except errors.FoasError as err:
        app.report_error(err, f"re-reading {sel.job_name} before saving")  # type: ignore[attr-defined]
        return "error"
    state = classify(edit.base_text, edit.text, remote)
    if state is EditState.UNCHANGED:
        edit.saved(modify_time)
        app.notify("no changes to save", timeout=3)
        return "unchanged"
    if state is EditState.ALREADY_APPLIED:
        edit.saved(modify_time)
        app.notify(f"the job already has this {LABELS[kind]}; nothing to save", timeout=4, markup=False)
        return "saved"
    if state is EditState.CONFLICT:
        answer = await app.push_screen_wait(conflict_screen(sel, kind, edit, remote))
        if answer == "theirs":
            backup = edit.take_remote(remote, modify_time)
            where = f"; yours is kept at {backup}" if backup else ""
            app.notify(f"loaded the remote {LABELS[kind]}{where}", timeout=8, markup=False)
            return "theirs"
        if answer == "keep":
            edit.rebase(remote, modify_time)
            app.notify("kept your text; the next save compares it with the remote version", timeout=5)
            return "kept"
        if answer != "overwrite":
            return "cancelled"
    diff = unified(remote, edit.text, "job (remote)", "yours")
    answer = await app.push_screen_wait(ChoiceScreen(
        f"Save {LABELS[kind]} of {sel.job_name}?",
        f"UpdateJob will replace the job's {LABELS[kind]} ({stats(remote, edit.text)} lines). Running instances "
        "keep their committed version until you commit and restart.",
        [Choice("save", "Save (UpdateJob)", "success", "s"), Choice("back", "Back", "default", "b")],
        styled(diff)))
    if answer != "save":
        return "cancelled"
    try:
        await store_job_text(client, sel.project, sel.job_name, kind, edit.text)
    except errors.FoasError as err:
        app.report_error(err, f"saving {sel.job_name}")  # type: ignore[attr-defined]
        return "error"
    edit.saved(None)
    app.notify(f"{sel.job_name}: {LABELS[kind]} saved", timeout=4, markup=False)
    if offer_next:
        await after_save(app, sel)
    return "saved"


def conflict_screen(sel: Selection, kind: str, edit: EditSession, remote: str) -> ChoiceScreen:
    body = Group(
        Text("Their change since you opened it:", style="bold"),
        styled(unified(edit.base_text, remote, "when you opened it", "job now")),
        Text("\nYour text against the job now:", style="bold"),
        styled(unified(remote, edit.text, "job now", "yours")),
    )
    return ChoiceScreen(
        "Changed remotely", f"Someone changed {sel.job_name}'s {LABELS[kind]} after you opened it.", [
            Choice("keep", "Keep editing", "primary", "k"),
            Choice("overwrite", "Overwrite theirs", "error", "o"),
            Choice("theirs", "Take theirs", "warning", "t"),
        ], body)


async def after_save(app: App[Any], sel: Selection) -> None:
    """Offer validate and commit after a save (both go through the app's ops flows)."""
    answer = await app.push_screen_wait(ChoiceScreen(
        "Saved", f"{sel.job_name} is saved. Validate the SQL, or commit it so the next start uses it?", [
            Choice("validate", "Validate", "primary", "v"), Choice("commit", "Commit", "warning", "c"),
            Choice("done", "Done", "default", "d")]))
    if answer == "validate":
        await app.ops_validate_flow(sel)  # type: ignore[attr-defined]
    elif answer == "commit":
        await app.ops_commit_flow([sel])  # type: ignore[attr-defined]


# --- $EDITOR --------------------------------------------------------------------------------------------

def editor_command() -> list[str]:
    return shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")


async def run_external_editor(app: App[Any], store: DraftStore, edit: EditSession) -> str | None:
    """Suspend the app, edit the text in $VISUAL/$EDITOR; the new text, or None if nothing came back.

    Should the app die meanwhile, what the editor wrote stays in the scratch file and is offered back as a
    draft the next time this job is edited (`DraftStore.adopt_scratch`).
    """
    path = store.scratch_path(edit.key)
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    path.write_text(edit.text, encoding="utf-8")
    os.chmod(path, 0o600)
    command = [*editor_command(), str(path)]
    try:
        with app.suspend():
            completed = subprocess.run(command, check=False)
    except SuspendNotSupported:
        app.notify("this terminal cannot be suspended for an external editor; use E", severity="warning")
        path.unlink(missing_ok=True)
        return None
    except OSError as err:
        app.notify(f"cannot run {command[0]!r}: {err.strerror or err}; set $EDITOR", severity="error",
                   markup=False)
        path.unlink(missing_ok=True)
        return None
    if completed.returncode != 0:
        app.notify(f"{command[0]} exited with status {completed.returncode}: changes ignored", severity="warning",
                   markup=False)
        path.unlink(missing_ok=True)
        return None
    text = Path(path).read_text(encoding="utf-8")
    path.unlink(missing_ok=True)
    return text


# --- the editor screen ----------------------------------------------------------------------------------

class CodeEditorScreen(GuardedModalScreen[None]):
    """Full-screen SQL editor with line numbers; the draft is written on every change."""

    BINDINGS = keys.bindings("editor")  # foas_tui/keys.py defines every key

    def __init__(self, edit: EditSession, selection: Selection, store: DraftStore, *, language: str = "sql",
                 read_only: bool = False) -> None:
        super().__init__(classes="ops-editor")
        self.edit = edit
        self.selection = selection
        self.store = store
        self.language = language
        self.read_only = read_only
        # The TextArea shows control characters as pictures; saves map untouched lines back to these bytes.
        self.lines = ShownLines(edit.text)

    def compose(self) -> ComposeResult:
        sel = self.selection
        with Vertical(id="editor-box"):
            yield Static(safe_text(f"{sel.project} / {sel.job_name} — {LABELS[self.edit.key.kind]}"),
                         id="editor-title")
            area = TextArea.code_editor(self.lines.shown, language=self.language, id="editor-area",
                                        read_only=self.read_only, show_line_numbers=True)
            yield area
            yield Static("", id="editor-status")
            yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()
        self._update_status()

    def _update_status(self) -> None:
        if self.read_only:
            text = Text("read-only session: viewing only", style="yellow")
        elif self.edit.dirty:
            lines = stats(self.edit.base_text, self.edit.text)
            text = Text(f"unsaved changes ({lines}) — draft kept locally · ctrl+s save · esc close", style="yellow")
        else:
            text = Text("no changes · ctrl+s save · ctrl+o $EDITOR · esc close", style="dim")
        self.query_one("#editor-status", Static).update(text)

    @on(TextArea.Changed, "#editor-area")
    def _changed(self, event: TextArea.Changed) -> None:
        if self.read_only:
            return
        try:
            self.edit.record(self.lines.restore(event.text_area.text))
        except OSError as err:  # a full disk must not lose the buffer: say so, keep editing
            self.notify(f"cannot write the draft: {err.strerror or err}", severity="error", markup=False)
        self._update_status()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("save", "external") and self.read_only:
            return False
        return True

    def action_save(self) -> None:
        self._save()

    @work(exclusive=True, group="ops-editor", exit_on_error=False)
    async def _save(self) -> None:
        try:
            result = await save_flow(self.app, self.edit, self.selection)
        except Exception as err:  # never let a worker take the app down
            self.app.report_error(err, "saving")  # type: ignore[attr-defined]
            return
        if result == "theirs":
            self._load(self.edit.text)
        self._update_status()

    def action_external(self) -> None:
        self._external()

    @work(exclusive=True, group="ops-editor", exit_on_error=False)
    async def _external(self) -> None:
        try:
            text = await run_external_editor(self.app, self.store, self.edit)
        except Exception as err:
            self.app.report_error(err, "external editor")  # type: ignore[attr-defined]
            return
        if text is not None and text != self.edit.text:
            self.edit.record(text)
            self._load(text)

    def _load(self, text: str) -> None:
        self.lines = ShownLines(text)
        self.query_one(TextArea).load_text(self.lines.shown)

    def action_close(self) -> None:
        self._close()

    @work(exclusive=True, group="ops-editor", exit_on_error=False)
    async def _close(self) -> None:
        if not self.edit.dirty or self.read_only:
            self.dismiss(None)
            return
        answer = await self.app.push_screen_wait(ChoiceScreen(
            "Unsaved changes", "Your changes are not saved to the job. The draft stays on this machine and is "
            "offered back the next time you open the editor.", [
                Choice("keep", "Close, keep draft", "primary", "k"),
                Choice("discard", "Discard changes", "error", "d"),
                Choice("back", "Back to editing", "default", "b")]))
        if answer == "keep":
            self.dismiss(None)
        elif answer == "discard":
            backup = self.edit.throw_away()
            if backup is not None:
                self.notify(f"changes discarded; a copy is kept at {backup}", timeout=6, markup=False)
            self.dismiss(None)

