"""The PostgreSQL backend (issue #12): dialect rewrites, migrations, the same answers as SQLite,
copy in both directions, two writers at once, the CLI and the web app on a postgresql:// URL.

The store's own suite (test_store, test_relink, test_watch, test_follow) runs on both backends
through ``store_location``; this file holds what only concerns PostgreSQL or the comparison.
"""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest
from click.testing import CliRunner

from jikenbo.cli import cli
from jikenbo.models import Document, Record
from jikenbo.store import SCHEMA_VERSION, Filters, StoreError, open_store, postgres, schema
from jikenbo.store.copy import TABLES, copy_store
from test_store_fixtures import ALL, add_all, fake_extract, make_doc

CORPUS = Path(__file__).parent / "corpus"


# ------------------------------------------------------------------------ no server needed


@pytest.mark.parametrize(("sqlite", "pg"), [
    ("SELECT 1 FROM t WHERE a = ? AND b LIKE 'x%'", "SELECT 1 FROM t WHERE a = %s AND b LIKE 'x%%'"),
    ("SELECT '?' FROM t WHERE a = ?", "SELECT '?' FROM t WHERE a = %s"),
    ("INSERT OR IGNORE INTO organization_aliases (organization_id, alias, alias_key) VALUES (?,?,?)",
     "INSERT INTO organization_aliases (organization_id, alias, alias_key) VALUES (%s,%s,%s) ON CONFLICT DO NOTHING"),
    ("SELECT count(*) FROM incidents i WHERE 1", "SELECT count(*) FROM incidents i WHERE TRUE"),
    ("SELECT group_concat(i.lag_days) FROM incidents i WHERE i.pk IN ()",
     "SELECT string_agg((i.lag_days)::text, ',') FROM incidents i WHERE i.pk IN (NULL)"),
    ("SELECT 1 WHERE instr(org_key, ?) > 0",
     "SELECT 1 WHERE org_key LIKE ('%%' || replace(replace(replace(%s, '\\', '\\\\'), '%%', '\\%%'), '_', '\\_')"
     " || '%%')"),
    ("SELECT instr(a, b) FROM t", "SELECT strpos(a, b) FROM t"),
])
def test_dialect_rewrites(sqlite, pg):
    assert postgres.translate(sqlite)[0] == pg


def test_a_substring_test_is_a_like_that_matches_the_text_literally(pg):
    """instr(col, ?) > 0 runs as LIKE (pg_trgm indexes serve it); %, _ and \\ in the text are
    plain characters, as in SQLite's instr."""
    with open_store(pg()) as s:
        c = s.conn
        c.executemany("INSERT INTO third_parties (key, name) VALUES (?, ?)",
                      [(k, k) for k in ("a%b", "axb", "a_b", "a\\b", "plain")])
        got = {q: sorted(r[0] for r in c.execute("SELECT key FROM third_parties WHERE instr(key, ?) > 0", (q,)))
               for q in ("a%b", "a_b", "a\\b", "zz", "")}
    assert got == {"a%b": ["a%b"], "a_b": ["a_b"], "a\\b": ["a\\b"], "zz": [],
                   "": ["a%b", "a\\b", "a_b", "axb", "plain"]}


def test_inserts_return_their_key_and_replace_becomes_an_upsert():
    sql, key = postgres.translate("INSERT INTO notices (id, source) VALUES (?, ?)")
    assert sql.endswith("RETURNING pk") and key == "pk"
    sql, _ = postgres.translate("INSERT OR REPLACE INTO watch_state (watch_id, incident_id, sources) VALUES (?,?,?)")
    assert 'ON CONFLICT (watch_id, incident_id) DO UPDATE SET "sources" = EXCLUDED."sources"' in sql


def test_every_schema_version_has_a_postgresql_step():
    """A migration added for SQLite without its PostgreSQL twin fails here."""
    assert sorted(schema.PG_MIGRATIONS) == list(range(min(schema.PG_MIGRATIONS), SCHEMA_VERSION + 1))


def test_words_query_is_the_fts5_phrases():
    assert postgres.words_query("漏えい 個人情報") == '"漏洩" "個人 情報"'


