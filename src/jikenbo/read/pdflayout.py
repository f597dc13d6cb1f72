"""Reading order of a PDF page from its character boxes: vertical columns right to left.

PDFium returns the columns of vertical Japanese text (縦書き) left to right, the reverse of
reading order. ``layout`` rebuilds lines from the characters' boxes, in the order the page
draws them: a character continues a line when it sits just below the previous one in the same
column (vertical) or just right of it on the same baseline (horizontal). Columns whose heights
overlap form a tier (段); tiers and horizontal lines are read top to bottom, the columns of a
tier right to left, and a wide gap between two columns (an empty column) is a paragraph break.

Pure geometry over plain tuples, so it is tested without a PDF.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise
from statistics import median


@dataclass(frozen=True)
class Char:
    """One character of the page with its box in page units (y grows upwards)."""

    text: str
    left: float
    bottom: float
    right: float
    top: float

    @property
    def cx(self) -> float:
        return (self.left + self.right) / 2

    @property
    def cy(self) -> float:
        return (self.bottom + self.top) / 2

    @property
    def size(self) -> float:
        return max(self.right - self.left, self.top - self.bottom, 0.01)

    @property
    def height(self) -> float:
        """The box's height: in a column, the character's advance (one em). PDFium's loose box
        of a vertical font's glyph is up to two ems wide, so ``size`` is no measure down a column."""
        return max(self.top - self.bottom, 0.01)


@dataclass
class Line:
    chars: list[Char] = field(default_factory=list)
    vertical: bool | None = None  # None while it holds one character

    @property
    def left(self) -> float:
        return min(c.left for c in self.chars)

    @property
    def right(self) -> float:
        return max(c.right for c in self.chars)

    @property
    def top(self) -> float:
        return max(c.top for c in self.chars)

    @property
    def bottom(self) -> float:
        return min(c.bottom for c in self.chars)

    @property
    def cx(self) -> float:
        return median(c.cx for c in self.chars if not c.text.isspace()) if self.ink else self.chars[0].cx

    @property
    def ink(self) -> int:
        return sum(1 for c in self.chars if not c.text.isspace())

    def text(self) -> str:
        """The characters in order; a gap wider than a space (a word space PDFium would have
        made up, a blank in a column) becomes one space."""
        out = [self.chars[0].text]
        for prev, ch in pairwise(self.chars):
            gap = prev.bottom - ch.top if self.vertical else ch.left - prev.right
            em = max(prev.height, ch.height) if self.vertical else max(prev.size, ch.size)
            if gap > _SPACE * em and not (prev.text.isspace() or ch.text.isspace()):
                out.append(" " if prev.text.isascii() and ch.text.isascii() else "\u3000")
            out.append(ch.text)
        return "".join(out).rstrip()


# A character continues a line when it is within these multiples of the character size (down a
# column, along it, of the boxes' height: the larger side of a vertical glyph's box is its width,
# up to two ems, and by it the gap between two tiers passed for a blank inside a column).
_ACROSS = 0.5  # off the line's axis (column centre / baseline)
_GAP = 2.5  # along it, from the previous character's edge
_OVERLAP = -0.35  # how far it may overlap the previous character
_SPACE = 0.2  # a gap this wide between two characters is a space


def step(prev: Char, ch: Char) -> str | None:
    """'v' if ``ch`` continues a column below ``prev``, 'h' if a line right of it, else None."""
    s = max(prev.size, ch.size)
    em = max(prev.height, ch.height)
    if abs(ch.cx - prev.cx) <= _ACROSS * s and _OVERLAP * em <= prev.bottom - ch.top <= _GAP * em:
        return "v"
    if abs(ch.cy - prev.cy) <= _ACROSS * s and _OVERLAP * s <= ch.left - prev.right <= _GAP * s:
        return "h"
    return None


def build_lines(chars: list[Char]) -> list[Line]:
    """Lines (columns or rows) in drawing order; white space joins the line it falls in."""
    lines: list[Line] = []
    cur: Line | None = None
    for ch in chars:
        if not ch.text or ch.text in "\r\n":
            continue
        if cur is not None and cur.chars:
            way = step(cur.chars[-1], ch)
            if way is not None and (cur.vertical is None or cur.vertical == (way == "v")):
                cur.vertical = way == "v"
                cur.chars.append(ch)
                continue
        cur = Line([ch])
        lines.append(cur)
    return [ln for ln in lines if ln.ink]


def vertical_share(lines: list[Line]) -> float:
    """Share of the page's characters that stand in vertical columns."""
    total = sum(ln.ink for ln in lines)
    return sum(ln.ink for ln in lines if ln.vertical) / total if total else 0.0


def _tiers(columns: list[Line]) -> list[list[Line]]:
    """Columns grouped into tiers: columns whose vertical extents overlap share a tier."""
    tiers: list[tuple[float, float, list[Line]]] = []
    for col in sorted(columns, key=lambda c: -c.top):
        if tiers and col.top > tiers[-1][0]:
            lo, hi, members = tiers[-1]
            tiers[-1] = (min(lo, col.bottom), max(hi, col.top), [*members, col])
        else:
            tiers.append((col.bottom, col.top, [col]))
    return [members for _lo, _hi, members in tiers]


def _tier_text(columns: list[Line]) -> list[str]:
    cols = sorted(columns, key=lambda c: -c.cx)
    gaps = [a.cx - b.cx for a, b in pairwise(cols)]
    pitch = sorted(gaps)[len(gaps) // 4] if gaps else 0.0  # the usual pitch, not pulled up by wide gaps
    out = [cols[0].text()]
    for gap, col in zip(gaps, cols[1:], strict=False):
        if pitch and gap > 1.8 * pitch:
            out.append("")  # an empty column: a paragraph break
        out.append(col.text())
    return out


def layout(lines: list[Line]) -> str:
    """The page's text in reading order: tiers of columns right to left, rows top down."""
    # on a page of columns, a line of one character is a short column
    columns = [ln for ln in lines if ln.vertical or (ln.vertical is None and len(lines) > 1)]
    rows = [ln for ln in lines if not (ln.vertical or (ln.vertical is None and len(lines) > 1))]
    blocks: list[tuple[float, list[str]]] = [(-row.top, [row.text()]) for row in rows]
    blocks += [(-max(c.top for c in tier), _tier_text(tier)) for tier in _tiers(columns)]
    blocks.sort(key=lambda b: b[0])
    return "\n\n".join("\n".join(text) for _top, text in blocks)
