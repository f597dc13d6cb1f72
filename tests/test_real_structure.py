"""Structural rules written for real pages, each on a fictional notice of our own.

Real pages name their organisation through the page's structure more than through 株式会社:
a digest entry's tag, a news lead's subject, a local government's site address, back-references
(同協会, 本市). Each test would fail if its rule broke.
"""

from __future__ import annotations

import pytest

from jikenbo import extract_text
from jikenbo.pipeline import document_from_text, extract_document
from jikenbo.read import read_inputs, sidecar_url
from jikenbo.text.chars import is_kanji
from jikenbo.text.gazetteer import bodies_from_url, gazetteer


def _orgs(text: str, url: str | None = None) -> list[str | None]:
    doc = document_from_text(text, "notice.txt")
    if url:
        doc = doc.model_copy(update={"url": url})
    return [r.organization for r in extract_document(doc)]


def test_gazetteer_holds_prefectures_and_municipalities():
    g = gazetteer()
    assert len(g.prefectures) == 47
    assert {"和水町", "四條畷市", "足立区", "札幌市", "さいたま市"} <= g.municipalities
    assert "札幌市中央区" not in g.municipalities  # a ward of a designated city is the city's


@pytest.mark.parametrize(("url", "body"), [
    ("https://www.city.shijonawate.lg.jp/soshiki/1.html", "四條畷市"),
    ("https://www.town.nagomi.lg.jp/hpkiji/x", "和水町"),
    ("https://www.pref.gunma.jp/page/1", "群馬県"),
    ("https://www.city.amagasaki.hyogo.jp/x", "尼崎市"),
    ("https://www.city.adachi.tokyo.jp/x", "足立区"),
])
def test_site_address_names_its_body(url, body):
    assert bodies_from_url(url)[0] == body


def test_other_hosts_name_no_body():
    assert bodies_from_url("https://www.example.co.jp/news/1") == []
    assert bodies_from_url(None) == []


def test_municipality_without_a_following_particle_is_found():
    text = ("和水町職員を装った不審なメールについて\n"
            "和水町職員の氏名をかたるなりすましメールが複数確認されています。実際は本町と無関係の第三者が送信したものです。\n")
    assert _orgs(text) == ["和水町"]


def test_local_government_site_wins_over_a_body_it_names():
    text = ("個人情報を含む文書の紛失について\n"
            "令和6年10月25日、副市長執務室で四條畷市交野市清掃施設組合職員の休暇願を含む文書4件が所在不明となっていることが判明しました。\n"
            "四條畷市交野市清掃施設組合の職員の氏名が含まれます。\n")
    assert _orgs(text, "https://www.city.shijonawate.lg.jp/soshiki/4/1.html") == ["四條畷市"]


def test_sidecar_url_is_the_documents_address(tmp_path):
    notice = tmp_path / "n1.txt"
    notice.write_text("お知らせ\n本市職員が個人情報を含むUSBメモリを紛失しました。\n", encoding="utf-8")
    (tmp_path / "n1.url").write_text("https://www.city.kaizu.lg.jp/kurashi/1.html\n", encoding="utf-8")
    assert sidecar_url(str(notice)) == "https://www.city.kaizu.lg.jp/kurashi/1.html"
    doc = next(iter(read_inputs([str(notice)])))
    assert doc.url == "https://www.city.kaizu.lg.jp/kurashi/1.html"
    # the page never names its city: its address and 「本市」 do
    assert [r.organization for r in extract_document(doc)] == ["海津市"]


def test_internet_shortcut_form_is_read(tmp_path):
    notice = tmp_path / "n2.txt"
    notice.write_text("x", encoding="utf-8")
    (tmp_path / "n2.url").write_text("[InternetShortcut]\r\nURL=https://example.jp/a\r\n", encoding="utf-8")
    assert sidecar_url(str(notice)) == "https://example.jp/a"


def test_back_reference_votes_for_the_full_name():
    text = ("発表日時2026/1/20\n"
            "みずなら県信用保証協会にてメールアカウントが不正アクセス被害。同協会にて第三者からの不正アクセスを受け、迷惑メールが送信された。"
            "同協会は注意を呼び掛けている。同協会によると個人情報の流出は確認されていない。\n")
    assert _orgs(text) == ["みずなら県信用保証協会"]


