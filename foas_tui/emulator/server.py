"""Run the emulator as a real HTTP server (uvicorn): `serve()`, a background `ServerThread`, the CLI command."""

from __future__ import annotations

import argparse
import errno
import ipaddress
import logging
import socket
import sys
import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from foas_tui.emulator import DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET, EmulatorConfig, create_app

# The emulator itself (app, store, runtime: ~90 ms to import without .pyc) is imported when one is served:
# `foas-tui` builds this module's argument parser on every start, `foas-tui --demo` included (cli.py).
if TYPE_CHECKING:
    from foas_tui.emulator.app import Emulator


class _DropFilter(logging.Filter):
    """Keep uvicorn from logging a traceback for every connection we drop on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        from foas_tui.emulator.faults import ConnectionDropped

        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


def _quiet_drops() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _DropFilter) for f in logger.filters):
        logger.addFilter(_DropFilter())


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on sockets that say so, and without it every
    # kept-alive answer waits ~40 ms for the peer's delayed ACK (Nagle).
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _abortable_protocol() -> type:
    """uvicorn's h11 protocol, giving the app `scope["foas.abort"]`: drop the connection without a response."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class AbortableH11Protocol(H11Protocol):
        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            inner = self.app

            async def app(scope: Any, receive: Any, send: Any) -> None:
                scope["foas.abort"] = transport.abort
                await inner(scope, receive, send)

            self.app = app

    return AbortableH11Protocol


def _uvicorn_server(emulator: Any, *, log_level: str = "warning") -> Any:
    import uvicorn

    from foas_tui.emulator.app import Emulator

    if isinstance(emulator, Emulator):
        emulator.serving = True
    _quiet_drops()
    config = uvicorn.Config(emulator, log_level=log_level, access_log=False, lifespan="off",
                            timeout_graceful_shutdown=1, http=_abortable_protocol())
    return uvicorn.Server(config)


class ServerThread:
    """The emulator on a loopback port in a background thread (tests, benchmarks, SDK round trips).

    with ServerThread(create_app()) as server:
        server.endpoint  # 'http://127.0.0.1:PORT'
    """

    def __init__(self, emulator: Any = None, host: str = "127.0.0.1", port: int = 0) -> None:
        self.emulator = emulator or create_app()
        self._sock = _bind(host, port)
        self.host, self.port = self._sock.getsockname()[:2]
        self._server = _uvicorn_server(self.emulator)
        self._thread = threading.Thread(target=self._run, name="foas-emulator", daemon=True)

    @property
    def endpoint(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def netloc(self) -> str:
        return self.endpoint.removeprefix("http://")

    def _run(self) -> None:
        self._server.run(sockets=[self._sock])

    def start(self) -> ServerThread:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the emulator server did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)
        self._sock.close()

    def __enter__(self) -> ServerThread:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def serve(
    host: str = "127.0.0.1",
    port: int = 8123,
    *,
    jobs: int = 64,
    seed: int = 7,
    region_id: str = "cn-hangzhou",
    step_seconds: float = 3.0,
    latency_ms: float = 0.0,
    jitter_ms: float = 0.0,
    error_rate: float = 0.0,
    throttle_rate: float = 0.0,
    malformed_rate: float = 0.0,
    drop_rate: float = 0.0,
    hang_s: float = 0.0,
    fault_ops: Sequence[str] = (),
    log_level: str = "warning",
    out: TextIO | None = None,
    hostile: bool = False,
) -> int:
    """Run the emulator in the foreground until Ctrl-C. port=0 picks a free port. Returns an exit code."""
    out = out or sys.stdout
    try:  # first: a busy port is known at once, before the demo data is built
        sock = _bind(host, port)
    except (OSError, OverflowError) as err:
        print(bind_error(host, port, err), file=sys.stderr)
        return 1
    emulator = create_app(EmulatorConfig(seed=seed, jobs=jobs, region_id=region_id, step_seconds=step_seconds,
                                         hostile=hostile))
    knobs = {"latency_ms": latency_ms or None, "jitter_ms": jitter_ms or None, "error_rate": error_rate or None,
             "throttle": throttle_rate or None, "malformed": malformed_rate or None, "drop": drop_rate or None,
             "hang_s": hang_s or None}
    if any(v is not None for v in knobs.values()):
        for op in fault_ops or (None,):
            emulator.faults.set(op, **knobs)
    warning = loopback_warning(host)
    if warning:
        print(warning, file=sys.stderr)
    print(banner(emulator, *sock.getsockname()[:2]), file=out)
    out.flush()
    server = _uvicorn_server(emulator, log_level=log_level)
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:
        pass
    finally:
        sock.close()
    return 0


