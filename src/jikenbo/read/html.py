"""HTML: the main text by trafilatura with a body-text fallback; title and date from metadata."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import date
from functools import cache
from typing import Any

from jikenbo.read.base import ReadFailure, ReadOptions, _unify_newlines, log

_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.IGNORECASE)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_CHROME = ("nav", "header", "footer", "aside")
_DROP = {*_CHROME, "script", "style", "noscript", "template", "iframe", "svg", "object", "select", "button",
         "head", "title", "meta", "link", "form"}
_BLOCK = {"address", "article", "blockquote", "caption", "dd", "details", "dialog", "div", "dl", "dt",
          "fieldset", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "li", "main", "ol",
          "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
          "body"}
_PUBLISHED_META = ("article:published_time", "og:article:published_time", "datepublished", "dc.date.issued",
                   "dcterms.issued", "pubdate", "publishdate", "publish_date")
_ISO_DATE = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})(?![\d])")
_WS = re.compile(r"[ \t\n\r\f\v]+")
_WS_ALL = re.compile(r"\s+")
_EDGE = " \t\f\v\xa0"  # stripped from line ends; the ideographic space U+3000 is kept


def _html_fields(text: str, source: str, url: str | None, opts: ReadOptions) -> dict[str, str | None]:
    """``text``, ``title`` and ``published`` of a Document read from an HTML page."""
    import lxml.html
    from lxml import etree

    markup = _NOT_XML.sub("", _XML_DECL.sub("", text, count=1))
    try:
        tree = lxml.html.document_fromstring(markup)
    except (etree.ParserError, ValueError) as e:
        raise ReadFailure(source, "no text found in the HTML") from e
    title = _html_title(tree)
    published = _html_published(tree)
    body_text, is_pre, chrome = _body_text(tree, opts)
    if is_pre:  # a page that is one <pre>: its lines and blank lines are the document's
        chosen = body_text
    else:
        main = _reline(_main_text(markup, url, source, opts), body_text, source)
        chosen = main = _drop_chrome_lines(main, body_text, chrome, source)
        too_little = len(main) < opts.min_text_chars or len(main) < opts.fallback_ratio * len(body_text)
        if too_little and len(body_text) > len(main):
            log.info("%s: main-text extraction kept %d of %d characters; using the body text",
                     source, len(main), len(body_text))
            chosen = body_text
    if not chosen.strip():
        raise ReadFailure(source, "no text found in the HTML")
    return {"text": chosen + "\n", "title": title, "published": published}


@cache
def _trafilatura() -> Any:
    """The trafilatura module, or None (warned once) when it cannot be imported."""
    try:
        import trafilatura
    except ImportError as e:  # e.g. lxml 5.2+ without lxml_html_clean: degrade to the body text
        log.warning("trafilatura unavailable (%s); HTML pages are read by their body text", e)
        return None
    return trafilatura


def _main_text(markup: str, url: str | None, source: str, opts: ReadOptions) -> str:
    """trafilatura's main text (one line per heading, paragraph or list item), or ''."""
    trafilatura = _trafilatura()
    if trafilatura is None:
        return ""
    try:
        out = trafilatura.extract(
            markup, url=url, output_format="txt", include_tables=True, include_comments=False,
            include_links=False, include_images=False, favor_recall=opts.favor_recall, deduplicate=False,
            with_metadata=False,
        )
    except Exception as e:  # trafilatura fails on some hostile trees; the fallback covers it
        log.warning("%s: trafilatura failed (%s: %s); using the body text", source, type(e).__name__, e)
        return ""
    return _tidy_lines(_unify_newlines(out or "").split("\n"))


def _squash(line: str) -> str:
    return _WS_ALL.sub("", line.removeprefix("- "))


def _reline(main: str, body_text: str, source: str) -> str:
    """Give back the page's own line breaks when the extractor ran blocks together.

    trafilatura's fallbacks may join several paragraphs into one line. The body text has
    one line per block, so the body lines found in order in the extractor's text are
    what it kept, line by line. Returns ``main`` unchanged when its lines are body lines
    already or when the body lines do not account for (nearly) all of it.
    """
    body_lines = [line for line in body_text.split("\n") if _squash(line)]
    known = {_squash(line) for line in body_lines}
    main_lines = [_squash(line) for line in main.split("\n") if _squash(line)]
    if all(line in known or len(line) <= 2 for line in main_lines):
        return main
    target = "".join(main_lines)
    kept: list[str] = []
    pos = covered = 0
    for line in body_lines:
        key = _squash(line)
        at = target.find(key, pos)
        if at < 0 or (at != pos and len(key) < 8):  # a short line counts only right where expected
            continue
        kept.append(line)
        covered += len(key)
        pos = at + len(key)
    if covered < 0.9 * len(target):
        return main
    log.info("%s: restored %d line breaks the extractor had joined", source, len(kept) - len(main_lines))
    return "\n".join(kept)


