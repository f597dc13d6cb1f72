"""PDF: the text layer by PDFium (pypdfium2), in reading order, checked for readability.

* Horizontal pages keep PDFium's own text (its lines and word spaces), margin-wrapped lines
  joined. Pages whose characters stand mostly in vertical columns are laid out again from the
  character boxes (``pdflayout``): columns right to left, tiers top down.
* Without a CJK system font PDFium measures vertical glyphs as zero-width and leaves out every
  text object so measured (half of a 縦書き page). Such objects are read a second time with
  the page's objects turned a quarter turn (the text objects set apart, so that PDFium takes
  no two neighbouring columns of the same text for one), and their boxes turned back.
* A page whose text is not Japanese-looking (a font that maps its glyphs to symbols, foreign
  scripts, private-use or unassigned code points) is not extracted from: the document fails
  with one line when no page is readable, and a warning names the pages left out otherwise.
* The title is the first heading of the text; the metadata title only when the text has none
  and it is not a generator's or a file's name (「Microsoft Word - お知らせ.docx」).

PDFium is not thread-safe: every call goes through one lock.
"""

from __future__ import annotations

import ctypes
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from jikenbo.config import lexicon
from jikenbo.read.base import ReadFailure, ReadOptions, _one_line, _unify_newlines
from jikenbo.read.html import _clean
from jikenbo.read.pdflayout import Char, build_lines, layout, step, vertical_share
from jikenbo.text.chars import JAPANESE, is_japanese, is_kanji

_PDFIUM_LOCK = threading.Lock()
_QUARTER = (0.0, 1.0, -1.0, 0.0, 0.0, 0.0)  # (x, y) -> (-y, x)
# On the turned page the text objects stand this many page sizes apart, in turns of _SHIFTS:
# PDFium drops a text object as a duplicate (a fake-bold or shadow copy) when one of the five
# text objects before it holds the same characters from nearly the same start, allowing an
# eighth of its length across the line, and two neighbouring turned columns of the same
# text more than about eight pitches long (two rules of 16 ー, say) pass for one.
_APART = 2.0
_SHIFTS = 8


@dataclass
class PdfText:
    text: str
    title: str | None
    warnings: list[str] = field(default_factory=list)


def _pdf_text(data: bytes, source: str, opts: ReadOptions | None = None) -> PdfText:
    opts = opts if opts is not None else ReadOptions.from_settings()
    with _PDFIUM_LOCK:
        pages, meta_title = _read_pages(data, source, opts)
    readable: list[str] = []
    unreadable: list[int] = []
    damaged = [number for number, page in enumerate(pages, 1) if page is None]
    for number, page in enumerate(pages, 1):
        if page is None or not page.strip():
            continue
        if _looks_unreadable(page, opts):
            unreadable.append(number)
        else:
            readable.append(page)
    if not readable:
        if unreadable:
            raise ReadFailure(source, "PDF text is unreadable (its fonts map characters to symbols or "
                              "foreign scripts, not Japanese; needs OCR)")
        if damaged:
            raise ReadFailure(source, f"corrupt PDF ({_page_list(damaged)} cannot be read)")
        raise ReadFailure(source, "PDF has no text layer (scanned image?)")
    warnings = [f"{_page_list(damaged)} left out: damaged, cannot be read"] if damaged else []
    if unreadable:
        warnings.append(f"{_page_list(unreadable)} left out: text unreadable (not Japanese-looking)")
    text = _unify_newlines("\n\n".join(_unwrap_pdf_lines(p.strip("\n")) for p in readable)).strip("\n")
    return PdfText(text + "\n", _first_heading(text) or _meta_title(meta_title), warnings)


def _page_list(numbers: list[int]) -> str:
    shown = ", ".join(map(str, numbers[:10])) + (f" and {len(numbers) - 10} more" if len(numbers) > 10 else "")
    return f"page{'s' if len(numbers) > 1 else ''} {shown}"


# --------------------------------------------------------------------------- PDFium


def _open(data: bytes, source: str) -> Any:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        code = getattr(e, "err_code", None)
        if code == raw.FPDF_ERR_PASSWORD:
            raise ReadFailure(source, "encrypted PDF (no password support)") from e
        if code == raw.FPDF_ERR_SECURITY:
            raise ReadFailure(source, "encrypted PDF (unsupported security handler)") from e
        if code == raw.FPDF_ERR_FORMAT:
            raise ReadFailure(source, "corrupt PDF (not a PDF file or damaged beyond repair)") from e
        raise ReadFailure(source, f"corrupt PDF ({_one_line(str(e))})") from e


