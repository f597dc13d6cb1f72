import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jikenbo.text.dates import DateMatch, find_dates, parse_date
from jikenbo.text.normalize import nfkc

D = dt.date
ANCHOR = D(2025, 3, 10)


def one(text, anchor=ANCHOR):
    found = find_dates(nfkc(text), anchor)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("text", "date", "precision", "match"),
    [
        # 西暦
        ("2025年7月14日に発覚", D(2025, 7, 14), "day", "2025年7月14日"),
        ("２０２５年７月１４日", D(2025, 7, 14), "day", "2025年7月14日"),
        ("2025 年 7 月 14 日", D(2025, 7, 14), "day", "2025 年 7 月 14 日"),
        ("2025/7/14", D(2025, 7, 14), "day", "2025/7/14"),
        ("2025/07/04", D(2025, 7, 4), "day", "2025/07/04"),
        ("2025-07-04", D(2025, 7, 4), "day", "2025-07-04"),
        ("2025.7.4", D(2025, 7, 4), "day", "2025.7.4"),
        # 和暦
        ("令和7年2月3日", D(2025, 2, 3), "day", "令和7年2月3日"),
        ("令和 7 年 2 月 3 日", D(2025, 2, 3), "day", "令和 7 年 2 月 3 日"),
        ("令和元年7月1日", D(2019, 7, 1), "day", "令和元年7月1日"),
        ("平成30年12月25日", D(2018, 12, 25), "day", "平成30年12月25日"),
        ("平成31年4月30日", D(2019, 4, 30), "day", "平成31年4月30日"),
        ("昭和63年1月7日", D(1988, 1, 7), "day", "昭和63年1月7日"),
        ("令和七年二月三日", D(2025, 2, 3), "day", "令和七年二月三日"),
        ("令和六年十二月二十一日", D(2024, 12, 21), "day", "令和六年十二月二十一日"),
        ("R7.2.3", D(2025, 2, 3), "day", "R7.2.3"),
        ("H29.10.1", D(2017, 10, 1), "day", "H29.10.1"),
        ("R6/11/7", D(2024, 11, 7), "day", "R6/11/7"),
        ("R6年11月7日", D(2024, 11, 7), "day", "R6年11月7日"),
        # the other calendar in parentheses: one date
        ("令和4年(2022年)8月31日", D(2022, 8, 31), "day", "令和4年(2022年)8月31日"),
        ("2022年(令和4年)8月31日", D(2022, 8, 31), "day", "2022年(令和4年)8月31日"),
        ("令和4(2022)年8月31日", D(2022, 8, 31), "day", "令和4(2022)年8月31日"),
        ("平成20年(2008年)3月", D(2008, 3, 1), "month", "平成20年(2008年)3月"),
        # weekdays are part of the date; times after it are not
        ("2025年7月14日(月)", D(2025, 7, 14), "day", "2025年7月14日(月)"),
        ("2025年7月18日(金曜日)に", D(2025, 7, 18), "day", "2025年7月18日(金曜日)"),
        ("2025年7月21日(月・祝)", D(2025, 7, 21), "day", "2025年7月21日(月・祝)"),
        ("2025年7月14日 15時頃", D(2025, 7, 14), "day", "2025年7月14日"),
        ("2025年7月14日9時45分に", D(2025, 7, 14), "day", "2025年7月14日"),
        ("2025年7月14日(月)午前10時頃", D(2025, 7, 14), "day", "2025年7月14日(月)"),
        ("2025/7/14 11:00", D(2025, 7, 14), "day", "2025/7/14"),
        # month and year precision
        ("令和6年9月", D(2024, 9, 1), "month", "令和6年9月"),
        ("2024年11月", D(2024, 11, 1), "month", "2024年11月"),
        ("2021年に", D(2021, 1, 1), "year", "2021年"),
        ("2021年度から", D(2021, 1, 1), "year", "2021年"),
        ("令和3年度", D(2021, 1, 1), "year", "令和3年"),
        ("2021年頃から", D(2021, 1, 1), "year", "2021年頃"),
        # approximate
        ("2024年9月上旬", D(2024, 9, 5), "approximate", "2024年9月上旬"),
        ("2024年9月初旬", D(2024, 9, 5), "approximate", "2024年9月初旬"),
        ("2024年9月中旬", D(2024, 9, 15), "approximate", "2024年9月中旬"),
        ("2024年9月下旬", D(2024, 9, 25), "approximate", "2024年9月下旬"),
        ("2024年9月末", D(2024, 9, 30), "approximate", "2024年9月末"),
        ("2024年2月末頃", D(2024, 2, 29), "approximate", "2024年2月末頃"),
        ("2024年9月頃", D(2024, 9, 15), "approximate", "2024年9月頃"),
        ("2024年9月ごろ", D(2024, 9, 15), "approximate", "2024年9月ごろ"),
        ("2024年9月初め", D(2024, 9, 5), "approximate", "2024年9月初め"),
        ("2024年9月前半", D(2024, 9, 10), "approximate", "2024年9月前半"),
        ("2024年9月後半", D(2024, 9, 20), "approximate", "2024年9月後半"),
        ("2024年9月9日頃", D(2024, 9, 9), "approximate", "2024年9月9日頃"),
        ("2024年末", D(2024, 12, 31), "approximate", "2024年末"),
        ("2024年末頃から", D(2024, 12, 31), "approximate", "2024年末頃"),
        ("2025年明け", D(2025, 1, 10), "approximate", "2025年明け"),
        ("2024年前半", D(2024, 4, 1), "approximate", "2024年前半"),
        ("2024年後半", D(2024, 10, 1), "approximate", "2024年後半"),
    ],
)
def test_single_dates(text, date, precision, match):
    m = one(text)
    assert (m.date, m.precision, m.text) == (date, precision, match)
    assert m.has_year
    assert m.end_date is None
    assert not m.relative


