"""Incidents as a MISP feed (``pymisp``): a folder any MISP instance can pull as a feed.

One event per incident (``<uuid>.json``), ``manifest.json`` (every event's metadata, by uuid)
and ``hashes.csv`` (md5 of each attribute value, event uuid), the layout of MISP's own feed
generator. Event uuids are UUIDv5 of the incident id, so a re-export updates the same events.
Attributes: the victim organisation and vendors (``text``), each notice's URL (``link``) or
path (``text``), the affected count (``counter``), the title and the dates; tags: TLP, the
jikenbo incident types, leak status and data categories (``jikenbo:type="ransomware"`` …).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/jikenbo/jikenbo/misp")
ORG_NAME = "jikenbo"
ORG_UUID = str(uuid.uuid5(NAMESPACE, "org:jikenbo"))
TLP = "tlp:clear"
# threat level 1 high … 4 undefined; analysis 0 initial, 1 ongoing, 2 completed
_ANALYSIS = {"final_report": 2, "follow_up": 1}


def event_uuid(incident_id: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"event:{incident_id}"))


def _attr_uuid(incident_id: str, key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, f"attribute:{incident_id}:{key}"))


def _day(value: Any) -> date | None:
    """A date from ``YYYY-MM-DD`` (or a month or year alone: its first day), else None."""
    if isinstance(value, date):
        return value
    parts = str(value or "")[:10].split("-")
    try:
        nums = [int(p) for p in parts]
        return date(nums[0], *[*nums[1:3], 1, 1][:2])
    except (ValueError, IndexError, TypeError):
        return None


def _timestamp(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, tzinfo=UTC)


def _tag(namespace: str, predicate: str, value: Any) -> str:
    """A machine tag ``namespace:predicate="value"`` (a quote in the value becomes ')."""
    return f'{namespace}:{predicate}="{str(value).replace(chr(34), chr(39))}"'


def to_event(inc: dict) -> Any:
    """The ``MISPEvent`` of one incident dict."""
    from pymisp import MISPEvent, MISPOrganisation

    iid = inc["id"]
    ev = MISPEvent()
    ev.uuid = event_uuid(iid)
    org = inc.get("organization") or "unknown organisation"
    ev.info = f"{org}: {inc.get('title') or ', '.join(inc.get('incident_types') or []) or 'incident'}"[:250]
    day = _day(inc.get("disclosure_date")) or _day(inc.get("first_disclosed")) or date(2000, 1, 1)
    ev.date = day
    kinds = [n.get("kind") for n in inc.get("notices") or []]
    ev.analysis = max((_ANALYSIS.get(k or "", 0) for k in kinds), default=0)
    ev.threat_level_id = 2 if inc.get("sensitive") or inc.get("payment_card") else 3
    ev.distribution = 3  # all communities: the notices are public
    ev.published = True
    ev.timestamp = _timestamp(max(day, _day(inc.get("last_updated")) or day))
    ev.publish_timestamp = ev.timestamp
    o = MISPOrganisation()
    o.name, o.uuid = ORG_NAME, ORG_UUID
    ev.Orgc = o
    ev.add_tag(TLP)
    for t in inc.get("incident_types") or []:
        ev.add_tag(_tag("jikenbo", "type", t))
    ev.add_tag(_tag("jikenbo", "leak-status", inc.get("leak_status") or "unknown"))
    for c in inc.get("data_categories") or []:
        ev.add_tag(_tag("jikenbo", "data-category", c))
    if inc.get("industry"):
        ev.add_tag(_tag("jikenbo", "industry", inc["industry"]))

    def add(kind: str, value: Any, key: str, comment: str, category: str = "Other") -> None:
        a = ev.add_attribute(kind, str(value), category=category, comment=comment, to_ids=False,
                             uuid=_attr_uuid(iid, key), distribution=5)
        a.timestamp = ev.timestamp

    add("text", org, "victim", "victim organisation", "Attribution")
    for v in inc.get("third_parties") or []:
        add("text", v, f"vendor:{v}", "vendor or service provider named by the notices", "Attribution")
    if inc.get("affected_total") is not None:
        add("counter", inc["affected_total"], "affected_total", "people or records affected")
    if inc.get("title"):
        add("text", inc["title"], "title", "title of the first notice")
    add("text", iid, "jikenbo_id", "jikenbo incident id", "Internal reference")
    for n in inc.get("notices") or []:
        where = n.get("url") or n.get("source")
        if not where:
            continue
        note = f"{n.get('kind') or 'notice'} of {n.get('disclosure_date') or 'unknown date'}"
        if n.get("url"):
            add("link", where, f"notice:{n.get('id')}", note, "External analysis")
        else:
            add("text", where, f"notice:{n.get('id')}", note, "External analysis")
    for k in ("detected_date", "disclosure_date"):
        if d := _day(inc.get(k)):
            add("datetime", f"{d.isoformat()}T00:00:00+00:00", k, k.replace("_", " "))
    return ev


def write_feed(incidents: Iterable[Any], out: Path) -> int:
    """Write the feed folder ``out`` (created if needed); returns the number of events.

    Files are written whole: ``manifest.json`` and ``hashes.csv`` last, listing every event of
    this export (events of an earlier export that are no longer selected are removed).
    """
    out.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {}
    hashes: list[str] = []
    keep: set[str] = set()
    for inc in incidents:
        d = inc.model_dump() if hasattr(inc, "model_dump") else inc
        ev = to_event(d)
        feed = ev.to_feed(with_meta=True)["Event"]
        manifest.update(feed.pop("_manifest"))
        hashes += [f"{h},{ev.uuid}" for h in feed.pop("_hashes")]
        name = f"{ev.uuid}.json"
        keep.add(name)
        _write(out / name, json.dumps({"Event": feed}, ensure_ascii=False, indent=1))
    for old in out.glob("*.json"):
        if old.name not in keep and old.name != "manifest.json" and _is_uuid(old.stem):
            old.unlink()
    _write(out / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    _write(out / "hashes.csv", "".join(f"{h}\n" for h in hashes))
    return len(keep)


def _is_uuid(s: str) -> bool:
    try:
        uuid.UUID(s)
    except ValueError:
        return False
    return True


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text + ("" if text.endswith("\n") or not text else "\n"), encoding="utf-8")
    tmp.replace(path)
