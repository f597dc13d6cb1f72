"""Group incident notices into incidents and consolidate their values.

Pure functions over record dicts (``Record.model_dump()``, plus ``notice_id`` / ``fetched_at``
once stored). The store calls :func:`match` for each new notice against the incidents it
already holds; :func:`cluster` applies the same rules to a batch.

Two notices belong to one incident when
1. their organisations agree: the same key after :func:`org_key` (designators, spaces and
   punctuation removed, aliases from ``lexicon/org_aliases.toml`` and those the notice states
   itself applied), or one key containing the other (both at least 3 characters) where the
   remainder is a generic word (ホールディングス, グループ …) or the prefecture before a
   municipality (兵庫県尼崎市 / 尼崎市). A remainder holding a distinguishing word (電機, 商事 …)
   or only digits means another organisation; any other remainder is a *weak* name match that
   needs strong evidence. Two different organisations are one incident's when they announce
   it jointly (``co_organizations``) or name each other, and the same figure or day agrees
   (operator and vendor); a customer that names its vendor stays its own incident, in the
   vendor's group (:func:`vendor_groups`); and
2. nothing says two incidents: years (of the notice, its page, else named in its text) more
   than ``limits.year_conflict`` apart, detection dates far apart, disclosures further apart
   than ``limits.max_days_apart`` (longer for follow-ups); and something agrees: a cited
   notice date, an announcement day the text reports (「10月18日…発表」), the same detection /
   start date, count (or the same count rounded), vendor, named system (「ClassPad.net」, NUTS)
   or kind of incident.

:func:`cluster_explained` is the batch form with analysts' decisions and each notice's
reasons; it does not depend on the order of its input (the store relinks a notice's
neighbourhood with it, jikenbo/store/relink.py).

Cue words and limits live in ``lexicon/link.toml``.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from typing import Any

from jikenbo.orgkeys import _link_lex, _lower, org_base_key, org_key, org_relation, vendor_key

CONTRACT_FIELDS: tuple[str, ...] = (
    "disclosure_date", "detected_date", "incident_types", "leak_status", "affected_total",
    "data_categories", "sensitive", "payment_card", "reported_to",
)
SET_FIELDS: tuple[str, ...] = ("incident_types", "data_categories", "reported_to")
BOOL_FIELDS: tuple[str, ...] = ("sensitive", "payment_card")
OFFICIAL_KINDS: frozenset[str] = frozenset({"first_report", "follow_up", "final_report", "unknown"})
_KIND_RANK = {"first_report": 0, "unknown": 1, "news_report": 1, "follow_up": 2, "final_report": 3}


@dataclass
class LinkDecision:
    """Where a notice goes: an existing incident (``incident_id``) or a new one (None)."""

    incident_id: str | None
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- notices


def _iso(d: Any) -> str | None:
    if not d or not isinstance(d, str):
        return None
    try:
        date.fromisoformat(d[:10])
    except ValueError:
        return None
    return d[:10]


def _days(a: str | None, b: str | None) -> int | None:
    if not a or not b:
        return None
    return abs((date.fromisoformat(a) - date.fromisoformat(b)).days)


def notice_kind(record: dict) -> str:
    """The notice's kind: the extractor's value, else guessed from title cue words."""
    kind = record.get("notice_kind") or record.get("kind") or "unknown"
    if kind != "unknown":
        return str(kind)
    return _kind_from_title(record.get("title") or "")


@lru_cache(maxsize=16384)
def _kind_from_title(title: str) -> str:
    title = _lower(title)
    if title:
        kinds = _lowered_kinds()
        for k in ("final_report", "follow_up", "news_report"):
            if any(c in title for c in kinds[k]):
                return k
    return "unknown"


@cache
def _lowered_kinds() -> dict[str, tuple[str, ...]]:
    return {k: tuple(_lower(c) for c in v) for k, v in _link_lex()["kinds"].items()}


def _third_party_names(record: dict) -> list[str]:
    out = []
    for t in record.get("third_parties") or []:
        name = t.get("name") if isinstance(t, dict) else t
        if name:
            out.append(str(name))
    return out


def notice_summary(record: dict) -> dict:
    """What linking needs of one notice (JSON-able)."""
    detected = {_iso(record.get("detected_date"))}
    started: set[str | None] = set()
    for ev in record.get("timeline") or []:
        if not isinstance(ev, dict) or ev.get("precision", "day") not in ("day", None):
            continue
        if ev.get("kind") == "detected":
            detected.add(_iso(ev.get("date")))
        elif ev.get("kind") == "started":
            started.add(_iso(ev.get("date")))
    min_count = int(_link_lex()["limits"]["min_count_value"])
    counts = {int(c["value"]) for c in record.get("counts") or []
              if isinstance(c, dict) and isinstance(c.get("value"), int) and c["value"] >= min_count}
    total = record.get("affected_total")
    if isinstance(total, int) and total >= min_count:
        counts.add(total)
    names = [record.get("organization") or "", *(record.get("aliases") or [])]
    anchor = _iso(record.get("disclosure_date")) or _iso(record.get("url_date"))
    # the notice's own date and its page's date: a year guessed for 「10月18日」 can be off by one
    anchors = {d for d in (_iso(record.get("disclosure_date")), _iso(record.get("url_date"))) if d}
    named = [y for y in record.get("years") or [] if isinstance(y, int)]
    for d in list(anchors):
        if named and int(d[:4]) < max(named) <= int(d[:4]) + 1:
            later = _iso(f"{max(named)}{d[4:]}")  # 「10月17日」 after events of a later year it names
            if later:
                anchors.add(later)
    anchors = sorted(anchors)
    return {
        "org_key": org_key(record.get("organization")),
        "organization": record.get("organization"),
        "org_keys": sorted({k for k in (org_key(n) for n in names) if k}),
        "mention_keys": sorted({k for k in (org_key(n) for n in [
            *(record.get("mentioned_organizations") or []), *(record.get("co_organizations") or []),
            *(record.get("vendors") or [])]) if len(k) >= 3}),
        "co_keys": sorted({k for k in (org_key(n) for n in record.get("co_organizations") or []) if k}),
        "systems": sorted({k for k in (_system_key(n) for n in record.get("named_systems") or []) if len(k) >= 2}),
        "announced": sorted(set(record.get("announced_days") or [])),
        "anchor_date": anchor,
        "anchor_dates": anchors,
        "years": sorted({int(d[:4]) for d in anchors} if anchors else set(record.get("years") or [])),
        "org_base_key": org_base_key(record.get("organization")),
        "disclosure_date": _iso(record.get("disclosure_date")),
        "detected_date": _iso(record.get("detected_date")),
        "detected_dates": sorted(d for d in detected if d),
        "started_dates": sorted(d for d in started if d),
        "incident_types": sorted(set(record.get("incident_types") or [])),
        "affected_total": total if isinstance(total, int) else None,
        "count_values": sorted(counts),
        "vendor_keys": sorted({k for k in (vendor_key(n) for n in [*_third_party_names(record),
                                                                   *(record.get("vendors") or [])]) if k}),
        "references": sorted({d for d in (_iso(r) for r in record.get("references") or []) if d}),
        "kind": notice_kind(record),
        "title": record.get("title"),
        "source": record.get("source"),
        "doc_sha256": record.get("doc_sha256") or "",
        "segment_start": record.get("segment_start") or 0,
        "notice_id": record.get("notice_id"),
    }


def _system_key(name: str) -> str:
    return re.sub(r"[\s・.\-_()「」]", "", _lower(name))


def new_incident_id(record: dict) -> str:
    """Stable id of the incident a notice starts: ``inc_`` + 12 hex of a content hash."""
    parts = [org_key(record.get("organization")), record.get("doc_sha256") or "",
             str(record.get("segment_start") or 0)]
    if not parts[1]:
        parts.append(str(record.get("source") or ""))
    h = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return "inc_" + h[:12]


# --------------------------------------------------------------------------- candidates


def _empty_candidate(cid: str | None) -> dict:
    return {"id": cid, "org_keys": set(), "disclosure_dates": set(), "detected_dates": set(),
            "started_dates": set(), "incident_types": set(), "count_values": set(),
            "vendor_keys": set(), "references": set(), "doc_keys": set(), "kinds": set(),
            "mention_keys": set(), "co_keys": set(), "systems": set(), "announced": set(),
            "anchor_dates": set(), "years": set(), "first_dates": set()}


def _add_summary(cand: dict, s: dict) -> None:
    cand["org_keys"].update(s.get("org_keys") or ([s["org_key"]] if s.get("org_key") else []))
    if s.get("disclosure_date"):
        cand["disclosure_dates"].add(s["disclosure_date"])
    cand["detected_dates"].update(s.get("detected_dates") or [])
    cand["started_dates"].update(s.get("started_dates") or [])
    cand["incident_types"].update(s.get("incident_types") or [])
    cand["count_values"].update(s.get("count_values") or [])
    cand["vendor_keys"].update(s.get("vendor_keys") or [])
    cand["references"].update(s.get("references") or [])
    if s.get("doc_sha256"):
        cand["doc_keys"].add((s["doc_sha256"], s.get("segment_start") or 0))
    cand["kinds"].add(s.get("kind") or "unknown")
    for k in ("mention_keys", "co_keys", "systems", "announced", "years"):
        cand[k].update(s.get(k) or [])
    cand["anchor_dates"].update(s.get("anchor_dates") or ([s["anchor_date"]] if s.get("anchor_date") else []))
    if s.get("anchor_date") and (s.get("kind") or "unknown") == "first_report":
        cand["first_dates"].add(s["anchor_date"])


def incident_summary(notices: Iterable[dict], incident_id: str | None = None) -> dict:
    """A match candidate from an incident's notices (record dicts or notice summaries)."""
    cand = _empty_candidate(incident_id)
    for n in notices:
        _add_summary(cand, n if "org_key" in n else notice_summary(n))
    return cand


