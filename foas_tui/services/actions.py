"""Job actions (start, pause, resume, stop, commit, offline, delete ...) and following their state changes.

`JobActions.follow` polls the run summary and yields `Progress` events until each instance reaches the
expected state, fails, times out, or the wait is cancelled (the request itself cannot be taken back).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from foas_tui.api import errors
from foas_tui.services.selection import Selection
from foas_tui.services.start_points import CheckpointMemory, read_checkpoint

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient

CURRENT_INSTANCE = -1  # the API's "current instance of a stream job"


class ActionKind(StrEnum):
    START = "start"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"
    COMMIT = "commit"
    OFFLINE = "offline"
    DELETE = "delete"
    VALIDATE = "validate"
    RAW_PLAN = "raw_plan"
    CALC_RESOURCES = "calc_resources"
    AUTOSCALE = "autoscale"


@dataclass(frozen=True, slots=True)
class ActionInfo:
    kind: ActionKind
    label: str
    done: str  # past tense for notifications
    mutating: bool
    destructive: bool
    expected_state: str | None  # the ActualState to wait for, if the action changes the instance
    explanation: str  # what will happen, for confirmations and help


ACTIONS: dict[ActionKind, ActionInfo] = {a.kind: a for a in (
    ActionInfo(ActionKind.START, "Start", "started", True, False, "RUNNING",
               "Starts a new instance of the committed job (StartJob): a fresh start that reads its sources from "
               "the start offset. It does not restore a paused instance's state; use Resume for that."),
    ActionInfo(ActionKind.PAUSE, "Pause", "paused", True, False, "PAUSED",
               "Pauses the running instance (expectState=PAUSED). Its state is kept: Resume continues from it."),
    ActionInfo(ActionKind.RESUME, "Resume", "resumed", True, False, "RUNNING",
               "Resumes the paused instance from its kept state (expectState=RUNNING); a stream job gets a new "
               "instance id and the old one is archived."),
    ActionInfo(ActionKind.STOP, "Stop", "stopped", True, True, "TERMINATED",
               "Stops the instance (expectState=TERMINATED). Processing ends and its state is not kept for a "
               "resume: the next Start is a fresh start from an offset."),
    ActionInfo(ActionKind.COMMIT, "Commit", "committed", True, False, None,
               "Commits (brings online) the job's current code, properties and plan so that Start uses them "
               "(CommitJob). A running instance keeps its old version until it is restarted."),
    ActionInfo(ActionKind.OFFLINE, "Offline", "taken offline", True, True, None,
               "Takes the job offline (OfflineJob): it cannot be started until it is committed again. "
               "The instance must be stopped first."),
    ActionInfo(ActionKind.DELETE, "Delete", "deleted", True, True, None,
               "Deletes the job with its code and properties (DeleteJob); this cannot be undone. "
               "Only offline jobs can be deleted: stop it and take it offline first."),
    ActionInfo(ActionKind.VALIDATE, "Validate", "validated", False, False, None,
               "Checks the job's SQL (ValidateJob) and lists its input, output and dimension tables."),
    ActionInfo(ActionKind.RAW_PLAN, "Raw plan", "planned", False, False, None,
               "Generates the job's execution plan (GetRawPlanJson, then CheckRawPlanJson until it is ready)."),
    ActionInfo(ActionKind.CALC_RESOURCES, "Resources", "calculated", False, False, None,
               "Calculates the cores and memory the job's plan needs (CalcPlanJsonResource); 1 CU = 1 core + 4 GB."),
    ActionInfo(ActionKind.AUTOSCALE, "AutoScale", "updated", True, False, None,
               "Turns AutoScale on or off for the current instance (UpdateAutoScaleConfig); only for instances "
               "started with AutoScale (commit with AutoScale on)."),
)}

# Actual states that end a wait early without reaching the expected one.
FAILED_STATES = frozenset({"FAILED"})
# A job that fails over shows FAILED for a moment between restarts. Pausing or stopping such a job is not a
# failure the first time FAILED is seen: the request was accepted and the instance may still reach the state.
FAILED_GRACE_POLLS = 3


@dataclass(slots=True)
class ActionOptions:
    """What the forms collect; each action reads only its own fields."""

    parameters: dict[str, str] = field(default_factory=dict)  # StartJob parameterJson
    # Bulk start: each job's own parameterJson (its start offset and parameters); `parameters` for the others.
    job_parameters: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)
    queue_name: str | None = None  # start on another queue: UpdateJob(queueName, clusterId) first
    cluster_id: str | None = None
    trigger_checkpoint: bool | None = None  # pause/stop (Blink 3.5.0+)
    is_flush: bool | None = None  # resume with the latest configuration (service default: true)
    autoscale_on: bool | None = None  # commit: isOnOff; autoscale: autoscale.enable
    max_cu: float | None = None
    fetch_delay: float | None = None
    recommend_only: bool | None = None

    def parameters_for(self, selection: Selection) -> dict[str, str]:
        return self.job_parameters.get(selection.key, self.parameters)


@dataclass(slots=True)
class ActionResult:
    """The answer to one request: ok, or why not (code, message and request id of the error)."""

    selection: Selection
    kind: ActionKind
    ok: bool
    reason: str = ""
    request_id: str | None = None
    instance_id: int | None = None
    value: Any = None  # the parsed response, for read-only actions
    error: Exception | None = None
    uncertain: bool = False  # the request may have been executed although no answer said so


class Outcome(StrEnum):
    WAITING = "waiting"
    REACHED = "reached"
    FAILED = "failed"
    TIMED_OUT = "timed out"
    CANCELLED = "cancelled"
    ERROR = "error"


@dataclass(slots=True)
class Progress:
    """One observation of one instance while following it."""

    selection: Selection
    expected: str
    actual: str | None
    elapsed: float
    outcome: Outcome = Outcome.WAITING
    message: str = ""

    @property
    def done(self) -> bool:
        return self.outcome is not Outcome.WAITING


class CancelToken:
    """Cancels a wait from the UI; `wait(timeout)` returns early when cancelled."""

    def __init__(self) -> None:
        self._event = asyncio.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    async def sleep(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._event.wait(), timeout=seconds)
        except TimeoutError:
            pass


def describe_error(err: BaseException) -> str:
    """The reason shown in summaries: code and message; the request id is kept apart."""
    if isinstance(err, errors.FoasError):
        return f"{err.code}: {err.message}"
    return f"{type(err).__name__}: {err}"


def is_ambiguous(err: errors.FoasError) -> bool:
    """True when a request may have been executed although it failed: no (readable) answer came back."""
    if isinstance(err, errors.InvalidResponse | errors.RequestTimeout):
        return True
    return isinstance(err, errors.ConnectionFailed) and not getattr(err, "never_sent", False)


def instance_of(selection: Selection) -> int:
    """The instance to act on: stream jobs address their current instance as -1."""
    if selection.is_stream:
        return CURRENT_INSTANCE
    return selection.instance_id


class JobActions:
    """Sends job actions through the client and follows the resulting state changes."""

    def __init__(
        self,
        client: FoasClient,
        *,
        poll_interval: float = 1.0,
        timeout: float = 300.0,
        concurrency: int = 4,
        monotonic: Callable[[], float] = time.monotonic,
        checkpoints: CheckpointMemory | None = None,
    ) -> None:
        self.client = client
        self.checkpoints = checkpoints
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.concurrency = concurrency
        self._monotonic = monotonic

    # --- one request ------------------------------------------------------------------------------

    async def perform(self, kind: ActionKind, selection: Selection, options: ActionOptions | None = None
                      ) -> ActionResult:
        """Send the action's request; never raises for a service error (the result says why)."""
        options = options or ActionOptions()
        try:
            value = await self._send(kind, selection, options)
        except errors.FoasError as err:
            if ACTIONS[kind].expected_state is not None and is_ambiguous(err):
                reason = (f"outcome unknown ({describe_error(err)}): the service may have executed it; "
                          "following the job's state to find out")
                return ActionResult(selection, kind, False, reason, err.request_id, error=err, uncertain=True)
            return ActionResult(selection, kind, False, describe_error(err), err.request_id, error=err)
        instance_id = getattr(value, "instance_id", None) if kind is ActionKind.START else None
        return ActionResult(selection, kind, True, request_id=_request_id(value), instance_id=instance_id,
                            value=value)

    async def _send(self, kind: ActionKind, sel: Selection, options: ActionOptions) -> Any:
        client, project, job = self.client, sel.project, sel.job_name
        if kind is ActionKind.START:
            if options.queue_name:
                await client.update_job(project, job, queue_name=options.queue_name, cluster_id=options.cluster_id)
            return await client.start_job(project, job, parameter_json=options.parameters_for(sel) or None)
        if kind in (ActionKind.PAUSE, ActionKind.STOP):
            state = "PAUSED" if kind is ActionKind.PAUSE else "TERMINATED"
            return await client.modify_instance_state(project, job, instance_of(sel), state,
                                                      trigger_checkpoint=options.trigger_checkpoint)
        if kind is ActionKind.RESUME:
            return await client.modify_instance_state(project, job, instance_of(sel), "RUNNING",
                                                      is_flush=options.is_flush)
        if kind is ActionKind.COMMIT:
            configure = None
            if options.autoscale_on and options.fetch_delay is not None:
                configure = _json({"fetch_delay": float(options.fetch_delay)})
            return await client.commit_job(
                project, job, is_on_off=options.autoscale_on, max_cu=options.max_cu if options.autoscale_on else None,
                configure=configure, recommend_only=options.recommend_only if options.autoscale_on else None)
        if kind is ActionKind.OFFLINE:
            return await client.offline_job(project, job)
        if kind is ActionKind.DELETE:
            return await client.delete_job(project, job)
        if kind is ActionKind.VALIDATE:
            return await client.validate_job(project, job)
        if kind is ActionKind.CALC_RESOURCES:
            return await client.calc_plan_json_resource(project, job)
        if kind is ActionKind.AUTOSCALE:
            enable = "true" if options.autoscale_on else "false"
            return await client.update_auto_scale_config(project, job, CURRENT_INSTANCE,
                                                         {"autoscale.enable": enable})
        raise ValueError(f"{kind} is not a one-request action")

    async def perform_many(self, kind: ActionKind, selections: Iterable[Selection],
                           options: ActionOptions | None = None) -> list[ActionResult]:
        """The action on every job, a few at a time; results in the order of `selections`."""
        limit = asyncio.Semaphore(self.concurrency)

        async def one(sel: Selection) -> ActionResult:
            async with limit:
                return await self.perform(kind, sel, options)

        return list(await asyncio.gather(*(one(sel) for sel in selections)))

    async def remember_checkpoints(self, selections: Iterable[Selection]) -> None:
        """Right after a pause/stop with triggerCheckpoint was accepted, while the instance still answers:
        keep its latest completed checkpoint for a later start (afterwards the service no longer shows it)."""
        if self.checkpoints is None:
            return
        for sel in selections:
            seen = await read_checkpoint(self.client, sel, "read when it was paused/stopped with a checkpoint")
            if seen is not None:
                self.checkpoints.remember(sel.key, seen)

    # --- following state changes ------------------------------------------------------------------

    async def follow(
        self,
        targets: Iterable[tuple[Selection, str]],
        cancel: CancelToken | None = None,
        timeout: float | None = None,
    ) -> AsyncIterator[Progress]:
        """Poll each instance's run summary until it reaches its expected state; one event per poll per job.

        Ends when every target is done; a cancelled or timed-out wait yields a final event per pending job.
        """
        cancel = cancel or CancelToken()
        limit = self.timeout if timeout is None else timeout
        pending = {sel: expected for sel, expected in targets}
        failures: dict[Selection, int] = dict.fromkeys(pending, 0)
        failed_seen: dict[Selection, int] = dict.fromkeys(pending, 0)  # FAILED polls in a row (FAILED_GRACE_POLLS)
        started = self._monotonic()
        while pending:
            elapsed = self._monotonic() - started
            if cancel.cancelled:
                for sel, expected in pending.items():
                    yield Progress(sel, expected, None, elapsed, Outcome.CANCELLED,
                                   "stopped waiting; the request was already sent")
                return
            observations = await asyncio.gather(*(self._observe(sel, exp, elapsed, failures, failed_seen)
                                                  for sel, exp in pending.items()))
            for progress in observations:
                if progress.done:
                    pending.pop(progress.selection, None)
                yield progress
            if not pending:
                return
            if self._monotonic() - started >= limit:
                for sel, expected in pending.items():
                    yield Progress(sel, expected, None, self._monotonic() - started, Outcome.TIMED_OUT,
                                   f"still not {expected} after {limit:.0f} s; check the job later")
                return
            await cancel.sleep(self.poll_interval)

    async def _observe(self, sel: Selection, expected: str, elapsed: float,
                       failures: dict[Selection, int], failed_seen: dict[Selection, int]) -> Progress:
        try:
            response = await self.client.get_instance_run_summary(sel.project, sel.job_name, instance_of(sel))
        except errors.FoasError as err:
            failures[sel] += 1
            if failures[sel] >= 3 or isinstance(err, errors.AuthError | errors.NotFoundError):
                return Progress(sel, expected, None, elapsed, Outcome.ERROR, describe_error(err))
            return Progress(sel, expected, None, elapsed, Outcome.WAITING, f"retrying: {describe_error(err)}")
        failures[sel] = 0
        summary = getattr(response, "run_summary", None)
        actual = (getattr(summary, "actual_state", None) or "").upper() or None
        last_error = getattr(summary, "last_error_message", None) or ""
        if actual == expected or (expected == "RUNNING" and actual == "SUCCESS" and not sel.is_stream):
            return Progress(sel, expected, actual, elapsed, Outcome.REACHED, f"now {actual}")
        if actual in FAILED_STATES and expected not in FAILED_STATES:
            failed_seen[sel] = failed_seen.get(sel, 0) + 1
            if expected in ("PAUSED", "TERMINATED") and failed_seen[sel] < FAILED_GRACE_POLLS:
                return Progress(sel, expected, actual, elapsed, Outcome.WAITING,
                                f"{actual} (failing over?) -> {expected}")
            reason = f"instance is {actual}" + (f": {last_error}" if last_error else "")
            return Progress(sel, expected, actual, elapsed, Outcome.FAILED, reason)
        failed_seen[sel] = 0
        return Progress(sel, expected, actual, elapsed, Outcome.WAITING, f"{actual or 'no state yet'} -> {expected}")

    # --- current states (for confirmations) -------------------------------------------------------

    async def current_states(self, selections: Iterable[Selection]) -> dict[tuple[str, str], str]:
        """ActualState of each job's current instance: "" when it has none, absent when the call failed."""
        groups: dict[tuple[str, str], list[str]] = {}
        for sel in selections:
            groups.setdefault((sel.project, sel.job_type.upper()), []).append(sel.job_name)
        states: dict[tuple[str, str], str] = {}
        for (project, job_type), names in groups.items():
            try:
                response = await self.client.batch_get_instance_run_summary(project, names, job_type)
            except errors.FoasError:
                continue
            for name in names:
                states[(project, name)] = ""
            for summary in response.run_summarys:
                name = getattr(summary, "job_name", None)
                if name:
                    states[(project, name)] = (getattr(summary, "actual_state", None) or "").upper()
        return states

    # --- the raw plan (asynchronous on the service) -----------------------------------------------

    async def raw_plan(
        self,
        selection: Selection,
        cancel: CancelToken | None = None,
        *,
        autoconf: bool | None = None,
        expected_core: float | None = None,
        expected_gb: float | None = None,
        timeout: float | None = None,
    ) -> AsyncIterator[PlanProgress]:
        """GetRawPlanJson, then CheckRawPlanJson until the session is done; errors end the iteration."""
        cancel = cancel or CancelToken()
        limit = self.timeout if timeout is None else timeout
        started = self._monotonic()
        try:
            response = await self.client.get_raw_plan_json(
                selection.project, selection.job_name, autoconf_enable=autoconf,
                expected_core=expected_core, expected_gb=expected_gb)
        except errors.FoasError as err:
            yield PlanProgress("error", 0.0, error=describe_error(err), request_id=err.request_id)
            return
        session_id = getattr(response, "session_id", None) or ""
        while True:
            elapsed = self._monotonic() - started
            if cancel.cancelled:
                yield PlanProgress("cancelled", elapsed)
                return
            try:
                check = await self.client.check_raw_plan_json(selection.project, selection.job_name, session_id)
            except errors.FoasError as err:
                yield PlanProgress("error", elapsed, error=describe_error(err), request_id=err.request_id)
                return
            info = getattr(check, "plan_json_info", None)
            status = (getattr(info, "status", None) or "").strip()
            if status.lower() == "success":
                yield PlanProgress("success", elapsed, plan_json=_plan_text(getattr(info, "plan_json", None)))
                return
            if status.lower() == "fail":
                yield PlanProgress("fail", elapsed, error=getattr(info, "error_message", None) or "(no message)")
                return
            if elapsed >= limit:
                yield PlanProgress("timed out", elapsed, error=f"no plan after {limit:.0f} s")
                return
            yield PlanProgress("running", elapsed)
            await cancel.sleep(self.poll_interval)


