"""URL ingestion from the UI: fetch one page, refusing private and loopback addresses.

Every hop of a redirect is checked before it is requested, so a public URL cannot redirect the
server to 127.0.0.1, a LAN host or a cloud metadata address. (The name is resolved for the check
and again by the HTTP client; a DNS answer that changes in between is not caught.)
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urljoin, urlsplit

import httpx

from jikenbo import __version__
from jikenbo.models import Document
from jikenbo.read import decode_bytes
from jikenbo.serve.errors import ServeError

MAX_REDIRECTS = 5
TIMEOUT_S = 15.0
ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,application/pdf;q=0.9,*/*;q=0.1"


def _blocked(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved or ip.is_multicast
            or ip.is_unspecified or not ip.is_global)


def check_url(url: str, *, allow_private: bool = False) -> str:
    """The URL when it is http(s) and (unless ``allow_private``) resolves only to public addresses.

    :raises ServeError: 400 with a one-line reason
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https"):
        raise ServeError(400, f"{url}: only http and https URLs can be read")
    host = parts.hostname
    if not host:
        raise ServeError(400, f"{url}: no host name")
    if allow_private:
        return url.strip()
    try:
        infos = socket.getaddrinfo(host, parts.port or (443 if parts.scheme == "https" else 80),
                                   type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError, ValueError) as e:
        raise ServeError(400, f"{url}: cannot resolve {host} ({e})") from e
    for info in infos:
        ip = ipaddress.ip_address(info[4][0].split("%", 1)[0])
        if _blocked(ip):
            raise ServeError(400, f"{url}: refused: {host} is a private, loopback or reserved address ({ip})")
    return url.strip()


def fetch_document(url: str, *, max_bytes: int, allow_private: bool = False) -> Document:
    """Read one URL into a ``Document`` (redirects followed and checked hop by hop)."""
    current = check_url(url, allow_private=allow_private)
    headers = {"User-Agent": f"jikenbo/{__version__} (incident-notice reader)", "Accept": ACCEPT}
    with httpx.Client(follow_redirects=False, timeout=TIMEOUT_S, trust_env=False, headers=headers) as client:
        for _ in range(MAX_REDIRECTS + 1):
            try:
                with client.stream("GET", current) as r:
                    if r.is_redirect and "location" in r.headers:
                        current = check_url(urljoin(current, r.headers["location"]), allow_private=allow_private)
                        continue
                    if r.status_code != 200:
                        raise ServeError(400, f"{current}: HTTP {r.status_code}")
                    declared = r.headers.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        raise ServeError(413, f"{current}: page too large ({int(declared):,} bytes)")
                    data = bytearray()
                    for chunk in r.iter_bytes():
                        data += chunk
                        if len(data) > max_bytes:
                            raise ServeError(413, f"{current}: page too large (over {max_bytes:,} bytes)")
                    return decode_bytes(bytes(data), current, r.headers.get("content-type"), url=current)
            except httpx.HTTPError as e:
                raise ServeError(400, f"{current}: cannot read ({type(e).__name__})") from e
    raise ServeError(400, f"{url}: too many redirects (more than {MAX_REDIRECTS})")