def test_without_a_server_the_cases_skip_or_fail_under_ci(monkeypatch):
    from pgserver import PgServer

    monkeypatch.setenv("JIKENBO_TEST_PG", "")
    server = PgServer.__new__(PgServer)
    server.url, server.reason, server._dir = None, "no binaries", None
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no binaries"):
        server.need()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        server.need()


def test_a_bad_url_is_one_line():
    with pytest.raises(StoreError, match="cannot connect to PostgreSQL"):
        open_store("postgresql://nobody@/nodb?host=/nonexistent-socket-dir&connect_timeout=2")
    postgres.close_pools()


# ------------------------------------------------------------------------ with a server


@pytest.fixture
def pg(pg_server):
    """A factory of fresh PostgreSQL store URLs (one schema each, dropped afterwards)."""
    made = []

    def new() -> str:
        url, name = pg_server.schema_url()
        made.append(name)
        return url

    yield new
    for name in made:
        pg_server.drop(name)


LEAK = """org: 株式会社つばめ精機
date: 2024-07-01
type: unauthorized_access
title: 個人情報保護委員会への報告について
body: 当社は個人情報保護委員会に報告しました。お客様情報が漏えいした可能性があります。"""


def _fill(store) -> None:
    add_all(store, ALL)
    d = make_doc(LEAK, "tsubame.txt")
    store.add_document(d, fake_extract(d))
    store.ingest([str(CORPUS)], workers=1, progress=False)


QUERIES = ["個人情報", "漏洩", "漏えい", "ランサムウェア 病院", "不正アクセス", "委員会", "ンサムウ", "USBメモリ",
           "クレジットカード", "誤送信", "メール 流出"]
FILTERS = [Filters(), Filters(since="2024-03"), Filters(types=["ransomware"]), Filters(min_affected=100),
           Filters(organization="みどり病院"), Filters(industry=["医療"])]


def test_sqlite_and_postgresql_answer_the_same(tmp_path, pg):
    with open_store(tmp_path / "a.db") as a, open_store(pg()) as b:
        _fill(a)
        _fill(b)
        assert a.counts() == b.counts()
        for f in FILTERS:
            assert a.incidents(f, limit=None) == b.incidents(f, limit=None), f
            assert a.count_incidents(f) == b.count_incidents(f)
            for q in QUERIES:
                ha, hb = a.search(q, f, limit=500), b.search(q, f, limit=500)
                assert sorted(h["id"] for h in ha) == sorted(h["id"] for h in hb), (q, f)
        assert any(a.search(q) for q in QUERIES)
        for by in (["year"], ["month", "type"], ["industry"], ["category", "leak-status"]):
            assert a.stats(by) == b.stats(by), by
        assert a.facets() == b.facets()
        assert a.vendor_groups() == b.vendor_groups()
        some = a.incidents(limit=5)
        for inc in some:
            assert a.incident(inc["id"]) == b.incident(inc["id"])
        q = Filters(query="漏えい")
        assert a.incidents(q, limit=None) == b.incidents(q, limit=None) and a.count_incidents(q)


def test_japanese_terms_find_longer_words_and_other_spellings(pg):
    with open_store(pg()) as s:
        d = make_doc(LEAK, "tsubame.txt")
        s.add_document(d, fake_extract(d))
        for q in ("個人情報", "漏洩", "漏えい", "委員会", "精機"):
            assert [h["organization"] for h in s.search(q)] == ["株式会社つばめ精機"], q
        assert not s.search("ランサムウェア")


