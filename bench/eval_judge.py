"""Score the judge against hand-made verdicts: read → extract → judge every notice of a gate
folder (default tests/judge_gate/) and compare with its verdicts.json.

    .venv/bin/python bench/eval_judge.py                     # the judge quality gate's set
    .venv/bin/python bench/eval_judge.py --dir DIR --json    # another folder, machine-readable

Prints the verdict accuracy over the notices the extractor finds, the end-to-end accuracy (a
missed notice is a wrong verdict), trigger F1 (overall and per trigger), and the body-kind,
duty and exemption accuracies, then one line per notice that differs.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from jikenbo.judge.evaluate import score_dir  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dir", default=str(ROOT / "tests" / "judge_gate"), help="folder of notices + verdicts.json")
    ap.add_argument("--gold", default=None, help="verdicts file (default: DIR/verdicts.json)")
    ap.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = ap.parse_args(argv)
    s = score_dir(args.dir, args.gold)
    summary = s.summary()
    if args.json:
        print(json.dumps({**summary, "differences": s.differences}, ensure_ascii=False, indent=2))
        return 0
    print(f"notices {summary['notices']}, found by the extractor {summary['judged']}")
    for k in ("verdict_accuracy", "end_to_end_accuracy", "trigger_f1", "body_accuracy", "duty_accuracy",
              "exemption_accuracy"):
        print(f"{k:22} {summary[k]:.3f}")
    print("trigger F1 by code     " + ", ".join(f"{k} {v:.3f}" for k, v in summary["trigger_f1_by_code"].items()))
    for d in s.differences:
        print("  " + d)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
