"""Fictional PDFs made in the tests: reportlab (built-in CID fonts, no font file needed) for
horizontal and vertical Japanese, and hand-written PDF syntax for fonts reportlab will not
write (a ToUnicode map that sends glyphs to the wrong characters). Every text is made up."""

from __future__ import annotations

import io
from collections.abc import Callable

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

HORIZONTAL = "HeiseiKakuGo-W5"
VERTICAL = "HeiseiMin-W3-V"


def _fonts() -> None:
    if HORIZONTAL not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(HORIZONTAL))
    if VERTICAL not in pdfmetrics.getRegisteredFontNames():
        font = UnicodeCIDFont("HeiseiMin-W3", isVertical=True)  # UniJIS-UCS2-V: glyphs advance downwards
        font.name = font.fontName = VERTICAL
        pdfmetrics.registerFont(font)


def pdf(*pages: Callable[[canvas.Canvas], None], title: str | None = None, size: tuple[float, float] = A4) -> bytes:
    """A PDF with one page per drawing function."""
    _fonts()
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=size, invariant=1)
    if title is not None:
        c.setTitle(title)
    for draw in pages:
        draw(c)
        c.showPage()
    c.save()
    return buf.getvalue()


def rows(lines: list[str], *, top: float = 780, size: float = 12) -> Callable[[canvas.Canvas], None]:
    def draw(c: canvas.Canvas) -> None:
        c.setFont(HORIZONTAL, size)
        for i, line in enumerate(lines):
            c.drawString(60, top - i * size * 2, line)
    return draw


def columns(tiers: list[list[str]], *, right: float = 540, top: float = 800, size: float = 12,
            heading: str | None = None, blank_after: int | None = None) -> Callable[[canvas.Canvas], None]:
    """Vertical text: each tier's columns from ``right`` leftwards; tiers one below another.
    ``heading`` is a horizontal line above the columns; ``blank_after`` leaves an empty column
    after that column of each tier (a paragraph break)."""
    def draw(c: canvas.Canvas) -> None:
        y = top
        if heading is not None:
            c.setFont(HORIZONTAL, size)
            c.drawString(60, y, heading)
            y -= size * 3
        c.setFont(VERTICAL, size)
        for tier in tiers:
            x = right
            for i, col in enumerate(tier):
                c.drawString(x, y, col)
                x -= size * 1.8 * (2 if blank_after is not None and i == blank_after else 1)
            y -= size * (max(len(col) for col in tier) + 3)
    return draw


def landscape_columns(tiers: list[list[str]], **kw: float) -> bytes:
    return pdf(columns(tiers, right=780, top=560, **kw), size=landscape(A4))  # type: ignore[arg-type]


# --------------------------------------------------------------------------- raw PDF syntax


def raw_pdf(content: bytes, font: bytes, extra: list[bytes] | None = None) -> bytes:
    """One A4 page drawing ``content`` with font /F1 (object 5); ``extra`` objects follow as 8, 9 …"""
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >>"
        b" /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content) + 1, content),
        font,
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HeiseiMin-W3 /CIDSystemInfo << /Registry (Adobe)"
        b" /Ordering (Japan1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Type /FontDescriptor /FontName /HeiseiMin-W3 /Flags 6 /FontBBox [0 -141 1000 859] /ItalicAngle 0"
        b" /Ascent 859 /Descent -141 /CapHeight 700 /StemV 80 >>",
        *(extra or []),
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for i, obj in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (i, obj)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


def wrong_map_pdf(lines: int = 6, per_line: int = 24) -> bytes:
    """Glyphs whose ToUnicode map sends them to IPA letters, Greek, Bengali and combining marks:
    what a broken CID font gives a text extractor (「ɹɹং Θͨ͘͠ͱ͍…」)."""
    targets = [0x0279, 0x0279, 0x0982, 0x0398, 0x0368, 0x0358, 0x0360, 0x0371, 0x034D, 0x037E, 0x0250, 0x03B1]
    cids = list(range(842, 842 + len(targets)))
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Wrong def"
            b" 1 begincodespacerange <0000> <FFFF> endcodespacerange %d beginbfchar " % len(cids)
            + b" ".join(b"<%04x> <%04x>" % (c, t) for c, t in zip(cids, targets, strict=True))
            + b" endbfchar endcmap CMapName currentdict /CMap defineresource pop end end")
    body = b"BT /F1 12 Tf\n"
    for i in range(lines):
        codes = "".join(f"{cids[(i + k) % len(cids)]:04x}" for k in range(per_line))
        body += b"1 0 0 1 60 %d Tm <%s> Tj\n" % (780 - 24 * i, codes.encode())
    body += b"ET"
    font = (b"<< /Type /Font /Subtype /Type0 /BaseFont /HeiseiMin-W3-Identity-H /Encoding /Identity-H"
            b" /DescendantFonts [6 0 R] /ToUnicode 8 0 R >>")
    return raw_pdf(body, font, [b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap) + 1, cmap)])


def hiragana_pdf(text: str) -> bytes:
    """One line of hiragana in a CID font by raw CIDs (Adobe-Japan1: ぁ–ん are CIDs 842–924)."""
    codes = "".join(f"{842 + ord(c) - 0x3041:04x}" for c in text)
    font = (b"<< /Type /Font /Subtype /Type0 /BaseFont /HeiseiMin-W3-Identity-H /Encoding /Identity-H"
            b" /DescendantFonts [6 0 R] >>")
    return raw_pdf(b"BT /F1 12 Tf 1 0 0 1 60 780 Tm <%s> Tj ET" % codes.encode(), font)
