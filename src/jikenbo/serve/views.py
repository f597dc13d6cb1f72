"""Page data built from the store: the incident list and the incident with its evidence."""

from __future__ import annotations

import logging
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field, replace
from typing import Any

from jikenbo import link
from jikenbo.judge import check_incident
from jikenbo.serve.background import Background
from jikenbo.serve.deps import ListParams
from jikenbo.serve.errors import ServeError
from jikenbo.serve.highlight import Span, highlight
from jikenbo.serve.rendering import safe_url
from jikenbo.serve.settings import ServeSettings
from jikenbo.store import Filters, Store

log = logging.getLogger(__name__)

SUMMARY_FIELDS = ("id", "organization", "title", "industry", "disclosure_date", "detected_date",
                  "incident_types", "leak_status", "affected_total", "data_categories", "sensitive",
                  "payment_card", "reported_to", "third_parties", "notice_count", "last_updated")
CONTRACT_FIELDS = ("organization", "disclosure_date", "detected_date", "incident_types", "leak_status",
                   "affected_total", "data_categories", "sensitive", "payment_card", "reported_to", "industry")
FILTER_ATTR = {"sensitive": "sensitive", "card": "card"}
FACET_ORDER = ("year", "type", "leak_status", "category", "sensitive", "card", "authority", "vendor", "industry")
# facet name -> ListParams attribute
FACET_PARAM = {"year": "year", "type": "type", "leak_status": "leak_status", "category": "category",
               "sensitive": "sensitive", "card": "card", "authority": "authority", "vendor": "vendor",
               "industry": "industry"}


def summary(row: dict) -> dict[str, Any]:
    out = {k: row.get(k) for k in SUMMARY_FIELDS}
    for k in ("incident_types", "data_categories", "reported_to", "third_parties"):
        out[k] = out[k] or []
    for k in ("sensitive", "payment_card"):
        out[k] = bool(out[k]) if out[k] is not None else None
    for k in ("notice_id", "snippet", "rank"):
        if k in row:
            out[k] = row[k]
    return out


@dataclass
class ListResult:
    params: ListParams
    total: int
    page: int
    per_page: int
    sort: str
    items: list[dict] = field(default_factory=list)
    total_exact: bool = True  # False: ``total`` is a lower bound (counting took longer than its budget)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def _key(p: ListParams) -> tuple:
    """The filter state of a list (what its total and facets depend on)."""
    return tuple(kv for kv in p.pairs() if kv[0] not in ("sort", "per_page"))


def list_incidents(store: Store, p: ListParams, cfg: ServeSettings, bg: Background | None = None) -> ListResult:
    """One page of incidents; with a query and no other sort, ranked by the store's search.

    With ``bg``, the total is counted on another connection while the page is read, and memoised
    per store version and filter state.
    """
    per_page = min(p.per_page or cfg.page_size, cfg.max_page_size)
    offset = (p.page - 1) * per_page
    sort = p.effective_sort()
    f = p.filters()
    counting = bg.submit(("count", bg.hub.version(), _key(p)), lambda s: s.count_incidents(f)) if bg else None
    if sort == "relevance" and p.q:
        if offset + per_page > cfg.max_search_window:
            raise ServeError(400, f"search results reach only {cfg.max_search_window} deep: narrow the search")
        rows = store.search(p.q, p.filters(with_query=False), limit=per_page, offset=offset)
    else:
        rows = store.incidents(f, sort=sort, limit=per_page, offset=offset)
    exact = True
    if counting is None:
        total = store.count_incidents(f)
    else:
        try:
            total = counting.result(timeout=cfg.count_budget_ms / 1000)
        except FutureTimeout:  # keep counting for the next view; this page gives a lower bound
            exact = False
            total = offset + len(rows) + (1 if len(rows) == per_page else 0)
    if sort == "relevance":
        total = max(total, offset + len(rows))
    return ListResult(p, total, p.page, per_page, sort, [summary(r) for r in rows], exact)


def facets(store: Store, p: ListParams, bg: Background | None = None,
           budget: float | None = None) -> tuple[dict[str, list[tuple[str, int]]], bool]:
    """(facet counts, exact). With a ``budget`` (seconds) and counts not ready in time, the
    values of the whole store without counts are returned (exact False) while counting goes on."""
    if bg is None:
        return _facets(store, p), True
    key = ("facets", bg.hub.version(), _key(p))
    if budget is None:
        return bg.submit(key, lambda s: _facets(s, p)).result(), True
    ready, value = bg.within(key, lambda s: _facets(s, p), budget)
    if ready:
        return value, True
    everything = bg.submit(("facets", bg.hub.version(), ()), lambda s: _facets(s, ListParams())).result()
    return {k: [(v, -1) for v, _ in vals] for k, vals in everything.items()}, False


def _facets(store: Store, p: ListParams) -> dict[str, list[tuple[str, int]]]:
    f = p.filters()
    raw = store.facets(f)
    out: dict[str, list[tuple[str, int]]] = {}
    for name in FACET_ORDER:
        if name in ("sensitive", "card"):
            counts = []
            for v in (True, False):
                n = store.count_incidents(replace(f, **{FILTER_ATTR[name]: v}))
                counts.append(("true" if v else "false", n))
            out[name] = counts
        else:
            vals = list(raw.get(name, []))
            if name == "year":
                vals.sort(key=lambda kv: kv[0], reverse=True)
            out[name] = vals
    return out


