"""What every field extractor shares: the normalised segment, its sentences, the lexicons.

Field extractors read ``Context.text`` (NFKC) and report spans in it; ``Context.span`` maps
them back to ``Document.text`` offsets for the evidence.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass, field
from functools import cache

from jikenbo.config import lexicon
from jikenbo.models import Evidence, Span
from jikenbo.text.normalize import Normalized, normalize


def alt(patterns: list[str]) -> str:
    """One alternation of regex patterns, longest first; an empty group is an error."""
    if not patterns:
        raise ValueError("empty cue group")
    return "|".join(f"(?:{p})" for p in sorted(set(patterns), key=len, reverse=True))


def find_all(text: str, needle: str) -> list[int]:
    """Every start offset of ``needle`` in ``text`` (overlaps included)."""
    out, i = [], text.find(needle) if needle else -1
    while i >= 0:
        out.append(i)
        i = text.find(needle, i + 1)
    return out


def spaced(term: str) -> str:
    """A literal-ish term pattern that also matches with spaces between its characters."""
    if any(c in term for c in "\\()[]?*+|{}^$"):
        return term
    # a space may sit only where Latin meets Japanese (「ログイン ID」「FAX 番号」)
    body = re.escape(term[0])
    for a, b in itertools.pairwise(term):
        body += (r"\s?" if a.isascii() != b.isascii() else "") + re.escape(b)
    if term[0].isascii() and term[0].isalpha():
        body = r"(?<![A-Za-z])" + body
    if term[-1].isascii() and term[-1].isalpha():
        body += r"(?![A-Za-z])"
    return body


@dataclass(frozen=True)
class Lexicons:
    """Every cue group the extractor uses, compiled once per process."""

    types: dict[str, tuple[re.Pattern[str], re.Pattern[str] | None]]
    categories: re.Pattern[str]
    category_terms: tuple[tuple[re.Pattern[str], str], ...]  # each term alone, longest first, with its category
    sensitive: re.Pattern[str]
    advice: re.Pattern[str]
    negation: re.Pattern[str]
    non_person: re.Pattern[str]
    data_cue: re.Pattern[str]
    data_heading: re.Pattern[str]
    authorities: dict[str, re.Pattern[str]]
    report_verb: re.Pattern[str]
    ext: dict


def _first_chars(terms: list[tuple[str, str]]) -> str:
    chars: set[str] = set()
    for term, _ in terms:
        head = re.sub(r"^\(\?[:!=<][^)]*\)|^\\.|^\(", "", term)[:1] or term[:1]
        if term.startswith("(") or head in "\\[.":
            return "\\s\\S"  # a pattern that may start anywhere: no shortcut
        chars.update({head, head.lower(), head.upper()})
    return "".join(re.escape(c) for c in sorted(chars))


@cache
def lexicons() -> Lexicons:
    ext = lexicon("extract")
    types = {}
    for name, groups in lexicon("incident_types").items():
        excl = groups.get("exclude") or []
        types[name] = (re.compile(alt(groups["cues"])), re.compile(alt(excl)) if excl else None)
    cats = lexicon("data_categories")
    parts, category_terms = [], []
    terms = [(t, c) for c, ts in cats.items() if isinstance(ts, list) for t in ts]
    for term, cat in sorted(terms, key=lambda tc: len(tc[0]), reverse=True):
        body = spaced(term)
        body = "(?i:" + body + ")" if term.isascii() else body
        # no capturing groups in the scan: with one named group per term it runs ~40 times slower;
        # the category of a hit is found afterwards (category_at)
        parts.append(f"(?:{body})")
        category_terms.append((re.compile(body), cat))
    auth = lexicon("authorities")
    ctx = ext["context"]
    return Lexicons(
        types=types,
        # the look-ahead on first characters lets the scan skip most positions at once
        categories=re.compile(f"(?=[{_first_chars(terms)}])(?:{'|'.join(parts)})"),
        category_terms=tuple(category_terms),
        sensitive=re.compile(alt(cats["sensitive"]["cues"])),
        advice=re.compile(alt(ctx["advice"])),
        negation=re.compile(alt(ctx["negation"])),
        non_person=re.compile(alt(ctx["non_person"])),
        data_cue=re.compile(alt(ctx["data_cue"])),
        data_heading=re.compile(alt(ctx["data_heading"])),
        authorities={k: re.compile(alt(v)) for k, v in auth["names"].items()},
        report_verb=re.compile(alt(auth["verbs"]["report"])),
        ext=ext,
    )


def category_at(m: re.Match[str]) -> str:
    """The data category of a hit of ``Lexicons.categories``: the first term (longest first, as
    the scan tries them) that matches the same span."""
    text, start, end = m.string, m.start(), m.end()
    hit = _literal_category().get(m.group(0))
    if hit is not None:
        return hit
    for pat, cat in lexicons().category_terms:
        t = pat.match(text, start)
        if t and t.end() == end:
            return cat
    return "other"


@cache
def _literal_category() -> dict[str, str]:
    """Plain terms (no regex syntax) by their text: most hits are found here at once."""
    out: dict[str, str] = {}
    for pat, cat in lexicons().category_terms:
        src = pat.pattern
        if re.fullmatch(r"[^\\()\[\]?*+|{}^$.]+", src):
            out.setdefault(src, cat)
    return out


@cache
def cue(section: str, key: str) -> re.Pattern[str]:
    """A compiled cue group of ``extract.toml``."""
    return re.compile(alt(lexicons().ext[section][key]))


_HEADING_MARK = re.compile(
    r"^\s*(?:\d{1,2}[.．)]|\(\d{1,2}\)|[<＜《〈【■◆●▼◇□★☆◎▶]|第[0-9一二三四五六七八九十]+[章節]|#{1,4}\s|[A-Z][.)]\s)"
)
_BULLET = re.compile(r"^\s*(?:[・\-*●◦○•‣▪]|\d{1,2}[.．)]|\(\d{1,2}\)|<項目>)")
_SENT_END = re.compile(r"[。!?！？]")


@dataclass
class Sentence:
    start: int  # offsets in Context.text
    end: int
    text: str
    heading: str  # the heading it stands under ("" before the first)
    is_heading: bool
    list_line: bool  # a short line of the form "・氏名、住所" (no verb)
    bullet: bool = False  # the line opens with a bullet or an item number
    background: bool = False  # about another or an older incident (「2021年にも…」「他社でも…」)


@dataclass
class Context:
    """A segment ready for field extraction."""

    norm: Normalized
    base: int  # segment start in Document.text
    header: str | None = None
    sentences: list[Sentence] = field(default_factory=list)
    cache: dict = field(default_factory=dict)  # results several extractors share

    @property
    def text(self) -> str:
        return self.norm.text

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Document offsets of a span of ``self.text``."""
        s, e = self.norm.to_original(start, end)
        return self.base + s, self.base + e

    def evidence(self, field_name: str, value: object, start: int, end: int, doc_text: str) -> Evidence:
        s, e = self.span(start, end)
        v = value if isinstance(value, str | int | bool) or value is None else str(value)
        return Evidence(field=field_name, value=v, start=s, end=e, text=doc_text[s:e])

    def make_span(self, start: int, end: int, doc_text: str) -> Span:
        s, e = self.span(start, end)
        return Span(start=s, end=e, text=doc_text[s:e])

    def sentence_at(self, pos: int) -> Sentence | None:
        """The sentence holding ``pos`` (sentences are in order and do not overlap)."""
        i = bisect.bisect_right(self._starts, pos) - 1
        if i >= 0 and pos < self.sentences[i].end:
            return self.sentences[i]
        return None

    @property
    def _starts(self) -> list[int]:
        if len(self.cache.get("starts", ())) != len(self.sentences):
            self.cache["starts"] = [s.start for s in self.sentences]
        return self.cache["starts"]


