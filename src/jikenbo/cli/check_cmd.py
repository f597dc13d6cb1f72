"""``jikenbo check``: judge notices (files, folders, URLs, ``-``) or a stored incident.

    jikenbo check draft-notice.txt --format table
    jikenbo check --db FILE --incident <id> --format json

Every bad input is one line on stderr; the others are still judged; exit 1 if any failed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from jikenbo.judge import JudgeError, JudgeOptions, check_incident, check_record
from jikenbo.judge.bodies import KINDS as BODY_KINDS


def _err(message: str) -> None:
    click.echo(f"jikenbo: {' '.join(str(message).split())}", err=True)


def _judge_inputs(inputs: tuple[str, ...], options: JudgeOptions) -> tuple[list[dict], int]:
    """Read and extract each input, keeping the document text so headings can be seen."""
    try:
        from jikenbo.read import read_inputs
    except ImportError as e:
        _err(f"cannot read notices: the read stage is not available ({e})")
        return [], 1
    from jikenbo.models import ReadError

    results, failed = [], 0
    for item in read_inputs(inputs):
        if isinstance(item, ReadError):
            _err(f"{item.source}: {item.message}")
            failed += 1
            continue
        try:
            from jikenbo.pipeline import extract_document
        except ImportError as e:
            _err(f"{item.source}: the extraction stage is not available ({e})")
            failed += 1
            continue
        try:
            records = extract_document(item)
        except Exception as e:  # an extractor bug must not stop the batch
            _err(f"{item.source}: extraction failed: {type(e).__name__}: {e}")
            failed += 1
            continue
        if not records:
            _err(f"{item.source}: no incident notice found")
            failed += 1
        for rec in records:
            results.append(check_record(rec, document_text=item.text, options=options))
    return results, failed


def _judge_incidents(db: str | None, ids: tuple[str, ...], options: JudgeOptions) -> tuple[list[dict], int]:
    try:
        from jikenbo.store import StoreError, default_db_path, is_url, open_store
    except ImportError as e:
        _err(f"the incident store is not available ({e})")
        return [], 1
    path = (db if is_url(db) else Path(db)) if db else default_db_path()
    if isinstance(path, Path) and not path.is_file():
        _err(f"{path}: no such store (create one with `jikenbo ingest`)")
        return [], 1
    try:
        store = open_store(path, readonly=True)
    except StoreError as e:
        _err(f"{path}: {e}" if str(path) not in str(e) else str(e))
        return [], 1
    results, failed = [], 0
    try:
        for inc_id in ids:
            incident = store.incident(inc_id)
            if incident is None:
                _err(f"{inc_id}: no such incident in {path}")
                failed += 1
                continue
            records = store.incident_records(inc_id)
            results.append(check_incident(incident, records, document_texts=_texts(store, incident),
                                          options=options))
    except StoreError as e:
        _err(str(e))
        failed += 1
    finally:
        store.close()
    return results, failed


def _texts(store, incident: dict) -> dict[str, str]:
    """Document text of each notice, by document hash (for headings and cue words)."""
    out: dict[str, str] = {}
    get = getattr(store, "notice", None)
    if get is None:
        return out
    for n in incident.get("notices") or []:
        notice = get(n.get("id")) if n.get("id") else None
        doc = (notice or {}).get("document") or {}
        if doc.get("text"):
            out[doc.get("sha256") or n.get("doc_sha256") or ""] = doc["text"]
    return out


def register(group: click.Group) -> None:
    @group.command("check")
    @click.argument("inputs", nargs=-1)
    @click.option("--db", type=click.Path(dir_okay=False), default=None,
                  help="Incident store (default: $JIKENBO_DB or the user data dir).")
    @click.option("--incident", "incidents", multiple=True, metavar="ID",
                  help="Judge a stored incident (repeatable).")
    @click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
    @click.option("--social-responsibility", type=click.IntRange(1, 2), default=1, show_default=True,
                  help="JO model 社会的責任度: 2 when higher than usual.")
    @click.option("--response", type=click.IntRange(1, 2), default=1, show_default=True,
                  help="JO model 事後対応評価: 2 for an inappropriate response.")
    @click.option("--public-body/--business", default=None,
                  help="Treat the organisation as a 行政機関 (法68条, threshold 100) or a business "
                       "(default: decide from its name).")
    @click.option("--body", "body_kind", type=click.Choice(list(BODY_KINDS)), default=None,
                  help="The body kind (data/judge/bodies.toml); wins over --public-body.")
    def check(inputs: tuple[str, ...], db: str | None, incidents: tuple[str, ...], fmt: str,
              social_responsibility: int, response: int, public_body: bool | None,
              body_kind: str | None) -> None:
        """Judge breach notices under APPI: reportable to 個人情報保護委員会, report/notice items,
        deadlines, JNSA damage estimate and cause taxonomies."""
        if not inputs and not incidents:
            raise click.UsageError("give notice files (or -) or --incident ID")
        try:
            options = JudgeOptions(social_responsibility=social_responsibility, response=response,
                                   public_body=public_body, body_kind=body_kind)
        except JudgeError as e:
            raise click.UsageError(str(e)) from e
        results: list[dict] = []
        failed = 0
        if inputs:
            r, f = _judge_inputs(inputs, options)
            results += r
            failed += f
        if incidents:
            r, f = _judge_incidents(db, incidents, options)
            results += r
            failed += f
        if fmt == "json":
            click.echo(json.dumps(results, ensure_ascii=False, indent=2))
        elif results:
            from jikenbo.judge.render import render

            render(results)
        if failed:
            sys.exit(1)  # main() runs click with standalone_mode=False: Exit would be swallowed
