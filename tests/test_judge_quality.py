"""Judge quality gate: 40 fictional notices (tests/judge_gate/) read, extracted and judged, their
verdicts scored against hand-made ones (verdicts.json), floors pinned in judge_floors.json."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest

from jikenbo.judge.evaluate import TRIGGERS, JudgeScore, load_verdicts, score_dir

GATE = Path(__file__).parent / "judge_gate"
FLOORS = json.loads((Path(__file__).parent / "judge_floors.json").read_text(encoding="utf-8"))


@cache
def _score() -> JudgeScore:
    return score_dir(GATE)


@pytest.mark.parametrize("measure", [k for k in FLOORS if not k.startswith("_") and k != "min_judged"])
def test_measure_above_floor(measure):
    s = _score()
    value = getattr(s, measure)
    assert value >= FLOORS[measure], f"{measure} {value:.3f} < {FLOORS[measure]}\n" + "\n".join(s.differences)


def test_extractor_finds_the_notices():
    s = _score()
    assert s.judged >= FLOORS["min_judged"], "\n".join(s.differences)


def test_gate_covers_every_body_kind_trigger_and_exemption():
    from jikenbo.judge.bodies import KINDS

    gold = load_verdicts(GATE / "verdicts.json")
    assert len(gold) >= 30
    assert {g["body"] for g in gold.values()} == set(KINDS)
    assert {t for g in gold.values() for t in g["triggers"]} == set(TRIGGERS)
    assert {g["exemption"] for g in gold.values()} == {None, "encrypted", "recovered"}
    assert {g["reportable"] for g in gold.values()} == {True, False, None}
    assert {g["duty"] for g in gold.values()} == {"in_force", "not_yet", "none"}
    for name in gold:
        assert (GATE / name).is_file(), name
