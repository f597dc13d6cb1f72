"""Quality gate: extraction scored against gold records, with floors pinned in quality_floors.json.

Six sets: the synthetic corpus (tests/corpus), the bundled samples (src/jikenbo/samples), three sets
written later by developers who had not seen the rules (tests/holdout*), and, where ../shared is
present, the sample documents of the evaluation contract. One case per set
and one per document, so a failure names what regressed.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jikenbo.evaluate import group_records, load_gold, score
from jikenbo.models import ReadError
from jikenbo.pipeline import extract_inputs

ROOT = Path(__file__).resolve().parents[1]
FLOORS = json.loads((Path(__file__).parent / "quality_floors.json").read_text(encoding="utf-8"))
SHARED = ROOT.parent / "shared"
SETS = {
    "corpus": (ROOT / "tests" / "corpus", ROOT / "tests" / "corpus" / "gold"),
    "samples": (ROOT / "src" / "jikenbo" / "samples", ROOT / "tests" / "corpus" / "samples_gold"),
    "seeds": (SHARED / "corpus" / "seeds", SHARED / "eval" / "dev"),
    "holdout": (ROOT / "tests" / "holdout", ROOT / "tests" / "holdout" / "gold"),
    "holdout2": (ROOT / "tests" / "holdout2", ROOT / "tests" / "holdout2" / "gold"),
    "holdout3": (ROOT / "tests" / "holdout3", ROOT / "tests" / "holdout3" / "gold"),
    "real": (SHARED / "corpus" / "real", SHARED / "eval" / "real"),
}


def _real_fifth(name: str) -> bool:
    """Every fifth real document (ra_05, ra_10, … rd_25) is held out of each round of rule work."""
    return name.split(".")[0].split("_")[-1][-1] in "05"


def _run(name: str):
    docs, gold_dir = SETS["real" if name.startswith("real") else name]
    if not gold_dir.is_dir():
        pytest.skip(f"{gold_dir} is absent")
    gold = load_gold(gold_dir)
    if name in ("real_dev", "real_heldout"):
        gold = {k: v for k, v in gold.items() if _real_fifth(k) == (name == "real_heldout")}
    records = [r.model_dump() for r in extract_inputs([str(docs / f) for f in gold])
               if not isinstance(r, ReadError)]
    return gold, score(gold, group_records(records))


@pytest.mark.parametrize("name", ["corpus", "samples", "holdout", "holdout2", "holdout3",
                                  *(pytest.param(n, marks=pytest.mark.shared) for n in ("seeds", "real", "real_dev", "real_heldout"))])
def test_score_above_floor(name):
    _, result = _run(name)
    floor = FLOORS[name]
    report = "\n".join(result.differences)
    assert result.score >= floor["score"], f"{name}: score {result.score:.3f} < {floor['score']}\n{report}"
    low = {k: round(v, 3) for k, v in result.fields.items() if v < floor["field_min"]}
    assert not low, f"{name}: fields below {floor['field_min']}: {low}\n{report}"


def _docs(name: str) -> list[str]:
    _, gold_dir = SETS[name]
    return sorted(p.name for p in gold_dir.glob("*.json")) if gold_dir.is_dir() else []


@pytest.mark.parametrize("gold_file", _docs("corpus"))
def test_corpus_document_detected(gold_file):
    """Every corpus document yields exactly its notices (detection is all or nothing per file)."""
    docs, gold_dir = SETS["corpus"]
    gold = load_gold(gold_dir)
    src = json.loads((gold_dir / gold_file).read_text(encoding="utf-8"))["source"]
    recs = [r.model_dump() for r in extract_inputs([str(docs / src)]) if not isinstance(r, ReadError)]
    result = score({src: gold[src]}, group_records(recs))
    assert result.detection["f1"] == 1.0 or (not gold[src] and not recs), "\n".join(result.differences)
