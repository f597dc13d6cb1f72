"""Score judge verdicts against hand-made ones (the judge quality gate and bench/eval_judge.py).

A gold file (``verdicts.json``) maps a notice's file name to {organization, body, reportable
(true / false / null), triggers, exemption, duty, why}. Each notice is read, extracted and
judged. ``verdict_accuracy`` (and the body, duty and exemption accuracies) are over the notices
the extractor found: what the judge gets right; ``end_to_end_accuracy`` counts a notice that
yields no record as a wrong verdict. Null is a value of its own: "cannot tell" is right only
where the gold says so. Trigger F1 counts a missed notice's triggers as missed.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from jikenbo.judge.core import check_record

TRIGGERS = ("sensitive", "financial", "malicious", "over_threshold")


@dataclass
class JudgeScore:
    notices: int = 0
    judged: int = 0  # notices that produced a record
    verdicts_right: int = 0
    bodies_right: int = 0
    duty_right: int = 0
    exemptions_right: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    per_trigger: dict[str, list[int]] = field(default_factory=lambda: {t: [0, 0, 0] for t in TRIGGERS})
    differences: list[str] = field(default_factory=list)

    def _ratio(self, n: int) -> float:
        """Over the notices the extractor found (what the judge itself got right)."""
        return n / self.judged if self.judged else 0.0

    @property
    def verdict_accuracy(self) -> float:
        return self._ratio(self.verdicts_right)

    @property
    def end_to_end_accuracy(self) -> float:
        """Over every notice: one the extractor misses counts as a wrong verdict."""
        return self.verdicts_right / self.notices if self.notices else 0.0

    @property
    def body_accuracy(self) -> float:
        return self._ratio(self.bodies_right)

    @property
    def duty_accuracy(self) -> float:
        return self._ratio(self.duty_right)

    @property
    def exemption_accuracy(self) -> float:
        return self._ratio(self.exemptions_right)

    @property
    def trigger_f1(self) -> float:
        return _f1(self.tp, self.fp, self.fn)

    def trigger_f1_of(self, code: str) -> float:
        tp, fp, fn = self.per_trigger[code]
        return _f1(tp, fp, fn)

    def summary(self) -> dict:
        return {"notices": self.notices, "judged": self.judged,
                "verdict_accuracy": round(self.verdict_accuracy, 3),
                "end_to_end_accuracy": round(self.end_to_end_accuracy, 3),
                "trigger_f1": round(self.trigger_f1, 3),
                "body_accuracy": round(self.body_accuracy, 3),
                "duty_accuracy": round(self.duty_accuracy, 3),
                "exemption_accuracy": round(self.exemption_accuracy, 3),
                "trigger_f1_by_code": {t: round(self.trigger_f1_of(t), 3) for t in TRIGGERS}}


def _f1(tp: int, fp: int, fn: int) -> float:
    if tp + fp + fn == 0:
        return 1.0
    return 2 * tp / (2 * tp + fp + fn)


def load_verdicts(path: str | Path) -> dict[str, dict]:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def judge_file(path: str | Path) -> list[dict]:
    """Read, extract and judge one notice file (every record it yields)."""
    from jikenbo.models import ReadError
    from jikenbo.pipeline import extract_document
    from jikenbo.read import read_inputs

    out = []
    for doc in read_inputs([str(path)]):
        if isinstance(doc, ReadError):
            continue
        out += [check_record(r, document_text=doc.text) for r in extract_document(doc)]
    return out


def compare(name: str, gold: dict, result: dict | None, score: JudgeScore) -> None:
    """Add one notice's judgement (None: no record) to ``score``."""
    score.notices += 1
    if result is None:
        score.differences.append(f"{name}: no record (gold reportable={gold['reportable']})")
        score.fn += len(gold["triggers"])
        for t in gold["triggers"]:
            score.per_trigger[t][2] += 1
        return
    score.judged += 1
    diffs = []
    if result["reportable"] is gold["reportable"]:
        score.verdicts_right += 1
    else:
        diffs.append(f"reportable {result['reportable']} != {gold['reportable']} ({result['reason']})")
    if result["body"]["kind"] == gold["body"]:
        score.bodies_right += 1
    else:
        diffs.append(f"body {result['body']['kind']} != {gold['body']} (organization {result['organization']!r})")
    if result["duty"]["state"] == gold["duty"]:
        score.duty_right += 1
    else:
        diffs.append(f"duty {result['duty']['state']} != {gold['duty']} (date {result['duty']['date']})")
    ex = (result.get("exemption") or {}).get("code")
    if ex == gold.get("exemption"):
        score.exemptions_right += 1
    else:
        diffs.append(f"exemption {ex} != {gold.get('exemption')}")
    got, want = {t["code"] for t in result["triggers"]}, set(gold["triggers"])
    score.tp += len(got & want)
    score.fp += len(got - want)
    score.fn += len(want - got)
    for t in TRIGGERS:
        c = score.per_trigger[t]
        c[0] += t in got and t in want
        c[1] += t in got and t not in want
        c[2] += t in want and t not in got
    if got != want:
        diffs.append(f"triggers {sorted(got)} != {sorted(want)}")
    if diffs:
        score.differences.append(f"{name}: " + "; ".join(diffs))


def score_dir(folder: str | Path, gold_file: str | Path | None = None) -> JudgeScore:
    """Judge every notice ``verdicts.json`` names in ``folder`` and score the verdicts. A file
    yielding several records is scored on the one whose organisation matches the gold's."""
    folder = Path(folder)
    gold = load_verdicts(gold_file or folder / "verdicts.json")
    score = JudgeScore()
    for name, g in gold.items():
        results = judge_file(folder / name)
        pick = next((r for r in results if r["organization"] == g["organization"]), None)
        compare(name, g, pick or (results[0] if results else None), score)
    return score
