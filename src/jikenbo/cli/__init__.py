"""The ``jikenbo`` command: a thin layer over the library, one module per stage.

Each ``*_cmd`` module defines ``register(group)`` and adds its commands. ``main`` makes sure
no traceback reaches the user: every error is one line on stderr (``--debug`` shows more).
"""

from __future__ import annotations

import importlib
import logging
import sys

import click

from jikenbo import __version__

COMMAND_MODULES = ("extract_cmd", "store_cmds", "check_cmd", "serve_cmd", "casebook_cmd", "read_cmd", "scan_cmd",
                   "watch_cmds", "link_cmds")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="jikenbo")
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Turn Japanese breach notices into a linked, searchable incident database."""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


for _name in COMMAND_MODULES:
    importlib.import_module(f"jikenbo.cli.{_name}").register(cli)


class _OneLine(logging.Formatter):
    """Log records as one line each: never a traceback unless --debug."""

    def format(self, record: logging.LogRecord) -> str:
        return f"jikenbo: {record.levelname.lower()}: {record.getMessage()}"


def _setup_logging(debug: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter() if debug else _OneLine())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.WARNING)


def main() -> None:
    """Console-script entry point."""
    from jikenbo.workers import sigterm_as_interrupt

    debug = "--debug" in sys.argv
    _setup_logging(debug)
    sigterm_as_interrupt()
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("jikenbo: aborted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except click.exceptions.Exit as e:
        sys.exit(e.exit_code)
    except BrokenPipeError:
        sys.exit(0)
    except KeyboardInterrupt:
        click.echo("jikenbo: interrupted", err=True)
        sys.exit(130)
    except Exception as e:  # the last line of defence: users never see a traceback
        if debug:
            raise
        click.echo(f"jikenbo: error: {type(e).__name__}: {e}", err=True)
        sys.exit(1)
