#!/usr/bin/env python3
"""Extraction speed and memory benchmark (not a test: nothing here asserts a time).

It writes N varied notices to a temporary folder, made by templating the fictional corpus in
``tests/corpus/`` (organisation names, counts and years changed per copy), then measures in one
process, one document at a time (no worker pool):

(a) baseline: read every file and NFKC-normalise its text
    (``jikenbo.read.read_inputs`` + ``jikenbo.text.normalize.normalize``);
(b) extraction: ``jikenbo.pipeline.extract_inputs`` over the same folder.

It reports documents/s, records/s, MB/s, the ratio of (b) to (a) and the peak RSS. Each size
(N and 4N by default) runs in a fresh child process, so the peak RSS of the 4N run can be
compared with that of the N run: streaming extraction should keep it flat.

    python bench/bench_extract.py                 # N = 2000 and 4N = 8000
    python bench/bench_extract.py -n 500 --json   # machine-readable
    python bench/bench_extract.py --docs ../shared/corpus/real --repeat 20   # any folder, as it is
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus"

DESIGNATORS = ("株式会社", "有限会社", "一般社団法人", "一般財団法人", "公益財団法人", "社会福祉法人",
               "医療法人社団", "医療法人", "学校法人", "国立大学法人", "特定非営利活動法人")
SYLLABLES = ("あ", "か", "さ", "た", "な", "は", "ま", "や", "ら", "わ", "み", "こ", "し", "の", "ひ",
             "つ", "く", "も", "そ", "せ", "ほ", "ゆ", "り", "え")
KANJI = ("東", "西", "南", "北", "川", "山", "森", "浜", "野", "原", "台", "島", "桜", "松", "杉", "宮")
SUFFIXES = ("精機", "商事", "物産", "電機", "製作所", "食品", "不動産", "システム", "通販", "印刷",
            "交通", "建設", "薬局", "クリニック", "出版", "ホテルズ", "観光協会", "財団", "学園", "会")
COUNT = re.compile(r"(?<![\d,.])(\d{1,3}(?:,\d{3})+|\d+)(?=\s*(?:件|名|人|通|社|アカウント))")
YEAR = re.compile(r"(?<!\d)(20[12]\d)(?=\s*[年/.])")


# --------------------------------------------------------------------------- corpus generation


def _templates() -> list[tuple[str, list[str]]]:
    """(text, organisation names to vary) for every text document of the corpus."""
    out = []
    for path in sorted(CORPUS.glob("*.txt")):
        gold = CORPUS / "gold" / f"{path.stem}.json"
        names: list[str] = []
        if gold.is_file():
            for rec in json.loads(gold.read_text(encoding="utf-8"))["incidents"]:
                names += [rec["organization"], *rec.get("aliases", [])]
        # longest first so that a full name is replaced before a part of it
        out.append((path.read_text(encoding="utf-8"), sorted(set(names), key=len, reverse=True)))
    if not out:
        raise SystemExit(f"bench: no templates in {CORPUS}")
    return out


def _org_name(rng: random.Random, like: str) -> str:
    designator = next((d for d in DESIGNATORS if like.startswith(d)), "")
    core = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4)))
    if rng.random() < 0.4:
        core = rng.choice(KANJI) + core
    sep = " " if designator and rng.random() < 0.2 else ""
    return f"{designator}{sep}{core}{rng.choice(SUFFIXES)}"


def _strip(name: str) -> str:
    for d in DESIGNATORS:
        if name.startswith(d):
            return name[len(d):].strip()
    return name


def _vary_count(rng: random.Random, m: re.Match[str]) -> str:
    raw = m.group(1)
    value = int(raw.replace(",", ""))
    new = max(1, int(value * rng.uniform(0.3, 3.0))) if value > 1 else value
    return f"{new:,}" if "," in raw else str(new)


def make_document(rng: random.Random, template: tuple[str, list[str]]) -> str:
    text, names = template
    for name in names:
        new = _org_name(rng, name)
        text = text.replace(name, new)
        core, new_core = _strip(name), _strip(new)
        if len(core) >= 3:  # the short form a notice uses after its first mention
            text = text.replace(core, new_core)
    text = COUNT.sub(lambda m: _vary_count(rng, m), text)
    shift = rng.randint(-3, 1)  # one shift per document keeps its dates in order
    text = YEAR.sub(lambda m: str(min(2025, int(m.group(1)) + shift)), text)
    return text


def generate(folder: Path, n: int, seed: int, start: int = 0) -> int:
    """Write ``n`` documents into ``folder``; returns the number of bytes written."""
    rng = random.Random(seed + start)
    templates = _templates()
    folder.mkdir(parents=True, exist_ok=True)
    size = 0
    for i in range(start, start + n):
        data = make_document(rng, templates[i % len(templates)]).encode("utf-8")
        (folder / f"notice_{i:06d}.txt").write_bytes(data)
        size += len(data)
    return size


# --------------------------------------------------------------------------- measuring (child)


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def measure(folders: list[str], warmup: str | None) -> dict:
    """Run baseline then extraction over ``folders`` in this process."""
    t0 = time.perf_counter()
    from jikenbo.models import ReadError
    from jikenbo.pipeline import extract_inputs
    from jikenbo.read import read_inputs
    from jikenbo.text.normalize import normalize

    import_s = time.perf_counter() - t0
    warm_s = 0.0
    if warmup:  # load lexicons, dictionaries and caches outside the timed runs
        t0 = time.perf_counter()
        for _ in extract_inputs([warmup]):
            pass
        warm_s = time.perf_counter() - t0
    rss_start = _peak_rss_mb()

    docs = chars = nbytes = errors = 0
    t0 = time.perf_counter()
    for item in read_inputs(folders):
        if isinstance(item, ReadError):
            errors += 1
            continue
        docs += 1
        chars += len(normalize(item.text).text)
        nbytes += len(item.text.encode("utf-8"))
    base_s = time.perf_counter() - t0
    rss_base = _peak_rss_mb()

    records = failed = 0
    sources: set[str] = set()
    t0 = time.perf_counter()
    for item in extract_inputs(folders):
        if isinstance(item, ReadError):
            failed += 1
        else:
            records += 1
            sources.add(item.source)
    ext_s = time.perf_counter() - t0
    rss_ext = _peak_rss_mb()
    mb = nbytes / 1e6
    return {
        "documents": docs, "megabytes": round(mb, 3), "read_errors": errors,
        "import_seconds": round(import_s, 3), "warmup_seconds": round(warm_s, 3),
        "baseline": {"seconds": round(base_s, 3), "docs_per_s": round(docs / base_s, 1) if base_s else None,
                     "mb_per_s": round(mb / base_s, 2) if base_s else None, "peak_rss_mb": round(rss_base, 1)},
        "extract": {"seconds": round(ext_s, 3), "docs_per_s": round(docs / ext_s, 1) if ext_s else None,
                    "records": records, "records_per_s": round(records / ext_s, 1) if ext_s else None,
                    "documents_with_records": len(sources), "failed": failed,
                    "mb_per_s": round(mb / ext_s, 2) if ext_s else None, "peak_rss_mb": round(rss_ext, 1)},
        "ratio_extract_to_baseline": round(ext_s / base_s, 1) if base_s else None,
        "rss_after_warmup_mb": round(rss_start, 1),
    }


# --------------------------------------------------------------------------- driver (parent)


def _run_child(folders: list[Path], warmup: Path | None) -> dict:
    cmd = [sys.executable, __file__, "--child", *map(str, folders)]
    if warmup is not None:
        cmd += ["--warmup", str(warmup)]
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        last = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise SystemExit(f"bench: measuring run failed: {last}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _table(results: list[dict]) -> str:
    head = (f"{'inputs':>7} {'MB':>7} | {'base doc/s':>10} {'MB/s':>7} | {'extr doc/s':>10} {'rec/s':>8} "
            f"{'MB/s':>6} | {'ratio':>6} | {'RSS base':>8} {'RSS extr':>8}")
    lines = [head, "-" * len(head)]
    for r in results:
        b, e = r["baseline"], r["extract"]
        lines.append(f"{r['documents']:>7} {r['megabytes']:>7.2f} | {b['docs_per_s']:>10} {b['mb_per_s']:>7} | "
                     f"{e['docs_per_s']:>10} {e['records_per_s']:>8} {e['mb_per_s']:>6} | "
                     f"{r['ratio_extract_to_baseline']:>5}x | {b['peak_rss_mb']:>6.0f}MB {e['peak_rss_mb']:>6.0f}MB")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="jikenbo extraction benchmark (single process)")
    ap.add_argument("-n", "--count", type=int, default=2000, help="documents in the small run (default 2000)")
    ap.add_argument("--factor", type=int, default=4, help="the large run has factor × N documents (default 4)")
    ap.add_argument("--seed", type=int, default=20240301)
    ap.add_argument("--json", action="store_true", help="print JSON instead of a table")
    ap.add_argument("--keep", metavar="DIR", help="write the generated documents here and keep them")
    ap.add_argument("--docs", metavar="DIR", help="time this folder of documents instead of generated ones")
    ap.add_argument("--repeat", type=int, default=10, help="with --docs: read the folder this many times (default 10)")
    ap.add_argument("--child", nargs="+", metavar="FOLDER", help=argparse.SUPPRESS)
    ap.add_argument("--warmup", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.child:
        try:
            result = measure(args.child, args.warmup)
        except ImportError as e:
            print(f"bench: jikenbo stage not available yet: {e}", file=sys.stderr)
            return 2
        print(json.dumps(result))
        return 0

    if args.docs:
        folder = Path(args.docs)
        if not folder.is_dir():
            print(f"bench: {folder}: not a folder", file=sys.stderr)
            return 2
        run = _run_child([folder] * max(1, args.repeat), folder)
        if args.json:
            print(json.dumps({"python": sys.version.split()[0], "docs": str(folder), "repeat": args.repeat, "run": run},
                             ensure_ascii=False, indent=1))
        else:
            print(f"{folder}, read {args.repeat} times; imports {run['import_seconds']}s, warm-up {run['warmup_seconds']}s")
            print(_table([run]))
        return 0

    n, big = args.count, args.count * args.factor
    with tempfile.TemporaryDirectory(prefix="jikenbo-bench-") as tmp:
        base = Path(args.keep) if args.keep else Path(tmp)
        small, rest, warm = base / "n", base / "rest", base / "warmup"
        t0 = time.perf_counter()
        generate(warm, 20, args.seed, start=10**6)
        generate(small, n, args.seed)
        generate(rest, big - n, args.seed, start=n)
        gen_s = time.perf_counter() - t0
        runs = [_run_child([small], warm), _run_child([small, rest], warm)]
    growth = runs[1]["extract"]["peak_rss_mb"] - runs[0]["extract"]["peak_rss_mb"]
    report = {"python": sys.version.split()[0], "generate_seconds": round(gen_s, 2), "seed": args.seed,
              "runs": runs, "rss_growth_mb_n_to_large": round(growth, 1)}
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1))
    else:
        print(f"generated {big} documents in {gen_s:.1f}s (seed {args.seed}); "
              f"imports {runs[0]['import_seconds']}s, warm-up {runs[0]['warmup_seconds']}s")
        print(_table(runs))
        print(f"peak RSS growth from {n} to {big} inputs: {growth:+.1f} MB "
              "(flat means extraction streams one document at a time)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
