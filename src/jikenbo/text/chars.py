"""Which characters can stand in a Japanese name: one definition for every stage.

Each constant is the body of a regex character class (use it inside ``[...]``). Kanji cover
the CJK Unified Ideographs with every extension, the compatibility ideographs and the marks
written inside names (々 〆 〇 ヵ ヶ); kana cover the iteration marks (ゝゞヽヾ), so
株式会社山﨑製作所, 株式会社𠮷野家, 㐂久屋 and 東北海道いすゞ自動車 are names like any other.
"""

from __future__ import annotations

import re

# CJK Unified Ideographs (U+4E00-9FFF), Extension A (U+3400-4DBF), Extensions B-H
# (U+20000-3134F), compatibility ideographs (U+F900-FAFF, U+2F800-2FA1F) and the marks.
KANJI = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f\U0002f800-\U0002fa1f々〆〇ヵヶ〻"
HIRAGANA = "ぁ-ゖゝゞ"
KATAKANA = "ァ-ヺーヽヾㇰ-ㇿ"
LATIN = "A-Za-z0-9"
JAPANESE = KANJI + HIRAGANA + KATAKANA

_KANJI_RE = re.compile(f"[{KANJI}]")
_JAPANESE_RE = re.compile(f"[{JAPANESE}]")


def is_kanji(ch: str) -> bool:
    return bool(_KANJI_RE.fullmatch(ch))


def is_japanese(ch: str) -> bool:
    return bool(_JAPANESE_RE.fullmatch(ch))
