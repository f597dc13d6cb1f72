"""``jikenbo extract``: read inputs, print one incident record per notice."""

from __future__ import annotations

import csv
import json
import sys
from typing import TextIO

import click

from jikenbo.models import ReadError, Record

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
def extract_command(inputs: tuple[str, ...], fmt: str, evidence: bool) -> None:
    """Extract incident records from notices: files, folders, URLs or - for stdin.

    Prints one record per incident notice (a digest page gives several). An input that cannot
    be read gets one line on stderr; the others still come out; exit status 1 if any failed.
    """
    from jikenbo.pipeline import extract_inputs

    failed = 0
    out = sys.stdout
    buffered: list[Record] = []
    writer = None
    if fmt == "csv":
        writer = csv.DictWriter(out, fieldnames=CSV_FIELDS)
        writer.writeheader()
    exclude = None if evidence else {"evidence", "timeline", "counts", "cause", "countermeasures"}
    for item in extract_inputs(inputs):
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
    if failed:
        sys.exit(1)


def register(group: click.Group) -> None:
    group.add_command(extract_command)
