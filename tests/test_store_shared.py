"""The seeds ingested into a temp store, incidents exported as JSONL, scored with score_links.py."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EVAL = SHARED / "eval"
SEEDS = SHARED / "corpus" / "seeds"

pytestmark = pytest.mark.shared


def _extractor_ready() -> bool:
    try:
        return importlib.util.find_spec("jikenbo.extract") is not None and \
            importlib.util.find_spec("jikenbo.segment") is not None
    except ImportError:
        return False


def _score_links(tmp_path: Path, docs: list[str], gold: str, notices: str) -> str:
    """Ingest ``docs`` into a temp store, export its incidents, and score them: the output."""
    from jikenbo import export
    from jikenbo.store import open_store

    with open_store(tmp_path / "links.db") as store:
        summary = store.ingest(docs, workers=2, progress=False)
        assert summary.ok, summary.failed
        pred = tmp_path / "incidents.jsonl"
        with pred.open("w", encoding="utf-8") as fh:
            export.incidents_to_jsonl(store.iter_incidents(), fh)
    return subprocess.run(
        [sys.executable, str(EVAL / "score_links.py"), "--gold", str(EVAL / gold), "--pred", str(pred),
         "--notices", str(EVAL / notices)],
        capture_output=True, text=True, check=True).stdout


@pytest.mark.skipif(not (EVAL / "score_links.py").exists() or not SEEDS.is_dir(), reason="../shared absent")
@pytest.mark.skipif(not _extractor_ready(), reason="the extractor is not there yet")
def test_seed_links_score(tmp_path):
    out = _score_links(tmp_path, sorted(str(p) for p in SEEDS.glob("*.txt")), "dev-links.json", "dev")
    score = float(re.search(r"^score: ([0-9.]+)$", out, re.M)[1])
    assert score == 1.0, out


REAL = SHARED / "corpus" / "real"


@pytest.mark.skipif(not (EVAL / "real-links.json").exists() or not REAL.is_dir(), reason="../shared absent")
def test_real_links_score_above_floor(tmp_path):
    """The linking gate on real documents: floor pinned a little under the measured 0.904."""
    out = _score_links(tmp_path, sorted(str(p) for p in REAL.glob("*.txt")), "real-links.json", "real")
    score = float(re.search(r"^score: ([0-9.]+)$", out, re.M)[1])
    vendor = float(re.search(r"^vendor recall ([0-9.]+)", out, re.M)[1])
    pairs_p = float(re.search(r"^pairs\s+P=([0-9.]+)", out, re.M)[1])
    assert score >= 0.89, out
    assert vendor >= 0.85, out
    assert pairs_p == 1.0, out  # nothing a user keeps apart is joined
