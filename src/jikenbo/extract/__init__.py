"""Extract: one incident record, with evidence for every value, from one notice segment.

``extract_segment`` runs the field extractors in a fixed order (each is a function of the
segment's ``Context`` and returns values with spans) and assembles a ``Record``. It is a
pure function of the segment, the document text and the shipped lexicons.
"""

from __future__ import annotations

import datetime as dt
import re

from jikenbo.extract import classify, data, linkcues, org, timeline
from jikenbo.extract.context import Context, build_context, cue
from jikenbo.models import Count, Document, Event, Evidence, Record, Segment, ThirdParty

__all__ = ["extract_named_segment", "extract_segment"]

_EVENT_KINDS = {"started", "detected", "contained", "reported_ppc", "reported_police", "reported_ministry",
                "reported_jipdec", "notified_individuals", "disclosed", "investigated"}
_MARKER = re.compile(
    r"^\s*(?:【[^】]{1,40}】|\[[^\]]{1,24}\]|[■◆●▼▽▲△◇□★☆◎▶►・]|#{1,4}\s|\d{1,3}[.．)、]\s*|\(\d{1,3}\))\s*"
)


def _iso(d: dt.date | None) -> str | None:
    return d.isoformat() if d else None


def _title(seg: Segment, doc: Document, ctx: Context) -> str | None:
    if seg.header:
        t = _MARKER.sub("", seg.header).strip()
        return t or None
    if doc.title:
        return doc.title.strip()
    for s in ctx.sentences[:8]:
        t = s.text.strip().lstrip("#-・ ")
        if 8 <= len(t) <= 120 and (cue("cues", "title_words").search(t) or re.search("漏|流出|不正アクセス", t)):
            return t
    return None


def _section_spans(ctx: Context, key: str) -> list[tuple[int, int]]:
    """Sentences under a heading of ``key`` (cause / countermeasures)."""
    pat = cue("sections", key)
    out: list[tuple[int, int]] = []
    for s in ctx.sentences:
        if not s.is_heading and s.heading and pat.search(s.heading) and len(s.heading) <= 40:
            out.append((s.start, s.end))
    return out


def _cause(ctx: Context) -> tuple[int, int] | None:
    spans = _section_spans(ctx, "cause")
    if spans:
        return spans[0][0], spans[min(len(spans), 3) - 1][1]
    for s in ctx.sentences:
        if cue("cues", "cause_sentence").search(s.text) and not s.is_heading:
            return s.start, s.end
    return None


def _countermeasures(ctx: Context) -> list[tuple[int, int]]:
    spans = _section_spans(ctx, "countermeasures")
    if spans:
        return spans[:8]
    return [(s.start, s.end) for s in ctx.sentences
            if cue("cues", "countermeasure_sentence").search(s.text)][:4]


def extract_segment(seg: Segment, doc: Document) -> Record:
    """The incident record of one notice segment of ``doc``."""
    rec = _extract(seg, doc, named_only=False)
    assert rec is not None
    return rec


def extract_named_segment(seg: Segment, doc: Document) -> Record | None:
    """``extract_segment``'s record, or None when it names no organisation (a record the
    pipeline drops): the other fields are then not extracted at all."""
    return _extract(seg, doc, named_only=True)


