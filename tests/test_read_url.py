"""read_inputs on http(s) URLs, against a server on 127.0.0.1 run by the test itself."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest

from jikenbo.models import Document, ReadError
from jikenbo.read import ReadOptions, read_inputs

FIX = Path(__file__).parent / "fixtures" / "read"
SLOW_SECONDS = 3.0  # the slow route sleeps this long; the client gives up after 0.5 s


def _routes() -> dict[str, tuple[int, dict[str, str], bytes]]:
    page = (FIX / "news_page.html").read_bytes()
    sjis_page_no_meta = (
        "<html><head><title>お知らせ</title></head><body><p>"
        + "当社サーバーへの不正アクセスについてお知らせいたします。" * 3
        + "</p></body></html>"
    ).encode("cp932")
    return {
        "/news.html": (200, {"Content-Type": "text/html; charset=utf-8"}, page),
        "/xhtml": (200, {"Content-Type": "application/xhtml+xml"}, page),
        "/sjis": (200, {"Content-Type": "text/html; charset=Shift_JIS"}, sjis_page_no_meta),
        "/euc.txt": (200, {"Content-Type": "text/plain; charset=EUC-JP"},
                     "個人情報の漏えいについて".encode("euc_jp")),
        "/notice.pdf": (200, {"Content-Type": "application/pdf"}, (FIX / "notice.pdf").read_bytes()),
        "/octet.pdf": (200, {"Content-Type": "application/octet-stream"}, (FIX / "notice.pdf").read_bytes()),
        "/no-type": (200, {}, page),
        "/image.png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n"),
        "/encrypted.pdf": (200, {"Content-Type": "application/pdf"}, (FIX / "encrypted.pdf").read_bytes()),
        "/empty": (200, {"Content-Type": "text/plain"}, b""),
        "/gone": (404, {"Content-Type": "text/html"}, b"<html><body>not here</body></html>"),
        "/broken": (500, {"Content-Type": "text/plain"}, b"oops"),
        "/redirect": (302, {"Location": "/hop/1"}, b""),
        "/hop/1": (301, {"Location": "/hop/2"}, b""),
        "/hop/2": (302, {"Location": "/news.html"}, b""),
        "/loop": (302, {"Location": "/loop"}, b""),
    }


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, tuple[int, dict[str, str], bytes]]] = {}
    seen_agents: ClassVar[list[str]] = []

    def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
        pass

    def do_GET(self) -> None:
        self.seen_agents.append(self.headers.get("User-Agent", ""))
        if self.path == "/slow":
            time.sleep(SLOW_SECONDS)
            self._send(200, {"Content-Type": "text/plain"}, "遅い応答".encode())
            return
        if self.path == "/huge-declared":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(50 * 1024 * 1024))
            self.end_headers()
            return  # the client must refuse from the header alone
        if self.path == "/huge-streamed":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Connection", "close")
            self.end_headers()
            try:
                for _ in range(64):  # 64 x 64 KiB, no length given: caught while streaming
                    self.wfile.write(b"a" * 65536)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
            return
        status, headers, body = self.routes.get(self.path, (404, {}, b"no route"))
        self._send(status, headers, body)

    def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    _Handler.routes = _routes()
    server = _Server(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


OPTS = ReadOptions(timeout_seconds=0.5, max_bytes=1024 * 1024, user_agent="jikenbo-test/1")


def fetch(url: str, options: ReadOptions = OPTS) -> Document | ReadError:
    results = list(read_inputs([url], options=options))
    assert len(results) == 1
    assert results[0].source == url
    return results[0]


def fetch_error(url: str, options: ReadOptions = OPTS) -> str:
    result = fetch(url, options)
    assert isinstance(result, ReadError), result
    assert "\n" not in result.message
    return result.message


def test_html_page(base_url: str) -> None:
    url = base_url + "/news.html"
    doc = fetch(url)
    assert isinstance(doc, Document)
    assert doc.media_type == "text/html"
    assert doc.url == url
    assert doc.title is not None and doc.title.startswith("みなと精機")
    assert doc.published == "2099-03-14"
    assert "アクセスランキング" not in doc.text
    assert "工作機械部品を製造する株式会社みなと精機" in doc.text
    fetched = datetime.fromisoformat(doc.fetched_at or "")
    assert fetched.utcoffset() == UTC.utcoffset(None)
    assert "jikenbo-test/1" in _Handler.seen_agents


def test_xhtml_and_missing_content_type_are_read_as_html(base_url: str) -> None:
    for path in ("/xhtml", "/no-type"):
        doc = fetch(base_url + path)
        assert isinstance(doc, Document)
        assert doc.media_type == "text/html"


def test_charset_from_the_content_type_header(base_url: str) -> None:
    doc = fetch(base_url + "/sjis")
    assert isinstance(doc, Document)
    assert doc.encoding == "cp932"
    assert "当社サーバーへの不正アクセスについてお知らせいたします。" in doc.text
    doc = fetch(base_url + "/euc.txt")
    assert isinstance(doc, Document)
    assert (doc.text, doc.encoding, doc.media_type) == ("個人情報の漏えいについて", "euc_jp", "text/plain")


def test_pdf_by_content_type_and_by_magic(base_url: str) -> None:
    for path in ("/notice.pdf", "/octet.pdf"):
        doc = fetch(base_url + path)
        assert isinstance(doc, Document)
        assert doc.media_type == "application/pdf"
        assert "学校法人みどり学園" in doc.text


def test_redirects_are_followed_and_the_final_url_kept(base_url: str) -> None:
    doc = fetch(base_url + "/redirect")
    assert isinstance(doc, Document)
    assert doc.source == base_url + "/redirect"
    assert doc.url == base_url + "/news.html"


def test_too_many_redirects(base_url: str) -> None:
    assert fetch_error(base_url + "/loop") == "too many redirects (more than 5)"
    assert fetch_error(base_url + "/redirect", ReadOptions(max_redirects=2)).startswith("too many redirects")


@pytest.mark.parametrize(("path", "message"), [("/gone", "HTTP 404 Not Found"),
                                               ("/broken", "HTTP 500 Internal Server Error"),
                                               ("/no-such-route", "HTTP 404 Not Found")])
def test_http_errors(base_url: str, path: str, message: str) -> None:
    assert fetch_error(base_url + path) == message


def test_unsupported_content_type(base_url: str) -> None:
    assert fetch_error(base_url + "/image.png") == "unsupported content type image/png"


def test_documents_that_fail_after_download(base_url: str) -> None:
    assert fetch_error(base_url + "/empty") == "empty file"
    assert fetch_error(base_url + "/encrypted.pdf") == "encrypted PDF (no password support)"


def test_timeout(base_url: str) -> None:
    assert fetch_error(base_url + "/slow") == "timed out after 0.5 s"


def test_response_too_large(base_url: str) -> None:
    assert fetch_error(base_url + "/huge-declared").startswith("response too large (52,428,800 bytes")
    assert fetch_error(base_url + "/huge-streamed") == "response too large (over 1,048,576 bytes)"


def test_unreachable_server() -> None:
    with socket.socket() as s:  # a port that was free a moment ago: nothing listens there
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert fetch_error(f"http://127.0.0.1:{port}/notice.html").startswith("cannot connect to the server")


@pytest.mark.parametrize("url", ["http://", "https://[::1", "http:///path-only"])
def test_malformed_url_is_a_read_error(url: str) -> None:
    assert fetch_error(url).startswith("invalid URL")


def test_urls_and_files_mix_in_one_batch(base_url: str) -> None:
    results = list(read_inputs([base_url + "/gone", str(FIX / "notice_sjis.txt"), base_url + "/news.html"],
                               options=OPTS))
    assert [type(r).__name__ for r in results] == ["ReadError", "Document", "Document"]
