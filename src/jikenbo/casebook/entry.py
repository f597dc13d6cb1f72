"""One incident's casebook entry, written from stored values only.

Sections in the order readers know (概要, 経緯, 対象となった情報, 原因, 対応と再発防止策,
当局への報告, 続報と訂正, 委託先・関連事案, 個人情報保護法上の判定, 出典). Each sentence is a
phrase-table template filled with stored values, and carries notes to the notice and passage
each value came from; an unknown gets its own sentence and a note to the notices that are
silent about it. Nothing is guessed: a month-precision date stays a month.
"""

from __future__ import annotations

import re
from typing import Any

from jikenbo.casebook.model import Block, Casebook, NoteBook, Section, Sentence
from jikenbo.casebook.phrases import Phrases, phrases
from jikenbo.casebook.sources import Loaded, NoticeView
from jikenbo.models import AUTHORITIES, DATA_CATEGORIES, INCIDENT_TYPES, Count, EventKind, Evidence

EVENT_ORDER = {k: i for i, k in enumerate(EventKind.__args__)}  # type: ignore[attr-defined]

QUOTE_MAX = 120
CONTEXT = 24
AUTH_EVENT = {"ppc": "reported_ppc", "police": "reported_police", "ministry": "reported_ministry",
              "jipdec": "reported_jipdec"}
REVISED_FIELDS = ("detected_date", "incident_types", "leak_status", "affected_total", "data_categories",
                  "sensitive", "payment_card", "reported_to")


def quote(text: str | None, limit: int = QUOTE_MAX) -> str:
    """A stored passage on one line, cut at ``limit`` characters (marked with …)."""
    t = " ".join((text or "").split())
    return t if len(t) <= limit else t[: limit - 1] + "…"


