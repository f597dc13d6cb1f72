"""``jikenbo check``: files through the pipeline, stored incidents, and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from jikenbo.models import Record

FIX = Path(__file__).parent / "fixtures" / "judge"


def run(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    code = "import sys; from jikenbo.cli import main; sys.argv = ['jikenbo', *sys.argv[1:]]; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)


def _one_line_error(p: subprocess.CompletedProcess) -> str:
    assert p.returncode != 0
    assert "Traceback" not in p.stderr
    lines = [x for x in p.stderr.splitlines() if x.strip()]
    assert len(lines) == 1, p.stderr
    return lines[0]


def test_missing_file_is_one_line(tmp_path):
    missing = tmp_path / "nope.txt"
    line = _one_line_error(run("check", str(missing)))
    assert "nope.txt" in line


def test_store_that_is_not_there(tmp_path):
    db = tmp_path / "absent.db"
    line = _one_line_error(run("check", "--db", str(db), "--incident", "inc_000000000000"))
    assert "absent.db" in line
    assert not db.exists()  # checking never creates a store


def test_unknown_incident_id(tmp_path):
    from jikenbo.store import open_store

    db = tmp_path / "empty.db"
    open_store(db).close()
    line = _one_line_error(run("check", "--db", str(db), "--incident", "inc_doesnotexist"))
    assert "inc_doesnotexist" in line


def test_bad_option_value_exits_non_zero():
    p = run("check", "--response", "3", str(FIX / "card_shop.txt"))
    assert p.returncode != 0 and "Traceback" not in p.stderr


def test_json_for_a_file_end_to_end():
    p = run("check", str(FIX / "card_shop.txt"), "--format", "json")
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert isinstance(out, list) and len(out) == 1
    res = out[0]
    for key in ("organization", "reportable", "triggers", "report_items", "notice_items", "deadlines",
                "damage", "taxonomy"):
        assert key in res
    assert res["reportable"] is True
    assert "financial" in {t["code"] for t in res["triggers"]}
    text = (FIX / "card_shop.txt").read_text(encoding="utf-8")
    for t in res["triggers"]:
        for e in t["evidence"]:
            if "start" in e:
                assert text[e["start"]:e["end"]] == e["text"]


def test_one_bad_input_does_not_stop_the_batch(tmp_path):
    p = run("check", str(tmp_path / "missing.txt"), str(FIX / "misdelivery_three.txt"), "--format", "json")
    assert p.returncode == 1
    assert len(json.loads(p.stdout)) == 1
    assert "missing.txt" in p.stderr and "Traceback" not in p.stderr


def test_table_uses_japanese_item_names():
    p = run("check", str(FIX / "clinic_usb.txt"), "--format", "table")
    assert p.returncode == 0, p.stderr
    for word in ("個人情報保護委員会", "概要", "再発防止", "本人特定容易度"):
        assert word in p.stdout


def test_stored_incident_with_a_real_store(tmp_path):
    from jikenbo.store import open_store

    db = tmp_path / "t.db"
    store = open_store(db)
    store.ingest([str(FIX / "insider_bank.txt")], workers=1, progress=False)
    ids = [i["id"] for i in store.incidents()]
    store.close()
    assert ids
    p = run("check", "--db", str(db), "--incident", ids[0], "--format", "json", "--social-responsibility", "2")
    assert p.returncode == 0, p.stderr
    res = json.loads(p.stdout)[0]
    assert res["kind"] == "incident" and res["id"] == ids[0]
    assert res["damage"]["social_responsibility"] == 2
    assert res["deadlines"]["disclosures"] and "notice_id" in res["deadlines"]["disclosures"][0]


class FakeStore:
    """The Store API as ARCHITECTURE.md gives it, for a judgement independent of extraction."""

    def __init__(self) -> None:
        self.closed = False

    def incident(self, incident_id: str) -> dict | None:
        if incident_id != "inc_fake00000001":
            return None
        return {"id": incident_id, "organization": "株式会社テスト", "detected_date": "2025-01-10",
                "incident_types": ["ransomware"], "leak_status": "possible", "affected_total": None,
                "data_categories": ["name"], "sensitive": False, "payment_card": False, "reported_to": [],
                "notices": [{"id": "n1", "source": "a.txt", "kind": "first_report",
                             "disclosure_date": "2025-04-01", "doc_sha256": "x"}],
                "timeline": []}

    def incident_records(self, incident_id: str) -> list[Record]:
        return [Record(source="a.txt", organization="株式会社テスト", incident_types=["ransomware"],
                       data_categories=["name"], leak_status="possible", doc_sha256="x")]

    def notice(self, notice_id: str) -> dict | None:
        return None

    def close(self) -> None:
        self.closed = True


def test_stored_incident_with_a_fake_store(tmp_path, monkeypatch):
    import jikenbo.store
    from jikenbo.cli import cli

    db = tmp_path / "fake.db"
    db.write_bytes(b"")
    fake = FakeStore()
    monkeypatch.setattr(jikenbo.store, "open_store", lambda path, readonly=False: fake)
    res = CliRunner().invoke(cli, ["check", "--db", str(db), "--incident", "inc_fake00000001", "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)[0]
    assert out["reportable"] is True
    assert out["deadlines"]["kakuho"]["due"] == "2025-03-11"  # 60 days: 不正の目的
    assert out["deadlines"]["disclosures"][0]["before_kakuho"] is False
    assert out["deadlines"]["disclosures"][0]["lag_days"] == 81
    assert out["damage"]["total"] is None
    assert fake.closed


@pytest.mark.parametrize("args", [[], ["--format", "json"]])
def test_nothing_to_check_is_a_usage_error(args):
    p = run("check", *args)
    assert p.returncode != 0 and "Traceback" not in p.stderr


GATE = Path(__file__).parent / "judge_gate"


def test_table_names_the_rule_and_why_the_body_follows_it():
    from jikenbo.cli import cli

    runner = CliRunner(env={"COLUMNS": "220"})
    files = [str(GATE / f) for f in ("22_nho_staff_email.txt", "29_town_before_2023.txt")]
    out = " ".join(runner.invoke(cli, ["check", *files]).output.split())
    assert "適用: 法26条 (規則7条, 本人の数 1,000 人超)" in out and "別表第二" in out
    assert "適用: 法68条 (規則43条, 本人の数 100 人超)" in out and "2023-04-01 施行前の事案" in out
    assert "現行法なら: 要報告" in out
    court = " ".join(runner.invoke(cli, ["check", files[0], "--body", "court"]).output.split())
    assert "適用: 報告義務なし (裁判所)" in court and "no duty to report" in court


def test_json_carries_the_body_rule_and_duty():
    p = run("check", str(GATE / "25_incorporated_admin.txt"), "--format", "json")
    res = json.loads(p.stdout)[0]
    assert res["rule"] == "法68条" and res["threshold"] == 100 and res["public_body"] is True
    assert res["body"]["kind"] == "incorporated_admin" and "別表第二" in res["body"]["why"]
    assert res["duty"]["state"] == "in_force"
    assert [t["article"] for t in res["triggers"]] == ["規則43条4号"]


def test_body_option():
    p = run("check", str(GATE / "06_cc_bcc_small.txt"), "--format", "json", "--body", "national")
    assert json.loads(p.stdout)[0]["reportable"] is False  # 58 people: not more than 100 either
    p = run("check", str(GATE / "06_cc_bcc_small.txt"), "--body", "nonsense")
    assert p.returncode != 0 and "Traceback" not in p.stderr
