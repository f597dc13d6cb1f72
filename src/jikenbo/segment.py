"""Segment: split a document into the incident notices it holds (zero, one or many).

A digest or listing page repeats an entry header (``【…#2024-184】Org Title 2024/5/17``,
``■2024年3月1日 Org：Title``, ``1. Org（2024年3月1日）…``, ``## Org — title``). The
segmenter does not know any one blog: it looks for lines that read like a notice title
(title cue words plus an organisation or a date) whose opening *shape* repeats, and splits
at them when at least two such headers each own a body. Anything else is one notice,
trimmed of page furniture (related-article lists, references, profiles).

Then it drops what is not an incident notice: unfilled templates (○○株式会社, **月**日),
how-to and statistics articles. Every drop is logged with its reason.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from functools import cache

from jikenbo.config import lexicon
from jikenbo.models import Document, Segment
from jikenbo.text.chars import HIRAGANA, KANJI, KATAKANA
from jikenbo.text.dates import find_dates
from jikenbo.text.gazetteer import public_body
from jikenbo.text.normalize import normalize

log = logging.getLogger(__name__)

_DATEISH = re.compile(
    r"\d{4}\s?[年/.-]\s?\d{1,2}\s?[月/.-]\s?\d{1,2}|\d{1,2}\s?月\s?\d{1,2}\s?日|(?:令和|平成|R|H)\s?\d{1,2}[年.]\s?\d{1,2}[月.]\s?\d{1,2}"
)
# decorations around a page-furniture heading: 「▼関連ニュース」「【関連記事】」「■ 人気記事 ■」
_DECOR = re.compile(r"^[\s▼▽▲△◆◇■□●○・【】\[\]<>《》〈〉|｜#*=\-]+|[\s▼▽▲△◆◇■□●○・【】\[\]<>《》〈〉|｜#*=\-:：]+$")
_SECTION_MARKS = "▼▽■□◆◇●【《〈<"
_DIGEST_SECTION = re.compile(r"(?:海外|国内|その他|そのほか|ほかの|他の|ニュース|トピックス|コラム|PR|広告|告知|イベント|今週の|先週の)")
_LIST_SUFFIX = re.compile(r"(?:一覧|はこちら|をもっと見る)$")
MIN_BODY_CHARS = 20  # a digest entry can be a two-line summary
MAX_HEADER_CHARS = 220
_SENTENCE = re.compile(r"(?<=[。!?！？])|\n")
# the verb forms of something that has happened (past, perfect or a finding)
_EVENT_VERB = re.compile(
    r"(?:た|だ)(?:[。、)」]|こと|ため|もの|と|が|の|$)|ました|判明|発覚|確認され|受け|発生|遭|被害|ていた|ている|ておりま|しまい|流出|漏え?い|漏洩|紛失|盗難"
)
# a title that reports something (「…の流出について」「…に関するお詫び」), not one that teaches
_REPORT_TITLE = re.compile(
    r"について|に関する|お詫び|おわび|ご報告|お知らせ|(?:流出|漏え?い|漏洩|紛失|誤送信|誤送付)(?:した|しました|か|の可能性|$)"
)
# what a template leaves to fill: the organisation, the date, the count
_SLOT = re.compile(r"株式会社|会社|(?<![市町村])[市町村]$|病院|年|月|日|件|名|代表|社長|[\[［]")
# 「個人情報の取扱いに関するお詫び」: an apology about personal data is an incident notice even
# where its first lines use none of the cue words
_APOLOGY_TITLE = re.compile(r"(?:個人情報|お客様情報|顧客情報|会員情報|患者情報|住民情報)[^\n。]{0,30}(?:お詫び|おわび|謝罪|ご報告)"
                            r"|(?:お詫び|おわび)[^\n。]{0,10}(?:個人情報|お客様情報)")
_QUESTION = re.compile(r"(?:ですか|でしょうか|ますか)[。?？]?$|^\s*(?:Q|Ｑ|問)\s?\d")


def _alt(patterns: list[str]) -> str:
    return "|".join(f"(?:{p})" for p in sorted(patterns, key=len, reverse=True))


@dataclass(frozen=True)
class _Lex:
    title_cue: re.Pattern[str]
    marker: re.Pattern[str]
    tail: frozenset[str]
    tail_start: re.Pattern[str]
    placeholder: re.Pattern[str]
    howto: re.Pattern[str]
    statistics: re.Pattern[str]
    orgish: re.Pattern[str]
    incident_cue: re.Pattern[str]
    not_event: re.Pattern[str]
    conditional: re.Pattern[str]
    hypothetical: re.Pattern[str]
    background: re.Pattern[str]
    faq: re.Pattern[str]
    event: re.Pattern[str]
    denied: re.Pattern[str]


@cache
def _lex() -> _Lex:
    seg = lexicon("segment")
    ext = lexicon("extract")
    types = lexicon("incident_types")
    org = ext["org"]
    orgish = (
        rf"(?:{_alt(org['designators'])})|(?:[^\s、。]{{1,20}}(?:{_alt(org['suffixes'])}))"
        rf"|(?:[{KANJI}]{{1,6}}(?:{_alt(org['public_suffixes'])}))|(?:[A-Za-z][A-Za-z0-9&.\-]+)|(?:[{KATAKANA}]{{3,}})"
    )
    cues = [c for t in types.values() for c in t["cues"]] + ext["leak"]["possible"][:4] + ["漏え?い", "漏洩", "流出"]
    return _Lex(
        title_cue=re.compile(_alt(seg["header"]["title_cues"] + [c for t in types.values() for c in t["cues"]])),
        marker=re.compile(rf"^\s*({_alt(seg['header']['markers'])})"),
        tail=frozenset(seg["tail"]["markers"]),
        tail_start=re.compile(rf"^(?:{_alt(seg['tail']['line_starts'])})"),
        placeholder=re.compile(_alt(seg["template"]["placeholders"])),
        howto=re.compile(_alt(seg["non_notice"]["howto"])),
        statistics=re.compile(_alt(seg["non_notice"]["statistics"])),
        orgish=re.compile(orgish),
        incident_cue=re.compile(_alt(cues)),
        not_event=re.compile(rf"\s?(?:{_alt(seg['non_notice']['feature'])})"),
        conditional=re.compile(rf"[ぁ-ん]{{0,4}}(?:{_alt(seg['non_notice']['conditional'])})"),
        hypothetical=re.compile(_alt(ext["cues"]["hypothetical"])),
        background=re.compile(_alt(ext["context"]["background"])),
        faq=re.compile(_alt(seg["non_notice"]["faq"]), re.M),
        event=re.compile(_alt(seg["non_notice"]["event"])),
        # 「個人情報の漏えいや、通信内容への影響はございません」: a cue the sentence denies
        denied=re.compile(rf"[^。]{{0,20}}?(?:{_alt(ext['cues']['denial'])}|はございません|はありません|はない|もございません)"),
    )


@dataclass
class _Line:
    start: int  # offset in the normalised text
    end: int
    text: str


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append(_Line(pos, pos + len(raw), raw))
        pos += len(raw) + 1
    return out


def _shape(marker: str) -> str:
    """The repeating part of an entry opening: digits and inner text folded."""
    m = marker.strip()
    if m.startswith("【"):
        inner = re.split(r"[0-9#]", m[1:], maxsplit=1)[0]
        return "【" + inner
    return re.sub(r"\d+", "0", m)


def _header_shape(line: str, lex: _Lex) -> str | None:
    """The shape of ``line`` if it reads like a notice's title line, else None."""
    s = line.strip()
    if not s or len(s) > MAX_HEADER_CHARS or "。" in s.rstrip("。")[:-1] or s.endswith("。"):
        return None
    m = lex.marker.match(s)
    rest = s[m.end():] if m else s
    if len(rest.strip()) < 4:
        return None
    has_date = bool(_DATEISH.search(s))  # the date may sit in the marker (「[2025/02/04] 株式会社…」)
    if m and m.group(1).startswith("【"):
        has_org = bool(lex.orgish.search(rest))
    else:  # elsewhere an entry opens with its organisation (after a date, if any)
        lead = _DATEISH.sub("", rest, count=1) if _DATEISH.match(rest.lstrip(" [(（|")) else rest
        has_org = bool(lex.orgish.match(lead.lstrip(" ]）)|:：-—–・")))
    if m is None and not has_org:  # a date-first line needs the organisation next (not a timeline row)
        return None
    if lex.title_cue.search(rest):
        if not (has_date or has_org):
            return None
    elif not (m and has_date and has_org and len(rest) <= 60):
        return None
    if m:
        return _shape(m.group(1))
    if has_date and _DATEISH.match(rest.lstrip("[(（【")):
        return "date"
    return None


