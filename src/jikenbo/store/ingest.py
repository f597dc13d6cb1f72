"""Ingest: read → extract (a process pool over the cores) → store (one writer, this process).

Each document is written in its own transaction (a savepoint inside a commit batch,
``[ingest]`` of data/settings/store.toml), so an error undoes that document alone; a crash loses
at most the documents since the last commit, and a re-run skips what is already stored (same
bytes → nothing to do) and stores the rest.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NamedTuple

from jikenbo.config import settings
from jikenbo.models import Document, ReadError, Record
from jikenbo.store import textindex
from jikenbo.store.db import StoreError
from jikenbo.store.naming import locator as _locator
from jikenbo.store.naming import shown_source
from jikenbo.workers import stop_pool, worker_pool

if TYPE_CHECKING:
    from jikenbo.read import RawFile
    from jikenbo.store.core import DocResult, Store

log = logging.getLogger(__name__)


@dataclass
class IngestSummary:
    """What one ``ingest`` run did."""

    documents: int = 0  # documents read
    added: int = 0  # new documents stored (with or without notices)
    new_versions: int = 0  # changed bytes at a known URL / path
    unchanged: int = 0  # bytes already in the store
    notices: int = 0
    incidents_created: int = 0
    notices_linked: int = 0  # notices attached to an incident that already existed
    empty: list[str] = field(default_factory=list)  # documents with no incident notice
    failed: list[tuple[str, str]] = field(default_factory=list)  # (source, one-line reason)
    dropped: list[tuple[str, int]] = field(default_factory=list)  # (source, segments without an organisation)
    capped: list[str] = field(default_factory=list)  # per-document caps hit (read.toml), one message each
    listed: list[tuple[str, str]] = field(default_factory=list)  # pages a scan listed, not extracted
    fatal: str | None = None  # a store error that stopped the batch

    @property
    def ok(self) -> bool:
        return not self.failed and self.fatal is None

    def lines(self, *, verbose: bool = False, limit: int = 20) -> list[str]:
        """The summary: totals, then failures, documents without a notice, dropped segments and
        caps each apart, a count first and then the list (past ``limit`` lines only when verbose)."""
        out = [f"{self.documents} documents read: {self.added} added ({self.new_versions} new versions), "
               f"{self.unchanged} already stored",
               f"{self.notices} notices: {self.incidents_created} new incidents, "
               f"{self.notices_linked} linked to known incidents"]

        def section(head: str, items: list[str]) -> None:
            if not items:
                return
            out.append(head)
            shown = items if verbose or len(items) <= limit else items[:limit]
            out.extend(f"  {x}" for x in shown)
            if len(shown) < len(items):
                out.append(f"  … and {len(items) - len(shown)} more (--verbose lists them all)")

        section(f"failed: {len(self.failed)} inputs could not be read or extracted",
                [f"{src}: {msg}" if not msg.startswith(src) else msg for src, msg in self.failed])
        section(f"no incident notice found: {len(self.empty)} documents (stored, not an error)", self.empty)
        n_dropped = sum(n for _, n in self.dropped)
        section(f"dropped: {n_dropped} notices found no organisation, in {len(self.dropped)} documents",
                [f"{src} ({n})" for src, n in self.dropped])
        section(f"capped: {len(self.capped)} limits of work per document hit (read.toml)", self.capped)
        section(f"not extracted: {len(self.listed)} pages the scan listed (cut short by the crawler or "
                f"unreadable)", [f"{src}: {msg}" for src, msg in self.listed])
        if self.fatal:
            out.append(f"stopped: {self.fatal}")
        return out

    def as_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "added": self.added, "new_versions": self.new_versions,
                "unchanged": self.unchanged, "notices": self.notices,
                "incidents_created": self.incidents_created, "notices_linked": self.notices_linked,
                "empty": self.empty, "failed": [{"source": s, "message": m} for s, m in self.failed],
                "dropped": [{"source": s, "segments": n} for s, n in self.dropped], "capped": self.capped,
                "listed": [{"source": s, "message": m} for s, m in self.listed],
                "fatal": self.fatal}


class StoreJob(NamedTuple):
    """A worker's answer for one document (a 2-tuple of records and texts is one too)."""

    records: list[Record]
    segmented: list[str]
    dropped: int = 0  # segments dropped (no organisation found)
    capped: tuple[str, ...] = ()  # messages of the per-document caps it hit (read.toml)
    titles: tuple[str, ...] = ()  # each record's segmented title (empty: the store segments them)


