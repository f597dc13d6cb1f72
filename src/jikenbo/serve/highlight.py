"""Notice text with its evidence spans marked, built by escaping every piece of text.

The notice text is untrusted: it is never marked safe as a whole. The text between span
boundaries is escaped piece by piece and only our own ``<mark>`` tags are added around it.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from markupsafe import Markup, escape


@dataclass(frozen=True)
class Span:
    """A span of the document text to mark; ``key`` names it in the page (``ev-<key>``)."""

    key: str
    start: int
    end: int
    field: str = ""


def valid_spans(spans: list[Span], lo: int, hi: int) -> list[Span]:
    """The spans that lie inside ``[lo, hi)`` and are not empty."""
    return [s for s in spans if isinstance(s.start, int) and isinstance(s.end, int)
            and lo <= s.start < s.end <= hi]


def highlight(text: str, spans: list[Span], *, offset: int = 0) -> Markup:
    """``text`` (which begins at ``offset`` of the document) as HTML with ``<mark>`` per span.

    Overlapping spans are cut at every boundary: each piece is one ``<mark>`` listing all the
    spans that cover it in ``data-ev``; the first piece of a span carries ``id="ev-<key>"`` (or an
    empty anchor just before it, when several spans start at the same place).
    """
    inside = valid_spans(spans, offset, offset + len(text))
    cuts = {0, len(text)}
    for s in inside:
        cuts.add(s.start - offset)
        cuts.add(s.end - offset)
    points = sorted(cuts)
    started: set[str] = set()
    out: list[str] = []
    for a, b in itertools.pairwise(points):
        piece = escape(text[a:b])
        cover = [s for s in inside if s.start - offset <= a and b <= s.end - offset]
        if not cover:
            out.append(piece)
            continue
        keys = " ".join(s.key for s in cover)
        fields = " ".join(sorted({s.field for s in cover if s.field}))
        new = [s.key for s in cover if s.key not in started]
        started.update(new)
        attrs = f' id="ev-{escape(new[0])}"' if new else ""
        # more spans starting here: an empty anchor each, so every #ev-<key> link has a target
        anchors = "".join(f'<span class="evanchor" id="ev-{escape(k)}"></span>' for k in new[1:])
        out.append(f'{anchors}<mark class="ev"{attrs} data-ev="{escape(keys)}" data-fields="{escape(fields)}">{piece}</mark>')
    return Markup("".join(out))
