"""An SQLite ingest commits documents in batches: each document is a savepoint inside the batch."""

from __future__ import annotations

import pytest

import jikenbo.store.ingest as ingest_mod
from jikenbo.store import db, open_store, sqlite
from test_store_fixtures import fake_extractor, make_doc  # noqa: F401 (fixture)


def _docs(n: int) -> list:
    return [make_doc(f"org: 株式会社バッチ{i:03d}\ndate: 2031-01-{i % 28 + 1:02d}\ntype: loss\naffected: {i + 1}\n"
                     "本文: 書類を紛失しました。", f"b{i}.txt") for i in range(n)]


def _commits(store) -> list[str]:
    seen: list[str] = []
    store.conn.set_trace_callback(lambda sql: seen.append(sql) if sql.strip().upper() == "COMMIT" else None)
    return seen


@pytest.mark.parametrize(("every", "commits"), [(8, 3), (1, 20)])
def test_ingest_commits_every_n_documents(tmp_path, monkeypatch, fake_extractor, every, commits):  # noqa: F811
    monkeypatch.setattr(ingest_mod, "settings",
                        lambda section: {"ingest": {"commit_every_documents": every, "commit_every_seconds": 60}})
    with open_store(tmp_path / "s.db") as store:
        seen = _commits(store)
        summary = store.ingest(_docs(20), workers=1, progress=False)
        store.conn.set_trace_callback(None)
        assert summary.added == 20 and not store.conn.in_transaction
        assert len(seen) == commits
        assert store.counts()["notices"] == 20


def test_a_document_that_fails_inside_a_batch_is_undone_alone(tmp_path):
    docs = _docs(3)
    with open_store(tmp_path / "s.db") as store:
        sqlite.begin_batch(store.conn, store.path)
        store.add_document(docs[0], [], segmented=[])
        with pytest.raises(RuntimeError), db.transaction(store.conn, store.path, "a document"):
            store.add_document(docs[1], [], segmented=[])  # a savepoint inside the savepoint
            raise RuntimeError("extraction bug")
        assert store.conn.in_transaction  # the batch goes on
        store.add_document(docs[2], [], segmented=[])
        sqlite.commit_batch(store.conn, store.path)
        shas = {r[0] for r in store.conn.execute("SELECT sha256 FROM documents")}
    assert shas == {docs[0].sha256, docs[2].sha256}


# ------------------------------------------------------------------ both backends
# PostgreSQL ingests commit in batches too: the batch takes the writers' lock once and pipelines
# its statements (postgres.PgConnection.begin_batch); each document is a savepoint in it.


def test_ingest_commits_in_batches_on_both_backends(store_location, monkeypatch, fake_extractor):  # noqa: F811
    monkeypatch.setattr(ingest_mod, "settings",
                        lambda section: {"ingest": {"commit_every_documents": 8, "commit_every_seconds": 60}})
    with open_store(store_location()) as store:
        begun, open_while_extracting = [], []
        real_begin, real_extract = store.backend.begin_batch, ingest_mod.extract_for_store
        monkeypatch.setattr(store.backend, "begin_batch", lambda c, p: (begun.append(1), real_begin(c, p)))

        def extract(doc):
            open_while_extracting.append(store.conn.in_transaction)
            return real_extract(doc)

        monkeypatch.setattr(ingest_mod, "extract_for_store", extract)
        summary = store.ingest(_docs(20), workers=1, progress=False)
        assert summary.added == 20 and summary.notices == 20 and not store.conn.in_transaction
        assert store.counts()["notices"] == 20 and store.count_incidents() == 20
        if store_location.backend == "sqlite":
            assert len(begun) == 3  # 8 + 8 + 4
        else:  # the writers' lock is never held while this writer extracts (another may write)
            assert begun and not any(open_while_extracting)


