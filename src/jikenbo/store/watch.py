"""Watches (saved filters) and the alerts they record when a matching incident is new or changes.

A watch holds any filter ``jikenbo incidents`` accepts (:class:`Filters`); organisations and
vendors match through the linking keys (``link.org_key`` / ``link.vendor_key``), so
株式会社イセトー and イセトー are one. :func:`record_alerts` runs inside the transaction that
stores a document (``Store.add_document``): for each watch and each incident the document
created or changed, it compares the incident with what the watch last saw of it
(``watch_state``) and records one alert per change:

* ``new``: the watch sees the incident for the first time;
* ``new_notice``: a notice from a source (URL or path) the incident did not have;
* ``revised``: the affected count changed (one alert per new count);
* ``confirmed``: the leak status became ``confirmed`` (おそれ → 確認).

``alerts`` has a UNIQUE key over (watch, incident, change, which notice or count): the same
change is never recorded twice, however often the document is ingested again.
"""

from __future__ import annotations

import json
import re
import secrets
import sqlite3
from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from jikenbo import link
from jikenbo.store import db, textindex
from jikenbo.store.db import StoreError
from jikenbo.store.filters import Filters, date_bounds, where

if TYPE_CHECKING:
    from jikenbo.store.core import Store

CHANGES = ("new", "new_notice", "revised", "confirmed")
NAME = re.compile(r"^[^\s/\\?#%<>\"']{1,64}$")
SUMMARY = ("id", "organization", "title", "disclosure_date", "incident_types", "leak_status",
           "affected_total", "industry", "notice_count", "last_updated")


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def _dumps(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


@dataclass
class Watch:
    """A saved filter; ``filters`` holds only the fields it sets."""

    id: int
    name: str
    filters: dict[str, Any]
    webhook: str | None
    secret: str | None
    created_at: str

    def as_filters(self) -> Filters:
        return filters_from_dict(self.filters)

    def as_dict(self, *, with_secret: bool = False) -> dict[str, Any]:
        out = asdict(self)
        if not with_secret:
            out.pop("secret")
        return out


def filters_to_dict(f: Filters) -> dict[str, Any]:
    """The fields of ``f`` that are set (lists as lists), JSON-able."""
    out: dict[str, Any] = {}
    for fl in fields(Filters):
        if fl.name == "extra":
            continue
        v = getattr(f, fl.name)
        if v is None or v == [] or v == ():
            continue
        out[fl.name] = list(v) if isinstance(v, list | tuple) else v
    return out


def filters_from_dict(d: dict[str, Any]) -> Filters:
    known = {fl.name for fl in fields(Filters)} - {"extra"}
    return Filters(**{k: v for k, v in d.items() if k in known})


def _watch(row: sqlite3.Row) -> Watch:
    return Watch(id=row["id"], name=row["name"], filters=json.loads(row["filters"] or "{}"),
                 webhook=row["webhook"], secret=row["secret"], created_at=row["created_at"])


# ---------------------------------------------------------------------------- watches


def add_watch(store: Store, name: str, filters: Filters, *, webhook: str | None = None,
              secret: str | None = None, backfill: bool = False, names: list[str] | None = None) -> Watch:
    """Save a watch. The incidents it matches now are its baseline (no alert) unless
    ``backfill``: then each gets a ``new`` alert. A webhook gets a random secret unless given.

    :param names: organisations the watch is about (a list of vendors, subsidiaries, customers):
        an incident passes when, besides ``filters``, one of them is its organisation (a part of
        the name is enough, as with ``--org``) or a third party its notices name (as ``--vendor``)
    :raises StoreError: a bad name, a name in use, a filter that does not parse
    """
    store._check_writable()
    if not NAME.match(name or ""):
        raise StoreError(f"watch {name!r}: a name is 1 to 64 characters without spaces, / ? # % < > or quotes")
    where(filters, textindex.required_words(filters.query))  # a filter that cannot be used fails now, not at ingest
    names = [n.strip() for n in names or [] if n.strip()]
    if bad := [n for n in names if not link.org_key(n) and not link.vendor_key(n)]:
        raise StoreError(f"watch {name}: no name left after normalising {bad[0]!r}")
    if webhook and not secret:
        secret = secrets.token_hex(16)
    with db.transaction(store.conn, store.path, f"adding watch {name}"):
        c = store.conn
        if c.execute("SELECT 1 FROM watches WHERE name = ?", (name,)).fetchone():
            raise StoreError(f"watch {name!r} exists already (remove it first)")
        wid = int(c.execute("INSERT INTO watches (name, filters, webhook, secret, created_at) VALUES (?,?,?,?,?)",
                            (name, _dumps({**filters_to_dict(filters), **({"names": names} if names else {})}),
                             webhook, secret, _now())).lastrowid or 0)
        w = _watch(c.execute("SELECT * FROM watches WHERE id = ?", (wid,)).fetchone())
        _evaluate(c, w, None, alert=backfill)
    return w


def watches(store: Store) -> list[Watch]:
    return [_watch(r) for r in store._q("SELECT * FROM watches ORDER BY name")]


def get_watch(store: Store, name: str) -> Watch | None:
    rows = store._q("SELECT * FROM watches WHERE name = ?", (name,))
    return _watch(rows[0]) if rows else None


def remove_watch(store: Store, name: str) -> bool:
    """Delete a watch and what it saw; its past alerts stay (history). False if unknown."""
    store._check_writable()
    with db.transaction(store.conn, store.path, f"removing watch {name}"):
        row = store.conn.execute("SELECT id FROM watches WHERE name = ?", (name,)).fetchone()
        if row is None:
            return False
        store.conn.execute("DELETE FROM watch_state WHERE watch_id = ?", (row["id"],))
        store.conn.execute("DELETE FROM watches WHERE id = ?", (row["id"],))
        store.conn.execute("UPDATE alerts SET delivery = 'none' WHERE watch_id = ? AND delivery = 'pending'",
                           (row["id"],))
    return True


# ---------------------------------------------------------------------------- alerts


def record_alerts(conn: sqlite3.Connection, incident_pks: Iterable[int], *, watched: bool = True) -> int:
    """Record the alerts that the incidents ``incident_pks`` (just created or changed) raise on
    every watch; called inside the caller's transaction. Returns how many were recorded.
    ``watched`` False: the caller knows, in this transaction, that the store holds no watch."""
    pks = sorted({int(p) for p in incident_pks if p})
    if not pks or not watched:
        return 0
    rows = conn.execute("SELECT * FROM watches").fetchall()
    cache: dict[int, dict] = {}  # each incident's JSON read once for all watches
    return sum(_evaluate(conn, _watch(r), pks, alert=True, cache=cache) for r in rows)


def _evaluate(conn: sqlite3.Connection, w: Watch, pks: list[int] | None, *, alert: bool,
              cache: dict[int, dict] | None = None) -> int:
    f = w.as_filters()
    sql, params = where(f, textindex.required_words(f.query), correlated=pks is not None)
    cache = {} if cache is None else cache
    names = name_keys(w.filters.get("names") or [])
    n = 0
    for lo in range(0, len(pks), 500) if pks is not None else [0]:
        extra, extra_params = "", []
        if pks is not None:
            chunk = pks[lo:lo + 500]
            extra = f" AND i.pk IN ({','.join('?' * len(chunk))})"
            extra_params = chunk
        for (pk,) in conn.execute(f"SELECT i.pk FROM incidents i WHERE {sql}{extra}", [*params, *extra_params]).fetchall():
            if pk not in cache:
                cache[pk] = json.loads(conn.execute("SELECT data FROM incidents WHERE pk = ?", (pk,)).fetchone()[0])
            if names is None or names_match(cache[pk], names):
                n += _diff(conn, w, cache[pk], alert=alert)
            if pks is None:
                cache.pop(pk)  # a baseline walks every match: keep nothing
    return n


def name_keys(names: list[str]) -> tuple[set[str], set[str]] | None:
    """(organisation keys, vendor keys) of a watch's names; None when it has none."""
    if not names:
        return None
    return {k for k in map(link.org_key, names) if k}, {k for k in map(link.vendor_key, names) if k}


def names_match(inc: dict, keys: tuple[set[str], set[str]]) -> bool:
    """One of the names is the incident's organisation (or a part of its key, as ``--org``
    matches) or a third party of its notices (or the vendor key of its organisation)."""
    orgs, vendors = keys
    own = {link.org_key(inc.get("organization"))} | {link.org_key(a) for a in inc.get("organization_aliases") or []}
    own.discard("")
    if orgs & own or any(k in o for k in orgs for o in own):
        return True
    theirs = set(inc.get("vendor_keys") or []) | {link.vendor_key(n) for n in inc.get("third_parties") or []}
    theirs.add(link.vendor_key(inc.get("organization")))
    return bool(vendors & theirs)


def _sources(inc: dict) -> list[str]:
    out: list[str] = []
    for nt in inc.get("notices") or []:
        s = nt.get("url") or nt.get("source")
        if s and s not in out:
            out.append(s)
    return out


def _diff(conn: sqlite3.Connection, w: Watch, inc: dict, *, alert: bool) -> int:
    iid = inc["id"]
    cur = _sources(inc)
    st = conn.execute("SELECT affected_total, leak_status, sources FROM watch_state WHERE watch_id = ? AND "
                      "incident_id = ?", (w.id, iid)).fetchone()
    changes: list[tuple[str, str, dict]] = []
    if st is None:
        changes.append(("new", "", {}))
    else:
        seen = set(json.loads(st["sources"]))
        changes += [("new_notice", s, {"source": s}) for s in cur if s not in seen]
        total = inc.get("affected_total")
        if total is not None and total != st["affected_total"]:
            changes.append(("revised", str(total), {"field": "affected_total", "old": st["affected_total"],
                                                    "new": total}))
        if inc.get("leak_status") == "confirmed" and st["leak_status"] != "confirmed":
            changes.append(("confirmed", "", {"field": "leak_status", "old": st["leak_status"], "new": "confirmed"}))
    conn.execute("INSERT OR REPLACE INTO watch_state (watch_id, incident_id, affected_total, leak_status, sources)"
                 " VALUES (?,?,?,?,?)", (w.id, iid, inc.get("affected_total"), inc.get("leak_status"),
                                         _dumps(sorted(set(cur) | (set(json.loads(st["sources"])) if st else set())))))
    if not alert or not changes:
        return 0
    summary = {k: inc.get(k) for k in SUMMARY}
    notices = [{k: nt.get(k) for k in ("source", "organization", "kind", "disclosure_date", "title", "url")}
               for nt in inc.get("notices") or []]
    now = _now()
    n = 0
    for change, key, detail in changes:
        cur_ = conn.execute(
            "INSERT OR IGNORE INTO alerts (watch_id, watch, incident_id, change, change_key, organization, detail,"
            " incident, notices, at, delivery) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            (w.id, w.name, iid, change, key, inc.get("organization"), _dumps(detail), _dumps(summary),
             _dumps(notices), now, "pending" if w.webhook else "none"))
        n += cur_.rowcount
    return n


