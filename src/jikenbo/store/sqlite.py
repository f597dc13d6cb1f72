"""The SQLite backend: connection, migrations, transactions and error translation.

Everything that knows it talks to SQLite (pragmas, ``user_version``, ``BEGIN IMMEDIATE``,
error strings, the FTS5 tables' writes) lives here; ``postgres.py`` is its PostgreSQL twin and
``backend.py`` the interface both follow. The store's queries themselves are written in SQLite's
dialect (``core``, ``search``, ``stats`` …) and run here unchanged.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from jikenbo.store.backend import StoreError, no_store_message
from jikenbo.store.schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

log = logging.getLogger(__name__)
PAGE_SIZE = 16384
kind = "sqlite"


def translate(e: sqlite3.Error, path: str | Path, doing: str = "") -> StoreError:
    """A one-line ``StoreError`` for an sqlite3 error."""
    msg = str(e)
    what = f" while {doing}" if doing else ""
    low = msg.lower()
    if "database or disk is full" in low or "disk i/o error" in low:
        return StoreError(f"{path}: database or disk is full{what}; nothing of it was stored")
    if "readonly" in low or "read-only" in low:
        return StoreError(f"{path}: the store is read-only{what}")
    if "not a database" in low or "file is encrypted" in low:
        return StoreError(f"{path}: not a jikenbo store (not an SQLite database)")
    if "locked" in low or "busy" in low:
        return StoreError(f"{path}: the store is locked by another process{what}; try again")
    if "unable to open" in low:
        return StoreError(f"{path}: cannot open the store file")
    return StoreError(f"{path}: store error{what}: {msg}")


def connect(path: str | Path, *, readonly: bool = False, create: bool = True) -> sqlite3.Connection:
    """Open (and, unless read-only, migrate) the store at ``path``; create it only when ``create``."""
    p = Path(path) if str(path) != ":memory:" else None
    if p is not None:
        if p.is_dir():
            raise StoreError(f"{path}: is a directory, not a store file")
        if not create and not p.exists():
            raise StoreError(no_store_message(path))
        if readonly and not p.exists():
            raise StoreError(no_store_message(path))
        if p.exists() and not readonly and not os.access(p, os.W_OK):
            raise StoreError(f"{path}: the store is read-only (no write permission)")
        if not p.exists():
            try:
                p.parent.mkdir(parents=True, exist_ok=True)
            except OSError as e:
                raise StoreError(f"{path}: cannot create the store's folder: {e.strerror}") from e
    try:
        if p is None:
            conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        else:
            mode = "ro" if readonly else "rwc"
            uri = f"{p.resolve().as_uri()}?mode={mode}"
            conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False,
                                   timeout=30)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA foreign_keys = ON")
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    except sqlite3.Error as e:
        raise translate(e, path) from e
    if version > SCHEMA_VERSION:
        conn.close()
        raise StoreError(f"{path}: store schema version {version} is newer than this jikenbo supports "
                         f"({SCHEMA_VERSION}); upgrade jikenbo to open it")
    if version == 0 or app_id != APPLICATION_ID:
        tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
        if tables and app_id != APPLICATION_ID:
            conn.close()
            raise StoreError(f"{path}: an SQLite database but not a jikenbo store")
    try:
        if not readonly:
            if version == 0 and not conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                # a new store: 16 KiB pages hold several incident rows (~2 KB each) per page
                conn.execute(f"PRAGMA page_size = {PAGE_SIZE}")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            migrate(conn, path)
        elif version < SCHEMA_VERSION:
            conn.close()
            raise StoreError(f"{path}: store schema version {version} is older than {SCHEMA_VERSION}; "
                             "open it once without read-only to upgrade it")
        conn.execute("PRAGMA cache_size = -65536")
    except sqlite3.Error as e:
        conn.close()
        raise translate(e, path, "upgrading the store") from e
    return conn


def file_schema_version(path: str | Path) -> int | None:
    """The schema version of the store file at ``path`` (read-only look), or None when there is none."""
    p = Path(path)
    if not p.is_file():
        return None
    try:
        conn = sqlite3.connect(f"{p.resolve().as_uri()}?mode=ro", uri=True)
        try:
            return int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error as e:
        raise translate(e, path) from e


location_version = file_schema_version


def migrate(conn: sqlite3.Connection, path: str | Path = "") -> int:
    """Apply the migrations the store lacks, each in its own transaction; return the version."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for i in range(version, SCHEMA_VERSION):
        log.info("%s: migrating store schema %d -> %d", path, i, i + 1)
        conn.execute("BEGIN IMMEDIATE")
        try:
            step = MIGRATIONS[i]
            if callable(step):
                step(conn)
            else:
                for stmt in _statements(step):
                    conn.execute(stmt)
            conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            conn.execute(f"PRAGMA user_version = {i + 1}")
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return SCHEMA_VERSION


