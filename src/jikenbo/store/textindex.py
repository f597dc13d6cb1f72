"""Japanese text for the full-text index: SudachiPy tokens in their normalised form.

FTS5's trigram tokenizer never matches two-character terms (紛失, 漏洩), so notices are also
indexed as Sudachi-segmented text: each token's ``normalized_form`` (漏えい → 漏洩), separated by
spaces, under FTS5's ``unicode61`` tokenizer. The tokenizer is loaded once per process; text
is fed paragraph by paragraph, cut below Sudachi's 49,149-byte limit per call.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jikenbo.models import Document, Record

MAX_BYTES = 49_000  # SudachiPy refuses more than 49,149 bytes in one call
_SKIP_POS = {"補助記号", "空白"}
_lock = threading.Lock()


@cache
def _tokenizer() -> Any:
    from sudachipy import Dictionary, SplitMode

    dic = Dictionary(dict="core")
    make = getattr(dic, "tokenizer", None) or dic.create
    return make(mode=SplitMode.A)


def _chunks(text: str) -> list[str]:
    out: list[str] = []
    for para in text.split("\n"):
        if not para.strip():
            continue
        while len(para.encode("utf-8")) > MAX_BYTES:
            cut = MAX_BYTES // 4  # ≤ 4 bytes a character in UTF-8
            out.append(para[:cut])
            para = para[cut:]
        out.append(para)
    return out


def tokens(text: str) -> list[tuple[str, str]]:
    """``(surface, normalised)`` of each word of ``text`` (punctuation and spaces left out)."""
    if not text:
        return []
    out: list[tuple[str, str]] = []
    for chunk in _chunks(unicodedata.normalize("NFKC", text)):
        out += _line_tokens(chunk) if len(chunk) <= CACHED_LINE else _tokenize(chunk)
    return out


CACHED_LINE = 200  # characters: a line this short is tokenized once per process (titles, set phrases)


@lru_cache(maxsize=8192)
def _line_tokens(chunk: str) -> tuple[tuple[str, str], ...]:
    # a notice's title is also its text's first line, and notices share whole lines (apologies,
    # contact desks): each is tokenized once. A chunk is tokenized alone whatever surrounds it.
    return tuple(_tokenize(chunk))


def _tokenize(chunk: str) -> list[tuple[str, str]]:
    tok = _tokenizer()
    out: list[tuple[str, str]] = []
    with _lock:
        for m in tok.tokenize(chunk):
            if m.part_of_speech()[0] in _SKIP_POS:
                continue
            surface = m.surface().strip()
            if surface:
                out.append((surface, _clean(m.normalized_form()) or _clean(surface)))
    return out


_NOT_WORD = re.compile(r"[^\w]")


def _clean(s: str) -> str:
    # unicode61 splits on punctuation and symbols: keep tokens as one "word" each
    return _NOT_WORD.sub("", s.lower())


def segmented(text: str) -> str:
    """The normalised tokens of ``text`` separated by spaces: what ``notices_words`` indexes."""
    return " ".join(n for _, n in tokens(text) if n)


def segmented_titles(records: list[Record]) -> tuple[str, ...]:
    """Each record's title as :func:`segmented` gives it (``''`` for none): what
    ``notices_words.title`` indexes."""
    return tuple(segmented(r.title) if r.title else "" for r in records)


@lru_cache(maxsize=512)
def _term_tokens(term: str) -> tuple[tuple[str, str], ...]:
    return tuple(tokens(term))


def query_terms(query: str) -> list[list[str]]:
    """The user's query as terms (split on spaces), each a phrase of normalised tokens."""
    out = []
    for term in query.split():
        toks = [n for _, n in _term_tokens(term) if n]
        if toks:
            out.append(toks)
    return out


def fts_words_query(query: str) -> str | None:
    """An FTS5 MATCH expression for ``notices_words``: every term as a phrase, all required."""
    terms = query_terms(query)
    if not terms:
        return None
    return " AND ".join('"' + " ".join(t) + '"' for t in terms)


def fts_trigram_query(query: str) -> str | None:
    """A MATCH expression for ``notices_trigram`` (only terms of three characters or more)."""
    terms = [unicodedata.normalize("NFKC", t) for t in query.split()]
    if not terms or any(len(t) < 3 for t in terms):
        return None
    return " AND ".join('"' + t.replace('"', '""') + '"' for t in terms)


def snippet(text: str, query: str, width: int = 60) -> str:
    """A short piece of ``text`` around the first place a query term occurs."""
    if not text:
        return ""
    flat = text.replace("\n", " ")
    needles = [t for t in query.split() if t]
    for term in query.split():
        needles += [s for s, _ in _term_tokens(term)] + [n for _, n in _term_tokens(term)]
    pos, hit = -1, ""
    for n in needles:
        i = flat.find(n)
        if i >= 0 and (pos < 0 or i < pos):
            pos, hit = i, n
    if pos < 0:  # the text has another spelling (漏えい for 漏洩): find it by token
        wanted = {n for t in query_terms(query) for n in t}
        start = 0
        for para in _chunks(flat[:4000]):
            off = flat.find(para, start)
            for surface, norm in tokens(para):
                if norm in wanted:
                    i = flat.find(surface, off)
                    if i >= 0:
                        pos, hit = i, surface
                        break
            if pos >= 0:
                break
            start = max(off, 0)
    if pos < 0:
        return flat[: width * 2].strip() + ("…" if len(flat) > width * 2 else "")
    a = max(0, pos - width // 2)
    b = min(len(flat), pos + len(hit) + width)
    head = ("…" if a else "") + flat[a:pos]
    return head + "[" + hit + "]" + flat[pos + len(hit): b] + ("…" if b < len(flat) else "")


def notice_text(doc: Document, rec: Record) -> str:
    """The text of the notice ``rec`` inside ``doc`` (its segment; the whole text when unknown)."""
    if rec.segment_end > rec.segment_start and rec.doc_sha256 in ("", doc.sha256):
        return doc.text[rec.segment_start:rec.segment_end]
    return doc.text


def required_words(query: str | None) -> str | None:
    """``fts_words_query`` of a filter's query; None without one.

    :raises StoreError: the query has no words to search for
    """
    if not query:
        return None
    q = fts_words_query(query)
    if q is None:
        from jikenbo.store.backend import StoreError

        raise StoreError(f"search {query!r}: no words to search for")
    return q
