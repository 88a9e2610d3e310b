"""FoasClient: the async, signed client for all 67 foas operations (typed methods generated in operation_methods.py)."""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import random
import shlex
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

from foas_tui.api import errors
from foas_tui.api.operation_methods import OperationMethods
from foas_tui.api.signing import Credentials, RoaSigner, build_request, mask_id, rfc2616_date

if TYPE_CHECKING:
    import httpx

    from foas_tui.api.operations import Operation

log = logging.getLogger("foas_tui.api")
T = TypeVar("T")

# aliyunsdkfoas' endpoint map: regions served by another region's host (common.md 1.3).
_ENDPOINT_EXCEPTIONS = {
    "cn-hongkong": "foas.aliyuncs.com",
    "cn-shenzhen-finance-1": "foas.aliyuncs.com",
    **{r: "foas.ap-northeast-1.aliyuncs.com" for r in (
        "us-east-1", "eu-central-1", "us-west-1", "eu-west-1", "me-east-1", "ap-southeast-2",
        "ap-southeast-5", "ap-south-1")},
}
CENTRAL_ENDPOINT = "foas.aliyuncs.com"
MAX_PAGES = 10_000  # a hard stop for paged listings, whatever the service claims
# Decoded bytes one answer may have. The largest legit answers are embedded JSON strings: a plan
# (GetInstanceFinalPlan / GetJobLatestAutoScalePlan, a few MB for big jobs) and an instance's exception
# history (bench/ opens a 10 MB one): 32 MiB leaves room for both, and stops a gzip bomb or a runaway
# body long before it costs real memory. config.toml [client] max_response_bytes changes it.
DEFAULT_MAX_RESPONSE_BYTES = 32 * 1024 * 1024
# Seconds an idle connection is kept for the next call. httpx's default (5 s) equals the live refresh's
# default interval, so every refresh found its connections expired and opened them again: on HTTPS, a TCP
# and TLS handshake per call, every refresh. 30 s covers refresh intervals up to 30 s; a server that closes
# an idle connection sooner is noticed before reuse (httpcore sees the socket readable) and a read that
# still meets a dead connection is retried as a connection failure.
KEEPALIVE_SECONDS = 30.0


def _operation(name: str) -> Operation:
    """An operation of the table (operations.py), which is loaded with the first call: building its 67
    operations and their parameters is not needed for the first frame."""
    from foas_tui.api.operations import OPERATIONS

    return OPERATIONS[name]


def resolve_endpoint(region_id: str, endpoint: str | None = None) -> str:
    """Base URL for a region: an explicit endpoint (host or URL) wins, then the SDK's map."""
    if endpoint:
        return endpoint.rstrip("/") if "://" in endpoint else f"https://{endpoint.strip('/')}"
    host = _ENDPOINT_EXCEPTIONS.get(region_id.lower(), f"foas.{region_id.lower()}.aliyuncs.com")
    return f"https://{host}"


def plain_http_remote(base_url: str) -> bool:
    """True for an http:// endpoint on another machine: requests (signed, not encrypted) cross the network
    in clear text. Loopback (127.0.0.0/8, ::1, localhost) is exempt: the emulator or an SSH tunnel."""
    try:
        url = urlsplit(base_url)
        if url.scheme.lower() != "http":
            return False
        host = (url.hostname or "").lower()
    except ValueError:  # a malformed host ('http://[::1'): no telling where it goes
        return True
    if host == "localhost" or host.endswith(".localhost"):
        return False
    try:
        return not ipaddress.ip_address(host).is_loopback
    except ValueError:
        return True


@dataclass(slots=True)
class PendingCall:
    """A call in flight: what, since when (monotonic seconds), and its task (so the operator can cancel it)."""

    operation: str
    started: float
    task: asyncio.Task[Any] | None
    cancelled: bool = False

    def elapsed(self, now: float | None = None) -> float:
        return (time.monotonic() if now is None else now) - self.started


