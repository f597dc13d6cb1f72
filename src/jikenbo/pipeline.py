"""The pipeline a reader can see: read → segment → extract.

``extract_document`` is a pure function of a ``Document`` (and the shipped data files): it
can run in a process pool or on a distributed engine unchanged.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from jikenbo.config import settings
from jikenbo.extract import extract_named_segment
from jikenbo.models import Document, ReadError, Record
from jikenbo.segment import segment_document

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limits:
    """The work per document (``read.toml``: max_document_chars, max_segments, max_segment_chars)."""

    max_document_chars: int = 2_000_000
    max_segments: int = 1000
    max_segment_chars: int = 100_000
    document_cap_message: str = "{source}: only the first {cap:,} of {size:,} characters were searched"
    segments_cap_message: str = "{source}: only the first {cap:,} of {size:,} notices were extracted"
    segment_cap_message: str = "{source}: a notice of {size:,} characters was read up to its first {cap:,}"

    @classmethod
    def from_settings(cls) -> Limits:
        raw = settings("read")
        return cls(**{k: type(getattr(cls, k))(raw[k]) for k in cls.__dataclass_fields__ if k in raw})


@dataclass
class Extraction:
    """What extracting one document gave: its records, the segments dropped (start offset and
    reason) and the caps of :class:`Limits` it hit (one message each, for the user)."""

    records: list[Record] = field(default_factory=list)
    dropped: list[tuple[int, str]] = field(default_factory=list)
    capped: list[str] = field(default_factory=list)


def _cap(text: str, cap: int) -> int:
    """Where to cut ``text`` to at most ``cap`` characters: the last line end before it, if any."""
    cut = text.rfind("\n", 0, cap)
    return cut if cut > cap // 2 else cap


def extract_report(doc: Document, limits: Limits | None = None) -> Extraction:
    """:func:`extract_document` with what it dropped and the caps it hit (pure)."""
    lim = limits or Limits.from_settings()
    out = Extraction()

    def capped(template: str, cap: int, size: int) -> None:
        msg = template.format(source=doc.source, cap=cap, size=size)
        log.warning("%s", msg)
        out.capped.append(msg)

    scan = doc
    if len(doc.text) > lim.max_document_chars:
        scan = doc.model_copy(update={"text": doc.text[:_cap(doc.text, lim.max_document_chars)]})
        capped(lim.document_cap_message, lim.max_document_chars, len(doc.text))
    segments = segment_document(scan)
    if len(segments) > lim.max_segments:
        capped(lim.segments_cap_message, lim.max_segments, len(segments))
        del segments[lim.max_segments:]
    for seg in segments:
        if len(seg.text) > lim.max_segment_chars:
            capped(lim.segment_cap_message, lim.max_segment_chars, len(seg.text))
            cut = _cap(seg.text, lim.max_segment_chars)
            seg = seg.model_copy(update={"text": seg.text[:cut], "end": seg.start + cut})
        rec = extract_named_segment(seg, scan)  # None: no organisation, the other fields unread
        if rec is None:  # a notice always names who suffered it
            log.info("%s: dropped segment at %d: no organisation found", doc.source, seg.start)
            out.dropped.append((seg.start, "no organisation found"))
            continue
        out.records.append(rec)
    return out


def extract_document(doc: Document) -> list[Record]:
    """All incident records of one document (zero for a page that holds no notice)."""
    return extract_report(doc).records


def document_from_text(text: str, source: str = "<text>") -> Document:
    """Wrap text that is already decoded (stdin, an API call, a test) as a ``Document``."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return Document(source=source, text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest())


def extract_text(text: str, source: str = "<text>") -> list[Record]:
    """Extract the incident records of a notice (or digest) given as text."""
    return extract_document(document_from_text(text, source))


@dataclass
class Losses:
    """What a run of :func:`extract_inputs` could not use, for the user to see: notices with no
    organisation (source, start, reason), documents that held no notice, caps hit."""

    dropped: list[tuple[str, int, str]] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    capped: list[str] = field(default_factory=list)


def extract_inputs(inputs: Iterable[str], losses: Losses | None = None) -> Iterator[Record | ReadError]:
    """Read each input (path, folder, URL or ``-``) and yield its records or its read error.

    Streams: one document at a time is held in memory. ``losses``, when given, collects what
    was dropped, so that nothing is lost in silence.
    """
    from jikenbo.read import read_inputs

    for item in read_inputs(inputs):
        if isinstance(item, ReadError):
            yield item
            continue
        try:
            got = extract_report(item)
            if losses is not None:
                losses.dropped += [(item.source, start, why) for start, why in got.dropped]
                losses.capped += got.capped
                if not got.records and not got.dropped:
                    losses.empty.append(item.source)
            yield from got.records
        except Exception as e:  # an extractor bug must not stop the batch
            log.debug("extraction failed for %s", item.source, exc_info=True)
            yield ReadError(source=item.source, message=f"extraction failed: {type(e).__name__}: {e}")
