"""Casebook commands: ``write`` (one incident's entry) and ``report`` (a month or a year).

Thin over :mod:`jikenbo.casebook`; Markdown and HTML go to stdout or ``--out``, PDF to ``--out``
(or to stdout when it is not a terminal).
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from jikenbo.casebook import FORMATS, REPORT_DIMS, CasebookError, entry, render, report
from jikenbo.cli.store_cmds import _guard, _open, db_option


def casebook_options(f: Callable) -> Callable:
    f = click.option("--out", "-o", type=click.Path(dir_okay=False, path_type=Path),
                     help="Write to this file (default: stdout; PDF needs a file or a pipe).")(f)
    f = click.option("--lang", type=click.Choice(["ja", "en"]), default="ja", show_default=True,
                     help="Language of the text.")(f)
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="md", show_default=True,
                        help="Markdown, HTML (one standalone file) or PDF (printed by Chromium).")(f)


def _casebook_guard(f: Callable) -> Callable:
    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except CasebookError as e:
            raise click.ClickException(str(e)) from e

    return wrapper


def _emit(data: str | bytes, out: Path | None) -> None:
    if out is not None:
        try:
            if isinstance(data, bytes):
                out.write_bytes(data)
            else:
                out.write_text(data, encoding="utf-8")
        except OSError as e:
            raise click.ClickException(f"{out}: cannot write ({e.strerror or e})") from e
        click.echo(f"written to {out}", err=True)
        return
    if isinstance(data, bytes):
        if sys.stdout.isatty():
            raise click.ClickException("PDF: give --out FILE (or pipe the output)")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    click.echo(data, nl=False)


def register(group: click.Group) -> None:
    group.add_command(write_cmd)
    group.add_command(report_cmd)


@click.command("write")
@click.argument("incident_id")
@casebook_options
@db_option
@_guard
@_casebook_guard
def write_cmd(incident_id: str, fmt: str, lang: str, out: Path | None, db: Path | None) -> None:
    """Write the casebook entry of one incident: every sentence with notes to its sources."""
    with _open(db) as store:
        cb = entry(store, incident_id, lang=lang)
    _emit(render(cb, fmt), out)


@click.command("report")
@click.option("--month", help="A month: YYYY-MM.")
@click.option("--year", help="A year: YYYY.")
@click.option("--by", "by", multiple=True, type=click.Choice(REPORT_DIMS),
              help="Breakdowns to show (repeatable; default: type, industry, leak-status, category).")
@casebook_options
@db_option
@_guard
@_casebook_guard
def report_cmd(month: str | None, year: str | None, by: tuple[str, ...], fmt: str, lang: str, out: Path | None,
               db: Path | None) -> None:
    """Write the casebook of a month or a year: counts, charts, then one short entry per incident."""
    if bool(month) == bool(year):
        raise click.UsageError("give either --month YYYY-MM or --year YYYY")
    with _open(db) as store:
        cb = report(store, month or str(year), by=by, lang=lang, charts=fmt != "md")
    _emit(render(cb, fmt), out)
