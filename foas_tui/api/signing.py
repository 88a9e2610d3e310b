"""Request signing: the ROA `Authorization: acs` signature the official SDK sends, and the seed's RPC one.

The ROA rules (common.md section 9): sign raw, unencoded path and query values; send the path
requoted like `requests.utils.requote_uri` and the query `urlencode`d in insertion order.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, quote_plus, unquote, urlencode

from foas_tui.api.errors import UnencodableParameter, UnsendablePathParameter

if TYPE_CHECKING:  # httpx is imported by the functions that build requests: the first frame needs none
    import httpx

API_VERSION = "2018-11-11"
ACCEPT_JSON = "application/json"
FORM_CONTENT_TYPE = "application/x-www-form-urlencoded"
# Characters `requests.utils.requote_uri` leaves alone (plus '%', which it keeps for valid escapes).
_PATH_SAFE = "!#$%&'()*+,/:;=?@[]~"


def rfc2616_date(now: float | None = None) -> str:
    """`Date` header value in the C locale, like aliyunsdkcore's `get_rfc_2616_date`."""
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(now))


def _str(value: object) -> str:
    # The official Python SDK stringifies with str(): True/False, 20, 1.5.
    return value if isinstance(value, str) else str(value)


def encode_path(raw_path: str) -> str:
    """Percent-encode what is illegal in a URL path, as `requote_uri` does (space -> %20, UTF-8)."""
    return quote(raw_path, safe=_PATH_SAFE)


def canonical_resource(raw_path: str, query: Iterable[tuple[str, str]]) -> str:
    """Path plus the query sorted by key, values raw (not URL-encoded)."""
    items = sorted(query, key=lambda kv: kv[0])
    if not items:
        return raw_path
    return raw_path + "?" + "&".join(f"{k}={v}" for k, v in items)


def string_to_sign(
    method: str,
    accept: str,
    content_md5: str,
    content_type: str,
    date: str,
    x_acs_headers: Mapping[str, str],
    resource: str,
) -> str:
    head = f"{method}\n{accept}\n{content_md5}\n{content_type}\n{date}\n"
    canon = "".join(f"{k}:{x_acs_headers[k]}\n" for k in sorted(x_acs_headers))
    return head + canon + resource


