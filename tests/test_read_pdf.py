"""PDF reading by PDFium: vertical columns in reading order, unreadable text refused, titles."""

from __future__ import annotations

import io
import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import pdfmake
from jikenbo.read import ReadFailure, decode_bytes
from jikenbo.read.pdflayout import Char, build_lines, layout, vertical_share

ROOT = Path(__file__).resolve().parents[1]
JO = ROOT.parent / "shared" / "corpus" / "pdf" / "jo.pdf"

# A fictional vertical notice in two tiers (段), read right to left, the upper tier first.
TIERS = [
    ["お客様各位", "個人情報の漏えいに関するお詫び", "株式会社ゆうづき書店", "このたび当店の通販サイトに"],
    ["不正アクセスがありました", "お客様の氏名が漏えいした", "可能性がございます"],
]
IN_ORDER = [col for tier in TIERS for col in tier]


def read(data: bytes, source: str = "t.pdf"):
    return decode_bytes(data, source, "application/pdf")


def positions(text: str, parts: list[str]) -> list[int]:
    found = [text.find(p) for p in parts]
    assert -1 not in found, (parts, text)
    return found


# ---------------------------------------------------------------- vertical text


def test_vertical_columns_come_right_to_left_and_tiers_top_down() -> None:
    doc = read(pdfmake.pdf(pdfmake.columns(TIERS)))
    lines = [ln for ln in doc.text.splitlines() if ln]
    assert lines == IN_ORDER


def test_vertical_text_on_a_landscape_page() -> None:
    doc = read(pdfmake.landscape_columns(TIERS))
    assert [ln for ln in doc.text.splitlines() if ln] == IN_ORDER


def test_horizontal_heading_above_columns_and_an_empty_column_as_a_paragraph_break() -> None:
    doc = read(pdfmake.pdf(pdfmake.columns(TIERS, heading="ゆうづき書店からのお知らせ", blank_after=1)))
    lines = doc.text.splitlines()
    assert lines[0] == "ゆうづき書店からのお知らせ"
    i = lines.index("個人情報の漏えいに関するお詫び")
    assert lines[i + 1] == "" and lines[i + 2] == "株式会社ゆうづき書店"
    assert doc.title == "ゆうづき書店からのお知らせ"


def test_vertical_page_between_horizontal_pages() -> None:
    data = pdfmake.pdf(pdfmake.rows(["第一ページ：横書きの本文です。"]), pdfmake.columns(TIERS),
                       pdfmake.rows(["第三ページ：横書きの本文です。"]))
    text = read(data).text
    order = positions(text, ["第一ページ", *IN_ORDER, "第三ページ"])
    assert order == sorted(order)


NO_FONTS = textwrap.dedent("""
    import ctypes, sys, tempfile
    sys.path[:0] = [sys.argv[1], sys.argv[2]]
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw
    from pypdfium2 import _library_scope as scope
    from pypdfium2.internal import bases
    # Start PDFium again with an empty font folder: a machine without any CJK system font.
    scope.destroy_lib()
    empty = tempfile.mkdtemp().encode()
    paths = (ctypes.POINTER(ctypes.c_char) * 2)(ctypes.cast(ctypes.c_char_p(empty), ctypes.POINTER(ctypes.c_char)), None)
    raw.FPDF_InitLibraryWithConfig(raw.FPDF_LIBRARY_CONFIG(version=2, m_pUserFontPaths=paths, m_pIsolate=None,
                                                           m_v8EmbedderSlot=0))
    bases.LIBRARY_AVAILABLE = True
    import pdfmake
    from jikenbo.read import decode_bytes
    data = pdfmake.pdf(pdfmake.rows(["横書きの見出しです"]), pdfmake.columns({tiers!r}))
    plain = pdfium.PdfDocument(data)[1].get_textpage().get_text_range()
    print(len(plain.replace("\\r\\n", "")))
    print(decode_bytes(data, "t.pdf").text)
""")


def test_vertical_text_is_read_whole_without_a_cjk_system_font() -> None:
    # Without a CJK font PDFium measures vertical glyphs as zero-width and leaves their text
    # objects out of its text; the reader turns them a quarter turn and reads them again.
    code = NO_FONTS.format(tiers=TIERS)
    p = subprocess.run([sys.executable, "-c", code, str(ROOT / "src"), str(ROOT / "tests")],
                       capture_output=True, text=True, timeout=120)
    if p.returncode and "pypdfium2" in p.stderr and ("AttributeError" in p.stderr or "ImportError" in p.stderr):
        pytest.skip("this pypdfium2 cannot be restarted without fonts")
    assert p.returncode == 0, p.stderr
    first, _, text = p.stdout.partition("\n")
    assert int(first) < sum(map(len, IN_ORDER))  # PDFium alone loses some columns here
    lines = [ln for ln in text.splitlines() if ln]
    assert lines == ["横書きの見出しです", *IN_ORDER]


