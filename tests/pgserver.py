"""A throw-away PostgreSQL server for the tests (scripts/pg.sh), and one schema per test.

``$JIKENBO_TEST_PG`` names a running server's database whose public schema holds no store (each
test's schema comes first on its search_path, public after it for pg_trgm; scripts/test.sh starts
such a server with ``scripts/pg.sh``);
without it the session starts its own cluster with ``scripts/pg.sh start`` in a temporary folder
and stops it at the end. Where no server can be had the PostgreSQL cases skip with the reason,
unless ``$CI`` is set: then they fail.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent.parent
PG_SH = ROOT / "scripts" / "pg.sh"


class PgServer:
    """A server URL, or the reason there is none."""

    def __init__(self) -> None:
        self.url: str | None = os.environ.get("JIKENBO_TEST_PG") or None
        self.reason = ""
        self._dir: str | None = None
        if self.url:
            return
        self._dir = tempfile.mkdtemp(prefix="jikenbo-pg-")
        try:
            out = subprocess.run([str(PG_SH), "start", self._dir], capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.TimeoutExpired) as e:
            self.reason = f"scripts/pg.sh start failed: {e}"
            return
        if out.returncode != 0:
            self.reason = ("no PostgreSQL server could be started (scripts/pg.sh start): "
                           + (out.stderr.strip().splitlines() or ["no output"])[-1])
            return
        self.url = out.stdout.strip().splitlines()[-1]

    def need(self) -> str:
        """The URL, or skip (fail under CI) with the reason."""
        if self.url:
            return self.url
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL tests cannot run: {self.reason}; CI is set, so this fails")
        pytest.skip(f"PostgreSQL tests skipped: {self.reason}")
        raise AssertionError  # unreachable

    def schema_url(self) -> tuple[str, str]:
        """A new empty schema on the server: (its URL, its name). The URL's search_path puts it
        first, so a store made there is on its own."""
        import psycopg

        url = self.need()
        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(url, autocommit=True) as c:
            c.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
            c.execute(f"CREATE SCHEMA {name}")
        sep = "&" if "?" in url else "?"
        return f"{url}{sep}options={quote(f'-csearch_path={name},public')}", name

    def drop(self, name: str) -> None:
        import psycopg

        from jikenbo.store import postgres

        postgres.close_pools()
        if self.url:
            with psycopg.connect(self.url, autocommit=True) as c:
                c.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")

    def stop(self) -> None:
        if self._dir:
            subprocess.run([str(PG_SH), "stop", self._dir], capture_output=True, timeout=120)
