"""The messages a job list posts (the project tree and the live table), so the screen handles both alike."""

from __future__ import annotations

from textual.message import Message

from foas_tui.services.session import JobInfo


class JobMessage(Message):
    def __init__(self, job: JobInfo) -> None:
        super().__init__()
        self.job = job


class JobHighlighted(JobMessage):
    """The cursor is on a job: show it in the job pane."""


class JobChosen(JobMessage):
    """Enter on a job: drill down into the job pane."""
