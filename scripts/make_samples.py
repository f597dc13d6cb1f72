#!/usr/bin/env python3
"""Write the bundled demo samples that are not plain UTF-8 text.

The sources are UTF-8 text files in ``scripts/sample_sources/`` (fictional notices written for
jikenbo). This script writes, into ``src/jikenbo/samples/``:

- a PDF (reportlab, built-in CID font HeiseiMin-W3, so no font file is needed),
- a Shift_JIS (cp932) text file,
- an EUC-JP text file.

Outputs are byte-for-byte reproducible (the PDF is written with ``invariant=1``), so
``--check`` can tell whether the committed files still match their sources.

Usage:
    python scripts/make_samples.py           # (re)write the outputs
    python scripts/make_samples.py --check   # exit 1 if an output is missing or stale
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ROOT / "scripts" / "sample_sources"
SAMPLES = ROOT / "src" / "jikenbo" / "samples"

# source file → (output file, kind)
OUTPUTS: dict[str, tuple[str, str]] = {
    "04_nanohana_vendor_ransomware.txt": ("04_nanohana_vendor_ransomware.pdf", "pdf"),
    "05_sasame_vendor_ransomware_sjis.txt": ("05_sasame_vendor_ransomware_sjis.txt", "cp932"),
    "08_kusunoki_emotet_eucjp.txt": ("08_kusunoki_emotet_eucjp.txt", "euc_jp"),
}

FONT = "HeiseiMin-W3"
FONT_SIZE = 10.5
TITLE_SIZE = 13


def _wrap(text: str, width: float, size: float) -> list[str]:
    """Break one paragraph into lines that fit ``width`` points (Japanese wraps anywhere)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    lines: list[str] = []
    current = ""
    for ch in text:
        if stringWidth(current + ch, FONT, size) > width and current:
            # keep closing punctuation on the line it closes
            if ch in "、。）」』】，．":
                current += ch
                lines.append(current)
                current = ""
                continue
            lines.append(current)
            current = ch
        else:
            current += ch
    lines.append(current)
    return lines


def render_pdf(text: str) -> bytes:
    """A4 pages, 20 mm margins; the first non-empty line after the header block is the title."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont(FONT))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle("jikenbo sample notice (fictional)")
    c.setAuthor("jikenbo")
    page_w, page_h = A4
    left, right, top, bottom = 20 * mm, 20 * mm, 20 * mm, 20 * mm
    width = page_w - left - right
    y = page_h - top
    paragraphs = text.rstrip("\n").split("\n")
    # line 0 = date, line 1 = organisation (right-aligned); line 3 = title (centred)
    for i, para in enumerate(paragraphs):
        size = TITLE_SIZE if i == 3 else FONT_SIZE
        lead = size * 1.7
        for line in _wrap(para, width, size) if para else [""]:
            if y < bottom + lead:
                c.showPage()
                y = page_h - top
            c.setFont(FONT, size)
            if i in (0, 1):
                c.drawRightString(page_w - right, y, line)
            elif i == 3:
                c.drawCentredString(page_w / 2, y, line)
            else:
                c.drawString(left, y, line)
            y -= lead
    c.showPage()
    c.save()
    return buf.getvalue()


def build(source: Path, kind: str) -> bytes:
    text = source.read_text(encoding="utf-8")
    if kind == "pdf":
        return render_pdf(text)
    return text.encode(kind)  # raises if the source holds a character the codec lacks


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="only check that outputs are up to date")
    args = ap.parse_args(argv)
    stale = 0
    for src_name, (out_name, kind) in OUTPUTS.items():
        data = build(SOURCES / src_name, kind)
        out = SAMPLES / out_name
        if args.check:
            if not out.is_file() or out.read_bytes() != data:
                print(f"{out.relative_to(ROOT)}: missing or stale (run scripts/make_samples.py)")
                stale += 1
            continue
        out.write_bytes(data)
        print(f"wrote {out.relative_to(ROOT)} ({kind}, {len(data)} bytes)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