def extract_for_store(doc: Document) -> StoreJob:
    """Worker job: the document's records and each notice's segmented text (for the index)."""
    from jikenbo.pipeline import extract_report

    got = extract_report(doc)
    return StoreJob(got.records, [textindex.segmented(textindex.notice_text(doc, r)) for r in got.records],
                    len(got.dropped), tuple(got.capped), textindex.segmented_titles(got.records))


def _extract(doc: Document) -> tuple[str, Any]:
    try:
        job = StoreJob(*extract_for_store(doc))
    except Exception as e:  # an extractor bug must not stop the batch
        log.exception("extraction failed for %s", doc.source)
        return "error", f"extraction failed: {type(e).__name__}: {e}"
    return "ok", ([r.model_dump_json() for r in job.records], job.segmented, job.dropped, job.capped, job.titles)


def _job(doc_json: str) -> tuple[str, Any]:
    return _extract(Document.model_validate_json(doc_json))


def _decode_job(raw: RawFile, given: str, cwd: str) -> tuple[str, Any, str | None, str | None]:
    """Worker job for a file the writer only read: decode it (charset, HTML main text, PDF)
    here, name it as the store shows it, then extract. (status, payload, document, locator)."""
    from jikenbo.read import decode_file
    from jikenbo.read.base import ReadFailure

    try:
        doc = decode_file(raw)
    except ReadFailure as e:
        return "unreadable", e.reason, None, None
    except MemoryError:
        return "unreadable", "out of memory while reading", None, None
    loc = None
    shown = shown_source(doc.source, given, cwd) if not doc.url else doc.source
    if shown != doc.source:
        doc, loc = doc.model_copy(update={"source": shown}), _locator(doc)
    status, payload = _extract(doc)
    return status, payload, doc.model_dump_json(), loc


def _jobs(items: list[tuple]) -> list[tuple[str, Any, str | None, str | None]]:
    """Worker job: several documents at once (one submit and one result per job: each
    submit costs the single writer a hand-over of the GIL to the pool's threads). An item is
    a Document as JSON, or a RawFile with the input it came from and the working folder."""
    return [(*_job(x[0]), None, None) if len(x) == 1 else _decode_job(*x) for x in items]


def _warm() -> None:
    textindex._tokenizer()


# a fictional notice: extracting it once loads the extractor's modules and compiled lexicons
_WARM_NOTICE = ("個人情報漏えいに関するお詫びとお知らせ\n\n2024年4月1日\n株式会社見本商事\n\n"
                "このたび、当社サーバーが第三者による不正アクセスを受けました。\n")


def _warm_before_fork() -> None:
    """Load the extractor and the tokenizer in this process before the pool starts: forked
    workers inherit them instead of each paying for its first document (~0.4 s CPU a worker)."""
    import multiprocessing

    if multiprocessing.get_context().get_start_method() != "fork":  # the pool's context
        return
    from jikenbo.pipeline import document_from_text

    try:
        extract_for_store(document_from_text(_WARM_NOTICE, "<warm-up>"))
    except Exception:  # the workers load what they need themselves
        log.debug("warm-up extraction failed", exc_info=True)


class _Progress:
    def __init__(self, enabled: bool) -> None:
        self.p: Any = None
        if enabled and sys.stderr.isatty() and not os.environ.get("CI"):
            from rich.console import Console
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self.p = Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
                              TextColumn("{task.fields[stats]}"), TimeElapsedColumn(),
                              console=Console(stderr=True), transient=False)
            self.p.start()
            self.task = self.p.add_task("ingest", total=None, stats="")

    def update(self, s: IngestSummary) -> None:
        if self.p:
            self.p.update(self.task, stats=f"documents {s.documents}  notices {s.notices}  "
                                           f"incidents +{s.incidents_created}  errors {len(s.failed)}")

    def stop(self) -> None:
        if self.p:
            self.p.stop()


