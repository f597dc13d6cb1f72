"""What the casebook writes, as plain data: sentences with their notes, blocks, sections.

Renderers (Markdown, HTML, PDF) only lay these out; every word was chosen when the entry or
report was built. ``Sentence.text`` is plain text (stored values are never markup): each
renderer escapes it for its format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Note:
    """A footnote: the notice and the passage (``start``:``end`` of its document) a sentence
    comes from; ``start`` is None when the sentence rests on the notice as a whole."""

    n: int
    notice_id: str
    text: str
    start: int | None = None
    end: int | None = None
    quote: str | None = None


@dataclass
class Sentence:
    text: str
    notes: list[int] = field(default_factory=list)


@dataclass
class Block:
    """``p`` (a paragraph of sentences), ``ul`` (one sentence per item), ``table`` or ``chart``."""

    kind: str
    sentences: list[Sentence] = field(default_factory=list)
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    caption: str = ""
    svg: str = ""  # chart: SVG built by jikenbo.serve.charts (labels escaped there)


@dataclass
class Section:
    key: str
    title: str
    blocks: list[Block] = field(default_factory=list)
    anchor: str = ""


@dataclass
class Casebook:
    """One incident's entry (``kind="entry"``) or a month's / year's report (``"report"``)."""

    kind: str
    id: str
    title: str
    lang: str
    intro: str
    sections: list[Section] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)


class NoteBook:
    """Numbers footnotes in the order they are cited; the same passage gets the same number."""

    def __init__(self) -> None:
        self.notes: list[Note] = []
        self._seen: dict[tuple, int] = {}

    def add(self, notice_id: str, text: str, start: int | None = None, end: int | None = None,
            quote: str | None = None) -> int:
        key = (notice_id, start, end, None if start is not None else text)
        if key not in self._seen:
            n = len(self.notes) + 1
            self.notes.append(Note(n, notice_id, text, start, end, quote))
            self._seen[key] = n
        return self._seen[key]
