"""個人情報保護法: is the case reportable to 個人情報保護委員会, under which rule, and why.

The body's rule (法26条 with 規則7条, 法68条 with 規則43条, or none) comes from ``bodies``.
Triggers fire from the record's fields (the same judgement whoever extracted the record); the
notice text adds evidence, vetoes a trigger whose field is not enough (a card's last four
digits, a bank account number alone, a health-check booking), fires the 要配慮 trigger for a
medical body's patients, and finds the exemptions (strong encryption, every copy recovered
before anyone saw it).
"""

from __future__ import annotations

from jikenbo.judge import data
from jikenbo.judge.bodies import body as find_body
from jikenbo.judge.bodies import duty as find_duty
from jikenbo.judge.bodies import name_variants
from jikenbo.judge.bodies import rule as find_rule
from jikenbo.judge.evidence import dedupe, of_field, span
from jikenbo.judge.text import TextView
from jikenbo.models import Record
from jikenbo.text.normalize import nfkc


def is_public_body(organization: str | None, industry: str | None = None) -> bool:
    """A 行政機関等 (法68条, the 100-person rule) by the organisation's name or industry."""
    return find_body(organization, industry)["rule"] == "法68条"


def _negated(view: TextView, pos: int) -> bool:
    s, e = view.sentence_at(pos)
    return any(n in view.text[s:e] for n in data.rules()["negation"]["cues"])


def _sentences(view: TextView | None, cues: list[str], *, keep_negated: bool = False) -> list[tuple[int, int]]:
    """Bounds of the (deduplicated) sentences stating a cue; denied ones left out."""
    if view is None:
        return []
    out: list[tuple[int, int]] = []
    for s, _e, _ in view.find([c for c in cues if c]):  # an empty cue would match everywhere
        if not keep_negated and _negated(view, s):
            continue
        b = view.sentence_at(s)
        if b not in out:
            out.append(b)
    return out


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


def _field_texts(record: Record, *fields: str) -> list[str]:
    return [e.text for e in record.evidence if e.field in fields]


def personal_data_at_risk(record: Record, view: TextView | None) -> tuple[bool | None, list[dict]]:
    """True / False, or None when the notice does not say whether personal data was involved."""
    if record.leak_status == "none":
        return False, of_field(record, "leak_status")
    if record.data_categories or record.affected_total is not None or record.sensitive or record.payment_card:
        return True, []
    cues = data.rules()["personal_data"]["cues"]
    ev = text_evidence(view, cues, limit=3)
    if ev:
        malicious = set(record.incident_types) & set(data.rules()["triggers"]["malicious"]["incident_types"])
        stated = record.leak_status in ("confirmed", "possible", "not_confirmed") or bool(malicious)
        return (True if stated else None), ev
    denied = [view.span(s, e, kind="text") for s, e in _sentences(view, cues, keep_negated=True)] if view else []
    if denied:  # named only to deny it: 「個人情報は含まれておりません」
        return False, denied[:3]
    return None, []


def _or_field(record: Record, ev: list[dict], field: str) -> list[dict]:
    """The evidence, or (when the record keeps no span) the field itself."""
    if ev:
        return ev
    value = getattr(record, field)
    return [{"source": record.source, "field": field, "value": value if not isinstance(value, list)
             else ",".join(value)}]


