"""The read stage: paths, folders, URLs and stdin in; ``Document`` or ``ReadError`` out.

``read_inputs`` streams one result per readable input and never raises for a bad one: each
failure becomes a ``ReadError`` whose message is one line for the user. ``decode_bytes`` is
the pure core (bytes → ``Document``) that every kind of input goes through:

* text: BOM → ISO-2022-JP escapes → strict UTF-8 → charset hint (HTTP header, HTML
  ``<meta>``) → legacy Japanese codecs scored on their output → charset_normalizer;
* HTML: the page's main text by trafilatura, with a plain body-text fallback, title and
  the publication date from machine-readable metadata only;
* PDF: the text layer by pypdf.

``Document.text`` keeps the text as decoded (no NFKC: later stages normalise with an offset
map); only line ends are unified to ``\\n``.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import json
import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from jikenbo.config import settings
from jikenbo.models import Document, ReadError

log = logging.getLogger(__name__)

TEXT, HTML, PDF = "text/plain", "text/html", "application/pdf"
_URL_TYPES = {"text/html": HTML, "application/xhtml+xml": HTML, "text/plain": TEXT, "application/pdf": PDF}


class ReadFailure(Exception):
    """An input that cannot be read; ``str(e) == "<source>: <reason>"``."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = _one_line(reason)
        super().__init__(f"{source}: {self.reason}")


@dataclass(frozen=True)
class ReadOptions:
    """The read stage's limits, from ``settings("read")`` unless given."""

    max_bytes: int = 20_971_520
    timeout_seconds: float = 20.0
    max_redirects: int = 5
    user_agent: str = "jikenbo"
    min_text_chars: int = 40
    fallback_ratio: float = 0.2
    favor_recall: bool = True
    sniff_bytes: int = 65536
    binary_control_ratio: float = 0.05
    japanese_min_score: float = 0.7
    boilerplate_names: tuple[str, ...] = ("breadcrumb", "sidebar", "menu", "footer", "share", "ranking")
    text_extensions: tuple[str, ...] = (".txt", ".text", ".md")
    html_extensions: tuple[str, ...] = (".html", ".htm", ".xhtml")
    pdf_extensions: tuple[str, ...] = (".pdf",)

    @classmethod
    def from_settings(cls) -> ReadOptions:
        s = dict(settings("read"))
        ext = s.pop("extensions", {})
        known = {k: tuple(v) if isinstance(v, list) else v
                 for k, v in s.items() if k in cls.__dataclass_fields__}
        for kind in ("text", "html", "pdf"):
            if kind in ext:
                known[f"{kind}_extensions"] = tuple(e.lower() for e in ext[kind])
        return cls(**known)

    def media_type_for(self, path: str) -> str | None:
        ext = os.path.splitext(path)[1].lower()
        if ext in self.text_extensions:
            return TEXT
        if ext in self.html_extensions:
            return HTML
        if ext in self.pdf_extensions:
            return PDF
        return None


def _one_line(text: str) -> str:
    line = " ".join(str(text).split())
    return line[:300] if line else "unknown error"


def _options(options: ReadOptions | None) -> ReadOptions:
    return options if options is not None else ReadOptions.from_settings()


# --------------------------------------------------------------------------- inputs


def read_inputs(
    inputs: Iterable[str], *, options: ReadOptions | None = None
) -> Iterator[Document | ReadError]:
    """Read each input (file, folder, URL or ``-``) in turn, yielding one result per document.

    A folder yields its readable files (sorted, recursive, hidden ones skipped). Nothing is
    raised for a bad input: it becomes a ``ReadError`` and the next input is read.
    """
    opts = _options(options)
    fetchers: list[_Fetcher] = []  # made on the first URL, closed when the stream ends

    def fetch(url: str) -> Document:
        if not fetchers:
            fetchers.append(_Fetcher(opts))
        return fetchers[0].fetch(url)

    try:
        for given in inputs:
            if given[:8].lower().startswith(("http://", "https://")):
                yield _guard(given, lambda g=given: fetch(g))
            elif given == "-":
                yield _guard(given, lambda: _read_stdin(opts))
            else:
                yield from _read_path(given, opts)
    finally:
        for f in fetchers:
            f.close()


