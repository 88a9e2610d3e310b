"""The emulator verifies the ROA signature like the service: every SDK wire vector passes, every fault is named."""

from __future__ import annotations

import json
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from test_emulator_service import T0, Api

from foas_tui.api.signing import Credentials, RoaSigner, rfc2616_date
from foas_tui.emulator import (
    DEMO_ACCESS_KEY_ID,
    DEMO_ACCESS_KEY_SECRET,
    EmulatorConfig,
    FakeClock,
    StsToken,
    create_app,
)
from foas_tui.emulator.auth import (
    MAX_SKEW_S,
    AuthFailure,
    RequestView,
    Verifier,
    canonical_acs_headers,
    expected_signature,
    parse_query,
    server_resource,
)

VECTORS = json.loads((Path(__file__).parent / "data" / "wire_vectors.json").read_text())["vectors"]
STS_ID, STS_SECRET, STS_TOKEN = "STS.NUemulatortemp0001", "sts-secret", "CAIS+emulator/token=="


def _view(vector: dict) -> RequestView:
    expected = vector["expected"]
    url = urlsplit(expected["url"])
    from urllib.parse import unquote

    headers = {k.lower(): v for k, v in expected["headers"]}
    body = expected["body"].encode() if expected["body"] is not None else b""
    return RequestView(vector["input"]["method"], unquote(url.path), url.query, headers, body)


@pytest.mark.parametrize("vector", VECTORS, ids=lambda v: v["name"])
def test_every_sdk_wire_vector_verifies(vector: dict) -> None:
    cred = vector["input"]["credential"]
    when = parsedate_to_datetime(vector["input"]["date"]).timestamp()
    tokens = {cred["security_token"]: StsToken(cred["access_key_id"])} if cred.get("security_token") else {}
    verifier = Verifier({cred["access_key_id"]: cred["access_key_secret"]}, tokens, FakeClock(when))
    view = _view(vector)
    assert verifier.server_string_to_sign(view) == vector["expected"]["string_to_sign"]
    assert verifier.verify(view) == cred["access_key_id"]


def test_a_vector_with_another_secret_fails_and_echoes_the_string_to_sign() -> None:
    vector = VECTORS[2]
    when = parsedate_to_datetime(vector["input"]["date"]).timestamp()
    verifier = Verifier({"testid": "not-the-secret"}, clock=FakeClock(when))
    with pytest.raises(AuthFailure) as info:
        verifier.verify(_view(vector))
    assert (info.value.status, info.value.code) == (400, "SignatureDoesNotMatch")
    assert info.value.message.split("server string to sign is:", 1)[1] == vector["expected"]["string_to_sign"]


def _part_changes(view: RequestView) -> dict[str, RequestView]:
    """The same request with one signed part changed each time."""
    def with_header(name: str, value: str) -> RequestView:
        return RequestView(view.method, view.path, view.query_string, {**view.headers, name: value}, view.body)

    changes = {
        "method": RequestView("PATCH", view.path, view.query_string, view.headers, view.body),
        "path": RequestView(view.method, view.path + "x", view.query_string, view.headers, view.body),
        "query": RequestView(view.method, view.path, view.query_string + "&extra=1", view.headers, view.body),
        "accept": with_header("accept", "application/xml"),
        "content-type": with_header("content-type", "text/plain"),
        "date": with_header("date", view.headers["date"].replace(":20 GMT", ":21 GMT")),
        "new x-acs header": with_header("x-acs-extra", "1"),
    }
    for name, value in view.headers.items():
        if name.startswith("x-acs-"):
            changes[name] = with_header(name, value + " ")  # values are signed verbatim, not trimmed
    if view.headers.get("content-md5"):
        changes["content-md5"] = with_header("content-md5", "")
    return changes


