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


def test_an_interrupted_ingest_keeps_the_documents_stored_whole(tmp_path, monkeypatch, fake_extractor):  # noqa: F811
    from jikenbo.store.core import Store

    real_add = Store.add_document
    calls = {"n": 0}

    def add_then_stop(self, doc, *a, **k):
        calls["n"] += 1
        if calls["n"] == 6:
            raise KeyboardInterrupt
        return real_add(self, doc, *a, **k)

    monkeypatch.setattr(Store, "add_document", add_then_stop)
    with open_store(tmp_path / "s.db") as store:
        with pytest.raises(KeyboardInterrupt):
            store.ingest(_docs(10), workers=1, progress=False)
        assert not store.conn.in_transaction
    with open_store(tmp_path / "s.db") as store:
        assert store.counts()["documents"] == 5  # the five before Ctrl-C were committed
