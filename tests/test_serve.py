"""The web app in-process (FastAPI TestClient): pages, API, the error shape, the write rule, escaping."""

from __future__ import annotations

import re
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

from jikenbo.cli.serve_cmd import sample_files  # noqa: E402
from jikenbo.serve import create_app  # noqa: E402
from jikenbo.serve.deps import is_loopback  # noqa: E402
from jikenbo.serve.highlight import Span, highlight  # noqa: E402
from jikenbo.serve.views import safe_url  # noqa: E402
from jikenbo.store import open_store  # noqa: E402

HOSTILE = Path(__file__).parent / "serve_fixtures" / "hostile_notice.txt"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("serve") / "samples.db"
    with open_store(path) as store:
        summary = store.ingest([*sample_files(), str(HOSTILE)], progress=False)
    assert summary.ok, summary.failed
    return path


@pytest.fixture(scope="module")
def client(sample_db: Path) -> TestClient:
    return TestClient(create_app(sample_db), raise_server_exceptions=False)


def _incident_id(client: TestClient, org_part: str) -> str:
    items = client.get("/api/incidents", params={"per_page": 200}).json()["items"]
    return next(i["id"] for i in items if org_part in (i["organization"] or ""))


def assert_error(resp, status: int) -> dict:
    """The one JSON error shape: {"error": {"status": N, "message": "..."}} and nothing else."""
    assert resp.status_code == status
    assert resp.headers["content-type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"status", "message"}
    assert body["error"]["status"] == status
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert "Traceback" not in body["error"]["message"]
    return body


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append((tag, dict(attrs)))


def assert_no_active_content(html: str) -> None:
    """Parsed as a browser would: no event handler, no script but ours, no javascript: URL."""
    p = _Tags()
    p.feed(html)
    for tag, attrs in p.tags:
        assert tag not in ("iframe", "object", "embed", "style", "img"), tag
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name)
            if name in ("href", "src", "action"):
                assert not (value or "").strip().lower().startswith(("javascript:", "data:", "vbscript:")), value


