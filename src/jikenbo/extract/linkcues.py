"""Evidence for linking notices into incidents, read from a notice's text.

What :mod:`jikenbo.link` needs beyond the contract fields: other names the notice gives its
organisation (「宇宙航空研究開発機構(JAXA)」, 「…(以下「X社」という)」), organisations announcing
jointly (「AとBは…発表」), the contractor or service where it happened (委託先, 受託者,
「X社への不正アクセスにより」, 「Xが運用する…への不正アクセス」), the systems and services it
names (「ClassPad.net」, NUTS, M365), announcements it reports (「10月8日に第1報」), the years it
names and a date in its URL. Cue patterns live in ``lexicon/link.toml`` ``[cues]``.

Pure: :func:`link_cues` maps (normalised text, organisation, URL) to Record fields.
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any

from jikenbo.config import lexicon
from jikenbo.link import org_key, org_relation, vendor_key
from jikenbo.text.normalize import nfkc

_NAME_CHARS = r"[\u4e00-\u9fff\u30a1-\u30faー々〆ヶA-Za-z0-9&.・＆\-]"
_NAME = _NAME_CHARS + r"{2,40}"
_IS_NAME_CHAR = re.compile(_NAME_CHARS)
_NAME_KANA = r"[\u3041-\u3096\u4e00-\u9fff\u30a1-\u30faー々〆ヶA-Za-z0-9&.・＆\-]{2,40}?"
_DESIGNATOR = ("株式会社", "(株)", "有限会社", "合同会社")
_LATIN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z][A-Za-z0-9]*(?:[.+\-][A-Za-z0-9]+)*(?![A-Za-z0-9])")
_QUOTED = re.compile(r"[「『]([^「」『』。\n]{2,25})[」』]")
_COMPANY_LIKE = re.compile(r"株式会社|\(株\)|社$|Inc|Corp|Ltd", re.I)
_URL_TEXT = re.compile(r"https?://\S+|www\.\S+|\S+@\S+")
_ABBR = re.compile(r"(" + _NAME + r")\((?P<abbr>[A-Z][A-Za-z0-9&]{1,11})(?:[、,)]|\s)")
_YEAR4 = re.compile(r"(?<!\d)((?:19|20)\d{2})(?:年|[./-]\d{1,2}[./-]\d{1,2})")
_YEAR2 = re.compile(r"(?<![\d年成和昭正約])(\d{2})年(?=度|\d{1,2}月|に入)")
_ERA = re.compile(r"(令和|平成)(元|\d{1,2})年")
_URL_DATE = re.compile(r"(?<!\d)((?:19|20)\d{2})[/_\-]?(0[1-9]|1[0-2])[/_\-]?(0[1-9]|[12]\d|3[01])(?!\d{1,3}(?:\D|$))")


@cache
def _cues() -> dict[str, Any]:
    c = lexicon("link")["cues"]
    return {
        "alias_after": [re.compile(p) for p in c["alias_after"]],
        "vendor_after": [re.compile(p) for p in c["vendor_after"]],
        "vendor_before": [re.compile(p) for p in c["vendor_before"]],
        "owner_after": list(c["service_owner_after"]),
        "owner_before": list(c["service_owner_before"]),
        "joint": [re.compile(p.replace("NAME", _NAME_KANA), re.M) for p in c["joint"]],
        "announced": [re.compile(p) for p in c["announced"]],
        "not_names": frozenset(nfkc(w) for w in c["not_names"]),
        "lead_words": tuple(sorted((nfkc(w) for w in c["lead_words"]), key=len, reverse=True)),
        "common_latin": frozenset(w.lower() for w in c["common_latin"]),
        "own_words": tuple(nfkc(w) for w in c["own_words"]),
    }


def _clean_name(name: str) -> str | None:
    cues = _cues()
    name = name.strip(" ・.-&")
    changed = True
    while changed:
        changed = False
        for w in cues["lead_words"]:
            if name.startswith(w) and len(name) > len(w) + 1:
                name, changed = name[len(w):], True
    if len(name) < 2 or name in cues["not_names"] or not vendor_key(name):
        return None
    if any(c in name for c in "。、()") or len(re.findall(r"[ぁ-ん]", name)) > 8:
        return None
    if any(name.startswith(w) for w in cues["own_words"]):
        return None
    if re.fullmatch(r"[\d.\-]+|[ぁ-ん]+", name) or len(vendor_key(name)) < 2:
        return None
    if any(name.endswith(w) for w in ("市", "県", "区", "町", "村", "都", "府")) and len(name) <= 3:
        return None
    return name


def _name_before(text: str, end: int, *, quoted: bool = True) -> str | None:
    """The organisation name that ends at ``end`` (a 「quoted」 one, or a run of name characters);
    ``quoted=False``: a quoted name only when it is a company's (株式会社…, …社)."""
    if end > 0 and text[end - 1] in "」』":
        start = max(text.rfind("「", 0, end), text.rfind("『", 0, end))
        name = _clean_name(text[start + 1:end - 1]) if start >= 0 and end - start <= 42 else None
        if name and not quoted and not _COMPANY_LIKE.search(name):
            return None
        return name
    i = end
    while i > 0 and _IS_NAME_CHAR.match(text[i - 1]) and end - i < 40:
        i -= 1
    j = i
    while j > 0 and "\u3041" <= text[j - 1] <= "\u3096" and i - j < 12:
        j -= 1  # hiragana in a name only right after a designator: 株式会社みなもとテック
    if j < i and text[:j].endswith(_DESIGNATOR):
        i = j - next(len(d) for d in _DESIGNATOR if text[:j].endswith(d))
    return _clean_name(text[i:end]) if end - i >= 2 else None


