import pytest
from hypothesis import given
from hypothesis import strategies as st

from jikenbo.text.normalize import nfkc
from jikenbo.text.numbers import (
    find_numbers,
    find_quantities,
    parse_number,
    qualifier_kind,
    unit_kind,
)


@pytest.mark.parametrize(
    ("s", "value"),
    [
        ("12", 12),
        ("0", 0),
        ("1,249", 1249),
        ("12,345,678", 12345678),
        ("50万4012", 504012),
        ("3万7,210", 37210),
        ("4.5万", 45000),
        ("1.25万", 12500),
        ("2億3000万", 230000000),
        ("1億", 100000000),
        ("3千", 3000),
        ("7千500", 7500),
        ("二千八百", 2800),
        ("四万", 40000),
        ("十二", 12),
        ("三百十五", 315),
        ("六万五千", 65000),
        ("一〇五", 105),
        ("二億五千万", 250000000),
        ("8 万", 80000),
    ],
)
def test_parse_number(s, value):
    assert parse_number(s) == value


@pytest.mark.parametrize(
    "s", ["", "abc", "1.5", "1,23", "1,2345", "12,34,567", "万", "3万2億", "五百三千", "1,000円"]
)
def test_parse_number_rejects(s):
    assert parse_number(s) is None


def test_parse_number_after_nfkc():
    assert parse_number(nfkc("７，８０１")) == 7801


def nums(text):
    return [(m.text, m.value) for m in find_numbers(text)]


def quants(text):
    return [(q.text, q.value, q.unit, q.qualifier) for q in find_quantities(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("会員8,117名の情報", [("8,117", 8117)]),
        ("対象は41名、772名です", [("41", 41), ("772", 772)]),
        ("合計 3,001件", [("3,001", 3001)]),
        ("約60万件", [("60万", 600000)]),
        ("およそ二千件", [("二千", 2000)]),
        ("4.8万件", [("4.8万", 48000)]),
        ("被害額は7200万円", [("7200万", 72000000)]),
        ("比率は30%", [("30", 30)]),
        # commas join only proper groups of three; 、 never joins
        ("5,10,15番", [("5", 5), ("10", 10), ("15", 15)]),
    ],
)
def test_find_numbers(text, expected):
    assert nums(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2025年8月19日に公表",
        "2025 年 8 月 19 日",
        "14時45分頃",
        "午前9時",
        "受付 10:30~17:00",
        "電話 06-6123-4567 まで",
        "〒530-0001 大阪市",
        "version 2.4.10 を適用",
        "v2.4.10",
        "管理番号 #2025-077",
        "管理番号 2025-077",
        "令和7年",
        "令和七年",
        "(1) 概要",
        "(12)経緯",
        "1. 経緯\n2. 対応",
        "https://example.jp/news/2025/0819/123.html",
        "info2025@example.jp",
        "第2報",
        "平成15年法律第57号",
        "比率は6.1%",
        "3/4件",
        "COVID-19",
        "Windows11",
        "統一して、一部の、同一の",
        "十分に確認し",
        "数百件",
        "2025/8/19",
        "2025.8.19",
        "R7.8.19",
        "3日間",
        "6ヶ月",
        "0120-000-000",
    ],
)
def test_not_numbers(text):
    assert nums(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,249名", [("1,249名", 1249, "名", None)]),
        ("お客様 7,520 名", [("7,520 名", 7520, "名", None)]),
        ("最大で3万1200件", [("最大で3万1200件", 31200, "件", "最大")]),
        ("最大4万件", [("最大4万件", 40000, "件", "最大")]),
        ("約12万人", [("約12万人", 120000, "人", "約")]),
        ("およそ500名", [("およそ500名", 500, "名", "およそ")]),
        ("計12件", [("計12件", 12, "件", "計")]),
        ("合計 807名", [("合計 807名", 807, "名", "合計")]),
        ("総計1,000件", [("総計1,000件", 1000, "件", "総計")]),
        ("累計52件", [("累計52件", 52, "件", "累計")]),
        ("延べ300名", [("延べ300名", 300, "名", "延べ")]),
        ("のべ41本", [("のべ41本", 41, "本", "のべ")]),
        ("少なくとも9件", [("少なくとも9件", 9, "件", "少なくとも")]),
        ("40万件超", [("40万件超", 400000, "件", "超")]),
        ("300名以上", [("300名以上", 300, "名", "以上")]),
        ("2000件余り", [("2000件余り", 2000, "件", "余り")]),
        ("2000件余", [("2000件余", 2000, "件", "余")]),
        ("1万件強", [("1万件強", 10000, "件", "強")]),
        ("1万件弱", [("1万件弱", 10000, "件", "弱")]),
        ("50件程度", [("50件程度", 50, "件", "程度")]),
        ("80名前後", [("80名前後", 80, "名", "前後")]),
        ("1万件を超える", [("1万件を超える", 10000, "件", "超える")]),
        ("1万件超え", [("1万件超え", 10000, "件", "超え")]),
        ("30万超の個人情報", [("30万超", 300000, None, "超")]),
        ("送信メール3通", [("3通", 3, "通", None)]),
        ("帳票12枚", [("12枚", 12, "枚", None)]),
        ("8アカウント", [("8アカウント", 8, "アカウント", None)]),
        ("取引先14社", [("14社", 14, "社", None)]),
        ("3団体", [("3団体", 3, "団体", None)]),
        ("25世帯", [("25世帯", 25, "世帯", None)]),
        ("PC2台", [("2台", 2, "台", None)]),
        ("4校", [("4校", 4, "校", None)]),
        ("11店舗", [("11店舗", 11, "店舗", None)]),
        ("3カ所", [("3カ所", 3, "カ所", None)]),
        ("3か所", [("3か所", 3, "カ所", None)]),
        ("2箇所", [("2箇所", 2, "カ所", None)]),
        ("4,410件分", [("4,410件分", 4410, "件", None)]),
        ("12名様", [("12名様", 12, "名", None)]),
        ("60人分", [("60人分", 60, "人", None)]),
        ("7名分", [("7名分", 7, "名", None)]),
        ("五百人", [("五百人", 500, "人", None)]),
        ("一件", [("一件", 1, "件", None)]),
        ("4.8万件", [("4.8万件", 48000, "件", None)]),
        ("そのうち15名", [("うち15名", 15, "名", "うち")]),
        # separate per-category counts stay separate
        (
            "法人会員13万2207件、個人会員4万118件",
            [("13万2207件", 132207, "件", None), ("4万118件", 40118, "件", None)],
        ),
        ("820社1,190件", [("820社", 820, "社", None), ("1,190件", 1190, "件", None)]),
        ("(1)3,000人", [("3,000人", 3000, "人", None)]),
    ],
)
def test_find_quantities(text, expected):
    assert quants(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2025年8月19日",
        "契約3社目",  # 契約 is not 約; 社目 is fine but no qualifier confusion
        "設計12名",
        "7200万円",
        "計4回",
        "約30%",
        "社員名簿",
        "3名簿",
        "10時30分",
        "第3者",
        "3本日",
        "06-6123-4567件",
    ],
)
def test_quantity_false_positives(text):
    q = quants(text)
    if text == "契約3社目":
        assert q == [("3社", 3, "社", None)]
    elif text == "設計12名":
        assert q == [("12名", 12, "名", None)]
    else:
        assert q == []


