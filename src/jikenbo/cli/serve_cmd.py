"""``jikenbo serve`` (web UI and API over the store) and ``jikenbo demo`` (bundled samples + UI)."""

from __future__ import annotations

import errno
import socket
import sys
from importlib import resources
from pathlib import Path

import click

from jikenbo.cli.store_cmds import db_option


def sample_files() -> list[str]:
    """The bundled demo notices (every file in jikenbo/samples/ except README.md), sorted."""
    root = resources.files("jikenbo") / "samples"
    return sorted(str(p) for p in root.iterdir() if p.is_file() and p.name != "README.md")  # type: ignore[attr-defined]


def _address(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    if host in ("0.0.0.0", "::"):
        shown = "127.0.0.1"
    return f"http://{shown}:{port}/"


def listen(host: str, port: int) -> socket.socket:
    """A socket bound to (host, port) and listening (port 0: a free port the system picks).

    :raises click.ClickException: one line naming the address and the reason (busy, not allowed)
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as e:
        raise click.ClickException(f"cannot listen on {host}:{port}: unknown host ({e.strerror})") from e
    family, kind, proto, _, addr = infos[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
        sock.bind(addr)
        sock.listen(2048)
    except OSError as e:
        sock.close()
        reason = "the port is already in use" if e.errno == errno.EADDRINUSE else (e.strerror or str(e))
        raise click.ClickException(f"cannot listen on {host}:{port}: {reason}"
                                   + (" (try another --port, or --port 0 for a free one)"
                                      if e.errno == errno.EADDRINUSE else "")) from e
    sock.set_inheritable(True)
    return sock


def read_token_file(path: Path, option: str) -> str:
    """The token in the file at ``path`` (its first line, surrounding blanks stripped).

    :raises click.ClickException: one line naming the file when it is missing, unreadable or empty
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError as e:
        raise click.ClickException(f"{option} {path}: no such file") from e
    except IsADirectoryError as e:
        raise click.ClickException(f"{option} {path}: is a directory, not a file") from e
    except OSError as e:
        raise click.ClickException(f"{option} {path}: cannot be read ({e.strerror or e})") from e
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise click.ClickException(f"{option} {path}: not UTF-8 text") from e
    lines = text.strip().splitlines()
    token = lines[0].strip() if lines else ""
    if not token:
        raise click.ClickException(f"{option} {path}: the file is empty")
    if len(lines) > 1:
        raise click.ClickException(f"{option} {path}: more than one line (the file holds the token alone)")
    try:
        if sys.platform != "win32" and path.stat().st_mode & 0o077:
            click.echo(f"jikenbo: warning: {option} {path} can be read by other users (chmod 600 it)", err=True)
    except OSError:
        pass
    return token


def resolve_token(value: str | None, file: Path | None, name: str) -> str | None:
    """The token of ``--NAME`` or ``--NAME-file`` (not both), or None.

    :raises click.ClickException: both given, or the file cannot be used
    """
    if value is not None and file is not None:
        raise click.ClickException(f"give --{name} or --{name}-file, not both "
                                   f"(${'JIKENBO_' + name.upper().replace('-', '_')} counts as --{name})")
    if file is not None:
        return read_token_file(file, f"--{name}-file")
    if value is not None and not value.strip():
        raise click.ClickException(f"--{name}: empty")
    return value.strip() if value else None


def _run(db: Path | None, host: str, port: int, token: str | None, allow_private_urls: bool,
         read_token: str | None = None) -> None:
    import uvicorn

    from jikenbo.serve import create_app
    from jikenbo.serve.deps import is_loopback
    from jikenbo.store import default_db_path, open_store

    path = db or default_db_path()
    open_store(path, create=False).close()  # refuse a missing store: serving never makes one
    app = create_app(path, token=token, allow_private_urls=allow_private_urls, host=host, read_token=read_token)
    sock = listen(host, port)
    bound = sock.getsockname()[1]
    click.echo(f"jikenbo: serving {app.state.hub.path}")
    click.echo(f"jikenbo: open {_address(host, bound)}  (Ctrl-C to stop)")
    click.echo("jikenbo: reads need a token" + (" (the read token or the write token)" if token else "")
               if read_token else "jikenbo: reads are open (--read-token to require a token)")
    if not is_loopback(host):
        click.echo("jikenbo: listening beyond this machine: "
                   + ("writes need the token" if token else "writes are disabled (no --token)"))
    elif token:
        click.echo("jikenbo: writes need the token")
    sys.stdout.flush()
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=bound, log_level="warning", server_header=False))
    try:
        server.run(sockets=[sock])
    except KeyboardInterrupt:  # SIGTERM or Ctrl-C, passed on by uvicorn once it has shut down
        pass
    finally:
        sock.close()
    click.echo("jikenbo: stopped")


