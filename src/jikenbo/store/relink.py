"""Relinking: after new notices arrive, group their neighbourhood into incidents again.

A notice's neighbourhood (its *block*) is every current notice of every incident whose
organisation relates to one of the names it holds or names (``link.search_keys``), grown until
no new name turns up, plus the partners of analysts' decisions. ``link.cluster_explained``
groups the block, which does not depend on the order notices arrived in, so the same documents
ingested in any order, one by one or in parallel give the same incidents. Incident ids come
from each group's first notice (``link.incident_id_of``).
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import TYPE_CHECKING, Any

from jikenbo import link

if TYPE_CHECKING:
    from jikenbo.store.core import Store

log = logging.getLogger(__name__)

MAX_BLOCK = 400  # notices; a bigger neighbourhood is cut (logged), in a deterministic order
MAX_KEYS = 60


def _dumps(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


_NOTICE_SQL = ("SELECT n.pk, n.id, n.record, n.incident_pk, n.link_reasons, d.url, d.fetched_at FROM notices n"
               " JOIN documents d ON d.id = n.document_id WHERE n.superseded = 0 AND ")
# the seeds' rows also tell whether the store holds any analyst's decision at all (most hold
# none): then no decision is looked up per notice. Decisions are written by writers only, under
# the writers' lock this relink holds, so the answer stays true for the whole relink.
_SEED_SQL = _NOTICE_SQL.replace(" FROM notices n", ", (SELECT EXISTS (SELECT 1 FROM link_decisions)) AS decided"
                                " FROM notices n", 1)


# pk -> (id, record, url, fetched_at, summary, fingerprint): a notice's summary is a pure
# function of those four, so a block loaded again (the next notice of the organisation) reuses
# it when all four match; the fingerprint (pk and a digest of the four) files the notice's
# decisions in the clustering memo
_SUMMARIES: dict[int, tuple[str, str, str | None, str | None, dict, tuple[int, bytes]]] = {}
MAX_SUMMARIES = 50_000
# earlier relinks' decisions (link.ClusterMemo): the next notice of a neighbourhood replays them
MEMO = link.ClusterMemo(max_steps=50_000)  # a step: a decision and its reasons, ~0.7 KB (35 MB)


def _summary(r: Any) -> tuple[dict, tuple[int, bytes]]:
    key = (r["id"], r["record"], r["url"], r["fetched_at"])
    hit = _SUMMARIES.get(r["pk"])
    if hit is not None and hit[:4] == key:
        return dict(hit[4]), hit[5]
    d = json.loads(r["record"])
    d.update(notice_id=r["id"], url=d.get("url") or r["url"], fetched_at=r["fetched_at"])
    s = link.notice_summary(d)
    fp = (r["pk"], hashlib.blake2b(_dumps(key).encode("utf-8"), digest_size=16).digest())
    if len(_SUMMARIES) >= MAX_SUMMARIES:
        _SUMMARIES.clear()
    _SUMMARIES[r["pk"]] = (*key, s, fp)
    return dict(s), fp


def _rows_to_records(rows: list[Any], out: dict[int, dict]) -> list[int]:
    """Notice rows as link summaries (plus ``incident_pk``, ``link_reasons`` and the
    ``_fingerprint`` of the clustering memo) into ``out``."""
    added = []
    for r in rows:
        if r["pk"] in out:
            continue
        s, fp = _summary(r)
        s.update(incident_pk=r["incident_pk"], link_reasons=json.loads(r["link_reasons"] or "[]"),
                 _fingerprint=fp)
        out[r["pk"]] = s
        added.append(r["pk"])
    return added


def _relates(s: dict, keys: set[str]) -> bool:
    return any(k == o or link.org_relation(k, o) != "none" for k in s.get("org_keys") or [] for o in keys)


def _decisions(store: Store, ids: set[str]) -> list[Any]:
    if not ids:
        return []
    marks = ",".join("?" * len(ids))
    return store.conn.execute(
        f"SELECT action, notice_id, other_id FROM link_decisions WHERE notice_id IN ({marks})"
        f" OR other_id IN ({marks}) ORDER BY id", [*ids, *ids]).fetchall()


def block(store: Store, seeds: list[int]) -> tuple[dict[int, dict], bool]:
    """pk → record dict (with ``notice_id``, ``incident_pk``, ``link_reasons``) of the seeds'
    neighbourhood, and whether the store holds any analyst's decision."""
    c = store.conn
    out: dict[int, dict] = {}
    marks = ",".join("?" * len(seeds))
    seed_rows = c.execute(_SEED_SQL + f"n.pk IN ({marks})", seeds).fetchall()
    decided = not seed_rows or bool(seed_rows[0]["decided"])  # the same on every row
    todo = _rows_to_records(seed_rows, out)
    for pk in todo:
        out[pk]["incident_pk"] = out[pk]["incident_pk"] or None
    seen_keys: set[str] = set()
    seen_inc: set[int] = set()
    seen_ids: set[str] = set()
    while todo and len(out) < MAX_BLOCK:
        keys = sorted({k for pk in todo for k in link.search_keys(out[pk])} - seen_keys)[:MAX_KEYS]
        seen_keys |= set(keys)
        incs = {out[pk]["incident_pk"] for pk in todo if out[pk].get("incident_pk")}
        for k in keys:
            incs |= set(store._related_incidents(k))
        incs -= seen_inc
        seen_inc |= incs
        todo = []
        if incs:
            marks = ",".join("?" * len(incs))
            fetched: dict[int, dict] = {}
            rows = c.execute(_NOTICE_SQL + f"n.incident_pk IN ({marks}) ORDER BY n.pk LIMIT ?",
                             [*sorted(incs), MAX_BLOCK]).fetchall()
            _rows_to_records([r for r in rows if r["pk"] not in out], fetched)
            # keep the incidents of organisations that relate to a name looked for (a key found as
            # a mere substring, 東京電機1 in 東京電機12, names another body)
            wanted = set(keys) | {k for d in out.values() for k in d.get("org_keys") or []}
            keep = {d["incident_pk"] for d in fetched.values() if _relates(d, wanted)}
            for pk, d in fetched.items():
                if d["incident_pk"] in keep:
                    out[pk] = d
                    todo.append(pk)
        ids = {d["notice_id"] for d in out.values()} - seen_ids if decided else set()
        seen_ids |= ids
        partners = {x for row in _decisions(store, ids) for x in (row["notice_id"], row["other_id"]) if x}
        partners -= {d["notice_id"] for d in out.values()}
        if partners:
            marks = ",".join("?" * len(partners))
            todo += _rows_to_records(c.execute(_NOTICE_SQL + f"n.id IN ({marks})", sorted(partners)).fetchall(),
                                     out)
    if len(out) >= MAX_BLOCK:
        log.warning("relinking: the neighbourhood of notice %s has %d notices or more; cut there",
                    seeds[0], MAX_BLOCK)
    return out, decided