def _name_after(text: str, start: int) -> str | None:
    """The organisation name that starts at ``start``."""
    if start < len(text) and text[start] in "「『":
        close = text.find("」" if text[start] == "「" else "』", start)
        return _clean_name(text[start + 1:close]) if 0 < close - start <= 42 else None
    i = start
    designated = text.startswith(_DESIGNATOR, start)
    while i < len(text) and i - start < 40:
        ch = text[i]
        if _IS_NAME_CHAR.match(ch):
            i += 1
        elif designated and "\u3041" <= ch <= "\u3096" and (
                i == start or "\u3041" <= text[i - 1] <= "\u3096" or text[start:i].endswith(_DESIGNATOR)):
            i += 1  # hiragana after a designator, until a particle after other characters
        else:
            break
    return _clean_name(text[start:i]) if i - start >= 2 else None


def _relates(name: str, organization: str | None) -> bool:
    a, b = org_key(name), org_key(organization)
    return bool(a and b) and (a == b or org_relation(a, b) in ("same", "generic", "weak")
                              or (len(a) >= 3 and len(b) >= 3 and (a in b or b in a)))


def _alias_pairs(text: str) -> list[tuple[str, str]]:
    """(full name, other name) pairs the text states."""
    out = []
    for m in _ABBR.finditer(text):
        full = _clean_name(m.group(1))
        if full and m.group("abbr").lower() not in _cues()["common_latin"]:
            out.append((full, m.group("abbr")))
    for pat in _cues()["alias_after"]:
        for m in pat.finditer(text):
            full = _name_before(text, m.start())
            alias = m.group("alias").strip()
            if full and alias and _clean_name(alias):
                out.append((full, alias))
    return out


def _years(text: str) -> list[int]:
    years = {int(m.group(1)) for m in _YEAR4.finditer(text)}
    years |= {2000 + int(m.group(1)) for m in _YEAR2.finditer(text) if int(m.group(1)) <= 40}
    for m in _ERA.finditer(text):
        n = 1 if m.group(2) == "元" else int(m.group(2))
        years.add((2018 if m.group(1) == "令和" else 1988) + n)
    return sorted(y for y in years if 1990 <= y <= 2040)


def url_date(url: str | None) -> str | None:
    """A date in a URL's path (``/2023/12/19/``, ``20241015-…``), or None."""
    if not url:
        return None
    path = url.split("://", 1)[-1]
    path = path.split("/", 1)[1] if "/" in path else ""
    for m in _URL_DATE.finditer(path):
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        except ValueError:
            continue
    return None


def _dedupe(names: list[str]) -> list[str]:
    """Names in order of first mention, one per vendor key, dropping a name another one contains."""
    keys: dict[str, str] = {}
    for n in names:
        k = vendor_key(n)
        if k and k not in keys:
            keys[k] = n
    return [n for k, n in keys.items() if not any(k != o and k in o for o in keys)]


