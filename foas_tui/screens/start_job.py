"""Launch forms: start (a start point, checkpointing, queue, each job's parameters, or resume) and commit."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Label, RadioButton, RadioSet, Select, Static, TextArea

from foas_tui import keys
from foas_tui.error_guard import ModalScreen as GuardedModalScreen
from foas_tui.error_guard import on
from foas_tui.services.actions import ACTIONS, ActionKind, ActionOptions
from foas_tui.services.properties import parse_pairs, validate_value
from foas_tui.services.start_points import (
    CHECKPOINT,
    DDL,
    FAILURE,
    LABELS,
    NOW,
    POINT_KINDS,
    REPLAY_NOTES,
    TYPED,
    JobStartInfo,
    StartPoint,
    describe_ms,
)
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


def _red(text: Text) -> Text:
    text.stylize("red")
    return text


def describe_offset(ms: int) -> str:
    return f"= {ms} ({describe_ms(ms)})"


def parse_own_parameters(text: str) -> tuple[dict[str, str], list[str]]:
    """A job's own parameters on one line: `key=value; key=value` (the same checks as the form's box)."""
    return parse_pairs("\n".join(part for part in text.split(";")))


def format_parameters(params: dict[str, str]) -> str:
    return "; ".join(f"{key}={value}" for key, value in params.items())


@dataclass(slots=True)
class StartContext:
    """What the form needs to know, fetched before it opens."""

    jobs: list[str]
    actual_state: str = ""  # current instance state of the (single) job; "" if none
    queue_name: str = ""
    cluster_id: str = ""
    queues: list[tuple[str, str]] = field(default_factory=list)  # (cluster id, queue name) bound to the project
    now: float = 0.0
    infos: list[JobStartInfo] = field(default_factory=list)  # per job, in the order of `jobs` (may be empty)
    keys: list[tuple[str, str]] = field(default_factory=list)  # (project, job) per job, for bulk parameters

    @property
    def bulk(self) -> bool:
        return len(self.jobs) > 1

    def info(self, index: int) -> JobStartInfo | None:
        return self.infos[index] if index < len(self.infos) else None

    def point(self, index: int, kind: str) -> StartPoint:
        """Job `index`'s point of this kind; now/DDL are always there, the others only when the service told."""
        info = self.info(index)
        if info is not None and kind in info.points:
            return info.points[kind]
        if kind == NOW:
            return StartPoint(NOW, int(self.now * 1000))
        if kind == DDL:
            return StartPoint(DDL)
        return StartPoint(kind, why_not="not read from the service")


@dataclass(slots=True)
class StartRequest:
    kind: ActionKind  # START (fresh) or RESUME (from the paused state)
    options: ActionOptions
    # What each job gets, one line per job (the bulk confirmation shows it): "startOffset=... ; k=v".
    plan: dict[tuple[str, str], str] = field(default_factory=dict)


