"""Incidents as a STIX 2.1 bundle (``stix2``), for OpenCTI and other CTI platforms.

Per incident: an ``incident`` object, an ``identity`` for the victim organisation and one per
vendor (委託先) named by its notices, a ``report`` per notice with the source as external
reference, and relationships incident ``targets`` victim and incident ``related-to`` vendor.
Every id is a UUIDv5 of jikenbo's own keys (incident id, notice id, organisation key), and the
timestamps come from the notices' dates, so the same incident exports the same objects every
time and an importer updates instead of duplicating. What STIX has no property for (affected
count, leak status, data categories, types) is kept in ``x_jikenbo_*`` custom properties.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from typing import IO, Any

from jikenbo import link

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/jikenbo/jikenbo/stix")
UNKNOWN_TIME = "2000-01-01T00:00:00.000Z"  # created/modified of an incident with no date at all
IDENTITY_CLASS = "organization"


def stix_id(kind: str, key: str) -> str:
    """``kind--uuid5(namespace, kind:key)``: the same key gives the same id in every export."""
    return f"{kind}--{uuid.uuid5(NAMESPACE, f'{kind}:{key}')}"


def _ts(day: str | None) -> str | None:
    if not day or len(day) < 10:
        return None
    return f"{day[:10]}T00:00:00.000Z"


def _times(inc: dict) -> tuple[str, str]:
    dates = sorted(d for d in [inc.get("first_disclosed"), inc.get("disclosure_date"), inc.get("last_updated"),
                               *[n.get("disclosure_date") for n in inc.get("notices") or []]] if d and len(d) >= 10)
    if not dates:
        return UNKNOWN_TIME, UNKNOWN_TIME
    return _ts(dates[0]) or UNKNOWN_TIME, _ts(dates[-1]) or UNKNOWN_TIME


def _refs(inc: dict) -> list[dict]:
    out = [{"source_name": "jikenbo", "external_id": inc["id"]}]
    for n in inc.get("notices") or []:
        ref: dict[str, Any] = {"source_name": n.get("organization") or "notice", "external_id": n.get("id")}
        if n.get("url"):
            ref["url"] = n["url"]
        else:
            ref["description"] = str(n.get("source") or "")
        out.append(ref)
    return out


def _identity(name: str, created: str, **extra: Any) -> Any:
    from stix2 import Identity

    return Identity(id=stix_id("identity", link.org_key(name) or name), name=name, identity_class=IDENTITY_CLASS,
                    created=created, modified=created, allow_custom=True, **extra)


def incident_objects(inc: dict) -> list[Any]:
    """The STIX objects of one incident dict (docs/ARCHITECTURE.md)."""
    from stix2 import Incident, Relationship, Report

    created, modified = _times(inc)
    org = inc.get("organization") or "unknown organisation"
    custom = {f"x_jikenbo_{k}": inc[k] for k in ("affected_total", "leak_status", "incident_types", "data_categories",
                                                 "sensitive", "payment_card", "reported_to", "detected_date",
                                                 "disclosure_date", "industry")
              if inc.get(k) not in (None, [], "")}
    desc = inc.get("title") or f"{org}: {', '.join(inc.get('incident_types') or []) or 'incident'}"
    incident = Incident(id=stix_id("incident", inc["id"]), name=f"{org}: {inc.get('title') or inc['id']}"[:250],
                        description=desc, created=created, modified=modified, external_references=_refs(inc),
                        allow_custom=True, **custom)
    extra = {"x_jikenbo_industry": inc["industry"]} if inc.get("industry") else {}
    if inc.get("organization"):
        victim = _identity(org, created, **extra)
    else:  # no name: an identity of this incident's own, never one shared by every unnamed victim
        from stix2 import Identity

        victim = Identity(id=stix_id("identity", f"unnamed:{inc['id']}"), name=org, identity_class=IDENTITY_CLASS,
                          created=created, modified=created, allow_custom=True, **extra)
    objs: list[Any] = [incident, victim,
                       Relationship(id=stix_id("relationship", f"{inc['id']}|targets|{victim.id}"),
                                    relationship_type="targets", source_ref=incident.id, target_ref=victim.id,
                                    created=created, modified=created)]
    seen = {victim.id}
    for vendor in inc.get("third_parties") or []:
        v = _identity(vendor, created, description="vendor or service provider named by the incident's notices")
        if v.id in seen:
            continue
        seen.add(v.id)
        objs += [v, Relationship(id=stix_id("relationship", f"{inc['id']}|related-to|{v.id}"),
                                 relationship_type="related-to", source_ref=incident.id, target_ref=v.id,
                                 description="the incident happened at or through this vendor",
                                 created=created, modified=created)]
    for n in inc.get("notices") or []:
        pub = _ts(n.get("disclosure_date")) or created
        ref: dict[str, Any] = {"source_name": n.get("organization") or org, "external_id": n.get("id")}
        if n.get("url"):
            ref["url"] = n["url"]
        else:
            ref["description"] = str(n.get("source") or "")
        objs.append(Report(id=stix_id("report", str(n.get("id") or n.get("source"))),
                           name=(n.get("title") or f"{org} ({n.get('kind') or 'notice'})")[:250],
                           published=pub, created=min(pub, created), modified=max(pub, modified),
                           report_types=["threat-report"], object_refs=[incident.id, victim.id],
                           external_references=[ref], allow_custom=True,
                           x_jikenbo_notice_kind=n.get("kind") or "unknown"))
    return objs


def to_bundle(incidents: Iterable[Any]) -> Any:
    """One STIX 2.1 bundle of every incident (objects shared by incidents, such as a vendor, once)."""
    from stix2 import Bundle

    objs: dict[str, Any] = {}
    for inc in incidents:
        d = inc.model_dump() if hasattr(inc, "model_dump") else inc
        for o in incident_objects(d):
            objs.setdefault(o.id, o)
    ids = sorted(objs)
    return Bundle(objects=[objs[i] for i in ids], id=stix_id("bundle", "|".join(ids)), allow_custom=True)


def incidents_to_stix(incidents: Iterable[Any], fh: IO[str]) -> int:
    """Write the bundle as JSON; returns the number of incidents."""
    items = list(incidents)
    bundle = to_bundle(items)
    fh.write(json.dumps(json.loads(bundle.serialize()), ensure_ascii=False, indent=2) + "\n")
    return len(items)
