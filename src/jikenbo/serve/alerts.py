"""Alerts in the web UI: the alerts page and Atom feeds (``/feeds/{watch}.atom``, ``/feeds/all.atom``).

A watch's feed has one entry per alert it recorded; ``all.atom`` has one entry per incident
that most recently got a notice (everything new, watches or not). Feeds are made with feedgen.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, Response

from jikenbo.serve import i18n
from jikenbo.serve.deps import reader
from jikenbo.serve.errors import ServeError
from jikenbo.serve.rendering import lang_of, render, shown_name
from jikenbo.store import Store
from jikenbo.store import watch as ws

router = APIRouter(include_in_schema=False)
FEED_SIZE = 50
ATOM = "application/atom+xml; charset=utf-8"


def _value(field: str | None, v: Any, lang: str) -> str:
    if field == "leak_status":
        return i18n.label(lang, "leak_status", v)
    return f"{v:,}" if isinstance(v, int) else i18n.label(lang, "", v)


def _change_line(a: dict[str, Any], lang: str) -> tuple[str, str]:
    """(the change's label, what changed: old → new, or the new notice's source)."""
    d = a.get("detail") or {}
    label = i18n.label(lang, "change", a["change"])
    if "old" in d:
        return label, f"{_value(d.get('field'), d.get('old'), lang)} → {_value(d.get('field'), d.get('new'), lang)}"
    if d.get("source"):
        return label, shown_name(d["source"])
    return label, ""


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, store: Annotated[Store, Depends(reader)],
                watch: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    lang = lang_of(request)
    names = [w.name for w in ws.watches(store)]
    if watch and watch not in names and not ws.alerts(store, watch=watch, limit=1):
        raise ServeError(404, f"watch {watch!r} not found")
    items = ws.alerts(store, watch=watch or None, limit=200)
    for a in items:
        a["change_label"], a["change_text"] = _change_line(a, lang)
    return render(request, "alerts.html", {"alerts": items, "watches": names, "watch": watch})


def _atom(request: Request, fid: str, title: str, self_path: str, entries: list[dict[str, Any]]) -> Response:
    from feedgen.feed import FeedGenerator

    base = str(request.base_url).rstrip("/")
    fg = FeedGenerator()
    fg.id(f"urn:jikenbo:feed:{fid}")
    fg.title(title)
    fg.link(href=base + self_path, rel="self")
    fg.link(href=base + "/alerts", rel="alternate")
    fg.language("ja")
    fg.updated(max((e["updated"] for e in entries), default="2000-01-01T00:00:00+00:00"))
    for e in reversed(entries):  # feedgen prepends: keep newest first in the file
        fe = fg.add_entry()
        fe.id(e["id"])
        fe.title(e["title"])
        fe.link(href=base + e["path"])
        fe.updated(e["updated"])
        fe.summary(e["summary"])
    return Response(fg.atom_str(pretty=True), media_type=ATOM)


@router.get("/feeds/all.atom")
def all_feed(request: Request, store: Annotated[Store, Depends(reader)]) -> Response:
    entries = []
    for inc, added in ws.recent_incidents(store, FEED_SIZE):
        org = inc.get("organization") or "?"
        entries.append({"id": f"urn:jikenbo:incident:{inc['id']}:{inc.get('notice_count') or 0}",
                        "title": f"{org}: {inc.get('title') or inc['id']}", "path": f"/incidents/{inc['id']}",
                        "updated": added, "summary": _summary(inc)})
    return _atom(request, "all", "jikenbo: 新しいインシデント / new incidents", "/feeds/all.atom", entries)


@router.get("/feeds/{name}.atom")
def watch_feed(request: Request, name: str, store: Annotated[Store, Depends(reader)]) -> Response:
    if ws.get_watch(store, name) is None:
        raise ServeError(404, f"watch {name!r} not found")
    entries = []
    for a in ws.alerts(store, watch=name, limit=FEED_SIZE):
        org = a.get("organization") or "?"
        entries.append({"id": f"urn:jikenbo:alert:{a['id']}", "path": f"/incidents/{a['incident']}",
                        "title": "[{}] {}".format(": ".join(x for x in _change_line(a, "ja") if x), org),
                        "updated": a["at"],
                        "summary": _summary(a.get("summary") or {})})
    return _atom(request, f"watch:{name}", f"jikenbo: {name}", f"/feeds/{name}.atom", entries)


def _summary(inc: dict[str, Any]) -> str:
    parts = [inc.get("title") or "", f"公表 {inc.get('disclosure_date') or '不明'}",
             f"種類 {', '.join(inc.get('incident_types') or []) or '不明'}",
             f"漏えい {inc.get('leak_status') or 'unknown'}",
             f"件数 {inc['affected_total']:,}" if isinstance(inc.get("affected_total"), int) else "件数 不明"]
    return " / ".join(p for p in parts if p)
