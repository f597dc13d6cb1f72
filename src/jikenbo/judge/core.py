"""check_record / check_incident: the whole judgement of a notice or a stored incident."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from jikenbo.judge import appi, items
from jikenbo.judge.bodies import KINDS, body
from jikenbo.judge.damage import estimate
from jikenbo.judge.deadlines import deadlines, detection, ppc_reports
from jikenbo.judge.evidence import dedupe
from jikenbo.judge.taxonomy import classify
from jikenbo.models import Event, Record


class JudgeError(Exception):
    """Bad judge input (an option out of range); the message is one line for the user."""


@dataclass(frozen=True)
class JudgeOptions:
    """Inputs of the damage model the notice cannot give, and an override of the body kind."""

    social_responsibility: int = 1  # 社会的責任度: 2 = higher than usual
    response: int = 1  # 事後対応評価: 2 = inappropriate response
    public_body: bool | None = None  # True: a 行政機関 (法68条), False: a business; None: from the name
    body_kind: str | None = None  # a kind of data/judge/bodies.toml; wins over public_body

    def __post_init__(self) -> None:
        for name in ("social_responsibility", "response"):
            if getattr(self, name) not in (1, 2):
                raise JudgeError(f"{name.replace('_', '-')} must be 1 or 2, not {getattr(self, name)!r}")
        if self.body_kind is not None and self.body_kind not in KINDS:
            raise JudgeError(f"body kind must be one of {', '.join(KINDS)}, not {self.body_kind!r}")

    def kind(self) -> str | None:
        if self.body_kind is not None:
            return self.body_kind
        return None if self.public_body is None else ("national" if self.public_body else "business")


def _health_texts(record: Record, document_text: str | None, report_items: dict) -> list[str]:
    texts = [e.text for e in record.evidence if e.field in ("data_categories", "sensitive")]
    for key in ("data_items",):
        for ev in report_items[key]["evidence"]:
            if document_text and "section_end" in ev:
                texts.append(document_text[ev["start"]:ev["section_end"]])
            elif "text" in ev:
                texts.append(ev["text"])
    return texts


def _damage(record: Record, at_risk: bool | None, health_texts: list[str], options: JudgeOptions) -> dict:
    dmg = estimate(record.data_categories, record.affected_total, sensitive=record.sensitive,
                   payment_card=record.payment_card, health_texts=health_texts,
                   social_responsibility=options.social_responsibility, response=options.response)
    if at_risk is False:
        dmg.update(per_person=None, total=None, note="no personal data at risk: no damage estimate")
    return dmg


def _disclosure_date(record: Record) -> str | None:
    if record.disclosure_date:
        return record.disclosure_date
    ds = sorted(e.date for e in record.timeline if e.kind == "disclosed")
    return ds[0] if ds else None


def check_record(record: Record, *, document_text: str | None = None,
                 options: JudgeOptions = JudgeOptions()) -> dict:
    """Judge one notice. ``document_text``: the ``Document.text`` the record's offsets index
    (without it, headings and cue words cannot be seen and only the record's fields count)."""
    view = items.build_view(record, document_text)
    b = body(record.organization, record.industry, kind=options.kind(), text=view.text if view else None)
    law = appi.judge(record, view, body=b)
    report_items = items.judge_items(record, view)
    detected, precision, det_ev = detection(record)
    malicious = any(t["code"] == "malicious" for t in law["triggers"])
    dl = deadlines(detected, precision, malicious=malicious, reports=ppc_reports(record.timeline),
                   told_ppc=law["told_ppc"],
                   disclosures=[{"source": record.source, "date": _disclosure_date(record)}])
    dl["detected_evidence"] = det_ev
    health = _health_texts(record, document_text, report_items)
    return {
        "kind": "notice",
        "source": record.source,
        **_verdict(record.organization, record.title, record.disclosure_date, law),
        "personal_data_evidence": law["personal_data_evidence"],
        "encryption": law["encryption"],
        "recovered": law["recovered"],
        "told_ppc": law["told_ppc"],
        "told_ppc_evidence": law["told_ppc_evidence"],
        "notes": law["notes"],
        "report_items": report_items,
        "notice_items": items.notice_items(report_items),
        "deadlines": dl,
        "damage": _damage(record, law["personal_data_at_risk"], health, options),
        "taxonomy": classify(record.incident_types, record.leak_status, record.data_categories,
                             record.affected_total),
    }


def _verdict(organization: str | None, title: str | None, disclosure_date: str | None, law: dict) -> dict:
    """The part of a judgement that a notice and an incident share."""
    b = law["body"]
    return {
        "organization": organization,
        "title": title,
        "disclosure_date": disclosure_date,
        "body": b,
        "rule": b["rule"],
        "public_body": b["rule"] == "法68条",
        "threshold": b["threshold"] or None,
        "duty": law["duty"],
        "reportable": law["reportable"],
        "reason": law["reason"],
        "today": law["today"],
        "triggers": law["triggers"],
        "exemption": law["exemption"],
        "personal_data_at_risk": law["personal_data_at_risk"],
    }


_CONTRACT = ("organization", "disclosure_date", "detected_date", "incident_types", "leak_status",
             "affected_total", "data_categories", "sensitive", "payment_card", "reported_to")


def incident_record(incident: dict, records: list[Record]) -> Record:
    """One Record holding the incident's consolidated values (the store's), falling back to the
    notices' values where the incident dict lacks a field."""
    values: dict = {}
    for f in _CONTRACT:
        if incident.get(f) not in (None, [], ""):
            values[f] = incident[f]
    if "organization" not in values:
        values["organization"] = next((r.organization for r in records if r.organization), None)
    if "detected_date" not in values:
        ds = sorted(r.detected_date for r in records if r.detected_date)
        values["detected_date"] = ds[0] if ds else None
    for f in ("incident_types", "data_categories", "reported_to"):
        if f not in values:
            values[f] = list(dict.fromkeys(v for r in records for v in getattr(r, f)))
    if "affected_total" not in values:
        counts = [r.affected_total for r in records if r.affected_total is not None]
        values["affected_total"] = max(counts) if counts else None
    for f in ("sensitive", "payment_card"):
        if f not in values:
            values[f] = any(getattr(r, f) for r in records)
    if "leak_status" not in values:
        order = ["confirmed", "possible", "not_confirmed", "none", "unknown"]
        statuses = [r.leak_status for r in records] or ["unknown"]
        values["leak_status"] = min(statuses, key=lambda s: order.index(s) if s in order else len(order))
    timeline = [Event.model_validate(e) for e in incident.get("timeline") or []]
    if not timeline:
        timeline = [e for r in records for e in r.timeline]
    return Record(source=str(incident.get("id") or "<incident>"), title=incident.get("title"),
                  timeline=timeline, counts=[c for r in records for c in r.counts], **values)


def _reconcile(law: dict, merged: Record, judged: list[dict]) -> None:
    """Carry what only the notices' texts show (a vetoed trigger, a medical body's patients, an
    exemption) to the incident's verdict, which is judged from its consolidated fields."""
    judged = [p for p in judged if p["duty"]["state"] == "in_force"]
    if not judged or law["duty"]["state"] != "in_force" or law["personal_data_at_risk"] is False:
        return
    seen = {t["code"]: t for p in judged for t in p["triggers"]}
    codes = [t["code"] for t in law["triggers"]]
    kept = [t for t in law["triggers"] if t["code"] in seen or t["code"] == "over_threshold"]
    kept += [t for c, t in seen.items() if c not in codes and c != "over_threshold"]
    exemption = next((p["exemption"] for p in judged if p["exemption"]), None)
    if exemption is not None and any(p["reportable"] for p in judged):
        exemption = None
    if exemption is None and [t["code"] for t in kept] == codes:
        return
    triggers = [] if exemption else kept
    law["reportable"], law["reason"] = appi.verdict(merged, law["personal_data_at_risk"], triggers,
                                                    exemption, law["body"])
    law.update(triggers=triggers, exemption=exemption)


def check_incident(incident: dict, records: list[Record], *,
                   document_texts: Mapping[str, str] | None = None,
                   options: JudgeOptions = JudgeOptions()) -> dict:
    """Judge a stored incident: its consolidated values, every notice's items and evidence, and
    whether its public notices came before the deadlines.

    ``document_texts``: Document.text by the record's ``doc_sha256`` (or ``source``).
    """
    texts = document_texts or {}
    per_notice = [check_record(r, document_text=texts.get(r.doc_sha256) or texts.get(r.source),
                               options=options) for r in records]
    health: list[str] = []
    for r, p in zip(records, per_notice, strict=True):
        health += _health_texts(r, texts.get(r.doc_sha256) or texts.get(r.source), p["report_items"])
    merged = incident_record(incident, records)
    b = body(merged.organization, incident.get("industry"), kind=options.kind())
    if b["basis"] in ("default", "unnamed"):  # a notice's text may show the name in full (当庁 → its sender line)
        b = next((p["body"] for p in per_notice if p["body"]["basis"] == "name"), b)
    law = appi.judge(merged, None, body=b)
    _reconcile(law, merged, [p for r, p in zip(records, per_notice, strict=True)
                             if texts.get(r.doc_sha256) or texts.get(r.source)])
    unclear = any(p["personal_data_at_risk"] is None for p in per_notice)
    if law["personal_data_at_risk"] is not False and unclear \
            and not (merged.data_categories or merged.affected_total is not None):
        law["reportable"] = None
    for trig in law["triggers"]:
        ev = [e for p in per_notice for t in p["triggers"] if t["code"] == trig["code"]
              for e in t["evidence"] if "start" in e]
        if ev:
            trig["evidence"] = dedupe(ev)
    report_items = items.merge([p["report_items"] for p in per_notice]) if per_notice else \
        items.judge_items(merged, None)
    detected, precision, det_ev = detection(merged)
    malicious = any(t["code"] == "malicious" for t in law["triggers"])
    events = list(merged.timeline) + [e for r in records for e in r.timeline]
    public_notices = [{"notice_id": n.get("id"), "source": n.get("source"), "kind": n.get("kind"),
                       "date": n.get("disclosure_date")} for n in incident.get("notices") or []]
    if not public_notices:
        public_notices = [{"source": r.source, "date": _disclosure_date(r)} for r in records]
    dl = deadlines(detected, precision, malicious=malicious, reports=ppc_reports(events),
                   told_ppc=law["told_ppc"] or any(p["told_ppc"] for p in per_notice),
                   disclosures=public_notices)
    dl["detected_evidence"] = det_ev or [e for p in per_notice
                                         for e in p["deadlines"]["detected_evidence"]][:3]
    return {
        "kind": "incident",
        "id": incident.get("id"),
        **_verdict(merged.organization, incident.get("title"), merged.disclosure_date, law),
        "encryption": {"stated": any(p["encryption"]["stated"] for p in per_notice) if per_notice else None,
                       "evidence": [e for p in per_notice for e in p["encryption"]["evidence"]]},
        "told_ppc": dl["reported_ppc"] != "not stated",
        "notes": list(dict.fromkeys(law["notes"] + [n for p in per_notice for n in p["notes"]])),
        "report_items": report_items,
        "notice_items": items.notice_items(report_items),
        "deadlines": dl,
        "damage": _damage(merged, law["personal_data_at_risk"], health, options),
        "taxonomy": classify(merged.incident_types, merged.leak_status, merged.data_categories,
                             merged.affected_total),
        "notices": [{"source": p["source"], "organization": p["organization"],
                     "disclosure_date": p["disclosure_date"], "reportable": p["reportable"],
                     "triggers": [t["code"] for t in p["triggers"]],
                     "missing_report_items": [k for k, v in p["report_items"].items()
                                              if v["status"] == "missing"]} for p in per_notice],
    }
