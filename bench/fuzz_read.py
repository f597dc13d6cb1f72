#!/usr/bin/env python3
"""Coverage-guided fuzzing of the read and segment stages (atheris, i.e. libFuzzer for Python).

    .venv/bin/pip install -e '.[fuzz]'                 # atheris: wheels for CPython 3.11 on Linux x86-64
    export PATH=$PWD/.venv/bin:$PATH PYTHONPATH=src     # -merge re-runs this script by its #! line
    bench/fuzz_read.py --seed                           # write the seed inputs into tests/fuzz/corpus/
    bench/fuzz_read.py -max_total_time=600 -timeout=20 -rss_limit_mb=2048 -max_len=16384 \
        -len_control=0 -dict=bench/fuzz_read.dict /tmp/fuzz-work tests/fuzz/corpus
    bench/fuzz_read.py --only=application/pdf ...       # the PDF reader alone
    bench/fuzz_read.py -merge=1 /tmp/merged tests/fuzz/corpus /tmp/fuzz-work   # keep what adds coverage
    bench/fuzz_read.py --coverage                       # line coverage of read/ and segment.py over the corpus

The runs and their figures are in docs/reliability.md.

An input is one byte that picks the media type the reader is told (none, text, HTML, PDF, a
declared charset, right or wrong), then the bytes of the document. A finding is any exception
other than a ``ReadFailure`` with a one-line reason, a ``ReadFailure`` that hides a crash
("unexpected error: …"), a ``Document`` with no text or with ``\\r`` in it, a segment whose
offsets do not give back its text, or an input slower than ``-timeout`` seconds. The replay
test (``tests/test_fuzz_corpus.py``) runs ``check`` over every file in tests/fuzz/corpus/.
"""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
MEDIA = [None, "text/plain", "text/html", "application/pdf", "text/html; charset=Shift_JIS",
         "text/plain; charset=euc-jp", "text/html; charset=iso-2022-jp", "text/plain; charset=utf-16",
         "text/html; charset=bogus", "application/octet-stream"]


def check(data: bytes, only: str | None = None) -> None:
    """Read ``data`` (first byte: the media type), segment what was read; raise on a finding.
    ``only`` forces the media type (``--only=application/pdf`` fuzzes the PDF reader alone)."""
    from jikenbo.read import ReadFailure, decode_bytes
    from jikenbo.segment import segment_document

    if not data:
        return
    media = only or MEDIA[data[0] % len(MEDIA)]
    try:
        doc = decode_bytes(data[1:], "fuzz", media)
    except ReadFailure as e:
        if e.reason.startswith("unexpected error"):
            raise AssertionError(f"crash hidden as a read failure: {e}") from e.__cause__
        if "\n" in str(e) or not str(e).startswith("fuzz: "):
            raise AssertionError(f"message is not one line naming the input: {e!r}") from e
        return
    if not doc.text.strip() or "\r" in doc.text:
        raise AssertionError(f"bad document text: {doc.text[:80]!r}")
    for seg in segment_document(doc):
        if doc.text[seg.start:seg.end] != seg.text:
            raise AssertionError(f"segment {seg.start}-{seg.end} does not match the document text")


# --------------------------------------------------------------------------- seeds


def _seed_inputs() -> dict[str, bytes]:
    """Small seeds: the read fixtures, bundled samples, and PDFs written with plain streams."""
    sys.path.insert(0, str(ROOT / "tests"))
    from reportlab.pdfgen import canvas

    import pdfmake

    seeds: dict[str, bytes] = {}
    for folder in (ROOT / "tests" / "fixtures" / "read", ROOT / "src" / "jikenbo" / "samples"):
        for path in sorted(folder.iterdir()):
            data = path.read_bytes()
            if path.suffix in (".txt", ".html", ".pdf") and len(data) <= 16384:
                kind = {".txt": 1, ".html": 2, ".pdf": 3}[path.suffix]
                seeds[f"seed-{path.stem}"] = bytes([kind]) + data
                if folder.name == "read":
                    seeds[f"seed-{path.stem}-untyped"] = b"\x00" + data
    original = canvas.Canvas.__init__

    def uncompressed(self, *a, **kw):  # type: ignore[no-untyped-def]
        kw["pageCompression"] = 0  # plain content streams: mutations reach the text operators
        original(self, *a, **kw)

    canvas.Canvas.__init__ = uncompressed  # type: ignore[method-assign]
    try:
        tiers = [["縦書きのお知らせです", "株式会社ふゆの商会"], ["不正アクセスの発生"]]
        seeds["seed-vertical-pdf"] = b"\x03" + pdfmake.pdf(pdfmake.columns(tiers, heading="お知らせ"))
        seeds["seed-rows-pdf"] = b"\x03" + pdfmake.pdf(pdfmake.rows(["株式会社ふゆの商会", "2099年1月1日 お知らせ"]),
                                                        title="Microsoft Word - a.docx")
    finally:
        canvas.Canvas.__init__ = original  # type: ignore[method-assign]
    seeds["seed-wrong-map-pdf"] = b"\x03" + pdfmake.wrong_map_pdf(lines=2, per_line=8)
    mixed = "株式会社ふゆの商会　お知らせ\n".encode("cp932") + "２０９９年１月１日\n".encode("euc_jp") + "漏えい\n".encode()
    seeds["seed-mixed-encodings"] = b"\x01" + mixed
    return seeds


def write_seeds() -> None:
    CORPUS.mkdir(parents=True, exist_ok=True)
    for name, data in _seed_inputs().items():
        (CORPUS / name).write_bytes(data)
    print(f"{len(list(CORPUS.iterdir()))} files in {CORPUS}")


def line_coverage() -> None:
    """Replay the corpus under coverage.py and print line coverage of read/ and segment.py."""
    import coverage

    cov = coverage.Coverage(source=["jikenbo.read", "jikenbo.segment"], data_file=None)
    cov.start()
    failures = 0
    for path in sorted(CORPUS.iterdir()):
        try:
            check(path.read_bytes())
        except AssertionError as e:
            failures += 1
            print(f"{path.name}: {e}")
    cov.stop()
    out = io.StringIO()
    total = cov.report(file=out, show_missing=False)
    print(out.getvalue())
    print(f"{len(list(CORPUS.iterdir()))} inputs, {failures} findings, line coverage {total:.1f}%")


def main() -> None:
    logging.disable(logging.CRITICAL)  # the reader logs what it drops; the fuzzer needs quiet
    if "--seed" in sys.argv:
        write_seeds()
        return
    if "--coverage" in sys.argv:
        line_coverage()
        return
    import atheris

    with atheris.instrument_imports(include=["jikenbo"]):
        import jikenbo.read
        import jikenbo.segment  # noqa: F401
    only = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--only=")), None)
    argv = [a for a in sys.argv if not a.startswith("--only=")]
    atheris.Setup(argv, (lambda data: check(data, only)) if only else check)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
