"""Names of stored documents: the locator of their bytes and the name pages show."""

from __future__ import annotations

import os
from pathlib import Path

from jikenbo.models import Document


def locator(doc: Document) -> str:
    """Where the bytes came from (a new version replaces the older one at the same locator)."""
    if doc.url:
        return doc.url
    src = doc.source
    if src in ("-", "<text>") or "://" in src:
        return src
    try:
        return str(Path(src).resolve())
    except OSError:
        return src


def shown_source(source: str, given: str, cwd: str | None = None) -> str:
    """The name a stored document keeps for a file read from the command-line input ``given``:
    relative to where the command ran, or (outside it) to the folder holding ``given``; never an
    absolute server path. URLs, ``-`` and relative names are kept as they are."""
    if "://" in source or not os.path.isabs(source):
        return source
    rel = os.path.relpath(source, cwd or os.getcwd())
    if not rel.startswith(os.pardir):
        return rel
    return os.path.relpath(source, os.path.dirname(os.path.abspath(given)))
