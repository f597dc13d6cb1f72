"""The incident store: documents, notices, incidents and their field values in SQLite.

One ``Store`` owns one connection and is the single writer. Every document is written in
one ``BEGIN IMMEDIATE`` transaction: a crash loses at most the document being written.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from jikenbo import link
from jikenbo.models import Document, Record
from jikenbo.store import db, textindex, watch
from jikenbo.store.backend import Backend, Connection
from jikenbo.store.db import StoreError
from jikenbo.store.filters import Filters, tag_filters, where
from jikenbo.store.naming import locator as _locator
from jikenbo.store.relink import record_of, relink, relink_seeds

log = logging.getLogger(__name__)

CONTRACT_FIELDS = link.CONTRACT_FIELDS
VALUE_FIELDS = ("organization", "title", "industry", *CONTRACT_FIELDS)
SORTS = {
    "disclosure_date": "i.disclosure_date IS NULL, i.disclosure_date, i.pk",
    "-disclosure_date": "i.disclosure_date IS NULL, i.disclosure_date DESC, i.pk DESC",
    "affected_total": "i.affected_total IS NULL, i.affected_total, i.pk",
    "-affected_total": "i.affected_total IS NULL, i.affected_total DESC, i.pk DESC",
    "last_updated": "i.last_updated, i.pk",
    "-last_updated": "i.last_updated DESC, i.pk DESC",
    "organization": "i.org_key, i.pk",
    "-organization": "i.org_key DESC, i.pk DESC",
}
MAX_CANDIDATES = 200
COMMON_TAG = 2000


@dataclass
class DocResult:
    """What ``add_document`` did with one document."""

    source: str
    status: str  # added | new_version | duplicate | empty
    document_id: int | None = None
    version: int = 1
    notices_added: int = 0
    incidents_created: list[str] = field(default_factory=list)
    incidents_linked: list[str] = field(default_factory=list)
    notice_ids: list[str] = field(default_factory=list)


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()




def notice_id(rec: Record) -> str:
    """Stable id of a notice: ``ntc_`` + 12 hex of its document hash, segment and organisation."""
    raw = f"{rec.doc_sha256}\x1f{rec.segment_start}\x1f{rec.segment_end}\x1f{rec.organization or ''}"
    return "ntc_" + hashlib.sha256(raw.encode("utf-8")).hexdigest()[:12]


def _lag(detected: str | None, disclosed: str | None) -> int | None:
    try:
        if detected and disclosed:
            d = (date.fromisoformat(disclosed[:10]) - date.fromisoformat(detected[:10])).days
            return d if d >= 0 else None
    except ValueError:
        return None
    return None


def _dumps(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


class Store:
    """An incident store. Build it with :func:`jikenbo.store.open_store`."""

    def __init__(self, conn: Connection, path: str | Path, *, readonly: bool = False) -> None:
        self.conn = conn
        self.path = path
        self.readonly = readonly
        self.backend: Backend = db.backend_of(conn)  # sqlite.py or postgres.py
        self._orgs: dict[str, int | None] | None = None  # see _orgs_of_one_document
        # notices of the document being stored whose search columns wait for their linking update
        self._unindexed: dict[int, tuple[str, str, str, str]] | None = None
        self._aliases: set[tuple[int, str]] = set()

    # ------------------------------------------------------------------ lifecycle
    def close(self) -> None:
        """Close the connection (idempotent)."""
        self.backend.close(self.conn)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _q(self, sql: str, params: Any = ()) -> list[Any]:
        try:
            return self.conn.execute(sql, params).fetchall()
        except sqlite3.Error as e:
            raise db.translate(e, self.path, "reading") from e

    def integrity_check(self) -> list[str]:
        """``[]`` when the store is sound (SQLite's ``PRAGMA integrity_check``), else the problems."""
        try:
            return self.backend.integrity_check(self.conn)
        except sqlite3.Error as e:
            raise db.translate(e, self.path, "checking") from e

    def schema_version(self) -> int:
        """The schema version the store file is at."""
        try:
            return self.backend.schema_version(self.conn)
        except sqlite3.Error as e:
            raise db.translate(e, self.path, "reading") from e

    def _check_writable(self) -> None:
        if self.readonly:
            raise StoreError(f"{self.path}: the store was opened read-only")

    # ------------------------------------------------------------------ writing
    def has_document(self, sha256: str) -> bool:
        """True when a document with these bytes is already stored."""
        return bool(self._q("SELECT 1 FROM documents WHERE sha256 = ?", (sha256,)))

    def add_document(self, doc: Document, records: list[Record], *,
                     segmented: list[str] | None = None, locator: str | None = None,
                     segmented_titles: list[str] | None = None) -> DocResult:
        """Store ``doc`` and its notices, link each notice to an incident; one transaction.

        The same bytes twice add nothing (``status="duplicate"``); new bytes at a known URL or
        path are a new version of that document, whose notices replace the older version's.
        ``segmented`` (one per record) is the notice text as :func:`textindex.segmented`
        gives it, when a worker process already computed it. ``locator`` names where the bytes
        came from when ``doc.source`` is only the name shown (default: from ``doc.source``).
        ``segmented_titles`` (one per record): each title as :func:`textindex.segmented_titles`
        gives it, when a worker computed them.

        :raises StoreError: read-only store, disk full, not a store; nothing is stored then.
        """
        self._check_writable()
        res = DocResult(source=doc.source, status="duplicate")
        if not self.conn.in_transaction and self.has_document(doc.sha256):  # in a batch: asked below
            return res
        if segmented is None or len(segmented) != len(records):
            segmented = [textindex.segmented(_notice_text(doc, r)) for r in records]
        if segmented_titles is None or len(segmented_titles) != len(records):
            segmented_titles = list(textindex.segmented_titles(records))
        with self._orgs_of_one_document(), db.transaction(self.conn, self.path, f"storing {doc.source}"):
            c = self.conn
            loc = locator or _locator(doc)
            # one statement: these bytes stored already (by another writer meanwhile), and the
            # newest version at this locator
            got = c.execute("SELECT EXISTS (SELECT 1 FROM documents WHERE sha256 = ?) AS dup,"
                            " (SELECT max(version) FROM documents WHERE locator = ?) AS newest",
                            (doc.sha256, loc)).fetchone()
            if got["dup"]:
                return res
            prev = got["newest"] is not None
            version = got["newest"] + 1 if prev else 1
            if prev:  # a new version: its superseding and everything else under the writers' lock
                self._lock_to_link()
            # the document, its notices and their field values: rows no other writer can want,
            # written before the lock (PostgreSQL's commit batch) while another writer links
            cur = c.execute(
                "INSERT INTO documents (sha256, source, locator, version, url, media_type, encoding,"
                " title, published, fetched_at, added_at, notice_count, text)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (sha256) DO NOTHING",
                (doc.sha256, doc.source, loc, version, doc.url, doc.media_type, doc.encoding,
                 doc.title, doc.published, doc.fetched_at, _now(), len(records), doc.text))
            if not cur.rowcount:  # the same bytes, stored by another writer since the check
                return res
            doc_id = int(cur.lastrowid or 0)
            new_pks = []
            for rec, seg, seg_title in zip(records, segmented, segmented_titles, strict=True):
                new_pks.append(self._add_notice(doc, doc_id, rec, seg, seg_title))
                res.notice_ids.append(self._last_notice_id)
                res.notices_added += 1
            # unlocked until now (a new version took the lock above): ask whether another writer
            # stored a version at this locator meanwhile; its answer, the seeds' rows of
            # relinking and the first organisation's row come back in one round trip
            meanwhile = (c.execute("SELECT max(version) AS v FROM documents WHERE locator = ? AND id != ?",
                                   (loc, doc_id)) if self._lock_to_link() else None)
            seed_rows = relink_seeds(self, new_pks)
            # under the lock: rows two writers may both write (organisations, their aliases,
            # third parties); one written before the lock could deadlock with a linking writer
            for pk, rec in zip(new_pks, records, strict=True):
                self._notice_names(pk, rec)
            newest = meanwhile.fetchone()["v"] if meanwhile is not None else None
            if newest is not None:
                prev, version = True, newest + 1
                c.execute("UPDATE documents SET version = ? WHERE id = ?", (version, doc_id))
            res.document_id, res.version = doc_id, version
            res.status = "new_version" if prev else ("added" if records else "empty")
            touched: set[int] = set()
            if prev:
                touched |= self._supersede(loc, doc_id)
            placed = relink(self, new_pks, seed_rows)
            waiting = self._unindexed or {}
            for pk, cols in waiting.items():  # a new notice that linking did not move
                self.backend.index_notice(c, pk, *cols)
            waiting.clear()
            for pk in new_pks:
                iid, created, _ = placed[pk]
                (res.incidents_created if created else res.incidents_linked).append(iid)
            for pk in touched:
                if c.execute("SELECT 1 FROM incidents WHERE pk = ?", (pk,)).fetchone():
                    self._recompute(pk)
            # the incidents of this document's notices (all of them placed just now), same transaction
            watch.record_alerts(c, touched | {p[2] for p in placed.values()}, watched=placed.watched)
        return res

    @contextmanager
    def _orgs_of_one_document(self) -> Iterator[None]:
        """While one document is stored, each organisation it names is looked up once and each
        alias written once (a notice's and then its incident's). Nothing is kept past it: a
        rolled-back document's rows must not be remembered."""
        self._orgs, self._aliases = {}, set()
        self._unindexed = {}
        try:
            yield
        finally:
            self._orgs = None
            self._unindexed = None

    def _move_notices(self, moved: list[tuple[int, str, int]]) -> None:
        """Put notices ``(incident_pk, link_reasons, notice_pk)`` in their incidents; a notice of
        the document being stored gets its search columns in the same update where it waits for them."""
        waiting = self._unindexed or {}
        plain = [m for m in moved if m[2] not in waiting]
        if plain:
            self.conn.executemany("UPDATE notices SET incident_pk = ?, link_reasons = ? WHERE pk = ?", plain)
        fresh = [(inc, why, *waiting.pop(pk), pk) for inc, why, pk in moved if pk in waiting]
        if fresh:
            self.backend.link_and_index(self.conn, fresh)

    def _alias(self, org_id: int, alias: str, key: str) -> None:
        if self._orgs is not None:
            if (org_id, alias) in self._aliases:
                return
            self._aliases.add((org_id, alias))
        self.conn.execute("INSERT OR IGNORE INTO organization_aliases (organization_id, alias, alias_key) "
                          "VALUES (?,?,?)", (org_id, alias, key))

    def _supersede(self, loc: str, doc_id: int) -> set[int]:
        c = self.conn
        rows = c.execute(
            "SELECT n.pk, n.incident_pk FROM notices n JOIN documents d ON d.id = n.document_id "
            "WHERE d.locator = ? AND d.id != ? AND n.superseded = 0", (loc, doc_id)).fetchall()
        c.execute("UPDATE documents SET superseded_by = ? WHERE locator = ? AND id != ? "
                  "AND superseded_by IS NULL", (doc_id, loc, doc_id))
        c.executemany("UPDATE notices SET superseded = 1 WHERE pk = ?", [(r["pk"],) for r in rows])
        return {r["incident_pk"] for r in rows if r["incident_pk"]}

    def _org(self, name: str | None, industry: str | None) -> tuple[int | None, str]:
        key = link.org_key(name)
        if not key:
            return None, ""
        c = self.conn
        oid = self._orgs.get(key) if self._orgs is not None else None
        if oid is None:
            row = c.execute("SELECT id FROM organizations WHERE key = ?", (key,)).fetchone()
            if row is None:
                row = c.execute("SELECT organization_id AS id FROM organization_aliases WHERE alias_key = ? "
                                "LIMIT 1", (key,)).fetchone()
            if row is None:
                oid = int(c.execute("INSERT INTO organizations (key, rkey, name, industry) VALUES (?,?,?,?)",
                                    (key, key[::-1], name, industry)).lastrowid or 0)
            else:
                oid = row["id"]
            if self._orgs is not None:
                self._orgs[key] = oid
        self._alias(oid, name, key)
        return oid, key

    def _related_subqueries(self, keys: list[str]) -> tuple[list[str], list[list[Any]]]:
        """The queries (one a key, with their parameters) of the pks of incidents of
        organisations whose key equals, contains or is contained in one of ``keys``, as ``IN (…)``
        subqueries of the caller's statement (relink's block). One round trip whatever the
        number of keys: every key's names are asked at once."""
        c = self.conn
        hi = "\U0010ffff"
        asked = []
        for key in keys:
            n = len(key)
            subs = sorted({key[i:j] for i in range(n) for j in range(i + 3, n + 1)} if n <= 40 else {key})
            subs = subs or [key]
            marks = ",".join("?" * len(subs))
            # one statement: the names equal to a part of the key, then (3 characters or more)
            # the names that begin or end with it
            sql = (f"SELECT id, key FROM organizations WHERE key IN ({marks}) UNION "
                   f"SELECT organization_id, alias_key FROM organization_aliases WHERE alias_key IN ({marks})")
            params = [*subs, *subs]
            if n >= 3:
                sql += (" UNION ALL SELECT id, key FROM (SELECT id, key FROM organizations WHERE key >= ? AND key < ?"
                        " LIMIT 50) AS starting UNION ALL SELECT id, key FROM (SELECT id, key FROM organizations"
                        " WHERE rkey >= ? AND rkey < ? LIMIT 50) AS ending")
                params += [key, key + hi, key[::-1], key[::-1] + hi]
            asked.append((key, c.execute(sql, params)))  # read below: one round trip for all
        queries, params = [], []
        for key, cur in asked:
            # only names that relate (a substring such as 東京電機1 in 東京電機12 names another body)
            ids = {i for i, k in cur.fetchall() if k == key or link.org_relation(key, k) != "none"}
            id_list = sorted(i for i in ids if i is not None)
            marks = ",".join("?" * len(id_list))
            queries.append(f"SELECT pk FROM incidents WHERE org_key = ? OR organization_id IN ({marks})"
                           " ORDER BY disclosure_date DESC LIMIT ?")
            params.append([key, *id_list, MAX_CANDIDATES])
        return queries, params

    def _add_notice(self, doc: Document, doc_id: int, rec: Record, seg: str, seg_title: str) -> int:
        c = self.conn
        nid = notice_id(rec)
        rd = rec.model_dump()
        rd["notice_id"] = nid
        rd["fetched_at"] = doc.fetched_at
        key = link.org_key(rec.organization)  # its organisation's row: _notice_names
        evidence = rd.pop("evidence")
        text = _notice_text(doc, rec)
        base, n = nid, 1
        stored, kind, evidence_json, now = stored_text(doc, text), link.notice_kind(rd), _dumps(evidence), _now()
        while True:  # the insert itself tells whether the id is taken (no lookup before it)
            cur = c.execute(
                "INSERT INTO notices (id, document_id, incident_pk, source, organization, org_key, kind,"
                " disclosure_date, title, segment_start, segment_end, text, record, evidence, added_at)"
                " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (id) DO NOTHING",
                (nid, doc_id, None, rec.source, rec.organization, key, kind, rec.disclosure_date, rec.title,
                 rec.segment_start, rec.segment_end, stored, _dumps(rd), evidence_json, now))
            if cur.rowcount:
                break
            n += 1  # two records of one segment with one organisation: keep both
            nid = rd["notice_id"] = f"{base}_{n}"
        n_pk = int(cur.lastrowid or 0)
        self._last_notice_id = nid
        cols = (rec.title or "", text, seg_title, seg)
        if self._unindexed is not None and hasattr(self.backend, "link_and_index"):
            self._unindexed[n_pk] = cols  # written with the update that links it (PostgreSQL)
        else:
            self.backend.index_notice(c, n_pk, *cols)
        self._field_values(n_pk, rec, kind)
        return n_pk

    def _notice_names(self, n_pk: int, rec: Record) -> None:
        """The rows of the names a stored notice gives: its organisation (found or made) with
        the aliases it gives it, and its vendors and third parties."""
        c = self.conn
        org_id, _ = self._org(rec.organization, rec.industry)
        for alias in rec.aliases:  # names the notice gives its organisation find it too
            if org_id is not None and link.org_key(alias):
                self._alias(org_id, alias, link.org_key(alias))
        for name, role in [*((v, "vendor") for v in rec.vendors), *((t.name, t.role) for t in rec.third_parties)]:
            vkey = link.vendor_key(name)
            if not vkey:
                continue
            c.execute("INSERT OR IGNORE INTO third_parties (key, name) VALUES (?,?)", (vkey, name))
            tid = c.execute("SELECT id FROM third_parties WHERE key = ?", (vkey,)).fetchone()["id"]
            c.execute("INSERT OR IGNORE INTO notice_third_parties (notice_pk, third_party_id, name, role)"
                      " VALUES (?,?,?,?)", (n_pk, tid, name, role))

    def _lock_to_link(self) -> bool:
        """Take the writers' lock for the rest of this transaction, if not held (a PostgreSQL
        commit batch opens without it; SQLite's transaction holds it from its start). True when
        it was taken now: what came before ran while another writer may have committed."""
        lock = getattr(self.backend, "lock_to_link", None)
        return bool(lock(self.conn)) if lock is not None else False

    def _field_values(self, n_pk: int, rec: Record, kind: str) -> None:
        rows = []
        for fld in VALUE_FIELDS:
            ev = rec.evidence_for(fld)
            e = ev[0] if ev else None
            rows.append((n_pk, fld, _dumps(getattr(rec, fld)), rec.disclosure_date, kind,
                         e.text if e else None, e.start if e else None, e.end if e else None))
        self.conn.executemany(
            'INSERT INTO field_values (notice_pk, field, value, date, kind, snippet, start, "end")'
            " VALUES (?,?,?,?,?,?,?,?)", rows)

    def _current(self, where: str, args: tuple | list) -> list[dict]:
        """Record dicts (with ``notice_id``, ``url``, ``fetched_at``) of current notices."""
        rows = self.conn.execute(
            "SELECT n.id, n.record, d.url, d.fetched_at FROM notices n JOIN documents d "
            f"ON d.id = n.document_id WHERE {where} AND n.superseded = 0", args).fetchall()
        return [record_of(r["id"], r["record"], r["url"], r["fetched_at"]) for r in rows]

    def _recompute(self, inc_pk: int, new_id: str | None = None, records: list[dict] | None = None) -> None:
        """Recompute an incident's current values from its (current) notices; ``new_id``: its id
        (a new one when its group gained an earlier first notice); ``records``: its current
        notices' records when the caller holds them (relink's block), else they are read."""
        c = self.conn
        recs = records if records is not None else self._current("n.incident_pk = ?", (inc_pk,))
        iid = new_id or c.execute("SELECT id FROM incidents WHERE pk = ?", (inc_pk,)).fetchone()["id"]
        if not recs:  # every notice was replaced by a newer version elsewhere
            c.execute("DELETE FROM incident_tags WHERE incident_pk = ?", (inc_pk,))
            c.execute("UPDATE notices SET incident_pk = NULL WHERE incident_pk = ?", (inc_pk,))
            c.execute("DELETE FROM incidents WHERE pk = ?", (inc_pk,))
            return
        self._write_incident(inc_pk, {"id": iid, **link.consolidate(recs)})

    def _create_incident(self, iid: str, records: list[dict]) -> int | None:
        """A new incident ``iid`` of the notices of these records, its values written at once
        (one insert into the incidents table and its indexes, not an empty row then an update);
        its pk, or None when another incident holds ``iid`` (nothing written then). The notices
        are moved to it by the caller."""
        return self._write_incident(None, {"id": iid, **link.consolidate(records)})

    def _write_incident(self, inc_pk: int | None, inc: dict) -> int | None:
        """Write an incident's current values: update row ``inc_pk``, or insert a new one
        (``inc_pk`` None) with id ``inc["id"]``. Its pk; None when a new one's id is held by
        another incident (nothing written)."""
        c = self.conn
        org_id, _ = self._org(inc.get("organization"), inc.get("industry"))
        for alias in inc.get("organization_aliases") or []:
            if org_id is not None and link.org_key(alias):
                self._alias(org_id, alias, link.org_key(alias))
        dd = inc.get("disclosure_date")
        values = (org_id, inc.get("organization"), inc.get("org_key") or link.org_key(inc.get("organization")),
                  inc.get("industry"), inc.get("title"), dd, dd[:7] if dd else None, dd[:4] if dd else None,
                  inc.get("detected_date"), _lag(inc.get("detected_date"), dd),
                  _dumps(inc.get("incident_types") or []), inc.get("leak_status") or "unknown",
                  inc.get("affected_total"), _dumps(inc.get("data_categories") or []),
                  int(bool(inc.get("sensitive"))), int(bool(inc.get("payment_card"))),
                  _dumps(inc.get("reported_to") or []), _dumps(inc.get("third_parties") or []),
                  inc.get("first_disclosed"), inc.get("last_updated"), inc.get("notice_count") or 0,
                  _dumps(inc))
        if inc_pk is None:
            cur = c.execute(f"INSERT INTO incidents (id, {', '.join(INCIDENT_COLUMNS)}) VALUES"
                            f" (?{',?' * len(INCIDENT_COLUMNS)}) ON CONFLICT (id) DO NOTHING", (inc["id"], *values))
            if not cur.rowcount:
                return None
            inc_pk = int(cur.lastrowid or 0)
        else:
            c.execute(f"UPDATE incidents SET id=?, {', '.join(f'{k}=?' for k in INCIDENT_COLUMNS)} WHERE pk=?",
                      (inc["id"], *values, inc_pk))
            c.execute("DELETE FROM incident_tags WHERE incident_pk = ?", (inc_pk,))
        c.executemany(TAGS_INSERT, tag_rows(inc_pk, inc))
        return inc_pk

    def link_notices(self, a: str, b: str) -> list[str]:
        """An analyst's decision: notices (or incidents) ``a`` and ``b`` are one incident. Kept
        for every later ingest. Returns the incident ids of both afterwards (the same one)."""
        from jikenbo.store.relink import decide

        return decide(self, "link", a, b)

    def unlink_notice(self, notice: str) -> str:
        """An analyst's decision: ``notice`` is an incident of its own (kept for later ingests)."""
        from jikenbo.store.relink import decide

        return decide(self, "unlink", notice)[0]

    # ------------------------------------------------------------------ reading
    def incidents(self, filters: Filters = Filters(), *, sort: str = "-disclosure_date",  # noqa: B008
                  limit: int | None = 50, offset: int = 0) -> list[dict]:
        """Incident dicts (ARCHITECTURE.md) that pass ``filters``, sorted, one page."""
        if sort not in SORTS:
            raise StoreError(f"sort {sort!r}: expected one of {', '.join(SORTS)}")
        # newest first walks index incidents_listing; then tags are probed per incident, unless a
        # tag value is rare (selecting its incidents first is cheaper)
        corr = sort == "-disclosure_date" and all(self._tag_common(k, v) for k, v in tag_filters(filters))
        sql, params = where(filters, self._words(filters.query), correlated=corr)
        lim = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
        rows = self._q(f"SELECT i.data FROM incidents i WHERE {sql} ORDER BY {SORTS[sort]}{lim}", params)
        return [json.loads(r["data"]) for r in rows]

    def _tag_common(self, kind: str, values: list[str]) -> bool:
        """True when more than COMMON_TAG incidents carry one of ``values`` (counted up to that)."""
        marks = ",".join("?" * len(values))
        n = self._q(f"SELECT count(*) FROM (SELECT 1 FROM incident_tags WHERE kind = ? AND value IN ({marks})"
                    " LIMIT ?) AS t", (kind, *values, COMMON_TAG + 1))[0][0]
        return int(n) > COMMON_TAG

    def iter_incidents(self, filters: Filters = Filters(), *, sort: str = "disclosure_date",  # noqa: B008
                       batch: int = 1000) -> Any:
        """All matching incidents, streamed in pages (for exports)."""
        offset = 0
        while True:
            page = self.incidents(filters, sort=sort, limit=batch, offset=offset)
            yield from page
            if len(page) < batch:
                return
            offset += batch

    def count_incidents(self, filters: Filters = Filters()) -> int:  # noqa: B008
        """How many incidents pass ``filters``."""
        sql, params = where(filters, self._words(filters.query))
        return int(self._q(f"SELECT count(*) FROM incidents i WHERE {sql}", params)[0][0])

    def incident(self, incident_id: str) -> dict | None:
        """One incident with its notices, timeline, revisions and ``field_values``
        (per field: every value each notice gave, with its date, kind and source snippet)."""
        row = self._q("SELECT pk, data FROM incidents WHERE id = ?", (incident_id,))
        if not row:
            return None
        inc = json.loads(row[0]["data"])
        fv: dict[str, list[dict]] = {}
        for r in self._q(
            "SELECT f.field, f.value, f.date, f.kind, f.snippet, f.start, f.\"end\", n.id AS notice_id,"
            " n.source FROM field_values f JOIN notices n ON n.pk = f.notice_pk"
            " WHERE n.incident_pk = ? AND n.superseded = 0 ORDER BY f.date IS NULL, f.date, n.pk",
            (row[0]["pk"],)):
            fv.setdefault(r["field"], []).append(
                {"value": json.loads(r["value"]) if r["value"] is not None else None,
                 "notice_id": r["notice_id"], "source": r["source"], "date": r["date"], "kind": r["kind"],
                 "snippet": r["snippet"], "start": r["start"], "end": r["end"]})
        inc["field_values"] = fv
        why = {r["id"]: json.loads(r["link_reasons"] or "[]") for r in self._q(
            "SELECT id, link_reasons FROM notices WHERE incident_pk = ? AND superseded = 0", (row[0]["pk"],))}
        for n in inc.get("notices") or []:  # kept per notice: a reason can change without a recompute
            n["link_reasons"] = why.get(n.get("id"), n.get("link_reasons") or [])
        return inc

    def incident_records(self, incident_id: str) -> list[Record]:
        """The records of the incident's current notices, oldest first."""
        rows = self._q(
            "SELECT n.record, n.evidence FROM notices n JOIN incidents i ON i.pk = n.incident_pk "
            "WHERE i.id = ? AND n.superseded = 0 ORDER BY n.disclosure_date, n.pk", (incident_id,))
        return [Record.model_validate({**json.loads(r["record"]), "evidence": json.loads(r["evidence"])})
                for r in rows]

    def notice(self, notice_id: str) -> dict | None:
        """A notice's record dict plus ``notice_id``, ``incident_id``, ``text`` and ``document``."""
        rows = self._q(
            "SELECT n.*, i.id AS incident_id, d.sha256, d.url, d.fetched_at, d.title AS doc_title,"
            " d.version, d.source AS doc_source, d.text AS doc_text FROM notices n"
            " JOIN documents d ON d.id = n.document_id LEFT JOIN incidents i ON i.pk = n.incident_pk"
            " WHERE n.id = ?", (notice_id,))
        if not rows:
            return None
        r = rows[0]
        out = json.loads(r["record"])
        out.update(evidence=json.loads(r["evidence"]), notice_id=r["id"], incident_id=r["incident_id"],
                   superseded=bool(r["superseded"]), text=r["text"] or r["doc_text"],
                   fetched_at=r["fetched_at"],
                   document={"source": r["doc_source"], "sha256": r["sha256"], "url": r["url"],
                             "fetched_at": r["fetched_at"], "title": r["doc_title"],
                             "version": r["version"], "text": r["doc_text"]})
        return out

    def notices(self, filters: Filters = Filters(), *, limit: int | None = None,  # noqa: B008
                offset: int = 0) -> list[dict]:
        """Record dicts (with ``notice_id``, ``incident_id``) of the incidents passing ``filters``."""
        sql, params = where(filters, self._words(filters.query))
        lim = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
        rows = self._q(
            f"SELECT n.id, n.record, n.evidence, i.id AS incident_id, d.fetched_at FROM notices n"
            f" JOIN incidents i ON i.pk = n.incident_pk JOIN documents d ON d.id = n.document_id"
            f" WHERE n.superseded = 0 AND {sql} ORDER BY n.disclosure_date, n.pk{lim}", params)
        out = []
        for r in rows:
            d = json.loads(r["record"])
            d.update(evidence=json.loads(r["evidence"]), notice_id=r["id"], incident_id=r["incident_id"],
                     fetched_at=r["fetched_at"])
            out.append(d)
        return out

    def _words(self, query: str | None) -> str | None:
        return textindex.required_words(query)

    def search(self, query: str, filters: Filters = Filters(), *,  # noqa: B008
               limit: int = 50, offset: int = 0) -> list[dict]:
        """Incidents whose notices match ``query``, best first: each a row of the incident's
        current values plus ``notice_id``, ``source``, ``snippet`` and ``rank`` (lower is better).

        Terms are ANDed; each is matched as Sudachi-normalised words (two-character terms,
        漏えい == 漏洩) and, when it has three characters or more, as a substring (trigram).
        """
        from jikenbo.store.search import run_search

        return run_search(self, query, filters, limit=limit, offset=offset)

    def facets(self, filters: Filters = Filters(), *, top: int = 30) -> dict[str, list[tuple[str, int]]]:  # noqa: B008
        """Counts of incidents per value of type, leak_status, category, authority, industry,
        year and vendor, over the incidents passing ``filters``."""
        from jikenbo.store.stats import facets

        return facets(self, filters, top=top)

    def stats(self, by: list[str], filters: Filters = Filters()) -> dict:  # noqa: B008
        """Counts, affected totals (sum, median) and detection-to-disclosure lag (median, p90)
        per group of ``by`` (month, year, type, industry, category, authority, leak-status)."""
        from jikenbo.store.stats import stats

        return stats(self, by, filters)

    def vendor_groups(self, filters: Filters = Filters()) -> list[dict]:  # noqa: B008
        """Third parties named by the incidents passing ``filters``: key, name, ``n`` (of those),
        ``total`` and ``first_disclosed`` (over the whole store)."""
        from jikenbo.store.stats import vendor_groups

        return vendor_groups(self, filters)

    def counts(self) -> dict[str, int]:
        """Rows per main table."""
        out = {}
        for t in ("documents", "notices", "incidents", "organizations", "third_parties", "field_values"):
            out[t] = int(self._q(f"SELECT count(*) FROM {t}")[0][0])
        return out

    def ingest(self, inputs: Any, *, workers: int | None = None, progress: bool = True) -> Any:
        """Read, extract (in parallel) and store ``inputs``; see :mod:`jikenbo.store.ingest`."""
        from jikenbo.store.ingest import ingest

        return ingest(self, inputs, workers=workers, progress=progress)


# the incidents table's values, in the order _write_incident gives them
INCIDENT_COLUMNS = ("organization_id", "organization", "org_key", "industry", "title", "disclosure_date",
                    "disclosure_month", "disclosure_year", "detected_date", "lag_days", "incident_types",
                    "leak_status", "affected_total", "data_categories", "sensitive", "payment_card",
                    "reported_to", "third_parties", "first_disclosed", "last_updated", "notice_count", "data")
TAGS_INSERT = ("INSERT OR IGNORE INTO incident_tags (incident_pk, kind, value, month, affected_total,"
               " lag_days) VALUES (?,?,?,?,?,?)")


def tag_rows(inc_pk: int, inc: dict) -> list[tuple[int, str, str, str, int | None, int | None]]:
    """``incident_tags`` rows of an incident: one per type, category, authority and vendor, a
    ``''`` value for a type / category / authority it does not state; each with the incident's
    month, affected total and lag (what ``stats`` reads)."""
    dd = inc.get("disclosure_date")
    extra = (dd[:7] if dd else "", inc.get("affected_total"), _lag(inc.get("detected_date"), dd))
    rows = []
    for kind, fld in (("type", "incident_types"), ("category", "data_categories"),
                      ("authority", "reported_to")):
        rows += [(inc_pk, kind, t, *extra) for t in inc.get(fld) or [""]]
    vkeys = set(inc.get("vendor_keys") or []) | {link.vendor_key(n) for n in inc.get("third_parties") or []}
    rows += [(inc_pk, "vendor", k, *extra) for k in sorted(vkeys) if k]
    return rows


def stored_text(doc: Document, text: str) -> str:
    """What ``notices.text`` holds: ``''`` when the notice is the whole document's text."""
    return "" if text == doc.text else text


_notice_text = textindex.notice_text
