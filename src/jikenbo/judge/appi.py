"""個人情報保護法: is the case reportable to 個人情報保護委員会 (規則7条), and why.

Triggers fire from the record's fields (the same judgement whoever extracted the record);
the notice text only adds evidence and notes (strong encryption, cues).
"""

from __future__ import annotations

from jikenbo.judge import data
from jikenbo.judge.evidence import dedupe, of_field, span
from jikenbo.judge.text import TextView
from jikenbo.models import Record
from jikenbo.text.normalize import nfkc


def is_public_body(organization: str | None, industry: str | None = None) -> bool:
    """行政機関等 (threshold 100) by the organisation's name (data/judge/public_bodies.toml), or
    its JSIC 大分類 when that is 公務."""
    if industry and nfkc(industry).startswith("公務") and not (
            organization and any(x in nfkc(organization) for x in data.public_bodies()["not_public"])):
        return True
    if not organization:
        return False
    name = nfkc(organization).replace(" ", "")
    cfg = data.public_bodies()
    if any(x in name for x in cfg["not_public"]):
        return False
    if name in cfg["exact"]:
        return True
    if name.startswith(tuple(cfg["prefixes"])) or any(x in name for x in cfg["contains"]):
        return True
    return len(name) >= 2 and name.endswith(tuple(cfg["suffixes"]))


def threshold(public_body: bool) -> int:
    cfg = data.public_bodies()
    return int(cfg["threshold_public"] if public_body else cfg["threshold_business"])


def _negated(view: TextView, pos: int) -> bool:
    s, e = view.sentence_at(pos)
    return any(n in view.text[s:e] for n in data.rules()["negation"]["cues"])


def text_evidence(view: TextView | None, cues: list[str], limit: int = 4) -> list[dict]:
    """Sentences stating a cue, leaving out those that deny it (「…は含まれておりません」)."""
    if view is None:
        return []
    out = []
    for s, e, _ in view.find(cues):
        if _negated(view, s):
            continue
        out.append(view.span(s, e, kind="text"))
        if len(out) >= limit:
            break
    return out


def personal_data_at_risk(record: Record, view: TextView | None) -> tuple[bool | None, list[dict]]:
    """True / False, or None when the notice does not say (no categories, no count, no mention)."""
    if record.leak_status == "none":
        return False, of_field(record, "leak_status")
    if record.data_categories or record.affected_total is not None or record.sensitive or record.payment_card:
        return True, []
    ev = text_evidence(view, data.rules()["personal_data"]["cues"], limit=3)
    if ev:
        # personal data is named: stated as leaked → at risk; otherwise the notice does not tell
        return (True if record.leak_status in ("confirmed", "possible") else None), ev
    return False, []


def triggers(record: Record, view: TextView | None, *, public_body: bool) -> list[dict]:
    """The 規則7条 situations that apply, each with its evidence."""
    rules = data.rules()["triggers"]
    out = []
    cats = set(record.data_categories)

    cfg = rules["sensitive"]
    hit = sorted(cats & set(cfg["categories"]))
    if record.sensitive or hit:
        ev = of_field(record, "sensitive") + of_field(record, "data_categories", hit)
        out.append(_trigger("sensitive", cfg, ev + text_evidence(view, cfg["cues"])))

    cfg = rules["financial"]
    hit = sorted(cats & set(cfg["categories"]))
    if record.payment_card or hit:
        ev = of_field(record, "payment_card") + of_field(record, "data_categories", hit)
        out.append(_trigger("financial", cfg, ev + text_evidence(view, cfg["cues"])))

    cfg = rules["malicious"]
    hit = [t for t in record.incident_types if t in cfg["incident_types"]]
    if hit:
        ev = of_field(record, "incident_types", hit)
        t = _trigger("malicious", cfg, ev + text_evidence(view, cfg["cues"], limit=2))
        t["incident_types"] = hit
        out.append(t)

    cfg = rules["over_threshold"]
    limit = threshold(public_body)
    if record.affected_total is not None and record.affected_total > limit:
        ev = of_field(record, "affected_total") + [span(record, c, field="counts")
                                                   for c in record.counts if c.is_total]
        if not ev:
            ev = [{"source": record.source, "field": "affected_total", "value": record.affected_total}]
        t = _trigger("over_threshold", cfg, ev)
        t["label"] = cfg["label_public"] if public_body else cfg["label"]
        t["threshold"] = limit
        t["people"] = record.affected_total
        out.append(t)
    return out


def _trigger(code: str, cfg: dict, ev: list[dict]) -> dict:
    with_offsets = dedupe(e for e in ev if "start" in e)
    return {"code": code, "article": cfg["article"], "label": cfg["label"],
            "evidence": with_offsets + [e for e in ev if "start" not in e]}


def encryption(view: TextView | None) -> dict:
    """Whether the notice says the data was encrypted (an exemption: 高度な暗号化)."""
    if view is None:
        return {"stated": None, "evidence": []}
    cfg = data.rules()["encryption"]
    ev = []
    for s, _e, _ in view.find(cfg["cues"]):
        ss, se = view.sentence_at(s)
        if any(n in view.text[ss:se] for n in cfg["negative"] + cfg["ignore"]):
            continue
        ev.append(view.span(ss, se, kind="text"))
    return {"stated": bool(ev), "evidence": dedupe(ev)[:3]}


def judge(record: Record, view: TextView | None, *, public_body: bool) -> dict:
    """reportable (True / False / None), triggers, and the reasons in words."""
    at_risk, risk_ev = personal_data_at_risk(record, view)
    fired = triggers(record, view, public_body=public_body) if at_risk is not False else []
    limit = threshold(public_body)
    notes: list[str] = []
    if at_risk is False:
        reportable: bool | None = False
        reason = ("no personal data at risk (leak_status none)" if record.leak_status == "none"
                  else "no personal data at risk: the notice names no data and no count")
    elif at_risk is None:
        reportable = None
        reason = "personal data is mentioned, but not whether it was at risk, nor its kinds or count"
        if fired:
            notes.append("if personal data was at risk, these triggers would make it reportable")
    elif fired:
        reportable = True
        reason = "規則7条 " + ", ".join(t["article"].removeprefix("規則7条") for t in fired)
    elif record.affected_total is None:
        reportable = None
        reason = (f"no 規則7条 trigger in the record and no count: "
                  f"more than {limit:,} people would make it reportable")
    else:
        reportable = False
        reason = f"no 規則7条 trigger: {record.affected_total:,} people, not more than {limit:,}"
    if record.leak_status == "not_confirmed" and reportable:
        notes.append("the investigation found no leak; the おそれ at detection still made it reportable")
    cats = set(record.data_categories)
    if {"login_id", "password"} <= cats and not any(t["code"] == "financial" for t in fired):
        notes.append("login ID and password leaked: 規則7条2号 also applies if the service can pay or remit")
    if reportable and "ppc" not in record.reported_to:
        notes.append("reportable, but the notice does not say 個人情報保護委員会 was told")
    enc = encryption(view)
    if enc["stated"]:
        notes.append("the notice says the data was encrypted: strong encryption (高度な暗号化) exempts it")
    return {"personal_data_at_risk": at_risk, "personal_data_evidence": risk_ev, "reportable": reportable,
            "reason": reason, "triggers": fired, "encryption": enc, "notes": notes,
            "told_ppc": "ppc" in record.reported_to,
            "told_ppc_evidence": of_field(record, "reported_to", ["ppc"])}
