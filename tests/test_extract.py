"""Extraction rules on short notices of our own writing (fictional organisations)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jikenbo import extract_text
from jikenbo.models import ReadError
from jikenbo.pipeline import extract_inputs

ROOT = Path(__file__).resolve().parents[1]


def one(text: str):
    recs = extract_text(text, source="t.txt")
    assert len(recs) == 1, [r.organization for r in recs]
    return recs[0]


LETTERHEAD = """2024年7月12日
株式会社こだま電子

不正アクセスによる個人情報漏えいのおそれに関するお知らせ

このたび、当社の会員サイトが第三者による不正アクセスを受けました。7月3日に外部からの指摘を受けて判明し、
同日中にサーバーを停止いたしました。6月28日より攻撃が行われていたことが分かっております。
会員最大1万2,300名の氏名、住所、電話番号、メールアドレスが漏えいした可能性があります。
なお、クレジットカード情報は保持しておらず、漏えいの対象ではありません。
個人情報保護委員会へ報告し、警察に相談しております。
"""


def test_letterhead_notice_fields():
    r = one(LETTERHEAD)
    assert r.organization == "株式会社こだま電子"
    assert r.disclosure_date == "2024-07-12"
    assert r.detected_date == "2024-07-03"  # not the attack start (6月28日より)
    assert r.incident_types == ["unauthorized_access"]
    assert r.leak_status == "possible"
    assert r.affected_total == 12300
    assert set(r.data_categories) == {"name", "address", "phone", "email"}
    assert not r.payment_card  # card data is named only as NOT held
    assert set(r.reported_to) == {"ppc", "police"}


def test_every_evidence_span_points_at_its_text():
    r = one(LETTERHEAD)
    assert r.evidence
    for ev in r.evidence:
        assert LETTERHEAD[ev.start:ev.end] == ev.text
    fields = {e.field for e in r.evidence}
    assert {"organization", "detected_date", "affected_total", "leak_status", "data_categories"} <= fields
    detected = [e for e in r.timeline if e.kind == "detected"]
    assert detected and LETTERHEAD[detected[0].start:detected[0].end] == "7月3日"


def test_fullwidth_and_wareki():
    text = ("令和６年１月９日\n学校法人あおば学園\n\n生徒情報を含むＵＳＢメモリの紛失について\n\n"
            "令和５年１２月２８日、本校教員が生徒１，２０４名の氏名と成績が保存されたＵＳＢメモリを紛失したことが判明しました。"
            "現在も発見に至っておりません。")
    r = one(text)
    assert r.disclosure_date == "2024-01-09"
    assert r.detected_date == "2023-12-28"
    assert r.incident_types == ["loss"]
    assert r.leak_status == "possible"
    assert r.affected_total == 1204


def test_year_less_date_rolls_back_over_new_year():
    text = ("2024年1月10日\n株式会社ゆきぐに運送\n\nメール誤送信に関するお詫び\n\n"
            "12月27日、お客様35名にお送りしたメールで宛先をBCCではなくTOに入力し、メールアドレスが他のお客様に表示される状態で送信いたしました。")
    r = one(text)
    assert r.detected_date is None or r.detected_date.startswith("2023-12")
    assert "misdelivery" in r.incident_types
    assert r.leak_status == "confirmed"
    assert r.data_categories == ["email"]


def test_advice_does_not_add_types_or_authorities():
    text = ("2024年5月1日\n株式会社はまなす食品\n\n当社を装った迷惑メールについて\n\n"
            "当社社員を装った迷惑メールが送信されていることを4月30日に確認いたしました。当社から情報が流出した事実はございません。"
            "不審なメールはウイルス感染や不正アクセスのおそれがありますので、開封せず削除してください。"
            "被害に遭われた場合は警察にご相談ください。")
    r = one(text)
    assert r.incident_types == ["impersonation"]
    assert r.reported_to == []
    assert r.leak_status == "none"


def test_investigation_that_found_nothing():
    text = ("2024年3月8日\n株式会社やまびこ精工\n\nランサムウェア被害に関する調査結果のご報告\n\n"
            "当社は2024年2月1日付で公表いたしました件について、外部専門機関によるフォレンジック調査を完了しました。"
            "調査の結果、個人情報が外部に転送された痕跡は確認されませんでした。")
    r = one(text)
    assert r.leak_status == "not_confirmed"
    assert "ransomware" in r.incident_types
    assert r.notice_kind == "follow_up"
    assert "2024-02-01" in r.references


DIGEST = """今週の事故まとめ

■2024年6月3日 株式会社あさぎり物流：配送伝票の誤送付について
株式会社あさぎり物流は、配送伝票42件を別の荷主に誤送付したと発表した。伝票には氏名、住所、電話番号が記載されていた。

■2024年6月4日 北見野市：住民情報の紛失について
北見野市は、住民58名の氏名と住所が記載された名簿を紛失したと発表した。現時点で発見されていない。

