#!/usr/bin/env python3
"""Does one big extraction hold the other requests? GET latency while a large POST extracts.

    .venv/bin/python bench/bench_stall.py [--chars 490000] [--workers 1] [--json]

Runs the app on one event loop (FastAPI TestClient as a context manager: every request goes
through the same loop, as under uvicorn), posts one notice of ``--chars`` characters to
/api/extract from a thread and, while it extracts, times GET /api/incidents over and over.
With extraction on the loop (before issue #10) each GET waited for the whole extraction; off
the loop a GET takes its usual few milliseconds. Not a test: no asserts.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import warnings
from pathlib import Path

warnings.filterwarnings("ignore", category=DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

from jikenbo.cli.serve_cmd import sample_files  # noqa: E402
from jikenbo.serve import create_app  # noqa: E402
from jikenbo.store import open_store  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--chars", type=int, default=490_000, help="characters of the posted notice")
    ap.add_argument("--workers", type=int, default=1, help="extract_workers (0: one thread)")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    base = Path(sample_files()[0]).read_text(encoding="utf-8")
    text = (base * (a.chars // len(base) + 1))[: a.chars]
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "s.db"
        with open_store(db) as s:
            s.ingest(sample_files(), progress=False, workers=1)
        app = create_app(db, settings={"extract_workers": a.workers, "max_text_chars": a.chars + 1,
                                       "max_upload_bytes": 4 * a.chars + 1000})
        with TestClient(app) as client:
            client.get("/api/incidents")
            done = threading.Event()
            took: dict = {}

            def post() -> None:
                t0 = time.perf_counter()
                r = client.post("/api/extract", json={"text": text})
                took["post_s"], took["status"] = time.perf_counter() - t0, r.status_code
                done.set()

            threading.Thread(target=post).start()
            gets = []
            while not done.is_set():
                t0 = time.perf_counter()
                client.get("/api/incidents")
                gets.append((time.perf_counter() - t0) * 1000)
    out = {"chars": a.chars, "extract_workers": a.workers, "post_seconds": round(took["post_s"], 2),
           "post_status": took["status"], "gets_during_post": len(gets),
           "get_ms_p50": round(statistics.median(gets), 1) if gets else None,
           "get_ms_max": round(max(gets), 1) if gets else None}
    if a.json:
        print(json.dumps(out))
    else:
        for k, v in out.items():
            print(f"{k:>18}: {v}")


if __name__ == "__main__":
    sys.exit(main())
