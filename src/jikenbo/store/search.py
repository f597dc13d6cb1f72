"""Full-text search: Sudachi-word FTS first, trigram FTS for longer substrings, filters in SQL."""

from __future__ import annotations

import json
import sqlite3
from typing import TYPE_CHECKING, Any

from jikenbo.store import db, textindex
from jikenbo.store.db import StoreError
from jikenbo.store.filters import Filters, tag_filters, where

if TYPE_CHECKING:
    from jikenbo.store.core import Store

ROW_FIELDS = ("id", "organization", "disclosure_date", "incident_types", "leak_status", "affected_total",
              "title", "notice_count")


K_FIRST = 200  # notices FTS5 hands over in the first round
K_MAX_GROW = 100_000  # past this, select by the filters first and ask FTS5 about those notices
FILTER_FIRST_MAX = 200_000  # at most this many filtered notices are checked against the index
FILTER_FEW = 20_000  # filters this selective go first as soon as the top k falls short
COMMON_DOCS = 5_000  # beyond this many matches bm25 order says little; newest first is cheap
JOIN_CHUNK = 500  # filter-first hits joined with the incidents this many at a time


def _join_sql(fsql: str) -> str:
    return (
        "SELECT i.pk AS inc_pk, n.pk AS notice_pk, min(j.value ->> 1) AS rank"
        " FROM json_each(?) j CROSS JOIN notices n ON n.pk = (j.value ->> 0)"
        " CROSS JOIN incidents i ON i.pk = n.incident_pk"
        f" WHERE n.superseded = 0 AND {fsql}"
        " GROUP BY i.pk ORDER BY rank LIMIT ?"
    )


def _ranked(store: Store, table: str, match: str, filters: Filters, limit: int,
            exclude: set[int]) -> list[dict[str, Any]]:
    """The best-ranked current notice per incident passing ``filters``: ``inc_pk``, ``notice_pk``,
    ``rank``.

    FTS5 ranks inside its own table first (``ORDER BY rank LIMIT k``, fast in C); only those k
    notices are joined with the filters. A query matching more than ``COMMON_DOCS`` notices is taken
    newest first instead (bm25 says little about it and the order costs nothing). When k notices
    give too few incidents, k grows by what the survivors so far suggest; when the filters pass
    at most ``FILTER_FEW`` incidents, or growing would mean more than ``K_MAX_GROW`` notices, the
    filters pick the notices first (by their indexes) and are kept where they are among the
    query's matches, newest or best first.
    """
    fsql, fparams = where(filters, correlated=True)  # k notices: probe each one's tags
    want = limit + len(exclude)
    sql = _join_sql(fsql)
    common = _common(store, table, match)
    order = "rowid DESC" if common else "rank"
    k: int | None = max(K_FIRST, want * 10)
    few: bool | None = None  # asked once, when the first top k falls short
    try:
        while True:
            top = _top(store, table, match, order, k)
            rows = store.conn.execute(sql, [_pairs(top), *fparams, want]).fetchall()
            if k is None or len(top) < k or len(rows) >= want:
                break
            if not common:
                # at most COMMON_DOCS notices to rank: all of them once, unless the filters are
                # selective, when joining only the filters' notices that match is cheaper
                if fsql != "1" and _few(store, filters):
                    first = _filter_first(store, table, match, order, filters, want)
                    if first is not None:
                        rows = first
                        break
                k = None if k * 4 >= COMMON_DOCS else k * 4  # grow; joining all matches is the cost
                continue
            need = int(k * max(2.0, 1.5 * want / max(len(rows), 0.5)))
            if few is None:
                few = fsql != "1" and _few(store, filters)
            if fsql != "1" and (need > K_MAX_GROW or few):
                first = _filter_first(store, table, match, order, filters, want)
                if first is not None:
                    rows = first
                    break
                few = False
            k = need if need <= K_MAX_GROW * 10 else None
    except sqlite3.OperationalError as e:
        if "fts5" in str(e).lower() or "syntax" in str(e).lower():
            raise StoreError(f"search {match!r}: cannot be searched ({e})") from e
        raise db.translate(e, store.path, "searching") from e
    return [dict(r) for r in rows if r["inc_pk"] not in exclude]


def _top(store: Store, table: str, match: str, order: str, k: int | None) -> list[tuple[int, float]]:
    col = "rank" if order == "rank" else "rowid"
    top = store.conn.execute(
        f"SELECT rowid, {col} FROM {table} WHERE {table} MATCH ? ORDER BY {order}"
        + (" LIMIT ?" if k else ""), [match, k] if k else [match]).fetchall()
    if order != "rank":
        return [(r[0], float(i)) for i, r in enumerate(top)]
    return [(r[0], r[1]) for r in top]


def _few(store: Store, filters: Filters) -> bool:
    """True when at most FILTER_FEW incidents pass the filters (counted up to that, by index).
    Not asked with tag filters: counting a common tag's incidents costs more than it saves."""
    if tag_filters(filters):
        return False
    fsql, fparams = where(filters)
    n = store.conn.execute(f"SELECT count(*) FROM (SELECT 1 FROM incidents i WHERE {fsql} LIMIT ?)",
                           [*fparams, FILTER_FEW + 1]).fetchone()[0]
    return int(n) <= FILTER_FEW