def _read_pages(data: bytes, source: str, opts: ReadOptions) -> tuple[list[str | None], str | None]:
    """The text of each page (None for a page PDFium cannot load) and the metadata title."""
    import pypdfium2 as pdfium

    pdf = _open(data, source)
    try:
        n = len(pdf)
        if n > opts.pdf_max_pages:
            raise ReadFailure(source, f"PDF has too many pages ({n:,}; the limit is {opts.pdf_max_pages:,})")
        pages: list[str | None] = []
        for i in range(n):
            try:
                page = pdf[i]
            except pdfium.PdfiumError:
                pages.append(None)  # a damaged page: the others are still read
                continue
            try:
                pages.append(_page_text(page, opts))
            finally:
                page.close()
        try:
            title = pdf.get_metadata_value("Title")
        except Exception:
            title = None
        return pages, title
    finally:
        pdf.close()


def _address(ptr: Any) -> int:
    return ctypes.cast(ptr, ctypes.c_void_p).value or 0


def _char(raw: Any, tp: Any, i: int, rect: Any) -> Char | None:
    """Character ``i`` of text page ``tp`` with its loose box; None for one PDFium made up."""
    if raw.FPDFText_IsGenerated(tp, i) == 1 or not raw.FPDFText_GetLooseCharBox(tp, i, rect):
        return None
    code = raw.FPDFText_GetUnicode(tp, i)
    broken = (code in (0, 0xFFFE, 0xFFFF) or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF
              or raw.FPDFText_HasUnicodeMapError(tp, i) == 1)
    return Char("\ufffd" if broken else chr(code), rect.left, rect.bottom, rect.right, rect.top)


def _chars(textpage: Any, *, turned: dict[int, float] | None = None,
           objects: bool = False) -> list[tuple[int, int, Char]]:
    """(object address or 0, index, Char) for each drawn character of ``textpage``; boxes of a
    page turned by ``_QUARTER`` are turned back, ``turned`` giving the objects' shifts along x."""
    import pypdfium2.raw as raw

    out = []
    tp = textpage.raw
    rect = raw.FS_RECTF()
    for i in range(textpage.count_chars()):
        ch = _char(raw, tp, i, rect)
        if ch is None:
            continue
        obj = _address(raw.FPDFText_GetTextObject(tp, i)) if objects or turned is not None else 0
        if turned is not None:  # undo (x, y) -> (shift - y, x)
            shift = turned.get(obj, 0.0)
            ch = Char(ch.text, ch.bottom, shift - ch.right, ch.top, shift - ch.left)
        out.append((obj if objects else 0, i, ch))
    return out


def _may_be_vertical(textpage: Any, samples: int = 200) -> bool:
    """Whether pairs of neighbouring characters, sampled over the page, ever step downwards in
    a column: the cheap test that spares horizontal pages the full layout."""
    import pypdfium2.raw as raw

    tp = textpage.raw
    rect = raw.FS_RECTF()
    n = textpage.count_chars()
    for i in range(0, max(n - 1, 0), max(1, n // samples)):
        a, b = _char(raw, tp, i, rect), _char(raw, tp, i + 1, rect)
        if a is not None and b is not None and not (a.text.isspace() or b.text.isspace()) and step(a, b) == "v":
            return True
    return False


def _page_text(page: Any, opts: ReadOptions) -> str:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    text_objects = list(page.get_objects(filter=[raw.FPDF_PAGEOBJ_TEXT]))
    missed = {_address(o.raw) for o in text_objects if _zero_width(o)}  # PDFium leaves these out
    textpage = page.get_textpage()
    try:
        plain = textpage.get_text_range()
        if not missed and not _may_be_vertical(textpage):
            return _CONTROLS.sub("", _unify_newlines(plain))
        found = _chars(textpage, objects=bool(missed))
    finally:
        textpage.close()
    extra: list[tuple[int, int, Char]] = []
    if missed:
        seen = {obj for obj, _i, _c in found}
        apart = _APART * max(page.get_size())
        shifts: dict[int, float] = {}
        for o in page.get_objects(max_depth=1):
            shift = 0.0
            if o.type == raw.FPDF_PAGEOBJ_TEXT:
                shift = shifts[_address(o.raw)] = apart * (len(shifts) % _SHIFTS)
            o.transform(pdfium.PdfMatrix(*_QUARTER[:4], shift, 0.0))
        turned_page = page.get_textpage()
        try:
            turned = [t for t in _chars(turned_page, turned=shifts, objects=True) if t[0] not in seen]
        finally:
            turned_page.close()
        extra = turned if any(not t[2].text.isspace() for t in turned) else []
    if extra:  # the objects' drawing order, each object's characters in their own order
        order = {_address(o.raw): k for k, o in enumerate(text_objects)}
        found = sorted(found + extra, key=lambda t: (order.get(t[0], -1), t[1]))
    chars = [c for _o, _i, c in found]
    lines = build_lines(chars)
    if extra or vertical_share(lines) >= opts.pdf_vertical_share:
        return _CONTROLS.sub("", layout(lines))
    return _CONTROLS.sub("", _unify_newlines(plain))


_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ufeff\ufffe\uffff]")


def _zero_width(obj: Any) -> bool:
    try:
        left, _bottom, right, _top = obj.get_bounds()
    except Exception:
        return False
    return abs(right - left) < 0.01


# --------------------------------------------------------------------------- readability

# Categories of characters that Japanese text does not hold: other scripts' letters and marks,
# private-use, unassigned and control code points. Symbols (S*) are counted apart.
_PLAIN = re.compile(f"[\\x21-\\x7e{JAPANESE}\\u3001-\\u303f\\uff01-\\uff9f]+")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff\uff21-\uff3a\uff41-\uff5a]")


