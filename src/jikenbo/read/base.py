"""What every reader shares: the error, the options, line-end and message helpers."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass

from jikenbo.config import settings

log = logging.getLogger("jikenbo.read")

TEXT, HTML, PDF = "text/plain", "text/html", "application/pdf"


class ReadFailure(Exception):
    """An input that cannot be read; ``str(e) == "<source>: <reason>"``."""

    def __init__(self, source: str, reason: str) -> None:
        self.source = source
        self.reason = _one_line(reason)
        super().__init__(f"{source}: {self.reason}")


@dataclass(frozen=True)
class ReadOptions:
    """The read stage's limits, from ``settings("read")`` unless given."""

    max_bytes: int = 20_971_520
    timeout_seconds: float = 20.0
    max_redirects: int = 5
    user_agent: str = "jikenbo"
    min_text_chars: int = 40
    fallback_ratio: float = 0.2
    favor_recall: bool = True
    sniff_bytes: int = 65536
    binary_control_ratio: float = 0.05
    japanese_min_score: float = 0.7
    pdf_max_pages: int = 2000
    pdf_vertical_share: float = 0.5
    pdf_min_check_chars: int = 20
    pdf_max_foreign_share: float = 0.2
    pdf_max_symbol_share: float = 0.5
    boilerplate_names: tuple[str, ...] = ("breadcrumb", "sidebar", "menu", "footer", "share", "ranking")
    text_extensions: tuple[str, ...] = (".txt", ".text", ".md")
    html_extensions: tuple[str, ...] = (".html", ".htm", ".xhtml")
    pdf_extensions: tuple[str, ...] = (".pdf",)

    @classmethod
    def from_settings(cls) -> ReadOptions:
        s = dict(settings("read"))
        ext = s.pop("extensions", {})
        known = {k: tuple(v) if isinstance(v, list) else v
                 for k, v in s.items() if k in cls.__dataclass_fields__}
        for kind in ("text", "html", "pdf"):
            if kind in ext:
                known[f"{kind}_extensions"] = tuple(e.lower() for e in ext[kind])
        return cls(**known)

    def media_type_for(self, path: str) -> str | None:
        ext = os.path.splitext(path)[1].lower()
        if ext in self.text_extensions:
            return TEXT
        if ext in self.html_extensions:
            return HTML
        if ext in self.pdf_extensions:
            return PDF
        return None


def _one_line(text: str) -> str:
    line = " ".join(str(text).split())
    return line[:300] if line else "unknown error"


def _unify_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")
