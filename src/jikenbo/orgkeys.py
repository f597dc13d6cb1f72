"""Comparable keys of organisation and vendor names, and how two names relate.

Split out of :mod:`jikenbo.link` (which re-exports :func:`org_key`, :func:`vendor_key`,
:func:`org_relation`, :func:`org_base_key`). Rules and word lists: ``lexicon/link.toml``
(``[org]``, ``[vendor]``, ``[places]``) and ``lexicon/org_aliases.toml``.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from typing import Any

from jikenbo.config import lexicon
from jikenbo.text.normalize import nfkc


def _lower(s: str) -> str:
    return nfkc(s).lower()


@cache
def _link_lex() -> dict[str, Any]:
    return lexicon("link")


@cache
def _org_rules() -> tuple[tuple[str, ...], re.Pattern[str], re.Pattern[str]]:
    org = _link_lex()["org"]
    designators = tuple(sorted({_lower(d) for d in org["designators"]}, key=len, reverse=True))
    latin = sorted({_lower(d) for d in org["latin_designators"]}, key=len, reverse=True)
    latin_re = re.compile(
        r"(?<![a-z0-9])(?:" + "|".join(re.escape(d) for d in latin) + r")(?![a-z0-9])"
    )
    punct = "".join(re.escape(_lower(p)) for p in org["punctuation"])
    punct_re = re.compile(r"[\s" + punct + r"]+")
    return designators, latin_re, punct_re


@lru_cache(maxsize=65536)
def _basic_key(name: str | None) -> str:
    if not name:
        return ""
    s = _lower(name)
    designators, latin_re, punct_re = _org_rules()
    for d in designators:
        s = s.replace(d, " ")
    s = latin_re.sub(" ", s)
    return punct_re.sub("", s)


@cache
def _alias_map(table: str) -> dict[str, str]:
    data = lexicon("org_aliases").get(table, {})
    out: dict[str, str] = {}
    for canonical, others in data.items():
        ck = _basic_key(canonical)
        out[ck] = ck
        for o in others:
            out.setdefault(_basic_key(o), ck)
    return out


@lru_cache(maxsize=65536)
def org_key(name: str | None) -> str:
    """Comparable key of an organisation name: ``(株)ＰＲ ＴＩＭＥＳ`` → ``prtimes``.

    NFKC, lower case, corporate designators, spaces and punctuation removed, then the alias
    table (``org_aliases.toml`` ``[organizations]``) maps other names to the canonical one.
    """
    k = _basic_key(name)
    return _alias_map("organizations").get(k, k)


@lru_cache(maxsize=16384)
def vendor_key(name: str | None) -> str:
    """Comparable key of a third party (vendor, cloud service): ``Dropbox Sign`` → ``dropbox``.

    Designators, a trailing 社 and a leading descriptive clause (…である) are dropped; the
    ``[vendors]`` alias table of ``org_aliases.toml`` maps product names to the vendor.
    """
    if name:
        for cue in _link_lex()["vendor"]["lead_cues"]:
            if cue in name:
                name = name.rsplit(cue, 1)[1]
    k = _basic_key(name)
    if not k:
        return ""
    aliases = _alias_map("vendors")
    if k in aliases:
        return aliases[k]
    for suf in sorted({_lower(s) for s in _link_lex()["vendor"]["suffixes"]}, key=len, reverse=True):
        if k.endswith(suf) and len(k) > len(suf) + 1:
            k = k[: -len(suf)]
            break
    if k in aliases:
        return aliases[k]
    org = _alias_map("organizations")
    return org.get(k, k)


@cache
def _affixes() -> tuple[tuple[str, ...], tuple[str, ...]]:
    lex = _link_lex()["org"]
    generic = tuple(sorted({_basic_key(w) for w in lex["generic_affixes"]} - {""}, key=len, reverse=True))
    distinct = tuple(sorted({_basic_key(w) for w in lex["distinguishing_words"]} - {""}))
    return generic, distinct


@cache
def _prefecture_keys() -> frozenset[str]:
    return frozenset(_basic_key(p) for p in _link_lex()["places"]["prefectures"])


@cache
def _municipal_keys() -> tuple[str, ...]:
    return tuple(_basic_key(p) for p in _link_lex()["places"]["municipal_suffixes"])


def org_relation(a: str, b: str) -> str:
    """How two org keys relate: ``same``, ``generic``, ``weak`` or ``none``.

    ``generic``: one key starts or ends with the other (both ≥ 3 characters) and the rest is
    generic (ホールディングス, グループ …); ``weak``: the rest is something else, but no word
    that names another business (電機, 商事 …: then ``none``).
    """
    if not a or not b:
        return "none"
    if a == b:
        return "same"
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) < 3:
        return "none"
    if long_.startswith(short):
        rest = long_[len(short):]
    elif long_.endswith(short):
        rest = long_[: -len(short)]
    else:
        return "none"
    if rest.isdigit():
        return "none"  # 第2さくら / さくら2: numbered names are other bodies
    if long_.startswith(rest) and rest in _prefecture_keys() and short.endswith(_municipal_keys()):
        return "generic"  # 兵庫県尼崎市 / 尼崎市
    generic, distinct = _affixes()
    left = rest
    for w in generic:
        left = left.replace(w, "")
    if not left:
        return "generic"
    if any(w in rest for w in distinct):
        return "none"
    return "weak"


def org_base_key(name: str | None) -> str:
    """:func:`org_key` without generic affixes (ホールディングス, グループ …) at its ends.

    Two names whose keys relate as ``generic`` share this key, so a store can find such
    candidates with one indexed lookup.
    """
    k = org_key(name)
    generic, _ = _affixes()
    changed = True
    while changed and k:
        changed = False
        for w in generic:
            if k.endswith(w) and len(k) - len(w) >= 3:
                k, changed = k[: -len(w)], True
            elif k.startswith(w) and len(k) - len(w) >= 3:
                k, changed = k[len(w):], True
    return k


