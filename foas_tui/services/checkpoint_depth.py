"""Checkpoints in depth: trends over the history (size and duration, failures marked) and the per-task
details of one checkpoint (Flink's TaskCheckpointStatistics with its subtasks: which subtask is slow, how
long barriers took to align)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from foas_tui.services.flink_payloads import CheckpointStats, first_of
from foas_tui.services.formatting import sparkline


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@dataclass(slots=True)
class Trend:
    size: str  # sparkline of the checkpointed size, oldest first
    duration: str
    marks: str  # one character per checkpoint: ✓ completed, ✗ failed, … in progress, S savepoint
    failed: int
    growing: bool  # the last size is above the average of the window by a quarter or more


def trend(history: Sequence[CheckpointStats], width: int = 30) -> Trend:
    rows = sorted((s for s in history if s.id is not None), key=lambda s: s.id or 0)[-width:]
    done = [s for s in rows if s.status == "COMPLETED"]
    sizes = [float(s.checkpointed_size or 0) for s in done]
    marks = "".join("S" if s.is_savepoint else "✓" if s.status == "COMPLETED" else "✗" if s.status == "FAILED"
                    else "…" for s in rows)
    growing = len(sizes) >= 3 and sizes[-1] >= 1.25 * (sum(sizes) / len(sizes))
    durations = [float(s.end_to_end_ms or 0) for s in done]
    return Trend(sparkline(sizes, len(sizes)) if sizes else "", sparkline(durations, len(durations)) if done else "",
                 marks, sum(1 for s in rows if s.status == "FAILED"), growing)


@dataclass(slots=True)
class TaskRow:
    vertex_id: str
    status: str
    state_size: int | None
    duration_ms: int | None
    alignment_ms: int | None  # the longest alignment among its subtasks
    buffered: int | None
    acknowledged: int | None
    subtasks: int | None
    slowest: int | None  # index of the subtask that acknowledged last
    slowest_ms: int | None


def task_rows(payload_data: Any, checkpoint_id: int) -> list[TaskRow]:
    """The tasks of checkpoint `checkpoint_id` in a GetInstanceCheckpoint payload, slowest first."""
    history = first_of(payload_data, "history") or []
    entry = next((e for e in history if _int(first_of(e, "id")) == checkpoint_id), None)
    tasks = first_of(entry, "tasks") if entry is not None else None
    if not isinstance(tasks, Mapping):
        return []
    out = []
    for vertex_id, task in tasks.items():
        if not isinstance(task, Mapping):
            continue
        subtasks = [s for s in task.get("subtasks") or [] if isinstance(s, Mapping)]
        done = [s for s in subtasks if _int(s.get("end_to_end_duration")) is not None]
        slow = max(done, key=lambda s: _int(s.get("end_to_end_duration")) or 0, default=None)
        aligns = [_int((s.get("alignment") or {}).get("duration")) for s in done
                  if isinstance(s.get("alignment"), Mapping)]
        out.append(TaskRow(str(vertex_id), str(task.get("status") or ""), _int(task.get("state_size")),
                           _int(task.get("end_to_end_duration")), max((a for a in aligns if a is not None),
                                                                      default=None),
                           _int(task.get("alignment_buffered")), _int(task.get("num_acknowledged_subtasks")),
                           _int(task.get("num_subtasks")), _int(slow.get("index")) if slow else None,
                           _int(slow.get("end_to_end_duration")) if slow else None))
    out.sort(key=lambda r: -(r.duration_ms or 0))
    return out
