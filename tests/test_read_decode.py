"""decode_bytes: bytes → Document (encodings, HTML, PDF, refusals)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jikenbo.models import Document
from jikenbo.read import ReadFailure, decode_bytes
from jikenbo.read import html as read_html

FIX = Path(__file__).parent / "fixtures" / "read"


def fixture(name: str) -> bytes:
    return (FIX / name).read_bytes()


# The UTF-8 (BOM) copy is the reference text of the notice written in every encoding.
REFERENCE = fixture("notice_utf8bom.txt").decode("utf-8-sig")


def failure(data: bytes, media_type: str | None = None, source: str = "in.bin") -> ReadFailure:
    with pytest.raises(ReadFailure) as info:
        decode_bytes(data, source, media_type)
    return info.value


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("notice_sjis.txt", "cp932"),
        ("notice_eucjp.txt", "euc_jp"),
        ("notice_iso2022jp.txt", "iso2022_jp"),
        ("notice_utf8bom.txt", "utf-8-sig"),
        ("notice_utf16.txt", "utf-16"),
        ("notice_crlf.txt", "utf-8"),
    ],
)
def test_each_encoding_decodes_to_the_same_text(name: str, encoding: str) -> None:
    data = fixture(name)
    doc = decode_bytes(data, name)
    assert doc.text == REFERENCE
    assert doc.encoding == encoding
    assert doc.media_type == "text/plain"
    assert doc.source == name
    assert doc.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(("name", "encoding"), [("short_sjis.txt", "cp932"), ("short_eucjp.txt", "euc_jp")])
def test_short_japanese_text_is_not_taken_for_chinese_or_korean(name: str, encoding: str) -> None:
    doc = decode_bytes(fixture(name), name)
    assert doc.text == "個人情報の漏えい"
    assert doc.encoding == encoding


@pytest.mark.parametrize("text", ["漏洩", "お詫び", "個人情報", "不正アクセス", "紛失", "髙橋様　御中"])
@pytest.mark.parametrize("codec", ["cp932", "euc_jp", "iso2022_jp"])
def test_very_short_texts_in_each_legacy_codec(text: str, codec: str) -> None:
    try:
        data = text.encode(codec)
    except UnicodeEncodeError:
        pytest.skip(f"{text} has no {codec} form")
    assert decode_bytes(data, "short.txt").text == text


def test_cp932_extensions_such_as_circled_digits_survive() -> None:
    text = "①顧客名簿　㈱テスト商会　№３"
    doc = decode_bytes(text.encode("cp932"), "ext.txt")
    assert doc.text == text
    assert doc.encoding == "cp932"


def test_full_width_text_is_kept_as_written_not_normalised() -> None:
    doc = decode_bytes(fixture("notice_sjis.txt"), "n.txt")
    assert "２０９９年７月１日" in doc.text
    assert "最大１，２３４件" in doc.text
    assert "2099年7月1日" not in doc.text


@pytest.mark.parametrize(
    ("raw", "text"),
    [(b"a\r\nb\r\n", "a\nb\n"), (b"a\rb\r", "a\nb\n"), (b"a\r\n\r\nb", "a\n\nb"), (b"a\r\r\nb", "a\n\nb")],
)
def test_line_ends_become_newlines(raw: bytes, text: str) -> None:
    assert decode_bytes(raw, "x.txt").text == text


def test_text_is_otherwise_untouched() -> None:
    raw = "  先頭の空白\t\tタブ  \n\n\n末尾　\n".encode()
    assert decode_bytes(raw, "x.txt").text == raw.decode()


def test_charset_hint_decodes_what_utf8_cannot() -> None:
    data = "個人情報の漏えいに関するお知らせ".encode("euc_jp")
    doc = decode_bytes(data, "u", "text/plain; charset=EUC-JP")
    assert doc.text == "個人情報の漏えいに関するお知らせ"
    assert doc.encoding == "euc_jp"


def test_a_wrong_charset_hint_loses_to_valid_utf8() -> None:
    doc = decode_bytes("お知らせ".encode(), "u", "text/plain; charset=Shift_JIS")
    assert doc.text == "お知らせ"
    assert doc.encoding == "utf-8"


def test_a_multibyte_character_cut_off_at_the_end_is_forgiven() -> None:
    data = "不正アクセスのお知らせ".encode()[:-1]
    assert decode_bytes(data, "cut.txt").text == "不正アクセスのお知ら"
    data = "不正アクセスのお知らせ".encode("cp932")[:-1]
    assert decode_bytes(data, "cut.txt").text == "不正アクセスのお知ら"


# ---------------------------------------------------------------- refusals


def test_empty_input() -> None:
    e = failure(b"", source="empty.txt")
    assert str(e) == "empty.txt: empty file"
    assert e.source == "empty.txt"
    assert e.reason == "empty file"


def test_white_space_only() -> None:
    assert "no text" in failure(b" \r\n\t\n").reason


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00",
        b"PK\x03\x04\x14\x00\x06\x00\x08\x00\x00\x00!\x00",
        b"text with a NUL \x00 inside",
        bytes(range(32)) * 20,
    ],
)
def test_binary_data_is_refused(data: bytes) -> None:
    assert failure(data).reason == "binary data, not a text document"


def test_bytes_in_no_known_encoding_are_refused() -> None:
    e = failure(bytes(range(128, 256)) * 4)
    assert e.reason.startswith("unknown text encoding")


def test_failure_message_is_one_line() -> None:
    e = ReadFailure("a.txt", "first line\nsecond   line")
    assert str(e) == "a.txt: first line second line"


# ---------------------------------------------------------------- HTML


def test_news_page_keeps_the_article_and_drops_navigation_sidebar_and_footer() -> None:
    doc = decode_bytes(fixture("news_page.html"), "news_page.html")
    assert doc.media_type == "text/html"
    assert doc.encoding == "utf-8"
    lines = doc.text.splitlines()
    assert "みなと精機、不正アクセスで顧客情報1万2,345件流出の可能性" in lines  # the heading, alone
    assert "流出した可能性のある情報" in lines
    assert "- メールアドレス" in lines  # list items on their own lines
    assert any(line.startswith("対象は最大で1万2,345件。") for line in lines)
    assert "２０９９年３月１３日" in doc.text
    for junk in ("ホーム", "アクセスランキング", "新型スマートフォン", "桜の開花", "プライバシーポリシー",
                 "Copyright", "トラッキング", "dataLayer", "この記事をシェア"):
        assert junk not in doc.text, junk
    assert doc.title == "みなと精機、不正アクセスで顧客情報1万2,345件流出の可能性 | 架空テックニュース"
    assert doc.published == "2099-03-14"
    assert doc.text.endswith("\n")


def test_digest_page_keeps_every_entry_in_order() -> None:
    doc = decode_bytes(fixture("digest.html"), "digest.html")
    lines = doc.text.splitlines()
    headers = [line for line in lines if line.startswith("【セキュリティ事件簿#")]
    assert [h[:20] for h in headers] == [
        "【セキュリティ事件簿#2099-101】",
        "【セキュリティ事件簿#2099-102】",
        "【セキュリティ事件簿#2099-103】",
    ]
    assert headers[2].endswith("2099年4月18日")
    assert "計１，２０４件" in doc.text
    assert "- 保険証番号" in lines  # list items: one a line, marked as trafilatura marks them
    assert lines.count("リリース文アーカイブ") >= 2
    for junk in ("趣味のプログラミング", "カフェ巡り", "Powered by", "このブログについて"):
        assert junk not in doc.text, junk
    assert doc.published == "2099-04-20"  # JSON-LD datePublished


def test_page_that_is_one_pre_keeps_its_lines_and_blank_lines() -> None:
    doc = decode_bytes(fixture("pre_page.html"), "pre_page.html")
    lines = doc.text.split("\n")
    assert lines[0] == "【重要】当社ウェブサイトへの不正アクセスに関するお知らせ"
    assert lines[1] == ""
    assert "　２０９９年４月２５日（金）午前３時頃" in lines  # leading ideographic space kept
    assert doc.text.endswith("以上\n")


def test_page_of_plain_divs_keeps_each_entry_header_on_its_own_line() -> None:
    doc = decode_bytes(fixture("div_page.html"), "div_page.html")
    lines = doc.text.splitlines()
    assert lines[0].startswith("【セキュリティ事件簿#2099-201】有限会社ひばり工房")
    assert any(line.startswith("【セキュリティ事件簿#2099-202】つばめ信用組合") for line in lines)
    assert "お客様へは個別にご連絡しております。" in lines  # <br> splits lines


def test_shift_jis_page_declared_in_meta() -> None:
    doc = decode_bytes(fixture("notice_sjis.html"), "notice_sjis.html")
    assert doc.encoding == "cp932"
    assert doc.title == "お知らせ｜株式会社ほたる電機"
    assert "最大１，２３４件" in doc.text


def test_html_is_recognised_by_content_without_a_media_type() -> None:
    doc = decode_bytes(fixture("news_page.html"), "-")
    assert doc.media_type == "text/html"
    assert "アクセスランキング" not in doc.text


def test_html_given_as_text_plain_stays_text() -> None:
    doc = decode_bytes(b"<p>tag-like text</p>", "x.txt", "text/plain")
    assert doc.text == "<p>tag-like text</p>"


def test_truncated_html_still_yields_what_is_there() -> None:
    data = fixture("news_page.html")
    cut = data[: data.index("決済画面".encode())]
    doc = decode_bytes(cut, "cut.html", "text/html")
    assert "工作機械部品を製造する株式会社みなと精機" in doc.text


def test_html_without_text_is_refused() -> None:
    e = failure(b"<html><head><title>t</title></head><body><script>x()</script></body></html>", "text/html")
    assert e.reason == "no text found in the HTML"


def test_xhtml_with_xml_declaration() -> None:
    data = (
        '<?xml version="1.0" encoding="utf-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><head>'
        "<title>報告</title></head><body><p>委託先サーバーへの不正アクセスに関するご報告</p></body></html>"
    ).encode()
    doc = decode_bytes(data, "x.xhtml", "application/xhtml+xml")
    assert "委託先サーバーへの不正アクセスに関するご報告" in doc.text
    assert doc.title == "報告"


def test_body_text_fallback_when_the_extractor_keeps_too_little(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read_html, "_main_text", lambda *a, **k: "")
    doc = decode_bytes(fixture("news_page.html"), "news_page.html")
    lines = doc.text.splitlines()
    assert "みなと精機、不正アクセスで顧客情報1万2,345件流出の可能性" in lines
    assert "- メールアドレス" in lines
    assert "2099年3月14日 記者：架空 太郎" in lines
    for junk in ("ホーム", "アクセスランキング", "新型スマートフォン", "Copyright", "dataLayer"):
        assert junk not in doc.text, junk


def test_body_text_fallback_when_trafilatura_raises(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    def boom(*a: object, **k: object) -> str:
        raise RuntimeError("boom")

    monkeypatch.setattr(trafilatura, "extract", boom)
    doc = decode_bytes(fixture("digest.html"), "digest.html")
    assert doc.text.count("【セキュリティ事件簿#") == 3


def _page(head: str, body: str) -> bytes:
    return f"<html><head>{head}</head><body>{body}</body></html>".encode()


BODY = "<article><h1>見出しの文</h1><p>" + "本文の段落です。" * 10 + "</p></article>"


@pytest.mark.parametrize(
    ("head", "body", "published"),
    [
        ('<meta property="article:published_time" content="2099-01-02T10:00:00+09:00">', BODY, "2099-01-02"),
        ('<meta itemprop="datePublished" content="2099-01-03">', BODY, "2099-01-03"),
        ('<script type="application/ld+json">{"@graph": [{"@type": "WebPage"}, '
         '{"@type": "NewsArticle", "datePublished": "2099-01-04"}]}</script>', BODY, "2099-01-04"),
        ("", BODY.replace("<h1>", '<time datetime="2099-01-05">1月5日</time><h1>'), "2099-01-05"),
        ("", BODY + '<aside><time datetime="2099-09-09">他の記事</time></aside>', None),
        ("", BODY.replace("</p>", "2099年1月6日</p>"), None),  # prose dates are not guessed
        ('<meta property="article:published_time" content="2099-13-45">', BODY, None),
        ('<script type="application/ld+json">{not json</script>', BODY, None),
    ],
)
def test_published_only_from_machine_readable_metadata(head: str, body: str, published: str | None) -> None:
    assert decode_bytes(_page(head, body), "p.html").published == published


@pytest.mark.parametrize(
    ("head", "title"),
    [
        ("<title> 題名　その一 </title>", "題名　その一"),
        ('<meta property="og:title" content="OG の題名">', "OG の題名"),
        ("", "見出しの文"),
    ],
)
def test_title_from_title_og_title_or_h1(head: str, title: str) -> None:
    assert decode_bytes(_page(head, BODY), "t.html").title == title


# ---------------------------------------------------------------- PDF


def test_pdf_text_layer() -> None:
    data = fixture("notice.pdf")
    doc = decode_bytes(data, "notice.pdf")
    assert doc.media_type == "application/pdf"
    lines = doc.text.splitlines()
    assert lines[0] == "不正アクセスによる個人情報流出に関するお知らせ"
    # the sentence the PDF wrapped at its margin comes back as one line
    assert any(line.endswith("学生の氏名と学籍番号（計４５６名分）が閲覧された可能性があります。") for line in lines)
    assert doc.title == "不正アクセスによる個人情報流出に関するお知らせ"  # the heading, not the metadata title
    assert doc.sha256 == hashlib.sha256(data).hexdigest()
    assert doc.encoding is None


def test_pdf_recognised_by_magic_even_when_labelled_text() -> None:
    assert decode_bytes(fixture("notice.pdf"), "x.txt", "text/plain").media_type == "application/pdf"


def test_encrypted_pdf_is_refused() -> None:
    assert failure(fixture("encrypted.pdf"), source="e.pdf").reason == "encrypted PDF (no password support)"


def test_encrypted_pdf_with_empty_user_password_is_opened() -> None:
    doc = decode_bytes(fixture("encrypted_empty_password.pdf"), "e.pdf")
    assert "学校法人みどり学園" in doc.text


def test_image_only_pdf_is_refused() -> None:
    assert failure(fixture("scanned.pdf")).reason == "PDF has no text layer (scanned image?)"


@pytest.mark.parametrize("data", [b"truncated", b"%PDF-1.7\nnot really a pdf at all\n"])
def test_corrupt_pdf_is_refused_with_a_clear_reason(data: bytes) -> None:
    if data == b"truncated":
        data = fixture("truncated.pdf")
    e = failure(data, "application/pdf", source="bad.pdf")
    assert e.reason.startswith(("corrupt PDF", "PDF has no text layer"))
    assert "\n" not in str(e)


# ---------------------------------------------------------------- property


MEDIA = st.sampled_from([None, "text/plain", "text/html", "application/pdf", "text/html; charset=euc-jp",
                         "text/plain; charset=bogus-charset"])
PREFIX = st.sampled_from([b"", b"%PDF-1.4\n", b"<html><body><p>", b"\xef\xbb\xbf", b"\xff\xfe",
                          b"\x1b$B", "個人情報".encode("cp932")])


@settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=PREFIX, data=st.binary(max_size=3000), media=MEDIA)
def test_any_bytes_give_a_document_or_a_read_failure(prefix: bytes, data: bytes, media: str | None) -> None:
    try:
        doc = decode_bytes(prefix + data, "fuzz", media)
    except ReadFailure as e:
        assert str(e).startswith("fuzz: ")
        assert "\n" not in str(e)
    else:
        assert isinstance(doc, Document)
        assert "\r" not in doc.text
        assert doc.text.strip()


NOTICE_WITH_METADATA_BLOCKS = """<html><head><title>お知らせ</title></head><body>
<header><nav><a href="/">ホーム</a></nav></header><main><article>
<h1>不正アクセスに関するお知らせ</h1>
<p class="date">2099年5月2日</p>
<div class="meta"><span class="author">株式会社かもめ書房</span></div>
<p class="right">代表取締役 かもめ 一郎</p>
<time datetime="2099-05-02">2099.05.02</time>
<div class="update">2099年5月3日 更新</div>
<p>このたび、当社が運営するオンラインストアにおいて第三者による不正アクセスが確認されました。</p>
<p>ご迷惑をおかけしますことをお詫び申し上げます。</p>
<p class="signature">以上</p>
</article></main><footer>copyright</footer></body></html>"""


def test_blocks_the_extractor_runs_together_get_their_own_lines_back() -> None:
    # On this layout trafilatura falls back to an extractor that joins every block into one line.
    doc = decode_bytes(NOTICE_WITH_METADATA_BLOCKS.encode(), "n.html")
    lines = doc.text.splitlines()
    assert lines[:3] == ["不正アクセスに関するお知らせ", "2099年5月2日", "株式会社かもめ書房"]
    assert "このたび、当社が運営するオンラインストアにおいて第三者による不正アクセスが確認されました。" in lines
    assert "ホーム" not in doc.text
    assert "copyright" not in doc.text


def test_reline_leaves_text_alone_when_lines_do_not_align() -> None:
    main = "表の行 | 値 | 別の値\n本文の段落です。"
    assert read_html._reline(main, "表の行\n値\n別の値\n本文の段落です。", "x") == main


def test_html_is_still_read_when_trafilatura_cannot_be_imported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(read_html, "_trafilatura", lambda: None)
    doc = decode_bytes(fixture("digest.html"), "digest.html")
    assert doc.text.count("【セキュリティ事件簿#") == 3
    assert "趣味のプログラミング" not in doc.text


def test_small_blog_page_with_br_lines_loses_its_sidebar() -> None:
    # On a page this small trafilatura keeps the whole body; sidebar lines are taken out again.
    doc = decode_bytes(fixture("blog_br.html"), "blog_br.html")
    lines = doc.text.splitlines()
    assert lines.count("リリース文アーカイブ") == 2
    assert any(line.startswith("【セキュリティ事件簿#2099-302】もみじ町役場") for line in lines)
    for junk in ("人気の投稿", "こがね運輸", "2099 (120)"):
        assert junk not in doc.text, junk


def test_pdf_lines_wrapped_at_the_margin_are_joined():
    from jikenbo.read import _unwrap_pdf_lines

    page = ("2025年2月17日\n"
            "当法人が利用しているクラウドサービスの提供会社である株\n"
            "式会社ミライクラウドにおいて不正アクセスが発生しました。\n"
            "1.経緯\n"
            "・氏名、住所、生年月日、給与振込口座、マイナンバーなど\n"
            "・電話番号")
    text = _unwrap_pdf_lines(page)
    assert "株式会社ミライクラウド" in text  # the word the margin cut is whole again
    assert "\n1.経緯\n" in text and "\n・電話番号" in text  # headings and items keep their lines
