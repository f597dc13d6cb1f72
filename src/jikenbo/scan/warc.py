"""Reading WARC and WET files (gzip-compressed or not) with fastwarc: one ``Page`` per record.

Only records that can hold a document come out: HTTP ``response`` records with status 200,
``resource`` records, and WET ``conversion`` records (plain text a crawler extracted). The
offset is the record's start in the file as stored (the gzip member's start for a
``.warc.gz``), as Common Crawl's index gives it, so a record can be fetched again alone.

A damaged file (a broken gzip member, a file cut short inside a record, not a WARC at all)
raises ``WarcError`` with one line naming the file, the offset reached and the problem.
"""

from __future__ import annotations

import os
import zlib
from collections.abc import Iterator
from typing import Any

_DOC_TYPES = {4: "response", 8: "resource", 128: "conversion"}  # fastwarc's WarcRecordType values


class WarcError(Exception):
    """A WARC file that cannot be read to its end; ``str(e)`` is one line for the user."""


class Page:
    """One crawled document as the crawler stored it (payload bytes, HTTP headers undone).

    The WARC headers a page rarely needs (URL, date, id, truncation) are read from the record
    on first use: almost every page is dropped before anyone asks.
    """

    __slots__ = ("_rec", "content_type", "languages", "length", "offset", "payload", "record_type")

    def __init__(self, rec: Any, record_type: str, content_type: str | None, payload: bytes,
                 languages: str | None) -> None:
        self._rec = rec
        self.offset: int = rec.stream_pos  # the record's start in the file as stored
        self.record_type = record_type  # response, resource or conversion
        self.content_type = content_type  # the payload's full Content-Type (charset included)
        self.payload = payload
        self.languages = languages  # WARC-Identified-Content-Language, if the crawler gave one
        self.length: int | None = None  # the record's stored length (record_length), if known

    @property
    def url(self) -> str:
        return self._rec.headers.get("WARC-Target-URI") or ""

    @property
    def date(self) -> str | None:
        """The record's WARC-Date as written (ISO 8601, UTC)."""
        return self._rec.headers.get("WARC-Date")

    @property
    def record_id(self) -> str:
        return (self._rec.headers.get("WARC-Record-ID") or "").strip("<>")

    @property
    def truncated(self) -> str | None:
        """WARC-Truncated (length, time, disconnect, unspecified), or None."""
        return self._rec.headers.get("WARC-Truncated")


def _is_url(source: str) -> bool:
    return "://" in source[:16]


def iter_pages(source: str) -> Iterator[Page]:
    """The document records of one WARC/WET file (a path, or a URL that fsspec can open).

    :raises WarcError: the file cannot be opened or read to its end
    """
    from fastwarc.warc import ArchiveIterator, WarcRecordType

    if not _is_url(source):
        try:
            size = os.stat(source).st_size
        except FileNotFoundError as e:
            raise WarcError(f"{source}: no such file") from e
        except OSError as e:
            raise WarcError(f"{source}: cannot read: {e.strerror or e}") from e
        if size == 0:
            raise WarcError(f"{source}: empty file")
    wanted = WarcRecordType.response | WarcRecordType.resource | WarcRecordType.conversion
    seen = 0
    pos = 0
    try:
        records = ArchiveIterator(source, record_types=wanted, parse_http=True,
                                  fsspec_args=None if _is_url(source) else False)
        for rec in records:
            pos = rec.stream_pos
            seen += 1
            rtype = _DOC_TYPES.get(int(rec.record_type), "response")
            languages = None
            if rec.is_http:
                http = rec.http_headers
                if rtype == "response" and http.status_code != 200:
                    continue
                content_type = http.get("Content-Type")
            else:
                content_type = rec.headers.get("Content-Type")
                if rtype == "conversion":
                    content_type = content_type or "text/plain"
                    languages = rec.headers.get("WARC-Identified-Content-Language")
            expected = rec.content_length
            payload = rec.reader.read()
            if len(payload) < expected:
                raise WarcError(f"{source}: the file ends inside the record at offset {pos:,} "
                                f"({len(payload):,} of {expected:,} bytes; cut short?)")
            yield Page(rec, rtype, content_type, payload, languages)
    except WarcError:
        raise
    except OSError as e:
        where = f"after the record at offset {pos:,}" if seen else "at the start"
        raise WarcError(f"{source}: damaged {where} ({_one_line(e)}); {seen:,} records read") from e
    except Exception as e:  # fastwarc's surprise on hostile bytes: still one line for the user
        raise WarcError(f"{source}: unreadable after {seen:,} records ({type(e).__name__}: {_one_line(e)})") from e
    if not seen and not _has_warc_record(source):
        raise WarcError(f"{source}: not a WARC file (no WARC record found)")


def _has_warc_record(source: str) -> bool:
    """True when the file holds any WARC record at all (a crawl without pages is no error)."""
    from fastwarc.warc import ArchiveIterator

    try:
        return any(True for _ in ArchiveIterator(source, fsspec_args=None if _is_url(source) else False))
    except Exception:
        return False


def record_length(path: str, offset: int) -> int | None:
    """The stored length of the record at ``offset``: its gzip member, or its header block,
    content and closing CRLFs in a plain WARC. None when it cannot be told (a URL, a bad file)."""
    if _is_url(path):
        return None
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            if f.read(2) == b"\x1f\x8b":
                f.seek(offset)
                inflate = zlib.decompressobj(31)
                consumed = 0
                while not inflate.eof:
                    chunk = f.read(65536)
                    if not chunk:
                        return None
                    consumed += len(chunk)
                    data = chunk
                    while data and not inflate.eof:
                        inflate.decompress(data, 1 << 20)
                        data = inflate.unconsumed_tail
                return consumed - len(inflate.unused_data)
            f.seek(offset)
            head = f.read(65536)
            end = head.find(b"\r\n\r\n")
            if end < 0:
                return None
            for line in head[:end].split(b"\r\n"):
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    return end + 4 + int(value.strip()) + 4
    except (OSError, ValueError, zlib.error):
        return None
    return None


def _one_line(e: object) -> str:
    return " ".join(str(e).split())[:200] or type(e).__name__
