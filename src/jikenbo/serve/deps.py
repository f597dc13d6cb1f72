"""What every request needs: a store connection, the list parameters, the write rule."""

from __future__ import annotations

import contextlib
import hmac
import ipaddress
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlencode, urlsplit

from fastapi import Query, Request

from jikenbo.serve.errors import ServeError
from jikenbo.store import Filters, Store, default_db_path, is_url, open_store

SortKey = Literal["", "relevance", "-disclosure_date", "disclosure_date", "-affected_total", "affected_total",
                  "-last_updated", "last_updated", "organization", "-organization"]
YEAR = r"^(\d{4})?$"
DATE = r"^(\d{4}(-\d{1,2}(-\d{1,2})?)?)?$"
LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost."""
    if not host:
        return False
    h = host.strip("[]").lower()
    if h in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(h).is_loopback
    except ValueError:
        return False


class StoreHub:
    """A pool of read-only connections (one per request in flight) and one writer behind a lock."""

    def __init__(self, path: str | Path | None) -> None:
        self.path = (path if is_url(path) else Path(path)) if path is not None else default_db_path()
        open_store(self.path).close()  # create and migrate once, so readers can open read-only
        self._idle: list[tuple[int, Store]] = []
        self._lock = threading.Lock()
        self._writer: Store | None = None
        self._generation = 0

    @contextlib.contextmanager
    def reading(self) -> Iterator[Store]:
        """A read-only store for the time of one request; returned to the pool afterwards."""
        with self._lock:
            held = self._idle.pop() if self._idle else None
            gen = self._generation
        if held is None or held[0] != gen:
            if held is not None:
                held[1].close()
            held = (gen, open_store(self.path, readonly=True))
        try:
            yield held[1]
        finally:
            with self._lock:
                if held[0] == self._generation and len(self._idle) < 64:
                    self._idle.append(held)
                    held = None
            if held is not None:
                held[1].close()

    @contextlib.contextmanager
    def writer(self) -> Iterator[Store]:
        with self._lock:
            if self._writer is None:
                self._writer = open_store(self.path)
            yield self._writer

    def version(self) -> tuple:
        """Changes whenever the store file or its write-ahead log changes (cache key; no query)."""
        if is_url(self.path):  # PostgreSQL: the server's write-ahead log position (any write moves it)
            with self.reading() as store:
                return ("pg", store.conn.execute("SELECT pg_current_wal_lsn()::text").fetchone()[0])
        out: list = []
        for suffix in ("", "-wal"):
            try:
                st = os.stat(f"{self.path}{suffix}")
                out += [st.st_mtime_ns, st.st_size]
            except OSError:
                out += [None, None]
        return tuple(out)

    def close(self) -> None:
        with self._lock:
            self._generation += 1
            idle, self._idle = self._idle, []
            writer, self._writer = self._writer, None
        for _, s in idle:
            s.close()
        if writer is not None:
            writer.close()


def reader(request: Request) -> Iterator[Store]:
    """FastAPI dependency: a read-only store for this request."""
    with request.app.state.hub.reading() as store:
        yield store


@dataclass(frozen=True)
class ListParams:
    """The whole state of an incident list: filters, sort and page (what the URL holds)."""

    q: str | None = None
    year: str | None = None
    since: str | None = None
    until: str | None = None
    type: tuple[str, ...] = ()
    leak_status: tuple[str, ...] = ()
    category: tuple[str, ...] = ()
    authority: tuple[str, ...] = ()
    industry: tuple[str, ...] = ()
    vendor: str | None = None
    org: str | None = None
    sensitive: bool | None = None
    card: bool | None = None
    min_affected: int | None = None
    max_affected: int | None = None
    sort: str | None = None
    page: int = 1
    per_page: int | None = None

    def filters(self, *, with_query: bool = True) -> Filters:
        return Filters(since=self.since, until=self.until, year=self.year, types=list(self.type) or None,
                       leak_status=list(self.leak_status) or None, min_affected=self.min_affected,
                       max_affected=self.max_affected, category=list(self.category) or None,
                       sensitive=self.sensitive, card=self.card, organization=self.org, vendor=self.vendor,
                       authority=list(self.authority) or None, industry=list(self.industry) or None,
                       query=self.q if with_query else None)

    def effective_sort(self) -> str:
        if self.sort:
            return self.sort if (self.sort != "relevance" or self.q) else "-disclosure_date"
        return "relevance" if self.q else "-disclosure_date"

    def pairs(self) -> list[tuple[str, str]]:
        """Query-string pairs, in a stable order (paging and defaults left out)."""
        out: list[tuple[str, str]] = []
        for name in ("q", "year", "since", "until", "vendor", "org"):
            v = getattr(self, name)
            if v:
                out.append((name, v))
        for name in ("type", "leak_status", "category", "authority", "industry"):
            out += [(name, v) for v in getattr(self, name)]
        for name in ("sensitive", "card"):
            v = getattr(self, name)
            if v is not None:
                out.append((name, "true" if v else "false"))
        for name in ("min_affected", "max_affected"):
            v = getattr(self, name)
            if v is not None:
                out.append((name, str(v)))
        if self.sort:
            out.append(("sort", self.sort))
        if self.per_page:
            out.append(("per_page", str(self.per_page)))
        return out

    def url(self, path: str = "/", *, page: int | None = None, lang: str | None = None, **changes: object) -> str:
        p = replace(self, **changes) if changes else self  # type: ignore[arg-type]
        pairs = p.pairs()
        if page and page > 1:
            pairs.append(("page", str(page)))
        if lang:
            pairs.append(("lang", lang))
        return path + ("?" + urlencode(pairs) if pairs else "")

    def toggle(self, name: str, value: str) -> ListParams:
        """The same list with ``value`` added to or removed from filter ``name``; back to page 1."""
        cur = getattr(self, name)
        if isinstance(cur, tuple):
            new: object = tuple(v for v in cur if v != value) if value in cur else (*cur, value)
        elif name in ("sensitive", "card"):
            want = value == "true"
            new = None if cur is want else want
        else:
            new = None if cur == value else value
        return replace(self, **{name: new}, page=1)  # type: ignore[arg-type]

    def active(self) -> list[tuple[str, str]]:
        """(filter name, value) of every filter in use except the query."""
        return [(k, v) for k, v in self.pairs() if k not in ("q", "sort", "per_page")]


def _clean(v: str | None) -> str | None:
    v = (v or "").strip()
    return v or None


def _clean_list(vs: list[str] | None) -> tuple[str, ...]:
    out: list[str] = []
    for v in vs or []:
        for part in v.split(","):
            part = part.strip()
            if part and part not in out:
                out.append(part)
    return tuple(out)


def list_params(
    q: Annotated[str | None, Query(max_length=200, description="full-text search (Japanese words, ANDed)")] = None,
    year: Annotated[str | None, Query(pattern=YEAR, description="year of first disclosure")] = None,
    since: Annotated[str | None, Query(pattern=DATE, description="first disclosed on or after (YYYY[-MM[-DD]])")] = None,
    until: Annotated[str | None, Query(pattern=DATE, description="first disclosed on or before")] = None,
    type: Annotated[list[str] | None, Query(max_length=20, description="incident type (any of)")] = None,
    leak_status: Annotated[list[str] | None, Query(max_length=10)] = None,
    category: Annotated[list[str] | None, Query(max_length=25, description="data category (any of)")] = None,
    authority: Annotated[list[str] | None, Query(max_length=10)] = None,
    industry: Annotated[list[str] | None, Query(max_length=25)] = None,
    vendor: Annotated[str | None, Query(max_length=200)] = None,
    org: Annotated[str | None, Query(max_length=200)] = None,
    sensitive: bool | None = None,
    card: bool | None = None,
    min_affected: Annotated[int | None, Query(ge=0, le=10**12)] = None,
    max_affected: Annotated[int | None, Query(ge=0, le=10**12)] = None,
    sort: SortKey | None = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int | None, Query(ge=1, le=1000)] = None,
) -> ListParams:
    return ListParams(
        q=_clean(q), year=_clean(year), since=_clean(since), until=_clean(until), type=_clean_list(type),
        leak_status=_clean_list(leak_status), category=_clean_list(category), authority=_clean_list(authority),
        industry=_clean_list(industry), vendor=_clean(vendor), org=_clean(org), sensitive=sensitive, card=card,
        min_affected=min_affected, max_affected=max_affected, sort=sort or None, page=page, per_page=per_page)


def bearer(request: Request) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, else None."""
    auth = request.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:].strip() or None
    return None