def _guard(source: str, read: Any) -> Document | ReadError:
    """Run one read; turn any failure into a ``ReadError`` naming ``source``."""
    try:
        return read()
    except ReadFailure as e:
        log.info("not read: %s", e)
        return ReadError(source=source, message=e.reason)
    except MemoryError:
        return ReadError(source=source, message="out of memory while reading")
    except Exception as e:  # a bug or a library's surprise must not stop the batch
        log.exception("unexpected error reading %s", source)
        return ReadError(source=source, message=_one_line(f"unexpected error: {type(e).__name__}: {e}"))


def _read_stdin(opts: ReadOptions) -> Document:
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise ReadFailure("-", "standard input is not available")
    data = stream.read(opts.max_bytes + 1)
    if len(data) > opts.max_bytes:
        raise ReadFailure("-", f"input too large (over {opts.max_bytes:,} bytes)")
    return decode_bytes(data, "-", None, options=opts)


def _os_reason(e: OSError) -> str:
    if isinstance(e, FileNotFoundError):
        return "no such file or directory"
    if isinstance(e, PermissionError):
        return "permission denied"
    if isinstance(e, IsADirectoryError):
        return "is a directory"
    return _one_line(f"cannot read: {e.strerror or e}")


def _read_path(given: str, opts: ReadOptions) -> Iterator[Document | ReadError]:
    try:
        st = os.stat(given)
    except OSError as e:
        yield ReadError(source=given, message=_os_reason(e))
        return
    if os.path.isdir(given):
        try:
            yield from _read_folder(given, opts)
        except ReadFailure as e:
            yield ReadError(source=e.source, message=e.reason)
        except Exception as e:  # the folder walk itself failed: report it, go on with the batch
            log.exception("unexpected error walking %s", given)
            yield ReadError(source=given, message=_one_line(f"unexpected error: {type(e).__name__}: {e}"))
        return
    yield _guard(given, lambda: _read_file(given, opts.media_type_for(given), opts, st.st_size))


def _read_file(path: str, media_type: str | None, opts: ReadOptions, size: int | None = None) -> Document:
    if size is None:
        size = os.stat(path).st_size
    if size > opts.max_bytes:
        raise ReadFailure(path, f"file too large ({size:,} bytes; the limit is {opts.max_bytes:,})")
    data = _read_limited(path, opts.max_bytes)
    return decode_bytes(data, path, media_type, options=opts)


def _read_limited(path: str, limit: int) -> bytes:
    """At most ``limit`` bytes of ``path``; more (a growing file, a device) is refused."""
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise ReadFailure(path, _os_reason(e)) from e
    if len(data) > limit:
        raise ReadFailure(path, f"file too large (over {limit:,} bytes)")
    return data


def _read_folder(folder: str, opts: ReadOptions) -> Iterator[Document | ReadError]:
    found = 0
    for rel, err in _walk(folder, "", opts):
        path = os.path.join(folder, rel)
        found += 1
        if err is not None:
            yield ReadError(source=path, message=err)
        else:
            yield _guard(path, lambda p=path: _read_file(p, opts.media_type_for(p), opts))
    if not found:
        exts = ", ".join((*opts.text_extensions, *opts.html_extensions, *opts.pdf_extensions))
        yield ReadError(source=folder, message=f"folder holds no readable files ({exts})")


def _walk(root: str, rel: str, opts: ReadOptions) -> Iterator[tuple[str, str | None]]:
    """(relative path, None) for each readable file under ``root/rel`` in sorted path order;
    (relative path, reason) for a sub-folder that cannot be listed. Hidden names are skipped,
    symbolic links to folders are not followed (no cycles)."""
    here = os.path.join(root, rel) if rel else root
    try:
        with os.scandir(here) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as e:
        if rel:
            yield rel, _os_reason(e)
            return
        raise ReadFailure(root, _os_reason(e)) from e
    for entry in entries:
        if entry.name.startswith("."):
            continue
        sub = os.path.join(rel, entry.name) if rel else entry.name
        try:
            is_dir = entry.is_dir(follow_symlinks=False)
            is_file = entry.is_file()
        except OSError:
            continue
        if is_dir:
            yield from _walk(root, sub, opts)
        elif is_file and opts.media_type_for(entry.name) is not None:
            yield sub, None