def _from_incident(inc: dict) -> dict:
    """A match candidate from an incident dict as the store returns it (ARCHITECTURE.md)."""
    cand = _empty_candidate(inc.get("id") or inc.get("incident_id"))
    for name in [inc.get("organization"), *(inc.get("organization_aliases") or [])]:
        if org_key(name):
            cand["org_keys"].add(org_key(name))
    if inc.get("org_key"):
        cand["org_keys"].add(inc["org_key"])
    for n in inc.get("notices") or []:
        if not isinstance(n, dict):
            continue
        if org_key(n.get("organization")):
            cand["org_keys"].add(org_key(n.get("organization")))
        if _iso(n.get("disclosure_date")):
            cand["disclosure_dates"].add(_iso(n.get("disclosure_date")))
        if n.get("doc_sha256"):
            cand["doc_keys"].add((n["doc_sha256"], n.get("segment_start") or 0))
        cand["kinds"].add(n.get("kind") or n.get("notice_kind") or "unknown")
    rev = inc.get("revisions") or {}
    for d in [inc.get("disclosure_date"), inc.get("first_disclosed"),
              *(r.get("value") for r in rev.get("disclosure_date", []))]:
        if _iso(d):
            cand["disclosure_dates"].add(_iso(d))
    for d in [inc.get("detected_date"), *(r.get("value") for r in rev.get("detected_date", []))]:
        if _iso(d):
            cand["detected_dates"].add(_iso(d))
    for ev in inc.get("timeline") or []:
        if isinstance(ev, dict) and ev.get("precision", "day") in ("day", None) and _iso(ev.get("date")):
            if ev.get("kind") == "detected":
                cand["detected_dates"].add(_iso(ev["date"]))
            elif ev.get("kind") == "started":
                cand["started_dates"].add(_iso(ev["date"]))
    cand["incident_types"].update(inc.get("incident_types") or [])
    min_count = int(_link_lex()["limits"]["min_count_value"])
    for v in [inc.get("affected_total"), *(r.get("value") for r in rev.get("affected_total", []))]:
        if isinstance(v, int) and v >= min_count:
            cand["count_values"].add(v)
    cand["count_values"].update(inc.get("count_values") or [])
    cand["vendor_keys"].update(vendor_key(n) for n in _third_party_names(inc) if vendor_key(n))
    cand["vendor_keys"].update(inc.get("vendor_keys") or [])
    cand["references"].update(d for d in (_iso(r) for r in inc.get("references") or []) if d)
    return cand