def same_token(given: str | None, token: str | None) -> bool:
    """True when both are set and equal (compared in constant time)."""
    return bool(given) and bool(token) and hmac.compare_digest(given.encode(), token.encode())  # type: ignore[union-attr]


READ_COOKIE = "jikenbo_read"


@dataclass(frozen=True)
class ReadPolicy:
    """Who may read: everyone, or (with a read token) whoever shows the read or the write token.

    A browser shows it once as ``?token=`` and then holds :meth:`cookie_value` (derived from
    the read token, so the cookie never holds a token itself).
    """

    token: str | None
    write_token: str | None = None

    @property
    def needs_token(self) -> bool:
        return bool(self.token)

    def accepts(self, given: str | None) -> bool:
        """True when ``given`` is the read token or the write token."""
        return same_token(given, self.token) or same_token(given, self.write_token)

    def cookie_value(self) -> str:
        assert self.token
        return hmac.new(self.token.encode(), b"jikenbo read cookie", "sha256").hexdigest()

    def allows(self, request: Request) -> bool:
        """True when reads are open, or the request shows a token (Bearer header or the cookie)."""
        if not self.token:
            return True
        return self.accepts(bearer(request)) or same_token(request.cookies.get(READ_COOKIE), self.cookie_value())


@dataclass(frozen=True)
class WritePolicy:
    """Who may write: with a token, whoever shows it; without, only a loopback-bound server."""

    host: str
    token: str | None

    @property
    def enabled(self) -> bool:
        return bool(self.token) or is_loopback(self.host)

    @property
    def needs_token(self) -> bool:
        return bool(self.token)

    def has_token(self, request: Request, form_token: str | None = None) -> bool:
        """True when the server has a token and the request shows it (header or form field)."""
        if not self.token:
            return False
        return same_token(bearer(request) or form_token, self.token)

    def check(self, request: Request, form_token: str | None = None) -> None:
        """Raise a 403 :class:`ServeError` unless this request may write."""
        origin = request.headers.get("origin")
        if origin and origin != "null":
            host = request.headers.get("host", "")
            if origin.split("://", 1)[-1].rstrip("/") != host:
                raise ServeError(403, "cross-origin write refused")
        elif origin == "null":
            raise ServeError(403, "cross-origin write refused")
        if not self.token and is_loopback(self.host):
            # DNS rebinding: a page of evil.example re-pointed at 127.0.0.1 sends its own Host
            named = urlsplit("//" + request.headers.get("host", "")).hostname
            if not is_loopback(named):
                raise ServeError(403, "writes to a server on this machine must address it as localhost or 127.0.0.1")
        if self.token:
            if not self.has_token(request, form_token):
                raise ServeError(403, "writing needs the server's token (Authorization: Bearer <token>)")
            return
        if not is_loopback(self.host):
            raise ServeError(403, "writing is disabled: the server listens beyond this machine and has no token")
