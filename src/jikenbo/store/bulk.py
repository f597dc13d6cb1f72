"""A fast bulk path: many single-notice documents, each its own new incident, no matching.

For building large stores (benchmarks, imports of already-grouped data). Rows are the same as
``Store.add_document`` writes. Worker processes build the rows (``link.consolidate``, JSON);
this process assigns keys and writes them with ``executemany``, ``batch`` documents a
transaction. ``fast=True`` (benchmark stores only) turns off the journal and fsync while it
runs: a crash then leaves a broken store, so use it only on a store you can rebuild.
"""

from __future__ import annotations

import json
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future
from functools import lru_cache
from itertools import islice
from typing import Any

from jikenbo import link
from jikenbo.models import Document, Record
from jikenbo.store import db
from jikenbo.store.core import (
    TAGS_INSERT,
    VALUE_FIELDS,
    Store,
    _dumps,
    _lag,
    notice_id,
    stored_text,
    tag_rows,
)
from jikenbo.workers import stop_pool, worker_pool

Item = tuple[Document, Record, str]
CHUNK = 1000  # documents a worker job


def _worker_init() -> None:
    """In a bulk worker process only: remember ``link.notice_kind`` per (kind, title).

    ``link.consolidate`` asks for a notice's kind about ten times, and guessing it from the
    title normalises every cue word each time; the answer depends on nothing else, so within
    one notice it is computed once. Worker processes are private to ``bulk_add``.
    """
    plain = link.notice_kind

    @lru_cache(maxsize=4096)
    def kind(notice_kind: Any, kind: Any, title: Any) -> str:
        return plain({"notice_kind": notice_kind, "kind": kind, "title": title})

    link.notice_kind = lambda record: kind(record.get("notice_kind"), record.get("kind"),  # type: ignore[assignment]
                                           record.get("title"))


def _prepare(items: list[tuple[dict, dict, str]]) -> list[tuple]:
    """Worker job: everything of each document that does not need a key from the database."""
    out = []
    for d, r, seg in items:
        doc = Document.model_validate(d)
        rec = Record.model_validate(r)
        rd = rec.model_dump()
        nid = notice_id(rec)
        rd["notice_id"] = nid
        evidence = rd.pop("evidence")
        key = link.org_key(rec.organization)
        inc = {"id": link.new_incident_id(rd), **link.consolidate([rd])}
        dd = inc.get("disclosure_date")
        kind = link.notice_kind(rd)
        text = doc.text[rec.segment_start:rec.segment_end] or doc.text
        inc_row = (inc["id"], inc.get("organization"), key, inc.get("industry"), inc.get("title"),
                   dd, dd[:7] if dd else None, dd[:4] if dd else None, inc.get("detected_date"),
                   _lag(inc.get("detected_date"), dd), _dumps(inc["incident_types"]), inc["leak_status"],
                   inc.get("affected_total"), _dumps(inc["data_categories"]), int(inc["sensitive"]),
                   int(inc["payment_card"]), _dumps(inc["reported_to"]), _dumps(inc["third_parties"]),
                   inc.get("first_disclosed"), inc.get("last_updated"), 1, _dumps(inc))
        notice_row = (nid, rec.source, rec.organization, key, kind, rec.disclosure_date, rec.title,
                      rec.segment_start, rec.segment_end, stored_text(doc, text), _dumps(rd),
                      json.dumps(evidence))
        fvals = [(f, _dumps(getattr(rec, f)), rec.disclosure_date, kind) for f in VALUE_FIELDS]
        tags = [t[1:] for t in tag_rows(0, inc)]
        tps = [(link.vendor_key(tp.name), tp.name, tp.role) for tp in rec.third_parties]
        doc_row = (doc.sha256, doc.source, doc.url or doc.source, doc.url, doc.media_type, doc.title,
                   doc.published, doc.fetched_at, doc.text)
        out.append((doc_row, rec.organization, rec.industry, key, inc_row, notice_row, fvals, tags,
                    (rec.title or "", text), seg, tps))
    return out


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[tuple[dict, dict, str]]]:
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield [(d.model_dump(), r.model_dump(), s) for d, r, s in chunk]


