"""Watches and alerts over fictional fixture notices: once per change, revisions, deletion, feeds."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from jikenbo.cli import cli
from jikenbo.store import FilterError, Filters, StoreError, open_store
from jikenbo.store import watch as ws

FIX = Path(__file__).parent / "fixtures" / "watch"
FIRST, SECOND, OTHER = (str(FIX / n) for n in ("01_kogane_first.txt", "02_kogane_second.txt",
                                               "03_shirakaba_misdelivery.txt"))


def _ingest(store, *paths):  # type: ignore[no-untyped-def]
    s = store.ingest(list(paths), workers=1, progress=False)
    assert s.ok, s.failed


def _changes(store, watch=None):  # type: ignore[no-untyped-def]
    return sorted((a["watch"], a["change"]) for a in ws.alerts(store, watch=watch, limit=None))


@pytest.fixture
def store(store_location):  # type: ignore[no-untyped-def]
    with open_store(store_location("w")) as s:  # SQLite and PostgreSQL
        yield s


def test_alerts_once_per_change_and_revisions(store) -> None:  # type: ignore[no-untyped-def]
    # organisations and vendors match through the linking keys: no 株式会社 needed
    ws.add_watch(store, "org", Filters(organization="こがね医療サービス"))
    ws.add_watch(store, "vendor", Filters(vendor="ほたる印刷"))
    ws.add_watch(store, "big", Filters(min_affected=10000))
    ws.add_watch(store, "mis", Filters(types=["misdelivery"]))
    _ingest(store, FIRST, OTHER)
    assert _changes(store) == [("big", "new"), ("mis", "new"), ("org", "new"), ("vendor", "new")]
    _ingest(store, FIRST, OTHER)  # the same documents again: nothing new
    assert len(ws.alerts(store, limit=None)) == 4
    _ingest(store, SECOND)  # 第2報: count 12,000 → 15,300, おそれ → 確認, a new notice
    for w in ("org", "vendor", "big"):
        assert _changes(store, w) == [(w, "confirmed"), (w, "new"), (w, "new_notice"), (w, "revised")]
    assert _changes(store, "mis") == [("mis", "new")]
    rev = next(a for a in ws.alerts(store, watch="org") if a["change"] == "revised")
    assert rev["detail"] == {"field": "affected_total", "old": 12000, "new": 15300}
    assert [n["kind"] for n in rev["notices"]] == ["first_report", "follow_up"]
    assert rev["organization"] == "株式会社こがね医療サービス"
    _ingest(store, FIRST, SECOND, OTHER)
    assert len(ws.alerts(store, limit=None)) == 13  # never twice


def test_a_new_watch_starts_from_what_is_stored_unless_backfilled(store) -> None:  # type: ignore[no-untyped-def]
    _ingest(store, FIRST)
    ws.add_watch(store, "later", Filters(organization="株式会社こがね医療サービス"))
    ws.add_watch(store, "back", Filters(organization="こがね医療サービス"), backfill=True)
    assert _changes(store) == [("back", "new")]
    _ingest(store, SECOND)
    assert ("later", "revised") in _changes(store, "later") and ("later", "new") not in _changes(store, "later")


def test_removing_a_watch_stops_its_alerts(store) -> None:  # type: ignore[no-untyped-def]
    ws.add_watch(store, "org", Filters(organization="こがね医療サービス"))
    _ingest(store, FIRST)
    assert ws.remove_watch(store, "org")
    assert not ws.remove_watch(store, "org")
    _ingest(store, SECOND)
    assert _changes(store) == [("org", "new")]  # the past alert stays, no new ones
    assert ws.get_watch(store, "org") is None


def test_bad_watches_are_refused(store) -> None:  # type: ignore[no-untyped-def]
    ws.add_watch(store, "a", Filters(types=["ransomware"]))
    with pytest.raises(StoreError, match="exists already"):
        ws.add_watch(store, "a", Filters(types=["loss"]))
    with pytest.raises(StoreError, match="name"):
        ws.add_watch(store, "two words", Filters(types=["loss"]))
    with pytest.raises(FilterError):
        ws.add_watch(store, "b", Filters(since="yesterday"))


def test_cli_watch_and_alerts_json(tmp_path: Path) -> None:
    db = str(tmp_path / "c.db")
    run = CliRunner().invoke
    r = run(cli, ["watch", "add", "取引先", "--vendor", "株式会社ほたる印刷", "--org", "こがね医療サービス",
                  "--type", "ransomware", "--db", db])
    assert r.exit_code == 0, r.output
    r = run(cli, ["watch", "add", "大規模", "--min-affected", "10000", "--webhook", "https://hooks.example/abc",
                  "--db", db])
    assert r.exit_code == 0 and "secret" in r.output
    assert run(cli, ["watch", "add", "empty", "--db", db]).exit_code == 1
    r = run(cli, ["ingest", FIRST, "-q", "--db", db])
    assert r.exit_code == 0 and "delivery failed" in r.output  # hooks.example does not resolve here: kept, retried later
    r = run(cli, ["alerts", "--format", "json", "--db", db])
    items = json.loads(r.output)
    assert {a["watch"] for a in items} == {"取引先", "大規模"}
    for a in items:
        assert {"watch", "incident", "organization", "change", "at", "notices"} <= set(a)
        (n,) = a["notices"]
        assert Path(n.pop("source")).name == "01_kogane_first.txt"
        assert n == {"organization": "株式会社こがね医療サービス", "kind": "first_report", "disclosure_date": "2025-03-04"}
    r = run(cli, ["alerts", "--watch", "取引先", "--since", "2000-01-01", "--format", "table", "--db", db])
    assert r.exit_code == 0 and "こがね" in r.output
    r = run(cli, ["watch", "list", "--format", "json", "--db", db])
    assert [w["name"] for w in json.loads(r.output)] == ["取引先", "大規模"]
    assert "secret" not in json.loads(run(cli, ["watch", "show", "大規模", "--db", db]).output)
    assert len(json.loads(run(cli, ["watch", "show", "大規模", "--secret", "--db", db]).output)["secret"]) == 32
    assert run(cli, ["watch", "remove", "大規模", "--db", db]).exit_code == 0
    r = run(cli, ["watch", "remove", "大規模", "--db", db])
    assert r.exit_code == 1 and "no such watch" in r.output


def test_atom_feeds_and_alerts_page(tmp_path: Path) -> None:
    from jikenbo.serve import create_app

    db = tmp_path / "f.db"
    with open_store(db) as s:
        ws.add_watch(s, "org", Filters(organization="こがね医療サービス"))
        _ingest(s, FIRST, OTHER)
        _ingest(s, SECOND)
    c = TestClient(create_app(db))
    r = c.get("/feeds/org.atom")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    f = feedparser.parse(r.content)
    assert not f.bozo and f.feed.title == "jikenbo: org"
    assert len(f.entries) == 4 and len({e.id for e in f.entries}) == 4
    assert all(e.link.endswith("/incidents/" + e.link.rsplit("/", 1)[1]) for e in f.entries)
    assert any("15,300" in e.title for e in f.entries)
    f = feedparser.parse(c.get("/feeds/all.atom").content)
    assert not f.bozo and len(f.entries) == 2
    assert c.get("/feeds/nope.atom").status_code == 404
    page = c.get("/alerts?watch=org")
    assert page.status_code == 200 and page.text.count('data-change="') == 4 and "12,000 → 15,300" in page.text
    assert c.get("/alerts?watch=nope").status_code == 404
    from test_serve_i18n import foreign, ui_text

    for lang in ("ja", "en"):  # every UI word in the page's language (serve/i18n.py), data marked translate="no"
        for path in ("/alerts?watch=org&", "/alerts?"):
            html = c.get(f"{path}lang={lang}").text
            assert not foreign(lang, ui_text(html)), (lang, path, foreign(lang, ui_text(html)))
    en = c.get("/alerts?lang=en").text
    assert "revised count" in en and "leak confirmed" in en and "12,000 → 15,300" in en
    assert str(FIX) not in c.get("/alerts?lang=ja").text  # never an absolute server path


def test_a_list_of_names_matches_as_organisation_or_vendor(store, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    ws.add_watch(store, "partners", Filters(), names=["ほたる印刷", "あおば商事"])  # a vendor of こがね
    ws.add_watch(store, "group", Filters(types=["misdelivery"]), names=["しらかば運輸", "株式会社ほたる印刷"])
    _ingest(store, FIRST, OTHER)
    assert _changes(store) == [("group", "new"), ("partners", "new")]
    (p,) = ws.alerts(store, watch="partners")
    assert p["organization"] == "株式会社こがね医療サービス"
    (g,) = ws.alerts(store, watch="group")
    assert g["organization"] == "しらかば運輸株式会社"  # the type filter still applies: こがね is ransomware
    names = tmp_path / "names.txt"
    names.write_text("# our vendors\nほたる印刷\n\n", encoding="utf-8")
    db = str(store.path)
    store.close()
    r = CliRunner().invoke(cli, ["watch", "add", "file", "--names-file", str(names), "--backfill", "--db", db])
    assert r.exit_code == 0 and "1 alerts" in r.output
    with pytest.raises(StoreError, match="no name left"), open_store(db) as s2:
        ws.add_watch(s2, "bad", Filters(), names=["株式会社"])


def test_commands_have_help() -> None:
    for args in (["follow", "add"], ["follow", "run"], ["follow", "list"], ["follow", "remove"], ["watch", "add"],
                 ["watch", "list"], ["watch", "show"], ["watch", "remove"], ["watch", "deliver"], ["alerts"]):
        r = CliRunner().invoke(cli, [*args, "--help"])
        assert r.exit_code == 0 and "Usage" in r.output, args


def test_industry_filter_takes_english_names():
    from jikenbo.store.filters import _industry_name

    assert _industry_name("medical") == "医療,福祉"
    assert _industry_name("Finance") == "金融業,保険業"
    assert _industry_name("医療") == "医療"  # Japanese parts pass through
