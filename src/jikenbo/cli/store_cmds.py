"""Store commands: ingest, incidents, search, show, stats, export (thin layer over jikenbo.store).

Shared option bundles (sqlite-utils style): ``db_option``, ``output_options`` and
``filter_options`` mean the same on every command.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from jikenbo.store import FilterError, Filters, Store, StoreError, default_db_path, is_url, open_store

FORMATS = ("table", "json", "jsonl", "csv")


# ---------------------------------------------------------------------- shared options


class StoreLocation(click.ParamType):
    """``--db``: a store file (a Path), or a ``postgresql://`` URL kept as given."""

    name = "FILE|URL"
    _file = click.Path(dir_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if is_url(str(value)):
            return str(value)
        return self._file.convert(value, param, ctx)


def db_option(f: Callable) -> Callable:
    return click.option(
        "--db", "db", type=StoreLocation(), envvar="JIKENBO_DB",
        help="Store file, or a postgresql:// URL (default: $JIKENBO_DB, else jikenbo.db in the user "
             "data directory).")(f)


def output_options(f: Callable) -> Callable:
    return click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True,
                        help="Output format.")(f)


def page_options(f: Callable) -> Callable:
    f = click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip this many results.")(f)
    return click.option("--limit", type=click.IntRange(min=0), default=50, show_default=True,
                        help="At most this many results (0: all).")(f)


_FILTERS: list[tuple[tuple, dict]] = [
    (("--since",), {"help": "First disclosed on or after YYYY, YYYY-MM or YYYY-MM-DD."}),
    (("--until",), {"help": "First disclosed on or before YYYY, YYYY-MM or YYYY-MM-DD."}),
    (("--year",), {"type": int, "help": "Year of first disclosure."}),
    (("--type", "types"), {"multiple": True, "help": "Incident type (repeatable: any of)."}),
    (("--leak-status", "leak_status"), {"multiple": True,
                                        "type": click.Choice(["confirmed", "possible", "not_confirmed",
                                                              "none", "unknown"]),
                                        "help": "Leak status (repeatable)."}),
    (("--min-affected",), {"type": int, "help": "At least this many people affected."}),
    (("--max-affected",), {"type": int, "help": "At most this many people affected."}),
    (("--category",), {"multiple": True, "help": "Data category, e.g. health (repeatable)."}),
    (("--sensitive/--not-sensitive",), {"default": None, "help": "要配慮個人情報 involved or not."}),
    (("--card/--no-card",), {"default": None, "help": "Payment-card data involved or not."}),
    (("--org", "organization"), {"help": "Organisation name or alias."}),
    (("--vendor",), {"help": "A third party (vendor, cloud service) named by the incident."}),
    (("--authority",), {"multiple": True, "type": click.Choice(["ppc", "police", "jipdec", "ministry"]),
                        "help": "Reported to (repeatable)."}),
    (("--industry",), {"multiple": True, "help": "Industry (JSIC 大分類, part of the name; repeatable)."}),
]
_FILTER_KEYS = ("since", "until", "year", "types", "leak_status", "min_affected", "max_affected",
                "category", "sensitive", "card", "organization", "vendor", "authority", "industry")


