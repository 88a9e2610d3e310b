"""Checkpoints: the GetInstanceCheckpoint payload (history, counts, summary, restored)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from foas_tui.emulator.runtime.base import (
    CHECKPOINT_HISTORY,
    DEFAULT_CHECKPOINT_TIMEOUT_MS,
    InstanceView,
    _hex,
    _inst_key,
    _int_prop,
    _job_key,
    _u,
    checkpoint_interval_ms,
    jid,
    parse_properties,
)
from foas_tui.emulator.runtime.bottleneck import bottleneck_index
from foas_tui.emulator.runtime.lifecycle import (
    _ALIVE,
    _FailIndex,
    _Failures,
    _failures,
    _failures_count,
    _horizon,
    _started,
)
from foas_tui.emulator.runtime.plan import _view_vertices

# --------------------------------------------------------------------------------------------------------------
# Checkpoints


def _external_base(v: InstanceView) -> str:
    cluster = v.cluster_id or "et2cloudprod"
    queue = v.queue_name or f"root.{v.project}"
    return f"hdfs://{cluster}/blink_rest_server/{queue}/{v.job_name}"


@dataclass(frozen=True)
class _CkptModel:
    interval: int
    first: int  # trigger time of checkpoint k=1
    base_id: int  # id of checkpoint k is base_id + k
    count: int  # checkpoints triggered up to the horizon
    horizon: int
    onset: int | None  # checkpoint_failing: triggers at/after this time fail
    subtasks: int
    state: float  # base state size in bytes
    incremental: bool
    restored_id: int  # 0 if the instance did not start from a retained checkpoint/savepoint
    key: int


_P_RANDOM_FAIL = 0.01


def _ckpt_model(v: InstanceView) -> _CkptModel:
    key = _inst_key(v)
    jk = _job_key(v)
    interval = checkpoint_interval_ms(v)
    first = v.start_ms + interval + int(_u(key, 40) * 900)
    horizon = _horizon(v)
    count = 0 if horizon < first else (horizon - first) // interval + 1
    onset = None
    if v.scenario == "checkpoint_failing":
        onset = v.now_ms - int((6 + _u(key, 41) * 24) * 60_000)
    verts = _view_vertices(v)
    subtasks = sum(x.parallelism for x in verts)
    code = v.code or ""
    stateful = bool(re.search(r"GROUP\s+BY|JOIN|KeyedProcess|blink\.main\.class", code, re.I)) or not code
    state = (4096 + _u(jk, 42) * 60_000) if not stateful else 10 ** (6 + _u(jk, 43) * 3.5)
    backend = parse_properties(v.properties).get("state.backend.type", "gemini" if "gemini" in code else "niagara")
    incremental = stateful and backend in ("gemini", "niagara", "rocksdb")
    restored = int(_u(key, 44) * 60_000) + 1 if _u(key, 45) < 0.6 else 0
    return _CkptModel(interval, first, restored, count, horizon, onset, subtasks, state, incremental,
                      restored, key)


def _ckpt_trigger(m: _CkptModel, k: int) -> int:
    return m.first + (k - 1) * m.interval


def _ckpt_size(m: _CkptModel, k: int) -> tuple[int, int]:
    """(state_size, full_state_size) of checkpoint k: slow growth, a daily wave and noise."""
    full = m.state * (1 + 0.25 * math.sin(k / 37.0) + 0.4 * k / (k + 2000.0)) * (0.97 + 0.06 * _u(m.key, 46, k))
    full = max(1024, int(full))
    if m.incremental:
        return max(512, int(full * (0.08 + 0.2 * _u(m.key, 47, k)))), full
    return full, full


def _ckpt_failure(v: InstanceView, m: _CkptModel, fi: _FailIndex, k: int) -> str | None:
    t = _ckpt_trigger(m, k)
    if m.onset is not None and t >= m.onset:
        return ("Checkpoint expired before completing." if _u(m.key, 48, k) < 0.6 else
                f"Checkpoint was declined (tasks not ready). Failure reason: CheckpointException: Could not complete "
                f"snapshot {m.base_id + k} for operator {_view_vertices(v)[-1].name.split(' -> ')[0][:80]}.")
    if fi.f.count and fi.between(t, t + min(m.interval, 60_000)):
        return "Checkpoint Coordinator is suspending."
    if _u(m.key, 49, k) < _P_RANDOM_FAIL:
        return "Checkpoint expired before completing."
    return None


def _ckpt_entry(v: InstanceView, m: _CkptModel, fi: _FailIndex, k: int, latest_completed: int) -> dict[str, Any]:
    t = _ckpt_trigger(m, k)
    cid = m.base_id + k
    size, full = _ckpt_size(m, k)
    dur = int(8 + (size / 2e6) * 40 * (0.5 + _u(m.key, 50, k)) + (_u(m.key, 51, k) ** 8) * 900)
    if v.scenario == "lagging":
        dur = int(dur * 6 + 2000 * _u(m.key, 52, k))
    align = 0 if v.scenario != "lagging" else int(size * 0.02 * _u(m.key, 53, k))
    failure = _ckpt_failure(v, m, fi, k)
    in_progress = failure is None and v.actual_state in _ALIVE and t + dur > m.horizon
    entry: dict[str, Any] = {
        "@class": "completed", "id": cid, "status": "COMPLETED", "is_savepoint": False, "trigger_timestamp": t,
        "latest_ack_timestamp": t + dur, "state_size": size, "full_state_size": full, "end_to_end_duration": dur,
        "alignment_buffered": align, "num_subtasks": m.subtasks, "num_acknowledged_subtasks": m.subtasks,
        "tasks": {}, "external_path": f"{_external_base(v)}/chk-{cid}", "discarded": k != latest_completed,
    }
    if in_progress:
        acked = int(m.subtasks * (m.horizon - t) / max(dur, 1))
        entry.update({"@class": "in_progress", "status": "IN_PROGRESS", "latest_ack_timestamp": m.horizon,
                      "state_size": int(size * acked / max(m.subtasks, 1)), "end_to_end_duration": m.horizon - t,
                      "num_acknowledged_subtasks": min(acked, m.subtasks - 1), "external_path": None,
                      "discarded": False})
    elif failure:
        timeout = _int_prop(v, "blink.checkpoint.timeout.ms", DEFAULT_CHECKPOINT_TIMEOUT_MS)
        fail_after = min(timeout, max(1000, m.interval - 5000)) if "expired" in failure else int(dur * 0.6) + 50
        acked = int(m.subtasks * (0.3 + 0.6 * _u(m.key, 54, k)))
        entry.update({"@class": "failed", "status": "FAILED", "latest_ack_timestamp": t + int(fail_after * 0.7),
                      "state_size": int(size * acked / max(m.subtasks, 1)), "end_to_end_duration": fail_after,
                      "num_acknowledged_subtasks": min(acked, m.subtasks - 1), "external_path": None,
                      "discarded": True, "failure_timestamp": t + fail_after, "failure_message": failure})
    entry["tasks"] = _ckpt_tasks(v, m, k, entry)
    return entry


def _ckpt_tasks(v: InstanceView, m: _CkptModel, k: int, entry: dict[str, Any]) -> dict[str, Any]:
    """Flink's per-task statistics of one checkpoint (TaskCheckpointStatistics), each with its subtasks
    (SubtaskCheckpointStatistics): state split over the stateful vertices, one subtask the slowest; in a lagging
    job the bottleneck's subtasks align longest (they wait for barriers behind full queues)."""
    verts = _view_vertices(v)
    t0 = entry["trigger_timestamp"]
    total_dur = max(1, int(entry["end_to_end_duration"]))
    acked_left = int(entry["num_acknowledged_subtasks"])
    weights = [0.05 if vx.kind.startswith("source") else 1.0 for vx in verts]
    wsum = sum(weights) or 1.0
    neck = bottleneck_index(v)
    tasks: dict[str, Any] = {}
    for i, vx in enumerate(verts):
        share = int(entry["state_size"] * weights[i] / wsum)
        slow = int(_u(m.key, 58, k, i) * vx.parallelism)  # the subtask that acknowledges last
        subtasks = []
        acked = 0
        for s in range(vx.parallelism):
            if acked_left <= 0:
                subtasks.append({"index": s, "status": "pending_or_failed"})
                continue
            acked_left -= 1
            acked += 1
            frac = 1.0 if s == slow else 0.25 + 0.6 * _u(m.key, 59, k, i * 997 + s)
            dur = max(1, int(total_dur * frac)) if i == (neck if neck is not None else len(verts) - 1) or s != slow \
                else max(1, int(total_dur * (0.5 + 0.4 * frac)))
            align_ms = int(dur * 0.6) if i == neck else int(dur * 0.05 * _u(m.key, 60, k, s))
            sync = max(0, int(dur * 0.02))
            subtasks.append({
                "index": s, "ack_timestamp": t0 + dur, "end_to_end_duration": dur,
                "state_size": share // max(vx.parallelism, 1), "start_delay": int(align_ms * 0.2),
                "checkpoint": {"sync": sync, "async": max(0, dur - align_ms - sync)},
                "alignment": {"buffered": int(entry["alignment_buffered"] / max(vx.parallelism, 1))
                              if i == neck or neck is None else 0, "duration": align_ms},
                "status": "completed"})
        done = [x for x in subtasks if x["status"] == "completed"]
        tasks[vx.id] = {
            "id": vx.id, "status": entry["status"],
            "latest_ack_timestamp": max((x["ack_timestamp"] for x in done), default=-1),
            "state_size": sum(x["state_size"] for x in done),
            "end_to_end_duration": max((x["end_to_end_duration"] for x in done), default=-1),
            "alignment_buffered": sum(x["alignment"]["buffered"] for x in done),
            "num_subtasks": vx.parallelism, "num_acknowledged_subtasks": acked, "subtasks": subtasks,
        }
    return tasks


