"""`foas-tui serve`: the TUI in a web browser through textual-serve, for bastions that only allow HTTP."""

from __future__ import annotations

import ipaddress
import shlex
import sys

LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def app_command(app_args: list[str]) -> str:
    """The command textual-serve runs per browser session: this Python, this package."""
    args = [a for a in app_args if a != "--"]
    return shlex.join([sys.executable, "-m", "foas_tui", *args])


def serve(host: str, port: int, app_args: list[str]) -> int:
    if not is_loopback(host):
        print(
            f"WARNING: serving on {host}, not loopback: anyone who can reach {host}:{port} gets a terminal\n"
            "with your credentials and can act on your jobs. Prefer an SSH tunnel:\n"
            f"  ssh -L {port}:127.0.0.1:{port} bastion  then  foas-tui serve --port {port}",
            file=sys.stderr,
        )
    from textual_serve.server import Server

    command = app_command(app_args)
    print(f"Serving foas-tui at http://{host}:{port}/ (runs: {command}); Ctrl+C to stop.")
    Server(command, host=host, port=port, title="foas-tui").serve()
    return 0
