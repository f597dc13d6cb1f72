"""The organisation that issues the notice, the third parties it names, its industry.

A digest entry names its organisation in the header. Elsewhere candidates come from
patterns (legal designators 株式会社…, organisation endings …病院/…大学/…協会, public bodies
…市, Latin names such as ``PR TIMES``) and are ranked by how often the name recurs, where it
stands (title, first lines), and whether it is written as somebody else (委託先, 子会社, …社が運営).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from dataclasses import dataclass
from functools import cache, lru_cache

from jikenbo.config import lexicon, settings
from jikenbo.extract.context import Context, alt, cue, find_all, lexicons
from jikenbo.text.chars import HIRAGANA, KANJI, KATAKANA
from jikenbo.text.gazetteer import bodies_from_url, gazetteer, public_body

log = logging.getLogger(__name__)

# Hiragana inside a name (みなと精機, さくら台病院) but never a particle between two words (…が運営).
_PARTICLE_RUN = (
    r"(?:は|が|の|を|に|で|と|へ|も|や|より|から|では|には|とは|にて|及び|および|における|において|について|による|への|である|であり"
    r"|という|として|にある|する|した|され|している|ており|おり|および|ならびに|または|等の|など)"
)
_VERB_END = "|".join(
    [f"{c}る" for c in "いあすれえせけめべげで"] + [f"{c}た" for c in "しっいれえせけめてん"]
    + [f"{c}て" for c in "しっいれえせけじ"] + ["んで", "ます", "です"]
)  # two-character verb endings, so the look-behind has a fixed width
# A space continues a name only between Latin words (株式会社PR TIMES); a kana run inside a name
# never ends like a verb (「…しているクリニック」).
_NAME = (
    rf"(?:[{KANJI}{KATAKANA}A-Za-z0-9&・.\-]|(?<=[A-Za-z0-9.&])[ ](?=[A-Za-z0-9])"
    rf"|(?!{_PARTICLE_RUN}(?![{HIRAGANA}]))[{HIRAGANA}]+(?<!{_VERB_END})(?=[{KANJI}{KATAKANA}A-Za-z]))"
)
# after a designator a name may end in kana (株式会社ほくせん) where the line or clause ends
_NAME_END_KANA = rf"(?!{_PARTICLE_RUN}(?![{HIRAGANA}]))[{HIRAGANA}]{{2,12}}(?<!{_VERB_END})(?=$|[\s、。,()（）「」『』【】])"
_PARTICLES = {"は", "が", "の", "を", "に", "で", "と", "へ", "も", "や", "より", "から", "では", "には", "とは", "にて", "及び", "および"}
_LABEL = re.compile(r"^(?:会\s?社\s?名|法\s?人\s?名|団\s?体\s?名|組\s?織\s?名|名\s?称|社\s?名|発\s?信\s?元|発\s?表\s?者)[\s:：]*")
_VERBISH = re.compile(r"(?:る|た|す|い|う|く|て|で|し|な|り|れ)[ ]?$")
# what may follow a public body's name and still name it: its office or its education board
_BODY_OFFICE = r"(?:役所|役場|教育委員会|教育庁|教育局)?"
_LATIN = r"[A-Za-z][A-Za-z0-9&.\-]*(?: [A-Za-z0-9][A-Za-z0-9&.\-]*){0,3}"


@dataclass(frozen=True)
class _OrgLex:
    designated: re.Pattern[str]
    subject_end: re.Pattern[str]
    seated: re.Pattern[str]
    designator_end: re.Pattern[str]
    suffix_end: re.Pattern[str]
    designated_after: re.Pattern[str]
    suffixed: re.Pattern[str]
    public: re.Pattern[str]
    latin: re.Pattern[str]
    designator: re.Pattern[str]
    stop: frozenset[str]
    third: re.Pattern[str]
    connector: re.Pattern[str]
    industry: list[tuple[str, re.Pattern[str]]]
    gazetteer: re.Pattern[str] | None  # every prefecture and municipality by name
    reference: re.Pattern[str]  # 同協会, 当健康保険組合, 本市, 弊社: a name referred back to
    generic_endings: tuple[str, ...]
    reference_any: re.Pattern[str]
    generic_kind: re.Pattern[str]  # 市立中学校, 特設コールセンター: a kind of body, not a name
    media: frozenset[str]  # news agencies and papers: a byline, not the victim
    latin_stop: frozenset[str]
    not_name: re.Pattern[str]  # words that make a subject no organisation (集団, 攻撃, 被害)
    attacker: re.Pattern[str]  # 攻撃グループ, ハッカー集団


@cache
def _olex() -> _OrgLex:
    org = lexicons().ext["org"]
    des = alt(org["designators"])
    suf = alt(org["suffixes"])
    rules = [(r["industry"], re.compile(alt(r["patterns"]))) for r in lexicon("industry")["rule"]]
    generic = tuple(sorted({*org["suffixes"], *org["public_suffixes"], *org["generic_endings"]}, key=len, reverse=True))
    return _OrgLex(
        designated=re.compile(rf"(?:{des})[ ]?(?:{_NAME_END_KANA}|{_NAME}{{1,30}})", re.M),
        designated_after=re.compile(rf"(?<![0-9]){_NAME}{{1,30}}?[ ]?(?:{des})"),
        designator_end=re.compile(rf"[ ]?(?:{des})"),
        # where a news report's subject ends: 「さきがけ運輸（本社・名古屋市）は12日、」
        subject_end=re.compile(
            r"(?=\s?[(（](?:本社|本部|本店|所在地)|\s?[(（][^)）。]{1,16}[)）]\s?は\s?(?:\d{4}年)?(?:\d{1,2}月)?\d{1,2}日[、,]"
            r"|は\s?(?:\d{4}年)?(?:\d{1,2}月)?\d{1,2}日[、,])"
        ),
        # a news report introduces a company with its seat: 「カワセミ技研ProX(プロクス、北浜市)」
        seated=re.compile(
            rf"(?<![{KANJI}{KATAKANA}A-Za-z0-9&・ー])[{KANJI}{KATAKANA}A-Za-z0-9&・ー]{{2,30}}(?=」?\s?[(（]"
            rf"(?:[^()（）、\n]{{1,12}}[、,]\s?)?(?:本社[:：・]?)?[{KANJI}]{{1,6}}(?:都|道|府|県|市|区|町|村)[)）])"
        ),
        suffix_end=re.compile(rf"(?:{suf})"),
        suffixed=re.compile(rf"{_NAME}{{1,24}}?(?:{suf})"),
        public=re.compile(
            rf"(?<![{KANJI}{HIRAGANA}{KATAKANA}])(?:[{KANJI}{KATAKANA}]{{1,6}}|[{HIRAGANA}]{{2,6}}[{KANJI}]{{0,2}})(?:{alt(org['public_suffixes'])}){_BODY_OFFICE}(?=[はがのでにおと、。\s(（]|$|{alt(org['staff'])})"
        ),
        latin=re.compile(rf"(?<![A-Za-z0-9]){_LATIN}(?![A-Za-z0-9])"),
        designator=re.compile(des),
        stop=frozenset(s.lower() for s in org["stop"]),
        third=re.compile(alt(org["third_party"])),
        connector=re.compile(
            r"における|において|にて|への|に対する|に関する|について|による|からの|での|、|,|:|：|\s"
            r"|の(?:個人情報|不正|情報|お客様|顧客|システム|サーバ|ウェブ|Web|サイト|メール|従業員|職員|社員|委託|元|業務|PC|パソコン|USB)"
            r"|(?:個人情報|情報|不正アクセス|サイバー|ランサム|お詫び|迷惑メール|メール|顧客|会員|ウェブ|サーバ)"
        ),
        industry=rules,
        gazetteer=_gazetteer_pattern(),
        reference=re.compile(rf"(?:{alt(org['reference_prefixes'])})(?=[{KANJI}{KATAKANA}])"),
        generic_endings=generic,
        generic_kind=re.compile(
            r"(?:市立|県立|府立|都立|町立|村立|国立|公立|私立|特設|外部|専用|関係|各|全|一部の?"
            r"|米国|海外|現地|中国|欧州|韓国|台湾|英国|ドイツ|タイ|インド|シンガポール|ベトナム|北米|アジア)?"
            # 「旧観光協会」「商工会」: an association's field with no place or name of its own
            r"(?:旧|元|新)?(?:観光|商工|体育|文化|国際交流|社会福祉|シルバー人材|地域振興|自治|防犯|交通安全)?(?:コール)?"
            rf"(?:{'|'.join(map(re.escape, generic))})"
        ),
        reference_any=re.compile(
            rf"(?<![{KANJI}])(?:{alt(org['reference_prefixes'])})"
            rf"(?P<g>{alt(list(generic))})"
        ),
        media=frozenset(unicodedata.normalize("NFKC", m).lower() for m in org["media"]),
        latin_stop=frozenset(w.lower() for w in org["latin_stop"]),
        not_name=re.compile(alt(org["not_name"])),
        attacker=re.compile(alt(org["attacker"])),
    )


def _gazetteer_pattern() -> re.Pattern[str] | None:
    g = gazetteer()
    names = sorted(g.prefectures | g.municipalities, key=len, reverse=True)
    if not names:
        return None
    jp = KANJI + HIRAGANA + KATAKANA
    # a prefecture may stand before its municipality (広島県呉市); nothing else may
    firsts = "".join(sorted({n[0] for n in names}))  # skip at once where no name can start
    alternation = "|".join(map(re.escape, names))
    return re.compile(rf"(?=[{re.escape(firsts)}])(?:(?<![{jp}])|(?<=[都道府県]))(?:{alternation}){_BODY_OFFICE}")


@cache
def _deictic() -> re.Pattern[str]:
    return re.compile(rf"^(?:{cue('cues', 'deictic').pattern})(?=[{KANJI}{KATAKANA}A-Za-z]{{2}})")


@cache
def _subject() -> re.Pattern[str]:
    return re.compile(rf"\s?(?:{cue('cues', 'incident_subject').pattern})")


@cache
def _seat() -> re.Pattern[str]:
    return re.compile(rf"\s?[(（](?:{cue('cues', 'seat').pattern})")


@lru_cache(maxsize=65536)
def org_key(name: str) -> str:
    """A comparison key: NFKC, no designators, no spaces or dots, lower case, no trailing 社."""
    s = unicodedata.normalize("NFKC", name).lower()
    s = _olex().designator.sub("", s)
    s = re.sub(r"[\s・.,、。「」『』\"'()（）]", "", s)
    return s[:-1] if s.endswith("社") and len(s) > 3 else s


def _trim_particles(name: str) -> str:
    for p in sorted(_PARTICLES, key=len, reverse=True):
        if name.endswith(p) and len(name) > len(p) + 1 and not name.endswith(("会社", "協会")):
            return name[: -len(p)]
    return name


_DESCRIPTOR = re.compile(
    r"^[^\sの、。]{1,12}?(?:会社|メーカー|企業|スクール|企画|販売|代理店|大手|チェーン|運営|事業者|業者|販売店|専門店|商社|ブランド|業)の(?=\S{2})"
)
_OFFICE = re.compile(r"(?<=[市町村区])(?:役場|役所)$")
# 「…の子会社NTTX」: the relation written before the name
_RELATION = re.compile(r"^(?:子会社|孫会社|関連会社|グループ会社|親会社|傘下の?)(?=[A-Za-z0-9" + KATAKANA + KANJI + r"]{2})")


def clean_name(name: str) -> str:
    """A name without what a report puts around it: 「中堅物流会社のさきがけ運輸」 → さきがけ運輸,
    「みかげ町役場」 → みかげ町 (the body, not its building), 「北浜県みなと町」 → みなと町."""
    name = _OFFICE.sub("", _RELATION.sub("", _DESCRIPTOR.sub("", name.strip())))
    g = gazetteer()
    for cut in (3, 4):  # a prefecture's name is three or four characters
        if name[:cut] in g.prefectures and name[cut:] in g.municipalities:
            return name[cut:]  # 「長野県小布施町」: the town, written with its prefecture
    return name


def name_from_header(header_rest: str) -> str | None:
    found = _name_from_header(header_rest)
    return clean_name(found) if found else None


def _name_from_header(header_rest: str) -> str | None:
    """The organisation at the start of a digest entry's title ("下仁田厚生病院 個人情報紛失の…")."""
    ol = _olex()
    s = header_rest.strip()
    if s.startswith("|"):
        return _name_from_row(s)
    s = _DATEISH.sub(" ", s).strip(" :：-—–|")
    if not s:
        return None
    for pat in (ol.designated, ol.designated_after, ol.suffixed, ol.public):
        m = pat.match(s)
        if m:
            end = m.end()
            while pat is ol.suffixed and (more := ol.suffix_end.match(s, end)):
                end = more.end()  # 「こはぜ歯科医院」: 歯科 then 医院
            return s[:end].strip()
    m = ol.latin.match(s)
    if m and (len(m.group(0)) == len(s) or not s[m.end()].isalpha() or s[m.end()] in "、 "):
        return m.group(0).strip()
    cut = ol.connector.search(s)
    name = s[: cut.start()] if cut and cut.start() > 0 else s.split()[0]
    name = _trim_particles(name.strip())
    return name or None


