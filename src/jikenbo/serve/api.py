"""The JSON API under /api/ (described by /openapi.json; every error is ``ErrorOut``)."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from jikenbo.judge import check_incident
from jikenbo.serve import views
from jikenbo.serve.deps import ListParams, list_params, reader
from jikenbo.serve.errors import ERROR_RESPONSES, ServeError
from jikenbo.serve.extracting import read_upload
from jikenbo.serve.jobs import JobResult, extract_for, too_much_text
from jikenbo.store import Store

router = APIRouter(prefix="/api", tags=["api"])


def _err(*codes: int) -> dict[int | str, dict[str, Any]]:
    return {c: ERROR_RESPONSES[c] for c in (*codes, 401, 500)}  # 401: only on a server with a read token


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class IncidentSummary(_Open):
    id: str
    organization: str | None = None
    title: str | None = None
    industry: str | None = None
    disclosure_date: str | None = None
    detected_date: str | None = None
    incident_types: list[str] = Field(default_factory=list)
    leak_status: str | None = None
    affected_total: int | None = None
    data_categories: list[str] = Field(default_factory=list)
    sensitive: bool | None = None
    payment_card: bool | None = None
    reported_to: list[str] = Field(default_factory=list)
    third_parties: list[str] = Field(default_factory=list)
    notice_count: int | None = None
    last_updated: str | None = None
    notice_id: str | None = Field(None, description="search only: the best-matching notice")
    snippet: str | None = Field(None, description="search only: text around the match")
    rank: float | None = Field(None, description="search only: lower is better")


class IncidentPage(BaseModel):
    total: int
    total_exact: bool = Field(True, description="false: total is a lower bound (counting took too long)")
    page: int
    per_page: int
    sort: str
    items: list[IncidentSummary]


class NoticeRef(_Open):
    id: str
    source: str | None = None
    kind: str | None = None
    disclosure_date: str | None = None
    title: str | None = None
    url: str | None = None


class Incident(_Open):
    """The incident dict of docs/ARCHITECTURE.md plus ``field_values``."""

    id: str
    organization: str | None = None
    title: str | None = None
    disclosure_date: str | None = None
    notice_count: int | None = None
    notices: list[NoticeRef] = Field(default_factory=list)
    timeline: list[dict[str, Any]] = Field(default_factory=list)
    revisions: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)
    field_values: dict[str, list[dict[str, Any]]] = Field(default_factory=dict)


class Judgement(_Open):
    """``jikenbo.judge.check_incident`` result (see jikenbo/judge/__init__.py)."""

    kind: str
    reportable: bool | None = None
    reason: str | None = None


class Notice(_Open):
    """A notice's record with ``notice_id``, ``incident_id``, ``text`` and ``document``."""

    notice_id: str
    incident_id: str | None = None
    source: str
    text: str | None = None
    evidence: list[dict[str, Any]] = Field(default_factory=list)
    document: dict[str, Any] = Field(default_factory=dict)


class SearchOut(BaseModel):
    query: str
    total: int
    total_exact: bool = Field(True, description="false: total is a lower bound (counting took too long)")
    items: list[IncidentSummary]


class StatsOut(_Open):
    by: list[str]
    groups: list[dict[str, Any]]
    total: dict[str, Any]
    note: str | None = None


class FacetValue(BaseModel):
    value: str
    count: int


class ExtractIn(BaseModel):
    text: str = Field(min_length=1, description="the notice (or digest page) as plain text")
    source: str | None = Field(None, max_length=300, description="a name for the input")


class ExtractOut(BaseModel):
    source: str
    records: list[dict[str, Any]]
    warnings: list[str] = Field(default_factory=list, description="limits of work per document that were hit "
                                "(the rest was not read), notices left out; each one line")


class StoreOut(BaseModel):
    source: str
    status: str = Field(description="added | new_version | duplicate | empty")
    notices_added: int
    notice_ids: list[str]
    incidents_created: list[str]
    incidents_linked: list[str]
    warnings: list[str] = Field(default_factory=list, description="as in ExtractOut")


def _hub(request: Request) -> Any:
    return request.app.state.hub


@router.get("/incidents", response_model=IncidentPage, responses=_err(400, 422, 503),
            summary="Incidents passing the filters, sorted, one page")
def api_incidents(request: Request, p: Annotated[ListParams, Depends(list_params)], store: Annotated[Store, Depends(reader)]) -> dict:
    res = views.list_incidents(store, p, request.app.state.cfg, request.app.state.bg)
    return {"total": res.total, "total_exact": res.total_exact, "page": res.page, "per_page": res.per_page,
            "sort": res.sort, "items": res.items}


@router.get("/incidents/{incident_id}", response_model=Incident, responses=_err(404, 422, 503))
def api_incident(incident_id: str, store: Annotated[Store, Depends(reader)]) -> dict:
    inc = store.incident(incident_id)
    if inc is None:
        raise ServeError(404, f"incident {incident_id!r} not found")
    return inc


@router.get("/incidents/{incident_id}/check", response_model=Judgement, responses=_err(404, 422, 503),
            summary="APPI judgement of the incident (jikenbo.judge.check_incident)")
