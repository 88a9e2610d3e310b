"""What the project tree's nodes hold (`NodeData`: a project, folder, job or note) and walks over nodes and data."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from rich.text import Text
from textual.widgets.tree import TreeNode

from foas_tui.services import tree_state
from foas_tui.services.refresh import JobKey
from foas_tui.services.session import ROOT, JobInfo, ProjectInfo

NodeKind = Literal["project", "folder", "job", "note"]


@dataclass(eq=False)
class NodeData:
    kind: NodeKind
    project: str
    path: str = ROOT  # the folder path (for a job: the folder it is filed in)
    folder_id: int | None = None
    job: JobInfo | None = None
    loaded: bool = False
    job_count: int | None = None
    info: ProjectInfo | None = None
    job_keys: list[JobKey] = field(default_factory=list)
    label_width: int = 0  # cell width of the last label: the tree's width without re-rendering labels
    children: list[NodeData] | None = None  # a loaded folder's folders and jobs, shown by the filter or not
    label: Text | None = None  # the last label made (jobs: for `label_row`)
    label_row: Any = None
    failing: int = 0  # a project's or folder's jobs that need attention (drawn by `render_label`)
    quiet: int = 0  # expand/collapse calls made by the filter: not the operator's choice, not remembered
    search_lower: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.search_lower = self.search_text.lower()  # filters compare against this on every keystroke

    @property
    def state_path(self) -> str:
        if self.kind == "project":
            return tree_state.project_path(self.project)
        return tree_state.folder_path(self.project, self.path)

    @property
    def search_text(self) -> str:
        if self.kind == "job" and self.job is not None:
            return self.job.job_name
        return self.path if self.kind == "folder" else self.project


def walk_nodes(node: TreeNode[NodeData]) -> Iterable[TreeNode[NodeData]]:
    """Every node under `node`, depth first, in order."""
    stack = list(reversed(node.children))
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.children))


def walk_data(data: NodeData) -> Iterable[NodeData]:
    """Every loaded folder and job under `data` (shown by the filter or not)."""
    stack = list(data.children or ())
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children or ())
