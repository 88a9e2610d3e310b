"""Packages, queues, clusters, projects and tags: how to list them, show one, and change them.

Each resource kind is data (columns, a list call, a detail call, the mutating operations with their fields
and documented preconditions) so one generic screen can browse and change all of them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from foas_tui.api.client import FoasClient

Row = dict[str, Any]
FieldKind = Literal["text", "int", "float", "bool", "choice", "multiline"]


@dataclass(frozen=True, slots=True)
class ResourceContext:
    """Where the operator is: the project and cluster the lists are scoped to."""

    project: str | None = None
    cluster_id: str | None = None


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """One input of a mutation form; `name` is the client method's keyword argument."""

    name: str
    label: str
    required: bool = False
    kind: FieldKind = "text"
    choices: tuple[str, ...] = ()
    help: str = ""
    from_row: str | None = None  # prefill from this column of the selected row
    from_context: Literal["project", "cluster_id"] | None = None

    def convert(self, raw: str) -> tuple[Any, str | None]:
        """(value, error): the typed value of a form entry; None value means "not sent"."""
        raw = raw.strip()
        if raw == "":
            return None, (f"{self.label} is required" if self.required else None)
        try:
            if self.kind == "int":
                return int(raw), None
            if self.kind == "float":
                return float(raw), None
        except ValueError:
            return None, f"{self.label} must be a {'whole ' if self.kind == 'int' else ''}number; got {raw!r}"
        if self.kind == "bool":
            if raw.lower() not in ("true", "false"):
                return None, f"{self.label} must be true or false; got {raw!r}"
            return raw.lower() == "true", None
        if self.kind == "choice" and self.choices and raw not in self.choices:
            return None, f"{self.label} must be one of {', '.join(self.choices)}; got {raw!r}"
        return raw, None


@dataclass(frozen=True, slots=True)
class MutationSpec:
    """A mutating operation offered on a resource kind; `precondition` is shown before the form."""

    operation: str
    label: str
    key: str  # the binding key on the resources screen
    fields: tuple[FieldSpec, ...]
    precondition: str = ""
    destructive: bool = False
    needs_row: bool = False  # acts on the selected row
    confirm_text: str = ""  # for very destructive ones: the operator types the target's name


@dataclass(frozen=True, slots=True)
class ResourceKind:
    name: str
    title: str
    scope: Literal["project", "cluster", "none"]
    columns: tuple[tuple[str, str], ...]  # (row key, header)
    key_column: str
    lister: Callable[[FoasClient, ResourceContext], Awaitable[list[Row]]]
    detailer: Callable[[FoasClient, ResourceContext, Row], Awaitable[dict[str, Row | list[Row]]]]
    mutations: tuple[MutationSpec, ...] = field(default_factory=tuple)
    note: str = ""


# --- turning models into rows ----------------------------------------------------------------------

_SECRET = re.compile(r"secret|access_?key(?!_?id)|password|token|sts_?access", re.IGNORECASE)