def _extract(seg: Segment, doc: Document, *, named_only: bool) -> Record | None:
    ctx = build_context(seg.text, seg.start, seg.header)
    dtext = doc.text
    ev: list[Evidence] = []

    def add(field: str, value: object, a: int, b: int) -> None:
        ev.append(ctx.evidence(field, value, a, b, dtext))

    title = _title(seg, doc, ctx)

    # organisation
    organization = None
    if seg.header:
        rest = _MARKER.sub("", ctx.text.split("\n", 1)[0]).strip()
        organization = org.name_from_header(rest)
        if organization:
            i = ctx.text.find(organization)
            if i >= 0:
                add("organization", organization, i, i + len(organization))
    if not organization:
        found = org.find_organization(ctx, title, doc.url, seg.organization_hint)
        if found:
            organization, a, b = found
            add("organization", organization, a, b)
    if organization is None and named_only:
        return None

    # dates
    hint = seg.date_hint
    anchor = dt.date.fromisoformat(hint) if hint else (dt.date.fromisoformat(doc.published) if doc.published else None)
    events = timeline.classify_dates(ctx, anchor or timeline.document_anchor(doc.text, doc.url))
    disclosure, dmatch = timeline.disclosure_date(ctx, events, hint, doc.published)
    if disclosure and anchor is None:
        events = timeline.classify_dates(ctx, dt.date.fromisoformat(disclosure))
    if dmatch is not None:
        add("disclosure_date", disclosure, dmatch.start, dmatch.end)
    elif disclosure and seg.header:
        add("disclosure_date", disclosure, 0, len(ctx.text.split("\n", 1)[0]))

    tl: list[Event] = []
    for e in events:
        if e.kind not in _EVENT_KINDS:
            continue
        d = e.match
        sp = ctx.make_span(d.start, d.end, dtext)
        tl.append(Event(kind=e.kind, date=d.date.isoformat(), precision=d.precision,  # type: ignore[arg-type]
                        end_date=_iso(d.end_date), start=sp.start, end=sp.end, text=sp.text))
    refs = sorted({e.match.date.isoformat() for e in timeline.references(ctx, events)} - {disclosure})

    # types, data, counts
    types = classify.incident_types(ctx)
    for name, a, b in types:
        add("incident_types", name, a, b)
    det = timeline.detected_date(events) or timeline.occurred_date(ctx, events, [t for t, *_ in types])
    if det:
        add("detected_date", det.match.date.isoformat(), det.match.start, det.match.end)
    cat_hits, sens_spans = data.data_categories(ctx)
    categories: list[str] = []
    for h in cat_hits:
        if h.category not in categories:
            categories.append(h.category)
            add("data_categories", h.category, h.start, h.end)
    count_hits = data.counts(ctx)
    total = data.affected_total(ctx, count_hits)
    if total:
        add("affected_total", total.q.value, total.q.start + total.sentence.start, total.q.end + total.sentence.start)
    counts = []
    for h in count_hits:
        sp = ctx.make_span(h.sentence.start + h.q.start, h.sentence.start + h.q.end, dtext)
        counts.append(Count(value=h.q.value, unit=h.q.unit, qualifier=h.q.qualifier, what=h.what,
                            is_total=h is total, start=sp.start, end=sp.end, text=sp.text))

    has_data = bool(categories) or total is not None or bool(re.search(r"個人情報|お客様情報|顧客情報|会員情報|患者", ctx.text))
    leak, leak_span = classify.leak_status(ctx, has_data, [t for t, *_ in types])
    if leak_span:
        add("leak_status", leak, *leak_span)

    sensitive = "health" in categories or bool(sens_spans)
    if sens_spans and "health" not in categories:
        add("sensitive", True, *sens_spans[0])
    elif sensitive:
        h = next(h for h in cat_hits if h.category == "health")
        add("sensitive", True, h.start, h.end)
    payment = "credit_card" in categories
    if payment:
        h = next(h for h in cat_hits if h.category == "credit_card")
        add("payment_card", True, h.start, h.end)

    authorities = classify.reported_to(ctx, organization)
    for code, a, b in authorities:
        add("reported_to", code, a, b)

    third = [ThirdParty(name=n, role=r, **ctx.make_span(a, b, dtext).model_dump())  # type: ignore[arg-type]
             for n, r, a, b in org.find_third_parties(ctx, organization)]
    cause = _cause(ctx)
    sd, sd_span = classify.secondary_damage(ctx)
    if sd_span:
        add("secondary_damage", sd, *sd_span)

    return Record(
        source=seg.source,
        organization=organization,
        disclosure_date=disclosure,
        detected_date=det.match.date.isoformat() if det else None,
        incident_types=[t for t, *_ in types],
        leak_status=leak,
        affected_total=total.q.value if total else None,
        data_categories=categories,
        sensitive=sensitive,
        payment_card=payment,
        reported_to=[c for c, *_ in authorities],
        title=title,
        industry=org.guess_industry(organization),
        notice_kind=classify.notice_kind(ctx, title),
        timeline=tl,
        counts=counts,
        third_parties=third,
        cause=ctx.make_span(*cause, dtext) if cause else None,
        countermeasures=[ctx.make_span(a, b, dtext) for a, b in _countermeasures(ctx)],
        secondary_damage=sd,
        references=refs,
        evidence=ev,
        doc_sha256=doc.sha256,
        segment_start=seg.start,
        segment_end=seg.end,
        url=doc.url,
        **linkcues.link_cues(ctx.text, organization, doc.url),
    )
