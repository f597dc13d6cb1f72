"""Evidence spans taken from a record's own fields (offsets into ``Document.text``)."""

from __future__ import annotations

from collections.abc import Iterable

from jikenbo.models import Record, Span


def span(record: Record, s: Span, **extra: object) -> dict:
    out: dict = {"source": record.source, "start": s.start, "end": s.end, "text": s.text}
    field = getattr(s, "field", None)
    if field is not None:
        out["field"] = field
        value = getattr(s, "value", None)
        if value is not None:
            out["value"] = value
    out.update(extra)
    return out


def of_field(record: Record, field: str, values: Iterable[object] | None = None) -> list[dict]:
    """Evidence the record keeps for ``field`` (only for ``values`` when given)."""
    wanted = None if values is None else {str(v) for v in values}
    return [span(record, e) for e in record.evidence_for(field)
            if wanted is None or str(e.value) in wanted]


def dedupe(spans: Iterable[dict]) -> list[dict]:
    seen: set[tuple] = set()
    out = []
    for s in spans:
        key = (s.get("source"), s["start"], s["end"], s.get("field"))
        if key not in seen:
            seen.add(key)
            out.append(s)
    return sorted(out, key=lambda s: (str(s.get("source")), s["start"], s["end"]))