def _is_heading(line: str) -> bool:
    s = line.strip()
    if not s or len(s) > 40 or "。" in s or s[0] in "・-*●◦•‣▪※":
        return False
    if _HEADING_MARK.match(s):
        return len(s) <= 40 and s.count("、") <= 1
    return s.endswith((":", "：")) or (len(s) <= 16 and "、" not in s and not re.search(r"\d{3,}", s))


def build_context(seg_text: str, base: int, header: str | None = None) -> Context:
    norm = normalize(seg_text)
    ctx = Context(norm=norm, base=base, header=header)
    heading = ""
    pos = 0
    for line in norm.text.split("\n"):
        lstart = pos
        pos += len(line) + 1
        if not line.strip():
            continue
        if _is_heading(line):
            heading = line.strip()
            ctx.sentences.append(Sentence(lstart, lstart + len(line), line, heading, True, False))
            continue
        list_line = len(line) <= 120 and not _SENT_END.search(line)
        bullet = bool(_BULLET.match(line))
        s = lstart
        for m in _SENT_END.finditer(line):
            if line[m.end():m.end() + 1] in (")", "」", "』"):
                continue  # 「(住所はありません。)」「「…しました。」と説明」: the sentence goes on
            e = lstart + m.end()
            ctx.sentences.append(Sentence(s, e, norm.text[s:e], heading, False, list_line, bullet))
            s = e
        if s < lstart + len(line):
            e = lstart + len(line)
            if norm.text[s:e].strip():
                ctx.sentences.append(Sentence(s, e, norm.text[s:e], heading, False, list_line, bullet))
    bg = cue("context", "background")
    for s_ in ctx.sentences:
        s_.background = not s_.is_heading and bool(bg.search(s_.text))
    return ctx
