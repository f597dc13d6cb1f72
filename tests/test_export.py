"""Exports: JSONL, CSV and VERIS 1.4.1 (validated against the shared schema when present).

All organisations and incidents here are fictional.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import uuid
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jikenbo import export, link
from jikenbo.config import lexicon
from jikenbo.models import DATA_CATEGORIES, INCIDENT_TYPES, LEAK_STATUSES, Record

SCHEMA = Path(__file__).parents[1] / ".." / "shared" / "schemas" / "veris" / "verisc-merged-1.4.1.json"
needs_schema = pytest.mark.skipif(not SCHEMA.exists(), reason="../shared VERIS schema is absent")


def rec(**kw) -> dict:
    kw.setdefault("source", f"{kw.get('organization', 'x')}_{kw.get('disclosure_date', '')}.txt")
    kw.setdefault("doc_sha256", f"sha-{kw['source']}")
    return Record(**kw).model_dump()


def incident(*records: dict, iid: str = "inc_00000000000a") -> dict:
    notices = [{**r, "notice_id": f"n{i}"} for i, r in enumerate(records)]
    return {"id": iid, **link.consolidate(notices)}


def sample_incident() -> dict:
    first = rec(
        organization="株式会社かもめ商会",
        disclosure_date="2024-03-01",
        detected_date="2024-02-20",
        incident_types=["unauthorized_access"],
        leak_status="possible",
        affected_total=12000,
        data_categories=["name", "email", "credit_card"],
        payment_card=True,
        reported_to=["ppc"],
        title="不正アクセスによる個人情報漏えいの可能性について",
        url="https://kamome.example/news/1",
        industry="卸売業,小売業",
        third_parties=[{"start": 0, "end": 1, "text": "x", "name": "雲海システム社", "role": "vendor"}],
        timeline=[
            {"start": 0, "end": 1, "text": "x", "kind": "started", "date": "2024-02-10"},
            {"start": 0, "end": 1, "text": "x", "kind": "detected", "date": "2024-02-20"},
        ],
    )
    final = rec(
        organization="株式会社かもめ商会",
        disclosure_date="2024-05-10",
        leak_status="confirmed",
        affected_total=11873,
        title="調査結果のご報告",
        notice_kind="final_report",
        references=["2024-03-01"],
        reported_to=["police"],
    )
    return incident(first, final)


# --------------------------------------------------------------------------- JSONL / CSV


def test_incidents_jsonl_roundtrip():
    incs = [
        sample_incident(),
        incident(rec(organization="みどり野市", disclosure_date="2024-04-01"), iid="inc_00000000000b"),
    ]
    fh = io.StringIO()
    assert export.incidents_to_jsonl(incs, fh) == 2
    lines = fh.getvalue().splitlines()
    assert [json.loads(x) for x in lines] == json.loads(json.dumps(incs))
    assert "かもめ" in lines[0]  # UTF-8, not \\u escapes


def test_incidents_csv_flat_columns():
    fh = io.StringIO()
    assert export.incidents_to_csv([sample_incident()], fh) == 1
    rows = list(csv.DictReader(io.StringIO(fh.getvalue())))
    assert list(rows[0]) == list(export.INCIDENT_COLUMNS)
    r = rows[0]
    assert r["id"] == "inc_00000000000a"
    assert r["organization"] == "株式会社かもめ商会"
    assert r["incident_types"] == "unauthorized_access"
    assert r["data_categories"] == "credit_card;email;name"
    assert r["reported_to"] == "police;ppc"
    assert r["affected_total"] == "11873"
    assert r["leak_status"] == "confirmed"
    assert r["payment_card"] == "true" and r["sensitive"] == "false"
    assert r["notice_count"] == "2"
    assert r["notice_ids"] == "n0;n1"
    assert r["urls"] == "https://kamome.example/news/1"
    assert r["third_parties"] == "雲海システム社"


def test_unknown_values_are_empty_cells_not_zero():
    fh = io.StringIO()
    export.incidents_to_csv([incident(rec(organization="株式会社かもめ商会"))], fh)
    r = next(csv.DictReader(io.StringIO(fh.getvalue())))
    assert r["affected_total"] == "" and r["detected_date"] == "" and r["leak_status"] == "unknown"


def test_notices_jsonl_and_csv_accept_models_and_dicts():
    model = Record(
        source="a.txt",
        organization="株式会社かもめ商会",
        incident_types=["loss", "theft"],
        title="USB紛失\nのお詫び",
        references=["2024-01-02"],
    )
    d = {**rec(organization="みどり野市", affected_total=5), "notice_id": "n9", "incident_id": "inc_x"}
    fh = io.StringIO()
    assert export.notices_to_jsonl([model, d], fh) == 2
    assert json.loads(fh.getvalue().splitlines()[1])["notice_id"] == "n9"
    fh = io.StringIO()
    assert export.notices_to_csv([model, d], fh) == 2
    rows = list(csv.DictReader(io.StringIO(fh.getvalue())))
    assert list(rows[0]) == list(export.NOTICE_COLUMNS)
    assert rows[0]["incident_types"] == "loss;theft"
    assert rows[0]["title"] == "USB紛失 のお詫び"
    assert rows[0]["references"] == "2024-01-02"
    assert rows[1]["notice_id"] == "n9" and rows[1]["incident_id"] == "inc_x"
    assert rows[1]["affected_total"] == "5"


def test_export_rejects_other_objects():
    with pytest.raises(export.ExportError):
        export.incidents_to_jsonl([42], io.StringIO())


# --------------------------------------------------------------------------- VERIS mapping


def test_veris_core_mapping():
    doc = export.to_veris(sample_incident())
    assert doc["schema_version"] == "1.4.1"
    assert doc["security_incident"] == "Confirmed"
    assert uuid.UUID(doc["incident_id"])
    assert doc["incident_id"] == export.to_veris(sample_incident())["incident_id"]  # deterministic
    assert doc["incident_id"] != export.veris_uuid("inc_other")
    assert doc["plus"]["master_id"] == doc["incident_id"]
    assert doc["action"] == {"hacking": {"variety": ["Unknown"], "vector": ["Unknown"]}}
    conf = doc["attribute"]["confidentiality"]
    assert conf["data_disclosure"] == "Yes"
    assert conf["data_total"] == 11873
    assert {d["variety"] for d in conf["data"]} == {"Personal", "Payment"}
    assert doc["timeline"]["incident"] == {"year": 2024, "month": 2, "day": 10}
    assert doc["timeline"]["discovery"] == {"unit": "Days", "value": 10}
    assert doc["victim"]["victim_id"] == "株式会社かもめ商会"
    assert doc["victim"]["country"] == ["JP"]
    assert doc["victim"]["industry"] == "44"
    assert doc["reference"] == "https://kamome.example/news/1; 株式会社かもめ商会_2024-05-10.txt"
    assert "かもめ商会" in doc["summary"] and "不正アクセス" in doc["summary"]
    assert doc["discovery_method"] == {"unknown": True}


@pytest.mark.parametrize(
    ("status", "disclosure"),
    [
        ("confirmed", "Yes"),
        ("possible", "Potentially"),
        ("not_confirmed", "No"),
        ("none", "No"),
        ("unknown", "Unknown"),
    ],
)
def test_veris_leak_status(status, disclosure):
    doc = export.to_veris(incident(rec(organization="株式会社かもめ商会", leak_status=status)))
    assert doc["attribute"]["confidentiality"]["data_disclosure"] == disclosure


@pytest.mark.parametrize(
    ("itype", "category", "variety"),
    [
        ("unauthorized_access", "hacking", "Unknown"),
        ("ransomware", "malware", "Ransomware"),
        ("malware", "malware", "Unknown"),
        ("misdelivery", "error", "Misdelivery"),
        ("misconfiguration", "error", "Misconfiguration"),
        ("loss", "error", "Loss"),
        ("system_error", "error", "Programming error"),
        ("theft", "physical", "Theft"),
        ("insider", "misuse", "Privilege abuse"),
        ("impersonation", "social", "Phishing"),
        ("fraud", "social", "Pretexting"),
    ],
)
def test_veris_action_per_type(itype, category, variety):
    doc = export.to_veris(incident(rec(organization="株式会社かもめ商会", incident_types=[itype])))
    assert list(doc["action"]) == [category]
    assert variety in doc["action"][category]["variety"]


def test_veris_other_and_no_type_are_unknown_action():
    for types in ([], ["other"]):
        doc = export.to_veris(incident(rec(organization="株式会社かもめ商会", incident_types=types)))
        assert list(doc["action"]) == ["unknown"] and doc["action"]["unknown"]["notes"]
        assert list(doc["actor"]) == ["unknown"] and doc["actor"]["unknown"]["notes"]


def test_veris_ransomware_with_access_keeps_both_and_drops_unknown_duplicates():
    doc = export.to_veris(
        incident(
            rec(
                organization="株式会社かもめ商会",
                incident_types=["ransomware", "malware", "unauthorized_access"],
            )
        )
    )
    assert doc["action"]["malware"]["variety"] == ["Ransomware"]
    assert "hacking" in doc["action"]
    assert doc["actor"]["external"]["motive"] == ["Financial"]
    assert doc["attribute"]["availability"]["variety"] == ["Obscuration"]


def test_veris_unknown_count_is_omitted_not_zero():
    for total in (None, 0):
        doc = export.to_veris(
            incident(rec(organization="株式会社かもめ商会", affected_total=total, leak_status="possible"))
        )
        assert "data_total" not in doc["attribute"]["confidentiality"]


def test_veris_timeline_precision_and_fallbacks():
    month_only = rec(
        organization="株式会社かもめ商会",
        disclosure_date="2023-09-29",
        timeline=[
            {"start": 0, "end": 1, "text": "x", "kind": "started", "date": "2023-06-01", "precision": "month"}
        ],
    )
    doc = export.to_veris(incident(month_only))
    assert doc["timeline"]["incident"] == {"year": 2023, "month": 6}
    assert "discovery" not in doc["timeline"]
    detected_only = rec(organization="株式会社かもめ商会", detected_date="2023-07-31")
    doc = export.to_veris(incident(detected_only))
    assert doc["timeline"]["incident"] == {"year": 2023, "month": 7, "day": 31}
    assert doc["timeline"]["discovery"] == {"unit": "Days", "value": 0}
    undated = export.to_veris(incident(rec(organization="株式会社かもめ商会")), fallback_year=2021)
    assert undated["timeline"]["incident"] == {"year": 2021}


def test_veris_victim_industry_and_government():
    assert export.industry_code("医療,福祉") == "62"
    assert export.industry_code("医療、福祉") == "62"
    assert export.industry_code("教育,学習支援業") == "61"
    assert export.industry_code("宇宙旅行業") == "000"
    assert export.industry_code(None) == "000"
    assert export.government("みどり野市") == "Local"
    assert export.government("みどり野県立病院") == "Local"
    assert export.government("架空省") == "Federal"
    assert export.government("国立研究開発法人架空研究機構") == "Federal"
    assert export.government("株式会社かもめ商会") == "NA"


def test_veris_requires_an_id():
    inc = incident(rec(organization="株式会社かもめ商会"))
    del inc["id"]
    with pytest.raises(export.ExportError):
        export.to_veris(inc)


def test_incidents_to_veris_jsonl():
    fh = io.StringIO()
    assert export.incidents_to_veris([sample_incident()], fh) == 1
    assert json.loads(fh.getvalue())["schema_version"] == "1.4.1"


# --------------------------------------------------------------------------- schema validation

_TYPES_COMBOS = [[t] for t in INCIDENT_TYPES] + [
    ["ransomware", "unauthorized_access"],
    ["impersonation", "unauthorized_access"],
    ["insider", "fraud", "misdelivery"],
    ["system_error", "misdelivery"],
    ["loss", "theft"],
    list(INCIDENT_TYPES),
    [],
]


def _varied_incidents() -> list[dict]:
    industries = [None, "医療,福祉", "製造業", "公務", "架空業"]
    orgs = ["株式会社かもめ商会", "みどり野市", "国立大学法人架空大学", "NPO法人ひだまり", None]
    out = []
    for i, (types, status) in enumerate(itertools.product(_TYPES_COMBOS, LEAK_STATUSES)):
        cats = list(DATA_CATEGORIES[i % len(DATA_CATEGORIES) :][:3]) if i % 4 else []
        r = rec(
            organization=orgs[i % len(orgs)],
            incident_types=types,
            leak_status=status,
            affected_total=[None, 1, 901603, 0][i % 4],
            data_categories=cats,
            sensitive=i % 3 == 0,
            payment_card=i % 5 == 0,
            industry=industries[i % len(industries)],
            disclosure_date=None if i % 7 == 0 else f"202{i % 5}-0{1 + i % 9}-1{i % 10}",
            detected_date=None if i % 2 else "2019-12-31",
            title=None if i % 3 else "お知らせ",
            url=None if i % 2 else f"https://example.org/{i}",
        )
        out.append(incident(r, iid=f"inc_{i:012x}"))
    return out


@pytest.mark.shared
@needs_schema
def test_veris_of_varied_incidents_is_valid():
    incs = _varied_incidents()
    assert len(incs) > 90
    for inc in incs:
        doc = export.to_veris(inc, fallback_year=2024)
        assert export.validate_veris(doc, SCHEMA) == [], (inc["incident_types"], inc["leak_status"])


@pytest.mark.shared
@needs_schema
def test_every_mapping_value_is_in_the_schema():
    lex = lexicon("veris")
    docs = [
        export.to_veris(
            incident(
                rec(
                    organization="x社",
                    incident_types=[t],
                    leak_status=s,
                    data_categories=list(DATA_CATEGORIES),
                    industry=ind,
                )
            )
        )
        for t in lex["action"]
        for s in lex["disclosure"]
        for ind in lex["industry"]
    ]
    for doc in docs:
        assert export.validate_veris(doc, SCHEMA) == []


@pytest.mark.shared
@needs_schema
@settings(max_examples=150, derandomize=True, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    types=st.lists(st.sampled_from(INCIDENT_TYPES), max_size=4, unique=True),
    status=st.sampled_from(LEAK_STATUSES),
    total=st.one_of(st.none(), st.integers(min_value=0, max_value=10**8)),
    cats=st.lists(st.sampled_from(DATA_CATEGORIES), max_size=6, unique=True),
    flags=st.tuples(st.booleans(), st.booleans()),
    org=st.one_of(st.none(), st.text(min_size=1, max_size=12)),
    industry=st.one_of(st.none(), st.text(max_size=10)),
    day=st.one_of(
        st.none(),
        st.dates(
            min_value=date(1990, 1, 1),
            max_value=date(2049, 12, 31),
        ),
    ),
)
def test_veris_valid_for_any_incident(types, status, total, cats, flags, org, industry, day):
    r = rec(
        organization=org,
        incident_types=types,
        leak_status=status,
        affected_total=total,
        data_categories=cats,
        sensitive=flags[0],
        payment_card=flags[1],
        industry=industry,
        disclosure_date=day.isoformat() if day else None,
    )
    doc = export.to_veris(incident(r), fallback_year=2024)
    assert export.validate_veris(doc, SCHEMA) == []


@needs_schema
def test_validate_veris_reports_problems():
    doc = export.to_veris(sample_incident())
    doc["attribute"]["confidentiality"]["data_disclosure"] = "Maybe"
    del doc["timeline"]
    problems = export.validate_veris(doc, SCHEMA)
    assert any("Maybe" in p for p in problems)
    assert any("timeline" in p for p in problems)


def test_validate_veris_missing_schema_is_one_line_error(tmp_path):
    with pytest.raises(export.ExportError, match="not found"):
        export.validate_veris({}, tmp_path / "nope.json")
