"""The scan prefilter: keep the few crawled pages that may be notices, on their raw bytes.

Almost every page of a crawl is dropped here, before decoding or HTML parsing, so the cost
per page must stay close to that of reading it. The steps, cheapest first:

1. type: only HTML, XHTML, plain text and PDF records are looked at;
2. language: a record whose crawler named its languages (``WARC-Identified-Content-Language``)
   and named none of ``languages`` is dropped;
3. cue words: one multi-pattern pass over the page's head (Hyperscan's SIMD literal matcher;
   ``ahocorasick_rs`` where Hyperscan is not installed, about 4× slower) finds the cue
   words of ``data/lexicon/prefilter.toml`` in every encoding a Japanese page may use
   (UTF-8, CP932/Shift_JIS, EUC-JP and the JIS bytes of ISO-2022-JP). Each distinct word adds
   its group's weight (up to the group's cap of words), a ``.jp`` host and a notice-like
   path add ``hint_weight`` each (on a page with a word of a ``hinted`` group: an incident
   or an apology), and the page passes at ``threshold`` if it holds a word of every
   ``required`` group (the incident words). A first pass looks for the required groups' words
   alone and stops at the first: a page without one (most pages: footer words only) is dropped
   there, with the score of 0 the full pass would give it.

4. text: a page that passed (about 1% of a crawl) is decoded as the read stage decodes it, its
   scripts, styles, navigation and footers are cut out, and the cue words must reach the
   threshold again in what is left, without the URL hints (``text_check``);
5. incident: the decoded page, tags removed and normalised as the segmenter normalises, must
   hold one of the segmenter's incident cues or apology titles (``incident_check``). Every
   notice the extractor can find holds one (a segment without one is dropped as "no incident
   described"), and every text the read stage gives (trafilatura's main text, the body-text
   fallback) is made of the page's characters, so this drops no page that would give a record;
   it spares the full read (trafilatura, ~40 ms a page) of everyday pages such as a 宛名ラベル
   or 資料の持ち出し page. Nor is a page whose every cue is followed, in one run of its text,
   by what the segmenter's happening test exempts (「紛失物」, 「紛失された場合は」:
   ``every_cue_exempt``): no sentence of it can pass that test (docs/scale.md).

PDFs keep their text in compressed streams: a PDF passes on its host (``pdf_host_suffixes``)
or on cue words visible in its bytes.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from html import unescape
from typing import Any
from urllib.parse import urlsplit

from jikenbo.config import ConfigError, lexicon, settings
from jikenbo.read.base import ReadOptions

# How each reason a page is dropped is counted in the summary.
DROP_TYPE, DROP_LANGUAGE, DROP_CUES, DROP_TEXT, DROP_INCIDENT = "type", "language", "cues", "text", "incident"
_CODE = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)  # never read as text
_CHROME = re.compile(r"<(nav|footer|noscript|template|select)\b.*?</\1\s*>", re.IGNORECASE | re.DOTALL)
_TAGS = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")

_ENCODINGS = ("utf-8", "cp932", "euc_jp", "iso2022_jp")


def _encoded(word: str) -> set[bytes]:
    """``word``'s bytes in each encoding that can encode it (ISO-2022-JP without its escapes:
    inside a run of kanji and kana the bytes are the same whatever comes before)."""
    out = set()
    for codec in _ENCODINGS:
        try:
            raw = word.encode(codec)
        except UnicodeEncodeError:
            continue
        if codec == "iso2022_jp":
            raw = raw.replace(b"\x1b$B", b"").replace(b"\x1b(B", b"").replace(b"\x1b(J", b"")
        if len(raw) >= 4:  # shorter byte strings match by chance in any binary data
            out.add(raw)
    return out


@dataclass(frozen=True)
class Group:
    name: str
    weight: int
    cap: int
    words: tuple[str, ...]
    hinted: bool = False  # a word of this group lets the host and path hints count
    required: bool = False  # a page without a word of this group never passes


@dataclass
class Prefilter:
    """Built once per process from the lexicon and settings (``Prefilter.default()``)."""

    groups: tuple[Group, ...]
    threshold: int
    hint_weight: int
    host_suffixes: tuple[str, ...]
    path_words: tuple[str, ...]
    languages: frozenset[str]
    media_types: frozenset[str]
    pdf_host_suffixes: tuple[str, ...]
    scan_bytes: int
    engine: str = "auto"  # hyperscan, ahocorasick, or auto (Hyperscan when it can be imported)
    text_check: bool = True  # the second step on the decoded visible text
    incident_check: bool = True  # the segmenter's incident cues in the decoded page (with text_check)
    _matcher: object = field(init=False, repr=False)
    _gate: Callable[[bytes], bool] | None = field(init=False, repr=False)  # any required word? (Hyperscan)
    _pattern_word: list[int] = field(init=False, repr=False)  # pattern index → word index
    _word_group: list[int] = field(init=False, repr=False)  # word index → group index
    _required: frozenset[int] = field(init=False, repr=False)  # patterns of the required groups' words
    _ascii_fails: bool = field(init=False, repr=False)  # a page of 7-bit bytes cannot pass the text step
    _kinds: dict[str | None, str | None] = field(init=False, repr=False)  # Content-Type → media_kind

    def __post_init__(self) -> None:
        patterns: dict[bytes, int] = {}
        self._word_group = []
        word_index = 0
        for gi, group in enumerate(self.groups):
            for word in group.words:
                for raw in _encoded(word):
                    patterns.setdefault(raw, word_index)
                self._word_group.append(gi)
                word_index += 1
        if not patterns:
            raise ConfigError("prefilter: no cue word of 2 or more characters")
        keys = sorted(patterns)
        self._pattern_word = [patterns[k] for k in keys]
        self._required = frozenset(i for i, w in enumerate(self._pattern_word)
                                   if self.groups[self._word_group[w]].required)
        self._matcher = _matcher(tuple(keys), self.engine)
        # Most pages hold footer words only (個人情報, お問い合わせ): one pass for the required
        # groups' patterns alone, stopped at the first, drops them with fewer matches to report.
        # It finds a required pattern exactly when the full pass would (the same literals).
        self._gate = _gate(tuple(keys[i] for i in sorted(self._required)), self.engine_used)
        self._kinds = {}
        # Bytes below 0x80 without an ISO-2022-JP escape are Japanese in no encoding: only the
        # ASCII cue words (Emotet) can count in such a page's text, and the text step gives
        # no URL hints. When those cannot reach the threshold, the page is dropped unscanned.
        ascii_words = [sum(1 for w in g.words if w.isascii() and len(w) >= 4) for g in self.groups]
        pairs = list(zip(self.groups, ascii_words, strict=True))
        best = 0 if any(g.required and not n for g, n in pairs) else sum(min(n, g.cap) * g.weight for g, n in pairs)
        self._ascii_fails = self.text_check and best < self.threshold

    @property
    def engine_used(self) -> str:
        return type(self._matcher).__name__.strip("_").lower()

    @classmethod
    def default(cls) -> Prefilter:
        return _default()

    # The automaton is not picklable: a Prefilter sent to a worker process is rebuilt there.
    def __getstate__(self) -> dict[str, object]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__ if not k.startswith("_")}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state)
        self.__post_init__()

    # ------------------------------------------------------------------ the steps

    def media_kind(self, content_type: str | None, payload: bytes) -> str | None:
        """``html``, ``text`` or ``pdf`` for a record worth reading, else None."""
        if payload.startswith(b"%PDF-"):
            return "pdf" if "application/pdf" in self.media_types else None
        try:
            return self._kinds[content_type]
        except KeyError:
            pass
        media = (content_type or "").split(";", 1)[0].strip().lower()
        if media == "application/pdf":
            kind = "pdf" if "application/pdf" in self.media_types else None
        elif not media:
            kind = "html"  # undeclared: the cue words decide
        elif media not in self.media_types:
            kind = None
        else:
            kind = "text" if media == "text/plain" else "html"
        if len(self._kinds) < 1024:  # a crawl repeats a few dozen Content-Types
            self._kinds[content_type] = kind
        return kind

    def language_ok(self, languages: str | None) -> bool:
        if not languages or not self.languages:
            return True
        return any(code.strip().lower() in self.languages for code in languages.split(","))

    def score(self, payload: bytes, url: str | Callable[[], str] = "") -> int:
        """The page's cue score: weighted distinct cue words (capped per group) plus hints; 0
        without a word of a required group."""
        head = payload if len(payload) <= self.scan_bytes else payload[: self.scan_bytes]
        return self._score(head, url)

    def _score(self, head: bytes, url: str | Callable[[], str]) -> int:
        if self._gate is not None and not self._gate(head):
            return 0  # no word of a required group: what the full pass below would conclude
        hits = self._matcher.found(head)  # type: ignore[attr-defined]
        if not hits or hits.isdisjoint(self._required):  # most pages: footer words only
            return 0
        found = {self._pattern_word[i] for i in hits}
        per_group = [0] * len(self.groups)
        for w in found:
            per_group[self._word_group[w]] += 1
        pairs = list(zip(per_group, self.groups, strict=True))
        if any(g.required and not n for n, g in pairs):
            return 0
        total = sum(min(n, g.cap) * g.weight for n, g in pairs)
        if url and any(n and g.hinted for n, g in pairs):
            total += self.hint_weight * self._hints(url if isinstance(url, str) else url())
        return total

    def _hints(self, url: str) -> int:
        host, path = _host_path(url)
        n = 0
        if host.endswith(self.host_suffixes):
            n += 1
        if any(w in path for w in self.path_words):
            n += 1
        return n

    def check(self, payload: bytes, content_type: str | None, url: str | Callable[[], str] = "",
              languages: str | None = None) -> tuple[str | None, str | None]:
        """(kind, None) for a page that passes; (None, drop reason) for one that does not.

        ``url`` may be a function that gives it: it is then asked only when the hints count."""
        kind = self.media_kind(content_type, payload)
        if kind is None:
            return None, DROP_TYPE
        if not self.language_ok(languages):
            return None, DROP_LANGUAGE
        if kind == "pdf":
            host = _host_path(url if isinstance(url, str) else url())[0]
            if not self.pdf_host_suffixes or host.endswith(self.pdf_host_suffixes):
                return kind, None
        head = payload if len(payload) <= self.scan_bytes else payload[: self.scan_bytes]
        if self._ascii_fails and kind != "pdf" and head.isascii() and b"\x1b" not in head:
            return None, DROP_CUES
        if self._score(head, url) < self.threshold:
            return None, DROP_CUES
        if self.text_check and kind != "pdf":
            dropped = self._text_drop(head, content_type, kind)
            if dropped:
                return None, dropped
        return kind, None

    def _text_drop(self, head: bytes, content_type: str | None, kind: str) -> str | None:
        """The steps on the decoded page, for the ~1% of pages the bytes let through (None: it
        passes). Text: the same cue words in the page's visible text, without scripts, styles,
        navigation and footers (every Japanese site's footer says 個人情報保護方針 and its menu
        お知らせ) and without the URL hints. Incident: ``may_hold_notice``.
        A page that cannot be decoded passes: the read stage will say why it is unreadable."""
        from jikenbo.read.base import ReadFailure
        from jikenbo.read.encoding import _decode_text

        charset = None
        for part in (content_type or "").split(";")[1:]:
            key, _, value = part.partition("=")
            if key.strip().lower() == "charset":
                charset = value.strip().strip("\"'") or None
        try:
            text, _ = _decode_text(head, "<prefilter>", charset, _read_options(), html=kind == "html")
        except ReadFailure:
            return None
        if kind == "html":
            text = _CODE.sub("", text)  # scripts, styles and comments are nobody's text
            visible = _TAGS.sub("", _CHROME.sub(" ", text))
        else:
            visible = text
        if self._score(visible.encode("utf-8", "replace"), "") < self.threshold:
            return DROP_TEXT
        if self.incident_check and not may_hold_notice(text, html=kind == "html", code_removed=True):
            return DROP_INCIDENT
        return None


def may_hold_notice(text: str, *, html: bool, code_removed: bool = False) -> bool:
    """False only when no text the read stage can make of ``text`` holds a notice the
    extractor would keep: no incident cue and no apology title of the segmenter anywhere.

    The segmenter drops every segment without one ("no incident described"), and whatever the
    read stage keeps of a page (trafilatura's main text, the body text, a ``<pre>``) is made of
    its characters, scripts, styles and comments excepted. So the check runs on all of them at
    once: those removed (already, with ``code_removed``), then every tag (inline tags then join
    what they split), entities undone, normalised as the segmenter normalises, and without any
    white space (a cue the page breaks over a source line; a pattern that needs white space is
    also looked for with it). This can only find more than the read text holds, never less;
    so can Hyperscan's prefilter mode, which runs the segmenter's patterns here ~10x faster
    than ``re`` (Python's ``re`` where Hyperscan is missing or cannot compile them).
    """
    from jikenbo.segment import notice_patterns  # the segmenter's own cues, not a copy
    from jikenbo.text.normalize import nfkc

    source = (text if code_removed else _CODE.sub("", text)) if html else text
    if html:
        text = unescape(_TAGS.sub("", source))
    flat = nfkc(text)  # the segmenter's normalize(text).text, without its offset map
    dense = _SPACE.sub("", flat)
    patterns = notice_patterns()
    fast = _superset_matcher(patterns)
    if fast is not None:
        hit = fast(dense) or (any(map(_needs_space, patterns)) and fast(flat))
    else:
        hit = any(re.search(p, dense) or (_needs_space(p) and re.search(p, flat)) for p in patterns)
    if not hit:
        return False
    # an apology title keeps the page read (a digest's entry is kept on it without the happening
    # test); else every cue a noun of everyday use or a condition, in one run of text: read no further
    apology = re.compile(patterns[1])  # re's own cache keeps it compiled
    if apology.search(dense) or apology.search(flat):
        return True
    strict = nfkc(unescape(_TAGS.sub("\x00", source))) if html else flat
    return not every_cue_exempt(dense, strict)


def every_cue_exempt(dense: str, strict: str) -> bool:
    """True when the page holds incident cues and each is followed by what tells of no happening
    (``segment.cue_exemptions``: 「紛失物」, 「紛失された場合は」), cue and follower in one run of
    text with no tag or white space between them: then every text the read stage can make of the
    page has them so too, and the segmenter's happening test fails on every sentence.

    ``dense``: the page without tags and white space (where any cue the read text can hold is
    found); ``strict``: the same with each tag a NUL and white space kept. A page with no cue at
    all is not exempt (and ``may_hold_notice`` reads a page with an apology title in any case)."""
    from jikenbo.segment import cue_exemptions

    cue, exempt = cue_exemptions()
    runs: dict[str, int] = {}
    for m in cue.finditer(dense):
        e = exempt.match(dense, m.end())
        if e is None:
            return False
        run = dense[m.start():e.end()]
        runs[run] = runs.get(run, 0) + 1
    # each run as often unbroken in the page as in its dense text: no tag or space splits one
    return bool(runs) and all(strict.count(run) >= dense.count(run) for run in runs)


@cache
def _needs_space(pattern: str) -> bool:
    return any(s in pattern for s in (" ", r"\s", r"\n", r"\t", r"\x20", "\u3000"))


@cache
def _superset_matcher(patterns: tuple[str, ...]) -> Callable[[str], bool] | None:
    """A function telling whether any of ``patterns`` (Python regular expressions) may match a
    text, by Hyperscan in prefilter mode (its matches are a superset of the patterns': what it
    cannot run exactly, lookarounds, it widens); None when Hyperscan is not there or refuses."""
    try:
        import hyperscan
    except ImportError:
        return None
    flags = (hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_UCP
             | hyperscan.HS_FLAG_SINGLEMATCH | hyperscan.HS_FLAG_ALLOWEMPTY)
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        db.compile(expressions=[_pcre(p).encode("utf-8") for p in patterns], ids=list(range(len(patterns))),
                   elements=len(patterns), flags=[flags] * len(patterns))
    except Exception:  # a construct Hyperscan refuses even in prefilter mode: re does it
        return None
    found = _first_match_finder(db, hyperscan)
    return lambda text: found(text.encode("utf-8", "replace"))


def _first_match_finder(db: Any, hyperscan: Any) -> Callable[[bytes], bool]:
    """Whether any pattern of the Hyperscan database ``db`` occurs in some bytes, the scan
    stopped at the first match; one scratch per thread (Dask runs tasks in threads)."""
    local = threading.local()

    def any_match(data: bytes) -> bool:
        scratch = getattr(local, "scratch", None)
        if scratch is None:
            scratch = local.scratch = hyperscan.Scratch(db)
        hit: list[int] = []
        with contextlib.suppress(hyperscan.ScanTerminated):  # raised when the first match stops it
            db.scan(data, match_event_handler=_first_match, context=hit, scratch=scratch)
        return bool(hit)

    return any_match


def _first_match(pattern: int, start: int, end: int, flags: int, hit: list[int]) -> bool:
    hit.append(pattern)
    return True  # one is enough: stop the scan


_PY_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\(?:u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8}))")


def _pcre(pattern: str) -> str:
    r"""A Python pattern in PCRE's syntax: ``\uXXXX`` and ``\UXXXXXXXX`` become ``\x{...}``."""
    return _PY_ESCAPE.sub(lambda m: m.group(1) + "\\x{" + (m.group(2) or m.group(3)) + "}", pattern)


class _Hyperscan:
    """Hyperscan block mode, each pattern reported once per page; one scratch per thread
    (Dask runs tasks in threads)."""

    def __init__(self, patterns: list[bytes]) -> None:
        import hyperscan

        self.db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
        self.db.compile(expressions=[b"".join(b"\\x%02x" % c for c in p) for p in patterns],
                        ids=list(range(len(patterns))), elements=len(patterns),
                        flags=[hyperscan.HS_FLAG_SINGLEMATCH] * len(patterns))
        self.local = threading.local()
        self.hyperscan = hyperscan

    def found(self, data: bytes) -> set[int]:
        scratch = getattr(self.local, "scratch", None)
        if scratch is None:
            scratch = self.local.scratch = self.hyperscan.Scratch(self.db)
        hits: set[int] = set()
        self.db.scan(data, match_event_handler=_on_match, context=hits, scratch=scratch)
        return hits


def _on_match(pattern: int, start: int, end: int, flags: int, hits: set[int]) -> None:
    hits.add(pattern)


@cache
def _gate(patterns: tuple[bytes, ...], engine: str) -> Callable[[bytes], bool] | None:
    """A function telling whether any of ``patterns`` occurs in a page's bytes (Hyperscan,
    stopped at the first match); None where the matcher is not Hyperscan or there is no
    pattern (the full pass then decides alone)."""
    if engine != "hyperscan" or not patterns:
        return None
    literals = _Hyperscan(list(patterns))
    return _first_match_finder(literals.db, literals.hyperscan)


class _AhoCorasick:
    """ahocorasick_rs's DFA: portable, about a quarter of Hyperscan's speed."""

    def __init__(self, patterns: list[bytes]) -> None:
        import ahocorasick_rs

        self.ac = ahocorasick_rs.BytesAhoCorasick(patterns, matchkind=ahocorasick_rs.MATCHKIND_STANDARD,
                                                  implementation=ahocorasick_rs.Implementation.DFA)

    def found(self, data: bytes) -> set[int]:
        return {m[0] for m in self.ac.find_matches_as_indexes(data, overlapping=True)}


@cache  # a Prefilter sent to a worker with each task compiles its automaton there once
def _matcher(patterns: tuple[bytes, ...], engine: str) -> object:
    if engine in ("auto", "hyperscan"):
        try:
            return _Hyperscan(patterns)
        except ImportError:
            if engine == "hyperscan":
                raise ConfigError("prefilter: the hyperscan package is not installed") from None
    return _AhoCorasick(patterns)


def _host_path(url: str) -> tuple[str, str]:
    try:
        parts = urlsplit(url)
        return (parts.hostname or "").lower(), parts.path.lower()
    except ValueError:
        return "", ""


@cache
def _read_options() -> ReadOptions:
    return ReadOptions.from_settings()


@cache
def _default() -> Prefilter:
    lex = lexicon("prefilter")
    s = settings("scan")
    cues = lex.get("cues", {})
    groups = []
    hinted, required = set(s.get("hinted", [])), set(s.get("required", []))
    for name, spec in s.get("groups", {}).items():
        if name not in cues:
            raise ConfigError(f"prefilter: settings name the cue group {name!r}, which the lexicon lacks")
        groups.append(Group(name, int(spec.get("weight", 1)), int(spec.get("cap", 1)), tuple(cues[name]),
                            name in hinted, name in required))
    hints = lex.get("hints", {})
    return Prefilter(
        groups=tuple(groups),
        threshold=int(s.get("threshold", 4)),
        hint_weight=int(s.get("hint_weight", 1)),
        host_suffixes=tuple(h.lower() for h in hints.get("host_suffixes", [])),
        path_words=tuple(p.lower() for p in hints.get("path_words", [])),
        languages=frozenset(x.lower() for x in s.get("languages", [])),
        media_types=frozenset(x.lower() for x in s.get("media_types", [])),
        pdf_host_suffixes=tuple(h.lower() for h in s.get("pdf_host_suffixes", [])),
        scan_bytes=int(s.get("scan_bytes", 1_048_576)),
        engine=str(s.get("engine", "auto")),
        text_check=bool(s.get("text_check", True)),
        incident_check=bool(s.get("incident_check", True)),
    )