def test_self_reference_is_never_the_name():
    text = ("個人情報の紛失について【お詫び】\n"
            "さざなみ航空健康保険組合加入者 各位\n"
            "6月17日に当健康保険組合の決算作業中、検診の受診者リストを紛失したことが判明いたしました。"
            "当健康保険組合では事務所内を捜索いたしましたが発見されておりません。\n")
    assert _orgs(text) == ["さざなみ航空健康保険組合"]


@pytest.mark.parametrize("noise", ["SQLインジェクション", "POSレジ", "https://www.example.jp/", "TOPICS", "Multilingual"])
def test_latin_noise_is_no_organisation(noise):
    text = (f"{noise}\n"
            "株式会社ふゆかげ商会\n"
            f"当社ウェブサイトへの不正アクセスによる個人情報流出の可能性について。{noise}による不正アクセスを受け、"
            "お客様の氏名とメールアドレスが流出した可能性があることが判明しました。\n")
    assert _orgs(text) == ["株式会社ふゆかげ商会"]


def test_news_lead_subject_without_designator():
    text = ("菓子通販サイトに不正アクセス、カード情報漏えいの可能性\n"
            "「ほしづき製菓」は2026年3月4日、自社の通販サイトが不正アクセスを受け、クレジットカード情報3,210件が漏えいした可能性があると発表した。\n"
            "ほしづき製菓によると、決済画面が改ざんされていたという。\n")
    recs = extract_text(text)
    assert [r.organization for r in recs] == ["ほしづき製菓"]


def test_headline_subject_before_a_comma():
    text = ("ミナモト、顧客情報8000人分が流出と発表\n"
            "ミナモトが昨年発表した不正アクセスで、同社は7日、取引先など計8000人分の個人情報が流出したと発表した。\n")
    assert _orgs(text) == ["ミナモト"]


def test_seat_product_and_byline_are_not_the_victim():
    text = ("ゆうなぎ県は17日、自動車税の納税者約1万人分の個人情報が外部に流出した可能性があると明らかにした。"
            "保守業務を担う「あけぼのシステムズ」(大阪市)の元社員が不正に持ち出したという。\n"
            "業務で使う「ゆうなぎ税務システム(YTS)」で発覚した。\n"
            "© 一般社団法人共同通信社\n")
    assert _orgs(text) == ["ゆうなぎ県"]


def test_name_characters_beyond_the_basic_block():
    for name in ("株式会社山﨑製作所", "株式会社𠮷野家商店", "東北海道いすゞ自動車株式会社"):
        text = (f"{name}\nお客様情報の流出に関するお詫び\n"
                f"このたび、{name}のサーバーが不正アクセスを受け、お客様の氏名と住所が流出したことが判明しました。\n")
        assert _orgs(text) == [name], name
    assert is_kanji("﨑") and is_kanji("𠮷") and is_kanji("㐂")


def test_kana_name_after_designator_on_a_letterhead():
    text = ("【重要】不正アクセスによる個人情報流出の可能性に関するお詫び\n2026年5月16日\n株式会社ほのかせん\n\n"
            "弊社ウェブサービスに外部からの不正アクセスが確認され、お客様の個人情報が流出した可能性があることが判明しました。\n")
    assert _orgs(text) == ["株式会社ほのかせん"]


def test_single_tagged_entry_names_the_organisation_in_its_header():
    text = ("ラベル インシデント:紛失 の投稿を表示しています。\n\n"
            "【セキュリティ事件簿#2026-101】はるかぜ市 市立病院における個人データの漏えいのおそれについて 2026/2/7\n\n"
            "1 事案の概要\n令和7年9月26日、購入者から、当該端末に当院の名称と患者の個人データが記録されている旨の連絡を受けました。\n")
    recs = extract_text(text)
    assert [r.organization for r in recs] == ["はるかぜ市"]
    assert recs[0].detected_date == "2025-09-26"


def test_cut_last_entry_of_a_digest_still_counts():
    text = ("【事件簿#2026-201】あおば市 個人情報の流出事案について 2026年9月1日\n\n"
            "職員がサポート詐欺に誘導され、端末を遠隔操作された。その間に協会のサーバーに不正アクセスされ、104名分の個人情報が流出した可能性がある。\n\n"
            "【事件簿#2026-200】みどり県 不正に取得された教職員のメールアドレスからの不審なメールの送信について 2026年9月1日\n\n"
            "このたび、みどり県教育委員会が運用してい")
    assert [r.organization for r in extract_text(text)] == ["あおば市", "みどり県"]


