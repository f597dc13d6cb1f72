"""Write the binary and non-UTF-8 fixtures of the read stage's tests.

Run from the repository root: ``python scripts/make_read_fixtures.py``. The outputs are
committed (tests/fixtures/read/); rerun after changing the texts below. The notices are
fictional and written for these tests.
"""

from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader, PdfWriter
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

OUT = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "read"

# One fictional notice, reused in every encoding so the tests can compare the decoded text.
NOTICE = """個人情報の漏えいに関するお詫びとお知らせ

２０９９年７月１日
株式会社ほたる電機

このたび、当社の会員サイトにおいて第三者による不正アクセスが発生し、
会員様の氏名・メールアドレス（最大１，２３４件）が流出した可能性があることが判明いたしました。
２０９９年６月２０日に不審な通信を検知し、直ちにサイトを停止いたしました。

会員様には多大なるご迷惑とご心配をおかけいたしますことを、深くお詫び申し上げます。
"""

# Short texts: charset detectors tend to mistake these for Chinese or Korean encodings.
SHORT = "個人情報の漏えい"

PDF_LINES = [
    "不正アクセスによる個人情報流出に関するお知らせ",
    "2099年8月8日",
    "学校法人みどり学園",
    "本学の教職員用メールアカウント1件が第三者に不正に利用され、",
    "学生の氏名と学籍番号（計４５６名分）が閲覧された可能性があります。",
    "本学は個人情報保護委員会へ報告いたしました。",
]


def write_text_fixtures() -> None:
    (OUT / "notice_sjis.txt").write_bytes(NOTICE.encode("cp932"))
    (OUT / "notice_eucjp.txt").write_bytes(NOTICE.encode("euc_jp"))
    (OUT / "notice_iso2022jp.txt").write_bytes(NOTICE.encode("iso2022_jp"))
    (OUT / "notice_utf8bom.txt").write_bytes(NOTICE.encode("utf-8-sig"))
    (OUT / "notice_utf16.txt").write_bytes(NOTICE.encode("utf-16"))  # with BOM
    (OUT / "notice_crlf.txt").write_bytes(NOTICE.replace("\n", "\r\n").encode("utf-8"))
    (OUT / "short_sjis.txt").write_bytes(SHORT.encode("cp932"))
    (OUT / "short_eucjp.txt").write_bytes(SHORT.encode("euc_jp"))
    # An HTML page in Shift_JIS that says so only in its <meta>.
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
        "<title>お知らせ｜株式会社ほたる電機</title></head><body><div id=\"main\">"
        + "".join(f"<p>{line}</p>" for line in NOTICE.splitlines() if line.strip())
        + "</div></body></html>"
    )
    (OUT / "notice_sjis.html").write_bytes(page.encode("cp932"))


def _pdf(draw) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=A4, invariant=1)
    c.setTitle("個人情報流出に関するお知らせ")
    draw(c)
    c.showPage()
    c.save()
    return buf.getvalue()


def _draw_text(c: canvas.Canvas) -> None:
    pdfmetrics.registerFont(UnicodeCIDFont("HeiseiMin-W3"))
    c.setFont("HeiseiMin-W3", 12)
    y = 780
    for line in PDF_LINES:
        c.drawString(60, y, line)
        y -= 24


def _draw_image_only(c: canvas.Canvas) -> None:
    # A "scan": shapes only, no text operators at all.
    c.setFillGray(0.2)
    for i in range(12):
        c.rect(60, 760 - i * 20, 300 - i * 10, 8, stroke=0, fill=1)


def write_pdf_fixtures() -> None:
    text_pdf = _pdf(_draw_text)
    (OUT / "notice.pdf").write_bytes(text_pdf)
    (OUT / "scanned.pdf").write_bytes(_pdf(_draw_image_only))

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf)))
    # RC4 works with pypdf's pure-Python fallback; a user password keeps the text locked.
    writer.encrypt(user_password="himitsu", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    (OUT / "encrypted.pdf").write_bytes(buf.getvalue())

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(text_pdf)))
    # Owner password only: readers open it with the empty user password.
    writer.encrypt(user_password="", owner_password="owner", algorithm="RC4-128")
    buf = io.BytesIO()
    writer.write(buf)
    (OUT / "encrypted_empty_password.pdf").write_bytes(buf.getvalue())

    # A PDF cut in the middle, as a broken download would leave it.
    (OUT / "truncated.pdf").write_bytes(text_pdf[: len(text_pdf) // 3])


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    write_text_fixtures()
    write_pdf_fixtures()


if __name__ == "__main__":
    main()
