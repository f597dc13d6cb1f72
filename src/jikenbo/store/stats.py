"""Facet counts and grouped statistics over incidents.

Unknowns are counted and reported as ``unknown``, never as zero; every figure carries its ``n``.
An incident with several types (categories, authorities) counts once in each of its groups;
the ``total`` row counts each incident once.
"""

from __future__ import annotations

import contextlib
import json
import math
from typing import TYPE_CHECKING, Any

from jikenbo.store.db import StoreError
from jikenbo.store.filters import Filters, where

if TYPE_CHECKING:
    from jikenbo.store.core import Store

UNKNOWN = "unknown"
# dimension -> (SQL expression, tag kind for multi-valued dimensions)
DIMENSIONS: dict[str, tuple[str, str | None]] = {
    "month": ("i.disclosure_month", None),
    "year": ("i.disclosure_year", None),
    "type": ("t_type.value", "type"),
    "industry": ("i.industry", None),
    "category": ("t_category.value", "category"),
    "authority": ("t_authority.value", "authority"),
    "leak-status": ("i.leak_status", None),
}
FACETS = {"type": "type", "category": "category", "authority": "authority", "vendor": "vendor"}
COLUMN_FACETS = {"leak_status": "i.leak_status", "industry": "i.industry", "year": "i.disclosure_year"}


def _norm_dim(d: str) -> str:
    d = d.strip().lower().replace("_", "-")
    return {"leak": "leak-status", "types": "type", "categories": "category"}.get(d, d)


def facets(store: Store, filters: Filters, *, top: int = 30) -> dict[str, list[tuple[str, int]]]:
    sql, params = where(filters, store._words(filters.query))
    out: dict[str, list[tuple[str, int]]] = {}
    for name, kind in FACETS.items():
        if sql == "1":
            q = ("SELECT value, count(*) AS n FROM incident_tags WHERE kind = ? AND value != '' "
                 "GROUP BY value ORDER BY n DESC, value LIMIT ?")
            rows = store._q(q, [kind, top])
        else:
            q = (f"SELECT t.value, count(*) AS n FROM incident_tags t "
                 f"JOIN incidents i ON i.pk = t.incident_pk WHERE t.kind = ? AND t.value != '' AND {sql} "
                 f"GROUP BY t.value ORDER BY n DESC, t.value LIMIT ?")
            rows = store._q(q, [kind, *params, top])
        out[name] = [(r[0], int(r[1])) for r in rows]
    for name, col in COLUMN_FACETS.items():
        rows = store._q(f"SELECT {col} AS v, count(*) AS n FROM incidents i WHERE {sql} "
                        f"GROUP BY v ORDER BY n DESC, v LIMIT ?", [*params, top])
        out[name] = [(r[0] if r[0] is not None else UNKNOWN, int(r[1])) for r in rows]
    return out


def percentile(values: list[int], q: float) -> float | int | None:
    """Nearest-rank percentile of sorted ``values`` (None when there are none)."""
    if not values:
        return None
    k = max(0, math.ceil(q * len(values)) - 1)
    return values[k]


def _sorted_median(values: list[int]) -> float | int:
    """``statistics.median`` of ``values`` that are sorted already (it would sort a copy)."""
    k = len(values) // 2
    return values[k] if len(values) % 2 else (values[k - 1] + values[k]) / 2


def _figures(n: int, n_a: int, sum_a: Any, median_a: Any, n_l: int, median_l: Any, p90_l: Any) -> dict:
    """One group's figures as ``stats`` reports them (every known count with its unknowns)."""
    return {
        "n": n,
        "affected": {"n": n_a, "unknown": n - n_a, "sum": sum_a, "median": median_a},
        "lag_days": {"n": n_l, "unknown": n - n_l, "median": median_l, "p90": p90_l},
    }


def _summary(affected: list[int], lags: list[int], n: int) -> dict:
    """The figures of a group's shipped values (``n`` incidents, the known ones given)."""
    affected.sort()
    lags.sort()
    return _figures(n, len(affected), sum(affected) if affected else None,
                    _sorted_median(affected) if affected else None,
                    len(lags), _sorted_median(lags) if lags else None, percentile(lags, 0.9))


