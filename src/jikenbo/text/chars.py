"""Which characters can stand in a Japanese name: one definition for every stage.

Each constant is the body of a regex character class (use it inside ``[...]``). Kanji cover
the CJK Unified Ideographs with every extension, the compatibility ideographs and the marks
written inside names (々 〆 〇 ヵ ヶ 〻); kana cover the iteration marks (ゝゞヽヾ), so
株式会社山﨑製作所, 株式会社𠮷野家, 㐂久屋 and 東北海道いすゞ自動車 are names like any other.
``[一-龥]`` (U+4E00–U+9FA5) misses 﨑 (U+FA11), 𠮷 (U+20BB7) and 㐂 (U+3402).

Ideograph ranges (``IDEOGRAPH_RANGES``):

* CJK Unified Ideographs U+4E00–U+9FFF and Extension A U+3400–U+4DBF;
* CJK Compatibility Ideographs U+F900–U+FAFF (﨑 U+FA11 and 11 others are unified ideographs
  that live there; NFKC maps the rest to their unified forms);
* Extensions B–I, the compatibility supplement (U+2F800–U+2FA1F), G and H: U+20000–U+323AF
  (the gaps between the blocks are unassigned and harmless).
"""

from __future__ import annotations

import re

IDEOGRAPH_RANGES: tuple[tuple[int, int], ...] = (
    (0x3400, 0x4DBF),  # Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0x20000, 0x323AF),  # Extensions B–I, compatibility supplement U+2F800–U+2FA1F, G, H
)
IDEOGRAPHS = "".join(f"{chr(a)}-{chr(b)}" for a, b in IDEOGRAPH_RANGES)
"""Every CJK ideograph (unified, all extensions, compatibility), and nothing else."""
KANJI_MARKS = "々〆〇ヵヶ〻"
"""Marks written among kanji in names and words (佐々木, 〆切, 〇〇町, 三ヶ島)."""
ITERATION_MARKS = "々〻ゝゞヽヾ"
"""Repeat marks: 々 〻 after kanji, ゝ ゞ after hiragana, ヽ ヾ after katakana."""

KANJI = IDEOGRAPHS + KANJI_MARKS
"""Kanji and the marks that stand among them in a name."""
HIRAGANA = "ぁ-ゖゝゞ"
"""ぁ–ゖ and the iteration marks ゝ ゞ."""
KATAKANA = "ァ-ヺーヽヾㇰ-ㇿ"
"""ァ–ヺ, the long-vowel mark, the iteration marks ヽ ヾ and the small katakana ㇰ–ㇿ."""
LATIN = "A-Za-z0-9"
JAPANESE = KANJI + HIRAGANA + KATAKANA
"""Any kanji, kana or mark above."""

_IDEOGRAPH_RE = re.compile(f"[{IDEOGRAPHS}]")
_KANJI_RE = re.compile(f"[{KANJI}]")
_JAPANESE_RE = re.compile(f"[{JAPANESE}]")


def is_ideograph(ch: str) -> bool:
    """True for one CJK ideograph of any block above (々 and the other marks are not)."""
    return bool(_IDEOGRAPH_RE.fullmatch(ch))


def is_kanji(ch: str) -> bool:
    """True for one ideograph or one of the marks written among kanji (々 〆 〇 ヵ ヶ 〻)."""
    return bool(_KANJI_RE.fullmatch(ch))


def is_japanese(ch: str) -> bool:
    """True for one kanji, kana or mark above."""
    return bool(_JAPANESE_RE.fullmatch(ch))