def alert_dict(row: sqlite3.Row) -> dict[str, Any]:
    """An alert as ``jikenbo alerts --format json`` prints it."""
    return {"id": row["id"], "watch": row["watch"], "incident": row["incident_id"],
            "organization": row["organization"], "change": row["change"], "at": row["at"],
            "detail": json.loads(row["detail"] or "{}"), "summary": json.loads(row["incident"] or "{}"),
            "notices": [{k: n.get(k) for k in ("source", "organization", "kind", "disclosure_date")}
                        for n in json.loads(row["notices"] or "[]")],
            "delivery": row["delivery"], "attempts": row["attempts"], "last_error": row["last_error"],
            "delivered_at": row["delivered_at"]}


def alerts(store: Store, *, watch: str | None = None, since: str | None = None, limit: int | None = 200,
           offset: int = 0) -> list[dict[str, Any]]:
    """Recorded alerts, newest first; ``since``: YYYY, YYYY-MM or YYYY-MM-DD (recorded then or later)."""
    parts, params = [], []
    if watch:
        parts.append("watch = ?")
        params.append(watch)
    if since:
        lo, _ = date_bounds(since, "--since")
        parts.append("at >= ?")
        params.append(lo)
    sql = " AND ".join(parts) or "1"
    lim = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
    return [alert_dict(r) for r in store._q(f"SELECT * FROM alerts WHERE {sql} ORDER BY at DESC, id DESC{lim}",
                                            params)]


