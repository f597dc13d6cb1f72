"""Judge quality gate: fictional notices read, extracted and judged, their verdicts scored against
hand-made ones (verdicts.json), floors pinned in judge_floors.json. Two sets: tests/judge_gate/
(40 notices, written with the rules) and tests/judge_holdout/ (14, written after them and scored
once before anything was changed for them)."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from jikenbo.judge.evaluate import TRIGGERS, JudgeScore, load_verdicts, score_dir

TESTS = Path(__file__).parent
FLOORS = json.loads((TESTS / "judge_floors.json").read_text(encoding="utf-8"))
CASES = [(s, m) for s, f in FLOORS.items() if not s.startswith("_") for m in f if m != "min_judged"]


@cache
def _score(name: str) -> JudgeScore:
    return score_dir(TESTS / name)


@pytest.mark.parametrize("name,measure", CASES, ids=[f"{s}:{m}" for s, m in CASES])
def test_measure_above_floor(name, measure):
    s = _score(name)
    value = getattr(s, measure)
    floor = FLOORS[name][measure]
    assert value >= floor, f"{name}: {measure} {value:.3f} < {floor}\n" + "\n".join(s.differences)


@pytest.mark.parametrize("name", [s for s in FLOORS if not s.startswith("_")])
def test_extractor_finds_the_notices(name):
    s = _score(name)
    assert s.judged >= FLOORS[name]["min_judged"], "\n".join(s.differences)


def test_gate_covers_every_body_kind_trigger_and_exemption():
    from jikenbo.judge.bodies import KINDS

    gate = TESTS / "judge_gate"
    gold = load_verdicts(gate / "verdicts.json")
    assert len(gold) >= 30
    assert {g["body"] for g in gold.values()} == set(KINDS)
    assert {t for g in gold.values() for t in g["triggers"]} == set(TRIGGERS)
    assert {g["exemption"] for g in gold.values()} == {None, "encrypted", "recovered"}
    assert {g["reportable"] for g in gold.values()} == {True, False, None}
    assert {g["duty"] for g in gold.values()} == {"in_force", "not_yet", "none"}
    for name in gold:
        assert (gate / name).is_file(), name