def test_incident_title_outweighs_event_words():
    text = ("ひかり県 個人情報(電子メールアドレス)の流出について 2026年11月4日\n"
            "ひかり県立支援学校において、研究会が主催する講演会の参加者に講演のアンケートを依頼するメールを送信した際、"
            "参加者全員の電子メールアドレスが互いに見える状態で送信しました。講演会の登壇者と参加者の定員は…\n"
            "講演会の参加者181名分のアドレスが流出しました。\n")
    assert _orgs(text) == ["ひかり県"]


@pytest.mark.parametrize(("text", "day"), [
    ("みなと市 個人情報の流出について 2026年9月1日\n1 事案概要\n職員が誤ってファイルを送信した。\n"
     "4 事案発覚日時\n 令和8年8月23日 11時40分頃\n", "2026-08-23"),
    ("みなと市 個人情報の流出について 2026年9月1日\n概要\n不具合が判明しました。\n"
     "確認日時:2026年8月21日\n影響範囲:一部店舗\n", "2026-08-21"),
    ("みなと市 個人情報の流出について 2026年11月4日\n2 事案の経緯\n8月9日(火曜日)\n  • 担当者がメールを一斉送信した。\n"
     "9月16日(金曜日)\n  • 参加者から「アドレスが見える」と連絡があり、誤送信が判明した。\n", "2026-09-16"),
])
def test_detection_dates_from_structure(text, day):
    assert [r.detected_date for r in extract_text(text)] == [day]


def test_year_less_date_read_against_the_address():
    text = "株式会社あかね社(以下「当社」)は、12月7日、当社サーバーがランサムウェアによる不正アクセスを受けたことを確認しました。\n"
    doc = document_from_text(text, "n.txt").model_copy(update={"url": "https://blog.example.jp/2026/12/post.html"})
    assert [r.detected_date for r in extract_document(doc)] == ["2026-12-07"]


@pytest.mark.parametrize("body", ["みなと財務局", "みなと地方裁判所", "みなと県警察本部"])
def test_a_public_body_on_its_own_sender_line(body):
    """Authorities are kept out of the candidates (they are told, not the victim), unless the
    notice is their own: their name alone on the sender line."""
    text = (f"令和8年2月3日\n{body}\n\n個人情報の漏えいについて\n"
            "職員が、申請者の氏名と住所を記載した書類を別の申請者に誤って送付したことが判明しました。\n")
    assert _orgs(text) == [body]


def test_labelled_date_line_below_the_navigation():
    nav = "\n".join(f"  • メニュー{i}" for i in range(14))
    text = (f"このページの先頭です\nさざなみ市\n{nav}\n本文ここから\n\nさざなみ市を装った不審メールにご注意ください\n\n"
            "更新日:2026年3月4日\n\nさざなみ市を装った不審メールが市内事業所に届く事例が確認されています。\n")
    assert [r.disclosure_date for r in extract_text(text)] == ["2026-03-04"]


def test_an_apology_about_personal_data_is_a_notice():
    text = ("会員様の個人情報の取扱いに関するお詫び\n株式会社ゆうばえ商店\n\n"
            "このたび、会員様の登録内容を記載した書類を、別の会員様宛ての封筒に入れて発送しておりました。\n")
    assert _orgs(text) == ["株式会社ゆうばえ商店"]


def test_abbreviation_in_parentheses_stands_for_the_full_name():
    text = ("JAXAへの不正アクセス、職員のメールアドレスが流出\n"
            "宇宙開発みなと研究機構(JAXA)は5日、外部からの不正アクセスを受け、職員のメールアドレスが流出したと発表した。"
            "JAXAによると、侵入は昨年秋に始まっていた。JAXAは警察に相談している。\n")
    assert _orgs(text) == ["宇宙開発みなと研究機構"]


def test_found_out_from_a_day_on_is_the_detection():
    text = ("こもれび市 個人情報を含む文書の紛失について 2026年11月5日\n"
            "令和8年10月25日以降、執務室で個人情報を含む決裁文書が所在不明となっていることが10月28日以降に順次判明しました。\n")
    assert [r.detected_date for r in extract_text(text)] == ["2026-10-28"]


def test_lost_property_is_no_loss_of_data():
    """Everyday pages in a crawl use incident words: a lost-property page is no notice."""
    text = ("駅の忘れ物・紛失物のお知らせ\n"
            "みなと市営バス車内での紛失物は、営業所でお預かりしています。傘や財布などの紛失物は3か月保管します。\n")
    assert extract_text(text) == []