class EntryWriter:
    """Writes the sentences of one incident; notes go into a (possibly shared) NoteBook."""

    def __init__(self, loaded: Loaded, p: Phrases, notes: NoteBook | None = None) -> None:
        self.inc = loaded.incident
        self.loaded = loaded
        self.p = p
        self.book = notes or NoteBook()
        self.notices = loaded.notices
        self.by_id = {n.id: n for n in self.notices}

    # ------------------------------------------------------------------ notes
    def _kind_date(self, n: NoticeView) -> dict[str, str]:
        return {"kind": self.p.label("kind", n.kind), "date": self.p.date(n.date) or "", "id": n.id}

    def span(self, n: NoticeView, start: int | None, end: int | None, text: str | None) -> int:
        kd = self._kind_date(n)
        if start is None or end is None:
            return self.nospan(n)
        key = "note" if n.date else "note_no_date"
        return self.book.add(n.id, self.p.t(key, **kd, start=start, end=end, quote=quote(text, 60)),
                             start, end, quote(text))

    def nospan(self, n: NoticeView) -> int:
        return self.book.add(n.id, self.p.t("note_nospan" if n.date else "note_nospan_no_date",
                                            **self._kind_date(n)))

    def whole(self, n: NoticeView) -> int:
        return self.book.add(n.id, self.p.t("note_whole" if n.date else "note_whole_no_date",
                                            **self._kind_date(n)))

    def silent(self) -> list[int]:
        """Notes for a sentence that says something is not stated: every notice, as a whole."""
        return [self.whole(n) for n in self.notices]

    def ev_note(self, n: NoticeView, e: Evidence | Any) -> int:
        return self.span(n, e.start, e.end, e.text)

    def evidence(self, fld: str, value: Any = None, *, latest: bool = True) -> list[int]:
        """A note for the stored ``value`` of ``fld``: the passage of the (latest, or first)
        notice that gave it, else that notice without a passage."""
        order = list(reversed(self.notices)) if latest else list(self.notices)
        for n in order:
            rec_val = getattr(n.record, fld, None)
            holds = value in rec_val if isinstance(rec_val, list) and not isinstance(value, list) else rec_val == value
            if not holds:
                continue
            for e in n.record.evidence_for(fld):
                if e.value is None or e.value == value or (isinstance(value, list) and e.value in value):
                    return [self.ev_note(n, e)]
        for n in order:
            rec_val = getattr(n.record, fld, None)
            if rec_val == value or (isinstance(rec_val, list) and value in rec_val):
                return [self.nospan(n)]
        return [self.nospan(order[0])] if order else []

    # ------------------------------------------------------------------ values
    def total_count(self) -> tuple[Count | None, NoticeView | None]:
        total = self.inc.get("affected_total")
        for n in reversed(self.notices):
            for c in n.record.counts:
                if c.is_total and c.value == total:
                    return c, n
        for n in reversed(self.notices):
            for c in n.record.counts:
                if c.value == total:
                    return c, n
        return None, None

    def count_text(self, value: int, notice_id: str | None = None) -> str:
        for n in self.notices:
            if notice_id and n.id != notice_id:
                continue
            for c in n.record.counts:
                if c.value == value:
                    return self.p.count(value, c.unit, c.qualifier)
        return self.p.count(value)

    def date_precision(self, iso: str, kind: str) -> str:
        for n in self.notices:
            for e in n.record.timeline:
                if e.kind == kind and e.date == iso:
                    return e.precision
        return "day"

    def value_text(self, fld: str, v: Any, notice_id: str | None = None) -> str:
        p = self.p
        if v is None or v == []:
            return p.label("value", None)
        if fld in ("disclosure_date", "detected_date"):
            return p.date(v, self.date_precision(v, "detected") if fld == "detected_date" else "day") or ""
        if fld == "incident_types":
            return p.labels("type", ordered(fld, v))
        if fld == "data_categories":
            return p.labels("category", ordered(fld, v))
        if fld == "reported_to":
            return p.labels("authority", ordered(fld, v))
        if fld == "leak_status":
            return p.label("leak_status", v)
        if fld == "affected_total":
            return self.count_text(int(v), notice_id)
        return p.label("value", v)

    def org(self) -> str:
        return self.inc.get("organization") or self.p.t("org_unknown")

    # ------------------------------------------------------------------ sections
    def summary(self) -> list[Sentence]:
        p, inc = self.p, self.inc
        out = []
        types = ordered("incident_types", inc.get("incident_types"))
        tnotes = self.evidence("organization", inc.get("organization"), latest=False) if inc.get("organization") else []
        if inc.get("disclosure_date"):
            tnotes += self.evidence("disclosure_date", inc["disclosure_date"], latest=False)
        for ty in types:
            tnotes += self.evidence("incident_types", ty, latest=False)
        if not types:
            tnotes += self.silent()
        tlabel = p.labels("type", types) if types else p.t("types_unknown")
        # only the press has written about it: the organisation did not disclose it (as far as stored)
        news = "_news" if self.notices and all(n.kind == "news_report" for n in self.notices) else ""
        if inc.get("disclosure_date"):
            out.append(Sentence(p.t("who_when_what" + news, org=self.org(), date=p.date(inc["disclosure_date"]),
                                    types=tlabel), _uniq(tnotes)))
        else:
            out.append(Sentence(p.t("who_what_no_date" + news, org=self.org(), types=tlabel), _uniq(tnotes)))
        det = inc.get("detected_date")
        if det:
            out.append(Sentence(p.t("detected", date=p.date(det, self.date_precision(det, "detected"))),
                                self.evidence("detected_date", det, latest=False)))
        else:
            out.append(Sentence(p.t("detected_unknown"), self.silent()))
        total = inc.get("affected_total")
        if total is None:
            out.append(Sentence(p.t("affected_unknown"), self.silent()))
        else:
            c, n = self.total_count()
            if c is not None and n is not None:
                text = p.count(total, c.unit, c.qualifier)
                out.append(Sentence(p.t("affected", count=text), [self.span(n, c.start, c.end, c.text)]))
            else:
                out.append(Sentence(p.t("affected", count=p.count(total)), self.evidence("affected_total", total)))
        cats = ordered("data_categories", inc.get("data_categories"))
        if cats:
            notes: list[int] = []
            for cat in cats:
                notes += self.evidence("data_categories", cat, latest=False)
            out.append(Sentence(p.t("categories", cats=p.labels("category", cats)), _uniq(notes)))
        else:
            out.append(Sentence(p.t("categories_unknown"), self.silent()))
        status = inc.get("leak_status") or "unknown"
        notes = self.silent() if status == "unknown" else self.evidence("leak_status", status)
        out.append(Sentence(p.t(f"leak_{status}"), notes))
        return out

    def timeline(self) -> list[Sentence]:
        p = self.p
        items: list[tuple[str, int, Sentence]] = []  # (date, kind order, sentence)
        published = set()
        for n in self.notices:
            if not n.date:
                continue
            published.add(n.date)
            ev = [e for e in n.record.evidence_for("disclosure_date") if e.value in (None, n.date)]
            note = self.ev_note(n, ev[0]) if ev else self.nospan(n)
            key = "event_reported" if n.kind == "news_report" else "event_disclosed"
            items.append((n.date, 99, Sentence(p.t(key, date=p.date(n.date), kind=p.label("kind", n.kind),
                                                   title=quote(n.title) or p.t("untitled")), [note])))
        for e in self.inc.get("timeline") or []:
            if e.get("kind") == "disclosed" and e.get("date") in published:
                continue
            n = self.by_id.get(e.get("notice_id") or "")
            notes = [self.span(n, e.get("start"), e.get("end"), e.get("text"))] if n else []
            d = p.date(e.get("date"), e.get("precision") or "day", e.get("end_date"))
            items.append((e.get("date") or "", EVENT_ORDER.get(e.get("kind") or "", 98), Sentence(
                p.t("event", date=d, event=p.label("event", e.get("kind")), quote=quote(e.get("text"), 40)), notes)))
        items.sort(key=lambda x: (x[0], x[1]))
        return [s for _, _, s in items] or [Sentence(p.t("timeline_unknown"), self.silent())]

    def data(self) -> list[Block]:
        p, inc = self.p, self.inc
        cats = []
        for cat in ordered("data_categories", inc.get("data_categories")):
            hit = self._first_ev("data_categories", cat)
            if hit:
                n, e = hit
                cats.append(Sentence(p.t("category_item", cat=p.label("category", cat), quote=quote(e.text, 40)),
                                     [self.ev_note(n, e)]))
            else:
                cats.append(Sentence(p.label("category", cat), self.evidence("data_categories", cat)))
        if not cats:
            cats.append(Sentence(p.t("categories_unknown"), self.silent()))
        counts, seen = [], set()
        for n in self.notices:
            for c in n.record.counts:
                key = (c.value, c.unit, c.qualifier)
                if key in seen:
                    continue
                seen.add(key)
                text = p.count(c.value, c.unit, c.qualifier)
                ctx = context(n, c.start, c.end)
                counts.append(Sentence(p.t("count_item_plain", count=text, quote=quote(ctx, 60)),
                                       [self.span(n, c.start, c.end, c.text)]))
        if not counts:
            counts.append(Sentence(p.t("counts_unknown"), self.silent()))
        flags = []
        for fld, yes, no in (("sensitive", "sensitive_yes", "sensitive_no"), ("payment_card", "card_yes", "card_no")):
            if inc.get(fld):
                flags.append(Sentence(p.t(yes), self.evidence(fld, True)))
            else:
                flags.append(Sentence(p.t(no), self.silent()))
        return [Block("ul", cats), Block("ul", counts), Block("p", flags)]

    def _first_ev(self, fld: str, value: Any) -> tuple[NoticeView, Evidence] | None:
        for n in self.notices:
            for e in n.record.evidence_for(fld):
                if e.value == value:
                    return n, e
        return None

    def cause(self) -> list[Sentence]:
        p = self.p
        out = []
        for n in self.notices:
            c = n.record.cause
            if c is not None and c.text.strip():
                out.append(Sentence(p.t("cause_item", kind=p.label("kind", n.kind), date=p.date(n.date) or "—",
                                        quote=quote(c.text, 300)), [self.span(n, c.start, c.end, c.text)]))
        return out or [Sentence(p.t("cause_unknown"), self.silent())]

    def response(self) -> list[Sentence]:
        p = self.p
        out, seen = [], set()
        for n in self.notices:
            for m in n.record.countermeasures:
                key = " ".join(m.text.split())
                if not key or key in seen:
                    continue
                seen.add(key)
                out.append(Sentence(p.t("measure_item", quote=quote(m.text, 300)), [self.span(n, m.start, m.end, m.text)]))
        return out or [Sentence(p.t("response_unknown"), self.silent())]

    def authorities(self) -> list[Sentence]:
        p = self.p
        out = []
        for auth in ordered("reported_to", self.inc.get("reported_to")):
            notes = self.evidence("reported_to", auth, latest=False)
            ev = next((e for e in self.inc.get("timeline") or [] if e.get("kind") == AUTH_EVENT.get(auth)), None)
            label = p.label("authority", auth)
            if ev and ev.get("date") and (n := self.by_id.get(ev.get("notice_id") or "")):
                notes.append(self.span(n, ev.get("start"), ev.get("end"), ev.get("text")))
                d = p.date(ev["date"], ev.get("precision") or "day", ev.get("end_date"))
                out.append(Sentence(p.t("authority_dated", date=d, authority=label), _uniq(notes)))
            else:
                out.append(Sentence(p.t("authority_item", authority=label), notes))
        return out or [Sentence(p.t("authorities_unknown"), self.silent())]

    def revisions(self) -> list[Block]:
        p, inc = self.p, self.inc
        listing = []
        for n in self.notices:
            ev = [e for e in n.record.evidence_for("disclosure_date") if e.value in (None, n.date)]
            note = self.ev_note(n, ev[0]) if ev and n.date else self.nospan(n)
            key = "notice_item" if n.date else "notice_item_no_date"
            listing.append(Sentence(p.t(key, date=p.date(n.date) or "", kind=p.label("kind", n.kind),
                                        title=quote(n.title) or p.t("untitled")), [note]))
        changes = []
        fv = inc.get("field_values") or {}
        for fld in REVISED_FIELDS:
            revs = (inc.get("revisions") or {}).get(fld) or []
            if len({repr(r.get("value")) for r in revs}) < 2:
                continue
            steps, notes = [], []
            for r in revs:
                nid = r.get("notice_id")
                n = self.by_id.get(nid or "")
                steps.append(p.t("revision_step", value=self.value_text(fld, r.get("value"), nid),
                                 kind=p.label("kind", r.get("kind")), date=p.date(r.get("date")) or "—"))
                if n is None:
                    continue
                hit = next((v for v in fv.get(fld, []) if v.get("notice_id") == nid and v.get("snippet")), None)
                notes.append(self.span(n, hit["start"], hit["end"], hit["snippet"]) if hit else self.nospan(n))
            changes.append(Sentence(p.t("revision", field=p.label("field", fld), steps=" → ".join(steps)), notes))
        if len(self.notices) == 1:
            changes.append(Sentence(p.t("only_one_notice", n=len(self.notices)), [self.whole(self.notices[0])]))
        elif not changes:
            changes.append(Sentence(p.t("no_revisions"), [self.nospan(n) for n in self.notices]))
        return [Block("ul", listing), Block("ul", changes)]

    def vendors(self) -> list[Block]:
        p = self.p
        out: list[Sentence] = []
        rel: list[Sentence] = []
        spans: dict[str, int] = {}
        seen: set[str] = set()
        from jikenbo import link

        for n in self.notices:
            for tp in n.record.third_parties:
                key = link.vendor_key(tp.name) or tp.name
                if key in seen:
                    continue
                seen.add(key)
                note = self.span(n, tp.start, tp.end, tp.text)
                spans[tp.name] = note
                out.append(Sentence(p.t("third_party", name=tp.name, role=p.label("role", tp.role)), [note]))
        for r in self.loaded.related:
            note = spans.get(r.get("via"))
            key = "related" if r.get("disclosure_date") else "related_no_date"
            rel.append(Sentence(p.t(key, vendor=r.get("via"), org=r.get("organization") or p.t("org_unknown"),
                                    date=p.date(r.get("disclosure_date")) or "", id=r["id"]),
                                [note] if note else []))
        if not out:
            return [Block("p", [Sentence(p.t("vendors_unknown"), self.silent())])]
        return [Block("p", out), *([Block("ul", rel)] if rel else [])]

    def _judge_notes(self, evidence: list[dict], limit: int = 2) -> list[int]:
        notes: list[int] = []
        for e in evidence:
            if "start" not in e:
                continue
            n = next((n for n in self.notices if n.source == e.get("source") and _within(n, e["start"])), None)
            if n is not None:
                notes.append(self.span(n, e["start"], e["end"], e.get("text")))
            if len(set(notes)) >= limit:
                break
        return _uniq(notes)

    def appi(self) -> list[Block]:
        p, j = self.p, self.loaded.judgement
        if j is None:
            return [Block("p", [Sentence(p.t("appi_unavailable"))])]
        head = []
        triggers = j.get("triggers") or []
        if j.get("reportable") is True:
            arts = p.join([self.article(t["article"]) for t in triggers])
            notes = [x for t in triggers for x in self._judge_notes(t.get("evidence") or [])]
            head.append(Sentence(p.t("appi_yes", articles=arts), _uniq(notes)))
        elif (duty := j.get("duty") or {}).get("state") == "not_yet":
            today = (j.get("today") or {}).get("reportable")
            head.append(Sentence(p.t("appi_no_duty_yet", date=p.date(duty["date"]) if duty.get("date") else "?",
                                     rule=j.get("rule") or "", since=p.date(duty.get("since")) if duty.get("since") else "?"),
                                 self.silent()))
            word = {True: "appi_today_yes", False: "appi_today_no"}.get(today, "appi_today_unknown")
            head.append(Sentence(p.t("appi_no_duty_today", today=p.t(word)), self.silent()))
        elif duty.get("state") == "none":
            head.append(Sentence(p.t("appi_no_duty", why=(j.get("body") or {}).get("why") or ""), self.silent()))
        elif j.get("reportable") is False:
            key = "appi_no_data" if j.get("personal_data_at_risk") is False else "appi_no"
            notes = self.evidence("leak_status", self.inc.get("leak_status")) if key == "appi_no_data" else self.silent()
            head.append(Sentence(p.t(key, threshold=f"{j.get('threshold'):,}"), notes))
        else:
            head.append(Sentence(p.t("appi_unknown"), self.silent()))
        items = [Sentence(p.t("appi_trigger", article=self.article(t["article"]), label=self.trigger_label(t, j)),
                          self._judge_notes(t.get("evidence") or [])) for t in triggers]
        tail = []
        if j.get("told_ppc"):
            tail.append(Sentence(p.t("appi_told"), self.evidence("reported_to", "ppc", latest=False)))
        else:
            tail.append(Sentence(p.t("appi_not_told"), self.silent()))
        dl = j.get("deadlines") or {}
        so, ka = dl.get("sokuho") or {}, dl.get("kakuho") or {}
        if j.get("reportable") and dl.get("detected") and so.get("from") and ka.get("due"):
            prec = dl.get("detected_precision") or "day"
            tail.append(Sentence(p.t("appi_deadlines", detected=p.date(dl["detected"], prec),
                                     sokuho_from=p.date(so["from"]), sokuho_to=p.date(so.get("to") or so["from"]),
                                     kakuho_due=p.date(ka["due"]), days=ka.get("days")),
                                 self._judge_notes(dl.get("detected_evidence") or [], 1)))
        tail.append(Sentence(p.t("appi_disclaimer")))
        blocks = [Block("p", head)]
        if items:
            blocks.append(Block("ul", items))
        blocks.append(Block("p", tail))
        return blocks

    def article(self, article: str) -> str:
        """The judge's 「規則7条3号」, or the phrase table's wording of it (English)."""
        m = re.fullmatch(r"規則(\d+)条(\d+)号", article)
        tpl = self.p.fmt("article")
        return tpl.format(rule=m[1], item=m[2]) if tpl and m else article

    def trigger_label(self, trig: dict, j: dict) -> str:
        own = self.p.table.get("trigger", {}).get(trig.get("code"))
        return own.format(threshold=f"{j.get('threshold'):,}") if own else trig["label"]

    def sources(self) -> list[Sentence]:
        p = self.p
        out = []
        for n in self.notices:
            where = p.t("where_url", url=n.url) if n.url else p.t("where_source", source=n.source)
            key = "source_item" if n.date else "source_item_no_date"
            out.append(Sentence(p.t(key, date=p.date(n.date) or "", kind=p.label("kind", n.kind),
                                    title=quote(n.title) or p.t("untitled"), where=where, id=n.id)))
        return out


