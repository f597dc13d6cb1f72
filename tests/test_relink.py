"""The store's linking: order independence, analysts' decisions, reasons, vendor groups.

Notices are hand-built Records of fictional organisations (no extractor involved); the last
test runs the real set from ../shared when it is there.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import random
from pathlib import Path

import pytest

from jikenbo.models import Document, Record
from jikenbo.store import Filters, open_store

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def notice(name: str, **kw) -> tuple[Document, list[Record]]:
    text = f"{name}: " + json.dumps(kw, ensure_ascii=False, sort_keys=True)
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    doc = Document(source=f"{name}.txt", text=text, sha256=sha)
    return doc, [Record(source=doc.source, doc_sha256=sha, segment_start=0, segment_end=len(text), **kw)]


def corpus() -> list[tuple[Document, list[Record]]]:
    return [
        notice("yunagi-1", organization="株式会社ゆうなぎ", disclosure_date="2023-10-18",
               incident_types=["unauthorized_access"], named_systems=["YuNagi.net"], notice_kind="first_report"),
        notice("yunagi-news", organization="株式会社ゆうなぎ", url_date="2023-10-20", announced_days=["10-18"],
               notice_kind="news_report", named_systems=["YuNagi.net"]),
        notice("yunagi-2024", organization="株式会社ゆうなぎ", url_date="2024-10-15", incident_types=["ransomware"],
               notice_kind="first_report"),
        notice("yunagi-2024-final", organization="株式会社ゆうなぎ", incident_types=["ransomware"],
               notice_kind="final_report", years=[2024]),
        notice("kumoma", organization="株式会社くもま情報サービス", disclosure_date="2023-10-17",
               affected_total=9000000, incident_types=["insider"], co_organizations=["くもまシステムズ"]),
        notice("kumoma-sys", organization="くもまシステムズ株式会社", affected_total=9000000,
               mentioned_organizations=["くもま情報サービス"], notice_kind="news_report"),
        notice("kaku-ken", organization="架空県", vendors=["くもま情報サービス"], affected_total=140000,
               incident_types=["insider"], url_date="2023-10-18"),
        notice("kaku-shi", organization="架空市", vendors=["株式会社くもま情報 サービス"], affected_total=50000,
               incident_types=["insider"], disclosure_date="2023-10-19"),
        notice("midori-1", organization="兵庫県みどり市", disclosure_date="2022-06-23", incident_types=["loss"],
               affected_total=460517),
        notice("midori-2", organization="みどり市", incident_types=["loss"], affected_total=460000),
    ]


def groups(store) -> set[frozenset[str]]:
    return {frozenset(Path(n["source"]).stem for n in inc["notices"])
            for inc in store.incidents(Filters(), limit=None)}


def ids(store) -> set[str]:
    return {inc["id"] for inc in store.incidents(Filters(), limit=None)}


EXPECTED = {
    frozenset({"yunagi-1", "yunagi-news"}), frozenset({"yunagi-2024", "yunagi-2024-final"}),
    frozenset({"kumoma", "kumoma-sys"}), frozenset({"kaku-ken"}), frozenset({"kaku-shi"}),
    frozenset({"midori-1", "midori-2"}),
}


def test_incidents_do_not_depend_on_the_order_of_ingest(store_location):
    docs = corpus()
    seen = []
    for seed in range(5):
        order = docs[:]
        random.Random(seed).shuffle(order)
        with open_store(store_location(f"s{seed}")) as st:
            for doc, recs in order:
                st.add_document(doc, recs)
            assert groups(st) == EXPECTED
            seen.append(ids(st))
    assert all(s == seen[0] for s in seen)  # the same incident ids too


def test_one_by_one_equals_one_batch(store_location):
    from jikenbo.store.ingest import ingest

    with open_store(store_location("batch")) as st:
        docs = corpus()
        for doc, recs in docs:  # as ingest would, through add_document
            st.add_document(doc, recs)
        batch = groups(st)
    with open_store(store_location("one")) as st:
        for doc, recs in reversed(corpus()):
            st.add_document(doc, recs)
        assert groups(st) == batch == EXPECTED
    assert callable(ingest)


def _pk(store, incident_id: str) -> int:
    return store.conn.execute("SELECT pk FROM incidents WHERE id = ?", (incident_id,)).fetchone()[0]


def _shown(store) -> list[dict]:
    """Every incident as ``show`` gives it, its pk-free parts."""
    out = []
    for i in store.incidents(Filters(), limit=None):
        inc = store.incident(i["id"])
        out.append({k: v for k, v in inc.items() if k not in ("pk", "created_at", "updated_at")})
    return sorted(out, key=lambda d: d["id"])


def test_an_earlier_notice_gives_the_incident_its_id_in_the_same_row(store_location):
    """A news report first, then the company's own notice dated two days before it: the one
    incident takes the id the notice gives it (as had it come first), in the row it had: its
    notices are not moved to a new one."""
    news, first = notice("yunagi-news", organization="株式会社ゆうなぎ", url_date="2023-10-20",
                         announced_days=["10-18"], notice_kind="news_report", named_systems=["YuNagi.net"]), \
        notice("yunagi-1", organization="株式会社ゆうなぎ", disclosure_date="2023-10-18",
               incident_types=["unauthorized_access"], named_systems=["YuNagi.net"], notice_kind="first_report")
    with open_store(store_location("late")) as late, open_store(store_location("early")) as early:
        late.add_document(*news)
        (before,) = ids(late)
        row = _pk(late, before)
        late.add_document(*first)
        (after,) = ids(late)
        for doc, recs in (first, news):
            early.add_document(doc, recs)
        assert after != before and ids(early) == {after}
        assert _pk(late, after) == row  # the same row, renamed
        assert _shown(late) == _shown(early)
        assert late.incident(before) is None
        assert late.integrity_check() == []


def test_an_incident_id_held_outside_the_neighbourhood_is_not_taken(store_location, monkeypatch):
    """Two unrelated organisations whose first notices hash to the same incident id (forced
    here): the second gets another id, found by the insert itself, and both are kept."""
    from jikenbo import link

    real = link.incident_id_of
    monkeypatch.setattr(link, "incident_id_of", lambda recs: "inc_000000000000")
    with open_store(store_location("clash")) as st:
        st.add_document(*notice("kumoma", organization="株式会社くもま情報サービス", disclosure_date="2023-10-17",
                                incident_types=["insider"]))
        st.add_document(*notice("midori-1", organization="兵庫県みどり市", disclosure_date="2022-06-23",
                                incident_types=["loss"]))
        got = ids(st)
        assert len(got) == 2 and "inc_000000000000" in got
        assert groups(st) == {frozenset({"kumoma"}), frozenset({"midori-1"})}
    assert real is not link.incident_id_of


def _everything(store) -> list[tuple]:
    return sorted((inc["id"], sorted((n["id"], tuple(n["link_reasons"])) for n in inc["notices"]))
                  for inc in (store.incident(i["id"]) for i in store.incidents(Filters(), limit=None)))


def test_the_clustering_memo_changes_nothing_but_the_time(store_location, monkeypatch):
    """Relinking replays earlier runs' decisions (link.ClusterMemo); without it, the same."""
    from jikenbo import link
    from jikenbo.store import relink

    seen = []
    for label, steps in (("memo", 100_000), ("none", 0)):
        memo = link.ClusterMemo(max_steps=steps)  # 0: forgotten at every run
        monkeypatch.setattr(relink, "MEMO", memo)
        order = corpus()
        random.Random(3).shuffle(order)
        with open_store(store_location(label)) as st:
            for doc, recs in order:
                st.add_document(doc, recs)
            assert groups(st) == EXPECTED
            seen.append(_everything(st))
        assert (memo.replayed > 0) == (steps > 0)
    assert seen[0] == seen[1]