_DATEISH = re.compile(
    r"[(（]?\s*(?:\d{4}\s?[年/.-]\s?\d{1,2}\s?[月/.-]\s?\d{1,2}\s?日?|(?:令和|平成|R|H)\s?\d{1,2}[年.]\s?\d{1,2}[月.]\s?\d{1,2}日?)"
    r"(?:\s?[(（][月火水木金土日][)）])?\s*[)）]?"
)


def _name_from_row(row: str) -> str | None:
    """The organisation cell of a table row ("| 2024/6/3 | 株式会社つぐみ化粧品 | …")."""
    ol = _olex()
    cells = [c.strip() for c in row.strip().strip("|").split("|")]
    for c in cells:
        if not c or _DATEISH.fullmatch(c):
            continue
        for pat in (ol.designated, ol.designated_after, ol.suffixed, ol.public):
            m = pat.fullmatch(c) or pat.match(c)
            if m:
                return m.group(0).strip()
    for c in cells:
        if c and not _DATEISH.fullmatch(c) and len(c) <= 30:
            return c
    return None


class _Found:
    """What ``_ending_at`` yields: the parts of a match that candidates use."""

    __slots__ = ("_end", "_start", "_text")

    def __init__(self, text: str, start: int, end: int) -> None:
        self._text, self._start, self._end = text, start, end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end

    def group(self, _: int = 0) -> str:
        return self._text[self._start:self._end]


