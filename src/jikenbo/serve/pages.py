"""The HTML pages: incidents, incident, statistics, try a notice, and the error page."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from jikenbo.models import Document, Record
from jikenbo.serve import charts, i18n, views
from jikenbo.serve.deps import ListParams, StoreHub, list_params, reader
from jikenbo.serve.errors import ServeError
from jikenbo.serve.extracting import extract_view, read_upload
from jikenbo.serve.fetching import fetch_document
from jikenbo.serve.jobs import extract_for, too_much_text
from jikenbo.serve.rendering import lang_of, render
from jikenbo.serve.settings import ServeSettings
from jikenbo.store import Store, notice_id

router = APIRouter(include_in_schema=False)


def hub(request: Request) -> StoreHub:
    return request.app.state.hub


def cfg(request: Request) -> ServeSettings:
    return request.app.state.cfg


# ---------------------------------------------------------------------------- incidents
@router.get("/", response_class=HTMLResponse)
def incidents_page(request: Request, p: Annotated[ListParams, Depends(list_params)], store: Annotated[Store, Depends(reader)]) -> Response:
    c = cfg(request)
    bg = request.app.state.bg
    result = views.list_incidents(store, p, c, bg)
    facets, exact = views.facets(store, p, bg, budget=c.facet_budget_ms / 1000)
    return render(request, "incidents.html", {
        "p": p, "result": result, "facets": facets, "facets_exact": exact, "facet_param": views.FACET_PARAM,
        "sorts": [k for k in i18n.VALUES["sort"] if k and (k != "relevance" or p.q)]})


@router.get("/incidents/{incident_id}", response_class=HTMLResponse)
def incident_page(request: Request, incident_id: str, store: Annotated[Store, Depends(reader)]) -> Response:
    data = views.incident_page(store, incident_id, cfg(request))
    if data.get("judge"):
        data["judge_view"] = i18n.judgement(lang_of(request), data["judge"], data["inc"].get("affected_total"))
    return render(request, "incident.html", data)


@router.get("/vendors/{name}", response_class=HTMLResponse)
def vendor_page(request: Request, name: Annotated[str, PathParam(max_length=200)],
                store: Annotated[Store, Depends(reader)]) -> Response:
    return render(request, "vendor.html", views.vendor_page(store, name))


@router.get("/notices/{notice_id}")
def notice_page(notice_id: str, store: Annotated[Store, Depends(reader)]) -> Response:
    n = store.notice(notice_id)
    if n is None or not n.get("incident_id"):
        raise ServeError(404, f"notice {notice_id!r} not found")
    return RedirectResponse(f"/incidents/{n['incident_id']}#notice-{notice_id}", status_code=303)


# ---------------------------------------------------------------------------- statistics
@router.get("/stats", response_class=HTMLResponse)
def stats_page(request: Request, p: Annotated[ListParams, Depends(list_params)], store: Annotated[Store, Depends(reader)]) -> Response:
    lang = lang_of(request)
    charts_ = charts.all_charts(p.filters(), lang, request.app.state.bg, cfg(request).chart_budget_ms / 1000)
    return render(request, "stats.html", {"p": p, "charts": charts_})


# ---------------------------------------------------------------------------- try a notice
class TryCache:
    """Documents extracted on the try page, kept until stored (least recently used dropped)."""

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._d: OrderedDict[str, tuple[Document, list[Record]]] = OrderedDict()
        self._lock = threading.Lock()

    def put(self, doc: Document, records: list[Record]) -> str:
        key = hashlib.sha256(doc.sha256.encode() + doc.source.encode()).hexdigest()[:24]
        with self._lock:
            self._d[key] = (doc, records)
            self._d.move_to_end(key)
            while len(self._d) > self.size:
                self._d.popitem(last=False)
        return key

    def get(self, key: str) -> tuple[Document, list[Record]] | None:
        with self._lock:
            return self._d.get(key)


@router.get("/try", response_class=HTMLResponse)
def try_page(request: Request) -> Response:
    return render(request, "try.html", {"text": "", "result": None})


@router.post("/try", response_class=HTMLResponse)
async def try_extract(request: Request, text: Annotated[str, Form()] = "",
                      file: Annotated[UploadFile | None, File()] = None,
                      url: Annotated[str, Form(max_length=2000)] = "") -> Response:
    c = cfg(request)
    if file is not None and file.filename:
        data: bytes | Document = await read_upload(file, c.max_upload_bytes)
        name, ctype = file.filename, file.content_type
    elif url.strip():
        data = await run_in_threadpool(fetch_document, url.strip(), max_bytes=c.max_upload_bytes,
                                       allow_private=request.app.state.allow_private_urls)
        name, ctype = "", None
    elif text.strip():
        if len(text) > c.max_text_chars:
            raise ServeError(413, too_much_text("<text>", len(text), c.max_text_chars))
        data, name, ctype = text.encode("utf-8"), "<text>", "text/plain; charset=utf-8"
    else:
        raise ServeError(400, "paste a notice, choose a file or give a URL")
    res = await extract_for(request, data, name, ctype)
    assert res.doc is not None
    view = await run_in_threadpool(extract_view, res.doc, res.records, res.warnings)
    key = request.app.state.try_cache.put(res.doc, res.records)
    return render(request, "try.html", {"text": text, "url": url, "result": view, "key": key})


@router.post("/notices", response_class=HTMLResponse)
def store_notice(request: Request, key: Annotated[str, Form(max_length=64)],
                 token: Annotated[str | None, Form(max_length=500)] = None) -> Response:
    request.app.state.writes.check(request, token)
    cached = request.app.state.try_cache.get(key)
    if cached is None:
        raise ServeError(404, "that extraction has expired: extract the notice again")
    doc, records = cached
    with hub(request).writer() as store:
        res = store.add_document(doc, records)
        ids = res.incidents_created + res.incidents_linked
        if not ids:  # already stored: show where it went
            ids = [n["incident_id"] for rec in records if (n := store.notice(notice_id(rec))) and n.get("incident_id")]
    if ids:
        return RedirectResponse(f"/incidents/{ids[0]}", status_code=303)
    return render(request, "stored.html", {"res": res})