def _char_kind(ch: str) -> str:
    """'ok', 'symbol' or 'bad' for one non-space character of a page."""
    if ch.isascii() or is_japanese(ch):
        return "ok"
    o = ord(ch)
    if ch == "\ufffd":
        return "bad"
    cat = unicodedata.category(ch)
    if (0x3000 <= o <= 0x303F or 0xFF01 <= o <= 0xFFEF or 0x2000 <= o <= 0x206F or 0x3099 <= o <= 0x309C
            or 0x2E80 <= o <= 0x2FDF or 0x3200 <= o <= 0x33FF or 0x31F0 <= o <= 0x31FF):
        # CJK and general punctuation, full- and half-width forms, dakuten; radicals (⽇ for 日,
        # NFKC undoes them), ㈱ ㍿ ㎡, small katakana extensions
        return "ok"
    if cat.startswith("L"):
        return "ok" if _LATIN.match(ch) or is_kanji(ch) else "bad"
    if cat.startswith("N"):
        return "ok"  # ①, Ⅳ, ¼
    if cat.startswith("S"):
        return "symbol"
    if cat.startswith("P") or cat == "Zs":
        return "ok"
    return "bad"  # Mn/Mc/Me (combining marks of other scripts), Co, Cn, Cc, Cf, Cs


def _looks_unreadable(text: str, opts: ReadOptions) -> bool:
    """True when the page's text is too full of symbols or foreign script to be Japanese."""
    plain = sum(map(len, _PLAIN.findall(text)))  # ASCII, kana, kanji, CJK punctuation: no look-up
    kinds = [_char_kind(ch) for ch in _PLAIN.sub("", text) if not ch.isspace()]
    total = plain + len(kinds)
    if total < opts.pdf_min_check_chars:
        return bool(kinds) and not plain and kinds.count("bad") == len(kinds)
    bad = kinds.count("bad") / total
    odd = bad + kinds.count("symbol") / total
    return bad > opts.pdf_max_foreign_share or odd > opts.pdf_max_symbol_share


# --------------------------------------------------------------------------- title


@cache
def _title_rules() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    lex = lexicon("read")["pdf_title"]
    return (re.compile("|".join(lex["title_words"])),
            re.compile("|".join(lex["not_headings"])),
            re.compile("|".join(lex["generated"]), re.IGNORECASE))


def _first_heading(text: str) -> str | None:
    """The first line of the opening lines that reads as a notice's heading."""
    words, not_heading, _generated = _title_rules()
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()][:12]
    for ln in lines:
        if 4 <= len(ln) <= 80 and words.search(ln) and not not_heading.search(ln) and not ln.endswith("。"):
            return _clean(ln)
    return None


def _meta_title(title: str | None) -> str | None:
    title = _clean(title) if title else None
    if not title:
        return None
    _words, _not_heading, generated = _title_rules()
    return None if generated.search(title) else title


# --------------------------------------------------------------------------- lines

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