@pytest.mark.parametrize("failure", ["python", "database"])
def test_a_failing_document_in_a_batch_is_undone_alone_on_both_backends(store_location, failure):
    docs = _docs(3)
    with open_store(store_location()) as store:
        store.backend.begin_batch(store.conn, store.path)
        store.add_document(docs[0], [], segmented=[])
        with pytest.raises(RuntimeError if failure == "python" else db.StoreError), \
                db.transaction(store.conn, store.path, "a document"):
            store.add_document(docs[1], [], segmented=[])
            if failure == "python":
                raise RuntimeError("extraction bug")
            # a write nobody reads the result of: on PostgreSQL its error arrives with a later
            # round trip, and must still undo this document alone
            store.conn.execute("INSERT INTO organizations (key, name) VALUES (NULL, 'x')")
        assert store.conn.in_transaction  # the batch goes on
        store.add_document(docs[2], [], segmented=[])
        store.backend.commit_batch(store.conn, store.path)
        assert not store.conn.in_transaction
        shas = {r[0] for r in store.conn.execute("SELECT sha256 FROM documents")}
    assert shas == {docs[0].sha256, docs[2].sha256}


def test_an_interrupted_ingest_keeps_whole_documents_on_both_backends(store_location, monkeypatch,
                                                                        fake_extractor):  # noqa: F811
    from jikenbo.store.core import Store

    real_add = Store.add_document
    calls = {"n": 0}

    def add_then_stop(self, doc, *a, **k):
        calls["n"] += 1
        if calls["n"] == 6:
            raise KeyboardInterrupt
        return real_add(self, doc, *a, **k)

    monkeypatch.setattr(Store, "add_document", add_then_stop)
    loc = store_location()
    with open_store(loc) as store:
        with pytest.raises(KeyboardInterrupt):
            store.ingest(_docs(10), workers=1, progress=False)
        assert not store.conn.in_transaction
    with open_store(loc) as store:
        assert store.counts()["documents"] == 5
        assert int(store._q("SELECT count(*) FROM notices WHERE incident_pk IS NULL")[0][0]) == 0


def test_a_batch_left_open_is_undone_when_the_store_closes(store_location):
    docs = _docs(2)
    loc = store_location()
    with open_store(loc) as store:
        store.add_document(docs[0], [], segmented=[])
        store.backend.begin_batch(store.conn, store.path)
        store.add_document(docs[1], [], segmented=[])
    with open_store(loc) as store:
        assert {r[0] for r in store.conn.execute("SELECT sha256 FROM documents")} == {docs[0].sha256}



def test_documents_go_to_the_workers_in_jobs_of_several(tmp_path, monkeypatch, fake_extractor):  # noqa: F811
    """Each worker job carries ``documents_per_job`` documents; a document whose extraction
    fails inside a job fails alone, and what is stored does not depend on the job size."""
    import multiprocessing

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("the fake extractor reaches the workers only through fork")
    fake = ingest_mod.extract_for_store

    def sometimes_broken(doc):
        if doc.source == "b4.txt":
            raise ValueError("an extractor bug")
        return fake(doc)

    monkeypatch.setattr(ingest_mod, "extract_for_store", sometimes_broken)
    shipped = ingest_mod.settings("store")
    jobs: list[int] = []  # documents per submitted job
    real_pool = ingest_mod.worker_pool

    def counting_pool(*a, **k):
        pool = real_pool(*a, **k)
        submit = pool.submit
        pool.submit = lambda fn, docs: (jobs.append(len(docs)), submit(fn, docs))[1]
        return pool

    monkeypatch.setattr(ingest_mod, "worker_pool", counting_pool)
    seen = {}
    for per_job, workers in ((3, 2), (1, 1)):
        monkeypatch.setattr(ingest_mod, "settings", lambda section, n=per_job: {
            **shipped, "ingest": {**shipped["ingest"], "documents_per_job": n}})
        with open_store(tmp_path / f"s{per_job}.db") as store:
            summary = store.ingest(_docs(10), workers=workers, progress=False)
            assert summary.added == 9 and [s for s, _ in summary.failed] == ["b4.txt"]
            assert "an extractor bug" in summary.failed[0][1]
            seen[per_job] = sorted((i["organization"], i["affected_total"]) for i in store.incidents(limit=None))
    assert seen[3] == seen[1] and len(seen[3]) == 9
    assert jobs == [3, 3, 3, 1]  # the pool's jobs; workers=1 extracts in this process