def _as_candidate(c: dict) -> dict:
    if isinstance(c.get("org_keys"), set):
        return c
    if "notices" in c or "organization_aliases" in c or "revisions" in c:
        return _from_incident(c)
    if "org_key" in c:  # a single notice summary that carries its incident id
        return incident_summary([c], c.get("incident_id") or c.get("id"))
    return incident_summary([c], c.get("incident_id") or c.get("id"))


# --------------------------------------------------------------------------- matching


@cache
def _type_family() -> dict[str, str]:
    fam = {}
    for name, members in _link_lex()["types"].items():
        for m in members:
            fam[m] = name
    return fam


def _types_overlap(a: set[str], b: set[str]) -> bool:
    a, b = a - {"other"}, b - {"other"}
    if not a or not b:
        return False
    if a & b:
        return True
    fam = _type_family()
    return bool({fam.get(t, t) for t in a} & {fam.get(t, t) for t in b})


def _near(d: str, dates: Iterable[str], tol: int) -> bool:
    return any((_days(d, x) or 0) <= tol for x in dates)


def _relation(s: dict, cand: dict) -> str:
    """How the notice's organisation relates to the candidate's: ``same``, ``generic``, ``weak``,
    ``joint`` (two organisations announcing one incident together) or ``none``."""
    best = "none"
    order = {"none": 0, "weak": 1, "generic": 2, "same": 3}
    for k in s.get("org_keys") or [s.get("org_key")]:
        for ck in cand["org_keys"]:
            r = org_relation(k or "", ck)
            if order[r] > order[best]:
                best = r
    if best != "none":
        return best

    def names(keys: Iterable[str], others: Iterable[str]) -> bool:
        return any(k == o or org_relation(k, o) != "none" for k in keys for o in others)

    mine, theirs = s.get("org_keys") or [], cand["org_keys"]
    if names(s.get("co_keys") or [], theirs) or names(cand["co_keys"], mine):
        return "joint"  # 「AとBは…発表した」
    if names(s.get("vendor_keys") or [], theirs) or names(cand["vendor_keys"], mine):
        return "none"  # a customer and the vendor it names: each its own incident, one vendor group
    if names(s.get("mention_keys") or [], theirs) and names(cand["mention_keys"], mine):
        return "mutual"  # each names the other: operator and system vendor, parent and subsidiary
    return "none"


