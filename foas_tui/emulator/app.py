"""The emulator as a plain ASGI app: route by method and path segments, inject faults, verify, dispatch.

Routing and parameter locations come from the emulator's own table (spec_table, generated from the API
specs), never from the client's operations.py: a client mistake must not be mirrored here.
"""

from __future__ import annotations

import asyncio
import json
import logging
import random
import threading
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import TYPE_CHECKING, Any

from foas_tui.emulator.auth import API_VERSION, AuthFailure, RequestView, Verifier
from foas_tui.emulator.faults import ConnectionDropped, FaultConfig
from foas_tui.emulator.handlers import Call, dispatch
from foas_tui.emulator.params import read_params
from foas_tui.emulator.spec_table import OPERATIONS, SpecOp
from foas_tui.emulator.store import ApiError, Store

if TYPE_CHECKING:
    from foas_tui.emulator import EmulatorConfig

log = logging.getLogger("foas_tui.emulator")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

RECOMMEND = "https://error-center.aliyun.com/status/search?Keyword={code}&source=PopGw"


class _Node:
    __slots__ = ("literal", "param", "param_name", "ops")

    def __init__(self) -> None:
        self.literal: dict[str, _Node] = {}
        self.param: _Node | None = None
        self.param_name = ""
        self.ops: dict[str, SpecOp] = {}


class Router:
    """A trie over path segments; `[name]` segments capture a path parameter. Literals win."""

    def __init__(self, operations: dict[str, SpecOp]) -> None:
        self.root = _Node()
        for op in operations.values():
            self.add(op)

    def add(self, op: SpecOp) -> None:
        node = self.root
        for seg in op.path.strip("/").split("/"):
            if seg.startswith("[") and seg.endswith("]"):
                if node.param is None:
                    node.param, node.param_name = _Node(), seg[1:-1]
                elif node.param_name != seg[1:-1]:
                    raise ValueError(f"{op.name}: conflicting parameter names at {seg}")
                node = node.param
            else:
                node = node.literal.setdefault(seg, _Node())
        if op.method in node.ops:
            raise ValueError(f"{op.name} and {node.ops[op.method].name} share {op.method} {op.path}")
        node.ops[op.method] = op

    def match(self, method: str, path: str) -> tuple[SpecOp | None, dict[str, str], list[str]]:
        """(operation, path params, methods allowed at this path)."""
        segments = path.strip("/").split("/")
        found = self._walk(self.root, segments, 0, {})
        if found is None:
            return None, {}, []
        node, params = found
        return node.ops.get(method), params, sorted(node.ops)

    def _walk(self, node: _Node, segs: list[str], i: int, params: dict[str, str]) -> tuple[_Node, dict] | None:
        if i == len(segs):
            return (node, params) if node.ops else None
        seg = segs[i]
        child = node.literal.get(seg)
        if child is not None:
            found = self._walk(child, segs, i + 1, params)
            if found is not None:
                return found
        if node.param is not None and seg:
            return self._walk(node.param, segs, i + 1, {**params, node.param_name: seg})
        return None