@pytest.mark.parametrize("name", ["post_form_body", "get_many_query_special_chars", "sts_post_json"])
def test_every_signed_part_counts(name: str) -> None:
    """The verifier's own string-to-sign covers each part the SDK signs: changing any one of them fails."""
    vector = next(v for v in VECTORS if v["name"] == name)
    cred = vector["input"]["credential"]
    when = parsedate_to_datetime(vector["input"]["date"]).timestamp()
    tokens = {cred["security_token"]: StsToken(cred["access_key_id"])} if cred.get("security_token") else {}
    verifier = Verifier({cred["access_key_id"]: cred["access_key_secret"]}, tokens, FakeClock(when))
    view = _view(vector)
    assert verifier.verify(view) == cred["access_key_id"]
    for part, changed in _part_changes(view).items():
        with pytest.raises(AuthFailure) as info:
            verifier.verify(changed)
        assert info.value.code in ("SignatureDoesNotMatch", "InvalidSecurityToken.Malformed"), part


def test_the_verifier_rebuilds_each_piece_from_the_wire() -> None:
    """Canonical resource and x-acs lines of the SDK vector get_many_query_special_chars (common.md 9.4)."""
    vector = next(v for v in VECTORS if v["name"] == "get_many_query_special_chars")
    view = _view(vector)
    resource = server_resource(view.path, parse_query(view.query_string))
    assert vector["expected"]["string_to_sign"].endswith("\n" + resource)
    assert resource.startswith("/api/v2/projects/project1/jobs?RegionId=cn-hangzhou&")  # 'R' sorts before 'i'
    assert "jobName=作业 a,b/c+d*e~f&" in resource  # values raw, not URL-encoded
    assert canonical_acs_headers({"X-Acs-B": " v ", "x-acs-a": "1", "Accept": "x"}) == "x-acs-a:1\nx-acs-b: v \n"
    assert expected_signature("testsecret", vector["expected"]["string_to_sign"]) == vector["expected"]["signature"]


# --- over the app ---------------------------------------------------------------------------------


@pytest.fixture
def emulator():
    return create_app(EmulatorConfig(jobs=8, clock=FakeClock(T0), access_keys={
        DEMO_ACCESS_KEY_ID: DEMO_ACCESS_KEY_SECRET, STS_ID: STS_SECRET},
        sts_tokens={STS_TOKEN: StsToken(STS_ID), "CAIS+expired": StsToken(STS_ID, expires_at=1.0)}))


def _api(emulator, key_id: str = DEMO_ACCESS_KEY_ID, secret: str = DEMO_ACCESS_KEY_SECRET,
         token: str | None = None, clock=rfc2616_date) -> Api:
    api = Api(httpx.ASGITransport(app=emulator), credentials=Credentials(key_id, secret, token))
    api.signer = RoaSigner(Credentials(key_id, secret, token), clock=clock)
    return api


async def _call(api: Api, op: str = "ListProject", **params: str) -> tuple[int, dict]:
    try:
        return await api(op, **params)
    finally:
        await api.aclose()


async def test_correct_signature_is_accepted(emulator) -> None:
    status, body = await _call(_api(emulator))
    assert status == 200 and body["Projects"]["Project"]


async def test_wrong_secret(emulator) -> None:
    api = _api(emulator, secret="wrong-secret")
    request = api.request("GetProject", {"projectName": "realtime_dw"})
    client_sts = api.signer.last_string_to_sign
    response = await api.send(request)
    await api.aclose()
    body = response.json()
    assert (response.status_code, body["Code"]) == (400, "SignatureDoesNotMatch")
    server_sts = body["Message"].split("server string to sign is:", 1)[1]
    assert server_sts == client_sts  # same string, different key: the secret is wrong
    assert set(body) == {"RequestId", "HostId", "Code", "Message", "Recommend"}


async def test_missing_authorization(emulator) -> None:
    api = _api(emulator)
    request = api.request("ListProject", {})
    del request.headers["authorization"]
    response = await api.send(request)
    await api.aclose()
    assert (response.status_code, response.json()["Code"]) == (400, "SignatureDoesNotMatch")
    assert "Authorization" in response.json()["Message"]


async def test_unknown_access_key(emulator) -> None:
    status, body = await _call(_api(emulator, key_id="LTAInotakeyweknow", secret="x"))
    assert (status, body["Code"]) == (404, "InvalidAccessKeyId.NotFound")


@pytest.mark.parametrize("offset", [-MAX_SKEW_S - 60, MAX_SKEW_S + 60])
async def test_date_skewed_more_than_15_minutes(emulator, offset: float) -> None:
    import time

    status, body = await _call(_api(emulator, clock=lambda: rfc2616_date(time.time() + offset)))
    assert (status, body["Code"]) == (400, "InvalidTimeStamp.Expired")


