"""The Flink REST documents instances embed as JSON text: checkpoints (GetInstanceCheckpoint), exceptions
(GetInstanceExceptions), configuration (GetInstanceConfig) and job detail (GetInstanceDetail).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from foas_tui.api.models.base import FoasModel
from foas_tui.api.models.enums import CheckpointStatusValue, FlinkStateValue
from foas_tui.api.models.fields import Unwrap, _list
from foas_tui.api.models.lenient import Bool, EpochMs, Int, JsonDict, Number, Str

# --- GetInstanceCheckpoint `Checkpoints` (Flink REST /checkpoints) ----------------------------


class MinMaxAvg(FoasModel):
    min: Number = None
    max: Number = None
    avg: Number = None


class CheckpointCounts(FoasModel):
    restored: Int = None
    total: Int = None
    in_progress: Int = None
    completed: Int = None
    failed: Int = None


class CheckpointSummary(FoasModel):
    state_size: MinMaxAvg | None = None
    end_to_end_duration: MinMaxAvg | None = None
    alignment_buffered: MinMaxAvg | None = None
    checkpointed_size: MinMaxAvg | None = None
    processed_data: MinMaxAvg | None = None
    persisted_data: MinMaxAvg | None = None


class CheckpointInfo(FoasModel):
    """One checkpoint (history entry, latest completed/savepoint/failed)."""

    class_: Str = None  # key "@class": completed / failed / in_progress
    id: Int = None
    status: CheckpointStatusValue = None
    is_savepoint: Bool = None
    trigger_timestamp: EpochMs = None
    latest_ack_timestamp: EpochMs = None
    state_size: Int = None
    full_state_size: Int = None
    checkpointed_size: Int = None
    end_to_end_duration: Int = None  # ms
    alignment_buffered: Int = None
    processed_data: Int = None
    persisted_data: Int = None
    num_subtasks: Int = None
    num_acknowledged_subtasks: Int = None
    tasks: JsonDict = None
    external_path: Str = None
    discarded: Bool = None
    checkpoint_type: Str = None
    failure_timestamp: EpochMs = None
    failure_message: Str = None


class RestoredCheckpoint(FoasModel):
    id: Int = None
    restore_timestamp: EpochMs = None
    is_savepoint: Bool = None
    external_path: Str = None


class LatestCheckpoints(FoasModel):
    completed: CheckpointInfo | None = None
    savepoint: CheckpointInfo | None = None
    failed: CheckpointInfo | None = None
    restored: RestoredCheckpoint | None = None


class CheckpointStats(FoasModel):
    counts: CheckpointCounts | None = None
    summary: CheckpointSummary | None = None
    latest: LatestCheckpoints | None = None
    history: Annotated[list[CheckpointInfo], Unwrap()] = _list()  # newest first


# --- GetInstanceExceptions `Exceptions` (Flink REST /exceptions, legacy and exceptionHistory) ---


class ExceptionEntry(FoasModel):
    """A failure in the shape of Flink's `exceptionHistory.entries[]`; `FlinkExceptions.history` items."""

    exception_name: Str = None
    stacktrace: Str = None
    timestamp: EpochMs = None
    task_name: Str = None
    location: Str = None
    endpoint: Str = None
    task_manager_id: Str = None
    failure_labels: JsonDict = None
    concurrent_exceptions: Annotated[list[ExceptionEntry], Unwrap()] = _list()


class TaskException(FoasModel):
    """An item of Flink's legacy `all-exceptions`."""

    exception: Str = None  # the stack trace
    task: Str = None
    location: Str = None
    timestamp: EpochMs = None


class ExceptionHistory(FoasModel):
    entries: Annotated[list[ExceptionEntry], Unwrap()] = _list()
    truncated: Bool = None


def _exception_name(stacktrace: str | None) -> str | None:
    """`"java.io.IOException: boom\\n\\tat ..."` -> `"java.io.IOException"`."""
    if not stacktrace or not stacktrace.strip():
        return None
    return stacktrace.strip().splitlines()[0].split(":", 1)[0].strip() or None


class FlinkExceptions(FoasModel):
    root_exception: Str = None  # key "root-exception"
    timestamp: EpochMs = None
    all_exceptions: Annotated[list[TaskException], Unwrap()] = _list()
    truncated: Bool = None
    exception_history: ExceptionHistory | None = None  # Flink >= 1.13

    @property
    def history(self) -> list[ExceptionEntry]:
        """The failures in one shape, whichever form came: `exceptionHistory` if present, else the
        legacy root exception followed by `all-exceptions`."""
        if self.exception_history is not None:
            return list(self.exception_history.entries)
        entries: list[ExceptionEntry] = []
        if self.root_exception and all(e.exception != self.root_exception for e in self.all_exceptions):
            entries.append(ExceptionEntry(
                exception_name=_exception_name(self.root_exception),
                stacktrace=self.root_exception, timestamp=self.timestamp))
        entries += [
            ExceptionEntry(exception_name=_exception_name(e.exception), stacktrace=e.exception,
                           timestamp=e.timestamp, task_name=e.task, location=e.location)
            for e in self.all_exceptions
        ]
        return entries


# --- GetInstanceConfig `Config` and GetInstanceDetail `Detail` (Flink REST) -------------------


class FlinkExecutionConfig(FoasModel):
    execution_mode: Str = None
    restart_strategy: Str = None
    job_parallelism: Int = None
    object_reuse_mode: Bool = None
    user_config: JsonDict = Field(default=None, repr=False)  # string values, may include sts* credentials


class FlinkJobConfig(FoasModel):
    jid: Str = None
    name: Str = None
    execution_config: FlinkExecutionConfig | None = None


class FlinkVertex(FoasModel):
    id: Str = None
    name: Str = None
    topology_id: Int = None
    parallelism: Int = None
    max_parallelism: Int = None
    status: FlinkStateValue = None
    start_time: EpochMs = None
    end_time: EpochMs = None
    duration: Int = None  # ms
    tasks: JsonDict = None  # task counts per execution state
    metrics: JsonDict = None  # read-bytes, write-records, tps, delay ... and their "-complete" flags


class FlinkPlanInput(FoasModel):
    num: Int = None
    id: Str = None
    ship_strategy: Str = None
    exchange: Str = None


class FlinkPlanNode(FoasModel):
    id: Str = None
    parallelism: Int = None
    operator: Str = None
    operator_strategy: Str = None
    description: Str = None  # HTML-escaped ("-&gt;") in the seed's example
    optimizer_properties: JsonDict = None
    inputs: Annotated[list[FlinkPlanInput], Unwrap()] = _list()


class FlinkPlan(FoasModel):
    jid: Str = None
    name: Str = None
    type: Str = None
    nodes: Annotated[list[FlinkPlanNode], Unwrap()] = _list()


class FlinkJobDetail(FoasModel):
    jid: Str = None
    name: Str = None
    is_stoppable: Bool = None
    state: FlinkStateValue = None
    start_time: EpochMs = None
    end_time: EpochMs = None
    duration: Int = None  # ms
    now: EpochMs = None
    timestamps: JsonDict = None  # epoch ms per job status (0 = never)
    vertices: Annotated[list[FlinkVertex], Unwrap()] = _list()
    status_counts: JsonDict = None
    plan: FlinkPlan | None = None