def test_copy_sqlite_to_postgresql_and_back_loses_nothing(tmp_path, pg):
    from jikenbo.store import watch

    url = pg()
    with open_store(tmp_path / "src.db") as src:
        _fill(src)
        watch.add_watch(src, "hospitals", Filters(industry=["医療"]), backfill=True)
        inc = src.incidents(limit=2)
        src.link_notices(inc[0]["notices"][0]["id"], inc[1]["notices"][0]["id"])
        want = {t: int(src._q(f"SELECT count(*) FROM {t}")[0][0]) for t in TABLES}
        listing = src.incidents(limit=None)
        hits = {q: sorted(h["id"] for h in src.search(q, limit=500)) for q in QUERIES}
        alerts = watch.alerts(src, limit=None)
    r = CliRunner().invoke(cli, ["copy", "--from", str(tmp_path / "src.db"), "--to", url])
    assert r.exit_code == 0, r.output
    assert "notices indexed" in r.output
    with open_store(url) as dst:
        assert {t: int(dst._q(f"SELECT count(*) FROM {t}")[0][0]) for t in TABLES} == want
        assert dst.incidents(limit=None) == listing
        assert {q: sorted(h["id"] for h in dst.search(q, limit=500)) for q in QUERIES} == hits
        assert watch.alerts(dst, limit=None) == alerts
        d = make_doc(LEAK.replace("07-01", "07-09") + "\nkind: follow_up", "tsubame-2.txt")
        res = dst.add_document(d, fake_extract(d))  # keys go on after the copied ones
        assert res.incidents_linked
    with open_store(url) as src2, open_store(tmp_path / "back.db") as back:
        summary = copy_store(src2, back)
        assert summary.rows["notices"] == want["notices"] + 1
        assert {q: sorted(h["id"] for h in back.search(q, limit=500)) for q in QUERIES} == \
               {q: sorted(h["id"] for h in src2.search(q, limit=500)) for q in QUERIES}
    r = CliRunner().invoke(cli, ["copy", "--from", str(tmp_path / "src.db"), "--to", url])
    assert r.exit_code == 1 and "not empty" in r.output and "Traceback" not in r.output


def _writer(url: str, docs: list[tuple[dict, list[dict]]], barrier) -> None:
    from jikenbo.store import textindex

    textindex.segmented("準備")  # load the dictionary before the race
    with open_store(url) as st:
        for d, recs in docs:
            barrier.wait(60)  # both writers store their report of one incident at the same moment
            st.add_document(Document.model_validate(d), [Record.model_validate(r) for r in recs])


def _report(i: int, n: int) -> tuple[dict, list[dict]]:
    org = f"株式会社ならび{i:03d}工業"
    text = f"{org} 第{n}報: 不正アクセスによる個人情報漏えいについて (受付 {i}-{n})"
    doc = make_doc(text, f"r{i}-{n}.txt")
    rec = Record(source=doc.source, organization=org, disclosure_date=f"2024-05-{1 + n:02d}",
                 incident_types=["unauthorized_access"], affected_total=100 + i,
                 notice_kind="first_report" if n == 1 else "follow_up", title=f"{org} 第{n}報",
                 doc_sha256=doc.sha256, segment_start=0, segment_end=len(text))
    return doc.model_dump(), [rec.model_dump()]


