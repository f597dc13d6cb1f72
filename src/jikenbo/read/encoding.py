"""Decoding text: BOMs, declared charsets, legacy Japanese codecs scored on their output."""

from __future__ import annotations

import codecs
import re

from jikenbo.read.base import ReadFailure, ReadOptions, log
from jikenbo.text.chars import is_kanji

_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_ALIASES = {  # names seen in the wild → the Python codec that decodes them best
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932", "ms_kanji": "cp932",
    "windows-31j": "cp932", "csshiftjis": "cp932", "ms932": "cp932", "cp932": "cp932",
    "euc-jp": "euc_jp", "euc_jp": "euc_jp", "x-euc-jp": "euc_jp", "eucjp": "euc_jp", "ujis": "euc_jp",
    "iso-2022-jp": "iso2022_jp", "csiso2022jp": "iso2022_jp", "jis": "iso2022_jp",
}
# Every Japanese codec charset_normalizer may name, and the canonical one we report.
_JAPANESE = {
    "cp932": "cp932", "shift_jis": "cp932", "shift_jis_2004": "cp932", "shift_jisx0213": "cp932",
    "euc_jp": "euc_jp", "euc_jis_2004": "euc_jp", "euc_jisx0213": "euc_jp",
    "iso2022_jp": "iso2022_jp", "iso2022_jp_1": "iso2022_jp", "iso2022_jp_2": "iso2022_jp",
    "iso2022_jp_2004": "iso2022_jp", "iso2022_jp_3": "iso2022_jp", "iso2022_jp_ext": "iso2022_jp",
}
# Fallbacks that decode more characters than the base codec (NEC, IBM, JIS X 0213 extensions).
_WIDER = {"cp932": ("cp932", "shift_jis_2004"), "euc_jp": ("euc_jp", "euc_jis_2004"),
          "iso2022_jp": ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_2004")}
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
_CONTROL = bytes(b for b in range(32) if b not in b"\t\n\r\x0c\x1b") + b"\x7f"


def _codec(name: str | None) -> str | None:
    """The Python codec for a declared charset name, or None if unknown."""
    if not name:
        return None
    key = name.strip().lower()
    if key in _ALIASES:
        return _ALIASES[key]
    try:
        return codecs.lookup(key).name
    except LookupError:
        return None


def _decode_text(
    data: bytes, source: str, hint: str | None, opts: ReadOptions, *, html: bool
) -> tuple[str, str]:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec), codec
            except UnicodeDecodeError as e:
                raise ReadFailure(source, f"invalid {codec.upper()} text after a byte-order mark") from e
    head = data[: opts.sniff_bytes]
    if _is_binary(head, opts):
        raise ReadFailure(source, "binary data, not a text document")
    if b"\x1b$" in head or b"\x1b(J" in head:
        for codec in _WIDER["iso2022_jp"]:
            try:
                return _strict(data, codec), "iso2022_jp"
            except UnicodeDecodeError:
                continue
    try:
        return _strict(data, "utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    hints = [hint]
    if html:
        declared = (_XML_ENCODING.search(head), _META_CHARSET.search(head))
        hints += [m.group(1).decode("ascii") for m in declared if m]
    for name in hints:
        codec = _codec(name)
        if codec is None or codec.startswith("utf-16") or codec.startswith("utf-32"):
            continue
        for wider in _WIDER.get(codec, (codec,)):
            try:
                return _strict(data, wider), codec
            except UnicodeDecodeError:
                continue
        log.debug("%s: declared charset %s does not decode the bytes", source, name)
    found = _guess_japanese(data, opts) or _guess_detector(data)
    if found is None:
        raise ReadFailure(source, "unknown text encoding (not UTF-8, Shift_JIS, EUC-JP or ISO-2022-JP)")
    return found


def _strict(data: bytes, codec: str) -> str:
    """Decode strictly, but forgive a multi-byte character cut off at the very end (a
    truncated file or download); raise ``UnicodeDecodeError`` otherwise."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as e:
        if e.start >= len(data) - 3 and e.end == len(data) and e.start > 0:
            return data[: e.start].decode(codec)
        raise


def _is_binary(head: bytes, opts: ReadOptions) -> bool:
    if b"\x00" in head:
        return True
    controls = len(head) - len(head.translate(None, _CONTROL))
    return controls > max(1, len(head) * opts.binary_control_ratio)


_JP_SYMBOLS = frozenset((0x2010, 0x2015, 0x2018, 0x2019, 0x201C, 0x201D, 0x2025, 0x2026, 0x203B, 0x2192,
                         0x25A0, 0x25A1, 0x25CB, 0x25CF, 0x25CE))


def _japanese_score(text: str) -> float:
    """Share of the non-ASCII characters that Japanese text is made of."""
    other = good = 0
    for ch in text:
        o = ord(ch)
        if o < 0x80:
            continue
        if (0x3040 <= o <= 0x30FF or 0x3000 <= o <= 0x303F or is_kanji(ch)
                or 0xFF01 <= o <= 0xFF5E or 0x2460 <= o <= 0x24FF or o in _JP_SYMBOLS):
            good += 1
        else:
            other += 1
    total = good + other
    return good / total if total else 0.0


def _guess_japanese(data: bytes, opts: ReadOptions) -> tuple[str, str] | None:
    """The legacy Japanese codec whose strict decoding looks most like Japanese text."""
    best: tuple[float, str, str] | None = None
    for codec in ("cp932", "euc_jp"):
        for wider in _WIDER[codec]:
            try:
                text = _strict(data, wider)
            except UnicodeDecodeError:
                continue
            score = _japanese_score(text[: opts.sniff_bytes])
            if best is None or score > best[0]:
                best = (score, text, codec)
            break
    if best is not None and best[0] >= opts.japanese_min_score:
        return best[1], best[2]
    return None


def _guess_detector(data: bytes) -> tuple[str, str] | None:
    """charset_normalizer's pick, preferring a Japanese codec among its candidates."""
    from charset_normalizer import from_bytes

    matches = list(from_bytes(data))
    if not matches:
        return None
    japanese = [m for m in matches if m.encoding in _JAPANESE]
    chosen = japanese[0] if japanese else matches[0]
    try:
        text = data.decode(chosen.encoding)
    except (UnicodeDecodeError, LookupError):
        text = str(chosen)
    return text, _JAPANESE.get(chosen.encoding, chosen.encoding)


# --------------------------------------------------------------------------- PDF
