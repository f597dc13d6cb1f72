"""Staying current: ``follow`` (feeds, listing pages), ``watch`` (saved filters) and ``alerts``."""

from __future__ import annotations

import json
import re
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import click

from jikenbo.cli.store_cmds import _guard, _open, db_option, emit, filter_options
from jikenbo.store import Filters, Store
from jikenbo.store import follow as fs
from jikenbo.store import watch as ws

ALERT_COLUMNS = ["at", "watch", "change", "incident", "organization", "detail", "delivery"]
_EVERY = re.compile(r"^(\d+(?:\.\d+)?)\s*([smhd]?)$")


def register(group: click.Group) -> None:
    for cmd in (follow_group, watch_group, alerts_cmd):
        group.add_command(cmd)


def parse_every(value: str) -> float:
    """``90`` / ``90s`` / ``15m`` / ``1h`` / ``1d`` → seconds."""
    m = _EVERY.match(value.strip().lower())
    if not m or float(m[1]) <= 0:
        raise click.BadParameter(f"{value!r}: expected a number with s, m, h or d (e.g. 1h)")
    return float(m[1]) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[m[2]]


def deliver(store: Store, *, allow_private: bool | None = None) -> bool:
    """Deliver pending webhook alerts; print failures; True when none failed."""
    from jikenbo.webhook import WebhookOptions, deliver_pending

    s = deliver_pending(store, options=WebhookOptions.from_settings(allow_private=allow_private or None))
    for line in s.lines():
        click.echo(line, err=bool(s.failed) and "failed" in line)
    return not s.failed


# ---------------------------------------------------------------------------- follow


@click.group("follow")
def follow_group() -> None:
    """Follow RSS/Atom feeds and listing pages; `follow run` fetches what is new, ingests it, alerts."""


@follow_group.command("add")
@click.argument("url")
@click.option("--kind", type=click.Choice(fs.KINDS), default="auto", show_default=True,
              help="feed, page (a listing page) or auto (decided by the first answer).")
@click.option("--match", help="Listing pages: only links matching this regular expression are entries.")
@click.option("--backfill", is_flag=True, help="Listing pages: the first run fetches the links already there too.")
@db_option
@_guard
def follow_add(url: str, kind: str, match: str | None, backfill: bool, db: Path | None) -> None:
    """Follow URL (an RSS/Atom feed or a listing page)."""
    from jikenbo.read import ReadFailure, net

    try:
        net.check_url(url, allow_private=True)  # the scheme and host; addresses are checked when fetched
    except ReadFailure as e:
        raise click.ClickException(str(e)) from e
    if match:
        try:
            re.compile(match)
        except re.error as e:
            raise click.ClickException(f"--match {match!r}: not a regular expression ({e})") from e
    with _open(db, write=True) as store:
        src = fs.add_source(store, url.strip(), kind=kind, match=match, backfill=backfill)
    click.echo(f"following {src.url} ({src.kind})")


@follow_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@_guard
def follow_list(fmt: str, db: Path | None) -> None:
    """Followed sources with their last run, error and back-off."""
    with _open(db) as store:
        rows = [s.as_dict() for s in fs.sources(store)]
    emit(rows, fmt, ["id", "url", "kind", "entries", "last_ok", "last_error", "failures", "next_try"],
         title=f"{len(rows)} followed sources")


@follow_group.command("remove")
@click.argument("url")
@db_option
@_guard
def follow_remove(url: str, db: Path | None) -> None:
    """Stop following URL (or its id); what it brought stays in the store."""
    with _open(db, write=True) as store:
        if not fs.remove_source(store, url):
            raise click.ClickException(f"{url}: not followed")
    click.echo(f"no longer following {url}")


@follow_group.command("run")
@click.option("--every", help="Run again after this long (e.g. 15m, 1h) until interrupted.")
@click.option("--count", type=click.IntRange(min=1), help="With --every: stop after this many runs.")
@click.option("--force", is_flag=True, help="Visit sources that are backing off after an error too.")
@click.option("--allow-private", is_flag=True, default=None,
              help="Let sources and webhooks reach private and loopback addresses (trusted networks only).")
@click.option("--json", "as_json", is_flag=True, help="Print each run's summary as JSON.")
@db_option
@_guard
def follow_run(every: str | None, count: int | None, force: bool, allow_private: bool | None, as_json: bool,
               db: Path | None) -> None:
    """Fetch what is new on every followed source, ingest it, record and deliver alerts."""
    from jikenbo.follow import FollowOptions, run

    interval = parse_every(every) if every else None
    opts = FollowOptions.from_settings(allow_private=allow_private)
    runs, ok = 0, True
    with _open(db, write=True) as store:
        if not fs.sources(store):
            click.echo("no sources are followed: add one with `jikenbo follow add URL`")
            return
    while True:
        with _open(db, write=True) as store:
            before = len(ws.alerts(store, limit=None))
            s = run(store, options=opts, force=force,
                    on_result=None if as_json else lambda r: click.echo(r.line(), err=r.status == "failed"))
            new_alerts = len(ws.alerts(store, limit=None)) - before
            delivered_ok = deliver(store, allow_private=allow_private)
        if as_json:
            click.echo(json.dumps({**s.as_dict(), "alerts": new_alerts}, ensure_ascii=False))
        else:
            click.echo(f"{s.documents} documents stored, {s.notices} notices, {s.incidents_created} new incidents, "
                       f"{new_alerts} alerts")
        ok = s.ok and delivered_ok
        runs += 1
        if interval is None or (count is not None and runs >= count):
            break
        time.sleep(interval)
    if not ok:
        sys.exit(1)


