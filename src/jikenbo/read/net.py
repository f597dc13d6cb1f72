"""Outbound HTTP that refuses private addresses: URL checks, a guarded GET and POST.

Every hop of a redirect is checked before it is requested, so a public URL cannot send jikenbo
to 127.0.0.1, a LAN host or a cloud metadata address. (The name is resolved for the check and
again by the HTTP client; a DNS answer that changes in between is not caught.) Following
sources (``jikenbo follow``), webhooks and URL ingestion from the web UI all go through here;
``allow_private`` lifts the refusal (tests on 127.0.0.1, a trusted intranet).
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from jikenbo.read.base import ReadFailure, ReadOptions


def blocked(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for private, loopback, link-local, reserved, multicast and other non-global addresses."""
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
            or ip.is_unspecified or not ip.is_global)


def check_url(url: str, *, allow_private: bool = False) -> str:
    """The URL (stripped) when it is http(s) and, unless ``allow_private``, resolves only to
    public addresses.

    :raises ReadFailure: a one-line reason naming the URL
    """
    url = url.strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
        port = parts.port
    except ValueError as e:
        raise ReadFailure(url, f"invalid URL ({e})") from e
    if parts.scheme not in ("http", "https"):
        raise ReadFailure(url, "only http and https URLs can be read")
    if not host:
        raise ReadFailure(url, "invalid URL (no host name)")
    if allow_private:
        return url
    try:
        infos = socket.getaddrinfo(host, port or (443 if parts.scheme == "https" else 80), type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as e:
        raise ReadFailure(url, f"cannot resolve {host} ({e})") from e
    for info in infos:
        ip = ipaddress.ip_address(str(info[4][0]).split("%", 1)[0])
        if blocked(ip):
            raise ReadFailure(url, f"refused: {host} is a private, loopback or reserved address ({ip})")
    return url


@dataclass
class Response:
    """What a guarded request brought back (the body only for status 200)."""

    url: str  # after redirects
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""


class Client:
    """One HTTP client for a batch: time-outs, the size cap while streaming, redirects checked hop
    by hop, no proxy from the environment. Use as a context manager."""

    def __init__(self, options: ReadOptions | None = None, *, allow_private: bool = False,
                 user_agent: str | None = None) -> None:
        import httpx

        self.opts = options if options is not None else ReadOptions.from_settings()
        self.allow_private = allow_private
        self.httpx = httpx
        self.client = httpx.Client(follow_redirects=False, timeout=self.opts.timeout_seconds, trust_env=False,
                                   headers={"User-Agent": user_agent or self.opts.user_agent})

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.client.close()

    def get(self, url: str, headers: dict[str, str] | None = None, *, max_bytes: int | None = None) -> Response:
        """GET ``url``; 200 with its body (at most ``max_bytes``), or another status (304, 404 …)
        without one.

        :raises ReadFailure: refused address, too large, too many redirects, network error
        """
        limit = max_bytes if max_bytes is not None else self.opts.max_bytes
        current = check_url(url, allow_private=self.allow_private)
        for _ in range(self.opts.max_redirects + 1):
            try:
                with self.client.stream("GET", current, headers=headers or {}) as r:
                    if r.is_redirect and "location" in r.headers:
                        current = check_url(urljoin(current, r.headers["location"]), allow_private=self.allow_private)
                        continue
                    hdrs = {k.lower(): v for k, v in r.headers.items()}
                    if r.status_code != 200:
                        return Response(current, r.status_code, hdrs)
                    declared = hdrs.get("content-length", "")
                    if declared.isdigit() and int(declared) > limit:
                        raise ReadFailure(current, f"response too large ({int(declared):,} bytes; the limit is {limit:,})")
                    data = bytearray()
                    for chunk in r.iter_bytes():
                        data += chunk
                        if len(data) > limit:
                            raise ReadFailure(current, f"response too large (over {limit:,} bytes)")
                    return Response(current, 200, hdrs, bytes(data))
            except self.httpx.HTTPError as e:
                raise ReadFailure(current, self._reason(e)) from e
        raise ReadFailure(url, f"too many redirects (more than {self.opts.max_redirects})")

    def post(self, url: str, body: bytes, headers: dict[str, str]) -> int:
        """POST ``body`` to ``url`` (no redirect followed); the status code.

        :raises ReadFailure: refused address, network error
        """
        current = check_url(url, allow_private=self.allow_private)
        try:
            r = self.client.post(current, content=body, headers=headers)
        except self.httpx.HTTPError as e:
            raise ReadFailure(current, self._reason(e)) from e
        return r.status_code

    def _reason(self, e: Any) -> str:
        httpx = self.httpx
        if isinstance(e, httpx.TimeoutException):
            return f"timed out after {self.opts.timeout_seconds:g} s"
        if isinstance(e, httpx.ConnectError):
            return f"cannot connect to the server ({e})"
        return f"network error: {type(e).__name__}: {e}"
