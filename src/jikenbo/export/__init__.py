"""Export incidents and notices: JSON Lines, CSV and VERIS 1.4.1.

Incidents are the incident dicts of docs/ARCHITECTURE.md (what the store returns);
notices are record dicts (``Record.model_dump()`` plus ``notice_id`` / ``incident_id`` …).
Pydantic models are accepted too and dumped first.

VERIS: :func:`to_veris` maps one incident to a VERIS 1.4.1 document with the tables of
``lexicon/veris.toml``; :func:`validate_veris` checks it against the schema file (not shipped:
it is CC BY-SA and lives in the shared data). Unknown counts are omitted, never written as 0.
"""

from __future__ import annotations

import csv
import json
import re
import uuid
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path
from typing import IO, Any

from jikenbo.config import lexicon
from jikenbo.text.normalize import nfkc

VERIS_VERSION = "1.4.1"
# Namespace for the VERIS incident UUIDs: uuid5(namespace, jikenbo incident id).
VERIS_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/jikenbo/jikenbo/veris")

INCIDENT_COLUMNS: tuple[str, ...] = (
    "id", "organization", "organization_aliases", "industry", "disclosure_date", "detected_date",
    "incident_types", "leak_status", "affected_total", "data_categories", "sensitive", "payment_card",
    "reported_to", "title", "first_disclosed", "last_updated", "notice_count", "third_parties",
    "notice_ids", "sources", "urls",
)
NOTICE_COLUMNS: tuple[str, ...] = (
    "notice_id", "incident_id", "source", "url", "organization", "disclosure_date", "detected_date",
    "incident_types", "leak_status", "affected_total", "data_categories", "sensitive", "payment_card",
    "reported_to", "title", "industry", "notice_kind", "secondary_damage", "references", "third_parties",
    "doc_sha256", "segment_start", "segment_end", "fetched_at",
)


class ExportError(Exception):
    """An export could not be made; the message is one line for the user."""


def _plain(obj: Any) -> dict:
    if hasattr(obj, "model_dump"):
        return obj.model_dump()
    if isinstance(obj, dict):
        return obj
    raise ExportError(f"cannot export {type(obj).__name__}: expected a dict or a model")


# --------------------------------------------------------------------------- JSONL / CSV


def _write_jsonl(items: Iterable[Any], fh: IO[str]) -> int:
    n = 0
    for it in items:
        fh.write(json.dumps(_plain(it), ensure_ascii=False, default=str) + "\n")
        n += 1
    return n


def incidents_to_jsonl(incidents: Iterable[Any], fh: IO[str]) -> int:
    """One incident dict per line; returns the number written."""
    return _write_jsonl(incidents, fh)


def notices_to_jsonl(notices: Iterable[Any], fh: IO[str]) -> int:
    """One notice (record dict) per line; returns the number written."""
    return _write_jsonl(notices, fh)


def _cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (list, tuple, set)):
        parts = [_cell(x.get("name") if isinstance(x, dict) and "name" in x else x) for x in v]
        return ";".join(p for p in parts if p)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False, sort_keys=True)
    return str(v).replace("\r", " ").replace("\n", " ")


def _notice_list(inc: dict, key: str) -> list[str]:
    out = []
    for n in inc.get("notices") or []:
        if isinstance(n, dict) and n.get(key) and n[key] not in out:
            out.append(n[key])
    return out


def incident_row(inc: dict) -> dict[str, str]:
    """The flat CSV row of one incident (lists joined with ``;``)."""
    inc = _plain(inc)
    row = {c: _cell(inc.get(c)) for c in INCIDENT_COLUMNS}
    row["notice_ids"] = _cell(_notice_list(inc, "id"))
    row["sources"] = _cell(_notice_list(inc, "source"))
    row["urls"] = _cell(_notice_list(inc, "url"))
    if not row["notice_count"] and inc.get("notices") is not None:
        row["notice_count"] = str(len(inc["notices"]))
    return row