def _serve_options(f):  # type: ignore[no-untyped-def]
    f = click.option("--allow-private-urls", is_flag=True, hidden=True,
                     help="Let URL ingestion reach private and loopback addresses.")(f)
    f = click.option("--read-token-file", type=click.Path(path_type=Path, dir_okay=False), default=None,
                     help="Read the read token from this file (one line).")(f)
    f = click.option("--read-token", envvar="JIKENBO_READ_TOKEN", default=None,
                     help="Reads (pages, API, feeds, exports) need 'Authorization: Bearer TOKEN' (or the write "
                          "token); a browser opens any page once with ?token=TOKEN. Without it, reads are open.")(f)
    f = click.option("--token-file", type=click.Path(path_type=Path, dir_okay=False), default=None,
                     help="Read the write token from this file (one line), instead of --token.")(f)
    f = click.option("--token", envvar="JIKENBO_TOKEN", default=None,
                     help="Writes (storing notices) need 'Authorization: Bearer TOKEN'. Without it, writes "
                          "are allowed only on a loopback host.")(f)
    f = click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
                     help="Port to listen on (0: a free port, printed when listening).")(f)
    return click.option("--host", default="127.0.0.1", show_default=True,
                        help="Address to listen on (loopback by default).")(f)


def register(group: click.Group) -> None:
    @group.command("serve")
    @db_option
    @_serve_options
    def serve(db: Path | None, host: str, port: int, token: str | None, token_file: Path | None,
              read_token: str | None, read_token_file: Path | None, allow_private_urls: bool) -> None:
        """Web UI and JSON API over the incident store (http://127.0.0.1:8000/)."""
        from jikenbo.store import StoreError

        write, read = resolve_token(token, token_file, "token"), resolve_token(read_token, read_token_file, "read-token")
        try:
            _run(db, host, port, write, allow_private_urls, read)
        except StoreError as e:
            raise click.ClickException(str(e)) from e

    @group.command("demo")
    @db_option
    @_serve_options
    @click.option("--no-serve", is_flag=True, help="Only ingest the samples and print the summary.")
    def demo(db: Path | None, host: str, port: int, token: str | None, token_file: Path | None,
             read_token: str | None, read_token_file: Path | None, allow_private_urls: bool,
             no_serve: bool) -> None:
        """Ingest the bundled fictional sample notices, then serve the UI over them."""
        from jikenbo.store import StoreError, default_db_path, open_store

        write, read = resolve_token(token, token_file, "token"), resolve_token(read_token, read_token_file, "read-token")

        path = db or default_db_path()
        try:
            with open_store(path) as store:
                summary = store.ingest(sample_files(), progress=False)
        except StoreError as e:
            raise click.ClickException(str(e)) from e
        click.echo(f"jikenbo: store {path}")
        for line in summary.lines():
            click.echo(line)
        if no_serve:
            return
        try:
            _run(path, host, port, write, allow_private_urls, read)
        except StoreError as e:
            raise click.ClickException(str(e)) from e
