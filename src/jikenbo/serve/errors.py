"""Status-carrying errors and the one place that renders them (JSON under /api/, HTML elsewhere).

Every error a user sees has the shape ``{"error": {"status": 404, "message": "..."}}`` (JSON) or
the error page (HTML). No traceback ever reaches a user: unexpected exceptions are logged and
answered with a generic 500.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from jikenbo.read import ReadFailure
from jikenbo.serve.rendering import render_error_page
from jikenbo.store import FilterError, StoreError

log = logging.getLogger(__name__)


class ServeError(Exception):
    """An error with the HTTP status it should be answered with; ``message`` is one line."""

    def __init__(self, status: int, message: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class ErrorDetail(BaseModel):
    status: int
    message: str


class ErrorOut(BaseModel):
    """The one error shape of the API."""

    error: ErrorDetail


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorOut, "description": desc} for code, desc in (
        (400, "Bad request (a filter or query that cannot be used)"),
        (401, "Reading needs the server's read token (only when it has one)"),
        (403, "Writing is not allowed (token missing or wrong, or writes disabled)"),
        (404, "Not found"),
        (413, "Request body too large"),
        (422, "Invalid parameter"),
        (429, "Too many requests from this address (Retry-After says when to try again)"),
        (500, "Internal error"),
        (503, "The store cannot be read, or the server is busy extracting (Retry-After)"),
    )
}

_REASONS = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
            413: "Content Too Large", 422: "Unprocessable Content", 429: "Too Many Requests", 500: "Internal Server Error",
            503: "Service Unavailable"}


def error_body(status: int, message: str) -> dict[str, Any]:
    return {"error": {"status": status, "message": message}}


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/openapi.json"


def render_error(request: Request, status: int, message: str) -> Response:
    """The single renderer: JSON for the API, the error page for the UI."""
    if _wants_json(request):
        return JSONResponse(error_body(status, message), status_code=status)
    return render_error_page(request, status, message)


def _validation_message(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:3]:
        loc = ".".join(str(x) for x in err.get("loc", ()) if x not in ("query", "path", "body"))
        parts.append(f"{loc or 'request'}: {err.get('msg', 'invalid')}")
    return "; ".join(parts) or "invalid request"


def install(app: FastAPI) -> None:
    """Route every kind of exception to :func:`render_error`."""

    @app.exception_handler(ServeError)
    async def _serve_error(request: Request, exc: ServeError) -> Response:
        resp = render_error(request, exc.status, exc.message)
        resp.headers.update(exc.headers)
        return resp

    @app.exception_handler(FilterError)
    async def _filter_error(request: Request, exc: FilterError) -> Response:
        return render_error(request, 400, str(exc))

    @app.exception_handler(ReadFailure)
    async def _read_error(request: Request, exc: ReadFailure) -> Response:
        return render_error(request, 400, str(exc))

    @app.exception_handler(StoreError)
    async def _store_error(request: Request, exc: StoreError) -> Response:
        msg = str(exc)
        status = 400 if msg.startswith("search") or msg.startswith("sort") or msg.startswith("--") else 503
        return render_error(request, status, msg)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        return render_error(request, 422, _validation_message(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = exc.detail if isinstance(exc.detail, str) and exc.detail else _REASONS.get(exc.status_code, "error")
        resp = render_error(request, exc.status_code, detail)
        if exc.headers:
            resp.headers.update(exc.headers)
        return resp

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        log.error("unexpected error on %s %s: %s: %s", request.method, request.url.path,
                  type(exc).__name__, exc, exc_info=log.isEnabledFor(logging.DEBUG))
        return render_error(request, 500, "internal error (see the server log)")
