"""Numbers and counts in normalised Japanese text.

Input is text already passed through :func:`jikenbo.text.normalize.normalize` (half-width
digits, ASCII ``,`` ``(`` ``)`` ``:`` ``/``, circled digits as ``(1)``). Offsets index that text.

- :func:`parse_number` reads one written number: ``90万1603`` → 901603, ``2万3,435`` → 23435,
  ``1.2万`` → 12000, ``三千五百`` → 3500.
- :func:`find_numbers` finds stand-alone numbers. Digits that belong to a date, a time, a
  duration (followed by 年/月/日/時/分/秒), a phone number, a postal code, a version, an ID,
  a URL or e-mail address, an ordinal (第3) or a list marker (``(1)``, ``1.`` at line start)
  are not numbers here. A decimal that does not come out whole (``6.1%``) is skipped. Kanji-only
  numerals (一, 三千) count only when a counter follows (一件, 三千人) and they are not the
  tail of a word (統一, 数百).
- :func:`find_quantities` attaches a unit from ``data/lexicon/units.toml`` (reported as its
  group head: 件分 → 件) and a qualifier (最大, 約, 計, 超, 以上 …). A number is a quantity when
  it has a unit, or a qualifier and no non-count suffix (円, %, 回 …). When both a qualifier
  before and one after are written (最大90万件超) the one before is reported. The span covers
  qualifiers, number and unit.

Commas join digits only in groups of three (``2,013`` is one number, ``155名、333名`` and
``5,10`` are not joined). Everything is precompiled at import; a call is a few regex scans.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from fractions import Fraction

from jikenbo.config import lexicon
from jikenbo.text.chars import is_kanji

__all__ = [
    "NumberMatch", "Quantity", "find_numbers", "find_quantities", "parse_number",
    "qualifier_kind", "unit_kind",
]


@dataclass(frozen=True, slots=True)
class NumberMatch:
    start: int
    end: int
    text: str
    value: int


@dataclass(frozen=True, slots=True)
class Quantity:
    start: int
    end: int
    text: str
    value: int
    unit: str | None
    qualifier: str | None


# --- lexicon -------------------------------------------------------------------------------

_LEX = lexicon("units")
_UNIT_HEAD: dict[str, str] = {}
for _head, _forms in _LEX["units"].items():
    for _f in _forms:
        _UNIT_HEAD[_f] = _head
_UNIT_STOP: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _LEX.get("unit_stop", {}).items()}
_UNIT_KIND: dict[str, str] = {u: kind for kind, us in _LEX["unit_kinds"].items() for u in us}
_QUAL_KIND: dict[str, str] = {q: kind for kind, qs in _LEX["qualifier_kinds"].items() for q in qs}


def _alt(words: list[str] | tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True))


_UNIT_RE = re.compile(rf"[ ]*({_alt(list(_UNIT_HEAD))})")
_NONCOUNT_RE = re.compile(rf"[ ]*(?:{_alt(_LEX['non_count']['suffixes'])})")
_BEFORE_QUAL_RE = re.compile(rf"({_alt(_LEX['qualifiers']['before'])})[ ]*$")
_AFTER_QUAL_RE = re.compile(rf"[ ]*({_alt(_LEX['qualifiers']['after'])})")
_BEFORE_WINDOW = max(len(q) for q in _LEX["qualifiers"]["before"]) + 3


def unit_kind(unit: str | None) -> str | None:
    """``people`` / ``records`` / ``organizations`` for a unit head, else None."""
    return _UNIT_KIND.get(unit) if unit else None


def qualifier_kind(qualifier: str | None) -> str | None:
    """``max`` / ``approx`` / ``total`` / ``at_least`` / ``subset`` for a reported qualifier."""
    return _QUAL_KIND.get(qualifier) if qualifier else None


# --- parsing -------------------------------------------------------------------------------

_KDIGIT = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
           "九": 9}
_KSMALL = {"十": 10, "百": 100, "千": 1000}
_KBIG = {"万": 10**4, "億": 10**8, "兆": 10**12}
_TOKEN_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?)|([〇零一二三四五六七八九])|([十百千])|([万億兆])|(.)")
_VALID_COMMAS_RE = re.compile(r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?")
_COMMA_NUM_RE = re.compile(r"[0-9][0-9,]*(?:\.[0-9]+)?")


def _strip_commas(s: str) -> str | None:
    if "," not in s:
        return s
    out = []
    pos = 0
    for m in _COMMA_NUM_RE.finditer(s):
        chunk = m.group()
        if "," in chunk:
            if not _VALID_COMMAS_RE.fullmatch(chunk):
                return None
            chunk = chunk.replace(",", "")
        out.append(s[pos:m.start()])
        out.append(chunk)
        pos = m.end()
    out.append(s[pos:])
    r = "".join(out)
    return None if "," in r else r


def parse_number(s: str) -> int | None:
    """The integer value of one written number, or None if ``s`` is not exactly a number.

    Arabic digits (commas in groups of three), kanji numerals (positional 三千五百 and
    digit-by-digit 二〇二四), and mixtures with 万/億/兆 (``90万1603``, ``1.2万``, ``3千``).
    A value that is not whole (``1.5``) gives None. Spaces are ignored.
    """
    if not s:
        return None
    s = s.replace(" ", "")
    if not s.isascii() or "," in s:
        s2 = _strip_commas(s)
        if s2 is None:
            return None
        s = s2
    if s.isdigit() and s.isascii():
        return int(s)
    if len(s) == 1 and s in _KDIGIT:
        return _KDIGIT[s]
    total: int | Fraction = 0
    section: int | Fraction = 0  # below the current 万/億 block
    cur: int | Fraction | None = None  # pending digits
    cur_kanji = False
    last_big = None
    last_small = None
    seen = False
    for m in _TOKEN_RE.finditer(s):
        arabic, kdig, ksmall, kbig, other = m.groups()
        if other is not None:
            return None
        seen = True
        if arabic is not None:
            if cur is not None:
                return None
            cur = Fraction(arabic) if "." in arabic else int(arabic)
            cur_kanji = False
        elif kdig is not None:
            if cur is not None and not cur_kanji:
                return None
            cur = (cur * 10 if cur is not None else 0) + _KDIGIT[kdig]
            cur_kanji = True
        elif ksmall is not None:
            mult = _KSMALL[ksmall]
            if last_small is not None and mult >= last_small:
                return None
            section += (cur if cur is not None else 1) * mult
            last_small = mult
            cur = None
        else:
            big = _KBIG[kbig]
            if last_big is not None and big >= last_big:
                return None
            block = section + (cur if cur is not None else 0)
            if block == 0:
                return None
            total += block * big
            last_big = big
            section = 0
            cur = None
            last_small = None
    if not seen:
        return None
    value = total + section + (cur if cur is not None else 0)
    if isinstance(value, Fraction):
        if value.denominator != 1:
            return None
        return int(value)
    return value


# --- finding -------------------------------------------------------------------------------

_A = r"(?:[0-9]{1,3}(?:,[0-9]{3})+(?![0-9])|[0-9]+)(?:\.[0-9]+)?"
_K = r"[〇零一二三四五六七八九十百千]"
_NUM_RE = re.compile(rf"(?:{_A}|{_K})(?:{_A}|{_K}|[万億兆])*")
_DATE_SUFFIX_RE = re.compile(r"[ ]*(?:[年月日時分秒]|ヶ月|か月|カ月|ヵ月|ケ月|箇月|曜)")
_URL_RE = re.compile(r"(?:https?://|www\.)[!-~]+")
_MAIL_LEFT_RE = re.compile(r"[A-Za-z0-9._+-]+$")
_MAIL_RIGHT_RE = re.compile(r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_GLUE = ".-/:_#"
_ASCII_ALNUM = frozenset("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_KANJI_OK_BEFORE = frozenset("約計大各")  # 約/合計/最大 may stand right before a kanji numeral
_LINE_MARK_BEFORE = frozenset(" \t・●○■□◆◇*-")


def _is_kanji(ch: str) -> bool:
    return is_kanji(ch)  # ideographs of every block, and 々 〆 〇 ヵ ヶ 〻


def _url_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    if "http" in text or "www." in text:
        spans.extend(m.span() for m in _URL_RE.finditer(text))
    at = text.find("@")
    while at > 0:
        left = _MAIL_LEFT_RE.search(text, max(0, at - 64), at)
        right = _MAIL_RIGHT_RE.match(text, at + 1)
        if left and right:
            spans.append((left.start(), right.end()))
        at = text.find("@", at + 1)
    spans.sort()
    return spans


def _in_spans(spans: list[tuple[int, int]], starts: list[int], pos: int) -> bool:
    i = bisect_right(starts, pos) - 1
    return i >= 0 and spans[i][0] <= pos < spans[i][1]


def _unit_at(text: str, pos: int) -> tuple[str, int] | None:
    """The unit head and its end if a unit starts at ``pos`` (after optional spaces)."""
    m = _UNIT_RE.match(text, pos)
    if not m:
        return None
    head = _UNIT_HEAD[m.group(1)]
    stops = _UNIT_STOP.get(head)
    if stops and text.startswith(stops, m.end()) and not _AFTER_QUAL_RE.match(text, m.end()):
        return None  # 名簿, 社員 … but 80名前後 is 80名 + 前後
    return head, m.end()


def _shrink(text: str, start: int, end: int) -> tuple[int, int | None]:
    """Longest prefix of ``text[start:end]`` that parses; (end, value)."""
    while end > start:
        v = parse_number(text[start:end])
        if v is not None:
            return end, v
        end -= 1
    return start, None


def _reject(text: str, start: int, end: int, raw: str, n: int) -> bool:
    """True when the digits at [start, end) belong to a date, time, code, ID, ordinal …"""
    prev = text[start - 1] if start else ""
    nxt = text[end] if end < n else ""
    if not raw[0].isdigit() and not any(c.isdigit() for c in raw):
        # kanji-only numeral: 統一, 数百, 一部 are words, 三千人 / 一件 are counts
        if prev and _is_kanji(prev) and prev not in _KANJI_OK_BEFORE:
            return True
        if prev == "お" and raw == "一":
            return True  # お一人
        if _unit_at(text, end) is None and not _NONCOUNT_RE.match(text, end):
            return True
    if _DATE_SUFFIX_RE.match(text, end):
        return True
    if "." in raw and not any(c in raw for c in "万億兆千"):
        return True  # plain decimal: 6.1%, 3.2
    prev2 = text[start - 2] if start > 1 else ""
    nxt2 = text[end + 1] if end + 1 < n else ""
    # glued to letters, IDs, versions, dates, times, phone numbers, postal codes
    if nxt in _ASCII_ALNUM or (prev and prev in _ASCII_ALNUM and not _unit_at(text, end)):
        return True  # v3, 5G, COVID19 … but PC2台
    if prev in ("#", "〒", "第", "№"):
        return True
    if prev and prev in _GLUE and prev2 in _ASCII_ALNUM:
        return True
    if nxt and nxt in _GLUE and nxt2 in _ASCII_ALNUM:
        return True
    if raw[0] == "0" and len(raw) > 1 and raw[1].isdigit():
        return True  # leading zero: codes, phone numbers
    if prev == "(" and nxt == ")" and raw.isdigit() and len(raw) <= 2:
        return True  # (1) list marker
    if nxt in (".", ")", "、") and raw.isdigit() and len(raw) <= 2:
        ls = text.rfind("\n", 0, start) + 1
        if all(c in _LINE_MARK_BEFORE for c in text[ls:start]):
            return True  # "1. " / "2) " at line start
    return False


def _scan(text: str) -> list[tuple[int, int, int, bool]]:
    """(start, end, value, kanji_only) of every number that is not part of something else."""
    if not text:
        return []
    out: list[tuple[int, int, int, bool]] = []
    urls = _url_spans(text)
    url_starts = [s for s, _ in urls]
    n = len(text)
    for m in _NUM_RE.finditer(text):
        start, end = m.span()
        raw = m.group()
        if _reject(text, start, end, raw, n):
            continue
        value = parse_number(raw)
        if value is None:
            end, value = _shrink(text, start, end)
            if value is None:
                continue
            raw = text[start:end]
            if _reject(text, start, end, raw, n):
                continue
        if urls and _in_spans(urls, url_starts, start):
            continue
        out.append((start, end, value, not any(c.isdigit() for c in raw)))
    return out


def find_numbers(text: str) -> list[NumberMatch]:
    """Stand-alone numbers in normalised ``text`` (see the module doc for what is skipped)."""
    return [NumberMatch(s, e, text[s:e], v) for s, e, v, _ in _scan(text)]


def find_quantities(text: str) -> list[Quantity]:
    """Numbers with their unit (lexicon head) and qualifier, in text order."""
    out: list[Quantity] = []
    for start, end, value, _ in _scan(text):
        unit = None
        qual_after = None
        span_end = end
        u = _unit_at(text, end)
        if u is not None:
            unit, span_end = u
        elif _NONCOUNT_RE.match(text, end):
            continue
        qa = _AFTER_QUAL_RE.match(text, span_end)
        if qa is not None:
            qual_after = qa.group(1).removeprefix("を")
            span_end = qa.end()
            if unit is None:
                u = _unit_at(text, span_end)  # 90万超件 is rare but 22万超の is common
                if u is not None and u[0] == "件":
                    unit, span_end = u
        span_start = start
        qual_before = None
        qb = _BEFORE_QUAL_RE.search(text, max(0, start - _BEFORE_WINDOW), start)
        if qb is not None:
            q = qb.group(1)
            qs = qb.start(1)
            # 約/計 must not be the tail of a word (契約, 設計)
            if not (q in ("約", "計") and qs > 0 and _is_kanji(text[qs - 1])):
                qual_before = q.removesuffix("で") if q != "で" else q
                span_start = qs
        qualifier = qual_before or qual_after
        if unit is None and qualifier is None:
            continue
        out.append(Quantity(span_start, span_end, text[span_start:span_end], value, unit, qualifier))
    return out