def _race(url: str, target, *extra) -> None:
    """Two writer processes at once; each incident's first report goes to one and its second
    report to the other: every pair must end as one incident, never two."""
    open_store(url).close()
    n = 40
    a = [_report(i, 1 if i % 2 else 2) for i in range(n)]
    b = [_report(i, 2 if i % 2 else 1) for i in range(n)]
    ctx = multiprocessing.get_context("spawn")
    barrier = ctx.Barrier(2)
    procs = [ctx.Process(target=target, args=(url, docs, barrier, *extra)) for docs in (a, b)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
        assert p.exitcode == 0
    with open_store(url) as st:
        assert st.counts()["notices"] == 2 * n
        incs = st.incidents(limit=None)
        assert len(incs) == n and all(i["notice_count"] == 2 for i in incs)
        assert int(st._q("SELECT count(*) FROM notices WHERE incident_pk IS NULL")[0][0]) == 0
        orgs = [i["organization"] for i in incs]
        assert len(set(orgs)) == n


def test_two_writers_at_once_link_each_notice_exactly_once(pg):
    _race(pg(), _writer)


def _batch_writer(url: str, docs: list[tuple[dict, list[dict]]], barrier, every: int) -> None:
    """As an ingest writes: commit batches (each document a savepoint), the batch committed
    before the writer waits (here at the barrier, in an ingest for the extraction workers)."""
    from jikenbo.store import textindex
    from jikenbo.store.ingest import _CommitBatch

    textindex.segmented("準備")
    with open_store(url) as st:
        batch = _CommitBatch(st)
        assert batch.enabled
        for i, (d, recs) in enumerate(docs):
            if i % every == 0:
                batch.waiting()
                barrier.wait(60)  # both writers start a batch of reports of the same incidents
            batch.before()
            st.add_document(Document.model_validate(d), [Record.model_validate(r) for r in recs])
            batch.after()
        batch.commit()


def test_two_writers_in_commit_batches_link_each_notice_exactly_once(pg):
    """As above, with the ingest's pipelined commit batches of several documents."""
    _race(pg(), _batch_writer, 5)


def test_a_batch_writes_a_document_before_it_takes_the_writers_lock(pg):
    """While one writer holds the lock (its batch linked a document), another writer's document
    is written up to its linking: its rows are there, uncommitted, when it starts to wait."""
    import threading

    url = pg()
    first, second = _report(1, 1), _report(2, 1)
    with open_store(url) as a, open_store(url) as b, open_store(url) as look:
        b_pid = b.conn.execute("SELECT pg_backend_pid()").fetchone()[0]
        a.conn.begin_batch()
        a.add_document(Document.model_validate(first[0]), [Record.model_validate(r) for r in first[1]])
        done: dict = {}

        def other() -> None:
            b.conn.begin_batch()
            done["res"] = b.add_document(Document.model_validate(second[0]),
                                         [Record.model_validate(r) for r in second[1]])
            b.conn.commit_batch()

        t = threading.Thread(target=other)
        t.start()
        waits = "SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'advisory' AND datname = current_database()"
        for _ in range(200):
            if look.conn.execute(waits).fetchone()[0]:
                break
            t.join(0.05)
        assert look.conn.execute(waits).fetchone()[0] == 1 and "res" not in done  # waiting for the lock
        written = look.conn.execute(
            "SELECT string_agg(c.relname, ' ' ORDER BY c.relname) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation"
            " WHERE l.pid = ? AND l.mode = 'RowExclusiveLock' AND c.relkind = 'r'", (b_pid,)).fetchone()[0]
        assert written.split() == ["documents", "field_values", "notices"]  # and no organisation yet
        a.conn.commit_batch()
        t.join(30)
        assert done["res"].status == "added" and len(done["res"].incidents_created) == 1
        assert look.counts()["notices"] == 2


def test_the_same_bytes_from_two_writers_at_once_are_stored_once(pg):
    """Writer B has written a document and waits for the lock; writer A, holding it, stores
    the same bytes: each waits for the other, PostgreSQL breaks it, the loser is told to retry,
    and tried again it finds the document stored."""
    import threading

    url = pg()
    first, same = _report(1, 1), _report(2, 1)
    doc, recs = Document.model_validate(same[0]), [Record.model_validate(r) for r in same[1]]
    with open_store(url) as a, open_store(url) as b:
        a.conn.begin_batch()
        a.add_document(Document.model_validate(first[0]), [Record.model_validate(r) for r in first[1]])
        got: dict = {}

        def other() -> None:
            b.conn.begin_batch()
            try:
                got["b"] = b.add_document(doc, recs)
            except StoreError as e:
                got["b"] = e
            b.conn.commit_batch()

        t = threading.Thread(target=other)
        t.start()
        t.join(0.5)  # B's rows written, B waiting for A's lock
        try:
            got["a"] = a.add_document(doc, recs)
        except StoreError as e:
            got["a"] = e
        a.conn.commit_batch()
        t.join(30)
        errors = [v for v in got.values() if isinstance(v, StoreError)]
        assert len(errors) == 1 and errors[0].retry, got
        loser = a if isinstance(got["a"], StoreError) else b
        assert loser.add_document(doc, recs).status == "duplicate"
        assert a.counts()["documents"] == 2 and a.counts()["notices"] == 2


def _ingest_folder(url: str, folder: str, barrier) -> dict:
    from jikenbo.store import textindex

    textindex.segmented("準備")
    with open_store(url) as st:
        barrier.wait(60)
        return st.ingest([folder], workers=1, progress=False).as_dict()


def test_two_ingests_of_the_same_folder_at_once_store_each_document_once(pg, tmp_path):
    """Two analysts ingest the same folder at the same moment: every document is stored once,
    nothing fails, and the incidents are those of one ingest."""
    url = pg()
    folder = tmp_path / "same"
    folder.mkdir()
    names = ["あさぎ", "いぶき", "うしお", "えにし", "おぼろ", "かすみ", "きらら", "くれは", "けやき", "こはる", "さざれ", "しずく"]
    for i, name in enumerate(names):
        org = f"株式会社{name}商会"
        (folder / f"n{i:02d}.txt").write_text(
            f"{org}における個人情報漏えいに関するお詫びとお知らせ\n\n2024年6月{1 + i}日\n{org}\n\n"
            "このたび、当社サーバーが第三者による不正アクセスを受け、お客様の個人情報が漏えいした"
            "可能性があることが判明しました。\n深くお詫び申し上げます。\n", encoding="utf-8")
    open_store(url).close()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Manager() as m, ctx.Pool(2) as pool:
        barrier = m.Barrier(2)
        runs = pool.starmap(_ingest_folder, [(url, str(folder), barrier)] * 2)
    assert all(not r["failed"] and r["fatal"] is None for r in runs), runs
    assert sum(r["added"] for r in runs) == 12 and all(r["added"] + r["unchanged"] == 12 for r in runs)
    with open_store(url) as st:
        assert st.counts()["documents"] == 12 and st.counts()["notices"] == 12
        assert len(st.incidents(limit=None)) == 12


def test_cli_commands_on_a_postgresql_url(pg, monkeypatch):
    url = pg()
    run = CliRunner().invoke
    r = run(cli, ["incidents", "--db", url])
    assert r.exit_code == 1 and "no store here" in r.output  # reading never creates a store
    r = run(cli, ["migrate", "--db", url])
    assert r.exit_code == 0 and "created" in r.output
    assert "up to date" in run(cli, ["migrate", "--db", url]).output
    r = run(cli, ["ingest", str(CORPUS), "--db", url, "--quiet", "--workers", "1"])
    assert r.exit_code == 0, r.output
    monkeypatch.setenv("JIKENBO_DB", url)
    listing = json.loads(run(cli, ["incidents", "--format", "json", "--limit", "0"]).output)
    assert len(listing) > 20
    shown = run(cli, ["show", listing[0]["id"]])
    assert shown.exit_code == 0 and listing[0]["id"] in shown.output
    hits = json.loads(run(cli, ["search", "個人情報", "--format", "json"]).output)
    assert hits
    stats = json.loads(run(cli, ["stats", "--by", "year", "--format", "json"]).output)
    assert stats["total"]["n"] == len(listing)
    out = run(cli, ["export", "--format", "jsonl"])
    assert out.exit_code == 0 and len(out.output.splitlines()) == len(listing)


def test_web_app_on_a_postgresql_url(pg):
    from fastapi.testclient import TestClient

    from jikenbo.serve.app import create_app

    url = pg()
    with open_store(url) as s:
        add_all(s, ALL)
        first = s.incidents(limit=1)[0]["id"]
    with TestClient(create_app(url)) as client:
        assert client.get("/api/incidents").json()
        assert client.get(f"/incidents/{first}").status_code == 200
        assert client.get("/", params={"q": "漏洩"}).status_code == 200
        body = client.get("/api/search", params={"q": "漏洩"})
        assert body.status_code == 200 and body.json()


def test_nullable_sort_keys_sort_null_first_as_in_sqlite():
    sql = postgres.translate("SELECT 1 FROM incidents i ORDER BY i.disclosure_date IS NULL, i.disclosure_date DESC,"
                             " i.pk DESC LIMIT ?")[0]
    assert sql.endswith("ORDER BY i.disclosure_date IS NULL, i.disclosure_date DESC NULLS LAST, i.pk DESC LIMIT %s")
    assert postgres.translate("SELECT v FROM t GROUP BY v ORDER BY n DESC, v")[0].endswith("n DESC, v NULLS FIRST")


def test_many_rows_of_a_plain_insert_go_through_copy():
    table, cols, fill, ignore = postgres._copy_plan(
        "INSERT INTO documents (id, sha256, version, added_at) VALUES (?,?,1,datetime('now'))")
    assert (table, cols, ignore) == ("documents", ["id", "sha256", "version", "added_at"], False)
    row = list(fill([(7, "ab")])[0])
    assert row[:3] == [7, "ab", 1] and len(row[3]) == 19
    assert postgres._copy_plan("INSERT OR IGNORE INTO t (a) VALUES (?)")[3] is True  # COPY, then ON CONFLICT
    assert postgres._copy_plan("INSERT INTO t (a, b) VALUES (?, lower(?))") is None


def test_bulk_path_on_postgresql_at_a_few_thousand_rows(pg, monkeypatch):
    from jikenbo.store.bulk import bulk_add, finish

    monkeypatch.setattr(postgres, "MAX_PARAMS", 50)  # many-row statements cut into parts

    items = []
    for i in range(300):
        doc = make_doc(f"org: 株式会社たばね{i}号\ndate: 2024-01-{1 + i % 28:02d}\ntype: loss\nbody: USBメモリを紛失 {i}",
                       f"b{i}.txt")
        items.append((doc, fake_extract(doc)[0], f"usb メモリ を 紛失 {i}"))
    with open_store(pg()) as s:
        assert bulk_add(s, items, workers=1, fast=True) == 300  # search indexes dropped, built after
        finish(s)
        names = {r[0] for r in s.conn.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")}
        assert set(postgres.SEARCH_INDEXES) <= names
        assert s.count_incidents() == 300 and s.counts()["field_values"] == 300 * 12
        assert len(s.search("紛失", limit=500)) == 300 and len(s.search("たばね1", limit=500)) == 111


def _constraints_and_indexes(s) -> set[tuple[str, str]]:
    rows = s.conn.execute(
        "SELECT 'index', indexdef FROM pg_indexes WHERE schemaname = current_schema() UNION ALL"
        " SELECT 'constraint', conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid)"
        " FROM pg_constraint WHERE connamespace = current_schema()::regnamespace").fetchall()
    return {(r[0], r[1]) for r in rows}


def test_a_fast_bulk_load_restores_every_index_and_foreign_key(pg):
    """fast=True drops the foreign keys and secondary indexes of the tables it fills and builds
    them again after the load: the schema is as before, and the keys are checked."""
    from jikenbo.store.bulk import bulk_add

    with open_store(pg()) as s:
        add_all(s, ALL[:3])  # rows there before the load (aliases of known organisations meet again)
        before = _constraints_and_indexes(s)
        assert any(k == "constraint" and "FOREIGN KEY" in d for k, d in before)
        items = []
        for i in range(250):
            doc = make_doc(f"org: 株式会社そろえ{i % 7}号\ndate: 2024-02-{1 + i % 28:02d}\ntype: loss\nbody: 紛失 {i}",
                           f"f{i}.txt")
            items.append((doc, fake_extract(doc)[0], f"紛失 {i}"))
        n0 = s.count_incidents()
        assert bulk_add(s, items, workers=1, fast=True) == 250
        assert _constraints_and_indexes(s) == before
        assert s.count_incidents() == n0 + 250
        aliases = s.conn.execute("SELECT count(*), count(DISTINCT (organization_id, alias))"
                                 " FROM organization_aliases").fetchone()
        assert aliases[0] == aliases[1]  # 250 rows of 7 names: one alias row each (OR IGNORE)
        assert len(s.search("紛失", limit=500)) >= 250


def test_many_rows_of_an_insert_or_ignore_skip_the_rows_already_there(pg):
    with open_store(pg()) as s:
        c = s.conn
        c.execute("INSERT INTO third_parties (key, name) VALUES ('k5', 'first')")
        rows = [(f"k{i}", f"name {i}") for i in range(postgres.COPY_MIN + 50)] + [("k7", "again")]
        with c.transaction():
            c.executemany("INSERT OR IGNORE INTO third_parties (key, name) VALUES (?,?)", rows)
        got = dict(c.execute("SELECT key, name FROM third_parties").fetchall())
        assert len(got) == postgres.COPY_MIN + 50 and got["k5"] == "first" and got["k7"] == "name 7"
        c.executemany("INSERT OR IGNORE INTO third_parties (key, name) VALUES (?,?)", rows)  # outside one
        assert int(c.execute("SELECT count(*) FROM third_parties").fetchone()[0]) == postgres.COPY_MIN + 50


def test_small_batches_of_inserts_are_one_statement():
    text = postgres.translate("INSERT OR IGNORE INTO incident_tags (incident_pk, kind) VALUES (?,?)")[0]
    assert postgres._multi_values(text) == ("INSERT INTO incident_tags (incident_pk, kind) VALUES ", "(%s,%s)",
                                            " ON CONFLICT DO NOTHING")
    upsert = postgres.translate("INSERT OR REPLACE INTO watch_state (watch_id, incident_id, sources) VALUES (?,?,?)")
    assert postgres._multi_values(upsert[0]) is None


def test_stats_computed_by_the_server_equal_sqlites_sorted_values(tmp_path, pg):
    """PostgreSQL computes each group's median and p90 itself (percentile_cont / _disc); they
    must be SQLite's figures exactly: odd and even group sizes, unknowns, ties, filters."""
    import statistics

    from jikenbo.store.bulk import bulk_add, finish

    items = []
    for i in range(97):
        doc = make_doc(f"org: 株式会社かぞえ{i % 13}号\ndate: 2024-0{1 + i % 3}-{1 + i % 28:02d}\n"
                       f"type: {('loss', 'ransomware', 'misdelivery')[i % 3 if i % 5 else 0]}\nbody: 件数 {i}",
                       f"s{i}.txt")
        rec = fake_extract(doc)[0].model_copy(update={
            "affected_total": None if i % 4 == 0 else (i * 37) % 500 + (i % 2),
            "detected_date": None if i % 6 == 0 else f"2024-0{1 + i % 3}-01"})
        items.append((doc, rec, f"件数 {i}"))
    with open_store(tmp_path / "a.db") as a, open_store(pg()) as b:
        for s in (a, b):
            bulk_add(s, items, workers=1)
            finish(s)
        for by in (["month", "type"], ["type"], ["month"], ["year", "category"], ["leak-status"], []):
            for f in (Filters(), Filters(since="2024-02"), Filters(types=["loss"])):
                assert a.stats(by, f) == b.stats(by, f), (by, f)
        got = b.stats(["month"])
        jan = next(r for r in got["groups"] if r["key"]["month"] == "2024-01")
        known = sorted(r.affected_total for _, r, _ in items
                       if r.disclosure_date.startswith("2024-01") and r.affected_total is not None)
        assert jan["affected"]["median"] == statistics.median(known) and jan["affected"]["sum"] == sum(known)
        assert {type(r["affected"]["median"]) for r in got["groups"]} <= {int, float}


def test_a_new_notice_gets_its_search_columns_with_its_linking_update(pg, monkeypatch):
    """A notice is inserted without its words and trigram text and given them by the update that
    links it: one write to the GIN indexes, not two (index_notice would be the second)."""
    calls = []
    monkeypatch.setattr(postgres, "index_notice", lambda *a: calls.append(a))
    sent: list[str] = []
    execute, executemany = postgres.PgConnection.execute, postgres.PgConnection.executemany
    monkeypatch.setattr(postgres.PgConnection, "execute", lambda self, sql, p=(): sent.append(sql) or execute(self, sql, p))
    monkeypatch.setattr(postgres.PgConnection, "executemany",
                        lambda self, sql, rows: sent.append(sql) or executemany(self, sql, rows))
    with open_store(pg()) as s:
        d = make_doc(LEAK, "tsubame.txt")
        s.add_document(d, fake_extract(d))
        s.ingest([str(CORPUS)], workers=1, progress=False)
        assert not calls
        inserts = [q for q in sent if q.startswith("INSERT INTO notices")]
        assert inserts and not any("words" in q for q in inserts)  # the row is written without them
        assert any(q.startswith("UPDATE notices SET incident_pk") and "words" in q for q in sent)
        assert "株式会社つばめ精機" in {h["organization"] for h in s.search("漏えい", limit=100)}
        assert [h["organization"] for h in s.search("つばめ精")] == ["株式会社つばめ精機"]  # trigram text
        n, unindexed = s.conn.execute("SELECT count(*), count(*) FILTER (WHERE words IS NULL OR search_text = '')"
                                      " FROM notices").fetchone()
        assert n > 1 and unindexed == 0
