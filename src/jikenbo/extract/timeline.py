"""Dates: what each date of a notice is about, and the notice's own dates.

Each date is classified by the words right after it (up to the next date or the end of the
sentence) and, failing that, by its sentence: ``4月24日より…`` starts the incident,
``4月25日に…検知し`` is the detection, ``5月2日:…個人情報保護委員会へ速報`` a report,
``2024年2月14日付「…」にて公表`` a reference to an earlier notice.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache, lru_cache

from jikenbo.extract.context import Context, cue, lexicons
from jikenbo.text.dates import DateMatch, find_dates
from jikenbo.text.normalize import normalize

_ROW_REST = re.compile(r"[\s()（）月火水木金土日曜:：~〜・-]|午前|午後|\d{1,2}時(?:\d{1,2}分)?(?:頃|ごろ)?")
_BULLET_NEXT = re.compile(r"\s*\n\s*[•・\-*●○◦]")
_LIST_SEP = re.compile(r"^[\s、,及びおよびと並びに・]*$")
_TODAY = re.compile(r"本日\s*[(（]?\s*$")
_DISCLOSE_AFTER = re.compile(r"^(?:\([^)]{1,6}\))?[、,]?\s?[^。\n]{0,25}?(?:公表|発表|公開|開示|明らかにし|リリース)")


@dataclass
class DatedEvent:
    match: DateMatch
    kind: str


def _authority_kind(text: str) -> str | None:
    lx = lexicons()
    if not lx.report_verb.search(text):
        return None
    for code, kind in (("ppc", "reported_ppc"), ("police", "reported_police"), ("ministry", "reported_ministry"),
                       ("jipdec", "reported_jipdec")):
        if lx.authorities[code].search(text):
            return kind
    return None


def _first_cue(window: str) -> str | None:
    """The kind whose cue comes first in ``window``."""
    told = cue("events", "told").search(window)
    best: tuple[int, str] | None = None
    for kind, key in (("detected", "detected"), ("contained", "contained"), ("investigated", "investigated"),
                      ("disclosed", "disclosed"), ("notified_individuals", "notified")):
        m = cue("events", key).search(window)
        if m and (best is None or m.start() < best[0]):
            best = (m.start(), kind)
    if told and (best is None or best[1] != "detected" or told.start() < best[0]):
        best = (told.start(), "detected")  # what comes before 「…旨の連絡を受け」 is what was reported
    auth = _authority_kind(window)
    if auth and told and not _REPORTED_TO.search(window):
        auth = None  # 「…から、警視庁荻窪警察署を通じ、…旨の連絡を受けました」: told through the police
    if auth:
        lx = lexicons()
        pos = min(m.start() for code in ("ppc", "police", "ministry", "jipdec")
                  if (m := lx.authorities[code].search(window)))
        if best is None or pos < best[0] or best[1] in ("disclosed", "notified_individuals"):
            best = (pos, auth)
    return best[1] if best else None




@cache
def _period_end() -> re.Pattern[str]:
    return re.compile(rf"^(?:\([^)]{{1,6}}\))?\s*(?:{cue('cues', 'period_end').pattern})")


def _in_parentheses(text: str, start: int, end: int) -> bool:
    opened = text.rfind("(", max(0, start - 30), start)
    return opened >= 0 and ")" not in text[opened:start] and ")" in text[end:end + 30]


def classify_dates(ctx: Context, anchor: dt.date | None) -> list[DatedEvent]:
    text = ctx.text
    header_end = len(text.split("\n", 1)[0]) if ctx.header else 0
    dates = [d for d in find_dates(text, anchor) if d.precision != "year"]
    out: list[DatedEvent] = []
    for i, d in enumerate(dates):
        # the window: from the date to the next date that does not merely continue a list
        j = i + 1
        while j < len(dates) and _LIST_SEP.match(text[dates[j - 1].end:dates[j].start]):
            j += 1
        sent = ctx.sentence_at(d.start)
        send = sent.end if sent else len(text)
        wend = min(dates[j].start if j < len(dates) else send, send)
        window = text[d.end:max(wend, d.end)]
        if j > i + 1:  # a list of dates shares the words after the last one
            last = dates[j - 1]
            nxt = dates[j].start if j < len(dates) else send
            window = text[last.end:max(min(nxt, send), last.end)]
        if sent is not None and not text[sent.start:d.start].strip(" •・-*") and _BULLET_NEXT.match(text, sent.end) \
                and not _ROW_REST.sub("", text[d.end:sent.end]):
            # a timeline row: the date stands alone, what happened follows on the next lines
            nxt_date = dates[j].start if j < len(dates) else len(text)
            window = text[d.end:min(nxt_date, sent.end + 200)]
        before = text[max(sent.start if sent else 0, d.start - 12):d.start]
        kind: str | None = None
        if d.start < header_end:  # the date printed in a digest entry's header is its publication date
            kind = "disclosed"
        elif _period_end().match(window):
            kind = "other"
        elif _in_parentheses(text, d.start, d.end):  # an aside: only the words inside the brackets count
            kind = _first_cue(text[d.end:text.find(")", d.end)]) or "other"
        elif cue("events", "reference").search(text[d.end:d.end + 80]) and ("付" in text[d.end:d.end + 2]
                                                                             or text[d.end:d.end + 1] == "に"):
            kind = "reference"
        elif cue("events", "detected_before").search(before):
            kind = "detected"
        elif d.end_date is not None:  # a period (exposure window, attack span) is never the detection
            k = _first_cue(window)
            kind = k if k not in (None, "detected") else "started"
            if k == "detected" and cue("events", "told").search(window):
                kind = "detected"  # 「2月2日~3日 複数事業所から…について連絡」: told over two days
        elif _FOUND_SINCE.match(window):
            kind = "detected"  # 「10月28日以降に順次判明しました」: found out from that day on
        elif cue("events", "started").search(window):
            kind = "started"
        else:
            # the words after the date, else the rest of its sentence (its main verb)
            kind = _first_cue(window)
            if kind is None and j < len(dates) and cue("events", "started").search(text[dates[j].end:dates[j].end + 20]):
                # the next date only opens an embedded period (「…2月28日頃から送信されていることを確認」)
                kind = _first_cue(text[dates[j].end:send])
            if kind is None and sent is not None:
                kind = _authority_kind(sent.text)
        if kind in (None, "other") and sent is not None and sent.is_heading:
            above = text[:sent.start].rstrip().rsplit("\n", 1)[-1].strip()
            kind = next((k for k, p in _LABEL_ABOVE.items() if p.search(above)), kind)
        if kind in (None, "other") and sent is not None and sent.heading and _detected_heading().search(sent.heading) \
                and not any(e.kind == "detected" and ctx.sentence_at(e.match.start) is sent for e in out):
            kind = "detected"  # 「4 事案発覚日時」 over 「令和5年8月23日11時40分頃」
        out.append(DatedEvent(d, kind or "other"))
    return out


@cache
def _detected_heading() -> re.Pattern[str]:
    return re.compile(r"(?:発覚|判明|覚知|認知|検知|把握)(?:日|日時|の日|した日)|(?:発覚|判明)(?:の経緯)?$")


def disclosure_date(ctx: Context, events: list[DatedEvent], hint: str | None,
                    published: str | None) -> tuple[str | None, DateMatch | None]:
    """The date the notice was published: header, metadata, a date line, 本日, 'X日、…公表'."""
    if hint:
        return hint, None
    for ev in events:  # news: 「東山市は7月3日、…と発表した」 dates the organisation's own publication
        d = ev.match
        sent = ctx.sentence_at(d.start)
        if d.precision == "day" and re.search(r"(?:は|が)\s?$", ctx.text[max(0, d.start - 2):d.start]) and sent and \
                cue("cues", "announced").search(ctx.text, d.end, sent.end):
            return d.date.isoformat(), d
    for ev in events:
        d = ev.match
        sent = ctx.sentence_at(d.start)
        # 「2025年5月7日、PRTIMESが詳細を公開した」: a dated sentence that opens with the announcement
        if d.precision == "day" and d.has_year and sent and not ctx.text[sent.start:d.start].strip() and \
                ev.kind in ("disclosed", "other") and _DISCLOSE_AFTER.match(ctx.text[d.end:d.end + 40]):
            return d.date.isoformat(), d
    day_only = _day_announced(ctx, published)
    if day_only:
        return day_only
    if published:
        return published, None
    text = ctx.text
    # a labelled date line anywhere (a page's navigation can push it far down): 「更新日:2022年3月4日」
    for s in ctx.sentences:
        lab = _DATE_LABEL.match(s.text)
        if lab:
            ds = find_dates(s.text[lab.end():])
            if ds and ds[0].precision == "day" and ds[0].has_year and ds[0].start <= 2:
                return ds[0].date.isoformat(), None
    # a line that is only a date, near the top or the bottom of the notice
    for s in ctx.sentences[:12] + ctx.sentences[-6:]:
        ds = find_dates(s.text)
        if len(ds) == 1 and ds[0].precision == "day" and ds[0].has_year:
            rest = (s.text[:ds[0].start] + s.text[ds[0].end:]).strip(" -・*()（）:：")
            if len(rest) <= 6 and not re.search(r"[にでをがは]$", rest):
                return ds[0].date.isoformat(), ds[0]
    for s in ctx.sentences[:3]:  # 「…からのお知らせ（2024年1月12日）」: a date in the title line
        if "。" not in s.text and cue("cues", "title_words").search(s.text):
            ds = [d for d in find_dates(s.text) if d.precision == "day" and d.has_year]
            if len(ds) == 1:
                return ds[0].date.isoformat(), None
    for ev in events:
        d = ev.match
        if not d.has_year and ev.kind not in ("disclosed",):
            continue
        if _TODAY.search(text[max(0, d.start - 8):d.start]):
            return d.date.isoformat(), d
    for ev in events:
        d = ev.match
        if d.precision == "day" and _DISCLOSE_AFTER.match(text[d.end:d.end + 40]) and ev.kind in ("disclosed", "other"):
            return d.date.isoformat(), d
    return None, None


# the organisation itself tells an authority (「警察に届け出」「個人情報保護委員会へ報告」)
_REPORTED_TO = re.compile(r"(?:に|へ|に対し(?:て)?)(?:は|も)?\s?(?:報告|届(?:け)?出|相談|通報|連絡(?:し|いたし)|被害届|速報|申告|提出)")
# a label on the line above a date in a table laid out as lines (「判明日」 / 「令和4年06月03日」)
_LABEL_ABOVE = {"detected": re.compile(r"(?:発覚|判明|覚知|認知|検知|把握|確認)(?:した)?(?:日|日時|年月日)$"),
                "started": re.compile(r"(?:発生|発現)(?:日|日時|年月日)$")}
_FOUND_SINCE = re.compile(r"^(?:\([^)]{1,6}\))?\s*(?:以降|から)に?[、,]?\s?(?:順次|次々と?|相次いで)?(?:判明|発覚|確認され|把握)")
_DATE_LABEL = re.compile(r"\s*(?:更新日|掲載日|公開日|発表日|公表日|投稿日|発行日|発表日時|掲載日時|公開日時|作成日)(?:時)?\s?[:：]?\s?")
_DAY_ONLY = re.compile(r"(?:は|が)\s?(\d{1,2})日[、,]")


def _day_announced(ctx: Context, published: str | None) -> tuple[str, None] | None:
    """「さきがけ運輸（本社・名古屋市）は12日、…と発表した」: a day of the byline's month."""
    ref = None
    if published:
        ref = dt.date.fromisoformat(published)
    else:
        # a report is written after everything it tells: read its 「26日」 against the latest full date
        full = [d.date for s in ctx.sentences[:8] for d in find_dates(s.text) if d.has_year and d.precision == "day"]
        ref = max(full) if full else None
    if ref is None:
        return None
    for m in _DAY_ONLY.finditer(ctx.text):
        sent = ctx.sentence_at(m.start())
        if sent and cue("cues", "announced").search(ctx.text, m.end(), sent.end):
            day = int(m.group(1))
            year, month = (ref.year, ref.month) if day <= ref.day else (
                (ref.year, ref.month - 1) if ref.month > 1 else (ref.year - 1, 12))
            try:
                return dt.date(year, month, day).isoformat(), None
            except ValueError:
                return None
    return None