def test_quantity_offsets_index_text():
    text = nfkc("個人情報は最大で９０万１６０３件あり、うち法人ユーザーが２２万７０２３件。")
    qs = find_quantities(text)
    assert [q.value for q in qs] == [901603, 227023]
    for q in qs:
        assert text[q.start:q.end] == q.text


def test_kinds():
    assert unit_kind("名") == "people"
    assert unit_kind("件") == "records"
    assert unit_kind("社") == "organizations"
    assert unit_kind(None) is None
    assert qualifier_kind("最大") == "max"
    assert qualifier_kind("約") == "approx"
    assert qualifier_kind("超") == "at_least"
    assert qualifier_kind("計") == "total"


_ALPHABET = st.sampled_from(
    list("0123456789,.万億千百十一二三四五件名人約計超以上年月日時分-/:#()~ 、\nabc第٣²")
)


@given(st.text(_ALPHABET, max_size=60))
def test_numbers_never_raise_and_spans_match(text):
    for m in find_numbers(text):
        assert text[m.start:m.end] == m.text
        assert isinstance(m.value, int)
    for q in find_quantities(text):
        assert text[q.start:q.end] == q.text
        assert isinstance(q.value, int)


@given(st.text())
def test_numbers_any_text(text):
    for m in find_numbers(text):
        assert text[m.start:m.end] == m.text
    for q in find_quantities(text):
        assert text[q.start:q.end] == q.text


@given(st.integers(min_value=0, max_value=10**12))
def test_roundtrip_commas(n):
    assert parse_number(f"{n:,}") == n
    assert [m.value for m in find_numbers(f"計{n:,}件")] == [n]