@dataclass(slots=True)
class PlanProgress:
    status: str  # running | success | fail | error | cancelled | timed out
    elapsed: float
    plan_json: str = ""
    error: str = ""
    request_id: str | None = None

    @property
    def done(self) -> bool:
        return self.status != "running"


def _plan_text(plan: Any) -> str:
    """The plan as text: the raw JSON the service sent (pretty-printed when it parses)."""
    import json

    raw = getattr(plan, "raw", None) if plan is not None else None
    if isinstance(plan, str):
        raw = plan
    if not raw:
        return ""
    try:
        return json.dumps(json.loads(raw), indent=2, ensure_ascii=False)
    except ValueError:
        return raw


def _request_id(value: Any) -> str | None:
    return getattr(value, "request_id", None)


def _json(value: object) -> str:
    import json

    return json.dumps(value, separators=(",", ":"))


@dataclass(slots=True)
class TargetStatus:
    """Where one job of a run stands: the request's result, then the last observed progress."""

    selection: Selection
    result: ActionResult | None = None
    progress: Progress | None = None
    # The job was in the action's target state before the request (resume on a RUNNING job): the service
    # answered OK but nothing changed, so it is not counted or told as "resumed".
    already: str | None = None

    @property
    def ok(self) -> bool:
        result = self.result
        if result is None or not (result.ok or result.uncertain):
            return False
        if self.progress is None:
            return result.ok
        return self.progress.outcome is Outcome.REACHED  # an uncertain request proven done by the state

    @property
    def finished(self) -> bool:
        if self.result is None:
            return False
        if not (self.result.ok or self.result.uncertain):
            return True
        return self.progress is None or self.progress.done

    @property
    def status(self) -> str:
        if self.result is None:
            return "sending"
        if self.already and self.result.ok:
            return "no change"
        if self.result.uncertain and self.progress is None:
            return "unknown"
        if not (self.result.ok or self.result.uncertain):
            return "failed"
        if self.progress is None:
            return "done"
        return self.progress.outcome.value

    @property
    def reason(self) -> str:
        if self.already and self.result is not None and self.result.ok:
            return f"already {self.already} before the request; the service answered OK and nothing changed"
        if self.result is not None and self.result.uncertain and self.progress is not None:
            return f"{self.result.reason}; {self.progress.outcome.value}: {self.progress.message}".rstrip(": ")
        if self.result is not None and not self.result.ok:
            rid = f" (request id {self.result.request_id})" if self.result.request_id else ""
            return self.result.reason + rid
        return self.progress.message if self.progress is not None else ""


