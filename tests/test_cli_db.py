"""Only ingest and migrate create a store; every other command refuses a --db that does not exist.
``serve`` prints its address only once it listens, fails on a busy port in one line, takes --port 0."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import sys
import urllib.request
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from jikenbo.cli import serve_cmd, store_cmds
from jikenbo.store import SCHEMA_VERSION, open_store

SRC = Path(__file__).resolve().parent.parent / "src"


@click.group()
def cli() -> None:
    """Test group: the store and serve commands."""


store_cmds.register(cli)
serve_cmd.register(cli)

READERS = [["incidents"], ["search", "漏えい"], ["show", "inc_000000000000"], ["stats", "--by", "month"],
           ["export", "--format", "jsonl"], ["serve", "--port", "0"]]


@pytest.mark.parametrize("args", READERS, ids=lambda a: a[0])
def test_reading_commands_refuse_a_missing_store(tmp_path: Path, args: list[str]) -> None:
    db = tmp_path / "not" / "there" / "s.db"
    res = CliRunner().invoke(cli, [*args, "--db", str(db)])
    assert res.exit_code == 1, res.output
    assert f"{db}: no store here" in res.output
    assert "jikenbo migrate" in res.output
    assert not db.exists() and not db.parent.exists()  # not even the folder
    assert "Traceback" not in res.output


def test_reading_commands_refuse_a_missing_store_from_the_environment(tmp_path: Path) -> None:
    db = tmp_path / "env.db"
    res = CliRunner().invoke(cli, ["incidents"], env={"JIKENBO_DB": str(db)})
    assert res.exit_code == 1 and "no store here" in res.output
    assert not db.exists()


def test_migrate_creates_then_is_idempotent(tmp_path: Path) -> None:
    db = tmp_path / "new" / "s.db"
    r1 = CliRunner().invoke(cli, ["migrate", "--db", str(db)])
    assert r1.exit_code == 0, r1.output
    assert f"created the store {db} (schema {SCHEMA_VERSION})" in r1.output
    r2 = CliRunner().invoke(cli, ["migrate", "--db", str(db)])
    assert r2.exit_code == 0 and "up to date" in r2.output
    with open_store(db, create=False) as s:
        assert s.schema_version() == SCHEMA_VERSION
        assert s.integrity_check() == []
    r3 = CliRunner().invoke(cli, ["incidents", "--db", str(db), "--format", "json"])
    assert r3.exit_code == 0 and r3.output.strip() == "[]"


def test_migrate_upgrades_an_older_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from jikenbo.store import sqlite as dbmod

    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    monkeypatch.setattr(dbmod, "SCHEMA_VERSION", SCHEMA_VERSION - 1)
    dbmod.migrate(conn, path)
    conn.close()
    monkeypatch.undo()
    res = CliRunner().invoke(cli, ["migrate", "--db", str(path)])
    assert res.exit_code == 0, res.output
    assert f"from schema {SCHEMA_VERSION - 1} to {SCHEMA_VERSION}" in res.output


def test_migrate_refuses_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(b"not sqlite at all" * 100)
    res = CliRunner().invoke(cli, ["migrate", "--db", str(path)])
    assert res.exit_code == 1 and "not a jikenbo store" in res.output


def test_serve_on_a_busy_port_fails_in_one_line_without_an_address(tmp_path: Path) -> None:
    db = tmp_path / "s.db"
    open_store(db).close()
    busy = socket.socket()
    busy.bind(("127.0.0.1", 0))
    busy.listen()
    port = busy.getsockname()[1]
    try:
        res = CliRunner().invoke(cli, ["serve", "--db", str(db), "--port", str(port)])
    finally:
        busy.close()
    assert res.exit_code == 1
    assert f"cannot listen on 127.0.0.1:{port}: the port is already in use" in res.output
    assert "open http" not in res.output  # the address is printed only once listening
    assert len(res.output.strip().splitlines()) == 1


def start_server(db: Path) -> tuple[subprocess.Popen, int]:
    """``jikenbo serve --db DB --port 0`` in a subprocess, and the port it printed once listening."""
    open_store(db).close()
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.Popen([sys.executable, "-m", "jikenbo", "serve", "--db", str(db), "--port", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    opened = next(ln for ln in iter(proc.stdout.readline, "") if "open http://" in ln)  # type: ignore[union-attr]
    return proc, int(opened.split("open http://127.0.0.1:")[1].split("/")[0])


def test_serve_port_zero_prints_the_port_it_listens_on(tmp_path: Path) -> None:
    proc, port = start_server(tmp_path / "s.db")
    try:
        assert port > 0
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/incidents", timeout=60) as r:
            assert r.status == 200
    finally:
        proc.terminate()
        proc.wait(timeout=60)