def _find_headers(lines: list[_Line], lex: _Lex) -> list[int]:
    """Indexes of the lines that open digest entries (empty when the page is no digest)."""
    groups: dict[str, list[int]] = {}
    for i, ln in enumerate(lines):
        shape = _header_shape(ln.text, lex)
        if shape:
            groups.setdefault(shape, []).append(i)
    # a numbered tag (「【…事件簿#2024-067】」) opens an entry whatever its title says, once two
    # lines carry it: the title of a digest entry may be a long sentence with no title word
    tagged: dict[str, list[int]] = {}
    for i, ln in enumerate(lines):
        m = _numbered_tag(ln.text, lex)
        if m and len(ln.text.strip()) - m.end() >= 4:
            tagged.setdefault(_shape(m.group(1)), []).append(i)
    for shape, idxs in tagged.items():
        if len(idxs) >= 2:
            groups[shape] = sorted(set(groups.get(shape, [])) | set(idxs))
    # a tagged entry whose title has neither a date nor a title word (「【…#2025-239】青葉大学、
    # 職員がニセのサポート窓口に…」) still opens an entry when its tag repeats the others'
    for shape, idxs in list(groups.items()):
        if shape.startswith("【") and len(idxs) >= 2:
            for i, ln in enumerate(lines):
                m = lex.marker.match(ln.text.strip())
                if i not in idxs and m and _shape(m.group(1)) == shape and len(ln.text.strip()) - m.end() >= 4:
                    idxs.append(i)
            idxs.sort()
    # a press-release listing names the organisation on a line of its own above each title
    # (「株式会社みなと交通」 / 「【重要】…について」 / date / body)
    for i, ln in enumerate(lines):
        if _org_line(ln.text, lex):
            nxt = next((j for j in range(i + 1, min(i + 4, len(lines))) if lines[j].text.strip()), None)
            if nxt is not None and lex.title_cue.search(lines[nxt].text) and "。" not in lines[nxt].text.strip().rstrip("。"):
                groups.setdefault("org line", []).append(i)
    best: list[int] = []
    for shape, idxs in groups.items():
        if shape == "|":  # a table: every row is an entry, its body is the row itself
            rows = [i for i in idxs if not re.search(r"組織名|企業名|団体名|公表日", lines[i].text)]
            if len(rows) >= 2 and len(rows) > len(best):
                best = rows
            continue
        if len({lines[i].text.strip() for i in idxs}) == 1:
            continue  # one title printed twice (above and below the notice) opens no entries
        # an entry owns a body: enough text before the next header of its group
        owned = []
        for k, i in enumerate(idxs):
            nxt = idxs[k + 1] if k + 1 < len(idxs) else len(lines)
            body = sum(len(lines[j].text.strip()) for j in range(i + 1, nxt))
            # the last entry of a page cut by the crawler may keep only a few words of body
            if body >= MIN_BODY_CHARS or (nxt == len(lines) and body and lex.title_cue.search(lines[i].text)) \
                    or (nxt == len(lines) and not body and _cut_tag(lines[i].text, lex)):
                owned.append(i)
        if len(owned) >= 2 and len(owned) > len(best):
            best = owned
    if not best:
        # a page that holds one tagged entry (「【セキュリティ事件簿#2024-350】気仙沼市 …」) opens with
        # its header, and the header is where the organisation is named
        first = next((i for i, ln in enumerate(lines) if ln.text.strip() and not _is_label_line(ln.text)), None)
        if first is not None and _header_shape(lines[first].text, lex) and _numbered_tag(lines[first].text, lex) \
                and lex.title_cue.search(lines[first].text):
            best = [first]
    return best


