"""Ingest reads files in the writer and decodes them in the workers.

The single writer is an ingest's bottleneck, so it only reads a file's bytes (and skips bytes
already stored); charset detection, HTML main text and PDF text happen in the extraction
workers. What is stored must not depend on where the decoding ran.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jikenbo.read import RawFile, read_inputs
from jikenbo.store import Filters, open_store
from jikenbo.store.ingest import _items

SAMPLES = Path(__file__).resolve().parents[1] / "src" / "jikenbo" / "samples"


def _folder(tmp: Path) -> Path:
    d = tmp / "in"
    d.mkdir()
    for name in ("01_harukaze_first_report.txt", "04_nanohana_vendor_ransomware.pdf",
                 "05_sasame_vendor_ransomware_sjis.txt", "06_news_akebono_misconfiguration.html",
                 "07_digest_weekly.html"):
        shutil.copy(SAMPLES / name, d / name)
    (d / "empty.txt").write_bytes(b"")
    (d / "broken.pdf").write_bytes(b"%PDF-1.4\n this is not a PDF body at all\n")
    return d


def _stored(store) -> list[tuple]:
    docs = sorted(tuple(r) for r in store.conn.execute("SELECT source, locator, sha256, media_type FROM documents"))
    incs = sorted((i["organization"], i["affected_total"], tuple(n["source"] for n in i["notices"]))
                  for i in store.incidents(Filters(), limit=None))
    return [docs, incs]


def test_files_reach_the_writer_as_bytes_only(tmp_path):
    d = _folder(tmp_path)
    got = list(_items([str(d)]))
    raws = [x for x, _ in got if isinstance(x, RawFile)]
    assert len(raws) == 6 and all(given == str(d) for x, given in got if isinstance(x, RawFile))
    assert [x.message for x, _ in got if not isinstance(x, RawFile)] == ["empty file"]
    pdf = next(r for r in raws if r.source.endswith("04_nanohana_vendor_ransomware.pdf"))
    assert pdf.sha256 == next(read_inputs([pdf.source])).sha256  # the stored hash: the same bytes


@pytest.mark.parametrize("workers", [1, 2])
def test_decoding_in_the_workers_stores_what_reading_in_the_writer_did(tmp_path, monkeypatch, workers):
    d = _folder(tmp_path)
    monkeypatch.chdir(tmp_path)  # stored names are relative to where the command ran
    with open_store(tmp_path / "old.db") as old:  # Documents decoded here, named as ingest names them
        from jikenbo.store.naming import locator, shown_source

        docs = [x for x in read_inputs([str(d)]) if not hasattr(x, "message")]
        for doc in docs:
            old.ingest([doc.model_copy(update={"source": shown_source(doc.source, str(d))})], workers=1,
                       progress=False)
        expected_locators = sorted(locator(doc) for doc in docs)
        before = _stored(old)
    with open_store(tmp_path / f"new{workers}.db") as new:
        s = new.ingest([str(d)], workers=workers, progress=False)
        after = _stored(new)
        again = new.ingest([str(d)], workers=workers, progress=False)
    assert sorted(src for src, _ in s.failed) == [str(d / "broken.pdf"), str(d / "empty.txt")]
    assert s.documents == 5 and s.added == 5
    assert after[1] == before[1]  # the same incidents from the same notices
    assert [r[0] for r in after[0]] == sorted(f"in/{p.name}" for p in d.iterdir()
                                              if p.name not in ("empty.txt", "broken.pdf"))
    assert [r[2:] for r in after[0]] == [r[2:] for r in before[0]]
    assert sorted(r[1] for r in after[0]) == expected_locators  # where the bytes are: absolute
    assert again.unchanged == 5 and again.added == 0  # stored bytes are not decoded again
