"""The notice text as the judge searches it: normalised, split into lines, sentences and
heading sections, with every hit mapped back to offsets in ``Document.text``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jikenbo.text.normalize import Normalized, normalize

# Markers that open a heading line: "# ", "1.", "1)", "(1)", "第1", "■", "【" …
_MARKER = re.compile(
    r"^\s*(?:#{1,6}\s*|[■□●○◆◇▼▽▶▷]\s*|\(?\d{1,2}[.)、:]\s*|\(\d{1,2}\)\s*|第\d{1,2}[章節項]?\s*"
    r"|[一二三四五六七八九十]+[.、]\s*|\[[^\]]{1,30}\]\s*)+"
)
_BRACKET = re.compile(r"^\s*【([^】]{1,40})】\s*$")
_SENTENCE_END = re.compile(r"[。!?\n]")
NUMBER_OF_PEOPLE = re.compile(r"\d[\d,]*\s*(?:名|人|件|アカウント|世帯|社|ID)")


@dataclass(frozen=True)
class Heading:
    start: int  # normalised offsets of the heading line
    end: int
    title: str  # the heading words without markers
    section_end: int  # normalised offset where its section ends (next heading or end)


@dataclass
class TextView:
    """A notice's text (a segment of a document) for cue and heading search."""

    source: str
    original: str  # the full Document.text
    base: int  # offset of the segment in ``original``
    norm: Normalized
    headings: list[Heading] = field(default_factory=list)

    @classmethod
    def build(cls, source: str, document_text: str, start: int = 0, end: int = 0,
              *, max_heading_chars: int = 40, exclude: tuple[str, ...] = (),
              heading_words: tuple[str, ...] = ()) -> TextView:
        """``heading_words``: a short line without a marker is a heading only if it holds one."""
        if not (0 <= start < end <= len(document_text)):
            start, end = 0, len(document_text)
        view = cls(source, document_text, start, normalize(document_text[start:end]))
        view.headings = view._find_headings(max_heading_chars, exclude, heading_words)
        return view

    @property
    def text(self) -> str:
        return self.norm.text

    def span(self, start: int, end: int, **extra: object) -> dict:
        """An evidence span (original offsets) for the normalised ``[start, end)``."""
        s, e = self.norm.to_original(start, end)
        s, e = s + self.base, e + self.base
        out = {"source": self.source, "start": s, "end": e, "text": self.original[s:e]}
        out.update(extra)
        return out

    def sentence_at(self, pos: int) -> tuple[int, int]:
        """The normalised bounds of the sentence (or line) holding ``pos``."""
        t = self.text
        s = pos
        while s > 0 and (t[s - 1] not in "。!?\n" or t[s] in ")」』"):
            s -= 1
        m = _SENTENCE_END.search(t, pos)
        while m and m.group() != "\n" and m.end() < len(t) and t[m.end()] in ")」』":
            m = _SENTENCE_END.search(t, m.end())
        e = m.end() if m else len(t)
        while s < e and t[s].isspace():
            s += 1
        while e > s and t[e - 1].isspace():
            e -= 1
        return s, e

    def find(self, cues: list[str], *, within: tuple[int, int] | None = None) -> list[tuple[int, int, str]]:
        """Every occurrence of each cue (normalised offsets), first ones first."""
        lo, hi = within or (0, len(self.text))
        hits = []
        for cue in cues:
            i = self.text.find(cue, lo, hi)
            while i != -1 and i + len(cue) <= hi:
                hits.append((i, i + len(cue), cue))
                i = self.text.find(cue, i + len(cue), hi)
        hits.sort()
        return hits

    def _find_headings(self, max_chars: int, exclude: tuple[str, ...],
                       words: tuple[str, ...]) -> list[Heading]:
        lines = []
        pos = 0
        for line in self.text.split("\n"):
            lines.append((pos, pos + len(line), line))
            pos += len(line) + 1
        found: list[tuple[int, int, str]] = []
        for s, e, line in lines:
            stripped = line.strip()
            if not stripped or len(stripped) > max_chars or any(x in stripped for x in exclude):
                continue
            m = _BRACKET.match(stripped)
            if m:
                title = m.group(1)
            else:
                mm = _MARKER.match(stripped)
                title = stripped[mm.end():] if mm else stripped
                if not mm and (len(stripped) > 20 or stripped.endswith(("。", "、"))
                               or not any(w in stripped for w in words)):
                    continue
            title = title.strip(" :：")
            if not title or title.endswith("。") or NUMBER_OF_PEOPLE.fullmatch(title):
                continue
            found.append((s, e, title))
        out = []
        for i, (s, e, title) in enumerate(found):
            nxt = found[i + 1][0] if i + 1 < len(found) else len(self.text)
            out.append(Heading(s, e, title, nxt))
        return out
