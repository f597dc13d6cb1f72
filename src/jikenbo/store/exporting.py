"""Export from the store through ``jikenbo.export``: JSON Lines, CSV, VERIS (one file per incident),
STIX 2.1 (one bundle) and MISP (a feed folder)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from jikenbo.store.db import StoreError
from jikenbo.store.filters import Filters

if TYPE_CHECKING:
    from collections.abc import Iterator

    from jikenbo.store.core import Store


@contextmanager
def _target(out: Path | None) -> Iterator[IO[str]]:
    """stdout, or a file written atomically (temp file + rename)."""
    if out is None:
        yield sys.stdout
        return
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            yield fh
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def export(store: Store, *, fmt: str, what: str = "incidents", out: Path | None = None,
           filters: Filters = Filters()) -> int:  # noqa: B008
    """Write the incidents (or notices) passing ``filters``; return how many were written."""
    from jikenbo import export as ex

    try:
        if fmt == "veris":
            if what != "incidents":
                raise StoreError("export --format veris: only incidents can be exported as VERIS")
            if out is None:
                raise StoreError("export --format veris: give --out FOLDER (one file per incident)")
            if out.exists() and not out.is_dir():
                raise StoreError(f"{out}: not a folder (VERIS export writes one file per incident)")
            out.mkdir(parents=True, exist_ok=True)
            n = 0
            for inc in store.iter_incidents(filters):
                doc = ex.to_veris(inc)
                with _target(out / f"{inc['id']}.json") as fh:
                    fh.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
                n += 1
            return n
        if fmt in ("stix", "misp"):
            if what != "incidents":
                raise StoreError(f"export --format {fmt}: only incidents can be exported as {fmt.upper()}")
            incidents = store.iter_incidents(filters)
            if fmt == "misp":
                if out is None:
                    raise StoreError("export --format misp: give --out FOLDER (a MISP feed folder)")
                if out.exists() and not out.is_dir():
                    raise StoreError(f"{out}: not a folder (a MISP feed is a folder)")
                from jikenbo.export.misp import write_feed

                return write_feed(incidents, out)
            from jikenbo.export.stix import incidents_to_stix

            with _target(out) as fh:
                return incidents_to_stix(incidents, fh)
        items: Any = store.iter_incidents(filters) if what == "incidents" else store.notices(filters)
        writer = {("incidents", "jsonl"): ex.incidents_to_jsonl, ("incidents", "csv"): ex.incidents_to_csv,
                  ("notices", "jsonl"): ex.notices_to_jsonl, ("notices", "csv"): ex.notices_to_csv}
        fn = writer.get((what, fmt))
        if fn is None:
            raise StoreError(f"export: unknown format {fmt!r} for {what}")
        with _target(out) as fh:
            return int(fn(items, fh))
    except OSError as e:
        raise StoreError(f"{out}: cannot write the export: {e.strerror or e}") from e
    except ex.ExportError as e:
        raise StoreError(str(e)) from e
