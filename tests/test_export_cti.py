"""STIX 2.1 bundles (validated by stix2's parser) and MISP feeds (loaded back with pymisp)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
import stix2
from click.testing import CliRunner
from pymisp import MISPEvent

from jikenbo.cli import cli
from jikenbo.store import open_store

FIX = Path(__file__).parent / "fixtures" / "watch"


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("cti") / "x.db"
    with open_store(path) as s:
        assert s.ingest([str(p) for p in sorted(FIX.glob("*.txt"))], workers=1, progress=False).ok
        assert s.count_incidents() == 2
    return str(path)


def _export(db: str, *args: str) -> None:
    r = CliRunner().invoke(cli, ["export", "--db", db, *args])
    assert r.exit_code == 0, r.output


def test_stix_bundle_validates_and_ids_are_stable(db: str, tmp_path: Path) -> None:
    _export(db, "--format", "stix", "--out", str(tmp_path / "a.json"))
    _export(db, "--format", "stix", "--out", str(tmp_path / "b.json"))
    text = (tmp_path / "a.json").read_text(encoding="utf-8")
    assert text == (tmp_path / "b.json").read_text(encoding="utf-8")  # same ids, same timestamps
    bundle = stix2.parse(text, allow_custom=True)
    by_type: dict[str, list] = {}
    for o in bundle.objects:
        by_type.setdefault(o.type, []).append(o)
    assert len(by_type["incident"]) == 2 and len(by_type["report"]) == 3
    names = {o.name for o in by_type["identity"]}
    assert names == {"株式会社こがね医療サービス", "しらかば運輸株式会社", "株式会社ほたる印刷"}
    ident = {o.name: o.id for o in by_type["identity"]}
    kogane = next(o for o in by_type["incident"] if "こがね" in o.name)
    rels = {(r.relationship_type, r.target_ref) for r in by_type["relationship"] if r.source_ref == kogane.id}
    assert rels == {("targets", ident["株式会社こがね医療サービス"]), ("related-to", ident["株式会社ほたる印刷"])}
    assert kogane.x_jikenbo_affected_total == 15300 and kogane.x_jikenbo_leak_status == "confirmed"
    sources = [r.get("description") for r in kogane.external_references]
    assert any(s and s.endswith("02_kogane_second.txt") for s in sources)
    for rep in by_type["report"]:
        assert set(rep.object_refs) <= {o.id for o in bundle.objects}
        assert rep.external_references[0].external_id.startswith("ntc_")


def test_misp_feed_loads_back(db: str, tmp_path: Path) -> None:
    out = tmp_path / "misp-feed"
    _export(db, "--format", "misp", "--out", str(out))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    files = sorted(p.stem for p in out.glob("*.json") if p.name != "manifest.json")
    assert sorted(manifest) == files and len(files) == 2
    hashes = list(csv.reader((out / "hashes.csv").open(encoding="utf-8")))
    assert {u for _, u in hashes} == set(files)
    events = {}
    for uid in files:
        ev = MISPEvent()
        ev.load_file(str(out / f"{uid}.json"))
        assert ev.uuid == uid and ev.Orgc.name == "jikenbo"
        events[ev.info] = ev
    kogane = next(e for i, e in events.items() if "こがね" in i)
    tags = {t.name for t in kogane.tags}
    assert {"tlp:clear", 'jikenbo:type="ransomware"', 'jikenbo:leak-status="confirmed"'} <= tags
    values = {(a.type, a.value) for a in kogane.attributes}
    assert ("counter", "15300") in values and ("text", "株式会社ほたる印刷") in values
    assert sum(1 for t, v in values if str(v).endswith(("_kogane_first.txt", "_kogane_second.txt"))) == 2
    assert manifest[kogane.uuid]["info"] == kogane.info
    # re-export: the same event files
    before = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*")}
    _export(db, "--format", "misp", "--out", str(out))
    assert {p.name: p.read_text(encoding="utf-8") for p in out.glob("*")} == before


def test_cti_formats_refuse_notices_and_misp_needs_a_folder(db: str, tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["export", "--db", db, "--format", "stix", "--what", "notices"])
    assert r.exit_code == 1 and "only incidents" in r.output
    r = CliRunner().invoke(cli, ["export", "--db", db, "--format", "misp"])
    assert r.exit_code == 1 and "--out FOLDER" in r.output
