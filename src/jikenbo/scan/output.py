"""Reading scan output back: a folder (or file) of JSON Lines → Documents with their records.

``jikenbo ingest records/`` goes through here: each ``page`` line becomes the Document the
scan read and the records it extracted (stored and linked as any other input's), each
``truncated`` or ``unreadable`` line a ``ScanNote`` the ingest summary counts, and an output
file without its closing summary line (a scan that was killed while writing it by another
tool) a ``ReadError``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass

from jikenbo.models import Document, ReadError, Record


class ScanOutputError(Exception):
    """A scan output file that cannot be used; ``str(e)`` is one line naming it."""


@dataclass(frozen=True)
class ScanNote:
    """A page the scan listed but did not extract (cut short by the crawler, unreadable)."""

    source: str  # the page's URL
    message: str


def _first_line(path: str) -> bytes:
    try:
        with open(path, "rb") as f:
            return f.readline(4096)
    except OSError:
        return b""


def _is_scan_file(path: str) -> bool:
    head = _first_line(path)
    return head.startswith(b"{") and b'"kind": "scan"' in head


def _scan_files(folder: str) -> list[str]:
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return [os.path.join(folder, n) for n in names
            if n.endswith(".jsonl") and not n.startswith(".") and _is_scan_file(os.path.join(folder, n))]


def is_scan_output(path: str) -> bool:
    """True for a scan output file, or a folder that holds scan output files."""
    if os.path.isdir(path):
        return bool(_scan_files(path))
    return path.endswith(".jsonl") and os.path.isfile(path) and _is_scan_file(path)


def iter_scan_output(path: str) -> Iterator[tuple[Document, list[Record]] | ScanNote | ReadError]:
    """Every page of a scan output file or folder, in file order; never raises for bad data."""
    files = _scan_files(path) if os.path.isdir(path) else [path]
    for file in files:
        yield from _iter_file(file)


def _iter_file(path: str) -> Iterator[tuple[Document, list[Record]] | ScanNote | ReadError]:
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().splitlines()
    except (OSError, UnicodeDecodeError) as e:
        yield ReadError(source=path, message=f"cannot read the scan output ({e})")
        return
    try:
        last = json.loads(lines[-1]) if lines else {}
    except ValueError:
        last = {}
    if last.get("kind") != "summary":
        yield ReadError(source=path, message="incomplete scan output (no summary line): scan its input again")
        return
    for n, line in enumerate(lines[1:-1], start=2):
        try:
            row = json.loads(line)
            kind = row.get("kind")
            if kind == "page":
                doc = Document.model_validate(row["document"])
                yield doc, [Record.model_validate(r) for r in row["records"]]
            elif kind in ("truncated", "unreadable"):
                yield ScanNote(source=str(row.get("url") or f"{path}:{n}"), message=str(row.get("reason")))
        except (ValueError, KeyError, TypeError) as e:
            yield ReadError(source=f"{path}:{n}", message=f"not a scan output line ({type(e).__name__})")