@cache
def _org_only() -> re.Pattern[str]:
    org = lexicon("extract")["org"]
    des, suf = _alt(org["designators"]), _alt(org["suffixes"])
    name = rf"[{KANJI}{KATAKANA}A-Za-z0-9&・ー ]"
    named = rf"[{KANJI}{KATAKANA}{HIRAGANA}A-Za-z0-9&・ー ]"  # beside a designator a name may be kana (株式会社ほくせん)
    return re.compile(rf"(?:{des})\s?{named}{{1,30}}|{named}{{1,30}}\s?(?:{des})|{name}{{1,24}}(?:{suf})")


def _org_line(text: str, lex: _Lex) -> bool:
    """A line that holds only an organisation's name (「北浜スポーツクラブ株式会社」)."""
    s = text.strip()
    return 3 <= len(s) <= 40 and not lex.title_cue.search(s) and bool(_org_only().fullmatch(s))


def _numbered_tag(text: str, lex: _Lex) -> re.Match[str] | None:
    """The marker of a line that opens with a numbered digest tag (「【…事件簿#2024-067】」)."""
    m = lex.marker.match(text.strip())
    return m if m and m.group(1).startswith("【") and re.search(r"[#＃]\s?\d|\d{3,}", m.group(1)) else None


def _cut_tag(text: str, lex: _Lex) -> bool:
    """A numbered digest tag on the page's last line, cut by the crawler mid-title
    (「【…#2031-294】みなと観光協会が収集・」): the entry's notice is lost, its header is not."""
    return bool(_numbered_tag(text, lex)) and not re.search(r"[。)）」]$", text.strip())