@dataclass(slots=True)
class CallRecord:
    """One API call as the command log shows it. Holds no credential."""

    operation: str
    method: str
    path: str
    query: dict[str, str]
    body: dict[str, str]
    region_id: str
    started_at: float
    latency_ms: float = 0.0
    status: int | None = None
    request_id: str | None = None
    error_code: str | None = None
    error_message: str | None = None
    attempts: int = 1
    mutating: bool = False

    @property
    def ok(self) -> bool:
        return self.error_code is None

    def aliyun_cli(self) -> str:
        """The equivalent `aliyun` CLI command (ROA form: METHOD path, query and body flags)."""
        parts = ["aliyun", "foas", self.method, self.path, "--region", self.region_id]
        for key, value in self.query.items():
            parts += [f"--{key}", value]
        if self.body:
            parts += ["--header", "Content-Type=application/json", "--body", json.dumps(self.body)]
        return " ".join(shlex.quote(p) for p in parts)


CallObserver = Callable[[CallRecord], None]
Decoder = Callable[[bytes], "tuple[str | None, Any] | None"]  # answer bytes -> (request id, result), or None


class _Decoded:
    """A result a `Decoder` made from the answer's bytes (not a JSON object for `parse`)."""

    __slots__ = ("result",)

    def __init__(self, result: Any) -> None:
        self.result = result


@dataclass(slots=True)
class RetryPolicy:
    retries: int = 2
    backoff_base: float = 0.2
    backoff_max: float = 5.0
    rng: Callable[[], float] = field(default=random.random)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        # Full jitter (AWS architecture blog): spreads retries of many clients over the window.
        window = min(self.backoff_max, self.backoff_base * (2**attempt))
        delay = self.rng() * window
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.backoff_max))
        return delay