class Emulator:
    """The ASGI app. `.store`, `.faults`, `.clock`, `.config`, `.verifier`; call it like any ASGI app."""

    def __init__(self, config: EmulatorConfig, store: Store, faults: FaultConfig, verifier: Verifier) -> None:
        self.config = config
        self.store = store
        self.clock = store.clock
        self.faults = faults
        self.verifier = verifier
        self.router = Router(OPERATIONS)
        self.serving = False  # True under uvicorn: drops then close the socket instead of raising
        self.requests = 0
        self.calls: dict[str, int] = {}
        self._ids = random.Random(f"request-ids:{config.seed}")
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"Emulator(projects={len(self.store.projects)}, region={self.store.region_id!r})"

    def new_request_id(self) -> str:
        with self._lock:
            bits = self._ids.getrandbits(128)
        return str(uuid.UUID(int=bits, version=4)).upper()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        body = await _read_body(receive)
        method = scope["method"]
        path = scope.get("path") or "/"
        query_string = (scope.get("query_string") or b"").decode("utf-8", "replace")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or ()}
        host = headers.get("host", "").split(":")[0] or f"foas.{self.store.region_id}.aliyuncs.com"
        request_id = self.new_request_id()
        self.requests += 1

        op, path_params, allowed = self.router.match(method, path)
        decision = self.faults.decide(op.name if op else None)
        if decision.down or decision.drop:
            await self._drop(scope, send, down=decision.down)
            return
        if decision.hang_s:
            await asyncio.sleep(decision.hang_s)
        if decision.delay_s:
            await asyncio.sleep(decision.delay_s)
        if decision.error is not None:
            status, code, message = decision.error
            extra = {"retry-after": f"{decision.retry_after_s:g}"} if decision.retry_after_s is not None else {}
            await self._send_error(send, status, code, message, request_id, host, extra)
            return
        if op is None:
            status = 405 if allowed else 404
            message = (f"{method} is not allowed on {path}; use {', '.join(allowed)}." if allowed
                       else f"No foas API is served at {method} {path}.")
            await self._send_error(send, status, "InvalidApi.NotFound", message, request_id, host)
            return
        try:
            self.verifier.verify(RequestView(method, path, query_string, headers, body))
            self._check_headers(op, headers)
            params = read_params(op, path_params, query_string, headers.get("content-type", ""), body)
            with self._lock:
                self.calls[op.name] = self.calls.get(op.name, 0) + 1
                result = dispatch(Call(op, params, self.store, self.store.now()))
        except AuthFailure as err:
            await self._send_error(send, err.status, err.code, err.message, request_id, host)
            return
        except ApiError as err:
            await self._send_error(send, err.status, err.code, err.message, request_id, host)
            return
        except Exception as exc:  # an emulator bug: answer like the service would, and log it
            log.exception("emulator handler for %s failed", op.name)
            await self._send_error(send, 500, "InternalError",
                                   f"The request processing has failed due to some unknown error ({exc!r}).",
                                   request_id, host)
            return
        payload = {"RequestId": request_id, **result}
        data = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if decision.malformed:
            data = self.faults.malformed_body(data)
        await _respond(send, 200, data, request_id)

    def _check_headers(self, op: SpecOp, headers: dict[str, str]) -> None:
        version = headers.get("x-acs-version")
        if version is not None and version != API_VERSION:
            raise ApiError(400, "InvalidVersion", f"Specified API version {version!r} is not valid; foas serves "
                           f"{API_VERSION}.")
        action = headers.get("x-acs-action")
        if action is not None and action != op.name:
            raise ApiError(400, "InvalidAction.Mismatch", f"The x-acs-action header says {action!r} but "
                           f"{op.method} {op.path} is {op.name}.")

    async def _drop(self, scope: Scope, send: Send, *, down: bool) -> None:
        """Lose the connection: raise through httpx.ASGITransport; abort the socket under our uvicorn server."""
        if not self.serving and down:
            import httpx

            raise httpx.ConnectError("[Errno 111] Connection refused (emulated: the service is down)")
        abort = scope.get("foas.abort")
        if abort is not None:
            abort()  # no response at all; the raise below only stops uvicorn from answering 500
        elif self.serving:
            # Another server: uvicorn closes the socket when the app fails after starting a response.
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")]})
        raise ConnectionDropped("connection dropped by the emulator (injected fault)")

    async def _send_error(self, send: Send, status: int, code: str, message: str, request_id: str, host: str,
                          extra: dict[str, str] | None = None) -> None:
        body = {"RequestId": request_id, "HostId": host, "Code": code, "Message": message,
                "Recommend": RECOMMEND.format(code=code)}
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        await _respond(send, status, data, request_id, extra)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            break
    return b"".join(chunks)


async def _respond(send: Send, status: int, data: bytes, request_id: str,
                   extra: dict[str, str] | None = None) -> None:
    headers = [
        (b"content-type", b"application/json;charset=utf-8"),
        (b"content-length", str(len(data)).encode()),
        (b"x-acs-request-id", request_id.encode()),
    ]
    for key, value in (extra or {}).items():
        headers.append((key.encode(), value.encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})