def hmac_sha1_b64(key: str, message: str) -> str:
    digest = hmac.new(key.encode("utf-8"), message.encode("utf-8"), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def content_md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode("ascii")


def encode_body(
    body_params: Mapping[str, object], content_type: str | None
) -> tuple[bytes | None, str | None]:
    """Body bytes and Content-Type as aliyunsdkcore makes them: form by default, JSON on request."""
    if not body_params:
        return None, None
    if content_type and "application/json" in content_type:
        return json.dumps(dict(body_params)).encode("utf-8"), content_type
    pairs = [(k, _str(v)) for k, v in body_params.items()]
    return urlencode(pairs).encode("utf-8"), FORM_CONTENT_TYPE


@dataclass(slots=True)
class RoaRequestParts:
    """The unencoded pieces of an ROA request; the one source for both the URL and the signature."""

    method: str
    action: str
    raw_path: str
    query: list[tuple[str, str]] = field(default_factory=list)
    body: bytes | None = None
    content_type: str | None = None


def fill_path(uri_pattern: str, path_params: Mapping[str, object], action: str | None = None) -> str:
    path = uri_pattern
    for name, value in path_params.items():
        text = _str(value)
        if any(c in text for c in "/?#"):
            # A slash would silently address another resource; refuse rather than corrupt the path.
            raise UnsendablePathParameter(action, str(name), text)
        path = path.replace(f"[{name}]", text)
    return path


@lru_cache(maxsize=32)
def _base_reference(base_url: str) -> Any:
    import httpx

    return httpx.URL(base_url)._uri_reference


def _make_url(base_url: str, path: str, query: str) -> httpx.URL:
    """An httpx.URL from already-encoded parts, without re-parsing the string character by character.

    httpx validates every character of a URL string (about half the cost of a request); our parts are
    encoded by construction. Falls back to the public constructor if httpx's internals ever change.
    """
    import httpx

    try:
        url = httpx.URL.__new__(httpx.URL)
        url._uri_reference = _base_reference(base_url)._replace(path=path, query=query or None)
        return url
    except (AttributeError, TypeError):
        return httpx.URL(base_url + path + ("?" + query if query else ""))


_SAFE_VALUE = re.compile(r"[A-Za-z0-9_.\-~]*")


_UNSAFE_CHAR = re.compile(r"[^A-Za-z0-9_.\-~]")


@lru_cache(maxsize=4096)
def _quote_char(char: str) -> str:
    return quote_plus(char)


# quote_plus of each ASCII character that needs quoting. '%' first and ' ' (which becomes '+') last: each
# replacement then only meets characters of the text, never the output of another replacement.
_ASCII_QUOTED = sorted(((chr(code), quote_plus(chr(code))) for code in range(128) if _UNSAFE_CHAR.match(chr(code))),
                       key=lambda pair: (pair[0] != "%", pair[0] == " "))


def _quote_value(value: str) -> str:
    # quote_plus works byte by byte in Python: 3,000 characters of job names cost ~1 ms. Quoting only the
    # characters that need it gives the same text (quoting is per character), a few times faster. ASCII text
    # (job names joined by commas) is quoted by a few str.replace calls, each a fast scan in C.
    if value.isascii():
        for char, quoted in _ASCII_QUOTED:
            if char in value:
                value = value.replace(char, quoted)
        return value
    return _UNSAFE_CHAR.sub(lambda match: _quote_char(match.group()), value)


def quoted_length(value: str) -> int:
    """How many characters `value` takes in the query once encoded (`encode_query`): non-ASCII text takes up to
    nine per character (three UTF-8 bytes, each `%XX`), a comma three."""
    return len(value) if _SAFE_VALUE.fullmatch(value) else len(_quote_value(value))


def encode_query(query: Iterable[tuple[str, str]]) -> str:
    """`urllib.parse.urlencode` (quote_plus) output, with a fast path for values needing no escapes."""
    parts = []
    for key, value in query:
        k = key if _SAFE_VALUE.fullmatch(key) else _quote_value(key)
        v = value if _SAFE_VALUE.fullmatch(value) else _quote_value(value)
        parts.append(f"{k}={v}")
    return "&".join(parts)


def build_request(
    *,
    base_url: str,
    method: str,
    action: str,
    uri_pattern: str,
    region_id: str,
    path_params: Mapping[str, object] | None = None,
    query_params: Mapping[str, object] | Iterable[tuple[str, object]] = (),
    body_params: Mapping[str, object] | None = None,
    content_type: str | None = None,
    signer: RoaSigner | None = None,
) -> httpx.Request:
    """Build an httpx.Request exactly as aliyunsdkcore lays it out on the wire, signed if a signer is given.

    `RegionId` goes last into the query and into `x-acs-region-id`, unless the caller supplied it.
    """
    try:
        return _build_request(base_url, method, action, uri_pattern, region_id, path_params or {}, query_params,
                              body_params or {}, content_type, signer)
    except (UnicodeEncodeError, UnencodableParameter):
        # Only text with lone surrogates has no UTF-8 form; say which parameter, for this call alone.
        items = query_params.items() if isinstance(query_params, Mapping) else query_params
        raise unencodable(action, [*(path_params or {}).items(), *items, *(body_params or {}).items()]) from None


def unencodable(action: str, params: Iterable[tuple[str, object]]) -> UnencodableParameter:
    """The error for the first parameter whose text cannot be encoded as UTF-8."""
    for name, value in params:
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as exc:
                return UnencodableParameter(action, str(name), exc.start)
    return UnencodableParameter(action, "(unknown)", 0)


def _build_request(base_url: str, method: str, action: str, uri_pattern: str, region_id: str,
                   path_params: Mapping[str, object],
                   query_params: Mapping[str, object] | Iterable[tuple[str, object]],
                   body_params: Mapping[str, object], content_type: str | None,
                   signer: RoaSigner | None) -> httpx.Request:
    import httpx

    raw_path = fill_path(uri_pattern, path_params, action)
    items = query_params.items() if isinstance(query_params, Mapping) else query_params
    query = [(k, _str(v)) for k, v in items if v is not None]
    headers = {"accept": ACCEPT_JSON, "x-acs-action": action, "x-acs-version": API_VERSION}
    if not any(k == "RegionId" for k, _ in query):
        query.append(("RegionId", region_id))
        headers["x-acs-region-id"] = region_id
    body, ctype = encode_body(body_params, content_type)
    if body is not None:
        headers["content-type"] = ctype  # type: ignore[assignment]
    elif method in ("POST", "PUT", "DELETE", "PATCH"):
        headers["content-length"] = "0"
    parts = RoaRequestParts(method, action, raw_path, query, body, ctype)
    if signer is not None:
        signer.sign_headers(parts, headers)
    url = _make_url(base_url.rstrip("/"), encode_path(raw_path), encode_query(query))
    # Passing a ready stream skips httpx's second header pass; we add Host and Content-Length ourselves.
    headers["host"] = url.netloc.decode("ascii")
    if body is not None:
        headers["content-length"] = str(len(body))
    request = httpx.Request(method, url, headers=headers, stream=httpx.ByteStream(body or b""))
    request.read()
    request.extensions["foas"] = parts
    return request


def _parts_from_request(request: httpx.Request) -> RoaRequestParts:
    parts = request.extensions.get("foas")
    if isinstance(parts, RoaRequestParts):
        return parts
    # A request we did not build: recover the raw values from the encoded URL.
    from urllib.parse import parse_qsl

    raw_path = unquote(request.url.path)
    query = parse_qsl(request.url.query.decode("ascii"), keep_blank_values=True)
    body = request.content or None
    return RoaRequestParts(
        request.method,
        request.headers.get("x-acs-action", ""),
        raw_path,
        query,
        body,
        request.headers.get("Content-Type"),
    )


class Credentials:
    """An AccessKey pair (optionally STS) whose secret never shows in str/repr."""

    __slots__ = ("access_key_id", "_secret", "_security_token")

    def __init__(self, access_key_id: str, access_key_secret: str, security_token: str | None = None):
        self.access_key_id = access_key_id
        self._secret = access_key_secret
        self._security_token = security_token or None

    @property
    def access_key_secret(self) -> str:
        return self._secret

    @property
    def security_token(self) -> str | None:
        return self._security_token

    def __repr__(self) -> str:
        token = ", security_token='****'" if self._security_token else ""
        return f"Credentials(access_key_id={mask_id(self.access_key_id)!r}, access_key_secret='****'{token})"

    __str__ = __repr__


def mask_id(access_key_id: str) -> str:
    """`LTAI****abcd`: first and last four characters; short ids are fully masked."""
    if len(access_key_id) < 12:
        return "****"
    return f"{access_key_id[:4]}****{access_key_id[-4:]}"


class RoaSigner:
    """Adds the ROA signature headers to a request we build (`build_request`), a fresh `Date` each time."""

    def __init__(self, credentials: Credentials, clock: Callable[[], str] = rfc2616_date):
        self._credentials = credentials
        self._clock = clock
        self.last_string_to_sign = ""

    def __repr__(self) -> str:
        return f"RoaSigner({self._credentials!r})"

    def sign_headers(self, parts: RoaRequestParts, headers: MutableMapping[str, str]) -> str:
        """Add Date, x-acs-signature-*, the STS token, Content-MD5 and Authorization to `headers`.

        `headers` must use lower-case names (a dict we build, or httpx.Headers, which folds case).
        Returns the string-to-sign (it holds no secret; handy for debugging and tests).
        """
        date = self._clock()
        headers["date"] = date
        headers["x-acs-signature-method"] = "HMAC-SHA1"
        headers["x-acs-signature-version"] = "1.0"
        token = self._credentials.security_token
        if token:
            headers["x-acs-security-token"] = token
        md5 = ""
        if parts.body is not None:
            md5 = content_md5(parts.body)
            headers["content-md5"] = md5
        x_acs = {k: v for k, v in headers.items() if k.startswith("x-acs-")}
        sts = string_to_sign(
            parts.method,
            headers.get("accept", ""),
            md5,
            (headers.get("content-type") or "") if parts.body is not None else "",
            date,
            x_acs,
            canonical_resource(parts.raw_path, parts.query),
        )
        self.last_string_to_sign = sts
        try:
            signature = hmac_sha1_b64(self._credentials.access_key_secret, sts)
        except UnicodeEncodeError:
            raise unencodable(parts.action, [("path", parts.raw_path), *parts.query]) from None
        headers["authorization"] = f"acs {self._credentials.access_key_id}:{signature}"
        return sts

    def sign(self, request: httpx.Request) -> str:
        """Sign an httpx.Request in place; return the string-to-sign."""
        return self.sign_headers(_parts_from_request(request), request.headers)


# --- RPC signature, as the seed's common chapter (4.1) describes it -------------------------------


def percent_encode(value: object) -> str:
    """The seed's percentEncode: RFC 3986, space -> %20, `*` -> %2A, `~` kept."""
    return quote(_str(value), safe="-_.~")


def rpc_string_to_sign(method: str, params: Mapping[str, object]) -> str:
    canonical = "&".join(
        f"{percent_encode(k)}={percent_encode(v)}" for k, v in sorted(params.items()) if k != "Signature"
    )
    return f"{method}&{percent_encode('/')}&{percent_encode(canonical)}"


def rpc_signature(method: str, params: Mapping[str, object], access_key_secret: str) -> str:
    """HMAC-SHA1 with key `secret + "&"` over the RPC string-to-sign, base64-encoded."""
    return hmac_sha1_b64(access_key_secret + "&", rpc_string_to_sign(method, params))
