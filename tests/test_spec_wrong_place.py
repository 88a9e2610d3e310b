"""A required parameter in the wrong place (query instead of body, or body instead of query) is not seen.

The real service reads each parameter from its own place; so does the emulator now. Each case sends, with
the unmodified official SDK, the request that succeeds in tests/test_emulator_sdk.py, with one required
parameter moved to the other place, and expects `MissingParameter` naming it. Which parameters are
required, and where they belong, comes from the spec facts (tests/data/operations.json).
"""

from __future__ import annotations

from typing import Any

import pytest
from test_emulator_sdk import call, client, sdk_request, server, world  # noqa: F401 - fixtures
from test_emulator_service import CASES, SPECS, World, make_world

from foas_tui.emulator.server import ServerThread

aliyunsdkcore = pytest.importorskip("aliyunsdkcore")
from aliyunsdkcore.acs_exception.exceptions import ServerException  # noqa: E402
from aliyunsdkcore.client import AcsClient  # noqa: E402

# Required in the parameter tables, yet the seed's own demo leaves them out (CreateJob picks a cluster,
# queue and engine version; exclusive-cluster CreatePackage needs only ossPath) - the spec notes of both
# operations. The emulator accepts their absence, so moving them cannot be told from leaving them out.
OPTIONAL_BY_THE_DEMO = {("CreateJob", n) for n in ("planJson", "clusterId", "queueName", "engineVersion")} | {
    ("CreatePackage", n) for n in ("ossBucket", "ossEndpoint", "ossOwner")}

MOVABLE = [
    (spec["operation"], p["name"])
    for spec in SPECS.values()
    for p in spec["params"]
    if p["required"] and p["in"] in ("query", "body")
]
CHECKED = [case for case in MOVABLE if case not in OPTIONAL_BY_THE_DEMO]


def test_what_is_checked() -> None:
    # 25 operations have a required query/body parameter: 56 parameters, 7 of them optional by the demo.
    assert (len({op for op, _ in MOVABLE}), len(MOVABLE), len(CHECKED)) == (25, 56, 49)


@pytest.mark.parametrize(("op", "name"), CHECKED, ids=[f"{op}.{name}" for op, name in CHECKED])
def test_a_required_parameter_in_the_wrong_place_is_missing(
    server: tuple[ServerThread, Any], world: World, client: AcsClient, op: str, name: str,  # noqa: F811
) -> None:
    params = CASES[op](world)
    assert name in params, f"the {op} case must fill {name}"
    with pytest.raises(ServerException) as info:
        call(client, sdk_request(op, params, server[0], moved=(name,)))
    err = info.value
    assert (err.get_http_status(), err.get_error_code()) == (400, "MissingParameter")
    assert f"'{name}'" in err.get_error_msg()
    assert world.emulator.calls.get(op, 0) == 1  # routed and refused, not a 404/405


def test_the_same_request_in_the_right_place_succeeds(
    server: tuple[ServerThread, Any], world: World, client: AcsClient,  # noqa: F811
) -> None:
    params = CASES["BatchGetInstanceRunSummary"](world)
    body = call(client, sdk_request("BatchGetInstanceRunSummary", params, server[0]))
    assert [s["JobName"] for s in body["RunSummarys"]["RunSummary"]] == [world.running]


def test_an_optional_parameter_in_the_wrong_place_is_ignored(
    server: tuple[ServerThread, Any], world: World, client: AcsClient,  # noqa: F811
) -> None:
    params = {"projectName": world.project, "pageSize": "3", "pageIndex": "2"}
    body = call(client, sdk_request("ListJob", params, server[0], moved=("pageSize",)))
    assert (body["PageIndex"], body["PageSize"]) == (2, 10)  # the default page size: pageSize was not seen


async def test_the_error_body_is_the_documented_one() -> None:
    """common.md 5.1: RequestId, HostId, Code, Message, Recommend (error-center link with the code)."""
    here = make_world()
    params = CASES["BatchGetInstanceRunSummary"](here)
    response = await here.api.send(here.api.request("BatchGetInstanceRunSummary", params, moved=("jobNames",)))
    await here.api.aclose()
    body = response.json()
    assert response.status_code == 400  # the seed gives no status for this code, only "4xx" (common.md 5)
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}
    assert body["Code"] == "MissingParameter" and "'jobNames'" in body["Message"]
    assert body["Recommend"] == "https://error-center.aliyun.com/status/search?Keyword=MissingParameter&source=PopGw"
    assert response.headers["x-acs-request-id"] == body["RequestId"]
