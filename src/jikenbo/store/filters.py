"""Filters over incidents and the SQL ``WHERE`` they become (alias ``i`` = incidents)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from jikenbo import link
from jikenbo.config import lexicon


class FilterError(ValueError):
    """A filter value the user gave cannot be understood (one line)."""


StrOrSeq = str | Sequence[str] | None


@dataclass(frozen=True)
class Filters:
    """What to select. Every field is optional; list-valued ones match any of their values.

    :param since: first disclosure on or after ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``
    :param until: first disclosure on or before (the whole year / month when given so)
    :param year: the first disclosure's year
    :param types: incident types (any of)
    :param leak_status: ``confirmed`` … ``unknown`` (any of)
    :param min_affected: ``affected_total`` at least (unknown counts excluded)
    :param max_affected: ``affected_total`` at most
    :param category: data categories (any of)
    :param sensitive: 要配慮個人情報 involved (True / False)
    :param card: payment-card data involved
    :param organization: organisation name (key or alias, or part of the key)
    :param vendor: a third party named by one of the incident's notices
    :param authority: reported to (``ppc``, ``police``, ``jipdec``, ``ministry``; any of)
    :param industry: JSIC 大分類 name (any of; part of the name matches)
    :param query: full-text query the incident's notices must match
    """

    since: str | None = None
    until: str | None = None
    year: int | str | None = None
    types: StrOrSeq = None
    leak_status: StrOrSeq = None
    min_affected: int | None = None
    max_affected: int | None = None
    category: StrOrSeq = None
    sensitive: bool | None = None
    card: bool | None = None
    organization: str | None = None
    vendor: str | None = None
    authority: StrOrSeq = None
    industry: StrOrSeq = None
    query: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)


def _seq(v: StrOrSeq) -> list[str]:
    if v is None:
        return []
    if isinstance(v, str):
        return [x.strip() for x in v.split(",") if x.strip()]
    return [str(x) for x in v if str(x).strip()]


_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?$")


def date_bounds(value: str, what: str) -> tuple[str, str]:
    """``2024`` → (2024-01-01, 2024-12-31); ``2024-05`` → the month; a day → that day."""
    m = _DATE.match(value.strip())
    if not m:
        raise FilterError(f"{what} {value!r}: expected YYYY, YYYY-MM or YYYY-MM-DD")
    y, mo, d = int(m[1]), m[2], m[3]
    try:
        if mo is None:
            return f"{y:04d}-01-01", f"{y:04d}-12-31"
        mi = int(mo)
        first = date(y, mi, 1)
        if d is None:
            nxt = date(y + (mi == 12), mi % 12 + 1, 1)
            return first.isoformat(), (nxt - timedelta(days=1)).isoformat()
        day = date(y, mi, int(d)).isoformat()
        return day, day
    except ValueError as e:
        raise FilterError(f"{what} {value!r}: not a date ({e})") from e


def _tag(kind: str, values: list[str], params: list[Any], correlated: bool = False) -> str:
    params.append(kind)
    params.extend(values)
    marks = ",".join("?" * len(values))
    if correlated:  # probe each row (index incident_tags_incident): for few rows or common values
        return (f"EXISTS (SELECT 1 FROM incident_tags t WHERE t.incident_pk = i.pk AND t.kind = ?"
                f" AND t.value IN ({marks}))")
    return f"i.pk IN (SELECT incident_pk FROM incident_tags WHERE kind = ? AND value IN ({marks}))"


def tag_filters(f: Filters) -> list[tuple[str, list[str]]]:
    """The tag filters of ``f`` as (kind, values)."""
    out = [(k, _seq(v)) for k, v in (("type", f.types), ("category", f.category), ("authority", f.authority))]
    if f.vendor and link.vendor_key(f.vendor):
        out.append(("vendor", [link.vendor_key(f.vendor)]))
    return [(k, v) for k, v in out if v]


def where(f: Filters, fts_words: str | None = None, *, correlated: bool = False,
          probe_tags: bool | None = None) -> tuple[str, list[Any]]:
    """``(sql, params)`` for a WHERE clause over ``incidents i`` ("1" when nothing is filtered).

    ``correlated``: tag filters probe each incident (``EXISTS``) instead of selecting the tag's
    incidents first (``IN``): better when few incidents are looked at (search's top k) or when
    the tag values are common and another index or the sort order drives the query.
    ``probe_tags`` (default: ``correlated``) sets this for the tag filters alone; organisation
    and industry parts are then still read from their indexes.
    """
    tags_corr = correlated if probe_tags is None else probe_tags
    parts: list[str] = []
    params: list[Any] = []
    if f.since:
        lo, _ = date_bounds(f.since, "--since")
        parts.append("i.disclosure_date >= ?")
        params.append(lo)
    if f.until:
        _, hi = date_bounds(f.until, "--until")
        parts.append("i.disclosure_date <= ?")
        params.append(hi)
    if f.year:
        parts.append("i.disclosure_year = ?")
        params.append(str(f.year))
    if types := _seq(f.types):
        parts.append(_tag("type", types, params, tags_corr))
    if statuses := _seq(f.leak_status):
        parts.append(f"i.leak_status IN ({','.join('?' * len(statuses))})")
        params.extend(statuses)
    if f.min_affected is not None:
        parts.append("i.affected_total >= ?")
        params.append(int(f.min_affected))
    if f.max_affected is not None:
        parts.append("i.affected_total <= ?")
        params.append(int(f.max_affected))
    if cats := _seq(f.category):
        parts.append(_tag("category", cats, params, tags_corr))
    if f.sensitive is not None:
        parts.append("i.sensitive = ?")
        params.append(int(bool(f.sensitive)))
    if f.card is not None:
        parts.append("i.payment_card = ?")
        params.append(int(bool(f.card)))
    if auths := _seq(f.authority):
        parts.append(_tag("authority", auths, params, tags_corr))
    if f.organization:
        key = link.org_key(f.organization)
        if not key:
            raise FilterError(f"--org {f.organization!r}: no organisation name left after normalising")
        # part of a key: per row when rows are probed, else over index incidents_org_key alone
        part = ("instr(i.org_key, ?) > 0" if correlated else
                "i.pk IN (SELECT pk FROM incidents WHERE instr(org_key, ?) > 0)")
        parts.append(
            "(i.org_key = ? OR i.organization_id IN "
            f"(SELECT organization_id FROM organization_aliases WHERE alias_key = ?) OR {part})"
        )
        params.extend([key, key, key])
    if f.vendor:
        vkey = link.vendor_key(f.vendor)
        if not vkey:
            raise FilterError(f"--vendor {f.vendor!r}: no name left after normalising")
        # a spelling variant names the vendor too: ProCX → NTTマーケティングアクトProCX
        keys = ("(SELECT ? UNION SELECT key FROM third_parties WHERE length(?) >= 3 AND instr(key, ?) > 0"
                " AND length(key) <= length(?) + 20)")
        tag = (f"EXISTS (SELECT 1 FROM incident_tags t WHERE t.incident_pk = i.pk AND t.kind = 'vendor'"
               f" AND t.value IN {keys})" if tags_corr else
               f"i.pk IN (SELECT incident_pk FROM incident_tags WHERE kind = 'vendor' AND value IN {keys})")
        parts.append(f"({tag} OR i.org_key = ? OR i.org_key IN {keys})")
        params.extend([vkey] * 4 + [link.org_key(f.vendor)] + [vkey] * 4)
    if inds := [_industry_name(x) for x in _seq(f.industry)]:
        any_of = " OR ".join("instr(industry, ?) > 0" for _ in inds)
        parts.append(f"({any_of.replace('industry', 'i.industry')})" if correlated else
                     f"i.pk IN (SELECT pk FROM incidents WHERE {any_of})")  # over incidents_industry
        params.extend(inds)
    if fts_words:
        parts.append(
            "i.pk IN (SELECT n.incident_pk FROM notices_words w JOIN notices n ON n.pk = w.rowid "
            "WHERE notices_words MATCH ? AND n.superseded = 0)"
        )
        params.append(fts_words)
    return (" AND ".join(parts) or "1"), params


def _industry_name(value: str) -> str:
    """A JSIC 大分類 name, or part of one, for an English alias (``medical`` → 医療,福祉)."""
    want = value.strip().lower()
    for rule in lexicon("industry")["rule"]:
        if want in (a.lower() for a in rule.get("aliases", [])):
            return str(rule["industry"])
    return value
