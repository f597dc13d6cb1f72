"""Linking evidence read from a notice's text (jikenbo/extract/linkcues.py), and what linking
does with each kind. Every organisation and notice here is fictional."""

from __future__ import annotations

from jikenbo import link
from jikenbo.extract.linkcues import link_cues, url_date
from jikenbo.models import Record

_N = iter(range(10**6))


def rec(**kw) -> dict:
    kw.setdefault("source", f"{kw.get('organization', 'x')}_{next(_N)}.txt")
    kw.setdefault("doc_sha256", f"sha-{kw['source']}")
    return Record(**kw).model_dump()


def groups_of(records: list[dict]) -> set[frozenset[int]]:
    return {frozenset(g) for g in link.cluster(records)}


# --------------------------------------------------------------------------- cues


def test_alias_stated_by_an_abbreviation():
    c = link_cues("宙空技術研究機構（ＳＫＧＫ、本部・架空市）は、不正アクセスがあったと発表した。", "SKGK")
    assert "宙空技術研究機構" in c["aliases"]


def test_alias_stated_with_igo():
    text = "株式会社みなもとテック（以下「みなもと社」という。）に委託した業務で、みなもと社の従業員が持ち出した。"
    c = link_cues(text, "架空市")
    assert c["vendors"] == ["株式会社みなもとテック"]  # みなもと社 is the same vendor, not a second one


def test_joint_announcement():
    text = "株式会社そらまめ通信とそらまめシステムズは10月3日、顧客情報の流出を明らかにした。"
    c = link_cues(text, "株式会社そらまめ通信")
    assert [link.org_key(n) for n in c["co_organizations"]] == ["そらまめシステムズ"]


def test_vendor_cues():
    cases = {
        "県からコールセンター業務を委託された「くもま情報サービス」（架空市）が報告した。": "くもま情報サービス",
        "業務委託先事業者である株式会社ほたる企画の社員が書類を紛失した。": "株式会社ほたる企画",
        "当町が利用するクラウドサービス「ハナミズキドライブ」で障害が起きた。": None,
        "株式会社つばめソフト（架空区）が運用する学習アプリのデータベースへの不正アクセスにより漏えいした。":
            "株式会社つばめソフト",
        "カモメデータ社への不正アクセスにより、本市の情報が流出した可能性がある。": "カモメデータ社",
    }
    for text, vendor in cases.items():
        got = {link.vendor_key(v) for v in link_cues(text, "架空町")["vendors"]}
        if vendor:
            assert link.vendor_key(vendor) in got, (text, got)


def test_fuller_name_of_the_organisation():
    text = "ゆうなぎ、8千人分の個人情報が流出と発表\nゆうなぎ計器が昨年に発表した不正アクセスの調査結果。"
    assert link_cues(text, "ゆうなぎ")["aliases"] == ["ゆうなぎ計器"]
    assert link_cues("ほしぞら商事は、", "ほしぞら")["aliases"] == []  # 商事 names another business


def test_a_service_resolves_to_its_company():
    text = "当社が利用しているクラウドサービス「はなびポータル」の提供会社である株式会社はなびクラウドにおいて障害が起きた。"
    assert [link.vendor_key(v) for v in link_cues(text, "株式会社つきよ製菓")["vendors"]] == ["はなびクラウド"]


def test_named_systems_and_announced_days():
    text = "株式会社ゆうなぎは10月18日、学習サービス「YuNagi.net」への不正アクセスで情報が漏えいしたと発表した。"
    c = link_cues(text, "株式会社ゆうなぎ")
    assert "YuNagi.net" in c["named_systems"]
    assert c["announced_days"] == ["10-18"]


def test_years_and_url_date():
    c = link_cues("2013年4月に見つかった。令和5年度の事業で、24年に入ってから再び攻撃された。", "架空市")
    assert {2013, 2023, 2024} <= set(c["years"])
    assert url_date("https://news.example.jp/2023/12/19/article") == "2023-12-19"
    assert url_date("https://news.example.jp/articles/20241015-3045091") == "2024-10-15"
    assert url_date("https://news.example.jp/p/1086876868282057319") is None


