"""CDS Hooks service: discovery, cards valid against the card schema, JWT, FHIR fetch."""

from __future__ import annotations

import asyncio
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import jsonschema
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from tests.conftest import REPO

from dystonia_cds.adapters._fhir_read import collect_resources
from dystonia_cds.api import cds_hooks
from dystonia_cds.api._cds_auth import CdsHooksSettings

FHIR = REPO / "tests" / "data" / "fhir"
URL = "http://testserver/cds-services/dystonia-etiology"

# The Card format of CDS Hooks 2.0 (cds-hooks.hl7.org/2.0/#card-attributes).
CARD_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["cards"],
    "properties": {"cards": {"type": "array", "items": {
        "type": "object",
        "required": ["summary", "indicator", "source"],
        "properties": {
            "uuid": {"type": "string", "format": "uuid"},
            "summary": {"type": "string", "minLength": 1, "maxLength": 139},
            "detail": {"type": "string"},
            "indicator": {"enum": ["info", "warning", "critical"]},
            "source": {"type": "object", "required": ["label"], "properties": {
                "label": {"type": "string"}, "url": {"type": "string", "format": "uri"},
                "icon": {"type": "string"}, "topic": {"type": "object"}}},
            "suggestions": {"type": "array"},
            "selectionBehavior": {"enum": ["at-most-one", "any"]},
            "overrideReasons": {"type": "array"},
            "links": {"type": "array", "items": {
                "type": "object", "required": ["label", "url", "type"],
                "properties": {"label": {"type": "string"}, "url": {"type": "string"},
                               "type": {"enum": ["absolute", "smart"]},
                               "appContext": {"type": "string"}}}},
        },
        "additionalProperties": False,
    }}},
}


def _prefetch(name: str) -> dict[str, Any]:
    res = collect_resources(json.loads((FHIR / f"{name}.json").read_text()))
    entry = [{"resource": r} for r in res if r["resourceType"] != "Patient"]
    return {"patient": next(r for r in res if r["resourceType"] == "Patient"),
            "conditions": {"resourceType": "Bundle", "type": "searchset", "entry": entry}}


def _request(hook: str, prefetch: dict[str, Any] | None, **context: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hookInstance": str(uuid.uuid4()), "hook": hook,
        "fhirServer": None, "context": {"userId": "Practitioner/123", "patientId": "p",
                                         **context}}
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


