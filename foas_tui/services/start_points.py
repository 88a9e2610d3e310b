"""Where a fresh start should read from: the start points an operator thinks in, read from the service.

StartJob is a fresh start: the instance's state is not restored, the sources read from `startOffset`
(parameterJson, epoch ms). The points: the DDL's own startTime (nothing sent), now, the last completed
checkpoint's time (GetInstanceCheckpoint, or the one this session saw when it paused/stopped the job), the
time of the last failure (LastErrorTime of the run summary and of the instance history, ListInstance), or
a typed time. Each carries one line on what it means for data replay. No Textual here.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from foas_tui.api import errors
from foas_tui.services.selection import Selection

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient
    from foas_tui.services.call_log import CallLog

CURRENT_INSTANCE = -1
FUTURE_SLACK_S = 60  # a point this far past "now" is refused (clock skew beyond it is a mistake)
GATHER_CONCURRENCY = 4  # jobs read at once for a bulk start (a few calls each)
HISTORY_PAGE = 20  # instances of the history read for the last failure

DDL, NOW, CHECKPOINT, FAILURE, TYPED = "ddl", "now", "checkpoint", "failure", "typed"
POINT_KINDS = (NOW, CHECKPOINT, FAILURE, TYPED, DDL)

LABELS = {
    DDL: "The DDL's startTime (send no startOffset)",
    NOW: "Now",
    CHECKPOINT: "Last completed checkpoint",
    FAILURE: "Last failure",
    TYPED: "A time I type",
}
REPLAY_NOTES = {
    DDL: "No startOffset is sent: each source starts where its DDL says (startTime, or its connector default).",
    NOW: "No replay: only data arriving from now on is read; what came in while the job was down is skipped.",
    CHECKPOINT: "Replays from the last completed checkpoint: little is skipped; output written after it may be "
                "written again (state starts empty: a fresh start).",
    FAILURE: "Replays from the last failure: data since the job broke is read again; output written after it "
             "may be duplicated.",
    TYPED: "Replays everything since that time (output after it may be duplicated); state starts empty.",
}


def describe_ms(ms: int) -> str:
    """`2024-05-01 08:00:00 UTC (10:00:00 here)`: both clocks, the service's doc speaks in epoch ms."""
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    local = moment.astimezone()
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC ({local:%Y-%m-%d %H:%M:%S %Z} here)"


@dataclass(frozen=True, slots=True)
class StartPoint:
    """One choice of start offset for one job; `ms` None for the DDL point or when unavailable."""

    kind: str
    ms: int | None = None
    detail: str = ""  # where the value comes from (checkpoint id, the error) - outside text, shown through the door
    why_not: str = ""  # set when the point cannot be used

    @property
    def available(self) -> bool:
        return not self.why_not

    @property
    def note(self) -> str:
        return REPLAY_NOTES[self.kind]

    def parameter(self) -> str | None:
        """The startOffset value to send, or None (DDL)."""
        return None if self.ms is None else str(self.ms)


@dataclass(frozen=True, slots=True)
class SeenCheckpoint:
    checkpoint_id: int | None
    trigger_ms: int
    source: str  # e.g. "read when it was paused"