def api_check(incident_id: str, store: Annotated[Store, Depends(reader)]) -> dict:
    inc = store.incident(incident_id)
    if inc is None:
        raise ServeError(404, f"incident {incident_id!r} not found")
    texts = {}
    for n in inc.get("notices") or []:
        doc = ((store.notice(n["id"]) if n.get("id") else None) or {}).get("document") or {}
        if doc.get("text"):
            texts[doc.get("sha256") or ""] = doc["text"]
    return json.loads(json.dumps(check_incident(inc, store.incident_records(incident_id), document_texts=texts),
                                 default=str))


@router.get("/notices/{notice_id}", response_model=Notice, responses=_err(404, 422, 503))
def api_notice(notice_id: str, store: Annotated[Store, Depends(reader)]) -> dict:
    n = store.notice(notice_id)
    if n is None:
        raise ServeError(404, f"notice {notice_id!r} not found")
    return n


@router.get("/search", response_model=SearchOut, responses=_err(400, 422, 503),
            summary="Full-text search (same filters as /api/incidents)")
def api_search(request: Request, p: Annotated[ListParams, Depends(list_params)],
               q: Annotated[str, Query(min_length=1, max_length=200)], store: Annotated[Store, Depends(reader)]) -> dict:
    from dataclasses import replace

    p = replace(p, q=q.strip() or q, sort="relevance")
    res = views.list_incidents(store, p, request.app.state.cfg, request.app.state.bg)
    return {"query": q, "total": res.total, "total_exact": res.total_exact, "items": res.items}


@router.get("/stats", response_model=StatsOut, responses=_err(400, 422, 503),
            summary="Counts, affected people and lag per group (by: month, year, type, industry, category, "
                    "authority, leak-status)")
def api_stats(request: Request, p: Annotated[ListParams, Depends(list_params)],
              store: Annotated[Store, Depends(reader)],
              by: Annotated[list[str] | None, Query(max_length=3)] = None) -> dict:
    return store.stats(by or ["month"], p.filters())


@router.get("/facets", response_model=dict[str, list[FacetValue]], responses=_err(400, 422, 503),
            summary="Counts per value of year, type, leak status, category, sensitive, card, authority, vendor, industry")
def api_facets(request: Request, p: Annotated[ListParams, Depends(list_params)], store: Annotated[Store, Depends(reader)]) -> dict:
    f, _ = views.facets(store, p, request.app.state.bg)
    return {k: [{"value": str(v), "count": n} for v, n in vals] for k, vals in f.items()}


async def _upload(request: Request) -> tuple[bytes, str, str | None]:
    """The request's notice: (bytes, file name, content type) of a multipart file or JSON text."""
    ctype = request.headers.get("content-type", "")
    cfg = request.app.state.cfg
    if ctype.startswith("multipart/form-data"):
        form = await request.form(max_files=1, max_fields=5)
        file = form.get("file")
        if file is None or isinstance(file, str):
            raise ServeError(400, "multipart request without a 'file' part")
        data = await read_upload(file, cfg.max_upload_bytes)  # type: ignore[arg-type]
        return data, file.filename or "upload", file.content_type
    try:
        body = ExtractIn.model_validate_json(await request.body())
    except ValueError as e:
        raise ServeError(422, 'expected JSON {"text": "..."} or a multipart "file"') from e
    text = body.text
    if not text.strip():
        raise ServeError(422, "text: empty")
    if len(text) > cfg.max_text_chars:  # known before any work: refused at once
        raise ServeError(413, too_much_text(body.source or "<text>", len(text), cfg.max_text_chars))
    return text.encode("utf-8"), body.source or "<text>", "text/plain; charset=utf-8"


_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": ExtractIn.model_json_schema()},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"],
                                       "properties": {"file": {"type": "string", "format": "binary"}}}}}}}


@router.post("/extract", response_model=ExtractOut, responses=_err(400, 413, 422, 429, 503), openapi_extra=_BODY,
             summary="Extract the records of a notice without storing it")
async def api_extract(request: Request) -> dict:
    res = await extract_for(request, *await _upload(request))
    assert res.doc is not None
    return {"source": res.doc.source, "records": [r.model_dump() for r in res.records], "warnings": res.warnings}


def _store(request: Request, res: JobResult) -> Any:
    assert res.doc is not None
    with _hub(request).writer() as store:
        return store.add_document(res.doc, res.records, segmented=res.segmented)


@router.post("/notices", response_model=StoreOut, responses=_err(400, 403, 413, 422, 429, 503), openapi_extra=_BODY,
             summary="Extract and store a notice (needs the token when the server has one)")
async def api_store(request: Request) -> dict:
    request.app.state.writes.check(request)
    res = await extract_for(request, *await _upload(request), segmented=True)
    stored = await run_in_threadpool(_store, request, res)
    return {"source": stored.source, "status": stored.status, "notices_added": stored.notices_added,
            "notice_ids": stored.notice_ids, "incidents_created": stored.incidents_created,
            "incidents_linked": stored.incidents_linked, "warnings": res.warnings}