# ---------------------------------------------------------------- unreadable text


def test_text_that_is_not_japanese_looking_is_refused_in_one_line() -> None:
    with pytest.raises(ReadFailure) as info:
        read(pdfmake.wrong_map_pdf(), "broken-font.pdf")
    message = str(info.value)
    assert message.startswith("broken-font.pdf: PDF text is unreadable")
    assert "\n" not in message


def test_an_unreadable_page_is_left_out_with_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    import pypdfium2 as pdfium  # joins the two fixture PDFs into one document

    good = pdfmake.pdf(pdfmake.rows(["株式会社ゆうづき書店", "不正アクセスに関するお知らせ"]))
    joined = pdfium.PdfDocument(good)
    joined.import_pages(pdfium.PdfDocument(pdfmake.wrong_map_pdf()))
    buf = io.BytesIO()
    joined.save(buf)
    with caplog.at_level(logging.WARNING, logger="jikenbo.read"):
        doc = read(buf.getvalue(), "two.pdf")
    assert "株式会社ゆうづき書店" in doc.text
    assert "ɹ" not in doc.text
    assert doc.warnings == ["page 2 left out: text unreadable (not Japanese-looking)"]
    assert "two.pdf: page 2 left out" in caplog.text


def test_a_damaged_page_is_left_out_with_a_warning_and_the_others_are_read() -> None:
    data = pdfmake.hiragana_pdf("ふゆのしょうかいのおしらせです")
    data = data.replace(b"/Kids [3 0 R] /Count 1", b"/Kids [3 0 R 99 0 R] /Count 2")  # page 2: no object
    doc = read(data)
    assert doc.text == "ふゆのしょうかいのおしらせです\n"
    assert doc.warnings == ["page 2 left out: damaged, cannot be read"]
    with pytest.raises(ReadFailure, match="corrupt PDF \\(page 1 cannot be read\\)"):
        read(data.replace(b"/Kids [3 0 R 99 0 R] /Count 2", b"/Kids [99 0 R] /Count 1"))


@pytest.mark.parametrize("text", ["Incident report: unauthorised access to our web shop (2099-04-01).",
                                  "■ お知らせ ■ ① 経緯 → ② 対応 ※ ご注意ください。",
                                  "ⅠⅡⅢ　第１章　概要　１．２％　〒100-0001"])
def test_english_and_japanese_with_symbols_are_readable(text: str) -> None:
    assert read(pdfmake.pdf(pdfmake.rows([text]))).text.strip() == text


# ---------------------------------------------------------------- titles


@pytest.mark.parametrize("meta", ["Microsoft Word - 20990401_お知らせ（最終版）.docx", "untitled", "notice.pdf",
                                  "PowerPoint プレゼンテーション", None])
def test_title_is_the_first_heading_not_the_metadata(meta: str | None) -> None:
    data = pdfmake.pdf(pdfmake.rows(["2099年4月1日", "株式会社ゆうづき書店", "不正アクセスによる情報流出についてのご報告",
                                     "このたび、当店のサイトに不正アクセスがありました。"]), title=meta)
    assert read(data).title == "不正アクセスによる情報流出についてのご報告"


def test_without_a_heading_a_real_metadata_title_is_kept_and_a_generated_one_is_not() -> None:
    body = pdfmake.rows(["株式会社ゆうづき書店", "当店のサイトに不正アクセスがありました。"])
    assert read(pdfmake.pdf(body, title="ゆうづき書店 障害報告")).title == "ゆうづき書店 障害報告"
    assert read(pdfmake.pdf(body, title="Microsoft Word - 障害報告.docx")).title is None


def test_a_contact_line_is_not_the_heading() -> None:
    data = pdfmake.pdf(pdfmake.rows(["本件に関するお問い合わせ先：ゆうづき書店", "当店サイトへの不正アクセスについて"]))
    assert read(data).title == "当店サイトへの不正アクセスについて"


# ---------------------------------------------------------------- layout (pure geometry)


def column(x: float, top: float, text: str, size: float = 10) -> list[Char]:
    return [Char(ch, x, top - (i + 1) * size, x + size, top - i * size) for i, ch in enumerate(text)]


def row(y: float, left: float, text: str, size: float = 10) -> list[Char]:
    return [Char(ch, left + i * size, y, left + (i + 1) * size, y + size) for i, ch in enumerate(text)]


def test_layout_orders_columns_drawn_left_to_right() -> None:
    chars = column(100, 500, "さんれつめ") + column(120, 500, "にれつめ") + column(140, 500, "いちれつめ")
    lines = build_lines(chars)
    assert vertical_share(lines) == 1.0
    assert layout(lines) == "いちれつめ\nにれつめ\nさんれつめ"