def effective_decisions(rows: list[Any]) -> tuple[set[tuple[str, str]], set[str]]:
    """Analysts' decisions in force: (linked pairs, notices kept alone); later ones win."""
    pairs: set[tuple[str, str]] = set()
    alone: set[str] = set()
    for r in rows:
        a, b = r["notice_id"], r["other_id"]
        if r["action"] == "link" and b:
            pairs.add((a, b))
            alone -= {a, b}
        elif r["action"] == "unlink":
            alone.add(a)
            pairs = {p for p in pairs if a not in p}
    return pairs, alone


def relink(store: Store, seeds: list[int]) -> dict[int, tuple[str, bool, int]]:
    """Regroup the seeds' neighbourhood; pk of each seed → (incident id, whether it is new, the
    incident's pk)."""
    if not seeds:
        return {}
    c = store.conn
    blk, decided = block(store, seeds)
    pks = sorted(blk)
    recs = [blk[p] for p in pks]
    index = {d["notice_id"]: i for i, d in enumerate(recs)}
    pairs, alone = effective_decisions(_decisions(store, set(index)) if decided else [])
    groups, reasons = link.cluster_explained(
        recs, links=[(index[a], index[b]) for a, b in pairs if a in index and b in index],
        alone=[index[a] for a in alone if a in index], memo=MEMO, fingerprints=[d["_fingerprint"] for d in recs])
    old = {d["incident_pk"] for d in recs if d.get("incident_pk")}
    new = set(seeds)
    claimed: set[int] = set()
    touched: set[int] = set()
    out: dict[int, tuple[str, bool, int]] = {}
    by_incident: dict[int, set[int]] = {}
    for pk, d in blk.items():
        if d.get("incident_pk"):
            by_incident.setdefault(d["incident_pk"], set()).add(pk)
    for g in groups:
        members = [pks[i] for i in g]
        was = {blk[pk].get("incident_pk") for pk in members}
        if len(was) == 1 and None not in was and by_incident.get(next(iter(was))) == set(members):
            claimed.add(next(iter(was)))  # an incident that stays as it was: nothing to write
            continue
        iid = link.incident_id_of([recs[i] for i in g])
        base, n = iid, 1
        row = c.execute("SELECT pk FROM incidents WHERE id = ?", (iid,)).fetchone()
        while row is not None and (row["pk"] not in old or row["pk"] in claimed):
            n += 1  # an id held outside the block (a hash collision) or by another group
            iid = link.new_incident_id({"organization": base, "source": f"{base}#{n}"})
            row = c.execute("SELECT pk FROM incidents WHERE id = ?", (iid,)).fetchone()
        created = row is None
        inc_pk = store._create_incident(iid, members) if created else row["pk"]
        claimed.add(inc_pk)
        moved, explained = [], []
        for i, pk in zip(g, members, strict=True):
            was = blk[pk].get("incident_pk")
            if was != inc_pk:
                moved.append((inc_pk, _dumps(reasons[i]), pk))
                if was:
                    touched.add(was)  # the incident it left
            elif blk[pk].get("link_reasons") != reasons[i] and (pk in new or not blk[pk].get("link_reasons")):
                explained.append((_dumps(reasons[i]), pk))  # a notice that stays keeps its reasons
        if moved:
            store._move_notices(moved)
            if not created:  # a new incident was written with its values
                touched.add(inc_pk)
        if explained:
            c.executemany("UPDATE notices SET link_reasons = ? WHERE pk = ?", explained)
        fresh = all(pk in new for pk in members)
        for pk in members:
            if pk in new:
                out[pk] = (iid, fresh and pk == min(p for p in members if p in new), inc_pk)
    for pk in sorted(touched | (old - claimed)):
        store._recompute(pk)
    return out


