"""A month's or a year's casebook: counts with n and unknowns, the largest incidents, new
vendor groups, the detection-to-disclosure lag, charts, then one short entry per incident.

Every count comes from ``Store.stats`` with the period's filters, so the report says what
``jikenbo stats --since P --until P`` says.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from jikenbo.casebook.entry import short_entry
from jikenbo.casebook.model import Block, Casebook, NoteBook, Section, Sentence
from jikenbo.casebook.phrases import Phrases, phrases
from jikenbo.casebook.sources import CasebookError, load
from jikenbo.store import Filters, Store

log = logging.getLogger(__name__)
REPORT_DIMS = ("type", "industry", "leak-status", "category", "authority")
DEFAULT_DIMS = ("type", "industry", "leak-status", "category")
MULTI = {"type", "category", "authority"}
LABEL_GROUP = {"type": "type", "leak-status": "leak_status", "category": "category", "authority": "authority"}
BIGGEST = 5
_PERIOD = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")


@dataclass(frozen=True)
class Period:
    year: int
    month: int | None = None

    @classmethod
    def parse(cls, value: str) -> Period:
        m = _PERIOD.match(str(value).strip())
        if not m or (m[2] and not 1 <= int(m[2]) <= 12):
            raise CasebookError(f"period {value!r}: expected YYYY-MM (a month) or YYYY (a year)")
        return cls(int(m[1]), int(m[2]) if m[2] else None)

    @property
    def key(self) -> str:
        return f"{self.year:04d}" if self.month is None else f"{self.year:04d}-{self.month:02d}"

    def filters(self) -> Filters:
        return Filters(since=self.key, until=self.key)

    def contains(self, iso: str | None) -> bool:
        return bool(iso) and str(iso).startswith(self.key)


def _stat_table(p: Phrases, dim: str, st: dict) -> Block:
    rows, unknown = [], 0
    for g in st["groups"]:
        v = g["key"][dim]
        if v == "unknown":
            unknown = g["n"]
            continue
        rows.append((p.label(LABEL_GROUP.get(dim, ""), v), g["n"]))
    rows.sort(key=lambda r: -r[1])
    body = [[label, f"{n:,}"] for label, n in rows]
    body.append([p.t("unknown_row"), f"{unknown:,}"])
    key = "report_table_note" if dim in MULTI else "report_table_note_single"
    return Block("table", header=[p.t("col_value"), p.t("col_n")], rows=body,
                 caption=p.t(key, n=f"{st['total']['n']:,}", unknown=f"{unknown:,}"))


def _num(v: Any) -> str:
    if v is None:
        return "—"
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.1f}"


def _charts_module() -> Any:
    try:
        from jikenbo.serve import charts
    except ImportError as e:  # the web extras are missing: tables only
        log.warning("charts are left out: %s", e)
        return None
    return charts


def _bar_chart(p: Phrases, dim: str, st: dict, charts: Any) -> Block | None:
    items = [(p.label(LABEL_GROUP.get(dim, ""), g["key"][dim]), g["n"]) for g in st["groups"]
             if g["key"][dim] != "unknown"]
    if not items or charts is None:
        return None
    items.sort(key=lambda x: -x[1])
    title = str(p.table["dim"][dim])
    return Block("chart", caption=title, svg=str(charts.hbars(items, label=title)))


def _month_chart(p: Phrases, store: Store, f: Filters, charts: Any) -> Block | None:
    st = store.stats(["month", "type"], f)
    months = charts.month_range(sorted({g["key"]["month"] for g in st["groups"] if g["key"]["month"] != "unknown"}))
    if not months:
        return None
    types = sorted({g["key"]["type"] for g in st["groups"]})
    series = {t: [0] * len(months) for t in types}
    index = {m: i for i, m in enumerate(months)}
    for g in st["groups"]:
        if g["key"]["month"] in index:
            series[g["key"]["type"]][index[g["key"]["month"]]] += g["n"]
    labels = {t: p.label("type", t) for t in types}
    title = p.t("chart_months")
    return Block("chart", caption=title, svg=str(charts.stacked_months(months, series, labels, label=title)))


def _affected_chart(p: Phrases, store: Store, f: Filters, charts: Any) -> Block:
    hist = charts.affected_histogram(store, f)
    bins = [(charts._affected_label(lo, hi, p.lang), c) for (lo, hi), c in zip(charts.AFFECTED_BINS, hist, strict=True)]
    title = p.t("chart_affected")
    return Block("chart", caption=title, svg=str(charts.vbars(bins, label=title)))


def write_report(store: Store, period: Period, *, by: tuple[str, ...] = (), lang: str = "ja",
                 charts: bool = True) -> Casebook:
    """The report of ``period`` (see the module docstring)."""
    dims = tuple(dict.fromkeys(by)) or DEFAULT_DIMS
    for d in dims:
        if d not in REPORT_DIMS:
            raise CasebookError(f"--by {d}: expected one of {', '.join(REPORT_DIMS)}")
    p = phrases(lang)
    f = period.filters()
    label = p.period(period.year, period.month)
    total = store.stats([], f)["total"]
    n = total["n"]
    ch = _charts_module() if charts else None
    sections: list[Section] = []

    summary = [Sentence(p.t("report_count", period=label, n=f"{n:,}") if n else p.t("report_count_zero", period=label))]
    aff = total["affected"]
    if aff["n"]:
        summary.append(Sentence(p.t("report_affected", sum=p.count(aff["sum"], None), median=_num(aff["median"]),
                                    n=f"{aff['n']:,}", unknown=f"{aff['unknown']:,}")))
    else:
        summary.append(Sentence(p.t("report_affected_unknown", unknown=f"{aff['unknown']:,}")))
    sections.append(Section("summary", p.section("report_summary"), [Block("p", summary)]))

    for d in dims:
        st = store.stats([d], f)
        blocks = [_stat_table(p, d, st)]
        if ch is not None and (chart := _bar_chart(p, d, st, ch)):
            blocks.append(chart)
        sections.append(Section(f"by-{d}", str(p.table["dim"][d]), blocks))

    biggest = [i for i in store.incidents(f, sort="-affected_total", limit=BIGGEST) if i.get("affected_total") is not None]
    items = [Sentence(p.t("report_biggest_item", org=i.get("organization") or p.t("org_unknown"),
                          date=p.date(i.get("disclosure_date")) or "—", count=p.count(i["affected_total"], None),
                          id=i["id"])) for i in biggest]
    sections.append(Section("biggest", p.section("report_biggest"),
                            [Block("ul", items) if items else Block("p", [Sentence(p.t("report_no_biggest"))])]))

    new = [g for g in store.vendor_groups(f) if period.contains(g["first_disclosed"])]
    vitems = [Sentence(p.t("report_vendor", name=g["name"], n=f"{g['total']:,}", date=p.date(g["first_disclosed"])))
              for g in new]
    sections.append(Section("vendors", p.section("report_vendors"),
                            [Block("ul", vitems) if vitems else Block("p", [Sentence(p.t("report_no_vendors"))])]))

    lag = total["lag_days"]
    lag_s = (p.t("report_lag", median=_num(lag["median"]), p90=_num(lag["p90"]), n=f"{lag['n']:,}",
                 unknown=f"{lag['unknown']:,}") if lag["n"] else p.t("report_lag_unknown", unknown=f"{lag['unknown']:,}"))
    sections.append(Section("lag", p.section("report_lag"), [Block("p", [Sentence(lag_s)])]))

    if ch is not None and n:
        blocks = [_affected_chart(p, store, f, ch)]
        if period.month is None and (mc := _month_chart(p, store, f, ch)):
            blocks.insert(0, mc)
        sections.append(Section("charts", p.section("report_charts"), blocks))

    book = NoteBook()
    sections.append(Section("entries", p.section("report_entries"), []))
    for inc in store.iter_incidents(f, sort="disclosure_date"):
        sections.append(short_entry(load(store, inc["id"], judge=False, related=False), p, book))
    key = "report_title_month" if period.month else "report_title_year"
    return Casebook("report", period.key, p.t(key, period=label), lang, p.t("report_generated"), sections,
                    book.notes, meta={"period": period.key, "by": list(dims), "n": n})
