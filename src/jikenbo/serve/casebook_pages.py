"""The casebook in the web UI and the API: an incident's entry (この事件の記録) and the month's
or year's report (月報 / 年報), as HTML pages or as Markdown / HTML / PDF / JSON downloads.

    GET /incidents/{id}/casebook[?format=md|pdf]     GET /api/incidents/{id}/casebook?format=…
    GET /reports → the latest month; /reports/{YYYY-MM|YYYY}[?by=type&format=…]
    GET /api/reports/{YYYY-MM|YYYY}?format=md|html|pdf|json&by=…
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from jikenbo import casebook
from jikenbo.casebook import CasebookError, render
from jikenbo.casebook.render import css, to_html
from jikenbo.casebook.report import Period
from jikenbo.serve import i18n
from jikenbo.serve.deps import reader
from jikenbo.serve.errors import ERROR_RESPONSES, ServeError
from jikenbo.store import Filters, Store

router = APIRouter()
Fmt = Literal["html", "md", "pdf", "json"]
Lang = Literal["ja", "en"]
Dim = Literal["type", "industry", "leak-status", "category", "authority"]
MEDIA = {"md": "text/markdown; charset=utf-8", "html": "text/html; charset=utf-8", "pdf": "application/pdf"}
CSS_HREF = "/casebook/casebook.css"
_ERR = {k: ERROR_RESPONSES[k] for k in (400, 404, 422, 503)}
_OK = {200: {"description": "The casebook in the format asked for (json: the Casebook's plain data)",
             "content": {**{m: {} for m in MEDIA.values()}, "application/json": {}}}}


def _lang(request: Request, lang: str | None) -> str:
    if lang in ("ja", "en"):
        return lang
    c = request.cookies.get("lang")
    return c if c in ("ja", "en") else "ja"


async def _respond(cb: casebook.Casebook, fmt: str, name: str, links: dict[str, str] | None = None) -> Response:
    if fmt == "json":
        return Response(_json(cb), media_type="application/json")
    if fmt == "html" and links is not None:
        return Response(to_html(cb, css_href=CSS_HREF, links=links), media_type=MEDIA["html"])
    try:
        data = await run_in_threadpool(render, cb, fmt)
    except CasebookError as e:
        raise ServeError(503, str(e)) from e
    # a standalone file (its inline style is refused by this site's policy when shown in place)
    headers = {"content-disposition": f'attachment; filename="{name}.{fmt}"'}
    return Response(data, media_type=MEDIA[fmt], headers=headers)


def _json(cb: casebook.Casebook) -> str:
    import json

    return json.dumps(asdict(cb), ensure_ascii=False)


def _entry(store: Store, incident_id: str, lang: str) -> casebook.Casebook:
    try:
        return casebook.entry(store, incident_id, lang=lang)
    except CasebookError as e:
        raise ServeError(404, f"incident {incident_id!r} not found") from e


def _report(store: Store, period: str, by: list[str], lang: str, charts: bool) -> casebook.Casebook:
    try:
        return casebook.report(store, period, by=by, lang=lang, charts=charts)
    except CasebookError as e:
        raise ServeError(400, str(e)) from e


# ---------------------------------------------------------------------------- pages
@router.get(CSS_HREF, include_in_schema=False)
def casebook_css() -> Response:
    return Response(css(), media_type="text/css; charset=utf-8")


@router.get("/incidents/{incident_id}/casebook", include_in_schema=False)
async def entry_page(request: Request, incident_id: str, store: Annotated[Store, Depends(reader)],
                     format: Fmt = "html", lang: Lang | None = None) -> Response:
    lg = _lang(request, lang)
    cb = await run_in_threadpool(_entry, store, incident_id, lg)
    links = {i18n.t(lg, "back_incident"): f"/incidents/{incident_id}",
             "Markdown": f"?format=md&lang={lg}", "PDF": f"?format=pdf&lang={lg}"}
    return await _respond(cb, format, incident_id, links)


@router.get("/reports", include_in_schema=False)
def reports_index(store: Annotated[Store, Depends(reader)]) -> Response:
    latest = store.incidents(Filters(), sort="-disclosure_date", limit=1)
    month = (latest[0].get("disclosure_date") or "")[:7] if latest else ""
    return RedirectResponse(f"/reports/{month}" if month else "/reports/" + _this_month(), status_code=303)


def _this_month() -> str:
    from datetime import date

    return date.today().isoformat()[:7]


def _neighbours(period: Period, lg: str) -> dict[str, str]:
    if period.month is None:
        y = period.year
        return {f"← {y - 1}": f"/reports/{y - 1}", f"{y + 1} →": f"/reports/{y + 1}"}
    y, m = period.year, period.month
    prev = f"{y - (m == 1):04d}-{(m - 2) % 12 + 1:02d}"
    nxt = f"{y + (m == 12):04d}-{m % 12 + 1:02d}"
    return {f"← {prev}": f"/reports/{prev}", f"{nxt} →": f"/reports/{nxt}",
            i18n.t(lg, "year_review", y=y): f"/reports/{y}"}


@router.get("/reports/{period}", include_in_schema=False)
async def report_page(request: Request, period: str, store: Annotated[Store, Depends(reader)],
                      by: Annotated[list[Dim] | None, Query()] = None, format: Fmt = "html",
                      lang: Lang | None = None) -> Response:
    lg = _lang(request, lang)
    cb = await run_in_threadpool(_report, store, period, list(by or []), lg, format != "md")
    links = {i18n.t(lg, "back_incidents"): "/",
             **_neighbours(Period.parse(period), lg), "Markdown": f"?format=md&lang={lg}", "PDF": f"?format=pdf&lang={lg}"}
    return await _respond(cb, format, f"jikenbo-{period}", links)


# ---------------------------------------------------------------------------- API
@router.get("/api/incidents/{incident_id}/casebook", responses={**_OK, **_ERR},
            summary="The incident's casebook entry (Markdown, HTML, PDF or JSON)", tags=["casebook"])
async def api_entry(request: Request, incident_id: str, store: Annotated[Store, Depends(reader)],
                    format: Fmt = "md", lang: Lang = "ja") -> Response:
    cb = await run_in_threadpool(_entry, store, incident_id, lang)
    return await _respond(cb, format, incident_id)


@router.get("/api/reports/{period}", responses={**_OK, **_ERR},
            summary="The casebook of a month (YYYY-MM) or a year (YYYY)", tags=["casebook"])
async def api_report(request: Request, period: str, store: Annotated[Store, Depends(reader)],
                     by: Annotated[list[Dim] | None, Query()] = None, format: Fmt = "md",
                     lang: Lang = "ja") -> Response:
    cb = await run_in_threadpool(_report, store, period, list(by or []), lang, format not in ("md", "json"))
    return await _respond(cb, format, f"jikenbo-{period}")
