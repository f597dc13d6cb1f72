"""CPU work of a request (decoding, extraction, index text) off the event loop, bounded.

:class:`ExtractPool` runs :func:`extract_job` in worker processes (``extract_workers`` in
serve.toml; 0 = one thread of the server process) with at most ``extract_queue`` requests
waiting: a request beyond that gets 503 with ``Retry-After``, so one big upload never holds
the other requests and a burst never piles up memory. :class:`RateLimit` limits the
unauthenticated extraction endpoints per client address when the server listens beyond
loopback (429 with ``Retry-After``).
"""

from __future__ import annotations

import asyncio
import threading
import time
import weakref
from collections import OrderedDict
from concurrent.futures import Executor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import Any

from jikenbo.models import Document, Record
from jikenbo.read import ReadFailure
from jikenbo.serve.errors import ServeError


@dataclass
class JobResult:
    """What :func:`extract_job` gives back (``error``: (status, message) instead)."""

    doc: Document | None = None
    records: list[Record] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # caps hit (read.toml), dropped notices
    segmented: list[str] | None = None  # index text per record (for storing)
    error: tuple[int, str] | None = None


def too_much_text(source: str, chars: int, limit: int) -> str:
    return (f"{source}: text too long for one request ({chars:,} characters; the limit is {limit:,}: "
            "ingest big documents with `jikenbo ingest`)")


def extract_job(data: bytes | Document, filename: str = "", content_type: str | None = None, *,
                max_chars: int, segmented: bool = False) -> JobResult:
    """Decode ``data`` (or take the Document), check the size, extract (and index text when
    ``segmented``); in a worker. Never raises for bad input: ``error`` holds status and message."""
    from jikenbo.pipeline import extract_report
    from jikenbo.serve.extracting import document_from_upload

    try:
        doc = data if isinstance(data, Document) else document_from_upload(data, filename, content_type)
    except ReadFailure as e:
        return JobResult(error=(400, str(e)))
    if len(doc.text) > max_chars:
        return JobResult(error=(413, too_much_text(doc.source, len(doc.text), max_chars)))
    try:
        got = extract_report(doc)
    except Exception as e:  # an extractor bug is a 500 with one line, never a traceback
        return JobResult(error=(500, f"{doc.source}: extraction failed ({type(e).__name__})"))
    warnings = list(got.capped)
    if got.dropped:
        warnings.append(f"{doc.source}: {len(got.dropped)} notices found no organisation and were left out")
    segs = None
    if segmented and got.records:
        from jikenbo.store import textindex

        segs = [textindex.segmented(textindex.notice_text(doc, r)) for r in got.records]
    return JobResult(doc=doc, records=got.records, warnings=warnings, segmented=segs)


def _noop() -> None:
    return None


class ExtractPool:
    """A bounded pool for :func:`extract_job`: ``workers`` processes (0: one thread), ``queue`` waiting."""

    def __init__(self, workers: int, queue: int, retry_after: int) -> None:
        self.workers = max(0, workers)
        self.limit = max(1, self.workers) + max(0, queue)
        self.retry_after = max(1, retry_after)
        self._pool: Executor | None = None
        self._lock = threading.Lock()
        self._in_flight = 0

    def _executor(self) -> Executor:
        with self._lock:
            if self._pool is None:
                if self.workers:
                    from jikenbo.workers import worker_pool

                    # a fork server: no copy of the server's threads and connections in a worker
                    self._pool = worker_pool(self.workers, fork_server=True)
                    # an app dropped without its shutdown (tests, embedding) still stops its workers
                    weakref.finalize(self, self._pool.shutdown, wait=False, cancel_futures=True)
                else:
                    self._pool = ThreadPoolExecutor(1, thread_name_prefix="jikenbo-extract")
            return self._pool

    def start(self) -> None:
        """Start the workers now (at server start), without waiting for them to be ready."""
        ex = self._executor()
        for _ in range(max(1, self.workers)):
            ex.submit(_noop)

    def busy(self) -> ServeError:
        return ServeError(503, f"the server is busy extracting ({self.limit} requests at once); "
                               f"try again in {self.retry_after} s",
                          headers={"Retry-After": str(self.retry_after)})

    async def run(self, *args: Any, **kwargs: Any) -> JobResult:
        """:func:`extract_job` ``(*args, **kwargs)`` off the loop; 503 when the queue is full."""
        with self._lock:
            if self._in_flight >= self.limit:
                raise self.busy()
            self._in_flight += 1
        try:
            fut = self._executor().submit(extract_job, *args, **kwargs)
            try:
                res = await asyncio.wrap_future(fut)
            except BrokenProcessPool as e:  # a worker died (out of memory, killed): a new pool next time
                self._reset()
                raise ServeError(500, "extraction failed: a worker process died (see the server log)") from e
        finally:
            with self._lock:
                self._in_flight -= 1
        if res.error:
            raise ServeError(*res.error)
        return res

    def _reset(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is None:
            return
        from concurrent.futures import ProcessPoolExecutor

        if isinstance(pool, ProcessPoolExecutor):
            from jikenbo.workers import stop_pool

            stop_pool(pool, wait=False)
        else:
            pool.shutdown(wait=False, cancel_futures=True)


async def extract_for(request: Any, data: bytes | Document, filename: str = "", content_type: str | None = None,
                      *, segmented: bool = False, form_token: str | None = None) -> JobResult:
    """Extract for ``request``: the rate limit (no token, beyond loopback), then the bounded pool."""
    state = request.app.state
    if not state.writes.has_token(request, form_token):
        state.extract_limit.check(request.client.host if request.client else "unknown")
    return await state.extract_pool.run(data, filename, content_type, max_chars=state.cfg.max_text_chars,
                                        segmented=segmented)


class RateLimit:
    """Token buckets per client address: ``per_minute`` requests a minute, ``burst`` at once."""

    def __init__(self, per_minute: int, burst: int, max_clients: int = 10_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(max(1, burst))
        self.max_clients = max_clients
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def enabled(self) -> bool:
        return self.rate > 0

    def check(self, client: str, now: float | None = None) -> None:
        """Take one token for ``client``; raise 429 (with Retry-After) when none is left."""
        if not self.enabled:
            return
        t = time.monotonic() if now is None else now
        with self._lock:
            tokens, last = self._buckets.pop(client, (self.burst, t))
            tokens = min(self.burst, tokens + (t - last) * self.rate)
            if tokens < 1:
                self._buckets[client] = (tokens, t)
                wait = max(1, int((1 - tokens) / self.rate + 0.999))
                raise ServeError(429, f"too many extraction requests from {client}; try again in {wait} s "
                                      "(a token lifts the limit)", headers={"Retry-After": str(wait)})
            self._buckets[client] = (tokens - 1, t)
            while len(self._buckets) > self.max_clients:
                self._buckets.popitem(last=False)