def _sensitive(record: Record, view: TextView | None, b: dict) -> tuple[list[dict], str | None]:
    """Evidence that 要配慮個人情報 is involved, and a note when a cue was not enough."""
    cfg = data.rules()["triggers"]["sensitive"]
    hit = sorted(set(record.data_categories) & set(cfg["categories"]))
    booking_only = False
    if record.sensitive or hit:
        ev = of_field(record, "sensitive") + of_field(record, "data_categories", hit)
        terms = [nfkc(e["text"]) for e in ev if "text" in e]
        texts = [view.text[s:e] for s, e in _sentences(view, terms + cfg["cues"])] if view else terms
        booking_only = bool(texts) and all(any(c in t for c in cfg["booking_cues"]) for t in texts) \
            and not any(c in t for t in texts for c in cfg["result_cues"])
        if not booking_only:
            return _or_field(record, ev + text_evidence(view, cfg["cues"]),
                             "sensitive" if record.sensitive else "data_categories"), None
    names = " ".join(name_variants(record.organization, view.text if view else None))
    medical = any(w in names for w in cfg["medical_bodies"]) or (
        view is not None and any(c in view.text for c in cfg["medical_self"]))
    if medical:
        why = "patients of a medical body: having received 診療 is 要配慮 (政令2条3号)"
        if view is not None:
            patient = _sentences(view, cfg["patient_cues"])
            if patient:
                return [view.span(s, e, kind="text", why=why) for s, e in patient[:3]], None
        elif any(c in t for t in _field_texts(record, "customer_id", "affected_total", "data_categories")
                 for c in cfg["patient_cues"]):
            return of_field(record, "customer_id") + of_field(record, "affected_total"), None
    if booking_only:
        return [], "health data named only as a booking (予約): a booking alone is not 要配慮個人情報"
    return [], None


def _financial(record: Record, view: TextView | None) -> tuple[list[dict], str | None]:
    cfg = data.rules()["triggers"]["financial"]
    cats = set(record.data_categories)
    if record.payment_card or "credit_card" in cats:
        ev = of_field(record, "payment_card") + of_field(record, "data_categories", ["credit_card"])
        terms = [nfkc(e["text"]) for e in ev if "text" in e]
        texts = [view.text[s:e] for s, e in _sentences(view, [*terms, "カード番号", "クレジットカード", "カード情報"])] \
            if view else terms
        if texts and all(any(d in t for d in cfg["last_digits"]) for t in texts):
            return [], "only the last digits of card numbers: they cannot be misused (規則7条2号 not met)"
        return _or_field(record, ev + text_evidence(view, cfg["cues"]),
                         "payment_card" if record.payment_card else "data_categories"), None
    if "bank_account" in cats:
        creds = text_evidence(view, cfg["bank_credentials"])
        if view is None and "password" in cats and any("暗証番号" in t for t in _field_texts(record, "data_categories")):
            creds = of_field(record, "data_categories", ["password"])
        if creds:
            return of_field(record, "data_categories", ["bank_account"]) + creds, None
        return [], "a bank account number without its PIN or net-banking credentials is not 規則7条2号"
    if {"login_id", "password"} <= cats:
        pay = text_evidence(view, cfg["payment_services"])
        if pay:
            return of_field(record, "data_categories", ["login_id", "password"]) + pay, None
        return [], "login ID and password leaked: 規則7条2号 also applies if the service can pay or remit"
    return [], None


def triggers(record: Record, view: TextView | None, *, body: dict) -> tuple[list[dict], list[str]]:
    """The reportable situations (規則7条 / 規則43条) that apply, each with its evidence; and notes
    on cues that were not enough."""
    rules = data.rules()["triggers"]
    out, notes = [], []

    ev, note = _sensitive(record, view, body)
    if ev:
        out.append(_trigger("sensitive", rules["sensitive"], ev, body))
    if note:
        notes.append(note)

    ev, note = _financial(record, view)
    if ev:
        out.append(_trigger("financial", rules["financial"], ev, body))
    if note:
        notes.append(note)

    cfg = rules["malicious"]
    hit = [t for t in record.incident_types if t in cfg["incident_types"]]
    if hit == ["insider"] and not _improper_purpose(record, view, cfg["insider_purpose"]):
        hit = []
        notes.append("an insider took the data out, but the notice gives no sign of an improper purpose "
                     "(不正の目的): 3号 not applied")
    if hit:
        ev = of_field(record, "incident_types", hit)
        t = _trigger("malicious", cfg, ev + text_evidence(view, cfg["cues"], limit=2), body)
        t["incident_types"] = hit
        out.append(t)

    cfg = rules["over_threshold"]
    limit = body["threshold"]
    if record.affected_total is not None and record.affected_total > limit:
        ev = of_field(record, "affected_total") + [span(record, c, field="counts")
                                                   for c in record.counts if c.is_total]
        if not ev:
            ev = [{"source": record.source, "field": "affected_total", "value": record.affected_total}]
        t = _trigger("over_threshold", cfg, ev, body)
        t["threshold"] = limit
        t["people"] = record.affected_total
        out.append(t)
    return out, notes


