"""Score `jikenbo extract` on a gold folder: the bundled synthetic corpus by default.

    python bench/eval_corpus.py                       # tests/corpus with tests/corpus/gold
    python bench/eval_corpus.py --docs ../shared/corpus/seeds --gold ../shared/eval/dev
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from jikenbo.evaluate import format_result, group_records, load_gold, score
from jikenbo.models import ReadError
from jikenbo.pipeline import extract_inputs

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", default=str(ROOT / "tests" / "corpus"))
    ap.add_argument("--gold", default=str(ROOT / "tests" / "corpus" / "gold"))
    ap.add_argument("--quiet", action="store_true", help="no per-record differences")
    a = ap.parse_args()
    gold = load_gold(a.gold)
    docs = [str(Path(a.docs) / name) for name in gold]
    records = [r.model_dump() for r in extract_inputs(docs) if not isinstance(r, ReadError)]
    print(format_result(score(gold, group_records(records)), differences=not a.quiet))
    return 0


if __name__ == "__main__":
    sys.exit(main())