# --------------------------------------------------------------------------- URLs


class _Fetcher:
    """One HTTP client for a batch: timeouts, redirects, size cap while streaming."""

    def __init__(self, opts: ReadOptions) -> None:
        import httpx

        self.opts = opts
        self.httpx = httpx
        self.client = httpx.Client(
            follow_redirects=True,
            max_redirects=opts.max_redirects,
            timeout=opts.timeout_seconds,
            headers={"User-Agent": opts.user_agent, "Accept": "text/html,application/xhtml+xml,"
                     "application/pdf,text/plain;q=0.9,*/*;q=0.1"},
        )

    def close(self) -> None:
        self.client.close()

    def fetch(self, url: str) -> Document:
        httpx = self.httpx
        try:
            host = urlsplit(url).hostname
        except ValueError as e:
            raise ReadFailure(url, f"invalid URL ({e})") from e
        if not host:
            raise ReadFailure(url, "invalid URL (no host name)")
        try:
            with self.client.stream("GET", url) as r:
                if r.status_code >= 400:
                    raise ReadFailure(url, f"HTTP {r.status_code} {r.reason_phrase}".strip())
                content_type = r.headers.get("content-type", "")
                media = content_type.split(";")[0].strip().lower()
                if media and media not in _URL_TYPES and media != "application/octet-stream":
                    raise ReadFailure(url, f"unsupported content type {media}")
                declared = r.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > self.opts.max_bytes:
                    raise ReadFailure(url, f"response too large ({int(declared):,} bytes; "
                                      f"the limit is {self.opts.max_bytes:,})")
                chunks: list[bytes] = []
                total = 0
                for chunk in r.iter_bytes():
                    total += len(chunk)
                    if total > self.opts.max_bytes:
                        raise ReadFailure(url, f"response too large (over {self.opts.max_bytes:,} bytes)")
                    chunks.append(chunk)
                final_url = str(r.url)
        except ReadFailure:
            raise
        except httpx.TooManyRedirects as e:
            raise ReadFailure(url, f"too many redirects (more than {self.opts.max_redirects})") from e
        except httpx.TimeoutException as e:
            raise ReadFailure(url, f"timed out after {self.opts.timeout_seconds:g} s") from e
        except httpx.ConnectError as e:
            raise ReadFailure(url, f"cannot connect to the server ({_one_line(str(e))})") from e
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as e:
            raise ReadFailure(url, f"invalid URL ({e})") from e
        except httpx.HTTPError as e:
            raise ReadFailure(url, f"network error: {type(e).__name__}: {e}") from e
        data = b"".join(chunks)
        fetched_at = datetime.now(UTC).isoformat(timespec="seconds")
        if media == "application/octet-stream":  # a PDF is often served so; anything else is not read
            if not data.startswith(b"%PDF-"):
                raise ReadFailure(url, f"unsupported content type {media}")
            content_type = PDF
        doc = decode_bytes(data, url, content_type or None, url=final_url, options=self.opts)
        return doc.model_copy(update={"fetched_at": fetched_at})


# --------------------------------------------------------------------------- bytes → Document


def decode_bytes(
    data: bytes,
    source: str,
    media_type: str | None = None,
    *,
    url: str | None = None,
    options: ReadOptions | None = None,
) -> Document:
    """Turn the raw bytes of one input into a ``Document``; raise ``ReadFailure`` if they
    are not a readable document.

    ``media_type`` may be a full Content-Type (``text/html; charset=Shift_JIS``): its charset
    is a hint. Without one, PDF and HTML are recognised by their content.
    """
    opts = _options(options)
    try:
        return _decode(data, source, media_type, url, opts)
    except ReadFailure:
        raise
    except Exception as e:  # a parser's surprise on hostile bytes: still one line for the user
        log.exception("unexpected error decoding %s", source)
        raise ReadFailure(source, f"unexpected error: {type(e).__name__}: {e}") from e


