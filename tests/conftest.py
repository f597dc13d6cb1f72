"""Shared fixtures: ``store_location`` runs a store test on SQLite and on PostgreSQL."""

from __future__ import annotations

import pytest

from pgserver import PgServer

_server: PgServer | None = None


@pytest.fixture(scope="session")
def pg_server():
    """The session's PostgreSQL server (started on first use, stopped at the end)."""
    global _server
    if _server is None:
        _server = PgServer()
    yield _server


def pytest_sessionfinish(session, exitstatus):
    if _server is not None:
        _server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_location(request, tmp_path, pg_server):
    """A factory of store locations on one backend: ``loc("name")`` is a file under tmp_path
    (SQLite) or a new schema on the test server (PostgreSQL); the same name gives the same store."""
    made: dict[str, str] = {}
    schemas: list[str] = []

    def loc(name: str = "t"):
        if request.param == "sqlite":
            return tmp_path / f"{name}.db"
        if name not in made:
            made[name], schema = pg_server.schema_url()
            schemas.append(schema)
        return made[name]

    loc.backend = request.param
    yield loc
    for s in schemas:
        pg_server.drop(s)
