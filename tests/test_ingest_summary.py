"""The ingest summary keeps failures, documents without a notice, dropped notices and caps apart
(counts first, lists past 20 lines only with --verbose); stored names are never absolute paths;
the per-document caps of read.toml bound the work and are reported."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from jikenbo.cli import store_cmds
from jikenbo.models import Document
from jikenbo.pipeline import Limits, document_from_text, extract_report
from jikenbo.store import IngestSummary, open_store
from jikenbo.store.ingest import StoreJob
from jikenbo.store.naming import shown_source
from test_store_fixtures import fake_extract


@click.group()
def cli() -> None:
    """Test group: the store commands."""


store_cmds.register(cli)


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks with ``org:`` are notices, ``noorg:`` a dropped notice, ``HUGE`` hits a cap."""
    import jikenbo.store.ingest as ingest_mod
    from jikenbo.store import textindex

    def extract_for_store(doc: Document) -> StoreJob:
        recs = fake_extract(doc)
        capped = (f"{doc.source}: only the first 10 of 99 characters were searched",) if "HUGE" in doc.text else ()
        return StoreJob(recs, [textindex.segmented(textindex.notice_text(doc, r)) for r in recs],
                        doc.text.count("noorg:"), capped)

    monkeypatch.setattr(ingest_mod, "extract_for_store", extract_for_store)


def _folder(tmp: Path, empties: int = 2) -> Path:
    d = tmp / "in"
    d.mkdir()
    (d / "a.txt").write_text("org: 株式会社架空一\ndate: 2024-01-05\ntype: loss\n", encoding="utf-8")
    (d / "b.txt").write_text("org: 株式会社架空二\ndate: 2024-01-06\n---\nnoorg: x\n---\nnoorg: y\n",
                             encoding="utf-8")
    (d / "c.txt").write_text("noorg: only this\n", encoding="utf-8")
    (d / "d.txt").write_text("org: 株式会社架空三\nHUGE\n", encoding="utf-8")
    (d / "bad.txt").write_bytes(b"")
    for i in range(empties):
        (d / f"e{i:02d}.txt").write_text(f"本日は晴天なり {i}。\n", encoding="utf-8")
    return d


def test_summary_sections_are_apart(tmp_path: Path, fake: None) -> None:
    d = _folder(tmp_path)
    res = CliRunner().invoke(cli, ["ingest", str(d), "--db", str(tmp_path / "s.db"), "--workers", "1"])
    assert res.exit_code == 1  # bad.txt (empty file) failed
    out = res.stdout
    assert "failed: 1 inputs could not be read or extracted" in out
    assert "no incident notice found: 2 documents (stored, not an error)" in out
    assert "dropped: 3 notices found no organisation, in 2 documents" in out
    assert "capped: 1 limits of work per document hit" in out
    assert "jikenbo: 3 notices found no organisation and were not stored (in 2 documents" in res.stderr
    heads = [ln for ln in out.splitlines() if not ln.startswith("  ")]
    lists = {h.split(":")[0]: [] for h in heads}
    cur = None
    for ln in out.splitlines():
        if not ln.startswith("  "):
            cur = ln.split(":")[0]
        else:
            lists[cur].append(ln.strip())
    assert lists["failed"] == [f"{d / 'bad.txt'}: empty file"] or lists["failed"][0].endswith("empty file")
    assert sorted(Path(x).name for x in lists["no incident notice found"]) == ["e00.txt", "e01.txt"]
    assert sorted(lists["dropped"]) == sorted([f"{shown_source(str(d / 'b.txt'), str(d))} (2)",
                                               f"{shown_source(str(d / 'c.txt'), str(d))} (1)"])
    # c.txt's only notice was dropped: it is not also counted as a document without a notice
    assert not any("c.txt" in x for x in lists["no incident notice found"])