# --------------------------------------------------------------------------- linking by each kind


def test_alias_links_the_abbreviation_to_the_full_name():
    a = rec(organization="宙空技術研究機構", disclosure_date="2024-03-01", incident_types=["unauthorized_access"])
    b = rec(organization="SKGK", aliases=["宙空技術研究機構"], incident_types=["unauthorized_access"],
            named_systems=["VPN"], url_date="2024-03-02")
    assert groups_of([a, b]) == {frozenset({0, 1})}


def test_joint_announcement_links_two_companies():
    a = rec(organization="株式会社そらまめ通信", co_organizations=["そらまめシステムズ"], affected_total=90000)
    b = rec(organization="そらまめシステムズ株式会社", mentioned_organizations=["そらまめ通信"], affected_total=90000)
    assert groups_of([a, b]) == {frozenset({0, 1})}


def test_news_without_date_joins_by_named_system_not_the_other_year():
    old = rec(organization="株式会社ゆうなぎ", url_date="2013-04-23", incident_types=["unauthorized_access"],
              named_systems=["きぼうノート"])
    new = rec(organization="株式会社ゆうなぎ", disclosure_date="2023-11-29", incident_types=["unauthorized_access"],
              years=[2023])
    later = rec(organization="株式会社ゆうなぎ", years=[2023, 2024], incident_types=["unauthorized_access"],
                named_systems=["M365", "VPN"])
    undated = rec(organization="株式会社ゆうなぎ", incident_types=["unauthorized_access"],
                  named_systems=["M365", "VPN"], notice_kind="news_report")
    assert groups_of([old, new, later, undated]) == {frozenset({0}), frozenset({1, 2, 3})}


def test_announced_day_links_news_to_the_notice():
    notice = rec(organization="株式会社ゆうなぎ", disclosure_date="2023-10-18", incident_types=["unauthorized_access"])
    news = rec(organization="株式会社ゆうなぎ", url_date="2023-10-20", announced_days=["10-18"],
               notice_kind="news_report", affected_total=127000)
    assert groups_of([notice, news]) == {frozenset({0, 1})}


def test_rounded_count_and_prefecture_form_link():
    a = rec(organization="兵庫県みどり市", disclosure_date="2022-06-23", incident_types=["loss"], affected_total=460517)
    b = rec(organization="みどり市", incident_types=["loss"], affected_total=460000, notice_kind="first_report")
    assert groups_of([a, b]) == {frozenset({0, 1})}
    assert link.org_relation(link.org_key("兵庫県みどり市"), link.org_key("みどり市")) == "generic"


def test_fuller_name_links_a_headline_name_to_the_company():
    a = rec(organization="ゆうなぎ計器株式会社", url_date="2024-10-09", incident_types=["ransomware"])
    b = rec(organization="ゆうなぎ", aliases=["ゆうなぎ計器"], incident_types=["ransomware"], notice_kind="final_report")
    assert groups_of([a, b]) == {frozenset({0, 1})}


def test_a_year_guessed_wrong_does_not_split_news_from_the_notice():
    notice = rec(organization="株式会社ゆうなぎ", disclosure_date="2023-10-18", incident_types=["unauthorized_access"])
    news = rec(organization="株式会社ゆうなぎ", disclosure_date="2022-10-18", url_date="2023-10-20",
               notice_kind="news_report", incident_types=["unauthorized_access"])
    later = rec(organization="株式会社ゆうなぎ", disclosure_date="2022-12-19", years=[2022, 2023],
                notice_kind="news_report", affected_total=9280000)
    first = rec(organization="株式会社ゆうなぎ", disclosure_date="2023-10-17", affected_total=9000000,
                counts=[{"value": 9280000, "unit": "件", "start": 0, "end": 1, "text": "x"}])
    assert groups_of([notice, news]) == {frozenset({0, 1})}
    assert groups_of([later, first]) == {frozenset({0, 1})}


