"""Execution plans: the PlanJson of jobs, instances and autoscale plans, CheckRawPlanJson's poll state and
CalcPlanJsonResource's estimate.
"""

from __future__ import annotations

from typing import Annotated, Any

from foas_tui.api.models.base import FoasModel
from foas_tui.api.models.enums import PlanJsonStatusValue
from foas_tui.api.models.fields import Embedded, Unwrap, _embedded, _list
from foas_tui.api.models.lenient import Bool, Float, Int, NodeId, Number, Str


class PlanEdge(FoasModel):
    """A plan link `{source, target}` or a node predecessor `{id}`; plus side/ship_strategy."""

    source: NodeId = None
    target: NodeId = None
    id: NodeId = None
    side: Str = None
    ship_strategy: Str = None


class PlanNode(FoasModel):
    """A Blink plan node (`uid`, `vcore`, memory ...) or a Flink execution-plan node (`type`, `contents`)."""

    id: NodeId = None
    uid: Str = None
    name: Str = None
    type: Str = None
    pact: Str = None  # Source / Data Source / Operator / Data Sink ...
    contents: Str = None
    slot_sharing_group: Str = None
    chaining_strategy: Str = None
    parallelism: Int = None
    max_parallelism: Int = None
    vcore: Number = None
    heap_memory: Number = None
    direct_memory: Number = None
    native_memory: Number = None
    predecessors: Annotated[list[PlanEdge], Unwrap()] = _list()


class PlanJson(FoasModel):
    """A job plan. Blink plans also carry resourceSettings, autoConfig, vertices, workers ... (extras)."""

    global_: Annotated[list[dict[str, Any]], Unwrap()] = _list()  # key "global"
    nodes: Annotated[list[PlanNode], Unwrap()] = _list()
    links: Annotated[list[PlanEdge], Unwrap()] = _list()

    @property
    def edges(self) -> list[tuple[int | str | None, int | str | None]]:
        """`(source id, target id)` for every link and every node predecessor."""
        edges = [(link.source, link.target) for link in self.links]
        edges += [(pred.id, node.id) for node in self.nodes for pred in node.predecessors]
        return edges


class AutoScaleParams(FoasModel):
    """GetInstance `AutoScaleParams`, e.g. {"isOnOff":false,"strategyConfigure":null,"maxCU":null}."""

    is_on_off: Bool = None
    strategy_configure: Any = None
    max_cu: Number = None


class PlanJsonInfo(FoasModel):
    """CheckRawPlanJson: poll until status is success (plan_json) or fail (error_message)."""

    status: PlanJsonStatusValue = None
    plan_json: Embedded[PlanJson] = _embedded()
    error_message: Str = None


class PlanJsonResource(FoasModel):
    cores: Float = None
    memory_gb: Float = None
