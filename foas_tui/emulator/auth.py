"""Server-side check of the ROA signature, Date skew, nonce replay and STS tokens.

Written on its own from the wire protocol (common.md 9.4-9.5), sharing no code with the client's signer
(foas_tui/api/signing.py): if both used one function, a signing bug would sign and verify alike and no
test would see it. What they share is only the test data: the SDK's captured wire vectors.

The server sees the URL as sent (path percent-decoded by the ASGI server, query still URL-encoded) and
rebuilds what the SDK signed: the raw path, the query decoded and sorted by name, unencoded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl

from foas_tui.emulator.clock import Clock, SystemClock

API_VERSION = "2018-11-11"  # the only version foas serves (x-acs-version)

MAX_SKEW_S = 15 * 60
NONCE_WINDOW_S = 15 * 60


@dataclass(frozen=True, slots=True)
class StsToken:
    """A security token the emulator accepts, bound to one (temporary) AccessKey ID."""

    access_key_id: str
    expires_at: float | None = None  # epoch seconds; None = never


class AuthFailure(Exception):
    """A rejected request: HTTP status, error code and message for the error body."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code, message)
        self.status = status
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class RequestView:
    """What the verifier needs of a request: decoded path, raw query string, headers, body."""

    method: str
    path: str  # percent-decoded
    query_string: str  # as sent (URL-encoded)
    headers: Mapping[str, str]  # lower-case names
    body: bytes


def parse_query(query_string: str) -> list[tuple[str, str]]:
    return parse_qsl(query_string, keep_blank_values=True)


def server_resource(path: str, query: Iterable[tuple[str, str]]) -> str:
    """CanonicalizedResource: raw path, then `?name=value&...` sorted by name (code points), values raw."""
    pairs = sorted(query, key=lambda pair: pair[0])  # stable: repeated names keep their order
    if not pairs:
        return path
    return f"{path}?{'&'.join(name + '=' + value for name, value in pairs)}"


def canonical_acs_headers(headers: Mapping[str, str]) -> str:
    """Every x-acs-* header, lower-case name sorted, as `name:value` lines; values verbatim (not trimmed)."""
    acs = sorted((name.lower(), value) for name, value in headers.items() if name.lower().startswith("x-acs-"))
    return "".join(f"{name}:{value}\n" for name, value in acs)


def server_string_to_sign(method: str, headers: Mapping[str, str], resource: str) -> str:
    """METHOD, Accept, Content-MD5, Content-Type, Date (each + newline), x-acs-* lines, resource."""
    lines = [method] + [headers.get(name, "") for name in ("accept", "content-md5", "content-type", "date")]
    return "\n".join(lines) + "\n" + canonical_acs_headers(headers) + resource


def expected_signature(secret: str, text: str) -> str:
    """base64(HMAC-SHA1(secret, text)); the ROA key is the bare secret (no `&` as in RPC signing)."""
    mac = hmac.new(secret.encode("utf-8"), text.encode("utf-8"), digestmod=hashlib.sha1)
    return base64.b64encode(mac.digest()).decode("ascii")


def body_md5(body: bytes) -> str:
    return base64.b64encode(hashlib.md5(body).digest()).decode("ascii")


class Verifier:
    """Checks requests against configured AccessKeys and STS tokens; remembers nonces."""

    def __init__(
        self,
        access_keys: Mapping[str, str],
        sts_tokens: Mapping[str, StsToken | str] | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.access_keys = dict(access_keys)
        self.sts_tokens: dict[str, StsToken] = {
            token: (value if isinstance(value, StsToken) else StsToken(value))
            for token, value in (sts_tokens or {}).items()
        }
        self.clock = clock or SystemClock()
        self._nonces: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def server_string_to_sign(self, request: RequestView) -> str:
        resource = server_resource(request.path, parse_query(request.query_string))
        return server_string_to_sign(request.method, request.headers, resource)

    def verify(self, request: RequestView) -> str:
        """Return the caller's AccessKey ID, or raise AuthFailure."""
        h = request.headers
        sts = self.server_string_to_sign(request)
        authorization = h.get("authorization", "")
        if not authorization.startswith("acs ") or ":" not in authorization:
            raise AuthFailure(
                400, "SignatureDoesNotMatch",
                "The request carries no valid 'Authorization: acs <AccessKeyId>:<signature>' header. "
                f"server string to sign is:{sts}",
            )
        key_id, _, signature = authorization[4:].strip().rpartition(":")
        secret = self.access_keys.get(key_id)
        if secret is None:
            raise AuthFailure(404, "InvalidAccessKeyId.NotFound", "Specified access key is not found.")
        self._check_date(h.get("date"))
        md5 = h.get("content-md5")
        if md5 and request.body and md5 != body_md5(request.body):
            raise AuthFailure(400, "InvalidContentMD5", "The Content-MD5 you specified did not match the body.")
        expected = expected_signature(secret, sts)
        if not hmac.compare_digest(expected.encode(), signature.encode()):
            raise AuthFailure(
                400, "SignatureDoesNotMatch",
                f"Specified signature is not matched with our calculation. server string to sign is:{sts}",
            )
        self._check_token(key_id, h.get("x-acs-security-token"))
        nonce = h.get("x-acs-signature-nonce")
        if nonce:
            self._check_nonce(nonce)
        return key_id

    def _check_date(self, date: str | None) -> None:
        if not date:
            raise AuthFailure(400, "InvalidTimeStamp.Format", "The request has no Date header.")
        try:
            when = parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError):
            raise AuthFailure(
                400, "InvalidTimeStamp.Format",
                f"The Date header {date!r} is not an RFC 2616 date such as 'Tue, 14 Nov 2023 22:13:20 GMT'.",
            ) from None
        skew = when - self.clock.now()
        if abs(skew) > MAX_SKEW_S:
            raise AuthFailure(
                400, "InvalidTimeStamp.Expired",
                f"Specified time stamp or date value is expired: the Date header is {skew:+.0f} s off "
                "the server time (allowed: 15 minutes). Check the clock of this machine.",
            )

    def _check_token(self, key_id: str, token: str | None) -> None:
        if token is None:
            if key_id.startswith("STS."):
                raise AuthFailure(
                    400, "InvalidSecurityToken.Missing",
                    "The AccessKey is a temporary STS key; the request needs its security token.",
                )
            return
        found = self.sts_tokens.get(token)
        if found is None:
            raise AuthFailure(400, "InvalidSecurityToken.Malformed", "The specified SecurityToken is malformed.")
        if found.access_key_id != key_id:
            raise AuthFailure(
                400, "InvalidSecurityToken.MismatchWithAccessKey",
                "The specified SecurityToken does not belong to the AccessKey ID of the request.",
            )
        if found.expires_at is not None and found.expires_at <= self.clock.now():
            raise AuthFailure(403, "InvalidSecurityToken.Expired", "The specified SecurityToken is expired.")

    def _check_nonce(self, nonce: str) -> None:
        now = self.clock.now()
        with self._lock:
            while self._nonces:
                oldest, seen = next(iter(self._nonces.items()))
                if now - seen <= NONCE_WINDOW_S:
                    break
                self._nonces.popitem(last=False)
            if nonce in self._nonces:
                raise AuthFailure(
                    400, "SignatureNonceUsed",
                    "Specified signature nonce was used already (a nonce may be used once in 15 minutes).",
                )
            self._nonces[nonce] = now