_LABEL_LINE = re.compile(r"^\s*(?:ラベル|カテゴリー?|タグ)\s?[:：]?\s?\S.{0,60}(?:の投稿を表示|一覧)")


def _is_label_line(text: str) -> bool:
    """A blog's archive banner (「ラベル インシデント:誤操作 の投稿を表示しています。」)."""
    return bool(_LABEL_LINE.match(text))


def _trim_tail(lines: list[_Line], lex: _Lex, start: int, end: int) -> int:
    """Index of the first page-furniture line after a notice's first third, or ``end``."""
    total = sum(len(lines[j].text) for j in range(start, end))
    seen = 0
    for j in range(start, end):
        t = _DECOR.sub("", lines[j].text)
        if seen > total * 0.3 and (t in lex.tail or _LIST_SUFFIX.sub("", t) in lex.tail or lex.tail_start.match(t)):
            return j
        seen += len(lines[j].text)
    return end


def _document_anchor(text: str) -> dt.date | None:
    """A date to read year-less dates against: a month after the latest dated mention."""
    dated = [d.date for d in find_dates(text[:20000]) if d.has_year]
    return max(dated) + dt.timedelta(days=31) if dated else None


def _happened(text: str, lex: _Lex) -> bool:
    """Does the notice say an incident happened (not a product feature, question or hypothesis)?

    A sentence with an event verb must carry an incident cue itself, or the title (first lines)
    must: 「職員による住民情報の目的外利用について」 + 「…知人に伝えていたことが判明しました」.
    """
    def cued(sent: str) -> bool:
        return any(not lex.not_event.match(sent, m.end()) and not lex.denied.match(sent, m.end())
                   and not lex.conditional.match(sent, m.end()) for m in lex.incident_cue.finditer(sent))

    title = "\n".join([ln for ln in text.split("\n") if ln.strip()][:3])
    title_cued = cued(title)
    for sent in _SENTENCE.split(text):
        if not _EVENT_VERB.search(sent) or lex.hypothetical.search(sent) or _QUESTION.search(sent) \
                or lex.background.search(sent):
            continue
        if title_cued or cued(sent):
            return True
    return False


def _section_end(lines: list[_Line], start: int, end: int) -> int:
    """Where a digest entry ends before the next one: at a decorated section heading such as
    「▼海外」 or 「■その他のニュース」 (not at a plain separator line)."""
    for j in range(start + 2, end):
        raw = lines[j].text.strip()
        if raw and raw[0] in _SECTION_MARKS:
            rest = _DECOR.sub("", raw)
            if 0 < len(rest) <= 10 and "。" not in rest and (raw[0] in "▼▽" or _DIGEST_SECTION.match(rest)):
                return j
    return end