def _decode(data: bytes, source: str, media_type: str | None, url: str | None, opts: ReadOptions) -> Document:
    if not data:
        raise ReadFailure(source, "empty file")
    if len(data) > opts.max_bytes:
        raise ReadFailure(source, f"input too large ({len(data):,} bytes; the limit is {opts.max_bytes:,})")
    kind, hint = _parse_content_type(media_type)
    if kind != PDF and data[:1024].lstrip().startswith(b"%PDF-"):
        kind = PDF
    sha = hashlib.sha256(data).hexdigest()
    if kind == PDF:
        text, title = _pdf_text(data, source)
        return Document(source=source, text=text, sha256=sha, media_type=PDF, url=url, title=title)
    text, encoding = _decode_text(data, source, hint, opts, html=kind != TEXT)
    text = _unify_newlines(text)
    if kind is None:
        kind = HTML if _looks_like_html(text) else TEXT
    if kind == HTML:
        return Document(source=source, sha256=sha, media_type=HTML, encoding=encoding, url=url,
                        **_html_fields(text, source, url, opts))
    if not text.strip():
        raise ReadFailure(source, "no text (only white space)")
    return Document(source=source, text=text, sha256=sha, media_type=TEXT, encoding=encoding, url=url)


def _parse_content_type(media_type: str | None) -> tuple[str | None, str | None]:
    if not media_type:
        return None, None
    parts = media_type.split(";")
    media = parts[0].strip().lower()
    charset = None
    for p in parts[1:]:
        key, _, value = p.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip("\"'") or None
    kind = _URL_TYPES.get(media)
    if kind is None and media.startswith("text/"):
        kind = TEXT
    return kind, charset


def _unify_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


_HTML_SNIFF = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b"
    r"|<(?:html|body)\b[^>]*>",
    re.IGNORECASE | re.DOTALL,
)


def _looks_like_html(text: str) -> bool:
    return _HTML_SNIFF.search(text[:4096]) is not None


