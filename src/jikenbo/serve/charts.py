"""Statistics charts as inline SVG built on the server: no script, no library, nothing fetched.

Every label is escaped. Each chart states its ``n`` and how many incidents it leaves out as unknown.
Affected people are binned with one indexed count per power of ten; the detection-to-disclosure
lag needs every incident's dates (the store has no lag filter), read once and memoised per store
version like the rest of the chart data.
"""

from __future__ import annotations

import math
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import asdict
from typing import Any

from markupsafe import Markup, escape

from jikenbo.models import INCIDENT_TYPES
from jikenbo.serve import i18n
from jikenbo.serve.background import Background
from jikenbo.store import Filters, Store

PALETTE = ["#3b6ea5", "#d9822b", "#4f9d69", "#c0504d", "#8064a2", "#2f9fa8", "#b7a031", "#e377c2",
           "#7f7f7f", "#8c564b", "#17becf", "#a6a6a6"]
TYPE_COLOR = {t: PALETTE[i % len(PALETTE)] for i, t in enumerate(INCIDENT_TYPES)}
AFFECTED_BINS = [(1, 9), (10, 99), (100, 999), (1_000, 9_999), (10_000, 99_999), (100_000, 999_999),
                 (1_000_000, 9_999_999), (10_000_000, None)]
LAG_BINS = [(0, 3), (4, 7), (8, 14), (15, 30), (31, 60), (61, 90), (91, 180), (181, 365), (366, None)]
FONT = 'font-family="sans-serif"'


def _fmt(n: float) -> str:
    return f"{int(n):,}"


def _bin_label(lo: int, hi: int | None, unit: str = "") -> str:
    if hi is None:
        return f"{_fmt(lo)}{unit}+"
    return f"{_fmt(lo)}–{_fmt(hi)}{unit}"


def _nice_max(v: int) -> int:
    """A round top of the y axis that is a multiple of 4 (four whole-number gridlines)."""
    step = max(1, math.ceil(v / 4))
    if step > 5:
        mag = 10 ** int(math.log10(step))
        step = next(m * mag for m in (1, 2, 2.5, 5, 10) if step <= m * mag)
    return int(step * 4)


def _short(n: int, lang: str) -> str:
    """1000 → 1千 / 1k; 10000 → 1万 / 10k; 1000000 → 100万 / 1M."""
    if lang == "ja":
        for unit, word in ((10**8, "億"), (10**4, "万"), (10**3, "千")):
            if n >= unit and n % unit == 0:
                return f"{n // unit}{word}"
        return f"{n:,}"
    for unit, word in ((10**6, "M"), (10**3, "k")):
        if n >= unit and n % unit == 0:
            return f"{n // unit}{word}"
    return f"{n:,}"


def _affected_label(lo: int, hi: int | None, lang: str) -> str:
    if hi is None:
        return f"{_short(lo, lang)}+"
    return f"{_short(lo, lang)}–" if lo >= 1000 else f"{lo}–{hi}"  # each bin is one power of ten


def month_range(months: list[str], limit: int = 240) -> list[str]:
    """Every month from the first to the last of ``months`` (gaps shown as empty), at most ``limit``."""
    if not months:
        return []
    y, m = map(int, months[0].split("-"))
    ly, lm = map(int, months[-1].split("-"))
    out = []
    while (y, m) <= (ly, lm) and len(out) < limit:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out if len(out) < limit else months