class ActionRun:
    """One action on one or many jobs, as the progress and summary screens show it (no Textual here)."""

    def __init__(self, kind: ActionKind, selections: Iterable[Selection], *, follow: bool = True) -> None:
        self.kind = kind
        self.info = ACTIONS[kind]
        self.targets: dict[Selection, TargetStatus] = {sel: TargetStatus(sel) for sel in selections}
        self.cancel_token = CancelToken()
        self.follow = follow and self.info.expected_state is not None
        self.finished = False
        self._listeners: list[Callable[[ActionRun], None]] = []

    @property
    def title(self) -> str:
        count = len(self.targets)
        what = next(iter(self.targets)).job_name if count == 1 else f"{count} jobs"
        return f"{self.info.label}: {what}"

    def subscribe(self, listener: Callable[[ActionRun], None]) -> Callable[[], None]:
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener) if listener in self._listeners else None

    def changed(self) -> None:
        for listener in list(self._listeners):
            listener(self)

    def record_results(self, results: Iterable[ActionResult]) -> None:
        for result in results:
            self.targets[result.selection].result = result
        self.changed()

    def record_progress(self, progress: Progress) -> None:
        self.targets[progress.selection].progress = progress
        self.changed()

    def finish(self) -> None:
        self.finished = True
        self.changed()

    @property
    def succeeded(self) -> list[TargetStatus]:
        return [t for t in self.targets.values() if t.ok and not t.already]

    @property
    def unchanged(self) -> list[TargetStatus]:
        """Accepted requests for jobs that were already in the target state (nothing happened)."""
        return [t for t in self.targets.values() if t.ok and t.already]

    @property
    def failed(self) -> list[TargetStatus]:
        return [t for t in self.targets.values() if t.finished and not t.ok]

    def summary(self) -> str:
        ok, bad, same = len(self.succeeded), len(self.failed), self.unchanged
        total = len(self.targets)
        if total == 1 and same:
            return (f"{self.info.label}: {same[0].selection.job_name} was already {same[0].already}; "
                    "the service answered OK and nothing changed")
        text = f"{self.info.label}: {ok} of {total} {self.info.done}"
        if same:
            states = sorted({t.already or "" for t in same})
            was = "was" if len(same) == 1 else "were"
            text += f", {len(same)} {was} already {'/'.join(states)} (nothing changed)"
        return text + (f", {bad} failed" if bad else "")

    async def execute(self, actions: JobActions, options: ActionOptions | None = None) -> None:
        """Send the requests, then follow the state changes of those that were accepted."""
        expected = self.info.expected_state
        before: dict[tuple[str, str], str] = {}
        if self.kind in (ActionKind.PAUSE, ActionKind.RESUME, ActionKind.STOP) and expected is not None:
            # What the state was, so that "resumed" is said only of a job that was not running already.
            before = await actions.current_states(list(self.targets))
            for sel, target in self.targets.items():
                if before.get(sel.key) == expected:
                    target.already = expected
        results = await actions.perform_many(self.kind, list(self.targets), options)
        self.record_results(results)
        if self.kind in (ActionKind.PAUSE, ActionKind.STOP) and options is not None and options.trigger_checkpoint:
            await actions.remember_checkpoints(r.selection for r in results if r.ok)
        if self.follow and expected is not None:
            accepted = [(r.selection, expected) for r in results
                        if (r.ok or r.uncertain) and not (r.ok and self.targets[r.selection].already)]
            async for progress in actions.follow(accepted, self.cancel_token):
                self.record_progress(progress)
        self.finish()
