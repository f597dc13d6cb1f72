"""jikenbo: Japanese breach notices → linked incident records with evidence.

    >>> import jikenbo
    >>> records = jikenbo.extract_text(text, source="notice.txt")   # list[jikenbo.Record]
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"
__all__ = ["Document", "Record", "__version__", "extract_document", "extract_inputs", "extract_text"]

if TYPE_CHECKING:
    from jikenbo.models import Document, Record
    from jikenbo.pipeline import extract_document, extract_inputs, extract_text


def __getattr__(name: str) -> Any:  # lazy, so `jikenbo --version` stays fast
    if name in ("extract_text", "extract_document", "extract_inputs"):
        from jikenbo import pipeline

        return getattr(pipeline, name)
    if name in ("Record", "Document"):
        from jikenbo import models

        return getattr(models, name)
    raise AttributeError(name)