def _improper_purpose(record: Record, view: TextView | None, cues: list[str]) -> bool:
    """The sentences the record cites for ``insider`` show an improper purpose (or the record
    cites none: the field is taken as it is)."""
    ev = of_field(record, "incident_types", ["insider"])
    if view is None or not ev:
        return True
    sents = _sentences(view, [nfkc(e["text"]) for e in ev], keep_negated=True)
    return any(c in view.text[s:e] for s, e in sents for c in cues) or any(c in e["text"] for e in ev for c in cues)


def _trigger(code: str, cfg: dict, ev: list[dict], body: dict) -> dict:
    with_offsets = dedupe(e for e in ev if "start" in e)
    label = cfg["label"].replace("{threshold}", f"{body['threshold']:,}")
    return {"code": code, "article": f"{body['articles']}{cfg['article']}", "label": label,
            "evidence": with_offsets + [e for e in ev if "start" not in e]}


def _in_prevention(view: TextView, pos: int, record: Record) -> bool:
    """``pos`` (normalised) lies in a 再発防止 section or a countermeasure span."""
    words = data.items()["items"]["prevention"]["headings"]
    if any(h.start <= pos < h.section_end and any(w in h.title for w in words) for h in view.headings):
        return True
    o = view.span(pos, pos + 1)["start"]
    return any(c.start <= o < c.end for c in record.countermeasures)


def encryption(view: TextView | None, record: Record | None = None) -> dict:
    """Whether the notice says the leaked data was encrypted, whether strongly or with its key
    kept safe (then it is exempt: 高度な暗号化), and whether the key went with it."""
    if view is None:
        return {"stated": None, "evidence": [], "key_lost": False, "strong": None}
    cfg = data.rules()["encryption"]
    ev, key_lost = [], False
    for s, _e, _ in view.find(cfg["cues"]):
        ss, se = view.sentence_at(s)
        sent = view.text[ss:se]
        if any(n in sent for n in cfg["negative"] + cfg["ignore"]):
            continue
        if record is not None and _in_prevention(view, s, record):
            continue
        key_lost = key_lost or any(k in sent for k in cfg["key_lost"])
        ev.append(view.span(ss, se, kind="text"))
    if not key_lost and ev:
        key_lost = bool(_sentences(view, cfg["key_lost"]))
    strong = bool(ev) and (any(any(c in e["text"] for c in cfg["strong"]) for e in ev)
                           or bool(_sentences(view, cfg["key_safe"], keep_negated=True)))
    return {"stated": bool(ev), "evidence": dedupe(ev)[:3], "key_lost": key_lost, "strong": strong}


def recovered(view: TextView | None) -> dict:
    """Whether every copy was recovered before any third party saw it (then there is no 漏えい)."""
    if view is None:
        return {"stated": None, "evidence": []}
    cfg = data.rules()["recovered"]
    ev = []
    for s, e in _sentences(view, cfg["cues"], keep_negated=True):
        sent = view.text[s:e]
        if any(u in sent for u in cfg["unseen"]) and not any(p in sent for p in cfg["partial"]):
            ev.append(view.span(s, e, kind="text"))
    partial = any(p in view.text[s:e] for s, e in _sentences(view, cfg["cues"], keep_negated=True)
                  for p in cfg["partial"])
    return {"stated": bool(ev) and not partial, "evidence": ev[:3]}


def verdict(record: Record, at_risk: bool | None, fired: list[dict], exemption: dict | None,
             body: dict) -> tuple[bool | None, str]:
    limit = body["threshold"]
    if at_risk is False:
        return False, ("no personal data at risk (leak_status none)" if record.leak_status == "none"
                       else "no personal data at risk: the notice says none was involved")
    if exemption is not None:
        return False, f"exempt: {exemption['label']}"
    if at_risk is None:
        return None, "the notice does not say whether personal data was involved"
    if fired:
        return True, f"{body['rule']}: {body['articles']} " + ", ".join(
            t["article"].removeprefix(body["articles"]) for t in fired)
    if record.affected_total is None:
        return None, (f"no {body['articles']} trigger in the record and no count: "
                      f"more than {limit:,} people would make it reportable")
    return False, f"no {body['articles']} trigger: {record.affected_total:,} people, not more than {limit:,}"


