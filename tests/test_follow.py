"""Following feeds and listing pages served from 127.0.0.1: new entries once, conditional GET,
robots.txt, back-off of a failing source, listing-page baselines, the private-address refusal."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from jikenbo.cli import cli
from jikenbo.follow import FollowOptions, backoff, run
from jikenbo.store import Filters, open_store
from jikenbo.store import follow as fs
from jikenbo.store import watch as ws
from localhttp import LocalServer, Seen

FIX = Path(__file__).parent / "fixtures" / "watch"
TEXT = {"content-type": "text/plain; charset=utf-8"}
OPTS = FollowOptions(host_delay_seconds=0, allow_private=True)  # loopback allowed: tests only


def _atom(base: str, paths: list[str]) -> bytes:
    entries = "".join(f"<entry><id>urn:x:{p}</id><title>{p}</title><updated>2025-03-04T00:00:00Z</updated>"
                      f'<link href="{base}{p}"/></entry>' for p in paths)
    return (f'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id>'
            f"<title>お知らせ</title><updated>2025-03-04T00:00:00Z</updated>{entries}</feed>").encode()


def _rss2(paths: list[str]) -> bytes:
    items = "".join(f"<item><title>{p}</title><link>{p}</link></item>" for p in paths)  # relative links
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>{items}</channel></rss>'.encode()


def _rss1(base: str, paths: list[str]) -> bytes:
    items = "".join(f'<item rdf:about="{base}{p}"><title>{p}</title><link>{base}{p}</link></item>' for p in paths)
    return ('<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            f'xmlns="http://purl.org/rss/1.0/"><channel rdf:about="{base}/rss1"><title>t</title></channel>'
            f"{items}</rdf:RDF>").encode()


@pytest.fixture
def site():  # type: ignore[no-untyped-def]
    srv = LocalServer().start()
    for i, name in enumerate(("01_kogane_first.txt", "02_kogane_second.txt", "03_shirakaba_misdelivery.txt"), 1):
        srv.routes[f"/n/{i}.txt"] = (200, TEXT, (FIX / name).read_bytes())
    srv.routes["/robots.txt"] = (200, TEXT, b"User-agent: *\nDisallow: /private/\n")
    yield srv
    srv.stop()


@pytest.fixture
def store(store_location):  # type: ignore[no-untyped-def]
    with open_store(store_location("f")) as s:  # SQLite and PostgreSQL
        yield s


def test_atom_feed_entries_are_fetched_once_and_alert(site: LocalServer, store) -> None:  # type: ignore[no-untyped-def]
    def feed(seen: Seen):  # type: ignore[no-untyped-def]
        if seen.headers.get("if-none-match") == '"v1"':
            return 304, {}, b""
        return 200, {"content-type": "application/atom+xml", "etag": '"v1"'}, _atom(site.base, ["/n/1.txt"])

    site.routes["/feed.atom"] = feed
    ws.add_watch(store, "org", Filters(organization="こがね医療サービス"))
    fs.add_source(store, site.base + "/feed.atom")
    s = run(store, options=OPTS)
    assert s.ok and s.sources[0].kind == "feed" and s.sources[0].fetched == 1 and s.incidents_created == 1
    assert [a["change"] for a in ws.alerts(store)] == ["new"]
    s = run(store, options=OPTS)  # the server answers 304 to the ETag
    assert s.sources[0].status == "not_modified" and len(site.hits("/n/1.txt")) == 1
    # the feed changes: only the new entry is fetched
    site.routes["/feed.atom"] = (200, {"content-type": "application/atom+xml"}, _atom(site.base, ["/n/2.txt", "/n/1.txt"]))
    s = run(store, options=OPTS)
    assert s.sources[0].new == 1 and s.sources[0].fetched == 1
    assert len(site.hits("/n/1.txt")) == 1 and len(site.hits("/n/2.txt")) == 1
    assert sorted(a["change"] for a in ws.alerts(store)) == ["confirmed", "new", "new_notice", "revised"]
    assert fs.get_source(store, site.base + "/feed.atom").entries == 2


def test_rss_1_and_2_and_a_failing_source_that_stops_nothing(site: LocalServer, store) -> None:  # type: ignore[no-untyped-def]
    site.routes["/rss2.xml"] = (200, {"content-type": "application/rss+xml"}, _rss2(["/n/1.txt"]))
    site.routes["/rss1.rdf"] = (200, {"content-type": "application/xml"}, _rss1(site.base, ["/n/3.txt"]))
    site.routes["/broken"] = (500, {}, b"oops")
    for p in ("/broken", "/rss2.xml", "/rss1.rdf"):
        fs.add_source(store, site.base + p)
    s = run(store, options=OPTS)
    by = {r.url.rsplit("/", 1)[1]: r for r in s.sources}
    assert by["broken"].status == "failed" and by["broken"].error == "HTTP 500"
    assert by["rss2.xml"].fetched == 1 and by["rss1.rdf"].fetched == 1
    assert store.count_incidents() == 2
    src = fs.get_source(store, site.base + "/broken")
    assert src.failures == 1 and src.last_error == "HTTP 500" and src.next_try
    assert not s.ok
    # backing off: the next run skips it, --force visits it
    assert {r.url: r.status for r in run(store, options=OPTS).sources}[src.url] == "skipped"
    assert {r.url: r.status for r in run(store, options=OPTS, force=True).sources}[src.url] == "failed"
    assert fs.get_source(store, src.url).failures == 2
    assert backoff(2, OPTS) == 2 * backoff(1, OPTS)


def test_listing_page_new_links_since_the_last_run(site: LocalServer, store) -> None:  # type: ignore[no-untyped-def]
    page = '<html><body><a href="/n/1.txt">第1報</a><a href="/style.css">css</a><a href="http://elsewhere.example/x">x</a>{}</body></html>'
    site.routes["/news/"] = (200, {"content-type": "text/html; charset=utf-8"}, page.format("").encode())
    fs.add_source(store, site.base + "/news/")
    s = run(store, options=OPTS)
    assert s.sources[0].kind == "page" and s.sources[0].baseline == 1 and s.sources[0].fetched == 0
    site.routes["/news/"] = (200, {"content-type": "text/html; charset=utf-8"},
                             page.format('<a href="/n/3.txt">誤送信</a><a href="/private/n.txt">p</a>').encode())
    s = run(store, options=OPTS)
    r = s.sources[0]
    assert r.fetched == 1 and len(site.hits("/n/3.txt")) == 1 and site.hits("/n/1.txt") == []
    assert r.failed == [(site.base + "/private/n.txt", "robots.txt disallows it")]  # robots.txt obeyed
    assert site.hits("/private/n.txt") == [] and len(site.hits("/robots.txt")) == 2  # once a run


def test_loopback_sources_are_refused_unless_allowed(site: LocalServer, store) -> None:  # type: ignore[no-untyped-def]
    site.routes["/feed.atom"] = (200, {"content-type": "application/atom+xml"}, _atom(site.base, ["/n/1.txt"]))
    fs.add_source(store, site.base + "/feed.atom")
    s = run(store, options=FollowOptions(host_delay_seconds=0, allow_private=False))
    assert s.sources[0].status == "failed" and "private, loopback or reserved" in s.sources[0].error
    assert site.seen == []


def test_cli_follow(site: LocalServer, tmp_path: Path) -> None:
    site.routes["/feed.atom"] = (200, {"content-type": "application/atom+xml"}, _atom(site.base, ["/n/1.txt"]))
    db = str(tmp_path / "c.db")
    run_ = CliRunner().invoke
    assert run_(cli, ["follow", "add", site.base + "/feed.atom", "--db", db]).exit_code == 0
    assert run_(cli, ["follow", "add", site.base + "/feed.atom", "--db", db]).exit_code == 1
    assert run_(cli, ["follow", "add", "ftp://x/y", "--db", db]).exit_code == 1
    assert run_(cli, ["watch", "add", "all", "--since", "2000", "--db", db]).exit_code == 0
    r = run_(cli, ["follow", "run", "--db", db])
    assert r.exit_code == 1 and "refused" in r.output  # loopback without --allow-private
    r = run_(cli, ["follow", "run", "--allow-private", "--force", "--db", db])
    assert r.exit_code == 0, r.output
    assert "1 new incidents, 1 alerts" in r.output
    r = run_(cli, ["follow", "list", "--format", "json", "--db", db])
    assert '"entries": 1' in r.output
    assert run_(cli, ["follow", "run", "--every", "soon", "--db", db]).exit_code != 0
    r = run_(cli, ["follow", "run", "--every", "0.01s", "--count", "2", "--allow-private", "--db", db])
    assert r.exit_code == 0 and r.output.count("not modified") + r.output.count("0 new, 0 fetched") == 2
    assert run_(cli, ["follow", "remove", site.base + "/feed.atom", "--db", db]).exit_code == 0
    assert "no sources are followed" in run_(cli, ["follow", "run", "--db", db]).output


def test_a_feed_entry_without_a_link_is_read_from_its_content(site: LocalServer, store) -> None:  # type: ignore[no-untyped-def]
    from html import escape

    body = "".join(f"<p>{escape(line)}</p>" for line in (FIX / "03_shirakaba_misdelivery.txt").read_text().splitlines())
    feed = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id>'
            "<title>t</title><updated>2025-04-10T00:00:00Z</updated><entry><id>urn:x:1</id><title>お詫び</title>"
            f'<updated>2025-04-10T00:00:00Z</updated><content type="html">{escape(body)}</content></entry></feed>')
    site.routes["/inline.atom"] = (200, {"content-type": "application/atom+xml"}, feed.encode())
    fs.add_source(store, site.base + "/inline.atom")
    assert run(store, options=OPTS).sources[0].fetched == 1
    (inc,) = store.incidents()
    assert inc["organization"] == "しらかば運輸株式会社" and inc["notices"][0]["source"].startswith(site.base + "/inline.atom#entry-")
    assert run(store, options=OPTS, force=True).sources[0].fetched == 0  # once


def test_entries_left_for_later_or_failed_are_not_hidden_by_a_304(site: LocalServer, store) -> None:  # type: ignore[no-untyped-def]
    def feed(seen: Seen):  # type: ignore[no-untyped-def]
        if seen.headers.get("if-none-match") == '"v1"':
            return 304, {}, b""
        return 200, {"content-type": "application/atom+xml", "etag": '"v1"'}, _atom(site.base, ["/n/1.txt", "/n/9.txt"])

    site.routes["/feed.atom"] = feed
    src = fs.add_source(store, site.base + "/feed.atom")
    opts = FollowOptions(host_delay_seconds=0, allow_private=True, max_entries_per_run=1)
    r = run(store, options=opts).sources[0]
    assert r.fetched == 1 and r.new == 2 and fs.get_source(store, src.url).etag is None  # one left for later
    r = run(store, options=opts).sources[0]
    assert r.status == "ok" and r.failed == [(site.base + "/n/9.txt", "HTTP 404")]
    assert fs.get_source(store, src.url).etag is None  # the failed entry is tried again
    site.routes["/n/9.txt"] = site.routes["/n/3.txt"]
    r = run(store, options=opts).sources[0]
    assert r.fetched == 1 and fs.get_source(store, src.url).etag == '"v1"'
    assert run(store, options=opts).sources[0].status == "not_modified"
    assert store.count_incidents() == 2
