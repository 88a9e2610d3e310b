"""Errors of the foas client: the service's error body (RequestId, HostId, Code, Message, Recommend) as types.

No error ever carries a credential: messages are built from the server's body and our own text only.
"""

from __future__ import annotations

import json
from typing import Any


class FoasError(Exception):
    """Any failure of a foas call. `code`/`message` come from the server when it sent them."""

    kind = "error"
    hint = ""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        request_id: str | None = None,
        host_id: str | None = None,
        recommend: str | None = None,
        status: int | None = None,
        operation: str | None = None,
    ) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.request_id = request_id
        self.host_id = host_id
        self.recommend = recommend
        self.status = status
        self.operation = operation

    def __str__(self) -> str:
        where = f"{self.operation}: " if self.operation else ""
        rid = f" (request id {self.request_id})" if self.request_id else ""
        hint = f" {self.hint}" if self.hint else ""
        return f"{where}{self.code}: {self.message}{rid}{hint}"

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(code={self.code!r}, message={self.message!r}, "
            f"request_id={self.request_id!r}, status={self.status!r}, operation={self.operation!r})"
        )

    def __reduce__(self):  # keep keyword fields when pickled (e.g. across worker processes)
        return (_rebuild, (type(self), self.code, self.message, self.__dict__))


def _rebuild(cls: type[FoasError], code: str, message: str, state: dict[str, Any]) -> FoasError:
    err = cls.__new__(cls)
    Exception.__init__(err, code, message)
    err.__dict__.update(state)
    return err


class BadRequestError(FoasError):
    kind = "bad request"


class AuthError(FoasError):
    kind = "authentication"
    hint = "Check the AccessKey ID/secret, the STS token and the RAM permissions (foas-tui profile test)."


class NotFoundError(FoasError):
    kind = "not found"


class ConflictError(FoasError):
    """A documented precondition failed (e.g. deleting a job that is still online)."""

    kind = "precondition"


class ThrottledError(FoasError):
    kind = "throttled"
    hint = "The service is throttling requests; retry in a moment or lower the refresh rate."

    def __init__(self, *args: Any, retry_after: float | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after = retry_after


class ServerError(FoasError):
    kind = "server"


class InvalidResponse(FoasError):
    """The service answered with a body we cannot read (not JSON, or not the documented shape)."""

    kind = "invalid response"


class ResponseTooLarge(InvalidResponse):
    """The answer passed the client's decoded-size cap; reading stopped there (nothing was parsed)."""

    kind = "response too large"
    hint = "If this answer is legit, raise max_response_bytes under [client] in config.toml."

    def __init__(self, operation: str, limit: int, seen: int, *, request_id: str | None = None) -> None:
        super().__init__(
            "ResponseTooLarge",
            f"the answer to {operation} is larger than the limit of {_size(limit)} (decoded); "
            f"stopped reading after {_size(seen)}.",
            request_id=request_id, operation=operation)
        self.limit = limit
        self.seen = seen


class UnencodableParameter(BadRequestError):
    """A parameter holds text that has no UTF-8 form (a lone surrogate): nothing was sent."""

    kind = "invalid parameter"

    def __init__(self, operation: str, parameter: str, position: int) -> None:
        super().__init__(
            "InvalidParameterEncoding",
            f"parameter {parameter} cannot be sent: character {position + 1} is not valid Unicode text "
            "(a lone surrogate, e.g. from invalid UTF-8); nothing was sent",
            operation=operation)
        self.parameter = parameter
        self.position = position


class UnsendablePathParameter(BadRequestError, ValueError):
    """A name the API takes in the request path holds '/', '?' or '#': sent as is it would address another
    resource (or cut the path), so nothing is sent. Such names exist: the console lets people create them."""

    kind = "invalid parameter"
    hint = "Act on it in the console (or rename it there); foas-tui cannot address it."

    def __init__(self, operation: str | None, parameter: str, value: str) -> None:
        shown = value if len(value) <= 200 else value[:200] + "…"
        super().__init__(
            "InvalidPathParameter",
            f"{parameter} {shown!r} contains '/', '?' or '#', which cannot be sent in the request path (it would "
            "address something else); nothing was sent.",
            operation=operation)
        self.parameter = parameter


def _size(count: int) -> str:
    if count >= 1024 * 1024 and count % (1024 * 1024) == 0:
        return f"{count // (1024 * 1024)} MiB"
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):.1f} MiB"
    return f"{count:,} bytes"