# ---------------------------------------------------------------------------- watch


@click.group("watch")
def watch_group() -> None:
    """Saved filters that record an alert when a matching incident is new or changes."""


@watch_group.command("add")
@click.argument("name")
@filter_options
@click.option("--query", help="Full-text query the incident's notices must match.")
@click.option("--webhook", help="POST each alert here as signed JSON (HMAC-SHA256).")
@click.option("--secret", help="The webhook's signing secret (default: a random one, see `watch show --secret`).")
@click.option("--name", "names", multiple=True,
              help="An organisation the watch is about, as the incident's organisation or its vendor (repeatable: any of).")
@click.option("--names-file", type=click.File("r", encoding="utf-8"),
              help="Such names, one a line (your vendors, subsidiaries, customers); # starts a comment.")
@click.option("--backfill", is_flag=True, help="Alert on the incidents that match already (default: only later changes).")
@db_option
@_guard
def watch_add(name: str, filters: Filters, query: str | None, webhook: str | None, secret: str | None,
              names: tuple[str, ...], names_file: Any, backfill: bool, db: Path | None) -> None:
    """Save a watch NAME over any filter `jikenbo incidents` accepts (and --name / --names-file)."""
    if webhook:
        from jikenbo.read import ReadFailure, net

        try:
            net.check_url(webhook, allow_private=True)
        except ReadFailure as e:
            raise click.ClickException(f"--webhook {e}") from e
    f = replace(filters, query=query) if query else filters
    listed = list(names) + ([ln.split("#", 1)[0].strip() for ln in names_file] if names_file else [])
    listed = [n for n in listed if n]
    if not ws.filters_to_dict(f) and not listed:
        raise click.ClickException(f"watch {name}: give at least one filter (e.g. --org, --vendor, --type, --name)")
    with _open(db, write=True) as store:
        w = ws.add_watch(store, name, f, webhook=webhook, secret=secret, backfill=backfill, names=listed)
        n = len(ws.alerts(store, watch=name, limit=None))
    click.echo(f"watch {w.name}: {json.dumps(w.filters, ensure_ascii=False)}"
               + (f", {n} alerts on incidents already stored" if backfill else ""))
    if webhook and not secret:
        click.echo(f"webhook secret (for {ws_header()}): {w.secret}")


def ws_header() -> str:
    from jikenbo.webhook import SIGNATURE_HEADER

    return SIGNATURE_HEADER


@watch_group.command("list")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@db_option
@_guard
def watch_list(fmt: str, db: Path | None) -> None:
    """Saved watches."""
    with _open(db) as store:
        full = [w.as_dict() for w in ws.watches(store)]
    rows = [{**w, "filters": json.dumps(w["filters"], ensure_ascii=False), "webhook": w["webhook"] or "—"} for w in full]
    emit(rows, fmt, ["name", "filters", "webhook", "created_at"], title=f"{len(rows)} watches", full=full)


@watch_group.command("show")
@click.argument("name")
@click.option("--secret", "with_secret", is_flag=True, help="Show the webhook's signing secret too.")
@db_option
@_guard
def watch_show(name: str, with_secret: bool, db: Path | None) -> None:
    """One watch, its filter and its latest alerts (JSON)."""
    with _open(db) as store:
        w = ws.get_watch(store, name)
        if w is None:
            raise click.ClickException(f"watch {name!r}: no such watch")
        out = {**w.as_dict(with_secret=with_secret), "alerts": ws.alerts(store, watch=name, limit=20)}
    click.echo(json.dumps(out, ensure_ascii=False, indent=2))


@watch_group.command("remove")
@click.argument("name")
@db_option
@_guard
def watch_remove(name: str, db: Path | None) -> None:
    """Delete watch NAME: no more alerts from it (its past alerts stay)."""
    with _open(db, write=True) as store:
        if not ws.remove_watch(store, name):
            raise click.ClickException(f"watch {name!r}: no such watch")
    click.echo(f"watch {name} removed")


@watch_group.command("deliver")
@click.option("--allow-private", is_flag=True, default=None, help="Let webhooks reach private and loopback addresses.")
@db_option
@_guard
def watch_deliver(allow_private: bool | None, db: Path | None) -> None:
    """Deliver (or retry) the alerts whose webhook has not received them."""
    with _open(db, write=True) as store:
        ok = deliver(store, allow_private=allow_private)
    if not ok:
        sys.exit(1)


# ---------------------------------------------------------------------------- alerts


@click.command("alerts")
@click.option("--watch", "watch_name", help="Only this watch's alerts.")
@click.option("--since", help="Recorded on or after YYYY, YYYY-MM or YYYY-MM-DD.")
@click.option("--limit", type=click.IntRange(min=0), default=100, show_default=True, help="At most this many (0: all).")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl", "csv"]), default="table",
              show_default=True)
@db_option
@_guard
def alerts_cmd(watch_name: str | None, since: str | None, limit: int, fmt: str, db: Path | None) -> None:
    """Alerts the watches recorded, newest first."""
    with _open(db) as store:
        items = ws.alerts(store, watch=watch_name, since=since, limit=limit or None)
    rows = [{**a, "detail": _detail(a)} for a in items]
    emit(rows, fmt, ALERT_COLUMNS, title=f"{len(items)} alerts", full=items)


def _detail(a: dict) -> str:
    d = a.get("detail") or {}
    if a["change"] == "new_notice":
        return str(d.get("source") or "")
    if "old" in d:
        return f"{d.get('field')}: {d.get('old')} → {d.get('new')}"
    return ""
