"""The fictional corpus and the bundled samples stay consistent with their gold records."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


def _check_gold():
    spec = importlib.util.spec_from_file_location("jikenbo_corpus_check_gold", HERE / "check_gold.py")
    mod = importlib.util.module_from_spec(spec)
    assert spec.loader is not None
    spec.loader.exec_module(mod)
    return mod


def test_gold_files_follow_the_contract():
    mod = _check_gold()
    errs = []
    for gold, docs in mod.SETS:
        for g in sorted(gold.glob("*.json")):
            errs += mod.problems(g, docs)
    assert errs == []


def test_every_document_has_gold():
    mod = _check_gold()
    for gold, docs in mod.SETS:
        have = {g.stem for g in gold.glob("*.json")}
        missing = [d.name for d in docs.iterdir() if d.suffix in mod.DOC_SUFFIXES and d.stem not in have]
        assert missing == [], f"no gold in {gold.name}/ for {missing}"


def test_generated_samples_match_their_sources():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_samples.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