_URL_DATE = re.compile(r"(?<!\d)(20\d{2})[/-](0?[1-9]|1[0-2])(?:[/-](0?[1-9]|[12]\d|3[01]))?(?!\d)")


@lru_cache(maxsize=8)  # the segments of one document share it
def document_anchor(text: str, url: str | None) -> dt.date | None:
    """What a year-less date (「12月7日」) is read against when the notice prints no date of its
    own: the date in its address (a blog's ``/2023/11/`` or ``updated-max=2023-10-05``), else
    ``[events] yearless_margin_days`` after the latest full date anywhere in the document."""
    if url:
        m = _URL_DATE.search(url)
        if m:
            y, mo = int(m.group(1)), int(m.group(2))
            day = int(m.group(3)) if m.group(3) else 28
            try:
                return dt.date(y, mo, day) + dt.timedelta(days=0 if m.group(3) else 3)
            except ValueError:
                pass
    dated = [d.date for d in find_dates(normalize(text[:20000]).text) if d.has_year and d.precision == "day"]
    margin = lexicons().ext["events"]["yearless_margin_days"]
    return max(dated) + dt.timedelta(days=margin) if dated else None


def detected_date(events: list[DatedEvent]) -> DatedEvent | None:
    """The first date (in reading order) that says the organisation learnt of it."""
    for ev in events:
        if ev.kind == "detected" and ev.match.precision == "day":  # 「7月下旬」 is no date of detection
            return ev
    return None