_NAME_TAIL = re.compile(rf"(?:{_NAME})+\Z")  # \Z: never before a final newline


def _ending_at(ending: re.Pattern[str], text: str, longest: int, *, before_digit: bool = False) -> list[_Found]:
    """Names that end with ``ending`` (a suffix or a trailing designator), found ending-first.

    Same matches as ``NAME{1,n}?ENDING`` scanned left to right, without trying a name at
    every position of the text.
    """
    out: list[_Found] = []
    last_end = 0
    for m in ending.finditer(text):
        if out and m.start() == last_end and not before_digit:
            out[-1] = _Found(text, out[-1].start(), m.end())  # 「白浜学園大学」「こはぜ歯科医院」: suffixes in a row
            last_end = m.end()
            continue
        lo = max(last_end, m.start() - longest)
        t = _NAME_TAIL.search(text, lo, m.start())
        if t is None:
            continue
        start = t.start()
        if before_digit:
            while start < m.start() and text[start].isdigit():
                start += 1
            if start == m.start():
                continue
        out.append(_Found(text, start, m.end()))
        last_end = m.end()
    return out


def _candidates(ctx: Context, host_labels: frozenset[str] = frozenset()) -> dict[str, list[tuple[int, int, str, int]]]:
    """Candidate names by key: (start, end, surface, pattern weight) occurrences."""
    cached = ctx.cache.get("org_candidates")
    if cached is None:
        cached = ctx.cache["org_candidates"] = _find_candidates(ctx, host_labels)
    return cached


