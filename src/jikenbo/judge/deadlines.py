"""規則8条 deadlines, counted from the day the business learned of the case (detection).

速報: 速やかに (the guideline: about 3 to 5 days) → a window, met when the report came by its
last day. 確報: 30 days, 60 for a 規則7条3号 (不正の目的) case. A date known only to the month
makes every comparison ``None`` unless the answer holds for any day of that month.
"""

from __future__ import annotations

from datetime import date, timedelta

from jikenbo.judge import data
from jikenbo.judge.evidence import of_field, span
from jikenbo.models import Event, Record


def _date(iso: str | None) -> date | None:
    if not iso:
        return None
    try:
        return date.fromisoformat(iso[:10])
    except ValueError:
        return None


def detection(record: Record) -> tuple[date | None, str, list[dict]]:
    """The detection date, its precision, and the evidence (detected_date, else a "detected" event)."""
    d = _date(record.detected_date)
    if d is not None:
        return d, "day", of_field(record, "detected_date")
    events = sorted((e for e in record.timeline if e.kind == "detected" and _date(e.date)),
                    key=lambda e: e.date)
    if events:
        return _date(events[0].date), events[0].precision, [span(record, events[0], field="timeline")]
    return None, "unknown", []


def ppc_reports(timeline: list[Event]) -> list[date]:
    return sorted({d for e in timeline if e.kind == "reported_ppc" and (d := _date(e.date))})


def _before(when: date | None, due: date | None, precision: str = "day") -> bool | None:
    if when is None or due is None:
        return None
    if precision == "day":
        return when <= due
    return None


def deadlines(detected: date | None, precision: str, *, malicious: bool, reports: list[date],
              told_ppc: bool, disclosures: list[dict]) -> dict:
    """The 速報 window, the 確報 date, whether the PPC reports met them, and disclosure lags.

    ``disclosures``: [{"date": ISO or None, ...}] public notices; each gets its lag and whether it
    came before each deadline.
    """
    cfg = data.rules()["deadlines"]
    kakuho_days = cfg["kakuho_days_malicious"] if malicious else cfg["kakuho_days"]
    out: dict = {"detected": detected.isoformat() if detected else None, "detected_precision": precision,
                 "basis": "detection (知った日)"}
    if detected is None:
        out["note"] = "no detection date: deadlines cannot be computed"
    sok_from = detected + timedelta(days=cfg["sokuho_from_days"]) if detected else None
    sok_to = detected + timedelta(days=cfg["sokuho_to_days"]) if detected else None
    kak = detected + timedelta(days=kakuho_days) if detected else None
    first = reports[0] if reports else None
    later = reports[-1] if len(reports) > 1 else None
    out["sokuho"] = {"from": _iso(sok_from), "to": _iso(sok_to),
                     "reported": _iso(first), "met": _before(first, sok_to, precision)}
    out["kakuho"] = {"due": _iso(kak), "days": kakuho_days, "reported": _iso(later),
                     "met": _before(later, kak, precision)}
    if first and detected and precision == "day":
        out["sokuho"]["days_after_detection"] = (first - detected).days
    if reports and len(reports) == 1:
        out["kakuho"]["note"] = "one report to PPC is known: whether a 確報 followed cannot be told"
    if not reports:
        out["reported_ppc"] = "stated without a date" if told_ppc else "not stated"
    else:
        out["reported_ppc"] = [d.isoformat() for d in reports]
    notices = []
    for n in disclosures:
        d = _date(n.get("date"))
        item = dict(n)
        item["lag_days"] = (d - detected).days if d and detected and precision == "day" else None
        item["before_sokuho"] = _before(d, sok_to, precision)
        item["before_kakuho"] = _before(d, kak, precision)
        notices.append(item)
    out["disclosures"] = notices
    lags = [n["lag_days"] for n in notices if n["lag_days"] is not None]
    out["disclosure_lag_days"] = min(lags) if lags else None
    return out


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None