def _approx_counts(a: Iterable[int], b: Iterable[int]) -> list[int]:
    lim = _link_lex()["limits"]
    ratio, low = float(lim["approx_count_ratio"]), int(lim["approx_count_min"])
    bs = sorted(set(b))
    return sorted({x for x in a if x >= low for y in bs if y >= low and abs(x - y) <= ratio * max(x, y)})


def _score(s: dict, cand: dict) -> tuple[float | None, list[str]]:
    """Score ``s`` (notice summary) against ``cand``: (score, reasons), or (None, why not)."""
    lim = _link_lex()["limits"]
    best = _relation(s, cand)
    if best == "none":
        return None, ["another organisation"]
    doc = (s.get("doc_sha256"), s.get("segment_start") or 0)
    if s.get("doc_sha256") and doc in cand["doc_keys"]:
        return 1.0, ["same notice"]
    reasons = [{"same": "same organisation", "generic": "same organisation (group / prefecture form)",
                "weak": "similar organisation name", "joint": "announced jointly with this organisation",
                "mutual": "the two organisations name each other"}[best]]
    score = {"same": 0.5, "generic": 0.4, "weak": 0.25, "joint": 0.3, "mutual": 0.2}[best]

    # what says two incidents
    yc = int(lim["year_conflict"])
    s_years, c_years = set(s.get("years") or []), cand["years"]
    if s_years and c_years and min(abs(x - y) for x in s_years for y in c_years) > yc:
        return None, [f"other years ({min(s_years)} vs {min(c_years)})"]
    tol = int(lim["same_date_days"])
    refs = [r for r in s.get("references") or [] if _near(r, cand["disclosure_dates"], 0)]
    back_refs = [r for r in cand["references"] if s.get("disclosure_date") == r]
    cited = bool(refs or back_refs)
    det = s.get("detected_dates") or []
    same_det = [d for d in det if _near(d, cand["detected_dates"], tol)]
    if not same_det and det and cand["detected_dates"] and not cited:
        gap = min(_days(a, b) or 0 for a in det for b in cand["detected_dates"])
        if gap > int(lim["detected_conflict_days"]):
            return None, [f"detected {gap} days apart"]
    anchor = s.get("anchor_date")
    anchors = s.get("anchor_dates") or ([anchor] if anchor else [])
    gap = None
    if anchors and cand["anchor_dates"]:
        gap = min(_days(a, d) or 0 for a in anchors for d in cand["anchor_dates"])
    kind = s.get("kind") or "unknown"
    late_ok = kind in ("follow_up", "final_report") or bool(cand["kinds"] & {"follow_up", "final_report"})
    if gap is not None and not (cited or same_det):
        limit = int(lim["follow_up_max_days"]) if late_ok else int(lim["max_days_apart"])
        if gap > limit:
            return None, [f"disclosed {gap} days apart"]

    # what says one incident
    if cited:
        score += 0.5
        reasons.append(f"cites the notice of {(refs or back_refs)[0]}")
    if same_det:
        score += 0.4
        reasons.append(f"same detection date {same_det[0]}")
    same_start = [d for d in s.get("started_dates") or [] if _near(d, cand["started_dates"], tol)]
    if same_start:
        score += 0.2
        reasons.append(f"same start date {same_start[0]}")
    s_counts = set(s.get("count_values") or [])
    same_count = sorted(s_counts & cand["count_values"]) or _approx_counts(s_counts, cand["count_values"])
    if same_count:
        score += 0.2
        reasons.append(f"same count {same_count[-1]}")
    s_days, c_mds = set(s.get("announced") or []), {d[5:] for d in cand["anchor_dates"]}
    same_day = sorted((s_days & (cand["announced"] | c_mds))
                      | ({a[5:] for a in anchors} & cand["announced"]))
    if same_day and gap is not None and gap > tol:
        same_day = []  # a month-day that matches a year apart says nothing
    if same_day:
        score += 0.3
        reasons.append(f"announced on {same_day[0]} (month-day)")
    same_vendor = sorted(set(s.get("vendor_keys") or []) & cand["vendor_keys"])
    if same_vendor:
        score += 0.2
        reasons.append(f"same third party {same_vendor[0]}")
    same_system = sorted(set(s.get("systems") or []) & cand["systems"])
    if same_system:
        score += 0.25
        reasons.append(f"names the same system {same_system[0]}")
    s_types, c_types = set(s.get("incident_types") or []), cand["incident_types"]
    overlap = _types_overlap(s_types, c_types)
    if overlap:
        a_, b_ = s_types - {"other"}, c_types - {"other"}
        score += 0.05 + 0.1 * len(a_ & b_) / len(a_ | b_)  # the same types beat related ones
        reasons.append("incident types overlap")
    strong = cited or bool(same_det) or bool(same_start) or bool(same_count) or bool(same_day)
    if gap is not None:
        if gap <= int(lim["max_days_apart"]):
            score += 0.2 if gap <= tol else 0.1
            reasons.append(f"disclosed {gap} days apart")
        elif not (cited or same_det) and (not overlap or (s_types and c_types and not (s_types & c_types))):
            return None, [f"a {kind} {gap} days later of another kind of incident"]
        else:
            reasons.append(f"{kind} {gap} days later")
    if kind in ("follow_up", "final_report", "news_report"):
        score += 0.05
        reasons.append(f"notice is a {kind}")

    if best in ("weak", "joint", "mutual") and not strong:
        return None, [f"{reasons[0]}, but nothing else agrees"]
    if (kind == "first_report" and anchor and cand["first_dates"] and not strong
            and not _near(anchor, cand["first_dates"], tol)):
        return None, ["a second first report without shared facts"]  # one first report per incident
    if (not strong and kind in ("first_report", "unknown") and s_counts and cand["count_values"]
            and gap is not None and gap > tol):
        return None, ["other figures weeks apart"]  # two official notices giving other numbers
    if not strong and not overlap and not same_vendor and not same_system:
        # nothing but the name: only when neither side says otherwise
        if s_types and c_types:
            return None, ["other kinds of incident"]
        if gap is None:
            return None, ["nothing but the name"]
    return round(score, 3), reasons


