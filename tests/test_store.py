"""Store API: adding documents, linking, idempotency, versions, listing, search, facets, stats.

Every test taking ``store`` or ``full`` runs on SQLite and on PostgreSQL (``store_location``).
"""

from __future__ import annotations

import sqlite3

import pytest

from jikenbo.store import SCHEMA_VERSION, Filters, open_store
from test_store_fixtures import (
    ALL,
    EMPTY,
    HOSPITAL_1,
    HOSPITAL_2,
    SCHOOL,
    add_all,
    fake_extract,
    make_doc,
)


@pytest.fixture
def store(store_location):
    s = open_store(store_location("t"))
    yield s
    s.close()


@pytest.fixture
def full(store):
    add_all(store, ALL)
    return store


def test_new_store_has_schema_version_and_plain_tables(tmp_path):
    open_store(tmp_path / "a.db").close()
    conn = sqlite3.connect(tmp_path / "a.db")
    assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table','view')")}
    for t in ("documents", "notices", "incidents", "organizations", "organization_aliases",
              "third_parties", "notice_third_parties", "field_values", "incident_tags", "incident_notices"):
        assert t in names


def test_add_document_links_follow_up_to_first_report(store):
    r1, r2 = add_all(store, [("h1.txt", HOSPITAL_1), ("h2.txt", HOSPITAL_2)])
    assert r1.status == "added" and len(r1.incidents_created) == 1
    assert r2.incidents_linked == r1.incidents_created
    inc = store.incident(r1.incidents_created[0])
    assert inc["notice_count"] == 2
    assert inc["affected_total"] == 1500  # the latest official figure
    assert inc["leak_status"] == "confirmed"
    assert [r["value"] for r in inc["revisions"]["affected_total"]] == [1200, 1500]
    assert {n["source"] for n in inc["notices"]} == {"h1.txt", "h2.txt"}
    fv = inc["field_values"]["affected_total"]
    assert [v["value"] for v in fv] == [1200, 1500]
    assert fv[0]["snippet"] == "affected: 1200"
    assert fv[0]["date"] == "2024-05-10"


def test_same_bytes_twice_add_nothing(store):
    add_all(store, ALL)
    before = store.counts()
    again = add_all(store, ALL)
    assert {r.status for r in again} == {"duplicate"}
    assert store.counts() == before


def test_changed_page_at_same_url_is_a_new_version(store):
    d1 = make_doc(HOSPITAL_1, "https://example.jp/news/1.html", url="https://example.jp/news/1.html")
    store.add_document(d1, fake_extract(d1))
    changed = HOSPITAL_1.replace("affected: 1200", "affected: 1300")
    d2 = make_doc(changed, "https://example.jp/news/1.html", url="https://example.jp/news/1.html")
    res = store.add_document(d2, fake_extract(d2))
    assert res.status == "new_version" and res.version == 2
    assert store.counts()["documents"] == 2
    incs = store.incidents()
    assert len(incs) == 1 and incs[0]["affected_total"] == 1300 and incs[0]["notice_count"] == 1
    rows = store.conn.execute("SELECT version, superseded_by FROM documents ORDER BY version").fetchall()
    assert rows[0]["superseded_by"] is not None and rows[1]["superseded_by"] is None


def test_empty_document_is_stored_without_notices(store):
    d = make_doc(EMPTY, "empty.txt")
    res = store.add_document(d, [])
    assert res.status == "empty" and res.notices_added == 0
    assert store.counts()["documents"] == 1 and store.counts()["incidents"] == 0


def test_digest_gives_one_incident_per_notice(full):
    orgs = {i["organization"] for i in full.incidents(limit=None)}
    assert {"株式会社ダイジェスト", "株式会社サンプル工業"} <= orgs
    assert full.count_incidents() == 5


