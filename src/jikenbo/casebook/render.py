"""Lay a :class:`Casebook` out as Markdown, HTML or PDF.

Stored text is inert in every format: Markdown escapes its markup characters, HTML is
autoescaped by Jinja2 (only the server-built SVG charts are marked safe), and the PDF is
Chromium's print of that HTML, whose policy (default-src 'none') runs no script and fetches nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from jikenbo.casebook.model import Block, Casebook, Sentence
from jikenbo.casebook.phrases import phrases
from jikenbo.casebook.sources import CasebookError
from jikenbo.config import DATA

FORMATS = ("md", "html", "pdf")
CHROMIUM = os.environ.get("JIKENBO_CHROMIUM", "/usr/bin/chromium")
PDF_TIMEOUT = 120
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")
_URL = re.compile(r"https?://[^\s）)」』<>\"']+")


def md_escape(text: str) -> str:
    """Plain text safe inside Markdown: markup characters backslash-escaped, one line."""
    t = _MD_SPECIAL.sub(r"\\\1", " ".join(text.split()))
    return re.sub(r"^(\d+)\.", r"\1\\.", t)


def safe_url(url: str | None) -> str | None:
    """``url`` when it is http(s) with a host, else None (never a javascript: link)."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


# ---------------------------------------------------------------------- Markdown
def split_end(text: str) -> tuple[str, str]:
    """(text, final 。 or .): notes go before a sentence's full stop."""
    for stop in ("。", "."):
        if text.endswith(stop) and len(text) > 1:
            return text[: -len(stop)], stop
    return text, ""


def _md_sentence(s: Sentence) -> str:
    body, stop = split_end(s.text)
    return md_escape(body) + "".join(f"[^{n}]" for n in s.notes) + stop


def _md_block(b: Block, sep: str) -> list[str]:
    if b.kind == "p":
        return [sep.join(_md_sentence(s) for s in b.sentences), ""]
    if b.kind == "ul":
        return [*(f"- {_md_sentence(s)}" for s in b.sentences), ""]
    if b.kind == "table":
        out = [f"| {' | '.join(md_escape(h) for h in b.header)} |", "|" + "---|" * len(b.header)]
        out += [f"| {' | '.join(md_escape(c) for c in row)} |" for row in b.rows]
        return [*([md_escape(b.caption), ""] if b.caption else []), *out, ""]
    return []  # charts: the tables beside them carry the same numbers


def to_markdown(cb: Casebook) -> str:
    lines = [f"# {md_escape(cb.title)}", "", md_escape(cb.intro), ""]
    for sec in cb.sections:
        if sec.blocks and all(b.kind == "chart" for b in sec.blocks):
            continue  # charts only: the tables carry the same numbers
        level = "###" if sec.key == "entry" else "##"
        lines += [f"{level} {md_escape(sec.title)}", ""]
        for b in sec.blocks:
            lines += _md_block(b, "" if cb.lang == "ja" else " ")
    if cb.notes:
        for note in cb.notes:
            lines.append(f"[^{note.n}]: {md_escape(note.text)}")
        lines.append("")
    return "\n".join(lines)


# ---------------------------------------------------------------------- HTML
def _env() -> Environment:
    env = Environment(loader=FileSystemLoader(str(DATA / "casebook")), autoescape=select_autoescape(default=True),
                      trim_blocks=True, lstrip_blocks=True)
    env.globals["safe_url"] = safe_url
    env.filters["linkify"] = _linkify
    env.globals["split_end"] = split_end
    return env


def _linkify(text: str) -> Markup:
    """Escaped text whose http(s) URLs become links (rel=noopener, nofollow)."""
    out, pos = [], 0
    for m in _URL.finditer(text):
        out.append(Markup.escape(text[pos:m.start()]))
        url = safe_url(m.group(0))
        out.append(Markup('<a href="{0}" rel="noopener noreferrer nofollow">{0}</a>').format(url) if url
                   else Markup.escape(m.group(0)))
        pos = m.end()
    out.append(Markup.escape(text[pos:]))
    return Markup("").join(out)


def css() -> str:
    return (DATA / "casebook" / "casebook.css").read_text(encoding="utf-8")


def to_html(cb: Casebook, *, css_href: str | None = None, links: dict[str, str] | None = None) -> str:
    """A standalone HTML document (``css_href``: link the stylesheet instead of inlining it, for
    the web UI whose policy forbids inline styles; ``links``: nav links shown at the top)."""
    tpl = _env().get_template("casebook.html.j2")
    return tpl.render(cb=cb, css=None if css_href else Markup(css()), css_href=css_href, links=links or {},
                      svg=lambda b: Markup(b.svg), notes_title=phrases(cb.lang).section("notes"))


# ---------------------------------------------------------------------- PDF
def chromium_path() -> str | None:
    """The Chromium the PDF is printed with, or None when it is not installed."""
    p = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    return p or None


def html_to_pdf(html: str, *, timeout: float = PDF_TIMEOUT) -> bytes:
    """Print ``html`` to PDF with headless Chromium (its CSP: no script, nothing fetched).

    :raises CasebookError: Chromium is missing, fails or times out
    """
    exe = chromium_path()
    if exe is None:
        raise CasebookError(f"PDF needs Chromium at {CHROMIUM} (install it with scripts/install-browser.sh)")
    with tempfile.TemporaryDirectory(prefix="jikenbo-pdf-") as tmp:
        src, out = Path(tmp) / "casebook.html", Path(tmp) / "casebook.pdf"
        src.write_text(html, encoding="utf-8")
        cmd = [exe, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={Path(tmp) / 'profile'}",
               "--no-pdf-header-footer", f"--print-to-pdf={out}", src.as_uri()]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
        except subprocess.TimeoutExpired as e:
            raise CasebookError(f"PDF: Chromium did not finish within {timeout:.0f} s") from e
        except OSError as e:
            raise CasebookError(f"PDF: cannot run {exe}: {e}") from e
        if not out.is_file() or out.stat().st_size == 0:
            err = (proc.stderr or b"").decode("utf-8", "replace").strip().splitlines()
            raise CasebookError(f"PDF: Chromium printed nothing (exit {proc.returncode}"
                                f"{': ' + err[-1][:200] if err else ''})")
        return out.read_bytes()


def render(cb: Casebook, fmt: str) -> str | bytes:
    """``md`` and ``html`` as str, ``pdf`` as bytes."""
    if fmt == "md":
        return to_markdown(cb)
    if fmt == "html":
        return to_html(cb)
    if fmt == "pdf":
        return html_to_pdf(to_html(cb))
    raise CasebookError(f"format {fmt!r}: expected one of {', '.join(FORMATS)}")
