"""The web side of `foas-tui serve`: textual-serve's server behind a per-run token and an Origin check.

Jupyter's model: the printed URL carries a random token (`/?token=...`); the page is served only with it,
and the page's websocket URL carries it in its path (`/ws/TOKEN`), where textual-serve's script appends
`?width=..&height=..`. The websocket also needs an `Origin` equal to the served origin, so a page on another
site cannot drive the terminal even if it learnt the address.

Why the token rides in the websocket URL and not in a cookie: cookies are scoped to a host, not a port,
so a cookie set by 127.0.0.1:8000 is also sent to every other local port (and two `serve` runs would
overwrite each other's), and SameSite treats all ports of a host as the same site. A URL token needs no
browser state and is checked with `hmac.compare_digest`. The token is never logged: aiohttp's access log
(which prints request paths) is off, and refusals name what was wrong, not the value sent.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import signal
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
import jinja2
from aiohttp import web
from textual_serve.server import Server

log = logging.getLogger("foas_tui.serve")

TOKEN_QUERY = "token"
# The page may be reloaded from history: never cache it (it embeds the token), never send it as a referrer,
# never let another site frame it.
PAGE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": "frame-ancestors 'none'",
}


def origin_of(url: str) -> tuple[str, str, int] | None:
    """(scheme, host, port) of a URL or an Origin header value; the default port filled in; None if unusable."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        return None
    return scheme, parts.hostname.lower(), port or (443 if scheme == "https" else 80)


def same_token(given: str | None, expected: str) -> bool:
    """Constant-time comparison; bytes, because compare_digest refuses non-ASCII str."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8"))


class TokenServer(Server):
    """textual-serve's Server with a token on the page and the websocket and an Origin check on the latter.

    Only textual-serve's public methods are reused (the websocket handler, the download handler, the
    template); the routes are our own so that the unguarded `/ws` of textual-serve does not exist.
    """

    def __init__(self, command: str, *, host: str, port: int, public_url: str, token: str,
                 allowed_origins: list[str], title: str = "foas-tui") -> None:
        super().__init__(command, host=host, port=port, title=title, public_url=public_url)
        self.token = token
        self.allowed_origins = {o for o in (origin_of(u) for u in allowed_origins) if o is not None}

    # --- the checks -------------------------------------------------------------------------------

    def origin_problem(self, request: web.Request) -> str | None:
        origin = request.headers.get("Origin")
        if not origin:
            return "no Origin header"
        if origin_of(origin) not in self.allowed_origins:
            return "Origin is not the served origin"
        return None

    # --- handlers ---------------------------------------------------------------------------------

    async def handle_token_page(self, request: web.Request) -> web.StreamResponse:
        if not same_token(request.query.get(TOKEN_QUERY), self.token):
            log.warning("refused a page request without the right token from %s", request.remote)
            raise web.HTTPForbidden(
                text="403 Forbidden: open the URL that `foas-tui serve` printed on its terminal "
                     "(it ends with /?token=...).\n")
        font_size = 16
        with contextlib.suppress(ValueError):
            font_size = max(6, min(64, int(request.query.get("fontsize", "16"))))
        base = self.public_url.rstrip("/")
        ws_base = ("wss:" if base.startswith("https:") else "ws:") + base.split(":", 1)[1]
        context = {
            "font_size": font_size,
            "app_websocket_url": f"{ws_base}/ws/{self.token}",
            "config": {"static": {"url": f"{base}/static/"}},
            "application": {"name": self.title},
        }
        response = aiohttp_jinja2.render_template("app_index.html", request, context)
        response.headers.update(PAGE_HEADERS)
        return response

    async def handle_token_websocket(self, request: web.Request) -> web.StreamResponse:
        if not same_token(request.match_info.get("token"), self.token):
            log.warning("refused a websocket without the right token from %s", request.remote)
            raise web.HTTPForbidden(text="403 Forbidden: wrong or missing token.\n")
        problem = self.origin_problem(request)
        if problem is not None:
            log.warning("refused a websocket from %s: %s", request.remote, problem)
            raise web.HTTPForbidden(text=f"403 Forbidden: {problem}.\n")
        return await self.handle_websocket(request)

    async def handle_no_token_websocket(self, request: web.Request) -> web.StreamResponse:
        log.warning("refused a websocket without a token from %s", request.remote)
        raise web.HTTPForbidden(text="403 Forbidden: wrong or missing token.\n")

    # --- the application --------------------------------------------------------------------------

    async def make_app(self) -> web.Application:
        app = web.Application()
        aiohttp_jinja2.setup(app, loader=jinja2.FileSystemLoader(self.templates_path))
        app.add_routes([
            web.get("/", self.handle_token_page, name="index"),
            web.get("/ws", self.handle_no_token_websocket),
            web.get("/ws/{token}", self.handle_token_websocket, name="websocket"),
            # Download keys are random per delivery (Textual's deliver_file); foas-tui delivers no files.
            web.get("/download/{key}", self.handle_download, name="download"),
            web.static("/static", self.statics_path, name="static"),
        ])
        app.on_shutdown.append(self.on_shutdown)
        return app

    def initialize_logging(self) -> None:
        """Plain lines through the redacting formatter, the token registered as a secret.

        textual-serve's own setup renders tracebacks with their local variables, and a request's repr holds
        its path: the token would reach the terminal with the first error in a websocket handler.
        """
        from foas_tui.logging_setup import RedactingFormatter, register_secret

        register_secret(self.token)
        handler = logging.StreamHandler()
        handler.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
        for name in ("textual-serve", "foas_tui.serve", "aiohttp"):
            logger = logging.getLogger(name)
            logger.handlers[:] = [handler]
            logger.setLevel(logging.DEBUG if self.debug else logging.INFO)
            logger.propagate = False
        logging.getLogger("aiohttp.access").disabled = True

    async def on_startup(self, app: web.Application) -> None:
        """textual-serve prints a banner with the URL without its token: ours was printed already."""

    def serve(self, debug: bool = False) -> None:
        """Run until SIGINT/SIGTERM, like textual-serve's serve(), but with aiohttp's access log off:
        it would write every request path, the token included."""
        self.debug = debug
        self.initialize_logging()
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError):
                loop.add_signal_handler(sig, self.request_exit)
        web.run_app(self.make_app(), host=self.host, port=self.port, handle_signals=False, loop=loop,
                    print=lambda *args: None, access_log=None)

    def describe(self) -> dict[str, Any]:
        """What the server was built with, minus the token (for tests and debugging)."""
        return {"command": self.command, "host": self.host, "port": self.port, "public_url": self.public_url,
                "origins": sorted(self.allowed_origins)}