_GENERIC_LABELS = frozenset({"www", "corp", "co", "jp", "com", "net", "or", "ne", "go", "ac", "ed", "lg", "info", "org", "biz",
                             "news", "blog", "web", "site", "global", "group", "ir", "about"})


def _host_labels(url: str | None) -> frozenset[str]:
    """The name-like labels of a page's host (``corp.olta.co.jp`` → olta): the site's owner."""
    if not url:
        return frozenset()
    host = re.sub(r"^[a-z]+://", "", url.lower()).split("/", 1)[0].split(":", 1)[0]
    return frozenset(x for x in host.split(".") if len(x) >= 3 and x not in _GENERIC_LABELS)


def _find_candidates(ctx: Context, host_labels: frozenset[str] = frozenset()) -> dict[str, list[tuple[int, int, str, int]]]:
    ol = _olex()
    text = ctx.text
    found: dict[str, list[tuple[int, int, str, int]]] = {}
    refs: list[tuple[int, str]] = ctx.cache.setdefault("org_refs", [])
    authority = lexicons().authorities
    w = settings("org")["pattern"]
    pats: list[tuple[re.Pattern[str], int]] = [
        (ol.designated, w["designated"]), (ol.designated_after, w["designated"]), (ol.suffixed, w["suffixed"]),
        (ol.public, w["public"]), (ol.latin, w["latin"]), (ol.subject_end, w["subject_end"]), (ol.seated, w["seated"])]
    if ol.gazetteer is not None:
        pats.append((ol.gazetteer, w["gazetteer"]))
    lead_end = _lead_end(text)
    products: set[str] = set()
    for m in ol.reference_any.finditer(text):  # 「本市職員」「当院の」: wherever a back-reference stands
        refs.append((m.start(), m.group("g")))
    for pat, weight in pats:
        found_iter = (_ending_at(ol.designator_end, text, 30, before_digit=True) if pat is ol.designated_after
                      else _ending_at(ol.suffix_end, text, 24) if pat is ol.suffixed
                      else _ending_at(ol.subject_end, text, 16) if pat is ol.subject_end else pat.finditer(text))
        for m in found_iter:
            surface = m.group(0).strip(" ・.-")
            if pat is not ol.designated and pat is not ol.designated_after and (
                    ol.designator.match(text, m.start()) or _inside_designator(text, m.start())):
                continue  # 「国立大学」 or 「法人山口大学」 of 「国立大学法人山口大学」: inside a designator
            if pat is ol.designated_after and _VERBISH.search(ol.designator.sub("", surface)):
                continue  # 「…を手がける株式会社」: a clause, not a name
            named_authority = any((am := a.match(surface)) and len(surface) <= am.end() + 4 for a in authority.values()) or \
                any(authority[k].search(surface[-12:]) for k in ("ppc", "police"))  # 「…通じて個人情報保護委員会」
            if named_authority and not (pat is ol.gazetteer or _own_authority(text, m.start(), m.end())):
                continue
            ref = _reference(surface)
            if ref is not None:
                if not any(p == m.start() for p, _ in refs):
                    refs.append((m.start(), ref))  # 同協会, 当健康保険組合: votes for the name it stands for
                continue
            if pat is ol.suffixed or pat is ol.latin:
                surface = _trim_particles(surface)
            surface = _deictic().sub("", surface)
            glued = cue("cues", "glued_title").search(surface, 2)
            if glued and pat in (ol.designated, ol.designated_after, ol.latin):
                surface = surface[:glued.start()]  # 「株式会社みなと精機不正アクセスに関する…」 without a break
            key = org_key(surface)
            if len(key) < 2 or key in ol.stop or surface.lower() in ol.stop or key.isdigit():
                continue
            if _is_product(text, m.start(), m.end()):
                products.add(key)  # named as a product or system once (…システム(NUTS)): never the organisation
                continue
            if pat is ol.latin and not (_latin_name(text, m.start(), m.end(), surface) or key in host_labels):
                continue  # a Latin word is a name where the text treats it as one, or where it is the site's host
            if pat in (ol.subject_end, ol.seated) and (len(key) < 3 or ol.designator.search(surface)):
                continue
            if _is_generic(key):
                continue  # 「市立中学校」「特設コールセンター」: a kind of body, not a name
            if _is_seat(text, m.start(), m.end()):
                continue  # 「(大阪市)」 after a company: its seat
            if pat is not ol.designated and pat is not ol.designated_after and ol.attacker.search(surface):
                continue  # 「攻撃グループ」「ハッカー集団」: who attacked, not who suffered
            found.setdefault(key, []).append((m.start(), m.end(), surface, weight))
    # a report names its subject without a designator: 「「カシオ計算機」は2024年10月8日、」「カシオ、…」
    for m in _UNDESIGNATED_SUBJECT.finditer(text, 0, lead_end):
        g = next(g for g in ("q", "n", "t") if m.group(g))
        surface = m.group(g).strip()
        key = org_key(surface)
        if len(key) < 2 or key in ol.stop or _is_generic(key) or _reference(surface) \
                or _is_seat(text, m.start(g), m.end(g)) or _is_product(text, m.start(g), m.end(g)):
            continue
        if g != "q" and not re.search(rf"[{KATAKANA}A-Za-z]", surface) and not (m.group("d") and text.count(surface) >= 2):
            continue  # a bare kanji run before は is as often a noun as a name, unless introduced (「和菓子販売の…は」) and recurring
        if ol.not_name.search(surface) or any(p.search(surface) for p, _ in lexicons().types.values()):
            continue  # 「ハッカー集団は」「ランサムウェア攻撃が」: what happened, or who did it
        found.setdefault(key, []).append((m.start(g), m.start(g) + len(surface), surface, w["undesignated"]))
    # a letterhead or sender line holding only a public body (北浜財務局, 北浜地方裁判所, 長崎県警察本部):
    # authorities' names are kept out of the candidates above, but a body may write its own notice
    for m in re.finditer(rf"^[ \t　]*([{KANJI}{KATAKANA}{HIRAGANA}・]{{3,24}})[ \t　]*$", text, re.M):
        line = m.group(1)
        key = org_key(line)
        if (m.start() < 400 or m.start() > len(text) - 300) and key not in found and not _reference(line) \
                and not _is_generic(key) and not ol.not_name.search(line) and not ol.attacker.search(line) \
                and not any(p.search(line) for p, _ in lexicons().types.values()) and public_body(line):
            found.setdefault(key, []).append((m.start(1), m.end(1), line, w["sender_line"]))
    for key in products:
        # 「配信サービス「PR TIMES」」 is also the company when it announces (「PRTIMESが…公開した」)
        if key in found and not any(ol.designator.search(o[2]) or _subject().match(text, o[1]) for o in found[key]):
            log.debug("organisation candidate %s rejected: named as a product or system", key)
            del found[key]
    return found


