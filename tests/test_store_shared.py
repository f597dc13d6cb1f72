"""The seeds ingested into a temp store, incidents exported as JSONL, scored with score_links.py."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
EVAL = SHARED / "eval"
SEEDS = SHARED / "corpus" / "seeds"

pytestmark = pytest.mark.shared


def _extractor_ready() -> bool:
    try:
        return importlib.util.find_spec("jikenbo.extract") is not None and \
            importlib.util.find_spec("jikenbo.segment") is not None
    except ImportError:
        return False


@pytest.mark.skipif(not (EVAL / "score_links.py").exists() or not SEEDS.is_dir(), reason="../shared absent")
@pytest.mark.skipif(not _extractor_ready(), reason="the extractor is not there yet")
def test_seed_links_score(tmp_path):
    import json

    from jikenbo import export
    from jikenbo.store import open_store

    seeds = sorted(str(p) for p in SEEDS.glob("*.txt"))
    with open_store(tmp_path / "seeds.db") as store:
        summary = store.ingest(seeds, workers=2, progress=False)
        assert summary.ok, summary.failed
        pred = tmp_path / "incidents.jsonl"
        with pred.open("w", encoding="utf-8") as fh:
            export.incidents_to_jsonl(store.iter_incidents(), fh)
        notices = store.notices()
    out = subprocess.run(
        [sys.executable, str(EVAL / "score_links.py"), "--gold", str(EVAL / "dev-links.json"),
         "--pred", str(pred), "--notices", str(EVAL / "dev")],
        capture_output=True, text=True, check=True).stdout
    score = float(re.search(r"^score: ([0-9.]+)$", out, re.M)[1])
    f1 = float(re.search(r"F1=([0-9.]+)", out)[1])
    assert f1 == 1.0, out  # how the store grouped the notices it holds
    if score == 1.0:
        return
    # what is left must be the extractor's: a gold notice or vendor its records do not hold
    sys.path.insert(0, str(EVAL))
    from score import same_org

    links = json.loads((EVAL / "dev-links.json").read_text(encoding="utf-8"))
    store_side = []
    for line in out.splitlines():
        if line.startswith("missing "):
            src, org = re.search(r"\('([^']*)', '([^']*)'\)", line).groups()
            if any(Path(n["source"]).name == src and same_org(n.get("organization"), org) for n in notices):
                store_side.append(line)
        elif line.startswith("differs  vendor"):
            for g in links["vendor_groups"]:
                if g["vendor"] in line:
                    src = g["notices"][0][0]
                    names = [t["name"] for n in notices if Path(n["source"]).name == src
                             for t in n.get("third_parties") or []]
                    if any(same_org(t, g["vendor"]) for t in names):
                        store_side.append(line)
    assert not store_side, out
    pytest.xfail(f"score {score}: the rest is extraction (organisation / third-party names)\n{out}")