def _ints(joined: str | None) -> list[int]:
    """The integers of a ``group_concat`` (NULLs are left out by SQLite); read as a JSON array,
    ~3× faster than ``int`` on each piece (a million values at 1M incidents)."""
    if joined is None:
        return []
    if isinstance(joined, str) and not joined.translate(_INT_TEXT):  # digits, commas and minus signs only
        with contextlib.suppress(ValueError):
            return json.loads(f"[{joined}]")
    return list(map(int, str(joined).split(",")))


_INT_TEXT = str.maketrans("", "", "0123456789,-")


def _nth(store: Store, col: str, k: int) -> int:
    return store._q(f"SELECT {col} FROM incidents WHERE {col} IS NOT NULL ORDER BY {col} LIMIT 1 OFFSET ?",
                    (k,))[0][0]


def _median(store: Store, col: str, n: int) -> float | int | None:
    if not n:
        return None
    if n % 2:
        return _nth(store, col, n // 2)
    return (_nth(store, col, n // 2 - 1) + _nth(store, col, n // 2)) / 2  # as statistics.median


def _total_by_index(store: Store) -> dict:
    """The all-incidents summary from indexes (affected_total, lag_days): counts and a sum in one
    pass, each median / p90 by an offset into the column's index; as ``_summary`` computes it."""
    n, n_a, s_a, n_l = store._q("SELECT count(*), count(affected_total), sum(affected_total),"
                                " count(lag_days) FROM incidents")[0]
    return _figures(n, n_a, s_a if n_a else None, _median(store, "affected_total", n_a),
                    n_l, _median(store, "lag_days", n_l),
                    _nth(store, "lag_days", max(0, math.ceil(0.9 * n_l) - 1)) if n_l else None)


def _exact_median(m: Any, k: int) -> float | int | None:
    """A server's ``percentile_cont(0.5)`` of ``k`` integers as ``statistics.median`` gives it:
    the middle value (an int) for odd ``k``, the mean of the two middle ones (a float) for even."""
    if not k:
        return None
    return int(m) if k % 2 else float(m)


def _server_summary(tail: Any, n: int) -> dict:
    """``_summary`` of a group from the server's aggregates (``backend.summary_select``)."""
    n_a, s_a, m_a, n_l, m_l, p90_l = tail
    n_a, n_l = int(n_a), int(n_l)
    return _figures(n, n_a, int(s_a) if n_a else None, _exact_median(m_a, n_a),
                    n_l, _exact_median(m_l, n_l), int(p90_l) if n_l else None)


def stats(store: Store, by: list[str], filters: Filters) -> dict[str, Any]:
    """Per group of ``by``: incidents, affected (known, unknown, sum, median) and lag (median,
    p90). SQLite ships each group's values here (``group_concat``) to be sorted; a backend with
    ordered-set aggregates (``summary_select``: PostgreSQL) computes the same figures itself."""
    dims = [_norm_dim(d) for d in by]
    for d in dims:
        if d not in DIMENSIONS:
            raise StoreError(f"--by {d}: expected one of {', '.join(DIMENSIONS)}")
    if len(set(dims)) != len(dims):
        raise StoreError("--by: each dimension at most once")
    sql, params = where(filters, store._words(filters.query))
    server = getattr(store.backend, "summary_select", None)
    tag_dims = [d for d in dims if DIMENSIONS[d][1]]
    if sql == "1" and len(tag_dims) == 1 and set(dims) - set(tag_dims) <= {"month", "year"}:
        # one table in key order (kind, value, month): incident_tags carries month, affected, lag;
        # neither column is ever NULL there ('' is unknown), so each key is one group
        kind = DIMENSIONS[tag_dims[0]][1]
        exprs = {"month": "t.month", "year": "substr(t.month, 1, 4)", tag_dims[0]: "t.value"}
        cols = [exprs[d] for d in dims]
        aggs = (server("t.affected_total", "t.lag_days") if server
                else "group_concat(t.affected_total), group_concat(t.lag_days)")
        # the server groups in key order (value, then month): rows straight from the key, no sort
        grouped = ([exprs[tag_dims[0]]] + [c for c in cols if c != exprs[tag_dims[0]]]) if server else cols
        q = (f"SELECT {', '.join(cols)}, count(*), {aggs} FROM incident_tags t WHERE t.kind = ?"
             f" GROUP BY {', '.join(grouped)}")
        qparams: list[Any] = [kind]
    else:
        joins = []
        cols = []
        for d in dims:
            expr, kind = DIMENSIONS[d]
            if kind:
                joins.append(f"LEFT JOIN incident_tags t_{kind} ON t_{kind}.incident_pk = i.pk "
                             f"AND t_{kind}.kind = '{kind}'")
            # NULL and '' are both unknown: one group when the server summarises it
            cols.append(f"nullif({expr}, '')" if server else expr)
        group = f" GROUP BY {', '.join(cols)}" if cols else ""
        aggs = (server("i.affected_total", "i.lag_days") if server
                else "group_concat(i.affected_total), group_concat(i.lag_days)")
        q = (f"SELECT {''.join(c + ', ' for c in cols)}count(*), {aggs}"
             f" FROM incidents i {' '.join(joins)} WHERE {sql}{group}")
        qparams = params
    nd = len(dims)
    groups: dict[tuple, Any] = {}
    for row in store._q(q, qparams):
        if not row[nd]:
            continue
        key = tuple(UNKNOWN if v is None or v == "" else v for v in row[:nd])
        if server:
            if key in groups:  # cannot happen (see the GROUP BY); never merge summaries silently
                raise StoreError(f"stats: group {key} returned twice")
            groups[key] = _server_summary(tuple(row[nd + 1:nd + 7]), int(row[nd]))
            continue
        g = groups.get(key)
        if g is None:
            g = groups[key] = [[], [], 0]  # known affected, known lags, incidents
        g[0] += _ints(row[nd + 1])
        g[1] += _ints(row[nd + 2])
        g[2] += row[nd]
    rows = []
    for key in sorted(groups, key=lambda k: tuple((v == UNKNOWN, str(v)) for v in k)):
        g = groups[key]
        summary = g if server else _summary(*g)
        rows.append({"key": dict(zip(dims, key, strict=True)), **summary})
    if sql == "1" and (tag_dims or server):
        total = _total_by_index(store)  # at 1M: 0.15-0.25 s on PostgreSQL, its percentiles 0.3-0.45 s
    elif server:
        n, *tail = store._q(f"SELECT count(*), {server('i.affected_total', 'i.lag_days')}"
                            f" FROM incidents i WHERE {sql}", params)[0]
        total = _server_summary(tail, int(n))
    elif tag_dims:
        n, a, lg = store._q("SELECT count(*), group_concat(i.affected_total), group_concat(i.lag_days)"
                            f" FROM incidents i WHERE {sql}", params)[0]
        total = _summary(_ints(a), _ints(lg), n)
    else:
        total = _summary([a for g in groups.values() for a in g[0]], [x for g in groups.values() for x in g[1]],
                         sum(g[2] for g in groups.values()))
    return {"by": dims, "groups": rows, "total": total,
            "note": "unknown = not stated; an incident with several values of a multi-valued "
                    "dimension counts in each; lag = detection to first disclosure, days"}


def vendor_groups(store: Store, filters: Filters) -> list[dict[str, Any]]:
    """Vendor groups among the incidents passing ``filters``: per third party (vendor key) its
    name, how many of those incidents name it (``n``), how many in the whole store (``total``)
    and the group's first disclosure in the whole store (``first_disclosed``); most named first."""
    sql, params = where(filters, store._words(filters.query))
    rows = store._q(f"SELECT t.value, count(*) FROM incident_tags t JOIN incidents i ON i.pk = t.incident_pk"
                    f" WHERE t.kind = 'vendor' AND t.value != '' AND {sql} GROUP BY t.value", params)
    out = []
    for key, n in rows:
        total, first = store._q("SELECT count(*), min(i.disclosure_date) FROM incident_tags t JOIN incidents i"
                                " ON i.pk = t.incident_pk WHERE t.kind = 'vendor' AND t.value = ?", (key,))[0]
        name = store._q("SELECT name FROM third_parties WHERE key = ?", (key,))
        out.append({"key": key, "name": name[0][0] if name else key, "n": int(n), "total": int(total),
                    "first_disclosed": first})
    return sorted(out, key=lambda g: (-g["n"], -g["total"], g["key"]))
