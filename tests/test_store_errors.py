"""Bad stores and failing writes: one clear message, the store unchanged."""

from __future__ import annotations

import sqlite3

import pytest

from jikenbo.store import SCHEMA_VERSION, StoreError, open_store
from jikenbo.store.db import _statements
from jikenbo.store.schema import APPLICATION_ID, MIGRATIONS
from test_store_fixtures import ALL, HOSPITAL_1, add_all, fake_extract, make_doc


def test_not_sqlite(tmp_path):
    p = tmp_path / "notes.db"
    p.write_text("this is not a database, just text\n" * 100)
    with pytest.raises(StoreError, match="not a jikenbo store"):
        open_store(p)
    assert p.read_text().startswith("this is not")


def test_other_sqlite_database_is_refused(tmp_path):
    p = tmp_path / "other.db"
    conn = sqlite3.connect(p)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="not a jikenbo store"):
        open_store(p)


def test_newer_schema_is_refused(tmp_path):
    p = tmp_path / "new.db"
    open_store(p).close()
    conn = sqlite3.connect(p)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match="newer than this jikenbo"):
        open_store(p)


def test_older_store_is_upgraded(tmp_path):
    p = tmp_path / "v1.db"
    conn = sqlite3.connect(p, isolation_level=None)
    for stmt in _statements(MIGRATIONS[0]):
        conn.execute(stmt)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO organizations (key, name) VALUES ('みどり病院', 'みどり病院')")
    conn.close()
    with open_store(p) as s:
        assert s.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert s.conn.execute("SELECT rkey FROM organizations").fetchone()[0] == "院病りどみ"


def test_readonly_store_refuses_writes_and_reads_fine(tmp_path):
    p = tmp_path / "ro.db"
    with open_store(p) as s:
        add_all(s, ALL[:1])
    with open_store(p, readonly=True) as s:
        assert s.count_incidents() == 1
        d = make_doc(ALL[1][1], "x.txt")
        with pytest.raises(StoreError, match="read-only"):
            s.add_document(d, fake_extract(d))
        assert s.count_incidents() == 1


def test_readonly_sqlite_error_is_translated(tmp_path):
    p = tmp_path / "ro2.db"
    open_store(p).close()
    s = open_store(p)
    s.conn.execute("PRAGMA query_only = 1")  # what SQLite says for a read-only file
    d = make_doc(HOSPITAL_1, "h.txt")
    with pytest.raises(StoreError, match="read-only"):
        s.add_document(d, fake_extract(d))
    s.close()


def test_missing_store_opened_readonly(tmp_path):
    with pytest.raises(StoreError, match="no store here"):
        open_store(tmp_path / "none.db", readonly=True)


def test_disk_full_leaves_store_unchanged(tmp_path):
    p = tmp_path / "full.db"
    s = open_store(p)
    add_all(s, ALL[:2])
    s.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    before = s.counts()
    pages = s.conn.execute("PRAGMA page_count").fetchone()[0]
    s.conn.execute(f"PRAGMA max_page_count = {pages}")
    big = "本文: " + "ランサムウェアによる漏えい。" * 20000 + "\n" + ALL[3][1]
    d = make_doc(big, "big.txt")
    with pytest.raises(StoreError, match="database or disk is full"):
        s.add_document(d, fake_extract(d))
    assert s.counts() == before
    assert not s.has_document(d.sha256)
    s.close()
    with open_store(p) as s2:
        assert s2.counts() == before
        assert s2.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_version_3_store_is_upgraded_to_the_million_incident_layout(tmp_path):
    from jikenbo.store.db import migrate

    p = tmp_path / "v3.db"
    conn = sqlite3.connect(p, isolation_level=None)
    for stmt in _statements(MIGRATIONS[0]):
        conn.execute(stmt)
    MIGRATIONS[1](conn)
    for stmt in _statements(MIGRATIONS[2]):
        conn.execute(stmt)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute("PRAGMA user_version = 3")
    text = "みどり病院 USBメモリ紛失のお知らせ"
    conn.execute("INSERT INTO documents (id, sha256, source, locator, added_at, text) "
                 "VALUES (1, 'abc', 'a.txt', 'a.txt', 'now', ?)", (text,))
    conn.execute("INSERT INTO incidents (pk, id, disclosure_date, disclosure_month, affected_total, lag_days)"
                 " VALUES (1, 'inc_1', '2024-05-10', '2024-05', 30, 4)")
    conn.execute("INSERT INTO incident_tags VALUES (1, 'type', 'loss')")
    conn.execute("INSERT INTO notices (pk, id, document_id, incident_pk, source, title, text, record, added_at)"
                 " VALUES (1, 'ntc_1', 1, 1, 'a.txt', 'お知らせ', ?, '{}', 'now')", (text,))
    conn.execute("INSERT INTO notices_trigram (rowid, title, text) VALUES (1, 'お知らせ', ?)", (text,))
    conn.execute("INSERT INTO field_values (notice_pk, field, value, date) VALUES (1, 'affected_total', '30', "
                 "'2024-05-10')")
    conn.close()
    with open_store(p) as s:
        c = s.conn
        assert c.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        tags = {tuple(r) for r in c.execute("SELECT kind, value, month, affected_total, lag_days "
                                            "FROM incident_tags")}
        assert tags == {("type", "loss", "2024-05", 30, 4), ("category", "", "2024-05", 30, 4),
                        ("authority", "", "2024-05", 30, 4)}
        fv = c.execute("SELECT field, value FROM field_values")
        assert [tuple(r) for r in fv] == [("affected_total", "30")]
        assert c.execute("SELECT text FROM notices").fetchone()[0] == ""  # the document holds it
        assert s.notice("ntc_1")["text"] == text
        hits = c.execute("SELECT rowid FROM notices_trigram WHERE notices_trigram MATCH 'USBメモリ'")
        assert [tuple(r) for r in hits] == [(1,)]
        st = s.stats(["month", "type"])
        assert [(g["key"], g["n"]) for g in st["groups"]] == [({"month": "2024-05", "type": "loss"}, 1)]
        assert migrate(c) == SCHEMA_VERSION
