"""Running ``scan_input`` over many inputs: in this process, a local process pool, or Dask.

The driver owns the output folder: it skips inputs whose output file is complete, sends the
rest to the engine, and writes each result as it arrives, atomically (a temporary file in the
same folder, then ``os.replace``). A killed run leaves at most temporary files, removed by the
next run; a failed input gets no output file, so the next run retries it alone.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from jikenbo.scan.core import InputResult, ScanConfig, ScanStats, output_name, scan_input

CRAWL_SUFFIXES = (".warc", ".warc.gz", ".wet", ".wet.gz", ".warc.wet.gz", ".arc.gz")
LIST_SUFFIXES = (".txt", ".lst", ".list", ".paths", ".paths.gz")
_TMP_PREFIX = ".scan-tmp-"


class ScanError(Exception):
    """The scan cannot start (no output folder, an unreadable list of inputs, no engine)."""


@dataclass
class ScanSummary:
    """What one ``scan`` run did."""

    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # complete output already there
    failed: list[tuple[str, str]] = field(default_factory=list)  # (input, one-line reason)
    stats: ScanStats = field(default_factory=ScanStats)  # the inputs scanned in this run
    skipped_stats: ScanStats = field(default_factory=ScanStats)  # from the skipped inputs' files
    seconds: float = 0.0
    cpu_seconds: float = 0.0  # processor time of the inputs scanned, summed over the workers

    @property
    def ok(self) -> bool:
        return not self.failed

    def lines(self) -> list[str]:
        s = self.stats
        out = [f"inputs: {len(self.done)} scanned, {len(self.skipped)} skipped (already scanned), "
               f"{len(self.failed)} failed",
               f"pages: {s.pages:,} seen, {s.prefiltered:,} prefiltered (type {s.dropped_type:,}, "
               f"language {s.dropped_language:,}, cue words {s.dropped_cues:,}, visible text {s.dropped_text:,}, "
               f"no incident cue {s.dropped_incident:,}), "
               f"{s.read:,} read",
               f"records: {s.records:,} notices in {s.with_notices:,} pages; {s.no_notice:,} pages read "
               f"held none"]
        if s.truncated or s.unreadable:
            out.append(f"{s.truncated:,} pages cut short by the crawler ({s.not_extracted:,} PDFs listed "
                       f"for re-fetching, not extracted); {s.unreadable:,} pages unreadable (listed)")
        if self.skipped:
            k = self.skipped_stats
            out.append(f"skipped inputs held {k.records:,} notices in {k.pages:,} pages")
        for src, why in self.failed:
            out.append(f"failed: {why if why.startswith(src) else f'{src}: {why}'}")
        return out

    def as_dict(self) -> dict[str, Any]:
        from dataclasses import asdict

        return {"done": self.done, "skipped": self.skipped,
                "failed": [{"input": s, "message": m} for s, m in self.failed],
                "stats": {**asdict(self.stats), "prefiltered": self.stats.prefiltered},
                "skipped_stats": asdict(self.skipped_stats), "seconds": round(self.seconds, 3),
                "cpu_seconds": round(self.cpu_seconds, 3)}


# --------------------------------------------------------------------------- inputs


def expand_inputs(given: Iterable[str]) -> list[str]:
    """Crawl files named directly, listed one per line in a text file (``#`` comments; a
    relative path is taken from the list's folder; ``.paths.gz`` as Common Crawl ships them),
    or found in a folder (recursively). Order kept, duplicates dropped.

    :raises ScanError: a list or folder that cannot be read
    """
    out: list[str] = []
    for item in given:
        if "://" in item[:16]:
            out.append(item)
        elif os.path.isdir(item):
            found = sorted(_walk(item))
            if not found:
                raise ScanError(f"{item}: folder holds no WARC or WET files ({', '.join(CRAWL_SUFFIXES)})")
            out += found
        elif item.lower().endswith(LIST_SUFFIXES):
            out += _read_list(item)
        else:
            out.append(item)
    return list(dict.fromkeys(out))


def _walk(folder: str) -> Iterator[str]:
    for root, dirs, files in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in files:
            if not name.startswith(".") and name.lower().endswith(CRAWL_SUFFIXES):
                yield os.path.join(root, name)


def _read_list(path: str) -> list[str]:
    try:
        if path.lower().endswith(".gz"):
            with gzip.open(path, "rt", encoding="utf-8") as f:
                lines = f.read().splitlines()
        else:
            with open(path, encoding="utf-8") as f:
                lines = f.read().splitlines()
    except FileNotFoundError as e:
        raise ScanError(f"{path}: no such file") from e
    except (OSError, UnicodeDecodeError, EOFError) as e:
        raise ScanError(f"{path}: cannot read the list of inputs ({e})") from e
    here = os.path.dirname(path)
    out = []
    for line in lines:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        out.append(line if "://" in line[:16] or os.path.isabs(line) else os.path.join(here, line))
    if not out:
        raise ScanError(f"{path}: the list of inputs is empty")
    return out


# --------------------------------------------------------------------------- output folder


def complete_summary(path: str) -> dict[str, Any] | None:
    """The summary line of a complete output file, or None (missing, partial, not ours)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, os.SEEK_END)
            size = f.tell()
            f.seek(max(0, size - 65536))
            tail = f.read().rstrip(b"\n").rsplit(b"\n", 1)[-1]
        last = json.loads(tail)
    except (OSError, ValueError):
        return None
    return last if isinstance(last, dict) and last.get("kind") == "summary" else None