@pytest.mark.parametrize(("filters", "expected"), [
    (Filters(types=["ransomware"]), {"医療法人テスト会 みどり病院"}),
    (Filters(since="2024-03"),
     {"医療法人テスト会 みどり病院", "株式会社ダイジェスト", "株式会社サンプル工業"}),
    (Filters(until="2023"), {"テスト市立第一中学校"}),
    (Filters(since="2024-02-15", until="2024-02-15"), {"株式会社サンプル商店"}),
    (Filters(min_affected=1000), {"医療法人テスト会 みどり病院"}),
    (Filters(max_affected=40), {"テスト市立第一中学校", "株式会社ダイジェスト"}),
    (Filters(category=["credit_card"]), {"株式会社サンプル商店"}),
    (Filters(sensitive=True), {"医療法人テスト会 みどり病院"}),
    (Filters(card=True), {"株式会社サンプル商店"}),
    (Filters(leak_status=["possible"]), {"テスト市立第一中学校"}),
    (Filters(organization="みどり病院"), {"医療法人テスト会 みどり病院"}),
    (Filters(vendor="エムケイシステム"), {"株式会社サンプル商店"}),
    (Filters(authority=["police"]), {"医療法人テスト会 みどり病院"}),
    (Filters(industry=["教育"]), {"テスト市立第一中学校"}),
    (Filters(year=2023), {"テスト市立第一中学校"}),
])
def test_filters(full, filters, expected):
    assert {i["organization"] for i in full.incidents(filters, limit=None)} == expected
    assert full.count_incidents(filters) == len(expected)


def test_sort_and_paging(full):
    dates = [i["disclosure_date"] for i in full.incidents(sort="disclosure_date", limit=None)]
    assert dates == sorted(dates)
    assert len(full.incidents(limit=2)) == 2
    assert full.incidents(limit=2, offset=1)[0] == full.incidents(limit=3)[1]


@pytest.mark.parametrize("query", ["紛失", "漏洩", "漏えい", "ランサムウェア 病院", "USBメモリ"])
def test_search_finds_two_char_terms_and_both_spellings(full, query):
    hits = full.search(query)
    assert hits, query
    assert all(h["snippet"] for h in hits)


def test_search_spelling_variants_meet(full):
    a = {h["id"] for h in full.search("漏洩")}
    b = {h["id"] for h in full.search("漏えい")}
    assert a == b and len(a) >= 2


def test_search_with_filter_and_trigram_substring(full):
    hits = full.search("ランサムウェア", Filters(types=["ransomware"]))
    assert [h["organization"] for h in hits] == ["医療法人テスト会 みどり病院"]
    assert not full.search("ランサムウェア", Filters(types=["loss"]))
    assert full.search("ンサムウ")  # inside a word: the trigram table finds it


def test_facets(full):
    f = full.facets()
    assert dict(f["type"])["ransomware"] == 1
    assert dict(f["year"]) == {"2024": 4, "2023": 1}
    assert dict(f["vendor"]) == {"エムケイシステム": 1}
    assert dict(full.facets(Filters(year=2023))["type"]) == {"loss": 1}


def test_stats_shows_unknowns_and_n(full):
    st = full.stats(["year"])
    by = {g["key"]["year"]: g for g in st["groups"]}
    assert by["2024"]["n"] == 4
    assert by["2024"]["affected"] == {"n": 2, "unknown": 2, "sum": 1512, "median": 756.0}
    assert by["2023"]["lag_days"]["median"] == 3
    assert st["total"]["n"] == 5
    assert st["total"]["affected"]["unknown"] == 2


def test_stats_cross_tab_month_type(full):
    st = full.stats(["month", "type"])
    keys = {(g["key"]["month"], g["key"]["type"]) for g in st["groups"]}
    assert ("2024-05", "ransomware") in keys and ("2023-11", "loss") in keys
    assert st["total"]["n"] == 5


def test_stats_rejects_unknown_dimension(full):
    from jikenbo.store import StoreError

    with pytest.raises(StoreError, match="--by"):
        full.stats(["colour"])


def test_notice_and_records(full):
    inc = full.incidents(Filters(types=["ransomware"]))[0]
    recs = full.incident_records(inc["id"])
    assert [r.affected_total for r in recs] == [1200, 1500]
    n = full.notice(inc["notices"][0]["id"])
    assert n["incident_id"] == inc["id"] and "ランサムウェア" in n["text"]
    assert n["document"]["sha256"]
    assert full.incident("inc_000000000000") is None


def test_organisation_aliases_recorded(full):
    rows = full.conn.execute("SELECT alias FROM organization_aliases").fetchall()
    aliases = {r[0] for r in rows}
    assert "医療法人テスト会 みどり病院" in aliases