@pytest.mark.parametrize(
    ("text", "start", "end", "match"),
    [
        ("2月10日~11日に", D(2025, 2, 10), D(2025, 2, 11), "2月10日~11日"),
        ("2月3日~4日", D(2025, 2, 3), D(2025, 2, 4), "2月3日~4日"),
        ("2月27日~3月2日", D(2025, 2, 27), D(2025, 3, 2), "2月27日~3月2日"),
        ("2019年10月1日~2024年6月30日", D(2019, 10, 1), D(2024, 6, 30), "2019年10月1日~2024年6月30日"),
        ("2019年10月1日〜2024年6月30日", D(2019, 10, 1), D(2024, 6, 30), "2019年10月1日~2024年6月30日"),
        (
            "2024年5月8日(水)~2024年11月5日(火)",
            D(2024, 5, 8), D(2024, 11, 5), "2024年5月8日(水)~2024年11月5日(火)",
        ),
        ("2024 年 5 月 8 日 ~ 2024 年 6 月 1 日", D(2024, 5, 8), D(2024, 6, 1),
         "2024 年 5 月 8 日 ~ 2024 年 6 月 1 日"),
        ("2024年12月28日~1月4日", D(2024, 12, 28), D(2025, 1, 4), "2024年12月28日~1月4日"),
        ("2024年6月1日から2024年7月31日まで", D(2024, 6, 1), D(2024, 7, 31), "2024年6月1日から2024年7月31日"),
        ("2024年6月1日深夜から6月2日早朝にかけて", D(2024, 6, 1), D(2024, 6, 2), "2024年6月1日深夜から6月2日"),
        ("2024年6月1日10時~2024年6月2日", D(2024, 6, 1), D(2024, 6, 2), "2024年6月1日10時~2024年6月2日"),
        ("2018年4月~2020年3月", D(2018, 4, 1), D(2020, 3, 1), "2018年4月~2020年3月"),
        ("令和6年4・5月分", D(2024, 4, 1), D(2024, 5, 1), "令和6年4・5月"),
    ],
)
def test_ranges(text, start, end, match):
    m = one(text)
    assert (m.date, m.end_date, m.text) == (start, end, match)


def test_time_range_is_not_a_date_range():
    m = one("2024年6月1日13時30分~17時09分")
    assert m.text == "2024年6月1日"
    assert m.end_date is None


def test_kara_without_made_is_not_a_range():
    found = find_dates("2024年6月1日から2024年7月31日に延長", ANCHOR)
    assert [f.text for f in found] == ["2024年6月1日", "2024年7月31日"]


@pytest.mark.parametrize(
    ("text", "anchor", "date", "has_year"),
    [
        ("7月2日に", D(2025, 8, 1), D(2025, 7, 2), False),
        ("12月28日に", D(2025, 1, 9), D(2024, 12, 28), False),  # rollover
        ("1月9日に", D(2025, 1, 9), D(2025, 1, 9), False),
        ("12月下旬", D(2025, 1, 9), D(2024, 12, 25), False),
        ("12月", D(2025, 1, 9), D(2024, 12, 1), False),
        ("9 月 19 日(火)", D(2023, 10, 2), D(2023, 9, 19), False),
        ("二〇二三年五月三日", None, D(2023, 5, 3), True),
    ],
)
def test_year_from_anchor(text, anchor, date, has_year):
    m = one(text, anchor)
    assert (m.date, m.has_year) == (date, has_year)


def test_year_from_preceding_date():
    text = "2023年11月2日に発覚し、11月5日に報告、11月8日に公表"
    found = find_dates(text, D(2024, 2, 1))
    assert [f.date for f in found] == [D(2023, 11, 2), D(2023, 11, 5), D(2023, 11, 8)]
    assert [f.has_year for f in found] == [True, False, False]


