"""Full-text search: Sudachi-word FTS first, trigram FTS for longer substrings, filters in SQL."""

from __future__ import annotations

import json
import re
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
    """The best-ranked current notice per incident passing ``filters``.

    FTS5 ranks inside its own table first (``ORDER BY rank LIMIT k``, fast in C); only those k
    notices are joined with the filters. When they give too few incidents, k grows, up to all.
    """
    fsql, fparams = where(filters)
    want = limit + len(exclude)
    sql = (
        "SELECT i.id, i.data, n.id AS notice_id, n.source, n.text, n.title AS notice_title,"
        " min(j.value ->> 1) AS rank"
        " FROM json_each(?) j CROSS JOIN notices n ON n.pk = (j.value ->> 0)"
        " CROSS JOIN incidents i ON i.pk = n.incident_pk"
        f" WHERE n.superseded = 0 AND {fsql}"
        " GROUP BY i.pk ORDER BY rank LIMIT ?"
    )
    k: int | None = max(200, want * 10)
    order = "rank"
    if table == "notices_words" and _common(store, match):
        order = "rowid DESC"  # bm25 of a word in most notices says little: newest first, fast
    try:
        while True:
            top = store.conn.execute(
                f"SELECT rowid, {'rank' if order == 'rank' else 'rowid'} FROM {table} "
                f"WHERE {table} MATCH ? ORDER BY {order}"
                + (" LIMIT ?" if k else ""), [match, k] if k else [match]).fetchall()
            if order != "rank":
                top = [(r[0], float(i)) for i, r in enumerate(top)]
            pairs = json.dumps([[r[0], r[1]] for r in top])
            rows = store.conn.execute(sql, [pairs, *fparams, want]).fetchall()
            if k is None or len(top) < k or len(rows) >= want:
                break
            k = None  # rank everything once rather than again and again
    except sqlite3.OperationalError as e:
        if "fts5" in str(e).lower() or "syntax" in str(e).lower():
            raise StoreError(f"search {match!r}: cannot be searched ({e})") from e
        raise db.translate(e, store.path, "searching") from e
    return [dict(r) for r in rows if r["id"] not in exclude]


COMMON_DOCS = 20_000


def _common(store: Store, match: str) -> bool:
    """True when every word of the query is in more than COMMON_DOCS notices."""
    words = set(re.findall(r'[^\s"]+', match.replace(" AND ", " "))) - {"AND"}
    if not words:
        return False
    marks = ",".join("?" * len(words))
    rows = store.conn.execute(f"SELECT term, doc FROM notices_words_vocab WHERE term IN ({marks})",
                              list(words)).fetchall()
    return len(rows) == len(words) and min(r[1] for r in rows) > COMMON_DOCS


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