def _wire(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"  # the seed's (and Java SDK's) spelling
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


class FoasClient(OperationMethods):
    """Async client: signs, sends, retries reads, maps errors, parses models, logs calls."""

    def __init__(
        self,
        credentials: Credentials,
        *,
        region_id: str = "cn-hangzhou",
        endpoint: str | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        make_transport: Callable[[], httpx.AsyncBaseTransport] | None = None,
        read_only: bool = False,
        timeout: float = 10.0,
        connect_timeout: float = 5.0,
        retries: int = 2,
        backoff_base: float = 0.2,
        backoff_max: float = 5.0,
        max_concurrency: int = 16,
        keepalive_expiry: float = KEEPALIVE_SECONDS,
        body_format: str = "form",
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        clock: Callable[[], str] = rfc2616_date,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.region_id = region_id
        self.base_url = resolve_endpoint(region_id, endpoint)
        self.read_only = read_only
        self.access_key_id_masked = mask_id(credentials.access_key_id)
        self.retry = RetryPolicy(retries, backoff_base, backoff_max, rng)
        self.observers: list[CallObserver] = []
        self.pending: dict[int, PendingCall] = {}  # calls in flight: a slow one is shown and can be cancelled
        self._auth = RoaSigner(credentials, clock=clock)
        self._content_type = "application/json" if body_format == "json" else None
        self._sleep = sleep
        self.max_response_bytes = max_response_bytes
        # httpx timeouts are per phase and some transports (ASGITransport) ignore them: bound the whole call.
        self._deadline = timeout + connect_timeout
        self._limit = asyncio.Semaphore(max_concurrency)
        self._transport = transport
        self._make_transport = make_transport
        self._http_options = {"timeout": timeout, "connect_timeout": connect_timeout,
                              "max_concurrency": max_concurrency, "keepalive_expiry": keepalive_expiry}
        self._http_client: httpx.AsyncClient | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"FoasClient(endpoint={self.base_url!r}, region={self.region_id!r}, key={self.access_key_id_masked!r})"

    async def __aenter__(self) -> FoasClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        self._closed = True
        if self._http_client is not None:
            await self._http_client.aclose()

    @property
    def _http(self) -> httpx.AsyncClient:
        """The httpx client, made on the first call (importing httpx then: see api/http_client.py).
        `make_transport`, if given, makes the transport then too (the demo's in-process emulator)."""
        if self._http_client is None:
            if self._closed:  # as httpx says of a closed client: a call after aclose() is a failed call
                raise RuntimeError("Cannot send a request, as the client has been closed.")
            from foas_tui.api.http_client import make_http_client

            transport = self._transport if self._make_transport is None else self._make_transport()
            self._http_client = make_http_client(transport, **self._http_options)
        return self._http_client

    # --- the generic call path -------------------------------------------------------------------

    async def call(self, operation: str, **kwargs: Any) -> Any:
        """Call an operation by name with snake_case keyword arguments (as the typed methods take)."""
        op = _operation(operation)
        by_py = {p.py_name: p.name for p in op.params}
        unknown = set(kwargs) - set(by_py)
        if unknown:
            raise TypeError(f"{operation} takes no parameter(s) {sorted(unknown)}")
        return await self._invoke(operation, {by_py[k]: v for k, v in kwargs.items()})

    def slowest_pending(self) -> PendingCall | None:
        """The call in flight for the longest time, or None."""
        return min(self.pending.values(), key=lambda call: call.started, default=None)

    def cancel_pending(self, older_than: float = 0.0) -> list[PendingCall]:
        """Cancel the calls in flight for at least `older_than` seconds; each raises CallCancelled to its caller."""
        now = time.monotonic()
        cancelled = []
        for call in list(self.pending.values()):
            if not call.cancelled and call.task is not None and call.elapsed(now) >= older_than:
                call.cancelled = True
                call.task.cancel()
                cancelled.append(call)
        return cancelled

    def _split(self, op: Operation, args: dict[str, Any]) -> tuple[dict, list, dict]:
        path: dict[str, str] = {}
        query: list[tuple[str, str]] = []
        body: dict[str, str] = {}
        for param in op.params:
            value = args.get(param.name)
            if value is None:
                if param.required:
                    raise TypeError(f"{op.name}: parameter {param.py_name!r} is required")
                continue
            if param.name == "suspendPeriodParam":
                for i, period in enumerate(value, start=1):
                    for key in ("endTime", "startTime", "plan", "policy"):
                        if period.get(key) is not None:
                            body[f"suspendPeriodParam.{i}.{key}"] = str(period[key])
                continue
            if param.name == "jobNames" and not isinstance(value, str):
                value = ",".join(value)
            text = _wire(value)
            if param.location == "path":
                path[param.name] = text  # type: ignore[assignment]
            elif param.location == "query":
                query.append((param.name, text))  # type: ignore[arg-type]
            else:
                body[param.name] = text  # type: ignore[assignment]
        return path, query, body

    async def run_summaries(self, project_name: str, job_names: Iterable[str], job_type: str) -> list[Any]:
        """BatchGetInstanceRunSummary for the live refresh: the summaries parsed lean (`run_summaries.py`).

        Same request, signing, retries, errors and call log as `batch_get_instance_run_summary`; returns
        `LeanRunSummary` objects instead of validated models (a fraction of the CPU for 1,000 jobs).
        """
        from foas_tui.api.run_summaries import decode_run_summaries, parse_run_summaries

        args = {"jobNames": list(job_names), "jobType": job_type, "projectName": project_name}
        return await self._invoke("BatchGetInstanceRunSummary", args, parse=parse_run_summaries,
                                  decode=decode_run_summaries)

    async def _invoke(self, operation: str, args: dict[str, Any],
                      parse: Callable[[dict[str, Any]], Any] | None = None,
                      decode: Decoder | None = None) -> Any:
        """One call. `parse` turns the answer's JSON object into the result (default: the response model);
        `decode`, if given, is tried first on the answer's bytes and gives (request id, result), or None to
        have the bytes read as JSON and given to `parse` (run_summaries.py)."""
        op = _operation(operation)
        if op.mutating and self.read_only:
            raise errors.ReadOnlyError(operation)
        path, query, body = self._split(op, args)
        record = CallRecord(
            operation, op.method, _fill(op.path, path), dict(query), dict(body), self.region_id,
            time.time(), mutating=op.mutating,
        )
        started = time.perf_counter()
        task = asyncio.current_task()
        pending = PendingCall(operation, time.monotonic(), task)
        self.pending[id(pending)] = pending
        try:
            data = await self._send_with_retries(op, path, query, body, record, decode)
            if type(data) is _Decoded:
                return data.result
            return parse(data) if parse is not None else _parse(op, data, record)
        except errors.FoasError as err:
            record.error_code, record.error_message = err.code, err.message
            record.request_id = record.request_id or err.request_id
            raise
        except asyncio.CancelledError:
            if not pending.cancelled or task is None:
                raise  # cancelled by its caller (a newer load, the app closing): not ours to turn into an error
            task.uncancel()  # the operator cancelled this call only: its caller goes on with an error
            err = errors.CallCancelled(operation, pending.elapsed(), mutating=op.mutating)
            record.error_code, record.error_message = err.code, err.message
            raise err from None
        finally:
            self.pending.pop(id(pending), None)
            record.latency_ms = (time.perf_counter() - started) * 1000
            log.debug("%s %s -> %s in %.0f ms, request id %s, %s attempt(s)", op.method, record.path,
                      record.error_code or record.status, record.latency_ms, record.request_id, record.attempts)
            for observer in self.observers:
                observer(record)

    async def _send_with_retries(
        self, op: Operation, path: dict, query: list, body: dict, record: CallRecord, decode: Decoder | None = None
    ) -> Any:
        attempt = 0
        while True:
            record.attempts = attempt + 1
            try:
                return await self._send_once(op, path, query, body, record, decode)
            except errors.FoasError as err:
                if attempt >= self.retry.retries or not _retryable(op, err):
                    raise
                delay = self.retry.delay(attempt, getattr(err, "retry_after", None))
                log.debug("%s failed with %s; retry %d in %.2f s", op.name, err.code, attempt + 1, delay)
                await self._sleep(delay)
                attempt += 1

    async def _send_once(self, op: Operation, path: dict, query: list, body: dict, record: CallRecord,
                         decode: Decoder | None = None) -> Any:
        request = build_request(
            base_url=self.base_url, method=op.method, action=op.name, uri_pattern=op.path,
            region_id=self.region_id, path_params=path, query_params=query, body_params=body,
            content_type=self._content_type, signer=self._auth,
        )
        import httpx  # loaded with the client on the first call (`_http`); here only its exception classes

        from foas_tui.api.http_client import USER_AGENT

        request.headers["user-agent"] = USER_AGENT
        async with self._limit:
            try:
                async with asyncio.timeout(self._deadline):
                    response = await self._http.send(request, stream=True)
                    try:
                        content = await self._read_capped(response, op.name)
                    finally:
                        await response.aclose()
            except (httpx.TimeoutException, TimeoutError) as exc:
                raise errors.RequestTimeout(
                    "RequestTimeout", f"no answer from {self.base_url} in time ({type(exc).__name__})",
                    operation=op.name) from None
            except httpx.ConnectError as exc:
                err = errors.ConnectionFailed(
                    "ConnectionFailed", f"cannot connect to {self.base_url}: {_reason(exc)}", operation=op.name)
                err.never_sent = True  # type: ignore[attr-defined]
                raise err from None
            except httpx.DecodingError as exc:
                raise errors.InvalidResponse(
                    "InvalidResponse", f"the answer could not be decoded: {_reason(exc)}", operation=op.name
                ) from None
            except (httpx.TransportError, OSError, RuntimeError) as exc:
                # Dropped connections surface as transport errors (or app errors through ASGITransport).
                raise errors.ConnectionFailed(
                    "ConnectionFailed", f"connection to {self.base_url} failed: {_reason(exc)}",
                    operation=op.name) from None
        record.status = response.status_code
        request_id = response.headers.get("x-acs-request-id")
        if not 200 <= response.status_code < 300:
            raise errors.error_from_response(
                response.status_code, content, operation=op.name, request_id=request_id,
                retry_after=_retry_after(response.headers.get("Retry-After")))
        if decode is not None:  # it refuses what it cannot read exactly (run_summaries.py: lone surrogates too)
            decoded = decode(content)
            if decoded is not None:
                record.request_id = decoded[0] or request_id
                return _Decoded(decoded[1])
        surrogates = b"\\ud" in content or b"\\uD" in content  # a lone-surrogate escape, maybe: rare
        try:
            data = json.loads(content) if content else {}
        except (ValueError, RecursionError):
            snippet = content[:120].decode("utf-8", "replace")
            raise errors.InvalidResponse(
                "InvalidResponse", f"the service sent a body that is not JSON: {snippet!r}",
                request_id=request_id, status=response.status_code, operation=op.name) from None
        if surrogates:  # walk the answer only then
            from foas_tui.api.models import scrub_surrogates

            data = scrub_surrogates(data)
        if not isinstance(data, dict):
            raise errors.InvalidResponse(
                "InvalidResponse", f"expected a JSON object, got {type(data).__name__}",
                request_id=request_id, status=response.status_code, operation=op.name)
        record.request_id = _request_id(data) or request_id
        return data

    async def _read_capped(self, response: httpx.Response, operation: str) -> bytes:
        """The decoded body, counted while it is decoded: past the limit, stop reading and raise.

        A gzip bomb is small on the wire and huge decoded, so the count is over what `aiter_bytes` yields
        (after Content-Encoding), never over the whole body read first.
        """
        limit = self.max_response_bytes
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit and "content-encoding" not in response.headers:
            raise errors.ResponseTooLarge(operation, limit, int(declared),
                                          request_id=response.headers.get("x-acs-request-id"))
        chunks: list[bytes] = []
        total = 0
        async for chunk in response.aiter_bytes():
            total += len(chunk)
            if total > limit:
                raise errors.ResponseTooLarge(operation, limit, total,
                                              request_id=response.headers.get("x-acs-request-id"))
            chunks.append(chunk)
        return b"".join(chunks)

    # --- paging and fan-out ----------------------------------------------------------------------

    async def _paginate(self, operation: str, args: dict[str, Any], page_size: int) -> AsyncIterator[Any]:
        op = _operation(operation)
        if op.paging == "token":
            token: str | None = None
            while True:
                page = await self._invoke(operation, {**args, "NextToken": token})
                for item in page.items:
                    yield item
                token = page.next_token
                if not token:
                    return
        index = 1
        previous: list[Any] | None = None
        while True:
            page = await self._invoke(operation, {**args, "pageIndex": index, "pageSize": page_size})
            items = page.items
            if items == previous:
                # A service that ignores pageIndex would page forever: the same page twice ends it.
                log.warning("%s sent page %d twice; stopping the listing there", operation, index)
                return
            for item in items:
                yield item
            total_page = page.total_page
            if (not items or len(items) < page_size or (total_page is not None and index >= total_page)
                    or index >= MAX_PAGES):
                return
            previous = items
            index += 1

    async def gather(
        self, calls: Iterable[Awaitable[T]], *, return_exceptions: bool = True
    ) -> list[T | BaseException]:
        """Run many calls at once; the client's semaphore bounds how many are in flight."""
        return await asyncio.gather(*calls, return_exceptions=return_exceptions)


def _fill(pattern: str, path: dict[str, str]) -> str:
    for key, value in path.items():
        pattern = pattern.replace(f"[{key}]", value)
    return pattern


def _retryable(op: Operation, err: errors.FoasError) -> bool:
    if isinstance(err, errors.ThrottledError):
        return True  # throttled requests were not executed
    if op.mutating:
        return getattr(err, "never_sent", False)
    return isinstance(err, errors.ConnectionFailed | errors.ServerError)


def _parse(op: Operation, data: dict[str, Any], record: CallRecord) -> Any:
    from pydantic import ValidationError

    from foas_tui.api.models import RESPONSE_MODELS

    try:
        return RESPONSE_MODELS[op.name].model_validate(data)
    except ValidationError as exc:
        raise errors.InvalidResponse(
            "InvalidResponse", f"unexpected response shape: {exc.error_count()} field error(s), "
            f"first: {exc.errors()[0]['loc']} {exc.errors()[0]['msg']}",
            request_id=record.request_id, status=record.status, operation=op.name) from None


def _request_id(data: dict[str, Any]) -> str | None:
    value = data.get("RequestId") or data.get("requestId")
    return str(value) if value else None


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


def _reason(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return text[:200]