def test_no_year_and_no_anchor_is_not_returned():
    assert find_dates("7月2日に発覚") == []
    assert parse_date("7月2日") is None


def test_relative_forms():
    text = (
        "2025年3月3日(月)に検知し、同日中に遮断。翌日、警察に相談。同10日に報告、"
        "同年4月2日に公表、同4月9日に再発、翌4月10日に復旧。同月15日、翌月1日、翌年2月"
    )
    found = find_dates(text)
    got = [(f.text, f.date, f.relative) for f in found]
    assert got == [
        ("2025年3月3日(月)", D(2025, 3, 3), False),
        ("同日", D(2025, 3, 3), True),
        ("翌日", D(2025, 3, 4), True),
        ("同10日", D(2025, 3, 10), True),
        ("同年4月2日", D(2025, 4, 2), True),
        ("同4月9日", D(2025, 4, 9), True),
        ("翌4月10日", D(2025, 4, 10), True),
        ("同月15日", D(2025, 4, 15), True),
        ("翌月1日", D(2025, 5, 1), True),
        ("翌年2月", D(2026, 2, 1), True),
    ]


def test_relative_without_previous_date_is_dropped():
    assert find_dates("同日に公表しました", ANCHOR) == []


def test_last_year_from_anchor():
    m = one("昨年11月", D(2025, 2, 1))
    assert (m.date, m.precision, m.relative) == (D(2024, 11, 1), "month", True)


@pytest.mark.parametrize(
    "text",
    [
        "1,249名",
        "対象は8,117件",
        "v3.2.1",
        "version 2024.1.15",
        "03-1234-5678",
        "#2024-184",
        "2024-184",
        "6.1%",
        "5/5件",
        "10/12",
        "2025年2月30日",
        "2025年13月1日",
        "2025/13/01",
        "平成15年法律第57号",
        "2021年間",
        "20年前",
        "3日間",
        "https://example.jp/2024/06/01/x",
        "22023年6月6日",
        "1990年生まれ",
        "(1) 概要",
    ],
)
def test_not_dates(text):
    assert find_dates(nfkc(text), ANCHOR) == []


def test_several_dates_in_order():
    text = nfkc("令和6年(2024年)3月7日(木)に判明、同年3月8日に報告。2024/3/15 公表。")
    found = find_dates(text)
    assert [f.date for f in found] == [D(2024, 3, 7), D(2024, 3, 8), D(2024, 3, 15)]
    for f in found:
        assert text[f.start:f.end] == f.text


def test_parse_date_returns_first():
    m = parse_date("公表日: 2025年1月20日、更新: 2025年1月22日")
    assert isinstance(m, DateMatch)
    assert m.date == D(2025, 1, 20)


_ALPHABET = st.sampled_from(
    list("0123456789年月日同翌令和平成元R.H/-~()上中下旬末頃 、時分:火曜から~まで十一二三٣²")
)


@given(st.text(_ALPHABET, max_size=50), st.none() | st.dates(D(1990, 1, 1), D(2030, 12, 31)))
def test_dates_never_raise_and_spans_match(text, anchor):
    for m in find_dates(text, anchor):
        assert text[m.start:m.end] == m.text
        assert m.precision in ("day", "month", "year", "approximate")
        if m.end_date is not None:
            assert m.end_date >= m.date


@given(st.text())
def test_dates_any_text(text):
    for m in find_dates(text, D(2024, 6, 1)):
        assert text[m.start:m.end] == m.text


@given(st.dates(D(1990, 1, 1), D(2099, 12, 31)))
def test_roundtrip_all_numeric_forms(d):
    for text in (f"{d.year}年{d.month}月{d.day}日", f"{d.year}/{d.month:02d}/{d.day:02d}",
                 f"{d.year}-{d.month:02d}-{d.day:02d}", f"{d.year}.{d.month}.{d.day}"):
        m = parse_date(text)
        assert m is not None and m.date == d and m.text == text


def test_date_after_a_label_colon():
    """「掲載日：2025年3月10日」: a year cannot be a time, so a colon before it is fine."""
    [d] = find_dates(nfkc("掲載日：2025年3月10日"))
    assert d.date == dt.date(2025, 3, 10)
    assert find_dates("10:30から") == []


def test_year_less_month_slash_day_before_a_particle():
    import datetime as dt

    from jikenbo.text.dates import find_dates

    got = [(d.date.isoformat(), d.has_year) for d in find_dates("同大にて2/25から教職員をかたるメールを確認。", dt.date(2022, 3, 10))]
    assert got == [("2022-02-25", False)]
    assert find_dates("職員の1/3が在宅勤務") == []  # a fraction, not a date
    assert find_dates("24/7で対応") == []