class _CommitBatch:
    """Several documents' transactions in one commit (each a savepoint): on SQLite the commit is
    most of a small document's write cost; on PostgreSQL a batch takes the writers' lock once and
    pipelines its statements. A PostgreSQL batch is also committed whenever the writer would wait
    for the extraction workers, so another writer never waits on a lock held by an idle one."""

    def __init__(self, store: Store) -> None:
        opts = settings("store")["ingest"]
        self.store, self.backend = store, store.backend
        self.enabled = hasattr(store.backend, "begin_batch") and int(opts["commit_every_documents"]) > 1
        self.idle_commit = store.backend.kind == "postgresql"
        self.max_docs, self.max_seconds = int(opts["commit_every_documents"]), float(opts["commit_every_seconds"])
        self.docs, self.since = 0, 0.0

    def before(self) -> None:
        if self.enabled and not self.store.conn.in_transaction:
            self.backend.begin_batch(self.store.conn, self.store.path)
            self.docs, self.since = 0, time.monotonic()

    def after(self) -> None:
        self.docs += 1
        if self.enabled and (self.docs >= self.max_docs or time.monotonic() - self.since >= self.max_seconds):
            self.commit()

    def waiting(self) -> None:
        """The writer is about to wait for extraction."""
        if self.idle_commit:
            self.commit()

    def commit(self) -> None:
        if self.enabled:
            self.backend.commit_batch(self.store.conn, self.store.path)


def ingest(store: Store, inputs: Iterable[str] | Iterable[Document | ReadError], *,
           workers: int | None = None, progress: bool = True,
           on_error: Callable[[str, str], None] | None = None) -> IngestSummary:
    """Read, extract and store ``inputs`` (paths, folders, URLs, ``-``; or Documents).

    A folder or ``.jsonl`` file written by ``jikenbo scan`` is read as scan output: its pages
    come with their records already extracted and are stored and linked as they are.

    :param workers: extraction processes (default: the available cores; 1 = in this process)
    :param progress: show a Rich progress bar (only on a terminal, never under CI)
    :param on_error: called with (source, message) for each input that fails, as it fails
    """
    store._check_writable()
    s = IngestSummary()
    bar = _Progress(progress)

    def fail(source: str, message: str) -> None:
        s.failed.append((source, message))
        if on_error:
            on_error(source, message)

    def store_one(doc: Document, loc: str | None, records: list[Record], segs: list[str] | None,
                  dropped: int = 0, capped: tuple[str, ...] = (), titles: tuple[str, ...] = ()) -> None:
        if dropped:
            s.dropped.append((doc.source, dropped))
        s.capped.extend(capped)
        # titles segmented by the worker when it gave them (the writer is the bottleneck)
        batch.before()
        try:
            res: DocResult = store.add_document(doc, records, segmented=segs, locator=loc,
                                                segmented_titles=list(titles) if titles else None)
        except StoreError as e:
            if not e.retry:
                raise
            # two writers' conflict (PostgreSQL: one waited for the other's rows while that one
            # waited for the lock, or both stored the same bytes): what this batch stored is
            # committed, its lock released, and the document tried once more
            log.info("%s: tried again after a conflict with another writer (%s)", doc.source, e)
            batch.commit()
            batch.before()
            try:
                res = store.add_document(doc, records, segmented=segs, locator=loc,
                                         segmented_titles=list(titles) if titles else None)
            except StoreError as e2:
                if not e2.retry:
                    raise
                batch.commit()
                fail(doc.source, str(e2))
                return
        batch.after()
        if res.status == "duplicate":
            s.unchanged += 1
            return
        s.added += 1
        s.new_versions += res.status == "new_version"
        if not records and not dropped:  # a document whose notices were all dropped is under dropped
            s.empty.append(doc.source)
        s.notices += res.notices_added
        s.incidents_created += len(res.incidents_created)
        s.notices_linked += len(res.incidents_linked)

    batch = _CommitBatch(store)
    items = _items(inputs)
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    n_workers = max(1, int(workers or cores or 1))
    if n_workers > 1:
        _warm_before_fork()
    pool = worker_pool(n_workers, initializer=_warm) if n_workers > 1 else None
    # documents go to the workers in jobs of a few: (documents, their locators), results
    pending: deque[tuple[list[tuple[Document, str | None]], Future | list[tuple[str, Any]]]] = deque()
    per_job = max(1, int(settings("store")["ingest"]["documents_per_job"])) if pool is not None else 1
    window = n_workers * 2  # jobs in flight
    # (Document, its locator) or (RawFile, the input it came from)
    job: list[tuple[Document | RawFile, str | None]] = []

    def submit() -> None:
        if not job:
            return
        entries = job[:]
        job.clear()
        sent = [(x, extra, cwd) if isinstance(x, raw_file) else (x.model_dump_json(),) for x, extra in entries]
        if pool is None:
            batch.waiting()  # extracting in this process: the lock is not held meanwhile
        pending.append(([(x, None if isinstance(x, raw_file) else extra) for x, extra in entries],
                        pool.submit(_jobs, sent) if pool is not None else _jobs(sent)))
        drain(window)

    def drain(block_until: int) -> None:
        while len(pending) > block_until:
            entries, fut = pending.popleft()
            if isinstance(fut, Future) and not fut.done():
                batch.waiting()
            results = fut.result() if isinstance(fut, Future) else fut
            for (item, loc), (status, payload, doc_json, decoded_loc) in zip(entries, results, strict=True):
                if status == "unreadable":  # a file the worker could not decode
                    fail(item.source, payload)
                    bar.update(s)
                    continue
                doc = item
                if doc_json is not None:  # decoded by the worker
                    doc, loc = Document.model_validate_json(doc_json), decoded_loc
                    s.documents += 1
                if status == "error":
                    fail(doc.source, payload)
                else:
                    recs = [Record.model_validate_json(r) for r in payload[0]]
                    store_one(doc, loc, recs, *payload[1:])
                bar.update(s)

    from jikenbo.read import RawFile as raw_file

    cwd = os.getcwd()
    try:
        for item, loc in items:
            if isinstance(item, tuple):  # from scan output: extracted already
                doc, recs = item
                s.documents += 1
                if store.has_document(doc.sha256):
                    s.unchanged += 1
                else:
                    submit()  # the documents before it first
                    pending.append(([(doc, loc)], [("ok", ([r.model_dump_json() for r in recs], None), None, None)]))
                    drain(window)
                bar.update(s)
                continue
            if not isinstance(item, Document | ReadError | raw_file):  # a page the scan listed, not extracted
                s.listed.append((item.source, item.message))
                continue
            if isinstance(item, ReadError):
                fail(item.source, item.message)
                bar.update(s)
                continue
            if store.has_document(item.sha256):
                s.documents += 1
                s.unchanged += 1
                bar.update(s)
                continue
            # a Document with its locator, or a file read here for a worker to decode, with its
            # input (counted once decoded)
            s.documents += isinstance(item, Document)
            job.append((item, loc))
            if len(job) >= per_job:
                submit()
        submit()
        drain(0)
        batch.commit()
    except StoreError as e:
        s.fatal = str(e)
        _commit_what_is_done(batch)
    except BaseException:  # Ctrl-C, SIGTERM: stop the workers now; what is stored stays
        if pool is not None:
            stop_pool(pool, wait=False)
            pool = None
        _commit_what_is_done(batch)
        raise
    finally:
        if pool is not None:
            stop_pool(pool)
        bar.stop()
    return s