■2024年6月5日 ○○株式会社：××に関するお詫び（例文）
○○株式会社は、**月**日に●●件の個人情報が流出したことを確認しました。
"""


def test_digest_entries_and_template_dropped():
    recs = extract_text(DIGEST, source="d.txt")
    assert [r.organization for r in recs] == ["株式会社あさぎり物流", "北見野市"]
    assert [r.disclosure_date for r in recs] == ["2024-06-03", "2024-06-04"]
    assert recs[0].incident_types == ["misdelivery"] and recs[0].affected_total == 42
    assert recs[1].incident_types == ["loss"] and recs[1].leak_status == "possible"
    for r in recs:  # evidence of an entry stays inside that entry
        assert all(r.segment_start <= e.start <= e.end <= r.segment_end for e in r.evidence)


def test_table_digest_rows():
    text = ("| 公表日 | 組織名 | 概要 |\n|---|---|---|\n"
            "| 2024/6/3 | 株式会社つるぎ工業 | 社内サーバーへの不正アクセス |\n"
            "| 2024/6/4 | みずなら町 | 通知書の誤送付（3名） |\n")
    recs = extract_text(text, source="table.md")
    assert [r.organization for r in recs] == ["株式会社つるぎ工業", "みずなら町"]
    assert [r.incident_types for r in recs] == [["unauthorized_access"], ["misdelivery"]]


def test_not_a_notice():
    howto = ("情報漏えいを防ぐための5つのポイント\n\n情報漏えいを防ぐには、まずパスワードの管理が重要です。"
             "次に、メール誤送信を防ぐためのチェックリストを作りましょう。防ぐための手順をまとめました。")
    assert extract_text(howto) == []


def test_vendor_is_a_third_party_not_the_organisation():
    text = ("2025年2月10日\n医療法人さつき会 みなみ台クリニック\n\n委託先への不正アクセスについて\n\n"
            "当院が給与計算を委託している株式会社ミナトクラウドのサーバーがランサムウェアによる不正アクセスを受け、"
            "当院職員42名の氏名と給与振込口座が漏えいした可能性があることが判明しました。")
    r = one(text)
    assert "みなみ台クリニック" in r.organization or "さつき会" in r.organization
    assert [t.name for t in r.third_parties] == ["株式会社ミナトクラウド"]
    assert set(r.data_categories) == {"name", "bank_account"}


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400))
def test_extraction_never_raises(text):
    for r in extract_text(text):
        for ev in r.evidence:
            assert 0 <= ev.start <= ev.end <= len(text.replace("\r\n", "\n").replace("\r", "\n"))


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from([
    "【事件簿#1】", "株式会社", "不正アクセス", "2024年", "5月7日", "最大", "90万1603件", "漏えい", "可能性", "。", "\n",
    "個人情報保護委員会", "に報告", "氏名", "、", "■", "| ", "令和元年", "~", "(株)", "○○", "紛失", "確認されませんでした",
]), max_size=60))
def test_extraction_never_raises_on_notice_like_text(parts):
    extract_text("".join(parts))


@pytest.mark.parametrize("path", sorted((ROOT / "tests" / "corpus").glob("c*.*")), ids=lambda p: p.name)
def test_corpus_evidence_spans(path):
    from jikenbo.read import read_inputs

    doc = next(read_inputs([str(path)]))
    assert not isinstance(doc, ReadError)
    for item in extract_inputs([str(path)]):
        assert not isinstance(item, ReadError)
        for ev in item.evidence:
            assert doc.text[ev.start:ev.end] == ev.text


def test_one_vendor_named_by_each_customer_in_every_format():
    """The bundled samples hold three customers of one cloud vendor: text, PDF and Shift_JIS."""
    samples = ROOT / "src" / "jikenbo" / "samples"
    files = sorted(str(p) for p in samples.glob("0[345]_*"))
    recs = [r for r in extract_inputs(files) if not isinstance(r, ReadError)]
    assert len(recs) == 3
    for r in recs:
        assert [t.name for t in r.third_parties] == ["株式会社ミライクラウド"], r.organization


def test_notice_without_line_breaks():
    """Some pages lose every line break: the name must not swallow the title after it."""
    text = ("2024年7月12日株式会社こだま電子不正アクセスに関するお知らせ当社の会員サイトが不正アクセスを受け、"
            "会員1,200名の氏名とメールアドレスが漏えいした可能性があります。")
    r = one(text)
    assert r.organization == "株式会社こだま電子"
    assert r.affected_total == 1200


def test_data_terms_keep_the_first_character_shortcut():
    """One data term that may start anywhere (a leading group) makes every scan many times slower."""
    from jikenbo.extract.context import lexicons

    assert not lexicons().categories.pattern.startswith("(?=[\\s\\S])")


def _segment_pairs():
    """(segment, document) of every segment the segmenter keeps in the fictional corpus and
    samples, and of fictional texts that name no organisation."""
    from jikenbo.pipeline import document_from_text
    from jikenbo.segment import segment_document

    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "corpus").glob("*.txt"))]
    texts += [LETTERHEAD,
              "傘の紛失について\n店内で傘を紛失されたお客様はカウンターへ。本日いたしました。\n",
              "メールの誤送信について\n本日、お客様へのご案内メールを誤送信したことが判明しました。深くお詫び申し上げます。\n"]
    for i, text in enumerate(texts):
        doc = document_from_text(text, f"t{i}.txt")
        for seg in segment_document(doc):
            yield seg, doc


def test_named_segment_is_the_full_record_or_none_without_organisation():
    """The pipeline skips the other fields of a segment with no organisation (it drops that
    record anyway): what it keeps must be exactly the record extract_segment gives."""
    from jikenbo.extract import extract_named_segment, extract_segment

    pairs = list(_segment_pairs())
    kept = dropped = 0
    for seg, doc in pairs:
        full, named = extract_segment(seg, doc), extract_named_segment(seg, doc)
        if full.organization is None:
            assert named is None
            dropped += 1
        else:
            assert named is not None and named.model_dump() == full.model_dump()
            kept += 1
    assert kept >= 30 and dropped >= 1