def link_cues(text: str, organization: str | None, url: str | None = None) -> dict[str, Any]:
    """Linking evidence of one notice: keyword arguments for :class:`jikenbo.models.Record`."""
    cues = _cues()
    text = nfkc(text or "")
    plain = _URL_TEXT.sub(" ", text)
    pairs = _alias_pairs(plain)
    aliases: list[str] = []
    expand: dict[str, str] = {}  # another organisation's short name → its full name
    own_names = {nfkc(organization).lower()} if organization else set()
    for full, other in pairs:
        if organization and (_relates(full, organization) or _relates(other, organization)):
            own_names |= {nfkc(full).lower(), nfkc(other).lower()}
        if organization and _relates(full, organization):
            aliases += [n for n in (full, other) if org_key(n) != org_key(organization)]
        elif organization and _relates(other, organization):
            aliases.append(full)
        else:
            expand[vendor_key(other)] = full

    aliases += _fuller_names(plain, organization)

    def resolve(name: str) -> str:
        return expand.get(vendor_key(name), name)

    own = [organization, *aliases] if organization else aliases

    def is_own(name: str) -> bool:
        return any(_relates(name, o) for o in own if o)

    co: list[str] = []
    for pat in cues["joint"]:
        for m in pat.finditer(plain):
            a, b = _clean_name(m.group("a")), _clean_name(m.group("b"))
            if a and b:
                if is_own(a) and not is_own(b):
                    co.append(resolve(b))
                elif is_own(b) and not is_own(a):
                    co.append(resolve(a))
                elif not organization:
                    co += [a, b]
    vendors: list[str] = []
    for pat in cues["vendor_after"]:
        for m in pat.finditer(plain):
            n = _name_before(plain, m.start(), quoted=False)
            if n and not is_own(n):
                vendors.append(resolve(n))
    for pat in cues["vendor_before"]:
        for m in pat.finditer(plain):
            n = _name_after(plain, m.end())
            if n and not is_own(n):
                vendors.append(resolve(n))
    vendors = [_service_owner(plain, v) or v for v in vendors]
    mentioned = [resolve(n) for n in _mentions(plain) if not is_own(n)]

    own_keys = {org_key(o) for o in own if o}
    systems: list[str] = []
    own_names |= {nfkc(o).lower() for o in own if o}
    for m in _QUOTED.finditer(plain):
        s = m.group(1).strip()
        if len(re.findall(r"[ぁ-ん]", s)) > 2 and not re.fullmatch(r"[ぁ-ん]{2,6}", s):
            continue  # a quoted remark, not a name
        k = org_key(s)
        if k and not any(o and (o in k or k in o) for o in own_keys) and not _relates(s, organization):
            systems.append(s)
    for m in _LATIN.finditer(plain):
        w = m.group(0)
        lw = w.lower()
        if (len(lw) < 3 and not re.search(r"\d", lw)) or lw in cues["common_latin"]:
            continue
        if any(lw in o for o in own_keys | own_names) or any(lw in org_key(v) for v in vendors + co + mentioned):
            continue
        systems.append(w)
    days = []
    for pat in cues["announced"]:
        for m in pat.finditer(plain):
            mo, d = int(m.group("m")), int(m.group("d"))
            if 1 <= mo <= 12 and 1 <= d <= 31:
                days.append(f"{mo:02d}-{d:02d}")
    return {
        "aliases": _unique(aliases),
        "co_organizations": _dedupe(co),
        "vendors": _dedupe(vendors),
        "mentioned_organizations": _dedupe(mentioned + co + vendors),
        "named_systems": _unique(systems, key=_system_key),
        "announced_days": sorted(set(days)),
        "years": _years(plain),
        "url_date": url_date(url),
    }


_PLACE_PAREN = re.compile(r"\((?:[^()]{0,20}[、,])?(?:本社[・:]?)?[^()、]{0,12}?(?:都|道|府|県|市|区|町|村|東京|大阪)"
                          r"[^()]{0,12}\)")
_COMPANY = re.compile(r"(?:株式会社|\(株\))" + _NAME + r"|" + _NAME + r"?(?:株式会社|\(株\))")


def _mentions(text: str) -> list[str]:
    """Organisation names the text gives: with a designator, or news style 「X(大阪市)」."""
    out = []
    for m in _COMPANY.finditer(text):
        n = _clean_name(m.group(0))
        if n:
            out.append(n)
    for m in _PLACE_PAREN.finditer(text):
        n = _name_before(text, m.start())
        if n:
            out.append(n)
    return out


def _service_owner(text: str, service: str) -> str | None:
    """The company the text says runs ``service`` (a quoted product name), or None."""
    cues = _cues()
    for key, name_at in (("owner_after", lambda m: _name_after(text, m.end())),
                         ("owner_before", lambda m: _name_before(text, m.start()))):
        for p in cues[key]:
            m = re.search(p.replace("SERVICE", re.escape(service)), text)
            name = name_at(m) if m else None
            if name:
                return name
    return None


def _fuller_names(text: str, organization: str | None) -> list[str]:
    """Longer forms of the organisation's name the text uses as a subject: a headline's
    「カシオ、…」 and the body's 「カシオ計算機が…」."""
    if not organization or len(org_key(organization)) < 3:
        return []
    out = []
    own = nfkc(organization)
    at = text.find(own)  # the name found as a string, its tail by one compiled pattern (not one per name)
    while at >= 0:
        m = _FULLER_TAIL.match(text, at + len(own))
        if m is None:
            at = text.find(own, at + 1)
            continue
        name = own + m.group(1)
        if org_relation(org_key(name), org_key(organization)) != "none" and _clean_name(name):
            out.append(name)
        at = text.find(own, m.end())
    return sorted(set(out))


_FULLER_TAIL = re.compile(r"([\u4e00-\u9fff\u30a1-\u30faー]{2,8})(?=は|が|の|、|\()")


def _system_key(s: str) -> str:
    return re.sub(r"[\s・.\-_()「」]", "", nfkc(s).lower())


def _unique(items: list[str], key: Any = None) -> list[str]:
    seen: set[str] = set()
    out = []
    for i in items:
        k = key(i) if key else i
        if k and k not in seen:
            seen.add(k)
            out.append(i)
    return out
