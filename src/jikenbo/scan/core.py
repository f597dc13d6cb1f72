"""One crawl file in, its notices out: ``scan_input`` is the pure job every engine runs.

For each document record of a WARC/WET file the prefilter decides on the raw bytes; the few
pages that pass are read exactly as the read stage reads a fetched URL (``decode_bytes`` with
the HTTP Content-Type as the charset hint, then the record's target URI and date as the
Document's url and fetch time) and go through ``extract_document`` unchanged. The result is
the text of the input's output file (JSON Lines), which the driver writes: a worker needs no
shared file system and leaves nothing behind when it dies.

Lines of an output file, in order:
``{"kind": "scan", ...}`` (header), then ``page`` lines (a Document and its records),
``truncated`` lines (a PDF the crawler cut at its size limit: listed for re-fetching, never
extracted), ``unreadable`` lines (a page that passed the prefilter but could not be read or
extracted) and last ``{"kind": "summary", ...}``, which marks the file complete.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from jikenbo.read import ReadFailure, ReadOptions, decode_bytes
from jikenbo.scan.prefilter import DROP_INCIDENT, DROP_LANGUAGE, DROP_TEXT, DROP_TYPE, Prefilter
from jikenbo.scan.warc import Page, WarcError, iter_pages, record_length

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
_MEDIA = {"html": "text/html", "text": "text/plain", "pdf": "application/pdf"}


@dataclass
class ScanStats:
    """What scanning one input (or a whole run) found; adds up across inputs."""

    pages: int = 0  # document records seen (responses 200, resources, WET conversions)
    bytes: int = 0  # their payload bytes
    dropped_type: int = 0
    dropped_language: int = 0
    dropped_cues: int = 0
    dropped_text: int = 0  # passed on the bytes, not on the visible text
    dropped_incident: int = 0  # no incident cue of the segmenter in the decoded page, or each one exempt
    read: int = 0  # pages that passed the prefilter and were read
    with_notices: int = 0  # pages that gave at least one record
    records: int = 0
    no_notice: int = 0  # pages read that hold no notice
    truncated: int = 0  # pages the crawler cut short (WARC-Truncated) among those that passed
    not_extracted: int = 0  # truncated PDFs listed for re-fetching
    unreadable: int = 0

    @property
    def prefiltered(self) -> int:
        return self.dropped_type + self.dropped_language + self.dropped_cues + self.dropped_text + \
            self.dropped_incident

    def add(self, other: ScanStats) -> None:
        for k in self.__dataclass_fields__:
            setattr(self, k, getattr(self, k) + getattr(other, k))

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> ScanStats:
        return cls(**{k: int(d.get(k, 0)) for k in cls.__dataclass_fields__})


@dataclass
class InputResult:
    """The outcome of one input: ``lines`` is its output file's text when ``ok``."""

    source: str
    ok: bool
    error: str | None = None
    stats: ScanStats = field(default_factory=ScanStats)
    lines: list[str] = field(default_factory=list)
    seconds: float = 0.0  # wall-clock time of the job
    cpu_seconds: float = 0.0  # processor time of the job (what it costs on a shared machine)


@dataclass(frozen=True)
class ScanConfig:
    """What a worker needs besides the input: the prefilter and the read options, built where
    the scan was started (so that user's settings and lexicon apply on every worker)."""

    prefilter: Prefilter
    read: ReadOptions
    extract: bool = True  # False: prefilter only (the benchmark's middle figure)

    @classmethod
    def default(cls, *, extract: bool = True) -> ScanConfig:
        return cls(Prefilter.default(), ReadOptions.from_settings(), extract)


def _warc_ref(source: str, page: Page) -> dict[str, Any]:
    return {"file": source, "offset": page.offset, "length": page.length, "record_id": page.record_id}