def _add_half(path: str, half: int) -> None:
    with open_store(path) as st:
        for i, (doc, recs) in enumerate(corpus()):
            if i % 2 == half:
                st.add_document(doc, recs)


def test_two_parallel_writers_give_the_same_incidents(store_location):
    path = str(store_location("par"))
    open_store(path).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_add_half, args=(path, h)) for h in (0, 1)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with open_store(path) as st:
        assert groups(st) == EXPECTED


def test_every_notice_keeps_its_reasons(store_location):
    with open_store(store_location("r")) as st:
        for doc, recs in corpus():
            st.add_document(doc, recs)
        inc = next(i for i in st.incidents(Filters(), limit=None) if len(i["notices"]) == 2
                   and "midori-1" in i["notices"][0]["source"] + i["notices"][1]["source"])
        why = {Path(n["source"]).stem: n["link_reasons"] for n in st.incident(inc["id"])["notices"]}
        assert any("same count" in r for r in why["midori-2"])
        other = next(i for i in st.incidents(Filters(organization="株式会社ゆうなぎ"), limit=None)
                     if any("2024" in (n["source"]) for n in i["notices"]))
        reasons = [r for n in st.incident(other["id"])["notices"] for r in n["link_reasons"]]
        assert any(r.startswith("kept apart") for r in reasons)


