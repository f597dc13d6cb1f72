"""Kinds of personal data involved, and the counts of people or records affected.

Data kinds are read only where the notice talks about the data: sentences with a data cue
(漏えい, 含まれ, 項目 …), list lines ("・氏名、住所"), and lines under a data heading
("漏えいした可能性のある情報"). Clauses that say data was *not* involved
(「クレジットカード情報は含まれておりません」) and data of pets or other non-persons add nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from jikenbo.extract.classify import is_advice
from jikenbo.extract.context import Context, Sentence, category_at, cue, lexicons
from jikenbo.text.numbers import Quantity, find_quantities

_CLAUSE_SPLIT = re.compile(r"(?:が|ものの|ですが|ますが|けれども|一方)、|。|\n|※")
# a te-form comma, after which a clause with a data topic of its own may follow
_TE_SPLIT = re.compile(r"(?:で|て|ており|であり)、")
_DATA_TOPIC = re.compile(r"[^、。]{0,20}?(?:情報|データ|番号|内容|記録)(?:は|も|について(?:は)?)")
_PEOPLE_UNITS = {"人", "名", "件", "アカウント", "世帯"}


@cache
def _words(key: str) -> frozenset[str]:
    return frozenset(lexicons().ext["cues"][key])


_MESSAGES = re.compile(r"(?:メール|通知|郵便物?|案内|DM|ダイレクトメール|投稿)(?:が|を)?(?:約|計|合計)?\s?$")


@cache
def _total_context() -> re.Pattern[str]:
    return re.compile(rf"(?:{cue('cues', 'total_context').pattern})[^。、]{{0,12}}$")


@cache
def _recipients() -> re.Pattern[str]:
    return re.compile(rf"[)）]?\s?(?:{cue('cues', 'recipients').pattern})")


@cache
def _event_count() -> re.Pattern[str]:
    return re.compile(rf"(?:の)?[^。、]{{0,14}}?(?:{cue('cues', 'event_words').pattern})")


@cache
def _protects() -> re.Pattern[str]:
    return re.compile(rf"\s?(?:を|が|で)?(?:{cue('cues', 'protection').pattern})")


@dataclass
class CategoryHit:
    category: str
    start: int
    end: int


def _negated_spans(text: str) -> list[tuple[int, int]]:
    """Clauses of ``text`` that say data was not involved."""
    lx = lexicons()
    out = []
    pos = 0
    for m in [*_CLAUSE_SPLIT.finditer(text), None]:
        end = m.start() if m else len(text)
        clause = text[pos:end]
        neg = lx.negation.search(clause)
        if neg:
            start = pos
            opened = max(clause.rfind("(", 0, neg.start()), clause.rfind("（", 0, neg.start()))
            if opened >= 0 and not re.search(r"[)）]", clause[opened:neg.start()]):
                inside = {m.group(0) for m in lx.categories.finditer(clause, opened, neg.start())}
                before = {m.group(0) for m in lx.categories.finditer(clause, 0, opened)}
                if not inside & before:
                    # 「カナ氏名(住所や電話番号はありません。)」: only the aside is denied, unless it
                    # denies the very item before it (「カード情報(…ではカード情報を保有しない)」)
                    start = pos + opened
            # 「…受講情報で、決済情報は含まれていない」: the negation covers its own clause only
            for te in _TE_SPLIT.finditer(clause):
                if _DATA_TOPIC.match(clause, te.end()) and lx.negation.search(clause, te.end()):
                    start = pos + te.end()
            out.append((start, end))
        pos = m.end() if m else len(text)
    return out


def _non_person_spans(text: str) -> list[tuple[int, int]]:
    out = []
    for m in lexicons().non_person.finditer(text):
        stop = re.search(r"[がはで。]|です", text[m.end():])
        out.append((m.start(), m.end() + (stop.start() if stop else len(text) - m.end())))
    return out


def _is_data_sentence(s: Sentence, under_data_heading: bool, n_terms: int) -> bool:
    lx = lexicons()
    if s.is_heading:
        return bool(lx.data_heading.search(s.text))
    if is_advice(s) and not lx.data_cue.search(s.text):
        return False
    if under_data_heading:
        return True
    if s.list_line and n_terms >= 2:
        return True
    return (bool(lx.data_cue.search(s.text)) and not is_advice(s)) or (
        bool(re.search(r"漏え?い|漏洩|流出|含まれ", s.text)) and not re.search(r"変更|お願い|ください", s.text)
    )


def data_categories(ctx: Context) -> tuple[list[CategoryHit], list[tuple[int, int]]]:
    """Category hits in data sentences, and spans of 要配慮 evidence."""
    lx = lexicons()
    hits: list[CategoryHit] = []
    sensitive: list[tuple[int, int]] = []
    heading_is_data = False
    current_heading = None
    run = False  # inside the bullet list that a data sentence introduced
    for s in ctx.sentences:
        if s.heading != current_heading:
            current_heading = s.heading
            heading_is_data = bool(s.heading) and bool(lx.data_heading.search(s.heading))
            run = False
        terms = list(lx.categories.finditer(s.text)) if (s.list_line or s.bullet or heading_is_data
                                                           or lx.data_cue.search(s.text)) else []
        is_data = _is_data_sentence(s, heading_is_data, len(terms)) and not s.background
        if is_data and cue("context", "spoof").search(s.text) and not cue("context", "taken").search(s.text):
            is_data = False  # 「送信者の名前とメールアドレスが一致しない」: the spoofed message's own details
        if s.bullet and run:
            is_data = True
        elif not s.is_heading:
            # a data sentence that introduces a list, or a bullet that lists data, opens a run
            run = is_data and (bool(cue("cues", "list_intro").search(s.text)) or s.bullet)
        if not is_data:
            continue
        vetoes = _negated_spans(s.text) + _non_person_spans(s.text)
        for m in terms:
            if any(a <= m.start() < b for a, b in vetoes):
                continue
            cat = category_at(m)
            if cat == "password" and _protects().match(s.text, m.end()):
                continue  # 「パスワードを設定しておりますが」: a protection, not data that leaked
            near = s.text[max(0, m.start() - 6):m.start()] + "|" + s.text[m.end():m.end() + 12]
            if cat == "device_info" and m.group(0) in ("OS", "ブラウザ") and not re.search(r"OS|ブラウザ|端末", near):
                continue
            if cat == "customer_id" and m.group(0) == "ID" and re.search(r"ログイン|ユーザー?|アカウント", near.split("|")[0]):
                continue
            hits.append(CategoryHit(cat, s.start + m.start(), s.start + m.end()))
        for m in lx.sensitive.finditer(s.text):
            if not any(a <= m.start() < b for a, b in vetoes):
                sensitive.append((s.start + m.start(), s.start + m.end()))
    return hits, sensitive


def _is_round(v: int) -> bool:
    """A figure written as a round number (90万, 3,000): likely an approximation of another."""
    return v >= 1000 and v % 1000 == 0


@dataclass
class CountHit:
    q: Quantity
    what: str | None
    is_total: bool
    sentence: Sentence


def counts(ctx: Context) -> list[CountHit]:
    """Every count of people or records in a factual sentence, with what it counts."""
    out: list[CountHit] = []
    for s in ctx.sentences:
        if s.background or (s.is_heading and not re.search(r"\d", s.text)):
            continue
        negs = _negated_spans(s.text)
        for q in find_quantities(s.text):
            if q.unit is None:
                continue
            if any(a <= q.start < b for a, b in negs):
                continue
            before = s.text[max(0, q.start - 24):q.start]
            what_m = re.search(r"([^\s、。,・:()（）「」\d]{2,16})(?:[:：]\s*|\s*[(（]?\s*)$", before)
            what = what_m.group(1) if what_m else None
            total = (q.qualifier or "") in _words("total_qualifiers") or bool(_total_context().search(before))
            out.append(CountHit(q, what, total, s))
    return out


def affected_total(ctx: Context, hits: list[CountHit]) -> CountHit | None:
    """The notice's overall figure of affected people or records."""
    cands: list[CountHit] = []
    for h in hits:
        q = h.q
        if q.unit not in _PEOPLE_UNITS:
            continue
        s = h.sentence.text
        window = s[max(0, q.start - 40): q.end + 30]
        after = s[q.end: q.end + 8]
        if cue("cues", "not_people_units").match(after.strip(" (分")) and not cue("cues", "record_words").match(after):
            continue
        if _MESSAGES.search(s[max(0, q.start - 10):q.start]) or (
                q.unit in ("件", "通") and re.match(r"\s?の(?:迷惑|不審な|なりすまし)?メール(?!アドレス)", after)):
            continue  # 「不審なメールが約3,000件送信」 counts messages
        if _recipients().match(after):
            continue  # the recipients of a mailing
        if cue("cues", "not_affected").search(window):
            continue
        if re.match(r"\s?から[^。]{0,20}?\d", s[q.end:q.end + 24]):
            continue  # 「最大3万8,400件から3万6,912件に確定」: the earlier figure, revised
        if _event_count().match(s, q.end):  # 「2件の個人情報に関する事案」 counts events, not people
            continue
        if re.match(r"\s*(?:体制)?で(?:確認|照合|チェック|対応|点検)", after):  # 「二名で照合」: a procedure
            continue
        if q.unit == "件" and not cue("cues", "record_words").search(h.sentence.heading + window):
            continue
        if is_advice(h.sentence) and not lexicons().data_cue.search(s):
            continue
        cands.append(h)
    if not cands:
        return None
    totals = [h for h in cands if h.is_total]
    pool = totals or cands
    best = max(pool, key=lambda h: h.q.value)
    if (best.q.qualifier or "") in _words("rounded_qualifiers") or _is_round(best.q.value):
        exact = [h for h in cands if (h.q.qualifier or "") not in _words("rounded_qualifiers") and not _is_round(h.q.value)
                 and abs(h.q.value - best.q.value) <= best.q.value * 0.15]
        if exact:
            best = max(exact, key=lambda h: h.q.value)
    return best
