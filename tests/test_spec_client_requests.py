"""What FoasClient puts on the wire, per operation, checked against the spec - without the emulator.

Every operation is called once with every documented parameter filled; the request is captured
(httpx.MockTransport) and compared with the spec facts in tests/data/operations.json (method, path, which
parameter goes in the path, the query or the body) and with the SDK's wire rules of common.md 9.6-9.8:
raw path values percent-encoded like requote_uri, query and form body `quote_plus`-encoded, RegionId in
the query and in x-acs-region-id, Content-MD5 over the exact body bytes. The signature is checked with the
emulator's verifier, which shares no code with the client's signer. Nothing here reads operations.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

import httpx
import pytest

from foas_tui.api.client import FoasClient
from foas_tui.api.signing import Credentials
from foas_tui.emulator import FakeClock
from foas_tui.emulator.auth import RequestView, Verifier

SPECS = {op["operation"]: op for op in json.loads((Path(__file__).parent / "data" / "operations.json").read_text())}
REGION, KEY_ID, SECRET = "cn-shanghai", "LTAItestkeyid0001", "test-secret"
DATE = "Tue, 14 Nov 2023 22:13:20 GMT"
REPEATED = re.compile(r"^(?P<head>\w+)\.N\.(?P<field>\w+)$")  # suspendPeriodParam.N.plan


def snake(name: str) -> str:
    """The keyword a Python caller uses for a spec name (maxCU -> max_cu, IsOpenBatchSQL -> is_open_batch_sql)."""
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def value_for(param: dict[str, Any]) -> tuple[Any, str | None]:
    """(argument for the client, the text expected on the wire; None = a JSON document, compared decoded)."""
    kind, name = param["type"], param["name"]
    if kind in ("Integer", "Long"):
        return 7, "7"
    if kind == "Float":
        return 1.5, "1.5"
    if kind == "Boolean":
        return True, "true"  # the seed's spelling (the Java SDK's); the Python SDK would send True
    if kind == "Json":
        return {"k": "v 1"}, None
    if param["in"] == "path":
        return f"{name}-值 x", f"{name}-值 x"  # a path value must not contain '/'
    text = f"{name} 值/a+b,c*~"  # everything quote_plus encodes
    return text, text


def arguments(op: str) -> tuple[dict[str, Any], dict[str, dict[str, str | None]]]:
    """Keyword arguments for FoasClient.call and, per location, the expected wire values."""
    kwargs: dict[str, Any] = {}
    expected: dict[str, dict[str, str | None]] = {"path": {}, "query": {}, "body": {}}
    repeated: dict[str, dict[str, str]] = {}
    for param in SPECS[op]["params"]:
        if param["name"] == "RegionId":
            continue
        match = REPEATED.match(param["name"])
        if match:
            field = match["field"]
            repeated.setdefault(match["head"], {})[field] = f"{field}-1"
            expected[param["in"]][f"{match['head']}.1.{field}"] = f"{field}-1"
            continue
        arg, wire = value_for(param)
        kwargs[snake(param["name"])] = arg
        expected[param["in"]][param["name"]] = wire
    for head, fields in repeated.items():
        kwargs[snake(head)] = [fields]
    return kwargs, expected


async def capture(op: str, body_format: str = "form") -> tuple[httpx.Request, Any, dict]:
    kwargs, expected = arguments(op)
    seen: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"RequestId": "REQ-1"})

    client = FoasClient(Credentials(KEY_ID, SECRET), region_id=REGION, transport=httpx.MockTransport(answer),
                        retries=0, body_format=body_format, clock=lambda: DATE)
    async with client:
        response = await client.call(op, **kwargs)
    assert len(seen) == 1
    return seen[0], response, expected


def check_values(where: str, got: dict[str, str], want: dict[str, str | None]) -> None:
    assert set(got) == set(want), f"{where}: sent {sorted(got)}, the spec puts {sorted(want)} here"
    for name, text in want.items():
        if text is None:
            assert json.loads(got[name]) == {"k": "v 1"}, (where, name, got[name])
        else:
            assert got[name] == text, (where, name, got[name])


def verify_signature(request: httpx.Request) -> None:
    view = RequestView(request.method, unquote(request.url.raw_path.decode().split("?")[0]),
                       request.url.query.decode(), {k.lower(): v for k, v in request.headers.items()},
                       request.content)
    verifier = Verifier({KEY_ID: SECRET}, clock=FakeClock(parsedate_to_datetime(DATE).timestamp()))
    assert verifier.verify(view) == KEY_ID


@pytest.mark.parametrize("op", sorted(SPECS))
async def test_client_request_matches_the_spec(op: str) -> None:
    spec = SPECS[op]
    request, response, expected = await capture(op)
    assert response.request_id == "REQ-1"
    assert request.method == spec["method"]
    assert (request.url.scheme, request.url.host) == ("https", f"foas.{REGION}.aliyuncs.com")

    raw_path, _, raw_query = request.url.raw_path.decode("ascii").partition("?")
    path = spec["path"]
    for name, value in expected["path"].items():
        path = path.replace(f"[{name}]", value or "")
    assert "[" not in path, f"{op}: path parameters not filled: {path}"
    assert unquote(raw_path) == path
    assert " " not in raw_path and raw_path.isascii()  # requote_uri: space -> %20, UTF-8 -> %XX

    pairs = parse_qsl(raw_query, keep_blank_values=True)
    query = dict(pairs)
    assert len(query) == len(pairs), f"{op}: a query name repeats: {pairs}"
    assert query.pop("RegionId") == REGION  # common.md 9.7: RegionId rides in the query ...
    assert request.headers["x-acs-region-id"] == REGION  # ... and in a signed header
    check_values("query", query, expected["query"])
    assert raw_query == urlencode(pairs)  # quote_plus: space '+', '/' %2F, '+' %2B, ',' %2C, '*' %2A, '~' kept

    if expected["body"]:
        assert request.headers["content-type"] == "application/x-www-form-urlencoded"
        text = request.content.decode("ascii")
        form = parse_qsl(text, keep_blank_values=True)
        check_values("body", dict(form), expected["body"])
        assert text == urlencode(form)
        assert request.headers["content-md5"] == base64.b64encode(hashlib.md5(request.content).digest()).decode()
    else:
        assert request.content == b"" and "content-type" not in request.headers
        assert "content-md5" not in request.headers

    assert request.headers["x-acs-action"] == op
    assert request.headers["x-acs-version"] == "2018-11-11"
    assert request.headers["accept"] == "application/json"
    assert request.headers["date"] == DATE
    assert request.headers["authorization"].startswith(f"acs {KEY_ID}:")
    verify_signature(request)


async def test_json_bodies_carry_the_same_parameters() -> None:
    with_body = [op for op, spec in SPECS.items() if any(p["in"] == "body" for p in spec["params"])]
    assert len(with_body) == 22
    for op in with_body:
        request, _, expected = await capture(op, body_format="json")
        assert request.headers["content-type"] == "application/json", op
        sent = json.loads(request.content)
        check_values(f"{op} JSON body", {k: str(v) for k, v in sent.items()}, expected["body"])
        assert request.headers["content-md5"] == base64.b64encode(hashlib.md5(request.content).digest()).decode()
        verify_signature(request)