class StartJobScreen(GuardedModalScreen[StartRequest | None]):
    """Start the job(s) fresh from a start point, or resume a paused instance with its state."""

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
                    with RadioSet(id="start-point"):
                        for kind in POINT_KINDS:
                            label, available = self._point_label(kind)
                            yield RadioButton(label, value=kind == DDL, id=f"point-{kind}", disabled=not available)
                    yield Static(self._unavailable_text(), id="start-points-why", classes="ops-hint")
                    yield Input(placeholder="now, -15m, 2024-05-01 08:00 or epoch ms (local time)", id="start-offset")
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
                    if ctx.bulk:
                        yield Label("Each job's own parameters (key=value; ... — they win over the ones above; "
                                    "startOffset here overrides the start point)")
                        for index, name in enumerate(ctx.jobs):
                            info = ctx.info(index)
                            own = format_parameters(info.last_parameters) if info is not None else ""
                            source = f" ({info.parameters_source})" if info is not None and own else ""
                            yield Label(safe_text(f"{name}{source}", NAME_LIMIT + 30), classes="ops-hint")
                            yield Input(own, placeholder="the shared parameters", id=f"start-job-{index}",
                                        classes="start-job-params")
                        yield Label("What each job gets")
                        yield Static("", id="start-preview", classes="ops-hint")
                with Vertical(id="start-resume"):
                    yield Checkbox("Use the latest configuration (isFlush)", value=True, id="resume-flush")
                yield Static("", id="start-errors", classes="ops-error")
            with Horizontal(classes="ops-buttons"):
                yield Button("Cancel", id="ops-cancel")
                yield Button("Start (ctrl+s)", id="ops-ok", variant="success")

    def _point_label(self, kind: str) -> tuple[str, bool]:
        """The radio label (our own words and times only: service text goes to the note) and availability."""
        ctx = self.context
        if kind in (DDL, TYPED):
            return LABELS[kind], True
        if kind == NOW:
            return f"{LABELS[NOW]}: {describe_ms(int(ctx.now * 1000))}", True
        points = [ctx.point(i, kind) for i in range(len(ctx.jobs))]
        have = [p for p in points if p.available]
        if not ctx.bulk:
            point = points[0]
            if not point.available:
                return f"{LABELS[kind]}: unavailable", False
            return f"{LABELS[kind]}: {describe_ms(point.ms or 0)}", True
        return f"Each job's {LABELS[kind].lower()} ({len(have)} of {len(points)} jobs have one)", bool(have)

    def _unavailable_text(self) -> Text:
        """Why a point cannot be picked (one job): the service's answer, through the door."""
        ctx = self.context
        if ctx.bulk:
            return Text("")
        text = Text()
        for kind in (CHECKPOINT, FAILURE):
            point = ctx.point(0, kind)
            if not point.available:
                text.append_text(safe_text(f"{LABELS[kind]}: {point.why_not}", 300))
                text.append("\n")
        text.rstrip()
        return text

    def on_mount(self) -> None:
        self._sync_mode()
        self._show_point()
        self.query_one("#start-mode", RadioSet).focus()

    @property
    def resume(self) -> bool:
        return self.query_one("#mode-resume", RadioButton).value

    @property
    def point_kind(self) -> str:
        pressed = self.query_one("#start-point", RadioSet).pressed_button
        kind = (pressed.id or "point-ddl").removeprefix("point-") if pressed is not None else DDL
        if kind == DDL and self.query_one("#start-offset", Input).value.strip():
            return TYPED  # a typed time means a typed time, whichever radio is still on
        return kind

    @on(RadioSet.Changed, "#start-mode")
    def _sync_mode(self) -> None:
        resume = self.resume
        self.query_one("#start-fresh").display = not resume
        self.query_one("#start-resume").display = resume
        kind = ActionKind.RESUME if resume else ActionKind.START
        self.query_one("#start-explain", Static).update(Text(ACTIONS[kind].explanation))
        self.query_one("#ops-ok", Button).label = "Resume (ctrl+s)" if resume else "Start (ctrl+s)"

    @on(RadioSet.Changed, "#start-point")
    def _point_changed(self) -> None:
        if self.point_kind == TYPED:
            self.query_one("#start-offset", Input).focus()
        self._show_point()

    @on(Input.Changed, "#start-offset")
    def _offset_changed(self, event: Input.Changed) -> None:
        typed = self.query_one("#point-typed", RadioButton)
        if event.value.strip() and not typed.value:
            typed.value = True  # typing picks "a time I type"
        self._show_point()

    @on(Input.Changed, ".start-job-params")
    @on(TextArea.Changed, "#start-params")
    @on(Select.Changed)
    @on(Input.Changed, "#start-cp-interval")
    def _inputs_changed(self) -> None:
        self._show_preview()

    def _show_point(self) -> None:
        """The chosen point's value (for one job) and what it means for data replay."""
        kind = self.point_kind
        label = self.query_one("#start-offset-value", Static)
        text = Text(REPLAY_NOTES[kind])
        if kind == TYPED:
            ms, error = parse_start_offset(self.query_one("#start-offset", Input).value, self.context.now)
            if error:
                text = Text(error, style="red")
            elif ms is not None:
                text.append(f"\n{describe_offset(ms)}")
        elif not self.context.bulk and kind in (CHECKPOINT, FAILURE):
            point = self.context.point(0, kind)
            text.append("\n")
            text.append_text(safe_text(point.why_not if not point.available
                                       else f"{describe_offset(point.ms or 0)}: {point.detail}", 300))
        label.update(text)
        self._show_preview()

    def _show_preview(self) -> None:
        if not self.context.bulk or not self.is_mounted:
            return
        try:
            preview = self.query_one("#start-preview", Static)
        except Exception:  # not composed yet
            return
        plan, problems = self._plan()
        lines = Text()
        for index, name in enumerate(self.context.jobs):
            line = plan.get(index)
            lines.append_text(safe_text(f"{name}: {line if line is not None else '—'}", 240))
            lines.append("\n")
        for problem in problems:
            lines.append_text(_red(safe_text(problem, 300)))
            lines.append("\n")
        preview.update(lines)

    def _shared(self) -> tuple[dict[str, str], list[str]]:
        problems: list[str] = []
        parameters, errors = parse_pairs(self.query_one("#start-params", TextArea).text)
        problems.extend(errors)
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
        return parameters, problems

    def _plan(self) -> tuple[dict[int, str], list[str]]:
        """Per job (index): the parameterJson it will get, as a line; and what stops the start."""
        ctx = self.context
        shared, problems = self._shared()
        kind = self.point_kind
        typed_ms: int | None = None
        if kind == TYPED:
            typed_ms, error = parse_start_offset(self.query_one("#start-offset", Input).value, ctx.now)
            if error:
                problems.append(f"start offset: {error}")
            elif typed_ms is None:
                problems.append("start offset: type a time, or pick another start point")
        self._job_parameters = {}
        plan: dict[int, str] = {}
        for index, name in enumerate(ctx.jobs):
            own: dict[str, str] = {}
            if ctx.bulk:
                own, errors = parse_own_parameters(self.query_one(f"#start-job-{index}", Input).value)
                problems.extend(f"{name}: {e}" for e in errors)
            params = dict(shared)
            where = ""
            if "startOffset" not in own:
                if kind == TYPED:
                    offset = str(typed_ms) if typed_ms is not None else None
                    where = "typed"
                else:
                    point = ctx.point(index, kind)
                    if not point.available:
                        problems.append(f"{name}: {LABELS[kind].lower()} {point.why_not}; pick another start "
                                        "point or give it startOffset=... of its own")
                        continue
                    offset = point.parameter()
                    where = LABELS[kind].lower()
                if offset is not None:
                    params["startOffset"] = offset
            params.update(own)
            self._job_parameters[index] = params
            shown = format_parameters(params) or "(nothing: the job's own settings)"
            if "startOffset" in params and where:
                shown += f" ({where})"
            plan[index] = shown
        return plan, problems

    def collect(self) -> tuple[StartRequest | None, list[str]]:
        if self.resume:
            flush = self.query_one("#resume-flush", Checkbox).value
            return StartRequest(ActionKind.RESUME, ActionOptions(is_flush=flush)), []
        plan, problems = self._plan()
        if problems:
            return None, problems
        per_job = [self._job_parameters[i] for i in range(len(self.context.jobs))]
        keys = self.context.keys or [("", name) for name in self.context.jobs]
        options = ActionOptions(parameters=per_job[0] if not self.context.bulk else {})
        if self.context.bulk:
            options.job_parameters = dict(zip(keys, per_job, strict=True))
        queues = self.query("#start-queue")
        if queues:
            value = queues.first(Select).value
            if value is not Select.NULL:
                cluster, _, queue = str(value).partition("|")
                if (cluster, queue) != (self.context.cluster_id, self.context.queue_name):
                    options.queue_name, options.cluster_id = queue, cluster or None
        return StartRequest(ActionKind.START, options, {keys[i]: line for i, line in plan.items()}), []

    @on(Button.Pressed, "#ops-ok")
    def action_submit(self) -> None:
        request, problems = self.collect()
        errors = self.query_one("#start-errors", Static)
        if problems:
            errors.update(_red(safe_text("\n".join(problems), 2000, multiline=True)))
            return
        errors.update("")
        self.dismiss(request)

    @on(Button.Pressed, "#ops-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)


class CommitScreen(GuardedModalScreen[ActionOptions | None]):
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
