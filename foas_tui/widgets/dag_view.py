"""A job graph as a readable text tree: sources first, each operator under its first input.

Pure layout (`dag_lines`) plus `nodes_from_plan`, which reads both Flink runtime plans (`nodes[].inputs`)
and Blink PlanJson (`nodes` + `links`/`predecessors`), as models or dicts.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class DagNode:
    id: str
    label: str
    detail: str = ""
    inputs: list[str] = field(default_factory=list)


def _get(obj: Any, *names: str) -> Any:
    for name in names:
        value = obj.get(name) if isinstance(obj, Mapping) else getattr(obj, name, None)
        if value is not None:
            return value
    return None


def _label(node: Any) -> str:
    text = _get(node, "description", "name", "contents", "pact", "type", "operator") or "?"
    return " ".join(html.unescape(str(text)).split())


def nodes_from_plan(plan: Any) -> list[DagNode]:
    """DagNodes from a plan model/dict: `nodes` with `inputs` (Flink) or `predecessors`, plus `links`."""
    nodes = _get(plan, "nodes") or []
    links = _get(plan, "links") or []
    result: dict[str, DagNode] = {}
    for node in nodes:
        node_id = str(_get(node, "id", "uid"))
        parallelism = _get(node, "parallelism")
        extra = []
        if parallelism is not None:
            extra.append(f"×{parallelism}")
        strategy = _get(node, "operator_strategy", "chaining_strategy")
        if strategy:
            extra.append(str(strategy))
        vcore = _get(node, "vcore")
        if vcore is not None:
            extra.append(f"{vcore} vcore")
        heap = _get(node, "heap_memory")
        if heap is not None:
            extra.append(f"heap {heap} MB")
        inputs = [str(_get(i, "id", "source")) for i in (_get(node, "inputs", "predecessors") or [])]
        result[node_id] = DagNode(node_id, _label(node), " ".join(extra), inputs)
    for link in links:
        source, target = _get(link, "source"), _get(link, "target")
        if source is None or target is None:
            continue
        target_node = result.get(str(target))
        if target_node is not None and str(source) not in target_node.inputs:
            target_node.inputs.append(str(source))
    return list(result.values())


def short_id(node_id: str) -> str:
    """Flink vertex ids are 32 hex digits; 8 are enough to tell them apart on screen."""
    return node_id[:8] if len(node_id) > 12 else node_id


def dag_lines(nodes: Iterable[DagNode], *, max_label: int = 100) -> list[str]:
    """Indented tree lines; a node with several inputs is drawn under its first, referenced elsewhere.

    A chained vertex (`Source -> Calc -> Sink`) shows one operator per line."""
    nodes = list(nodes)
    by_id = {n.id: n for n in nodes}
    children: dict[str, list[str]] = {n.id: [] for n in nodes}
    for node in nodes:
        for parent in node.inputs:
            if parent in children:
                children[parent].append(node.id)
    roots = [n.id for n in nodes if not any(p in by_id for p in n.inputs)] or [n.id for n in nodes[:1]]
    lines: list[str] = []
    drawn: set[str] = set()

    def cut(label: str) -> str:
        return label if len(label) <= max_label else label[: max_label - 1] + "…"

    def text(node: DagNode) -> tuple[str, list[str]]:
        head, *chain = [cut(part.strip()) for part in node.label.split(" -> ")]
        return f"[{short_id(node.id)}] {head}" + (f"  {node.detail}" if node.detail else ""), chain

    def walk(node_id: str, prefix: str, last: bool, top: bool) -> None:
        node = by_id[node_id]
        branch = "" if top else ("└─▶ " if last else "├─▶ ")
        if node_id in drawn:
            lines.append(f"{prefix}{branch}[{short_id(node.id)}] ↑ (drawn above)")
            return
        drawn.add(node_id)
        joins = [short_id(p) for p in node.inputs if p in by_id]
        join = f"  ⟵ joins {', '.join(joins)}" if len(joins) > 1 else ""
        head, chain = text(node)
        lines.append(f"{prefix}{branch}{head}{join}")
        kids = children[node_id]
        child_prefix = prefix if top else prefix + ("    " if last else "│   ")
        pipe = "│" if kids else " "
        lines.extend(f"{child_prefix}{pipe}   ⤷ {operator}" for operator in chain)
        for index, child in enumerate(kids):
            walk(child, child_prefix, index == len(kids) - 1, False)

    for root in roots:
        walk(root, "", True, True)
    for node in nodes:  # cycles or unreachable nodes: still show them
        if node.id not in drawn:
            walk(node.id, "", True, True)
    return lines
