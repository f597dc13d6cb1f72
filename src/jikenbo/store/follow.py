"""Followed sources (feeds and listing pages) and the entries seen on them: the SQL of ``jikenbo follow``.

The fetching itself is :mod:`jikenbo.follow`; this module keeps per source its validators
(ETag, Last-Modified), its last error and back-off, and per entry link whether it was fetched,
so every entry is fetched once.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from jikenbo.store import db
from jikenbo.store.db import StoreError

if TYPE_CHECKING:
    from jikenbo.store.core import Store

KINDS = ("auto", "feed", "page")


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


@dataclass
class Source:
    """One followed source as stored."""

    id: int
    url: str
    kind: str
    match: str | None
    backfill: bool
    etag: str | None
    last_modified: str | None
    added_at: str
    last_run: str | None
    last_ok: str | None
    last_error: str | None
    failures: int
    next_try: str | None
    entries: int

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _source(r: sqlite3.Row) -> Source:
    return Source(id=r["id"], url=r["url"], kind=r["kind"], match=r["match"], backfill=bool(r["backfill"]),
                  etag=r["etag"], last_modified=r["last_modified"], added_at=r["added_at"], last_run=r["last_run"],
                  last_ok=r["last_ok"], last_error=r["last_error"], failures=r["failures"], next_try=r["next_try"],
                  entries=r["entries"])


def add_source(store: Store, url: str, *, kind: str = "auto", match: str | None = None,
               backfill: bool = False) -> Source:
    """Follow ``url``. :raises StoreError: already followed, unknown kind."""
    store._check_writable()
    if kind not in KINDS:
        raise StoreError(f"follow {url}: kind {kind!r} is not one of {', '.join(KINDS)}")
    with db.transaction(store.conn, store.path, f"following {url}"):
        if store.conn.execute("SELECT 1 FROM follows WHERE url = ?", (url,)).fetchone():
            raise StoreError(f"{url}: already followed")
        store.conn.execute("INSERT INTO follows (url, kind, match, backfill, added_at) VALUES (?,?,?,?,?)",
                           (url, kind, match, int(backfill), _now()))
    src = get_source(store, url)
    assert src is not None
    return src


def sources(store: Store) -> list[Source]:
    return [_source(r) for r in store._q("SELECT * FROM follows ORDER BY id")]


def get_source(store: Store, url_or_id: str | int) -> Source | None:
    rows = store._q("SELECT * FROM follows WHERE url = ? OR CAST(id AS TEXT) = ?", (str(url_or_id), str(url_or_id)))
    return _source(rows[0]) if rows else None


def remove_source(store: Store, url_or_id: str | int) -> bool:
    """Stop following; the entries it brought stay in the store. False if unknown."""
    store._check_writable()
    src = get_source(store, url_or_id)
    if src is None:
        return False
    with db.transaction(store.conn, store.path, f"unfollowing {src.url}"):
        store.conn.execute("DELETE FROM follow_entries WHERE follow_id = ?", (src.id,))
        store.conn.execute("DELETE FROM follows WHERE id = ?", (src.id,))
    return True


def record_run(store: Store, src: Source, *, error: str | None, next_try: str | None = None,
               etag: str | None = None, last_modified: str | None = None, kind: str | None = None) -> None:
    """After fetching a source: on success its validators (``None`` keeps them, as after a 304;
    ``""`` clears them); on failure its error, failure count and next try (the caller computes
    the back-off)."""
    store._check_writable()
    now = _now()
    with db.transaction(store.conn, store.path, f"recording the run of {src.url}"):
        if error is None:
            store.conn.execute(
                "UPDATE follows SET last_run = ?, last_ok = ?, last_error = NULL, failures = 0, next_try = NULL,"
                " etag = CASE WHEN CAST(? AS TEXT) IS NULL THEN etag ELSE nullif(?, '') END,"
                " last_modified = CASE WHEN CAST(? AS TEXT) IS NULL THEN last_modified ELSE nullif(?, '') END,"
                " kind = coalesce(CAST(? AS TEXT), kind),"
                " entries = (SELECT count(*) FROM follow_entries WHERE follow_id = ?) WHERE id = ?",
                (now, now, etag, etag, last_modified, last_modified, kind, src.id, src.id))
        else:
            store.conn.execute("UPDATE follows SET last_run = ?, last_error = ?, failures = failures + 1, next_try = ?"
                               " WHERE id = ?", (now, error, next_try, src.id))


def entry_state(store: Store, url: str) -> tuple[str, int] | None:
    """(status, tries) of an entry link seen before, else None."""
    rows = store._q("SELECT status, tries FROM follow_entries WHERE url = ?", (url,))
    return (rows[0]["status"], rows[0]["tries"]) if rows else None


def has_entries(store: Store, src: Source) -> bool:
    return bool(store._q("SELECT 1 FROM follow_entries WHERE follow_id = ? LIMIT 1", (src.id,)))


def record_entry(store: Store, src: Source, url: str, status: str, error: str | None = None) -> None:
    """An entry link was fetched, failed, or taken as the baseline of a listing page."""
    store._check_writable()
    now = _now()
    with db.transaction(store.conn, store.path, f"recording entry {url}"):
        store.conn.execute(
            "INSERT INTO follow_entries (url, follow_id, first_seen, status, tries, error, fetched_at)"
            " VALUES (?,?,?,?,?,?,?) ON CONFLICT(url) DO UPDATE SET status = excluded.status,"
            " tries = follow_entries.tries + excluded.tries, error = excluded.error,"
            " fetched_at = coalesce(excluded.fetched_at, follow_entries.fetched_at)",
            (url, src.id, now, status, int(status != "baseline"), error, now if status == "fetched" else None))
