"""The web app: ``create_app`` builds the FastAPI application over one incident store.

UI pages (server-rendered Jinja2, Japanese with an English switch) and a JSON API under
``/api/``. Security: every response carries a strict Content-Security-Policy (no inline
script), request bodies are capped, writes follow :class:`jikenbo.serve.deps.WritePolicy`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from jikenbo import __version__
from jikenbo.serve import errors
from jikenbo.serve.background import Background
from jikenbo.serve.deps import READ_COOKIE, ReadPolicy, StoreHub, WritePolicy, is_loopback
from jikenbo.serve.errors import ServeError
from jikenbo.serve.jobs import ExtractPool, RateLimit
from jikenbo.serve.settings import ServeSettings

HERE = Path(__file__).parent
log = logging.getLogger("jikenbo.serve.errors")
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class Guard:
    """ASGI middleware: security headers on every response; request bodies capped in size."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.max_body
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        too_big = f"request body too large (the limit is {limit:,} bytes)"
        seen = 0
        started = False

        async def send_with_headers(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
                existing = {k.lower() for k, _ in msg.get("headers", [])}
                msg = {**msg, "headers": [*msg.get("headers", []),
                                          *[(k, v) for k, v in SECURITY_HEADERS if k not in existing]]}
            await send(msg)

        if declared is not None and declared.isdigit() and int(declared) > limit:
            # refused before reading a byte; answered by the one error renderer
            resp = errors.render_error(Request(scope), 413, too_big)
            await resp(scope, receive, send_with_headers)
            return

        async def capped_receive() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > limit:
                    raise ServeError(413, too_big)
            return msg

        try:
            await self.app(scope, capped_receive, send_with_headers)
        except Exception as exc:  # the last line of defence: one log line, a 500 page, no traceback
            log.error("unexpected error on %s %s: %s: %s", scope.get("method"), scope.get("path"),
                      type(exc).__name__, exc, exc_info=log.isEnabledFor(logging.DEBUG))
            if not started:
                resp = errors.render_error(Request(scope), 500, "internal error (see the server log)")
                await resp(scope, receive, send_with_headers)


READ_NEEDS_TOKEN = "reading needs the server's token (Authorization: Bearer <token>, or ?token=<token> in the address)"
OPEN_PATHS = ("/static/",)


class ReadGuard:
    """ASGI middleware: with a read token, every request but static files needs a token.

    A token may come as ``Authorization: Bearer``, as the cookie set after ``?token=``, or as
    ``?token=`` itself: on a page the browser is sent back to the address without it, holding an
    HttpOnly, SameSite=Strict cookie; feeds and the API just answer (a feed reader has no header).
    """

    def __init__(self, app: ASGIApp, policy: ReadPolicy) -> None:
        self.app = app
        self.policy = policy

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self.policy.needs_token or scope["path"].startswith(OPEN_PATHS):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        if self.policy.allows(request):
            await self.app(scope, receive, send)
            return
        given = request.query_params.get("token")
        if self.policy.accepts(given):
            path = scope["path"]
            if request.method in ("GET", "HEAD") and not path.startswith(("/api/", "/feeds/")):
                rest = [(k, v) for k, v in request.query_params.multi_items() if k != "token"]
                resp = RedirectResponse(path + ("?" + urlencode(rest) if rest else ""), status_code=303)
                resp.set_cookie(READ_COOKIE, self.policy.cookie_value(), httponly=True, samesite="strict",
                                secure=request.url.scheme == "https", path="/")
                await resp(scope, receive, send)
                return
            await self.app(scope, receive, send)
            return
        resp = errors.render_error(request, 401, READ_NEEDS_TOKEN)
        resp.headers["www-authenticate"] = 'Bearer realm="jikenbo"'
        await resp(scope, receive, send)


def create_app(db_path: str | Path | None = None, *, token: str | None = None, allow_private_urls: bool = False,
               host: str = "127.0.0.1", settings: dict[str, Any] | None = None,
               read_token: str | None = None) -> FastAPI:
    """The jikenbo web app over the store at ``db_path`` (default: the user's store).

    :param token: when set, writes need ``Authorization: Bearer <token>`` (or the form field);
        without a token, writes are allowed only when ``host`` is a loopback address
    :param read_token: when set, every request but ``/static/`` needs this token or ``token``
        (``Authorization: Bearer``, or ``?token=`` once in a browser, which sets a cookie)
    :param allow_private_urls: let URL ingestion reach private and loopback addresses
    :param host: the address the server listens on (decides the write rule)
    :param settings: overrides of ``serve.toml`` values (tests)
    """
    from jikenbo.serve import alerts, api, casebook_pages, pages

    cfg = ServeSettings.load(**(settings or {}))

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.extract_pool.start()
        try:
            yield
        finally:
            app.state.extract_pool.close()
            app.state.hub.close()

    app = FastAPI(title="jikenbo", version=__version__, docs_url=None, redoc_url=None, lifespan=lifespan,
                  description="Incidents, notices, search, facets and statistics of the jikenbo store. "
                              "Every error is {\"error\": {\"status\": N, \"message\": \"...\"}}.")
    app.state.hub = StoreHub(db_path)
    app.state.bg = Background(app.state.hub)
    app.state.cfg = cfg
    app.state.writes = WritePolicy(host=host, token=token or None)
    app.state.reads = ReadPolicy(token=read_token or None, write_token=token or None)
    app.state.allow_private_urls = allow_private_urls
    app.state.try_cache = pages.TryCache(cfg.try_cache_entries)
    app.state.extract_pool = ExtractPool(cfg.extract_workers, cfg.extract_queue, cfg.retry_after_seconds)
    # the extraction endpoints need no token: beyond loopback, each client address is rate-limited
    app.state.extract_limit = RateLimit(0 if is_loopback(host) else cfg.extract_rate_per_minute,
                                        cfg.extract_burst)
    errors.install(app)
    app.include_router(api.router)
    app.include_router(casebook_pages.router)
    app.include_router(pages.router)
    app.include_router(alerts.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(ReadGuard, policy=app.state.reads)
    app.add_middleware(Guard, max_body=cfg.max_upload_bytes)  # outermost: headers and the cap on 401s too

    return app