# ---------------------------------------------------------------------------- incident page
@dataclass
class NoticeView:
    index: int
    id: str
    meta: dict
    html: Any  # Markup
    evidence: list[dict]
    events: list[dict]
    url: str | None


def notice_view(store: Store, index: int, meta: dict) -> NoticeView | None:
    n = store.notice(meta["id"])
    if n is None:
        return None
    doc = n.get("document") or {}
    text = doc.get("text") or n.get("text") or ""
    lo, hi = int(n.get("segment_start") or 0), int(n.get("segment_end") or 0)
    if not (0 <= lo < hi <= len(text)):
        lo, hi = 0, len(text)
    evidence = []
    spans = []
    for j, e in enumerate(n.get("evidence") or []):
        key = f"n{index}-{j}"
        ok = isinstance(e.get("start"), int) and isinstance(e.get("end"), int) and lo <= e["start"] < e["end"] <= hi
        evidence.append({**e, "key": key if ok else None})
        if ok:
            spans.append(Span(key, e["start"], e["end"], str(e.get("field") or "")))
    events = []
    for j, ev in enumerate(n.get("timeline") or []):
        key = f"n{index}-t{j}"
        ok = isinstance(ev.get("start"), int) and isinstance(ev.get("end"), int) and lo <= ev["start"] < ev["end"] <= hi
        events.append({**ev, "key": key if ok else None, "notice_index": index})
        if ok:
            spans.append(Span(key, ev["start"], ev["end"], "timeline"))
    return NoticeView(index, meta["id"], {**meta, "document_title": doc.get("title"), "version": doc.get("version")},
                      highlight(text[lo:hi], spans, offset=lo), evidence, events,
                      safe_url(doc.get("url") or meta.get("url")))


def revisions(inc: dict) -> list[dict]:
    """Fields whose value changed between notices: first reported and latest, with dates."""
    out = []
    for fld, revs in (inc.get("revisions") or {}).items():
        vals = [r for r in revs if r.get("value") not in (None, [], "")]
        distinct = []
        for r in vals:
            if not distinct or distinct[-1]["value"] != r["value"]:
                distinct.append(r)
        if len(distinct) > 1:
            out.append({"field": fld, "steps": distinct})
    return out


def related(store: Store, inc: dict, limit: int) -> list[dict]:
    """Other incidents that share a vendor with this one (or name this one's organisation as vendor)."""
    names = list(dict.fromkeys([*(inc.get("third_parties") or []), inc.get("organization") or ""]))
    seen = {inc["id"]}
    out = []
    for name in names:
        if not name or not link.vendor_key(name):
            continue
        for r in store.incidents(Filters(vendor=name), limit=limit):
            if r["id"] not in seen:
                seen.add(r["id"])
                out.append({**summary(r), "via": name})
        if len(out) >= limit:
            break
    return out[:limit]


def vendor_page(store: Store, name: str, limit: int = 500) -> dict[str, Any]:
    """A vendor's group: the incidents whose notices name it (each customer's incident is its
    own) and the vendor's own incidents."""
    if not link.vendor_key(name):
        raise ServeError(404, f"vendor {name!r}: no name left after normalising")
    vkey = link.vendor_key(name)
    own, customers = [], []
    for r in store.incidents(Filters(vendor=name), limit=limit):
        row = summary(r)
        mine = link.vendor_key(r.get("organization")) or ""
        is_own = bool(mine) and (mine == vkey or (len(vkey) >= 3 and vkey in mine))
        (own if is_own else customers).append(row)
    return {"vendor": name, "own": own, "customers": customers}


def judgement(store: Store, inc: dict) -> dict | None:
    try:
        records = store.incident_records(inc["id"])
        texts = {}
        for n in inc.get("notices") or []:
            notice = store.notice(n["id"]) if n.get("id") else None
            doc = (notice or {}).get("document") or {}
            if doc.get("text"):
                texts[doc.get("sha256") or ""] = doc["text"]
        return check_incident(inc, records, document_texts=texts)
    except Exception as e:  # the judge must not take the page down
        log.warning("judge failed for %s: %s: %s", inc.get("id"), type(e).__name__, e)
        return None


def incident_page(store: Store, incident_id: str, cfg: ServeSettings) -> dict[str, Any]:
    inc = store.incident(incident_id)
    if inc is None:
        raise ServeError(404, f"incident {incident_id!r} not found")
    notices = [v for i, m in enumerate(inc.get("notices") or []) if (v := notice_view(store, i, m))]
    by_field: dict[str, list[dict]] = {}
    for nv in notices:
        for e in nv.evidence:
            by_field.setdefault(str(e.get("field")), []).append({**e, "notice_index": nv.index})
    timeline = sorted((e for nv in notices for e in nv.events), key=lambda e: (e.get("date") or "", e.get("kind")))
    return {"inc": inc, "notices": notices, "by_field": by_field, "timeline": timeline,
            "revisions": revisions(inc), "related": related(store, inc, cfg.related_limit),
            "judge": judgement(store, inc), "fields": CONTRACT_FIELDS}