def filter_options(f: Callable) -> Callable:
    """The incident filters; the command receives them as one ``filters: Filters`` argument."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        vals = {k: kwargs.pop(k) for k in _FILTER_KEYS}
        for k in ("types", "leak_status", "category", "authority", "industry"):
            vals[k] = list(vals[k]) or None
        kwargs["filters"] = Filters(**vals)
        return f(*args, **kwargs)

    for decls, attrs in reversed(_FILTERS):
        wrapper = click.option(*decls, **attrs)(wrapper)
    return wrapper


def _open(db: Path | None, *, write: bool = False) -> Store:
    """The store for a command: ``write`` (ingest) creates it; reading commands refuse a missing file."""
    path = db or default_db_path()
    readonly = not write and isinstance(path, Path) and path.exists() and not os.access(path, os.W_OK)
    return open_store(path, readonly=readonly, create=write)


def _fail(e: Exception) -> click.ClickException:
    return click.ClickException(str(e))


def _guard(f: Callable) -> Callable:
    """Turn store and filter errors into one-line click errors (exit 1)."""

    @functools.wraps(f)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return f(*args, **kwargs)
        except (StoreError, FilterError) as e:
            raise _fail(e) from e

    return wrapper


# ---------------------------------------------------------------------- output


def _cell(v: Any) -> str:
    if v is None:
        return "unknown"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, list | tuple):
        return ", ".join(str(x) for x in v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _csv_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, list | tuple):
        return ";".join(str(x) for x in v)
    if isinstance(v, dict):
        return json.dumps(v, ensure_ascii=False)
    return str(v)


def _console() -> Any:
    from rich.console import Console

    return Console(file=sys.stdout, width=None if sys.stdout.isatty() else 200, soft_wrap=False)


def emit(rows: list[dict], fmt: str, columns: list[str], *, title: str | None = None,
         full: Iterable[dict] | None = None) -> None:
    """Print ``rows`` as a Rich table, JSON, JSON Lines or CSV (``full``: richer dicts for json)."""
    data = list(full) if full is not None else rows
    if fmt == "json":
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    elif fmt == "jsonl":
        for r in data:
            click.echo(json.dumps(r, ensure_ascii=False))
    elif fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(columns)
        for r in rows:
            w.writerow([_csv_cell(r.get(c)) for c in columns])
        click.echo(buf.getvalue(), nl=False)
    else:
        from rich.table import Table

        t = Table(title=title, show_lines=False)
        for c in columns:
            t.add_column(c, overflow="fold", justify="right" if c in ("affected_total", "n", "notices")
                         else "left")
        for r in rows:
            t.add_row(*(_cell(r.get(c)) for c in columns))
        _console().print(t)


INCIDENT_COLUMNS = ["id", "disclosure_date", "organization", "incident_types", "leak_status",
                    "affected_total", "notice_count"]


# ---------------------------------------------------------------------- commands


def register(group: click.Group) -> None:
    """Add the store commands to ``group``."""
    for cmd in (ingest_cmd, incidents_cmd, search_cmd, show_cmd, stats_cmd, export_cmd, migrate_cmd, copy_cmd):
        group.add_command(cmd)


@click.command("ingest")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--workers", type=click.IntRange(min=1), help="Extraction processes (default: the cores).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
@click.option("--verbose", "-v", is_flag=True, help="List every document in the summary (else 20 per list).")
@db_option
@_guard
def ingest_cmd(inputs: tuple[str, ...], workers: int | None, quiet: bool, as_json: bool, verbose: bool,
               db: Path | None) -> None:
    """Read, extract, link and store INPUTS (files, folders, URLs, -, `jikenbo scan` output). Idempotent."""
    from jikenbo.store.ingest import ingest

    def on_error(source: str, message: str) -> None:
        click.echo(f"jikenbo: {message}" if message.startswith(source) else f"jikenbo: {source}: {message}",
                   err=True)

    with _open(db, write=True) as store:
        try:
            s = ingest(store, list(inputs), workers=workers, progress=not quiet, on_error=on_error)
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: the workers are stopped, committed documents kept
            click.echo("jikenbo: ingest interrupted; the documents stored so far are kept "
                       "(run the same command again to go on)", err=True)
            sys.exit(130)
        from jikenbo.webhook import deliver_pending

        for line in deliver_pending(store).lines():  # watches' webhooks; a failure is kept and retried later
            click.echo(line, err=True)
    if as_json:
        click.echo(json.dumps(s.as_dict(), ensure_ascii=False))
    elif not quiet:
        for line in s.lines(verbose=verbose):
            click.echo(line)
    if s.dropped:  # a loss the user must see even with --quiet or --json
        click.echo(f"jikenbo: {sum(n for _, n in s.dropped)} notices found no organisation and were not stored "
                   f"(in {len(s.dropped)} documents; --debug says why for each)", err=True)
    if s.fatal:
        raise click.ClickException(s.fatal)
    if s.failed:
        sys.exit(1)


@click.command("migrate")
@db_option
@_guard
def migrate_cmd(db: Path | None) -> None:
    """Create the store, or upgrade its schema to this version of jikenbo (idempotent)."""
    from jikenbo.store import migrate_store

    path = db or default_db_path()
    before, now = migrate_store(path)
    if before is None:
        click.echo(f"jikenbo: created the store {path} (schema {now})")
    elif before < now:
        click.echo(f"jikenbo: upgraded the store {path} from schema {before} to {now}")
    else:
        click.echo(f"jikenbo: the store {path} is up to date (schema {now})")


@click.command("incidents")
@filter_options
@click.option("--sort", type=click.Choice(["-disclosure_date", "disclosure_date", "-affected_total",
                                           "affected_total", "-last_updated", "organization"]),
              default="-disclosure_date", show_default=True, help="Order.")
@page_options
@output_options
@db_option
@_guard
def incidents_cmd(filters: Filters, sort: str, limit: int, offset: int, fmt: str, db: Path | None) -> None:
    """List incidents (current values) that pass the filters."""
    if fmt != "table" and click.get_current_context().get_parameter_source("limit") is ParameterSource.DEFAULT:
        limit = 0  # machine formats list every incident unless --limit says otherwise
    with _open(db) as store:
        items = store.incidents(filters, sort=sort, limit=limit or None, offset=offset)
        total = store.count_incidents(filters) if fmt == "table" else len(items)
    emit(items, fmt, INCIDENT_COLUMNS, title=f"{len(items)} of {total} incidents")


@click.command("search")
@click.argument("query")
@filter_options
@page_options
@output_options
@db_option
@_guard
def search_cmd(query: str, filters: Filters, limit: int, offset: int, fmt: str, db: Path | None) -> None:
    """Full-text search over notices (Japanese words, both spellings), best first."""
    with _open(db) as store:
        hits = store.search(query, filters, limit=limit or 1000, offset=offset)
    emit(hits, fmt, ["id", "disclosure_date", "organization", "incident_types", "affected_total", "snippet"],
         title=f"{len(hits)} incidents match {query!r}")


@click.command("show")
@click.argument("incident_id")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@_guard
def show_cmd(incident_id: str, fmt: str, db: Path | None) -> None:
    """One incident: timeline, every value with its source and its revisions."""
    with _open(db) as store:
        inc = store.incident(incident_id)
    if inc is None:
        raise click.ClickException(f"{incident_id}: no such incident")
    if fmt == "json":
        click.echo(json.dumps(inc, ensure_ascii=False, indent=2))
        return
    _render_incident(_console(), inc)


@click.command("stats")
@click.option("--by", "by", multiple=True,
              type=click.Choice(["month", "year", "type", "industry", "category", "authority",
                                 "leak-status"]),
              help="Group by (repeatable: cross-tab).")
@filter_options
@output_options
@db_option
@_guard
def stats_cmd(by: tuple[str, ...], filters: Filters, fmt: str, db: Path | None) -> None:
    """Counts, affected totals and detection-to-disclosure lags per group (n and unknowns shown)."""
    with _open(db) as store:
        st = store.stats(list(by), filters)
    if fmt == "json":
        click.echo(json.dumps(st, ensure_ascii=False, indent=2))
        return
    rows = [_flat_stat(g["key"], g) for g in st["groups"]]
    if by:
        rows.append(_flat_stat({d: "TOTAL" for d in st["by"]}, st["total"]))
    else:
        rows = [_flat_stat({}, st["total"])]
    cols = [*st["by"], "n", "affected_n", "affected_unknown", "affected_sum", "affected_median",
            "lag_n", "lag_unknown", "lag_median_days", "lag_p90_days"]
    emit(rows, fmt, cols, title="incidents (unknown = not stated; multi-valued groups overlap)")


def _flat_stat(key: dict, g: dict) -> dict:
    return {**key, "n": g["n"], "affected_n": g["affected"]["n"],
            "affected_unknown": g["affected"]["unknown"],
            "affected_sum": g["affected"]["sum"], "affected_median": g["affected"]["median"],
            "lag_n": g["lag_days"]["n"], "lag_unknown": g["lag_days"]["unknown"],
            "lag_median_days": g["lag_days"]["median"], "lag_p90_days": g["lag_days"]["p90"]}


@click.command("export")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv", "veris", "stix", "misp"]), default="jsonl",
              show_default=True)
@click.option("--what", type=click.Choice(["incidents", "notices"]), default="incidents", show_default=True)
@click.option("--out", type=click.Path(path_type=Path),
              help="Output file (jsonl/csv/stix; default stdout) or folder (veris: one file per incident; "
                   "misp: a MISP feed).")
@filter_options
@db_option
@_guard
def export_cmd(fmt: str, what: str, out: Path | None, filters: Filters, db: Path | None) -> None:
    """Export incidents or notices as JSON Lines, CSV, VERIS 1.4.1, a STIX 2.1 bundle or a MISP feed."""
    from jikenbo.store.exporting import export

    with _open(db) as store:
        n = export(store, fmt=fmt, what=what, out=out, filters=filters)
    if out is not None:
        click.echo(f"{n} {what} written to {out}", err=True)


# ---------------------------------------------------------------------- show


def _val(v: Any) -> str:
    return "unknown" if v is None or v == [] else _cell(v)


def _render_incident(console: Any, inc: dict) -> None:
    from rich.table import Table

    console.print(f"[bold]{inc['id']}[/bold]  {inc.get('organization') or 'unknown organisation'}"
                  f"  ({inc.get('industry') or 'industry unknown'})")
    if inc.get("organization_aliases"):
        console.print("also written: " + ", ".join(inc["organization_aliases"]))
    if inc.get("title"):
        console.print(inc["title"])
    console.print(f"first disclosed {_val(inc.get('first_disclosed'))}, last updated "
                  f"{_val(inc.get('last_updated'))}, {inc.get('notice_count', 0)} notices")
    revisions = inc.get("revisions") or {}
    fvals = inc.get("field_values") or {}
    t = Table(title="values (current = latest official notice)")
    for c in ("field", "current", "first reported → latest", "source"):
        t.add_column(c, overflow="fold")
    from jikenbo.link import CONTRACT_FIELDS

    for fld in CONTRACT_FIELDS:
        revs = revisions.get(fld) or []
        change = ""
        if len(revs) > 1:
            change = " → ".join(f"{_val(r['value'])} ({r.get('date') or '?'}, {r.get('kind')})" for r in revs)
        src = ""
        for fv in fvals.get(fld, []):
            if fv.get("snippet") and fv.get("value") == inc.get(fld):
                src = f"{fv['source']}: 「{fv['snippet']}」"
        if not src:
            src = next((f"{fv['source']}: 「{fv['snippet']}」" for fv in fvals.get(fld, [])
                        if fv.get("snippet")),
                       next((str(r.get("source")) for r in revs if r.get("value") == inc.get(fld)), ""))
        t.add_row(fld, _val(inc.get(fld)), change, src)
    console.print(t)
    if inc.get("timeline"):
        tl = Table(title="timeline")
        for c in ("date", "event", "text", "notice"):
            tl.add_column(c, overflow="fold")
        for ev in inc["timeline"]:
            tl.add_row(str(ev.get("date")), str(ev.get("kind")), str(ev.get("text") or "")[:80],
                       str(ev.get("notice_id") or ""))
        console.print(tl)
    nt = Table(title="notices")
    for c in ("id", "date", "kind", "organization", "source"):
        nt.add_column(c, overflow="fold")
    for n in inc.get("notices") or []:
        nt.add_row(str(n.get("id")), _val(n.get("disclosure_date")), str(n.get("kind")),
                   str(n.get("organization")), str(n.get("url") or n.get("source")))
    console.print(nt)
    if any(n.get("link_reasons") for n in inc.get("notices") or []):
        lt = Table(title="why these notices are one incident (jikenbo link / unlink to overrule)")
        for c in ("notice", "reasons"):
            lt.add_column(c, overflow="fold")
        for n in inc.get("notices") or []:
            lt.add_row(str(n.get("id")), "; ".join(n.get("link_reasons") or []) or "-")
        console.print(lt)
    if inc.get("third_parties"):
        console.print("third parties: " + ", ".join(inc["third_parties"]))


@click.command("copy")
@click.option("--from", "source", type=StoreLocation(), required=True, help="The store to copy (file or URL).")
@click.option("--to", "target", type=StoreLocation(), required=True,
              help="A new or empty store (file or postgresql:// URL); created when missing.")
@click.option("--quiet", "-q", is_flag=True, help="No summary.")
@_guard
def copy_cmd(source: Path | str, target: Path | str, quiet: bool) -> None:
    """Copy a whole store to another, e.g. SQLite to PostgreSQL: every row with its keys, the
    search index rebuilt, every table counted on both sides (nothing lost, or it fails)."""
    from jikenbo.store.copy import copy_store

    if str(source) == str(target):
        raise click.ClickException(f"{source}: --from and --to name the same store")
    with open_store(source, readonly=True, create=False) as src, open_store(target) as dst:
        summary = copy_store(src, dst)
    if not quiet:
        rows = ", ".join(f"{n} {t}" for t, n in summary.rows.items() if n)
        click.echo(f"jikenbo: copied {source} to {target}: {rows or 'an empty store'}; "
                   f"{summary.indexed} notices indexed for search")
