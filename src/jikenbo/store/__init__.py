"""The incident store: the only package that touches the database (SQLite with FTS5 by default,
or PostgreSQL for a ``postgresql://`` location: ``backend.py``, ``sqlite.py``, ``postgres.py``).

>>> store = open_store("incidents.db")      # or open_store("postgresql://user@host/db")
>>> store.ingest(["notices/"])
>>> store.incidents(Filters(types=["ransomware"], since="2024-01"))

See docs/store.md for the schema and docs/ARCHITECTURE.md for the incident dict.
"""

from __future__ import annotations

from pathlib import Path

from jikenbo.store.core import DocResult, Store, notice_id
from jikenbo.store.db import StoreError, default_db_path, is_url
from jikenbo.store.filters import FilterError, Filters
from jikenbo.store.ingest import IngestSummary
from jikenbo.store.schema import SCHEMA_VERSION

__all__ = [
    "SCHEMA_VERSION", "DocResult", "FilterError", "Filters", "IngestSummary", "Store", "StoreError",
    "default_db_path", "is_url", "migrate_store", "notice_id", "open_store",
]


def open_store(path: str | Path | None = None, *, readonly: bool = False, create: bool = True) -> Store:
    """Open the store at ``path`` (default: :func:`default_db_path`), creating and upgrading it.

    ``path`` is a file (SQLite) or a ``postgresql://`` URL (PostgreSQL, docs/store.md).

    :param readonly: open without writing (the store must exist and be up to date)
    :param create: False: refuse (``StoreError``) when no store exists, never make one
    :raises StoreError: not a store, a newer schema, read-only file, cannot create or connect
    """
    from jikenbo.store import db

    if path is None:
        p: Path | str = default_db_path()
    elif db.is_url(str(path)):
        p = str(path)
    else:
        p = Path(path) if str(path) != ":memory:" else str(path)
    backend = db.backend_for(p)
    conn = backend.connect(p, readonly=readonly, create=create)
    return Store(conn, p, readonly=readonly)


def migrate_store(path: str | Path | None = None) -> tuple[int | None, int]:
    """Create the store at ``path`` or upgrade its schema (idempotent).

    :returns: (the schema version before, None when there was no store; the version now)
    """
    from jikenbo.store import db

    p = default_db_path() if path is None else (str(path) if db.is_url(str(path)) else Path(path))
    before = db.backend_for(p).location_version(p)
    with open_store(p) as store:
        return before, store.schema_version()
