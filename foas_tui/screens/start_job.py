"""Launch forms: start (offset, checkpointing, queue, parameters, or resume a paused instance) and commit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Select, Static, TextArea

from foas_tui import keys
from foas_tui.services.actions import ACTIONS, ActionKind, ActionOptions
from foas_tui.services.properties import parse_pairs, validate_value
from foas_tui.text import NAME_LIMIT, safe_text

_RELATIVE = re.compile(r"^-(\d+)\s*([smhd])$")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_start_offset(text: str, now: float) -> tuple[int | None, str | None]:
    """(epoch ms, error). Empty = no offset (the job's DDL decides); also: now, -15m/-2h/-1d, epoch s or ms,
    and `YYYY-MM-DD HH:MM[:SS]` in this machine's local time."""
    text = text.strip()
    if not text:
        return None, None
    if text.lower() == "now":
        return int(now * 1000), None
    relative = _RELATIVE.match(text)
    if relative:
        return int((now - int(relative[1]) * _UNITS[relative[2]]) * 1000), None
    if text.isdigit():
        value = int(text)
        if len(text) == 13:
            return value, None
        if len(text) == 10:
            return value * 1000, None
        return None, "an epoch time has 10 digits (seconds) or 13 (milliseconds)"
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            moment = datetime.strptime(text, fmt).astimezone()
        except ValueError:
            continue
        ms = int(moment.timestamp() * 1000)
        if ms > (now + 60) * 1000:
            return None, "the start offset is in the future"
        return ms, None
    return None, "use now, -15m/-2h/-1d, YYYY-MM-DD HH:MM[:SS] (local time) or an epoch time"


def describe_offset(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, UTC)
    local = moment.astimezone()
    return f"= {ms} ({moment:%Y-%m-%d %H:%M:%S} UTC, {local:%Y-%m-%d %H:%M:%S %Z} here)"


@dataclass(slots=True)
class StartContext:
    """What the form needs to know, fetched before it opens."""

    jobs: list[str]
    actual_state: str = ""  # current instance state of the (single) job; "" if none
    queue_name: str = ""
    cluster_id: str = ""
    queues: list[tuple[str, str]] = field(default_factory=list)  # (cluster id, queue name) bound to the project
    now: float = 0.0

    @property
    def bulk(self) -> bool:
        return len(self.jobs) > 1


@dataclass(slots=True)
class StartRequest:
    kind: ActionKind  # START (fresh) or RESUME (from the paused state)
    options: ActionOptions


class StartJobScreen(ModalScreen[StartRequest | None]):
    """Start the job fresh from an offset, or resume a paused instance with its state."""

    BINDINGS = keys.bindings("start")  # foas_tui/keys.py defines every key

    def __init__(self, context: StartContext) -> None:
        super().__init__(classes="ops-dialog -wide")
        self.context = context

    def compose(self) -> ComposeResult:
        ctx = self.context
        paused = ctx.actual_state == "PAUSED"
        target = ctx.jobs[0] if not ctx.bulk else f"{len(ctx.jobs)} jobs"
        state = f" (now {ctx.actual_state})" if ctx.actual_state else " (no running instance)"
        with Vertical(classes="ops-box", id="ops-start"):
            yield Static(safe_text(f"Start {target}{state if not ctx.bulk else ''}"), classes="ops-title")
            with VerticalScroll(classes="ops-body"):
                with RadioSet(id="start-mode"):
                    yield RadioButton("Fresh start from a start offset", value=not paused, id="mode-start")
                    yield RadioButton("Resume the paused instance from its state", value=paused, id="mode-resume",
                                      disabled=not paused and not ctx.bulk)
                yield Static(Text(ACTIONS[ActionKind.START].explanation), classes="ops-hint", id="start-explain")
                with Vertical(id="start-fresh"):
                    yield Label("Start offset (where the sources start reading)")
                    yield Input(placeholder="now, -15m, 2024-05-01 08:00 or epoch ms; empty = the DDL's startTime",
                                id="start-offset")
                    yield Static("", id="start-offset-value", classes="ops-hint")
                    yield Label("Checkpoint mode")
                    yield Select([("EXACTLY_ONCE", "EXACTLY_ONCE"), ("AT_LEAST_ONCE", "AT_LEAST_ONCE")],
                                 prompt="keep the job's setting", id="start-cp-mode")
                    yield Label("Checkpoint interval (ms)")
                    yield Input(placeholder="keep the job's setting, e.g. 180000", id="start-cp-interval")
                    if not ctx.bulk and ctx.queues:
                        yield Label("Queue (StartJob has none: a change is saved with UpdateJob first and may "
                                    "only apply after the next commit)")
                        options = [(safe_text(f"{q} ({c})", NAME_LIMIT), f"{c}|{q}") for c, q in ctx.queues]
                        current = f"{ctx.cluster_id}|{ctx.queue_name}"
                        known = current in [value for _, value in options]
                        yield Select(options, value=current if known else Select.NULL,
                                     prompt="keep the job's queue", id="start-queue")
                    yield Label("More parameters (key=value per line, sent as parameterJson)")
                    yield TextArea("", id="start-params", classes="ops-small-area")
                with Vertical(id="start-resume"):
                    yield Checkbox("Use the latest configuration (isFlush)", value=True, id="resume-flush")
                yield Static("", id="start-errors", classes="ops-error")
            with Horizontal(classes="ops-buttons"):
                yield Button("Cancel", id="ops-cancel")
                yield Button("Start (ctrl+s)", id="ops-ok", variant="success")

    def on_mount(self) -> None:
        self._sync_mode()
        self.query_one("#start-mode", RadioSet).focus()

    @property
    def resume(self) -> bool:
        return self.query_one("#mode-resume", RadioButton).value

    @on(RadioSet.Changed, "#start-mode")
    def _sync_mode(self) -> None:
        resume = self.resume
        self.query_one("#start-fresh").display = not resume
        self.query_one("#start-resume").display = resume
        kind = ActionKind.RESUME if resume else ActionKind.START
        self.query_one("#start-explain", Static).update(Text(ACTIONS[kind].explanation))
        self.query_one("#ops-ok", Button).label = "Resume (ctrl+s)" if resume else "Start (ctrl+s)"

    @on(Input.Changed, "#start-offset")
    def _offset_changed(self, event: Input.Changed) -> None:
        ms, error = parse_start_offset(event.value, self.context.now)
        label = self.query_one("#start-offset-value", Static)
        if error:
            label.update(Text(error, style="red"))
        else:
            label.update(describe_offset(ms) if ms is not None else "")

    def collect(self) -> tuple[StartRequest | None, list[str]]:
        if self.resume:
            flush = self.query_one("#resume-flush", Checkbox).value
            return StartRequest(ActionKind.RESUME, ActionOptions(is_flush=flush)), []
        problems: list[str] = []
        parameters: dict[str, str] = {}
        extra, errors = parse_pairs(self.query_one("#start-params", TextArea).text)
        problems.extend(errors)
        parameters.update(extra)
        ms, error = parse_start_offset(self.query_one("#start-offset", Input).value, self.context.now)
        if error:
            problems.append(f"start offset: {error}")
        elif ms is not None:
            parameters["startOffset"] = str(ms)
        mode = self.query_one("#start-cp-mode", Select).value
        if mode is not Select.NULL:
            parameters["blink.checkpoint.mode"] = str(mode)
        interval = self.query_one("#start-cp-interval", Input).value.strip()
        if interval:
            problem = validate_value("blink.checkpoint.interval.ms", interval)
            if problem:
                problems.append(problem)
            else:
                parameters["blink.checkpoint.interval.ms"] = interval
        options = ActionOptions(parameters=parameters)
        queues = self.query("#start-queue")
        if queues:
            value = queues.first(Select).value
            if value is not Select.NULL:
                cluster, _, queue = str(value).partition("|")
                if (cluster, queue) != (self.context.cluster_id, self.context.queue_name):
                    options.queue_name, options.cluster_id = queue, cluster or None
        if problems:
            return None, problems
        return StartRequest(ActionKind.START, options), []

    @on(Button.Pressed, "#ops-ok")
    def action_submit(self) -> None:
        request, problems = self.collect()
        errors = self.query_one("#start-errors", Static)
        if problems:
            errors.update(Text("\n".join(problems), style="red"))
            return
        errors.update("")
        self.dismiss(request)

    @on(Button.Pressed, "#ops-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class CommitScreen(ModalScreen[ActionOptions | None]):
    """Commit (bring online), optionally with AutoScale: max CU, fetch-delay target, recommend-only."""

    BINDINGS = keys.bindings("commit")  # foas_tui/keys.py defines every key

    def __init__(self, jobs: list[str], cores: float | None = None) -> None:
        super().__init__(classes="ops-dialog -wide")
        self.jobs = jobs
        self.cores = cores

    def compose(self) -> ComposeResult:
        target = self.jobs[0] if len(self.jobs) == 1 else f"{len(self.jobs)} jobs"
        with Vertical(classes="ops-box", id="ops-commit"):
            yield Static(safe_text(f"Commit {target}"), classes="ops-title")
            with VerticalScroll(classes="ops-body"):
                yield Static(Text(ACTIONS[ActionKind.COMMIT].explanation), classes="ops-what")
                yield Checkbox("Enable AutoScale (Blink 3.2.1+)", value=False, id="commit-autoscale")
                with Vertical(id="commit-autoscale-fields"):
                    hint = f" (the plan needs about {self.cores:g} cores)" if self.cores else ""
                    yield Label(safe_text(f"Max CU (1 CU = 1 core + 4 GB){hint}"))
                    yield Input(placeholder="e.g. 10", id="commit-max-cu")
                    yield Label("Target data retention, fetch_delay (seconds)")
                    yield Input(placeholder="e.g. 44.5", id="commit-fetch-delay")
                    yield Checkbox("Recommend only: do not change the plan automatically (Blink 3.7.8+)",
                                   value=False, id="commit-recommend")
                yield Static("", id="commit-errors", classes="ops-error")
            with Horizontal(classes="ops-buttons"):
                yield Button("Cancel", id="ops-cancel")
                yield Button("Commit (ctrl+s)", id="ops-ok", variant="primary")

    def on_mount(self) -> None:
        self._sync()
        self.query_one("#commit-autoscale", Checkbox).focus()

    @on(Checkbox.Changed, "#commit-autoscale")
    def _sync(self) -> None:
        self.query_one("#commit-autoscale-fields").display = self.query_one("#commit-autoscale", Checkbox).value

    def collect(self) -> tuple[ActionOptions | None, list[str]]:
        if not self.query_one("#commit-autoscale", Checkbox).value:
            return ActionOptions(), []
        problems: list[str] = []
        values: dict[str, float] = {}
        for field_id, name in (("#commit-max-cu", "Max CU"), ("#commit-fetch-delay", "fetch_delay")):
            raw = self.query_one(field_id, Input).value.strip()
            try:
                values[field_id] = float(raw)
                if values[field_id] <= 0:
                    problems.append(f"{name} must be greater than 0")
            except ValueError:
                problems.append(f"{name} is required with AutoScale and must be a number; got {raw!r}")
        if problems:
            return None, problems
        return ActionOptions(autoscale_on=True, max_cu=values["#commit-max-cu"],
                             fetch_delay=values["#commit-fetch-delay"],
                             recommend_only=self.query_one("#commit-recommend", Checkbox).value), []

    @on(Button.Pressed, "#ops-ok")
    def action_submit(self) -> None:
        options, problems = self.collect()
        if problems:
            self.query_one("#commit-errors", Static).update(Text("\n".join(problems), style="red"))
            return
        self.dismiss(options)

    @on(Button.Pressed, "#ops-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