class ConnectionFailed(FoasError):
    kind = "connection"
    hint = "Check the endpoint, the network path (proxy, VPN, bastion) and that the service is reachable."


class RequestTimeout(ConnectionFailed):
    kind = "timeout"
    hint = "The service did not answer in time; it may be overloaded, or the timeout is too short."


class CallCancelled(ConnectionFailed):
    """The operator cancelled a slow call (esc). A change may still have been made: the request may have left."""

    kind = "cancelled"
    hint = ""

    def __init__(self, operation: str, elapsed: float, *, mutating: bool = False) -> None:
        maybe = " It may still have been executed: check the job's state." if mutating else ""
        super().__init__("Cancelled", f"{operation} cancelled after {elapsed:.0f} s without an answer.{maybe}",
                         operation=operation)


class ReadOnlyError(FoasError):
    kind = "read-only"

    def __init__(self, operation: str) -> None:
        super().__init__(
            "ReadOnlyMode",
            f"{operation} changes state and this session is read-only; nothing was sent. "
            "Press ctrl+r (or :rw) in the app to allow changes, or start it without --read-only.",
            operation=operation,
        )


_AUTH_CODES = ("SignatureDoesNotMatch", "InvalidAccessKeyId", "InvalidSecurityToken", "Forbidden",
               "NoPermission", "InvalidAccessKeySecret", "IncompleteSignature", "SignatureNonceUsed",
               "InvalidTimeStamp", "MissingSecurityToken", "Unauthorized")


def is_auth_failure(status: int | None, code: str | None) -> bool:
    """Whether an answer with this status and error code is an authentication/authorization failure."""
    return bool(code) and _class_for(status, code or "") is AuthError


def _class_for(status: int | None, code: str) -> type[FoasError]:
    lowered = code.lower()
    if code.startswith(_AUTH_CODES):
        return AuthError
    if lowered.startswith("throttling") or "flowcontrol" in lowered:
        return ThrottledError
    if "notfound" in lowered or "notexist" in lowered or lowered.endswith(".nonexist"):
        return NotFoundError
    if status in (401, 403):
        return AuthError
    if status == 404:
        return NotFoundError
    if status in (409, 412):
        return ConflictError
    if status == 429:
        return ThrottledError
    if status is not None and status >= 500:
        return ServerError
    return BadRequestError


def _field(body: dict[str, Any], name: str) -> str | None:
    # The seed mixes `RequestId` and `requestId`; read keys case-insensitively.
    for key, value in body.items():
        if key.lower() == name.lower() and value is not None:
            return str(value)
    return None


def error_from_response(
    status: int,
    body: bytes,
    *,
    operation: str | None = None,
    request_id: str | None = None,
    retry_after: float | None = None,
) -> FoasError:
    """Turn a non-2xx response into the fitting FoasError subclass."""
    data: Any = None
    try:
        data = json.loads(body.decode("utf-8")) if body else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        data = None
    if not isinstance(data, dict):
        snippet = body[:200].decode("utf-8", "replace").strip() or "(empty body)"
        cls = _class_for(status, "")
        kwargs: dict[str, Any] = {"request_id": request_id, "status": status, "operation": operation}
        if cls is ThrottledError:
            kwargs["retry_after"] = retry_after
        return cls(f"HTTP{status}", f"unreadable error body: {snippet}", **kwargs)
    code = _field(data, "Code") or f"HTTP{status}"
    cls = _class_for(status, code)
    kwargs = {
        "request_id": _field(data, "RequestId") or request_id,
        "host_id": _field(data, "HostId"),
        "recommend": _field(data, "Recommend"),
        "status": status,
        "operation": operation,
    }
    if cls is ThrottledError:
        kwargs["retry_after"] = retry_after
    return cls(code, _field(data, "Message") or "(no message)", **kwargs)
