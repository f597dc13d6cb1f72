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
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from jikenbo import link

if TYPE_CHECKING:
    from jikenbo.store.core import Store

log = logging.getLogger(__name__)

MAX_BLOCK = 400  # notices; a bigger neighbourhood is cut (logged), in a deterministic order
MAX_KEYS = 60


def _dumps(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


_NOTICE_SQL = ("SELECT n.pk, n.id, n.record, n.incident_pk, n.link_reasons, d.url, d.fetched_at, i.id AS incident_id"
               " FROM notices n JOIN documents d ON d.id = n.document_id LEFT JOIN incidents i ON i.pk = n.incident_pk"
               " WHERE n.superseded = 0 AND ")
# the seeds' rows also tell whether the store holds any analyst's decision at all (most hold
# none): then no decision is looked up per notice. Decisions are written by writers only, under
# the writers' lock this relink holds, so the answer stays true for the whole relink.
_SEED_SQL = _NOTICE_SQL.replace(" FROM notices n", ", (SELECT EXISTS (SELECT 1 FROM link_decisions)) AS decided,"
                                " (SELECT EXISTS (SELECT 1 FROM watches)) AS watched FROM notices n", 1)


class Placed(dict[int, tuple[str, bool, int]]):
    """What :func:`relink` did: pk of each seed → (incident id, whether it is new, the
    incident's pk). ``watched``: whether the store holds any watch (the seeds' query tells; watches
    too are written under the writers' lock), so the caller need not read them to learn there is none."""

    watched: bool = True


# pk -> (id, record, url, fetched_at, summary, fingerprint): a notice's summary is a pure
# function of those four, so a block loaded again (the next notice of the organisation) reuses
# it when all four match; the fingerprint (pk and a digest of the four) files the notice's
# decisions in the clustering memo
_SUMMARIES: dict[int, tuple[str, str, str | None, str | None, dict, tuple[int, bytes]]] = {}
MAX_SUMMARIES = 50_000
# earlier relinks' decisions (link.ClusterMemo): the next notice of a neighbourhood replays them
MEMO = link.ClusterMemo(max_steps=50_000)  # a step: a decision and its reasons, ~0.7 KB (35 MB)


def record_of(notice_id: str, record: str, url: str | None, fetched_at: str | None) -> dict:
    """A stored notice's record dict with its ``notice_id``, ``url`` (the record's own, else its
    document's) and ``fetched_at``: what linking and an incident's values are computed from."""
    d = json.loads(record)
    d.update(notice_id=notice_id, url=d.get("url") or url, fetched_at=fetched_at)
    return d


def _summary(r: Any) -> tuple[dict, tuple[int, bytes]]:
    key = (r["id"], r["record"], r["url"], r["fetched_at"])
    hit = _SUMMARIES.get(r["pk"])
    if hit is not None and hit[:4] == key:
        return dict(hit[4]), hit[5]
    s = link.notice_summary(record_of(*key))
    fp = (r["pk"], hashlib.blake2b(_dumps(key).encode("utf-8"), digest_size=16).digest())
    if len(_SUMMARIES) >= MAX_SUMMARIES:
        _SUMMARIES.clear()
    _SUMMARIES[r["pk"]] = (*key, s, fp)
    return dict(s), fp


@dataclass
class Block:
    """A neighbourhood as :func:`block` reads it."""

    notices: dict[int, dict]  # pk -> link summary (with incident_pk, link_reasons, _fingerprint)
    rows: dict[int, tuple[str, str, str | None, str | None]]  # pk -> (id, record JSON, url, fetched_at)
    incident_ids: dict[int, str]  # pk -> id of the incidents its notices are in
    decided: bool  # the store holds an analyst's decision
    watched: bool  # the store holds a watch
    complete: bool  # no limit cut it: every current notice of each of its incidents is in it

    def records(self, pks: list[int]) -> list[dict]:
        """Record dicts of these notices, as ``Store._current`` gives them."""
        return [record_of(*self.rows[pk]) for pk in sorted(pks)]


def _rows_to_records(rows: list[Any], out: dict[int, dict], blk: Block | None = None) -> list[int]:
    """Notice rows as link summaries (plus ``incident_pk``, ``link_reasons`` and the
    ``_fingerprint`` of the clustering memo) into ``out``; each row's record and incident id
    into ``blk``."""
    added = []
    for r in rows:
        if r["pk"] in out:
            continue
        if blk is not None:
            blk.rows[r["pk"]] = (r["id"], r["record"], r["url"], r["fetched_at"])
            if r["incident_pk"]:
                blk.incident_ids[r["incident_pk"]] = r["incident_id"]
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


def relink_seeds(store: Store, seeds: list[int]) -> Any:
    """The seeds' query of :func:`relink`, sent now (its rows read when relink needs them, so a
    caller can let them come with another statement's round trip); None without seeds."""
    if not seeds:
        return None
    return store.conn.execute(_SEED_SQL + f"n.pk IN ({','.join('?' * len(seeds))})", seeds)


def block(store: Store, seeds: list[int], sent: Any = None) -> Block:
    """The seeds' neighbourhood: pk → record dict (with ``notice_id``, ``incident_pk``,
    ``link_reasons``), and what the store told of itself on the way. ``sent``: the seeds' query
    as :func:`relink_seeds` sent it."""
    c = store.conn
    out: dict[int, dict] = {}
    seed_rows = (sent if sent is not None else relink_seeds(store, seeds)).fetchall()
    # the same on every row
    blk = Block(out, {}, {}, decided=not seed_rows or bool(seed_rows[0]["decided"]),
                watched=not seed_rows or bool(seed_rows[0]["watched"]), complete=True)
    decided = blk.decided
    todo = _rows_to_records(seed_rows, out, blk)
    for pk in todo:
        out[pk]["incident_pk"] = out[pk]["incident_pk"] or None
    seen_keys: set[str] = set()
    seen_inc: set[int] = set()
    seen_ids: set[str] = set()
    while todo and len(out) < MAX_BLOCK:
        keys = sorted({k for pk in todo for k in link.search_keys(out[pk])} - seen_keys)[:MAX_KEYS]
        seen_keys |= set(keys)
        incs = {out[pk]["incident_pk"] for pk in todo if out[pk].get("incident_pk")} - seen_inc
        # the notices of those incidents and of the related names' incidents (subqueries of the
        # one statement: the related incidents are not read on their own), but those seen
        related, related_params = store._related_subqueries(keys)
        todo = []
        if incs or related:
            where = [f"n.incident_pk IN ({','.join('?' * len(incs))})"] if incs else []
            where += [f"n.incident_pk IN ({q})" for q in related]
            skip = f" AND n.incident_pk NOT IN ({','.join('?' * len(seen_inc))})" if seen_inc else ""
            fetched: dict[int, dict] = {}
            rows = c.execute(_NOTICE_SQL + f"({' OR '.join(where)}){skip} ORDER BY n.pk LIMIT ?",
                             [*sorted(incs), *(x for p in related_params for x in p), *sorted(seen_inc),
                              MAX_BLOCK]).fetchall()
            seen_inc |= incs | {r["incident_pk"] for r in rows}
            blk.complete = blk.complete and len(rows) < MAX_BLOCK
            _rows_to_records([r for r in rows if r["pk"] not in out], fetched, blk)
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
                                     out, blk)
    if todo:  # names or incidents left unexplored
        blk.complete = False
    if len(out) >= MAX_BLOCK:
        blk.complete = False
        log.warning("relinking: the neighbourhood of notice %s has %d notices or more; cut there",
                    seeds[0], MAX_BLOCK)
    return blk


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