async def test_date_skew_within_15_minutes_is_fine(emulator) -> None:
    import time

    status, _ = await _call(_api(emulator, clock=lambda: rfc2616_date(time.time() - MAX_SKEW_S + 60)))
    assert status == 200


async def test_unparseable_date(emulator) -> None:
    status, body = await _call(_api(emulator, clock=lambda: "yesterday"))
    assert (status, body["Code"]) == (400, "InvalidTimeStamp.Format")


async def test_tampered_query_fails(emulator) -> None:
    api = _api(emulator)
    request = api.request("ListJob", {"projectName": "realtime_dw", "pageSize": "5"})
    tampered = httpx.Request(request.method, str(request.url).replace("pageSize=5", "pageSize=50"),
                             headers=request.headers)
    response = await api.send(tampered)
    await api.aclose()
    assert (response.status_code, response.json()["Code"]) == (400, "SignatureDoesNotMatch")


async def test_tampered_body_fails_the_md5_check(emulator) -> None:
    api = _api(emulator)
    request = api.request("CreateFolder", {"projectName": "realtime_dw", "path": "/a"})
    tampered = httpx.Request(request.method, request.url, headers=request.headers, content=b"path=%2Fb")
    response = await api.send(tampered)
    await api.aclose()
    assert (response.status_code, response.json()["Code"]) == (400, "InvalidContentMD5")


async def test_special_characters_in_query_and_path_verify(emulator) -> None:
    api = _api(emulator)
    body = await api.ok("ListJob", projectName="realtime_dw", jobName="作业 a,b/c+d*e~f%20&=x")
    assert body["TotalCount"] == 0
    status, body = await api("GetPackage", projectName="realtime_dw", packageName="my pkg 包(1)+[x].jar")
    await api.aclose()
    assert (status, body["Code"]) == (404, "PackageNotFound")


async def test_nonce_replay_is_rejected_within_15_minutes() -> None:
    auth_clock = FakeClock(T0)
    emulator = create_app(EmulatorConfig(jobs=8, auth_clock=auth_clock))
    api = _api(emulator, clock=lambda: rfc2616_date(auth_clock.now()))

    async def with_nonce(nonce: str) -> tuple[int, dict]:
        request = api.request("ListProject", {})
        request.headers["x-acs-signature-nonce"] = nonce
        api.signer.sign(request)  # the nonce is an x-acs- header, so it is signed
        response = await api.send(request)
        return response.status_code, response.json()

    assert (await with_nonce("n-1"))[0] == 200
    status, body = await with_nonce("n-1")
    assert (status, body["Code"]) == (400, "SignatureNonceUsed")
    assert (await with_nonce("n-2"))[0] == 200
    auth_clock.advance(15 * 60 + 1)
    assert (await with_nonce("n-1"))[0] == 200
    await api.aclose()


async def test_sts_token_accepted(emulator) -> None:
    status, _ = await _call(_api(emulator, STS_ID, STS_SECRET, STS_TOKEN))
    assert status == 200


@pytest.mark.parametrize(("token", "status", "code"), [
    (None, 400, "InvalidSecurityToken.Missing"),
    ("CAIS+garbage", 400, "InvalidSecurityToken.Malformed"),
    ("CAIS+expired", 403, "InvalidSecurityToken.Expired"),
])
async def test_bad_sts_token(emulator, token: str | None, status: int, code: str) -> None:
    got_status, body = await _call(_api(emulator, STS_ID, STS_SECRET, token))
    assert (got_status, body["Code"]) == (status, code)


async def test_sts_token_of_another_key(emulator) -> None:
    status, body = await _call(_api(emulator, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, STS_TOKEN))
    assert (status, body["Code"]) == (400, "InvalidSecurityToken.MismatchWithAccessKey")


async def test_faults_do_not_bypass_auth(emulator) -> None:
    emulator.faults.set(latency_ms=1)
    status, body = await _call(_api(emulator, secret="nope"))
    assert (status, body["Code"]) == (400, "SignatureDoesNotMatch")