# --------------------------------------------------------------------------- encodings

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_ALIASES = {  # names seen in the wild → the Python codec that decodes them best
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "ms_kanji": "cp932",
    "windows-31j": "cp932", "csshiftjis": "cp932", "ms932": "cp932", "cp932": "cp932",
    "euc-jp": "euc_jp", "euc_jp": "euc_jp", "x-euc-jp": "euc_jp", "eucjp": "euc_jp", "ujis": "euc_jp",
    "iso-2022-jp": "iso2022_jp", "csiso2022jp": "iso2022_jp", "jis": "iso2022_jp",
}
# Every Japanese codec charset_normalizer may name, and the canonical one we report.
_JAPANESE = {
    "cp932": "cp932", "shift_jis": "cp932", "shift_jis_2004": "cp932", "shift_jisx0213": "cp932",
    "euc_jp": "euc_jp", "euc_jis_2004": "euc_jp", "euc_jisx0213": "euc_jp",
    "iso2022_jp": "iso2022_jp", "iso2022_jp_1": "iso2022_jp", "iso2022_jp_2": "iso2022_jp",
    "iso2022_jp_2004": "iso2022_jp", "iso2022_jp_3": "iso2022_jp", "iso2022_jp_ext": "iso2022_jp",
}
# Fallbacks that decode more characters than the base codec (NEC, IBM, JIS X 0213 extensions).
_WIDER = {"cp932": ("cp932", "shift_jis_2004"), "euc_jp": ("euc_jp", "euc_jis_2004"),
          "iso2022_jp": ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_2004")}
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\x0c\x1b") + b"\x7f"


def _codec(name: str | None) -> str | None:
    """The Python codec for a declared charset name, or None if unknown."""
    if not name:
        return None
    key = name.strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def _decode_text(
    data: bytes, source: str, hint: str | None, opts: ReadOptions, *, html: bool
) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as e:
                raise ReadFailure(source, f"invalid {codec.upper()} text after a byte-order mark") from e
    head = data[: opts.sniff_bytes]
    if _is_binary(head, opts):
        raise ReadFailure(source, "binary data, not a text document")
    if b"\x1b$" in head or b"\x1b(J" in head:
        for codec in _WIDER["iso2022_jp"]:
            try:
                return _strict(data, codec), "iso2022_jp"
            except UnicodeDecodeError:
                continue
    try:
        return _strict(data, "utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    hints = [hint]
    if html:
        declared = (_XML_ENCODING.search(head), _META_CHARSET.search(head))
        hints += [m.group(1).decode("ascii") for m in declared if m]
    for name in hints:
        codec = _codec(name)
        if codec is None or codec.startswith("utf-16") or codec.startswith("utf-32"):
            continue
        for wider in _WIDER.get(codec, (codec,)):
            try:
                return _strict(data, wider), codec
            except UnicodeDecodeError:
                continue
        log.debug("%s: declared charset %s does not decode the bytes", source, name)
    found = _guess_japanese(data, opts) or _guess_detector(data)
    if found is None:
        raise ReadFailure(source, "unknown text encoding (not UTF-8, Shift_JIS, EUC-JP or ISO-2022-JP)")
    return found


def _strict(data: bytes, codec: str) -> str:
    """Decode strictly, but forgive a multi-byte character cut off at the very end (a
    truncated file or download); raise ``UnicodeDecodeError`` otherwise."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as e:
        if e.start >= len(data) - 3 and e.end == len(data) and e.start > 0:
            return data[: e.start].decode(codec)
        raise


def _is_binary(head: bytes, opts: ReadOptions) -> bool:
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL))
    return controls > max(1, len(head) * opts.binary_control_ratio)


_JP_SYMBOLS = frozenset((0x2010, 0x2015, 0x2018, 0x2019, 0x201C, 0x201D, 0x2025, 0x2026, 0x203B, 0x2192,
                         0x25A0, 0x25A1, 0x25CB, 0x25CF, 0x25CE))


def _japanese_score(text: str) -> float:
    """Share of the non-ASCII characters that Japanese text is made of."""
    other = good = 0
    for ch in text:
        o = ord(ch)
        if o < 0x80:
            continue
        if (0x3040 <= o <= 0x30FF or 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F
                or 0xFF01 <= o <= 0xFF5E or 0x2460 <= o <= 0x24FF or o in _JP_SYMBOLS):
            good += 1
        else:
            other += 1
    total = good + other
    return good / total if total else 0.0


def _guess_japanese(data: bytes, opts: ReadOptions) -> tuple[str, str] | None:
    """The legacy Japanese codec whose strict decoding looks most like Japanese text."""
    best: tuple[float, str, str] | None = None
    for codec in ("cp932", "euc_jp"):
        for wider in _WIDER[codec]:
            try:
                text = _strict(data, wider)
            except UnicodeDecodeError:
                continue
            score = _japanese_score(text[: opts.sniff_bytes])
            if best is None or score > best[0]:
                best = (score, text, codec)
            break
    if best is not None and best[0] >= opts.japanese_min_score:
        return best[1], best[2]
    return None


def _guess_detector(data: bytes) -> tuple[str, str] | None:
    """charset_normalizer's pick, preferring a Japanese codec among its candidates."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    japanese = [m for m in matches if m.encoding in _JAPANESE]
    chosen = japanese[0] if japanese else matches[0]
    try:
        text = data.decode(chosen.encoding)
    except (UnicodeDecodeError, LookupError):
        text = str(chosen)
    return text, _JAPANESE.get(chosen.encoding, chosen.encoding)


# --------------------------------------------------------------------------- PDF


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


_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CHROME = ("nav", "header", "footer", "aside")
_DROP = {*_CHROME, "script", "style", "noscript", "template", "iframe", "svg", "object", "select", "button",
         "head", "title", "meta", "link", "form"}
_BLOCK = {"address", "article", "blockquote", "caption", "dd", "details", "dialog", "div", "dl", "dt",
          "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol",
          "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
          "body"}
_PUBLISHED_META = ("article:published_time", "og:article:published_time", "datepublished", "dc.date.issued",
                   "dcterms.issued", "pubdate", "publishdate", "publish_date")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])")
_WS = re.compile(r"[ \t\n\r\f\v]+")
_WS_ALL = re.compile(r"\s+")
_EDGE = " \t\f\v\xa0"  # stripped from line ends; the ideographic space U+3000 is kept


