"""URL ingestion from the UI: fetch one page, refusing private and loopback addresses.

Every hop of a redirect is checked before it is requested, so a public URL cannot redirect the
server to 127.0.0.1, a LAN host or a cloud metadata address. (The name is resolved for the check
and again by the HTTP client; a DNS answer that changes in between is not caught.)
"""

from __future__ import annotations

from urllib.parse import urljoin

import httpx

from jikenbo import __version__
from jikenbo.models import Document
from jikenbo.read import ReadFailure, decode_bytes, net
from jikenbo.serve.errors import ServeError

MAX_REDIRECTS = 5
TIMEOUT_S = 15.0
ACCEPT = "text/html,application/xhtml+xml,text/plain;q=0.9,application/pdf;q=0.9,*/*;q=0.1"


def check_url(url: str, *, allow_private: bool = False) -> str:
    """The URL when it is http(s) and (unless ``allow_private``) resolves only to public addresses
    (:func:`jikenbo.read.net.check_url`).

    :raises ServeError: 400 with a one-line reason
    """
    try:
        return net.check_url(url, allow_private=allow_private)
    except ReadFailure as e:
        raise ServeError(400, str(e)) from e


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
