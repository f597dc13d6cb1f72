"""Follow sources: RSS 1.0/2.0 and Atom feeds (feedparser) and listing pages; fetch what is new.

``run(store)`` visits every followed source that is due: a conditional GET (ETag,
Last-Modified), robots.txt obeyed, one request per host at most every ``host_delay_seconds``,
the read stage's size cap and the private-address refusal of :mod:`jikenbo.read.net`. A
feed's entry links, or a listing page's new links (same host; on the first run of a page the
links are its baseline unless it was added with ``backfill``), are each fetched once and
ingested; the store's watches record their alerts as the documents are stored. A source that
fails keeps its error and is tried again after a back-off that doubles; it never stops the others.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from jikenbo.config import options_from
from jikenbo.models import Document
from jikenbo.read import ReadFailure, ReadOptions, decode_bytes, net
from jikenbo.store import Store
from jikenbo.store import follow as fs
from jikenbo.store.ingest import ingest

log = logging.getLogger(__name__)
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/xml", "text/xml")
_FEED_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)\b", re.DOTALL)


@dataclass(frozen=True)
class FollowOptions:
    """Limits of following, from ``settings("follow")`` unless given."""

    host_delay_seconds: float = 2.0
    backoff_base_seconds: float = 300
    backoff_max_seconds: float = 86400
    entry_tries: int = 3
    max_entries_per_run: int = 50
    skip_extensions: tuple[str, ...] = (".css", ".js", ".png", ".jpg", ".gif", ".svg", ".ico", ".zip")
    allow_private: bool = False

    @classmethod
    def from_settings(cls, **overrides: Any) -> FollowOptions:
        return options_from(cls, "follow", **overrides)


@dataclass
class SourceResult:
    """What one run did with one source."""

    url: str
    status: str  # ok | not_modified | failed | skipped
    kind: str = ""
    new: int = 0  # entry links not seen before
    fetched: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # entries: (url, reason)
    baseline: int = 0  # listing-page links taken as seen on the first run
    error: str | None = None
    next_try: str | None = None

    def line(self) -> str:
        if self.status == "failed":
            return f"{self.url}: failed: {self.error} (next try {self.next_try})"
        if self.status == "skipped":
            return f"{self.url}: backing off after an error, next try {self.next_try}"
        if self.status == "not_modified":
            return f"{self.url}: not modified"
        out = f"{self.url}: {self.kind}, {self.new} new, {self.fetched} fetched"
        if self.baseline:
            out += f", {self.baseline} links taken as already seen (first run of a listing page)"
        if self.failed:
            out += f", {len(self.failed)} entries failed"
        return out


@dataclass
class RunSummary:
    sources: list[SourceResult] = field(default_factory=list)
    documents: int = 0
    notices: int = 0
    incidents_created: int = 0

    @property
    def ok(self) -> bool:
        return all(s.status != "failed" and not s.failed for s in self.sources)

    def as_dict(self) -> dict[str, Any]:
        return {"documents": self.documents, "notices": self.notices, "incidents_created": self.incidents_created,
                "sources": [{**s.__dict__, "failed": [{"url": u, "message": m} for u, m in s.failed]}
                            for s in self.sources]}


class _Pacer:
    """At most one request per host every ``delay`` seconds."""

    def __init__(self, delay: float, sleep: Callable[[float], None] = time.sleep) -> None:
        self.delay = delay
        self.sleep = sleep
        self.last: dict[str, float] = {}

    def wait(self, url: str) -> None:
        host = (urlsplit(url).hostname or "").lower()
        if host in self.last:
            gap = self.delay - (time.monotonic() - self.last[host])
            if gap > 0:
                self.sleep(gap)
        self.last[host] = time.monotonic()


class _Robots:
    """robots.txt per scheme and host, read once per run."""

    def __init__(self, client: net.Client, pacer: _Pacer, agent: str) -> None:
        self.client, self.pacer, self.agent = client, pacer, agent
        self.cache: dict[str, RobotFileParser | bool] = {}

    def allowed(self, url: str) -> bool:
        p = urlsplit(url)
        base = f"{p.scheme}://{p.netloc}"
        if base not in self.cache:
            self.pacer.wait(base)
            try:
                r = self.client.get(base + "/robots.txt", max_bytes=512_000)
            except ReadFailure:
                r = None
            if r is None or r.status in (404, 410) or (400 <= r.status < 500 and r.status not in (401, 403)):
                self.cache[base] = True  # no robots.txt: everything allowed
            elif r.status in (401, 403) or r.status >= 500:
                self.cache[base] = False
            elif r.status == 200:
                rp = RobotFileParser()
                rp.parse(r.content.decode("utf-8", "replace").splitlines())
                self.cache[base] = rp
            else:
                self.cache[base] = True
        rule = self.cache[base]
        return rule if isinstance(rule, bool) else rule.can_fetch(self.agent, url)


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def backoff(failures: int, opts: FollowOptions) -> float:
    """Seconds to wait after the ``failures``-th failure in a row (1-based)."""
    return float(min(opts.backoff_base_seconds * 2 ** max(0, failures - 1), opts.backoff_max_seconds))


def is_feed(content: bytes, content_type: str) -> bool:
    media = content_type.split(";")[0].strip().lower()
    if media in ("text/html", "application/xhtml+xml"):
        return False
    return media in FEED_TYPES or media.endswith("+xml") or bool(_FEED_START.match(content[:2048]))


def feed_entries(content: bytes, base: str) -> dict[str, bytes | None]:
    """The entries of an RSS 1.0/2.0 or Atom feed in feed order: link → None (the page is
    fetched); an entry without a link but with content becomes ``<feed URL>#entry-<hash>`` →
    its content (HTML bytes), read as the document itself.

    :raises ReadFailure: not a feed feedparser can read
    """
    import feedparser

    parsed = feedparser.parse(content)
    if parsed.bozo and not parsed.entries:
        raise ReadFailure(base, f"not a readable feed ({type(parsed.bozo_exception).__name__})")
    out: dict[str, bytes | None] = {}
    for e in parsed.entries:
        link = e.get("link") or next((x.get("href") for x in e.get("links") or [] if x.get("href")), None)
        url = urldefrag(urljoin(base, link)).url if link else ""
        if urlsplit(url).scheme in ("http", "https"):  # not an id such as urn:… taken for a link
            out.setdefault(url, None)
            continue
        body = "".join(c.get("value", "") for c in e.get("content") or []) or e.get("summary") or ""
        if body.strip():
            title = e.get("title") or ""
            key = hashlib.sha256(f"{e.get('id') or ''}\x1f{title}\x1f{body}".encode()).hexdigest()[:16]
            html = f"<html><head><title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>{body}</body></html>"
            out.setdefault(f"{urldefrag(base).url}#entry-{key}", html.encode("utf-8"))
        else:
            log.info("%s: an entry with neither link nor content (%r) is skipped", base, e.get("title"))
    return out


def page_links(content: bytes, base: str, *, match: str | None, opts: FollowOptions,
               content_type: str = "") -> list[str]:
    """Links of a listing page to other pages on its host, in page order (not the page itself,
    nor style sheets, scripts, images …); with ``match``, only links matching that pattern."""
    import lxml.html

    from jikenbo.read.encoding import _decode_text  # the read stage's decoding (charset hints, legacy codecs)

    hint = next((p.split("=", 1)[1].strip().strip("\"'") for p in content_type.split(";")[1:]
                 if p.strip().lower().startswith("charset=")), None)
    text, _ = _decode_text(content, base, hint, ReadOptions.from_settings(), html=True)
    try:
        tree = lxml.html.fromstring(text)
    except (ValueError, lxml.etree.ParserError) as e:
        raise ReadFailure(base, f"not a readable page ({e})") from e
    host = urlsplit(base).hostname
    pat = re.compile(match) if match else None
    page = urldefrag(base).url
    out: list[str] = []
    for a in tree.iter("a"):
        href = (a.get("href") or "").strip()
        if not href or href.startswith(("mailto:", "javascript:", "tel:", "#")):
            continue
        u = urldefrag(urljoin(base, href)).url
        p = urlsplit(u)
        if p.scheme not in ("http", "https") or p.hostname != host or u == page:
            continue
        if any(p.path.lower().endswith(ext) for ext in opts.skip_extensions):
            continue
        if pat is not None and not pat.search(u):
            continue
        if u not in out:
            out.append(u)
    return out


def run(store: Store, *, options: FollowOptions | None = None, force: bool = False,
        only: list[str] | None = None, sleep: Callable[[float], None] = time.sleep,
        on_result: Callable[[SourceResult], None] | None = None) -> RunSummary:
    """Visit every followed source that is due (all with ``force``; ``only``: these URLs).

    Never raises for a source: its failure is recorded and the next source is visited.
    """
    opts = options or FollowOptions.from_settings()
    read_opts = ReadOptions.from_settings()
    summary = RunSummary()
    with net.Client(read_opts, allow_private=opts.allow_private) as client:
        pacer = _Pacer(opts.host_delay_seconds, sleep)
        robots = _Robots(client, pacer, read_opts.user_agent)
        for src in fs.sources(store):
            if only and src.url not in only:
                continue
            now = _now()
            if not force and src.next_try and src.next_try > now.isoformat():
                res = SourceResult(src.url, "skipped", next_try=src.next_try)
            else:
                res = _visit(store, src, client, pacer, robots, opts, summary)
            summary.sources.append(res)
            if on_result:
                on_result(res)
    return summary


def _visit(store: Store, src: fs.Source, client: net.Client, pacer: _Pacer, robots: _Robots,
           opts: FollowOptions, summary: RunSummary) -> SourceResult:
    res = SourceResult(src.url, "ok")
    try:
        _fetch_source(store, src, client, pacer, robots, opts, summary, res)
    except ReadFailure as e:
        res.status, res.error = "failed", e.reason if e.source == src.url else str(e)
    except Exception as e:  # a parser's or the store's surprise: recorded, the others go on
        log.exception("following %s failed", src.url)
        res.status, res.error = "failed", f"unexpected error: {type(e).__name__}: {e}"
    if res.status == "failed":
        res.next_try = (_now() + timedelta(seconds=backoff(src.failures + 1, opts))).isoformat()
        fs.record_run(store, src, error=res.error, next_try=res.next_try)
    return res


def _fetch_source(store: Store, src: fs.Source, client: net.Client, pacer: _Pacer, robots: _Robots,
                  opts: FollowOptions, summary: RunSummary, res: SourceResult) -> None:
    if not robots.allowed(src.url):
        raise ReadFailure(src.url, "robots.txt disallows it")
    headers = {}
    if src.etag:
        headers["If-None-Match"] = src.etag
    if src.last_modified:
        headers["If-Modified-Since"] = src.last_modified
    pacer.wait(src.url)
    r = client.get(src.url, headers)
    if r.status == 304:
        res.status = "not_modified"
        fs.record_run(store, src, error=None)
        return
    if r.status != 200:
        raise ReadFailure(src.url, f"HTTP {r.status}")
    ctype = r.headers.get("content-type", "")
    kind = src.kind if src.kind != "auto" else ("feed" if is_feed(r.content, ctype) else "page")
    res.kind = kind
    inline: dict[str, bytes | None] = (feed_entries(r.content, r.url) if kind == "feed" else
                                       dict.fromkeys(page_links(r.content, r.url, match=src.match, opts=opts,
                                                                content_type=ctype)))
    links = list(inline)
    first_page_run = kind == "page" and not src.backfill and not fs.has_entries(store, src)
    new = []
    for u in links:
        st = fs.entry_state(store, u)
        if st is None or (st[0] == "failed" and st[1] < opts.entry_tries):
            new.append(u)
    res.new = len(new)
    if first_page_run:
        for u in new:
            fs.record_entry(store, src, u, "baseline")
        res.baseline = len(new)
        new = []
    for u in new[:opts.max_entries_per_run]:
        _fetch_entry(store, src, u, client, pacer, robots, summary, res, inline.get(u))
    # validators only when every new entry was handled: else a 304 next time would hide the entries
    # left for later and the ones to try again
    done = not res.failed and len(new) <= opts.max_entries_per_run
    fs.record_run(store, src, error=None, etag=r.headers.get("etag", "") if done else "",
                  last_modified=r.headers.get("last-modified", "") if done else "",
                  kind=kind if src.kind == "auto" else None)


def _fetch_entry(store: Store, src: fs.Source, url: str, client: net.Client, pacer: _Pacer, robots: _Robots,
                 summary: RunSummary, res: SourceResult, inline: bytes | None = None) -> None:
    try:
        if inline is not None:  # the feed carried the entry's text itself
            doc: Document = decode_bytes(inline, url, "text/html; charset=utf-8")
        else:
            if not robots.allowed(url):
                raise ReadFailure(url, "robots.txt disallows it")
            pacer.wait(url)
            r = client.get(url)
            if r.status != 200:
                raise ReadFailure(url, f"HTTP {r.status}")
            doc = decode_bytes(r.content, url, r.headers.get("content-type") or None, url=r.url)
        doc = doc.model_copy(update={"fetched_at": _now().isoformat()})
        s = ingest(store, [doc], workers=1, progress=False)
        if s.fatal:
            raise ReadFailure(url, s.fatal)
        if s.failed:
            raise ReadFailure(url, s.failed[0][1])
        summary.documents += s.added
        summary.notices += s.notices
        summary.incidents_created += s.incidents_created
        fs.record_entry(store, src, url, "fetched")
        res.fetched += 1
    except ReadFailure as e:
        res.failed.append((url, e.reason))
        fs.record_entry(store, src, url, "failed", e.reason)
