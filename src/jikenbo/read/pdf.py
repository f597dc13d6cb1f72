"""PDF: the text layer by pypdf, margin-wrapped lines joined."""

from __future__ import annotations

import io
import logging
import re
from typing import Any

from jikenbo.read.base import ReadFailure, _one_line, _unify_newlines
from jikenbo.read.html import _clean


def _pdf_text(data: bytes, source: str) -> tuple[str, str | None]:
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings on damaged files are noise to users
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            try:
                opened = reader.decrypt("")  # permissions-only PDFs open with the empty password
            except DependencyError as e:
                raise ReadFailure(source, "encrypted PDF (AES: needs the cryptography package)") from e
            if not opened:
                raise ReadFailure(source, "encrypted PDF (no password support)")
        pages = [(page.extract_text() or "") for page in reader.pages]
        title = _pdf_title(reader)
    except ReadFailure:
        raise
    except FileNotDecryptedError as e:
        raise ReadFailure(source, "encrypted PDF (no password support)") from e
    except Exception as e:  # pypdf raises many kinds of error on damaged files
        kind = "" if isinstance(e, PdfReadError) else f"{type(e).__name__}: "
        raise ReadFailure(source, f"corrupt PDF ({kind}{_one_line(str(e))})") from e
    text = _unify_newlines("\n\n".join(_unwrap_pdf_lines(p.strip("\n")) for p in pages)).strip("\n")
    if not text.strip():
        raise ReadFailure(source, "PDF has no text layer (scanned image?)")
    return text + "\n", title


_PDF_LINE_END = re.compile(r"[。．.!?！？」』）)】:：]\s*$")
_PDF_LINE_START = re.compile(r"^\s*(?:[・\-*●■◆□◇○※【(（<＜]|\d{1,2}[.．)、]|第\d|[0-9０-９]{4}年)")


def _unwrap_pdf_lines(page: str) -> str:
    """Join the lines a PDF wrapped at its right margin (「…の提供会社である株\n式会社…」).

    A line is a wrapped one when it is nearly as long as the page's longest lines, does not end
    a sentence, and the next line does not open an item or a heading. Japanese needs no space
    at the join.
    """
    lines = page.split("\n")
    widths = sorted(len(ln.rstrip()) for ln in lines if ln.strip())
    if len(widths) < 3:
        return page
    full = widths[int(len(widths) * 0.9) - 1] if len(widths) >= 10 else widths[-1]
    out: list[str] = []
    for ln in lines:
        if (out and out[-1].strip() and ln.strip() and len(out[-1].rstrip()) >= full * 0.9 and full >= 20
                and not _PDF_LINE_END.search(out[-1]) and not _PDF_LINE_START.match(ln)):
            prev = out[-1].rstrip()
            out[-1] = prev + (" " if prev[-1:].isascii() and ln.lstrip()[:1].isascii() else "") + ln.lstrip()
        else:
            out.append(ln)
    return "\n".join(out)


def _pdf_title(reader: Any) -> str | None:
    try:
        meta = reader.metadata
        title = meta.title if meta is not None else None
    except Exception:
        return None
    return _clean(title) if title else None


# --------------------------------------------------------------------------- HTML
