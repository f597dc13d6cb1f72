"""Incident types, leak status, authorities told, notice kind and secondary damage.

Each is decided from cue words (``data/lexicon/*.toml``) found in sentences that state a
happening: a sentence of advice or prevention (「不審なメールにご注意ください」,
「不正アクセスの防止」) says nothing about what happened, so its cues are skipped.
"""

from __future__ import annotations

import re
from functools import cache

from jikenbo.config import lexicon
from jikenbo.extract.context import Context, Sentence, alt, cue, find_all, lexicons

_MESSAGE_END = re.compile(r"(?:ました|です|ます|ください|下さい|せん|た|!|！|\?|？)」$")
_QUOTE = re.compile(r"「[^」]{1,80}」")
# A cue the sentence goes on to deny: 「不正アクセスの形跡はなく」「AWS側の不具合ではなく」.


@cache
def _denied() -> re.Pattern[str]:
    """A cue the sentence goes on to deny, within a few characters."""
    return re.compile(rf"[^。、]{{0,8}}?(?:{cue('cues', 'denial').pattern})")


@cache
def _feature() -> re.Pattern[str]:
    """Right after a cue, a word that makes it a measure or a product (segment.toml)."""
    return re.compile(rf"\s?(?:{alt(lexicon('segment')['non_notice']['feature'])})")


@cache
def _self_object() -> re.Pattern[str]:
    """The organisation itself as the object of 装う/騙る: 「弊社従業員を」「当館を」「同社名で」."""
    own = cue("org", "self_reference").pattern + "|" + cue("kind", "first_person").pattern
    return re.compile(rf"(?:{own})[^、。がは]{{0,12}}(?:を|に|で)$")


def _impersonates_self(text: str, m: re.Match[str]) -> bool:
    """Mail in the organisation's own name (GUIDE), not a scam posing as somebody else."""
    if re.search(r"メール|SMS", m.group(0)) or (re.match(r"メール", text[m.end():m.end() + 3]) and "なりすまし" in m.group(0)):
        return True
    return bool(_self_object().search(text[max(0, m.start() - 24):m.start()]))


def is_advice(s: Sentence) -> bool:
    return bool(lexicons().advice.search(s.text))


def incident_types(ctx: Context) -> list[tuple[str, int, int]]:
    """(type, start, end) for each type with its first cue in a factual sentence."""
    lx = lexicons()
    found: dict[str, tuple[int, int]] = {}
    for s in ctx.sentences:
        if s.background:
            continue
        advice = is_advice(s)
        # a quoted message (「ウイルスに感染しました」) is what was displayed, not what happened;
        # a quoted term (いわゆる「サポート詐欺」) still names the incident
        quotes = [(q.start(), q.end()) for q in _QUOTE.finditer(s.text) if _MESSAGE_END.search(q.group(0))]
        for name, (pat, excl) in lx.types.items():
            if name in found:
                continue
            vetoes = [(x.start(), x.end()) for x in excl.finditer(s.text)] if excl is not None else []
            vetoes += quotes
            for m in pat.finditer(s.text):
                if any(a < m.end() and b > m.start() for a, b in vetoes):
                    continue
                if _denied().match(s.text, m.end()) or _feature().match(s.text, m.end()):
                    continue  # 「感染しておらず」, or 「迷惑メール対策」「不正アクセス防止」: a measure, not a happening
                if name == "impersonation" and not _impersonates_self(s.text, m):
                    continue
                if advice and not s.is_heading:
                    # advice sentences can still state the fact in their first clause
                    clause_end = s.text.find("、", m.end())
                    head = s.text[: clause_end if clause_end > 0 else len(s.text)]
                    if lx.advice.search(head) or cue("cues", "hypothetical").search(head):
                        continue
                found[name] = (s.start + m.start(), s.start + m.end())
                break
    if "ransomware" in found:
        found.pop("malware", None)
    if "theft" in found and "loss" in found and not re.search("紛失|置き?忘れ", ctx.text[slice(*found["loss"])]):
        found.pop("loss")  # a stolen medium that is not found again is no loss
    if len(found) > 1:
        found.pop("other", None)
    return [(k, a, b) for k, (a, b) in sorted(found.items(), key=lambda kv: kv[1][0])]


def _leak_hits(ctx: Context, key: str, *, skip_hypothetical: bool = True) -> list[tuple[Sentence, re.Match[str]]]:
    pat = cue("leak", key)
    out = []
    for s in ctx.sentences:
        for m in pat.finditer(s.text):
            if skip_hypothetical and cue("cues", "hypothetical").search(s.text[m.end(): m.end() + 12]):
                continue
            out.append((s, m))
    return out


_LEAKED_HEADING = re.compile(r"(?:流出|漏え?い|漏洩)した(?:保有)?(?:個人|会員|顧客|お客様)?(?:情報|データ|内容|項目)")


