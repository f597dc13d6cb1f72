"""The read stage: paths, folders, URLs and stdin in; ``Document`` or ``ReadError`` out.

``read_inputs`` streams one result per readable input and never raises for a bad one: each
failure becomes a ``ReadError`` whose message is one line for the user. ``decode_bytes`` is
the pure core (bytes → ``Document``) that every kind of input goes through:

* text: BOM → ISO-2022-JP escapes → strict UTF-8 → charset hint (HTTP header, HTML
  ``<meta>``) → legacy Japanese codecs scored on their output → charset_normalizer;
* HTML: the page's main text by trafilatura, with a plain body-text fallback, title and
  the publication date from machine-readable metadata only;
* PDF: the text layer by PDFium (pypdfium2), vertical columns in reading order, pages
  whose text is not Japanese-looking left out.

``Document.text`` keeps the text as decoded (no NFKC: later stages normalise with an offset
map); only line ends are unified to ``\\n``.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from jikenbo.models import Document, ReadError
from jikenbo.read.base import HTML, PDF, TEXT, ReadFailure, ReadOptions, _one_line, _unify_newlines
from jikenbo.read.encoding import _decode_text
from jikenbo.read.html import _html_fields
from jikenbo.read.pdf import _pdf_text, _unwrap_pdf_lines  # noqa: F401  (re-exported for tests)

__all__ = ["Document", "ReadError", "ReadFailure", "ReadOptions", "decode_bytes", "read_inputs"]

log = logging.getLogger(__name__)

_URL_TYPES = {"text/html": HTML, "application/xhtml+xml": HTML, "text/plain": TEXT, "application/pdf": PDF}


def _options(options: ReadOptions | None) -> ReadOptions:
    return options if options is not None else ReadOptions.from_settings()


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class RawFile:
    """A file's bytes as read, not yet decoded (``read_inputs(..., raw=True)``): the I/O is
    done, :func:`decode_file` does the rest (charset, HTML main text, PDF text) wherever it is
    sent, such as an extraction worker. ``sha256`` is the stored document's hash."""

    source: str
    data: bytes
    media_type: str | None
    url: str | None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def decode_file(raw: RawFile, *, options: ReadOptions | None = None) -> Document:
    """The Document of a :class:`RawFile`, as ``read_inputs`` would have given it; raises
    ``ReadFailure`` (one line naming the file) when the bytes are not a readable document."""
    return decode_bytes(raw.data, raw.source, raw.media_type, url=raw.url, options=options)


def read_inputs(
    inputs: Iterable[str], *, options: ReadOptions | None = None, raw: bool = False
) -> Iterator[Document | ReadError | RawFile]:
    """Read each input (file, folder, URL or ``-``) in turn, yielding one result per document.

    A folder yields its readable files (sorted, recursive, hidden ones skipped). Nothing is
    raised for a bad input: it becomes a ``ReadError`` and the next input is read. With
    ``raw``, files come as :class:`RawFile` (bytes read and size-checked, not decoded); URLs
    and ``-`` are still decoded here.
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
                yield from _read_path(given, opts, raw)
    finally:
        for f in fetchers:
            f.close()


def _guard(source: str, read: Any) -> Document | ReadError | RawFile:
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


def _read_path(given: str, opts: ReadOptions, raw: bool = False) -> Iterator[Document | ReadError | RawFile]:
    try:
        st = os.stat(given)
    except OSError as e:
        yield ReadError(source=given, message=_os_reason(e))
        return
    if os.path.isdir(given):
        try:
            yield from _read_folder(given, opts, raw)
        except ReadFailure as e:
            yield ReadError(source=e.source, message=e.reason)
        except Exception as e:  # the folder walk itself failed: report it, go on with the batch
            log.exception("unexpected error walking %s", given)
            yield ReadError(source=given, message=_one_line(f"unexpected error: {type(e).__name__}: {e}"))
        return
    yield _guard(given, lambda: _read_file(given, opts.media_type_for(given), opts, st.st_size, raw))


def _read_file(path: str, media_type: str | None, opts: ReadOptions, size: int | None = None,
               raw: bool = False) -> Document | RawFile:
    if size is None:
        size = os.stat(path).st_size
    if size > opts.max_bytes:
        raise ReadFailure(path, f"file too large ({size:,} bytes; the limit is {opts.max_bytes:,})")
    data = _read_limited(path, opts.max_bytes)
    if raw:
        if not data:  # said at once, as the decoder would
            raise ReadFailure(path, "empty file")
        return RawFile(path, data, media_type, sidecar_url(path))
    return decode_bytes(data, path, media_type, url=sidecar_url(path), options=opts)


_SIDECAR_MAX = 4096


def sidecar_url(path: str) -> str | None:
    """The page address saved beside a file: ``notice.url`` next to ``notice.txt`` (or
    ``notice.txt.url``), holding either the bare URL or an Internet Shortcut's ``URL=`` line,
    as crawlers and browsers save it. The address is evidence (a local government's host
    names its body), so a crawl's pages keep it."""
    stem, _ = os.path.splitext(path)
    for cand in (stem + ".url", path + ".url"):
        if cand == path or not os.path.isfile(cand):
            continue
        try:
            with open(cand, "rb") as f:
                raw = f.read(_SIDECAR_MAX).decode("utf-8", "replace")
        except OSError:
            continue
        for line in raw.splitlines():
            line = line.strip()
            if line.upper().startswith("URL="):
                line = line[4:].strip()
            if re.match(r"^https?://[^\s]+$", line):
                return line
    return None


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


def _read_folder(folder: str, opts: ReadOptions, raw: bool = False) -> Iterator[Document | ReadError | RawFile]:
    found = 0
    for rel, err in _walk(folder, "", opts):
        path = os.path.join(folder, rel)
        found += 1
        if err is not None:
            yield ReadError(source=path, message=err)
        else:
            yield _guard(path, lambda p=path: _read_file(p, opts.media_type_for(p), opts, raw=raw))
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
        pdf = _pdf_text(data, source, opts)
        for warning in pdf.warnings:
            log.warning("%s: %s", source, warning)
        return Document(source=source, text=pdf.text, sha256=sha, media_type=PDF, url=url, title=pdf.title,
                        warnings=pdf.warnings)
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


_HTML_SNIFF = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|title)\b"
    r"|<(?:html|body)\b[^>]*>",
    re.IGNORECASE | re.DOTALL,
)


def _looks_like_html(text: str) -> bool:
    return _HTML_SNIFF.search(text[:4096]) is not None


# --------------------------------------------------------------------------- encodings
