"""The casebook's phrase table (``data/casebook/phrases.toml``): templates, labels, formats.

Every sentence the casebook writes is ``Phrases.t(key, **values)``: a template from the data
file filled with stored values. Dates keep the precision the store gives them (a month stays a
month); numbers are written as stored, with the notice's own qualifier and unit.
"""

from __future__ import annotations

import tomllib
from functools import cache
from typing import Any

from jikenbo.config import DATA, ConfigError

LANGS = ("ja", "en")


class Phrases:
    """The phrases of one language."""

    def __init__(self, lang: str, table: dict[str, Any]) -> None:
        self.lang = lang
        self.table = table

    def _get(self, group: str, key: str) -> Any:
        try:
            return self.table[group][key]
        except KeyError as e:
            raise ConfigError(f"casebook phrases [{self.lang}.{group}]: no {key!r}") from e

    def t(self, key: str, **values: Any) -> str:
        """The template ``key`` of ``[lang.text]`` filled with ``values``."""
        return str(self._get("text", key)).format(**values)

    def section(self, key: str) -> str:
        return str(self._get("section", key))

    def label(self, group: str, value: Any) -> str:
        """A stored value's label (the value itself when the table has none)."""
        if value is None:
            return str(self.table["value"]["none"])
        key = str(value).lower() if isinstance(value, bool) else str(value)
        return str(self.table.get(group, {}).get(key, value))

    def labels(self, group: str, values: list[Any]) -> str:
        return self.fmt("list_sep").join(self.label(group, v) for v in values)

    def fmt(self, key: str) -> Any:
        return self._get("format", key)

    def join(self, items: list[str]) -> str:
        return self.fmt("list_sep").join(items)

    # ------------------------------------------------------------------ values
    def date(self, iso: str | None, precision: str = "day", end: str | None = None) -> str | None:
        """An ISO date written at its stored precision (None when there is none)."""
        if not iso:
            return None
        try:
            y, m, d = (int(x) for x in iso[:10].split("-"))
        except ValueError:
            return iso
        key = {"month": "date_month", "year": "date_year", "approximate": "date_approx"}.get(precision, "date_day")
        out = str(self.fmt(key)).format(y=y, m=m, d=d)
        if end and end != iso:
            out = str(self.fmt("date_range")).format(start=out, end=self.date(end, precision))
        return out

    def period(self, year: int, month: int | None) -> str:
        if month is None:
            return str(self.fmt("year_period")).format(y=year)
        return str(self.fmt("month_period")).format(y=year, m=month)

    def count(self, value: int | float, unit: str | None = None, qualifier: str | None = None) -> str:
        """``最大38,400件`` / ``up to 38,400 records``: the value with the notice's unit and qualifier."""
        n = f"{int(value):,}" if float(value).is_integer() else f"{value:,}"
        u = self.table.get("unit", {}).get(unit, unit) if unit else self.fmt("default_unit")
        q = self.table.get("qualifier", {}).get(qualifier, qualifier) if qualifier else ""
        key = "count_postfix" if qualifier in self.fmt("postfix_qualifiers") else "count"
        return str(self.fmt(key)).format(value=n, unit=u, qualifier=q)


@cache
def _table() -> dict[str, Any]:
    path = DATA / "casebook" / "phrases.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as e:
        raise ConfigError(f"{path}: cannot read the casebook phrases: {e}") from e
    for lang in LANGS:
        if lang not in data:
            raise ConfigError(f"casebook phrases: no [{lang}] table")
    return data


def phrases(lang: str = "ja") -> Phrases:
    """The phrase table of ``lang`` (``ja`` or ``en``)."""
    if lang not in LANGS:
        raise ConfigError(f"language {lang!r}: expected one of {', '.join(LANGS)}")
    return Phrases(lang, _table()[lang])
