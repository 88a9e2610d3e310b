"""The project → folder → job tree: lazy-loaded, a state glyph per job, counts per folder, remembered expansion.

The filter uses only public Tree calls: every loaded folder keeps its children as data (`NodeData.children`),
and a filter change adds and removes just the nodes whose visibility changed (narrowing while typing only
removes), so a keystroke costs one pass over the loaded data plus the nodes that come or go.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode, UnknownNodeID

from foas_tui import keys
from foas_tui.error_guard import Guarded, work
from foas_tui.services import tree_state
from foas_tui.services.job_health import HealthBook
from foas_tui.services.refresh import JobKey, RunRow
from foas_tui.services.session import ROOT, FolderContents, JobInfo, ProjectInfo
from foas_tui.text import NAME_LIMIT, safe_str, safe_text
from foas_tui.widgets import job_messages
from foas_tui.widgets.filter_bar import Matcher
from foas_tui.widgets.state_style import state_glyph, state_style
from foas_tui.widgets.tree_data import NodeData, walk_data, walk_nodes
from foas_tui.widgets.tree_filter import TreeFilterMixin

if TYPE_CHECKING:
    from foas_tui.services.session import Session

# Tree's own toggle icon carries this meta, which its click handler reads to open or close the node.
_TOGGLE = Style.from_meta({"toggle": True})

class ProjectTree(TreeFilterMixin, Guarded, Tree[NodeData]):
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

    def __init__(self, session: Session, state: tree_state.TreeState, *,
                 attention: Callable[[RunRow | None], bool] | None = None, **kwargs: Any) -> None:
        self.session = session
        # Whether a job's name is red / counted in its folder's ✖: the app's HealthBook (one rule everywhere).
        self.attention = attention or HealthBook().needs_attention
        self.state = state
        self.matcher: Matcher | None = None
        self._filter_spec: tuple[str, bool] | None = None
        self._kept: dict[int, bool] = {}  # id(NodeData) -> shown under the current filter (one pass per change)
        self.filter_text = ""
        self.projects: dict[str, TreeNode[NodeData]] = {}
        self.job_nodes: dict[JobKey, TreeNode[NodeData]] = {}  # the jobs shown as nodes (all but filtered out)
        self.job_data: dict[JobKey, NodeData] = {}  # every loaded job
        self.folder_paths: dict[tuple[str, int], str] = {}  # (project, folder id) -> path, as far as loaded
        self.states: dict[JobKey, RunRow] = {}
        self._loads: dict[int, asyncio.Task[None]] = {}
        # Where to put the cursor once nodes load, best first: the node it was on, then its folders up to the
        # project (a deleted or moved node's nearest surviving place). See `reload` and `folder_moved`.
        self._pending_cursor: list[str] = []
        self._moved: tuple[str, str, str] | None = None  # (project, old path, new path) of a folder move
        self._placed: TreeNode[NodeData] | None = None  # where a load last put the cursor by itself
        self.projects_loaded = asyncio.Event()
        super().__init__(Text("projects"), data=NodeData("note", ""), **kwargs)  # Text: no markup pass
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
        self.job_data.clear()
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
        """Fetch everything again; expansion and the cursor come back from the remembered state.

        The cursor goes back to its node, or, when that node is gone (deleted, moved), to the nearest
        folder above it that still exists: the operator stays where they were working."""
        node = self.cursor_node
        if node is not None and node.data is not None and node.data.kind != "note":
            self._pending_cursor = self._place_of(node.data)
        self._moved = None
        self.projects_loaded.clear()
        self.load_projects()

    def folder_moved(self, project: str, old: str, new: str) -> None:
        """A folder moved from `old` to `new` (full paths): the next reload follows it to its new place.

        Its new parents are opened (so that it loads), its subtree keeps its expansion, and a cursor that was
        in it lands on the same node at the new place."""
        old, new = old.rstrip("/") or "/", new.rstrip("/") or "/"
        self._moved = (project, old, new)
        self.state.set_expanded(tree_state.project_path(project), True)
        for parent in _parents(new):
            self.state.set_expanded(tree_state.folder_path(project, parent), True)
        prefix = tree_state.folder_path(project, old)
        for expanded in [p for p in self.state.expanded if _under(p, project, old)]:
            self.state.set_expanded(tree_state.folder_path(project, new + expanded[len(prefix):]), True)

    def _place_of(self, data: NodeData) -> list[str]:
        """Idents to put the cursor on after a reload, best first: the node, then its folders, then its project."""
        if data.kind not in ("job", "folder"):
            return [data.state_path]
        moved, path = self._moved, data.path
        paths = [path]
        if moved is not None and data.project == moved[0] and (path == moved[1] or path.startswith(moved[1] + "/")):
            paths.insert(0, moved[2] + path[len(moved[1]):])  # its new place first, then where it was
        wanted = [f"job:{data.project}/{data.job.job_name}"] if data.kind == "job" and data.job is not None else []
        for folder in [f for p in paths for f in (p, *_parents(p))]:
            if folder != "/":
                wanted.append(tree_state.folder_path(data.project, folder))
        wanted.append(tree_state.project_path(data.project))
        return list(dict.fromkeys(wanted))

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
            try:
                if self.get_node_by_id(node.id) is not node:
                    return
            except UnknownNodeID:
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
        for descendant in walk_data(data):  # forget the jobs of the subtree being replaced
            if descendant.job is not None and self.job_data.get(descendant.job.key) is descendant:
                del self.job_data[descendant.job.key]
                node_of = self.job_nodes.get(descendant.job.key)
                if node_of is not None and node_of.data is descendant:
                    del self.job_nodes[descendant.job.key]
        with self._one_refresh():  # one repaint for the whole folder
            self._fill_nodes(node, data, contents)
        self._try_pending_cursor()
        self.post_message(self.Loaded())

    def _fill_nodes(self, node: TreeNode[NodeData], data: NodeData, contents: FolderContents) -> None:
        node.remove_children()
        self._kept.clear()  # new data objects: what the filter keeps is worked out again
        data.folder_id = contents.folder.folder_id
        data.loaded = True
        if data.kind == "folder":  # a project counts all its jobs (set_project_jobs), not just the root's
            data.job_count = len(contents.jobs)
            data.job_keys = [job.key for job in contents.jobs]
        if contents.folder.folder_id is not None:
            self.folder_paths[(data.project, contents.folder.folder_id)] = contents.folder.path
        data.children = []
        for folder in contents.folders:
            if folder.folder_id is not None:
                self.folder_paths[(folder.project, folder.folder_id)] = folder.path
            data.children.append(NodeData("folder", folder.project, folder.path, folder.folder_id))
        for job in contents.jobs:
            child = NodeData("job", job.project, contents.folder.path, contents.folder.folder_id, job=job)
            self.job_data[job.key] = child
            data.children.append(child)
        for child in data.children:
            if self._keep(child):
                self._show_node(node, child)
        if not contents.folders and not contents.jobs:
            node.add_leaf(Text("(empty)", style="bright_black"), data=NodeData("note", data.project))
        node.set_label(self._label(data))
        if self._filter_spec is not None:
            self._reconcile(node)  # a folder that loaded while filtering shows its matches
        else:
            for child in node.children:
                if child.data is not None and child.data.kind == "folder" and self.state.is_expanded(
                        child.data.state_path):
                    child.expand()

    def on_tree_node_expanded(self, event: Tree.NodeExpanded[NodeData]) -> None:
        data = event.node.data
        if data is None or data.kind not in ("project", "folder"):
            return
        event.stop()
        if data.quiet:
            data.quiet -= 1  # opened by the filter, not by the operator: not remembered
        else:
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
            if data.quiet:
                data.quiet -= 1
            else:
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
        if data.kind == "job" and data.job is not None:
            # A job's label depends on its row only: a filter that adds the node back reuses it.
            row = self.states.get(data.job.key)
            if data.label is not None and data.label_row is row:
                return data.label
            data.label_row = row
        text = data.label = self._make_label(data)
        data.label_width = text.cell_len
        return text

    def _make_label(self, data: NodeData) -> Text:
        if data.kind == "job" and data.job is not None:
            row = self.states.get(data.job.key)
            state = row.actual_state if row else ""
            text = Text(state_glyph(state) + " ", style=state_style(state))
            text.append(safe_str(data.job.job_name, NAME_LIMIT), style="bold red" if self.attention(row) else "")
            if data.job.job_type == "FLINK_BATCH":
                text.append(" batch", style="bright_black")
            return text
        name = data.project if data.kind == "project" else data.path.rstrip("/").rsplit("/", 1)[-1]
        text = safe_text(name, NAME_LIMIT, style="bold" if data.kind == "project" else "")
        if data.kind == "project" and data.info is not None and data.info.region:
            text.append(f" {safe_str(data.info.region, NAME_LIMIT)}", style="bright_black")
        if data.job_count is not None:
            text.append(f" ({data.job_count})", style="bright_black")
        data.failing = self._failing(data)
        return text

    def _failing(self, data: NodeData) -> int:
        return sum(1 for key in data.job_keys if self.attention(self.states.get(key)))

    def render_label(self, node: TreeNode[NodeData], base_style: Style, style: Style) -> Text:
        """The label, and for a project or folder its count of failing jobs (`✖3`) from the live data.

        The count is drawn here, not kept in the label: `set_label` on a folder repaints every line under
        it, while `node.refresh()` repaints its own line only, which is all a new count needs.
        """
        label = node.label.copy()
        data = node.data
        if data is not None and data.failing:
            label.append(f" ✖{data.failing}", style="bold red")
        label.stylize(style)
        if node.allow_expand:
            prefix = (self.ICON_NODE_EXPANDED if node.is_expanded else self.ICON_NODE, base_style + _TOGGLE)
        else:
            prefix = ("", base_style)
        return Text.assemble(prefix, label)

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
                self._recount(project_node)
        for node_id in parents:
            try:
                parent = self.get_node_by_id(node_id)
            except UnknownNodeID:  # the folder was reloaded meanwhile
                continue
            self._recount(parent)

    def _recount(self, node: TreeNode[NodeData]) -> None:
        data = node.data
        if data is not None and data.job_count is not None:
            failing = self._failing(data)
            if failing != data.failing:
                data.failing = failing
                node.refresh()  # its own line only

    def set_project_jobs(self, project: str, keys: list[JobKey]) -> None:
        """All jobs of a project are known (the live table listed them): show the project's total."""
        node = self.projects.get(project)
        if node is not None and node.data is not None:
            node.data.job_count = len(keys)
            node.data.job_keys = list(keys)
            node.set_label(self._label(node.data))

    # --- queries ----------------------------------------------------------------------------------

    def loaded_jobs(self) -> list[JobInfo]:
        return [data.job for data in self.job_data.values() if data.job is not None]

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
        wanted = self._pending_cursor
        if not wanted:
            return
        if self.cursor_node is not None and self.cursor_node is not self._placed:
            self._pending_cursor = []  # the operator moved while folders loaded: their choice stays
            return
        rank = {ident: index for index, ident in enumerate(wanted)}
        best: TreeNode[NodeData] | None = None
        best_rank = len(wanted)
        for node in walk_nodes(self.root):
            if node.data is not None and node.data.kind != "note":
                index = rank.get(self._node_ident(node.data), best_rank)
                if index < best_rank:
                    best, best_rank = node, index
        if best is None:
            return
        # The best place found so far; a better one (the node itself) may still arrive with a later load.
        self._pending_cursor = wanted[:best_rank]
        self._placed = best
        self._move_to(best)

    def focus_node(self, node: TreeNode[NodeData]) -> None:
        """Open every ancestor and put the cursor on `node` (scrolled into view, centered)."""
        self._pending_cursor = []  # a jump replaces the place a reload would restore
        parent = node.parent
        while parent is not None and parent is not self.root:
            if not parent.is_expanded:
                parent.expand()
            parent = parent.parent
        self.call_after_refresh(self._move_to, node)

    def _move_to(self, node: TreeNode[NodeData]) -> None:
        _ = self.last_line  # builds the lines, so that node.line is current
        if node.line >= 0:
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

    def get_label_width(self, node: TreeNode[NodeData]) -> int:
        data = node.data
        if data is None or not data.label_width:
            return super().get_label_width(node)
        failing = len(f" ✖{data.failing}") if data.failing else 0
        return data.label_width + failing + (2 if node.allow_expand else 0)  # the expand icon is two cells


def _parents(path: str) -> list[str]:
    """The folders above `path`, nearest first, without the root: /a/b/c -> [/a/b, /a]."""
    parts = [p for p in path.strip("/").split("/") if p]
    return ["/" + "/".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)]


def _under(state_path: str, project: str, folder: str) -> bool:
    """Whether a remembered tree-state path is `folder` of `project` or below it."""
    prefix = tree_state.folder_path(project, folder)
    return state_path == prefix or state_path.startswith(prefix + "/")
