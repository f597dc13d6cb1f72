"""Analysts' linking decisions: ``jikenbo link A B`` and ``jikenbo unlink NOTICE``.

Each is recorded in the store and applied again by every later ingest (jikenbo/store/relink.py).
"""

from __future__ import annotations

from pathlib import Path

import click

from jikenbo.cli.store_cmds import _guard, _open, db_option


def register(group: click.Group) -> None:
    """Add the linking commands to ``group``."""
    group.add_command(link_cmd)
    group.add_command(unlink_cmd)


@click.command("link")
@click.argument("first")
@click.argument("second")
@db_option
@_guard
def link_cmd(first: str, second: str, db: Path | None) -> None:
    """Put FIRST and SECOND (notice or incident ids) in one incident, for good."""
    with _open(db, write=True) as store:
        ids = store.link_notices(first, second)
    click.echo(f"linked {first} and {second}: incident {ids[0]}")


@click.command("unlink")
@click.argument("notice")
@db_option
@_guard
def unlink_cmd(notice: str, db: Path | None) -> None:
    """Take NOTICE out of its incident: it stays an incident of its own, for good."""
    with _open(db, write=True) as store:
        iid = store.unlink_notice(notice)
    click.echo(f"unlinked {notice}: incident {iid}")
