"""Build Records for judge tests from fixture specs ("find" strings → evidence offsets)."""

from __future__ import annotations

import json
from pathlib import Path

from jikenbo.models import Count, Event, Evidence, Record, Span

FIXTURES = Path(__file__).parent / "fixtures" / "judge"


def answers() -> dict:
    data = json.loads((FIXTURES / "answers.json").read_text(encoding="utf-8"))
    data.pop("_comment", None)
    return data


def loc(text: str, needle: str) -> dict:
    i = text.index(needle)
    return {"start": i, "end": i + len(needle), "text": needle}


def build_record(name: str, spec: dict, text: str) -> Record:
    spec = dict(spec)
    ev = [Evidence(field=e["field"], value=e.get("value"), **loc(text, e["find"]))
          for e in spec.pop("evidence", [])]
    counts = [Count(value=c["value"], unit=c.get("unit"), is_total=c.get("is_total", False),
                    **loc(text, c["find"])) for c in spec.pop("counts", [])]
    timeline = [Event(kind=t["kind"], date=t["date"], **loc(text, t["find"])) for t in spec.pop("timeline", [])]
    cause = spec.pop("cause", None)
    measures = [Span(**loc(text, m)) for m in spec.pop("countermeasures", [])]
    return Record(source=name, evidence=ev, counts=counts, timeline=timeline,
                  cause=Span(**loc(text, cause)) if cause else None, countermeasures=measures,
                  segment_start=0, segment_end=len(text), **spec)


def fixture(name: str) -> tuple[Record, str, dict]:
    spec = answers()[name]
    text = (FIXTURES / name).read_text(encoding="utf-8")
    return build_record(name, spec["record"], text), text, spec["expect"]