def judge(record: Record, view: TextView | None, *, body: dict | None = None,
          public_body: bool | None = None) -> dict:
    """reportable (True / False / None), the rule applied, triggers, exemption and the reasons.

    ``body``: from ``bodies.body`` (default: decided from the record's organisation);
    ``public_body`` (legacy): True = a 行政機関 (法68条), False = a business."""
    if body is None:
        kind = None if public_body is None else ("national" if public_body else "business")
        body = find_body(record.organization, record.industry, kind=kind)
    at_risk, risk_ev = personal_data_at_risk(record, view)
    enc = encryption(view, record)
    rec = recovered(view)
    exemption = None
    if enc["stated"] and enc["strong"] and not enc["key_lost"]:
        exemption = {"code": "encrypted", "label": "the data was encrypted (高度な暗号化その他の措置): "
                     "not a reportable situation", "evidence": enc["evidence"]}
    elif rec["stated"]:
        exemption = {"code": "recovered", "label": "every copy was recovered before any third party saw it: "
                     "no 漏えい", "evidence": rec["evidence"]}
    tbody = body if body["rule"] != "none" else {**find_rule("business"), "basis": body["basis"]}
    fired, notes = triggers(record, view, body=tbody) if at_risk is not False else ([], [])
    would_fire = [t["code"] for t in fired]
    reportable, reason = verdict(record, at_risk, fired, exemption, tbody)
    if exemption is not None or at_risk is not True:
        fired = []  # nothing fires on data that is exempt, absent, or not known to be there
    d = find_duty(body, record)
    today = None
    if d["state"] == "none":
        if fired:
            notes.append("a business would have to report this: " + ", ".join(t["code"] for t in fired))
        reportable, fired = False, []
        reason = f"no duty to report: {body['why']}"
    elif d["state"] == "not_yet":
        today = {"reportable": reportable, "triggers": [t["code"] for t in fired], "reason": reason}
        reportable, fired = False, []
        reason = (f"no duty at the time: {body['rule']} applies to this body from {body['since']}, "
                  f"the case dates from {d['date']} ({d['date_from']}); today: "
                  + {True: "reportable", False: "not reportable", None: "cannot tell"}[today["reportable"]])
    if at_risk is None and would_fire:
        notes.append("if personal data was at risk, these triggers would make it reportable: "
                     + ", ".join(would_fire))
    if exemption is not None and would_fire:
        notes.append("without the exemption these would fire: " + ", ".join(would_fire))
    if enc["stated"] and enc["key_lost"]:
        notes.append("the notice says the data was encrypted, but the key or password went with it: "
                     "no exemption")
    elif enc["stated"] and not enc["strong"]:
        notes.append("the notice says the data was encrypted, but neither that it was strong (高度な暗号化) nor "
                     "that its key was kept safe: no exemption applied")
    if record.leak_status == "not_confirmed" and reportable:
        notes.append("the investigation found no leak; the おそれ at detection still made it reportable")
    if reportable and "ppc" not in record.reported_to:
        notes.append("reportable, but the notice does not say 個人情報保護委員会 was told")
    if d["date"] is None and d["state"] == "in_force" and body["since"] >= "2022-04-01":
        notes.append(f"the notice gives no date: judged under today's law ({body['rule']} applies to this body "
                     f"from {body['since']})")
    if body["basis"] == "unnamed":
        notes.append("the organisation is not named: the business rule (more than 1,000 people) was applied")
    return {"personal_data_at_risk": at_risk, "personal_data_evidence": risk_ev, "reportable": reportable,
            "reason": reason, "triggers": fired, "encryption": enc, "recovered": rec, "exemption": exemption,
            "notes": list(dict.fromkeys(notes)), "body": body, "duty": d, "today": today,
            "told_ppc": "ppc" in record.reported_to,
            "told_ppc_evidence": of_field(record, "reported_to", ["ppc"])}
