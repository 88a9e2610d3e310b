"""The new-job form: name, folder, type, API type, queue, engine, code template; preconditions said up front."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Input, Label, Select, Static

from foas_tui import keys
from foas_tui.error_guard import ModalScreen as GuardedModalScreen
from foas_tui.error_guard import on
from foas_tui.text import NAME_LIMIT, safe_text

PRECONDITIONS = (
    "A new job is created offline (not committed). To run it: edit the code, validate (v), optionally generate "
    "the plan (J), commit (C), then start (s). Job names are unique within a project. Without a queue choice the "
    "service picks the queue bound to the project."
)

SQL_TEMPLATE = """\
-- {name}: Blink SQL ({job_type})
CREATE TABLE source_table (
  id BIGINT,
  msg VARCHAR
) WITH (
  type = 'random'
);

CREATE TABLE sink_table (
  id BIGINT,
  msg VARCHAR
) WITH (
  type = 'print'
);

INSERT INTO sink_table
SELECT id, msg FROM source_table;
"""

DATASTREAM_TEMPLATE = """\
--full main class name, required
blink.main.class=com.example.{main}
--the JAR with the main class (required when the job has several JARs)
--blink.main.jar=your-job.jar

--default state backend, used when the code declares none
state.backend.type=niagara
state.backend.niagara.ttl.ms=129600000

--default checkpointing, used when the code declares none
blink.checkpoint.interval.ms=180000
"""

PROPERTIES_TEMPLATE = """\
#checkpoint mode: EXACTLY_ONCE or AT_LEAST_ONCE
#blink.checkpoint.mode=EXACTLY_ONCE

#checkpoint interval, milliseconds
#blink.checkpoint.interval.ms=180000

#job time zone
blink.job.timeZone=Asia/Shanghai
"""

TEMPLATES = {"sql": "SQL template", "datastream": "DataStream template", "empty": "Empty"}
_NAME = re.compile(r"^[A-Za-z0-9_\-.\u4e00-\u9fff]{1,64}$")


def template_code(template: str, name: str, job_type: str) -> str:
    if template == "sql":
        return SQL_TEMPLATE.format(name=name, job_type=job_type.lower())
    if template == "datastream":
        main = "".join(part.capitalize() for part in re.split(r"[_\-.]", name) if part) or "Main"
        return DATASTREAM_TEMPLATE.format(main=main)
    return ""


def check_job_name(name: str, existing: set[str]) -> str | None:
    if not name:
        return "the job name is required"
    if not _NAME.match(name):
        return "use letters, digits, '_', '-' or '.' (at most 64), no '/', '?' or '#'"
    if name in existing:
        return f"a job named {name!r} already exists in this project"
    return None


def check_folder_path(path: str) -> str | None:
    if not path.startswith("/"):
        return "folder paths are absolute: they start with '/' (the root is '/')"
    if "//" in path or any(part in (".", "..") for part in path.split("/")):
        return "no empty, '.' or '..' parts in a folder path"
    return None


@dataclass(slots=True)
class CreateJobContext:
    project: str
    folder_path: str = "/"
    queues: list[tuple[str, str]] = field(default_factory=list)  # (cluster id, queue name)
    engine_versions: list[str] = field(default_factory=list)
    existing: set[str] = field(default_factory=set)


@dataclass(slots=True)
class CreateJobRequest:
    project: str
    job_name: str
    folder_path: str
    job_type: str
    api_type: str
    cluster_id: str | None
    queue_name: str | None
    engine_version: str
    code: str
    properties: str
    description: str


class CreateJobScreen(GuardedModalScreen[CreateJobRequest | None]):
    BINDINGS = keys.bindings("create_job")  # foas_tui/keys.py defines every key

    def __init__(self, context: CreateJobContext) -> None:
        super().__init__(classes="ops-dialog -wide")
        self.context = context

    def compose(self) -> ComposeResult:
        ctx = self.context
        with Vertical(classes="ops-box", id="ops-create-job"):
            yield Static(safe_text(f"New job in {ctx.project}"), classes="ops-title")
            with VerticalScroll(classes="ops-body"):
                yield Static(Text(PRECONDITIONS), classes="ops-hint")
                yield Label("Name")
                yield Input(placeholder="e.g. orders_to_holo", id="job-name")
                yield Label("Folder (created if it does not exist)")
                yield Input(ctx.folder_path or "/", id="job-folder")
                with Horizontal(classes="ops-pair"):
                    with Vertical():
                        yield Label("Job type")
                        types = [("stream (FLINK_STREAM)", "FLINK_STREAM"), ("batch (FLINK_BATCH)", "FLINK_BATCH")]
                        yield Select(types, value="FLINK_STREAM", allow_blank=False, id="job-type")
                    with Vertical():
                        yield Label("API type")
                        yield Select([("SQL", "SQL"), ("DataStream", "DATASTREAM")], value="SQL", allow_blank=False,
                                     id="job-api-type")
                yield Label("Queue")
                yield Select([(safe_text(f"{q} ({c})", NAME_LIMIT), f"{c}|{q}") for c, q in ctx.queues],
                             prompt="the project's bound queue", id="job-queue")
                yield Label("Engine version")
                versions = ctx.engine_versions or ["current"]
                yield Select([(safe_text(v, NAME_LIMIT), v) for v in versions], value=versions[0], allow_blank=False,
                             id="job-engine")
                yield Label("Code template")
                yield Select([(label, key) for key, label in TEMPLATES.items()], value="sql", allow_blank=False,
                             id="job-template")
                yield Label("Description")
                yield Input(id="job-description")
                yield Static("", id="job-errors", classes="ops-error")
            with Horizontal(classes="ops-buttons"):
                yield Button("Cancel", id="ops-cancel")
                yield Button("Create (ctrl+s)", id="ops-ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#job-name", Input).focus()

    @on(Select.Changed, "#job-api-type")
    def _api_changed(self, event: Select.Changed) -> None:
        self.query_one("#job-template", Select).value = "datastream" if event.value == "DATASTREAM" else "sql"

    def collect(self) -> tuple[CreateJobRequest | None, list[str]]:
        name = self.query_one("#job-name", Input).value.strip()
        folder = self.query_one("#job-folder", Input).value.strip() or "/"
        problems = [p for p in (check_job_name(name, self.context.existing), check_folder_path(folder)) if p]
        if problems:
            return None, problems
        job_type = str(self.query_one("#job-type", Select).value)
        queue = self.query_one("#job-queue", Select).value
        cluster_id = queue_name = None
        if queue is not Select.NULL:
            cluster_id, _, queue_name = str(queue).partition("|")
        template = str(self.query_one("#job-template", Select).value)
        return CreateJobRequest(
            project=self.context.project, job_name=name, folder_path=folder.rstrip("/") or "/", job_type=job_type,
            api_type=str(self.query_one("#job-api-type", Select).value), cluster_id=cluster_id or None,
            queue_name=queue_name or None, engine_version=str(self.query_one("#job-engine", Select).value),
            code=template_code(template, name, job_type), properties=PROPERTIES_TEMPLATE,
            description=self.query_one("#job-description", Input).value.strip(),
        ), []

    @on(Button.Pressed, "#ops-ok")
    @on(Input.Submitted)
    def action_submit(self) -> None:
        request, problems = self.collect()
        if problems:
            self.query_one("#job-errors", Static).update(Text("\n".join(problems), style="red"))
            return
        self.dismiss(request)

    @on(Button.Pressed, "#ops-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
