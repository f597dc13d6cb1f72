"""Linking notices into incidents: keys, matching, batch clustering, consolidation.

All organisations and incidents here are fictional.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from jikenbo import link
from jikenbo.models import Record

FIXTURES = Path(__file__).parent / "fixtures" / "link"


def rec(**kw) -> dict:
    """A record dict exactly as the pipeline produces it (validated through the model)."""
    kw.setdefault("source", f"{kw.get('organization', 'x')}_{kw.get('disclosure_date', '')}.txt")
    kw.setdefault("doc_sha256", f"sha-{kw['source']}")
    return Record(**kw).model_dump()


def ev(kind: str, day: str) -> dict:
    return {"start": 0, "end": 1, "text": day, "kind": kind, "date": day}


def tp(name: str, role: str = "vendor") -> dict:
    return {"start": 0, "end": 1, "text": name, "name": name, "role": role}


def groups_of(records: list[dict]) -> set[frozenset[int]]:
    return {frozenset(g) for g in link.cluster(records)}


# --------------------------------------------------------------------------- keys


@pytest.mark.parametrize(
    "name",
    [
        "株式会社PR TIMES",
        "PR TIMES",
        "PRTIMES",
        "(株)ＰＲ ＴＩＭＥＳ",
        "㈱PR・TIMES",
        "PR TIMES株式会社",
        "ＰＲ　ＴＩＭＥＳ",
    ],
)
def test_org_key_variants_share_one_key(name):
    assert link.org_key(name) == link.org_key("PR TIMES") == "prtimes"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("一般社団法人みらい協議会", "みらい協議会"),
        ("国立大学法人北海南大学", "北海南大学"),
        ("医療法人社団青葉会", "青葉会"),
        ("社会福祉法人ひかり園", "ひかり園"),
        ("学校法人しおかぜ学園", "しおかぜ学園"),
        ("Example Co., Ltd.", "example"),
        ("Example Inc.", "EXAMPLE"),
        ("日本放送協会", "NHK"),
    ],
)
def test_org_key_designators_and_aliases(a, b):
    assert link.org_key(a) == link.org_key(b)


def test_latin_designators_only_as_whole_words():
    assert link.org_key("Lincoln Inc.") == "lincoln"
    assert link.org_key("Incubate Corp.") == "incubate"


def test_org_key_empty():
    assert link.org_key(None) == ""
    assert link.org_key("株式会社") == ""


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Dropbox社", "Dropbox Sign"),
        ("株式会社エムケイシステム", "エムケイシステム社"),
        ("HelloSign", "dropbox"),
        ("株式会社雲海システム", "雲海システム社"),
    ],
)
def test_vendor_key_groups_names(a, b):
    assert link.vendor_key(a) == link.vendor_key(b)


def test_org_relation():
    k = link.org_key
    assert link.org_relation(k("株式会社サンプル"), k("サンプル電機株式会社")) == "none"
    assert link.org_relation(k("ワコール"), k("株式会社ワコールホールディングス")) == "generic"
    assert link.org_relation(k("あおば"), k("あおば第二センター")) == "weak"
    assert link.org_relation(k("AB"), k("ABC商店")) == "none"  # too short to contain


def test_new_incident_id_is_stable_content_hash():
    r = rec(organization="株式会社サンプル", disclosure_date="2024-01-05", segment_start=120)
    a = link.new_incident_id(r)
    assert re.fullmatch(r"inc_[0-9a-f]{12}", a)
    assert a == link.new_incident_id(dict(r))
    assert a == link.new_incident_id({**r, "organization": "(株)サンプル"})  # same org key
    assert a != link.new_incident_id({**r, "segment_start": 0})
    assert a != link.new_incident_id({**r, "doc_sha256": "other"})


def test_notice_summary_is_json_and_infers_kind():
    r = rec(
        organization="株式会社サンプル",
        disclosure_date="2024-02-01",
        title="不正アクセスについて(第2報)",
        timeline=[ev("detected", "2024-01-20")],
        references=["2024-01-25"],
        third_parties=[tp("Dropbox社")],
    )
    s = link.notice_summary(r)
    json.dumps(s)
    assert s["org_key"] == "サンプル"
    assert s["kind"] == "follow_up"
    assert s["detected_dates"] == ["2024-01-20"]
    assert s["references"] == ["2024-01-25"]
    assert s["vendor_keys"] == ["dropbox"]


# --------------------------------------------------------------------------- fixture shaped like samples


def test_fixture_records_group_as_expected():
    data = json.loads((FIXTURES / "fictional_notices.json").read_text(encoding="utf-8"))
    keys = [r.pop("key") for r in data["records"]]
    records = [rec(**r) for r in data["records"]]
    got = {frozenset(keys[i] for i in g) for g in link.cluster(records)}
    assert got == {frozenset(g) for g in data["expected_groups"]}

    incidents = []
    for g in link.cluster(records):
        inc = link.consolidate([records[i] for i in g])
        inc["id"] = link.new_incident_id(records[g[0]])
        inc["keys"] = [keys[i] for i in g]
        incidents.append(inc)
    by_id = {inc["id"]: inc["keys"] for inc in incidents}
    vg = link.vendor_groups(incidents)
    for vendor, members in data["expected_vendor"].items():
        ids = vg[link.vendor_key(vendor)]
        assert sorted(k for i in ids for k in by_id[i]) == sorted(members)


# --------------------------------------------------------------------------- synthetic cases


def test_second_report_after_first():
    first = rec(
        organization="株式会社みなと物流",
        disclosure_date="2024-03-01",
        detected_date="2024-02-26",
        incident_types=["ransomware"],
        notice_kind="first_report",
        title="ランサムウェア被害のお知らせ",
    )
    second = rec(
        organization="みなと物流株式会社",
        disclosure_date="2024-03-15",
        detected_date="2024-02-26",
        incident_types=["ransomware", "unauthorized_access"],
        title="ランサムウェア被害について(第2報)",
    )
    assert groups_of([first, second]) == {frozenset({0, 1})}


def test_second_report_without_dates_but_same_types():
    first = rec(organization="株式会社みなと物流", disclosure_date="2024-03-01", incident_types=["ransomware"])
    second = rec(
        organization="株式会社みなと物流",
        disclosure_date="2024-03-20",
        incident_types=["ransomware"],
        title="システム障害に関する続報",
    )
    assert groups_of([first, second]) == {frozenset({0, 1})}


def test_investigation_result_months_later_citing_first_notice():
    first = rec(
        organization="株式会社あさひ書房",
        disclosure_date="2024-02-14",
        detected_date="2024-02-09",
        incident_types=["unauthorized_access"],
        leak_status="possible",
        affected_total=None,
    )
    result = rec(
        organization="株式会社あさひ書房",
        disclosure_date="2024-11-28",
        incident_types=["unauthorized_access"],
        leak_status="not_confirmed",
        title="不正アクセスに関する調査結果のご報告",
        references=["2024-02-14"],
    )
    assert groups_of([first, result]) == {frozenset({0, 1})}
    d = link.match(result, [{**link.consolidate([first]), "id": "inc_a"}])
    assert d.incident_id == "inc_a"
    assert any("cites" in r for r in d.reasons)


def test_news_article_and_official_notice():
    news = rec(
        organization="あさひ書房",
        disclosure_date="2024-02-14",
        incident_types=["unauthorized_access"],
        affected_total=15200,
        notice_kind="news_report",
        source="https://news.example/a1",
    )
    official = rec(
        organization="株式会社あさひ書房",
        disclosure_date="2024-02-14",
        detected_date="2024-02-09",
        incident_types=["unauthorized_access"],
        affected_total=15200,
    )
    assert groups_of([news, official]) == {frozenset({0, 1})}


def test_same_org_unrelated_incidents_in_different_years():
    a = rec(
        organization="株式会社あさひ書房",
        disclosure_date="2021-06-10",
        detected_date="2021-06-01",
        incident_types=["misdelivery"],
        affected_total=120,
    )
    b = rec(
        organization="株式会社あさひ書房",
        disclosure_date="2024-02-14",
        detected_date="2024-02-09",
        incident_types=["unauthorized_access"],
        affected_total=15200,
    )
    c = rec(
        organization="あさひ書房",
        disclosure_date="2023-01-10",
        incident_types=["unauthorized_access"],
        notice_kind="first_report",
    )
    assert groups_of([a, b, c]) == {frozenset({0}), frozenset({1}), frozenset({2})}


def test_similar_names_different_orgs_do_not_merge():
    base = {
        "disclosure_date": "2024-05-10",
        "detected_date": "2024-05-02",
        "incident_types": ["unauthorized_access"],
        "affected_total": 5000,
    }
    a = rec(organization="株式会社サンプル", **base)
    b = rec(organization="サンプル電機株式会社", **base)
    c = rec(organization="サンプル商事株式会社", **base)
    assert groups_of([a, b, c]) == {frozenset({0}), frozenset({1}), frozenset({2})}


def test_different_orgs_same_day_do_not_merge():
    base = {"disclosure_date": "2024-05-10", "incident_types": ["ransomware"]}
    recs = [rec(organization=n, **base) for n in ("株式会社うみかぜ", "株式会社やまびこ", "有限会社こだま")]
    assert len(link.cluster(recs)) == 3


def test_vendor_breach_across_three_customers():
    customers = [
        rec(
            organization="株式会社うみかぜ",
            disclosure_date="2024-05-16",
            incident_types=["unauthorized_access"],
            third_parties=[tp("Dropbox社", "cloud")],
            affected_total=524,
        ),
        rec(
            organization="一般社団法人やまびこ会",
            disclosure_date="2024-05-17",
            incident_types=["unauthorized_access"],
            third_parties=[tp("Dropbox Sign", "cloud")],
        ),
        rec(
            organization="こだま市",
            disclosure_date="2024-05-20",
            incident_types=["unauthorized_access"],
            third_parties=[tp("HelloSign", "cloud")],
        ),
    ]
    clusters = link.cluster(customers)
    assert len(clusters) == 3  # each customer keeps its own incident
    incidents = [{**link.consolidate([customers[i] for i in g]), "id": f"inc_{g[0]}"} for g in clusters]
    assert link.vendor_groups(incidents) == {"dropbox": ["inc_0", "inc_1", "inc_2"]}


def test_vendor_own_notice_joins_vendor_group_but_not_customer_incidents():
    customer = rec(
        organization="株式会社うみかぜ",
        disclosure_date="2023-07-20",
        incident_types=["ransomware"],
        third_parties=[tp("株式会社雲海システム")],
    )
    vendor = rec(organization="株式会社雲海システム", disclosure_date="2023-07-19", incident_types=["ransomware"])
    assert len(link.cluster([customer, vendor])) == 2
    incs = [{**link.consolidate([customer]), "id": "inc_c"}, {**link.consolidate([vendor]), "id": "inc_v"}]
    assert link.vendor_groups(incs)["雲海システム"] == ["inc_c", "inc_v"]


def test_alias_and_holding_company_link():
    official = rec(
        organization="日本放送協会",
        disclosure_date="2023-08-10",
        detected_date="2023-07-31",
        incident_types=["unauthorized_access"],
        affected_total=23000,
    )
    news = rec(
        organization="NHK",
        disclosure_date="2023-08-10",
        incident_types=["unauthorized_access"],
        affected_total=23000,
        notice_kind="news_report",
    )
    hd = rec(
        organization="株式会社ワコールホールディングス",
        disclosure_date="2023-09-27",
        detected_date="2023-09-19",
        incident_types=["unauthorized_access"],
    )
    brand = rec(
        organization="ワコール",
        disclosure_date="2023-09-28",
        detected_date="2023-09-19",
        incident_types=["unauthorized_access"],
        notice_kind="news_report",
    )
    assert groups_of([official, news, hd, brand]) == {frozenset({0, 1}), frozenset({2, 3})}


def test_two_first_reports_of_one_org_a_month_apart_stay_apart():
    a = rec(
        organization="みどり野市",
        disclosure_date="2024-04-05",
        detected_date="2024-04-01",
        incident_types=["misdelivery"],
        affected_total=230,
        notice_kind="first_report",
    )
    b = rec(
        organization="みどり野市",
        disclosure_date="2024-05-09",
        detected_date="2024-05-02",
        incident_types=["misdelivery"],
        affected_total=61,
        notice_kind="first_report",
    )
    assert len(link.cluster([a, b])) == 2


def test_detection_dates_far_apart_split_even_when_close_in_disclosure():
    a = rec(
        organization="株式会社ほしぞら",
        disclosure_date="2024-06-01",
        detected_date="2024-05-28",
        incident_types=["unauthorized_access"],
    )
    b = rec(
        organization="株式会社ほしぞら",
        disclosure_date="2024-07-01",
        detected_date="2024-01-10",
        incident_types=["unauthorized_access"],
    )
    assert len(link.cluster([a, b])) == 2


def test_late_final_report_without_citation_joins_when_types_agree():
    a = rec(organization="株式会社ほしぞら", disclosure_date="2024-01-10", incident_types=["ransomware"])
    b = rec(
        organization="株式会社ほしぞら",
        disclosure_date="2024-08-30",
        incident_types=["ransomware"],
        notice_kind="final_report",
        title="最終報告",
    )
    c = rec(
        organization="株式会社ほしぞら",
        disclosure_date="2024-08-30",
        incident_types=["loss"],
        notice_kind="final_report",
        title="USBメモリ紛失の最終報告",
        source="usb.txt",
    )
    assert groups_of([a, b, c]) == {frozenset({0, 1}), frozenset({2})}


def test_no_organisation_is_its_own_incident():
    a = rec(organization=None, disclosure_date="2024-01-10", incident_types=["ransomware"])
    b = rec(organization=None, disclosure_date="2024-01-10", incident_types=["ransomware"])
    assert len(link.cluster([a, b])) == 2
    assert link.match(a, [{"id": "inc_x", "organization": None, "notices": []}]).incident_id is None


def test_cluster_is_deterministic_and_order_independent():
    data = json.loads((FIXTURES / "fictional_notices.json").read_text(encoding="utf-8"))
    records = [rec(**{k: v for k, v in r.items() if k != "key"}) for r in data["records"]]
    expected = {frozenset(records[i]["source"] + str(records[i]["organization"]) for i in g) for g in link.cluster(records)}
    rng = random.Random(7)
    for _ in range(5):
        shuffled = records[:]
        rng.shuffle(shuffled)
        got = {frozenset(shuffled[i]["source"] + str(shuffled[i]["organization"]) for i in g) for g in link.cluster(shuffled)}
        assert got == expected
    assert link.cluster(records) == link.cluster(records)
    assert link.cluster([]) == []


def test_match_picks_best_candidate_and_explains():
    old = rec(
        organization="株式会社あさひ書房",
        disclosure_date="2024-01-05",
        detected_date="2023-12-28",
        incident_types=["misdelivery"],
    )
    cur = rec(
        organization="株式会社あさひ書房",
        disclosure_date="2024-03-01",
        detected_date="2024-02-25",
        incident_types=["unauthorized_access"],
        affected_total=900,
    )
    follow = rec(
        organization="あさひ書房",
        disclosure_date="2024-03-20",
        detected_date="2024-02-25",
        incident_types=["unauthorized_access"],
        affected_total=900,
        title="第2報",
    )
    cands = [{**link.consolidate([old]), "id": "inc_old"}, {**link.consolidate([cur]), "id": "inc_cur"}]
    d = link.match(follow, cands)
    assert d.incident_id == "inc_cur"
    assert d.score > 0.5
    assert any("detection" in r for r in d.reasons)
    # also against incident summaries and plain notices carrying incident_id
    assert link.match(follow, [link.incident_summary([cur], "inc_s")]).incident_id == "inc_s"
    assert link.match(follow, [{**cur, "incident_id": "inc_n"}]).incident_id == "inc_n"
    assert link.match(follow, []).incident_id is None


# --------------------------------------------------------------------------- consolidation


def test_consolidate_latest_official_wins_and_revisions():
    first = rec(
        organization="株式会社北風",
        disclosure_date="2025-03-10",
        detected_date="2025-02-27",
        incident_types=["unauthorized_access"],
        leak_status="possible",
        affected_total=900000,
        data_categories=["email", "name"],
        reported_to=["ppc"],
        notice_kind="first_report",
        timeline=[ev("detected", "2025-02-27")],
    )
    news = rec(
        organization="北風",
        disclosure_date="2025-03-11",
        leak_status="confirmed",
        affected_total=950000,
        data_categories=["phone"],
        notice_kind="news_report",
        source="https://news.example/n",
    )
    second = rec(
        organization="株式会社北風",
        disclosure_date="2025-04-02",
        leak_status="unknown",
        affected_total=None,
        incident_types=["ransomware"],
        reported_to=["police"],
        title="第2報",
        payment_card=True,
    )
    final = rec(
        organization="株式会社北風",
        disclosure_date="2025-06-30",
        leak_status="not_confirmed",
        affected_total=901603,
        notice_kind="final_report",
    )
    notices = [{**n, "notice_id": f"n{i}"} for i, n in enumerate([final, news, first, second])]
    c = link.consolidate(notices)
    assert c["disclosure_date"] == "2025-03-10"
    assert c["detected_date"] == "2025-02-27"
    assert c["leak_status"] == "not_confirmed"
    assert c["affected_total"] == 901603
    assert c["incident_types"] == ["ransomware", "unauthorized_access"]
    assert c["data_categories"] == ["email", "name", "phone"]
    assert c["reported_to"] == ["police", "ppc"]
    assert c["payment_card"] is True and c["sensitive"] is False
    assert c["organization"] == "株式会社北風"
    assert c["organization_aliases"] == ["北風"]
    assert c["notice_count"] == 4
    assert c["first_disclosed"] == "2025-03-10" and c["last_updated"] == "2025-06-30"
    assert [n["id"] for n in c["notices"]] == ["n2", "n1", "n3", "n0"]
    assert [r["value"] for r in c["revisions"]["affected_total"]] == [900000, 950000, 901603]
    assert [r["kind"] for r in c["revisions"]["affected_total"]] == [
        "first_report",
        "news_report",
        "final_report",
    ]
    assert [r["value"] for r in c["revisions"]["leak_status"]] == ["possible", "confirmed", "not_confirmed"]
    assert c["revisions"]["leak_status"][0] == {
        "value": "possible",
        "notice_id": "n2",
        "source": first["source"],
        "date": "2025-03-10",
        "kind": "first_report",
    }
    assert c["timeline"][0]["notice_id"] == "n2"
    json.dumps(c)


def test_consolidate_news_only_fills_gaps():
    official = rec(organization="株式会社北風", disclosure_date="2025-03-10", affected_total=None)
    news = rec(
        organization="北風",
        disclosure_date="2025-03-12",
        affected_total=5000,
        leak_status="possible",
        notice_kind="news_report",
    )
    c = link.consolidate([official, news])
    assert c["affected_total"] == 5000  # nothing official states a figure
    assert c["leak_status"] == "possible"
    c2 = link.consolidate([{**official, "affected_total": 4800}, news])
    assert c2["affected_total"] == 4800


def test_consolidate_unknown_values_stay_unknown():
    c = link.consolidate([rec(organization="株式会社北風")])
    assert c["leak_status"] == "unknown"
    assert c["affected_total"] is None
    assert c["disclosure_date"] is None
    assert c["revisions"] == {}


# --------------------------------------------------------------------------- gold dev records


SHARED = Path(__file__).parents[1] / ".." / "shared"


@pytest.mark.shared
@pytest.mark.skipif(not (SHARED / "eval" / "score_links.py").exists(), reason="../shared is absent")
def test_dev_gold_records_cluster_like_gold(tmp_path, monkeypatch, capsys):
    import sys

    eval_dir = (SHARED / "eval").resolve()
    monkeypatch.syspath_prepend(str(eval_dir))
    import score_links  # type: ignore[import-not-found]

    records = []
    for f in sorted((eval_dir / "dev").glob("*.json")):
        doc = json.loads(f.read_text(encoding="utf-8"))
        for r in doc["incidents"]:  # only what a record carries: no hand-made third parties
            records.append({**r, "source": doc["source"], "doc_sha256": f.stem})
    clusters = link.cluster(records)
    pred = tmp_path / "incidents.jsonl"
    with pred.open("w", encoding="utf-8") as fh:
        for g in clusters:
            inc = link.consolidate([records[i] for i in g])
            fh.write(
                json.dumps(
                    {
                        "notices": [{"source": records[i]["source"], "organization": records[i]["organization"]} for i in g],
                        "third_parties": inc["third_parties"],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    monkeypatch.setattr(
        sys,
        "argv",
        [
            "score_links.py",
            "--gold",
            str(eval_dir / "dev-links.json"),
            "--pred",
            str(pred),
            "--notices",
            str(eval_dir / "dev"),
        ],
    )
    score_links.main()
    out = capsys.readouterr().out
    assert "F1=1.000" in out, out
    assert out.strip().splitlines()[-1] == "score: 1.000", out


# --------------------------------------------------------------------------- incremental (store-like) use


def ingest_like_store(records: list[dict]) -> list[set[int]]:
    """What the store does: match each notice against stored incident dicts, then consolidate."""
    incidents: dict[str, dict] = {}
    members: dict[str, list[int]] = {}
    for i, r in enumerate(records):
        r = {**r, "notice_id": f"n{i}"}
        key = link.org_key(r["organization"])
        cands = [inc for inc in incidents.values() if inc["org_key"] == key]
        d = link.match(r, cands)
        iid = d.incident_id or link.new_incident_id(r)
        members.setdefault(iid, []).append(i)
        incidents[iid] = {"id": iid, **link.consolidate([{**records[j], "notice_id": f"n{j}"} for j in members[iid]])}
        incidents[iid] = json.loads(json.dumps(incidents[iid]))  # as stored: JSON
    return [set(m) for m in members.values()]


def test_incremental_matching_agrees_with_cluster_in_any_order():
    data = json.loads((FIXTURES / "fictional_notices.json").read_text(encoding="utf-8"))
    records = [rec(**{k: v for k, v in r.items() if k != "key"}) for r in data["records"]]
    expected = groups_of(records)
    rng = random.Random(11)
    for _ in range(6):
        perm = list(range(len(records)))
        rng.shuffle(perm)
        got = ingest_like_store([records[p] for p in perm])
        assert {frozenset(perm[i] for i in g) for g in got} == expected


def test_first_report_ingested_after_its_cited_follow_up():
    result = rec(
        organization="株式会社あさひ書房",
        disclosure_date="2024-11-28",
        incident_types=["unauthorized_access"],
        title="調査結果のご報告",
        references=["2024-02-14"],
    )
    first = rec(
        organization="株式会社あさひ書房", disclosure_date="2024-02-14", incident_types=["unauthorized_access"], detected_date="2024-02-09"
    )
    assert ingest_like_store([result, first]) == [{0, 1}]


def test_official_notices_with_other_figures_weeks_apart_stay_apart():
    a = rec(organization="みどり野大学", disclosure_date="2024-04-05", incident_types=["misdelivery"], affected_total=230)
    b = rec(organization="みどり野大学", disclosure_date="2024-05-20", incident_types=["misdelivery"], affected_total=61)
    c = rec(
        organization="みどり野大学",
        disclosure_date="2024-05-25",
        incident_types=["misdelivery"],
        affected_total=61,
        notice_kind="news_report",
    )
    assert groups_of([a, b, c]) == {frozenset({0}), frozenset({1, 2})}


def test_org_base_key():
    assert link.org_base_key("株式会社ワコールホールディングス") == link.org_base_key("ワコール") == "ワコール"
    assert link.org_base_key("ABCグループ") == "abc"
    assert link.org_base_key("グループ") == "グループ"
    assert link.org_base_key(None) == ""


def test_containment_only_at_either_end():
    assert link.org_relation("サンプル", "東京サンプル") == "weak"
    assert link.org_relation("サンプル", "東京サンプル電機") == "none"
    assert link.org_relation("サンプル", "東サンプル京") == "none"


def test_vendor_key_drops_descriptive_clause_and_bare_designators():
    assert link.vendor_key("クラウドサービス提供会社である株式会社雲海システム") == "雲海システム"
    assert link.vendor_key("クラウドサービス提供会社である株式会社") == ""
    c = link.consolidate([rec(organization="株式会社うみかぜ", third_parties=[tp("委託先である株式会社"), tp("雲海システム社")])])
    assert c["third_parties"] == ["雲海システム社"]
    assert c["vendor_keys"] == ["雲海システム"]


def _fp(r: dict) -> str:
    return json.dumps(r, sort_keys=True, ensure_ascii=False)


def test_cluster_memo_replays_earlier_runs_with_the_same_result():
    data = json.loads((FIXTURES / "fictional_notices.json").read_text(encoding="utf-8"))
    records = [rec(**{k: v for k, v in r.items() if k != "key"}) for r in data["records"]]
    rng = random.Random(11)
    for _ in range(4):
        memo = link.ClusterMemo()
        arrived = records[:]
        rng.shuffle(arrived)
        for n in range(1, len(arrived) + 1):  # a neighbourhood relinked as each notice arrives
            seen = arrived[:n]
            plain = link.cluster_explained(seen)
            assert link.cluster_explained(seen, memo=memo, fingerprints=[_fp(r) for r in seen]) == plain
        assert memo.replayed > 0
    # notices arriving in date order: every run but the last notice's step is a replay
    dated = sorted(records, key=lambda r: link._sort_key(0, link.notice_summary(r)))
    memo = link.ClusterMemo()
    for n in range(1, len(dated) + 1):
        link.cluster_explained(dated[:n], memo=memo, fingerprints=[_fp(r) for r in dated[:n]])
    assert memo.replayed == sum(range(len(dated)))


def test_cluster_memo_does_not_reuse_a_changed_notice_or_analysts_decisions():
    a = rec(organization="株式会社ことり商会", disclosure_date="2024-03-01", incident_types=["ransomware"],
            detected_date="2024-02-27")
    b = rec(organization="株式会社ことり商会", disclosure_date="2024-03-20", incident_types=["ransomware"],
            detected_date="2024-02-27", notice_kind="follow_up", source="b.txt")
    memo = link.ClusterMemo()
    assert link.cluster_explained([a, b], memo=memo, fingerprints=["a", "b1"])[0] == [[0, 1]]
    # b revised: another detection date and type, so another fingerprint; the run decides afresh
    b2 = {**b, "detected_date": "2024-03-18", "incident_types": ["misdelivery"]}
    assert link.cluster_explained([a, b2], memo=memo, fingerprints=["a", "b2"]) == link.cluster_explained([a, b2])
    assert link.cluster_explained([a, b2])[0] == [[0], [1]]
    # an analyst's unlink acts on the whole run: the memo is left out, the decision holds
    before = memo.replayed
    assert link.cluster_explained([a, b], alone=[1], memo=memo, fingerprints=["a", "b1"])[0] == [[0], [1]]
    assert memo.replayed == before
    with pytest.raises(ValueError):
        link.cluster_explained([a, b], memo=memo, fingerprints=["a"])


def test_cluster_memo_is_bounded():
    memo = link.ClusterMemo(max_steps=3)
    recs = [rec(organization=f"株式会社ほしぞら{k}号", disclosure_date="2024-01-0" + str(k + 1)) for k in range(3)]
    link.cluster_explained(recs, memo=memo, fingerprints=[str(k) for k in range(3)])
    assert memo.steps == 3
    link.cluster_explained(recs[:1], memo=memo, fingerprints=["0"])  # full: starts again empty
    assert memo.steps == 1 and memo.replayed == 0
