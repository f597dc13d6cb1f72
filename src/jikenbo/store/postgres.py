"""The PostgreSQL backend: pool, connection, the SQL dialect's differences, migrations, search.

The store's queries are written once, in SQLite's dialect, in ``core``, ``ingest``, ``stats``,
``relink``, ``watch``, ``follow`` and ``bulk``. :class:`PgConnection` runs them on PostgreSQL
(psycopg 3, connections from a ``psycopg_pool`` pool) after the few rewrites in
:func:`translate`: ``?`` placeholders, ``INSERT OR IGNORE`` / ``OR REPLACE`` (``ON CONFLICT``),
the last-insert id (``RETURNING``), ``instr`` / ``group_concat`` / ``datetime('now')`` and the
FTS5 words filter. What has no SQLite twin is here in full: the tsvector and trigram search
(:func:`search`), the schema (``schema.PG_MIGRATIONS``) and the write lock.

Full-text search uses the same Sudachi segmentation as SQLite (``textindex.segmented``): the
space-separated normalised tokens go into ``notices.words`` (a ``tsvector`` under the
``simple`` configuration, GIN index), the raw title and text into ``notices.search_text``
(pg_trgm GIN index) for substrings of three characters or more, as FTS5's trigram table does.

Writers: every write transaction takes one transaction-scoped advisory lock first
(``pg_advisory_xact_lock``), the counterpart of SQLite's ``BEGIN IMMEDIATE``. Two ingests from two
processes or machines then place each new notice exactly once: the second sees the first's
documents, organisations and incidents when it links. Readers never wait (MVCC).
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import zlib
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

from jikenbo.store import textindex
from jikenbo.store.backend import StoreError, no_store_message
from jikenbo.store.filters import Filters, where
from jikenbo.store.schema import PG_MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import psycopg

    from jikenbo.store.core import Store

log = logging.getLogger(__name__)

WRITE_LOCK = 0x4A4B4E42  # advisory lock key of the store's writers ("JKNB", as SQLite's application_id)
MIGRATE_LOCK = WRITE_LOCK + 1
_BEGIN_BATCH = ("BEGIN", "SET LOCAL synchronous_commit = off")  # one a query: a pipeline sends them so
_BEGIN_WRITE = "; ".join((*_BEGIN_BATCH, f"SELECT pg_advisory_xact_lock({WRITE_LOCK})"))
# a transaction that waited for another writer's rows while that writer waited for its lock
# (deadlock_detected, broken by PostgreSQL after deadlock_timeout), or whose insert met a row of
# the same key committed meanwhile: the document is tried again, once, with the lock released
_RETRY_STATES = {"40P01", "40001", "23505"}
POOL_MAX = 16  # connections per pool (one pool per URL and process)
kind = "postgresql"

# tables whose key the database assigns: what ``cursor.lastrowid`` reads back (RETURNING)
SERIAL_KEYS = {"documents": "id", "organizations": "id", "incidents": "pk", "notices": "pk",
               "third_parties": "id", "link_decisions": "id", "watches": "id", "alerts": "id",
               "follows": "id"}
# conflict targets of ``INSERT OR REPLACE`` (the tables' primary keys)
REPLACE_KEYS = {"watch_state": ("watch_id", "incident_id"), "follow_entries": ("url",)}


def shown(url: str) -> str:
    """The URL without its password, for messages."""
    try:
        p = urlsplit(url)
    except ValueError:
        return "postgresql://…"
    if p.password is None:
        return url
    netloc = p.netloc.rsplit("@", 1)
    user = (p.username or "") + ":***"
    return urlunsplit((p.scheme, f"{user}@{netloc[-1]}", p.path, p.query, p.fragment))


# ---------------------------------------------------------------------------------- dialect


def _placeholders(sql: str) -> str:
    """``?`` → ``%s`` and ``%`` → ``%%`` outside string literals and quoted names."""
    out: list[str] = []
    quote = ""
    for ch in sql:
        if quote:
            out.append("%%" if ch == "%" else ch)
            if ch == quote:
                quote = ""
            continue
        if ch in "'\"":
            quote = ch
            out.append(ch)
        elif ch == "?":
            out.append("%s")
        elif ch == "%":
            out.append("%%")
        else:
            out.append(ch)
    return "".join(out)


_INSTR_TEST = re.compile(r"\binstr\(([\w.]+), \?\) > 0")
_LIKE_LITERAL = r"replace(replace(replace(?, '\', '\\'), '%', '\%'), '_', '\_')"  # ? as it is, in LIKE
_INSERT = re.compile(r"^\s*INSERT\s+(?:OR\s+(IGNORE|REPLACE)\s+)?INTO\s+(\w+)\s*(\(([^)]*)\))?", re.I | re.S)
_GROUP_CONCAT = re.compile(r"group_concat\(([\w.]+)\)", re.I)
_BARE_TRUE = re.compile(r"\b(WHERE|AND)\s+1(?=\s+(?:ORDER|GROUP|LIMIT|AND|OR)\b|\s*\)|\s*$)", re.I)
# filters.where's words filter (FTS5) → the tsvector column; the FTS5 expression it is given
# ('"a b" AND "c"': phrases, all required) is what websearch_to_tsquery reads without the ANDs
_FTS_WORDS = ("notices_words w JOIN notices n ON n.pk = w.rowid WHERE notices_words MATCH ?",
              "notices n WHERE n.words @@ websearch_to_tsquery('simple', replace(?, '\" AND \"', '\" \"'))")


# columns that may be NULL and are sorted on: SQLite sorts NULL first, PostgreSQL last, so their
# ORDER BY items say NULLS FIRST (ascending) or NULLS LAST (descending), and so do their indexes
# (schema.PG_V8). Columns that are never NULL are left alone: their primary-key indexes still serve.
NULLABLE = frozenset({"disclosure_date", "affected_total", "org_key", "last_updated", "industry",
                      "disclosure_year", "disclosure_month", "lag_days", "date", "detected_date", "title",
                      "organization", "organization_id", "first_disclosed", "v"})
_ORDER_END = re.compile(r"\b(LIMIT|OFFSET)\b", re.I)


def _order_nulls(s: str) -> str:
    out, pos = [], 0
    for m in re.finditer(r"\bORDER BY\s+", s, re.I):
        if m.start() < pos:
            continue
        start = m.end()
        depth, i = 0, start
        while i < len(s):
            ch = s[i]
            if ch == "(":
                depth += 1
            elif ch == ")":
                if depth == 0:
                    break
                depth -= 1
            elif depth == 0 and _ORDER_END.match(s, i) and s[i - 1].isspace():
                break
            i += 1
        clause, items, cur, depth = s[start:i], [], "", 0
        for ch in clause:
            depth += (ch == "(") - (ch == ")")
            if ch == "," and depth == 0:
                items.append(cur)
                cur = ""
            else:
                cur += ch
        items.append(cur)
        fixed = []
        for it in items:
            words = it.split()
            col = words[0].rsplit(".", 1)[-1] if words else ""
            plain = len(words) == 1 or (len(words) == 2 and words[1].upper() in ("ASC", "DESC"))
            if col in NULLABLE and plain:
                desc = len(words) > 1 and words[1].upper() == "DESC"
                it = it.rstrip() + (" NULLS LAST" if desc else " NULLS FIRST") + (" " if it.endswith(" ") else "")
            fixed.append(it)
        out.append(s[pos:start] + ",".join(fixed))
        pos = i
    out.append(s[pos:])
    return "".join(out)


@lru_cache(maxsize=2048)
def translate(sql: str) -> tuple[str, str | None]:
    """The PostgreSQL text of one of the store's (SQLite-dialect) statements, and the key
    column a ``RETURNING`` gives back as ``lastrowid`` (None when it has none)."""
    s = sql.replace(*_FTS_WORDS)
    # a substring test becomes a LIKE that the pg_trgm indexes serve (strpos is never indexed,
    # and its row estimate of one in three turns `IN (SELECT …)` into a scan per row)
    s = _INSTR_TEST.sub(lambda m: f"{m.group(1)} LIKE ('%' || {_LIKE_LITERAL} || '%')", s)
    s = re.sub(r"\binstr\(", "strpos(", s)
    s = _GROUP_CONCAT.sub(r"string_agg((\1)::text, ',')", s)
    s = s.replace("datetime('now')", "to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')")
    s = _BARE_TRUE.sub(r"\1 TRUE", s)
    s = re.sub(r"\bIN \(\s*\)", "IN (NULL)", s)
    s = _order_nulls(s)  # SQLite allows an empty list (no NOT IN is used)
    returning = None
    m = _INSERT.match(s)
    if m:
        how, table, cols = (m.group(1) or "").upper(), m.group(2), m.group(4)
        s = s[:m.start()] + f"INSERT INTO {table} {m.group(3) or ''}" + s[m.end():]
        if how == "IGNORE":
            s += " ON CONFLICT DO NOTHING"
        elif how == "REPLACE":
            keys = REPLACE_KEYS[table]
            names = [c.strip().strip('"') for c in (cols or "").split(",")]
            sets = ", ".join(f'"{c}" = EXCLUDED."{c}"' for c in names if c not in keys)
            s += f" ON CONFLICT ({', '.join(keys)}) DO " + (f"UPDATE SET {sets}" if sets else "NOTHING")
        returning = SERIAL_KEYS.get(table)
        if returning:
            s += f" RETURNING {returning}"
    return _placeholders(s), returning


COPY_MIN = 200  # rows from which executemany of a plain INSERT uses COPY
_PLAIN_INSERT = re.compile(r"^\s*INSERT\s+(OR\s+IGNORE\s+)?INTO\s+(\w+)\s*\(([^)]*)\)\s*VALUES\s*\((.*)\)\s*$",
                           re.I | re.S)


@lru_cache(maxsize=256)
def _copy_plan(sql: str) -> tuple[str, list[str], Any, bool] | None:
    """For ``INSERT [OR IGNORE] INTO t (cols) VALUES (?, 1, datetime('now'), …)``: the table, its
    columns, a function from a parameter row to the row COPY writes, and whether rows that
    conflict are skipped (OR IGNORE); None for any other statement."""
    m = _PLAIN_INSERT.match(sql)
    if not m:
        return None
    cols = [c.strip() for c in m.group(3).split(",")]
    vals = [v.strip() for v in re.split(r",(?![^(]*\))", m.group(4))]
    if len(cols) != len(vals):
        return None
    parts: list[tuple[str, Any]] = []
    for v in vals:
        if v == "?":
            parts.append(("param", None))
        elif re.fullmatch(r"-?\d+", v):
            parts.append(("const", int(v)))
        elif v == "datetime('now')":
            parts.append(("now", None))
        else:
            return None

    def fill(rows: list[tuple[Any, ...]]) -> Iterable[Sequence[Any]]:
        """The rows COPY writes: each parameter row with the statement's constants put in."""
        if all(k == "param" for k, _ in parts):
            return rows
        from datetime import UTC, datetime

        now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S")  # one statement: one moment
        consts = [(i, now if k == "now" else c) for i, (k, c) in enumerate(parts) if k != "param"]
        out = []
        for r in rows:
            x = list(r)
            for i, v in consts:
                x.insert(i, v)
            out.append(x)
        return out

    return m.group(2), cols, fill, bool(m.group(1))


