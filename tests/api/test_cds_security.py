"""Issue 16, CDS Hooks security: the JWT attack matrix and SSRF through ``fhirServer``,
against a real listener on 127.0.0.1. Each case here was accepted, or gave a 500, before."""

from __future__ import annotations

import base64
import json
import threading
import time
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import FastAPI
from tests.api.test_cds_hooks import AsgiClient, _prefetch, _request
from tests.conftest import REPO

from dystonia_cds.adapters._fhir_read import collect_resources
from dystonia_cds.api import _cds_reports, cds_hooks
from dystonia_cds.api._cds_auth import CdsHooksSettings

FHIR = REPO / "tests" / "data" / "fhir"
BASE = "https://cds.example.org"
PATH = "/cds-services/dystonia-etiology"
ISS = "https://ehr.example.org"


@pytest.fixture
def app() -> FastAPI:
    app = FastAPI()
    app.include_router(cds_hooks.router)
    return app


@pytest.fixture(scope="module")
def keys() -> tuple[Any, str]:
    private = ec.generate_private_key(ec.SECP384R1())
    pem = private.public_key().public_bytes(serialization.Encoding.PEM,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, pem.decode()


def _token(private: Any, *, aud: str = BASE + PATH, lifetime: float = 300,
           iat: float | None = None, headers: dict[str, Any] | None = None,
           kid: str | None = "k1", **extra: Any) -> str:
    now = time.time() if iat is None else iat
    claims = {"iss": ISS, "sub": "client", "aud": aud, "iat": int(now),
              "exp": int(now + lifetime), "jti": str(uuid.uuid4()), **extra}
    head: dict[str, Any] = {"typ": "JWT", **({"kid": kid} if kid else {}), **(headers or {})}
    return jwt.encode(claims, private, algorithm="ES384", headers=head)


def _status(app: FastAPI, token: str | None, host: str | None = None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if host:
        headers["Host"] = host
    body = _request("patient-view", _prefetch("whiplash-neck"))
    return AsgiClient(app).post(PATH, json=body, headers=headers).status_code


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_audience_is_the_configured_url_never_the_host_header(app: FastAPI,
                                                              keys: tuple[Any, str]) -> None:
    private, pem = keys
    app.state.cds_hooks_settings = CdsHooksSettings(public_key=pem, base_url=BASE)
    assert _status(app, _token(private)) == 200
    evil = _token(private, aud="http://evil.test" + PATH)
    assert _status(app, evil, host="evil.test") == 401


def test_a_key_without_a_base_url_accepts_nothing(app: FastAPI, keys: tuple[Any, str]) -> None:
    private, pem = keys
    app.state.cds_hooks_settings = CdsHooksSettings(public_key=pem)
    assert _status(app, _token(private, aud="http://testserver" + PATH)) == 503


@pytest.mark.parametrize("make", [
    lambda p: _token(p, lifetime=80 * 365 * 86400),           # valid for 80 years
    lambda p: _token(p, lifetime=301),                         # over 5 minutes
    lambda p: _token(p, iat=time.time() + 3600),               # issued in the future
    lambda p: _token(p, jti=""),                                # empty jti
    lambda p: _token(p, jti=12345),                             # jti not a string
    lambda p: _token(p, headers={"kid": "other"}),              # unknown kid, KEY_ID set
    lambda p: _token(p, kid=None),                              # no kid, KEY_ID set
    lambda p: _b64({"alg": "ES384", "typ": "JWT", "kid": "k1"}) + "."  # unsigned, ES384
    + _b64({"iss": ISS, "aud": BASE + PATH, "iat": int(time.time()),
            "exp": int(time.time()) + 60, "jti": "x"}) + ".",
    lambda p: _b64({"alg": "none", "typ": "JWT", "kid": "k1"}) + "."
    + _b64({"iss": ISS, "aud": BASE + PATH, "iat": int(time.time()),
            "exp": int(time.time()) + 60, "jti": "y"}) + ".",
    lambda p: "not.a.token",
    lambda p: "%%%.&&&.$$$",
    lambda p: _b64({"alg": "ES384", "kid": "k1"}) + ".!!!.###",
])
def test_jwt_attack_matrix_is_401_never_500(app: FastAPI, keys: tuple[Any, str],
                                            make: Any) -> None:
    private, pem = keys
    app.state.cds_hooks_settings = CdsHooksSettings(public_key=pem, base_url=BASE, key_id="k1")
    assert _status(app, make(private)) == 401
    assert _status(app, _token(private, headers={"kid": "k1"})) == 200  # the control


def test_jwks_needs_a_kid(app: FastAPI, keys: tuple[Any, str]) -> None:
    private, _ = keys
    app.state.cds_hooks_settings = CdsHooksSettings(jwks_url="http://127.0.0.1:9/jwks",
                                                    base_url=BASE)
    assert _status(app, _token(private, kid=None)) == 401  # refused before any key lookup


def test_a_static_key_needs_a_kid_too(app: FastAPI, keys: tuple[Any, str]) -> None:
    """CDS Hooks asks every client to send a kid; with one PEM key and no KEY_ID a token
    without it was accepted (issue 16). Any kid is taken when KEY_ID is not set."""
    private, pem = keys
    app.state.cds_hooks_settings = CdsHooksSettings(public_key=pem, base_url=BASE)
    assert _status(app, _token(private, kid=None)) == 401
    assert _status(app, _token(private, kid="any")) == 200


def test_replay_is_refused_across_processes_with_a_shared_db(app: FastAPI, tmp_path: Any,
                                                             keys: tuple[Any, str]) -> None:
    from dystonia_cds.api._cds_auth import SqliteReplay

    private, pem = keys
    db = str(tmp_path / "jti.sqlite")
    app.state.cds_hooks_settings = CdsHooksSettings(public_key=pem, base_url=BASE,
                                                    replay_db=db)
    token = _token(private)
    assert _status(app, token) == 200
    claims = jwt.decode(token, options={"verify_signature": False})
    # A second worker process opens the same file: it sees the jti as used.
    assert SqliteReplay(db).first_use(claims["jti"], claims["exp"]) is False
    assert _status(app, token) == 401


# --- SSRF ---------------------------------------------------------------------------------

class _Listener:
    """A loopback HTTP server recording every request; replies set per test."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str | None]] = []
        self.reply: Any = None  # callable(handler) or None for a FHIR reply
        self.same_patient = True  # False: always patient p's record, whoever is asked for
        resources = collect_resources(json.loads((FHIR / "whiplash-neck.json").read_text()))
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                outer.seen.append((self.path, self.headers.get("Authorization")))
                if outer.reply is not None:
                    outer.reply(self)
                    return
                rtype = self.path.removeprefix("/fhir/").split("?")[0].split("/")[0]
                hits = [r for r in resources if r["resourceType"] == rtype]
                out: Any = ({"resourceType": "Bundle", "type": "searchset",
                             "entry": [{"resource": r} for r in hits]}
                            if "?" in self.path else (hits or [{}])[0])
                asked = (self.path.split("patient=")[1] if "patient=" in self.path
                         else self.path.rsplit("/", 1)[1])  # serve the patient asked for
                text = json.dumps(out).replace('"Patient/p"', f'"Patient/{asked}"')
                if rtype == "Patient" and outer.same_patient:
                    text = text.replace('"id": "p"', f'"id": "{asked}"', 1)
                self._send(200, (text if outer.same_patient else json.dumps(out)).encode())

            def _send(self, status: int, data: bytes, length: bool = True) -> None:
                self.send_response(status)
                self.send_header("Content-Type", "application/fhir+json")
                if length:
                    self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/fhir"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)


@pytest.fixture
def listener() -> Iterator[_Listener]:
    server = _Listener()
    server.thread.start()
    yield server
    server.server.shutdown()
    server.server.server_close()
    server.thread.join()


def _hook(app: FastAPI, fhir_server: str, patient: str = "p") -> dict[str, Any]:
    body = _request("patient-view", None, patientId=patient)
    body["fhirServer"] = fhir_server
    body["fhirAuthorization"] = {"access_token": "secret-token", "token_type": "Bearer",
                                 "expires_in": 300, "scope": "patient/*.read",
                                 "subject": "dystonia-cds"}
    resp = AsgiClient(app).post(PATH, json=body)
    assert resp.status_code == 200, resp.text
    out: dict[str, Any] = resp.json()
    return out


def _no_prefetch(out: dict[str, Any]) -> str:
    (card,) = out["cards"]
    assert "no assessment" in card["summary"]
    return str(card["detail"])


def test_a_server_not_on_the_allow_list_is_never_contacted(app: FastAPI,
                                                           listener: _Listener) -> None:
    app.state.cds_hooks_settings = CdsHooksSettings(fhir_servers="https://fhir.example/r4")
    detail = _no_prefetch(_hook(app, listener.base))
    assert "allow-list" in detail
    assert listener.seen == []  # neither a request nor the bearer token left the service


@pytest.mark.parametrize("trick", ["{base}/", "{base}/../fhir", "{base}?x=1",
                                   "http://user:pw@127.0.0.1:{port}/fhir", "{base}#f",
                                   "{base}x", "ftp://127.0.0.1:{port}/fhir", "not a url",
                                   "http://[::1", "http://127.0.0.1:99999/fhir"])
def test_allow_list_is_matched_exactly(app: FastAPI, listener: _Listener, trick: str) -> None:
    port = listener.server.server_address[1]
    app.state.cds_hooks_settings = CdsHooksSettings(fhir_servers=listener.base)
    url = trick.format(base=listener.base, port=port)
    out = _hook(app, url)
    if trick == "{base}/":  # the same base with a trailing slash is the same server
        assert "no assessment" not in out["cards"][0]["summary"]
        return
    _no_prefetch(out)
    assert all(not path.startswith("/fhirx") and "x=1" not in path
               for path, _ in listener.seen)


def test_an_issuer_bound_entry_needs_a_token_from_that_issuer(app: FastAPI,
                                                              listener: _Listener) -> None:
    app.state.cds_hooks_settings = CdsHooksSettings(fhir_servers=f"{ISS} {listener.base}")
    _no_prefetch(_hook(app, listener.base))  # no verified token: no issuer, no fetch
    assert listener.seen == []


@pytest.mark.parametrize("patient", ["../../../admin?x=", "p/../../x", "a b", "p#x",
                                     "x" * 65, "é"])
def test_patient_id_cannot_escape_the_fhir_base(app: FastAPI, listener: _Listener,
                                                patient: str) -> None:
    app.state.cds_hooks_settings = CdsHooksSettings(fhir_servers=listener.base)
    assert "FHIR id" in _no_prefetch(_hook(app, listener.base, patient))
    assert listener.seen == []


class _Req:
    """What ``cds_hooks.reports`` reads of a request: the app (its state and settings)."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app


def test_a_record_of_another_patient_gets_no_report(app: FastAPI,
                                                   listener: _Listener) -> None:
    app.state.cds_hooks_settings = CdsHooksSettings(fhir_servers=listener.base)
    listener.same_patient = False  # the server answers for pat-1.2 with patient p's record
    before = len(cds_hooks.reports(_Req(app)))
    (card,) = _hook(app, listener.base, "pat-1.2")["cards"]
    assert "not one patient's" in card["summary"] and "links" not in card
    assert len(cds_hooks.reports(_Req(app))) == before


@pytest.mark.parametrize("patient", ["", None, 7])
def test_a_call_without_a_patient_id_is_refused(app: FastAPI, listener: _Listener,
                                                patient: Any) -> None:
    app.state.cds_hooks_settings = CdsHooksSettings(fhir_servers=listener.base)
    body = _request("patient-view", None, patientId=patient)
    body["fhirServer"] = listener.base
    resp = AsgiClient(app).post(PATH, json=body)
    assert resp.status_code == 422 and "patientId" in resp.text
    assert listener.seen == []


GRANT = {"access_token": "secret-token", "token_type": "Bearer", "expires_in": 300,
         "scope": "patient/*.read", "subject": "dystonia-cds"}


@pytest.mark.parametrize(("change", "field"), [
    ({"access_token": None}, "access_token"), ({"token_type": None}, "token_type"),
    ({"expires_in": None}, "expires_in"), ({"scope": None}, "scope"),
    ({"subject": None}, "subject"), ({"token_type": "MAC"}, "token_type"),
    ({"expires_in": "300"}, "expires_in"), ({"expires_in": 300.5}, "expires_in"),
    ({"expires_in": True}, "expires_in"), ({"access_token": "a\x00b"}, "access_token"),
    ({"access_token": ""}, "access_token"), ({"patient": 7}, "patient"),
])
def test_a_grant_without_what_the_spec_requires_is_refused(
        app: FastAPI, listener: _Listener, change: dict[str, Any], field: str) -> None:
    """CDS Hooks 2.0: access_token, token_type (Bearer), expires_in, scope and subject are
    REQUIRED. Before, ``fhirAuthorization`` was any object (its members unchecked, a key of
    any length: schemathesis found the document and the service disagreeing)."""
    app.state.cds_hooks_settings = CdsHooksSettings(fhir_servers=listener.base)
    body = _request("patient-view", None)
    body["fhirServer"] = listener.base
    body["fhirAuthorization"] = {k: v for k, v in {**GRANT, **change}.items() if v is not None}
    resp = AsgiClient(app).post(PATH, json=body)
    assert resp.status_code == 422 and field in resp.text, resp.text
    assert listener.seen == []  # nothing fetched with half a grant


def test_other_grant_members_are_plain_data(app: FastAPI, listener: _Listener) -> None:
    app.state.cds_hooks_settings = CdsHooksSettings(fhir_servers=listener.base)
    body = _request("patient-view", None)
    body["fhirServer"] = listener.base
    body["fhirAuthorization"] = {**GRANT, "token_type": "bearer", "patient": "p",
                                 "x-ehr": {"k": "v"}}
    assert AsgiClient(app).post(PATH, json=body).status_code == 200  # spec + an extra
    assert ("/fhir/Patient/p", "Bearer secret-token") in listener.seen
    listener.seen.clear()
    for extra in ({"a\x00": 1}, {"x": "y\x00"}, {"k" * 10: "v" * 100_001}):
        body["fhirAuthorization"] = {**GRANT, **extra}
        resp = AsgiClient(app).post(PATH, json=body)
        assert resp.status_code == 400 and "fhirAuthorization" in resp.text, resp.text
    assert listener.seen == []


def test_a_valid_patient_id_is_fetched_inside_the_base(app: FastAPI,
                                                       listener: _Listener) -> None:
    app.state.cds_hooks_settings = CdsHooksSettings(fhir_servers=listener.base)
    out = _hook(app, listener.base, "pat-1.2")
    assert "peripheral" in out["cards"][0]["summary"].lower()
    assert listener.seen and all(p.startswith("/fhir/") for p, _ in listener.seen)
    assert ("/fhir/Patient/pat-1.2", "Bearer secret-token") in listener.seen


def _huge(handler: Any) -> None:
    handler._send(200, b'{"resourceType": "Bundle", "entry": [' + b'{},' * 3_000_000 + b"{}]}",
                  length=False)


def _html(handler: Any) -> None:
    handler._send(200, b"<html>not json</html>")


def _redirect(handler: Any) -> None:
    handler.send_response(302)
    handler.send_header("Location", "http://127.0.0.1:9/steal")
    handler.send_header("Content-Length", "0")
    handler.end_headers()


def _error(handler: Any) -> None:
    handler._send(500, b"oops")


def _deep(handler: Any) -> None:
    handler._send(200, b'{"a":' * 100_000 + b"1" + b"}" * 100_000)


def _slow(handler: Any) -> None:
    time.sleep(6.5)  # beyond the 5 s read timeout
    handler._send(200, b"{}")


@pytest.mark.parametrize("reply, words", [
    (_huge, "bytes"), (_html, "JSON"), (_redirect, "302"), (_error, "500"),
    (_deep, "JSON"), (_slow, "reached"),
])
def test_any_fetch_failure_is_a_no_prefetch_card(app: FastAPI, listener: _Listener,
                                                 reply: Any, words: str) -> None:
    app.state.cds_hooks_settings = CdsHooksSettings(fhir_servers=listener.base)
    listener.reply = reply
    start = time.perf_counter()
    detail = _no_prefetch(_hook(app, listener.base))
    assert words in detail
    assert time.perf_counter() - start < 12


def test_cors_preflight_on_the_cds_routes(app: FastAPI) -> None:
    client = AsgiClient(app)
    for path in ("/cds-services", PATH, "/cds-services/dystonia-drug-safety"):
        resp = client._call("OPTIONS", path, headers={
            "Origin": "https://sandbox.cds-hooks.org", "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type"})
        assert resp.status_code in (200, 204), (path, resp.status_code)
        assert resp.headers["access-control-allow-origin"] == "*"
        assert "POST" in resp.headers["access-control-allow-methods"]
        assert "authorization" in resp.headers["access-control-allow-headers"].lower()
    assert client.get("/cds-services").headers["access-control-allow-origin"] == "*"


def test_report_links_are_unguessable_no_store_and_expire(app: FastAPI,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    client = AsgiClient(app)
    out = client.post(PATH, json=_request("patient-view", _prefetch("whiplash-neck"))).json()
    url = out["cards"][0]["links"][0]["url"]
    key = url.rsplit("/", 1)[1]
    assert len(key) >= 40  # 32 random bytes
    resp = client.get(f"/cds-services/reports/{key}")
    assert resp.status_code == 200 and resp.headers["cache-control"] == "no-store"
    assert client.get(f"/cds-services/reports/{key[:-1]}").status_code == 404
    later = time.time() + _cds_reports.REPORT_SECONDS + 1
    monkeypatch.setattr(_cds_reports, "_now", lambda: later)
    assert client.get(f"/cds-services/reports/{key}").status_code == 404


@pytest.mark.parametrize("path", [PATH, "/cds-services/dystonia-drug-safety", "/v1/assess"])
def test_a_lone_surrogate_echoed_in_a_422_is_not_a_500(path: str) -> None:
    from fastapi.testclient import TestClient

    from dystonia_cds import load_knowledge
    from dystonia_cds.api import create_app

    body = ('{"hookInstance": "x", "hook": "patient-view", "context": "\\ud800", '
            '"prefetch": {"patient": "\\udfff"}}')  # found by fuzzing the CDS routes
    with TestClient(create_app(load_knowledge()), raise_server_exceptions=False) as client:
        resp = client.post(path, content=body, headers={"content-type": "application/json"})
    assert 400 <= resp.status_code < 500, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