def bind_error(host: str, port: int, err: BaseException) -> str:
    """One line for a port the emulator cannot listen on (in use, privileged, out of range, unknown host)."""
    where = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    reason = getattr(err, "strerror", None) or str(err)
    if getattr(err, "errno", None) == errno.EADDRINUSE:
        hint = "another program (an emulator already running?) listens there; pick another --port, or --port 0"
    elif getattr(err, "errno", None) == errno.EACCES:
        hint = "ports below 1024 need privileges; pick a --port of 1024 or more"
    elif isinstance(err, OverflowError):
        reason, hint = "port out of range", "a --port is 0..65535 (0 = any free port)"
    else:
        hint = "check --host and --port"
    return f"foas-tui emulator: cannot listen on {where}: {reason.lower()}; {hint}."


def loopback_warning(host: str) -> str | None:
    if is_loopback(host):
        return None
    return (f"WARNING: the emulator listens on {host}, which is not a loopback address: anyone who can reach "
            "this machine can call it with the demo credentials. Use --host 127.0.0.1 unless you mean it.")


def banner(emulator: Emulator, host: str, port: int) -> str:
    """What `foas-tui emulator` prints: the endpoint, the demo credentials and how to connect."""
    shown = f"[{host}]" if ":" in host else host
    endpoint = f"http://{shown}:{port}"
    store = emulator.store
    lines = [
        f"foas emulator listening on {endpoint}  (region {store.region_id}, {len(store.projects)} projects, "
        f"{sum(len(p.jobs) for p in store.projects.values())} jobs)",
        f"  AccessKey ID:     {DEMO_ACCESS_KEY_ID}",
        f"  AccessKey secret: {DEMO_ACCESS_KEY_SECRET}   (made up; it opens this emulator only)",
        f"  try: foas-tui --endpoint {endpoint} --region {store.region_id} --access-key-id {DEMO_ACCESS_KEY_ID}",
    ]
    if emulator.faults.active:
        lines.append(f"  faults: {emulator.faults!r}")
    return "\n".join(lines)


def add_emulator_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Register `foas-tui emulator ...` on the CLI's subparsers."""
    parser = subparsers.add_parser(
        "emulator", help="run the foas emulator as an HTTP server (demo data, fault injection)",
        description="Serve the foas OpenAPI emulator on a local port, with deterministic demo data. "
                    "Point foas-tui (or the official SDK) at the printed endpoint with the demo AccessKey.")
    parser.add_argument("--host", default="127.0.0.1", help="bind address (default 127.0.0.1, loopback only)")
    parser.add_argument("--port", type=int, default=8123, help="port (default 8123; 0 = any free port)")
    parser.add_argument("--jobs", type=int, default=64, help="number of demo jobs (default 64)")
    parser.add_argument("--seed", type=int, default=7, help="seed of the demo data and the fault dice")
    parser.add_argument("--region", default="cn-hangzhou", help="region id the emulator serves")
    parser.add_argument("--step-seconds", type=float, default=3.0, help="duration of each state change")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="added latency per request")
    parser.add_argument("--jitter-ms", type=float, default=0.0, help="random +/- jitter on the latency")
    parser.add_argument("--error-rate", type=float, default=0.0, help="probability of a random 5xx error")
    parser.add_argument("--throttle-rate", type=float, default=0.0,
                        help="probability of Throttling.User (429 with Retry-After)")
    parser.add_argument("--malformed-rate", type=float, default=0.0, help="probability of a garbled 200 body")
    parser.add_argument("--drop-rate", type=float, default=0.0, help="probability of dropping the connection")
    parser.add_argument("--hang-s", type=float, default=0.0, help="sleep this long before every answer")
    parser.add_argument("--fault-op", action="append", default=[], metavar="OP",
                        help="apply the fault flags to this operation only (repeatable)")
    parser.add_argument("--log-level", default="warning", choices=("debug", "info", "warning", "error"))
    parser.set_defaults(handler=_run_from_args)
    return parser


def _run_from_args(args: argparse.Namespace) -> int:
    from foas_tui.api.operations import OPERATIONS

    for op in args.fault_op:
        if op not in OPERATIONS:
            print(f"foas-tui emulator: unknown operation {op!r} for --fault-op", file=sys.stderr)
            return 2
    for name in ("error_rate", "throttle_rate", "malformed_rate", "drop_rate"):
        if not 0.0 <= getattr(args, name) <= 1.0:
            print(f"foas-tui emulator: --{name.replace('_', '-')} must be within 0..1", file=sys.stderr)
            return 2
    return serve(
        args.host, args.port, jobs=args.jobs, seed=args.seed, region_id=args.region,
        step_seconds=args.step_seconds, latency_ms=args.latency_ms, jitter_ms=args.jitter_ms,
        error_rate=args.error_rate, throttle_rate=args.throttle_rate, malformed_rate=args.malformed_rate,
        drop_rate=args.drop_rate, hang_s=args.hang_s, fault_ops=args.fault_op, log_level=args.log_level,
        hostile=bool(getattr(args, "hostile_text", False)),
    )