def _commit_what_is_done(batch: _CommitBatch) -> None:
    """After an error or an interrupt: the documents stored whole before it are committed (a
    document cut short was undone to its savepoint)."""
    try:
        batch.commit()
    except StoreError:
        log.warning("the last batch of documents could not be committed", exc_info=True)


def _items(inputs: Iterable[Any]) -> Iterable[tuple[Any, str | None]]:
    """Each input's documents: Documents (renamed by :func:`shown_source`) with the locator of
    their bytes; files as RawFile with the input they came from (a worker decodes and names
    them); from a folder or file of ``jikenbo scan`` output, (Document, records) pairs and
    ScanNotes."""
    inputs = list(inputs) if not isinstance(inputs, list) else inputs
    if inputs and all(isinstance(x, Document | ReadError) for x in inputs):
        yield from ((x, None) for x in inputs)
        return
    from jikenbo.read import RawFile, read_inputs

    try:
        from jikenbo.scan.output import is_scan_output, iter_scan_output
    except ImportError:  # a build without the scan stage reads every input as a document
        is_scan_output = iter_scan_output = None
    for given in (str(x) for x in inputs):
        if is_scan_output is not None and iter_scan_output is not None and is_scan_output(given):
            yield from ((x, None) for x in iter_scan_output(given))
            continue
        for item in read_inputs([given], raw=True):
            if isinstance(item, RawFile):
                yield item, given
                continue
            shown = shown_source(item.source, given) if isinstance(item, Document) and not item.url else None
            if shown is None or shown == item.source:
                yield item, None
            else:
                yield item.model_copy(update={"source": shown}), _locator(item)
