"""``jikenbo read``: print what the read stage made of each input, as the extractor sees it."""

from __future__ import annotations

import json
import sys

import click

from jikenbo.models import Document, ReadError


def _header(doc: Document) -> list[str]:
    lines = [f"==> {doc.source} <==", f"kind: {doc.media_type}", f"encoding: {doc.encoding or '-'}"]
    for label, value in (("title", doc.title), ("published", doc.published), ("url", doc.url)):
        if value:
            lines.append(f"{label}: {value}")
    lines.append(f"characters: {len(doc.text):,}")
    lines += [f"warning: {w}" for w in doc.warnings]
    return lines


@click.command("read")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["text", "jsonl"]), default="text", show_default=True,
              help="text: a header (kind, encoding, title, warnings) then the text; jsonl: one Document per line.")
@click.option("--header/--no-header", default=True, show_default=True, help="Print the header before each text.")
def read_command(inputs: tuple[str, ...], fmt: str, header: bool) -> None:
    """Show the text the read stage produces for each input: files, folders, URLs or - for stdin.

    This is the text the extractor sees: the main text of an HTML page, the text layer of a PDF
    in reading order, a legacy encoding decoded. The header names the input's kind, its encoding
    and any warning (a PDF page left out as unreadable). An input that cannot be read gets one
    line on stderr; the others still come out; exit status 1 if any failed.
    """
    from jikenbo.read import read_inputs

    failed = 0
    out = sys.stdout
    first = True
    for item in read_inputs(inputs):
        if isinstance(item, ReadError):
            failed += 1
            click.echo(f"jikenbo: {item.source}: {item.message}", err=True)
            continue
        if fmt == "jsonl":
            out.write(json.dumps(item.model_dump(), ensure_ascii=False) + "\n")
            continue
        if not first:
            out.write("\n")
        first = False
        if header:
            out.write("\n".join(_header(item)) + "\n\n")
        out.write(item.text if item.text.endswith("\n") else item.text + "\n")
    if failed:
        sys.exit(1)


def register(group: click.Group) -> None:
    group.add_command(read_command)
