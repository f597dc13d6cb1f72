"""Worker processes that never outlive the process that started them.

``worker_pool`` is a ``ProcessPoolExecutor`` whose workers (1) ask Linux to kill them when
their parent dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)``), (2) watch their parent from a
thread everywhere else (and in case the parent died before the ``prctl``), and (3) ignore
SIGINT, so a Ctrl-C reaches only the parent, which stops them (:func:`stop_pool`) and
prints one line instead of a traceback from every worker. Used by ingest, bulk loading and
the web server's extraction pool.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

log = logging.getLogger(__name__)
PR_SET_PDEATHSIG = 1
WATCH_SECONDS = 1.0


def _die_with(parent: int, pdeathsig: bool) -> None:
    if pdeathsig and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError, TypeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before we could ask
        os._exit(1)

    def watch() -> None:
        while True:
            threading.Event().wait(WATCH_SECONDS)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="jikenbo-parent-watch", daemon=True).start()


def _init(parent: int, pdeathsig: bool, initializer: Callable[..., Any] | None, initargs: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with(parent, pdeathsig)
    if initializer is not None:
        initializer(*initargs)


def worker_pool(workers: int, initializer: Callable[..., Any] | None = None,
                initargs: tuple = (), *, pdeathsig: bool = True) -> ProcessPoolExecutor:
    """A process pool of ``workers`` processes that die with this process.

    :param pdeathsig: also ask Linux to kill them at once. The kernel sends that signal when the
        *thread* that forked them ends, so pools started from short-lived threads (a web
        server's request threads) pass False and rely on the parent watch (within a second).
    """
    return ProcessPoolExecutor(workers, initializer=_init,
                               initargs=(os.getpid(), pdeathsig, initializer, initargs))


def stop_pool(pool: ProcessPoolExecutor, *, wait: bool = True) -> None:
    """Shut ``pool`` down. ``wait=False`` (an interrupt): drop queued jobs and kill running ones."""
    if wait:
        pool.shutdown(wait=True, cancel_futures=True)
        return
    procs = list((getattr(pool, "_processes", None) or {}).values())  # no public handle before 3.14
    pool.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        with contextlib.suppress(Exception):
            p.kill()
    for p in procs:
        with contextlib.suppress(Exception):
            p.join(timeout=10)


def sigterm_as_interrupt() -> None:
    """Handle SIGTERM (systemd, docker, ``timeout``) like Ctrl-C: raise KeyboardInterrupt in the
    main thread, so ``finally`` blocks run, transactions roll back and workers are stopped."""
    def handler(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)
