"""casebook: the incident store written out as a casebook (事件簿).

An entry per incident and a month's or a year's report, in Markdown, HTML or PDF. Every
sentence is a template from ``data/casebook/phrases.toml`` (Japanese, with an English variant)
filled with stored values, with a note to the notice and passage it came from::

    entry(store, incident_id, lang="ja") -> Casebook
    report(store, "2025-06" | "2024", by=("type", "industry"), lang="ja") -> Casebook
    render(casebook, "md" | "html" | "pdf") -> str | bytes

Reads through the store's public API only.
"""

from __future__ import annotations

from jikenbo.casebook.entry import write_entry
from jikenbo.casebook.model import Casebook
from jikenbo.casebook.render import FORMATS, render
from jikenbo.casebook.report import REPORT_DIMS, Period, write_report
from jikenbo.casebook.sources import CasebookError, load
from jikenbo.store import Store

__all__ = ["FORMATS", "REPORT_DIMS", "Casebook", "CasebookError", "Period", "entry", "render", "report"]


def entry(store: Store, incident_id: str, *, lang: str = "ja") -> Casebook:
    """The entry of one stored incident.

    :raises CasebookError: no such incident
    """
    return write_entry(load(store, incident_id), lang)


def report(store: Store, period: str, *, by: tuple[str, ...] | list[str] = (), lang: str = "ja",
           charts: bool = True) -> Casebook:
    """The casebook of a month (``YYYY-MM``) or a year (``YYYY``).

    :param by: the breakdowns to show (default: type, industry, leak-status, category)
    :raises CasebookError: a period that is not YYYY or YYYY-MM, an unknown breakdown
    """
    return write_report(store, Period.parse(period), by=tuple(by), lang=lang, charts=charts)