# what may follow the date that opens an account: a weekday, a clock time, then the comma
_OPENING_REST = re.compile(
    r"\s?(?P<w>[(（]?[月火水木金土日](?:曜日?)?[)）]?)?\s?(?P<t>(?:午前|午後)?\s?\d{1,2}\s?(?:時|:)\s?(?:\d{1,2}\s?分?)?(?:頃|ごろ|過ぎ|すぎ)?)?"
    r"\s?(?:から|に)?(?P<c>[、,])?"
)


def occurred_date(ctx: Context, events: list[DatedEvent], types: list[str]) -> DatedEvent | None:
    """For an instant incident (``[events] instant_types``) with no date of discovery: the
    day-precision date that opens the notice's account of what happened."""
    instant = set(lexicons().ext["events"]["instant_types"])
    if not types or not set(types) <= instant:
        return None
    header_end = len(ctx.text.split("\n", 1)[0]) if ctx.header else 0
    for ev in events:
        d = ev.match
        if ev.kind not in ("other", "started") or d.precision != "day" or d.end_date is not None or d.start < header_end:
            continue
        sent = ctx.sentence_at(d.start)
        lead = ctx.text[sent.start if sent else 0:d.start]
        rest = _OPENING_REST.match(ctx.text, d.end)
        if re.fullmatch(r"[\s・*•\-]*", lead) and rest and (rest.group("w") or rest.group("t") or rest.group("c")):
            return ev  # 「令和7年8月25日(月)午後6時9分、」「2031年8月1日(金)9時00分から」
    return None


_REF = re.compile(r"付(?:で|にて|の)?(?:「[^」]{0,80}」)?(?:にて|で)?(?:公表|お知らせ|発表|掲載|公開|ご報告|リリース)")


def references(ctx: Context, events: list[DatedEvent]) -> list[DatedEvent]:
    return [ev for ev in events if ev.kind == "reference" or _REF.match(ctx.text[ev.match.end:ev.match.end + 100])]
