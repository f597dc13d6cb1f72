"""NFKC normalisation that keeps a map back to the original offsets.

Extraction runs on normalised text (half-width digits, ASCII punctuation, one tilde) but
every value's evidence must point into the text the user sees. ``normalize`` returns the
normalised string and, for each of its characters, the index of the original character it
came from, so ``to_original`` can turn any normalised span back into an original one.

Deviations from plain NFKC, each for a reason found in real notices:
- circled digits (①②…) become ``(1)``, not ``1``: NFKC would glue ``①1,000人`` into ``11,000人``;
- every wave dash and tilde variant (〜 ～ ~ 〰) becomes ``~``, so ranges such as
  ``2021年4月1日〜2024年5月14日`` keep their separator (neologdn drops it; jaconv turns it into ー);
- CR is dropped and NBSP/ideographic spaces become an ASCII space.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_TILDES = {"\u301c": "~", "\uff5e": "~", "\u3030": "~", "\u2053": "~", "\u223c": "~"}
_DASHES = {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2212": "-", "\uff0d": "-"}


def _circled(ch: str) -> str | None:
    name = unicodedata.name(ch, "")
    if name.startswith(("CIRCLED DIGIT", "CIRCLED NUMBER", "PARENTHESIZED DIGIT",
                        "PARENTHESIZED NUMBER", "DINGBAT NEGATIVE CIRCLED",
                        "NEGATIVE CIRCLED NUMBER", "DOUBLE CIRCLED")):
        digits = unicodedata.normalize("NFKC", ch)
        digits = "".join(c for c in digits if c.isdigit())
        if digits:
            return f"({digits})"
    return None


@lru_cache(maxsize=8192)
def _norm_char(ch: str) -> str:
    if ch in _TILDES:
        return _TILDES[ch]
    if ch in _DASHES:
        return _DASHES[ch]
    if ch == "\r":
        return ""
    if ch in ("\u00a0", "\u3000"):
        return " "
    if ch in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽❶❷❸❹❺❻❼❽❾❿":
        c = _circled(ch)
        if c:
            return c
    n = unicodedata.normalize("NFKC", ch)
    return "~" if n == "\uff5e" else n


@dataclass(frozen=True, slots=True)
class Normalized:
    """Normalised text plus ``origin[i]``: the original index of normalised char ``i``.

    ``origin`` has one extra entry at the end (the original length) so that an exclusive
    end offset maps too.
    """

    text: str
    origin: tuple[int, ...]
    ends: tuple[int, ...] = ()  # ``ends[i]``: original end of normalised char ``i`` (default origin+1)

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised ``[start, end)`` span to the original text."""
        start = max(0, min(start, len(self.text)))
        end = max(start, min(end, len(self.text)))
        if end == start:
            o = self.origin[start]
            return o, o
        last = self.ends[end - 1] if self.ends else self.origin[end - 1] + 1
        return self.origin[start], last


# Characters NFKC leaves alone and we do too: ASCII but CR, kana, CJK ideographs, 、。「」.
_STABLE = re.compile(r"[\x00-\x0c\x0e-\x7f\u3041-\u3096\u30a1-\u30fa\u30fc\u4e00-\u9fff\u3001\u3002\u300c-\u300f]+")


def normalize(text: str) -> Normalized:
    """Normalise ``text`` (see module doc) and keep the offset map.

    Runs of characters that normalise to themselves are copied whole; only the others go
    through per-character NFKC.
    """
    if text.isascii() and "\r" not in text:
        return Normalized(text, tuple(range(len(text) + 1)), tuple(range(1, len(text) + 1)))
    out: list[str] = []
    origin: list[int] = []
    ends: list[int] = []
    _run(text, out, origin, ends)
    origin.append(len(text))
    return Normalized("".join(out), tuple(origin), tuple(ends))


def _run(text: str, out: list[str], origin: list[int] | None, ends: list[int] | None) -> None:
    """Append the normalised pieces of ``text`` to ``out`` and, unless None, each normalised
    character's original start to ``origin`` and end to ``ends``."""
    pos = 0
    n = len(text)
    while pos < n:
        m = _STABLE.match(text, pos)
        if m:
            e = m.end()
            out.append(text[pos:e])
            if origin is not None and ends is not None:
                origin.extend(range(pos, e))
                ends.extend(range(pos + 1, e + 1))
            pos = e
            continue
        ch = text[pos]
        norm = _norm_char(ch)
        if norm and out and unicodedata.combining(norm[0]):
            # half-width dakuten etc.: compose with the previous character
            prev = out[-1]
            merged = unicodedata.normalize("NFC", prev[-1] + norm[0])
            if len(merged) == 1:
                out[-1] = prev[:-1] + merged
                if ends is not None:
                    ends[-1] = pos + 1
                norm = norm[1:]
        if norm:
            out.append(norm)
        if origin is not None and ends is not None:
            origin.extend([pos] * len(norm))
            ends.extend([pos + 1] * len(norm))
        pos += 1


def nfkc(text: str) -> str:
    """Normalised text without the offset map (for keys, names, comparisons and whole-page
    checks): the same text as ``normalize(text).text``, without building the map."""
    if text.isascii() and "\r" not in text:
        return text
    out: list[str] = []
    _run(text, out, None, None)
    return "".join(out)
