"""jikenbo scan: generated crawls (our own fictional notices among unrelated pages) scanned in
this process, in a process pool and on a Dask LocalCluster; resuming; broken files; ingest."""

from __future__ import annotations

import json
import os
import pickle
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

sys.path.insert(0, str(Path(__file__).parent))
import crawlgen
from jikenbo.cli import cli
from jikenbo.scan import (
    Prefilter,
    ScanError,
    expand_inputs,
    iter_pages,
    iter_scan_output,
    output_name,
    scan,
    scan_input,
)
from jikenbo.scan.prefilter import DROP_INCIDENT

ROOT = Path(__file__).resolve().parents[1]


def _break_member(src: Path, dst: Path) -> None:
    """Copy ``src`` with a gzip member in the middle of the file damaged."""
    data = bytearray(src.read_bytes())
    mid = len(data) // 2
    data[mid:mid + 64] = b"\xff" * 64
    dst.write_bytes(bytes(data))


@pytest.fixture(scope="module")
def crawl(tmp_path_factory):
    folder = tmp_path_factory.mktemp("crawl")
    c = crawlgen.write_crawl(folder, files=3, pages_per_file=250, notices=16, seed=11)
    plain = crawlgen.write_crawl(folder / "plain", files=1, pages_per_file=80, notices=4, seed=12, gz=False)
    c.files += plain.files
    c.notices += plain.notices
    c.pages += plain.pages
    broken = folder / "broken" / "crawl-broken.warc.gz"
    broken.parent.mkdir()
    _break_member(c.files[0], broken)
    return c, broken


def _outputs(out_dir: Path) -> list[Path]:
    return sorted(p for p in out_dir.glob("*.jsonl") if not p.name.startswith("."))


def _rows(out_dir: Path) -> list[dict]:
    rows = []
    for p in _outputs(out_dir):
        rows += [json.loads(line) for line in p.read_text(encoding="utf-8").splitlines()]
    return rows


def _found(out_dir: Path) -> dict[str, list[str]]:
    """URL → organisations of its records, over every page line of the output folder."""
    return {r["url"]: [x["organization"] for x in r["records"]] for r in _rows(out_dir) if r["kind"] == "page"}


def test_every_notice_found_in_every_encoding(crawl, tmp_path):
    c, _ = crawl
    out = tmp_path / "out"
    s = scan([str(f) for f in c.files], str(out), workers=1)
    assert s.ok and len(s.done) == len(c.files)
    found = _found(out)
    assert {n.url for n in c.notices} <= set(found)  # every notice, in every encoding and format
    extra = set(found) - {n.url for n in c.notices}  # everyday pages the extractor took for notices
    assert len(extra) <= 0.002 * c.pages and not any("notice" in u for u in extra)
    encodings = {n.encoding for n in c.notices}
    assert {"utf-8", "cp932", "euc_jp", "iso2022_jp", "binary"} <= encodings
    rows = [r for r in _rows(out) if r["kind"] == "page"]
    for r in rows:
        doc = r["document"]
        assert doc["url"] == r["url"] and doc["source"] == r["url"]
        assert doc["fetched_at"] == r["date"] and r["date"].startswith("2024-06-")
        assert r["warc"]["offset"] >= 0 and r["warc"]["length"] > 0
        assert all(rec["url"] == r["url"] and rec["organization"] for rec in r["records"])
    # The record can be fetched again alone from its offset and length (one gzip member).
    gz = [r for r in rows if r["warc"]["file"].endswith(".gz")]
    plain = [r for r in rows if not r["warc"]["file"].endswith(".gz")]
    assert gz and plain
    for r in (gz[0], gz[-1], plain[0]):
        with open(r["warc"]["file"], "rb") as f:
            f.seek(r["warc"]["offset"])
            member = f.read(r["warc"]["length"])
        alone = tmp_path / ("alone.warc.gz" if r in gz else "alone.warc")
        alone.write_bytes(member)
        (page,) = list(iter_pages(str(alone)))
        assert page.url == r["url"] and page.record_id == r["warc"]["record_id"]
    # The summary adds up: every page seen is prefiltered or read.
    st = s.stats
    assert st.pages - st.dropped_type == c.pages  # images are records too, dropped by type
    assert st.prefiltered + st.read == st.pages
    assert st.records >= len(c.notices) and st.with_notices == len(found)
    assert st.read < 0.05 * st.pages  # the prefilter drops the unrelated pages


