"""Extraction never runs on the event loop: a bounded pool (503 + Retry-After when full), a text
cap per request (413), a rate limit for unauthenticated extraction beyond loopback (429)."""

from __future__ import annotations

import threading
import warnings
from pathlib import Path

import pytest

warnings.filterwarnings("ignore", message=".*httpx.*", category=DeprecationWarning)
from fastapi.testclient import TestClient  # noqa: E402

import jikenbo.serve.jobs as jobs  # noqa: E402
from jikenbo.cli.serve_cmd import sample_files  # noqa: E402
from jikenbo.serve import create_app  # noqa: E402
from jikenbo.serve.jobs import RateLimit  # noqa: E402
from jikenbo.store import open_store  # noqa: E402

WAIT = 120  # seconds a liveness check may wait; never a speed figure


@pytest.fixture
def db(tmp_path: Path) -> Path:
    p = tmp_path / "s.db"
    open_store(p).close()
    return p


def _notice() -> str:
    return Path(sample_files()[0]).read_text(encoding="utf-8")


@pytest.fixture
def blocking(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, threading.Event]:
    """Make extraction wait until released (thread mode: extract_workers = 0)."""
    started, release = threading.Event(), threading.Event()
    real = jobs.extract_job

    def slow(*args, **kwargs):  # type: ignore[no-untyped-def]
        started.set()
        assert release.wait(WAIT)
        return real(*args, **kwargs)

    monkeypatch.setattr(jobs, "extract_job", slow)
    return started, release


def test_other_requests_go_on_while_one_is_extracting(db: Path, blocking) -> None:  # type: ignore[no-untyped-def]
    started, release = blocking
    app = create_app(db, settings={"extract_workers": 0, "extract_queue": 2})
    with TestClient(app) as client:  # one event loop for every request
        out: dict = {}
        t = threading.Thread(target=lambda: out.update(r=client.post("/api/extract", json={"text": _notice()})))
        t.start()
        assert started.wait(WAIT)
        got: dict = {}
        g = threading.Thread(target=lambda: got.update(r=client.get("/api/incidents")))
        g.start()
        g.join(WAIT)
        finished_while_extracting = not g.is_alive()
        release.set()
        t.join(WAIT)
        g.join(WAIT)
    assert finished_while_extracting, "a GET waited for an extraction: the loop was held"
    assert got["r"].status_code == 200
    assert out["r"].status_code == 200 and out["r"].json()["records"]


def test_a_full_queue_answers_503_with_retry_after(db: Path, blocking) -> None:  # type: ignore[no-untyped-def]
    started, release = blocking
    app = create_app(db, settings={"extract_workers": 0, "extract_queue": 1, "retry_after_seconds": 7})
    pool = app.state.extract_pool
    with TestClient(app) as client:
        res: list = []
        threads = [threading.Thread(target=lambda: res.append(client.post("/api/extract", json={"text": _notice()})))
                   for _ in range(2)]
        for t in threads:
            t.start()
        assert started.wait(WAIT)
        ev = threading.Event()
        for _ in range(WAIT * 10):
            if pool._in_flight == 2:
                break
            ev.wait(0.1)
        assert pool._in_flight == 2  # one running, one waiting: the limit
        third = client.post("/api/extract", json={"text": _notice()})
        page = client.post("/try", data={"text": _notice()})
        release.set()
        for t in threads:
            t.join(WAIT)
    assert third.status_code == 503
    assert third.headers["retry-after"] == "7"
    assert third.json()["error"]["status"] == 503 and "busy" in third.json()["error"]["message"]
    assert page.status_code == 503 and page.headers["retry-after"] == "7"
    assert [r.status_code for r in res] == [200, 200]
    assert pool._in_flight == 0


def test_text_over_the_cap_is_413_with_a_clear_message(db: Path) -> None:
    client = TestClient(create_app(db, settings={"max_text_chars": 1000, "extract_workers": 0}),
                        raise_server_exceptions=False)
    long = _notice() + "あ" * 1000
    r = client.post("/api/extract", json={"text": long})
    assert r.status_code == 413
    msg = r.json()["error"]["message"]
    assert f"{len(long):,} characters" in msg and "the limit is 1,000" in msg
    f = client.post("/api/extract", files={"file": ("big.txt", long.encode(), "text/plain")})
    assert f.status_code == 413 and "upload:big.txt" in f.json()["error"]["message"]
    p = client.post("/try", data={"text": long})
    assert p.status_code == 413 and "1,000" in p.text
    ok = client.post("/api/extract", json={"text": _notice()[:900]})
    assert ok.status_code == 200