def notice_row(rec: dict) -> dict[str, str]:
    """The flat CSV row of one notice (lists joined with ``;``)."""
    rec = _plain(rec)
    row = {c: _cell(rec.get(c)) for c in NOTICE_COLUMNS}
    if not row["notice_id"] and rec.get("id"):
        row["notice_id"] = _cell(rec["id"])
    return row


def _write_csv(rows: Iterable[dict[str, str]], columns: tuple[str, ...], fh: IO[str]) -> int:
    w = csv.DictWriter(fh, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
    w.writeheader()
    n = 0
    for r in rows:
        w.writerow(r)
        n += 1
    return n


def incidents_to_csv(incidents: Iterable[Any], fh: IO[str]) -> int:
    """Incidents as CSV with a header (:data:`INCIDENT_COLUMNS`); returns the row count."""
    return _write_csv((incident_row(i) for i in incidents), INCIDENT_COLUMNS, fh)


def notices_to_csv(notices: Iterable[Any], fh: IO[str]) -> int:
    """Notices as CSV with a header (:data:`NOTICE_COLUMNS`); returns the row count."""
    return _write_csv((notice_row(n) for n in notices), NOTICE_COLUMNS, fh)


# --------------------------------------------------------------------------- VERIS


@cache
def _veris() -> dict[str, Any]:
    return lexicon("veris")


def veris_uuid(incident_id: str) -> str:
    """The VERIS incident_id of a jikenbo incident: a UUID derived from its id (upper case)."""
    return str(uuid.uuid5(VERIS_NAMESPACE, incident_id)).upper()


def _date(s: Any) -> date | None:
    if not s or not isinstance(s, str):
        return None
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        return None


def _earliest(inc: dict) -> tuple[date, str] | None:
    """Earliest known date of the incident and its precision."""
    found: list[tuple[date, str]] = []
    for ev in inc.get("timeline") or []:
        if isinstance(ev, dict) and _date(ev.get("date")):
            found.append((_date(ev["date"]), ev.get("precision") or "day"))  # type: ignore[arg-type]
    for key in ("detected_date", "disclosure_date", "first_disclosed"):
        d = _date(inc.get(key))
        if d:
            found.append((d, "day"))
    if not found:
        return None
    # the earliest date; at equal dates the finer precision
    rank = {"day": 0, "approximate": 1, "month": 2, "year": 3}
    return min(found, key=lambda x: (x[0], rank.get(x[1], 1)))


def _timeline(inc: dict, fallback_year: int | None = None) -> dict:
    first = _earliest(inc)
    if first is None:
        # VERIS requires a year and the notices give no date: the notices' fetch or publication
        # dates, else the caller's fallback year, else this year.
        dates = sorted(d for d in (_date(n.get(k)) for n in inc.get("notices") or [] if isinstance(n, dict)
                                   for k in ("disclosure_date", "fetched_at")) if d)
        year = dates[0].year if dates else (fallback_year or date.today().year)
        return {"incident": {"year": year}}
    d, precision = first
    incident: dict[str, int] = {"year": d.year}
    if precision in ("day", "month", "approximate"):
        incident["month"] = d.month
    if precision == "day":
        incident["day"] = d.day
    out: dict[str, Any] = {"incident": incident}
    detected = _date(inc.get("detected_date"))
    if detected is None:
        detected = min((_date(e.get("date")) for e in inc.get("timeline") or []
                        if isinstance(e, dict) and e.get("kind") == "detected" and _date(e.get("date"))),
                       default=None)
    if detected is not None and precision == "day" and detected >= d:
        out["discovery"] = {"unit": "Days", "value": (detected - d).days}
    elif detected is not None:
        out["discovery"] = {"unit": "Unknown"}
    return out


def _types(inc: dict) -> list[str]:
    return [t for t in inc.get("incident_types") or [] if t in _veris()["action"]]


def _merge(target: dict, key: str, values: list[str]) -> None:
    cur = target.setdefault(key, [])
    for v in values:
        if v not in cur:
            cur.append(v)


def _actions(types: list[str]) -> dict:
    table = _veris()["action"]
    action: dict[str, dict] = {}
    for t in types:
        m = table[t]
        cat = m["category"]
        if cat == "unknown":
            action.setdefault("unknown", {"notes": m["notes"]})
            continue
        a = action.setdefault(cat, {})
        for k in ("variety", "vector", "target"):
            if k in m:
                _merge(a, k, list(m[k]))
    for a in action.values():  # "Unknown" only when nothing better is known
        for v in a.values():
            if isinstance(v, list) and len(v) > 1 and "Unknown" in v:
                v.remove("Unknown")
    if len(action) > 1:  # "other" beside known actions adds nothing VERIS can say
        action.pop("unknown", None)
    if not action:
        action["unknown"] = {"notes": "通知は事案の種別を述べていない"}
    return action


def _actors(types: list[str]) -> dict:
    table = _veris()["actor"]
    actor: dict[str, dict] = {}
    for t in types:
        m = table.get(t) or table["other"]
        cat = m["category"]
        if cat == "unknown":
            actor.setdefault("unknown", {"notes": m["notes"]})
            continue
        a = actor.setdefault(cat, {})
        for k in ("variety", "motive"):
            _merge(a, k, list(m[k]))
    for a in actor.values():  # a known motive beats Unknown; any motive beats NA (errors)
        for v in a.values():
            for drop in ("NA", "Unknown"):
                if drop in v and len(v) > 1:
                    v.remove(drop)
    if len(actor) > 1:
        actor.pop("unknown", None)
    if not actor:
        actor["unknown"] = {"notes": table["other"]["notes"]}
    return actor


def _assets(types: list[str]) -> dict:
    table = _veris()["asset"]
    varieties: list[str] = []
    for t in types:
        for v in table.get(t, []):
            if v not in varieties:
                varieties.append(v)
    if len(varieties) > 1 and "Unknown" in varieties:
        varieties.remove("Unknown")
    return {"assets": [{"variety": v} for v in varieties or ["Unknown"]], "cloud": ["Unknown"]}


def _attribute(inc: dict, types: list[str]) -> dict:
    lex = _veris()
    leak = inc.get("leak_status") or "unknown"
    conf: dict[str, Any] = {"data_disclosure": lex["disclosure"].get(leak, "Unknown")}
    total = inc.get("affected_total")
    if isinstance(total, int) and not isinstance(total, bool) and total > 0:
        conf["data_total"] = total
    varieties: list[str] = []
    for c in inc.get("data_categories") or []:
        v = lex["data_variety"].get(c)
        if v and v not in varieties:
            varieties.append(v)
    if inc.get("payment_card") and "Payment" not in varieties:
        varieties.append("Payment")
    if inc.get("sensitive") and "Medical" not in varieties:
        varieties.append("Sensitive Personal")
    if varieties:
        conf["data"] = [{"variety": v} for v in varieties]
    attribute: dict[str, Any] = {"confidentiality": conf}
    for part in ("integrity", "availability"):
        vs: list[str] = []
        for t in types:
            for v in lex[part].get(t, []):
                if v not in vs:
                    vs.append(v)
        if vs:
            attribute[part] = {"variety": vs}
    return attribute


def _key(s: str) -> str:
    return re.sub(r"[\s,、，・()（）]", "", nfkc(s))


def industry_code(industry: str | None) -> str:
    """NAICS sector code for a JSIC 大分類 name, or ``"000"`` when it cannot be mapped."""
    if not industry:
        return "000"
    k = _key(industry)
    table = {_key(name): code for name, code in _veris()["industry"].items()}
    if k in table:
        return table[k]
    for name, code in table.items():
        if k and (k in name or name in k):
            return code
    return "000"


def government(org: str | None) -> str:
    """VERIS victim.government from the organisation's name: Local, Federal or NA."""
    name = _key(org or "")
    if not name:
        return "NA"
    for level, cues in _veris()["government"].items():
        for cue in cues:
            if (len(cue) == 1 and name.endswith(cue)) or (len(cue) > 1 and cue in name):
                return level
    return "NA"


def _references(inc: dict) -> list[str]:
    refs: list[str] = []
    for n in inc.get("notices") or []:
        if not isinstance(n, dict):
            continue
        r = n.get("url") or n.get("source")
        if r and r not in refs:
            refs.append(str(r))
    return refs


def _summary(inc: dict, types: list[str]) -> str:
    labels = _veris()["labels"]
    org = inc.get("organization") or "組織名不明"
    parts = [f"{org}: {inc['title']}" if inc.get("title") else org]
    if types:
        parts.append("種別 " + "・".join(labels.get(t, t) for t in types))
    parts.append(labels.get(inc.get("leak_status") or "unknown", "漏えい状況不明"))
    total = inc.get("affected_total")
    if isinstance(total, int) and total > 0:
        parts.append(f"影響 {total:,}件")
    if inc.get("disclosure_date"):
        parts.append(f"公表 {inc['disclosure_date']}")
    return "。".join(parts) + "。"


def to_veris(incident: Any, *, fallback_year: int | None = None) -> dict:
    """A VERIS 1.4.1 document for one incident dict.

    ``fallback_year`` is VERIS's required ``timeline.incident.year`` when no notice gives any
    date (default: the current year).
    """
    inc = _plain(incident)
    iid = str(inc.get("id") or inc.get("incident_id") or "")
    if not iid:
        raise ExportError(f"incident of {inc.get('organization') or 'unknown organisation'}: has no id")
    types = _types(inc)
    vid = veris_uuid(iid)
    doc: dict[str, Any] = {
        "schema_version": VERIS_VERSION,
        "schema_name": "verisc",
        "incident_id": vid,
        "security_incident": "Confirmed",
        "summary": _summary(inc, types),
        "timeline": _timeline(inc, fallback_year),
        "victim": {
            "country": ["JP"],
            "employee_count": "Unknown",
            "industry": industry_code(inc.get("industry")),
            "government": [government(inc.get("organization"))],
        },
        "action": _actions(types),
        "actor": _actors(types),
        "asset": _assets(types),
        "attribute": _attribute(inc, types),
        "discovery_method": {"unknown": True},
        "impact": {"overall_rating": "Unknown"},
        "plus": {
            "master_id": vid,
            "jikenbo": {
                "incident_id": iid,
                "leak_status": inc.get("leak_status") or "unknown",
                "incident_types": list(inc.get("incident_types") or []),
                "data_categories": list(inc.get("data_categories") or []),
                "reported_to": list(inc.get("reported_to") or []),
                "third_parties": [t.get("name") if isinstance(t, dict) else t
                                  for t in inc.get("third_parties") or []],
            },
        },
    }
    if inc.get("organization"):
        doc["victim"]["victim_id"] = str(inc["organization"])
    refs = _references(inc)
    if refs:
        doc["reference"] = "; ".join(refs)
    return doc


def incidents_to_veris(incidents: Iterable[Any], fh: IO[str]) -> int:
    """One VERIS document per line; returns the number written."""
    n = 0
    for inc in incidents:
        fh.write(json.dumps(to_veris(inc), ensure_ascii=False) + "\n")
        n += 1
    return n


@cache
def _validator(schema_path: str) -> Any:
    import jsonschema

    p = Path(schema_path)
    try:
        schema = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as e:
        raise ExportError(f"{p}: VERIS schema not found") from e
    except (OSError, ValueError) as e:
        raise ExportError(f"{p}: not a readable JSON schema: {e}") from e
    cls = jsonschema.validators.validator_for(schema, default=jsonschema.Draft4Validator)
    return cls(schema)


def validate_veris(doc: dict, schema_path: str | Path) -> list[str]:
    """Problems of ``doc`` against the VERIS JSON schema, one line each; empty when valid."""
    v = _validator(str(schema_path))
    errors = sorted(v.iter_errors(doc), key=lambda e: [str(p) for p in e.absolute_path])
    return [f"{'/'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}" for e in errors]
