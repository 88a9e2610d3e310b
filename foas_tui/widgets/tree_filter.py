"""The project tree's `/` filter: show only the loaded jobs that match (and their folders) with one repaint.

Projects always stay (collapsed when nothing in them matches); folders with matches open while the filter is
on and get back their remembered state when it is cleared. Nodes are added and removed under one held
refresh, because each Tree add/remove asks for a repaint of the whole widget.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Self

from textual.geometry import Region
from textual.widgets.tree import TreeNode, UnknownNodeID

from foas_tui.widgets.filter_bar import Matcher, parse_filter
from foas_tui.widgets.tree_data import NodeData, walk_nodes


class TreeFilterMixin:
    """Mixed into ProjectTree (a plain class placed before Tree, so `refresh` can hold repaints)."""

    projects: dict[str, Any]
    state: Any
    matcher: Matcher | None
    filter_text: str
    _filter_spec: tuple[str, bool] | None
    _kept: dict[int, bool]

    def set_filter(self, text: str, matcher: Matcher | None) -> None:
        """Show only matching jobs (and their folders); `matcher` None clears. `!text` hides matches.

        Projects always stay (collapsed when nothing in them matches); folders with matches open while the
        filter is on, and get back their remembered state when it is cleared.
        """
        self.filter_text = text if matcher else ""
        self.matcher = matcher
        self._filter_spec = parse_filter(text) if matcher else None
        self._kept = {}
        cursor = self.cursor_node
        with self._one_refresh():
            for project in self.projects.values():
                self._reconcile(project)
                if project.data is not None:
                    wanted = (self.state.is_expanded(project.data.state_path) if self._filter_spec is None
                              else self._has_match(project.data))
                    self._set_open(project, wanted)
        if cursor is not None and self._is_shown(cursor):
            self._move_to(cursor)
        elif self.cursor_node is None and self.last_line >= 0:
            self.cursor_line = 0

    @contextmanager
    def _one_refresh(self) -> Iterator[None]:
        """Add and remove many nodes with one repaint: every Tree.add/remove asks for a refresh of the whole
        widget (most of a filter change's CPU with thousands of nodes); the refreshes asked meanwhile are
        held and done once at the end."""
        if getattr(self, "_held_refresh", None) is not None:  # already holding: the outer one refreshes
            yield
            return
        self._held_refresh = False
        try:
            yield
        finally:
            held, self._held_refresh = self._held_refresh, None
            if held:
                self.refresh(layout=True)

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        if getattr(self, "_held_refresh", None) is not None and not recompose:
            self._held_refresh = True
            return self
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _keep(self, data: NodeData) -> bool:
        """Is this loaded node shown under the current filter (jobs: they match; folders: something in them)."""
        spec = self._filter_spec
        if spec is None or data.kind == "note":
            return True
        kept = self._kept.get(id(data))
        if kept is None:
            needle, inverse = spec
            if data.kind == "job":
                kept = (needle in data.search_lower) is not inverse
            else:
                # An inverse filter hides jobs only; a positive one also keeps folders whose name matches.
                kept = self._has_match(data) or (not inverse and needle in data.search_lower)
            self._kept[id(data)] = kept
        return kept

    def _has_match(self, data: NodeData) -> bool:
        return any(self._keep(child) for child in data.children or ())

    def _reconcile(self, node: TreeNode[NodeData]) -> None:
        """Make the node's children the kept ones of its loaded data: remove what goes, add what comes."""
        data = node.data
        if data is None or data.children is None:
            return
        wanted = [child for child in data.children if self._keep(child)]
        wanted_ids = {id(child) for child in wanted}
        for child in list(node.children):
            if child.data is not None and child.data.kind != "note" and id(child.data) not in wanted_ids:
                if child.data.job is not None:
                    if self.job_nodes.get(child.data.job.key) is child:
                        del self.job_nodes[child.data.job.key]
                else:
                    self._forget_jobs(child)
                child.remove()
        present = {id(child.data): child for child in node.children}
        for index, child_data in enumerate(wanted):
            child = present.get(id(child_data))
            if child is None:
                child = self._show_node(node, child_data, before=index if index < len(node.children) else None)
            if child_data.kind == "folder":
                self._reconcile(child)
                if child_data.loaded:
                    self._set_open(child, self.state.is_expanded(child_data.state_path)
                                   if self._filter_spec is None else self._has_match(child_data))

    def _show_node(self, parent: TreeNode[NodeData], data: NodeData, before: int | None = None) -> TreeNode[NodeData]:
        if data.kind == "job":
            node = parent.add_leaf(self._label(data), data=data, before=before)
            if data.job is not None:
                self.job_nodes[data.job.key] = node
            return node
        node = parent.add(self._label(data), data=data, allow_expand=True, before=before)
        if data.loaded:
            for child in data.children or ():
                if self._keep(child):
                    self._show_node(node, child)
        return node

    def _forget_jobs(self, node: TreeNode[NodeData]) -> None:
        for descendant in walk_nodes(node):
            job = descendant.data.job if descendant.data is not None else None
            if job is not None and self.job_nodes.get(job.key) is descendant:
                del self.job_nodes[job.key]

    def _set_open(self, node: TreeNode[NodeData], wanted: bool) -> None:
        if node.is_expanded == wanted or node.data is None:
            return
        node.data.quiet += 1
        if wanted:
            node.expand()
        else:
            node.collapse()

    def _is_shown(self, node: TreeNode[NodeData]) -> bool:
        try:
            return self.get_node_by_id(node.id) is node
        except UnknownNodeID:
            return False