def write_atomic(folder: str, name: str, lines: list[str]) -> str:
    """Write ``lines`` to ``folder/name`` so that the file is either whole or absent."""
    fd, tmp = tempfile.mkstemp(prefix=_TMP_PREFIX, suffix=".jsonl", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            for line in lines:
                f.write(line)
                f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        final = os.path.join(folder, name)
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return final


def _prepare(out_dir: str) -> None:
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as e:
        raise ScanError(f"{out_dir}: cannot create the output folder ({e.strerror or e})") from e
    if not os.access(out_dir, os.W_OK):
        raise ScanError(f"{out_dir}: the output folder is not writable")
    for name in os.listdir(out_dir):  # what a killed run left behind
        if name.startswith(_TMP_PREFIX):
            with contextlib.suppress(OSError):
                os.unlink(os.path.join(out_dir, name))


# --------------------------------------------------------------------------- engines


def _cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


# A page of our own that takes the read stage through trafilatura and its fallbacks once.
_WARM_PAGE = ("<!doctype html><html><head><title>お知らせ</title></head><body><nav>ホーム</nav><main>"
              "<h1>臨時休業のお知らせ</h1><p>本日は設備点検のため休業いたします。</p></main>"
              "<footer>架空商店</footer></body></html>").encode()
# A notice of our own (a fictional shop) that gives a record: every field extractor compiles
# its patterns on it, before the first real notice (about 0.3 s otherwise paid on that page).
_WARM_NOTICE = ("2030年1月10日\n架空商店株式会社\n\n不正アクセスによる個人情報漏えいのおそれに関するお詫び\n\n"
                "このたび、当社の通販サイトが第三者による不正アクセスを受け、お客様の氏名とメールアドレス120件が"
                "漏えいしたおそれがあることが2030年1月8日に判明しました。個人情報保護委員会に報告しております。\n")


def _warm() -> None:
    """Worker start, once per process (about 1.5 s of processor time, none of it per page):
    load the prefilter's and the extractor's lexicons and compile their patterns (the
    prefilter's incident patterns by Hyperscan), import trafilatura and load its stop lists."""
    from jikenbo.pipeline import extract_text
    from jikenbo.read import decode_bytes
    from jikenbo.scan.prefilter import may_hold_notice

    extract_text(_WARM_NOTICE, "<warm-up>")
    may_hold_notice("", html=False)
    decode_bytes(_WARM_PAGE, "<warm-up>", "text/html")


def _run_local(todo: list[str], cfg: ScanConfig, workers: int) -> Iterator[InputResult]:
    if workers <= 1 or len(todo) <= 1:
        for src in todo:
            yield scan_input(src, cfg)
        return
    from concurrent.futures import ProcessPoolExecutor, as_completed

    with ProcessPoolExecutor(min(workers, len(todo)), initializer=_warm) as pool:
        futures = {pool.submit(scan_input, src, cfg): src for src in todo}
        try:
            for fut in as_completed(futures):
                try:
                    yield fut.result()
                except Exception as e:  # the worker process died (killed, out of memory)
                    src = futures[fut]
                    yield InputResult(src, ok=False, error=f"{src}: the worker died ({type(e).__name__}: {e})")
        finally:
            for fut in futures:
                fut.cancel()


def _run_dask(todo: list[str], cfg: ScanConfig, dask: Any) -> Iterator[InputResult]:
    try:
        from distributed import Client, as_completed
    except ImportError as e:
        raise ScanError("--dask needs the 'distributed' package (pip install distributed)") from e
    own = isinstance(dask, str)
    if own:
        try:
            client = Client(dask, timeout="30s")
        except OSError as e:
            raise ScanError(f"{dask}: cannot reach the Dask scheduler ({e})") from e
    else:
        client = dask
    try:
        with contextlib.suppress(Exception):  # a worker that cannot warm up pays on its first page
            client.run(_warm)
        cfg_future = client.scatter(cfg, broadcast=True)
        futures = [client.submit(scan_input, src, cfg_future, key=f"jikenbo-scan-{output_name(src)}", pure=False)
                   for src in todo]
        by_key = {f.key: src for f, src in zip(futures, todo, strict=True)}
        for fut in as_completed(futures):
            try:
                yield fut.result()
            except Exception as e:  # the task failed on every worker Dask tried (a worker died)
                src = by_key[fut.key]
                yield InputResult(src, ok=False, error=f"{src}: failed on the cluster ({type(e).__name__}: {e})")
            finally:
                fut.release()
    finally:
        if own:
            client.close()


def scan(inputs: Iterable[str], out_dir: str, *, workers: int | None = None, dask: Any = None,
         config: ScanConfig | None = None, force: bool = False,
         on_result: Callable[[InputResult, str], None] | None = None) -> ScanSummary:
    """Scan crawl files into ``out_dir`` (one JSONL file per input) and say what happened.

    :param workers: local processes (default: the cores; 1 = this process); ignored with ``dask``
    :param dask: a scheduler address (``tcp://host:8786``) or a ``distributed.Client``
    :param force: scan inputs again even when their output file is complete
    :param on_result: called with each input's result and its status (done/skipped/failed)
    :raises ScanError: the output folder or a list of inputs cannot be used
    """
    import time

    started = time.perf_counter()
    cfg = config or ScanConfig.default()
    summary = ScanSummary()
    sources = expand_inputs(inputs)
    _prepare(out_dir)
    todo: list[str] = []
    for src in sources:
        done = None if force else complete_summary(os.path.join(out_dir, output_name(src)))
        if done is not None:
            summary.skipped.append(src)
            summary.skipped_stats.add(ScanStats.from_dict(done))
            if on_result:
                on_result(InputResult(src, ok=True, stats=ScanStats.from_dict(done)), "skipped")
        else:
            todo.append(src)
    results = _run_dask(todo, cfg, dask) if dask is not None else _run_local(todo, cfg, workers or _cores())
    for res in results:
        if res.ok:
            try:
                write_atomic(out_dir, output_name(res.source), res.lines)
            except OSError as e:
                res = InputResult(res.source, ok=False, error=f"{res.source}: cannot write its output "
                                  f"({e.strerror or e})", stats=res.stats)
        if res.ok:
            summary.done.append(res.source)
            summary.stats.add(res.stats)
            summary.cpu_seconds += res.cpu_seconds
        else:
            summary.failed.append((res.source, res.error or "failed"))
        if on_result:
            on_result(res, "done" if res.ok else "failed")
    summary.seconds = time.perf_counter() - started
    return summary
