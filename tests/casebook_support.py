"""Shared by the casebook tests: a store of the bundled samples with stable source names."""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

from jikenbo.cli.serve_cmd import sample_files
from jikenbo.store import open_store

EXPECTED = Path(__file__).parent / "casebook_expected"
HOSTILE = Path(__file__).parent / "serve_fixtures" / "hostile_notice.txt"


@contextlib.contextmanager
def _cwd(path: Path) -> Iterator[None]:
    old = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(old)


def build_samples_store(db: Path, *, hostile: bool = False) -> Path:
    """Ingest the bundled samples by their file names (so sources in entries do not depend on
    where the repository is checked out)."""
    files = [Path(p) for p in sample_files()]
    with _cwd(files[0].parent), open_store(db) as store:
        assert store.ingest([p.name for p in files], workers=1, progress=False).ok
    if hostile:
        with _cwd(HOSTILE.parent), open_store(db) as store:
            assert store.ingest([HOSTILE.name], workers=1, progress=False).ok
    return db


# ---------------------------------------------------------------------- stored-values check
_DAY = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日|(\d{4})-(\d{2})-(\d{2})")
_MONTH = re.compile(r"(\d{4})年(\d{1,2})月|(\d{4})-(\d{2})(?!\d)")
_QUOTED = re.compile(r"「[^「」]*」|“[^“”]*”")
_IDS = re.compile(r"\b(?:inc|ntc)_[0-9a-f]{12}(?:_\d+)?")
_NOTES = re.compile(r"\[\^\d+\]:?")
_NUM = re.compile(r"\d[\d,]*(?:\.\d+)?")


def _walk(v: object, out: list[str]) -> None:
    if isinstance(v, dict):
        for x in v.values():
            _walk(x, out)
    elif isinstance(v, list | tuple):
        for x in v:
            _walk(x, out)
    elif v is not None and not isinstance(v, bool):
        out.append(str(v))


def stored_tokens(values: object) -> tuple[set[str], set[float]]:
    """(ISO dates and months, numbers) that occur anywhere in the stored values."""
    flat: list[str] = []
    _walk(values, flat)
    dates: set[str] = set()
    nums: set[float] = set()
    for s in flat:
        for m in re.finditer(r"(\d{4})-(\d{2})-(\d{2})", s):
            dates.add(m.group(0))
            dates.add(m.group(0)[:7])
        for m in _NUM.finditer(s):
            nums.add(float(m.group(0).replace(",", "")))
    return dates, nums


def unstored(markdown: str, values: object) -> list[str]:
    """The dates and numbers of ``markdown`` that the stored values do not hold (verbatim
    quotes of stored passages, ids and note markers aside)."""
    dates, nums = stored_tokens(json.loads(json.dumps(values, default=str)))
    text = markdown.replace("\\", "")
    text = _NOTES.sub(" ", _IDS.sub(" ", _QUOTED.sub(" ", text)))
    bad = []

    def day(m: re.Match) -> str:
        y, mo, d = (m.group(1), m.group(2), m.group(3)) if m.group(1) else (m.group(4), m.group(5), m.group(6))
        iso = f"{int(y):04d}-{int(mo):02d}-{int(d):02d}"
        if iso not in dates:
            bad.append(iso)
        return " "

    def month(m: re.Match) -> str:
        y, mo = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
        iso = f"{int(y):04d}-{int(mo):02d}"
        if iso not in dates:
            bad.append(iso)
        return " "

    text = _MONTH.sub(month, _DAY.sub(day, text))
    for m in _NUM.finditer(text):
        if float(m.group(0).replace(",", "")) not in nums:
            bad.append(m.group(0))
    return bad
