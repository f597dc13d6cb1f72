"""What an entry is written from, read through the store's public API: the incident dict,
each current notice's record and document text, incidents sharing a vendor, the judge's verdict.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from jikenbo import link
from jikenbo.judge import check_incident
from jikenbo.models import Record
from jikenbo.store import Filters, Store

log = logging.getLogger(__name__)
RELATED_LIMIT = 10


class CasebookError(Exception):
    """What the casebook cannot write (no such incident, a bad period); one line for the user."""


@dataclass
class NoticeView:
    """One current notice of the incident: its list entry in the incident dict and its record."""

    id: str
    kind: str
    date: str | None
    title: str | None
    url: str | None
    source: str
    record: Record
    text: str = ""  # the document text the record's offsets index


@dataclass
class Loaded:
    incident: dict
    notices: list[NoticeView]
    related: list[dict] = field(default_factory=list)  # {id, organization, disclosure_date, via}
    judgement: dict | None = None


def load(store: Store, incident_id: str, *, judge: bool = True, related: bool = True) -> Loaded:
    """Everything one entry needs of ``incident_id``.

    :raises CasebookError: no such incident
    """
    inc = store.incident(incident_id)
    if inc is None:
        raise CasebookError(f"{incident_id}: no such incident")
    notices = []
    for n in inc.get("notices") or []:
        nd = store.notice(n["id"]) if n.get("id") else None
        if nd is None:
            continue
        doc = nd.get("document") or {}
        notices.append(NoticeView(id=n["id"], kind=n.get("kind") or "unknown", date=n.get("disclosure_date"),
                                  title=n.get("title"), url=n.get("url") or doc.get("url"),
                                  source=n.get("source") or doc.get("source") or "",
                                  record=Record.model_validate(nd), text=doc.get("text") or ""))
    out = Loaded(inc, notices)
    if related:
        out.related = related_incidents(store, inc)
    if judge:
        out.judgement = judgement(inc, notices)
    return out


def related_incidents(store: Store, inc: dict, limit: int = RELATED_LIMIT) -> list[dict]:
    """Other incidents naming one of this incident's third parties (its vendor group)."""
    out: list[dict] = []
    seen = {inc.get("id")}
    for name in inc.get("third_parties") or []:
        if not link.vendor_key(name):
            continue
        for r in store.incidents(Filters(vendor=name), sort="disclosure_date", limit=limit):
            if r["id"] not in seen:
                seen.add(r["id"])
                out.append({"id": r["id"], "organization": r.get("organization"),
                            "disclosure_date": r.get("disclosure_date"), "via": name})
    return out[:limit]


def judgement(inc: dict, notices: list[NoticeView]) -> dict | None:
    """The judge's verdict on the incident (None, logged, when it cannot be computed)."""
    try:
        texts = {n.record.doc_sha256: n.text for n in notices if n.text}
        return check_incident(inc, [n.record for n in notices], document_texts=texts)
    except Exception as e:  # the judge must not stop an entry from being written
        log.warning("judge failed for %s: %s: %s", inc.get("id"), type(e).__name__, e)
        return None


def stored_values(loaded: Loaded) -> Any:
    """Everything an entry may state, as plain data (the property test reads this)."""
    return {"incident": loaded.incident, "records": [n.record.model_dump() for n in loaded.notices],
            "related": loaded.related, "judgement": loaded.judgement}