def test_manual_link_and_unlink_survive_later_ingests(store_location):
    docs = corpus()
    with open_store(store_location("m")) as st:
        for doc, recs in docs[:6]:
            st.add_document(doc, recs)
        by_stem = {Path(n["source"]).stem: n["id"] for i in st.incidents(Filters(), limit=None) for n in i["notices"]}
        st.link_notices(by_stem["yunagi-1"], by_stem["yunagi-2024"])  # an analyst knows better
        st.unlink_notice(by_stem["kumoma-sys"])
        for doc, recs in docs[6:]:
            st.add_document(doc, recs)
        g = groups(st)
        assert frozenset({"yunagi-1", "yunagi-news", "yunagi-2024", "yunagi-2024-final"}) in g
        assert frozenset({"kumoma-sys"}) in g and frozenset({"kumoma"}) in g
        inc = st.notice(by_stem["kumoma-sys"])["incident_id"]
        assert "unlink" in st.incident(inc)["notices"][0]["link_reasons"][0]
    with open_store(store_location("m")) as st:  # a re-ingest of the same documents changes nothing
        for doc, recs in docs:
            st.add_document(doc, recs)
        assert frozenset({"kumoma-sys"}) in groups(st)


def test_vendor_filter_finds_spelling_variants_and_the_vendors_own(store_location):
    with open_store(store_location("v")) as st:
        for doc, recs in corpus():
            st.add_document(doc, recs)
        for name in ("くもま情報サービス", "株式会社くもま情報サービス", "くもま情報 サービス"):
            orgs = {i["organization"] for i in st.incidents(Filters(vendor=name), limit=None)}
            assert {"架空県", "架空市"} <= orgs, name
            assert "株式会社くもま情報サービス" in orgs  # the vendor's own incident is in its group


def test_cli_link_unlink_and_show_reasons(tmp_path):
    from click.testing import CliRunner

    from jikenbo.cli import cli

    db = tmp_path / "c.db"
    with open_store(db) as st:
        for doc, recs in corpus():
            st.add_document(doc, recs)
        by_stem = {Path(n["source"]).stem: (n["id"], i["id"]) for i in st.incidents(Filters(), limit=None)
                   for n in i["notices"]}
    r = CliRunner().invoke(cli, ["unlink", by_stem["midori-2"][0], "--db", str(db)])
    assert r.exit_code == 0, r.output
    r = CliRunner().invoke(cli, ["link", by_stem["kaku-ken"][1], by_stem["kaku-shi"][0], "--db", str(db)])
    assert r.exit_code == 0, r.output
    iid = r.output.strip().rsplit(" ", 1)[1]
    r = CliRunner().invoke(cli, ["show", iid, "--db", str(db)], terminal_width=200)
    assert "linked by an analyst" in r.output
    r = CliRunner().invoke(cli, ["unlink", "ntc_nosuchnotice", "--db", str(db)])
    assert r.exit_code != 0 and "no such notice" in r.output and "Traceback" not in r.output
    with open_store(db) as st:
        g = groups(st)
    assert frozenset({"kaku-ken", "kaku-shi"}) in g and frozenset({"midori-2"}) in g


def test_vendor_page_lists_the_group(tmp_path):
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from jikenbo.serve import create_app

    db = tmp_path / "w.db"
    with open_store(db) as st:
        for doc, recs in corpus():
            st.add_document(doc, recs)
    client = TestClient(create_app(db))
    page = client.get("/vendors/くもま情報サービス")
    assert page.status_code == 200
    assert "架空県" in page.text and "架空市" in page.text and "株式会社くもま情報サービス" in page.text
    with open_store(db) as st:
        inc = next(i for i in st.incidents(Filters(organization="みどり市"), limit=None) if i["notice_count"] == 2)
    page = client.get(f"/incidents/{inc['id']}")
    assert page.status_code == 200 and "同じ件数" in page.text  # why the notices are one incident
    assert "same count" in client.get(f"/incidents/{inc['id']}?lang=en").text


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "corpus" / "real").is_dir(), reason="../shared absent")
def test_real_set_in_shuffled_orders_gives_the_same_incidents(tmp_path):
    from jikenbo.pipeline import extract_document
    from jikenbo.read import read_inputs

    files = sorted(str(p) for p in (SHARED / "corpus" / "real").glob("*.txt"))
    docs = [(d, extract_document(d)) for d in read_inputs(files) if isinstance(d, Document)]
    seen = []
    for seed in range(3):
        random.Random(seed).shuffle(docs)
        with open_store(tmp_path / f"real{seed}.db") as st:
            for doc, recs in docs:
                st.add_document(doc, recs)
            seen.append((groups(st), ids(st)))
    assert all(s == seen[0] for s in seen)