def _statements(script: str) -> Iterator[str]:
    buf = ""
    for line in script.splitlines(keepends=True):
        if line.lstrip().startswith("--") and not buf.strip():
            continue
        buf += line
        if sqlite3.complete_statement(buf):
            yield buf.strip()
            buf = ""
    if buf.strip():
        yield buf.strip()


@contextmanager
def transaction(conn: sqlite3.Connection, path: str | Path, doing: str = "") -> Iterator[None]:
    """``BEGIN IMMEDIATE`` … ``COMMIT``; roll back and raise ``StoreError`` on an SQLite error.

    Inside a transaction already open (an ingest's commit batch, :func:`batch`) it is a
    savepoint: its work is undone alone on an error, and kept when the outer one commits."""
    if conn.in_transaction:
        conn.execute("SAVEPOINT doc")
        try:
            yield
            conn.execute("RELEASE doc")
        except BaseException as e:
            try:
                conn.execute("ROLLBACK TO doc")
                conn.execute("RELEASE doc")
            except sqlite3.Error:
                log.warning("rollback to savepoint failed", exc_info=True)
            if isinstance(e, sqlite3.Error):
                raise translate(e, path, doing) from e
            raise
        return
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as e:
        raise translate(e, path, doing) from e
    try:
        yield
        conn.execute("COMMIT")
    except sqlite3.Error as e:
        _rollback(conn)
        raise translate(e, path, doing) from e
    except BaseException:
        _rollback(conn)
        raise


def begin_batch(conn: sqlite3.Connection, path: str | Path) -> None:
    """Open the write transaction that the documents of an ingest's commit batch join."""
    try:
        conn.execute("BEGIN IMMEDIATE")
    except sqlite3.Error as e:
        raise translate(e, path, "starting a batch of documents") from e


def commit_batch(conn: sqlite3.Connection, path: str | Path) -> None:
    """Commit an open commit batch (nothing when none is open)."""
    if not conn.in_transaction:
        return
    try:
        conn.execute("COMMIT")
    except sqlite3.Error as e:
        _rollback(conn)
        raise translate(e, path, "committing a batch of documents") from e


def _rollback(conn: sqlite3.Connection) -> None:
    try:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        log.warning("rollback failed", exc_info=True)


def schema_version(conn: sqlite3.Connection) -> int:
    """The schema version of the open store (``PRAGMA user_version``)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def integrity_check(conn: sqlite3.Connection) -> list[str]:
    """``PRAGMA integrity_check``: ``[]`` when the file is sound, else the problems."""
    rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check").fetchall()]
    return [] if rows == ["ok"] else rows


def index_notice(conn: sqlite3.Connection, notice_pk: int, title: str, text: str, title_seg: str,
                 seg: str) -> None:
    """Write a notice into the FTS5 tables: its segmented words, its raw text (trigram)."""
    conn.execute("INSERT INTO notices_words (rowid, title, body) VALUES (?,?,?)", (notice_pk, title_seg, seg))
    conn.execute("INSERT INTO notices_trigram (rowid, title, text) VALUES (?,?,?)", (notice_pk, title, text))


def index_many(conn: sqlite3.Connection, rows: list[tuple[int, str, str, str]]) -> None:
    """``index_notice`` for many ``(notice_pk, title, text, segmented)`` (no segmented title)."""
    conn.executemany("INSERT INTO notices_words (rowid, title, body) VALUES (?,'',?)",
                     [(pk, seg) for pk, _, _, seg in rows])
    conn.executemany("INSERT INTO notices_trigram (rowid, title, text) VALUES (?,?,?)",
                     [(pk, title, text) for pk, title, text, _ in rows])


def add_notices(conn: sqlite3.Connection, sql: str, rows: list[tuple], index: list[tuple[int, str, str, str]]) -> None:
    """Bulk: the notices' rows (``executemany(sql, rows)``), then their FTS5 rows (:func:`index_many`)."""
    conn.executemany(sql, rows)
    index_many(conn, index)


def defer_indexes(conn: sqlite3.Connection) -> list[str]:
    """FTS5 tables cannot be dropped and rebuilt cheaply: nothing is deferred."""
    return []


def build_indexes(conn: sqlite3.Connection, definitions: list[str]) -> None:
    """Nothing was deferred (see :func:`defer_indexes`)."""


def reset_keys(conn: sqlite3.Connection) -> None:
    """SQLite's next rowid is always past the largest: nothing to do."""


def close(conn: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):
        conn.close()
