"""Picks the backend for a store location and dispatches to it (``backend.py`` is the interface).

Kept under its old name: the store's modules call ``db.transaction`` and import ``StoreError``
from here; ``sqlite.py`` and ``postgres.py`` never import this module.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from jikenbo.store import postgres, sqlite
from jikenbo.store.backend import Location, StoreError, default_db_path, is_url, location, no_store_message
from jikenbo.store.sqlite import _statements, connect, file_schema_version, migrate, translate

__all__ = ["Location", "StoreError", "_statements", "backend_for", "backend_of", "connect", "default_db_path",
           "file_schema_version", "is_url", "location", "migrate", "no_store_message", "transaction",
           "translate"]


def backend_for(loc: Location | None) -> Any:
    """The backend module for a store location: PostgreSQL for a URL, else SQLite."""
    return postgres if is_url(loc) else sqlite


def backend_of(conn: Any) -> Any:
    """The backend module a connection belongs to."""
    return postgres if getattr(conn, "kind", "") == "postgresql" else sqlite


def transaction(conn: Any, path: str | Path, doing: str = "") -> AbstractContextManager[None]:
    """One write transaction on ``conn`` (see ``Backend.transaction``)."""
    return backend_of(conn).transaction(conn, path, doing)
