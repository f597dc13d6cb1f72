"""``jikenbo extract``: read inputs, print one incident record per notice."""

from __future__ import annotations

import csv
import json
import sys
from typing import TYPE_CHECKING, TextIO

import click

from jikenbo.models import ReadError, Record

if TYPE_CHECKING:
    from jikenbo.pipeline import Losses

CSV_FIELDS = [
    "source", "organization", "disclosure_date", "detected_date", "incident_types", "leak_status",
    "affected_total", "data_categories", "sensitive", "payment_card", "reported_to", "notice_kind",
    "title", "third_parties",
]


def _flat(rec: Record) -> dict[str, object]:
    d = rec.model_dump(include=set(CSV_FIELDS) - {"third_parties"})
    d["third_parties"] = [t.name for t in rec.third_parties]
    return {k: ";".join(map(str, v)) if isinstance(v, list) else v for k, v in d.items()}


def _table(records: list[Record], out: TextIO) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(show_lines=True)
    for col in ("source", "organization", "disclosed", "detected", "types", "leak", "affected", "data", "flags", "told"):
        table.add_column(col, overflow="fold")
    for r in records:
        flags = " ".join(f for f, on in (("要配慮", r.sensitive), ("card", r.payment_card)) if on)
        table.add_row(
            r.source, r.organization or "?", r.disclosure_date or "", r.detected_date or "",
            ", ".join(r.incident_types), r.leak_status,
            "" if r.affected_total is None else f"{r.affected_total:,}",
            ", ".join(r.data_categories), flags, ", ".join(r.reported_to),
        )
    Console(file=out, width=200 if not out.isatty() else None).print(table)


@click.command("extract")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "table", "csv"]), default="jsonl",
              show_default=True, help="Output format.")
@click.option("--evidence/--no-evidence", default=True, show_default=True,
              help="Include evidence spans, timeline and counts in JSON output.")
@click.option("--verbose", "-v", is_flag=True, help="List every dropped notice and every input with no notice.")
def extract_command(inputs: tuple[str, ...], fmt: str, evidence: bool, verbose: bool) -> None:
    """Extract incident records from notices: files, folders, URLs or - for stdin.

    Prints one record per incident notice (a digest page gives several). An input that cannot
    be read gets one line on stderr; the others still come out; exit status 1 if any failed.
    """
    from jikenbo.pipeline import Losses, extract_inputs

    failed = 0
    out = sys.stdout
    buffered: list[Record] = []
    writer = None
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
        writer.writeheader()
    exclude = None if evidence else {"evidence", "timeline", "counts", "cause", "countermeasures"}
    losses = Losses()
    for item in extract_inputs(inputs, losses):
        if isinstance(item, ReadError):
            failed += 1
            click.echo(f"jikenbo: {item.source}: {item.message}", err=True)
            continue
        if fmt == "jsonl":
            out.write(json.dumps(item.model_dump(exclude=exclude), ensure_ascii=False) + "\n")
        elif fmt == "csv" and writer is not None:
            writer.writerow(_flat(item))
        else:
            buffered.append(item)
    if fmt == "json":
        json.dump([r.model_dump(exclude=exclude) for r in buffered], out, ensure_ascii=False, indent=1)
        out.write("\n")
    elif fmt == "table":
        _table(buffered, out)
    report_losses(losses, verbose)
    if failed:
        sys.exit(1)


_LIST_MAX = 20


def report_losses(losses: Losses, verbose: bool) -> None:
    """Say on stderr what could not be used: nothing is dropped in silence."""
    dropped, empty = losses.dropped, losses.empty
    for msg in losses.capped:
        click.echo(f"jikenbo: {msg}", err=True)
    if dropped:
        click.echo(f"jikenbo: {len(dropped)} notice{'s' if len(dropped) != 1 else ''} found no organisation "
                   "(not printed):", err=True)
        for src, start, why in dropped[: None if verbose else _LIST_MAX]:
            click.echo(f"  {src} (at character {start}): {why}", err=True)
        if not verbose and len(dropped) > _LIST_MAX:
            click.echo(f"  … and {len(dropped) - _LIST_MAX} more (--verbose lists them)", err=True)
    if empty and verbose:
        click.echo(f"jikenbo: {len(empty)} input{'s' if len(empty) != 1 else ''} held no incident notice:", err=True)
        for src in empty:
            click.echo(f"  {src}", err=True)
    elif empty:
        click.echo(f"jikenbo: {len(empty)} input{'s' if len(empty) != 1 else ''} held no incident notice "
                   "(--verbose lists them)", err=True)


def register(group: click.Group) -> None:
    group.add_command(extract_command)