# --------------------------------------------------------------------------- keep apart


def test_same_organisation_another_year_stays_apart():
    a = rec(organization="株式会社ゆうなぎ", disclosure_date="2023-10-18", incident_types=["unauthorized_access"],
            named_systems=["YuNagi.net"])
    b = rec(organization="株式会社ゆうなぎ", url_date="2024-10-15", incident_types=["ransomware"],
            named_systems=["YuNagi.net"], notice_kind="first_report")
    assert groups_of([a, b]) == {frozenset({0}), frozenset({1})}
    _, reasons = link.cluster_explained([a, b])
    assert any("days apart" in r for r in reasons[1])


def test_similar_names_of_two_bodies_stay_apart():
    a = rec(organization="架空港運協会", incident_types=["ransomware"])
    b = rec(organization="架空港管理組合", incident_types=["unauthorized_access"])
    assert groups_of([a, b]) == {frozenset({0}), frozenset({1})}


def test_vendor_and_customer_notices_stay_apart_in_one_vendor_group():
    vendor = rec(organization="株式会社くもま情報サービス", disclosure_date="2023-10-17", affected_total=9000000,
                 incident_types=["insider"])
    customer1 = rec(organization="架空県", vendors=["くもま情報サービス"], mentioned_organizations=["くもま情報サービス"],
                    affected_total=140000, incident_types=["insider"], url_date="2023-10-17")
    customer2 = rec(organization="架空市", vendors=["株式会社くもま情報 サービス"], affected_total=50000,
                    incident_types=["insider"], url_date="2023-10-18")
    recs = [vendor, customer1, customer2]
    groups = link.cluster(recs)
    assert len(groups) == 3
    incs = [{"id": str(i), **link.consolidate([recs[i] for i in g])} for i, g in enumerate(groups)]
    vg = link.vendor_groups(incs)
    assert set(vg[link.vendor_key("くもま情報サービス")]) == {"0", "1", "2"}


def test_customer_naming_its_vendor_does_not_link_even_with_the_same_total():
    vendor = rec(organization="株式会社くもま情報サービス", affected_total=140000, incident_types=["insider"])
    customer = rec(organization="架空県", vendors=["くもま情報サービス"], affected_total=140000,
                   incident_types=["insider"])
    assert len(link.cluster([vendor, customer])) == 2  # the vendor's notice does not name the customer


def test_vendor_listing_its_customer_still_stays_apart():
    vendor = rec(organization="株式会社くもま情報サービス", affected_total=140000, incident_types=["insider"],
                 mentioned_organizations=["架空県"])
    customer = rec(organization="架空県", vendors=["くもま情報サービス"], mentioned_organizations=["くもま情報サービス"],
                   affected_total=140000, incident_types=["insider"])
    assert len(link.cluster([vendor, customer])) == 2


def test_order_does_not_matter():
    import random

    recs = [
        rec(organization="株式会社ゆうなぎ", disclosure_date="2023-10-18", incident_types=["unauthorized_access"]),
        rec(organization="株式会社ゆうなぎ", url_date="2023-10-20", announced_days=["10-18"], notice_kind="news_report"),
        rec(organization="株式会社ゆうなぎ", url_date="2024-10-15", incident_types=["ransomware"]),
        rec(organization="株式会社ゆうなぎ", incident_types=["ransomware"], notice_kind="final_report"),
        rec(organization="みどり市", incident_types=["loss"], affected_total=460000),
        rec(organization="兵庫県みどり市", incident_types=["loss"], affected_total=460517, url_date="2022-06-23"),
    ]
    want = {frozenset(recs[i]["source"] for i in g) for g in link.cluster(recs)}
    for seed in range(6):
        shuffled = recs[:]
        random.Random(seed).shuffle(shuffled)
        assert {frozenset(shuffled[i]["source"] for i in g) for g in link.cluster(shuffled)} == want
