"""SIGTERM and kill -9 of ``jikenbo ingest``: no worker process survives, the store stays sound.

Runs the real CLI in a subprocess, with an extractor slowed down (patched before the workers
fork) so that the signal lands while workers are busy.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from jikenbo.store import open_store

SRC = Path(__file__).resolve().parent.parent / "src"
pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc (Linux)")

RUNNER = """
import sys, time
import jikenbo.pipeline as p
orig = p.segment_document
def slow(doc):
    time.sleep(0.3)
    return orig(doc)
p.segment_document = slow
sys.argv = ["jikenbo", *sys.argv[1:]]
from jikenbo.cli import main
main()
"""

NOTICE = """株式会社架空{i}商事
2024年5月{d}日
不正アクセスによる個人情報漏えいのお詫びとご報告
このたび、当社の通販サイトが第三者による不正アクセスを受け、お客様{n}名の氏名及びメールアドレスが
漏えいした可能性があることが判明いたしました。2024年5月1日に当社システム担当者が異常を検知しました。
個人情報保護委員会へ報告済みです。
"""


def _corpus(folder: Path, n: int = 80) -> Path:
    folder.mkdir()
    for i in range(n):
        (folder / f"notice{i:03d}.txt").write_text(NOTICE.format(i=i, d=1 + i % 28, n=100 + i), encoding="utf-8")
    return folder


def _children(pid: int) -> set[int]:
    out = set()
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            out.add(int(d.name))
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


def _wait_for(cond, seconds: float = 120.0) -> bool:  # type: ignore[no-untyped-def]
    ev = threading.Event()
    for _ in range(int(seconds * 10)):
        if cond():
            return True
        ev.wait(0.1)
    return cond()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "kill-9"])
def test_workers_die_with_ingest_and_the_store_stays_sound(tmp_path: Path, sig: int) -> None:
    folder = _corpus(tmp_path / "notices")
    db = tmp_path / "s.db"
    env = {**os.environ, "PYTHONPATH": str(SRC), "CI": "1"}
    proc = subprocess.Popen([sys.executable, "-c", RUNNER, "ingest", str(folder), "--db", str(db),
                             "--workers", "2", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert _wait_for(lambda: len(_children(proc.pid)) >= 2), "the workers never started"
        workers = _children(proc.pid)
        assert _wait_for(lambda: db.exists())
        proc.send_signal(sig)
        proc.wait(timeout=120)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _wait_for(lambda: not any(_alive(w) for w in workers)), "a worker outlived its parent"
    if sig == signal.SIGTERM:
        assert proc.returncode == 130
        assert "interrupted" in err and "Traceback" not in err
    with open_store(db) as store:
        assert store.integrity_check() == []
        done = store.counts()["documents"]
    assert done < 80  # the signal came mid-batch
    # a re-run completes the batch
    again = subprocess.run([sys.executable, "-m", "jikenbo", "ingest", str(folder), "--db", str(db),
                            "--workers", "1", "--json"], capture_output=True, text=True, env=env, timeout=600)
    assert again.returncode == 0, again.stderr
    with open_store(db) as store:
        assert store.counts()["documents"] == 80
        assert store.integrity_check() == []


def _descendants(pid: int) -> set[int]:
    out, todo = set(), [pid]
    while todo:
        kids = _children(todo.pop())
        out |= kids
        todo += list(kids)
    return out


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "kill-9"])
def test_server_extraction_workers_die_with_the_server(tmp_path: Path, sig: int) -> None:
    import json
    import urllib.request

    from test_cli_db import start_server

    proc, port = start_server(tmp_path / "s.db")
    try:
        req = urllib.request.Request(f"http://127.0.0.1:{port}/api/extract",
                                     data=json.dumps({"text": NOTICE.format(i=1, d=1, n=5)}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as r:
            assert r.status == 200
        helpers = _descendants(proc.pid)
        assert helpers, "no extraction worker was started"
        proc.send_signal(sig)
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _wait_for(lambda: not any(_alive(p) for p in helpers)), "a worker outlived the server"


def test_a_worker_exits_when_its_parent_is_gone() -> None:
    """The parent watch alone (no prctl): a pool worker whose parent vanished exits."""
    code = """
import os, sys, time
from jikenbo.workers import worker_pool
pool = worker_pool(1)
print(pool.submit(os.getpid).result(), flush=True)
os._exit(0)   # no cleanup at all: the worker must notice on its own
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         env={**os.environ, "PYTHONPATH": str(SRC)})
    worker = int(out.stdout.split()[0])
    assert _wait_for(lambda: not _alive(worker))