def test_process_pool_and_local_cluster_give_the_same_files(crawl, tmp_path):
    distributed = pytest.importorskip("distributed")
    c, _ = crawl
    inputs = [str(f) for f in c.files]
    one, pool, dask = tmp_path / "one", tmp_path / "pool", tmp_path / "dask"
    scan(inputs, str(one), workers=1)
    assert scan(inputs, str(pool), workers=2).ok
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        s = scan(inputs, str(dask), dask=client)
    assert s.ok and sorted(s.done) == sorted(inputs)
    names = [p.name for p in _outputs(one)]
    assert names == [p.name for p in _outputs(pool)] == [p.name for p in _outputs(dask)]
    for name in names:
        assert (one / name).read_bytes() == (pool / name).read_bytes() == (dask / name).read_bytes()


def test_broken_file_fails_alone_and_is_retried_alone(crawl, tmp_path):
    c, broken = crawl
    out = tmp_path / "out"
    inputs = [str(f) for f in c.files] + [str(broken)]
    s = scan(inputs, str(out), workers=1)
    assert [src for src, _ in s.failed] == [str(broken)]
    (msg,) = [m for _, m in s.failed]
    assert msg.startswith(f"{broken}: damaged after the record at offset ") and "\n" not in msg
    assert not (out / output_name(str(broken))).exists()
    assert len(s.done) == len(c.files)
    again = scan(inputs, str(out), workers=1)
    assert sorted(again.skipped) == sorted(str(f) for f in c.files)
    assert [src for src, _ in again.failed] == [str(broken)] and not again.done


def test_cli_scan_summary_and_exit_status(crawl, tmp_path):
    c, broken = crawl
    out = tmp_path / "out"
    listing = tmp_path / "list.txt"
    rel = [os.path.relpath(f, tmp_path) for f in c.files]
    listing.write_text("# the crawl\n" + "\n".join([*rel, str(broken)]) + "\n\n", encoding="utf-8")
    r = CliRunner().invoke(cli, ["scan", str(listing), "--out", str(out), "--workers", "1"])
    assert r.exit_code == 1
    assert f"jikenbo: {broken}: damaged after the record at offset" in r.stderr
    assert f"inputs: {len(c.files)} scanned, 0 skipped (already scanned), 1 failed" in r.stdout
    assert re.search(r"^pages: [\d,]+ seen, [\d,]+ prefiltered \(type [\d,]+, language 0, cue words [\d,]+, "
                     r"visible text [\d,]+, no incident cue [\d,]+\), [\d,]+ read$", r.stdout, re.M)
    assert re.search(r"^records: [\d,]+ notices in [\d,]+ pages; [\d,]+ pages read held none$", r.stdout, re.M)
    assert "Traceback" not in r.output
    r2 = CliRunner().invoke(cli, ["scan", str(listing), "--out", str(out), "--json"])
    summary = json.loads(r2.stdout)
    assert len(summary["skipped"]) == len(c.files) and summary["failed"][0]["input"] == str(broken)


