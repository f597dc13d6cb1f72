"""The casebook: entries of the bundled fictional incidents (expected Markdown), every number
and date of an entry held by the store, the month report against `jikenbo stats`, the CLI.

Regenerate the expected entries after a deliberate change of wording:
``JIKENBO_UPDATE_EXPECTED=1 pytest tests/test_casebook.py -k expected`` (then read the diff).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from casebook_support import EXPECTED, build_samples_store, unstored
from jikenbo import casebook
from jikenbo.casebook import CasebookError, render
from jikenbo.casebook.entry import write_entry
from jikenbo.casebook.phrases import _table, phrases
from jikenbo.casebook.sources import load, stored_values
from jikenbo.cli import cli
from jikenbo.models import Document
from jikenbo.pipeline import extract_document
from jikenbo.store import Filters, open_store

UPDATE = os.environ.get("JIKENBO_UPDATE_EXPECTED") == "1"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_samples_store(tmp_path_factory.mktemp("casebook") / "samples.db")


@pytest.fixture(scope="module")
def incident_ids(db: Path) -> list[str]:
    with open_store(db) as store:
        return [i["id"] for i in store.incidents(Filters(), sort="disclosure_date", limit=None)]


def _expected_files() -> list[str]:
    return sorted(p.stem for p in EXPECTED.glob("inc_*.md") if "." not in p.stem)


# ---------------------------------------------------------------------- entries
def test_every_sample_incident_has_an_expected_entry(incident_ids: list[str]) -> None:
    if UPDATE:
        pytest.skip("regenerating")
    assert sorted(incident_ids) == _expected_files()


@pytest.mark.parametrize("incident_id", _expected_files() or ["(none)"])
def test_entry_matches_expected_markdown(db: Path, incident_ids: list[str], incident_id: str) -> None:
    ids = incident_ids if UPDATE else [incident_id]
    if UPDATE:  # incidents that are gone (an extraction change renamed an organisation) go too
        for stale in set(_expected_files()) - set(incident_ids):
            (EXPECTED / f"{stale}.md").unlink()
    with open_store(db) as store:
        for iid in ids:
            got = render(casebook.entry(store, iid), "md")
            path = EXPECTED / f"{iid}.md"
            if UPDATE:
                path.write_text(got, encoding="utf-8")
                continue
            assert path.is_file(), f"{iid}: no expected entry (JIKENBO_UPDATE_EXPECTED=1 writes it)"
            assert got == path.read_text(encoding="utf-8"), f"{iid}: entry differs from {path.name}"


def test_english_entry_matches_expected_markdown(db: Path) -> None:
    path = EXPECTED / "inc_0f6820fc3d0e.en.md"
    with open_store(db) as store:
        got = render(casebook.entry(store, "inc_0f6820fc3d0e", lang="en"), "md")
    if UPDATE:
        path.write_text(got, encoding="utf-8")
    assert got == path.read_text(encoding="utf-8")


def test_vendor_groups_of_a_period(db: Path) -> None:
    with open_store(db) as store:
        groups = store.vendor_groups(Filters(since="2025-02", until="2025-02"))
        assert [(g["name"], g["n"], g["total"], g["first_disclosed"]) for g in groups] == \
            [("株式会社ミライクラウド", 3, 3, "2025-02-14")]
        assert store.vendor_groups(Filters(since="2024-01", until="2024-12")) == []


def test_entry_has_the_sections_in_order(db: Path) -> None:
    p = phrases("ja")
    with open_store(db) as store:
        md = render(casebook.entry(store, "inc_0f6820fc3d0e"), "md")
    keys = ["summary", "timeline", "data", "cause", "response", "authorities", "revisions", "vendors",
            "appi", "sources"]
    heads = [f"## {p.section(k)}" for k in keys]
    pos = [md.index(h) for h in heads]
    assert pos == sorted(pos)
    # the follow-up corrected the count and the leak status: first reported → latest
    assert "影響人数：最大38,400件（第1報、2024年11月8日） → 36,912件（続報、2024年12月20日）" in md
    assert "漏えい状況：漏えいのおそれ（第1報、2024年11月8日） → 漏えい確認（続報、2024年12月20日）" in md
    assert "参考" in md


def test_every_sentence_has_a_note_and_every_note_a_notice(db: Path, incident_ids: list[str]) -> None:
    with open_store(db) as store:
        for iid in incident_ids:
            cb = casebook.entry(store, iid)
            notice_ids = {n["id"] for n in store.incident(iid)["notices"]}
            for sec in cb.sections:
                if sec.key == "sources":
                    continue
                for b in sec.blocks:
                    for s in b.sentences:
                        if s.text.startswith(phrases("ja").t("appi_disclaimer")[:3]):
                            continue
                        assert s.notes, f"{iid} {sec.key}: no note for {s.text!r}"
            assert {n.notice_id for n in cb.notes} <= notice_ids
            for n in cb.notes:
                if n.start is not None:  # the note quotes the very passage of the document
                    doc = store.notice(n.notice_id)["document"]["text"]
                    assert " ".join(doc[n.start:n.end].split()).startswith((n.quote or "").rstrip("…"))


def test_unknowns_are_said_not_omitted(db: Path) -> None:
    with open_store(db) as store:
        inc = next(i for i in store.incidents(Filters(), limit=None) if i.get("affected_total") is None)
        md = render(casebook.entry(store, inc["id"]), "md")
        en = render(casebook.entry(store, inc["id"], lang="en"), "md")
    assert "件数は公表されていない" in md
    assert "The number affected has not been disclosed" in en


def test_vendor_group_is_linked(db: Path) -> None:
    with open_store(db) as store:
        md = render(casebook.entry(store, "inc_b5f86af2c9a4"), "md")
    assert "株式会社ミライクラウド（クラウドサービス事業者）" in md
    assert "医療法人なのはな会" in md and "ささめ町" in md


def test_english_variant_has_every_japanese_key() -> None:
    t = _table()
    for group, ja in t["ja"].items():
        en = t["en"].get(group)
        assert en is not None, group
        if group in ("qualifier", "unit", "trigger"):  # English wording of Japanese values only
            continue
        assert set(ja) == set(en), f"[{group}] differs: {set(ja) ^ set(en)}"


# ---------------------------------------------------------------------- the property
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_number_and_date_of_a_sample_entry_is_stored(db: Path, incident_ids: list[str], lang: str) -> None:
    with open_store(db) as store:
        for iid in incident_ids:
            loaded = load(store, iid)
            md = render(write_entry(loaded, lang), "md")
            assert unstored(md, stored_values(loaded)) == [], iid


def test_the_check_finds_what_is_not_stored() -> None:
    values = {"incident": {"disclosure_date": "2024-11-08", "affected_total": 36912}}
    assert unstored("2024年11月8日、36,912件。「2031年1月1日 77件」[^12]", values) == []
    assert unstored("2024年11月9日、36,913件、2024年12月", values) == ["2024-11-09", "2024-12", "36,913"]


ORGS = ["株式会社みずなら精工", "有限会社かざはな書房", "医療法人あさぎ会", "学校法人ひばり学園"]
DATA = ["氏名", "住所", "電話番号", "メールアドレス", "生年月日", "クレジットカード番号"]


@st.composite
def notices(draw: st.DrawFn) -> str:
    """A fictional notice with drawn dates, count and data items (sometimes without a count)."""
    y = draw(st.integers(2019, 2026))
    m = draw(st.integers(1, 12))
    d = draw(st.integers(10, 28))
    det = draw(st.integers(1, d - 1))
    org = draw(st.sampled_from(ORGS))
    items = draw(st.lists(st.sampled_from(DATA), min_size=1, max_size=4, unique=True))
    n = draw(st.one_of(st.none(), st.integers(1, 2_000_000)))
    kind = draw(st.sampled_from(["不正アクセス", "ランサムウェア", "メールの誤送信"]))
    count = f"お客様{n:,}名の" if n is not None else "お客様の"
    return (f"{y}年{m}月{d}日\n{org}\n\n{kind}による個人情報漏えいに関するお知らせ\n\n"
            f"このたび、当社において{kind}が発生し、{count}{'、'.join(items)}が漏えいした可能性があることが"
            f"判明いたしました。\n{y}年{m}月{det}日に異常を検知し、個人情報保護委員会へ報告いたしました。\n"
            "原因は、サーバーの設定の誤りによるものです。\n再発防止策として、設定の点検を行います。\n")


@given(text=notices(), lang=st.sampled_from(["ja", "en"]))
@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_number_and_date_of_an_entry_is_stored(tmp_path_factory: pytest.TempPathFactory, text: str,
                                                     lang: str) -> None:
    import hashlib

    data = text.encode("utf-8")
    doc = Document(source="notice.txt", text=text, sha256=hashlib.sha256(data).hexdigest())
    with open_store(tmp_path_factory.mktemp("prop") / "p.db") as store:
        res = store.add_document(doc, extract_document(doc))
        assert res.incidents_created, text
        for iid in res.incidents_created:
            loaded = load(store, iid)
            md = render(write_entry(loaded, lang), "md")
            assert unstored(md, stored_values(loaded)) == [], md


# ---------------------------------------------------------------------- the report
def _stats_json(db: Path, period: str, dim: str) -> dict:
    r = CliRunner().invoke(cli, ["stats", "--since", period, "--until", period, "--by", dim, "--format", "json",
                                 "--db", str(db)])
    assert r.exit_code == 0, r.output
    return json.loads(r.output)


@pytest.mark.parametrize("period", ["2024-11", "2025-02", "2024"])
def test_report_counts_are_those_of_jikenbo_stats(db: Path, period: str) -> None:
    p = phrases("ja")
    with open_store(db) as store:
        cb = casebook.report(store, period, by=["type", "industry", "leak-status", "category", "authority"],
                             charts=False)
    assert cb.meta["n"] == _stats_json(db, period, "type")["total"]["n"]
    labels = {"type": "type", "leak-status": "leak_status", "category": "category", "authority": "authority"}
    for dim in ("type", "industry", "leak-status", "category", "authority"):
        st_ = _stats_json(db, period, dim)
        want = {(p.label(labels.get(dim, ""), g["key"][dim]) if g["key"][dim] != "unknown" else p.t("unknown_row")):
                f"{g['n']:,}" for g in st_["groups"]}
        want.setdefault(p.t("unknown_row"), "0")
        table = next(b for s in cb.sections if s.key == f"by-{dim}" for b in s.blocks if b.kind == "table")
        assert dict(map(tuple, table.rows)) == want, dim
        assert f"n = {st_['total']['n']:,}" in table.caption
    lag = _stats_json(db, period, "type")["total"]["lag_days"]
    text = next(s for s in cb.sections if s.key == "lag").blocks[0].sentences[0].text
    if lag["n"]:
        assert f"中央値は{lag['median']:g}日" in text.replace(".0日", "日")


def test_month_report_over_a_fixture_store(db: Path) -> None:
    with open_store(db) as store:
        cb = casebook.report(store, "2025-02")
        md = render(cb, "md")
        month = store.incidents(Filters(since="2025-02", until="2025-02"), sort="disclosure_date", limit=None)
    assert cb.title == "2025年2月の事件簿（月報）"
    assert "2025年2月に公表された事案は4件である。" in md
    # one short entry per incident, in date order, each with its sources
    entries = [s for s in cb.sections if s.key == "entry"]
    assert [s.anchor for s in entries] == [i["id"] for i in month]
    for s in entries:
        assert s.blocks[1].kind == "ul" and s.blocks[1].sentences
    # the three customers of one cloud vendor: a new vendor group of the month
    assert "株式会社ミライクラウド：関連事案3件（最初の公表2025年2月14日）" in md
    biggest = next(s for s in cb.sections if s.key == "biggest").blocks[0].sentences
    assert biggest[0].text.startswith("株式会社つきみ製菓")
    assert "検知から最初の公表までの日数の中央値は" in md
    charts = next(s for s in cb.sections if s.key == "charts")
    assert all(b.svg.startswith("<svg") for b in charts.blocks)


def test_a_month_without_incidents_says_so(db: Path) -> None:
    with open_store(db) as store:
        md = render(casebook.report(store, "2023-07"), "md")
    assert "2023年7月に公表された事案は記録されていない。" in md


def test_report_rejects_bad_periods_and_breakdowns(db: Path) -> None:
    with open_store(db) as store:
        for bad in ("2025-13", "25-06", "June"):
            with pytest.raises(CasebookError, match="expected YYYY-MM"):
                casebook.report(store, bad)
        with pytest.raises(CasebookError, match="--by"):
            casebook.report(store, "2024", by=["colour"])
        with pytest.raises(CasebookError, match="no such incident"):
            casebook.entry(store, "inc_000000000000")


# ---------------------------------------------------------------------- the CLI
def test_cli_write_and_report(db: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["write", "inc_0f6820fc3d0e", "--db", str(db)])
    assert r.exit_code == 0, r.output
    assert r.output.startswith("# 株式会社はるかぜ商会の事案")
    out = tmp_path / "e.html"
    r = CliRunner().invoke(cli, ["write", "inc_0f6820fc3d0e", "--format", "html", "--lang", "en", "-o", str(out),
                                 "--db", str(db)])
    assert r.exit_code == 0 and out.read_text(encoding="utf-8").startswith("<!doctype html>")
    r = CliRunner().invoke(cli, ["report", "--year", "2024", "--by", "type", "--by", "industry", "--db", str(db)])
    assert r.exit_code == 0 and "## 種別別" in r.output and "## 業種別" in r.output
    assert "## 漏えい状況別" not in r.output


@pytest.mark.parametrize("args, message", [
    (["write", "inc_000000000000"], "inc_000000000000: no such incident"),
    (["report", "--month", "2025-13"], "period '2025-13'"),
    (["report"], "give either --month YYYY-MM or --year YYYY"),
    (["report", "--month", "2025-01", "--year", "2025"], "give either"),
])
def test_cli_errors_are_one_line(db: Path, args: list[str], message: str) -> None:
    r = CliRunner().invoke(cli, [*args, "--db", str(db)])
    assert r.exit_code in (1, 2)
    assert message in r.output
    assert "Traceback" not in r.output


def test_commands_have_help() -> None:
    for cmd in ("write", "report"):
        r = CliRunner().invoke(cli, [cmd, "--help"])
        assert r.exit_code == 0 and "--format" in r.output
