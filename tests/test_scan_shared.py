"""Prefilter recall on the real documents of ../shared/corpus/real, wrapped as WARC records here
(never copied into the repository): a notice the prefilter drops is lost for good."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))
import crawlgen
from jikenbo.scan import Prefilter, iter_pages

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REAL = SHARED / "corpus" / "real"
GOLD = SHARED / "eval" / "real"

pytestmark = pytest.mark.shared

# How each document is put on the wire: (charset, media type, Content-Type sent).
WRAPS = [("utf-8", "html", "text/html; charset=utf-8"), ("cp932", "html", "text/html"),
         ("euc_jp", "text", "text/plain; charset=EUC-JP"), ("iso2022_jp", "text", "text/plain")]


def real_documents() -> list[tuple[str, str, str, bool]]:
    """(name, url, text, is_notice) of each real document with gold."""
    docs = []
    for gold in sorted(GOLD.glob("*.json")):
        txt, url = REAL / f"{gold.stem}.txt", REAL / f"{gold.stem}.url"
        if not txt.exists():
            continue
        is_notice = bool(json.loads(gold.read_text(encoding="utf-8")).get("incidents"))
        link = url.read_text(encoding="utf-8").strip() if url.exists() else f"https://example.jp/{gold.stem}"
        docs.append((gold.stem, f"{link}#{gold.stem}", txt.read_text(encoding="utf-8"), is_notice))  # unique
    return docs


def wrap(docs: list[tuple[str, str, str, bool]], path: Path, charset: str, kind: str, ctype: str) -> None:
    records = []
    for _, url, text, _ in docs:
        if kind == "html":
            lines = "".join(f"<p>{line}</p>" for line in text.splitlines() if line.strip())
            body = f"<!doctype html><html><head><title>{text.splitlines()[0]}</title></head><body>{lines}</body></html>"
        else:
            body = text
        records.append(crawlgen.record("response", url, crawlgen.http_response(body.encode(charset, "replace"), ctype)))
    crawlgen.write_records(path, records)


@pytest.mark.skipif(not REAL.is_dir() or not GOLD.is_dir(), reason="../shared absent")
@pytest.mark.parametrize(("charset", "kind", "ctype"), WRAPS)
def test_prefilter_recall_on_real_notices(tmp_path, charset, kind, ctype):
    docs = real_documents()
    notices = {url for _, url, _, is_notice in docs if is_notice}
    assert len(notices) >= 50
    path = tmp_path / f"real-{charset}.warc.gz"
    wrap(docs, path, charset, kind, ctype)
    pf = Prefilter.default()
    passed = set()
    for page in iter_pages(str(path)):
        got, _ = pf.check(page.payload, page.content_type, page.url, page.languages)
        if got is not None:
            passed.add(page.url)
    recall = len(notices & passed) / len(notices)
    assert recall >= 0.99, sorted(notices - passed)