def context(n: NoticeView, start: int, end: int, before: int = CONTEXT) -> str:
    """The passage ``start``:``end`` with up to ``before`` characters of its line before it
    (what a number counts is said just before it: 「会員様の個人情報3万6,912件」)."""
    text = n.text
    if not text or not 0 <= start < end <= len(text):
        return ""
    lo = max(n.record.segment_start, start - before, text.rfind("\n", 0, start) + 1)
    head = text[lo:start]
    for mark in ("。", "、", "：", ":", "）"):  # start at a clause boundary when there is one
        i = head.rfind(mark)
        if 0 <= i < len(head) - 1:
            head = head[i + 1:]
            break
    return (head + text[start:end]).strip()


ORDER = {"incident_types": INCIDENT_TYPES, "data_categories": DATA_CATEGORIES, "reported_to": AUTHORITIES}


def ordered(fld: str, values: list[str] | None) -> list[str]:
    """A list field's values in the models' order (氏名 before 住所 …, as notices list them)."""
    order = {v: i for i, v in enumerate(ORDER[fld])}
    return sorted(values or [], key=lambda v: (order.get(v, len(order)), v))


def _within(n: NoticeView, start: int) -> bool:
    """True when ``start`` lies in the notice's segment of its document (a digest holds many)."""
    r = n.record
    return r.segment_start <= start < r.segment_end if r.segment_end > r.segment_start else True


