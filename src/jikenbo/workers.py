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
import multiprocessing
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


def _alive(pid: int) -> bool:
    """True while process ``pid`` runs (a zombie, dead but not yet reaped, counts as gone)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _die_with(owner: int, forked: bool, pdeathsig: bool) -> None:
    """Exit when ``owner`` (the process that made the pool) is gone.

    Forked workers are its children: their parent changes when it dies. Workers of a fork
    server are the fork server's children, and the fork server waits for its workers before it
    exits, so they watch ``owner`` itself (and exit too if the fork server goes).
    """
    parent = os.getppid()
    if pdeathsig and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError, TypeError):
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)

    def gone() -> bool:
        return os.getppid() != (owner if forked else parent) or (not forked and not _alive(owner))

    if gone():  # it died before we could ask
        os._exit(1)

    def watch() -> None:
        while True:
            threading.Event().wait(WATCH_SECONDS)
            if gone():
                os._exit(1)

    threading.Thread(target=watch, name="jikenbo-parent-watch", daemon=True).start()


def _init(owner: int, forked: bool, pdeathsig: bool, initializer: Callable[..., Any] | None,
          initargs: tuple) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with(owner, forked, pdeathsig)
    if initializer is not None:
        initializer(*initargs)


def _main_importable() -> bool:
    """A fork server's workers import this program's main module again: that needs its file
    (not a script read from stdin or ``-c``)."""
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    return main_file is None or os.path.isfile(main_file)


def worker_pool(workers: int, initializer: Callable[..., Any] | None = None,
                initargs: tuple = (), *, pdeathsig: bool = True, fork_server: bool = False) -> ProcessPoolExecutor:
    """A process pool of ``workers`` processes that die with this process.

    :param pdeathsig: also ask Linux to kill them at once. The kernel sends that signal when the
        *thread* that forked them ends, so pools started from short-lived threads (a web
        server's request threads) pass False and rely on the parent watch (within a second).
    :param fork_server: start workers from a clean fork server (where the platform has one), not
        by forking this process: for a process with threads and open database connections (the
        web server). The workers watch this process and exit with it; the fork server and
        the resource tracker follow once no process holds them.
    """
    ctx = None
    if fork_server and "forkserver" in multiprocessing.get_all_start_methods() and _main_importable():
        ctx = multiprocessing.get_context("forkserver")
    if fork_server and ctx is None:
        pdeathsig = False  # forked from whatever thread asks first: the watch alone
    return ProcessPoolExecutor(workers, mp_context=ctx, initializer=_init,
                               initargs=(os.getpid(), ctx is None, pdeathsig, initializer, initargs))


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