def test_extraction_in_a_worker_process_and_storing(db: Path) -> None:
    app = create_app(db, settings={"extract_workers": 1})
    with TestClient(app, base_url="http://127.0.0.1") as client:
        ex = client.post("/api/extract", json={"text": _notice()})
        assert ex.status_code == 200 and ex.json()["records"][0]["organization"]
        st = client.post("/api/notices", json={"text": _notice(), "source": "n.txt"})
        assert st.status_code == 200 and st.json()["status"] == "added" and st.json()["notices_added"] >= 1
        hits = client.get("/api/search", params={"q": ex.json()["records"][0]["organization"][-4:]}).json()
        assert hits["total"] >= 1  # the index text computed in the worker was stored


def test_caps_and_dropped_notices_are_in_the_warnings(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jikenbo import pipeline

    monkeypatch.setattr(pipeline.Limits, "from_settings", classmethod(lambda cls: cls(max_document_chars=300)))
    client = TestClient(create_app(db, settings={"extract_workers": 0}))
    r = client.post("/api/extract", json={"text": _notice() + "経過のご報告。\n" * 100, "source": "x.txt"})
    assert r.status_code == 200
    assert any("characters were searched for notices" in w or "max_document_chars" in w or "300" in w
               for w in r.json()["warnings"])


def test_unauthenticated_extraction_is_rate_limited_beyond_loopback(db: Path) -> None:
    s = {"extract_workers": 0, "extract_rate_per_minute": 1, "extract_burst": 2}
    open_client = TestClient(create_app(db, host="0.0.0.0", token="sekrit", settings=s))
    codes = [open_client.post("/api/extract", json={"text": "株式会社テスト\n"}).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    r = open_client.post("/api/extract", json={"text": "株式会社テスト\n"})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert "too many extraction requests" in r.json()["error"]["message"]
    authed = open_client.post("/api/extract", json={"text": "株式会社テスト\n"},
                              headers={"Authorization": "Bearer sekrit"})
    assert authed.status_code == 200  # the token lifts the limit
    local = TestClient(create_app(db, settings=s))  # loopback: no limit
    assert {local.post("/api/extract", json={"text": "株式会社テスト\n"}).status_code for _ in range(4)} == {200}


def test_rate_limit_refills() -> None:
    rl = RateLimit(per_minute=60, burst=1)
    rl.check("a", now=0.0)
    with pytest.raises(Exception) as e:
        rl.check("a", now=0.5)
    assert getattr(e.value, "status", None) == 429
    rl.check("b", now=0.5)  # per address
    rl.check("a", now=1.6)  # one token a second
    assert not RateLimit(0, 5).enabled


def test_limits_are_in_serve_toml() -> None:
    from jikenbo.config import settings

    raw = settings("serve")
    for key in ("max_text_chars", "extract_workers", "extract_queue", "retry_after_seconds",
                "extract_rate_per_minute", "extract_burst"):
        assert key in raw


@pytest.mark.parametrize("how", ["stdin", "-c"])
def test_worker_processes_start_whatever_runs_the_app(tmp_path: Path, how: str) -> None:
    """A fork server re-imports the main module: from stdin it cannot, so the pool forks."""
    import os
    import subprocess
    import sys

    db = tmp_path / "s.db"
    open_store(db).close()
    script = (f"import warnings; warnings.filterwarnings('ignore')\n"
              f"from fastapi.testclient import TestClient\nfrom jikenbo.serve import create_app\n"
              f"c = TestClient(create_app({str(db)!r}, settings={{'extract_workers': 1}}))\n"
              f"print(c.post('/api/extract', json={{'text': '株式会社テスト\\n'}}).status_code)\n")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent / "src")}
    args = [sys.executable, "-"] if how == "stdin" else [sys.executable, "-c", script]
    out = subprocess.run(args, input=script if how == "stdin" else None, capture_output=True, text=True,
                         env=env, timeout=300)
    assert out.stdout.strip().splitlines()[-1] == "200", out.stderr[-2000:]
