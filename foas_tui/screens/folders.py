"""Folder forms: create and move, with the documented behaviour of paths and moves said up front."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Static

from foas_tui import keys
from foas_tui.error_guard import ModalScreen as GuardedModalScreen
from foas_tui.error_guard import on
from foas_tui.screens.create_job import check_folder_path
from foas_tui.text import safe_text

CREATE_NOTE = ("Folder paths are absolute, like a Linux path: '/' is the root (the console's Job Development "
               "folder). Example: /team/etl.")
MOVE_NOTE = ("Moves the folder and every job in it. The reference does not say whether the destination is the "
             "folder's new full path or its new parent; this form sends the new full path.")
DELETE_NOTE = "Only an empty folder can be deleted: move or delete its jobs and sub-folders first."


@dataclass(frozen=True, slots=True)
class FolderRequest:
    action: str  # create | move
    project: str
    path: str  # the folder to create, or the source of a move
    dest: str = ""


class FolderFormScreen(GuardedModalScreen[FolderRequest | None]):
    BINDINGS = keys.bindings("folder")  # foas_tui/keys.py defines every key

    def __init__(self, action: str, project: str, path: str = "/") -> None:
        super().__init__(classes="ops-dialog")
        self.action_name = action
        self.project = project
        self.path = path

    def compose(self) -> ComposeResult:
        moving = self.action_name == "move"
        with Vertical(classes="ops-box", id="ops-folder"):
            yield Static(safe_text(f"{'Move' if moving else 'New'} folder in {self.project}"), classes="ops-title")
            yield Static(Text(MOVE_NOTE if moving else CREATE_NOTE), classes="ops-hint")
            if moving:
                yield Label("Folder to move")
                yield Input(self.path, id="folder-src")
                yield Label("New path")
                yield Input(self.path, id="folder-dest")
            else:
                base = self.path.rstrip("/")
                yield Label("Path")
                yield Input(f"{base}/", id="folder-path")
            yield Static("", id="folder-errors", classes="ops-error")
            with Horizontal(classes="ops-buttons"):
                yield Button("Cancel", id="ops-cancel")
                yield Button("Move" if moving else "Create", id="ops-ok", variant="primary")

    def on_mount(self) -> None:
        self.query(Input).last().focus()

    def collect(self) -> tuple[FolderRequest | None, list[str]]:
        if self.action_name == "move":
            src = self.query_one("#folder-src", Input).value.strip().rstrip("/") or "/"
            dest = self.query_one("#folder-dest", Input).value.strip().rstrip("/") or "/"
            problems = [p for p in (check_folder_path(src), check_folder_path(dest)) if p]
            if src == "/":
                problems.append("the root folder cannot be moved")
            if src == dest:
                problems.append("the new path is the same as the old one")
            if dest.startswith(src + "/"):
                problems.append("a folder cannot be moved into itself")
            return (None, problems) if problems else (FolderRequest("move", self.project, src, dest), [])
        path = self.query_one("#folder-path", Input).value.strip().rstrip("/")
        problems = [p for p in (check_folder_path(path or "/"),) if p]
        if not path:
            problems.append("give the new folder a name, e.g. /team/etl")
        return (None, problems) if problems else (FolderRequest("create", self.project, path), [])

    @on(Button.Pressed, "#ops-ok")
    @on(Input.Submitted)
    def _submit(self) -> None:
        request, problems = self.collect()
        if problems:
            self.query_one("#folder-errors", Static).update(Text("\n".join(problems), style="red"))
            return
        self.dismiss(request)

    @on(Button.Pressed, "#ops-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