MAX_PARAMS = 30_000  # parameters in one statement (PostgreSQL's limit is 65,535)
# psycopg keeps the parsed form of a statement (and so can prepare it) only up to 50 parameters:
# a document's dozen field values as one 96-parameter INSERT was parsed anew every time (~1 ms
# of the writer's turn); up to this many rows a statement stays within that
CACHED_PARAMS = 50
SMALL_ROWS = 64
_VALUES = re.compile(r"^(INSERT INTO .*? VALUES )(\(.*\))((?: ON CONFLICT DO NOTHING)?)$", re.S)


@lru_cache(maxsize=256)
def _multi_values(text: str) -> tuple[str, str, str] | None:
    """A translated one-row INSERT as (head, its VALUES group, tail), to send many rows in one
    statement; None for anything else (an upsert that updates may not meet a row twice)."""
    m = _VALUES.match(text)
    if not m or m.group(2).count("(") != m.group(2).count(")"):
        return None
    return m.group(1), m.group(2), m.group(3)


class Row(tuple):
    """A result row read by position or by column name, like ``sqlite3.Row``."""

    _names: dict[str, int]

    def __new__(cls, values: Sequence[Any], names: dict[str, int]) -> Row:
        r = super().__new__(cls, values)
        r._names = names
        return r

    def __getitem__(self, key: Any) -> Any:  # type: ignore[override]
        if isinstance(key, str):
            return tuple.__getitem__(self, self._names[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._names)


_NAMES: dict[tuple[bytes | None, ...], dict[str, int]] = {}


def _row_factory(cursor: Any) -> Any:
    res = cursor.pgresult  # the column names straight from the result (``description`` builds objects)
    got = tuple(res.fname(i) for i in range(res.nfields)) if res is not None else ()
    names = _NAMES.get(got)
    if names is None:
        names = {(n or b"").decode(): i for i, n in enumerate(got)}
        if len(_NAMES) < 4096:
            _NAMES[got] = names
    return lambda values: Row(values, names)


def _has_rows(cur: Any) -> bool:
    """Whether the cursor's statement gave a result set (``bool(cur.description)``, cheaper)."""
    from psycopg.pq import ExecStatus

    res = cur.pgresult
    return res is not None and res.status in (ExecStatus.TUPLES_OK, ExecStatus.SINGLE_TUPLE)


class Cursor:
    """What ``execute`` returns: ``fetchone`` / ``fetchall`` / ``fetchmany``, iteration, ``lastrowid``.

    In a pipelined batch (:meth:`PgConnection.begin_batch`) a statement's result is read only
    when asked for (``lastrowid`` included): a write nobody reads goes with the next round trip.
    """

    def __init__(self, cur: Any, returning: str | None, piped: bool = False) -> None:
        self._cur = cur
        self._returning = returning
        self._piped = piped
        self._lastrowid: int | None = None
        self._read = not returning

    @property
    def lastrowid(self) -> int | None:
        if not self._read:
            self._read = True
            row = self.fetchone()
            self._lastrowid = int(row[0]) if row else None
        return self._lastrowid

    @property
    def rowcount(self) -> int:
        self._result()
        return int(self._cur.rowcount)

    def _result(self) -> bool:
        """Whether the statement gave rows (in a pipeline: after waiting for its result)."""
        if self._piped and self._cur.pgresult is None:
            fetch = getattr(self._cur, "_fetch_pipeline", None)  # the pipeline's results up to this one
            if fetch is not None:
                fetch()
            else:
                self._cur.connection._pipeline.sync()
        return _has_rows(self._cur)

    def fetchone(self) -> Row | None:
        return self._cur.fetchone() if self._result() else None

    def fetchall(self) -> list[Row]:
        return self._cur.fetchall() if self._result() else []

    def fetchmany(self, size: int = 1000) -> list[Row]:
        return self._cur.fetchmany(size) if self._result() else []

    def __iter__(self) -> Iterator[Row]:
        return iter(self.fetchall())


def _error(e: Exception, where_: str, doing: str = "") -> StoreError:
    what = f" while {doing}" if doing else ""
    first = (str(e).strip().splitlines() or [type(e).__name__])[0]
    low = first.lower()
    if "read-only transaction" in low:
        return StoreError(f"{where_}: the store was opened read-only{what}")
    if "could not extend" in low or "no space left" in low:
        return StoreError(f"{where_}: database or disk is full{what}; nothing of it was stored")
    err = StoreError(f"{where_}: store error{what}: {first}")
    err.retry = getattr(e, "sqlstate", None) in _RETRY_STATES  # type: ignore[attr-defined]
    return err


class PgConnection:
    """One pooled psycopg connection that runs the store's SQL (see :func:`translate`)."""

    kind = "postgresql"

    def __init__(self, url: str, conn: psycopg.Connection, pool: Any) -> None:
        self.url = url
        self.where = shown(url)
        self.raw = conn
        self._pool = pool
        self._tx = False
        self._locked = False  # the open transaction holds the writers' lock
        self._batch = False  # inside a commit batch (begin_batch): each transaction() a savepoint
        self._pipe: Any = None  # the batch's psycopg pipeline
        self._pipe_cm: Any = None

    @property
    def in_transaction(self) -> bool:
        return self._tx

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        text, returning = translate(sql)
        import psycopg

        try:
            return Cursor(self.raw.execute(text, tuple(params)), returning, self._pipe is not None)  # type: ignore[arg-type]
        except psycopg.Error as e:
            log.debug("PostgreSQL refused %s (from %s)", text, sql)
            raise _error(e, self.where) from e

    def executemany(self, sql: str, rows: Any) -> None:
        import psycopg

        rows = [tuple(r) for r in rows]
        if not rows:
            return
        plan = _copy_plan(sql) if len(rows) >= COPY_MIN and self._pipe is None else None  # no COPY in a pipeline
        if plan is not None:  # a plain INSERT of many rows: COPY, several times faster
            table, cols, fill, ignore = plan
            names = ", ".join(cols)
            try:
                if not ignore:
                    self.copy_rows(table, cols, fill(rows))
                    return
                # OR IGNORE: COPY into a temporary table of those columns, then one INSERT … SELECT
                # that skips the rows already there (and repeats among the rows)
                with self.staged(table, cols, fill(rows)) as tmp:
                    self.raw.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM {tmp}"
                                     " ON CONFLICT DO NOTHING")
            except psycopg.Error as e:
                raise _error(e, self.where) from e
            return
        text, _ = translate(sql)
        if text.endswith(" RETURNING " + str(_)):
            text = text.rsplit(" RETURNING ", 1)[0]
        multi = _multi_values(text)
        if multi is not None and len(rows) > 1:  # one statement, one round trip
            head, group, tail = multi
            limit = CACHED_PARAMS if len(rows) <= SMALL_ROWS else MAX_PARAMS
            step = max(1, limit // max(1, len(rows[0])))
            try:
                for i in range(0, len(rows), step):
                    part = rows[i:i + step]
                    self.raw.execute(head + ",".join([group] * len(part)) + tail,
                                     tuple(v for r in part for v in r))  # type: ignore[arg-type]
            except psycopg.Error as e:
                raise _error(e, self.where) from e
            return
        try:
            with self.raw.cursor() as cur:
                cur.executemany(text, rows)  # type: ignore[arg-type]
        except psycopg.Error as e:
            raise _error(e, self.where) from e

    def copy_rows(self, table: str, cols: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        """COPY ``rows`` (values of ``cols``) into ``table``; psycopg errors pass through."""
        with self.raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as cp:
            for r in rows:
                cp.write_row(r)

    @contextmanager
    def staged(self, like: str, cols: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
        """A temporary table with the columns ``cols`` of table ``like``, holding ``rows`` (by
        COPY) while the block runs and emptied after it; yields its name."""
        import psycopg

        names = ", ".join(cols)
        tmp = f"jikenbo_stage_{like}_{zlib.crc32(names.encode()):08x}"
        self.raw.execute(f"CREATE TEMP TABLE IF NOT EXISTS {tmp} AS SELECT {names} FROM {like} WITH NO DATA")
        try:
            self.copy_rows(tmp, cols, rows)
            yield tmp
        except psycopg.Error:
            if not self._tx:  # inside a transaction its rollback empties the table
                with contextlib.suppress(psycopg.Error):
                    self.raw.execute(f"TRUNCATE {tmp}")
            raise
        self.raw.execute(f"TRUNCATE {tmp}")

    def stream(self, sql: str, size: int = 2000) -> Iterator[list[Row]]:
        """The rows of a big query a batch at a time (a server-side cursor in its own read
        transaction), so a copy of a million rows never holds them all."""
        import psycopg

        text, _ = translate(sql)
        try:
            with self.raw.transaction(), self.raw.cursor(name="jikenbo_stream") as cur:
                cur.execute(text, ())  # type: ignore[call-overload]
                while rows := cur.fetchmany(size):
                    yield rows
        except psycopg.Error as e:
            raise _error(e, self.where, "reading") from e

    def _begin(self, doing: str) -> None:
        import psycopg

        try:
            # one round trip (a simple query of three statements, constants only): the
            # transaction, its commit setting (as SQLite's WAL with synchronous=NORMAL: a commit
            # does not wait for its fsync; a power loss may lose the last documents, never
            # corrupts; a killed process loses none), then the writers' lock, waited for
            self._tx = True
            self.raw.execute(_BEGIN_WRITE)
            self._locked = True
        except psycopg.Error as e:
            self._rollback()
            raise _error(e, self.where, doing) from e

    @contextmanager
    def transaction(self, doing: str = "") -> Iterator[None]:
        """One write transaction behind the store's write lock; rolled back on any error.

        Inside a commit batch (:meth:`begin_batch`) it is a savepoint of the batch's transaction:
        an error undoes its work alone and the batch goes on."""
        import psycopg

        if self._batch:
            with self._savepoint(doing):
                yield
            return
        if self._tx:  # already inside one (a caller's transaction): join it
            yield
            return
        self._begin(doing)
        try:
            yield
            self.raw.execute("COMMIT")
            self._tx = self._locked = False
        except psycopg.Error as e:
            self._rollback()
            raise _error(e, self.where, doing) from e
        except BaseException:
            self._rollback()
            raise

    @contextmanager
    def _savepoint(self, doing: str) -> Iterator[None]:
        import psycopg

        self.raw.execute("SAVEPOINT doc")
        try:
            yield
            self.raw.execute("RELEASE doc")
            if self._pipe is not None:
                self._pipe.sync()  # this document's errors show here, not in the next one's
        except BaseException as e:
            self._locked = False  # a lock taken inside the savepoint went with it; taking it again is harmless
            try:
                if self._pipe is not None:
                    with contextlib.suppress(psycopg.Error):
                        self._pipe.sync()  # out of the aborted pipeline state
                self.raw.execute("ROLLBACK TO doc")
                self.raw.execute("RELEASE doc")
                if self._pipe is not None:
                    self._pipe.sync()
            except psycopg.Error as e2:  # the batch's transaction itself is gone
                log.warning("rollback to savepoint failed", exc_info=True)
                self._end_batch(commit=False)
                raise _error(e2, self.where, doing) from e
            if isinstance(e, psycopg.Error):
                raise _error(e, self.where, doing) from e
            raise

    def begin_batch(self, doing: str = "starting a batch of documents") -> None:
        """Open a transaction that several documents' transactions join, each a savepoint, its
        statements pipelined (a statement whose result nobody reads costs no round trip of its
        own). It opens without the writers' lock: a document's own rows are written first and
        :meth:`lock_to_link` takes the lock before it links (and holds it to the commit).
        :meth:`commit_batch` ends it."""
        import psycopg

        if self._tx:
            return
        # the BEGIN rides in the pipeline too: no round trip of its own (a failure shows at the
        # first document's sync, which then undoes the batch)
        self._pipe_cm = self.raw.pipeline()
        self._pipe = self._pipe_cm.__enter__()
        self._tx = self._batch = True
        try:
            for statement in _BEGIN_BATCH:
                self.raw.execute(statement)
        except psycopg.Error as e:
            self._end_batch(commit=False)
            raise _error(e, self.where, doing) from e

    def commit_batch(self, doing: str = "committing a batch of documents") -> None:
        """Commit the open batch (nothing when none is open)."""
        if self._batch:
            self._end_batch(commit=True, doing=doing)

    def _end_batch(self, *, commit: bool, doing: str = "") -> None:
        import psycopg

        pipe, self._pipe, self._batch = self._pipe_cm, None, False
        try:
            if commit:
                self.raw.execute("COMMIT")
            if pipe is not None:
                pipe.__exit__(None, None, None)  # sends what is queued, reads every result
            if commit:
                self._tx = self._locked = False
        except psycopg.Error as e:
            if pipe is not None:
                with contextlib.suppress(Exception):
                    pipe.__exit__(None, None, None)
            self._rollback()
            raise _error(e, self.where, doing) from e
        if not commit:
            if pipe is not None:
                with contextlib.suppress(Exception):
                    pipe.__exit__(None, None, None)
            self._rollback()

    def lock_to_link(self) -> bool:
        """Take the writers' lock in the open transaction unless it holds it; True when taken
        now. Pipelined: the server runs what follows once it has the lock, so the writer waits
        for it only at the next result it reads."""
        if not self._tx or self._locked:
            return False
        self.execute(f"SELECT pg_advisory_xact_lock({WRITE_LOCK})")
        self._locked = True
        return True

    def _rollback(self) -> None:
        self._tx = False
        self._locked = False
        try:
            self.raw.execute("ROLLBACK")
        except Exception:  # a broken connection: the pool replaces it
            log.warning("rollback failed", exc_info=True)

    def close(self) -> None:
        if self.raw is None:
            return
        if self._batch:  # a batch nobody committed is undone
            self._end_batch(commit=False)
        conn, self.raw = self.raw, None  # type: ignore[assignment]
        with contextlib.suppress(Exception):
            if self._tx:
                conn.execute("ROLLBACK")
            self._pool.putconn(conn)


# ---------------------------------------------------------------------------------- pool


_pools: dict[str, Any] = {}
_pools_lock = threading.Lock()


def _configure(conn: Any) -> None:
    import psycopg

    class Numeric(psycopg.adapt.Loader):
        """sum() of integers is numeric in PostgreSQL: an int again when whole (as SQLite)."""

        def load(self, data: Any) -> Any:
            s = bytes(data).decode()
            return int(s) if re.fullmatch(r"-?\d+", s) else float(s)

    conn.adapters.register_loader("numeric", Numeric)
    conn.row_factory = _row_factory


def _reset(conn: Any) -> None:
    conn.execute("RESET ALL")


def pool(url: str) -> Any:
    """The process's connection pool for ``url`` (made on first use)."""
    with _pools_lock:
        p = _pools.get(url)
        if p is None:
            try:
                from psycopg_pool import ConnectionPool
            except ImportError as e:
                raise StoreError(f"{shown(url)}: PostgreSQL needs psycopg and psycopg_pool "
                                 "(pip install 'psycopg[binary]' psycopg_pool)") from e
            p = ConnectionPool(url, min_size=1, max_size=POOL_MAX, open=False, configure=_configure,
                               reset=_reset, kwargs={"autocommit": True}, name="jikenbo")
            try:
                p.open(wait=True, timeout=15)
            except Exception as e:
                p.close()
                raise StoreError(f"{shown(url)}: cannot connect to PostgreSQL ({_reason(e)})") from e
            _pools[url] = p
        return p


def _reason(e: Exception) -> str:
    cause = e.__cause__ or e.__context__ or e
    return (str(cause).strip().splitlines() or [type(cause).__name__])[-1]


def close_pools() -> None:
    """Close every pool of this process (tests; a forked worker never uses its parent's)."""
    with _pools_lock:
        for p in _pools.values():
            with contextlib.suppress(Exception):
                p.close()
        _pools.clear()


def connect(url: str, *, readonly: bool = False, create: bool = True) -> PgConnection:
    """A connection to the store at ``url``, its schema created or upgraded unless ``readonly``.

    ``create=False`` refuses a database without a jikenbo schema.
    """
    p = pool(url)
    try:
        raw = p.getconn(timeout=30)
    except Exception as e:
        raise StoreError(f"{shown(url)}: cannot connect to PostgreSQL ({_reason(e)})") from e
    conn = PgConnection(url, raw, p)
    try:
        version = schema_version(conn)
        if version > SCHEMA_VERSION:
            raise StoreError(f"{conn.where}: store schema version {version} is newer than this jikenbo "
                             f"supports ({SCHEMA_VERSION}); upgrade jikenbo to open it")
        if version == 0:
            if conn.execute("SELECT to_regclass('documents') IS NOT NULL").fetchone()[0]:  # type: ignore[index]
                raise StoreError(f"{conn.where}: a PostgreSQL database with a documents table but not "
                                 "a jikenbo store")
            if not create or readonly:
                raise StoreError(no_store_message(url))
        if readonly:
            if version < SCHEMA_VERSION:
                raise StoreError(f"{conn.where}: store schema version {version} is older than "
                                 f"{SCHEMA_VERSION}; open it once without read-only to upgrade it")
            conn.execute("SET default_transaction_read_only = on")
        elif version < SCHEMA_VERSION:
            migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def schema_version(conn: PgConnection) -> int:
    """The schema version of the store (0: no jikenbo schema in this database)."""
    row = conn.execute("SELECT to_regclass('jikenbo_schema') IS NOT NULL").fetchone()
    if not row or not row[0]:
        return 0
    got = conn.execute("SELECT max(version) FROM jikenbo_schema").fetchone()
    return int(got[0] or 0) if got else 0


def location_version(url: str) -> int | None:
    """The schema version at ``url``, or None when the database holds no store."""
    p = pool(url)
    raw = p.getconn(timeout=30)
    conn = PgConnection(url, raw, p)
    try:
        v = schema_version(conn)
        return v or None
    finally:
        conn.close()


def transaction(conn: PgConnection, path: object = "", doing: str = "") -> Any:
    """See :meth:`PgConnection.transaction`."""
    return conn.transaction(doing)


def begin_batch(conn: PgConnection, path: object = "") -> None:
    """See :meth:`PgConnection.begin_batch` (the twin of ``sqlite.begin_batch``)."""
    conn.begin_batch()


def lock_to_link(conn: PgConnection) -> bool:
    """See :meth:`PgConnection.lock_to_link` (the backend's optional function)."""
    return conn.lock_to_link()


def commit_batch(conn: PgConnection, path: object = "") -> None:
    """See :meth:`PgConnection.commit_batch`."""
    conn.commit_batch()


def integrity_check(conn: PgConnection) -> list[str]:
    """PostgreSQL keeps its own consistency (WAL, constraints): only whether it answers."""
    row = conn.execute("SELECT 1").fetchone()
    return [] if row and row[0] == 1 else [f"{conn.where}: no answer"]


def close(conn: PgConnection) -> None:
    conn.close()


def migrate(conn: PgConnection) -> int:
    """Bring the schema to ``SCHEMA_VERSION`` (one transaction per step, one migrator at a time)."""
    base = min(PG_MIGRATIONS)
    conn.execute("SELECT pg_advisory_lock(?)", (MIGRATE_LOCK,))
    try:
        version = schema_version(conn)  # again: another process may have migrated meanwhile
        steps = [base] if version == 0 else []
        steps += [v for v in range(max(version, base) + 1, SCHEMA_VERSION + 1)]
        for v in steps:
            log.info("%s: migrating store schema to %d", conn.where, v)
            with conn.transaction(f"upgrading the store to schema {v}"):
                conn.raw.execute(PG_MIGRATIONS[v])  # several statements, no parameters
                conn.execute("INSERT INTO jikenbo_schema (version, applied_at) VALUES (?, now()::text)", (v,))
    finally:
        conn.execute("SELECT pg_advisory_unlock(?)", (MIGRATE_LOCK,))
    return SCHEMA_VERSION


# ---------------------------------------------------------------------------------- text index


def index_notice(conn: PgConnection, notice_pk: int, title: str, text: str, title_seg: str, seg: str) -> None:
    """Write a notice's search columns: its segmented words and its raw text (trigram)."""
    conn.execute("UPDATE notices SET words = to_tsvector('simple', ?), search_text = ? WHERE pk = ?",
                 (*_search_values(title, text, title_seg, seg), notice_pk))


def _search_values(title: str, text: str, title_seg: str, seg: str) -> tuple[str, str]:
    """A notice's search columns: the segmented words (for ``to_tsvector``) and the raw text."""
    return f"{title_seg} {seg}".strip(), f"{title}\n{text}" if title else text


def link_and_index(conn: PgConnection, rows: list[tuple[Any, ...]]) -> None:
    """Place new notices in their incidents and write their search columns in one update each:
    ``(incident_pk, link_reasons, title, text, title_seg, seg, notice_pk)``. A notice inserted
    without its search columns and given them here is written to the GIN indexes once; inserted
    with them, its linking update (``incident_pk`` is indexed: never a HOT update) would add all
    of its words and trigrams a second time (~0.7 ms of the writer's locked turn at 1M)."""
    conn.executemany("UPDATE notices SET incident_pk = ?, link_reasons = ?, words = to_tsvector('simple', ?),"
                     " search_text = ? WHERE pk = ?",
                     [(inc, reasons, *_search_values(title, text, title_seg, seg), pk)
                      for inc, reasons, title, text, title_seg, seg, pk in rows])


def index_many(conn: PgConnection, rows: list[tuple[int, str, str, str]]) -> None:
    """``index_notice`` for many ``(notice_pk, title, text, segmented)`` at once (COPY into a
    temporary table, one UPDATE)."""
    if len(rows) < COPY_MIN:
        conn.executemany("UPDATE notices SET words = to_tsvector('simple', ?), search_text = ? WHERE pk = ?",
                         [(seg, f"{title}\n{text}" if title else text, pk) for pk, title, text, seg in rows])
        return
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS jikenbo_index (pk BIGINT, search_text TEXT, seg TEXT)"
                 " ON COMMIT DELETE ROWS")
    conn.executemany("INSERT INTO jikenbo_index (pk, search_text, seg) VALUES (?,?,?)",
                     [(pk, f"{title}\n{text}" if title else text, seg) for pk, title, text, seg in rows])
    conn.execute("UPDATE notices n SET words = to_tsvector('simple', x.seg), search_text = x.search_text"
                 " FROM jikenbo_index x WHERE n.pk = x.pk")
    conn.execute("DELETE FROM jikenbo_index")


def add_notices(conn: PgConnection, sql: str, rows: list[tuple[Any, ...]],
                index: list[tuple[int, str, str, str]]) -> None:
    """Bulk: ``executemany(sql, rows)`` of new notices, then ``index_many(index)``. Many rows go
    in one pass: both COPYed into temporary tables, then one INSERT … SELECT that computes the
    words column (an UPDATE afterwards would write every notice twice)."""
    plan = _copy_plan(sql) if len(rows) >= COPY_MIN else None
    if plan is None or plan[3] or plan[0] != "notices" or len(index) != len(rows):
        conn.executemany(sql, rows)
        index_many(conn, index)
        return
    import psycopg

    _, cols, fill, _ = plan
    keep = ", ".join(f"s.{c}" for c in cols)
    conn.execute("CREATE TEMP TABLE IF NOT EXISTS jikenbo_index (pk BIGINT, search_text TEXT, seg TEXT)"
                 " ON COMMIT DELETE ROWS")
    try:
        conn.copy_rows("jikenbo_index", ("pk", "search_text", "seg"),
                       [(pk, f"{title}\n{text}" if title else text, seg) for pk, title, text, seg in index])
        with conn.staged("notices", cols, fill(rows)) as tmp:
            conn.raw.execute(f"INSERT INTO notices ({', '.join(cols)}, words, search_text)"
                             f" SELECT {keep}, to_tsvector('simple', x.seg), x.search_text"
                             f" FROM {tmp} s JOIN jikenbo_index x ON x.pk = s.pk")
        conn.raw.execute("TRUNCATE jikenbo_index")
    except psycopg.Error as e:
        raise _error(e, conn.where, "bulk insert") from e


SEARCH_INDEXES = ("notices_words", "notices_trigram", "incidents_org_key_trgm")
# the tables a bulk load fills (store/bulk.py): their foreign keys and secondary indexes wait
BULK_TABLES = ("documents", "organizations", "organization_aliases", "incidents", "incident_tags", "notices",
               "field_values", "third_parties", "notice_third_parties")


def defer_indexes(conn: PgConnection) -> list[str]:
    """Bulk loads (``fast=True``): drop the foreign keys and the secondary indexes (full-text and
    trigram ones included) of the tables a bulk load fills, to build them once afterwards
    (:func:`build_indexes`); the statements that restore them are returned. Primary keys and
    UNIQUE constraints stay: they keep the load itself correct (a document's bytes stored once)."""
    marks = ",".join("?" * len(BULK_TABLES))
    fks = conn.execute(
        "SELECT t.relname, c.conname, pg_get_constraintdef(c.oid) FROM pg_constraint c"
        " JOIN pg_class t ON t.oid = c.conrelid JOIN pg_namespace s ON s.oid = t.relnamespace"
        f" WHERE c.contype = 'f' AND s.nspname = current_schema() AND t.relname IN ({marks})"
        " ORDER BY t.relname, c.conname", BULK_TABLES).fetchall()
    idx = conn.execute(
        "SELECT ci.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i"
        " JOIN pg_class ci ON ci.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid"
        " JOIN pg_namespace s ON s.oid = t.relnamespace"
        f" WHERE s.nspname = current_schema() AND t.relname IN ({marks})"
        " AND NOT i.indisprimary AND NOT i.indisunique ORDER BY ci.relname", BULK_TABLES).fetchall()
    for table, name, _ in fks:
        conn.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _ in idx:
        conn.execute(f'DROP INDEX IF EXISTS "{name}"')
    return ([d.replace("CREATE INDEX ", "CREATE INDEX IF NOT EXISTS ", 1) for _, d in idx]
            + [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {d}' for table, name, d in fks])


def build_indexes(conn: PgConnection, definitions: list[str]) -> None:
    """Run what :func:`defer_indexes` returned: the indexes, then the foreign keys (each checked
    over the whole table at once)."""
    conn.execute("SET maintenance_work_mem = '512MB'")
    for d in definitions:
        conn.execute(d)
    conn.execute("RESET maintenance_work_mem")


def reset_keys(conn: PgConnection) -> None:
    """After rows were inserted with their keys given: the next key after the largest."""
    for table, col in SERIAL_KEYS.items():
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', '{col}'),"
                     f" coalesce((SELECT max({col}) FROM {table}), 0) + 1, false)")


# ---------------------------------------------------------------------------------- search

COMMON_DOCS = 5_000  # as search.py: beyond this many matches, newest first instead of by rank


def summary_select(affected: str, lag: str) -> str:
    """``stats``' figures of one group computed here instead of shipping its values: known
    affected (count, sum, median), known lag (count, median) and the lag's nearest-rank p90.
    ``percentile_cont(0.5)`` is ``statistics.median`` (the mean of the two middle values of an
    even count); ``percentile_disc(0.9)`` is the first value whose rank reaches 90%."""
    return (f"count({affected}), sum({affected}), percentile_cont(0.5) WITHIN GROUP (ORDER BY {affected}), "
            f"count({lag}), percentile_cont(0.5) WITHIN GROUP (ORDER BY {lag}), "
            f"percentile_disc(0.9) WITHIN GROUP (ORDER BY {lag})")


def words_query(query: str) -> str | None:
    """The ``websearch_to_tsquery`` text of a query: each term a quoted phrase of its
    Sudachi-normalised tokens, all required (what FTS5 is asked on SQLite)."""
    terms = textindex.query_terms(query)
    return " ".join('"' + " ".join(t) + '"' for t in terms) if terms else None


def _like(term: str) -> str:
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _ranked(store: Store, match_sql: str, match_params: list[Any], rank_sql: str | None,
            filters: Filters, want: int, exclude: set[int]) -> list[dict[str, Any]]:
    """The best current notice per incident passing ``filters``: best rank first when the query
    matches at most COMMON_DOCS notices, else newest first (as the SQLite search).

    ``rank_sql`` (lower is better) takes the same parameters as ``match_sql``; None: newest first.
    In a store of more than WALK_MIN notices the newest notices are looked at first, in
    growing ranges of their key: a query that matches many of them (a common word) is answered
    from those ranges, newest first, without asking the full-text index for every match.
    """
    c = store.conn
    fsql, fparams = where(filters, correlated=True)
    base = (f"FROM notices n JOIN incidents i ON i.pk = n.incident_pk"
            f" WHERE {match_sql} AND n.superseded = 0 AND {fsql}")
    top = c.execute("SELECT max(pk) FROM notices").fetchone()[0] or 0  # type: ignore[index]
    if top > WALK_MIN:
        walked = _walk(c, match_sql, match_params, fsql, fparams, top, want, exclude)
        if walked is not None:
            return walked
        # the filters' own indexes first (tags selected by value, not probed per incident)
        fsql, fparams = where(filters)
        base = (f"FROM notices n JOIN incidents i ON i.pk = n.incident_pk"
                f" WHERE {match_sql} AND n.superseded = 0 AND {fsql}")
    if rank_sql is not None:
        # the matches (up to COMMON_DOCS + 1) read once, ranked, and counted in the same
        # statement: at 1M a phrase's index scan and recheck cost as much as the ranking
        rows = c.execute(
            f"WITH m AS MATERIALIZED (SELECT n.pk, n.incident_pk, n.superseded, {rank_sql} AS rank"
            f" FROM notices n WHERE {match_sql} LIMIT ?)"
            f" SELECT inc_pk, notice_pk, rank, (SELECT count(*) FROM m) FROM (SELECT DISTINCT ON (i.pk)"
            f" i.pk AS inc_pk, m.pk AS notice_pk, m.rank FROM m JOIN incidents i ON i.pk = m.incident_pk"
            f" WHERE m.superseded = 0 AND {fsql} ORDER BY i.pk, m.rank, m.pk) s ORDER BY rank, notice_pk DESC LIMIT ?",
            [*match_params, *match_params, COMMON_DOCS + 1, *fparams, want + len(exclude)]).fetchall()
        if rows and int(rows[0][3]) <= COMMON_DOCS:  # every match was ranked
            return [{"inc_pk": r[0], "notice_pk": r[1], "rank": float(r[2])} for r in rows if r[0] not in exclude]
        if rows:  # a common word: newest first
            return _newest(c, base, [*match_params, *fparams], want, exclude)
    n = c.execute(f"SELECT count(*) FROM (SELECT 1 FROM notices n WHERE {match_sql} LIMIT ?) s",
                  [*match_params, COMMON_DOCS + 1]).fetchone()[0]  # type: ignore[index]
    if n == 0 or (rank_sql is not None and int(n) <= COMMON_DOCS):  # none, or none of them passes
        return []
    return _newest(c, base, [*match_params, *fparams], want, exclude)


WALK_MIN = 5_000  # stores with more notices than this look at the newest first
WALK_FIRST = 100  # notices in the first key range looked at
WALK_DENSE = 0.02  # a query matching at least this share of the notices walked is "common"
WALK_MAX = 10_000  # notices walked before the filters are asked first (by the planner)


def _walk(c: PgConnection, match_sql: str, match_params: list[Any], fsql: str, fparams: list[Any],
          top: int, want: int, exclude: set[int]) -> list[dict[str, Any]] | None:
    """Newest first over key ranges ``(hi - size, hi]`` of the notices (their primary key
    index), each range's matches checked against the filters in one query. None when the query
    proves rare in the newest notices (the index answers it better) or the filters pass too few
    of them (the planner should start from the filters)."""
    out: list[dict[str, Any]] = []
    taken = set(exclude)
    hi, size, walked, matched = top, max(WALK_FIRST, want * 5), 0, 0
    while hi > 0:
        page = c.execute(f"SELECT n.pk, n.incident_pk FROM notices n WHERE n.pk > ? AND n.pk <= ?"
                         f" AND {match_sql} AND n.superseded = 0 ORDER BY n.pk DESC",
                         [hi - size, hi, *match_params]).fetchall()
        walked, matched, hi = walked + size, matched + len(page), hi - size
        if matched < walked * WALK_DENSE and not out:
            return None  # rare in the newest notices: the full-text index first
        if page:
            if fsql in ("1", "TRUE"):
                passing = {r[1] for r in page}
            else:
                marks = ",".join("?" * len(page))
                passing = {r[0] for r in c.execute(f"SELECT i.pk FROM incidents i WHERE i.pk IN ({marks})"
                                                    f" AND {fsql}", [*(r[1] for r in page), *fparams])}
            for notice_pk, inc_pk in page:
                if inc_pk in passing and inc_pk not in taken:
                    taken.add(inc_pk)
                    out.append({"inc_pk": inc_pk, "notice_pk": notice_pk, "rank": float(len(out))})
                    if len(out) >= want:
                        return out
        if walked >= WALK_MAX and hi > 0:
            return None  # the filters pass few of the matches: let the planner start from them
        size *= 2
    return out


def _newest(c: PgConnection, base: str, params: list[Any], want: int, exclude: set[int]) -> list[dict[str, Any]]:
    """Newest first by one joined query (the planner picks the order of the filters)."""
    out: list[dict[str, Any]] = []
    k = max(200, (want + len(exclude)) * 3)
    while True:  # newest first: an incident's newest matching notice is its hit
        rows = c.execute(f"SELECT i.pk, n.pk {base} ORDER BY n.pk DESC LIMIT ?", [*params, k]).fetchall()
        out, taken = [], set(exclude)
        for inc_pk, notice_pk in rows:
            if inc_pk not in taken:
                taken.add(inc_pk)
                out.append({"inc_pk": inc_pk, "notice_pk": notice_pk, "rank": float(len(out))})
        if len(out) >= want or len(rows) < k:
            return out[:want]
        k *= 4


def search_hits(store: Store, query: str, filters: Filters, want: int) -> list[dict[str, Any]]:
    """See ``Backend.search_hits``: words first, substrings (trigram) only where words found none,
    as search.py does on SQLite."""
    import unicodedata

    words = words_query(query)
    tri = [unicodedata.normalize("NFKC", t) for t in query.split()]
    tri = tri if tri and all(len(t) >= 3 for t in tri) else []
    hits: list[dict[str, Any]] = []
    if words:
        q = "websearch_to_tsquery('simple', ?)"
        hits = _ranked(store, f"n.words @@ {q}", [words], f"-ts_rank(n.words, {q})", filters, want, set())
    if tri and not hits:
        match = " AND ".join("n.search_text ILIKE ?" for _ in tri)
        more = _ranked(store, match, [_like(t) for t in tri], None, filters, want, set())
        for h in more:
            h["rank"] += 1000.0  # substring hits after word hits
        hits += more
    return hits
