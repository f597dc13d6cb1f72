"""Which characters are kanji, kana and Japanese marks: the one definition every stage uses.

The constants are regular-expression character-class *contents*, to be put inside ``[...]``
(``rf"[{KANJI}{KATAKANA}]+"``); the functions answer the same question for one character.
Every test of "is this a name character" must come from here, so that a name holding
﨑 (U+FA11), 𠮷 (U+20BB7) or 㐂 (U+3402) is read like any other: ``[一-龥]`` (U+4E00–U+9FA5)
misses all three.

Ranges (Unicode 15.1):

* CJK Unified Ideographs U+4E00–U+9FFF and Extension A U+3400–U+4DBF;
* Extensions B–I, G and H and the compatibility supplement: U+20000–U+323AF (planes 2 and 3
  up to the end of Extension H; the gaps between blocks are unassigned and harmless);
* CJK Compatibility Ideographs U+F900–U+FAFF (﨑 U+FA11 and 12 others are unified ideographs
  that merely live there; NFKC maps the rest to their unified forms).

Marks that stand in a name or a word among kanji: 々 (repeat), 〆 (shime), 〇 (zero/maru),
〻 (vertical repeat), ヵ ヶ (small ka/ke, as in 三ヶ島), and the kana iteration marks ゝ ゞ ヽ ヾ.
"""

from __future__ import annotations

import re

# ------------------------------------------------------------------ ideographs
KANJI_RANGES: tuple[tuple[int, int], ...] = (
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x20000, 0x323AF),  # Extensions B–I, compatibility supplement (U+2F800–U+2FA1F), G, H
)
KANJI = "".join(f"{chr(a)}-{chr(b)}" for a, b in KANJI_RANGES)
"""Every CJK ideograph (unified, all extensions, compatibility), for use inside ``[...]``."""

# ------------------------------------------------------------------ marks and kana
ITERATION_MARKS = "々〻ゝゞヽヾ"
"""Repeat marks: 々 〻 after kanji, ゝ ゞ after hiragana, ヽ ヾ after katakana."""
KANJI_MARKS = "々〆〇〻ヵヶ"
"""Marks written among kanji in names and words (佐々木, 〆切, 〇〇町, 三ヶ島)."""
NAME_KANJI = KANJI + "々〆〇〻ヵヶゝゞヽヾ"
"""Kanji and every mark that stands among them in a name."""
HIRAGANA = "\u3041-\u3096\u309d\u309e"
"""ぁ–ゖ and the iteration marks ゝ ゞ."""
KATAKANA = "\u30a1-\u30fa\u30fc-\u30fe"
"""ァ–ヺ, the long-vowel mark ー and the iteration marks ヽ ヾ."""
JAPANESE = NAME_KANJI + HIRAGANA + KATAKANA
"""Any kanji, kana or mark above."""

_KANJI_CLASS = re.compile(f"[{KANJI}]")
_NAME_KANJI_CLASS = re.compile(f"[{NAME_KANJI}]")
_JAPANESE_CLASS = re.compile(f"[{JAPANESE}]")


def is_kanji(ch: str) -> bool:
    """True for one CJK ideograph (any block above); marks such as 々 are not ideographs."""
    return len(ch) == 1 and _KANJI_CLASS.match(ch) is not None


def is_name_kanji(ch: str) -> bool:
    """True for a kanji or a mark that stands among kanji in a name (々, 〆, 〇, ヶ …)."""
    return len(ch) == 1 and _NAME_KANJI_CLASS.match(ch) is not None


def is_japanese(ch: str) -> bool:
    """True for a kanji, a kana or one of the marks above."""
    return len(ch) == 1 and _JAPANESE_CLASS.match(ch) is not None