def _is_template(text: str, lex: _Lex) -> bool:
    """A form never filled in: placeholders where the notice's own particulars go (○○株式会社,
    20**年**月**日, ●●件), not a real notice that masks a name (「○○様」) or bolds a word."""
    slots = 0
    for m in lex.placeholder.finditer(text):
        around = text[max(0, m.start() - 4):m.end() + 4]
        if _SLOT.search(around):
            slots += 1
    return slots >= 3 or (slots >= 2 and not any(d.has_year and d.precision == "day" for d in find_dates(text[:4000])))


def _why_not_a_notice(text: str, lex: _Lex, *, digest_entry: bool = False) -> str | None:
    """The reason a segment is no incident notice, or None when it is one."""
    if _is_template(text, lex):
        return "template with unfilled placeholders"
    first_lines = "\n".join([ln for ln in text.split("\n") if ln.strip()][:3])
    if not lex.incident_cue.search(text) and not _APOLOGY_TITLE.search(first_lines):
        return "no incident described"
    head = text[:400]
    # a title that reports a leak or an attack outweighs article-kind words in the body
    # (「大阪府 個人情報(電子メールアドレス)の流出について」 about a lecture's mailing)
    title = next((ln for ln in text.split("\n") if ln.strip()), "")
    titled = bool(lex.incident_cue.search(title) and _REPORT_TITLE.search(title)) and not lex.howto.search(title) \
        and not lex.event.search(title)
    if lex.howto.search(head) and len(lex.howto.findall(text)) >= 2 and not titled:
        return "how-to article"
    if len(lex.statistics.findall(text)) >= 3 and not titled:
        return "statistics article"
    if len(lex.faq.findall(text)) >= 3:
        return "questions and answers"
    if len(lex.event.findall(text)) >= 3 and not titled:
        return "event announcement"
    if not digest_entry and not _happened(text, lex):
        return "no incident said to have happened"
    return None


@dataclass(frozen=True)
class _RoundupLex:
    heading: re.Pattern[str]  # the name opening a heading or bullet line, up to its particle
    sentence: re.Pattern[str]  # the name opening a sentence as its subject
    dated: re.Pattern[str]
    happening: re.Pattern[str]
    not_own: re.Pattern[str]
    not_name: re.Pattern[str]
    first_person: re.Pattern[str]
    authority: re.Pattern[str]
    media: tuple[str, ...]


# 「2031年8月19日週は、」「14日、」「今週は、」: when, before a lead's subject
_TIME_ADVERBIAL = r"(?:(?:\d{4}年)?(?:\d{1,2}月)?\d{1,2}日(?:週)?|(?:\d{4}年)?\d{1,2}月|今週|先週|今月|先月|同日)"
_BULLET = re.compile(r"^\s*(?:[●○◆◇■□・▶►★☆◎▼▽※]|\d{1,2}[.．)）]|[(（]\d{1,2}[)）])\s*")
_NAME_CHARS = rf"[{KANJI}{KATAKANA}A-Za-z0-9&・ー]"


@cache
def _rlex() -> _RoundupLex:
    rc = lexicon("segment")["roundup"]
    ext = lexicon("extract")
    particles, staff = _alt(rc["subject_particles"]), _alt(ext["org"]["staff"])
    lead_particles = _alt(rc["lead_particles"])
    authorities = [n for names in lexicon("authorities")["names"].values() for n in names]
    return _RoundupLex(
        heading=re.compile(rf"^(?P<n>[^\s、。「」()（）]{{2,20}}?)(?:{staff})?(?:{particles}|、|\s)"),
        # a dated news lead: 「ミナトは2031年10月、」「白浜大学は3月4日までに、」「…会社のカワセミ技研も、3月9日に」
        # after an opening adverbial of time (「2031年8月19日週は、」「14日、」), an optional descriptor
        # (「…会社の」) and an alias in brackets: the name, its particle, and what follows
        sentence=re.compile(rf"^(?:{_TIME_ADVERBIAL}(?:は|に|には)?[、,]\s?)?(?P<d>[^、。「」()（）や\n]{{1,20}}の)?"
                            rf"(?P<n>(?![0-9]){_NAME_CHARS}{{2,20}}?)(?:[(（][^()（）\n]{{1,40}}[)）])?(?P<p>{lead_particles}|が)"),
        dated=re.compile(r"[、,]?\s?(?:\d{4}年)?(?:\d{1,2}月(?:\d{1,2}日)?|\d{1,2}日)"),
        # an undated lead must say in the same sentence that the incident happened to it
        happening=re.compile(rf"(?:{_alt(rc['happening'])})"),
        not_own=re.compile(_alt(rc["not_own"])),
        not_name=re.compile(_alt(rc["not_name"])),
        first_person=re.compile(_alt(ext["kind"]["first_person"])),
        authority=re.compile(rf"^(?:{_alt(authorities)})"),
        media=tuple(ext["org"]["media"]),
    )


