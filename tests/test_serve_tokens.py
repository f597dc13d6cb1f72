"""The server's tokens: --token-file, --read-token(-file), reads behind a token (API, pages, feeds, exports)."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

from jikenbo.cli import cli as main  # noqa: E402
from jikenbo.cli import serve_cmd  # noqa: E402
from jikenbo.cli.serve_cmd import read_token_file, resolve_token, sample_files  # noqa: E402
from jikenbo.serve import create_app  # noqa: E402
from jikenbo.serve.deps import READ_COOKIE  # noqa: E402
from jikenbo.store import open_store  # noqa: E402

READ, WRITE = "r3ad-t0ken", "wr1te-t0ken"
NOTICE = ("株式会社架空テスト商事\n個人情報漏えいに関するお詫びとご報告\n2025年3月1日\n"
          "不正アクセスにより顧客の氏名とメールアドレス120件が漏えいしたおそれがあります。")


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tokens") / "samples.db"
    with open_store(path) as store:
        assert store.ingest(sample_files(), progress=False).ok
    return path


@pytest.fixture(scope="module")
def guarded(sample_db: Path) -> TestClient:
    return TestClient(create_app(sample_db, host="0.0.0.0", token=WRITE, read_token=READ),
                      raise_server_exceptions=False)


@pytest.fixture(scope="module")
def incident_id(sample_db: Path) -> str:
    with open_store(sample_db, readonly=True) as store:
        return store.incidents(limit=1)[0]["id"]


def _bearer(tok: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tok}"}


def _read_paths(incident_id: str) -> list[str]:
    return ["/api/incidents", f"/api/incidents/{incident_id}", "/api/search?q=漏えい", "/api/stats", "/api/facets",
            f"/api/incidents/{incident_id}/casebook?format=md", "/openapi.json",
            "/", f"/incidents/{incident_id}", "/stats", "/alerts", "/try",
            f"/incidents/{incident_id}/casebook?format=md", "/feeds/all.atom"]


def test_reads_are_open_by_default(sample_db: Path, incident_id: str) -> None:
    c = TestClient(create_app(sample_db, host="0.0.0.0", token=WRITE), raise_server_exceptions=False)
    for path in _read_paths(incident_id):
        assert c.get(path).status_code == 200, path
    assert READ_COOKIE not in c.get("/?token=whatever").cookies


def test_read_token_guards_every_read(guarded: TestClient, incident_id: str) -> None:
    for path in _read_paths(incident_id):
        r = guarded.get(path, headers={"Accept": "text/html"})
        assert r.status_code == 401, path
        assert "Traceback" not in r.text
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert guarded.get(path, headers=_bearer("wrong")).status_code == 401, path
        assert guarded.get(path, headers=_bearer(READ)).status_code == 200, path
        assert guarded.get(path, headers=_bearer(WRITE)).status_code == 200, path  # the write token reads too
    guarded.cookies.clear()


def test_401_shapes(guarded: TestClient) -> None:
    r = guarded.get("/api/incidents")
    assert r.headers["content-type"].startswith("application/json")
    assert r.json() == {"error": {"status": 401, "message": r.json()["error"]["message"]}}
    assert "token" in r.json()["error"]["message"]
    page = guarded.get("/", params={"lang": "en"})
    assert page.status_code == 401 and page.headers["content-type"].startswith("text/html")
    assert "token" in page.text and "content-security-policy" in page.headers
    assert "トークン" in guarded.get("/", params={"lang": "ja"}).text
    guarded.cookies.clear()


def test_static_files_stay_open(guarded: TestClient) -> None:
    assert guarded.get("/static/app.js").status_code == 200


def test_browser_token_once_then_cookie(sample_db: Path, incident_id: str) -> None:
    c = TestClient(create_app(sample_db, host="0.0.0.0", read_token=READ), raise_server_exceptions=False)
    assert c.get("/?token=wrong").status_code == 401
    assert READ_COOKIE not in c.cookies
    r = c.get(f"/incidents/{incident_id}", params={"token": READ, "lang": "en"}, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == f"/incidents/{incident_id}?lang=en"  # the token leaves the address
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
    assert READ not in r.headers["set-cookie"]  # the cookie holds a value derived from the token, not the token
    # the next pages work with the cookie alone
    assert c.get("/").status_code == 200
    assert c.get("/stats").status_code == 200
    assert c.get("/api/facets").status_code == 200  # the page's own script fetches the facets
    c.cookies.set(READ_COOKIE, "forged")
    assert c.get("/").status_code == 401


def test_token_in_address_for_feeds_and_api(guarded: TestClient) -> None:
    # a feed reader cannot send a header: ?token= answers at once, no redirect
    r = guarded.get("/feeds/all.atom", params={"token": READ}, follow_redirects=False)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/atom+xml")
    assert guarded.get("/api/incidents", params={"token": READ}, follow_redirects=False).status_code == 200
    assert guarded.get("/feeds/all.atom", params={"token": "nope"}).status_code == 401


def test_writes_still_need_the_write_token(guarded: TestClient) -> None:
    body = {"text": NOTICE, "source": "fictional.txt"}
    assert guarded.post("/api/notices", json=body).status_code == 401  # no token at all
    r = guarded.post("/api/notices", json=body, headers=_bearer(READ))
    assert r.status_code == 403  # the read token reads, it does not write
    assert "token" in r.json()["error"]["message"]
    assert guarded.post("/api/notices", json=body, headers=_bearer(WRITE)).status_code == 200


def test_read_token_alone_on_loopback(sample_db: Path) -> None:
    # no write token on loopback: writes stay as they were, reads need the read token
    c = TestClient(create_app(sample_db, read_token=READ), raise_server_exceptions=False)
    assert c.get("/api/incidents").status_code == 401
    assert c.get("/api/incidents", headers=_bearer(READ)).status_code == 200


# ---------------------------------------------------------------------------- token files and the CLI
def test_token_file_read(tmp_path: Path) -> None:
    f = tmp_path / "token"
    f.write_text("s3cret\n")
    f.chmod(0o600)
    assert read_token_file(f, "--token-file") == "s3cret"
    assert resolve_token(None, f, "token") == "s3cret"
    assert resolve_token("abc", None, "token") == "abc"
    assert resolve_token(None, None, "token") is None


@pytest.mark.parametrize("content, message", [
    (None, "no such file"), ("", "the file is empty"), ("\n  \n", "the file is empty"),
    ("one\ntwo\n", "more than one line"), (b"\xff\xfe\x00", "not UTF-8")])
def test_token_file_errors(tmp_path: Path, content: str | bytes | None, message: str) -> None:
    f = tmp_path / "token"
    if isinstance(content, bytes):
        f.write_bytes(content)
    elif content is not None:
        f.write_text(content)
    with pytest.raises(click.ClickException) as e:
        read_token_file(f, "--token-file")
    assert e.value.message.startswith(f"--token-file {f}: ") and message in e.value.message


def test_token_file_readable_by_others_warns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    if os.name != "posix":
        pytest.skip("file modes are POSIX")
    f = tmp_path / "token"
    f.write_text("s3cret\n")
    f.chmod(0o644)
    assert read_token_file(f, "--read-token-file") == "s3cret"
    assert "can be read by other users" in capsys.readouterr().err


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> dict:
    """Stands in for the server: what ``serve``/``demo`` would run with."""
    seen: dict = {}

    def fake_run(db, host, port, token, allow_private_urls, read_token=None):  # type: ignore[no-untyped-def]
        seen.update(token=token, read_token=read_token)

    monkeypatch.setattr(serve_cmd, "_run", fake_run)
    monkeypatch.delenv("JIKENBO_TOKEN", raising=False)
    monkeypatch.delenv("JIKENBO_READ_TOKEN", raising=False)
    return seen


def test_cli_token_files(tmp_path: Path, sample_db: Path, captured: dict) -> None:
    w, r = tmp_path / "w", tmp_path / "r"
    w.write_text(WRITE + "\n")
    r.write_text(READ + "\r\n")
    w.chmod(0o600)
    r.chmod(0o600)
    res = CliRunner().invoke(main, ["serve", "--db", str(sample_db), "--token-file", str(w),
                                    "--read-token-file", str(r)])
    assert res.exit_code == 0, res.output
    assert captured == {"token": WRITE, "read_token": READ}


def test_cli_read_token_from_env(sample_db: Path, captured: dict) -> None:
    res = CliRunner().invoke(main, ["serve", "--db", str(sample_db)], env={"JIKENBO_READ_TOKEN": READ})
    assert res.exit_code == 0, res.output
    assert captured == {"token": None, "read_token": READ}


@pytest.mark.parametrize("command", ["serve", "demo"])
def test_cli_token_and_token_file_together(tmp_path: Path, sample_db: Path, captured: dict, command: str) -> None:
    f = tmp_path / "token"
    f.write_text("x\n")
    for args, name in ((["--token", "a", "--token-file", str(f)], "--token"),
                       (["--read-token", "a", "--read-token-file", str(f)], "--read-token")):
        res = CliRunner().invoke(main, [command, "--db", str(tmp_path / "d.db"), "--no-serve", *args]
                                 if command == "demo" else [command, "--db", str(sample_db), *args])
        assert res.exit_code == 1
        assert f"give {name} or {name}-file, not both" in res.output
        assert "Traceback" not in res.output
    assert captured == {}


def test_cli_missing_token_file(tmp_path: Path, sample_db: Path, captured: dict) -> None:
    res = CliRunner().invoke(main, ["serve", "--db", str(sample_db), "--read-token-file", str(tmp_path / "nope")])
    assert res.exit_code == 1
    assert res.output.strip().splitlines()[-1] == f"Error: --read-token-file {tmp_path / 'nope'}: no such file"
    assert captured == {}


def test_startup_line_says_the_mode(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    class NoServer:
        def __init__(self, config: object) -> None:
            pass

        def run(self, sockets: object) -> None:
            pass

    import uvicorn

    monkeypatch.setattr(uvicorn, "Server", NoServer)
    monkeypatch.delenv("JIKENBO_TOKEN", raising=False)
    monkeypatch.delenv("JIKENBO_READ_TOKEN", raising=False)
    base = ["serve", "--db", str(sample_db), "--port", "0"]
    out = CliRunner().invoke(main, base).output
    assert "jikenbo: reads are open" in out
    out = CliRunner().invoke(main, [*base, "--read-token", READ]).output
    assert "jikenbo: reads need a token" in out and READ not in out
