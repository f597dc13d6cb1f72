"""The pipeline a reader can see: read → segment → extract.

``extract_document`` is a pure function of a ``Document`` (and the shipped data files): it
can run in a process pool or on a distributed engine unchanged.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator

from jikenbo.extract import extract_segment
from jikenbo.models import Document, ReadError, Record
from jikenbo.segment import segment_document

log = logging.getLogger(__name__)


def extract_document(doc: Document) -> list[Record]:
    """All incident records of one document (zero for a page that holds no notice)."""
    out = []
    for seg in segment_document(doc):
        rec = extract_segment(seg, doc)
        if rec.organization is None:  # a notice always names who suffered it
            log.info("%s: dropped segment at %d: no organisation found", doc.source, seg.start)
            continue
        out.append(rec)
    return out


def document_from_text(text: str, source: str = "<text>") -> Document:
    """Wrap text that is already decoded (stdin, an API call, a test) as a ``Document``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Document(source=source, text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


def extract_text(text: str, source: str = "<text>") -> list[Record]:
    """Extract the incident records of a notice (or digest) given as text."""
    return extract_document(document_from_text(text, source))


def extract_inputs(inputs: Iterable[str]) -> Iterator[Record | ReadError]:
    """Read each input (path, folder, URL or ``-``) and yield its records or its read error.

    Streams: one document at a time is held in memory.
    """
    from jikenbo.read import read_inputs

    for item in read_inputs(inputs):
        if isinstance(item, ReadError):
            yield item
            continue
        try:
            yield from extract_document(item)
        except Exception as e:  # an extractor bug must not stop the batch
            log.debug("extraction failed for %s", item.source, exc_info=True)
            yield ReadError(source=item.source, message=f"extraction failed: {type(e).__name__}: {e}")
