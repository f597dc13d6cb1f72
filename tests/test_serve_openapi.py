"""The OpenAPI document stays accurate: schemathesis calls every GET endpoint in-process
(bounded, derandomized examples; no network beyond the ASGI app) and validates status codes,
content types and response bodies against /openapi.json."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from jikenbo.cli.serve_cmd import sample_files
from jikenbo.serve import create_app
from jikenbo.store import open_store

warnings.filterwarnings("ignore", category=DeprecationWarning)


def _schema(tmp: Path):  # type: ignore[no-untyped-def]
    db = tmp / "samples.db"
    with open_store(db) as store:
        store.ingest(sample_files(), progress=False)
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(db)).include(method="GET")


@pytest.fixture(scope="module")
def operations(tmp_path_factory: pytest.TempPathFactory) -> dict:
    ops = [r.ok() for r in _schema(tmp_path_factory.mktemp("openapi")).get_all_operations()]
    return {op.label: op for op in ops}


GET_OPERATIONS = ["GET /api/incidents", "GET /api/incidents/{incident_id}", "GET /api/incidents/{incident_id}/check",
                  "GET /api/notices/{notice_id}", "GET /api/search", "GET /api/stats", "GET /api/facets"]


@pytest.mark.parametrize("label", GET_OPERATIONS)
def test_get_endpoints_follow_the_schema(operations: dict, label: str) -> None:
    """Generated requests (valid and edge-case parameters) get documented statuses and bodies."""
    op = operations[label]

    @given(case=op.as_strategy())
    @settings(max_examples=30, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case) -> None:  # type: ignore[no-untyped-def]
        # A schema-valid value may still be refused with a documented 400 (a month 13, a search
        # of punctuation only, a vendor name that normalises to nothing): not a schema failure.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    run()


def test_openapi_lists_every_endpoint(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    doc = TestClient(create_app(tmp_path / "empty.db")).get("/openapi.json").json()
    paths = doc["paths"]
    for p in ("/api/incidents", "/api/incidents/{incident_id}", "/api/incidents/{incident_id}/check",
              "/api/notices/{notice_id}", "/api/search", "/api/stats", "/api/facets"):
        assert "get" in paths[p], p
    assert "post" in paths["/api/extract"] and "post" in paths["/api/notices"]
    assert not any(p.startswith(("/incidents", "/stats", "/try")) or p == "/" for p in paths)
    err = paths["/api/incidents/{incident_id}"]["get"]["responses"]["404"]["content"]["application/json"]["schema"]
    assert err["$ref"].endswith("/ErrorOut")
