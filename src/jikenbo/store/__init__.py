"""The incident store: the only package that touches the database (SQLite, FTS5).

>>> store = open_store("incidents.db")
>>> store.ingest(["notices/"])
>>> store.incidents(Filters(types=["ransomware"], since="2024-01"))

See docs/store.md for the schema and docs/ARCHITECTURE.md for the incident dict.
"""

from __future__ import annotations

from pathlib import Path

from jikenbo.store.core import DocResult, Store, notice_id
from jikenbo.store.db import StoreError, default_db_path
from jikenbo.store.filters import FilterError, Filters
from jikenbo.store.ingest import IngestSummary
from jikenbo.store.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION", "DocResult", "FilterError", "Filters", "IngestSummary", "Store", "StoreError",
    "default_db_path", "migrate_store", "notice_id", "open_store",
]


def open_store(path: str | Path | None = None, *, readonly: bool = False, create: bool = True) -> Store:
    """Open the store at ``path`` (default: :func:`default_db_path`), creating and upgrading it.

    :param readonly: open without writing (the file must exist and be up to date)
    :param create: False: refuse (``StoreError``) when no store file exists, never make one
    :raises StoreError: not SQLite, a newer schema, read-only file, cannot create
    """
    from jikenbo.store import db

    p = Path(path) if path is not None and str(path) != ":memory:" else (path or default_db_path())
    conn = db.connect(p, readonly=readonly, create=create)
    return Store(conn, p, readonly=readonly)


def migrate_store(path: str | Path | None = None) -> tuple[int | None, int]:
    """Create the store at ``path`` or upgrade its schema (idempotent).

    :returns: (the schema version before, None when there was no store; the version now)
    """
    from jikenbo.store import db

    p = Path(path) if path is not None else default_db_path()
    before = db.file_schema_version(p)
    with open_store(p) as store:
        return before, store.schema_version()