def test_account_takeover_is_unauthorized_access():
    text = ("公式SNSアカウントの乗っ取りについて\n株式会社あさつゆ書房\n\n"
            "当社の公式SNSアカウントが第三者に乗っ取られ、フォロワーの皆様に不審なメッセージが送信されたことが判明しました。\n")
    recs = extract_text(text)
    assert [r.organization for r in recs] == ["株式会社あさつゆ書房"]
    assert "unauthorized_access" in recs[0].incident_types


@pytest.mark.parametrize("sentence", [
    "なお、クレジットカード情報は当社システムで保持していなかった。",
    "・クレジットカード情報(当社のサービスではクレジットカード情報を保有しない)",
])
def test_card_data_denied_in_past_tense_or_in_its_own_aside(sentence):
    text = ("株式会社しらさぎ通商\n不正アクセスによる個人情報流出のお知らせ\n"
            "当社サーバーが不正アクセスを受け、お客様の氏名とメールアドレスが流出したことが判明しました。\n"
            f"{sentence}\n")
    recs = extract_text(text)
    assert "credit_card" not in recs[0].data_categories and not recs[0].payment_card


# A news round-up: several organisations' incidents in one article, each story opened by a lead
# whose subject is the organisation (fictional organisations and events).
_ROUNDUP_LEADS = """今月も大学や企業でサイバー攻撃の公表が続く

2031年3月も国内の教育機関や企業でランサムウェア被害の公表が相次ぎました。

ミナトリンクは2031年2月、管理サーバーがランサムウェアで暗号化され、出荷を止めたと発表しました。顧客情報が外部に出たかどうかは確認を続けています。

大学も例外ではありません。白浜学園大学は2031年3月4日までに、ゼミが使う共有ディスクがランサムウェアで読めなくなったと明らかにし、学生ら約620名分の個人情報が漏えいした可能性があるとしています。

倉庫管理ソフトを作る会社のカワセミ技研も、2031年3月9日にランサムウェアの被害に遭ったと公表した。同社は警察に被害を届け出たという。
"""

_ROUNDUP_BULLETS = """2031年の情報漏えいニュース

今年の主な事例は次の通りです。
● 北浜県職員がメールを誤送信
● くるみ薬房が不正アクセスの被害を受ける
● ひばり堂でランサムウェアの感染が確認される
それぞれを解説します。

北浜県職員がメールを誤送信

2031年4月10日、北浜県の担当者が講習会の案内を送る際に宛先欄を取り違え、県民12名のメールアドレスが互いに見える状態で誤送信しました。

くるみ薬房で不正アクセスの被害

くるみ薬房は2031年5月2日、メールアカウントへの不正アクセスが判明したと発表しました。同社を装った迷惑メールが送信されました。
"""


def test_roundup_leads_make_one_record_per_organisation():
    records = extract_text(_ROUNDUP_LEADS)
    assert [r.organization for r in records] == ["ミナトリンク", "白浜学園大学", "カワセミ技研"]
    by = {r.organization: r for r in records}
    assert by["白浜学園大学"].affected_total == 620
    assert by["カワセミ技研"].reported_to == ["police"]
    assert by["ミナトリンク"].affected_total is None  # one story's figures stay in it


def test_roundup_bullets_and_sections_make_one_record_per_organisation():
    records = extract_text(_ROUNDUP_BULLETS)
    orgs = [r.organization for r in records]
    assert sorted(orgs) == sorted(["北浜県", "くるみ薬房", "ひばり堂"])  # 北浜県職員 is 北浜県's story
    by = {r.organization: r for r in records}
    assert by["北浜県"].incident_types == ["misdelivery"]
    assert "unauthorized_access" in by["くるみ薬房"].incident_types  # the section, not the bullet
    assert by["くるみ薬房"].detected_date == "2031-05-02"


def test_news_about_one_incident_is_not_a_roundup():
    text = """ミナトリンクに不正アクセス、会員情報流出の可能性

ミナトリンクは2031年2月14日、会員サイトに不正アクセスがあり、会員約3,000名の個人情報が流出した可能性があると発表した。

セキュリティ会社のカワセミ技研は、同様の手口による不正アクセスが増えていると指摘している。警視庁は、2031年2月20日、捜査を始めた。
"""
    assert [r.organization for r in extract_text(text)] == ["ミナトリンク"]