def test_long_lists_need_verbose(tmp_path: Path, fake: None) -> None:
    d = _folder(tmp_path, empties=25)
    db = tmp_path / "s.db"
    res = CliRunner().invoke(cli, ["ingest", str(d), "--db", str(db), "--workers", "1"])
    assert "no incident notice found: 25 documents" in res.stdout
    assert "… and 5 more (--verbose lists them all)" in res.stdout
    assert sum(1 for ln in res.stdout.splitlines() if re.search(r"/e\d\d\.txt$", ln)) == 20
    s = IngestSummary(empty=[f"e{i}.txt" for i in range(25)])
    assert len([ln for ln in s.lines(verbose=True) if ln.startswith("  e")]) == 25
    as_json = CliRunner().invoke(cli, ["ingest", str(d), "--db", str(tmp_path / "t.db"), "--workers", "1",
                                       "--json"])
    data = json.loads(as_json.stdout)
    assert len(data["empty"]) == 25 and data["capped"] and {x["segments"] for x in data["dropped"]} == {1, 2}


def test_stored_names_are_never_absolute_paths(tmp_path: Path, fake: None, monkeypatch: pytest.MonkeyPatch) -> None:
    d = _folder(tmp_path)
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # the input is outside the working folder, given absolute
    db = tmp_path / "s.db"
    CliRunner().invoke(cli, ["ingest", str(d), "--db", str(db), "--workers", "1"])
    with open_store(db) as s:
        sources = {n["source"] for inc in s.incidents(limit=None) for n in (s.incident(inc["id"]) or {})["notices"]}
    assert sources == {"in/a.txt", "in/b.txt", "in/d.txt"}
    monkeypatch.chdir(tmp_path)  # now under the working folder: relative to it
    db2 = tmp_path / "s2.db"
    CliRunner().invoke(cli, ["ingest", str(d), "--db", str(db2), "--workers", "1"])
    with open_store(db2) as s:
        assert {n["source"] for inc in s.incidents(limit=None)
                for n in (s.incident(inc["id"]) or {})["notices"]} == {"in/a.txt", "in/b.txt", "in/d.txt"}
    # the same bytes changed at the same path are still a new version (the locator is the real path)
    (d / "a.txt").write_text("org: 株式会社架空一\ndate: 2024-01-05\ntype: loss,theft\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["ingest", str(d / "a.txt"), "--db", str(db2), "--json"])
    assert json.loads(res.stdout)["new_versions"] == 1


def test_shown_source() -> None:
    cwd = "/srv/work"
    assert shown_source("/srv/work/in/a.txt", "/srv/work/in", cwd) == "in/a.txt"
    assert shown_source("/data/notices/sub/a.txt", "/data/notices/", cwd) == os.path.join("notices", "sub", "a.txt")
    assert shown_source("/data/x.txt", "/data/x.txt", cwd) == "x.txt"
    assert shown_source("in/a.txt", "in", cwd) == "in/a.txt"
    assert shown_source("https://example.jp/a.html", "https://example.jp/a.html", cwd) == "https://example.jp/a.html"


NOTICE = ("株式会社架空物産\n2024年3月1日\n個人情報漏えいのお詫び\n"
          "当社において、お客様120名の氏名及び住所が記載された書類を紛失いたしました。\n")


def test_caps_bound_the_work_and_are_reported() -> None:
    big = document_from_text(NOTICE + ("経過のご報告を続けます。\n" * 400), source="big.txt")
    got = extract_report(big, Limits(max_document_chars=1000, max_segment_chars=100_000, max_segments=10))
    assert got.capped and "big.txt" in got.capped[0] and "1,000" in got.capped[0]
    assert got.records and all(r.segment_end <= 1000 for r in got.records)
    whole = extract_report(big, Limits(max_document_chars=10_000_000, max_segment_chars=300))
    assert whole.capped and "300" in whole.capped[0]
    assert all(r.segment_end - r.segment_start <= 300 for r in whole.records)
    assert extract_report(document_from_text(NOTICE, "n.txt")).capped == []


def test_caps_come_from_read_toml() -> None:
    from jikenbo.config import settings

    lim = Limits.from_settings()
    raw = settings("read")
    assert (lim.max_document_chars, lim.max_segments, lim.max_segment_chars) == (
        raw["max_document_chars"], raw["max_segments"], raw["max_segment_chars"])
    assert "{source}" in raw["document_cap_message"]