def _is_product(text: str, start: int, end: int) -> bool:
    return bool(_PRODUCT_BEFORE.search(text[max(0, start - 6):start]) or _PRODUCT_AFTER.match(text[end:end + 8]))


_PRODUCT_BEFORE = re.compile(
    r"(?:アプリ|サービス|システム|サイト|ソフト(?:ウェア)?|ツール|製品|ブランド|ショップ|ゲーム|機能|プラットフォーム)[「『(（]?$"
)
_PRODUCT_AFTER = re.compile(r"^[」』]?(?:\s?(?:という|の)?(?:アプリ|サービス|システム|サイト|ソフト|ツール|製品|機能))")


def _is_seat(text: str, start: int, end: int) -> bool:
    """A place in parentheses after a name: 「NTTビジネスソリューションズ」(大阪市), (プロクス、大阪市)."""
    if re.fullmatch(r"[A-Za-z0-9&.,' \-]+", text[start:end]):
        return False  # a place is written in Japanese: 「…の米国法人(Kitahama Motor America)」 is a name
    before, after = text[max(0, start - 16):start], text[end:end + 8]
    opened = re.search(r"[(（](?:[^()（）\n]{0,12}[、,・])?(?:本社|本店|所在地)?[:：・]?$", before)
    return bool(opened and re.match(r"^[^)）]{0,8}[)）]", after) and start >= 2 and text[start - 2] not in "\n。、")


# the date after a lead's subject: 「2023年2月14日、」「10月、」「11月19日までに、」
_LEAD_DATE = r"(?:(?:\d{4}年)?\d{1,2}月(?:\d{1,2}日)?|\d{1,2}日)(?:まで|ごろ|頃)?に?[、,]"
# 「カワセミ技研も、2031年3月9日に」: the next story of a round-up, dated to the day
_ALSO_DATE = r"も[、,]?\s?(?:\d{4}年)?\d{1,2}月\d{1,2}日"
_UNDESIGNATED_SUBJECT = re.compile(
    rf"(?:「(?P<q>[^「」\n]{{2,20}})」|(?:(?<=^)|(?<=[\n、。]))(?P<d>[^\n、。「」]{{1,14}}の)?"
    rf"(?P<n>[{KANJI}{KATAKANA}A-Za-z0-9&・][{KANJI}{KATAKANA}A-Za-z0-9&・ ]{{1,15}}))"
    rf"\s?(?:(?:は|が)\s?(?:{_LEAD_DATE}|、)|{_ALSO_DATE})"
    rf"|(?:(?<=^)|(?<=\n))(?P<t>[{KANJI}{KATAKANA}A-Za-z0-9&・]{{2,12}})(?=、)",
    re.M,
)


def _inside_designator(text: str, pos: int) -> bool:
    """Does a legal designator run across ``pos`` (「法人」 of 「公益財団法人」)?"""
    ol = _olex()
    for back in range(1, 9):
        m = ol.designator.match(text, max(0, pos - back))
        if m and m.end() > pos:
            return True
    return False


def _own_authority(text: str, start: int, end: int) -> bool:
    """An authority that is itself the subject (「個人情報保護委員会は…と明らかにしました」,
    「長崎県警察が…」), not one the notice reported to."""
    return bool(re.match(r"\s?(?:は|が|では|にて|事務局|において)", text[end:end + 5])) and not re.match(
        r"\s?(?:へ|に)(?:報告|届|相談|通報)", text[end:end + 6])