def test_a_notice_in_the_first_person_is_not_a_roundup():
    text = """不正アクセスに関するお詫びとお知らせ

このたび、当社サーバーが不正アクセスを受けました。

委託先のカワセミ技研は、2031年3月9日、当社にランサムウェア感染を報告しました。

ミナトリンクは、2031年3月10日、同じ攻撃を受けたと公表しています。

株式会社白浜物産
"""
    assert [r.organization for r in extract_text(text)] == ["株式会社白浜物産"]


def test_instant_incident_is_known_on_the_day_its_account_opens():
    text = """個人情報を含むメールの誤送信について

1 事案の概要
令和13年4月8日(火)午後3時10分、子育て支援課の職員が、講座の参加者42名にメールを送信する際、宛先をBccではなくToに入力したため、参加者のメールアドレスが他の参加者に表示される状態となりました。

2 対応
同日、対象の皆様に連絡し、お詫びいたしました。

北浜市
"""
    rec = extract_text(text)[0]
    assert rec.incident_types == ["misdelivery"]
    assert rec.detected_date == "2031-04-08"


def test_a_long_incident_gets_no_detection_date_from_its_opening():
    text = """不正アクセスに関するお知らせ

令和13年4月8日(火)、当社サーバーに対して第三者による不正アクセスが行われていたことについて、調査を進めております。

株式会社北浜テック
"""
    rec = extract_text(text)[0]
    assert "unauthorized_access" in rec.incident_types
    assert rec.detected_date is None  # an attack's first day is not the day it was found


@pytest.mark.parametrize(("sentence", "kind", "present"), [
    ("開発環境のネットワーク設定の一部が解除状態となっていたため、外部から個人情報が漏えいしました。", "misconfiguration", True),
    ("2031年1月9日、当社システムに対する侵害活動が確認され、顧客情報が流出した可能性があります。", "unauthorized_access", True),
    ("指示どおり電話した結果、端末の遠隔操作が行われ、保存していた個人情報が流出した可能性があります。", "unauthorized_access", True),
    ("個人情報が流出した可能性があります。各校には迷惑メール対策について注意喚起しました。", "impersonation", False),
])
def test_incident_type_cues_in_real_wording(sentence, kind, present):
    rec = extract_text("個人情報の流出に関するお詫び\n\n" + sentence + "\n\n株式会社北浜テック\n")[0]
    assert (kind in rec.incident_types) is present


def test_a_full_stop_inside_brackets_does_not_end_the_sentence():
    text = ("個人情報の流出について\n\n流出した可能性があるのは受付番号と氏名(生年月日は含まれません。)、受診科、"
            "請求額です。\n\n北浜市立病院\n")
    rec = extract_text(text)[0]
    assert {"customer_id", "name", "other"} <= set(rec.data_categories)
    assert "birthdate" not in rec.data_categories


def test_data_posted_on_a_page_is_data_that_leaked():
    text = ("ホームページへの個人情報の誤掲載について\n\n交付一覧を載せた際、受給者の氏名と住所、支給額まで掲載されていました。"
            "\n\n北浜市\n")
    rec = extract_text(text)[0]
    assert {"name", "address", "other"} <= set(rec.data_categories)


def test_a_company_introduced_with_its_seat_is_a_candidate():
    text = """顧客情報流出、件数を修正

北浜電信の子会社は19日、外部に出た顧客情報を約40万件に訂正した。

問題の窓口業務はカワセミマーケティングProX(プロクス、北浜市)が運営しており、同社の元契約社員が情報を外部に持ち出していた。
"""
    assert [r.organization for r in extract_text(text)] == ["カワセミマーケティングProX"]


@pytest.mark.parametrize(("body", "status"), [
    ("北浜県は17日、県税の窓口システムに登録された約9万人分の個人情報が外部に流出した可能性があると公表した。保守を請け負う会社の元社員が不正に持ち出したとみられる。",
     "possible"),
    ("北浜県は17日、委託先の元社員が納税者約9万人分の個人情報を不正に持ち出したと明らかにした。", "confirmed"),
    ("株式会社北浜塾の元社員が生徒の個人情報を不正に持ち出し、名簿業者に売却していたことが判明した。流出した可能性がある。", "confirmed"),
])
def test_an_insiders_act_confirms_a_leak_only_where_the_notice_says_no_more(body, status):
    rec = extract_text("個人情報の不正持ち出しについて\n\n" + body + "\n")[0]
    assert rec.leak_status == status