def _resolve(store: Store, ref: str) -> tuple[int, str]:
    """(pk, id) of a current notice given its id, or of an incident's first notice given the incident's."""
    from jikenbo.store.db import StoreError

    c = store.conn
    row = c.execute("SELECT pk, id FROM notices WHERE id = ? AND superseded = 0", (ref,)).fetchone()
    if row is None:
        row = c.execute("SELECT n.pk, n.id FROM notices n JOIN incidents i ON i.pk = n.incident_pk"
                        " WHERE i.id = ? AND n.superseded = 0 ORDER BY n.disclosure_date IS NULL,"
                        " n.disclosure_date, n.pk LIMIT 1", (ref,)).fetchone()
    if row is None:
        raise StoreError(f"{ref}: no such notice or incident in {store.path}")
    return row["pk"], row["id"]


def decide(store: Store, action: str, ref: str, other: str | None = None) -> list[str]:
    """Record an analyst's decision and relink: ``link`` puts ``ref`` and ``other`` (notice or
    incident ids) in one incident, ``unlink`` takes notice ``ref`` out of its incident. Later
    ingests keep applying it. Returns the incident ids the notices are in afterwards."""
    from datetime import UTC, datetime

    from jikenbo.store import db

    store._check_writable()
    with db.transaction(store.conn, store.path, f"{action} {ref}"):
        pk, nid = _resolve(store, ref)
        seeds, oid = [pk], None
        if action == "link":
            if other is None:
                raise ValueError("link needs two notices")
            opk, oid = _resolve(store, other)
            if opk == pk:
                from jikenbo.store.db import StoreError

                raise StoreError(f"{ref} and {other} are the same notice")
            seeds.append(opk)
        store.conn.execute("INSERT INTO link_decisions (action, notice_id, other_id, created_at)"
                           " VALUES (?,?,?,?)", (action, nid, oid,
                                                 datetime.now(UTC).replace(microsecond=0).isoformat()))
        placed = relink(store, seeds)
    return [placed[s][0] for s in seeds]
