"""Slow counts in the background: facet counts, totals and chart data of a big store.

A page waits for such a result only up to a budget; when it is not ready, the page says so
(and the script fills it in from the API), and the result lands in the memo for the next view.
Each job runs once per key at a time, on its own read-only connection.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from jikenbo.serve.cache import MEMO
from jikenbo.serve.deps import StoreHub
from jikenbo.store import Store

MISSING = object()


class Background:
    def __init__(self, hub: StoreHub, workers: int = 4, slow_workers: int = 1) -> None:
        self.hub = hub
        # totals: a page waits for them, so they never queue behind slow jobs
        self.pool = ThreadPoolExecutor(workers, thread_name_prefix="jikenbo-count")
        # facets and chart scans: one at a time, so requests keep the other cores
        self.slow_pool = ThreadPoolExecutor(slow_workers, thread_name_prefix="jikenbo-slow")
        self._running: dict[Hashable, Future] = {}
        self._lock = threading.Lock()

    def submit(self, key: Hashable, fn: Callable[[Store], Any], *, slow: bool = False) -> Future:
        """A future of ``fn(store)``, memoised under ``key`` (already done when memoised)."""
        hit = MEMO.peek(key, MISSING)
        if hit is not MISSING:
            done: Future = Future()
            done.set_result(hit)
            return done
        with self._lock:
            fut = self._running.get(key)
            if fut is None:
                fut = (self.slow_pool if slow else self.pool).submit(self._run, key, fn)
                self._running[key] = fut
        return fut

    def _run(self, key: Hashable, fn: Callable[[Store], Any]) -> Any:
        try:
            with self.hub.reading() as store:
                value = fn(store)
            MEMO.put(key, value)
            return value
        finally:
            with self._lock:
                self._running.pop(key, None)

    def within(self, key: Hashable, fn: Callable[[Store], Any], seconds: float) -> tuple[bool, Any]:
        """(True, value) when ready within ``seconds``; else (False, None) and it keeps running."""
        fut = self.submit(key, fn, slow=True)
        try:
            return True, fut.result(timeout=seconds)
        except FutureTimeout:
            return False, None

    def idle(self) -> bool:
        """True when no job is running or queued."""
        with self._lock:
            return not self._running

    def close(self) -> None:
        self.pool.shutdown(wait=False, cancel_futures=True)
        self.slow_pool.shutdown(wait=False, cancel_futures=True)