class CheckpointMemory:
    """The latest completed checkpoint this session saw per job: the service shows checkpoints only while an
    instance runs, so the one read right after a pause/stop request is what a later start can use."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], SeenCheckpoint] = {}

    def remember(self, key: tuple[str, str], seen: SeenCheckpoint) -> None:
        old = self._seen.get(key)
        if old is None or seen.trigger_ms >= old.trigger_ms:
            self._seen[key] = seen

    def get(self, key: tuple[str, str]) -> SeenCheckpoint | None:
        return self._seen.get(key)


def latest_completed(response: Any) -> SeenCheckpoint | None:
    """The latest completed (non-savepoint first) checkpoint of a GetInstanceCheckpoint answer."""
    stats = getattr(getattr(response, "checkpoints", None), "value", None)  # Embedded: parsed from text
    latest = getattr(stats, "latest", None)
    entry = getattr(latest, "completed", None)
    if entry is None:
        history = [e for e in (getattr(stats, "history", None) or [])
                   if str(getattr(e, "status", "") or "").upper() == "COMPLETED"]
        entry = history[0] if history else None
    when = getattr(entry, "trigger_timestamp", None) if entry is not None else None
    if not when or when <= 0:
        return None
    return SeenCheckpoint(getattr(entry, "id", None), int(when), "")


async def read_checkpoint(client: FoasClient, sel: Selection, source: str) -> SeenCheckpoint | None:
    """GetInstanceCheckpoint of the current instance; None when it does not answer (not running)."""
    try:
        response = await client.get_instance_checkpoint(sel.project, sel.job_name, CURRENT_INSTANCE)
    except errors.FoasError:
        return None
    seen = latest_completed(response)
    return SeenCheckpoint(seen.checkpoint_id, seen.trigger_ms, source) if seen is not None else None


def _checked(kind: str, ms: int | None, now_s: float, detail: str) -> StartPoint:
    if ms is None or ms <= 0:
        return StartPoint(kind, None, detail, why_not="the service gave no time")
    if ms > (now_s + FUTURE_SLACK_S) * 1000:
        return StartPoint(kind, None, detail, why_not=f"the service's time {ms} is in the future")
    return StartPoint(kind, ms, detail)


async def checkpoint_point(client: FoasClient, sel: Selection, now_s: float,
                           memory: CheckpointMemory | None) -> StartPoint:
    seen = await read_checkpoint(client, sel, "read now (GetInstanceCheckpoint)")
    if seen is not None and memory is not None:
        memory.remember(sel.key, seen)
    remembered = memory.get(sel.key) if memory is not None else None
    if remembered is not None and (seen is None or remembered.trigger_ms > seen.trigger_ms):
        seen = remembered
    if seen is None:
        return StartPoint(CHECKPOINT, why_not="none known: checkpoints are readable only while the instance runs "
                                              "(pause or stop it with a checkpoint first: ctrl+k, or the stop dialog)")
    cid = f"checkpoint {seen.checkpoint_id}" if seen.checkpoint_id is not None else "checkpoint"
    return _checked(CHECKPOINT, seen.trigger_ms, now_s, f"{cid}, {seen.source}")


async def failure_point(client: FoasClient, sel: Selection, now_s: float) -> StartPoint:
    """The newest LastErrorTime of the current instance and of the job's instance history."""
    found: list[tuple[int, str]] = []
    try:
        summary = (await client.get_instance_run_summary(sel.project, sel.job_name, CURRENT_INSTANCE)).run_summary
        if summary is not None and summary.last_error_time:
            found.append((summary.last_error_time, summary.last_error_message or ""))
    except errors.FoasError:
        pass
    for archived in (False, True):
        try:
            history = await client.list_instance(sel.project, sel.job_type.upper() or "FLINK_STREAM",
                                                 job_name=sel.job_name, is_archived=archived,
                                                 page_size=HISTORY_PAGE, page_index=1)
        except errors.FoasError:
            continue
        for inst in history.instances:
            if inst.job_name == sel.job_name and inst.last_error_time:
                found.append((inst.last_error_time, inst.last_error_message or ""))
    if not found:
        return StartPoint(FAILURE, why_not="no failure on record (run summary and instance history)")
    when, message = max(found, key=lambda item: item[0])
    return _checked(FAILURE, when, now_s, message)


@dataclass(slots=True)
class JobStartInfo:
    """What the start form knows about one job: its points and the parameters it was last started with."""

    selection: Selection
    points: dict[str, StartPoint] = field(default_factory=dict)
    last_parameters: dict[str, str] = field(default_factory=dict)
    parameters_source: str = ""  # "" when none are known


def last_start_parameters(call_log: CallLog | None, sel: Selection) -> tuple[dict[str, str], str]:
    """The parameterJson of the last StartJob this session sent for the job, without its startOffset.

    The service has no call that returns an instance's start parameters (GetInstanceConfig mixes them with
    the properties and answers only while it runs), so the session's own call log is the source.
    """
    if call_log is None:
        return {}, ""
    path = f"/api/v2/projects/{sel.project}/jobs/{sel.job_name}/instance"
    for record in call_log.newest_first():
        if record.operation != "StartJob" or not record.ok or unquote(record.path) != path:
            continue
        raw = record.body.get("parameterJson") or ""
        try:
            params = json.loads(raw) if raw else {}
        except ValueError:
            continue
        if not isinstance(params, dict):
            continue
        kept = {str(k): str(v) for k, v in params.items() if k != "startOffset"}
        return kept, "sent by this session"
    return {}, ""


async def gather_start_info(client: FoasClient, targets: Iterable[Selection], now_s: float,
                            memory: CheckpointMemory | None = None,
                            call_log: CallLog | None = None) -> list[JobStartInfo]:
    """Per job: now, the last completed checkpoint, the last failure (validated), and its last parameters."""
    limit = asyncio.Semaphore(GATHER_CONCURRENCY)

    async def one(sel: Selection) -> JobStartInfo:
        async with limit:
            info = JobStartInfo(sel)
            info.points[NOW] = StartPoint(NOW, int(now_s * 1000))
            info.points[CHECKPOINT] = await checkpoint_point(client, sel, now_s, memory)
            info.points[FAILURE] = await failure_point(client, sel, now_s)
            info.points[DDL] = StartPoint(DDL)
            info.last_parameters, info.parameters_source = last_start_parameters(call_log, sel)
            return info

    return list(await asyncio.gather(*(one(sel) for sel in targets)))
