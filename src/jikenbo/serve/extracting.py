"""Uploads for the try page and POST /api/extract: bytes → Document; records → marked text."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import UploadFile

from jikenbo.models import Document, Record
from jikenbo.read import decode_bytes
from jikenbo.serve.errors import ServeError
from jikenbo.serve.highlight import Span, highlight

log = logging.getLogger(__name__)
MEDIA_BY_SUFFIX = {".html": "text/html", ".htm": "text/html", ".pdf": "application/pdf", ".txt": "text/plain"}


async def read_upload(file: UploadFile, limit: int) -> bytes:
    """The upload's bytes; a 413 when it holds more than ``limit``."""
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise ServeError(413, f"{file.filename}: file too large (the limit is {limit:,} bytes)")
    return data


def _name(filename: str) -> str:
    """A display name for an uploaded file (no path from the client)."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].strip() or "upload"
    return "upload:" + base[:200]


def document_from_upload(data: bytes, filename: str, content_type: str | None) -> Document:
    """Decode an uploaded file (or pasted text) like the read stage decodes a file."""
    source = "<text>" if filename == "<text>" else _name(filename)
    media = content_type if content_type and content_type != "application/octet-stream" else None
    if media is None:
        suffix = "." + filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
        media = MEDIA_BY_SUFFIX.get(suffix)
    return decode_bytes(data, source, media)


def extract_view(doc: Document, records: list[Record], warnings: list[str] | None = None) -> dict[str, Any]:
    """Per record of ``doc``, its segment with the evidence marked."""
    items = []
    for i, rec in enumerate(records):
        lo, hi = rec.segment_start, rec.segment_end
        if not (0 <= lo < hi <= len(doc.text)):
            lo, hi = 0, len(doc.text)
        evidence = []
        spans = []
        for j, e in enumerate(rec.evidence):
            key = f"r{i}-{j}"
            ok = lo <= e.start < e.end <= hi
            evidence.append({**e.model_dump(), "key": key if ok else None})
            if ok:
                spans.append(Span(key, e.start, e.end, e.field))
        by_field: dict[str, list[dict]] = {}
        for e in evidence:
            by_field.setdefault(str(e["field"]), []).append(e)
        items.append({"index": i, "record": rec.model_dump(exclude={"evidence"}), "by_field": by_field,
                      "html": highlight(doc.text[lo:hi], spans, offset=lo)})
    return {"doc": doc, "records": records, "items": items, "warnings": warnings or []}