def match(record: dict, candidates: list[dict]) -> LinkDecision:
    """Pick the incident among ``candidates`` that ``record`` reports, or None for a new one.

    ``record`` is a record dict or a :func:`notice_summary`; each candidate is an incident dict
    (as the store returns it, with ``id``), an :func:`incident_summary`, or a notice record /
    summary carrying ``incident_id``. Ties go to the candidate listed first. A new incident's
    reasons say why each candidate of a related organisation was kept apart.
    """
    s = record if "org_key" in record and "kind" in record else notice_summary(record)
    if not s.get("org_key"):
        return LinkDecision(None, 0.0, ["no organisation"])
    best: LinkDecision | None = None
    apart: list[str] = []
    for c in candidates:
        cand = _as_candidate(c)
        sc, reasons = _score(s, cand)
        if sc is None:
            if reasons != ["another organisation"]:
                apart.append(f"kept apart from {cand['id']}: {reasons[0]}")
            continue
        if best is None or sc > best.score:
            best = LinkDecision(cand["id"], sc, reasons)
    return best or LinkDecision(None, 0.0, apart[:5] or ["no matching incident"])


def _sort_key(i: int, s: dict) -> tuple:
    return (s.get("anchor_date") or s.get("disclosure_date") or "9999-12-31",
            _KIND_RANK.get(s.get("kind") or "unknown", 1),
            s.get("org_key") or "", s.get("doc_sha256") or "", s.get("segment_start") or 0,
            str(s.get("source") or ""), i)