def bulk_add(store: Store, items: Iterable[Item], *, batch: int = 20000, workers: int | None = None,
             fast: bool = False) -> int:
    """Insert ``(document, record, segmented_text)`` triples; return how many were added.

    Each record becomes a new incident (``link.consolidate`` of its one notice). Documents whose
    bytes are already stored are skipped.

    :param workers: processes that build rows (default: the cores; 1 = this process only)
    :param fast: no journal, no fsync while loading (a store you can rebuild: benchmarks)
    """
    store._check_writable()
    c = store.conn
    n_workers = max(1, workers or os.cpu_count() or 1)
    pool = worker_pool(n_workers, initializer=_worker_init) if n_workers > 1 else None
    sqlite = store.backend.kind == "sqlite"
    deferred = store.backend.defer_indexes(c) if fast and not sqlite else []
    if fast and sqlite:
        c.execute("PRAGMA journal_mode = OFF")
        c.execute("PRAGMA synchronous = OFF")
        c.execute("PRAGMA cache_size = -1000000")
    orgs = {k: i for i, k in c.execute("SELECT id, key FROM organizations")}
    vendors = {k: i for i, k in c.execute("SELECT id, key FROM third_parties")}
    nxt = {t: (c.execute(f"SELECT max({col}) FROM {t}").fetchone()[0] or 0) + 1
           for t, col in (("documents", "id"), ("incidents", "pk"), ("notices", "pk"),
                          ("organizations", "id"), ("third_parties", "id"))}
    seen: set[str] = set()
    added = 0
    rows: dict[str, list] = {}

    def reset() -> None:
        for name in ("docs", "orgs", "aliases", "incs", "tags", "notices", "words", "tri", "fv", "tps",
                     "ntp"):
            rows[name] = []

    def take(prepared: list[tuple]) -> None:
        nonlocal added
        shas = [p[0][0] for p in prepared]
        stored: set[str] = set()
        for i in range(0, len(shas), 500):  # which of the chunk's documents are stored: one query per 500
            part = shas[i:i + 500]
            stored |= {r[0] for r in c.execute(
                f"SELECT sha256 FROM documents WHERE sha256 IN ({','.join('?' * len(part))})", part).fetchall()}
        for (doc_row, org, industry, key, inc_row, notice_row, fvals, tags, tri, seg, tps) in prepared:
            sha = doc_row[0]
            if sha in seen or sha in stored:
                continue
            seen.add(sha)
            doc_id, inc_pk, n_pk = nxt["documents"], nxt["incidents"], nxt["notices"]
            nxt["documents"] += 1
            nxt["incidents"] += 1
            nxt["notices"] += 1
            org_id = orgs.get(key) if key else None
            if key and org_id is None:
                org_id = orgs[key] = nxt["organizations"]
                nxt["organizations"] += 1
                rows["orgs"].append((org_id, key, key[::-1], org, industry))
            if org_id is not None and org:
                rows["aliases"].append((org_id, org, key))
            rows["docs"].append((doc_id, *doc_row))
            rows["incs"].append((inc_pk, inc_row[0], org_id, *inc_row[1:]))
            rows["tags"] += [(inc_pk, *t) for t in tags]
            rows["notices"].append((n_pk, notice_row[0], doc_id, inc_pk, *notice_row[1:]))
            rows["words"].append((n_pk, seg))
            rows["tri"].append((n_pk, *tri))
            rows["fv"] += [(n_pk, *f) for f in fvals]
            for vkey, name, role in tps:
                if not vkey:
                    continue
                if vkey not in vendors:
                    vendors[vkey] = nxt["third_parties"]
                    nxt["third_parties"] += 1
                    rows["tps"].append((vendors[vkey], vkey, name))
                rows["ntp"].append((n_pk, vendors[vkey], name, role))
            added += 1

    def flush() -> None:
        if not rows["docs"]:
            return
        with db.transaction(c, store.path, "bulk insert"):
            ex = c.executemany
            ex("INSERT INTO organizations (id, key, rkey, name, industry) VALUES (?,?,?,?,?)", rows["orgs"])
            ex("INSERT OR IGNORE INTO organization_aliases (organization_id, alias, alias_key) VALUES (?,?,?)",
               rows["aliases"])
            ex("INSERT INTO third_parties (id, key, name) VALUES (?,?,?)", rows["tps"])
            ex("INSERT INTO documents (id, sha256, source, locator, version, url, media_type, title,"
               " published, fetched_at, added_at, notice_count, text)"
               " VALUES (?,?,?,?,1,?,?,?,?,?,datetime('now'),1,?)", rows["docs"])
            ex("INSERT INTO incidents (pk, id, organization_id, organization, org_key, industry, title,"
               " disclosure_date, disclosure_month, disclosure_year, detected_date, lag_days,"
               " incident_types, leak_status, affected_total, data_categories, sensitive, payment_card,"
               " reported_to, third_parties, first_disclosed, last_updated, notice_count, data)"
               " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", rows["incs"])
            ex(TAGS_INSERT, rows["tags"])
            store.backend.add_notices(
                c, "INSERT INTO notices (pk, id, document_id, incident_pk, source, organization, org_key, kind,"
                " disclosure_date, title, segment_start, segment_end, text, record, evidence, added_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,datetime('now'))", rows["notices"],
                [(pk, title, text, seg) for (pk, seg), (_, title, text) in zip(rows["words"], rows["tri"], strict=True)])
            store.backend.reset_keys(c)
            ex("INSERT INTO field_values (notice_pk, field, value, date, kind) VALUES (?,?,?,?,?)", rows["fv"])
            ex("INSERT OR IGNORE INTO notice_third_parties (notice_pk, third_party_id, name, role)"
               " VALUES (?,?,?,?)", rows["ntp"])
        reset()

    reset()
    pending: deque[Future[list[tuple]] | list[tuple]] = deque()
    ahead = max(n_workers * 2, batch // CHUNK + n_workers)  # the workers go on while a batch is written
    try:
        for chunk in _chunks(items, CHUNK):
            pending.append(pool.submit(_prepare, chunk) if pool else _prepare(chunk))
            while len(pending) > ahead:
                job = pending.popleft()
                take(job.result() if isinstance(job, Future) else job)
                if len(rows["docs"]) >= batch:
                    flush()
        while pending:
            job = pending.popleft()
            take(job.result() if isinstance(job, Future) else job)
        flush()
    except BaseException:
        if pool is not None:
            stop_pool(pool, wait=False)
            pool = None
        raise
    finally:
        if pool is not None:
            stop_pool(pool)
        if deferred:
            store.backend.build_indexes(c, deferred)
        if fast and sqlite:
            c.execute("PRAGMA journal_mode = WAL")
            c.execute("PRAGMA synchronous = NORMAL")
            c.execute("PRAGMA cache_size = -65536")
    return added


def finish(store: Store) -> None:
    """After a big load: merge the full-text indexes into one segment each and refresh the
    planner's statistics."""
    c: Any = store.conn
    if store.backend.kind != "sqlite":
        # VACUUM too: it marks the loaded pages all-visible, so index-only scans (stats over
        # incident_tags, the medians by index offset) read no table pages until autovacuum would
        c.execute("VACUUM (ANALYZE)")
        return
    with db.transaction(c, store.path, "optimising the full-text indexes"):
        c.execute("INSERT INTO notices_words (notices_words) VALUES ('optimize')")
        c.execute("INSERT INTO notices_trigram (notices_trigram) VALUES ('optimize')")
    c.execute("ANALYZE")
