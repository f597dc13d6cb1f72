from hypothesis import given, settings
from hypothesis import strategies as st

from jikenbo.text.normalize import nfkc, normalize


def test_fullwidth_digits_and_commas():
    n = normalize("１，２４９名")
    assert n.text == "1,249名"
    assert n.to_original(0, 5) == (0, 5)


def test_circled_digits_do_not_glue_to_numbers():
    assert nfkc("①1,000人") == "(1)1,000人"


def test_tilde_variants_survive():
    assert nfkc("2021年4月1日〜2024年5月14日") == "2021年4月1日~2024年5月14日"
    assert nfkc("4月24日～25日") == "4月24日~25日"


def test_halfwidth_katakana_with_dakuten_composes():
    n = normalize("ｶﾞｽ会社")
    assert n.text == "ガス会社"
    assert n.to_original(0, 1) == (0, 2)  # ガ came from two half-width characters


def test_crlf_dropped_and_offsets_kept():
    src = "A\r\nＢ\r\n"
    n = normalize(src)
    assert n.text == "A\nB\n"
    s, e = n.to_original(2, 3)
    assert src[s:e] == "Ｂ"


def test_ideographic_space():
    assert nfkc("株式会社\u3000ＰＲ　ＴＩＭＥＳ") == "株式会社 PR TIMES"


@given(st.text())
def test_offset_map_is_total_and_monotonic(s):
    n = normalize(s)
    assert len(n.origin) == len(n.text) + 1
    assert list(n.origin) == sorted(n.origin)
    for i in range(len(n.text)):
        a, b = n.to_original(i, i + 1)
        assert 0 <= a < b <= len(s)


_TRICKY = [*"aＡ１ｱｶﾞﾊﾟﾞﾟ゛かカ漢。、「〜～〰①⑳❶\r\n \u3000\u00a0‐－…㈱", "\u0301", "\u3099", "\ufb01", "\U0001F600"]


@given(st.text(alphabet=st.sampled_from(_TRICKY), max_size=40))
@settings(max_examples=400, deadline=None)
def test_nfkc_is_the_text_of_normalize(text):
    """nfkc builds no offset map (the crawl prefilter runs it on whole pages) but gives the same
    text as normalize, combining marks and dropped characters included."""
    assert nfkc(text) == normalize(text).text
