#!/usr/bin/env python3
"""Web benchmark: server time of the UI pages and the API over a store of N incidents.

    .venv/bin/python bench/bench_serve.py --n 100000 [--db FILE] [--keep] [--json]

Builds (or reuses, with --db) a synthetic store through the bulk path of bench_store.py, then
calls the app in-process (FastAPI TestClient: the whole ASGI stack, no socket) and reports
p50/p95 per request kind. ``list_first`` is the first view of a filter state (its total and
facet counts not yet memoised; facets that take longer than facet_budget_ms are left to the
background); ``list`` are later views, timed once background counting has finished.
Targets: incidents list and incident pages p95 ≤ 100 ms, API search p95 ≤ 50 ms.
Not a test: no asserts.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
warnings.filterwarnings("ignore", category=DeprecationWarning)

from bench_store import synthetic  # noqa: E402
from fastapi.testclient import TestClient  # noqa: E402

from jikenbo.serve import create_app  # noqa: E402
from jikenbo.store import Filters, open_store  # noqa: E402
from jikenbo.store.bulk import bulk_add, finish  # noqa: E402

TARGETS = {"list_first": 100.0, "list": 100.0, "incident": 100.0, "api_search": 50.0}
LIST_URLS = ["/", "/?type=ransomware", "/?year=2020&leak_status=confirmed", "/?category=health&sort=-affected_total",
             "/?page=40", "/?q=漏洩", "/?q=ランサムウェア&type=ransomware", "/?q=東京電機", "/?sensitive=true&year=2024",
             "/?industry=医療,福祉&since=2023-06"]
SEARCHES = [("漏洩", {"type": "ransomware"}), ("紛失", {"since": "2024"}), ("ランサムウェア", {"industry": "医療"}),
            ("クレジットカード", {"year": "2020"}), ("誤送信", {"min_affected": "1000"}),
            ("なりすましメール", {"leak_status": "unknown"}), ("東京電機", {"since": "2023-06"}),
            ("不正アクセス 流出", {"card": "true"})]


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return round(xs[max(0, round(q * len(xs)) - 1)], 1)


def timed(client: TestClient, url: str, params: dict | None = None) -> float:
    t = time.perf_counter()
    r = client.get(url, params=params)
    dt = (time.perf_counter() - t) * 1000
    if r.status_code != 200:
        raise SystemExit(f"{url} {params or ''}: HTTP {r.status_code}: {r.text[:200]}")
    return dt


def build(db: Path, n: int) -> dict:
    store = open_store(db)
    have = store.count_incidents()
    t = time.perf_counter()
    if have < n:
        bulk_add(store, (x for i, x in enumerate(synthetic(n)) if i >= have), batch=20000, fast=True)
        finish(store)
        store.conn.execute("PRAGMA journal_mode = WAL")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    out = {"incidents": store.count_incidents(), "build_s": round(time.perf_counter() - t, 1)}
    rnd = random.Random(5)
    pool = [r["id"] for y in range(2015, 2026) for r in store.incidents(Filters(year=y), limit=40)]
    pool += [r["id"] for r in store.incidents(limit=60)]
    out["ids"] = rnd.sample(pool, min(100, len(pool)))
    store.close()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="synthetic incidents (default 100,000)")
    ap.add_argument("--db", type=Path, help="store file (default: a temp file); reused when it exists")
    ap.add_argument("--keep", action="store_true", help="keep the temp store")
    ap.add_argument("--repeat", type=int, default=10, help="calls per list URL / search (default 10)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    a = ap.parse_args()

    tmpdir = None
    db = a.db
    if db is None:
        tmpdir = tempfile.mkdtemp(prefix="jikenbo-bench-serve-")
        db = Path(tmpdir) / "bench.db"
    info = build(db, a.n)
    ids = info.pop("ids")
    client = TestClient(create_app(db), raise_server_exceptions=True)
    client.__enter__()  # one event loop and worker-thread pool for the run, as under uvicorn
    res: dict = {"n": a.n, **info, "cores": os.cpu_count()}
    kinds: dict[str, list[float]] = {"list_first": [], "list": [], "incident": [], "api_search": [],
                                     "api_incidents": [], "api_incident": [], "stats_page": []}
    per_url: dict[str, float] = {}
    first_by_url: dict[str, float] = {}
    bg = client.app.state.bg

    def settle() -> None:  # let background counting finish, so warm timings are not contended
        while not bg.idle():
            time.sleep(0.05)

    for url in LIST_URLS:
        settle()
        first_by_url[url] = timed(client, url)
        kinds["list_first"].append(first_by_url[url])  # first view: total and facets not memoised yet
        settle()
        ts = [timed(client, url) for _ in range(a.repeat)]
        per_url[url] = pct(ts, 0.95)
        kinds["list"] += ts
        kinds["api_incidents"] += [timed(client, "/api/incidents" + url[1:]) for _ in range(max(1, a.repeat // 3))]
    timed(client, f"/incidents/{ids[0]}")
    for iid in ids:
        kinds["incident"].append(timed(client, f"/incidents/{iid}"))
        kinds["api_incident"].append(timed(client, f"/api/incidents/{iid}"))
    for q, f in SEARCHES:
        timed(client, "/api/search", {"q": q, **f})
        ts = [timed(client, "/api/search", {"q": q, **f}) for _ in range(a.repeat)]
        per_url[f"/api/search q={q} {f}"] = pct(ts, 0.95)
        kinds["api_search"] += ts
    settle()
    t0 = time.perf_counter()
    timed(client, "/stats")
    res["stats_page_first_ms"] = round((time.perf_counter() - t0) * 1000, 1)
    settle()
    kinds["stats_page"] = [timed(client, "/stats") for _ in range(3)]
    res["timings_ms"] = {k: {"calls": len(v), "p50": pct(v, 0.5), "p95": pct(v, 0.95), "max": round(max(v), 1),
                             "target_p95": TARGETS.get(k)} for k, v in kinds.items()}
    res["p95_by_url_ms"] = per_url
    res["first_view_by_url_ms"] = {u: round(v, 1) for u, v in first_by_url.items()}
    client.__exit__(None, None, None)
    if tmpdir and not a.keep:
        for p in Path(tmpdir).glob("*"):
            p.unlink()
        os.rmdir(tmpdir)
    if a.json:
        print(json.dumps(res, ensure_ascii=False, indent=2))
        return
    print(f"store: {res['incidents']:,} incidents (built/reused in {res['build_s']} s), {res['cores']} cores")
    print(f"{'request':<16}{'calls':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}  target p95")
    for k, v in res["timings_ms"].items():
        tgt = f"≤ {v['target_p95']:g} ms" if v["target_p95"] else ""
        ok = "" if not v["target_p95"] else ("  ok" if v["p95"] <= v["target_p95"] else "  MISSED")
        print(f"{k:<16}{v['calls']:>7}{v['p50']:>9}{v['p95']:>9}{v['max']:>9}  {tgt}{ok}")
    print(f"stats page, first call (distributions computed, then cached): {res['stats_page_first_ms']} ms")
    print("p95 per URL (ms), and the first view of each list URL:")
    for u, v in per_url.items():
        first = f"{res['first_view_by_url_ms'][u]:>8}" if u in first_by_url else " " * 8
        print(f"  {v:>8} {first}  {u}")


if __name__ == "__main__":
    main()
