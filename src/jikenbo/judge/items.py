"""規則8条 report items and 規則10条 notice items: present or missing, with the spans that show it.

An item is present when (a) a heading opens a section about it, (b) running text states it
(cue words), or (c) the record holds the value (a count → 本人の数, a cause span → 原因).
A statement that the item is not known yet (原因は調査中) does not make it present.
"""

from __future__ import annotations

from jikenbo.judge import data
from jikenbo.judge.evidence import dedupe, of_field, span
from jikenbo.judge.text import NUMBER_OF_PEOPLE, TextView
from jikenbo.models import Record

PEOPLE_UNITS = ("人", "名", "件", "アカウント", "世帯", "ID")


def heading_words() -> tuple[str, ...]:
    return tuple(w for item in data.items()["items"].values() for w in item["headings"])


def build_view(record: Record, document_text: str | None) -> TextView | None:
    if not document_text:
        return None
    cfg = data.items()["heading"]
    return TextView.build(record.source, document_text, record.segment_start, record.segment_end,
                          max_heading_chars=cfg["max_chars"], exclude=tuple(cfg["exclude"]),
                          heading_words=heading_words())


def _heading_items(title: str) -> list[str]:
    items = data.items()["items"]
    hits = [k for k, it in items.items() if any(w in title for w in it["headings"])]
    strong = [k for k in hits if not items[k].get("fallback")]
    return strong or hits


def _from_record(record: Record, key: str) -> list[dict]:
    """What the record's own fields say about an item."""
    if key == "summary":
        ev = of_field(record, "incident_types")
        if not ev and record.incident_types and record.timeline:
            ev = [span(record, record.timeline[0], field="timeline")]
        return ev or ([{"source": record.source, "field": "incident_types",
                        "value": ",".join(record.incident_types)}] if record.incident_types else [])
    if key == "data_items":
        ev = of_field(record, "data_categories")
        if not ev and record.data_categories:
            ev = [{"source": record.source, "field": "data_categories",
                   "value": ",".join(record.data_categories)}]
        return ev
    if key == "people":
        ev = of_field(record, "affected_total") + [span(record, c, field="counts") for c in record.counts
                                                   if c.is_total or c.unit in PEOPLE_UNITS]
        if not ev and record.affected_total is not None:
            ev = [{"source": record.source, "field": "affected_total", "value": record.affected_total}]
        return ev
    if key == "cause":
        return [span(record, record.cause, field="cause")] if record.cause else []
    if key == "secondary_damage":
        ev = of_field(record, "secondary_damage")
        if not ev and record.secondary_damage != "unknown":
            ev = [{"source": record.source, "field": "secondary_damage", "value": record.secondary_damage}]
        return ev
    if key == "response_to_individuals":
        return [span(record, e, field="timeline") for e in record.timeline
                if e.kind == "notified_individuals"]
    if key == "publication":
        ev = [span(record, e, field="timeline") for e in record.timeline if e.kind == "disclosed"]
        ev += of_field(record, "disclosure_date")
        if not ev and record.disclosure_date:  # a published notice is itself the 公表
            ev = [{"source": record.source, "field": "disclosure_date", "value": record.disclosure_date}]
        return ev
    if key == "prevention":
        return [span(record, c, field="countermeasures") for c in record.countermeasures]
    if key == "other":
        ev = of_field(record, "reported_to") + [span(record, t, field="third_parties")
                                                 for t in record.third_parties]
        if not ev and record.reported_to:
            ev = [{"source": record.source, "field": "reported_to", "value": ",".join(record.reported_to)}]
        return ev
    return []


def _pending(view: TextView, s: int, e: int, item: dict) -> bool:
    return any(p in view.text[s:e] for p in item.get("pending", ()))


def _from_text(view: TextView, key: str, item: dict) -> tuple[list[dict], list[str]]:
    ev: list[dict] = []
    notes: list[str] = []
    needs_number = item.get("requires_number", False)
    for h in view.headings:
        if key not in _heading_items(h.title):
            continue
        body = (h.end, min(h.section_end, h.end + 400))
        body_text = view.text[body[0]:body[1]]
        if needs_number and not NUMBER_OF_PEOPLE.search(body_text):
            notes.append(f"heading 「{h.title}」 gives no number")
            continue
        if _pending(view, *body, item) and len(body_text.strip()) < 120:
            notes.append(f"heading 「{h.title}」: not known yet")
            continue
        ev.append(view.span(h.start, h.end, kind="heading", section_end=view.span(h.section_end,
                                                                                     h.section_end)["end"]))
    for s, _e, _cue in view.find(item.get("cues", [])):
        ss, se = view.sentence_at(s)
        if _pending(view, ss, se, item):
            notes.append("stated as not known yet")
            continue
        if needs_number and not NUMBER_OF_PEOPLE.search(view.text[ss:se]):
            continue
        ev.append(view.span(ss, se, kind="text"))
    return ev, notes


def judge_items(record: Record, view: TextView | None) -> dict[str, dict]:
    """Every 規則8条 item of one notice → {number, label, status, evidence, notes}."""
    out: dict[str, dict] = {}
    for key, item in data.items()["items"].items():
        ev = _from_record(record, key)
        notes: list[str] = []
        if view is not None:
            tev, notes = _from_text(view, key, item)
            ev += tev
        ev = dedupe(e for e in ev if "start" in e) + [e for e in ev if "start" not in e]
        out[key] = {"number": item["number"], "label": item["label"],
                    "status": "present" if ev else "missing", "evidence": ev[:8]}
        if notes and not ev:
            out[key]["notes"] = sorted(set(notes))
    return out


def notice_items(report_items: dict[str, dict]) -> dict[str, dict]:
    """規則10条: the notice to individuals holds items 1, 2, 4, 5 and 9."""
    return {k: report_items[k] for k in data.items()["notice_items"]}


def merge(per_notice: list[dict[str, dict]]) -> dict[str, dict]:
    """An incident's items: present when any of its notices has it."""
    if not per_notice:
        return {}
    out = {}
    for key, first in per_notice[0].items():
        ev = [e for items in per_notice for e in items[key]["evidence"]]
        out[key] = {"number": first["number"], "label": first["label"],
                    "status": "present" if ev else "missing", "evidence": ev[:12]}
    return out
