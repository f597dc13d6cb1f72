"""Replay the corpus the fuzzer kept (tests/fuzz/corpus/) through the same check it ran.

Every input there once found new code paths in the read and segment stages, or is one a
finding was fixed for (``crash-*``, ``timeout-*``): each must now give a ``Document`` or a
one-line ``ReadFailure``, and segments that match the document's text. See bench/fuzz_read.py.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "fuzz" / "corpus"
_spec = importlib.util.spec_from_file_location("fuzz_read", ROOT / "bench" / "fuzz_read.py")
assert _spec is not None and _spec.loader is not None
fuzz_read = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz_read)

INPUTS = sorted(CORPUS.iterdir())


def test_the_corpus_is_kept_small() -> None:
    assert 50 <= len(INPUTS) <= 2000
    assert sum(p.stat().st_size for p in INPUTS) < 4_000_000
    assert all(p.stat().st_size <= 16384 + 1 for p in INPUTS)


@pytest.mark.parametrize("path", INPUTS, ids=[p.name[:40] for p in INPUTS])
def test_fuzz_input_reads_and_segments_cleanly(path: Path) -> None:
    fuzz_read.check(path.read_bytes())
