"""Helpers for the store tests: hand-built Documents and Records, and a tiny fake extractor.

The fake extractor reads notices written as ``key: value`` lines (our own fixture format),
so the store can be tested without the real extractor.
"""

from __future__ import annotations

import hashlib

import pytest

from jikenbo.models import Document, Event, Evidence, Record, ThirdParty


def make_doc(text: str, source: str = "n.txt", url: str | None = None) -> Document:
    return Document(source=source, text=text, sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                    url=url)


def fake_extract(doc: Document) -> list[Record]:
    """Notices separated by lines of ``---``; each line ``key: value``."""
    out = []
    pos = 0
    for block in doc.text.split("\n---\n"):
        start = doc.text.index(block, pos)
        end = start + len(block)
        pos = end
        kv = {}
        for line in block.splitlines():
            if ":" in line:
                k, v = line.split(":", 1)
                kv[k.strip()] = v.strip()
        if "org" not in kv:
            continue
        evidence = []
        if "affected" in kv:
            i = block.index("affected:")
            evidence.append(Evidence(field="affected_total", value=int(kv["affected"]), start=start + i,
                                     end=start + i + 9 + len(kv["affected"]) + 1,
                                     text=block[i:i + 10 + len(kv["affected"])]))
        out.append(Record(
            source=doc.source, organization=kv["org"], disclosure_date=kv.get("date"),
            detected_date=kv.get("detected"),
            incident_types=[t for t in kv.get("type", "").split(",") if t],
            leak_status=kv.get("leak", "unknown"),
            affected_total=int(kv["affected"]) if "affected" in kv else None,
            data_categories=[t for t in kv.get("categories", "").split(",") if t],
            sensitive=kv.get("sensitive") == "yes", payment_card=kv.get("card") == "yes",
            reported_to=[t for t in kv.get("reported", "").split(",") if t],
            title=kv.get("title"), industry=kv.get("industry"), notice_kind=kv.get("kind", "unknown"),
            third_parties=[ThirdParty(name=n, start=start, end=start + 1, text=n[:1], role="vendor")
                           for n in kv.get("vendor", "").split(",") if n],
            timeline=[Event(kind="detected", date=kv["detected"], start=start, end=start + 1, text="x")]
            if "detected" in kv else [],
            evidence=evidence, doc_sha256=doc.sha256, segment_start=start, segment_end=end, url=doc.url,
        ))
    return out


HOSPITAL_1 = """title: ランサムウェア被害のお詫び
org: 医療法人テスト会 みどり病院
date: 2024-05-10
detected: 2024-05-01
type: ransomware
leak: possible
affected: 1200
categories: name,health
sensitive: yes
reported: ppc,police
industry: 医療,福祉
kind: first_report
本文: 当院のサーバーがランサムウェアに感染し、患者情報が漏えいした可能性があります。
"""

HOSPITAL_2 = """title: ランサムウェア被害について(続報)
org: みどり病院
date: 2024-06-20
detected: 2024-05-01
type: ransomware
leak: confirmed
affected: 1500
categories: name,health,address
sensitive: yes
industry: 医療,福祉
kind: follow_up
本文: 調査の結果、患者情報1500名分の漏洩を確認しました。
"""

SCHOOL = """title: USBメモリ紛失のお詫び
org: テスト市立第一中学校
date: 2023-11-02
detected: 2023-10-30
type: loss
leak: possible
affected: 35
categories: name
industry: 教育,学習支援業
本文: 生徒の成績を保存したUSBメモリを紛失しました。
"""

SHOP = """title: 不正アクセスによるクレジットカード情報漏えい
org: 株式会社サンプル商店
date: 2024-02-15
type: unauthorized_access
leak: confirmed
card: yes
categories: name,credit_card
vendor: エムケイシステム
industry: 卸売業,小売業
本文: 委託先サーバーへの不正アクセスにより、お客様のカード情報が流出しました。
"""

NEWS_DIGEST = """org: 株式会社ダイジェスト
date: 2024-03-01
type: misdelivery
affected: 12
本文: メールの誤送信により顧客12名のアドレスが流出。
---
org: 株式会社サンプル工業
date: 2024-03-04
type: malware
本文: Emotetに感染しなりすましメールが送信された。
"""

EMPTY = "本日は晴天なり。お知らせはありません。\n"


@pytest.fixture
def fake_extractor(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make ingest use :func:`fake_extract` (in-process: use ``workers=1``)."""
    import jikenbo.store.ingest as ingest_mod
    from jikenbo.store import textindex
    from jikenbo.store.core import _notice_text

    def extract_for_store(doc: Document) -> tuple[list[Record], list[str]]:
        recs = fake_extract(doc)
        return recs, [textindex.segmented(_notice_text(doc, r)) for r in recs]

    monkeypatch.setattr(ingest_mod, "extract_for_store", extract_for_store)


def write_corpus(folder) -> list:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in [("h1.txt", HOSPITAL_1), ("h2.txt", HOSPITAL_2), ("school.txt", SCHOOL),
                       ("shop.txt", SHOP), ("digest.txt", NEWS_DIGEST), ("empty.txt", EMPTY)]:
        p = folder / name
        p.write_text(text, encoding="utf-8")
        paths.append(p)
    return paths


def add_all(store, texts: list[tuple[str, str]]) -> list:
    out = []
    for source, text in texts:
        d = make_doc(text, source)
        out.append(store.add_document(d, fake_extract(d)))
    return out


ALL = [("h1.txt", HOSPITAL_1), ("h2.txt", HOSPITAL_2), ("school.txt", SCHOOL), ("shop.txt", SHOP),
       ("digest.txt", NEWS_DIGEST)]
