"""Full-text search: Sudachi-word FTS first, trigram FTS for longer substrings, filters in SQL."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from jikenbo.store import db, textindex
from jikenbo.store.db import StoreError
from jikenbo.store.filters import Filters, where

if TYPE_CHECKING:
    from jikenbo.store.core import Store

ROW_FIELDS = ("id", "organization", "disclosure_date", "incident_types", "leak_status", "affected_total",
              "title", "notice_count")


def _ranked(store: Store, table: str, match: str, filters: Filters, limit: int,
            exclude: set[str]) -> list[dict[str, Any]]:
    fsql, fparams = where(filters)
    # best-ranked current notice per incident; bm25 weights: title 2, body 1
    sql = (
        f"WITH f AS MATERIALIZED (SELECT rowid, bm25({table}, 2.0, 1.0) AS rank FROM {table}"
        f" WHERE {table} MATCH ?)"
        f" SELECT i.id, i.data, n.id AS notice_id, n.source, n.text, n.title AS notice_title,"
        f" min(f.rank) AS rank"
        f" FROM f JOIN notices n ON n.pk = f.rowid JOIN incidents i ON i.pk = n.incident_pk"
        f" WHERE n.superseded = 0 AND {fsql}"
        f" GROUP BY i.pk ORDER BY rank LIMIT ?"
    )
    try:
        rows = store.conn.execute(sql, [match, *fparams, limit + len(exclude)]).fetchall()
    except sqlite3.OperationalError as e:
        if "fts5" in str(e).lower() or "syntax" in str(e).lower():
            raise StoreError(f"search {match!r}: cannot be searched ({e})") from e
        raise db.translate(e, store.path, "searching") from e
    out = []
    for r in rows:
        if r["id"] in exclude:
            continue
        out.append(dict(r))
    return out


def run_search(store: Store, query: str, filters: Filters = Filters(), *,  # noqa: B008
               limit: int = 50, offset: int = 0) -> list[dict]:
    """See :meth:`Store.search`."""
    if not query or not query.strip():
        raise StoreError("search: give at least one word to search for")
    words = textindex.fts_words_query(query)
    tri = textindex.fts_trigram_query(query)
    if words is None and tri is None:
        raise StoreError(f"search {query!r}: no words to search for")
    want = limit + offset
    hits: list[dict[str, Any]] = []
    seen: set[str] = set()
    if words:
        hits = _ranked(store, "notices_words", words, filters, want, seen)
        seen = {h["id"] for h in hits}
    if tri and len(hits) < want:
        more = _ranked(store, "notices_trigram", tri, filters, want, seen)
        for h in more:
            h["rank"] = (h["rank"] or 0) + 1000.0  # substring hits after word hits
        hits += more
    out = []
    for h in hits[offset:offset + limit]:
        inc = json.loads(h["data"])
        row = {k: inc.get(k) for k in ROW_FIELDS}
        row.update(notice_id=h["notice_id"], source=h["source"], rank=round(float(h["rank"] or 0), 4),
                   snippet=textindex.snippet((h["notice_title"] or "") + " " + (h["text"] or ""), query))
        out.append(row)
    return out