class AsgiClient:
    """A synchronous client over ASGITransport (no starlette AsgiClient dependency)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def _call(self, method: str, url: str, **kw: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                return await c.request(method, url, **kw)
        return asyncio.run(go())

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self._call("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self._call("POST", url, **kw)


@pytest.fixture
def app() -> FastAPI:
    app = FastAPI()
    app.include_router(cds_hooks.router)
    return app


def test_discovery(app: FastAPI) -> None:
    services = AsgiClient(app).get("/cds-services").json()["services"]
    assert {s["id"]: s["hook"] for s in services} == {
        "dystonia-etiology": "patient-view", "dystonia-drug-safety": "order-sign"}
    assert services[0]["prefetch"]["patient"] == "Patient/{{context.patientId}}"


@pytest.mark.parametrize("name", ["whiplash-neck", "post-stroke-arm", "metoclopramide-acute"])
def test_patient_view_cards_are_valid(app: FastAPI, name: str) -> None:
    client = AsgiClient(app)
    body = client.post("/cds-services/dystonia-etiology",
                       json=_request("patient-view", _prefetch(name))).json()
    jsonschema.validate(body, CARD_SCHEMA, format_checker=jsonschema.FormatChecker())
    card = body["cards"][0]
    assert "Most supported causes" in card["detail"] and card["source"]["url"].startswith("http")
    report = client.get(card["links"][0]["url"])
    assert report.status_code == 200 and "dystonia" in report.text.lower()


def test_drug_safety_warns_for_dopamine_blocker(app: FastAPI) -> None:
    order = {"resourceType": "MedicationRequest", "id": "draft", "status": "draft",
             "intent": "order", "subject": {"reference": "Patient/p"},
             "medicationCodeableConcept": {"coding": [
                 {"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "5093",
                  "display": "haloperidol"}]}}
    draft = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": order}]}
    client = AsgiClient(app)
    body = client.post("/cds-services/dystonia-drug-safety", json=_request(
        "order-sign", _prefetch("metoclopramide-acute"), draftOrders=draft)).json()
    jsonschema.validate(body, CARD_SCHEMA)
    assert body["cards"][0]["indicator"] == "warning"
    assert "acute dystonic reaction" in body["cards"][0]["summary"]
    none = client.post("/cds-services/dystonia-drug-safety", json=_request(
        "order-sign", {"patient": {"resourceType": "Patient", "id": "p"}}, draftOrders=draft))
    assert none.json() == {"cards": []}


def _keys() -> tuple[Any, str]:
    private = ec.generate_private_key(ec.SECP384R1())
    pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, pem.decode()


def _token(private: Any, aud: str = URL, exp: float | None = None) -> str:
    now = int(time.time())
    claims = {"iss": "https://ehr.example.org", "sub": "client", "aud": aud, "iat": now,
              "exp": int(exp if exp is not None else now + 300), "jti": str(uuid.uuid4())}
    return jwt.encode(claims, private, algorithm="ES384", headers={"typ": "JWT", "kid": "k1"})


def test_jwt(app: FastAPI) -> None:
    private, pem = _keys()
    # The audience is the configured public URL (issue 16: never the request's Host header).
    app.state.cds_hooks_settings = CdsHooksSettings(public_key=pem, base_url="http://testserver")
    client = AsgiClient(app)
    body = _request("patient-view", _prefetch("whiplash-neck"))

    def call(token: str | None) -> int:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return client.post("/cds-services/dystonia-etiology", json=body,
                           headers=headers).status_code

    good = _token(private)
    assert call(good) == 200
    assert call(good) == 401  # replayed jti
    assert call(_token(private, aud="http://other/cds-services/dystonia-etiology")) == 401
    assert call(_token(private, exp=time.time() - 60)) == 401
    assert call(None) == 401
    assert call(_token(ec.generate_private_key(ec.SECP384R1()))) == 401  # wrong key


@pytest.fixture
def fhir_server() -> Iterator[tuple[str, list[str]]]:
    resources = collect_resources(json.loads((FHIR / "whiplash-neck.json").read_text()))
    seen: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append(f"{self.path} {self.headers.get('Authorization')}")
            rtype = self.path.removeprefix("/fhir/").split("?")[0].split("/")[0]
            hits = [r for r in resources if r["resourceType"] == rtype]
            if "?" in self.path:
                out: Any = {"resourceType": "Bundle", "type": "searchset", "total": len(hits),
                            "entry": [{"resource": r} for r in hits]}
            else:
                out = hits[0]
            data = json.dumps(out).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/fhir+json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/fhir", seen
    server.shutdown()
    server.server_close()
    thread.join()


def test_fetches_from_fhir_server_when_prefetch_missing(
        app: FastAPI, fhir_server: tuple[str, list[str]]) -> None:
    base, seen = fhir_server
    # Fetching needs the server on the allow-list (issue 16: no fetch from any URL given).
    app.state.cds_hooks_settings = CdsHooksSettings(fhir_servers=base)
    body = _request("patient-view", None)
    body["fhirServer"] = base
    body["fhirAuthorization"] = {"access_token": "secret-token", "token_type": "Bearer",
                                 "expires_in": 300, "scope": "patient/*.read",
                                 "subject": "dystonia-cds"}
    out = AsgiClient(app).post("/cds-services/dystonia-etiology", json=body).json()
    jsonschema.validate(out, CARD_SCHEMA)
    assert "peripheral" in out["cards"][0]["summary"].lower()
    assert any(s.startswith("/fhir/Patient/p Bearer secret-token") for s in seen)
    assert any(s.startswith("/fhir/Condition?patient=p") for s in seen)
