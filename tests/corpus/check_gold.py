"""Check that every gold file under tests/corpus/gold follows the evaluation contract.

Run: python tests/corpus/check_gold.py   (exit 1 and one line per problem when something is off)

It checks keys, value types and allowed values (GUIDE.md), that each gold file names an
existing document, and that every document has a gold file. Two sets are checked:
``gold/`` for the documents of this folder and ``samples_gold/`` for the bundled demo samples
in ``src/jikenbo/samples/``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SETS = [(HERE / "gold", HERE), (HERE / "samples_gold", HERE.parent.parent / "src" / "jikenbo" / "samples")]

TYPES = {"unauthorized_access", "ransomware", "malware", "misconfiguration", "misdelivery", "loss",
         "theft", "insider", "impersonation", "system_error", "fraud", "other"}
LEAK = {"confirmed", "possible", "not_confirmed", "none", "unknown"}
AUTH = {"ppc", "police", "jipdec", "ministry"}
CATS = {"name", "address", "phone", "fax", "email", "birthdate", "gender", "age", "affiliation",
        "login_id", "password", "customer_id", "government_id", "credit_card", "bank_account",
        "health", "purchase_history", "photo", "url_sns", "device_info", "other"}
KEYS = ["organization", "aliases", "disclosure_date", "detected_date", "incident_types", "leak_status",
        "affected_total", "data_categories", "sensitive", "payment_card", "reported_to", "note"]
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DOC_SUFFIXES = {".txt", ".html", ".pdf"}


def problems(path: Path, docs: Path) -> list[str]:
    out: list[str] = []
    doc = json.loads(path.read_text(encoding="utf-8"))
    if set(doc) != {"source", "incidents"}:
        out.append(f"{path.name}: top-level keys must be source and incidents")
    if not (docs / doc.get("source", "")).is_file():
        out.append(f"{path.name}: source {doc.get('source')!r} is not a file in {docs.name}/")
    if Path(doc.get("source", "")).stem != path.stem:
        out.append(f"{path.name}: source name and gold name differ")
    for i, rec in enumerate(doc.get("incidents", [])):
        where = f"{path.name}[{i}]"
        for k in rec:
            if k not in KEYS:
                out.append(f"{where}: unknown key {k}")
        if not rec.get("organization"):
            out.append(f"{where}: organization missing")
        for k in ("disclosure_date", "detected_date"):
            if k in rec and rec[k] is not None and not DATE.match(rec[k]):
                out.append(f"{where}: {k} {rec[k]!r} is not YYYY-MM-DD")
        for k, allowed in (("incident_types", TYPES), ("data_categories", CATS), ("reported_to", AUTH)):
            if k in rec and (not isinstance(rec[k], list) or set(rec[k]) - allowed):
                out.append(f"{where}: {k} has values outside the contract: {rec[k]}")
        if "incident_types" in rec and not rec["incident_types"]:
            out.append(f"{where}: incident_types is empty")
        if "leak_status" in rec and rec["leak_status"] not in LEAK:
            out.append(f"{where}: leak_status {rec['leak_status']!r}")
        if "affected_total" in rec and rec["affected_total"] is not None and (
                not isinstance(rec["affected_total"], int) or isinstance(rec["affected_total"], bool)):
            out.append(f"{where}: affected_total must be an integer or null")
        for k in ("sensitive", "payment_card"):
            if k in rec and not isinstance(rec[k], bool):
                out.append(f"{where}: {k} must be a boolean")
        if rec.get("payment_card") and "credit_card" not in rec.get("data_categories", ["credit_card"]):
            out.append(f"{where}: payment_card without credit_card")
        if rec.get("sensitive") is False and "health" in rec.get("data_categories", []):
            out.append(f"{where}: health data but not sensitive")
    return out


def main() -> int:
    errs: list[str] = []
    for gold, docs in SETS:
        golds = sorted(gold.glob("*.json"))
        for g in golds:
            errs += problems(g, docs)
        have = {g.stem for g in golds}
        for d in sorted(docs.iterdir()):
            if d.suffix in DOC_SUFFIXES and d.stem not in have:
                errs.append(f"{d.name}: no gold file in {gold.name}/")
        n_rec = sum(len(json.loads(g.read_text(encoding="utf-8"))["incidents"]) for g in golds)
        print(f"{gold.name}: {len(golds)} documents, {n_rec} gold records")
    for e in errs:
        print(e)
    print(f"{len(errs)} problems")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
