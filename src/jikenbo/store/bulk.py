"""A fast bulk path: many single-notice documents, each its own new incident, no matching.

For building large stores (benchmarks, imports of already-grouped data). Rows are the same as
``Store.add_document`` writes; commits every ``batch`` documents.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from jikenbo import link
from jikenbo.models import Document, Record
from jikenbo.store import db
from jikenbo.store.core import VALUE_FIELDS, Store, _dumps, _lag, _now, notice_id, tag_rows


def bulk_add(store: Store, items: Iterable[tuple[Document, Record, str]], *, batch: int = 5000) -> int:
    """Insert ``(document, record, segmented_text)`` triples; return how many were added.

    Each record becomes a new incident (``link.consolidate`` of its one notice). Documents whose
    bytes are already stored are skipped.
    """
    store._check_writable()
    c = store.conn
    n = 0
    buf: list[tuple[Document, Record, str]] = []

    def flush() -> None:
        nonlocal n
        if not buf:
            return
        with db.transaction(c, store.path, "bulk insert"):
            now = _now()
            for doc, rec, seg in buf:
                if c.execute("SELECT 1 FROM documents WHERE sha256 = ?", (doc.sha256,)).fetchone():
                    continue
                doc_id = c.execute(
                    "INSERT INTO documents (sha256, source, locator, version, url, media_type, title,"
                    " published, fetched_at, added_at, notice_count, text) VALUES (?,?,?,1,?,?,?,?,?,?,1,?)",
                    (doc.sha256, doc.source, doc.url or doc.source, doc.url, doc.media_type, doc.title,
                     doc.published, doc.fetched_at, now, doc.text)).lastrowid
                rd = rec.model_dump()
                nid = notice_id(rec)
                rd["notice_id"] = nid
                evidence = rd.pop("evidence")
                key = link.org_key(rec.organization)
                row = c.execute("SELECT id FROM organizations WHERE key = ?", (key,)).fetchone()
                org_id = row[0] if row else c.execute(
                    "INSERT INTO organizations (key, rkey, name, industry) VALUES (?,?,?,?)",
                    (key, key[::-1], rec.organization, rec.industry)).lastrowid
                c.execute("INSERT OR IGNORE INTO organization_aliases (organization_id, alias, alias_key) "
                          "VALUES (?,?,?)", (org_id, rec.organization, key))
                inc = {"id": link.new_incident_id(rd), **link.consolidate([rd])}
                dd = inc.get("disclosure_date")
                inc_pk = c.execute(
                    "INSERT INTO incidents (id, organization_id, organization, org_key, industry, title,"
                    " disclosure_date, disclosure_month, disclosure_year, detected_date, lag_days,"
                    " incident_types, leak_status, affected_total, data_categories, sensitive, payment_card,"
                    " reported_to, third_parties, first_disclosed, last_updated, notice_count, data)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (inc["id"], org_id, inc.get("organization"), key, inc.get("industry"), inc.get("title"),
                     dd, dd[:7] if dd else None, dd[:4] if dd else None, inc.get("detected_date"),
                     _lag(inc.get("detected_date"), dd), _dumps(inc["incident_types"]), inc["leak_status"],
                     inc.get("affected_total"), _dumps(inc["data_categories"]), int(inc["sensitive"]),
                     int(inc["payment_card"]), _dumps(inc["reported_to"]), _dumps(inc["third_parties"]),
                     inc.get("first_disclosed"), inc.get("last_updated"), 1, _dumps(inc))).lastrowid
                c.executemany("INSERT OR IGNORE INTO incident_tags (incident_pk, kind, value) VALUES (?,?,?)",
                              tag_rows(inc_pk, inc))
                text = doc.text[rec.segment_start:rec.segment_end] or doc.text
                kind = link.notice_kind(rd)
                n_pk = c.execute(
                    "INSERT INTO notices (id, document_id, incident_pk, source, organization, org_key, kind,"
                    " disclosure_date, title, segment_start, segment_end, text, record, evidence, added_at)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (nid, doc_id, inc_pk, rec.source, rec.organization, key, kind, rec.disclosure_date,
                     rec.title, rec.segment_start, rec.segment_end, text, _dumps(rd), json.dumps(evidence),
                     now)).lastrowid
                c.execute("INSERT INTO notices_words (rowid, title, body) VALUES (?,?,?)", (n_pk, "", seg))
                c.execute("INSERT INTO notices_trigram (rowid, title, text) VALUES (?,?,?)",
                          (n_pk, rec.title or "", text))
                c.executemany(
                    'INSERT INTO field_values (notice_pk, field, value, date, kind) VALUES (?,?,?,?,?)',
                    [(n_pk, f, _dumps(getattr(rec, f)), rec.disclosure_date, kind) for f in VALUE_FIELDS])
                for tp in rec.third_parties:
                    vkey = link.vendor_key(tp.name)
                    c.execute("INSERT OR IGNORE INTO third_parties (key, name) VALUES (?,?)", (vkey, tp.name))
                    tid = c.execute("SELECT id FROM third_parties WHERE key = ?", (vkey,)).fetchone()[0]
                    c.execute("INSERT OR IGNORE INTO notice_third_parties VALUES (?,?,?,?)",
                              (n_pk, tid, tp.name, tp.role))
                n += 1
        buf.clear()

    for item in items:
        buf.append(item)
        if len(buf) >= batch:
            flush()
    flush()
    return n
