"""POST /v1/assess: next questions only with ?questions=true; the rest is the same."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from tests.conftest import REPO

from dystonia_cds import KnowledgeBase
from dystonia_cds.api.app import create_app


@pytest.fixture(scope="module")
def client(kb: KnowledgeBase) -> TestClient:
    return TestClient(create_app(kb))


def test_questions_only_when_asked(client: TestClient) -> None:
    body = (REPO / "examples" / "metoclopramide-acute.yaml").read_bytes()
    headers = {"Content-Type": "application/yaml"}
    plain = client.post("/v1/assess", content=body, headers=headers)
    asked = client.post("/v1/assess?questions=true", content=body, headers=headers)
    assert plain.status_code == asked.status_code == 200
    a, b = plain.json(), asked.json()
    assert a["next_questions"] == [] and b["next_questions"]
    assert {**a, "next_questions": b["next_questions"]} == b


def test_a_bad_questions_value_is_a_problem(client: TestClient) -> None:
    r = client.post("/v1/assess?questions=maybe", content=json.dumps(
        {"dystonia": {"regions": ["neck"]}}), headers={"Content-Type": "application/json"})
    assert r.status_code == 422
    assert "questions" in r.text
