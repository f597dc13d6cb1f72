#!/usr/bin/env python3
"""Casebook benchmark: time to write entries and reports over a synthetic store of N incidents.

    .venv/bin/python bench/bench_casebook.py --n 20000 [--db FILE] [--pdf] [--json]

Builds (or reuses, with --db) the synthetic store of bench_store.py, then times: an entry in
Markdown (p50/p95 over sampled incidents, judge included), a month's report in Markdown, the
busiest year's report in HTML with charts, and (--pdf) one entry printed to PDF by Chromium.
Not a test: no asserts.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_serve import build, pct

from jikenbo import casebook
from jikenbo.store import open_store


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20000)
    ap.add_argument("--db", type=Path)
    ap.add_argument("--pdf", action="store_true")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    tmp = None
    if a.db is None:
        tmp = tempfile.TemporaryDirectory()
        a.db = Path(tmp.name) / "bench.db"
    info = build(a.db, a.n)
    out: dict = {"incidents": info["incidents"]}
    with open_store(a.db, readonly=True) as store:
        times = []
        for iid in info["ids"][:50]:
            t = time.perf_counter()
            casebook.render(casebook.entry(store, iid), "md")
            times.append((time.perf_counter() - t) * 1000)
        out["entry_md_ms"] = {"p50": pct(times, 0.5), "p95": pct(times, 0.95), "n": len(times)}
        months = store.stats(["month"])["groups"]
        busiest = max((g for g in months if g["key"]["month"] != "unknown"), key=lambda g: g["n"])
        month = busiest["key"]["month"]
        t = time.perf_counter()
        casebook.render(casebook.report(store, month), "md")
        out["month_report_md_s"] = {"month": month, "incidents": busiest["n"], "s": round(time.perf_counter() - t, 2)}
        years = store.stats(["year"])["groups"]
        year = max((g for g in years if g["key"]["year"] != "unknown"), key=lambda g: g["n"])
        t = time.perf_counter()
        html = casebook.render(casebook.report(store, year["key"]["year"]), "html")
        out["year_report_html_s"] = {"year": year["key"]["year"], "incidents": year["n"],
                                     "s": round(time.perf_counter() - t, 2), "mb": round(len(html) / 1e6, 1)}
        if a.pdf:
            t = time.perf_counter()
            casebook.render(casebook.entry(store, info["ids"][0]), "pdf")
            out["entry_pdf_s"] = round(time.perf_counter() - t, 2)
    print(json.dumps(out, ensure_ascii=False, indent=None if a.json else 2))
    if tmp is not None:
        tmp.cleanup()


if __name__ == "__main__":
    main()