def _html_fields(text: str, source: str, url: str | None, opts: ReadOptions) -> dict[str, str | None]:
    """``text``, ``title`` and ``published`` of a Document read from an HTML page."""
    import lxml.html
    from lxml import etree

    markup = _NOT_XML.sub("", _XML_DECL.sub("", text, count=1))
    try:
        tree = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError) as e:
        raise ReadFailure(source, "no text found in the HTML") from e
    title = _html_title(tree)
    published = _html_published(tree)
    body_text, is_pre, chrome = _body_text(tree, opts)
    if is_pre:  # a page that is one <pre>: its lines and blank lines are the document's
        chosen = body_text
    else:
        main = _reline(_main_text(markup, url, source, opts), body_text, source)
        chosen = main = _drop_chrome_lines(main, body_text, chrome, source)
        too_little = len(main) < opts.min_text_chars or len(main) < opts.fallback_ratio * len(body_text)
        if too_little and len(body_text) > len(main):
            log.info("%s: main-text extraction kept %d of %d characters; using the body text",
                     source, len(main), len(body_text))
            chosen = body_text
    if not chosen.strip():
        raise ReadFailure(source, "no text found in the HTML")
    return {"text": chosen + "\n", "title": title, "published": published}


@cache
def _trafilatura() -> Any:
    """The trafilatura module, or None (warned once) when it cannot be imported."""
    try:
        import trafilatura
    except ImportError as e:  # e.g. lxml 5.2+ without lxml_html_clean: degrade to the body text
        log.warning("trafilatura unavailable (%s); HTML pages are read by their body text", e)
        return None
    return trafilatura


def _main_text(markup: str, url: str | None, source: str, opts: ReadOptions) -> str:
    """trafilatura's main text (one line per heading, paragraph or list item), or ''."""
    trafilatura = _trafilatura()
    if trafilatura is None:
        return ""
    try:
        out = trafilatura.extract(
            markup, url=url, output_format="txt", include_tables=True, include_comments=False,
            include_links=False, include_images=False, favor_recall=opts.favor_recall, deduplicate=False,
            with_metadata=False,
        )
    except Exception as e:  # trafilatura fails on some hostile trees; the fallback covers it
        log.warning("%s: trafilatura failed (%s: %s); using the body text", source, type(e).__name__, e)
        return ""
    return _tidy_lines(_unify_newlines(out or "").split("\n"))


def _squash(line: str) -> str:
    return _WS_ALL.sub("", line.removeprefix("- "))


def _reline(main: str, body_text: str, source: str) -> str:
    """Give back the page's own line breaks when the extractor ran blocks together.

    trafilatura's fallbacks may join several paragraphs into one line. The body text has
    one line per block, so the body lines found in order in the extractor's text are
    what it kept, line by line. Returns ``main`` unchanged when its lines are body lines
    already or when the body lines do not account for (nearly) all of it.
    """
    body_lines = [line for line in body_text.split("\n") if _squash(line)]
    known = {_squash(line) for line in body_lines}
    main_lines = [_squash(line) for line in main.split("\n") if _squash(line)]
    if all(line in known or len(line) <= 2 for line in main_lines):
        return main
    target = "".join(main_lines)
    kept: list[str] = []
    pos = covered = 0
    for line in body_lines:
        key = _squash(line)
        at = target.find(key, pos)
        if at < 0 or (at != pos and len(key) < 8):  # a short line counts only right where expected
            continue
        kept.append(line)
        covered += len(key)
        pos = at + len(key)
    if covered < 0.9 * len(target):
        return main
    log.info("%s: restored %d line breaks the extractor had joined", source, len(kept) - len(main_lines))
    return "\n".join(kept)


def _drop_chrome_lines(main: str, body_text: str, chrome: str, source: str) -> str:
    """Remove the lines the extractor took from navigation, sidebars or footers.

    On small pages trafilatura may fall back to the whole document, sidebar included. A line
    found only in those elements (``chrome``, squashed) and nowhere in the cleaned body is
    dropped.
    """
    if not chrome:
        return main
    body = _squash(body_text)
    kept = [line for line in main.split("\n")
            if not (key := _squash(line)) or key in body or key not in chrome]
    if len(kept) < main.count("\n") + 1:
        log.info("%s: dropped %d navigation or sidebar lines", source, main.count("\n") + 1 - len(kept))
    return "\n".join(kept)


