"""The casebook in every format and in the web UI: HTML and Markdown keep hostile stored text
inert, the PDF (Chromium's print) has the entry in its text layer and renders to an image, the
web pages and API answer, and screenshots of the HTML entry and report are kept as artefacts
(tmp/artefacts/casebook/, not committed).

PDF and screenshot tests need /usr/bin/chromium (scripts/install-browser.sh): without it they
skip, unless CI is set: then they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markdown_it import MarkdownIt

from casebook_support import build_samples_store
from jikenbo import casebook
from jikenbo.casebook import render
from jikenbo.casebook.render import chromium_path, md_escape, safe_url
from jikenbo.serve import create_app
from jikenbo.store import Filters, open_store

ARTEFACTS = Path(__file__).resolve().parents[1] / "tmp" / "artefacts" / "casebook"
ENTRY = "inc_0f6820fc3d0e"


def _need_chromium() -> None:
    if chromium_path():
        return
    if os.environ.get("CI"):
        pytest.fail("Chromium is missing (run scripts/install-browser.sh); CI is set, so this fails")
    pytest.skip("Chromium is missing: run scripts/install-browser.sh (as root)")


def _need_pdftoppm() -> str:
    exe = shutil.which("pdftoppm")
    if exe:
        return exe
    if os.environ.get("CI"):
        pytest.fail("pdftoppm is missing (scripts/install-browser.sh installs poppler-utils); CI is set")
    pytest.skip("pdftoppm is missing: run scripts/install-browser.sh (as root)")


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_samples_store(tmp_path_factory.mktemp("render") / "samples.db", hostile=True)


@pytest.fixture(scope="module")
def hostile_id(db: Path) -> str:
    with open_store(db) as store:
        return next(i["id"] for i in store.incidents(Filters(), limit=None)
                    if any(n["source"] == "hostile_notice.txt" for n in i["notices"]))


@pytest.fixture(scope="module")
def client(db: Path) -> TestClient:
    return TestClient(create_app(db))


# ---------------------------------------------------------------------- hostile text
def test_markdown_escapes_markup() -> None:
    assert md_escape("<script>x</script> *a* [l](javascript:x)") == \
        r"\<script\>x\</script\> \*a\* \[l\](javascript:x)"
    assert safe_url("javascript:alert(1)") is None and safe_url("https://example.jp/a") == "https://example.jp/a"


def test_only_http_urls_become_links() -> None:
    from jikenbo.casebook.model import Block, Casebook, Section, Sentence

    s = Sentence("出典 https://example.jp/news/1?a=1&b=<2> と javascript:alert(1) と \"onclick=x\"", [1])
    html = render(Casebook("entry", "x", "t", "ja", "i", [Section("sources", "出典", [Block("ul", [s])])]), "html")
    assert '<a href="https://example.jp/news/1?a=1&amp;b=" rel="noopener noreferrer nofollow">' in html
    assert "&lt;2&gt;" in html and 'href="javascript' not in html and "&#34;onclick=x&#34;" in html


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_hostile_text_stays_inert_in_html_and_markdown(db: Path, hostile_id: str, lang: str) -> None:
    with open_store(db) as store:
        cb = casebook.entry(store, hostile_id, lang=lang)
        rep = casebook.report(store, "2025-01", lang=lang)
    for doc in (cb, rep):
        html = render(doc, "html")
        low = html.lower()
        assert "<script" not in low and "onerror=" not in low.replace("onerror=&#34;", "").replace("onerror=\"", "")
        assert "<img" not in low and "<iframe" not in low and "javascript:" not in low.split("content-security")[0]
        assert 'href="javascript' not in low
        # a Markdown viewer that passes raw HTML through (CommonMark) still shows only text
        shown = MarkdownIt("commonmark").enable("table").render(render(doc, "md")).lower()
        assert "<script" not in shown and "<img" not in shown and "<iframe" not in shown
        assert 'href="javascript' not in shown
    html = render(cb, "html")
    assert "&lt;img src=x onerror=" in html  # the stored title is shown, as text


# ---------------------------------------------------------------------- PDF
@pytest.fixture(scope="module")
def pdfs(db: Path, hostile_id: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    _need_chromium()
    out = tmp_path_factory.mktemp("pdf")
    files = {}
    with open_store(db) as store:
        for name, cb in (("entry", casebook.entry(store, ENTRY)), ("report", casebook.report(store, "2024")),
                         ("hostile", casebook.entry(store, hostile_id))):
            data = render(cb, "pdf")
            assert isinstance(data, bytes) and data.startswith(b"%PDF-")
            files[name] = out / f"{name}.pdf"
            files[name].write_bytes(data)
    return files


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)


def test_pdf_text_layer_has_the_entry(pdfs: dict[str, Path]) -> None:
    text = "".join(_pdf_text(pdfs["entry"]).split())
    for want in ("株式会社はるかぜ商会の事案", "概要", "出典", "36,912", "件数" if False else "漏えいが確認されている"):
        assert want in text, want
    report = "".join(_pdf_text(pdfs["report"]).split())
    assert "2024年の事件簿" in report and "種別別" in report


def test_pdf_of_hostile_text_is_text_only(pdfs: dict[str, Path]) -> None:
    from pypdf import PdfReader

    reader = PdfReader(str(pdfs["hostile"]))
    assert "/JavaScript" not in str(reader.trailer["/Root"])
    assert "/JS" not in pdfs["hostile"].read_bytes().decode("latin-1")
    text = "".join(_pdf_text(pdfs["hostile"]).split())
    assert "<imgsrc=xonerror=" in text  # the stored title is written as text, its markup with it


def test_pdf_page_renders_to_an_image(pdfs: dict[str, Path], tmp_path: Path) -> None:
    exe = _need_pdftoppm()
    from PIL import Image

    subprocess.run([exe, "-r", "50", "-png", "-f", "1", "-l", "1", str(pdfs["entry"]), str(tmp_path / "p")],
                   check=True, capture_output=True, timeout=60)
    png = next(tmp_path.glob("p*.png"))
    img = Image.open(png).convert("L")
    lo, hi = img.getextrema()
    assert img.size[0] > 300 and hi - lo > 100  # not a blank page
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    shutil.copy(png, ARTEFACTS / "entry-pdf-page1.png")


# ---------------------------------------------------------------------- web UI and API
def test_entry_page_and_links(client: TestClient) -> None:
    page = client.get(f"/incidents/{ENTRY}")
    assert f'href="/incidents/{ENTRY}/casebook"' in page.text and "この事件の記録" in page.text
    assert 'href="/reports"' in page.text and "月報" in page.text
    r = client.get(f"/incidents/{ENTRY}/casebook")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "<h1>株式会社はるかぜ商会の事案</h1>" in r.text
    assert 'href="/casebook/casebook.css"' in r.text and "<style>" not in r.text  # the site's CSP: no inline style
    assert client.get("/casebook/casebook.css").headers["content-type"].startswith("text/css")
    en = client.get(f"/incidents/{ENTRY}/casebook?lang=en")
    assert "The 株式会社はるかぜ商会 incident" in en.text
    md = client.get(f"/incidents/{ENTRY}/casebook?format=md")
    assert md.headers["content-type"].startswith("text/markdown") and md.text.startswith("# ")
    assert client.get("/incidents/inc_000000000000/casebook").status_code == 404


def test_report_pages(client: TestClient) -> None:
    r = client.get("/reports", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/reports/2025-03"
    r = client.get("/reports/2024-11")
    assert r.status_code == 200 and "2024年11月の事件簿（月報）" in r.text and "<svg" in r.text
    assert 'href="/reports/2024-10"' in r.text and 'href="/reports/2024-12"' in r.text
    y = client.get("/reports/2024?by=type&by=industry")
    assert "種別別" in y.text and "業種別" in y.text and "漏えい状況別" not in y.text
    bad = client.get("/reports/2024-13")
    assert bad.status_code == 400 and "2024-13" in bad.text


def test_api(client: TestClient) -> None:
    r = client.get(f"/api/incidents/{ENTRY}/casebook")
    assert r.status_code == 200 and r.text.startswith("# 株式会社はるかぜ商会の事案")
    j = client.get(f"/api/incidents/{ENTRY}/casebook?format=json").json()
    assert j["kind"] == "entry" and j["sections"][0]["key"] == "summary" and j["notes"]
    rep = client.get("/api/reports/2025-02?format=json&by=type").json()
    assert rep["meta"]["n"] == 4 and [s["key"] for s in rep["sections"]][:2] == ["summary", "by-type"]
    h = client.get("/api/reports/2025-02?format=html")
    assert h.headers["content-disposition"].startswith("attachment") and "<svg" in h.text
    err = client.get("/api/reports/June")
    assert err.status_code == 400 and err.json()["error"]["status"] == 400
    assert client.get("/api/incidents/nope/casebook").json()["error"]["status"] == 404
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/incidents/{incident_id}/casebook" in paths and "/api/reports/{period}" in paths


def test_api_pdf(client: TestClient) -> None:
    _need_chromium()
    r = client.get(f"/api/incidents/{ENTRY}/casebook?format=pdf")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf" and r.content[:5] == b"%PDF-"


# ---------------------------------------------------------------------- screenshots
def test_screenshots_of_the_html_entry_and_report(db: Path, hostile_id: str, tmp_path: Path) -> None:
    _need_chromium()
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    with open_store(db) as store:
        docs = {"entry": casebook.entry(store, ENTRY), "report-2024-11": casebook.report(store, "2024-11"),
                "report-2024": casebook.report(store, "2024", by=["type", "industry"]),
                "hostile": casebook.entry(store, hostile_id)}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": 1000, "height": 900}, locale="ja-JP")
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        for name, cb in docs.items():
            f = tmp_path / f"{name}.html"
            f.write_text(render(cb, "html"), encoding="utf-8")
            page.goto(f.as_uri())
            assert page.locator("h1").inner_text() == cb.title
            if name == "entry":  # a note marker leads to its note
                page.locator("sup.fn a").first.click()
                assert page.evaluate("location.hash") == "#fn-1"
            assert page.evaluate("typeof window.__pwned") == "undefined", name  # no stored script ran
            page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
        browser.close()
    assert not errors
    assert all((ARTEFACTS / f"{n}.png").stat().st_size > 10_000 for n in docs)


@pytest.mark.parametrize("label", ["GET /api/incidents/{incident_id}/casebook", "GET /api/reports/{period}"])
def test_api_follows_its_schema(db: Path, label: str) -> None:
    """Generated requests get documented statuses and content types (PDF only when Chromium is here)."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.specs.openapi.checks import positive_data_acceptance

    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(db)).include(method="GET")
    op = next(r.ok() for r in schema.get_all_operations() if r.ok().label == label)

    @given(case=op.as_strategy())
    @settings(max_examples=12, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:  # type: ignore[no-untyped-def]
        if not chromium_path() and (case.query or {}).get("format") == "pdf":
            return
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    run()
