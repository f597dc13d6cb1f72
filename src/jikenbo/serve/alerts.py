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
from jikenbo.store import Store
from jikenbo.store import watch as ws

router = APIRouter(include_in_schema=False)
FEED_SIZE = 50
ATOM = "application/atom+xml; charset=utf-8"
CHANGE = {"new": ("新規", "new incident"), "new_notice": ("新しい公表", "new notice"),
          "revised": ("件数の更新", "revised count"), "confirmed": ("漏えい確認", "leak confirmed")}
TEXT = {"title": ("アラート", "Alerts"), "none": ("アラートはまだありません。", "No alerts yet."),
        "watch": ("ウォッチ", "watch"), "all": ("すべて", "all"), "change": ("変化", "change"),
        "at": ("記録日時", "recorded"), "org": ("組織", "organization"), "incident": ("インシデント", "incident"),
        "notices": ("公表", "notices"), "feed": ("Atomフィード", "Atom feed"), "delivery": ("配信", "delivery"),
        "hint": ("ウォッチは jikenbo watch add で作成します。", "Create watches with jikenbo watch add.")}


def _value(field: str | None, v: Any, lang: int) -> str:
    if field == "leak_status":
        return i18n.label(i18n.LANGS[lang], "leak_status", v)
    return f"{v:,}" if isinstance(v, int) else i18n.label(i18n.LANGS[lang], "", v)


def _change_line(a: dict[str, Any], lang: int) -> str:
    d = a.get("detail") or {}
    label = CHANGE.get(a["change"], (a["change"], a["change"]))[lang]
    if "old" in d:
        return f"{label}: {_value(d.get('field'), d.get('old'), lang)} → {_value(d.get('field'), d.get('new'), lang)}"
    if d.get("source"):
        return f"{label}: {d['source']}"
    return label


@router.get("/alerts", response_class=HTMLResponse)
def alerts_page(request: Request, store: Annotated[Store, Depends(reader)],
                watch: Annotated[str | None, Query(max_length=64)] = None) -> Response:
    from jikenbo.serve.pages import lang_of, render

    lang = 0 if lang_of(request) == "ja" else 1
    names = [w.name for w in ws.watches(store)]
    if watch and watch not in names and not ws.alerts(store, watch=watch, limit=1):
        raise ServeError(404, f"watch {watch!r} not found")
    items = ws.alerts(store, watch=watch or None, limit=200)
    for a in items:
        a["change_text"] = _change_line(a, lang)
        a["change_label"] = CHANGE.get(a["change"], (a["change"], a["change"]))[lang]
    return render(request, "alerts.html", {"alerts": items, "watches": names, "watch": watch,
                                           "tx": {k: v[lang] for k, v in TEXT.items()}})


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
                        "title": f"[{_change_line(a, 0)}] {org}", "updated": a["at"],
                        "summary": _summary(a.get("summary") or {})})
    return _atom(request, f"watch:{name}", f"jikenbo: {name}", f"/feeds/{name}.atom", entries)


def _summary(inc: dict[str, Any]) -> str:
    parts = [inc.get("title") or "", f"公表 {inc.get('disclosure_date') or '不明'}",
             f"種類 {', '.join(inc.get('incident_types') or []) or '不明'}",
             f"漏えい {inc.get('leak_status') or 'unknown'}",
             f"件数 {inc['affected_total']:,}" if isinstance(inc.get("affected_total"), int) else "件数 不明"]
    return " / ".join(p for p in parts if p)
