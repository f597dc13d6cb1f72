"""Score extracted records against gold records, by the rules of the evaluation contract.

The rules (``../shared/eval/GUIDE.md``): records pair within a source document by normalised
organisation name (equal, or one containing the other; gold ``aliases`` count too); unpaired
records are misses and false alarms (detection F1); over paired records, scalar fields score
exact matches and list fields micro-averaged set F1; a key the gold leaves out is not scored;
the score is detection F1 times the mean field score. Used by the quality gate in the tests
and by ``bench/eval_corpus.py``; our own implementation, so it runs where ``../shared`` is absent.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCALARS = ("disclosure_date", "detected_date", "leak_status", "affected_total", "sensitive", "payment_card")
SETS = ("incident_types", "data_categories", "reported_to")
_DESIGNATORS = (
    "株式会社", "有限会社", "合同会社", "合資会社", "合名会社", "(株)", "(有)", "㈱", "㈲", "一般社団法人", "一般財団法人",
    "公益社団法人", "公益財団法人", "特定非営利活動法人", "国立研究開発法人", "独立行政法人", "地方独立行政法人", "国立大学法人",
    "学校法人", "医療法人社団", "医療法人財団", "医療法人", "社会福祉法人", "社会医療法人", "co.,ltd.", "co., ltd.", "inc.", "ltd.",
    "corporation", "corp.", "inc", "ltd",
)


def name_key(name: str | None) -> str:
    s = unicodedata.normalize("NFKC", name or "").lower()
    for d in _DESIGNATORS:
        s = s.replace(unicodedata.normalize("NFKC", d), "")
    return re.sub(r"[\s・.,、。「」『』\"'()]", "", s)


def _same(a: str, b: str) -> bool:
    return bool(a) and bool(b) and (a == b or a in b or b in a)


@dataclass
class Result:
    detection: dict[str, float]
    fields: dict[str, float]
    score: float
    differences: list[str] = field(default_factory=list)


def _pair(golds: list[dict], preds: list[dict]) -> list[tuple[int, int]]:
    pairs: list[tuple[int, int]] = []
    used: set[int] = set()
    for exact in (True, False):
        for gi, g in enumerate(golds):
            if any(gi == a for a, _ in pairs):
                continue
            names = [name_key(n) for n in [g.get("organization"), *g.get("aliases", [])]]
            for pi, p in enumerate(preds):
                if pi in used:
                    continue
                pk = name_key(p.get("organization"))
                if any((n == pk and pk) if exact else _same(n, pk) for n in names):
                    pairs.append((gi, pi))
                    used.add(pi)
                    break
    return pairs


def _as_set(v: Any) -> set[str]:
    if v is None:
        return set()
    return {v} if isinstance(v, str) else {str(x) for x in v}


def score(gold: dict[str, list[dict]], pred: dict[str, list[dict]]) -> Result:
    """``gold`` and ``pred`` map a source file name to its records."""
    tp = fn = fp = 0
    scal = {k: [0, 0] for k in SCALARS}
    sets = {k: [0, 0, 0] for k in SETS}
    org_n = [0, 0]  # exact organisation names over paired records: a fragment (協会) pairs but scores 0
    diffs: list[str] = []
    for src, g in sorted(gold.items()):
        p = pred.get(src, [])
        pairs = _pair(g, p)
        tp += len(pairs)
        fn += len(g) - len(pairs)
        fp += len(p) - len(pairs)
        pg, pp = {a for a, _ in pairs}, {b for _, b in pairs}
        diffs += [f"miss {src}: {x.get('organization')}" for i, x in enumerate(g) if i not in pg]
        diffs += [f"false alarm {src}: {x.get('organization')}" for i, x in enumerate(p) if i not in pp]
        for gi, pi in pairs:
            gr, pr = g[gi], p[pi]
            org_ok = any(name_key(n) and name_key(n) == name_key(pr.get("organization"))
                         for n in [gr.get("organization"), *gr.get("aliases", [])])
            org_n[0] += org_ok
            org_n[1] += 1
            if not org_ok:
                diffs.append(f"differs {src}: {gr.get('organization')}: organization got={pr.get('organization')!r}")
            for k in SCALARS:
                if k in gr:
                    scal[k][1] += 1
                    if pr.get(k) == gr[k]:
                        scal[k][0] += 1
                    else:
                        diffs.append(f"differs {src}: {gr.get('organization')}: {k} gold={gr[k]!r} got={pr.get(k)!r}")
            for k in SETS:
                if k in gr:
                    gs, ps = _as_set(gr[k]), _as_set(pr.get(k))
                    sets[k][0] += len(gs & ps)
                    sets[k][1] += len(ps - gs)
                    sets[k][2] += len(gs - ps)
                    if gs != ps:
                        diffs.append(f"differs {src}: {gr.get('organization')}: {k} missing={sorted(gs - ps)} extra={sorted(ps - gs)}")
    prec = tp / (tp + fp) if tp + fp else (1.0 if not fn else 0.0)
    rec = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    fields = {"organization": org_n[0] / org_n[1]} if org_n[1] else {}
    fields |= {k: r / n for k, (r, n) in scal.items() if n}
    fields |= {k: 2 * t / (2 * t + a + b) for k, (t, a, b) in sets.items() if t + a + b}
    mean = sum(fields.values()) / len(fields) if fields else 1.0
    return Result({"precision": prec, "recall": rec, "f1": f1, "gold": tp + fn, "predicted": tp + fp},
                  fields, f1 * mean, diffs)


def load_gold(folder: str | Path) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for f in sorted(Path(folder).glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        out[os.path.basename(doc["source"])] = doc["incidents"]
    return out


def group_records(records: Iterable[dict]) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for r in records:
        out[os.path.basename(str(r["source"]))].append(r)
    return dict(out)


def format_result(r: Result, *, differences: bool = True) -> str:
    d = r.detection
    lines = [f"detection  P={d['precision']:.3f} R={d['recall']:.3f} F1={d['f1']:.3f} (gold {d['gold']}, predicted {d['predicted']})"]
    lines += [f"{k:16s} {v:.3f}" for k, v in r.fields.items()]
    if differences:
        lines += r.differences
    lines.append(f"score: {r.score:.3f}")
    return "\n".join(lines)
