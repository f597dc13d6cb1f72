"""jikenbo.text.chars: one definition of kanji, kana and name marks, over the full ranges."""

import itertools
import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jikenbo.text import chars
from jikenbo.text.chars import HIRAGANA, IDEOGRAPH_RANGES, IDEOGRAPHS, JAPANESE, KANJI, KATAKANA

# Code points drawn from every block: unified, Extension A, B…H, both compatibility blocks.
BLOCKS = [(0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF), (0x2A700, 0x2B73F),
          (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF), (0x2CEB0, 0x2EBEF), (0x30000, 0x3134F),
          (0x31350, 0x323AF), (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)]
ideograph = st.sampled_from(BLOCKS).flatmap(lambda ab: st.integers(*ab)).map(chr)
mark = st.sampled_from(list(chars.KANJI_MARKS))
kana = st.sampled_from(list("あゝゞアヽヾーㇷ"))
NAME_RE = re.compile(f"[{KANJI}]+")


@given(st.lists(st.one_of(ideograph, ideograph, mark), min_size=1, max_size=8))
def test_names_from_the_full_ranges_are_kanji(parts: list[str]) -> None:
    name = "".join(parts)
    assert NAME_RE.fullmatch(name)
    assert re.fullmatch(f"株式会社[{KANJI}]+製作所", f"株式会社{name}製作所")
    assert all(chars.is_kanji(c) and chars.is_japanese(c) for c in name)


@given(st.lists(st.one_of(ideograph, mark, kana), min_size=1, max_size=8))
def test_names_mixing_kanji_and_kana_are_japanese(parts: list[str]) -> None:
    assert re.fullmatch(f"[{JAPANESE}]+", "".join(parts))


@given(ideograph)
def test_every_ideograph_is_an_ideograph_and_kanji(ch: str) -> None:
    assert chars.is_ideograph(ch) and chars.is_kanji(ch)
    assert re.fullmatch(f"[{IDEOGRAPHS}]", ch)


@pytest.mark.parametrize("name", ["山﨑製作所", "𠮷野家", "㐂久屋", "〇〇町", "佐々木", "三ヶ島", "いすゞ", "〆張鶴"])
def test_the_names_that_were_dropped_match(name: str) -> None:
    assert re.fullmatch(f"[{JAPANESE}]+", name)


@pytest.mark.parametrize("ch", [*"あアa1、。「」・ー（ ①", "\u3000", "\ue000", "\U00010000"])
def test_kana_punctuation_and_others_are_not_kanji(ch: str) -> None:
    assert not chars.is_kanji(ch)
    assert not re.fullmatch(f"[{KANJI}]", ch)


@pytest.mark.parametrize("ch", list("々〆〇ヵヶ〻"))
def test_marks_are_kanji_but_not_ideographs(ch: str) -> None:
    assert chars.is_kanji(ch)
    assert not chars.is_ideograph(ch)


def test_kana_classes() -> None:
    assert re.fullmatch(f"[{HIRAGANA}]+", "ぁあゖゝゞ")
    assert re.fullmatch(f"[{KATAKANA}]+", "ァヴヺーヽヾㇰㇿ")
    assert not re.search(f"[{HIRAGANA}{KATAKANA}]", "漢字・、")


def test_every_ideograph_the_unicode_database_names_is_covered() -> None:
    # Python's Unicode database names each ideograph "CJK UNIFIED IDEOGRAPH-…" or
    # "CJK COMPATIBILITY IDEOGRAPH-…"; the ranges must hold all of them and nothing else named.
    for a, b in ((0x3000, 0xFFFF), (0x20000, 0x323AF)):
        for cp in range(a, b + 1):
            name = unicodedata.name(chr(cp), "")
            if name.startswith(("CJK UNIFIED IDEOGRAPH-", "CJK COMPATIBILITY IDEOGRAPH-")):
                assert chars.is_ideograph(chr(cp)), hex(cp)
            elif name:
                assert not chars.is_ideograph(chr(cp)), (hex(cp), name)


def test_ranges_are_ordered_and_disjoint() -> None:
    for (a, b), (c, _d) in itertools.pairwise(IDEOGRAPH_RANGES):
        assert a <= b < c


@pytest.mark.parametrize("ch", ["", "山﨑"])
def test_functions_take_one_character(ch: str) -> None:
    assert not chars.is_ideograph(ch)
    assert not chars.is_kanji(ch)
    assert not chars.is_japanese(ch)