def _tidy_lines(lines: Iterable[str], *, blank: bool = True) -> str:
    """Strip line ends (not U+3000), squeeze runs of blank lines to one (or drop them all
    when not ``blank``), trim blank edges."""
    out: list[str] = []
    for line in lines:
        line = line.strip(_EDGE)
        if line or (blank and out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _body_text(tree: Any, opts: ReadOptions) -> tuple[str, bool, str]:
    """The text of <body> less navigation, header, footer, sidebars and scripts: one line per
    block element, list items as "- item"; a <pre> keeps its own lines. Also whether the body
    is essentially one <pre>, and the removed navigation/sidebar text, squashed."""
    import copy

    from lxml import etree

    body = tree.find("body")
    if body is None:
        body = tree
    body = copy.deepcopy(body)
    for node in body.xpath("//comment() | //processing-instruction()"):
        _drop(node)
    chrome = re.compile(rf"(?:^|[\s_-])(?:{'|'.join(map(re.escape, opts.boilerplate_names))})(?:$|[\s_-])",
                        re.IGNORECASE)
    removed: list[str] = []
    for el in list(body.iter()):
        if not isinstance(el.tag, str) or el is body:
            continue
        names = f"{el.get('class') or ''} {el.get('id') or ''}".strip()
        tag = el.tag.lower()
        if tag in _DROP or (names and chrome.search(names)):
            if tag in _CHROME or tag not in _DROP:
                removed.append(_squash(el.text_content()))
            _drop(el)
    pres = body.findall(".//pre")
    if len(pres) == 1:
        pre_text = pres[0].text_content()
        rest = _WS.sub("", body.text_content())
        if len(_WS.sub("", pre_text)) >= 0.8 * len(rest):
            return _tidy_lines(_unify_newlines(pre_text).split("\n")), True, ""
    parts: list[str] = []
    pre_depth = 0
    for event, el in etree.iterwalk(body, events=("start", "end")):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _BLOCK:
                parts.append("\n")
            if tag == "pre":
                pre_depth += 1
            if tag == "br":
                parts.append("\n")
            if tag == "li":  # as trafilatura writes list items
                parts.append("- ")
            if el.text:
                parts.append(el.text if pre_depth else _WS.sub(" ", el.text))
        else:
            if tag == "pre":
                pre_depth -= 1
            if tag in _BLOCK:
                parts.append("\n")
            if el.tail and el is not body:
                parts.append(el.tail if pre_depth else _WS.sub(" ", el.tail))
    # One line per block and no blank lines, like trafilatura's output.
    text = _tidy_lines(_unify_newlines("".join(parts)).split("\n"), blank=False)
    return text, False, "\x00".join(removed)


def _drop(node: Any) -> None:
    """Remove ``node`` but keep its tail text in place."""
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail
    prev = node.getprevious()
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(node)


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = _WS.sub(" ", str(value)).strip(_EDGE + "\n")  # U+3000 inside a title is kept
    return text or None


def _html_title(tree: Any) -> str | None:
    for path in ("//title", "//meta[@property='og:title']/@content", "//meta[@name='og:title']/@content",
                 "//h1"):
        for hit in tree.xpath(path):
            text = _clean(hit if isinstance(hit, str) else hit.text_content())
            if text:
                return text
    return None


def _iso_date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    m = _ISO_DATE.match(value)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _html_published(tree: Any) -> str | None:
    """The page's publication date from machine-readable metadata only (no guessing)."""
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key in _PUBLISHED_META and (found := _iso_date(meta.get("content"))):
            return found
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        if found := _jsonld_published(data):
            return found
    chrome = " or ".join(f"ancestor::{t}" for t in _CHROME)
    for path in (f"//time[@datetime][(@itemprop='datePublished' or @pubdate) and not({chrome})]",
                 f"//*[self::article or self::main]//time[@datetime][not({chrome})]"):
        for el in tree.xpath(path):
            if found := _iso_date(el.get("datetime")):
                return found
    return None


def _jsonld_published(data: Any) -> str | None:
    stack, seen = [data], 0
    while stack and seen < 10_000:
        node = stack.pop(0)
        seen += 1
        if isinstance(node, dict):
            if found := _iso_date(node.get("datePublished")):
                return found
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(node)
    return None
