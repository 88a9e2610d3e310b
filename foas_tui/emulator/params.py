"""Read an operation's parameters from where the API puts them: path, query or body, nowhere else.

The real service reads each parameter from its own place: a body parameter sent in the query string (or
the other way round) is not seen, so a required one answers `MissingParameter`. The emulator does the
same, with its own table (foas_tui.emulator.spec_table), so a client that puts a parameter in the wrong
place fails here instead of passing. Body encodings accepted: form (what aliyunsdkcore sends by
default) and JSON (what the seed's Java demo sends); common.md 9.8.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import parse_qsl

from foas_tui.emulator.spec_table import SpecOp
from foas_tui.emulator.store import ApiError

_REPEATED = ".N."  # the spec's spelling of a repeated parameter: suspendPeriodParam.N.plan


def decode_body(content_type: str, body: bytes) -> dict[str, Any]:
    """The body's parameters: a JSON object or form fields; XML is refused with a clear error."""
    if not body:
        return {}
    ctype = content_type.lower()
    if "json" in ctype:
        try:
            data = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise ApiError(400, "InvalidParameter.Body", "The request body is not valid JSON.") from None
        if not isinstance(data, dict):
            raise ApiError(400, "InvalidParameter.Body", "The JSON request body must be an object.")
        return data
    if "xml" in ctype:
        raise ApiError(400, "UnsupportedMediaType", "Send the body as JSON or form-encoded, not XML.")
    try:
        return dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except UnicodeDecodeError:
        raise ApiError(400, "InvalidParameter.Body", "The request body is not UTF-8.") from None


def _matcher(name: str) -> re.Pattern[str] | None:
    if _REPEATED not in name:
        return None
    head, _, tail = name.partition(_REPEATED)
    return re.compile(rf"{re.escape(head)}\.[1-9][0-9]*\.{re.escape(tail)}")


def _pick(names: list[str], source: dict[str, Any]) -> dict[str, Any]:
    picked: dict[str, Any] = {}
    for name in names:
        pattern = _matcher(name)
        if pattern is None:
            if name in source:
                picked[name] = source[name]
        else:
            picked.update({k: v for k, v in source.items() if pattern.fullmatch(k)})
    return picked


def read_params(op: SpecOp, path_params: dict[str, str], query_string: str, content_type: str,
                body: bytes) -> dict[str, Any]:
    """Each declared parameter from its own location; anything elsewhere (or undeclared) is ignored."""
    where: dict[str, list[str]] = {"path": [], "query": [], "body": []}
    for param in op.params:
        where[param.location].append(param.name)
    query = dict(parse_qsl(query_string, keep_blank_values=True))
    form = decode_body(content_type, body) if where["body"] else {}  # a body nobody reads is not parsed
    params = _pick(where["query"], query)
    params.update(_pick(where["body"], form))
    params.update({k: v for k, v in path_params.items() if k in where["path"]})
    return params