def leak_status(ctx: Context, has_data: bool, types: list[str]) -> tuple[str, tuple[int, int] | None]:
    """confirmed / not_confirmed / possible / none / unknown, with the deciding span."""
    hedge = cue("leak", "hedge")

    def confirmed(key: str) -> tuple[str, tuple[int, int]] | None:
        for s, m in _leak_hits(ctx, key):
            tail = s.text[m.end(): m.end() + 14]
            if hedge.search(tail) or hedge.search(s.text[max(0, m.start() - 4): m.start()]):
                continue
            if lexicons().advice.search(s.text) and re.search(r"場合|としたら", s.text):
                continue
            return "confirmed", (s.start + m.start(), s.start + m.end())
        return None

    if found := confirmed("confirmed"):
        return found
    for s in ctx.sentences:  # a section headed 「1 流出した情報」「2 漏えいした会員情報」 states it as fact
        if s.is_heading and (m := _LEAKED_HEADING.search(s.text)) and not hedge.search(s.text):
            return "confirmed", (s.start + m.start(), s.start + m.end())
    for s, m in _leak_hits(ctx, "not_confirmed", skip_hypothetical=False):
        return "not_confirmed", (s.start + m.start(), s.start + m.end())
    if cue("leak", "investigation_done").search(ctx.text):
        for s, m in _leak_hits(ctx, "not_confirmed_interim", skip_hypothetical=False):
            if lexicons().categories.search(s.text[: m.start()]):
                continue  # only some kinds of data were ruled out (「カード情報は流出は確認されていない」)
            return "not_confirmed", (s.start + m.start(), s.start + m.end())
    none_hits = _leak_hits(ctx, "none", skip_hypothetical=False)
    for s, m in _leak_hits(ctx, "possible"):
        if any(n.start <= s.start + m.start() < n.end and nm.start() <= m.start() < nm.end() for n, nm in none_hits):
            continue  # 「流出するおそれはございません」
        if lexicons().advice.search(s.text) and not lexicons().data_cue.search(s.text):
            continue
        about_data = cue("cues", "leakish").search(s.text) or lexicons().categories.search(s.text)
        if not about_data and m.group(0) in ("可能性", "おそれ", "恐れ"):
            continue
        if re.search(r"(?:ウイルス感染|不正アクセス|詐欺|迷惑メール)等?の(?:おそれ|可能性)", s.text[max(0, m.start() - 12): m.end()]):
            continue
        return "possible", (s.start + m.start(), s.start + m.end())
    if found := confirmed("confirmed_act"):
        return found
    for s, m in _leak_hits(ctx, "none", skip_hypothetical=False):
        return "none", (s.start + m.start(), s.start + m.end())
    if {"loss", "theft"} & set(types) and has_data:
        return "possible", None  # a lost or stolen medium that is not said to be found
    if "misdelivery" in types and has_data:
        return "confirmed", None  # sent to the wrong people: the data left the organisation's hands
    if not has_data:
        harmless = cue("leak", "harmless")
        for s in ctx.sentences:
            m = harmless.search(s.text)
            if m and not is_advice(s):
                return "none", (s.start + m.start(), s.start + m.end())
        if types and set(types) <= {"impersonation", "fraud", "other"}:
            return "none", None  # spam in its name, a scam, a re-registered domain: no personal data said to be involved
    return "unknown", None


def reported_to(ctx: Context, organization: str | None = None) -> list[tuple[str, int, int]]:
    """Authorities the notice says were told, with the span naming each.

    An authority's name inside the organisation's own (北浜市教育委員会) is not a report.
    """
    lx = lexicons()
    own = [(i, i + len(organization)) for i in find_all(ctx.text, organization)] if organization else []
    found: dict[str, tuple[int, int]] = {}
    for s in ctx.sentences:
        if s.background or not (lx.report_verb.search(s.text) or s.is_heading):
            continue
        if re.search(r"してください|して下さい|場合(?:は|には)", s.text):
            continue
        for code, pat in lx.authorities.items():
            if code in found:
                continue
            for m in pat.finditer(s.text):
                if any(a <= s.start + m.start() < b for a, b in own):
                    continue
                after = s.text[m.end(): m.end() + 14]
                if code == "ministry" and re.match(r"(?:である|の)?(?:個人情報保護委員会|警察)", after):
                    continue
                if code == "ministry" and organization and _own_education_board(organization, s.text, m.start()):
                    continue  # 「校長が府教育庁に報告」 in a prefecture's notice: its own board
                if code == "police" and re.search(r"警察(?:庁)?(?:の|が)?(?:発表|統計|によると)", s.text[m.start(): m.end() + 10]):
                    continue
                found[code] = (s.start + m.start(), s.start + m.end())
                break
    return [(k, a, b) for k, (a, b) in sorted(found.items(), key=lambda kv: kv[1][0])]


def _own_education_board(organization: str, text: str, start: int) -> bool:
    """An education board of the notice's own prefecture or municipality (府教育庁, 市教育委員会)."""
    if not re.search(r"(?:都|道|府|県|市|町|村|区)(?:教育委員会|教委)?$", organization):
        return False
    return bool(re.match(r"(?:都|道|府|県|市|町|村|区)?教育(?:庁|委員会)", text[start:start + 8])) or (
        text[start - 1:start] in ("都", "道", "府", "県", "市", "町", "村", "区") and text.startswith("教育", start))


def notice_kind(ctx: Context, title: str | None) -> str:
    head = (title or "") + "\n" + ctx.text[:600]
    if cue("kind", "final_report").search(head):
        return "final_report"
    if cue("kind", "follow_up").search(head):
        return "follow_up"
    if cue("kind", "first_report").search(head):
        return "first_report"
    first_person = len(cue("kind", "first_person").findall(ctx.text))
    news = len(cue("kind", "news").findall(ctx.text))
    if news >= 2 and news > first_person:
        return "news_report"
    return "first_report"


def secondary_damage(ctx: Context) -> tuple[str, tuple[int, int] | None]:
    for key, value in (("confirmed", "confirmed"), ("none_confirmed", "none_confirmed")):
        for s in ctx.sentences:
            m = cue("secondary", key).search(s.text)
            if m:
                return value, (s.start + m.start(), s.start + m.end())
    return "unknown", None
