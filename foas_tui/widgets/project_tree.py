"""The project → folder → job tree: lazy-loaded, a state glyph per job, counts per folder, remembered expansion."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from rich.text import Text
from textual import work
from textual.geometry import Size
from textual.message import Message
from textual.widgets import Tree
from textual.widgets._tree import TreeNode, _TreeLine

from foas_tui import keys
from foas_tui.services import tree_state
from foas_tui.services.refresh import JobKey, RunRow
from foas_tui.services.session import ROOT, FolderContents, JobInfo, ProjectInfo
from foas_tui.text import NAME_LIMIT, safe_str, safe_text
from foas_tui.widgets import job_messages
from foas_tui.widgets.filter_bar import Matcher, parse_filter
from foas_tui.widgets.state_style import needs_attention, state_glyph, state_style

if TYPE_CHECKING:
    from foas_tui.services.session import Session

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


class ProjectTree(Tree[NodeData]):
    """Projects at the top; folders and jobs load when a node opens (ListChildFolder + ListJob by folderId)."""

    BINDINGS = keys.bindings("tree")  # foas_tui/keys.py defines every key

    class ScopeSelected(Message):
        """The cursor is on a project or folder: the live table should show its jobs."""

        def __init__(self, project: str, folder_path: str | None, folder_id: int | None) -> None:
            super().__init__()
            self.project = project
            self.folder_path = folder_path
            self.folder_id = folder_id

    class JobHighlighted(job_messages.JobHighlighted):
        pass

    class JobChosen(job_messages.JobChosen):
        pass

    class Loaded(Message):
        """Nodes were added, opened or closed: the set of jobs on screen changed."""

    def __init__(self, session: Session, state: tree_state.TreeState, **kwargs: Any) -> None:
        self.session = session
        self.state = state
        self.matcher: Matcher | None = None
        self._filter_spec: tuple[str, bool] | None = None
        self.filter_text = ""
        self.projects: dict[str, TreeNode[NodeData]] = {}
        self.job_nodes: dict[JobKey, TreeNode[NodeData]] = {}
        self.folder_paths: dict[tuple[str, int], str] = {}  # (project, folder id) -> path, as far as loaded
        self.states: dict[JobKey, RunRow] = {}
        self._loads: dict[int, asyncio.Task[None]] = {}
        self._pending_cursor: str | None = None  # node path to put the cursor on once it loads
        self._placed: TreeNode[NodeData] | None = None  # where a load last put the cursor by itself
        self.projects_loaded = asyncio.Event()
        super().__init__("projects", data=NodeData("note", ""), **kwargs)
        self.show_root = False
        self.guide_depth = 2
        self.auto_expand = True

    # --- loading ----------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.root.add_leaf(Text("loading projects…", style="bright_black italic"), data=NodeData("note", ""))
        # Paint the first frame (with this loading state) before any response needs parsing.
        self.call_after_refresh(self.load_projects)

    @work(group="tree-projects", exclusive=True, exit_on_error=False)
    async def load_projects(self) -> None:
        try:
            projects = await self.session.list_projects()
        except Exception as err:
            self.app.report_error(err, "loading projects")  # type: ignore[attr-defined]
            self.root.remove_children()
            self.root.add_leaf(Text("⚠ could not load projects — r to retry", style="red"),
                               data=NodeData("note", ""))
            self.projects_loaded.set()
            return
        self._add_projects(projects)
        self.projects_loaded.set()

    def _add_projects(self, projects: Iterable[ProjectInfo]) -> None:
        self.root.remove_children()
        self.projects.clear()
        self.job_nodes.clear()
        self._loads.clear()
        for info in projects:
            data = NodeData("project", info.name, ROOT, info=info)
            node = self.root.add(self._label(data), data=data, expand=False, allow_expand=True)
            self.projects[info.name] = node
        if not self.projects:
            self.root.add_leaf(Text("no projects in this region", style="bright_black"), data=NodeData("note", ""))
        first_run = not self.state.known
        for index, node in enumerate(self.projects.values()):
            # On the very first run open the first project, so there is something to look at.
            if node.data and (self.state.is_expanded(node.data.state_path) or (first_run and index == 0)):
                node.expand()
        if self.projects:
            self._placed = next(iter(self.projects.values()))
            self._move_to(self._placed)
        self._try_pending_cursor()
        self.post_message(self.Loaded())

    def reload(self) -> None:
        """Fetch everything again; expansion and the cursor come back from the remembered state."""
        node = self.cursor_node
        if node is not None and node.data is not None and node.data.kind != "note":
            self._pending_cursor = self._node_ident(node.data)
        self.projects_loaded.clear()
        self.load_projects()

    def ensure_loaded(self, node: TreeNode[NodeData]) -> asyncio.Future[None]:
        """Load a node's children once; concurrent callers share the same task.

        Callers get a shielded future: a caller's worker being cancelled (a newer keystroke, say) must not
        cancel the load that others wait for.
        """
        task = self._loads.get(node.id)
        if task is None and node.data is not None and node.data.loaded:
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            done.set_result(None)
            return done
        if task is None or task.cancelled():
            task = asyncio.get_running_loop().create_task(self._load_children(node))
            self._loads[node.id] = task
        return asyncio.shield(task)

    async def _load_children(self, node: TreeNode[NodeData]) -> None:
        data = node.data
        assert data is not None
        try:
            contents = await self.session.folder_contents(data.project, data.path, data.folder_id)
            if self._tree_nodes.get(node.id) is not node:
                return  # the tree was reloaded meanwhile: this node is gone
        except Exception as err:
            self._loads.pop(node.id, None)  # allow a retry on the next expand
            self.app.report_error(err, f"loading {data.project}:{data.path}")  # type: ignore[attr-defined]
            node.remove_children()
            node.add_leaf(Text("⚠ failed to load — collapse and open to retry", style="red"),
                          data=NodeData("note", data.project))
            return
        self._fill(node, contents)

    def _fill(self, node: TreeNode[NodeData], contents: FolderContents) -> None:
        data = node.data
        assert data is not None
        for descendant in self._walk(node):  # forget the jobs of the subtree being replaced
            if descendant.data is not None and descendant.data.job is not None:
                if self.job_nodes.get(descendant.data.job.key) is descendant:
                    del self.job_nodes[descendant.data.job.key]
        node.remove_children()
        data.folder_id = contents.folder.folder_id
        data.loaded = True
        if data.kind == "folder":  # a project counts all its jobs (set_project_jobs), not just the root's
            data.job_count = len(contents.jobs)
            data.job_keys = [job.key for job in contents.jobs]
        if contents.folder.folder_id is not None:
            self.folder_paths[(data.project, contents.folder.folder_id)] = contents.folder.path
        for folder in contents.folders:
            if folder.folder_id is not None:
                self.folder_paths[(folder.project, folder.folder_id)] = folder.path
            child = NodeData("folder", folder.project, folder.path, folder.folder_id)
            node.add(self._label(child), data=child, allow_expand=True)
        for job in contents.jobs:
            child = NodeData("job", job.project, contents.folder.path, contents.folder.folder_id, job=job)
            self.job_nodes[job.key] = node.add_leaf(self._label(child), data=child)
        if not contents.folders and not contents.jobs:
            node.add_leaf(Text("(empty)", style="bright_black"), data=NodeData("note", data.project))
        node.set_label(self._label(data))
        for child in node.children:
            if child.data is not None and child.data.kind == "folder" and self.state.is_expanded(
                    child.data.state_path):
                child.expand()
        self._try_pending_cursor()
        self.post_message(self.Loaded())

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        data = event.node.data
        if data is None or data.kind not in ("project", "folder"):
            return
        event.stop()
        self.state.set_expanded(data.state_path, True)
        if data.loaded:
            self.post_message(self.Loaded())  # its jobs are visible again: watch them
        elif event.node.id not in self._loads:
            event.node.add_leaf(Text("loading…", style="bright_black italic"), data=NodeData("note", data.project))
            self.ensure_loaded(event.node)

    def on_tree_node_collapsed(self, event: Tree.NodeCollapsed[NodeData]) -> None:
        data = event.node.data
        if data is not None and data.kind in ("project", "folder"):
            event.stop()
            self.state.set_expanded(data.state_path, False)
            self.post_message(self.Loaded())  # its jobs are hidden: stop refreshing them

    def on_tree_node_highlighted(self, event: Tree.NodeHighlighted[NodeData]) -> None:
        event.stop()
        data = event.node.data
        if data is None:
            return
        if data.kind == "job" and data.job is not None:
            self.post_message(self.JobHighlighted(data.job))
        elif data.kind == "project":
            self.post_message(self.ScopeSelected(data.project, None, None))
        elif data.kind == "folder":
            self.post_message(self.ScopeSelected(data.project, data.path, data.folder_id))

    def on_tree_node_selected(self, event: Tree.NodeSelected[NodeData]) -> None:
        event.stop()
        data = event.node.data
        if data is not None and data.kind == "job" and data.job is not None:
            self.post_message(self.JobChosen(data.job))

    # --- labels and live states -------------------------------------------------------------------

    def _label(self, data: NodeData) -> Text:
        text = self._make_label(data)
        data.label_width = text.cell_len
        return text

    def _make_label(self, data: NodeData) -> Text:
        if data.kind == "job" and data.job is not None:
            row = self.states.get(data.job.key)
            state = row.actual_state if row else ""
            text = Text(state_glyph(state) + " ", style=state_style(state))
            text.append(safe_str(data.job.job_name, NAME_LIMIT), style="bold red" if row and needs_attention(
                row.expect_state, row.actual_state) else "")
            if data.job.job_type == "FLINK_BATCH":
                text.append(" batch", style="bright_black")
            return text
        name = data.project if data.kind == "project" else data.path.rstrip("/").rsplit("/", 1)[-1]
        text = safe_text(name, NAME_LIMIT, style="bold" if data.kind == "project" else "")
        if data.kind == "project" and data.info is not None and data.info.region:
            text.append(f" {safe_str(data.info.region, NAME_LIMIT)}", style="bright_black")
        if data.job_count is not None:
            text.append(f" ({data.job_count})", style="bright_black")
            failing = sum(1 for key in data.job_keys if (row := self.states.get(key)) is not None
                          and needs_attention(row.expect_state, row.actual_state))
            if failing:
                text.append(f" ✖{failing}", style="bold red")
        return text

    def update_states(self, rows: dict[JobKey, RunRow], changed: Iterable[JobKey]) -> None:
        """Relabel only the jobs whose row changed, and their folders' failure counts."""
        self.states = rows
        parents: set[int] = set()
        for key in changed:
            node = self.job_nodes.get(key)
            if node is None or node.data is None:
                continue
            node.set_label(self._label(node.data))
            if node.parent is not None:
                parents.add(node.parent.id)
        for project_node in self.projects.values():
            data = project_node.data
            if data is not None and data.job_keys and any(k[0] == data.project for k in changed):
                project_node.set_label(self._label(data))
        for node_id in parents:
            try:
                parent = self.get_node_by_id(node_id)
            except Exception:  # the folder was reloaded meanwhile
                continue
            if parent.data is not None:
                parent.set_label(self._label(parent.data))

    def set_project_jobs(self, project: str, keys: list[JobKey]) -> None:
        """All jobs of a project are known (the live table listed them): show the project's total."""
        node = self.projects.get(project)
        if node is not None and node.data is not None:
            node.data.job_count = len(keys)
            node.data.job_keys = list(keys)
            node.set_label(self._label(node.data))

    # --- queries ----------------------------------------------------------------------------------

    def loaded_jobs(self) -> list[JobInfo]:
        return [node.data.job for node in self.job_nodes.values() if node.data and node.data.job]

    def visible_jobs(self) -> list[JobInfo]:
        """Jobs whose folders are all open: the ones whose glyphs the operator can see (and we refresh)."""
        out = []
        for node in self.job_nodes.values():
            parent = node.parent
            while parent is not None and parent is not self.root and parent.is_expanded:
                parent = parent.parent
            if (parent is None or parent is self.root) and node.data is not None and node.data.job is not None:
                out.append(node.data.job)
        return out

    def _node_ident(self, data: NodeData) -> str:
        if data.kind == "job" and data.job is not None:
            return f"job:{data.project}/{data.job.job_name}"
        return data.state_path

    # --- cursor moves -----------------------------------------------------------------------------

    def _try_pending_cursor(self) -> None:
        if self._pending_cursor is None:
            return
        if self.cursor_node is not None and self.cursor_node is not self._placed:
            self._pending_cursor = None  # the operator moved while folders loaded: their choice stays
            return
        for node in self._walk(self.root):
            if node.data is not None and node.data.kind != "note" and self._node_ident(node.data) == \
                    self._pending_cursor:
                self._pending_cursor = None
                self._move_to(node)
                return

    def _walk(self, node: TreeNode[NodeData]) -> Iterable[TreeNode[NodeData]]:
        stack = list(reversed(node.children))
        while stack:
            current = stack.pop()
            yield current
            stack.extend(reversed(current.children))

    def focus_node(self, node: TreeNode[NodeData]) -> None:
        """Open every ancestor and put the cursor on `node` (scrolled into view, centered)."""
        self._pending_cursor = None  # a jump replaces the place a reload would restore
        parent = node.parent
        while parent is not None and parent is not self.root:
            if not parent.is_expanded:
                parent.expand()
            parent = parent.parent
        self.call_after_refresh(self._move_to, node)

    def _move_to(self, node: TreeNode[NodeData]) -> None:
        self._tree_lines  # noqa: B018 - builds the lines so that node._line is current
        if node._line >= 0:
            self.move_cursor(node)
            self.scroll_to_node(node, animate=False)

    async def reveal_folder(self, project: str, path: str) -> TreeNode[NodeData] | None:
        """Load and open the folders down to `path`; the folder's node or None if it does not exist."""
        node = self.projects.get(project)
        if node is None:
            return None
        parts = [p for p in path.strip("/").split("/") if p]
        current_path = ""
        for part in parts:
            await self.ensure_loaded(node)
            current_path += "/" + part
            for child in node.children:
                if child.data is not None and child.data.kind == "folder" and \
                        child.data.path.rstrip("/") == current_path:
                    node = child
                    break
            else:
                return None
        return node

    async def reveal_job(self, project: str, job_name: str, folder_id: int | None) -> TreeNode[NodeData] | None:
        """Find a job's node: loaded already, or by walking the folders until the one with `folder_id`."""
        key = (project, job_name)
        if key in self.job_nodes:
            return self.job_nodes[key]
        start = self.projects.get(project)
        if start is None:
            return None
        queue = [start]
        while queue:  # breadth first: shallow folders are the common case
            node = queue.pop(0)
            await self.ensure_loaded(node)
            if key in self.job_nodes:
                return self.job_nodes[key]
            if folder_id is not None and node.data is not None and node.data.folder_id == folder_id:
                return None
            queue.extend(c for c in node.children if c.data is not None and c.data.kind == "folder")
        return None

    def action_expand_or_child(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and not node.is_expanded:
            node.expand()
        elif node.children:
            self._move_to(node.children[0])

    def action_collapse_or_parent(self) -> None:
        node = self.cursor_node
        if node is None:
            return
        if node.allow_expand and node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.root:
            self._move_to(node.parent)

    # --- filter -----------------------------------------------------------------------------------

    def set_filter(self, text: str, matcher: Matcher | None) -> None:
        """Show only matching jobs (and their folders); `matcher` None clears. `!text` hides matches."""
        self.filter_text = text if matcher else ""
        self.matcher = matcher
        self._filter_spec = parse_filter(text) if matcher else None
        self._invalidate()
        if self.cursor_node is None and self._tree_lines:
            self.cursor_line = 0

    def get_label_width(self, node: TreeNode[NodeData]) -> int:
        data = node.data
        if data is None or not data.label_width:
            return super().get_label_width(node)
        return data.label_width + (2 if node._allow_expand else 0)  # the expand icon is two cells

    def _build(self) -> None:
        # With a filter, show the loaded nodes that match and their ancestors, open or not. Overriding the
        # line builder costs one pass over the loaded nodes and adds or removes no node, so a keystroke in
        # a 10,000-job tree stays in the milliseconds.
        spec = self._filter_spec
        if spec is None:
            super()._build()
            return
        needle, inverse = spec
        Line = _TreeLine

        def collect(node: TreeNode[NodeData]) -> list | None:
            """The children to show as (node, their children), or None when `node` is hidden."""
            kept: list = []
            for child in node._children:
                data = child.data
                if data is None or data.kind == "note":
                    continue
                if data.kind == "job":
                    if (needle in data.search_lower) is not inverse:
                        kept.append((child, None))
                else:
                    sub = collect(child)
                    if sub is not None:
                        kept.append((child, sub))
            data = node.data
            # An inverse filter hides jobs only; a positive one also keeps folders whose name matches.
            own = data is not None and not inverse and data.kind != "note" and needle in data.search_lower
            return kept if kept or own else None

        lines: list[_TreeLine[NodeData]] = []

        def emit(path: list, node: TreeNode[NodeData], sub: list | None, last: bool) -> None:
            child_path = [*path, node]
            node._line = len(lines)
            lines.append(Line(child_path, last))
            if sub:
                final = len(sub) - 1
                for index, (child, child_sub) in enumerate(sub):
                    emit(child_path, child, child_sub, index == final)

        top = [(node, sub) for node in self.root._children if (sub := collect(node)) is not None]
        for index, (node, sub) in enumerate(top):
            emit([], node, sub, index == len(top) - 1)
        self._tree_lines_cached = lines
        guide, show_root = self.guide_depth, self.show_root
        if self.styles.overflow_x == "hidden":
            width = self.size.width  # no horizontal scrolling: measuring thousands of labels buys nothing
        else:
            width = max((self.get_label_width(line.node) + line._get_guide_width(guide, show_root)
                         for line in lines), default=self.size.width)
        self.virtual_size = Size(width, len(lines))
        cursor = self.cursor_node
        if cursor is not None and 0 <= cursor._line < len(lines) and lines[cursor._line].node is cursor:
            self.cursor_line = cursor._line  # still shown: keep it
        elif self.cursor_line >= len(lines):
            self.cursor_line = len(lines) - 1 if lines else -1
