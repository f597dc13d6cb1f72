"""`jikenbo extract` as a user runs it: formats, stdin, bad inputs, exit codes, no tracebacks."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from jikenbo.cli import cli

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "src" / "jikenbo" / "samples"
NOTICE = ("2024年7月12日\n株式会社こだま電子\n\n不正アクセスに関するお知らせ\n\n"
          "当社の会員サイトが不正アクセスを受け、会員1,200名の氏名とメールアドレスが漏えいした可能性があります。\n")


def run(*args: str, input: str | bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_jsonl_is_scorable(tmp_path):
    p = tmp_path / "n.txt"
    p.write_text(NOTICE, encoding="utf-8")
    res = run("extract", str(p), "--format", "jsonl")
    assert res.exit_code == 0
    rec = json.loads(res.stdout.splitlines()[0])
    assert rec["source"] == str(p)
    assert rec["organization"] == "株式会社こだま電子"
    assert rec["affected_total"] == 1200
    for key in ("disclosure_date", "detected_date", "incident_types", "leak_status", "data_categories",
                "sensitive", "payment_card", "reported_to", "evidence", "timeline", "counts", "third_parties"):
        assert key in rec


def test_stdin_and_table():
    res = run("extract", "-", "--format", "table", input=NOTICE.encode("utf-8"))
    assert res.exit_code == 0
    assert "こだま電子" in res.stdout


def test_csv_and_json(tmp_path):
    p = tmp_path / "n.txt"
    p.write_text(NOTICE, encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(run("extract", str(p), "--format", "csv").stdout)))
    assert rows[0]["organization"] == "株式会社こだま電子"
    data = json.loads(run("extract", str(p), "--format", "json", "--no-evidence").stdout)
    assert data[0]["incident_types"] == ["unauthorized_access"] and "evidence" not in data[0]


def test_folder_of_every_format():
    res = run("extract", str(SAMPLES), "--format", "jsonl")
    assert res.exit_code == 0
    recs = [json.loads(line) for line in res.stdout.splitlines()]
    sources = {Path(r["source"]).suffix for r in recs}
    assert {".txt", ".html", ".pdf"} <= sources
    assert len(recs) >= 15


def test_bad_inputs_are_one_line_each_and_others_still_come_out(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(NOTICE, encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    junk = tmp_path / "junk.txt"
    junk.write_bytes(bytes(range(256)) * 40)
    missing = tmp_path / "missing.txt"
    proc = subprocess.run(
        [sys.executable, "-m", "jikenbo", "extract", str(empty), str(junk), str(missing), str(good)],
        capture_output=True, text=True, timeout=120,
    )
    assert proc.returncode == 1
    assert "こだま電子" in proc.stdout
    errors = proc.stderr.strip().splitlines()
    assert len(errors) == 3, proc.stderr
    for path, line in zip((empty, junk, missing), errors, strict=True):
        assert str(path) in line
    assert "Traceback" not in proc.stderr


def test_big_file_is_refused_quickly(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as fh:
        fh.seek(50 * 1024 * 1024)
        fh.write(b"x")
    res = run("extract", str(big))
    assert res.exit_code == 1
    assert str(big) in res.stderr


def test_version_and_help_for_every_command():
    assert run("--version").stdout.startswith("jikenbo, version")
    for name, command in cli.commands.items():
        res = run(name, "--help")
        assert res.exit_code == 0, name
        assert (command.help or "").strip(), f"{name} has no help text"


@pytest.mark.parametrize("args", [["extract"], ["extract", "--format", "xml", "x"]])
def test_usage_errors_have_no_traceback(args):
    proc = subprocess.run([sys.executable, "-m", "jikenbo", *args], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and "Usage" in proc.stderr


def test_extract_names_the_notices_it_could_not_use(tmp_path):
    """Nothing is dropped in silence: a notice with no organisation and an input with no notice
    are counted and named on stderr, while the records still come out."""
    good = tmp_path / "good.txt"
    good.write_text("株式会社ひなげし商会\n不正アクセスによる個人情報流出のお知らせ\n"
                    "当社サーバーが不正アクセスを受け、お客様の氏名が流出したことが判明しました。\n", encoding="utf-8")
    nameless = tmp_path / "nameless.txt"
    nameless.write_text("個人情報の流出について\nサーバーが不正アクセスを受け、氏名が流出したことが判明しました。\n", encoding="utf-8")
    empty = tmp_path / "empty.txt"
    empty.write_text("本日の天気は晴れです。週末のイベントのお知らせ。\n", encoding="utf-8")
    res = run("extract", str(good), str(nameless), str(empty), "--verbose")
    assert res.exit_code == 0
    assert "ひなげし商会" in res.stdout
    assert "1 notice found no organisation" in res.stderr and "nameless.txt" in res.stderr
    assert "1 input held no incident notice" in res.stderr and "empty.txt" in res.stderr
