"""End-to-end tests in Debian's Chromium through Playwright (never a downloaded browser).

Run ``scripts/install-browser.sh`` first. Without /usr/bin/chromium these tests skip, unless
the CI environment variable is set: then they fail. Screenshots go to artifacts/screenshots/.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from jikenbo.cli.serve_cmd import sample_files
from jikenbo.store import open_store

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE = Path(__file__).parent / "serve_fixtures" / "hostile_notice.txt"
SHOTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def _need_chromium() -> None:
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI"):
        pytest.fail(f"{CHROMIUM} is missing (run scripts/install-browser.sh); CI is set, so this fails")
    pytest.skip(f"{CHROMIUM} is missing: run scripts/install-browser.sh (as root) to install Debian's Chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    _need_chromium()
    db = tmp_path_factory.mktemp("browser") / "samples.db"
    with open_store(db) as store:
        assert store.ingest([*sample_files(), str(HOSTILE)], progress=False).ok
    return db


@pytest.fixture(scope="module")
def server(sample_db: Path) -> Iterator[str]:
    yield from _serving(sample_db)


def _serving(db: Path, **app_options: object) -> Iterator[str]:
    import uvicorn

    from jikenbo.serve import create_app

    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(create_app(db, **app_options), host="127.0.0.1", port=port,  # type: ignore[arg-type]
                                        log_level="warning"))
    th = threading.Thread(target=srv.run, daemon=True)
    th.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not th.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    srv.should_exit = True
    th.join(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    _need_chromium()
    os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser, server):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="ja-JP")
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.errors = errors
    yield pg
    ctx.close()


def _shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_list_search_and_facet(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/")
    total = int(page.get_attribute("#total", "data-total"))
    assert total >= 10
    _shot(page, "incidents")
    page.fill("input[name=q]", "ランサムウェア")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/?q=*")
    assert "q=" in page.url
    rows = page.locator("table.incidents tbody tr")
    assert 1 <= rows.count() < total
    assert "つきみ製菓" in page.inner_text("table.incidents")
    assert page.locator("table.incidents .snippet").count() >= 1  # ranked by the search, with snippets
    _shot(page, "search")
    # filter by a facet: the URL holds the state and the list shrinks
    page.goto(server + "/")
    page.click('details[data-facet="type"] a.facet-link[data-value="misdelivery"]')
    page.wait_for_url("**type=misdelivery*")
    text = page.inner_text("table.incidents")
    assert "もみじ台市" in text and "つきみ製菓" not in text
    assert page.locator('a.facet-link.selected[data-value="misdelivery"]').count() == 1
    assert not page.errors, page.errors


def test_incident_evidence_click_highlights(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/?q=はるかぜ")
    page.click("a.inc-link")
    page.wait_for_url("**/incidents/*")
    assert page.locator("section.notice").count() == 2
    link = page.locator('tr[data-field="affected_total"] a.evlink').last
    key = link.get_attribute("data-ev")
    link.click()
    mark = page.locator(f"#ev-{key}")
    assert "active" in (mark.get_attribute("class") or "")
    assert page.locator("mark.ev.active").count() >= 1
    # scrolled into view inside the notice pane
    visible = page.evaluate("""(id) => {
        const el = document.getElementById(id); const r = el.getBoundingClientRect();
        const pane = el.closest('.right').getBoundingClientRect();
        return r.top >= Math.max(0, pane.top) - 1 && r.bottom <= Math.min(innerHeight, pane.bottom) + 1;
    }""", f"ev-{key}")
    assert visible
    _shot(page, "incident")
    assert not page.errors, page.errors


def test_stats_charts_render(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/stats")
    svgs = page.locator("figure.chartbox svg")
    assert svgs.count() == 6  # per month, types, affected, categories, lag, vendors
    for i in range(svgs.count()):
        box = svgs.nth(i).bounding_box()
        assert box and box["width"] > 100 and box["height"] > 30
    assert page.locator("#chart-per-month rect.bar").count() >= 5
    _shot(page, "stats")
    assert not page.errors, page.errors


def test_try_a_notice(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/try")
    text = Path(sample_files()[10]).read_text(encoding="utf-8")  # 11 komorebi
    page.fill("textarea[name=text]", text)
    page.click("#extract")
    page.wait_for_selector("#records")
    assert "こもれびフィットネス" in page.inner_text(".try-result")
    assert page.locator(".try-result mark.ev").count() >= 3
    page.locator('.try-result tr[data-field="affected_total"] a.evlink').first.click()
    assert page.locator(".try-result mark.ev.active").count() >= 1
    _shot(page, "try")
    page.click("#store")
    page.wait_for_load_state()
    _shot(page, "try_stored")
    page.wait_for_url("**/incidents/*")
    assert "こもれびフィットネス" in page.inner_text("h1")
    assert not page.errors, page.errors


def test_hostile_notice_does_not_execute(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/?q=あやめ電算")
    page.click("a.inc-link")
    page.wait_for_url("**/incidents/*")
    page.hover("section.notice pre.doc")
    for link in page.locator("a.evlink").all()[:5]:
        link.click()
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    assert page.evaluate("document.querySelectorAll('img, iframe, svg[onload]').length") == 0
    # the text shows the markup as text
    assert "<script>" in page.inner_text("section.notice pre.doc")
    assert page.title() == "株式会社あやめ電算 · 事件簿"  # the extracted organisation name, never the script's title
    _shot(page, "hostile")
    page.goto(server + "/try")
    page.fill("textarea[name=text]", HOSTILE.read_text(encoding="utf-8"))
    page.click("#extract")
    page.wait_for_selector("#records")
    assert page.evaluate("window.__pwned") is None
    assert "<script>" in page.inner_text(".try-result pre.doc")


def test_english_switch(page, server) -> None:  # type: ignore[no-untyped-def]
    page.goto(server + "/")
    page.click("header a.lang")
    page.wait_for_url("**lang=en*")
    assert "Incidents" in page.inner_text("header nav")
    page.goto(server + "/stats")
    assert "Statistics" in page.inner_text("h1")  # the cookie keeps the language
    _shot(page, "stats_en")
    page.goto(server + "/?q=つきみ")
    page.click("a.inc-link")
    page.wait_for_url("**/incidents/*")
    assert "Values and their evidence" in page.inner_text("main")
    _shot(page, "incident_en")


@pytest.fixture(scope="module")
def guarded_server(sample_db: Path) -> Iterator[str]:
    yield from _serving(sample_db, read_token="br0wser-read")


def test_read_token_once_in_the_address(browser, guarded_server) -> None:  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 1400, "height": 900}, locale="ja-JP")
    try:
        pg = ctx.new_page()
        resp = pg.goto(guarded_server + "/")
        assert resp.status == 401 and "トークン" in pg.inner_text("main")
        pg.goto(guarded_server + "/?token=br0wser-read&type=misdelivery")
        assert "token=" not in pg.url and "type=misdelivery" in pg.url  # the token left the address
        assert "もみじ台市" in pg.inner_text("table.incidents")
        pg.click("table.incidents tbody tr a")  # the cookie carries the next pages
        pg.wait_for_url("**/incidents/*")
        assert pg.locator("h1").count() == 1
        assert pg.goto(guarded_server + "/stats").status == 200
        cookie = next(c for c in ctx.cookies() if c["name"] == "jikenbo_read")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    finally:
        ctx.close()