@pytest.mark.parametrize("body", ["北浜県教育局", "北浜県教育庁"])
def test_an_education_boards_secretariat_is_named_in_full(body):
    text = (f"個人情報を含むメールの誤送信について\n\n{body}は、2031年5月8日、保護者120名のメールアドレスが"
            "表示される状態でメールを誤送信したと発表した。\n")
    assert [r.organization for r in extract_text(text)] == [body]


def test_a_yearless_lead_date_is_read_months_after_the_last_full_date():
    text = """会員情報の流出について

株式会社カワセミ通信は10月17日、委託先の元社員が会員情報を不正に持ち出していたことを明らかにした。

持ち出しは2030年4月5日に始まり、同社は2030年7月2日に委託先から報告を受けた。
"""
    assert extract_text(text)[0].disclosure_date == "2030-10-17"


@pytest.mark.parametrize(("signature", "name"), [
    ("医療法人北浜会 汐見台病院\n理事長 北浜 一郎", "医療法人北浜会 汐見台病院"),
    ("独立行政法人北浜医療機構\nみなと医療センター\n院長 南 二郎", "独立行政法人北浜医療機構みなと医療センター"),
    ("株式会社北浜証券 お客様サポートセンター", "株式会社北浜証券"),  # a department signs for its company
])
def test_an_institution_signing_under_its_parent_is_named_with_it(signature, name):
    text = ("個人情報の漏洩に関する事案について\n\n健康診断の結果通知1通を、封入の取り違えにより別の受診者様に"
            f"誤送付いたしました。当院として深くお詫び申し上げます。\n\n令和13年11月15日\n{signature}\n")
    assert [r.organization for r in extract_text(text)] == [name]


def test_a_press_release_listing_with_the_organisation_above_each_title():
    text = """カテゴリ: 情報漏えい

株式会社みなと交通

【重要】ICカードアプリの一部機能停止について

2031年06月08日
2031年6月8日(木)8時から12時まで、アプリの一部機能が使いにくい状態が続きました。現在は復旧しております。

北浜スポーツクラブ株式会社

ファン向け抽選応募フォームでの個人情報の漏洩に関するお詫び

2031年6月1日(木)に締め切った抽選で、応募者様のメールアドレス35件が他の応募者に表示される状態となっていたことが判明しました。
"""
    recs = extract_text(text)
    assert [r.organization for r in recs] == ["北浜スポーツクラブ株式会社"]  # an outage with no data is no notice
    assert recs[0].affected_total == 35


def test_a_letterhead_above_a_title_is_no_listing():
    text = """株式会社みなと交通

不正アクセスに関するお詫びとお知らせ

2031年6月1日、当社サーバーへの不正アクセスにより、お客様のメールアドレス120件が流出した可能性があることが判明しました。

株式会社みなと交通
代表取締役 港 太郎
"""
    assert [r.organization for r in extract_text(text)] == ["株式会社みなと交通"]


def test_numbered_digest_tags_open_entries_whatever_their_titles_say():
    text = """【事件簿#2031-067】北浜県の旧キャンペーンサイトのドメインを別の事業者が取得、無関係な広告に使われている件 2031/1/19

北浜県

以前のキャンペーンで使っていたドメインが、契約終了後に別の事業者に再取得され、無関係な広告サイトに使われていることがわかりました。

【事件簿#2031-066】株式会社みなと工房 弊社Webサイトへの不正アクセスについて 2031/1/15

みなと工房

ホームページが何者かに改ざんされ、事実と異なる文章が載せられております。
"""
    recs = extract_text(text)
    assert [r.organization for r in recs] == ["北浜県", "株式会社みなと工房"]
    assert recs[0].incident_types == ["other"]
    assert recs[1].incident_types == ["unauthorized_access"]


def test_a_digest_entry_cut_at_its_title_keeps_its_organisation():
    text = """【事件簿#2031-295】北浜県 過去の広報用ドメインが他者により取得された件 2031/7/30

県の旧広報サイトのドメインが、閉鎖の後で他者により取得されていたことがわかりました。

【事件簿#2031-294】みなと観光協会が収集・"""
    recs = extract_text(text)
    assert [r.organization for r in recs] == ["北浜県", "みなと観光協会"]
    assert recs[0].incident_types == ["other"]


