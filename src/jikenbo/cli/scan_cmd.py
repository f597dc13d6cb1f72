"""``jikenbo scan``: web crawls (WARC/WET) in, one JSON Lines file of notices per input out."""

from __future__ import annotations

import json
import os
import sys
from typing import Any

import click


class _Progress:
    """A Rich progress bar over the inputs, on a terminal only (never under CI)."""

    def __init__(self, total: int, enabled: bool) -> None:
        self.p: Any = None
        self.pages = self.records = self.failed = 0
        if enabled and sys.stderr.isatty() and not os.environ.get("CI"):
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.p = Progress(TextColumn("scan"), BarColumn(), MofNCompleteColumn(),
                              TextColumn("{task.fields[stats]}"), TimeElapsedColumn(),
                              console=Console(stderr=True), transient=False)
            self.p.start()
            self.task = self.p.add_task("scan", total=total, stats="")

    def advance(self, pages: int, records: int, failed: bool) -> None:
        self.pages += pages
        self.records += records
        self.failed += failed
        if self.p:
            self.p.update(self.task, advance=1, stats=f"pages {self.pages:,}  notices {self.records:,}  "
                                                      f"failed {self.failed}")

    def stop(self) -> None:
        if self.p:
            self.p.stop()


def register(group: click.Group) -> None:
    group.add_command(scan_command)


@click.command("scan")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False),
              help="Output folder: one JSON Lines file per input (then: jikenbo ingest OUT).")
@click.option("--workers", type=click.IntRange(min=1), help="Local processes (default: the cores).")
@click.option("--dask", "dask_address", metavar="ADDRESS",
              help="Run on a Dask cluster, e.g. tcp://scheduler:8786 (inputs must be readable there).")
@click.option("--force", is_flag=True, help="Scan inputs again even when their output is complete.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def scan_command(inputs: tuple[str, ...], out_dir: str, workers: int | None, dask_address: str | None,
                 force: bool, quiet: bool, as_json: bool) -> None:
    """Find incident notices in web crawls: WARC or WET files (gzip or not), folders of them,
    or text files listing them (one path or URL a line).

    Every page is first checked on its raw bytes (type, language, cue words); the few that
    pass are read and extracted as `jikenbo extract` would. Re-running skips the inputs whose
    output is complete and retries the failed ones. Exit status 1 if any input failed.
    """
    from jikenbo.scan import ScanError, expand_inputs, scan

    try:
        sources = expand_inputs(inputs)
    except ScanError as e:
        raise click.ClickException(str(e)) from e
    bar = _Progress(len(sources), not quiet)

    def on_result(res: Any, status: str) -> None:
        if status == "failed":
            click.echo(f"jikenbo: {res.error}", err=True)
        bar.advance(res.stats.pages if status == "done" else 0, res.stats.records if status == "done" else 0,
                    status == "failed")

    try:
        summary = scan(sources, out_dir, workers=workers, dask=dask_address, force=force, on_result=on_result)
    except ScanError as e:
        raise click.ClickException(str(e)) from e
    finally:
        bar.stop()
    if as_json:
        click.echo(json.dumps(summary.as_dict(), ensure_ascii=False))
    elif not quiet:
        for line in summary.lines():
            if not line.startswith("failed: "):  # already said on stderr as it happened
                click.echo(line)
    if summary.failed:
        sys.exit(1)
