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
from collections.abc import Iterator
from dataclasses import dataclass

_DOC_TYPES = {4: "response", 8: "resource", 128: "conversion"}  # fastwarc's WarcRecordType values


class WarcError(Exception):
    """A WARC file that cannot be read to its end; ``str(e)`` is one line for the user."""


@dataclass(slots=True)
class Page:
    """One crawled document as the crawler stored it (payload bytes, HTTP headers undone)."""

    url: str
    date: str | None  # the record's WARC-Date, ISO 8601 in UTC
    offset: int  # the record's start in the file as stored
    record_id: str
    record_type: str  # response, resource or conversion
    content_type: str | None  # the full Content-Type (charset included) of the payload
    payload: bytes
    truncated: str | None  # WARC-Truncated reason (length, time, disconnect, unspecified), or None
    languages: str | None  # WARC-Identified-Content-Language, if the crawler gave one
    length: int | None = None  # the record's stored length, known once the next record starts


def _iso(value: object) -> str | None:
    if value is None:
        return None
    iso = getattr(value, "isoformat", None)
    if iso is None:
        return str(value)
    text = iso(timespec="seconds") if getattr(value, "tzinfo", None) else iso(timespec="seconds") + "+00:00"
    return text.replace("+00:00", "Z")


def _is_url(source: str) -> bool:
    return "://" in source[:16]


def iter_pages(source: str, *, on_record: object = None) -> Iterator[Page]:
    """The document records of one WARC/WET file (a path, or a URL that fsspec can open).

    ``on_record``, when given, is called with each record's offset, whatever its type, before
    the record is looked at: a caller learns where each record ends (the next one's start).

    :raises WarcError: the file cannot be opened or read to its end
    """
    from fastwarc.warc import ArchiveIterator

    if not _is_url(source):
        try:
            size = os.stat(source).st_size
        except FileNotFoundError as e:
            raise WarcError(f"{source}: no such file") from e
        except OSError as e:
            raise WarcError(f"{source}: cannot read: {e.strerror or e}") from e
        if size == 0:
            raise WarcError(f"{source}: empty file")
    seen = 0
    pos = 0
    try:
        records = ArchiveIterator(source, parse_http=True, fsspec_args=None if _is_url(source) else False)
        for rec in records:
            pos = rec.stream_pos
            seen += 1
            if on_record is not None:
                on_record(pos)  # type: ignore[operator]
            rtype = _DOC_TYPES.get(int(rec.record_type))
            if rtype is None:
                continue
            headers = rec.headers
            if rec.is_http:
                http = rec.http_headers
                if rtype == "response" and http.status_code != 200:
                    continue
                content_type = http.get("Content-Type")
            else:
                content_type = headers.get("Content-Type")
                if rtype == "conversion" and not content_type:
                    content_type = "text/plain"
            expected = rec.content_length
            payload = rec.reader.read()
            if len(payload) < expected:
                raise WarcError(f"{source}: the file ends inside the record at offset {pos:,} "
                                f"({len(payload):,} of {expected:,} bytes; cut short?)")
            yield Page(
                url=headers.get("WARC-Target-URI") or "",
                date=_iso(rec.record_date),
                offset=pos,
                record_id=(rec.record_id or "").strip("<>"),
                record_type=rtype,
                content_type=content_type,
                payload=payload,
                truncated=headers.get("WARC-Truncated"),
                languages=headers.get("WARC-Identified-Content-Language"),
            )
    except WarcError:
        raise
    except OSError as e:
        where = f"after the record at offset {pos:,}" if seen else "at the start"
        raise WarcError(f"{source}: damaged {where} ({_one_line(e)}); {seen:,} records read") from e
    except Exception as e:  # fastwarc's surprise on hostile bytes: still one line for the user
        raise WarcError(f"{source}: unreadable after {seen:,} records ({type(e).__name__}: {_one_line(e)})") from e
    if not seen:
        raise WarcError(f"{source}: not a WARC file (no WARC record found)")


def _one_line(e: object) -> str:
    return " ".join(str(e).split())[:200] or type(e).__name__