def test_layout_keeps_indented_columns_and_punctuation_offsets() -> None:
    # a full-width space opens the column; a small 、 sits right of the column's axis
    chars = [*column(140, 500, "　あいう"), Char("、", 146, 458, 150, 462), *column(140, 460, "えお")]
    chars += column(120, 500, "かきく")
    assert layout(build_lines(chars)) == "　あいう、えお\nかきく"


def test_layout_rows_and_tiers() -> None:
    chars = row(600, 50, "みだし") + column(200, 560, "うえのみぎ") + column(180, 560, "うえのひだり")
    chars += column(200, 400, "したのみぎ") + column(180, 400, "したのひだり") + row(300, 50, "あとがき")
    assert layout(build_lines(chars)).split("\n\n") == [
        "みだし", "うえのみぎ\nうえのひだり", "したのみぎ\nしたのひだり", "あとがき"]


def test_a_column_does_not_run_on_into_the_tier_below_across_wide_boxes() -> None:
    # PDFium boxes a vertical font's full-width glyph two ems wide and one em tall; three ems
    # between the tiers are no blank inside a column, whatever the boxes' width
    def wide(x: float, top: float, text: str) -> list[Char]:
        return [Char(c.text, c.left - 10, c.bottom, c.right, c.top) for c in column(x, top, text)]

    chars = column(117, 500, "ひだり") + column(135, 500, "みぎ") + wide(135, 450, "した")  # PDFium's order
    assert layout(build_lines(chars)).split("\n\n") == ["みぎ\nひだり", "した"]


def test_layout_of_nothing_is_empty() -> None:
    assert build_lines([]) == []
    assert layout([]) == ""
    assert vertical_share([]) == 0.0


# ---------------------------------------------------------------- a real vertical PDF


@pytest.mark.shared
@pytest.mark.skipif(not JO.is_file(), reason="../shared absent")
def test_real_vertical_japanese_pdf_reads_as_japanese_in_reading_order() -> None:
    doc = decode_bytes(JO.read_bytes(), str(JO))
    order = positions(doc.text, ["わたくしといふ現象は", "假定された", "青い照明です", "修羅の十億年"])
    assert order == sorted(order)
    assert not any("\u0250" <= ch <= "\u036f" or "\u0980" <= ch <= "\u09ff" for ch in doc.text)  # no mojibake
    assert doc.warnings == []


# ---------------------------------------------------------------- property: any columns, in order

KANA_KANJI = st.characters(codec="utf-8", categories=["Lo"], min_codepoint=0x3041, max_codepoint=0x30F6) | \
    st.sampled_from(list("漏洩個人情報株式会社不正調査報告委員会"))
COLUMN = st.text(KANA_KANJI, min_size=2, max_size=20)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.lists(COLUMN, min_size=1, max_size=6), min_size=1, max_size=2))
@example(tiers=[["ぁぁ", "ぁぁ"], ["あぁ"]])  # PDFium's two-em-wide boxes once ran a column into the tier below
@example(tiers=[["あ" * 16, "あ" * 16]])  # on the turned page PDFium once dropped the second as a duplicate
def test_any_vertical_columns_come_back_in_reading_order(tiers: list[list[str]]) -> None:
    doc = read(pdfmake.pdf(pdfmake.columns(tiers, top=820, size=10)))
    # a column as long as the longest may be joined to the next (a line wrapped at the margin)
    assert "".join(doc.text.split()) == "".join(col for tier in tiers for col in tier)


def test_layout_puts_back_the_spaces_of_a_row_and_the_blanks_of_a_column() -> None:
    words = [*row(600, 50, "Yuzuki"), *row(600, 115, "Shoten")]  # a 5-unit gap between the words
    col = [*column(300, 500, "かぶしき"), *column(300, 450, "ゆうづき")]  # one empty place between
    assert layout(build_lines(words + col)) == "Yuzuki Shoten\n\nかぶしき\u3000ゆうづき"


def test_radicals_and_squared_signs_count_as_japanese() -> None:
    from jikenbo.read.base import ReadOptions
    from jikenbo.read.pdf import _looks_unreadable

    # Word-made PDFs often give Kangxi radicals for common kanji (⽇ for 日); ㈱ ㍿ ㎡ are signs of Japanese
    text = "⽇⽉⽕⽔⽊⾦⼟ ㈱ゆうづき書店 ㍿ ㎡ " * 3
    assert not _looks_unreadable(text, ReadOptions())
    assert _looks_unreadable("ɹɹংΘͨ͘͠ͱ͍;ɐα" * 3, ReadOptions())
