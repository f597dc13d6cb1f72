"""`jikenbo read`: the text the read stage produced, with kind, encoding and warnings."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import pdfmake
from jikenbo.cli import cli

FIX = Path(__file__).parent / "fixtures" / "read"


def run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)


def test_text_with_kind_and_encoding() -> None:
    res = run("read", str(FIX / "notice_sjis.txt"))
    assert res.exit_code == 0
    head, _, text = res.stdout.partition("\n\n")
    assert head.splitlines() == [f"==> {FIX / 'notice_sjis.txt'} <==", "kind: text/plain", "encoding: cp932",
                                 f"characters: {len(text):,}"]
    assert text.startswith("個人情報の漏えいに関するお詫びとお知らせ\n")
    assert "株式会社ほたる電機" in text


def test_several_inputs_one_after_another_and_a_pdf_title() -> None:
    res = run("read", str(FIX / "notice_eucjp.txt"), str(FIX / "notice.pdf"))
    assert res.exit_code == 0
    assert res.stdout.count("==> ") == 2
    assert "encoding: euc_jp" in res.stdout
    assert "kind: application/pdf\nencoding: -\ntitle: 不正アクセスによる個人情報流出に関するお知らせ\n" in res.stdout


def test_vertical_pdf_in_reading_order_and_the_warning_of_a_page_left_out(tmp_path: Path) -> None:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdfmake.pdf(pdfmake.columns([["みぎのれつ", "まんなかのれつ", "ひだりのれつ"]])))
    doc.import_pages(pdfium.PdfDocument(pdfmake.wrong_map_pdf()))
    buf = io.BytesIO()
    doc.save(buf)
    path = tmp_path / "v.pdf"
    path.write_bytes(buf.getvalue())
    res = run("read", str(path))
    assert res.exit_code == 0
    assert "warning: page 2 left out: text unreadable (not Japanese-looking)" in res.stdout
    assert "\n\nみぎのれつ\nまんなかのれつ\nひだりのれつ\n" in res.stdout


def test_html_main_text_and_stdin() -> None:
    page = "<html><head><title>お知らせ</title></head><body><nav>ホーム</nav><main><h1>不正アクセスのお知らせ</h1>" \
           "<p>株式会社あおば製作所のサイトに不正アクセスがありました。ご迷惑をおかけしお詫び申し上げます。</p>" \
           "</main></body></html>"
    res = run("read", "-", input=page.encode("utf-8"))
    assert res.exit_code == 0
    assert "kind: text/html" in res.stdout and "title: お知らせ" in res.stdout
    assert "株式会社あおば製作所" in res.stdout


def test_jsonl_is_one_document_per_line_and_no_header_prints_only_text() -> None:
    res = run("read", str(FIX / "notice_sjis.txt"), str(FIX / "notice.pdf"), "--format", "jsonl")
    docs = [json.loads(line) for line in res.stdout.splitlines()]
    assert [d["media_type"] for d in docs] == ["text/plain", "application/pdf"]
    assert docs[0]["encoding"] == "cp932" and docs[1]["warnings"] == []
    res = run("read", str(FIX / "notice_sjis.txt"), "--no-header")
    assert res.stdout.startswith("個人情報の漏えいに関するお詫びとお知らせ\n")


def test_bad_inputs_get_one_line_each_and_exit_1(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    res = run("read", str(FIX / "encrypted.pdf"), str(tmp_path / "missing.txt"), str(empty),
              str(FIX / "notice_sjis.txt"))
    assert res.exit_code == 1
    assert res.stderr.splitlines() == [
        f"jikenbo: {FIX / 'encrypted.pdf'}: encrypted PDF (no password support)",
        f"jikenbo: {tmp_path / 'missing.txt'}: no such file or directory",
        f"jikenbo: {empty}: empty file",
    ]
    assert "株式会社ほたる電機" in res.stdout  # the good input still comes out


def test_help_and_usage_error_without_traceback() -> None:
    res = run("read", "--help")
    assert res.exit_code == 0 and "the text the extractor sees" in res.stdout.replace("\n  ", " ")
    proc = subprocess.run([sys.executable, "-m", "jikenbo", "read"], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr and "Usage" in proc.stderr


@pytest.mark.parametrize("name", ["truncated.pdf", "scanned.pdf"])
def test_broken_and_image_only_pdfs_are_named(name: str) -> None:
    res = run("read", str(FIX / name))
    assert res.exit_code == 1
    assert res.stderr.startswith(f"jikenbo: {FIX / name}: ")
    assert len(res.stderr.splitlines()) == 1