def _triggered_entries(v: InstanceView, m: _CkptModel) -> list[dict[str, Any]]:
    """The checkpoints taken on pause/stop (ModifyInstanceState triggerCheckpoint), newest first."""
    out = []
    for n, t in enumerate(sorted(v.triggered or ())):
        if t > v.now_ms:
            continue
        k = max(1, (t - m.first) // m.interval + 1)
        size, full = _ckpt_size(m, k)
        dur = int(40 + (size / 2e6) * 40 + 1200 * _u(m.key, 61, n))
        cid = m.base_id + m.count + 1 + n
        entry: dict[str, Any] = {
            "@class": "completed", "id": cid, "status": "COMPLETED", "is_savepoint": False, "trigger_timestamp": t,
            "latest_ack_timestamp": t + dur, "state_size": size, "full_state_size": full, "end_to_end_duration": dur,
            "alignment_buffered": 0, "num_subtasks": m.subtasks, "num_acknowledged_subtasks": m.subtasks,
            "tasks": {}, "external_path": f"{_external_base(v)}/chk-{cid}", "discarded": False}
        entry["tasks"] = _ckpt_tasks(v, m, 1_000_000 + n, entry)
        out.append(entry)
    return out[::-1]


def _empty_checkpoints() -> dict[str, Any]:
    zero = {"min": 0, "max": 0, "avg": 0}
    return {"counts": {"restored": 0, "total": 0, "in_progress": 0, "completed": 0, "failed": 0},
            "summary": {"state_size": dict(zero), "end_to_end_duration": dict(zero),
                        "alignment_buffered": dict(zero)},
            "latest": {"completed": None, "savepoint": None, "failed": None, "restored": None},
            "history": []}


def checkpoints(v: InstanceView) -> dict[str, Any]:
    """GetInstanceCheckpoint's payload (Flink checkpoint statistics REST shape, as the spec example).

    A checkpoint is triggered every blink.checkpoint.interval.ms since the start, so ids, counts and sizes grow
    with now_ms; a stopped/paused instance is frozen at its end; batch or not-yet-started instances are empty."""
    if not _started(v) or v.job_type == "FLINK_BATCH":
        return _empty_checkpoints()
    m = _ckpt_model(v)
    f = _failures(v)
    if m.count == 0:
        out = _empty_checkpoints()
        out["latest"]["restored"] = _restored(v, m, f)
        out["counts"]["restored"] = f.count + (1 if m.restored_id else 0)
        return out
    ks = list(range(m.count, max(0, m.count - CHECKPOINT_HISTORY), -1))
    fi = _FailIndex(v, f)
    fi.between(_ckpt_trigger(m, ks[-1]), m.horizon + 60_000)
    failures = {k: _ckpt_failure(v, m, fi, k) for k in ks}
    latest_completed = next((k for k in ks if failures[k] is None), 0)
    if not latest_completed:
        k = min(ks) - 1
        if m.onset is not None:
            k = min(k, (m.onset - m.first) // m.interval)
        fi.between(_ckpt_trigger(m, max(1, k - 300)), m.horizon + 60_000)
        for _ in range(300):
            if k < 1:
                break
            if _ckpt_failure(v, m, fi, k) is None:
                latest_completed = k
                break
            k -= 1
    history = [_ckpt_entry(v, m, fi, k, latest_completed) for k in ks]
    if history and history[0]["status"] == "IN_PROGRESS" and latest_completed == ks[0]:
        latest_completed = next((k for k in ks[1:] if failures[k] is None), 0)
        history = [_ckpt_entry(v, m, fi, k, latest_completed) for k in ks]
    window_failed = sum(1 for e in history if e["status"] == "FAILED")
    in_progress = sum(1 for e in history if e["status"] == "IN_PROGRESS")
    older = max(0, m.count - len(ks))
    older_failed = int(older * _P_RANDOM_FAIL)
    if m.onset is not None and older:
        k_onset = max(1, (m.onset - m.first) // m.interval + 1)
        older_failed += max(0, older - k_onset + 1)
    if f.count:
        older_failed += _failures_count(f, m.first, _ckpt_trigger(m, min(ks)) - 1)
    older_failed = min(older, older_failed)
    savepoint = None
    if v.triggered is None and (v.actual_state == "PAUSED" or (v.actual_state == "TERMINATED" and _u(m.key, 55) < 0.5)):
        sp_id = m.base_id + m.count + 1
        t = m.horizon - 4000
        size, full = _ckpt_size(m, m.count)
        savepoint = {"@class": "completed", "id": sp_id, "status": "COMPLETED", "is_savepoint": True,
                     "trigger_timestamp": t, "latest_ack_timestamp": t + 1800, "state_size": full,
                     "full_state_size": full, "end_to_end_duration": 1800, "alignment_buffered": 0,
                     "num_subtasks": m.subtasks, "num_acknowledged_subtasks": m.subtasks, "tasks": {},
                     "external_path": f"{_external_base(v)}/savepoints/savepoint-{jid(v)[:6]}-{_hex(m.key, 12)}",
                     "discarded": False}
        history = ([savepoint] + history)[:CHECKPOINT_HISTORY]
    triggered = _triggered_entries(v, m)
    if triggered:
        for e in history:
            e["discarded"] = True
        history = sorted(triggered + history, key=lambda e: e["trigger_timestamp"], reverse=True)[:CHECKPOINT_HISTORY]
    completed_entries = [e for e in history if e["status"] == "COMPLETED"]
    latest_completed_entry = next((e for e in history if e["status"] == "COMPLETED" and not e["is_savepoint"]), None)
    if latest_completed_entry is None and latest_completed:
        latest_completed_entry = _ckpt_entry(v, m, fi, latest_completed, latest_completed)
    latest_failed = next((e for e in history if e["status"] == "FAILED"), None)
    if triggered:
        latest_completed_entry = triggered[0]
    total = m.count + (1 if savepoint else 0) + len(triggered)
    completed = total - window_failed - older_failed - in_progress

    def stats(key: str) -> dict[str, int]:
        vals = [e[key] for e in completed_entries] or [0]
        return {"min": min(vals), "max": max(vals), "avg": int(sum(vals) / len(vals))}

    return {
        "counts": {"restored": f.count + (1 if m.restored_id else 0), "total": total, "in_progress": in_progress,
                   "completed": completed, "failed": window_failed + older_failed},
        "summary": {"state_size": stats("state_size"), "end_to_end_duration": stats("end_to_end_duration"),
                    "alignment_buffered": stats("alignment_buffered")},
        "latest": {"completed": latest_completed_entry, "savepoint": savepoint, "failed": latest_failed,
                   "restored": _restored(v, m, f)},
        "history": history,
    }


def _restored(v: InstanceView, m: _CkptModel, f: _Failures) -> dict[str, Any] | None:
    if f.count:
        t = f.latest
        k = max(0, (t - m.first) // m.interval + 1) if t >= m.first else 0
        if k == 0 and not m.restored_id:
            return None
        cid = m.base_id + k
        return {"id": cid, "restore_timestamp": t + 4000 + int(_u(m.key, 56) * 8000), "is_savepoint": False,
                "external_path": f"{_external_base(v)}/chk-{cid}"}
    if m.restored_id:
        return {"id": m.restored_id, "restore_timestamp": v.start_ms + 42, "is_savepoint": _u(m.key, 57) < 0.3,
                "external_path": f"{_external_base(v)}/chk-{m.restored_id}"}
    return None