def incident_id_of(records: list[dict]) -> str:
    """The id of the incident these notices form: :func:`new_incident_id` of the first of them
    in :func:`cluster`'s order, so it does not depend on the order they arrived in."""
    sums = [r if "org_key" in r and "kind" in r else notice_summary(r) for r in records]
    first = min(range(len(records)),
                key=lambda i: (*_sort_key(0, sums[i])[:-1], str(records[i].get("notice_id") or "")))
    return new_incident_id(records[first])


def search_keys(record: dict) -> list[str]:
    """Organisation keys under which a notice's possible incidents are found: its own names,
    and the organisations it names (an operator announcing with its vendor)."""
    s = record if "org_key" in record and "kind" in record else notice_summary(record)
    return sorted({*s["org_keys"], *s["co_keys"], *s["mention_keys"]} - {""})


def cluster(records: list[dict]) -> list[list[int]]:
    """Group ``records`` into incidents with :func:`match`'s rules: lists of indices.

    Deterministic and independent of the order of ``records``: notices are taken in order of
    disclosure date (then kind, org, document), each joins the best-scoring group so far or
    starts a new one. Groups are returned sorted by their first index, indices ascending.
    """
    return cluster_explained(records)[0]


class ClusterMemo:
    """What :func:`cluster_explained` decided for each notice, filed under the notices before it.

    :func:`cluster_explained` takes notices one by one in a fixed order, and where a notice goes
    depends only on it and the notices before it. A store relinks a neighbourhood each time a
    notice arrives, mostly one that comes last in that order: the decisions for the notices
    before it are the ones the previous run made. The memo is a tree of those runs: a path is a
    sequence of notice fingerprints (values that change whenever a notice's record does), each
    step holding the decision for its notice. A run that follows a stored path replays its
    decisions instead of matching again, so results are the same with or without a memo; only
    the time differs (matching is quadratic in the neighbourhood's size, the replay linear).
    Not used with analysts' decisions (they act on the whole run). ``max_steps`` bounds the
    memory: past it the tree starts again empty.
    """

    def __init__(self, max_steps: int = 100_000) -> None:
        self.max_steps = max_steps
        self.root: dict = {}
        self.steps = 0
        self.replayed = 0  # notices placed by a stored decision (for tests and benchmarks)

    def start(self) -> dict:
        if self.steps >= self.max_steps:
            self.root, self.steps = {}, 0
        return self.root