# ---------------------------------------------------------------------------- pages
def test_incident_list_shows_samples_with_total(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200
    assert "株式会社はるかぜ商会" in r.text
    m = re.search(r'data-total="(\d+)"', r.text)
    assert m and int(m[1]) >= 10


def test_search_and_facet_filter_are_in_the_url(client: TestClient) -> None:
    r = client.get("/", params={"q": "ランサムウェア"})
    assert r.status_code == 200
    assert "つきみ製菓" in r.text and "はるかぜ" not in r.text
    r = client.get("/", params={"type": "misdelivery"})
    assert "もみじ台市" in r.text and "つきみ製菓" not in r.text
    # the facet links keep the current filters
    assert "type=misdelivery" in r.text


def test_facets_have_counts(client: TestClient) -> None:
    f = client.get("/api/facets").json()
    for name in ("year", "type", "leak_status", "category", "sensitive", "card", "authority", "vendor", "industry"):
        assert name in f
    types = {v["value"]: v["count"] for v in f["type"]}
    assert types["ransomware"] >= 3


def test_paging_and_sort(client: TestClient) -> None:
    a = client.get("/api/incidents", params={"per_page": 2, "sort": "-affected_total"}).json()
    assert len(a["items"]) == 2 and a["total"] > 2
    assert a["items"][0]["affected_total"] >= a["items"][1]["affected_total"]
    b = client.get("/api/incidents", params={"per_page": 2, "page": 2, "sort": "-affected_total"}).json()
    assert {i["id"] for i in a["items"]}.isdisjoint({i["id"] for i in b["items"]})


def test_incident_page_marks_evidence_and_links_to_it(client: TestClient) -> None:
    iid = _incident_id(client, "はるかぜ")
    r = client.get(f"/incidents/{iid}")
    assert r.status_code == 200
    marks = re.findall(r'<mark class="ev" id="ev-([\w-]+)"', r.text)
    links = re.findall(r'class="evlink" href="#ev-([\w-]+)"', r.text)
    assert marks and links
    assert set(links) <= set(re.findall(r'id="ev-([\w-]+)"', r.text))
    assert "初報" in r.text or "first" in r.text  # revisions block
    assert "個人情報保護法" in r.text  # judge summary
    assert r.text.count('class="notice"') == 2  # two linked notices


def test_related_incidents_through_vendor(client: TestClient) -> None:
    iid = _incident_id(client, "つきみ製菓")
    r = client.get(f"/incidents/{iid}")
    assert "ミライクラウド" in r.text.split('class="related"')[1].split("</section>")[0]


def test_stats_page_has_svg_charts(client: TestClient) -> None:
    r = client.get("/stats")
    assert r.status_code == 200
    assert r.text.count("<svg") == 6  # per month, types, affected, categories, lag, vendors
    assert "n = " in r.text


def test_english_switch_sets_cookie(client: TestClient) -> None:
    r = client.get("/", params={"lang": "en"})
    assert "Incidents" in r.text and 'lang="en"' in r.text
    assert "lang=en" in r.headers.get("set-cookie", "")
    client.cookies.clear()


def test_try_page_extracts_and_stores(sample_db: Path, tmp_path: Path) -> None:
    c = TestClient(create_app(sample_db), raise_server_exceptions=False, base_url="http://127.0.0.1:8000")
    text = Path(sample_files()[8]).read_text(encoding="utf-8")  # 09 momiji
    r = c.post("/try", data={"text": text})
    assert r.status_code == 200
    assert '<mark class="ev"' in r.text and 'id="store"' in r.text
    key = re.search(r'name="key" value="([0-9a-f]+)"', r.text)[1]
    r = c.post("/notices", data={"key": key}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/incidents/")


# ---------------------------------------------------------------------------- API
def test_api_incident_notice_check(client: TestClient) -> None:
    iid = _incident_id(client, "はるかぜ")
    inc = client.get(f"/api/incidents/{iid}").json()
    assert inc["notice_count"] == 2 and inc["field_values"]
    nid = inc["notices"][0]["id"]
    n = client.get(f"/api/notices/{nid}").json()
    assert n["notice_id"] == nid and n["document"]["text"]
    chk = client.get(f"/api/incidents/{iid}/check").json()
    assert chk["kind"] == "incident" and "reportable" in chk
    assert chk["rule"] == "法26条" and chk["body"]["kind"] == "business"
    page = client.get(f"/incidents/{iid}").text
    assert '<p class="rule">' in page and "法26条 (規則7条, 本人の数 1,000 人超)" in page


def test_api_search_stats_extract(client: TestClient) -> None:
    s = client.get("/api/search", params={"q": "不正アクセス"}).json()
    assert s["total"] >= 1 and s["items"][0]["snippet"]
    st = client.get("/api/stats", params=[("by", "month"), ("by", "type")]).json()
    assert st["by"] == ["month", "type"] and st["total"]["n"] >= 10
    text = Path(sample_files()[0]).read_text(encoding="utf-8")
    ex = client.post("/api/extract", json={"text": text}).json()
    assert ex["records"][0]["organization"] == "株式会社はるかぜ商会"
    up = client.post("/api/extract", files={"file": ("n.txt", text.encode(), "text/plain")}).json()
    assert up["records"][0]["organization"] == "株式会社はるかぜ商会"


# ---------------------------------------------------------------------------- errors
@pytest.mark.parametrize(("method", "url", "kw", "status"), [
    ("get", "/api/incidents/inc_nope", {}, 404),
    ("get", "/api/notices/ntc_nope", {}, 404),
    ("get", "/api/incidents/inc_nope/check", {}, 404),
    ("get", "/api/incidents", {"params": {"page": "zero"}}, 422),
    ("get", "/api/incidents", {"params": {"since": "2024-13"}}, 400),
    ("get", "/api/search", {"params": {"q": "*"}}, 400),
    ("get", "/api/stats", {"params": {"by": "colour"}}, 400),
    ("get", "/api/nothing-here", {}, 404),
    ("post", "/api/extract", {"content": b"not json", "headers": {"content-type": "application/json"}}, 422),
    ("post", "/api/extract", {"json": {"text": "   "}}, 422),
    ("delete", "/api/incidents", {}, 405),
])
def test_one_error_shape(client: TestClient, method: str, url: str, kw: dict, status: int) -> None:
    assert_error(getattr(client, method)(url, **kw), status)


def test_html_errors_render_a_page(client: TestClient) -> None:
    r = client.get("/incidents/inc_nope")
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert "inc_nope" in r.text and "Traceback" not in r.text


def test_unexpected_error_has_no_traceback(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jikenbo.store import Store

    def boom(*a, **k):
        raise RuntimeError("secret internals at /home/x")

    monkeypatch.setattr(Store, "incident", boom)
    c = TestClient(create_app(sample_db))  # nothing propagates to the server either (no traceback in its log)
    body = assert_error(c.get("/api/incidents/inc_x"), 500)
    assert "secret" not in body["error"]["message"]
    r = c.get("/incidents/inc_x")
    assert r.status_code == 500 and "secret" not in r.text and "Traceback" not in r.text


# ---------------------------------------------------------------------------- security
def test_security_headers(client: TestClient) -> None:
    for url in ("/", "/api/incidents", "/static/app.js", "/api/incidents/none"):
        r = client.get(url)
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert r.headers["x-content-type-options"] == "nosniff"


def test_no_inline_script_in_pages(client: TestClient) -> None:
    iid = _incident_id(client, "はるかぜ")
    for url in ("/", "/stats", "/try", f"/incidents/{iid}"):
        html = client.get(url).text
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert 'src="/static/' in tag
        assert_no_active_content(html)


def test_hostile_notice_is_escaped(client: TestClient) -> None:
    items = client.get("/api/search", params={"q": "あやめ電算"}).json()["items"]
    assert items, "the hostile fixture should be stored as an incident"
    iid = items[0]["id"]
    html = client.get(f"/incidents/{iid}").text
    assert_no_active_content(html)
    # nothing from the notice survives as markup: only escaped forms
    assert "<script>window" not in html and "&lt;script&gt;window.__" in html
    assert "<img" not in html and "&lt;img src=x onerror=" in html
    assert "<svg" not in html and "<iframe" not in html and "<style>" not in html
    assert 'href="javascript:' not in html and "onerror=\"" not in html and "onmouseover=\"" not in html
    assert "&lt;/textarea&gt;&lt;/pre&gt;" in html
    listing = client.get("/", params={"q": "あやめ電算"}).text
    assert "<b onmouseover" not in listing and "&lt;b onmouseover=" in listing
    tried = client.post("/try", data={"text": HOSTILE.read_text(encoding="utf-8")}).text
    assert "<script>window" not in tried and "&lt;script&gt;" in tried


def test_highlight_escapes_every_piece() -> None:
    text = 'a<b>"x"&<script>z</script>'
    html = str(highlight(text, [Span("k1", 1, 4, "f"), Span("k2", 2, 12, "g"), Span("bad", 50, 60)]))
    assert "<script>" not in html and "<b>" not in html
    assert html.count('<mark class="ev"') >= 2 and 'id="ev-k1"' in html and 'id="ev-k2"' in html
    assert re.sub(r"<[^>]+>", "", html) == str(highlight(text, []))


def test_safe_url() -> None:
    assert safe_url("https://example.jp/a") == "https://example.jp/a"
    for bad in ("javascript:alert(1)", " JAVASCRIPT:x", "data:text/html,x", "vbscript:x", "//evil", None, ""):
        assert safe_url(bad) is None


def test_write_rule(sample_db: Path) -> None:
    text = {"text": Path(sample_files()[9]).read_text(encoding="utf-8")}
    # loopback without token: allowed (but not cross-origin)
    local = TestClient(create_app(sample_db, host="127.0.0.1"), raise_server_exceptions=False,
                       base_url="http://127.0.0.1:8000")
    assert local.post("/api/notices", json=text).status_code == 200
    assert_error(local.post("/api/notices", json=text, headers={"origin": "http://evil.example"}), 403)
    # DNS rebinding: same origin as far as the browser knows, but not a loopback name
    rebound = TestClient(local.app, raise_server_exceptions=False, base_url="http://evil.example:8000")
    assert_error(rebound.post("/api/notices", json=text, headers={"origin": "http://evil.example:8000"}), 403)
    # any other address without a token: writes disabled
    wide = TestClient(create_app(sample_db, host="0.0.0.0"), raise_server_exceptions=False)
    assert_error(wide.post("/api/notices", json=text), 403)
    assert wide.get("/api/incidents").status_code == 200
    assert "id=\"store\"" not in wide.post("/try", data=text).text
    # with a token: only with the right one
    tok = TestClient(create_app(sample_db, host="0.0.0.0", token="s3cret"), raise_server_exceptions=False)
    assert_error(tok.post("/api/notices", json=text), 403)
    assert_error(tok.post("/api/notices", json=text, headers={"authorization": "Bearer wrong"}), 403)
    r = tok.post("/api/notices", json=text, headers={"authorization": "Bearer s3cret"})
    assert r.status_code == 200 and r.json()["status"] in ("added", "duplicate", "empty")
    page = tok.post("/try", data=text).text
    key = re.search(r'name="key" value="([0-9a-f]+)"', page)[1]
    assert tok.post("/notices", data={"key": key, "token": "nope"}).status_code == 403
    assert tok.post("/notices", data={"key": key, "token": "s3cret"}, follow_redirects=False).status_code in (200, 303)


def test_upload_size_is_capped(sample_db: Path) -> None:
    c = TestClient(create_app(sample_db, settings={"max_upload_bytes": 1000}), raise_server_exceptions=False)
    big = "あ" * 2000
    assert_error(c.post("/api/extract", json={"text": big}), 413)
    assert_error(c.post("/api/extract", files={"file": ("a.txt", big.encode(), "text/plain")}), 413)
    r = c.post("/try", data={"text": big})
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")


def test_loopback_names() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost") and is_loopback("[::1]")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.2") and not is_loopback("example.jp")


def test_demo_command_ingests_samples(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from jikenbo.cli import cli

    r = CliRunner().invoke(cli, ["demo", "--db", str(tmp_path / "d.db"), "--no-serve"])
    assert r.exit_code == 0, r.output
    assert "14 documents read" in r.output
    with open_store(tmp_path / "d.db", readonly=True) as s:
        assert s.count_incidents() >= 10


def test_slow_facets_are_left_to_the_background(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    from jikenbo.serve.cache import MEMO
    from jikenbo.store import Store

    MEMO.clear()
    real = Store.facets

    def slow(self, filters, **kw):  # type: ignore[no-untyped-def]
        if filters.types:
            time.sleep(0.3)
        return real(self, filters, **kw)

    monkeypatch.setattr(Store, "facets", slow)
    app = create_app(sample_db, settings={"facet_budget_ms": 1})
    c = TestClient(app, raise_server_exceptions=False)
    first = c.get("/", params={"type": "ransomware"}).text
    assert 'data-facets-url="/api/facets?type=ransomware"' in first and ">…<" in first
    assert "つきみ製菓" in first  # the list itself is there
    deadline = time.monotonic() + 10
    while not app.state.bg.idle() and time.monotonic() < deadline:
        time.sleep(0.02)
    again = c.get("/", params={"type": "ransomware"}).text
    assert "data-facets-url" not in again and ">…<" not in again
    assert c.get("/api/facets", params={"type": "ransomware"}).json()["type"][0]["count"] >= 3


# ---------------------------------------------------------------------------- URL ingestion
@pytest.mark.parametrize("url", [
    "http://127.0.0.1/", "http://localhost:8000/x", "http://10.1.2.3/", "http://192.168.0.1/",
    "http://169.254.169.254/latest/meta-data/", "http://[::1]/", "http://[::ffff:127.0.0.1]/", "http://0.0.0.0/",
    "file:///etc/passwd", "ftp://example.jp/", "javascript:alert(1)",
])
def test_private_and_odd_urls_are_refused(url: str) -> None:
    from jikenbo.serve.errors import ServeError
    from jikenbo.serve.fetching import check_url

    with pytest.raises(ServeError) as e:
        check_url(url)
    assert e.value.status == 400


@pytest.fixture
def local_site():  # type: ignore[no-untyped-def]
    """A tiny HTTP server on 127.0.0.1: /notice.txt, and /hop redirecting to it."""
    import http.server
    import threading

    body = Path(sample_files()[8]).read_bytes()  # 09 momiji (UTF-8 text)

    class H(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/hop":
                self.send_response(302)
                self.send_header("Location", "/notice.txt")
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *a: object) -> None:
            pass

    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
    th = threading.Thread(target=srv.serve_forever, daemon=True)
    th.start()
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def test_try_url_refuses_loopback_by_default(sample_db: Path, local_site: str) -> None:
    c = TestClient(create_app(sample_db), raise_server_exceptions=False)
    r = c.post("/try", data={"url": local_site + "/notice.txt"})
    assert r.status_code == 400 and "refused" in r.text


def test_try_url_reads_a_page_when_private_urls_are_allowed(sample_db: Path, local_site: str) -> None:
    c = TestClient(create_app(sample_db, allow_private_urls=True), raise_server_exceptions=False)
    r = c.post("/try", data={"url": local_site + "/hop"})
    assert r.status_code == 200 and "もみじ台市" in r.text and '<mark class="ev"' in r.text


def test_each_redirect_hop_is_checked(local_site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from jikenbo.serve import fetching
    from jikenbo.serve.errors import ServeError

    real = fetching.check_url
    first = local_site + "/hop"
    monkeypatch.setattr(fetching, "check_url",
                        lambda url, allow_private=False: url if url == first else real(url, allow_private=allow_private))
    with pytest.raises(ServeError, match="refused"):
        fetching.fetch_document(first, max_bytes=100_000)


def test_slow_count_gives_a_lower_bound_not_a_wait(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """On a big store an exact total can take long; the page answers with 'N or more'."""
    import threading

    from jikenbo.store.core import Store

    release = threading.Event()
    real = Store.count_incidents

    def slow_count(self, *a, **k):  # type: ignore[no-untyped-def]
        release.wait(1.5)
        return real(self, *a, **k)

    monkeypatch.setattr(Store, "count_incidents", slow_count)
    c = TestClient(create_app(sample_db), raise_server_exceptions=False)
    try:
        body = c.get("/api/search", params={"q": "漏えい"}).json()
        assert body["total_exact"] is False and body["total"] >= len(body["items"]) > 0
        page = c.get("/", params={"q": "漏えい"})
        assert "件以上" in page.text
    finally:
        release.set()
    monkeypatch.setattr(Store, "count_incidents", real)
    exact = TestClient(create_app(sample_db), raise_server_exceptions=False).get("/api/search", params={"q": "漏えい"})
    assert exact.json()["total_exact"] is True
