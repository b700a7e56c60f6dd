"""HTTP API: every endpoint, bad inputs → RFC 9457 problem details, never a 500."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from dystonia_cds import KnowledgeBase, load_knowledge

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
SHARED = REPO.parent / "shared" / "examples"
PROBLEM = "application/problem+json"


def _expected() -> list[tuple[str, set[str], str]]:
    """Rows of ../shared/examples/EXPECTED.tsv (the shared examples), if present."""
    path = SHARED / "EXPECTED.tsv"
    if not path.exists():
        return []
    with path.open(newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    top_key = next((k for k in rows[0] if k.startswith("top_etiology")), "") if rows else ""
    return [(r["case"], set(r[top_key].split("|")), r["primary_or_acquired"]) for r in rows]


EXPECTED = _expected()


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture(scope="module")
def client(kb: KnowledgeBase) -> Iterator[TestClient]:
    from dystonia_cds.api import create_app

    with TestClient(create_app(kb), raise_server_exceptions=True) as c:
        yield c


def _problem(resp: object, status: int) -> dict[str, object]:
    assert resp.status_code == status, resp.text  # type: ignore[attr-defined]
    assert resp.headers["content-type"].startswith(PROBLEM)  # type: ignore[attr-defined]
    body = resp.json()  # type: ignore[attr-defined]
    assert body["status"] == status and body["title"] and "type" in body
    return body  # type: ignore[no-any-return]


@pytest.mark.skipif(not EXPECTED, reason="../shared/examples/EXPECTED.tsv not present")
@pytest.mark.parametrize(("name", "tops", "summary"), EXPECTED)
def test_examples_top_cause_through_api(client: TestClient, name: str, tops: set[str],
                                        summary: str) -> None:
    text = (SHARED / name).read_text()
    by_yaml = client.post("/v1/assess", content=text,
                          headers={"Content-Type": "application/yaml"})
    assert by_yaml.status_code == 200, by_yaml.text
    as_json = json.dumps(yaml.safe_load(text), default=str)
    by_json = client.post("/v1/assess", content=as_json,
                          headers={"Content-Type": "application/json"})
    assert by_json.json() == by_yaml.json()
    a = by_yaml.json()
    if "*" not in tops:
        assert a["etiology"]["hypotheses"][0]["category"] in tops
    if summary != "*":
        assert a["etiology"]["summary"] == summary
    assert a["disclaimer"] and a["references"]
    for h in a["etiology"]["hypotheses"]:
        for ev in h["evidence"]:
            assert ev["rule_id"] and ev["reference_ids"]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_repo_examples_assess(client: TestClient, path: Path) -> None:
    r = client.post("/v1/assess", content=path.read_bytes(),
                    headers={"Content-Type": "application/yaml"})
    assert r.status_code == 200, r.text
    assert r.json()["case_id"] == path.stem


def test_patient_audience(client: TestClient, kb: KnowledgeBase) -> None:
    text = (EXAMPLES / "whiplash-neck.yaml").read_text()
    r = client.post("/v1/assess?audience=patient", content=text,
                    headers={"Content-Type": "text/yaml"})
    assert r.status_code == 200
    assert r.json()["disclaimer"] == " ".join(kb.disclaimer["patient"].split())


def test_aliases_are_accepted(client: TestClient) -> None:
    r = client.post("/v1/assess", json={"dystonia": {"regions": ["left hand", "torticollis"]}})
    assert r.status_code == 200, r.text
    assert r.json()["classification"]["regions"]


def test_unknown_word_names_field_value_and_accepted(client: TestClient) -> None:
    r = client.post("/v1/assess", json={"dystonia": {"regions": [{"region": "elbow"}]}})
    body = _problem(r, 422)
    err = body["errors"][0]  # type: ignore[index]
    assert err["field"] == "dystonia.regions[0].region" and err["value"] == "elbow"
    assert "neck" in err["solution"]


@pytest.mark.parametrize(("content", "ctype", "status"), [
    (b"", "application/json", 400),
    (b"{not json", "application/json", 400),
    (b"[1, 2]", "application/json", 400),
    (b"\xff\xfe", "application/json", 400),
    (b"a: [b", "application/yaml", 400),
    (b"- just a list", "application/yaml", 400),
    (b"{}", "application/json", 422),
    (b'{"dystonia": {"regions": []}}', "application/json", 422),
    (b'{"dystonia": {"regions": [{"region": "neck"}]}, "extra": 1}', "application/json", 422),
    (b'{"dystonia": {"regions": [{"region": "neck"}], "onset": "yesterday"}}',
     "application/json", 422),
    # a bare 12 is now an age in years (issue 15: times as typed); a negative one is not
    (b'{"dystonia": {"regions": [{"region": "neck"}], "onset": -12}}', "application/json", 422),
    (b'{"dystonia": {"regions": [{"region": "neck"}], "onset": 12.5}}', "application/json", 422),
    (b'{"dystonia": {"regions": [{"region": {"a": 1}}]}}', "application/json", 422),
    (b'{"dystonia": {"regions": [{"region": "neck"}]}, "events": [{"type": "alien"}]}',
     "application/json", 422),
    (b'{"dystonia": "neck"}', "application/json", 422),
    (b"[" * 100000 + b"]" * 100000, "application/json", 400),
    (b"<case/>", "application/xml", 415),
])
def test_bad_inputs_are_problem_details(client: TestClient, content: bytes, ctype: str,
                                        status: int) -> None:
    _problem(client.post("/v1/assess", content=content, headers={"Content-Type": ctype}),
             status)


def test_bad_query_parameter(client: TestClient) -> None:
    body = _problem(client.post("/v1/assess?audience=doctor", json={"dystonia": {
        "regions": ["neck"]}}), 422)
    assert body["errors"][0]["field"] == "query.audience"  # type: ignore[index]


def test_body_size_limit(client: TestClient) -> None:
    big = b'{"id": "' + b"x" * 400_000 + b'"}'
    _problem(client.post("/v1/assess", content=big,
                         headers={"Content-Type": "application/json"}), 413)


def test_not_found_and_wrong_method(client: TestClient) -> None:
    _problem(client.get("/v1/nothing"), 404)
    _problem(client.get("/v1/assess"), 405)


def test_schema_knowledge_health_openapi(client: TestClient, kb: KnowledgeBase) -> None:
    schema = client.get("/v1/schema/case").json()
    assert schema["$id"] == "dystonia-cds/case/v1" and "dystonia" in schema["properties"]
    know = client.get("/v1/knowledge").json()
    assert len(know["rules"]) == len(kb.rules)
    assert all(r["url"].startswith("https://") for r in know["references"])
    assert {r["id"] for r in know["regions"]} == set(kb.regions)
    health = client.get("/healthz").json()
    assert health["status"] == "ok" and health["knowledge_version"] == kb.knowledge_version
    spec = client.get("/openapi.json").json()
    assert {"Case", "Assessment", "Problem"} <= set(spec["components"]["schemas"])
    assert "/v1/assess" in spec["paths"]
    assert client.get("/docs").status_code == 200


def test_pages(client: TestClient) -> None:
    for mode in ("patient", "clinician", "nonsense"):
        r = client.get(f"/?mode={mode}")
        assert r.status_code == 200 and "not a diagnosis" in r.text
    assert client.get("/static/app.js").status_code == 200
    case = json.dumps(yaml.safe_load((EXAMPLES / "post-stroke-arm.yaml").read_text()),
                      default=str)
    r = client.post("/report", data={"case": case, "audience": "clinician"})
    assert r.status_code == 200 and 'data-check="laterality"' in r.text
    assert "Download Case (YAML)" in r.text and "<svg" in r.text
    bad = client.post("/report", data={"case": '{"dystonia": {"regions": ["elbow"]}}'})
    assert bad.status_code == 422 and "elbow" in bad.text
    assert client.post("/report", data={}).status_code == 422
    assert client.post("/report", data={"case": "{"}).status_code == 400
    assert client.post("/report", content=b"\x00garbage",
                       headers={"Content-Type": "multipart/form-data"}).status_code < 500