def pending_deliveries(store: Store, max_attempts: int) -> list[tuple[dict[str, Any], Watch]]:
    """Alerts whose watch has a webhook and that are not delivered yet (fewer than
    ``max_attempts`` tries), oldest first, with their watch."""
    rows = store._q("SELECT a.*, w.id AS w_id, w.name AS w_name, w.filters AS w_filters, w.webhook AS w_webhook,"
                    " w.secret AS w_secret, w.created_at AS w_created FROM alerts a JOIN watches w ON w.id = a.watch_id"
                    " WHERE a.delivery IN ('pending', 'failed') AND a.attempts < ? AND w.webhook IS NOT NULL"
                    " ORDER BY a.id", (int(max_attempts),))
    return [(alert_dict(r), Watch(id=r["w_id"], name=r["w_name"], filters=json.loads(r["w_filters"]),
                                  webhook=r["w_webhook"], secret=r["w_secret"], created_at=r["w_created"]))
            for r in rows]


def mark_delivery(store: Store, alert_id: int, *, ok: bool, attempts: int, error: str | None = None) -> None:
    """Record one delivery run of an alert: delivered, or failed with its last error."""
    store._check_writable()
    with db.transaction(store.conn, store.path, "recording a webhook delivery"):
        store.conn.execute(
            "UPDATE alerts SET delivery = ?, attempts = attempts + ?, last_error = ?, delivered_at = ? WHERE id = ?",
            ("delivered" if ok else "failed", attempts, None if ok else error, _now() if ok else None, alert_id))


def recent_incidents(store: Store, limit: int = 50) -> list[tuple[dict[str, Any], str]]:
    """The incidents that most recently got a notice, with when: ``(incident dict, added_at)``."""
    out: list[tuple[dict, str]] = []
    seen: set[int] = set()
    for r in store._q("SELECT n.incident_pk, n.added_at, i.data FROM notices n JOIN incidents i ON i.pk = n.incident_pk"
                      " WHERE n.superseded = 0 ORDER BY n.pk DESC LIMIT ?", (limit * 4,)):
        if r["incident_pk"] in seen:
            continue
        seen.add(r["incident_pk"])
        out.append((json.loads(r["data"]), r["added_at"]))
        if len(out) >= limit:
            break
    return out