def test_killed_scan_resumes_without_duplicates(crawl, tmp_path):
    c, _ = crawl
    out = tmp_path / "out"
    inputs = [str(f) for f in c.files]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.Popen([sys.executable, "-m", "jikenbo", "scan", *inputs, "--out", str(out), "--workers", "1",
                             "-q"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and not (out.is_dir() and _outputs(out)):
            time.sleep(0.05)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait()
    finished = {p.name for p in _outputs(out)}
    assert finished  # at least one input was written before the kill
    (out / ".scan-tmp-leftover.jsonl").write_text('{"kind": "scan"}\n', encoding="utf-8")  # as a kill leaves
    s = scan(inputs, str(out), workers=1)
    assert s.ok and len(s.skipped) == len(finished) and len(s.done) + len(s.skipped) == len(inputs)
    assert not list(out.glob(".scan-tmp-*"))
    urls = [r["url"] for r in _rows(out) if r["kind"] == "page"]
    assert len(urls) == len(set(urls)) and {n.url for n in c.notices} <= set(urls)


def test_partial_output_file_is_scanned_again(crawl, tmp_path):
    c, _ = crawl
    out = tmp_path / "out"
    src = str(c.files[1])
    scan([src], str(out), workers=1)
    path = out / output_name(src)
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:-1]) + "\n", encoding="utf-8")  # the summary line is lost
    (err,) = [x for x in iter_scan_output(str(path)) if not isinstance(x, tuple)]
    assert "incomplete scan output" in err.message
    s = scan([src], str(out), workers=1)
    assert s.done == [src] and path.read_text(encoding="utf-8").splitlines() == lines