def test_a_latin_name_that_is_the_sites_host_is_its_owner():
    text = """【PAYLO】顧客情報流出に関するご報告とお詫び
KAWASEMIおよびPAYLOをご愛用の皆様へ。
経費精算サービスで、ある条件のもとで別の利用者の取引先情報が他の利用者から閲覧可能な状態になっていたことがわかりました。
"""
    assert _orgs(text, "https://corp.kawasemi.co.jp/?p=12") == ["KAWASEMI"]
    assert _orgs(text) == []  # without the address nothing says which (the notice is dropped, and counted)


_WEEKLY = "\n".join([
    "2031年8月19日週は、カワセミがランサムウェア攻撃による情報漏えいについて発表した。"
    "攻撃されたのは同社ではなく、印刷を請け負う会社のほうだった。",
    "この週はほかに、北浜自動車の米国法人(Kitahama Motor America)のデータ流出も注目された。"
    "学習塾を運営するカワセミ学習研究会(カワセミ)の件から見ていく。",
    "北浜自動車の米国法人(Kitahama Motor America)がサイバー攻撃を受け、社員の連絡先などを含む約120GBのデータが"
    "闇サイトに公開されたと、海外の専門メディアが伝えた。",
    "カワセミ学習研究会(カワセミ)は、会員約40万人分の情報漏えいが新たに判明したと発表した。氏名や会員番号、通っていた教室名などが含まれる。",
    "",
])


def test_a_weekly_roundup_with_undated_leads_splits_per_organisation():
    recs = extract_text(_WEEKLY)
    assert sorted(r.organization for r in recs) == ["Kitahama Motor America", "カワセミ学習研究会"]
    assert "米国法人" not in [r.organization for r in recs]  # a kind of subsidiary, not a name


def test_a_past_incident_told_as_background_opens_no_story():
    text = """株式会社みなと食品にランサムウェア攻撃

株式会社みなと食品は3日、サーバーがランサムウェアに感染し、取引先など約500人分の個人情報が流出した恐れがあると発表した。

食品業界では被害が相次いでいる。2030年には菓子製造の株式会社北浜製菓が同様の攻撃を受け、顧客情報が流出した可能性があると発表していた。
"""
    assert [r.organization for r in extract_text(text)] == ["株式会社みなと食品"]


def test_the_first_of_a_list_in_a_title_is_not_its_subject():
    text = """汐見学園、港南など5校で生徒情報流出か 北浜県立高の約900人

 北浜県教育局は20日、授業で使うクラウド教材の事業者が不正アクセスを受け、県立高校5校の生徒約900人分の氏名などが流出した可能性があると公表した。
"""
    assert [r.organization for r in extract_text(text)] == ["北浜県教育局"]


def test_the_relation_before_a_name_is_not_part_of_it():
    text = "顧客情報の流出について\n\n北浜電信の子会社カワセミソリューションズ(北浜市)は17日、元社員が顧客情報を持ち出したと発表した。\n"
    assert [r.organization for r in extract_text(text)] == ["カワセミソリューションズ"]


def test_an_incident_of_kind_other_with_no_personal_data_leaked_nothing():
    text = """旧観光サイトのドメインについて

市の旧観光サイトで使っていたドメインが、閉鎖の後で第三者により取得されていたことがわかりました。当市とは関係がありません。

北浜市
"""
    rec = extract_text(text)[0]
    assert rec.incident_types == ["other"]
    assert rec.leak_status == "none"


def test_a_former_association_of_a_town_is_the_towns():
    # our own wording; the town is a real municipality, as the gazetteer rule needs
    text = """小布施町、使われなくなった旧商工会の動画アカウントに不正ログイン

 長野県小布施町によると、2031年3月2日、数年前に更新を止めた旧商工会の動画サイトのアカウントに不正ログインされ、広告の動画が投稿された。

 町は運営会社にアカウントの凍結を求めている。
"""
    assert [r.organization for r in extract_text(text)] == ["小布施町"]  # the town, without its prefecture


@pytest.mark.parametrize("text", [
    """漏えい等の報告は前年度の1.4倍に、監督機関が年次報告を公表

北浜データ保護庁は6月10日、2030年度の年次報告を公表した。年次報告によると、事業者からの漏えい等の報告は9,800件で、
前年度より2,100件増加した。1件あたりの本人の数は100人以下が最も多く、全体の91.5%を占めた。
""",
    """第1位は「取引先を狙うサイバー攻撃」、2030年の情報セキュリティ10大ニュース

北浜セキュリティ協議会はこのほど、2030年の10大ニュースを公表しました。ランキングは上位から、(1)取引先を狙う攻撃、
(2)ランサムウェア被害の長期化、(3)不正アクセスによる大規模な情報流出、の順でした。
""",
])
def test_an_annual_report_or_a_ranking_of_news_is_no_notice(text):
    assert extract_text(text) == []


