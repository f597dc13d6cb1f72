"""Dates in normalised Japanese text.

Input is text already passed through :func:`jikenbo.text.normalize.normalize` (half-width
digits, ASCII ``(`` ``)`` ``/`` ``:``, every tilde/wave dash as ``~``). Offsets index that text.

Forms read (spaces allowed between the parts, ``2024 年 1 月 18 日``):

- 西暦 ``2023年9月12日``, ``25年12月19日`` (news: 2000 + the two digits, only before a month),
  ``2023/9/29``, ``2023-09-28``, ``2023.9.29``; 和暦 ``令和5年6月1日``,
  ``令和元年5月1日``, kanji numerals ``令和五年六月一日``, ``R5.6.1``, ``H30/4/1``, ``R5年``; the
  other calendar in parentheses is part of the same date: ``令和6年(2024年)2月29日``,
  ``2024年(令和6年)2月29日``. Era names and start dates: ``data/lexicon/eras.toml``.
- weekday suffixes ``(木)``, ``(金曜日)``, ``(月・祝)`` are part of the match; a time after the
  day (``18時頃``, ``11:00``) is not, and does not stop a range after it.
- month precision ``2023年10月`` (first of the month); ``令和5年6・7月分`` gives June with
  ``end_date`` July 1. Year precision ``2022年`` (January 1) only when a particle or a
  date word follows (に, から, 度, まで, 以降, より, 頃, 、 …), so ``平成15年法律`` is not a date.
- approximate: 上旬/初旬/初め (5th), 中旬/半ば/中頃 (15th), 下旬 (25th), 前半 (10th), 後半 (20th),
  月末/末/末頃 (last day), ``N月頃`` (15th), ``N日頃`` (that day); 年末 (12-31), 年明け (01-10),
  年前半 (04-01), 年後半 (10-01). ``N年頃`` keeps precision "year".
- ranges with ``~`` (``4月24日~25日``, ``4月28日~5月2日``, ``2021年4月1日~2024年5月14日``,
  ``2023年2月1日(水)~2023年9月4日(月)``), and ``XからYまで`` / ``XからYにかけ`` when Y follows
  から directly: one match with ``end_date``.
- relative: 同日, 翌日, 前日, 翌々日, 同月15日, 同15日, 同年5月16日, 同5月16日, 翌月, 翌年, 前年,
  翌5月4日 (the written date, year inferred) resolve against the previous date found in the
  text (the end of a range); 昨年/本年/今年 against the anchor. ``relative=True``.
  ``has_year`` of a date resolved from the previous date copies that date's ``has_year``.

Year inference for a date written without a year: the year of the nearest preceding date in
the text that was written with a year, else the anchor's year; then, when an anchor is given
and the date (first day of its period) falls after the anchor, the previous year (a notice of
2024-01-10 saying 12月28日 means 2023-12-28). When there is neither a preceding year nor an
anchor, the date is NOT returned (there is no year to give it); relative forms with nothing to
refer to are not returned either.

Not dates: ``1,249名``, ``v3.2.1``, ``03-1234-5678``, ``#2024-184``, ``2024-184``, ``6.1%``,
``5/5件``, invalid calendar dates (``2月30日``, ``13月``). ``M/D`` without a year is not read
(too close to fractions).
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass

from jikenbo.config import lexicon
from jikenbo.text.numbers import parse_number

__all__ = ["DateMatch", "find_dates", "parse_date"]


@dataclass(frozen=True, slots=True)
class DateMatch:
    start: int
    end: int
    text: str
    date: datetime.date
    precision: str  # "day" | "month" | "year" | "approximate"
    has_year: bool  # False when the year was inferred
    end_date: datetime.date | None = None  # ranges
    relative: bool = False  # 同日/翌日/同15日/翌5月4日 … resolved against the previous date


# --- eras ----------------------------------------------------------------------------------

_ERAS = lexicon("eras")["era"]
_ERA_BY_NAME: dict[str, int] = {e["name"]: e["start"].year for e in _ERAS}
_ERA_BY_LETTER: dict[str, int] = {e["letter"].upper(): e["start"].year for e in _ERAS}
_ERA_ALT = "|".join(re.escape(n) for n in sorted(_ERA_BY_NAME, key=len, reverse=True))
_LETTERS = "".join(sorted(_ERA_BY_LETTER))


# --- atoms ---------------------------------------------------------------------------------

_KN = "〇一二三四五六七八九十"
_NOT_BEFORE_NUM = r"(?<![0-9A-Za-z_#./:\-])"
_NUM_TAIL = r"(?![0-9]|[/.\-][0-9])"
_PY = rf"(?:西暦[ ]*)?(?:1[89]|20)\d\d[ ]*年?|(?:{_ERA_ALT})[ ]*(?:元|\d{{1,2}})[ ]*年?"
_YEAR = (
    rf"(?:(?P<era>{_ERA_ALT})[ ]*(?P<ey>元|\d{{1,2}}|[{_KN}]{{1,3}})"
    rf"|(?<![0-9A-Za-z])(?P<yl>[{_LETTERS}])(?P<yly>\d{{1,2}})(?=[ ]*年)"
    r"|(?<![0-9A-Za-z.,\-/#])(?P<ad>(?:1[89]|20)\d\d)"
    r"|(?P<adk>[一二][〇九][〇一二三四五六七八九]{2})"
    # news writes the century off once the year is clear: 「21年6月8日から25年12月19日まで」
    r"|(?<![0-9A-Za-z.,\-/#第約])(?P<ad2>[0-9]{2})(?=[ ]*年[ ]*(?:1[0-2]|0?[1-9])[ ]*月))"
    rf"(?:[ ]*\([ ]*(?P<p1>{_PY})[ ]*\))?"
    r"[ ]*年(?![間来代齢収金生号])"
    rf"(?:[ ]*\([ ]*(?P<p2>{_PY})[ ]*\))?"
)
_MONTH = (
    r"(?<![0-9.\-/])(?P<mo>1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九])"
    r"(?:[ ]*[・,、~][ ]*(?P<mo2>1[0-2]|0?[1-9]))?"
    r"[ ]*月(?!間|額|曜|次|例|刊|号|賦|謝)"
)
_DAY = (
    r"(?<![0-9.\-/])(?P<d>3[01]|[12][0-9]|0?[1-9]|[二三]?十[一二三四五六七八九]?|[一二三四五六七八九])"
    r"[ ]*日(?!間|目|以内)"
)
_ATOM_RE = re.compile(
    rf"(?=[0-9{_KN}同翌前昨本今{_LETTERS}]|{_ERA_ALT})(?:"
    rf"(?P<num>{_NOT_BEFORE_NUM}(?P<ny>(?:1[89]|20)\d\d)(?P<ns>[/.\-])(?P<nm>\d{{1,2}})(?P=ns)"
    rf"(?P<nd>\d{{1,2}}){_NUM_TAIL})"
    rf"|(?P<eln>{_NOT_BEFORE_NUM}(?P<el>[{_LETTERS}])[ ]?(?P<ely>\d{{1,2}})(?P<els>[/.\-])"
    rf"(?P<elm>\d{{1,2}})(?P=els)(?P<eld>\d{{1,2}}){_NUM_TAIL})"
    rf"|(?P<year>{_YEAR})"
    r"|(?P<rely>同年|翌年|前年|昨年|本年|今年)"
    r"|(?P<relm>同月|翌月|前月)"
    r"|(?P<reld>翌々日|同日|翌日|前日)"
    rf"|(?P<relp>[同翌](?=[ ]*[0-9{_KN}]))"
    rf"|(?P<month>{_MONTH})"
    rf"|(?P<day>{_DAY})"
    r")",
    re.ASCII,  # \d is [0-9] only; kanji literals are unaffected
)
_WEEKDAY_RE = re.compile(
    r"[ ]*(?:\([ ]*[月火水木金土日](?:曜日?)?(?:[ ]*[・,][ ]*(?:祝日?|休日?))?[ ]*\)"
    r"|[月火水木金土日]曜日?)"
)
_APPROX_RE = re.compile(
    r"[ ]*(?P<ap>上旬|中旬|下旬|初旬|初め|はじめ|始め|初頭|半ば|中頃|中ごろ|末頃|末ごろ|末|頃|ごろ"
    r"|前半|後半|明け)(?:[ ]*(?:頃|ごろ))?"
)
_ACCEPT_RE = re.compile(
    r"[ ]*(?:度|に|から|以降|以後|まで|中|より|以前|時点|当時|以来|の|、|,|\)|分|付|春|夏|秋|冬"
    r"|上半期|下半期|。|\n|$)"
)
_TIME_RE = re.compile(
    r"[ ]*(?:午前|午後|深夜|早朝|未明|夜|朝|夕方|昼)?[ ]*"
    r"(?:\d{1,2}[ ]*時(?:[ ]*\d{1,2}[ ]*分)?(?:[ ]*\d{1,2}[ ]*秒)?|\d{1,2}:\d{2}(?::\d{2})?)?"
    r"(?:[ ]*(?:頃|ごろ|台))?",
    re.ASCII,
)
_VERSION_BEFORE_RE = re.compile(r"(?:version|ver\.?|v)[ ]*$", re.IGNORECASE)
_RANGE_TILDE_RE = re.compile(r"[ ]*~[ ]*")
_RANGE_KARA_RE = re.compile(r"[ ]*から[ ]*")
_RANGE_MADE_RE = re.compile(r"[ ]*(?:まで|の間|にかけ)")

_REL_DAYS = {"同日": 0, "翌日": 1, "前日": -1, "翌々日": 2}
_REL_MONTHS = {"同月": 0, "翌月": 1, "前月": -1}
_REL_YEARS = {"同年": 0, "翌年": 1, "前年": -1}
_MONTH_DAY = {"上旬": 5, "初旬": 5, "初め": 5, "はじめ": 5, "始め": 5, "初頭": 5, "中旬": 15, "半ば": 15,
              "中頃": 15, "中ごろ": 15, "下旬": 25, "前半": 10, "後半": 20, "頃": 15, "ごろ": 15}
_YEAR_MD = {"末": (12, 31), "末頃": (12, 31), "末ごろ": (12, 31), "明け": (1, 10), "前半": (4, 1),
            "後半": (10, 1), "初め": (1, 15), "はじめ": (1, 15), "始め": (1, 15), "初頭": (1, 15),
            "上半期": (4, 1), "下半期": (10, 1)}


def _num(s: str | None) -> int | None:
    if s is None:
        return None
    if s.isdigit():
        return int(s)
    return parse_number(s)


def _py(s: str) -> int | None:
    """Year from a parenthesised year: 2024年 / 西暦2024 / 令和6年."""
    s = s.replace(" ", "").removeprefix("西暦").removesuffix("年")
    if s.isdigit():
        return int(s)
    for name, base in _ERA_BY_NAME.items():
        if s.startswith(name):
            n = s[len(name):]
            k = 1 if n == "元" else _num(n)
            return base + k - 1 if k else None
    return None


def _year_of(m: re.Match[str]) -> int | None:
    if m.group("era"):
        ey = m.group("ey")
        k = 1 if ey == "元" else _num(ey)
        y = _ERA_BY_NAME[m.group("era")] + k - 1 if k else None
    elif m.group("yl"):
        y = _ERA_BY_LETTER[m.group("yl")] + int(m.group("yly")) - 1
    elif m.group("ad"):
        y = int(m.group("ad"))
    elif m.group("ad2"):
        y = 2000 + int(m.group("ad2"))
    else:
        y = _num(m.group("adk"))
    if y is None:
        for g in ("p2", "p1"):
            if m.group(g):
                return _py(m.group(g))
    return y


def _date(y: int, m: int, d: int) -> datetime.date | None:
    if not (1 <= y <= 9999 and 1 <= m <= 12 and 1 <= d <= 31):
        return None
    try:
        return datetime.date(y, m, d)
    except ValueError:
        return None


def _last_day(y: int, m: int) -> int:
    return calendar.monthrange(y, m)[1]


def _add_months(y: int, m: int, n: int) -> tuple[int, int]:
    k = y * 12 + (m - 1) + n
    return k // 12, k % 12 + 1


_Made = tuple[datetime.date, str, "datetime.date | None", datetime.date]


@dataclass(slots=True)
class _Parts:
    start: int
    end: int
    year: int | None = None  # written (or from 同年/昨年 …)
    month: int | None = None
    month2: int | None = None
    day: int | None = None
    rel: str | None = None  # the relative word, if any
    rel_year: str | None = None
    rel_month: str | None = None
    next_tok: int = 0
    approx: str | None = None
    loose: bool = False  # 2022年頃: a year with 頃, accepted as a year


class _Finder:
    __slots__ = ("anchor", "last", "last_day", "last_month", "last_year", "out", "text", "toks")

    def __init__(self, text: str, anchor: datetime.date | None) -> None:
        self.text = text
        self.anchor = anchor
        self.toks = list(_ATOM_RE.finditer(text))
        self.last: DateMatch | None = None
        self.last_day: DateMatch | None = None
        self.last_month: DateMatch | None = None
        self.last_year: int | None = None
        self.out: list[DateMatch] = []

    # -- assembling atoms into one written date --

    def _adjacent(self, end: int, k: int) -> bool:
        if k >= len(self.toks):
            return False
        s = self.toks[k].start()
        return s >= end and (s == end or (self.text[end:s].isspace() and s - end <= 3))

    def parts(self, i: int, *, second: bool = False) -> _Parts | None:
        toks = self.toks
        t = toks[i]
        kind = t.lastgroup
        if kind == "num":
            if _VERSION_BEFORE_RE.search(self.text, max(0, t.start() - 12), t.start()):
                return None  # version 2024.1.15
            p = _Parts(t.start(), t.end(), int(t.group("ny")), int(t.group("nm")), None,
                       int(t.group("nd")), next_tok=i + 1)
            return p
        if kind == "eln":
            y = _ERA_BY_LETTER[t.group("el")] + int(t.group("ely")) - 1
            return _Parts(t.start(), t.end(), y, int(t.group("elm")), None, int(t.group("eld")),
                          next_tok=i + 1)
        if second and kind not in ("year", "month", "day"):
            return None
        if kind == "month" and self.text[max(0, t.start() - 3):t.start()].rstrip(" ").endswith("年"):
            return None  # the year before it did not parse (22023年6月6日): do not guess one
        p = _Parts(t.start(), t.end(), next_tok=i + 1)
        if kind == "reld":
            p.rel = t.group()
            return p
        k = i
        if kind == "relp":
            p.rel = t.group()
            k += 1
            if not self._adjacent(t.end(), k) or toks[k].lastgroup not in ("month", "day"):
                return None
        elif kind == "rely":
            p.rel_year = t.group()
            p.rel = p.rel_year
            k += 1
        elif kind == "relm":
            p.rel_month = t.group()
            p.rel = p.rel_month
            k += 1
        elif kind == "year":
            p.year = _year_of(t)
            if p.year is None:
                return None
            k += 1
        end = t.end()
        # month
        if (p.rel_month is None and k < len(toks) and toks[k].lastgroup == "month"
                and (k == i or self._adjacent(end, k))):
            mt = toks[k]
            p.month = _num(mt.group("mo"))
            p.month2 = _num(mt.group("mo2")) if mt.group("mo2") else None
            end = mt.end()
            k += 1
        # day: needs a month, 同月, or 同/翌
        if (k < len(toks) and toks[k].lastgroup == "day" and (k == i or self._adjacent(end, k))
                and (p.month is not None or p.rel_month or second
                     or (p.rel in ("同", "翌") and p.year is None and p.rel_year is None))):
            p.day = _num(toks[k].group("d"))
            end = toks[k].end()
            k += 1
        if kind == "day" and not second:
            return None  # a bare 15日
        if p.month is None and p.day is None and p.year is None and p.rel_year is None \
                and p.rel_month is None:
            return None
        p.end = end
        p.next_tok = k
        return p

    # -- resolving --

    def _make(self, y: int, p: _Parts) -> _Made | None:
        """(date, precision, end_date, first day of the period) for year ``y`` and the parts."""
        m, d, approx = p.month, p.day, p.approx
        if not 1 <= y <= 9999:
            return None
        if d is not None:
            dt = _date(y, m or 0, d)
            if dt is None:
                return None
            return dt, ("approximate" if approx in ("頃", "ごろ") else "day"), None, dt
        if m is not None:
            if not 1 <= m <= 12:
                return None
            first = datetime.date(y, m, 1)
            if approx is None:
                end_date = None
                if p.month2 is not None and m < p.month2 <= 12:
                    end_date = datetime.date(y, p.month2, 1)
                return first, "month", end_date, first
            day = _last_day(y, m) if approx.startswith("末") else _MONTH_DAY.get(approx, 1)
            return datetime.date(y, m, day), "approximate", None, first
        first = datetime.date(y, 1, 1)
        if approx in _YEAR_MD:
            mm, dd = _YEAR_MD[approx]
            return datetime.date(y, mm, dd), "approximate", None, first
        return first, "year", None, first

    def resolve(self, p: _Parts) -> tuple[datetime.date, str, bool, datetime.date | None, bool] | None:
        """(date, precision, has_year, end_date, relative) for assembled parts."""
        # 同日/翌日 refer to the last date with a day; 同15日/同月 to the last with a month;
        # 同年/同5月 to the last date of any precision.
        if p.rel in _REL_DAYS:
            prev = self.last_day
        elif p.rel_month or (p.rel in ("同", "翌") and p.month is None):
            prev = self.last_month
        else:
            prev = self.last
        prev_date = (prev.end_date or prev.date) if prev else None
        prev_has_year = prev.has_year if prev else False
        relative = p.rel is not None
        has_year = p.year is not None
        if p.rel in _REL_DAYS:
            if prev_date is None:
                return None
            return prev_date + datetime.timedelta(days=_REL_DAYS[p.rel]), "day", prev_has_year, None, True
        y = p.year
        inferred = False
        if p.rel_month:
            if prev_date is None:
                return None
            y, p.month = _add_months(prev_date.year, prev_date.month, _REL_MONTHS[p.rel_month])
            has_year = prev_has_year
        elif p.rel_year:
            if p.rel_year in ("昨年", "本年", "今年"):
                if self.anchor is None:
                    return None
                y = self.anchor.year - (1 if p.rel_year == "昨年" else 0)
            else:
                if prev_date is None:
                    return None
                y = prev_date.year + _REL_YEARS[p.rel_year]
                has_year = prev_has_year
        elif p.rel in ("同", "翌") and p.month is None:
            if prev_date is None or p.day is None:
                return None
            y, p.month = prev_date.year, prev_date.month
            if p.rel == "翌" and p.day <= prev_date.day:
                y, p.month = _add_months(y, p.month, 1)
            has_year = prev_has_year
        elif p.rel == "同" and y is None:
            if prev_date is None:
                return None
            y = prev_date.year
            has_year = prev_has_year
        elif y is None:
            y = self.last_year if self.last_year is not None else (self.anchor.year if self.anchor else None)
            if y is None:
                return None
            inferred = True
        made = self._make(y, p)
        if made is None:
            return None
        if inferred and self.anchor is not None and made[3] > self.anchor:
            made = self._make(y - 1, p)
            if made is None:
                return None
        return made[0], made[1], has_year, made[2], relative

    def _suffixes(self, p: _Parts) -> None:
        """Weekday and approximate words after the written date extend its span."""
        text = self.text
        if p.day is not None or p.rel in _REL_DAYS:
            w = _WEEKDAY_RE.match(text, p.end)
            if w:
                p.end = w.end()
            a = _APPROX_RE.match(text, p.end)
            if a and a.group("ap") in ("頃", "ごろ") and p.day is not None:
                p.approx = a.group("ap")
                p.end = a.end()
            return
        a = _APPROX_RE.match(text, p.end)
        if a:
            ap = a.group("ap")
            if p.month is not None:
                if ap in _MONTH_DAY or ap.startswith("末"):
                    p.approx = ap
                    p.end = a.end()
            elif ap in _YEAR_MD:
                p.approx = ap
                p.end = a.end()
            elif ap in ("頃", "ごろ"):
                p.end = a.end()  # 2022年頃: still a year
                p.loose = True

    def accepted(self, p: _Parts) -> bool:
        """Month-only and year-only forms need a date-like word after them."""
        if p.day is not None or p.rel in _REL_DAYS or p.approx:
            return True
        text = self.text
        if p.month is not None:
            if text.startswith("期", p.end):
                return p.year is not None
            return p.year is not None or p.rel is not None or bool(_ACCEPT_RE.match(text, p.end))
        return p.loose or bool(_ACCEPT_RE.match(text, p.end))

    def second(self, first: _Parts, fdate: datetime.date, pos: int
               ) -> tuple[int, datetime.date, int, int | None] | None:
        """A range end starting at ``pos``: (end offset, end date, next token)."""
        k = next((j for j in range(first.next_tok, min(first.next_tok + 3, len(self.toks)))
                  if self.toks[j].start() == pos), None)
        if k is None:
            return None
        q = self.parts(k, second=True)
        if q is None:
            return None
        if q.day is not None:
            w = _WEEKDAY_RE.match(self.text, q.end)
            if w:
                q.end = w.end()
        if q.year is not None:
            y, m = q.year, q.month
            if m is None:
                return None
        elif q.month is not None:
            y, m = fdate.year, q.month
        elif q.day is not None and first.day is not None:
            y, m = fdate.year, fdate.month
        else:
            return None
        if q.day is None and first.day is not None and q.year is None:
            return None
        d = q.day if q.day is not None else 1
        end = _date(y, m, d)
        if end is None:
            return None
        if end < fdate and q.year is None:
            end = _date(y + 1, m, d) if q.month is not None else None
            if end is None:
                mm_y, mm_m = _add_months(y, m, 1)
                end = _date(mm_y, mm_m, d)
        if end is None or end < fdate:
            return None
        return q.end, end, q.next_tok, q.year

    def run(self) -> list[DateMatch]:
        text = self.text
        i = 0
        n = len(self.toks)
        while i < n:
            p = self.parts(i)
            if p is None:
                i += 1
                continue
            self._suffixes(p)
            if not self.accepted(p):
                i = max(p.next_tok, i + 1)
                continue
            r = self.resolve(p)
            if r is None:
                i = max(p.next_tok, i + 1)
                continue
            dt, precision, has_year, end_date, relative = r
            if p.year is not None and not p.rel and precision != "year":
                # a bare year (「2021年度分の書類」) names a period, not the year later dates are in
                self.last_year = p.year
            end = p.end
            nxt = max(p.next_tok, i + 1)
            if end_date is None and precision in ("day", "month", "approximate"):
                after = _TIME_RE.match(text, end).end() if precision == "day" else end
                rng = _RANGE_TILDE_RE.match(text, after)
                kara = False
                if rng is None:
                    rng = _RANGE_KARA_RE.match(text, after)
                    kara = rng is not None
                if rng is not None:
                    s = self.second(p, dt, rng.end())
                    if s is not None and (not kara or _RANGE_MADE_RE.match(text, _TIME_RE.match(text, s[0]).end())):
                        end, end_date, nxt = s[0], s[1], s[2]
                        if s[3] is not None:
                            self.last_year = s[3]
            m = DateMatch(p.start, end, text[p.start:end], dt, precision, has_year, end_date, relative)
            self.out.append(m)
            self.last = m
            if precision != "year":
                self.last_month = m
                if p.day is not None or p.rel in _REL_DAYS:
                    self.last_day = m
            i = nxt
        return self.out


def find_dates(text: str, anchor: datetime.date | None = None) -> list[DateMatch]:
    """Every date in normalised ``text``, in order (see the module doc for forms and rules)."""
    if not text:
        return []
    return _Finder(text, anchor).run()


def parse_date(text: str, anchor: datetime.date | None = None) -> DateMatch | None:
    """The first date in ``text``, or None."""
    found = find_dates(text, anchor)
    return found[0] if found else None