def _uniq(xs: list[int]) -> list[int]:
    return list(dict.fromkeys(xs))


def write_entry(loaded: Loaded, lang: str = "ja") -> Casebook:
    """The full entry of one incident (a pure function of what :func:`sources.load` read)."""
    p = phrases(lang)
    w = EntryWriter(loaded, p)
    s = p.section
    sections = [
        Section("summary", s("summary"), [Block("p", w.summary())]),
        Section("timeline", s("timeline"), [Block("ul", w.timeline())]),
        Section("data", s("data"), w.data()),
        Section("cause", s("cause"), [Block("p", w.cause())]),
        Section("response", s("response"), [Block("ul", w.response())]),
        Section("authorities", s("authorities"), [Block("p", w.authorities())]),
        Section("revisions", s("revisions"), w.revisions()),
        Section("vendors", s("vendors"), w.vendors()),
        Section("appi", s("appi"), w.appi()),
        Section("sources", s("sources"), [Block("ul", w.sources())]),
    ]
    inc = loaded.incident
    return Casebook("entry", inc["id"], p.t("entry_title", org=w.org()), lang, p.t("generated"), sections,
                    w.book.notes, meta={"incident": inc["id"]})


def short_entry(loaded: Loaded, p: Phrases, book: NoteBook) -> Section:
    """A digest-style entry for a report: the summary paragraph and the sources."""
    w = EntryWriter(loaded, p, book)
    inc = loaded.incident
    head = " ".join(x for x in (p.date(inc.get("disclosure_date")), w.org()) if x)
    return Section("entry", head, [Block("p", w.summary()), Block("ul", w.sources())], anchor=inc["id"])