def _pairs(top: list[tuple[int, float]]) -> str:
    return json.dumps([[r, v] for r, v in top])


def _filter_first(store: Store, table: str, match: str, order: str, filters: Filters,
                  want: int) -> list[sqlite3.Row] | None:
    """The notices of the incidents passing the filters (by their indexes), kept where they are
    among the query's matches (streamed newest or best first); None when the filters pass too
    many notices for this to be the cheaper plan."""
    fsql, fparams = where(filters)  # a tag's incidents first (IN): the filters drive
    cand = [r[0] for r in store.conn.execute(
        "SELECT n.pk FROM incidents i JOIN notices n ON n.incident_pk = i.pk"
        f" WHERE n.superseded = 0 AND {fsql} LIMIT ?",
        [*fparams, FILTER_FIRST_MAX + 1])]
    if len(cand) > FILTER_FIRST_MAX:
        return None
    if not cand:
        return []
    wanted = set(cand)
    col = "rank" if order == "rank" else "rowid"
    # FTS5 seeks by rowid: only the span the candidates occupy is read (a year's notices are
    # a narrow span; streaming every match of a common word newest first read them all)
    cur = store.conn.execute(f"SELECT rowid, {col} FROM {table} WHERE {table} MATCH ?"
                             f" AND rowid BETWEEN ? AND ? ORDER BY {order}", [match, min(cand), max(cand)])
    hits: list[tuple[int, float]] = []
    while chunk := cur.fetchmany(20_000):  # the matches stream out of FTS5 in C; the set test is cheap
        hits += [(r[0], r[1]) for r in chunk if r[0] in wanted]
        if (order != "rank" and len(hits) >= want * 3) or len(hits) == len(wanted):
            break  # newest first: enough of the newest matches; or every candidate matched
    if order != "rank":
        hits = [(r, float(i)) for i, (r, _) in enumerate(hits)]
    # join in rank-ordered chunks and stop at a full page: an incident's best notice comes first
    out: list[sqlite3.Row] = []
    taken: set[int] = set()
    for i in range(0, len(hits), JOIN_CHUNK):
        for r in store.conn.execute(_join_sql("1"), [_pairs(hits[i:i + JOIN_CHUNK]), want]).fetchall():
            if r["inc_pk"] not in taken:
                taken.add(r["inc_pk"])
                out.append(r)
        if len(out) >= want:
            break
    return out[:want]


def _common(store: Store, table: str, match: str) -> bool:
    """True when the query matches more than COMMON_DOCS notices (counted up to that, in C:
    a few ms even for a word in every notice; the fts5vocab count reads whole doclists)."""
    n = store.conn.execute(f"SELECT count(*) FROM (SELECT rowid FROM {table} WHERE {table} MATCH ?"
                           " LIMIT ?)", [match, COMMON_DOCS + 1]).fetchone()[0]
    return int(n) > COMMON_DOCS


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
    if store.backend.kind != "sqlite":  # PostgreSQL: tsvector and pg_trgm (postgres.py)
        hits = store.backend.search_hits(store, query, filters, want)
    else:
        hits = _fts5_hits(store, words, tri, filters, want)
    page = hits[offset:offset + limit]
    if not page:
        return []
    marks = ",".join("?" * len(page))
    details = {r["notice_pk"]: r for r in store._q(
        "SELECT n.pk AS notice_pk, i.data, n.id AS notice_id, n.source, n.title AS notice_title,"
        " CASE n.text WHEN '' THEN d.text ELSE n.text END AS text"
        " FROM notices n JOIN incidents i ON i.pk = n.incident_pk JOIN documents d ON d.id = n.document_id"
        f" WHERE n.pk IN ({marks})", [h["notice_pk"] for h in page])}
    out = []
    for h in page:
        d = details[h["notice_pk"]]
        inc = json.loads(d["data"])
        row = {k: inc.get(k) for k in ROW_FIELDS}
        row.update(notice_id=d["notice_id"], source=d["source"], rank=round(float(h["rank"] or 0), 4),
                   snippet=textindex.snippet((d["notice_title"] or "") + " " + (d["text"] or ""), query))
        out.append(row)
    return out


def _fts5_hits(store: Store, words: str | None, tri: str | None, filters: Filters,
               want: int) -> list[dict[str, Any]]:
    hits: list[dict[str, Any]] = []
    seen: set[int] = set()
    if words:
        hits = _ranked(store, "notices_words", words, filters, want, seen)
        seen = {h["inc_pk"] for h in hits}
    if tri and not hits:
        # substrings only where the words found nothing: when words matched, the same notices
        # come back from the trigram index, and a rare filter over a common substring (a short
        # page of クレジットカード in 2020) would scan every match for nothing new
        more = _ranked(store, "notices_trigram", tri, filters, want, seen)
        for h in more:
            h["rank"] = (h["rank"] or 0) + 1000.0  # substring hits after word hits
        hits += more
    return hits
