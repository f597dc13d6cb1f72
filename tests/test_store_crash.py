"""kill -9 in the middle of an ingest: everything committed survives, a re-run finishes the rest."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from jikenbo.store import open_store

SCRIPT = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {tests!r})
    import jikenbo.store.ingest as ingest_mod
    from jikenbo.store import open_store, textindex
    from jikenbo.store.core import _notice_text
    from test_store_fixtures import fake_extract, make_doc

    def slow(doc):
        time.sleep({delay})
        recs = fake_extract(doc)
        return recs, [textindex.segmented(_notice_text(doc, r)) for r in recs]

    ingest_mod.extract_for_store = slow
    docs = []
    for i in range({n}):
        text = (f"org: 株式会社クラッシュ{{i:03d}}\\ndate: 2024-01-{{i % 28 + 1:02d}}\\n"
                f"type: loss\\naffected: {{i + 1}}\\n本文: 書類を紛失しました。")
        docs.append(make_doc(text, f"doc{{i}}.txt"))
    store = open_store(sys.argv[1])
    s = store.ingest(docs, workers=1, progress=False)
    print("done", s.added, s.unchanged, flush=True)
""")

N = 40


def _run(db: Path, delay: float) -> subprocess.Popen:
    tests = str(Path(__file__).parent)
    code = SCRIPT.format(tests=tests, delay=delay, n=N)
    return subprocess.Popen([sys.executable, "-c", code, str(db)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _count(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return conn.execute("SELECT count(*) FROM documents").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def test_kill_9_mid_batch_loses_nothing_committed(tmp_path):
    db = tmp_path / "crash.db"
    proc = _run(db, delay=0.15)
    deadline = time.time() + 60
    while _count(db) < 5 and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    with open_store(db) as s:
        committed = s.counts()
        assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert 5 <= committed["documents"] < N
    assert committed["notices"] == committed["documents"] == committed["incidents"]

    done = _run(db, delay=0.0)
    out, err = done.communicate(timeout=120)
    assert done.returncode == 0, err
    added, unchanged = map(int, out.split()[1:3])
    assert unchanged == committed["documents"] and added == N - committed["documents"]
    with open_store(db) as s:
        c = s.counts()
        assert c["documents"] == c["notices"] == c["incidents"] == N
        assert s.count_incidents() == N