def vbars(bins: list[tuple[str, int]], *, label: str, color: str = "#3b6ea5", width: int = 640,
          height: int = 260) -> Markup:
    """A vertical bar chart (histograms)."""
    left, bottom, top = 48, 46, 14
    ymax = _nice_max(max([c for _, c in bins] or [1]))
    plot_w, plot_h = width - left - 10, height - bottom - top
    bw = plot_w / max(1, len(bins))
    out = [f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg" {FONT} font-size="11">']
    for k in range(5):
        v = ymax * k / 4
        y = top + plot_h - plot_h * k / 4
        out.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{_fmt(v)}</text>')
    for i, (name, c) in enumerate(bins):
        h = plot_h * c / ymax
        x = left + i * bw
        out.append(f'<rect class="bar" x="{x + 2:.1f}" y="{top + plot_h - h:.1f}" width="{max(bw - 4, 1):.1f}" '
                   f'height="{h:.1f}" fill="{color}"><title>{escape(name)}: {c:,}</title></rect>')
        if c:
            out.append(f'<text x="{x + bw / 2:.1f}" y="{top + plot_h - h - 3:.1f}" text-anchor="middle" '
                       f'fill="#333">{c:,}</text>')
        out.append(f'<text x="{x + bw / 2:.1f}" y="{height - bottom + 16}" text-anchor="middle" '
                   f'fill="#333">{escape(name)}</text>')
    out.append(f'<line x1="{left}" x2="{width - 10}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#333"/>')
    out.append("</svg>")
    return Markup("".join(out))


def hbars(items: list[tuple[str, int]], *, label: str, color: str = "#4f9d69", width: int = 640,
          data_labels: bool = False) -> Markup:
    """A horizontal bar chart (categories, vendors): one row per item, largest first.

    ``data_labels``: the names are data (vendor names), not UI words: marked ``translate="no"``."""
    mark = ' translate="no"' if data_labels else ""
    row, left, right = 24, 190, 60
    height = max(1, len(items)) * row + 10
    vmax = max([c for _, c in items] or [1])
    plot_w = width - left - right
    out = [f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {height}" '
           f'width="{width}" height="{height}" xmlns="http://www.w3.org/2000/svg" {FONT} font-size="12">']
    for i, (name, c) in enumerate(items):
        y = 5 + i * row
        w = plot_w * c / vmax if vmax else 0
        out.append(f'<text x="{left - 8}" y="{y + 16}" text-anchor="end" fill="#333"{mark}>{escape(name)}</text>'
                   f'<rect class="bar" x="{left}" y="{y + 3}" width="{max(w, 1):.1f}" height="{row - 6}" '
                   f'fill="{color}"><title{mark}>{escape(name)}: {c:,}</title></rect>'
                   f'<text x="{left + w + 6:.1f}" y="{y + 16}" fill="#333">{c:,}</text>')
    out.append("</svg>")
    return Markup("".join(out))


def stacked_months(months: list[str], series: dict[str, list[int]], labels: dict[str, str], *,
                   label: str, width: int = 1300, height: int = 300, legend: bool = True) -> Markup:
    """Bars per month, stacked one colour per series, with a legend (when ``legend``).

    Stack only series that split the count (each item in one series): the bar's height is the
    sum of its segments."""
    left, bottom, top = 48, 40, 14
    legend_rows = -(-len(series) // 6) if legend else 0
    total_h = height + legend_rows * 20
    totals = [sum(s[i] for s in series.values()) for i in range(len(months))]
    ymax = _nice_max(max(totals or [1]))
    plot_w, plot_h = width - left - 10, height - bottom - top
    bw = plot_w / max(1, len(months))
    out = [f'<svg class="chart" role="img" aria-label="{escape(label)}" viewBox="0 0 {width} {total_h}" '
           f'width="{width}" height="{total_h}" xmlns="http://www.w3.org/2000/svg" {FONT} font-size="11">']
    for k in range(5):
        y = top + plot_h - plot_h * k / 4
        out.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
                   f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="#555">{_fmt(ymax * k / 4)}</text>')
    yearly = len(months) > 24  # long ranges: one label per year, at its January
    step = max(1, math.ceil(len(months) / 12))
    for i, m in enumerate(months):
        x = left + i * bw
        y = top + plot_h
        for name, vals in series.items():
            c = vals[i]
            if not c:
                continue
            h = plot_h * c / ymax
            y -= h
            out.append(f'<rect class="bar" x="{x + 1:.1f}" y="{y:.1f}" width="{max(bw - 2, 1):.1f}" height="{h:.1f}" '
                       f'fill="{TYPE_COLOR.get(name, PALETTE[0])}"><title>{escape(m)} {escape(labels.get(name, name))}: '
                       f'{c:,}</title></rect>')
        if (m.endswith("-01") or i == 0) if yearly else i % step == 0:
            out.append(f'<text x="{x + bw / 2:.1f}" y="{top + plot_h + 16}" text-anchor="{"start" if yearly else "middle"}" '
                       f'fill="#333">{escape(m[:4] if yearly else m)}</text>')
            if yearly:
                out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + plot_h}" y2="{top + plot_h + 5}" stroke="#333"/>')
    out.append(f'<line x1="{left}" x2="{width - 10}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="#333"/>')
    for j, name in enumerate(series if legend else []):
        lx, ly = left + (j % 6) * 200, height + (j // 6) * 20
        out.append(f'<rect x="{lx}" y="{ly - 10}" width="12" height="12" fill="{TYPE_COLOR.get(name, "#999")}"/>'
                   f'<text x="{lx + 18}" y="{ly}" fill="#333" font-size="12">{escape(labels.get(name, name))}</text>')
    out.append("</svg>")
    return Markup("".join(out))


# ---------------------------------------------------------------------------- data
def affected_histogram(store: Store, filters: Filters) -> list[int]:
    """Incidents per power-of-ten bin of affected people (one indexed count per bin)."""
    base = _plain(filters)
    out = []
    for lo, hi in AFFECTED_BINS:
        out.append(store.count_incidents(Filters(**{**base, "min_affected": max(lo, filters.min_affected or 0),
                                                    "max_affected": hi if filters.max_affected is None
                                                    else min(hi or filters.max_affected, filters.max_affected)})))
    return out


def lag_histogram(store: Store, filters: Filters) -> tuple[list[int], int, int]:
    """(incidents per lag bin, unknown, n): detection to first disclosure, in days.

    The store has no lag filter or histogram, so this reads every matching incident once
    (``Store.incidents(limit=None)``); the caller memoises it per store version.
    """
    from datetime import date

    lag = [0] * len(LAG_BINS)
    n = unknown = 0
    for inc in store.incidents(filters, sort="disclosure_date", limit=None):
        n += 1
        d, p = inc.get("detected_date"), inc.get("disclosure_date")
        days = None
        try:
            if d and p:
                days = (date.fromisoformat(p[:10]) - date.fromisoformat(d[:10])).days
        except ValueError:
            days = None
        if days is None or days < 0:
            unknown += 1
            continue
        for i, (lo, hi) in enumerate(LAG_BINS):
            if lo <= days and (hi is None or days <= hi):
                lag[i] += 1
                break
    return lag, unknown, n


def _pending(label: str, lang: str) -> Markup:
    msg = i18n.t(lang, "being_counted")
    return Markup(f'<p class="pending" role="status" aria-label="{escape(label)}">{escape(msg)}</p>')


def _note(text: str) -> Markup:
    return Markup(f'<p class="pending">{escape(text)}</p>')


def chart_data(store: Store, filters: Filters) -> dict[str, Any]:
    """Everything the fast charts need (one job)."""
    st = store.stats([], filters)
    facets = store.facets(filters)
    cats = facets.get("category", [])
    with_cat = store.count_incidents(Filters(**{**_plain(filters), "category": [c for c, _ in cats]})) if cats else 0
    types = facets.get("type", [])
    with_type = store.count_incidents(Filters(**{**_plain(filters), "types": [c for c, _ in types]})) if types else 0
    return {"stats": st, "months": store.stats(["month"], filters), "types": types, "with_type": with_type,
            "affected": affected_histogram(store, filters), "categories": cats, "with_cat": with_cat,
            "vendors": facets.get("vendor", [])[:10]}


def all_charts(filters: Filters, lang: str, bg: Background, budget: float) -> list[dict[str, Any]]:
    """The five charts of the statistics page. Their data is computed in the background and
    memoised per store version; a chart whose data is not ready within ``budget`` says so."""
    t = lambda key, **kw: i18n.t(lang, key, **kw)  # noqa: E731
    fkey = tuple(sorted((k, str(v)) for k, v in _plain(filters).items() if v is not None))
    version = bg.hub.version()
    lag_job = bg.submit(("lag", version, fkey), lambda s: lag_histogram(s, filters), slow=True)
    d = bg.submit(("charts", version, fkey), lambda s: chart_data(s, filters)).result()
    charts = []
    st = d["stats"]
    n_total = st["total"]["n"]
    # incidents per month: each incident counted once (its types are the next chart)
    per_month = {g["key"]["month"]: g["n"] for g in d["months"]["groups"]}
    month_unknown = per_month.pop("unknown", 0)
    months = month_range(sorted(per_month))
    counts = [per_month.get(m, 0) for m in months]
    charts.append({"id": "per-month", "title": t("per_month"), "n": sum(counts), "unknown": month_unknown,
                   "svg": stacked_months(months, {"incidents": counts}, {"incidents": t("incidents_per_month")},
                                         label=t("per_month"), legend=False)})
    types = [(ty, k) for ty, k in d["types"] if ty]
    types.sort(key=lambda x: (-x[1], INCIDENT_TYPES.index(x[0]) if x[0] in INCIDENT_TYPES else 99))
    charts.append({"id": "types", "title": t("types_chart"), "n": d["with_type"], "unknown": None,
                   "n_text": t("n_types", k=f"{sum(k for _, k in types):,}", n=f"{d['with_type']:,}"),
                   "svg": hbars([(i18n.label(lang, "type", ty), k) for ty, k in types], label=t("types_chart"),
                                color="#3b6ea5")})
    aff = d["affected"]
    charts.append({"id": "affected", "title": t("affected_hist"), "n": sum(aff), "unknown": n_total - sum(aff),
                   "svg": vbars([(_affected_label(lo, hi, lang), c) for (lo, hi), c in zip(AFFECTED_BINS, aff, strict=True)],
                                label=t("affected_hist"))})
    cats = d["categories"]
    charts.append({"id": "categories", "title": t("categories_chart"), "n": d["with_cat"], "unknown": n_total - d["with_cat"],
                   "svg": hbars([(i18n.label(lang, "category", c), k) for c, k in cats], label=t("categories_chart"))})
    lag_unit = t("days_unit")
    try:
        lag, lag_unknown, lag_n = lag_job.result(timeout=budget)
        charts.append({"id": "lag", "title": t("lag_hist"), "n": lag_n - lag_unknown, "unknown": lag_unknown,
                       "svg": vbars([(_bin_label(lo, hi, lag_unit), c) for (lo, hi), c in zip(LAG_BINS, lag, strict=True)],
                                    label=t("lag_hist"), color="#d9822b")})
    except FutureTimeout:
        charts.append({"id": "lag", "title": t("lag_hist"), "n": None, "unknown": None,
                       "svg": _pending(t("lag_hist"), lang)})
    vendors = d["vendors"]
    charts.append({"id": "vendors", "title": t("top_vendors"), "n": sum(k for _, k in vendors), "unknown": None,
                   "n_text": t("n_vendor_links", k=f"{sum(k for _, k in vendors):,}") if vendors else None,
                   "svg": hbars(vendors, label=t("top_vendors"), color="#8064a2", data_labels=True) if vendors
                   else _note(t("no_vendors"))})
    return charts


def _plain(f: Filters) -> dict[str, Any]:
    d = asdict(f)
    d.pop("extra", None)
    return d
