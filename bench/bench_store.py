#!/usr/bin/env python3
"""Store benchmark: build a synthetic store of N incidents, time search / stats / show / ingest.

    .venv/bin/python bench/bench_store.py --n 100000 [--db FILE] [--keep] [--json]
    .venv/bin/python bench/bench_store.py --n 100000 --db postgresql://user@host/db   # PostgreSQL

Targets: search with one filter p95 ≤ 50 ms, ``stats --by month --by type`` ≤ 1 s,
``show`` ≤ 20 ms, ingest of text notices ≥ 150 notices/s on 2 cores. Not a test: no asserts.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

from jikenbo.models import Document, Evidence, Record
from jikenbo.store import Filters, open_store, textindex
from jikenbo.store.bulk import bulk_add, finish

PREFIX = ["東京", "大阪", "北海", "九州", "中央", "日本", "新潟", "みどり", "さくら", "ひかり", "青葉", "富士",
          "山田", "佐藤", "鈴木", "高橋", "未来", "共栄", "明星", "大和"]
MIDDLE = ["電機", "商事", "物産", "システム", "ネット", "不動産", "運輸", "食品", "製薬", "建設", "保険", "出版"]
KIND = [("株式会社{}", None), ("{}病院", "医療,福祉"), ("{}大学", "教育,学習支援業"), ("{}市役所", "公務"),
        ("{}信用金庫", "金融業,保険業"), ("{}ホテル", "宿泊業,飲食サービス業")]
TEMPLATES = [
    (["ransomware"], "当社サーバーがランサムウェアに感染し、データが暗号化されました。個人情報が漏えいした可能性があります。",
     ["name", "address"], "possible"),
    (["unauthorized_access"], "第三者による不正アクセスを受け、お客様のクレジットカード情報が流出しました。",
     ["name", "credit_card"], "confirmed"),
    (["misdelivery"], "メールの誤送信により、お客様のメールアドレスが他の受信者に表示される状態となりました。",
     ["email"], "confirmed"),
    (["loss"], "職員が個人情報を含むUSBメモリを紛失しました。現在も発見に至っておりません。",
     ["name", "health"], "possible"),
    (["malware", "impersonation"], "Emotetに感染し、当社を装ったなりすましメールが送信されました。",
     ["email", "name"], "unknown"),
    (["misconfiguration"], "クラウドサービスの設定ミスにより、会員情報が外部から閲覧可能な状態でした。",
     ["name", "login_id"], "not_confirmed"),
]


def synthetic(n: int, seed: int = 7):
    rnd = random.Random(seed)
    seg_cache: dict[str, str] = {}

    def seg(s: str) -> str:
        if s not in seg_cache:
            seg_cache[s] = textindex.segmented(s)
        return seg_cache[s]

    n_orgs = max(1, n // 3)
    for i in range(n):
        o = rnd.randrange(n_orgs)
        kind, industry = KIND[o % len(KIND)]
        base = PREFIX[o % len(PREFIX)] + MIDDLE[(o // len(PREFIX)) % len(MIDDLE)]
        org = kind.format(base + (str(o // (len(PREFIX) * len(MIDDLE))) if o >= len(PREFIX) * len(MIDDLE) else ""))
        types, sentence, cats, leak = TEMPLATES[rnd.randrange(len(TEMPLATES))]
        year = rnd.randint(2015, 2025)
        month = rnd.randint(1, 12)
        day = rnd.randint(1, 28)
        disclosed = f"{year}-{month:02d}-{day:02d}"
        detected = f"{year}-{month:02d}-{max(1, day - rnd.randint(0, 20)):02d}" if rnd.random() < 0.7 else None
        affected = rnd.choice([None, rnd.randint(1, 100), rnd.randint(100, 5000), rnd.randint(5000, 900000)])
        title = f"{org}における個人情報漏えいに関するお詫びとお知らせ"
        body = (f"{title}\n{disclosed} {org}\n{sentence}\n対象件数: {affected or '調査中'}件\n"
                f"受付番号: {i}\n")  # distinct bytes: N documents, N incidents
        doc = Document(source=f"syn/{i}.txt", text=body, sha256=hashlib.sha256(body.encode()).hexdigest())
        ev = [Evidence(field="affected_total", value=affected, start=0, end=5, text=body[:5])] if affected else []
        rec = Record(source=doc.source, organization=org, disclosure_date=disclosed, detected_date=detected,
                     incident_types=list(types), leak_status=leak, affected_total=affected,
                     data_categories=list(cats), sensitive="health" in cats, payment_card="credit_card" in cats,
                     reported_to=rnd.choice([[], ["ppc"], ["ppc", "police"]]), title=title, industry=industry,
                     evidence=ev, doc_sha256=doc.sha256, segment_start=0, segment_end=len(body))
        yield doc, rec, " ".join([seg(title), seg(sentence), seg(org), str(affected or "")])


def p95(xs: list[float], q: float = 0.95) -> float:
    xs = sorted(xs)
    return xs[max(0, round(q * len(xs)) - 1)]


def p50(xs: list[float]) -> float:
    return p95(xs, 0.5)


def filter_label(f: Filters) -> str:
    return ", ".join(f"{k}={v}" for k, v in f.__dict__.items() if v not in (None, {}, []))


def timeit(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def _ingest_part(location: str, folder: str, workers: int, ready: object = None) -> tuple[int, float, float]:
    """One writer: start up (imports, the extractor's lexicons on a notice of our own, the
    store's connection), wait for the other writers, ingest ``folder``. (notices, start, end) on
    the machine-wide monotonic clock."""
    from jikenbo.pipeline import document_from_text
    from jikenbo.store.ingest import _WARM_NOTICE, extract_for_store

    extract_for_store(document_from_text(_WARM_NOTICE, "<warm-up>"))
    with open_store(location) as store:
        store.count_incidents()
        if ready is not None:
            ready.wait()  # type: ignore[attr-defined]
        t = time.monotonic()
        n = store.ingest([folder], workers=workers, progress=False).notices
        return n, t, time.monotonic()


def bench_ingest(n_docs: int, workers: int, into: Path | str | None = None, writers: int = 1) -> dict:
    """Ingest ``n_docs`` generated text notices into a new store, or into the store ``into``
    (then each run's notices are new bytes, and they link against the store's incidents).
    ``writers`` > 1: that many ingest processes at once, each a share of the folder (PostgreSQL)."""
    import jikenbo.store.ingest  # noqa: F401 (the extractor is needed)

    salt = f"\n受付番号 {time.time_ns()}\n" if into else ""

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "notices"
        folder.mkdir()
        for i, (doc, rec, _) in enumerate(synthetic(n_docs, seed=99)):
            text = (f"{rec.title}\n\n{rec.disclosure_date[:4]}年{int(rec.disclosure_date[5:7])}月"
                    f"{int(rec.disclosure_date[8:10])}日\n{rec.organization}\n\n"
                    f"このたび、{doc.text.splitlines()[2]}\n対象となる個人情報は{rec.affected_total or 1}名分です。"
                    f"\n関係する皆様には多大なるご迷惑をおかけし、深くお詫び申し上げます。\n{salt}")
            (folder / f"n{i:05d}.txt").write_text(text, encoding="utf-8")
        if writers > 1:
            import multiprocessing

            files = sorted(folder.iterdir())
            parts = []
            for w in range(writers):
                part = Path(tmp) / f"part{w}"
                part.mkdir()
                for f in files[w::writers]:
                    f.rename(part / f.name)
                parts.append(str(part))
            open_store(into).close()
            ctx = multiprocessing.get_context("spawn")
            t = time.perf_counter()
            with ctx.Manager() as manager, ctx.Pool(writers) as pool:
                ready = manager.Barrier(writers)
                got = pool.starmap(_ingest_part, [(str(into), p, max(1, workers // writers), ready)
                                                  for p in parts])
            with_start = time.perf_counter() - t
            notices = sum(g[0] for g in got)
            dt = max(g[2] for g in got) - min(g[1] for g in got)
            # notices_per_s: from the moment both writers are ready (each has imported jikenbo,
            # compiled the extractor's lexicons and connected: ~1-2 s of a short run) to the last
            # one's end; with_start_up: the same run timed from the spawn of the writers
            return {"documents": len(files), "notices": notices, "seconds": round(dt, 2),
                    "notices_per_s": round(notices / dt, 1) if dt else None,
                    "with_start_up": {"seconds": round(with_start, 2),
                                      "notices_per_s": round(notices / with_start, 1)},
                    "workers": workers, "writers": writers}
        store = open_store(into or Path(tmp) / "ingest.db")
        t = time.perf_counter()
        s = store.ingest([str(folder)], workers=workers, progress=False)
        dt = time.perf_counter() - t
        store.close()
    return {"documents": s.documents, "notices": s.notices, "failed": len(s.failed), "seconds": round(dt, 2),
            "notices_per_s": round(s.notices / dt, 1) if dt else None, "workers": workers}


def prewarm(store, db, pg: bool) -> None:
    """Read every table and index of the store once, so the runs after it find them in the OS
    page cache: PostgreSQL's pg_prewarm ('read': into the OS cache, not shared_buffers), an
    SQLite file read through."""
    if not pg:
        for p in db.parent.glob(db.name + "*"):
            with open(p, "rb") as f:
                while f.read(1 << 24):
                    pass
        return
    store.conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
    store.conn.execute("SELECT sum(pg_prewarm(c.oid, 'read')) FROM pg_class c JOIN pg_namespace s"
                       " ON s.oid = c.relnamespace WHERE c.relkind IN ('r', 'i', 't', 'm')"
                       " AND s.nspname IN (current_schema(), 'pg_toast')").fetchone()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1_000_000, help="synthetic incidents (default 1,000,000)")
    ap.add_argument("--db", help="store file or postgresql:// URL (default: a temp file); reused when it exists")
    ap.add_argument("--ingest-db", help="PostgreSQL: an empty database for the ingest run (two writers at once)")
    ap.add_argument("--keep", action="store_true", help="keep the temp store")
    ap.add_argument("--ingest-docs", type=int, default=600, help="text notices for the ingest run")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--ingest-into-store", action="store_true",
                    help="also time the ingest into the big store itself (adds its notices to it)")
    ap.add_argument("--prewarm", action="store_true",
                    help="first read the whole store into the OS page cache (a server that holds its store in memory; "
                         "without it a store just built or copied is read from disk as it is used)")
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--out", type=Path, help="also write the JSON report to this file")
    a = ap.parse_args()

    tmpdir = None
    pg = bool(a.db) and a.db.startswith("postgresql://")
    db = a.db if pg else (Path(a.db) if a.db else None)
    if db is None:
        tmpdir = tempfile.mkdtemp(prefix="jikenbo-bench-")
        db = Path(tmpdir) / "bench.db"
    res: dict = {"n": a.n, "load_before": [round(x, 2) for x in os.getloadavg()]}  # 1, 5, 15 min
    store = open_store(db)
    have = store.count_incidents()
    t = time.perf_counter()
    if have < a.n:
        bulk_add(store, (x for i, x in enumerate(synthetic(a.n)) if i >= have), batch=20000, fast=True)
        res["load_s"] = round(time.perf_counter() - t, 1)
        finish(store)
        if not pg:
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    res["build_s"] = round(time.perf_counter() - t, 1)
    res["incidents"] = store.count_incidents()
    size = (int(store.conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]) if pg else
            sum(p.stat().st_size for p in db.parent.glob(db.name + "*")))
    res["size_mb"] = round(size / 1e6, 1)
    if a.prewarm:
        t = time.perf_counter()
        prewarm(store, db, pg)
        res["prewarm_s"] = round(time.perf_counter() - t, 1)

    queries = [("漏洩", Filters(types=["ransomware"])), ("紛失", Filters(since="2024")),
               ("ランサムウェア", Filters(industry=["医療"])), ("クレジットカード", Filters(year=2020)),
               ("誤送信", Filters(min_affected=1000)), ("なりすましメール", Filters(leak_status=["unknown"])),
               ("東京電機", Filters(since="2023-06")), ("不正アクセス 流出", Filters(card=True))]
    times = []
    per_query = {}
    for q, f in queries:
        store.search(q, f, limit=20)  # warm
        ts = timeit(lambda q=q, f=f: store.search(q, f, limit=20), 10)
        per_query[f"{q} | {filter_label(f)}"] = {"p50": round(p50(ts), 1), "p95": round(p95(ts), 1)}
        times += ts
    # harder shapes, outside the target set: a selective organisation (substring of a key), a few
    # days, filters no match passes (the whole intersection must be looked at), no filter
    hard = [("漏洩", Filters(organization="東京電機100")), ("漏洩", Filters(since="2025-12-27")),
            ("漏洩", Filters(types=["loss"], card=True)), ("クレジットカード", Filters(sensitive=True)),
            ("ランサムウェア", Filters(authority=["police"], year=2019)), ("不正", Filters())]
    res["search_other_ms"] = {}
    for q, f in hard:
        ts = timeit(lambda q=q, f=f: store.search(q, f, limit=20), 3)
        res["search_other_ms"][f"{q} | {filter_label(f)}"] = {"p50": round(p50(ts), 1), "max": round(max(ts), 1)}
    res["search_p50_ms"] = round(p50(times), 1)
    res["search_p95_ms"] = round(p95(times), 1)
    res["search_by_query_ms"] = per_query
    store.stats(["month", "type"])
    res["stats_month_type_s"] = round(min(timeit(lambda: store.stats(["month", "type"]), 3)) / 1000, 3)
    ids = [r[0] for r in store.conn.execute("SELECT id FROM incidents ORDER BY random() LIMIT 200")]
    shows = [timeit(lambda i=i: store.incident(i), 1)[0] for i in ids]
    res["show_p50_ms"] = round(p50(shows), 2)
    res["show_p95_ms"] = round(p95(shows), 2)
    res["list_filter_p95_ms"] = round(p95(timeit(lambda: store.incidents(Filters(types=["loss"], since="2024"),
                                                                         limit=50), 20)), 1)
    store.close()
    try:
        res["ingest"] = (bench_ingest(a.ingest_docs, a.workers, into=a.ingest_db, writers=2) if a.ingest_db
                         else bench_ingest(a.ingest_docs, a.workers))
    except Exception as e:  # the extractor may be missing in a partial build
        res["ingest"] = {"error": f"{type(e).__name__}: {e}"}
    if a.ingest_into_store:  # PostgreSQL: two writers, as a team ingests
        res["ingest_into_store"] = bench_ingest(a.ingest_docs, a.workers, into=db, writers=2 if pg else 1)
    res["cores"] = os.cpu_count()
    res["load_after"] = [round(x, 2) for x in os.getloadavg()]
    if tmpdir and not a.keep:
        for p in Path(tmpdir).glob("*"):
            p.unlink()
        os.rmdir(tmpdir)
    if a.out:
        a.out.parent.mkdir(parents=True, exist_ok=True)
        a.out.write_text(json.dumps(res, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    if a.json:
        print(json.dumps(res, ensure_ascii=False, indent=2))
        return
    rows = [("incidents", res["incidents"], ""), ("build (bulk path)", f"{res['build_s']} s", ""),
            ("size on disk", f"{res['size_mb']} MB", ""),
            ("search + 1 filter p50 / p95", f"{res['search_p50_ms']} / {res['search_p95_ms']} ms", "p95 ≤ 50 ms"),
            ("stats --by month --by type", f"{res['stats_month_type_s']} s", "≤ 1 s"),
            ("show p95", f"{res['show_p95_ms']} ms", "≤ 20 ms"),
            ("incidents list + 2 filters p95", f"{res['list_filter_p95_ms']} ms", ""),
            ("ingest text notices", f"{res['ingest'].get('notices_per_s')} notices/s "
             f"({res['ingest'].get('workers')} workers, {res['ingest'].get('writers', 1)} writers)", "≥ 150/s")]
    if "ingest_into_store" in res:
        rows.append(("ingest into this store", f"{res['ingest_into_store'].get('notices_per_s')} notices/s", ""))
    w = max(len(r[0]) for r in rows)
    for name, val, target in rows:
        print(f"{name:<{w}}  {val!s:<28} {target}")
    print("search per query p50 / p95 (ms):", json.dumps(per_query, ensure_ascii=False), file=sys.stdout)


if __name__ == "__main__":
    main()