def redact(value: Any, key: str = "") -> Any:
    """Hide credentials that detail calls carry (e.g. UserOssInfo.accessKey) before anything is shown."""
    if key and _SECRET.search(key) and value not in (None, ""):
        return "****"
    if isinstance(value, dict):
        return {k: redact(v, str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    if isinstance(value, str) and value.lstrip().startswith("{") and _SECRET.search(value):
        try:
            return json.dumps(redact(json.loads(value)), ensure_ascii=False)
        except ValueError:
            return "**** (unreadable text that names a secret)"
    return value


def as_row(item: Any) -> Row:
    if item is None:
        return {}
    if hasattr(item, "model_dump"):
        row = {k: v for k, v in item.model_dump().items() if not k.startswith("_")}
    elif isinstance(item, dict):
        row = dict(item)
    else:
        row = {k: v for k, v in vars(item).items() if not k.startswith("_")}
    return redact(row)


def cell(value: Any, key: str = "") -> str:
    """A value as table text: epoch-ms times as dates, structures as compact JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int) and ("time" in key or key.startswith("gmt")) and value > 10**11:
        return datetime.fromtimestamp(value / 1000, UTC).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def _items(response: Any, attribute: str = "items") -> list[Row]:
    items = getattr(response, attribute, None)
    if items is None:
        return []
    return [as_row(item) if not isinstance(item, str) else {"value": item} for item in items]


async def _collect(iterator: Any) -> list[Row]:
    return [as_row(item) async for item in iterator]


# --- packages --------------------------------------------------------------------------------------

async def _list_packages(client: FoasClient, ctx: ResourceContext) -> list[Row]:
    return await _collect(client.iter_list_package(_need(ctx.project, "project"), page_size=50))


async def _package_detail(client: FoasClient, ctx: ResourceContext, row: Row) -> dict[str, Row | list[Row]]:
    project, name = _need(ctx.project, "project"), row["package_name"]
    detail = await client.get_package(project, name)
    refs = await _collect(client.iter_get_ref_package_job(project, name, page_size=50))
    jobs = [{"job_name": r.get("job_name"), "is_committed": r.get("is_committed"),
             "job_type": r.get("job_type"), "modify_time": r.get("modify_time")} for r in refs]
    return {"Package": as_row(getattr(detail, "package", None)), "Referencing jobs (online only)": jobs}


PACKAGE_TYPES = ("JAR", "DICTIONARY", "SCRIPT", "PYTHON")
_PKG_NAME = FieldSpec("package_name", "Package name", True, from_row="package_name")
_OSS = (
    FieldSpec("oss_bucket", "OSS bucket", True, help="exclusive clusters: only the OSS path matters"),
    FieldSpec("oss_endpoint", "OSS endpoint", True, help="e.g. oss-cn-hangzhou-internal.aliyuncs.com"),
    FieldSpec("oss_owner", "OSS owner (main account UID)", True),
    FieldSpec("oss_path", "OSS path", True, help="e.g. path1/path2/a.jar"),
)
PACKAGES = ResourceKind(
    "packages", "Packages", "project",
    (("package_name", "Name"), ("type", "Type"), ("origin_name", "Origin"), ("description", "Description"),
     ("modify_time", "Modified")),
    "package_name", _list_packages, _package_detail,
    (
        MutationSpec("CreatePackage", "Create package", "n", (
            FieldSpec("package_name", "Package name", True, help="e.g. package1.jar"),
            FieldSpec("type", "Type", True, "choice", PACKAGE_TYPES, "JAR, DICTIONARY (file), SCRIPT or PYTHON"),
            *_OSS,
            FieldSpec("origin_name", "Original name"), FieldSpec("description", "Description"),
            FieldSpec("md5", "MD5", help="optional; when given the download is verified"),
            FieldSpec("tag", "Tag", help='JSON text, e.g. {"function":"group by time"}'),
        ), precondition="Registers a file you already uploaded to your OSS (same region; foas needs read access "
                        "through the AliyunStreamDefaultRole RAM role). Not available on the shared cluster."),
        MutationSpec("UpdatePackage", "Update package", "u", (
            _PKG_NAME,
            FieldSpec("oss_bucket", "OSS bucket", from_row="oss_bucket"),
            FieldSpec("oss_endpoint", "OSS endpoint", from_row="oss_endpoint"),
            FieldSpec("oss_owner", "OSS owner", from_row="oss_owner"),
            FieldSpec("oss_path", "OSS path", from_row="oss_path"),
            FieldSpec("origin_name", "Original name", from_row="origin_name"),
            FieldSpec("description", "Description", from_row="description"),
            FieldSpec("md5", "MD5", from_row="md5"), FieldSpec("tag", "Tag", from_row="tag"),
        ), precondition="Only the fields you change are sent.", needs_row=True),
        MutationSpec("DeletePackage", "Delete package", "d", (_PKG_NAME,), destructive=True, needs_row=True,
                     precondition="A package referenced by an online (committed) job cannot be deleted: take those "
                                  "jobs offline or remove the package from them first. The console loses the "
                                  "package's information; the OSS file stays."),
    ),
)


# --- queues ----------------------------------------------------------------------------------------

async def _list_queues(client: FoasClient, ctx: ResourceContext) -> list[Row]:
    if ctx.cluster_id:
        return _items(await client.get_cluster_queue_info(ctx.cluster_id), "queues")
    return _items(await client.list_project_bind_queue_resource(_need(ctx.project, "project")), "queues")


async def _queue_detail(client: FoasClient, ctx: ResourceContext, row: Row) -> dict[str, Row | list[Row]]:
    detail: dict[str, Row | list[Row]] = {"Queue": row}
    cluster = row.get("cluster_id") or ctx.cluster_id
    if cluster:
        detail["Cluster resource"] = as_row(getattr(await client.get_cluster_resource(cluster), "resource", None))
    return detail


_QUEUE_FIELDS = (
    FieldSpec("cluster_id", "Cluster ID", True, from_row="cluster_id", from_context="cluster_id"),
    FieldSpec("queue_name", "Queue name", True, from_row="queue_name", help="first-level queues: root.<name>"),
)
_QUEUE_LIMITS = (
    FieldSpec("max_vcore", "Max vCores", True, "int", help="in 1/100 core: 100 vCores = 1 core (1 CU = 1 core + 4 GB)",
              from_row="max_vcore"),
    FieldSpec("max_mem_mb", "Max memory (MB)", True, "int", from_row="max_mem"),
    FieldSpec("gpu", "GPUs", kind="int", from_row="max_gpu"),
)
QUEUES = ResourceKind(
    "queues", "Queues", "project",
    (("cluster_id", "Cluster"), ("queue_name", "Queue"), ("used_vcore", "Used vCores"), ("max_vcore", "Max vCores"),
     ("used_mem", "Used MB"), ("max_mem", "Max MB"), ("used_gpu", "Used GPU"), ("max_gpu", "Max GPU")),
    "queue_name", _list_queues, _queue_detail,
    (
        MutationSpec("CreateQueue", "Create queue", "n", (_QUEUE_FIELDS[0], FieldSpec(
            "queue_name", "Queue name", True, help="first-level only, e.g. root.team1"), *_QUEUE_LIMITS),
            precondition="Exclusive clusters only. The queue takes its resources from the cluster as soon as it "
                         "exists; bind it to a project (b) so that jobs can use it."),
        MutationSpec("UpdateQueue", "Update queue limits", "u", (*_QUEUE_FIELDS, *_QUEUE_LIMITS), needs_row=True,
                     precondition="Send the complete new limits (max vCores and memory are both required)."),
        MutationSpec("DeleteQueue", "Delete queue", "d", _QUEUE_FIELDS, destructive=True, needs_row=True,
                     precondition="Exclusive clusters only. A queue bound to a project must be unbound first (U)."),
        MutationSpec("BindQueue", "Bind queue to project", "b", (
            FieldSpec("project_name", "Project", True, from_context="project"), *_QUEUE_FIELDS),
            precondition="One project binds one queue and a queue serves one project; only then can the "
                         "project's jobs run."),
        MutationSpec("UnbindQueue", "Unbind queue from project", "U", (
            FieldSpec("project_name", "Project", True, from_context="project"), *_QUEUE_FIELDS),
            destructive=True, needs_row=True,
            precondition="All jobs of the project must be offline first; the queue itself is kept."),
    ),
    note="Without a cluster in context, the queues bound to the project are listed.",
)


# --- clusters --------------------------------------------------------------------------------------

async def _list_clusters(client: FoasClient, ctx: ResourceContext) -> list[Row]:
    return await _collect(client.iter_list_cluster(page_size=50))


async def _cluster_detail(client: FoasClient, ctx: ResourceContext, row: Row) -> dict[str, Row | list[Row]]:
    cluster = row["cluster_id"]
    details = await client.get_cluster_details(cluster)
    resource = await client.get_cluster_resource(cluster)
    versions = await client.get_cluster_engine_versions(cluster)
    queues = await client.get_cluster_queue_info(cluster)
    return {
        "Cluster": as_row(getattr(details, "details", None)),
        "Resource": as_row(getattr(resource, "resource", None)),
        "Engine versions": _items(versions, "engine_versions"),
        "Queues": _items(queues, "queues"),
    }


_CLUSTER_ID = FieldSpec("cluster_id", "Cluster ID", True, from_row="cluster_id")
MACHINE_MODELS = ("Ecs_4c16g", "Ecs_8c32g", "Ecs_16c64g", "Ecs_24c96g", "Ecs_32c128g", "Ecs_56c224g", "Ecs_64c256g")
CLUSTERS = ResourceKind(
    "clusters", "Clusters", "none",
    (("cluster_id", "Cluster"), ("display_name", "Name"), ("state", "State"), ("region_id", "Region"),
     ("zone_id", "Zone"), ("gmt_modified", "Modified")),
    "cluster_id", _list_clusters, _cluster_detail,
    (
        MutationSpec("ExpandCluster", "Expand (add slaves)", "e", (
            _CLUSTER_ID,
            FieldSpec("count", "Machines after the scale-out", kind="int", help="a total, not an increment"),
            FieldSpec("model", "Model", kind="choice", choices=MACHINE_MODELS, help="same model as the slaves"),
            FieldSpec("user_v_switch", "vSwitch", help="only when the scale-out reports a full vSwitch")),
            needs_row=True, precondition="Pay-as-you-go exclusive clusters only; billable. Asynchronous: the cluster "
                                         "shows EXPANDING until done."),
        MutationSpec("ShrinkCluster", "Shrink (remove slaves)", "s", (
            _CLUSTER_ID, FieldSpec("instance_ids", "Slave instance IDs", True, help="comma-separated; see details"),
            FieldSpec("model_target_count", "Model target count", help='JSON, e.g. {"Ecs_4c16g":2}')),
            destructive=True, needs_row=True,
            precondition="Pay-as-you-go exclusive clusters only. Jobs on the removed machines fail over. "
                         "Asynchronous: the cluster shows REDUCING until done."),
        MutationSpec("ModifyMasterSpec", "Change master model", "m", (
            _CLUSTER_ID, FieldSpec("master_target_model", "Target master model", True, "choice", MACHINE_MODELS)),
            destructive=True, needs_row=True,
            precondition="Pay-as-you-go exclusive clusters only; the number of masters cannot change. Asynchronous: "
                         "UPGRADING until done."),
        MutationSpec("DestroyCluster", "Destroy cluster", "d", (_CLUSTER_ID,), destructive=True, needs_row=True,
                     confirm_text="cluster_id",
                     precondition="Pay-as-you-go clusters only. Releases the cluster and everything on it; this "
                                  "cannot be undone."),
        MutationSpec("CreateCluster", "Create cluster", "n", (
            FieldSpec("display_name", "Name", True), FieldSpec("description", "Description", True),
            FieldSpec("order_id", "Order (instance) ID", True, help="from the exclusive-mode purchase"),
            FieldSpec("zone_id", "Zone", True, help="e.g. cn-shanghai-f"),
            FieldSpec("user_vpc_id", "VPC ID", True, help="the VPC of your sources and sinks"),
            FieldSpec("user_v_switch", "vSwitch ID", True), FieldSpec("user_oss_bucket", "OSS bucket", True)),
            precondition="Exclusive mode, after the purchase order. Asynchronous: STARTING until ready."),
        MutationSpec("CreateCellClusterOrder", "Buy exclusive cluster", "B", (
            FieldSpec("region", "Region", True), FieldSpec("pay_model", "Billing", True, "choice", ("pre", "post"),
                                                           "pre = subscription, post = pay-as-you-go"),
            FieldSpec("master_num", "Masters (1 or 3)", True, "int"),
            FieldSpec("master_spec", "Master model", True, "choice", MACHINE_MODELS),
            FieldSpec("slave_num", "Slaves (at least 2)", True, "int"),
            FieldSpec("slave_spec", "Slave model", True, "choice", MACHINE_MODELS),
            FieldSpec("period", "Months (subscription, at most 12)", kind="int")),
            destructive=True, precondition="Places a billable purchase order."),
    ),
)


# --- projects --------------------------------------------------------------------------------------

async def _list_projects(client: FoasClient, ctx: ResourceContext) -> list[Row]:
    return await _collect(client.iter_list_project(page_size=50))


async def _project_detail(client: FoasClient, ctx: ResourceContext, row: Row) -> dict[str, Row | list[Row]]:
    name = row["name"]
    project = as_row(getattr(await client.get_project(name), "project", None))
    queues = _items(await client.list_project_bind_queue(name), "queues")
    return {"Project": project, "Bound queues": queues}


_PROJECT = FieldSpec("project_name", "Project", True, from_row="name")
PROJECTS = ResourceKind(
    "projects", "Projects", "none",
    (("name", "Name"), ("deploy_type", "Deploy"), ("cluster_id", "Cluster"), ("state", "State"),
     ("region", "Region"), ("description", "Description")),
    "name", _list_projects, _project_detail,
    (
        MutationSpec("CreateProject", "Create project", "n", (
            FieldSpec("name", "Name", True), FieldSpec("deploy_type", "Deploy type", True, "choice", ("cell", "public"),
                                                        "cell = exclusive cluster, public = shared cluster"),
            FieldSpec("cluster_id", "Cluster ID", help="exclusive (cell) only", from_context="cluster_id"),
            FieldSpec("order_id", "Order ID", help="shared (public) only"),
            FieldSpec("manager_ids", "Administrator account IDs", help="comma-separated"),
            FieldSpec("description", "Description")),
            precondition="Not possible with a RAM sub-account's AccessKey. On an exclusive cluster, bind a queue to "
                         "the new project before its jobs can run."),
        MutationSpec("UpdateProject", "Edit project job config", "u", (
            _PROJECT, FieldSpec("global_job_config", "Global job config", kind="multiline",
                                from_row="global_job_config", help="key=value lines applied to every job")),
            needs_row=True, precondition="Changes the project-level job configuration of every job in it."),
        MutationSpec("UpdateProjectConfig", "Batch SQL switch", "c", (
            _PROJECT, FieldSpec("is_open_batch_sql", "Enable batch SQL", True, "bool")), needs_row=True,
            precondition="An SDK-only call that the reference does not document."),
        MutationSpec("DeleteProject", "Delete project", "d", (_PROJECT,), destructive=True, needs_row=True,
                     confirm_text="project_name",
                     precondition="Exclusive mode only. All jobs of the project must be offline. Its queue is "
                                  "unbound (not deleted): bind it to another project so it is not wasted."),
    ),
)


# --- tags ------------------------------------------------------------------------------------------

async def _list_tags(client: FoasClient, ctx: ResourceContext) -> list[Row]:
    return await _collect(client.iter_list_tag_resources())


async def _tag_detail(client: FoasClient, ctx: ResourceContext, row: Row) -> dict[str, Row | list[Row]]:
    return {"Tag": row}


TAGS = ResourceKind(
    "tags", "Tags", "none",
    (("resource_type", "Type"), ("resource_id", "Resource"), ("tag_key", "Key"), ("tag_value", "Value")),
    "resource_id", _list_tags, _tag_detail,
    (
        MutationSpec("TagResources", "Tag resources", "n", (
            FieldSpec("resource_type", "Resource type", help="e.g. cluster"),
            FieldSpec("resource_ids", "Resource IDs", True, from_row="resource_id"),
            FieldSpec("tags", "Tags", True, help='JSON, e.g. [{"Key":"team","Value":"rt"}]')),
            precondition="SDK-only call; the formats of resource IDs and tags are not documented."),
        MutationSpec("UntagResources", "Untag resources", "d", (
            FieldSpec("resource_type", "Resource type", from_row="resource_type"),
            FieldSpec("resource_ids", "Resource IDs", True, from_row="resource_id"),
            FieldSpec("tag_keys", "Tag keys", from_row="tag_key"),
            FieldSpec("all", "All tags", kind="bool")), destructive=True, needs_row=True,
            precondition="SDK-only call; removes the named tags (or all tags) from the resources."),
    ),
)

RESOURCE_KINDS: dict[str, ResourceKind] = {k.name: k for k in (PACKAGES, QUEUES, CLUSTERS, PROJECTS, TAGS)}


# --- running a mutation ----------------------------------------------------------------------------

def prefill(spec: MutationSpec, ctx: ResourceContext, row: Row | None) -> dict[str, str]:
    values: dict[str, str] = {}
    for f in spec.fields:
        value: Any = None
        if row is not None and f.from_row:
            value = row.get(f.from_row)
        if value in (None, "") and f.from_context:
            value = getattr(ctx, f.from_context)
        values[f.name] = "" if value is None else cell(value) if not isinstance(value, str) else value
    return values


def collect(spec: MutationSpec, raw: dict[str, str]) -> tuple[dict[str, Any], list[str]]:
    """Typed keyword arguments from the form's text, and every validation error."""
    kwargs: dict[str, Any] = {}
    problems: list[str] = []
    for f in spec.fields:
        value, error = f.convert(raw.get(f.name, ""))
        if error:
            problems.append(error)
        elif value is not None:
            kwargs[f.name] = value
    return kwargs, problems


def with_context(spec: MutationSpec, kwargs: dict[str, Any], ctx: ResourceContext) -> dict[str, Any]:
    """Add the project/cluster the operation needs from the context when the form does not ask for it."""
    from foas_tui.api.operations import OPERATIONS

    out = dict(kwargs)
    for param in OPERATIONS[spec.operation].params:
        if param.py_name == "project_name" and "project_name" not in out and ctx.project:
            out["project_name"] = ctx.project
        if param.py_name == "cluster_id" and "cluster_id" not in out and ctx.cluster_id:
            out["cluster_id"] = ctx.cluster_id
    return out


async def run_mutation(client: FoasClient, spec: MutationSpec, kwargs: dict[str, Any]) -> Any:
    """Call the operation by name (the client refuses it in read-only mode before any I/O)."""
    return await client.call(spec.operation, **kwargs)


def _need(value: str | None, what: str) -> str:
    if not value:
        raise ValueError(f"select a {what} first (in the tree)")
    return value