def relink(store: Store, seeds: list[int], sent: Any = None) -> Placed:
    """Regroup the seeds' neighbourhood; pk of each seed → (incident id, whether it is new, the
    incident's pk). ``sent``: the seeds' query, sent already by :func:`relink_seeds`."""
    out = Placed()
    if not seeds:
        return out
    c = store.conn
    read = block(store, seeds, sent)
    blk, out.watched = read.notices, read.watched
    pks = sorted(blk)
    recs = [blk[p] for p in pks]
    index = {d["notice_id"]: i for i, d in enumerate(recs)}
    pairs, alone = effective_decisions(_decisions(store, set(index)) if read.decided else [])
    groups, reasons = link.cluster_explained(
        recs, links=[(index[a], index[b]) for a, b in pairs if a in index and b in index],
        alone=[index[a] for a in alone if a in index], memo=MEMO, fingerprints=[d["_fingerprint"] for d in recs])
    old = {d["incident_pk"] for d in recs if d.get("incident_pk")}
    new = set(seeds)
    claimed: set[int] = set()
    touched: set[int] = set()
    by_incident: dict[int, set[int]] = {}
    for pk, d in blk.items():
        if d.get("incident_pk"):
            by_incident.setdefault(d["incident_pk"], set()).add(pk)
    renamed: dict[int, str] = {}  # incident pk -> its new id
    held = {i: pk for pk, i in read.incident_ids.items()}  # id -> pk, of the block's incidents
    final: dict[int, int] = {}  # notice pk -> the incident it is in afterwards
    for g in groups:
        members = [pks[i] for i in g]
        was = {blk[pk].get("incident_pk") for pk in members}
        if len(was) == 1 and None not in was and by_incident.get(next(iter(was))) == set(members):
            claimed.add(next(iter(was)))  # an incident that stays as it was: nothing to write
            final.update((pk, next(iter(was))) for pk in members)
            continue
        iid = link.incident_id_of([recs[i] for i in g])
        inc_pk, created, kept, iid = _place(store, read, iid, members, by_incident, held, old, claimed, renamed)
        claimed.add(inc_pk)
        final.update((pk, inc_pk) for pk in members)
        moved, explained = [], []
        for i, pk in zip(g, members, strict=True):
            was = blk[pk].get("incident_pk")
            if was != inc_pk:
                moved.append((inc_pk, _dumps(reasons[i]), pk))
                if was:
                    touched.add(was)  # the incident it left
            elif blk[pk].get("link_reasons") != reasons[i] and (pk in new or kept is not None
                                                                 or not blk[pk].get("link_reasons")):
                # a notice that stays keeps its reasons, unless its incident took a new id (as
                # had the notice moved to a new incident)
                explained.append((_dumps(reasons[i]), pk))
        if moved:
            store._move_notices(moved)
        if (moved or kept is not None) and not created:  # a new incident was written with its values
            touched.add(inc_pk)
        if explained:
            c.executemany("UPDATE notices SET link_reasons = ? WHERE pk = ?", explained)
        fresh = all(pk in new for pk in members)
        for pk in members:
            if pk in new:
                out[pk] = (iid, fresh and pk == min(p for p in members if p in new), inc_pk)
    for pk in sorted(touched | (old - claimed)):
        if read.complete:  # its notices are those of the block placed in it: nothing to read again
            store._recompute(pk, renamed.get(pk) or read.incident_ids[pk],
                             read.records([n for n, inc in final.items() if inc == pk]))
        else:
            store._recompute(pk, renamed.get(pk))
    return out


