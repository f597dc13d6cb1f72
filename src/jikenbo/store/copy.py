"""Copy a whole store to another location, on either backend (``jikenbo copy --from A --to B``).

Every row of every table is copied with its keys, in one transaction on the target, into a target
that holds no documents yet; then the search index is rebuilt from the notices' text (the same
Sudachi segmentation as ingest: SQLite's FTS5 word table keeps no text to read back) and the rows
of every table are counted on both sides. A target that does not count the same is an error:
nothing is reported done that was not copied.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from jikenbo.store import db, textindex
from jikenbo.store.core import Store

# in an order that satisfies the foreign keys (documents.superseded_by is set in a second pass)
TABLES = ("documents", "organizations", "organization_aliases", "third_parties", "incidents", "incident_tags",
          "notices", "notice_third_parties", "field_values", "link_decisions", "watches", "watch_state",
          "alerts", "follows", "follow_entries")
ORDER = {"documents": "id", "organizations": "id", "third_parties": "id", "incidents": "pk", "notices": "pk",
         "link_decisions": "id", "watches": "id", "alerts": "id", "follows": "id",
         "organization_aliases": "organization_id, alias", "incident_tags": "kind, value, month, incident_pk",
         "notice_third_parties": "notice_pk, third_party_id, name", "field_values": "notice_pk, field",
         "watch_state": "watch_id, incident_id", "follow_entries": "url"}
INDEX_ONLY = {"words", "search_text"}  # PostgreSQL's search columns: rebuilt, never copied
BATCH = 2000


@dataclass
class CopySummary:
    """Rows per table on both sides after a copy (equal, or ``copy`` raised)."""

    source: str
    target: str
    rows: dict[str, int] = field(default_factory=dict)
    indexed: int = 0  # notices made searchable on the target


def _rows(store: Store, table: str) -> Iterator[list[Any]]:
    """The table's rows in key order, a batch at a time (a server-side cursor on PostgreSQL)."""
    sql = f"SELECT * FROM {table} ORDER BY {ORDER[table]}"
    stream = getattr(store.conn, "stream", None)
    if stream is not None:
        yield from stream(sql, BATCH)
        return
    cur = store.conn.execute(sql)
    while chunk := cur.fetchmany(BATCH):
        yield chunk


def _counts(store: Store) -> dict[str, int]:
    return {t: int(store._q(f"SELECT count(*) FROM {t}")[0][0]) for t in TABLES}


def copy_store(source: Store, target: Store, *, progress: Callable[[str, int], None] | None = None) -> CopySummary:
    """Copy every row of ``source`` into the empty store ``target`` (one transaction), rebuild
    the target's search index and check that every table counts the same on both sides.

    :raises StoreError: the target already holds documents, or the counts differ
    """
    target._check_writable()
    if target.counts()["documents"] or target.counts()["incidents"]:
        raise db.StoreError(f"{target.path}: the target store is not empty; copy into a new store only")
    tc = target.conn
    with db.transaction(tc, target.path, f"copying {source.path}"):
        for table in TABLES:
            n = 0
            for chunk in _rows(source, table):
                cols = [c for c in chunk[0].keys() if c not in INDEX_ONLY]  # noqa: SIM118 (rows iterate values)
                vals = [[r[c] for c in cols] for r in chunk]
                if table == "documents":
                    at = cols.index("superseded_by")
                    for v in vals:
                        v[at] = None  # points at a later document: set once all are in
                quoted = ", ".join(f'"{c}"' for c in cols)
                tc.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({','.join('?' * len(cols))})", vals)
                n += len(chunk)
                if progress:
                    progress(table, n)
        for chunk in _rows(source, "documents"):
            later = [(r["superseded_by"], r["id"]) for r in chunk if r["superseded_by"] is not None]
            tc.executemany("UPDATE documents SET superseded_by = ? WHERE id = ?", later)
        target.backend.reset_keys(tc)
        indexed = _index(target)
    got, want = _counts(target), _counts(source)
    if got != want:
        diff = ", ".join(f"{t} {want[t]} -> {got[t]}" for t in TABLES if got[t] != want[t])
        raise db.StoreError(f"{target.path}: the copy does not count the same as {source.path}: {diff}")
    return CopySummary(str(source.path), str(target.path), got, indexed)


def _index(target: Store) -> int:
    """Make every copied notice searchable: its title's and text's segmented words, its raw text."""
    n = 0
    last = 0
    while True:
        rows = target.conn.execute(
            "SELECT n.pk, n.title, CASE n.text WHEN '' THEN d.text ELSE n.text END FROM notices n"
            " JOIN documents d ON d.id = n.document_id WHERE n.pk > ? ORDER BY n.pk LIMIT ?",
            (last, BATCH)).fetchall()
        if not rows:
            return n
        for pk, title, text in rows:
            target.backend.index_notice(target.conn, pk, title or "", text or "",
                                        textindex.segmented(title) if title else "", textindex.segmented(text or ""))
        n += len(rows)
        last = rows[-1][0]
