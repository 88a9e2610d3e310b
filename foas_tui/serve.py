"""`foas-tui serve`: the TUI in a web browser through textual-serve, for bastions that only allow HTTP.

Each browser tab runs its own `python -m foas_tui ARGS` process, with the credentials of the account that
started it. In front of it: a random token per run in the printed URL (the page and the websocket refuse
requests without it with 403) and an Origin check on the websocket (foas_tui/serve_web.py). It binds to
loopback by default (reach it through an SSH tunnel) and warns loudly otherwise.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import shlex
import socket
import sys
from typing import TextIO

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}
PUBLIC_URL_ENV = "FOAS_TUI_SERVE_PUBLIC_URL"  # the URL the browser uses, when it differs (reverse proxy)


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def app_command(app_args: list[str]) -> str:
    """The command textual-serve runs per browser session: this Python, this package."""
    args = [a for a in app_args if a != "--"]
    return shlex.join([sys.executable, "-m", "foas_tui", *args])


def public_url(host: str, port: int) -> str:
    """The URL the page tells the browser to open its websocket on (textual-serve makes it absolute).

    IPv6 literals get brackets; a wildcard bind (0.0.0.0, ::) is reached by this machine's name.
    """
    name = host.strip("[]")
    try:
        if ipaddress.ip_address(name).is_unspecified:
            name = socket.getfqdn()
            if is_loopback(name) or name.startswith("localhost"):  # a box whose name resolves to itself only
                name = socket.gethostname()
    except ValueError:
        pass
    shown = f"[{name}]" if ":" in name else name
    return f"http://{shown}:{port}"


def exposure_warning(host: str, port: int) -> str | None:
    """The warning printed when the server is reachable from other machines; None on loopback."""
    if is_loopback(host):
        return None
    return (
        f"WARNING: serving on {host}, not loopback: anyone who can reach {host}:{port} and learns the URL\n"
        "(its token) gets a terminal with your credentials; the traffic is plain HTTP (no login page,\n"
        "no TLS). Prefer an SSH tunnel:\n"
        f"  ssh -L {port}:127.0.0.1:{port} bastion  then, on the bastion:  foas-tui serve --port {port}\n"
        f"  and open the printed http://127.0.0.1:{port}/?token=... URL in your browser. If the browser\n"
        f"  reaches this machine under another name or port (a reverse proxy, a tunnel), pass --public-url https://that-name/."
    )


def bind_problem(host: str, port: int) -> str | None:
    """Why the server could not listen on host:port (port in use, no such address), checked up front."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        return f"cannot resolve {host!r}: {exc.strerror or exc}"
    family, kind, proto, _, address = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        return f"cannot listen on {host}:{port}: {exc.strerror or exc}"
    finally:
        sock.close()
    return None


def serve(host: str, port: int, app_args: list[str], *, url: str | None = None,
          out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Serve the app until Ctrl+C. Returns the exit status (2 for a port or address that cannot be used)."""
    out = out or sys.stdout
    err = err or sys.stderr
    if not 0 < port < 65536:
        print(f"foas-tui serve: --port must be within 1..65535, not {port}", file=err)
        return 2
    problem = bind_problem(host, port)
    if problem is not None:
        print(f"foas-tui serve: {problem}", file=err)
        return 2
    warning = exposure_warning(host, port)
    if warning:
        print(warning, file=err)
        err.flush()
    from foas_tui import serve_web

    command = app_command(app_args)
    url = (url or os.environ.get(PUBLIC_URL_ENV) or public_url(host, port)).rstrip("/")
    if serve_web.origin_of(url) is None:
        print(f"foas-tui serve: --public-url must be an http:// or https:// URL with a host, not {url!r}", file=err)
        return 2
    token = secrets.token_urlsafe(32)
    # The one place the token is shown: the URL to open. Nothing else prints or logs it.
    print(f"Serving foas-tui at {url}/?token={token}", file=out)
    print(f"(each browser tab runs: {command}); Ctrl+C to stop.", file=out)
    out.flush()
    server = serve_web.TokenServer(command, host=host, port=port, title="foas-tui", public_url=url, token=token,
                                   allowed_origins=served_origins(host, port, url))
    server.serve()
    return 0


def served_origins(host: str, port: int, url: str) -> list[str]:
    """The origins a websocket may come from: the public URL's, and the bind address's when it is one."""
    origins = [url]
    name = host.strip("[]")
    try:
        unspecified = ipaddress.ip_address(name).is_unspecified
    except ValueError:
        unspecified = False
    if not unspecified:
        origins.append(f"http://[{name}]:{port}" if ":" in name else f"http://{name}:{port}")
    return origins