def _reference(surface: str) -> str | None:
    """The generic word a back-reference ends with (同協会 → 協会, 当健康保険組合 → 健康保険組合)."""
    ol = _olex()
    m = ol.reference.match(surface)
    if not m:
        return None
    rest = surface[m.end():]
    if rest in ol.generic_endings or (len(rest) <= 6 and any(rest.endswith(g) and len(rest) - len(g) <= 2 for g in ol.generic_endings)
                                      and not gazetteer().is_public_body(rest)):
        return rest
    return None


def _is_generic(key: str) -> bool:
    """A kind of body with no name of its own (市立中学校, 委員会, コールセンター)."""
    ol = _olex()
    if key in ol.generic_endings:
        return True
    return bool(ol.generic_kind.fullmatch(key))


def _latin_name(text: str, start: int, end: int, surface: str) -> bool:
    """Is a Latin word an organisation here? Never a protocol, a file kind or page furniture;
    and only where the text treats it as one: the subject of a sentence (「LINEは10日、」), a
    title's subject (「LINE、…」), or followed by 社."""
    ol = _olex()
    key = org_key(surface)
    if surface.lower() in ol.latin_stop or key in ol.latin_stop:
        return False
    if (len(key) < 3 and not surface.isupper()) or not re.search(r"[A-Za-z]{2}", surface) or len(re.findall(r"\d", surface)) >= 3:
        return False  # not 「TEL.03-5412-7780」
    if re.match(r"[:/@.]", text[end:end + 1]) or (start and text[start - 1] in "/@.:-_"):
        return False  # a URL, an address or a file name
    line_start = text.rfind("\n", 0, start) + 1
    after = text[end:end + 8]
    if start == line_start and re.match(r"\s?[、,]", after):
        return True
    if start == 0 and (surface.count(" ") >= 1 or re.fullmatch(r"[A-Z]{4,}", surface)) and re.match(rf"[{KANJI}{KATAKANA}]", after):
        return True  # 「NAGOYA GRAMPUS WEB SHOPメールマガジンの…について」: the title opens with its name
    if re.match(r"[)）]\s?(?:は|が|では)", after) and re.search(r"[(（]$", text[max(0, start - 1):start]):
        return True  # 「北浜自動車の米国法人(Kitahama Motor America)が」: the name of a body described before
    return bool(re.match(r"\s?(?:社|は|が|では|によると|の発表)", after) or ol.designator.search(surface))


def _only_names(line: str) -> bool:
    """A line such as 「医療法人なのはな会　なのはなクリニック」: names separated by spaces."""
    ol = _olex()
    parts = line.split()
    return 1 < len(parts) <= 3 and all(
        any(p.fullmatch(part) for p in (ol.designated, ol.designated_after, ol.suffixed, ol.public)) for part in parts
    )


def _abbreviations(text: str, cands: dict[str, list[tuple[int, int, str, int]]]) -> dict[str, str]:
    """Latin abbreviations written after the full name in parentheses, abbreviation key → full key."""
    out: dict[str, str] = {}
    for key, occ in cands.items():
        for _, e, _, _ in occ:
            m = re.match(r"\s?[(（](?:以下[、,]?\s?[「『]?)?([A-Za-z][A-Za-z0-9&.\-]{1,15})[」』]?[)）]", text[e:e + 24])
            if m:
                short = org_key(m.group(1))
                if short in cands and short != key:
                    out[short] = key
    return out


def _ref_votes(key: str, refs: list[tuple[int, str]]) -> int:
    """How many back-references (同協会, 本市, 弊社) may stand for the name ``key``."""
    n = 0
    for _, word in refs:
        w = org_key(word) or word
        if key.endswith(w) or (w == "社" and not re.search(r"(?:市|町|村|県|府|都|学|院)$", key)) \
                or (w == "院" and re.search(r"(?:病院|医院|クリニック|医療センター|診療所)$", key)) \
                or (w in ("学", "大") and re.search(r"(?:大学|学園|学院)$", key)):
            n += 1
    return n


def _line_of(text: str, s: int, e: int) -> str:
    line_start = text.rfind("\n", 0, s) + 1
    line_end = text.find("\n", e)
    return text[line_start: line_end if line_end >= 0 else len(text)]


_WORD_GOES_ON = re.compile(rf"[{KATAKANA}a-z0-9]")


def _word_count(flat: str, key: str) -> int:
    """Occurrences of ``key`` in ``flat`` that end where a word ends: 「…ソリューション」 inside
    「…ソリューションズ」 is another name (a katakana or Latin word goes on)."""
    if not key or not _WORD_GOES_ON.match(key[-1]):
        return flat.count(key)
    return sum(1 for i in find_all(flat, key) if not _WORD_GOES_ON.match(flat, i + len(key)))


