"""Project operations and the SDK-only tag operations."""

from __future__ import annotations

import re
from typing import Any

from foas_tui.emulator.handlers.core import Call, handler, missing, paged
from foas_tui.emulator.handlers.render import _upper, render_project
from foas_tui.emulator.store import (
    Project,
    Tag,
    bad_request,
    conflict,
    not_found,
)

# --- projects -------------------------------------------------------------------------------------


@handler("CreateProject")
def create_project(call: Call) -> dict[str, Any]:
    store = call.store
    name = call.req("name")
    if not re.fullmatch(r"[A-Za-z0-9_\-]{1,64}", name):
        raise bad_request(f"The project name {name!r} may contain letters, digits, '_' and '-' only.",
                          "InvalidParameter.Name")
    if name in store.projects:
        raise conflict("ProjectAlreadyExists", f"The project {name!r} already exists.")
    deploy = call.req("deployType").upper()
    if deploy not in ("CELL", "PUBLIC"):
        raise bad_request(f"deployType must be 'cell' or 'public', not {call.text('deployType')!r}.",
                          "InvalidParameter.DeployType")
    cluster_id = call.text("clusterId") or ""
    if deploy == "CELL":
        if not cluster_id:
            raise missing("clusterId")
        store.cluster(cluster_id)
    elif not call.has("orderId"):
        raise missing("orderId")
    project = Project(
        name=name, project_id=store.random_id(), deploy_type=deploy, cluster_id=cluster_id,
        region=store.region_id, description=call.text("description", ""),  # type: ignore[arg-type]
        manager_ids=call.text("managerIds") or "", create_ms=call.now, modify_ms=call.now,
    )
    store.projects[name] = project
    store.add_folder(project, "/")
    return {}


@handler("DeleteProject")
def delete_project(call: Call) -> dict[str, Any]:
    call.store.delete_project(call.req("projectName"))
    return {}


@handler("GetProject")
def get_project(call: Call) -> dict[str, Any]:
    return {"Project": render_project(call.store.project(call.req("projectName")), global_config=True)}


@handler("ListProject")
def list_project(call: Call) -> dict[str, Any]:
    name = (call.text("name") or "").lower()
    deploy, cid, region = _upper(call.text("deployType")), call.text("clusterId") or None, call.text("region") or None
    projects = [p for p in call.store.projects.values()
                if name in p.name.lower() and (not deploy or p.deploy_type == deploy)
                and (not cid or p.cluster_id == cid) and (not region or p.region == region)]
    return paged(call, projects, render_project, "Projects", "Project")


@handler("UpdateProject")
def update_project(call: Call) -> dict[str, Any]:
    project = call.store.project(call.req("projectName"))
    if call.params.get("globalJobConfig") is not None:
        project.global_job_config = call.text("globalJobConfig") or ""
    project.modify_ms = call.now
    return {}


@handler("UpdateProjectConfig")
def update_project_config(call: Call) -> dict[str, Any]:
    project = call.store.project(call.req("ProjectName"))
    value = call.boolean("IsOpenBatchSQL")
    if value is not None:
        project.open_batch_sql = value
    return {"Data": True}


# --- tags (SDK-only operations) -------------------------------------------------------------------


def _list_param(call: Call, name: str) -> list[str]:
    """A list passed as one string: JSON array text or a comma-separated list."""
    text = call.text(name)
    if not text:
        return []
    if text.lstrip().startswith("["):
        value = call.json_value(name, list)
        return [str(v) for v in value]
    return [v.strip() for v in text.split(",") if v.strip()]


def _tags_param(call: Call) -> list[tuple[str, str]]:
    """Tags as JSON: [{"key": k, "value": v}] (Key/Value accepted too) or {"k": "v"}."""
    text = call.text("Tags")
    if not text:
        return []
    value = call.json_value("Tags", (list, dict))
    if isinstance(value, dict):
        return [(str(k), str(v)) for k, v in value.items()]
    pairs = []
    for item in value:
        if not isinstance(item, dict):
            raise bad_request("Tags must be a JSON list of {\"key\": ..., \"value\": ...}.", "InvalidParameter.Tags")
        key = item.get("key", item.get("Key"))
        if not key:
            raise bad_request("Every tag needs a key.", "InvalidParameter.Tags")
        pairs.append((str(key), str(item.get("value", item.get("Value", "")))))
    return pairs


def _tag_envelope(data: Any) -> dict[str, Any]:
    return {"Success": True, "HttpStatusCode": 200, "Code": "200", "Message": "success", "Data": data}


@handler("ListTagResources")
def list_tag_resources(call: Call) -> dict[str, Any]:
    rtype = call.text("ResourceType") or None
    ids = set(_list_param(call, "ResourceIds"))
    wanted = _tags_param(call)
    rows = [t for t in call.store.tags
            if (not rtype or t.resource_type.lower() == rtype.lower()) and (not ids or t.resource_id in ids)
            and (not wanted or (t.key, t.value) in wanted)]
    token = call.text("NextToken") or "0"
    if not token.isdigit():
        raise bad_request("NextToken is not a token returned by ListTagResources.", "InvalidParameter.NextToken")
    start, size = int(token), 20
    page = rows[start:start + size]
    next_token = str(start + size) if start + size < len(rows) else ""
    return _tag_envelope({"NextToken": next_token, "TagResources": [
        {"ResourceId": t.resource_id, "ResourceType": t.resource_type, "TagKey": t.key, "TagValue": t.value}
        for t in page]})


def _check_tag_resources(call: Call, rtype: str, ids: list[str]) -> None:
    if rtype.lower() in ("cluster", "aliyun::foas::cluster"):
        for rid in ids:
            if rid not in call.store.clusters:
                raise not_found("ClusterNotFound", f"The cluster {rid!r} does not exist.")


@handler("TagResources")
def tag_resources(call: Call) -> dict[str, Any]:
    rtype = call.text("ResourceType") or "cluster"
    ids = _list_param(call, "ResourceIds")
    tags = _tags_param(call)
    if not ids:
        raise missing("ResourceIds")
    if not tags:
        raise missing("Tags")
    _check_tag_resources(call, rtype, ids)
    store = call.store
    for rid in ids:
        for key, value in tags:
            store.tags = [t for t in store.tags if not (t.resource_id == rid and t.key == key)]
            store.tags.append(Tag(rtype, rid, key, value))
    return _tag_envelope(True)


@handler("UntagResources")
def untag_resources(call: Call) -> dict[str, Any]:
    ids = set(_list_param(call, "ResourceIds"))
    if not ids:
        raise missing("ResourceIds")
    remove_all = call.boolean("All", False)
    keys = set(_list_param(call, "TagKeys"))
    if not remove_all and not keys:
        raise missing("TagKeys")
    rtype = call.text("ResourceType") or None
    call.store.tags = [t for t in call.store.tags
                       if not (t.resource_id in ids and (not rtype or t.resource_type.lower() == rtype.lower())
                               and (remove_all or t.key in keys))]
    return _tag_envelope(True)