def _outside_quotes(text: str) -> str:
    return re.sub(r"「[^「」\n]*」|『[^『』\n]*』", "", text)


def _story_name(name: str, rl: _RoundupLex) -> str | None:
    """``name`` if it may open a story in a round-up, else None."""
    name = name.strip("・ ")
    if len(name) < 2 or rl.not_name.search(name) or rl.authority.match(name) or any(m in name for m in rl.media):
        return None
    if re.fullmatch(r"[同当弊][^\s]{1,4}", name):
        return None  # 「同社」「当院」: a reference to a story already open
    return name


def _same_story(a: str, b: str) -> bool:
    return a in b or b in a  # 「ミナト」 and 「ミナト計算機」


def _story_openers(lines: list[_Line], a: int, b: int, text: str, lex: _Lex) -> list[tuple[int, str, bool]]:
    """(line index, organisation, is a heading) of each line in [a, b) (whose ``text`` it is)
    that opens a story."""
    rl = _rlex()
    out: list[tuple[int, str, bool]] = []
    for i in range(a, b):
        raw = lines[i].text.strip()
        if not raw:
            continue
        bullet = _BULLET.match(raw)
        body = raw[bullet.end():] if bullet else raw
        if "。" not in body and len(body) <= 50:
            m = rl.heading.match(body)
            name = _story_name(m.group("n"), rl) if m else None
            if name and lex.incident_cue.search(body) and not lex.incident_cue.search(name):
                out.append((i, name, True))  # the caller decides whether it may open a story
            continue
        for sent in [s for s in body.split("。") if s.strip()][:2]:
            m = rl.sentence.match(sent.strip())
            if not m or (m.group("d") and rl.not_own.search(m.group("d"))) or lex.background.search(sent):
                continue  # somebody else's story, or an earlier incident told as background
            rest = sent.strip()[m.end():]
            happening = bool(rl.happening.search(rest))
            if not ((m.group("p") != "が" and rl.dated.match(rest)) or happening):
                continue
            name = _story_name(m.group("n"), rl)
            # a bare kanji name (「カワセミが…攻撃を受け」) is a name where its story says what
            # happened to it and the article keeps naming it
            if name and not lex.incident_cue.search(name) and (lex.orgish.search(name) or public_body(name)
                                                              or (happening and text.count(name) >= 3)):
                out.append((i, name, False))
                break
    return out


def _roundup_spans(lines: list[_Line], a: int, b: int, lex: _Lex) -> list[tuple[int, int, str | None, str]] | None:
    """The stories of a news round-up held in lines [a, b), one span per organisation, or None
    when the text is one notice.

    A round-up writes about every organisation in the third person: it has no 当社 / 本市 of
    its own, and at least two organisations each open a story (a heading or bullet line that
    starts with the name, or a paragraph whose first sentences have it as their subject) that
    describes an incident. A story runs to the next story of another organisation; where one
    organisation has several (a bullet in the summary, a section below), the longest is kept.
    """
    text = "\n".join(ln.text for ln in lines[a:b])
    if _rlex().first_person.search(_outside_quotes(text)):
        return None
    openers = _story_openers(lines, a, b, text, lex)
    # strong openers: a news lead, or a bullet among parallel bullets (「● ひばり堂で…」); a plain
    # heading only continues a name one of them opened (the section 「くるみ薬房で不正アクセスの被害」
    # below the bullet), so the article's own title never makes a story
    bulleted = [o for o in openers if o[2] and _BULLET.match(lines[o[0]].text)]
    strong = [o for o in openers if not o[2]] + (bulleted if len(bulleted) >= 2 else [])
    names = {o[1] for o in strong}
    if len({n for n in names if not any(_same_story(n, m) and len(m) > len(n) for m in names)}) < 2:
        return None
    openers = [o for o in openers if o in strong or any(_same_story(o[1], n) for n in names)]
    merged: list[tuple[int, str, bool]] = []
    for op in openers:
        if merged and _same_story(merged[-1][1], op[1]):
            continue  # the same organisation again: its story goes on
        merged.append(op)
    stories: dict[str, tuple[tuple[int, int], tuple[int, int, str | None, str]]] = {}  # key → (size, span)
    for k, (i, name, heading) in enumerate(merged):
        end = merged[k + 1][0] if k + 1 < len(merged) else b
        story = "\n".join(ln.text for ln in lines[i:end])
        if len(story.strip()) < 12 or not lex.incident_cue.search(story):
            continue
        key = next((n for n in stories if _same_story(n, name)), name)
        size = (end - i, len(story))  # lines, then characters
        if key not in stories or size > stories[key][0]:
            stories[key] = (size, (i, end, lines[i].text.strip() if heading else None, name))
    if len(stories) < 2:
        return None
    return sorted(span for _, span in stories.values())


