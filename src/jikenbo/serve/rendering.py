"""Templates and the page renderer: the language of a request and ``render`` (no page routes here).

The bottom of the serve package beside :mod:`jikenbo.serve.i18n`: pages and the error renderer
(:mod:`jikenbo.serve.errors`) both draw on it, and it imports neither.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from jikenbo.serve import i18n

HERE = Path(__file__).parent


def safe_url(url: str | None) -> str | None:
    """``url`` when it is http(s), else None (never a javascript: or data: link)."""
    if not url or not isinstance(url, str):
        return None
    u = url.strip()
    return u if u.lower().startswith(("http://", "https://")) and " " not in u else None


def shown_name(source: str | None) -> str:
    """A document's name as pages show it: never an absolute server path (stores made before
    ingest kept names relative hold some: the file name is shown for those)."""
    if not source:
        return ""
    if "://" in source or not (source.startswith("/") or (len(source) > 2 and source[1:3] in (":\\", ":/"))):
        return source
    return source.replace("\\", "/").rstrip("/").rsplit("/", 1)[-1]


templates = Jinja2Templates(directory=HERE / "templates")
templates.env.autoescape = True
templates.env.globals.update(label=i18n.label, safe_url=safe_url, shown_name=shown_name)


def lang_of(request: Request) -> str:
    q = request.query_params.get("lang")
    if q in i18n.LANGS:
        return q
    c = request.cookies.get("lang")
    return c if c in i18n.LANGS else "ja"


def render(request: Request, name: str, ctx: dict[str, Any], status: int = 200) -> Response:
    lang = lang_of(request)
    other = "en" if lang == "ja" else "ja"
    switch = request.url.include_query_params(lang=other)
    state = getattr(request.app, "state", None) if "app" in request.scope else None
    base = {"request": request, "lang": lang, "t": lambda key, **kw: i18n.t(lang, key, **kw),
            "L": lambda group, value: i18n.label(lang, group, value),
            "R": lambda text: i18n.reason(lang, text),
            "lang_url": f"{switch.path}?{switch.query}", "writes": getattr(state, "writes", None),
            "path": request.url.path}
    resp = templates.TemplateResponse(request, name, {**base, **ctx}, status_code=status)
    if request.query_params.get("lang") in i18n.LANGS:
        resp.set_cookie("lang", lang, max_age=365 * 86400, samesite="lax", httponly=True)
    return resp


def render_error_page(request: Request, status: int, message: str) -> Response:
    try:
        shown, original = i18n.message(lang_of(request), message, status)
        return render(request, "error.html", {"status": status, "message": shown, "original": original},
                      status=status)
    except Exception:  # the error page itself failed: plain text, still no traceback
        return HTMLResponse(f"<!doctype html><title>{status}</title><p>error {status}</p>", status_code=status)