def test_school_search_does_not_need_filters(store):
    add_all(store, [("school.txt", SCHOOL)])
    assert store.search("紛失")[0]["organization"] == "テスト市立第一中学校"


def test_search_plans_for_common_words_find_the_same_incidents(full, monkeypatch):
    from jikenbo.store import postgres, search

    f = Filters(year=2024)
    if full.backend.kind == "postgresql":
        ranked = {h["id"] for h in full.search("漏洩", f)}
        monkeypatch.setattr(postgres, "COMMON_DOCS", 0)  # every word "common": newest first
        newest = full.search("漏洩", f)
        assert {h["id"] for h in newest} == ranked
        assert full.search("漏洩", f, limit=1, offset=1) == newest[1:2]
        # the first match read may fail the filters: the others are still looked at (newest first)
        for inc in full.incidents(Filters(query="漏洩"), limit=None):
            assert inc["id"] in {h["id"] for h in full.search("漏洩", Filters(organization=inc["organization"]))}
        monkeypatch.setattr(postgres, "WALK_MIN", 0)  # walk the newest notices first (a big store)
        monkeypatch.setattr(postgres, "WALK_DENSE", 0)
        assert [h["id"] for h in full.search("漏洩", f)] == [h["id"] for h in newest]
        monkeypatch.setattr(postgres, "WALK_MAX", 1)  # the filters first, by the planner
        assert [h["id"] for h in full.search("漏洩", f)] == [h["id"] for h in newest]
        return
    ranked = {h["id"] for h in full.search("漏洩", f)}
    monkeypatch.setattr(search, "COMMON_DOCS", 0)  # every word "common": newest first, k grows
    monkeypatch.setattr(search, "K_FIRST", 1)
    newest = full.search("漏洩", f)
    assert {h["id"] for h in newest} == ranked
    monkeypatch.setattr(search, "K_MAX_GROW", 0)  # filters first, FTS5 checks their notices
    assert [h["id"] for h in full.search("漏洩", f)] == [h["id"] for h in newest]
    assert full.search("漏洩", f, limit=1, offset=1) == newest[1:2]


def test_stats_from_tags_table_equal_the_joined_path(full):
    fast = full.stats(["month", "type"])
    joined = full.stats(["month", "type"], Filters(since="1900"))  # a filter: the general plan
    assert fast == joined
    assert full.stats(["year", "category"]) == full.stats(["year", "category"], Filters(since="1900"))
    assert all(v for v, _ in full.facets()["authority"])  # '' rows (none stated) are no facet value


def test_bulk_add_writes_what_queries_read(store_location):
    from jikenbo.store import textindex
    from jikenbo.store.bulk import bulk_add, finish

    docs = [make_doc(text, name) for name, text in ALL]
    items = [(d, r, textindex.segmented(d.text)) for d in docs for r in fake_extract(d)[:1]]
    with open_store(store_location("b")) as s:
        assert bulk_add(s, items, workers=1) == len(items)
        assert bulk_add(s, items, workers=1) == 0  # same bytes: nothing new
        finish(s)
        assert s.count_incidents() == len(items)
        inc = s.incidents(limit=1)[0]
        full_inc = s.incident(inc["id"])
        assert full_inc["field_values"]["organization"][0]["value"] == inc["organization"]
        nid = full_inc["notices"][0]["id"]
        assert s.notice(nid)["text"]
        assert s.stats(["month", "type"])["total"]["n"] == len(items)
        assert {h["id"] for h in s.search("紛失")} and s.search("ンサムウ")
        s.add_document(make_doc(HOSPITAL_2, "h2.txt"), fake_extract(make_doc(HOSPITAL_2, "h2.txt")))
        assert s.count_incidents() == len(items)  # keys go on past the bulk rows; the follow-up links


def test_listing_plans_for_common_and_rare_tags_agree(full, monkeypatch):
    from jikenbo.store import core

    f = Filters(types=["ransomware", "loss"], since="2023")
    rare = [i["id"] for i in full.incidents(f)]
    monkeypatch.setattr(core, "COMMON_TAG", 0)  # every tag "common": probe tags while walking dates
    assert [i["id"] for i in full.incidents(f)] == rare and rare
