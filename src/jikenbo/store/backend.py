"""The interface between the store and its database: what ``sqlite.py`` and ``postgres.py`` provide.

A backend is a module with the functions of :class:`Backend`; ``db.backend_for`` picks one by the
store's location (a file: SQLite; ``postgresql://…``: PostgreSQL). The store's modules (``core``,
``ingest``, ``search``, ``stats``, ``relink``, ``watch``, ``follow``, ``bulk``, ``exporting``) run
their SQL through a :class:`Connection` and import neither backend.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from jikenbo.store.core import Store
    from jikenbo.store.filters import Filters

URL_PREFIXES = ("postgresql://", "postgres://")
Location = Path | str  # a store file, or a PostgreSQL URL


class StoreError(Exception):
    """A store problem, as one line for the user: not a store, newer schema, read-only, disk full.
    ``retry``: a conflict between two writers (PostgreSQL) that trying the document again resolves."""

    retry = False


def is_url(location: object) -> bool:
    """True when ``location`` names a PostgreSQL database (``postgresql://…``), not a file."""
    return isinstance(location, str) and location.startswith(URL_PREFIXES)


def location(value: str | Path) -> Location:
    """A store location as given by a user: a URL stays text, anything else is a path."""
    s = str(value)
    return s if is_url(s) else Path(s).expanduser()


def default_db_path() -> Location:
    """``$JIKENBO_DB`` (a file or a ``postgresql://`` URL), else ``jikenbo.db`` in the user's
    data directory (platformdirs)."""
    env = os.environ.get("JIKENBO_DB")
    if env:
        return location(env)
    from platformdirs import user_data_dir

    return Path(user_data_dir("jikenbo", appauthor=False)) / "jikenbo.db"


def no_store_message(path: Location) -> str:
    return (f"{path}: no store here (`jikenbo ingest --db {path} FILES` or `jikenbo migrate --db {path}` "
            "creates one)")


class Cursor(Protocol):
    lastrowid: int | None

    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def fetchmany(self, size: int = ...) -> list[Any]: ...


class Connection(Protocol):
    """What the store's modules use of a connection (``sqlite3.Connection``, ``PgConnection``):
    SQL in SQLite's dialect with ``?`` placeholders; rows readable by position and by name."""

    @property
    def in_transaction(self) -> bool: ...
    def execute(self, sql: str, params: Sequence[Any] = ..., /) -> Any: ...
    def executemany(self, sql: str, rows: Iterable[Sequence[Any]], /) -> Any: ...


class Backend(Protocol):
    """A backend module (``jikenbo.store.sqlite``, ``jikenbo.store.postgres``)."""

    kind: str  # "sqlite" | "postgresql"
    # optional: ``summary_select(affected, lag)``, the SQL of ``stats``' figures of one group
    # computed by the database (PostgreSQL's ordered-set aggregates); a backend without it ships
    # each group's values (``group_concat``) and ``stats`` sorts them (SQLite, in-process)
    # optional: ``lock_to_link(conn)``, take the writers' lock in a commit batch opened without it
    # (PostgreSQL: a document's own rows are written first); True when taken now. Without it
    # the batch's transaction holds the lock from its start (SQLite's BEGIN IMMEDIATE)
    # optional: ``link_and_index(conn, rows)``, a new notice's linking update that also writes its
    # search columns (PostgreSQL: its GIN entries once); without it the notice is indexed when
    # inserted (SQLite's FTS5 tables are apart from the notices table)

    def connect(self, location: Any, *, readonly: bool = False, create: bool = True) -> Any:
        """Open (and unless read-only, create or migrate) the store; StoreError when it cannot."""

    def location_version(self, location: Any) -> int | None:
        """The schema version at ``location`` without changing anything; None: no store there."""

    def schema_version(self, conn: Any) -> int: ...

    def transaction(self, conn: Any, path: Any, doing: str = "") -> AbstractContextManager[None]:
        """One write transaction; writers take turns (SQLite ``BEGIN IMMEDIATE``, PostgreSQL an
        advisory lock); rolled back and raised as StoreError on a database error."""

    def begin_batch(self, conn: Any, path: Any) -> None:
        """Open a transaction that the next ``transaction`` blocks join, each as a savepoint (an
        ingest's commit batch: an error undoes one document, the others stay)."""

    def commit_batch(self, conn: Any, path: Any) -> None:
        """Commit the open batch; nothing when none is open."""

    def integrity_check(self, conn: Any) -> list[str]: ...

    def index_notice(self, conn: Any, notice_pk: int, title: str, text: str, title_seg: str,
                     seg: str) -> None:
        """Make a notice findable: its Sudachi-segmented words and its raw text (substrings)."""

    def index_many(self, conn: Any, rows: list[tuple[int, str, str, str]]) -> None: ...

    def add_notices(self, conn: Any, sql: str, rows: list[tuple[Any, ...]],
                    index: list[tuple[int, str, str, str]]) -> None:
        """Bulk: insert notices (``sql`` with ``rows``, their keys given) and index them
        (``index_many(index)``), in whatever way the database does it fastest."""

    def defer_indexes(self, conn: Any) -> list[str]:
        """A bulk load may drop indexes cheaper to build once afterwards; their definitions."""

    def build_indexes(self, conn: Any, definitions: list[str]) -> None: ...

    def reset_keys(self, conn: Any) -> None:
        """After rows were written with their keys given (bulk, copy): keys continue past them."""

    def search_hits(self, store: Store, query: str, filters: Filters, want: int) -> list[dict[str, Any]]:
        """The best current notice per incident matching ``query``: ``inc_pk``, ``notice_pk``,
        ``rank`` (lower is better), at most ``want``, best first."""

    def close(self, conn: Any) -> None: ...