def scan_input(source: str, config: ScanConfig | None = None) -> InputResult:
    """Scan one WARC/WET file: prefilter every page, read and extract those that pass.

    Never raises: a file that cannot be read to its end gives ``ok=False`` and a one-line
    ``error`` (and no output, so a re-run retries it); a page that fails gives an
    ``unreadable`` line and the scan goes on.
    """
    cfg = config or ScanConfig.default()
    started, cpu = time.perf_counter(), time.process_time()
    st = ScanStats()
    rows: list[dict[str, Any]] = []
    try:
        for page in iter_pages(source):
            st.pages += 1
            st.bytes += len(page.payload)
            kind, dropped = cfg.prefilter.check(page.payload, page.content_type, lambda p=page: p.url, page.languages)
            if kind is None:
                if dropped == DROP_TYPE:
                    st.dropped_type += 1
                elif dropped == DROP_LANGUAGE:
                    st.dropped_language += 1
                elif dropped == DROP_TEXT:
                    st.dropped_text += 1
                elif dropped == DROP_INCIDENT:
                    st.dropped_incident += 1
                else:
                    st.dropped_cues += 1
                continue
            if not cfg.extract:
                st.read += 1
                continue
            row = _read_page(source, page, kind, cfg, st)
            if row is not None:
                rows.append(row)
    except WarcError as e:
        return InputResult(source, ok=False, error=str(e), stats=st, seconds=time.perf_counter() - started)
    except Exception as e:  # a bug must cost this input only, with one line
        log.exception("unexpected error scanning %s", source)
        return InputResult(source, ok=False, error=f"{source}: unexpected error: {type(e).__name__}: {e}",
                           stats=st, seconds=time.perf_counter() - started)
    for row in rows:  # the few kept records' stored lengths, so each can be fetched again alone
        row["warc"]["length"] = record_length(source, row["warc"]["offset"])
    head = {"kind": "scan", "version": FORMAT_VERSION, "input": source}
    tail = {"kind": "summary", "input": source, **asdict(st)}
    lines = [json.dumps(head, ensure_ascii=False)]
    lines += [json.dumps(r, ensure_ascii=False) for r in rows]
    lines.append(json.dumps(tail, ensure_ascii=False))
    return InputResult(source, ok=True, stats=st, lines=lines, seconds=time.perf_counter() - started,
                       cpu_seconds=time.process_time() - cpu)


def _read_page(source: str, page: Page, kind: str, cfg: ScanConfig, st: ScanStats) -> dict[str, Any] | None:
    """The output row of a page that passed the prefilter (None: read, no notice in it)."""
    from jikenbo.pipeline import extract_document

    st.read += 1
    base = {"url": page.url, "date": page.date, "warc": _warc_ref(source, page)}
    if page.truncated:
        st.truncated += 1
        if kind == "pdf":  # a PDF cut short has lost its cross-reference table: never guess
            st.not_extracted += 1
            return {"kind": "truncated", **base, "media_type": _MEDIA[kind],
                    "reason": f"WARC-Truncated: {page.truncated}; the crawler cut this PDF at "
                              f"{len(page.payload):,} bytes: not extracted, fetch it again"}
    name = page.url or f"{source}@{page.offset}"
    media = page.content_type if kind != "pdf" else _MEDIA[kind]
    if kind == "text" and not media:
        media = "text/plain"
    try:
        doc = decode_bytes(page.payload, name, media, url=page.url or None, options=cfg.read)
        doc = doc.model_copy(update={"fetched_at": page.date})
        records = extract_document(doc)
    except ReadFailure as e:
        st.unreadable += 1
        return {"kind": "unreadable", **base, "reason": e.reason}
    except Exception as e:  # an extractor bug must cost this page only
        log.debug("extraction failed for %s", name, exc_info=True)
        st.unreadable += 1
        return {"kind": "unreadable", **base, "reason": f"extraction failed: {type(e).__name__}: {e}"}
    if not records:
        st.no_notice += 1
        return None
    st.with_notices += 1
    st.records += len(records)
    return {"kind": "page", **base, "truncated": page.truncated,
            "document": doc.model_dump(mode="json"), "records": [r.model_dump(mode="json") for r in records]}


def output_name(source: str) -> str:
    """The output file of ``source`` in the output folder: its base name and a hash of where
    it is (two ``00001.warc.gz`` in different folders do not collide)."""
    where = source if "://" in source[:16] else os.path.abspath(source)
    base = where.rstrip("/").rsplit("/", 1)[-1] or "input"
    base = "".join(c if c.isalnum() or c in "-_." else "_" for c in base)[:120]
    digest = hashlib.sha1(where.encode("utf-8")).hexdigest()[:10]
    return f"{base}.{digest}.jsonl"