def find_organization(ctx: Context, title: str | None, url: str | None = None,
                      hint: str | None = None) -> tuple[str, int, int] | None:
    """The notice's organisation as written, and a span of it in ``ctx.text``.

    Candidates are scored on the structure of the page: the title's subject, a letterhead line
    holding only the name, a definition (「X（以下「当社」）」), the subject of a news lead
    (「Xは14日、…と発表した」), back-references that stand for it (同協会, 本市), the site's own
    address for a local government (``city.kaizu.lg.jp``), and how often it recurs; a name
    written as somebody else (委託先, 子会社) or a news agency's byline loses. ``hint`` is the
    name the segmenter split a round-up's story by: the candidates it names win.
    """
    ol = _olex()
    text = ctx.text
    flat = re.sub(r"[\s・.]", "", text).lower()
    title_key = org_key(title or "")
    hint_key = org_key(hint) if hint else ""
    sc = settings("org")["score"]
    hosts = _host_labels(url)
    cands = _candidates(ctx, hosts)
    refs: list[tuple[int, str]] = ctx.cache.get("org_refs", [])
    url_keys = {org_key(n) for n in bodies_from_url(url)}
    lead_end = _lead_end(text)
    best: tuple[float, str] | None = None
    longer = sorted(cands, key=len, reverse=True)
    short_of = _abbreviations(text, cands)  # 「宇宙航空研究開発機構(JAXA)」: JAXA stands for the full name
    for key, occ in cands.items():
        if key in short_of:
            log.debug("organisation candidate %s: an abbreviation of %s", key, short_of[key])
            continue
        occ = occ + [o for k, full in short_of.items() if full == key for o in cands[k]]
        on_site = key in url_keys or any(key == u + "教育委員会" or (key.endswith(u) and len(key) <= len(u) + 4) for u in url_keys)
        if not on_site and any(len(k) > len(key) and key in k and flat.count(k) * 2 >= flat.count(key) for k in longer):
            log.debug("organisation candidate %s rejected: a fragment of a longer name", key)
            continue  # 「R TIMES」 inside 「PR TIMES」: a fragment of a longer name
        count = _word_count(flat, key)
        weight = max(w for *_, w in occ)
        first = min(s for s, *_ in occ)
        score = min(count, sc["max_occurrences"]) * sc["per_occurrence"] + weight
        if first < sc["early_chars"]:
            score += sc["early"]
        if title_key and key in title_key:
            score += sc["in_title"]
        if on_site:
            score += sc["on_site"]  # a local government's notice on its own site
        elif key in hosts:
            score += sc["site_owner"]  # the owner of the site: 「KAWASEMI」 on corp.kawasemi.co.jp
        if key in ol.media or any(m in key for m in ol.media if len(m) >= 4):
            score += sc["media"]  # 「一般社団法人共同通信社」: who wrote the report, not who suffered it
        for s, e, surf, _ in occ:
            line = _LABEL.sub("", _line_of(text, s, e).strip())
            if s < sc["letterhead_chars"] and (len(line) <= len(surf) + 2 or _only_names(line) or _letterhead(line, surf)):
                score += sc["letterhead"]  # a letterhead line holding only names
                break
        for s, e, _, _ in occ:
            line_start = text.rfind("\n", 0, s) + 1
            if s < 200 and s == line_start and re.match(r"\s?(?:、|,|\s|における|での|で|が|の(?!\S{0,3}(?:委託|子会社)))", text[e:e + 5]) \
                    and text.count("\n", 0, s) <= 3 and not _ENUMERATED.match(text, e):
                score += sc["title_subject"]  # the title's subject: 「LINE、…」「大阪府 個人情報の流出について」
                break
        # the subject of a news lead: 「ソースネクストは2023年2月14日、…」; of a joint one
        # (「AとBは10月17日、」) the first named: the second is preceded by と
        if any(s < lead_end and _LEAD_SUBJECT.match(text, e) and text[s - 1:s] != "と" for s, e, _, _ in occ):
            score += sc["lead_subject"]
        if any(_DEFINED.match(text, e) for _, e, _, _ in occ):
            score += sc["defined"]  # 「株式会社X（以下「当社」）」
        subject = sum(1 for _, e, _, _ in occ if _subject().match(text, e))
        score += min(subject, sc["max_subjects"]) * sc["per_subject"]  # 「Xへの不正アクセス」「Xは…と発表した」: the one it happened to
        score += min(_ref_votes(key, refs), sc["max_references"]) * sc["per_reference"]
        third = 0
        for s, e, _, _ in occ:
            # 「Xが提供する」「Xが運営する」: X is the subject, the provider that suffered it
            after = "" if text[e:e + 1] in ("が", "は") else text[e:e + 10]
            if ol.third.search(text[max(0, s - 12): s]) or ol.third.search(after):
                third += 1
            if _seat().match(text[e:e + 16]):
                score += sc["seat"]
        if third and third >= len(occ) / 2:
            score += sc["third_party"]
        if hint_key and (key in hint_key or hint_key in key):
            score += sc["story"]  # the organisation whose story this is (the round-up's opener)
        log.debug("organisation candidate %s: score %.1f", key, score)
        if best is None or score > best[0]:
            best = (score, key)
    if (best is None or best[0] < sc["min_score"]) and hint and hint in text:
        i = text.find(hint)
        return clean_name(hint), i, i + len(hint)  # the story's subject, though no pattern names it
    if best is None or best[0] < sc["min_score"]:
        return _from_site(text, url, refs)
    occ = cands[best[1]]
    with_des = [o for o in occ if ol.designator.search(o[2])]
    pool = with_des or occ
    surfaces: dict[str, int] = {}
    for o in pool:
        surfaces[o[2]] = surfaces.get(o[2], 0) + 1
    surface = max(surfaces, key=lambda s: (surfaces[s], -len(s)))
    first = next(o for o in pool if o[2] == surface)
    unit = _issuing_unit(text, cands, best[1])
    if unit:
        return unit
    cleaned = clean_name(surface)
    off = surface.find(cleaned)
    return cleaned, first[0] + max(off, 0), first[0] + max(off, 0) + len(cleaned)