def _place(store: Store, read: Block, iid: str, members: list[int], by_incident: dict[int, set[int]],
           held: dict[str, int], old: set[int], claimed: set[int],
           renamed: dict[int, str]) -> tuple[int, bool, int | None, str]:
    """The incident a changed group goes to: (its pk, whether it was created now, the pk of the
    block's incident that takes the new id or None, its id). The id ``iid`` is the group's
    (``link.incident_id_of``); an id held outside the block (a hash collision) or by another
    group is changed."""
    c = store.conn
    base, n = iid, 1
    while True:
        taken = iid in renamed.values()
        pk = held.get(iid)
        if pk is not None and pk in old and pk not in claimed and not taken:
            return pk, False, None, iid  # the block's incident of that id
        if pk is None and not taken:
            # a new id: an incident of the block, all of it in this group, takes it (a notice
            # dated before that incident's first one joined it); or a new incident is written,
            # the insert itself telling whether the id is held outside the block
            kept = _kept_row(members, by_incident, claimed) if read.complete else None
            if kept is not None:
                if c.execute("SELECT 1 FROM incidents WHERE id = ?", (iid,)).fetchone() is None:
                    renamed[kept] = iid
                    return kept, False, kept, iid
            else:
                made = store._create_incident(iid, read.records(members))
                if made is not None:
                    return made, True, None, iid
        n += 1
        iid = link.new_incident_id({"organization": base, "source": f"{base}#{n}"})


def _kept_row(members: list[int], by_incident: dict[int, set[int]], claimed: set[int]) -> int | None:
    """A group whose id is new but which holds the whole of an incident of the block (a notice
    dated before that incident's first one joined it, so its id changed): that incident's row,
    which then takes the new id instead of a new row being written and every notice moved to it.
    The largest such incident, the first by pk among equals; None when there is none."""
    group = set(members)
    whole = [(-len(notices), inc) for inc, notices in by_incident.items()
             if inc not in claimed and notices <= group]
    return min(whole)[1] if whole else None


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
