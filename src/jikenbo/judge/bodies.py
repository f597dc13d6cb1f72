"""Which rule a notice's organisation follows (法26条 / 法68条 / none), and whether the duty was
in force when the case became known.

The kind comes from the organisation's name (``jikenbo.text.gazetteer``), else from its JSIC
大分類 (公務), else it is a business; ``data/judge/bodies.toml`` gives each kind its rule,
threshold and start date.
"""

from __future__ import annotations

from jikenbo.judge import data
from jikenbo.models import Record
from jikenbo.text.gazetteer import is_private_name, match_public_body
from jikenbo.text.normalize import nfkc

KINDS = ("business", "art58", "incorporated_admin", "national", "local", "local_iai",
         "local_iai_art58", "local_medical", "court", "diet")


def rule(kind: str) -> dict:
    """The rule of a body kind: {kind, label, rule, articles, threshold, since, why}."""
    kinds = data.bodies()["kinds"]
    if kind not in kinds:
        raise KeyError(f"unknown body kind {kind!r} (one of: {', '.join(kinds)})")
    return {"kind": kind, **kinds[kind]}


def name_variants(organization: str | None, text: str | None) -> list[str]:
    """The organisation's name and the longer forms the notice writes it in: the short line
    that holds it (「医療法人社団ひだまり会 ひだまり内科クリニック」 for 医療法人社団ひだまり会).
    Where the record names no organisation, or only a self-reference (当庁, 本学), the notice's
    short header lines (a sender line such as 「北浜地方裁判所」)."""
    cfg = data.bodies()["names"]
    out = [organization] if organization else []
    if not text:
        return out
    lines = [ln.strip() for ln in nfkc(text).split("\n")]
    if organization:
        org = nfkc(organization)
        for ln in lines:
            if ln != org and (ln.startswith(org) or ln.endswith(org)) and len(ln) <= cfg["max_line_chars"]:
                out.append(ln)
    if not organization or nfkc(organization).replace(" ", "") in cfg["self_references"]:
        head = [ln for ln in lines if ln][: cfg["header_lines"]]
        for ln in head:
            if len(ln) <= cfg["max_line_chars"] and not ln.endswith(tuple(cfg["not_names"])) \
                    and not any(c.isdigit() for c in ln):
                out.append(ln)
    return list(dict.fromkeys(out))


def body(organization: str | None, industry: str | None = None, *, kind: str | None = None,
         text: str | None = None) -> dict:
    """The body an organisation is, the rule it follows and why.

    ``kind``: a user's override; ``text``: the notice, for the longer forms of the name
    (``name_variants``). Adds ``matched`` (the part of the name that decided it), ``name`` (the
    form of the name that matched) and ``basis`` ("option" | "name" | "industry" | "default" |
    "unnamed")."""
    if kind is not None:
        out = rule(kind)
        return {**out, "why": f"given as {kind} ({out['why']})", "matched": None, "name": organization,
                "basis": "option"}
    names = name_variants(organization, text)
    m, name = None, organization
    for n in names:
        m = match_public_body(n)
        if m is not None:
            name = n
            break
    if m is not None and organization and name != organization and is_private_name(organization):
        m = None  # 「社会福祉法人みなと会 みなと川市立保育園」: the designator of the record's name wins
    if m is not None:
        out = rule(m.kind)
        return {**out, "why": f"{m.why}: 「{m.matched}」 in the name", "matched": m.matched, "name": name,
                "basis": "name"}
    if industry and nfkc(industry).startswith("公務") and organization and not is_private_name(organization):
        out = rule("local")
        return {**out, "why": f"JSIC 大分類 {industry}: taken as a 地方公共団体の機関", "matched": None,
                "name": organization, "basis": "industry"}
    out = rule("business")
    if not organization:
        return {**out, "why": "the notice names no organisation: the business rule is assumed",
                "matched": None, "name": None, "basis": "unnamed"}
    return {**out, "matched": None, "name": organization, "basis": "default"}


def case_date(record: Record) -> tuple[str | None, str]:
    """The day the case became known (detection), else the day it was disclosed; and which."""
    if record.detected_date:
        return record.detected_date, "detected_date"
    det = sorted(e.date for e in record.timeline if e.kind == "detected")
    if det:
        return det[0], "timeline"
    if record.disclosure_date:
        return record.disclosure_date, "disclosure_date"
    dis = sorted(e.date for e in record.timeline if e.kind == "disclosed")
    if dis:
        return dis[0], "timeline"
    return None, "none"


def duty(b: dict, record: Record) -> dict:
    """{state: "in_force" | "not_yet" | "none", date, date_from, since}.

    ``none``: the body has no duty to report (courts, the Diet); ``not_yet``: the case was known
    before the duty began. Without any date, the law in force today is applied."""
    date, source = case_date(record)
    if b["rule"] == "none":
        return {"state": "none", "date": date, "date_from": source, "since": None}
    state = "not_yet" if date and date < b["since"] else "in_force"
    return {"state": state, "date": date, "date_from": source, "since": b["since"]}