# after a parent's name, on its line or the next, a unit that fills the line
_UNIT_AFTER = re.compile(r"([ \t　]|\n)[ \t　]*([^\s、。]{2,30})[ \t　]*(?:\n|$)")


def _issuing_unit(text: str, cands: dict[str, list[tuple[int, int, str, int]]], key: str) -> tuple[str, int, int] | None:
    """A body signing under its parent (「医療法人X会 Y病院」, 「独立行政法人Z機構\nY医療センター」):
    the two names written together, when the parent carries a designator and the unit after it
    fills the rest of its line. The notice is the unit's, named in full."""
    ol = _olex()
    units = tuple(lexicons().ext["org"]["issuing_units"])
    for k in (key, *(c for c in cands if c != key)):
        for s, e, surf, _ in cands[k]:
            m = _UNIT_AFTER.match(text, e, e + 40) if ol.designator.search(surf) else None
            if not m:
                continue
            unit_key = org_key(m.group(2))
            if unit_key not in cands or unit_key == k or key not in (k, unit_key) or not m.group(2).endswith(units):
                continue
            sep = " " if m.group(1) != "\n" else ""
            name = clean_name(surf) + sep + m.group(2)
            return name, s, m.end(2)
    return None


# 「汐見学園、港南など5校…」: the first of a list of places, not the title's subject
_ENUMERATED = re.compile(r"[、,・][^、。\n]{1,12}(?:など|等|ほか)\s?\d*(?:校|社|団体|施設|店舗|病院|自治体|件|市町村)?")


# right after a lead's subject: 「は2023年2月14日、」「が26日、」「は、」
_LEAD_SUBJECT = re.compile(
    rf"\s?(?:と[^、。\n]{{2,40}}?)?(?:(?:は|が)\s?(?:{_LEAD_DATE}|、|,)|{_ALSO_DATE})"
)  # 「AとBは10月17日、」: a joint announcement's first name is a subject too
# right after a name: it is defined as the notice's own 「当社」「本学」
_DEFINED = re.compile(r"\s?[(（]\s?以下[、,]?\s?[「『\"]?(?:当|本|弊)")


def _lead_end(text: str) -> int:
    """End of a report's lead: its first two sentences after the headline."""
    lines = [m for m in re.finditer(r"[^\n]+", text) if m.group(0).strip()]
    if len(lines) < 2:
        return min(len(text), 200)
    body = lines[1].start()
    ends = [m.end() for m in re.finditer(r"。", text[body:body + 600])]
    return body + (ends[1] if len(ends) > 1 else ends[0] if ends else min(len(text) - body, 200))


def _letterhead(line: str, surface: str) -> bool:
    """A letterhead or signature line: the name and a title or a person (「四條畷市長 東 修平」)."""
    rest = line.replace(surface, "", 1).strip()
    role = "長|代表取締役(?:社長)?|理事長|学長|病院長|院長|会長|社長|知事|市長|町長|村長|区長|教育長"
    return bool(surface in line and line.startswith(surface)
                and re.fullmatch(rf"(?:{role})?\s?[{KANJI}{KATAKANA}\s]{{0,12}}", rest))


def _from_site(text: str, url: str | None, refs: list[tuple[int, str]]) -> tuple[str, int, int] | None:
    """Where no candidate won: the local government whose site holds the page, when the page
    names it or refers to itself (本市、本町)."""
    for name in bodies_from_url(url):
        i = text.find(name)
        if i >= 0:
            return name, i, i + len(name)
        if any(word in ("市", "町", "村", "区", "県", "府", "都") for _, word in refs):
            return name, 0, 0
    return None


def find_third_parties(ctx: Context, org: str | None) -> list[tuple[str, str, int, int]]:
    """(name, role, start, end) of vendors, contractors, cloud services and subsidiaries."""
    ol = _olex()
    text = ctx.text
    own = org_key(org) if org else ""
    lines = text.split("\n")
    own_lines = {n for n in (text.count("\n", 0, i) for i in find_all(text, org or ""))
                 if len(lines[n].strip()) <= len(org or "") + 24}  # letterhead lines only
    out: dict[str, tuple[str, str, int, int]] = {}
    for key, occ in _candidates(ctx).items():
        if own and (key == own or key in own or own in key):
            continue
        if own_lines and all(text.count("\n", 0, s) in own_lines for s, *_ in occ):
            continue  # part of the organisation's own letterhead (「医療法人さつき会 みなみ台クリニック」)
        for s, e, surface, weight in occ:
            around = text[max(0, s - 25): e + 25]
            if not (ol.third.search(around) or re.match(r"社(?:が|の|から|より|に)", text[e:e + 3])):
                continue
            if weight == 0 and not re.match(r"\s?(?:社|Sign|の|が)", text[e:e + 5]):
                continue
            role = next((r for r in ("cloud", "subsidiary", "contractor") if cue("roles", r).search(around)), "vendor")
            prev = out.get(key)
            if prev is None or (ol.designator.search(surface) and not ol.designator.search(prev[0])):
                out[key] = (surface, role, s, e)
            break
    return sorted(out.values(), key=lambda t: t[2])


def guess_industry(org: str | None) -> str | None:
    if not org:
        return None
    name = unicodedata.normalize("NFKC", org)
    for industry, pat in _olex().industry:
        if pat.search(name):
            return industry
    return None

