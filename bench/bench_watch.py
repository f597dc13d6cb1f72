"""What watches cost an ingest, and how fast STIX and MISP exports are.

    .venv/bin/python bench/bench_watch.py                 # tests/corpus + held-out sets, 0 vs 25 watches
    .venv/bin/python bench/bench_watch.py --watches 100

Extraction is done once; both stores get the same records through ``Store.add_document``, so
the difference is what ``store.watch.record_alerts`` adds per document. Measures, asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from jikenbo.pipeline import extract_document  # noqa: E402
from jikenbo.read import read_inputs  # noqa: E402
from jikenbo.store import Filters, open_store  # noqa: E402
from jikenbo.store import watch as ws  # noqa: E402

SETS = ["tests/corpus", "tests/holdout", "tests/holdout2", "tests/holdout3", "src/jikenbo/samples"]
KINDS = [Filters(types=["ransomware"]), Filters(min_affected=1000), Filters(leak_status=["confirmed"]),
         Filters(organization="市"), Filters(vendor="印刷"), Filters(category=["health"]),
         Filters(since="2024-01"), Filters(query="不正アクセス"), Filters(industry=["医療"])]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--watches", type=int, default=25)
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    docs = [d for d in read_inputs([str(ROOT / s) for s in SETS]) if hasattr(d, "sha256")]
    pairs = [(d, extract_document(d)) for d in docs]
    print(f"{len(pairs)} documents, {sum(len(r) for _, r in pairs)} notices (extracted once)")
    for n in (0, a.watches):
        best = float("inf")
        for _ in range(a.repeat):
            with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "b.db") as s:
                for i in range(n):
                    ws.add_watch(s, f"w{i}", KINDS[i % len(KINDS)])
                t = time.perf_counter()
                for d, recs in pairs:
                    s.add_document(d, recs)
                best = min(best, time.perf_counter() - t)
                alerts = len(ws.alerts(s, limit=None))
        print(f"{n:4d} watches: storing took {best * 1000:7.1f} ms ({best / len(pairs) * 1000:.2f} ms a document), "
              f"{alerts} alerts")
    with tempfile.TemporaryDirectory() as tmp, open_store(Path(tmp) / "b.db") as s:
        for d, recs in pairs:
            s.add_document(d, recs)
        from jikenbo.store.exporting import export

        n_inc = s.count_incidents()
        for fmt, out in (("stix", Path(tmp) / "b.json"), ("misp", Path(tmp) / "misp")):
            t = time.perf_counter()
            export(s, fmt=fmt, out=out)
            dt = time.perf_counter() - t
            print(f"export --format {fmt}: {n_inc} incidents in {dt * 1000:.0f} ms ({dt / n_inc * 1000:.2f} ms each)")


if __name__ == "__main__":
    main()
