"""judge: reportability, items, deadlines, damage and taxonomy over Records built by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jikenbo.judge import JudgeError, JudgeOptions, check_incident, check_record
from jikenbo.judge.appi import is_public_body
from jikenbo.judge.damage import estimate, identifiability, sensitivity
from jikenbo.models import Count, Event, Evidence, Record, Span
from test_judge_helpers import answers, fixture

SHARED = Path(__file__).resolve().parents[2] / "shared"

# ------------------------------------------------------------------ JO model by hand


def test_sensitivity_formula():
    assert sensitivity(1, 1) == 2
    assert sensitivity(1, 3) == 26
    assert sensitivity(2, 1) == 11
    assert sensitivity(3, 1) == 101
    assert sensitivity(3, 3) == 125


def test_identifiability():
    assert identifiability({"name", "address"}) == 6
    assert identifiability({"name"}) == 3
    assert identifiability({"address", "phone"}) == 3
    assert identifiability({"email", "phone"}) == 1


def test_name_address_card_is_78000_per_person():
    d = estimate(["name", "address", "credit_card"], 10)
    assert (d["x"], d["y"], d["sensitivity"], d["identifiability"]) == (1, 3, 26, 6)
    assert d["per_person"] == 78_000
    assert d["total"] == 780_000


def test_social_responsibility_and_response_multiply():
    d = estimate(["name", "address", "credit_card"], 10, social_responsibility=2, response=2)
    assert d["per_person"] == 78_000 * 4
    assert d["social_responsibility"] == 2 and d["response"] == 2


def test_unknown_count_gives_null_total_never_zero():
    d = estimate(["email"], None)
    assert d["per_person"] == 500 * 2 * 1
    assert d["total"] is None


def test_health_upgrades_to_level_3_on_karte():
    assert estimate(["name", "health"], 1)["x"] == 2
    d = estimate(["name", "health"], 1, health_texts=["カルテの写し"])
    assert (d["x"], d["y"], d["per_person"]) == (3, 1, 101 * 3 * 500)


def test_system_failure_is_not_a_disability():
    assert estimate(["health"], 1, health_texts=["システム障害が発生"])["x"] == 2


def test_payment_card_flag_counts_without_category():
    assert estimate(["name"], 1, payment_card=True)["y"] == 3


def test_options_are_validated():
    with pytest.raises(JudgeError):
        JudgeOptions(social_responsibility=3)


# ------------------------------------------------------------------ public bodies


@pytest.mark.parametrize("name,public", [
    # 法58条 bodies follow the business rule (法26条), not the 100-person rule of 行政機関等
    ("みなと川市", True), ("国立大学法人はるかぜ大学", False), ("地方独立行政法人さくら病院機構", False),
    ("地方独立行政法人みなと博物館機構", True), ("独立行政法人さくら振興機構", True),
    ("北浜県教育委員会", True), ("公立はるかぜ病院", False), ("東京都", True), ("北浜地方裁判所", False),
    ("株式会社みなと町", False), ("株式会社PR TIMES", False), ("医療法人社団こもれび会", False), (None, False),
])
def test_public_body(name, public):
    assert is_public_body(name) is public


def test_public_body_by_industry():
    assert is_public_body("さくら地区衛生組合", "公務(他に分類されるものを除く)") is True
    assert is_public_body("株式会社さくら", "公務(他に分類されるものを除く)") is False


# ------------------------------------------------------------------ synthetic notices


@pytest.mark.parametrize("name", sorted(answers()))
def test_synthetic_notice(name):
    record, text, exp = fixture(name)
    out = check_record(record, document_text=text)
    assert out["reportable"] is exp["reportable"], out["reason"]
    assert sorted(t["code"] for t in out["triggers"]) == exp["triggers"]
    assert out["public_body"] is exp["public_body"]
    if "threshold" in exp:
        assert out["threshold"] == exp["threshold"]
    for item in exp["present"]:
        assert out["report_items"][item]["status"] == "present", item
    for item in exp["missing"]:
        assert out["report_items"][item]["status"] == "missing", item
    dmg = out["damage"]
    for k in ("x", "y", "identifiability", "per_person", "total"):
        if k in exp:
            assert dmg[k] == exp[k], k
    dl = out["deadlines"]
    if "sokuho_to" in exp:
        assert dl["sokuho"]["to"] == exp["sokuho_to"]
    if "sokuho_met" in exp:
        assert dl["sokuho"]["met"] is exp["sokuho_met"]
    if "kakuho_due" in exp:
        assert dl["kakuho"]["due"] == exp["kakuho_due"]
    if "kakuho_met" in exp:
        assert dl["kakuho"]["met"] is exp["kakuho_met"]
    if "lag_days" in exp:
        assert dl["disclosure_lag_days"] == exp["lag_days"]
    if "detected" in exp:
        assert dl["detected"] == exp["detected"]
    if "encryption_stated" in exp:
        assert out["encryption"]["stated"] is exp["encryption_stated"]
    for key in ("jnsa", "tsr"):
        if key in exp:
            assert sorted(out["taxonomy"][key]) == sorted(exp[key])
    # evidence spans index the text
    for trig in out["triggers"]:
        for e in trig["evidence"]:
            if "start" in e:
                assert text[e["start"]:e["end"]] == e["text"]
    for item in out["report_items"].values():
        for e in item["evidence"]:
            if "start" in e:
                assert text[e["start"]:e["end"]] == e["text"]
    json.dumps(out, ensure_ascii=False)  # JSON-able


def test_fixtures_cover_the_required_cases():
    a = answers()
    assert len(a) >= 10
    exp = {n: s["expect"] for n, s in a.items()}
    assert any(e["public_body"] and s["record"]["affected_total"] == 150 for e, s in zip(exp.values(), a.values(),
                                                                                       strict=True))
    assert any("financial" in e["triggers"] for e in exp.values())
    assert any("sensitive" in e["triggers"] for e in exp.values())
    assert any("ransomware" in s["record"]["incident_types"] for s in a.values())
    assert exp["misdelivery_three.txt"]["reportable"] is False
    assert {"cause", "people", "prevention"} <= set(exp["no_cause_no_count.txt"]["missing"])


def test_notice_items_are_items_1_2_4_5_9():
    record, text, _ = fixture("card_shop.txt")
    out = check_record(record, document_text=text)
    assert [v["number"] for v in out["notice_items"].values()] == [1, 2, 4, 5, 9]
    assert len(out["report_items"]) == 9


def test_cause_under_investigation_is_missing():
    text = "概要\n不正アクセスがありました。\n\n原因\n原因は現在調査中です。\n"
    rec = Record(source="t", organization="株式会社テスト", incident_types=["unauthorized_access"],
                 data_categories=["email"], leak_status="possible", segment_end=len(text))
    out = check_record(rec, document_text=text)
    assert out["report_items"]["cause"]["status"] == "missing"
    assert out["report_items"]["cause"].get("notes")


def test_without_text_only_record_fields_count():
    record, _text, _ = fixture("card_shop.txt")
    out = check_record(record)
    assert out["reportable"] is True
    assert out["report_items"]["cause"]["status"] == "present"
    assert out["report_items"]["response_to_individuals"]["status"] == "missing"
    assert out["encryption"]["stated"] is None


def test_ransomware_encryption_is_not_protection():
    record, text, _ = fixture("ransomware_unknown_count.txt")
    assert check_record(record, document_text=text)["encryption"]["stated"] is False


def test_negated_card_cue_is_not_evidence():
    text = "不正アクセスにより氏名が流出しました。クレジットカード番号は含まれておりません。"
    rec = Record(source="t", organization="株式会社テスト", incident_types=["unauthorized_access"],
                 data_categories=["name"], leak_status="confirmed", affected_total=5, segment_end=len(text))
    out = check_record(rec, document_text=text)
    assert [t["code"] for t in out["triggers"]] == ["malicious"]


def test_login_and_password_get_a_note():
    rec = Record(source="t", incident_types=["misconfiguration"], data_categories=["login_id", "password"],
                 affected_total=10, leak_status="possible")
    out = check_record(rec)
    assert out["reportable"] is False
    assert any("2号" in n for n in out["notes"])


def test_public_body_override():
    rec = Record(source="t", organization="株式会社テスト", incident_types=["misdelivery"],
                 data_categories=["name"], affected_total=150, leak_status="confirmed")
    assert check_record(rec)["reportable"] is False
    assert check_record(rec, options=JudgeOptions(public_body=True))["reportable"] is True


def test_month_precision_detection_gives_no_met_answer():
    rec = Record(source="t", incident_types=["unauthorized_access"], data_categories=["name"],
                 timeline=[Event(kind="detected", date="2025-03-01", precision="month", start=0, end=1, text="x"),
                           Event(kind="reported_ppc", date="2025-03-20", start=0, end=1, text="x")])
    dl = check_record(rec)["deadlines"]
    assert dl["detected"] == "2025-03-01" and dl["detected_precision"] == "month"
    assert dl["sokuho"]["met"] is None


# ------------------------------------------------------------------ the samples (gold facts)

def _sample(org, **kw) -> Record:
    return Record(source="sample", organization=org, **kw)


def test_shimonita_hospital_reportable_for_sensitive_data():
    rec = _sample("下仁田厚生病院", disclosure_date="2023-09-29", incident_types=["loss"], leak_status="possible",
                  affected_total=2013, data_categories=["name", "gender", "birthdate", "health", "government_id"],
                  sensitive=True, reported_to=["ppc"])
    out = check_record(rec)
    assert out["reportable"] is True
    assert "sensitive" in {t["code"] for t in out["triggers"]}
    assert "financial" not in {t["code"] for t in out["triggers"]}
    assert out["told_ppc"] is True


def test_pr_times_reportable_for_malice_and_over_1000():
    rec = _sample("株式会社PR TIMES", disclosure_date="2025-05-07", detected_date="2025-04-25",
                  incident_types=["unauthorized_access"], leak_status="possible", affected_total=901603,
                  data_categories=["email", "name", "customer_id", "affiliation", "phone", "fax", "password",
                                   "address", "url_sns"], reported_to=["police", "ppc", "jipdec"])
    out = check_record(rec)
    codes = {t["code"] for t in out["triggers"]}
    assert out["reportable"] is True
    assert {"malicious", "over_threshold"} <= codes and "sensitive" not in codes and "financial" not in codes
    dl = out["deadlines"]
    assert dl["kakuho"]["days"] == 60 and dl["kakuho"]["due"] == "2025-06-24"
    assert dl["sokuho"]["from"] == "2025-04-28" and dl["sokuho"]["to"] == "2025-04-30"
    assert dl["disclosure_lag_days"] == 12
    assert out["damage"]["per_person"] == 500 * 6 * 6  # x=1,y=2 (password) → 1+5; name+address → 6
    assert out["damage"]["total"] == 18_000 * 901603


def test_joyful_honda_reportable_also_for_card_data():
    rec = _sample("株式会社ジョイフル本田", disclosure_date="2024-05-16", detected_date="2024-01-18",
                  incident_types=["unauthorized_access"], leak_status="possible", affected_total=20132,
                  data_categories=["name", "address", "phone", "email", "purchase_history", "fax", "affiliation",
                                   "gender", "birthdate", "credit_card", "login_id", "password"],
                  payment_card=True, reported_to=["ppc", "police"])
    out = check_record(rec)
    assert {t["code"] for t in out["triggers"]} == {"financial", "malicious", "over_threshold"}
    assert out["damage"]["per_person"] == 78_000
    assert out["deadlines"]["disclosures"][0]["before_kakuho"] is False


def test_arclight_has_no_personal_data_at_risk():
    rec = _sample("株式会社アークライト", disclosure_date="2024-05-16", incident_types=["unauthorized_access"],
                  leak_status="none")
    out = check_record(rec)
    assert out["reportable"] is False
    assert out["triggers"] == []
    assert out["personal_data_at_risk"] is False
    assert out["damage"]["total"] is None


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "eval" / "dev").is_dir(), reason="../shared is absent")
def test_gold_fact_sheets():
    want = {"下仁田厚生病院": {"sensitive"}, "株式会社PR TIMES": {"malicious", "over_threshold"},
            "株式会社ジョイフル本田": {"financial", "malicious", "over_threshold"}, "株式会社アークライト": set()}
    seen = {}
    for path in sorted((SHARED / "eval" / "dev").glob("*.json")):
        gold = json.loads(path.read_text(encoding="utf-8"))
        for inc in gold["incidents"]:
            if inc["organization"] in want:
                rec = Record(source=gold["source"], **{k: v for k, v in inc.items() if k != "aliases"})
                seen[inc["organization"]] = check_record(rec)
    assert set(seen) == set(want)
    for org, codes in want.items():
        assert codes <= {t["code"] for t in seen[org]["triggers"]}, org
        assert seen[org]["reportable"] is bool(codes), org


# ------------------------------------------------------------------ incidents


def _notice(source, sha, text, **kw):
    return Record(source=source, doc_sha256=sha, segment_end=len(text), **kw)


def test_check_incident_merges_notices_and_dates_public_notices():
    t1 = "1. 概要\n2025年3月1日に不正アクセスを確認しました。\n氏名とメールアドレスが流出した可能性があります。\n"
    t2 = "原因\nサーバーの脆弱性を突かれたものです。\n再発防止策\n監視を強化します。\n3,000名分の情報が対象でした。\n"
    r1 = _notice("a.txt", "sha-a", t1, organization="株式会社テスト", disclosure_date="2025-03-04",
                 detected_date="2025-03-01", incident_types=["unauthorized_access"], data_categories=["name", "email"],
                 leak_status="possible")
    i = t2.index("3,000名分")
    r2 = _notice("b.txt", "sha-b", t2, organization="株式会社テスト", disclosure_date="2025-04-15",
                 incident_types=["unauthorized_access"], data_categories=["name", "email"], affected_total=3000,
                 leak_status="confirmed", notice_kind="follow_up",
                 counts=[Count(value=3000, unit="名", is_total=True, start=i, end=i + 7, text=t2[i:i + 7])],
                 evidence=[Evidence(field="affected_total", value=3000, start=i, end=i + 7, text=t2[i:i + 7])],
                 cause=Span(start=3, end=20, text=t2[3:20]))
    incident = {
        "id": "inc_000000000001", "organization": "株式会社テスト", "detected_date": "2025-03-01",
        "incident_types": ["unauthorized_access"], "leak_status": "confirmed", "affected_total": 3000,
        "data_categories": ["name", "email"], "sensitive": False, "payment_card": False, "reported_to": [],
        "notices": [{"id": "n1", "source": "a.txt", "kind": "first_report", "disclosure_date": "2025-03-04",
                     "doc_sha256": "sha-a"},
                    {"id": "n2", "source": "b.txt", "kind": "follow_up", "disclosure_date": "2025-04-15",
                     "doc_sha256": "sha-b"}],
        "timeline": [{"kind": "detected", "date": "2025-03-01", "start": 8, "end": 17, "text": t1[8:17],
                      "notice_id": "n1"}],
    }
    out = check_incident(incident, [r1, r2], document_texts={"sha-a": t1, "sha-b": t2})
    assert out["kind"] == "incident" and out["id"] == "inc_000000000001"
    assert out["reportable"] is True
    assert {t["code"] for t in out["triggers"]} == {"malicious", "over_threshold"}
    over = next(t for t in out["triggers"] if t["code"] == "over_threshold")
    assert any(e.get("source") == "b.txt" for e in over["evidence"])
    assert out["report_items"]["cause"]["status"] == "present"
    assert out["report_items"]["prevention"]["status"] == "present"
    notices = out["deadlines"]["disclosures"]
    assert [n["before_kakuho"] for n in notices] == [True, True]  # 60 days: due 2025-04-30
    assert [n["before_sokuho"] for n in notices] == [True, False]
    assert [n["lag_days"] for n in notices] == [3, 45]
    assert out["damage"]["total"] == 3000 * 500 * 2 * 3
    assert len(out["notices"]) == 2
    assert "people" in out["notices"][0]["missing_report_items"]
    json.dumps(out, ensure_ascii=False)


def test_check_incident_without_store_fields_falls_back_to_records():
    r = Record(source="a", organization="株式会社テスト", incident_types=["misdelivery"], data_categories=["name"],
               affected_total=2, leak_status="confirmed")
    out = check_incident({"id": "inc_x"}, [r])
    assert out["reportable"] is False and out["organization"] == "株式会社テスト"


def test_check_incident_takes_the_body_from_a_notice_text():
    text = "記録の紛失について\n2025年7月17日\nしらさぎ地方裁判所\n\n当庁で保管していた記録12名分が所在不明です。\n"
    r = Record(source="a.txt", doc_sha256="sha-a", organization="当庁", incident_types=["loss"],
               data_categories=["name"], affected_total=1200, leak_status="possible", segment_end=len(text))
    out = check_incident({"id": "inc_court", "organization": "当庁"}, [r], document_texts={"sha-a": text})
    assert out["body"]["kind"] == "court" and out["rule"] == "none"
    assert out["reportable"] is False and out["triggers"] == []