def _drop_chrome_lines(main: str, body_text: str, chrome: str, source: str) -> str:
    """Remove the lines the extractor took from navigation, sidebars or footers.

    On small pages trafilatura may fall back to the whole document, sidebar included. A line
    found only in those elements (``chrome``, squashed) and nowhere in the cleaned body is
    dropped.
    """
    if not chrome:
        return main
    body = _squash(body_text)
    kept = [line for line in main.split("\n")
            if not (key := _squash(line)) or key in body or key not in chrome]
    if len(kept) < main.count("\n") + 1:
        log.info("%s: dropped %d navigation or sidebar lines", source, main.count("\n") + 1 - len(kept))
    return "\n".join(kept)


def _tidy_lines(lines: Iterable[str], *, blank: bool = True) -> str:
    """Strip line ends (not U+3000), squeeze runs of blank lines to one (or drop them all
    when not ``blank``), trim blank edges."""
    out: list[str] = []
    for line in lines:
        line = line.strip(_EDGE)
        if line or (blank and out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _body_text(tree: Any, opts: ReadOptions) -> tuple[str, bool, str]:
    """The text of <body> less navigation, header, footer, sidebars and scripts: one line per
    block element, list items as "- item"; a <pre> keeps its own lines. Also whether the body
    is essentially one <pre>, and the removed navigation/sidebar text, squashed."""
    import copy

    from lxml import etree

    body = tree.find("body")
    if body is None:
        body = tree
    body = copy.deepcopy(body)
    for node in body.xpath("//comment() | //processing-instruction()"):
        _drop(node)
    chrome = re.compile(rf"(?:^|[\s_-])(?:{'|'.join(map(re.escape, opts.boilerplate_names))})(?:$|[\s_-])",
                        re.IGNORECASE)
    removed: list[str] = []
    for el in list(body.iter()):
        if not isinstance(el.tag, str) or el is body:
            continue
        names = f"{el.get('class') or ''} {el.get('id') or ''}".strip()
        tag = el.tag.lower()
        if tag in _DROP or (names and chrome.search(names)):
            if tag in _CHROME or tag not in _DROP:
                removed.append(_squash(el.text_content()))
            _drop(el)
    pres = body.findall(".//pre")
    if len(pres) == 1:
        pre_text = pres[0].text_content()
        rest = _WS.sub("", body.text_content())
        if len(_WS.sub("", pre_text)) >= 0.8 * len(rest):
            return _tidy_lines(_unify_newlines(pre_text).split("\n")), True, ""
    parts: list[str] = []
    pre_depth = 0
    for event, el in etree.iterwalk(body, events=("start", "end")):
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _BLOCK:
                parts.append("\n")
            if tag == "pre":
                pre_depth += 1
            if tag == "br":
                parts.append("\n")
            if tag == "li":  # as trafilatura writes list items
                parts.append("- ")
            if el.text:
                parts.append(el.text if pre_depth else _WS.sub(" ", el.text))
        else:
            if tag == "pre":
                pre_depth -= 1
            if tag in _BLOCK:
                parts.append("\n")
            if el.tail and el is not body:
                parts.append(el.tail if pre_depth else _WS.sub(" ", el.tail))
    # One line per block and no blank lines, like trafilatura's output.
    text = _tidy_lines(_unify_newlines("".join(parts)).split("\n"), blank=False)
    return text, False, "\x00".join(removed)


def _drop(node: Any) -> None:
    """Remove ``node`` but keep its tail text in place."""
    parent = node.getparent()
    if parent is None:
        return
    tail = node.tail
    prev = node.getprevious()
    if tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(node)


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    text = _WS.sub(" ", str(value)).strip(_EDGE + "\n")  # U+3000 inside a title is kept
    return text or None


def _html_title(tree: Any) -> str | None:
    for path in ("//title", "//meta[@property='og:title']/@content", "//meta[@name='og:title']/@content",
                 "//h1"):
        for hit in tree.xpath(path):
            text = _clean(hit if isinstance(hit, str) else hit.text_content())
            if text:
                return text
    return None


def _iso_date(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    m = _ISO_DATE.match(value)
    if not m:
        return None
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        return None


def _html_published(tree: Any) -> str | None:
    """The page's publication date from machine-readable metadata only (no guessing)."""
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip().lower()
        if key in _PUBLISHED_META and (found := _iso_date(meta.get("content"))):
            return found
    for script in tree.xpath("//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "")
        except (ValueError, RecursionError):
            continue
        if found := _jsonld_published(data):
            return found
    chrome = " or ".join(f"ancestor::{t}" for t in _CHROME)
    for path in (f"//time[@datetime][(@itemprop='datePublished' or @pubdate) and not({chrome})]",
                 f"//*[self::article or self::main]//time[@datetime][not({chrome})]"):
        for el in tree.xpath(path):
            if found := _iso_date(el.get("datetime")):
                return found
    return None


def _jsonld_published(data: Any) -> str | None:
    stack, seen = [data], 0
    while stack and seen < 10_000:
        node = stack.pop(0)
        seen += 1
        if isinstance(node, dict):
            if found := _iso_date(node.get("datePublished")):
                return found
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(node)
    return None
