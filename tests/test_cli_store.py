"""The store's CLI commands, through CliRunner; results are read back through the Store API."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3

import click
import pytest
from click.testing import CliRunner

from jikenbo.cli import store_cmds
from jikenbo.store import SCHEMA_VERSION, Filters, open_store
from test_store_fixtures import fake_extractor, write_corpus  # noqa: F401


@click.group()
def cli() -> None:
    """Test group holding only the store commands."""


store_cmds.register(cli)


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def db(tmp_path, runner, fake_extractor):  # noqa: F811
    path = tmp_path / "s.db"
    corpus = write_corpus(tmp_path / "notices")
    res = runner.invoke(cli, ["ingest", str(corpus[0].parent), "--db", str(path), "--workers", "1"])
    assert res.exit_code == 0, res.output
    return path


def test_commands_have_help(runner):
    for name in ("ingest", "incidents", "search", "show", "stats", "export"):
        res = runner.invoke(cli, [name, "--help"])
        assert res.exit_code == 0 and "Usage" in res.output


def test_ingest_summary_and_idempotent(db, runner, tmp_path):
    with open_store(db) as s:
        c = s.counts()
    assert c["documents"] == 6 and c["notices"] == 6 and c["incidents"] == 5
    res = runner.invoke(cli, ["ingest", str(tmp_path / "notices"), "--db", str(db), "--workers", "1"])
    assert res.exit_code == 0
    assert "6 already stored" in res.output
    with open_store(db) as s:
        assert s.counts() == c


def test_ingest_reports_empty_documents_and_bad_inputs(tmp_path, runner, fake_extractor):  # noqa: F811
    corpus = write_corpus(tmp_path / "n")
    path = tmp_path / "x.db"
    res = runner.invoke(cli, ["ingest", str(corpus[-1]), str(tmp_path / "missing.txt"), str(corpus[0]),
                              "--db", str(path), "--workers", "1"])
    assert res.exit_code == 1
    assert "no incident notice" in res.output
    err_lines = [x for x in res.stderr.splitlines() if x.strip()]
    assert len(err_lines) == 1 and "missing.txt" in err_lines[0]
    with open_store(path) as s:
        assert s.count_incidents() == 1  # the good input after the bad one was stored


def test_incidents_jsonl_has_contract_fields(db, runner):
    res = runner.invoke(cli, ["incidents", "--db", str(db), "--format", "jsonl", "--limit", "0"])
    assert res.exit_code == 0
    items = [json.loads(line) for line in res.output.splitlines()]
    assert len(items) == 5
    for inc in items:
        for k in ("id", "organization", "disclosure_date", "detected_date", "incident_types", "leak_status",
                  "affected_total", "data_categories", "sensitive", "payment_card", "reported_to",
                  "notices", "third_parties"):
            assert k in inc
        assert {"source", "organization", "kind", "disclosure_date"} <= set(inc["notices"][0])


def test_incidents_filters(db, runner):
    res = runner.invoke(cli, ["incidents", "--db", str(db), "--format", "json", "--since", "2024-01",
                              "--type", "ransomware", "--min-affected", "1000"])
    assert res.exit_code == 0, res.output
    items = json.loads(res.output)
    assert [i["affected_total"] for i in items] == [1500]
    res = runner.invoke(cli, ["incidents", "--db", str(db), "--format", "csv", "--vendor", "エムケイシステム"])
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert [r["organization"] for r in rows] == ["株式会社サンプル商店"]
    res = runner.invoke(cli, ["incidents", "--db", str(db), "--sensitive", "--card"])
    assert res.exit_code == 0 and "0 of 0" in res.output


def test_incidents_table(db, runner):
    res = runner.invoke(cli, ["incidents", "--db", str(db)])
    assert res.exit_code == 0
    assert "みどり病院" in res.output and "5 of 5 incidents" in res.output


def test_bad_date_filter_is_one_line(db, runner):
    res = runner.invoke(cli, ["incidents", "--db", str(db), "--since", "May 2024"])
    assert res.exit_code == 1
    assert "expected YYYY, YYYY-MM or YYYY-MM-DD" in res.output


def test_search_table_and_json(db, runner):
    res = runner.invoke(cli, ["search", "ランサムウェア 病院", "--db", str(db), "--format", "table"])
    assert res.exit_code == 0 and "みどり病院" in res.output
    res = runner.invoke(cli, ["search", "紛失", "--db", str(db), "--format", "json"])
    hits = json.loads(res.output)
    assert hits[0]["organization"] == "テスト市立第一中学校" and "紛失" in hits[0]["snippet"]


def test_show(db, runner):
    with open_store(db) as s:
        iid = s.incidents(Filters(types=["ransomware"]))[0]["id"]
    res = runner.invoke(cli, ["show", iid, "--db", str(db)], env={"COLUMNS": "300"})  # no folding of snippets
    assert res.exit_code == 0, res.output
    assert "1200" in res.output and "1500" in res.output and "→" in res.output
    flat = re.sub(r"[\s│]", "", res.output)  # the table may wrap a long source path
    assert "affected:1500" in flat  # the source snippet
    res = runner.invoke(cli, ["show", iid, "--db", str(db), "--format", "json"])
    assert json.loads(res.output)["id"] == iid
    res = runner.invoke(cli, ["show", "inc_nope", "--db", str(db)])
    assert res.exit_code == 1 and "no such incident" in res.output


def test_stats(db, runner):
    res = runner.invoke(cli, ["stats", "--by", "month", "--by", "type", "--db", str(db), "--format", "json"])
    assert res.exit_code == 0
    st = json.loads(res.output)
    assert st["total"]["n"] == 5
    res = runner.invoke(cli, ["stats", "--by", "year", "--db", str(db)])
    assert res.exit_code == 0 and "unknown" in res.output and "TOTAL" in res.output
    res = runner.invoke(cli, ["stats", "--by", "year", "--db", str(db), "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert rows[-1]["n"] == "5"


def test_export_formats(db, runner, tmp_path):
    out = tmp_path / "inc.jsonl"
    res = runner.invoke(cli, ["export", "--format", "jsonl", "--out", str(out), "--db", str(db)])
    assert res.exit_code == 0, res.output
    assert len(out.read_text().splitlines()) == 5
    res = runner.invoke(cli, ["export", "--format", "csv", "--what", "notices", "--db", str(db)])
    assert res.exit_code == 0 and len(list(csv.DictReader(io.StringIO(res.output)))) == 6
    vdir = tmp_path / "veris"
    res = runner.invoke(cli, ["export", "--format", "veris", "--out", str(vdir), "--db", str(db)])
    assert res.exit_code == 0, res.output
    files = sorted(vdir.glob("*.json"))
    assert len(files) == 5
    assert json.loads(files[0].read_text())["schema_version"] == "1.4.1"


def test_not_a_store(tmp_path, runner):
    p = tmp_path / "junk.db"
    p.write_text("hello\n" * 500)
    res = runner.invoke(cli, ["incidents", "--db", str(p)])
    assert res.exit_code == 1
    assert "not a jikenbo store" in res.output
    assert p.read_text() == "hello\n" * 500


def test_newer_store(tmp_path, runner):
    p = tmp_path / "n.db"
    open_store(p).close()
    conn = sqlite3.connect(p)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 5}")
    conn.commit()
    conn.close()
    res = runner.invoke(cli, ["ingest", "x.txt", "--db", str(p)])
    assert res.exit_code == 1 and "newer than this jikenbo" in res.output


def test_db_from_environment(tmp_path, runner, fake_extractor):  # noqa: F811
    corpus = write_corpus(tmp_path / "n")
    p = tmp_path / "env.db"
    res = runner.invoke(cli, ["ingest", str(corpus[2]), "--workers", "1"], env={"JIKENBO_DB": str(p)})
    assert res.exit_code == 0, res.output
    with open_store(p) as s:
        assert s.count_incidents() == 1