def notice_patterns() -> tuple[str, str]:
    """The patterns one of which every segment kept as a notice matches somewhere in its page:
    the incident cues and the apology title (a segment with neither is dropped as "no incident
    described"; a digest's cut last entry is kept only beside another notice). The crawl
    prefilter relies on this to skip pages unread."""
    return _lex().incident_cue.pattern, _APOLOGY_TITLE.pattern


@cache
def cue_exemptions() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The incident cue and what may follow a cue that then tells of no happening: a product or
    a noun of everyday use (「紛失物」「不正アクセス対策」) or a condition (「紛失された場合は」).
    ``_happened`` needs a cue with neither after it, so a page whose every cue has one after it
    gives no notice outside a digest; the crawl prefilter relies on this (docs/scale.md)."""
    lex = _lex()
    return lex.incident_cue, re.compile(f"(?:{lex.not_event.pattern})|(?:{lex.conditional.pattern})")


def segment_document(doc: Document) -> list[Segment]:
    """The incident notices in ``doc``, with offsets into ``doc.text``."""
    lex = _lex()
    norm = normalize(doc.text)
    lines = _lines(norm.text)
    # page furniture (related articles, rankings, references) goes first: its headline lists
    # must not be read as digest entries
    lines = lines[:_trim_tail(lines, lex, 0, len(lines))]
    anchor = _document_anchor(norm.text)
    headers = _find_headers(lines, lex)
    spans: list[tuple[int, int, str | None, str | None]] = []  # line ranges [a, b), header text, organisation
    if headers:
        for k, i in enumerate(headers):
            nxt = headers[k + 1] if k + 1 < len(headers) else len(lines)
            spans.append((i, _trim_tail(lines, lex, i, _section_end(lines, i, nxt)), lines[i].text.strip(), None))
        if headers[0] > 0:
            log.info("%s: dropped %d lines before the first digest entry", doc.source, headers[0])
    else:
        end = _trim_tail(lines, lex, 0, len(lines))
        stories = _roundup_spans(lines, 0, end, lex)
        if stories:
            log.info("%s: a round-up of %d stories", doc.source, len(stories))
        spans += stories or [(0, end, None, None)]

    out: list[Segment] = []
    for a, b, header, org_hint in spans:
        while a < b and not lines[a].text.strip():
            a += 1
        while b > a and not lines[b - 1].text.strip():
            b -= 1
        if a >= b:
            continue
        ns, ne = lines[a].start, lines[b - 1].end
        ntext = norm.text[ns:ne]
        cut = header is not None and b == len(lines) and a == b - 1 and len(out) > 0 and _cut_tag(header, lex)
        why = None if cut else _why_not_a_notice(ntext, lex, digest_entry=header is not None)
        if why:
            log.info("%s: dropped segment at %d: %s", doc.source, ns, why)
            continue
        start, end = norm.to_original(ns, ne)
        hint_date = None
        if header:
            ds = find_dates(header, anchor)
            if ds:
                hint_date = ds[-1].date.isoformat()
        out.append(Segment(
            source=doc.source, doc_sha256=doc.sha256, start=start, end=end,
            text=doc.text[start:end], header=header, date_hint=hint_date, organization_hint=org_hint,
        ))
    return out