def cluster_explained(records: list[dict], *, links: Iterable[tuple[int, int]] = (),
                      alone: Iterable[int] = (), memo: ClusterMemo | None = None,
                      fingerprints: list[Any] | None = None) -> tuple[list[list[int]], list[list[str]]]:
    """:func:`cluster` with analysts' decisions and the reasons of each notice's placement.

    ``links``: pairs of indices an analyst put in one incident (``jikenbo link``); ``alone``:
    indices an analyst took out of their incident (``jikenbo unlink``): such a notice joins no
    incident and none joins it, but for its own ``links``. Returns the groups and, per index,
    why it joined its group (or why related incidents were kept apart).

    ``memo`` with ``fingerprints`` (one hashable value per record that changes whenever the
    record does, such as a digest of its stored form) reuses earlier runs' decisions
    (:class:`ClusterMemo`); the result is the same without them.
    """
    summaries = [r if "org_key" in r and "kind" in r else notice_summary(r) for r in records]
    order = sorted(range(len(records)), key=lambda i: _sort_key(i, summaries[i]))
    links, alone = list(links), list(alone)
    node: dict | None = None
    if memo is not None and fingerprints is not None and not links and not alone:
        if len(fingerprints) != len(records):
            raise ValueError("one fingerprint per record")
        node = memo.start()
    parent = list(range(len(records)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    forced = set()
    for a, b in links:
        if 0 <= a < len(records) and 0 <= b < len(records) and a != b:
            parent[root(a)] = root(b)
            forced |= {a, b}
    alone_set = set(alone)
    root_group: dict[int, int] = {}
    groups: list[list[int]] = []
    cands: list[dict] = []
    closed: set[int] = set()
    reasons: list[list[str]] = [[] for _ in records]
    # org keys can only relate when equal or when one starts / ends with the other (≥ 3 chars):
    # each group is indexed under its keys ("k") and their prefixes ("p") and suffixes ("s")
    # of 3 or more characters, so related groups are found without comparing all pairs
    index: dict[tuple[str, str], set[int]] = {}

    def entries(key: str) -> list[tuple[str, str]]:
        out = [("k", key)]
        out += [("p", key[:j]) for j in range(3, len(key))]
        out += [("s", key[j:]) for j in range(1, len(key) - 2)]
        return out

    def probes(key: str) -> list[tuple[str, str]]:
        if len(key) < 3:
            return [("k", key)]
        out = [("k", key), ("p", key), ("s", key)]  # equal, or longer keys starting / ending with it
        out += [("k", key[:j]) for j in range(3, len(key))]  # shorter keys it starts with
        out += [("k", key[j:]) for j in range(1, len(key) - 2)]  # shorter keys it ends with
        return out

    for i in order:
        s = summaries[i]
        keys = s.get("org_keys") or []
        step = node.get(fingerprints[i]) if node is not None and fingerprints is not None else None
        g: int | None = root_group.get(root(i)) if i in forced else None
        if step is not None:  # the same notices before it as in an earlier run: its decision then
            g, said, node = step
            reasons[i] = list(said)
            memo.replayed += 1  # type: ignore[union-attr]
        elif g is not None:
            reasons[i] = ["linked by an analyst (jikenbo link)"]
        elif i in alone_set:
            reasons[i] = ["kept on its own by an analyst (jikenbo unlink)"]
        elif keys:
            look = {*keys, *(s.get("mention_keys") or []), *(s.get("co_keys") or [])}
            near = sorted({g for k in look for p in probes(k) for g in index.get(p, ())} - closed)
            d = match(s, [cands[g] for g in near])
            reasons[i] = d.reasons if d.incident_id is not None else (
                ["first notice of its incident"] + [r for r in d.reasons if r.startswith("kept apart")])
            g = int(d.incident_id) if d.incident_id is not None else None
        else:
            reasons[i] = ["no organisation: an incident of its own"]
        if step is None and node is not None and fingerprints is not None:
            child: dict = {}
            node[fingerprints[i]] = (g, tuple(reasons[i]), child)
            memo.steps += 1  # type: ignore[union-attr]
            node = child
        if g is None:
            g = len(groups)
            groups.append([i])
            cands.append(incident_summary([s], str(g)))
            if i in alone_set:
                closed.add(g)
        else:
            groups[g].append(i)
            _add_summary(cands[g], s)
        if i in forced:
            root_group.setdefault(root(i), g)
        if g not in closed:
            for k in {*keys, *(s.get("co_keys") or [])}:
                for e in entries(k):
                    index.setdefault(e, set()).add(g)
    # group reasons refer to group numbers: name the group by its first notice's source instead
    first = {str(g): records[m[0]].get("notice_id") or str(records[m[0]].get("source") or g)
             for g, m in enumerate(groups)}
    for r in reasons:
        for j, line in enumerate(r):
            if line.startswith("kept apart from "):
                head, _, tail = line[len("kept apart from "):].partition(":")
                r[j] = f"kept apart from the incident of {first.get(head, head)}:{tail}"
    return sorted((sorted(g) for g in groups), key=lambda g: g[0]), reasons


# --------------------------------------------------------------------------- consolidation


def _notice_date(n: dict) -> str:
    return _iso(n.get("disclosure_date")) or _iso(n.get("fetched_at")) or ""


def _known(fld: str, v: Any) -> bool:
    if v is None:
        return False
    if fld == "leak_status":
        return v != "unknown"
    if fld in SET_FIELDS:
        return bool(v)
    if fld in BOOL_FIELDS:
        return v is True
    return True


def _notice_id(n: dict) -> str | None:
    return n.get("notice_id") or n.get("id")


def consolidate(notices: list[dict]) -> dict:
    """An incident's current values from its notices (record dicts).

    For each contract field the latest official notice (any kind but ``news_report``) that
    states a value wins; a news figure only fills a field no official notice states; unknown
    or null never overrides a known value. Sets are unions, booleans are true when any notice
    says so, ``disclosure_date`` is the first public date. ``revisions`` lists, per field, every
    distinct value reported, in date order, with the notice that first reported it.
    """
    ordered = sorted(
        notices,
        key=lambda n: (_notice_date(n) or "0000", _KIND_RANK.get(notice_kind(n), 1),
                       n.get("fetched_at") or "", str(_notice_id(n) or ""), n.get("doc_sha256") or "",
                       n.get("segment_start") or 0),
    )
    official = [n for n in ordered if notice_kind(n) != "news_report"]
    news = [n for n in ordered if notice_kind(n) == "news_report"]
    out: dict[str, Any] = {}
    for fld in CONTRACT_FIELDS:
        if fld in SET_FIELDS:
            vals: set[str] = set()
            for n in ordered:
                vals.update(n.get(fld) or [])
            out[fld] = sorted(vals)
        elif fld in BOOL_FIELDS:
            out[fld] = any(n.get(fld) is True for n in ordered)
        elif fld == "disclosure_date":
            dates = sorted(d for d in (_iso(n.get(fld)) for n in ordered) if d)
            out[fld] = dates[0] if dates else None
        else:
            value = None
            for group in (official, news):
                stated = [n.get(fld) for n in group if _known(fld, n.get(fld))]
                if stated:
                    value = stated[-1]
                    break
            out[fld] = value if value is not None else ("unknown" if fld == "leak_status" else None)

    revisions: dict[str, list[dict]] = {}
    for fld in CONTRACT_FIELDS:
        seen: list[Any] = []
        rows = []
        for n in ordered:
            v = n.get(fld)
            if not _known(fld, v):
                continue
            v = sorted(set(v)) if fld in SET_FIELDS else v
            if v in seen:
                continue
            seen.append(v)
            rows.append({"value": v, "notice_id": _notice_id(n), "source": n.get("source"),
                         "date": _notice_date(n) or None, "kind": notice_kind(n)})
        if rows:
            revisions[fld] = rows
    out["revisions"] = revisions

    names: list[str] = []
    for n in official + news:
        if n.get("organization") and n["organization"] not in names:
            names.append(n["organization"])
    official_names = [n["organization"] for n in official if n.get("organization")]
    primary = max(official_names or names, key=len, default=None)  # the fullest legal name
    out["organization"] = primary
    out["organization_aliases"] = [n for n in names if n != primary]
    out["org_key"] = org_key(primary)
    out["industry"] = next((n["industry"] for n in reversed(official + news) if n.get("industry")), None)
    out["title"] = next((n["title"] for n in official + news if n.get("title")), None)
    dates = [d for d in (_notice_date(n) for n in ordered) if d]
    out["first_disclosed"] = out["disclosure_date"] or (min(dates) if dates else None)
    out["last_updated"] = max(dates) if dates else None
    out["notice_count"] = len(ordered)
    out["notices"] = [
        {"id": _notice_id(n), "source": n.get("source"), "organization": n.get("organization"),
         "kind": notice_kind(n), "disclosure_date": _iso(n.get("disclosure_date")),
         "title": n.get("title"), "url": n.get("url"), "doc_sha256": n.get("doc_sha256"),
         "segment_start": n.get("segment_start") or 0, "link_reasons": n.get("link_reasons") or []}
        for n in ordered
    ]
    tps: dict[str, str] = {}
    for n in ordered:
        for name in [*(n.get("vendors") or []), *_third_party_names(n)]:
            vk = vendor_key(name)
            if vk:  # a bare designator or clause names no one
                tps.setdefault(vk, name)
    out["third_parties"] = [tps[k] for k in sorted(tps)]
    out["vendor_keys"] = sorted(k for k in tps if k)
    # earlier notices' dates the notices cite: lets a later-ingested first report find its follow-up
    cited = (_iso(r) for n in ordered for r in n.get("references") or [])
    out["references"] = sorted({d for d in cited if d})
    events: dict[tuple, dict] = {}
    for n in ordered:
        for ev in n.get("timeline") or []:
            if not isinstance(ev, dict) or not ev.get("date"):
                continue
            events.setdefault((ev.get("date"), ev.get("kind")), {**ev, "notice_id": _notice_id(n)})
    out["timeline"] = [events[k] for k in sorted(events, key=lambda k: (k[0] or "", k[1] or ""))]
    return out


def vendor_groups(incidents: list[dict]) -> dict[str, list[str]]:
    """Supply-chain view: vendor key → ids of the incidents that name it (or are the vendor's own).

    Each customer's incident stays separate; this only groups them by the third party.
    """
    groups: dict[str, set[str]] = {}
    for inc in incidents:
        iid = inc.get("id") or inc.get("incident_id")
        if not iid:
            continue
        keys = {vendor_key(n) for n in _third_party_names(inc)} | set(inc.get("vendor_keys") or [])
        for k in keys - {""}:
            groups.setdefault(k, set()).add(iid)
    for inc in incidents:  # the vendor's own notices belong to its group
        iid = inc.get("id") or inc.get("incident_id")
        vk = vendor_key(inc.get("organization"))
        if iid and vk in groups:
            groups[vk].add(iid)
    return {k: sorted(v) for k, v in sorted(groups.items())}