@pytest.mark.parametrize(("sentence", "kind", "category"), [
    ("退職した元職員により、当院の患者さんの個人情報・医療情報が不正に取得されたことが判明しました。", "insider", "health"),
    ("元職員 A は後輩職員に頼んで患者名簿を複製させ、持ち出していたことが判明しました。", "insider", None),
    ("健診の結果が記載された通知1通を別の受診者様に誤送付いたしました。", "misdelivery", "health"),
])
def test_insider_and_health_wording_of_hospitals(sentence, kind, category):
    rec = extract_text("個人情報の漏えいについて\n\n" + sentence + "\n\n北浜市立病院\n")[0]
    assert kind in rec.incident_types
    if category:
        assert category in rec.data_categories and rec.sensitive


def test_an_instant_incident_opening_with_a_time_and_from():
    text = """メール誤送信に関するお詫び

2031年8月1日(金)9時00分から受付を開始した説明会の案内について、申込者へメールを送信した際、同報者にメールアドレスが表示される状態で誤送信いたしました。

北浜学院大学
"""
    assert extract_text(text)[0].detected_date == "2031-08-01"


def test_a_final_report_overrides_what_the_organisation_was_told_at_first():
    text = """特定健診の受診勧奨事業における個人情報の不正持ち出しについて(最終報告)

北浜区が委託した受診勧奨事業で、委託先の元派遣社員が個人情報を不正に持ち出した事件について、令和13年5月7日付で委託先から最終報告がありました。
調査の結果、不正に持ち出された区の個人情報について、第三者への流出は確認されなかったとの報告を受けました。

令和11年10月16日(月曜日)、委託先から、区民の個人情報が第三者に流出したとの報告を受けました。
"""
    rec = extract_text(text)[0]
    assert rec.leak_status == "not_confirmed"
    assert rec.detected_date == "2029-10-16"  # the dated final report is no detection


def test_a_follow_up_is_dated_by_its_letterhead_not_the_notice_it_recalls():
    text = """令和14年1月19日
北浜県立大学
令和13年12月18日に公表いたしました本学における個人情報の不適切な取扱い事案に関し、その後の対応についてお知らせします。
学生の成績の一覧が、学内の誰でも閲覧可能な状態になっていた件について、設定を改めました。
"""
    rec = extract_text(text)[0]
    assert rec.disclosure_date == "2032-01-19"
    assert "2031-12-18" in rec.references


def test_a_mail_relay_abused_from_outside_is_an_intrusion_with_no_leak():
    text = """迷惑メールの送信事案について

このたび、当社のメール中継サーバを利用した海外からの電子メールの不正な中継により、迷惑メールが送信されていたことが判明しました。
なお、情報の漏洩等は発生していない。

株式会社北浜ネット
"""
    rec = extract_text(text)[0]
    assert "unauthorized_access" in rec.incident_types
    assert rec.leak_status == "none"


def test_a_leak_by_sending_mail_is_a_misdelivery():
    text = ("県立施設におけるメール送信による情報漏えいについて\n\n施設の職員が利用者の家族あてに送ったメールで、"
            "他の家族のアドレスが見える状態となりました。\n\n北浜県\n")
    assert extract_text(text)[0].incident_types == ["misdelivery"]


def test_a_cue_followed_by_a_condition_says_nothing_happened():
    """「紛失された場合は」「漏えいした場合に備え」: a condition, not a happening. A guidance page
    whose only cues are conditions gives no record, even when it names its organisation; a
    notice that says the loss happened keeps its record beside the same condition."""
    guidance = ("お忘れ物・紛失された場合のご案内\n\n館内でかばんや鍵を紛失された場合は、受付までお申し出ください。"
                "お預かり品は三か月保管いたします。\n\nしらかば温泉協会\n")
    assert extract_text(guidance) == []
    notice = ("書類紛失に関するお詫び\n\n2031年6月2日\nしらかば温泉協会\n\n"
              "このたび、当協会職員が会員32名の氏名と住所を記載した名簿を紛失したことが判明しました。"
              "名簿が第三者に渡った場合に備え、会員の皆様にはご連絡を差し上げております。\n")
    recs = extract_text(notice)
    assert [r.organization for r in recs] == ["しらかば温泉協会"] and recs[0].incident_types == ["loss"]