def test_truncated_records_are_flagged(tmp_path):
    pdf = (crawlgen.SAMPLES / crawlgen.NOTICE_PDF).read_bytes()
    text = (crawlgen.SAMPLES / "01_harukaze_first_report.txt").read_bytes()
    cut = {"WARC-Truncated": "length"}
    path = tmp_path / "cut.warc.gz"
    crawlgen.write_records(path, [
        crawlgen.record("response", "https://www.kirinuki.example.jp/pdf/a.pdf",
                        crawlgen.http_response(pdf[: len(pdf) // 2], "application/pdf"), extra=cut),
        crawlgen.record("response", "https://www.kirinuki.example.jp/news/b.txt",
                        crawlgen.http_response(text, "text/plain; charset=utf-8"), extra=cut),
    ])
    res = scan_input(str(path))
    assert res.ok
    rows = [json.loads(x) for x in res.lines[1:-1]]
    assert [r["kind"] for r in rows] == ["truncated", "page"]
    assert "not extracted" in rows[0]["reason"] and rows[0]["media_type"] == "application/pdf"
    assert rows[1]["truncated"] == "length" and rows[1]["records"]
    assert res.stats.truncated == 2 and res.stats.not_extracted == 1


def test_not_a_warc_and_missing_file(tmp_path):
    text = tmp_path / "notes.warc"
    text.write_text("just some notes\n", encoding="utf-8")
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    for path, words in ((text, "damaged at the start"), (empty, "empty file"), (tmp_path / "nope.warc", "no such")):
        res = scan_input(str(path))
        assert not res.ok and res.error.startswith(f"{path}: ") and words in res.error


def test_expand_inputs(tmp_path, crawl):
    c, broken = crawl
    assert expand_inputs([str(c.files[0].parent)]) == sorted(str(f) for f in [*c.files, broken])
    with pytest.raises(ScanError, match="no such file"):
        expand_inputs([str(tmp_path / "missing.txt")])
    (tmp_path / "empty.txt").write_text("# nothing\n", encoding="utf-8")
    with pytest.raises(ScanError, match="empty"):
        expand_inputs([str(tmp_path / "empty.txt")])
    assert expand_inputs(["s3://bucket/a.warc.gz", "s3://bucket/a.warc.gz"]) == ["s3://bucket/a.warc.gz"]


def test_ingest_reads_the_scan_folder(crawl, tmp_path):
    c, _ = crawl
    out = tmp_path / "records"
    scan([str(f) for f in c.files], str(out), workers=1)
    db = tmp_path / "store.db"
    r = CliRunner().invoke(cli, ["ingest", str(out), "--db", str(db), "--workers", "1", "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    pages = [r for r in _rows(out) if r["kind"] == "page"]
    by_bytes = {r["document"]["sha256"]: len(r["records"]) for r in pages}  # same bytes at two URLs: one document
    assert s["documents"] == len(pages) and not s["failed"]
    assert s["added"] == len(by_bytes) and s["unchanged"] == len(pages) - len(by_bytes)
    assert s["notices"] == sum(by_bytes.values()) == s["incidents_created"] + s["notices_linked"]
    again = json.loads(CliRunner().invoke(cli, ["ingest", str(out), "--db", str(db), "--json"]).stdout)
    assert again["unchanged"] == len(pages) and again["notices"] == 0
    from jikenbo.store import open_store

    with open_store(db) as store:
        incs = store.incidents(limit=None)
        urls = {n["url"] for inc in incs for n in inc["notices"]}
    assert urls <= {r["url"] for r in pages} and len(urls) == len(by_bytes)  # one URL per stored document


# --------------------------------------------------------------------------- prefilter


def test_prefilter_cue_words_in_each_encoding():
    pf = Prefilter.default()
    line = "不正アクセスによる個人情報漏えいに関するお詫びとご報告"
    for enc in ("utf-8", "cp932", "euc_jp", "iso2022_jp"):
        body = f"<html><body><p>{line}</p></body></html>".encode(enc)
        assert pf.check(body, "text/html", "https://www.example.co.jp/news/1.html") == ("html", None), enc
    shop = "<html><body>新商品のご案内<footer>個人情報保護方針 お問い合わせ お知らせ</footer></body></html>"
    assert pf.check(shop.encode(), "text/html", "https://shop.example.jp/news/") == (None, "cues")


def test_prefilter_text_step_ignores_menus_and_footers():
    pf = Prefilter.default()
    chrome = ("<nav><a href='/news/'>お知らせ</a></nav>{body}<footer><a href='/privacy/'>個人情報保護方針</a>"
              "</footer><script>var msg = 'ご迷惑';</script>")
    umbrella = chrome.format(body="<p>店内で傘を紛失された方はカウンターへ。</p>").encode()
    url = "https://www.example.co.jp/news/1.html"
    assert pf.score(umbrella, url) >= pf.threshold  # the bytes alone let it through
    assert pf.check(umbrella, "text/html", url) == (None, "text")
    notice = chrome.format(body="<h1>不正アクセスによる個人情報漏えいのお詫び</h1>").encode("cp932")
    assert pf.check(notice, "text/html; charset=Shift_JIS", url) == ("html", None)
    undecodable = b"\x00\x01" * 50 + "不正アクセスのお詫び".encode()
    assert pf.check(undecodable, "text/html", url) == ("html", None)  # the read stage will say why


def test_prefilter_type_language_and_pdf_hints():
    pf = Prefilter.default()
    notice = "不正アクセスによる個人情報漏えいのお詫び".encode()
    assert pf.check(b"\xff\xd8\xff", "image/jpeg", "https://a.example.jp/x.jpg") == (None, "type")
    assert pf.check(notice, "text/plain", "https://a.example.com/", languages="eng,fra") == (None, "language")
    assert pf.check(notice, "text/plain", "https://a.example.com/", languages="jpn,eng") == ("text", None)
    assert pf.check(b"%PDF-1.7 compressed", "application/pdf", "https://a.example.jp/x.pdf") == ("pdf", None)
    assert pf.check(b"%PDF-1.7 compressed", "application/pdf", "https://a.example.com/x.pdf") == (None, "cues")


def test_prefilter_survives_pickling():
    pf = Prefilter.default()
    back = pickle.loads(pickle.dumps(pf))
    body = "ランサムウェア被害に関するお詫び".encode("cp932")
    assert back.score(body) == pf.score(body) > 0


def test_both_matchers_agree(crawl):
    import dataclasses

    pytest.importorskip("hyperscan")
    c, _ = crawl
    hs = dataclasses.replace(Prefilter.default(), engine="hyperscan")
    ac = dataclasses.replace(hs, engine="ahocorasick")
    assert (hs.engine_used, ac.engine_used) == ("hyperscan", "ahocorasick")
    pages = list(iter_pages(str(c.files[0])))
    assert [hs.score(p.payload, p.url) for p in pages] == [ac.score(p.payload, p.url) for p in pages]


def test_prefilter_incident_step_drops_everyday_pages_only():
    pf = Prefilter.default()
    url = "https://www.example.co.jp/news/1.html"
    # an incident word in its everyday sense, other cue words in the text: passes the bytes and
    # the visible text, but holds none of the segmenter's incident cues, so no notice can come of it
    lost = ("<p>図書館の資料を持ち出した場合は返却をお願いします。被害届や警察への相談は窓口で案内します。"
            "個人情報の取扱いについては別に定めます。</p>").encode()
    assert pf.score(lost, url) >= pf.threshold
    assert pf.check(lost, "text/html", url) == (None, "incident")
    # a cue word split by inline tags or by a source line break still counts
    from jikenbo.scan.prefilter import may_hold_notice

    assert may_hold_notice("<h1>不正<b>アクセス</b>を受けました</h1>", html=True)
    assert may_hold_notice("<p>当社サーバーが不正ア\n  クセスを受けました。</p>", html=True)
    assert may_hold_notice("当社サーバーが不正ア\nクセスを受けました。", html=False)
    assert not may_hold_notice("<p>図書館の資料の持ち出しはできません。</p>", html=True)
    wrapped = "<p>当社サーバーへの不正ア\n  クセスにより、お客様の個人情報が漏えいした可能性がございます。お詫び申し上げます。</p>"
    assert pf.check(wrapped.encode(), "text/html", url) == ("html", None)


@pytest.mark.parametrize("name", sorted(p.name for p in crawlgen.SAMPLES.iterdir()
                                        if p.suffix in (".txt", ".html")))
def test_incident_step_keeps_every_page_the_extractor_finds_a_notice_in(name):
    """The step is sound only if no text that gives a record fails it: check the samples as
    the scan reads them (HTML main text, plain text) and as they came."""
    from jikenbo.pipeline import extract_document
    from jikenbo.read import decode_bytes
    from jikenbo.scan.prefilter import may_hold_notice

    data = (crawlgen.SAMPLES / name).read_bytes()
    html = name.endswith(".html")
    doc = decode_bytes(data, name, "text/html" if html else "text/plain")
    if extract_document(doc):
        assert may_hold_notice(doc.text, html=False)
        assert may_hold_notice(crawlgen._sample_text(name), html=html)
    elif name.startswith("13_howto"):
        assert extract_document(doc) == []


def test_prefilter_drops_seven_bit_pages_unscanned_but_not_iso2022():
    pf = Prefilter.default()
    url = "https://www.example.co.jp/news/1.html"
    english = b"<html><body><p>Emotet warning: our news page about Emotet and more Emotet.</p></body></html>"
    assert pf.score(english, url) >= pf.threshold  # on the bytes with the URL hints it would pass
    assert pf.check(english, "text/html", url) == (None, "cues")  # its text never can: dropped at once
    jis = "<p>ランサムウェア被害による個人情報漏えいのお詫び</p>".encode("iso2022_jp")
    assert jis.isascii() and pf.check(jis, "text/html", url) == ("html", None)


def test_hyperscan_prefilter_mode_misses_no_match_of_the_segmenter_patterns():
    pytest.importorskip("hyperscan")
    from jikenbo.scan.prefilter import _superset_matcher
    from jikenbo.segment import notice_patterns

    patterns = notice_patterns()
    fast = _superset_matcher(patterns)
    assert fast is not None
    texts = []
    for p in sorted(crawlgen.SAMPLES.glob("*.txt")) + sorted((ROOT / "tests" / "corpus").glob("*.txt")):
        text = crawlgen._sample_text(p.name) if p.parent == crawlgen.SAMPLES else p.read_text(encoding="utf-8")
        texts += [text, *[line for line in text.splitlines() if line.strip()]]
    found = [t for t in texts if any(re.search(p, t) for p in patterns)]
    assert len(found) > 50
    assert all(fast(t) for t in found)
    assert not fast("本日は晴天なり。新商品のご案内です。")


def test_required_word_gate_drops_exactly_what_the_full_pass_drops(crawl):
    """Hyperscan first looks for the required (incident) words alone and stops at the first:
    a page it finds none in scores 0, as the full pass would score it. Same scores with the
    gate as without, on a generated crawl and on words at the very edge of the scanned head."""
    import dataclasses

    pytest.importorskip("hyperscan")
    c, _ = crawl
    pf = dataclasses.replace(Prefilter.default(), engine="hyperscan", scan_bytes=4096)
    assert pf._gate is not None
    ungated = dataclasses.replace(pf)
    ungated._gate = None
    payloads = [p.payload for p in iter_pages(str(c.files[0]))]
    for word in ("不正アクセス", "漏えい", "ランサムウェア", "紛失"):
        for enc in ("utf-8", "cp932", "euc_jp", "iso2022_jp"):
            raw = word.encode(enc)
            pad = b"x" * (4096 - len(raw))
            payloads += [pad + raw, pad[:-1] + raw + b"y", b"x" * 4096 + raw,  # at the end, past it
                         raw + "個人情報 お詫び ご報告 調査".encode(enc)]
    payloads.append("個人情報 お詫び ご報告 お問い合わせ 調査 第三者".encode())  # no required word
    scores = [pf.score(b, "https://www.example.co.jp/news/1.html") for b in payloads]
    assert scores == [ungated.score(b, "https://www.example.co.jp/news/1.html") for b in payloads]
    assert any(s >= pf.threshold for s in scores) and 0 in scores


# An everyday page with 紛失 in its everyday sense, its shop named in the footer only.
_LOST_PROPERTY = (
    "<!doctype html><html><head><meta charset='utf-8'><title>落とし物のご案内</title></head><body>"
    "<nav><a href='/'>ホーム</a> <a href='/news/'>お知らせ</a></nav><main>"
    "<h2>落とし物・紛失物のお問い合わせについて</h2>"
    "<p>館内で傘や手袋を紛失された場合は、総合案内までお問い合わせください。お預かりした品は一か月保管いたします。</p>"
    "<p>本日も多くのお客様にご来館いただきました。週末は混雑が予想されますので、お早めにお越しください。"
    "不審な人物を見かけた場合は係員へお知らせください。</p>"
    "</main><footer><a href='/privacy/'>個人情報保護方針</a> | <a href='/contact/'>お問い合わせ</a><br>"
    "Copyright © かすみ観光協会 All Rights Reserved.</footer></body></html>")
# A notice with the same word, of a fictional company.
_LOST_USB = (
    "<!doctype html><html><head><meta charset='utf-8'><title>USBメモリ紛失のお詫び</title></head><body>"
    "<nav><a href='/'>ホーム</a></nav><main>"
    "<h1>お客様情報を記録したUSBメモリの紛失に関するお詫び</h1><p>2031年5月20日</p><p>株式会社あさぎ運輸</p>"
    "<p>このたび、当社営業所において、お客様412名の氏名と住所を記録したUSBメモリを紛失したことが判明しました。"
    "現時点で第三者による不正利用は確認されておりません。お客様には深くお詫び申し上げます。</p>"
    "<p>当社は個人情報保護委員会に報告し、警察に遺失届を提出いたしました。</p></main>"
    "<footer><a href='/privacy/'>個人情報保護方針</a></footer></body></html>")


def test_everyday_loss_page_is_not_read_and_would_give_no_record_a_notice_with_the_word_is():
    """A page whose every incident cue is a noun of everyday use or a condition (「紛失物」,
    「紛失された場合は」, segment.cue_exemptions) stops at the prefilter: the segmenter's
    happening test fails on each of its sentences, so read in full it gives no record either,
    even with an organisation named in a copyright <div>. A notice with the same word passes
    and gives its record."""
    from jikenbo.pipeline import extract_document
    from jikenbo.read import decode_bytes
    from jikenbo.segment import segment_document

    pf = Prefilter.default()
    url = "https://www.kasumi.example.jp/news/3.html"
    page = _LOST_PROPERTY.encode()
    assert pf.check(page, "text/html", url) == (None, DROP_INCIDENT)
    doc = decode_bytes(page, url, "text/html", url=url)
    assert segment_document(doc) == [] and extract_document(doc) == []
    named = _LOST_PROPERTY.replace("</main><footer>", "</main><div class='copyright'>Copyright © かすみ観光協会</div>"
                                   "<footer>").encode()
    assert pf.check(named, "text/html", url) == (None, DROP_INCIDENT)
    named_doc = decode_bytes(named, url, "text/html", url=url)
    assert "かすみ観光協会" in named_doc.text and extract_document(named_doc) == []

    usb = _LOST_USB.encode()
    assert pf.check(usb, "text/html", url) == ("html", None)
    assert [r.organization for r in extract_document(decode_bytes(usb, url, "text/html", url=url))] == \
        ["株式会社あさぎ運輸"]


def test_a_cue_is_exempt_only_when_its_follower_is_written_in_the_same_run_of_text():
    """The read text may split a run where the page has a tag or white space (「紛失<br>された
    場合は」 becomes two lines, and 「紛失」 then ends a sentence of its own): such a page is read.
    One cue with nothing exempting after it is enough to read the page; so is an apology title
    without any cue."""
    from jikenbo.scan.prefilter import may_hold_notice

    assert not may_hold_notice("<p>傘を紛失された場合は係員へ。紛失物は一か月保管します。</p>", html=True)
    assert not may_hold_notice("傘を紛失された場合は係員へ。\n紛失物は一か月保管します。", html=False)
    assert may_hold_notice("<p>傘を紛失<br>された場合は係員へ。</p>", html=True)
    assert may_hold_notice("<p>傘を紛<b>失</b>された場合は係員へ。</p>", html=True)
    assert may_hold_notice("<p>傘を紛失 された場合は係員へ。</p>", html=True)
    assert may_hold_notice("傘を紛失\nされた場合は係員へ。", html=False)
    # the same run unbroken once and broken once: the broken one may count in the read text
    assert may_hold_notice("<p>紛失された場合は。</p><p>紛失<br>された場合は。</p>", html=True)
    assert may_hold_notice("<p>紛失された場合は係員へ。USBメモリを紛失しました。</p>", html=True)
    assert may_hold_notice("<h1>個人情報に関するお詫び</h1><p>ご迷惑をおかけしました。</p>", html=True)
    # an apology title keeps a page read even when its cues are exempt (a digest entry is kept on it)
    assert may_hold_notice("<h2>個人情報の取り扱いに関するお詫び</h2><p>紛失物は一か月保管します。</p>", html=True)


def test_worker_warm_up_extracts_a_notice():
    """The warm-up of each worker compiles the field extractors on a notice of our own, not on
    an empty text (which compiles nothing past the segmenter)."""
    from jikenbo.pipeline import extract_text
    from jikenbo.scan.run import _WARM_NOTICE, _warm

    _warm()
    assert [r.organization for r in extract_text(_WARM_NOTICE)] == ["架空商店株式会社"]
