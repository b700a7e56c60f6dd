"""Issue 16, CDS Hooks report links: short-lived, single-patient, unguessable, never logged.

Before: a link opened the full report for anyone holding it for any patient context, a
prefetch mixing two patients' records gave one report, and the link was written to the
access log of ``dystonia-cds serve``.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("jwt")

from fastapi import FastAPI
from tests.api.test_cds_hooks import AsgiClient, _prefetch, _request

from dystonia_cds.api import _cds_reports, cds_hooks
from dystonia_cds.api._cds_reports import ReportStore, other_patients

PATH = "/cds-services/dystonia-etiology"


@pytest.fixture
def app() -> FastAPI:
    app = FastAPI()
    app.include_router(cds_hooks.router)
    return app


def _for(patient: str, record: str) -> dict[str, Any]:
    """The prefetch of a shipped FHIR record, relabelled as patient ``patient``'s."""
    text = json.dumps(_prefetch(record)).replace('"Patient/p"', f'"Patient/{patient}"')
    prefetch: dict[str, Any] = json.loads(text)
    prefetch["patient"]["id"] = patient
    return prefetch


def _link(app: FastAPI, patient: str, record: str) -> str:
    body = _request("patient-view", _for(patient, record), patientId=patient)
    resp = AsgiClient(app).post(PATH, json=body)
    assert resp.status_code == 200, resp.text
    url: str = resp.json()["cards"][0]["links"][0]["url"]
    return "/cds-services/reports/" + url.rsplit("/", 1)[1]


def test_a_link_opens_its_own_patients_report_only(app: FastAPI) -> None:
    client = AsgiClient(app)
    a, b = _link(app, "A", "whiplash-neck"), _link(app, "B", "post-stroke-arm")
    report_a, report_b = client.get(a).text, client.get(b).text
    assert "whiplash" in report_a.lower() and "whiplash" not in report_b.lower()
    assert client.get(a, params={"patientId": "A"}).status_code == 200
    wrong = client.get(a, params={"patientId": "B"})
    unknown = client.get("/cds-services/reports/" + secrets.token_urlsafe(32))
    assert wrong.status_code == unknown.status_code == 404
    assert wrong.json() == unknown.json()  # a wrong patient and no report look the same


def test_a_prefetch_with_another_patients_record_makes_no_report(app: FastAPI) -> None:
    prefetch = _for("A", "whiplash-neck")
    prefetch["conditions"]["entry"][0]["resource"]["subject"] = {"reference": "Patient/B"}
    before = len(cds_hooks.REPORTS)
    body = _request("patient-view", prefetch, patientId="A")
    (card,) = AsgiClient(app).post(PATH, json=body).json()["cards"]
    assert "not one patient's" in card["summary"] and "links" not in card
    assert len(cds_hooks.REPORTS) == before
    mismatch = _request("patient-view", _for("A", "whiplash-neck"), patientId="B")
    (card,) = AsgiClient(app).post(PATH, json=mismatch).json()["cards"]
    assert "not one patient's" in card["summary"]


@pytest.mark.parametrize(("resource", "others"), [
    ({"resourceType": "Patient", "id": "A"}, []),
    ({"resourceType": "Patient", "id": "B"}, ["B"]),
    ({"resourceType": "Condition", "subject": {"reference": "Patient/A"}}, []),
    ({"resourceType": "Condition", "subject": {"reference": "https://x/fhir/Patient/B"}}, ["B"]),
    ({"resourceType": "Condition", "subject": {"reference": "Patient/B/_history/2"}}, ["B"]),
    ({"resourceType": "AllergyIntolerance", "patient": {"reference": "Patient/C"}}, ["C"]),
    ({"resourceType": "Condition", "subject": {"reference": "Group/g"}}, []),
    ({"resourceType": "Condition", "subject": "Patient/B"}, []),  # not a Reference: unread
])
def test_other_patients(resource: dict[str, Any], others: list[str]) -> None:
    assert other_patients([resource], "A") == others


def test_links_expire_and_are_forgotten(app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    client = AsgiClient(app)
    link = _link(app, "A", "whiplash-neck")
    assert client.get(link).status_code == 200
    now = time.monotonic()
    monkeypatch.setattr(_cds_reports.time, "monotonic",
                        lambda: now + _cds_reports.REPORT_SECONDS - 5)
    assert client.get(link).status_code == 200  # still within its 15 minutes
    monkeypatch.setattr(_cds_reports.time, "monotonic",
                        lambda: now + _cds_reports.REPORT_SECONDS + 1)
    assert client.get(link).status_code == 404
    assert len(cds_hooks.REPORTS) == 0  # expired reports are dropped, not only hidden


def test_the_store_keeps_at_most_its_limit() -> None:
    store = ReportStore(limit=3)
    keys = [store.put("A", object()) for _ in range(5)]  # type: ignore[arg-type]
    assert len(store) == 3
    assert store.get(keys[0]) is None and store.get(keys[-1]) is not None


def test_keys_cannot_be_guessed(app: FastAPI) -> None:
    store = ReportStore()
    keys = {store.put("A", object()) for _ in range(2000)}  # type: ignore[arg-type]
    assert len(keys) == 2000  # never reused
    assert all(len(k) == 43 and set(k) <= set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") for k in keys)
    client = AsgiClient(app)
    link = _link(app, "A", "whiplash-neck")
    key = link.rsplit("/", 1)[1]
    near = [key[:-1], key + "A", key.upper(), key[1:] + key[0], key[:-1] + (
        "B" if key[-1] != "B" else "C"), "", "..%2F..%2Fopenapi.json", "A", "p", "A" * 43]
    for guess in [*near, *(secrets.token_urlsafe(32) for _ in range(200))]:
        if guess:
            assert client.get(f"/cds-services/reports/{guess}").status_code == 404, guess
    assert client.get(link).status_code == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_the_key_never_reaches_the_served_log(tmp_path: Path) -> None:
    """``dystonia-cds serve`` in its own process: the access log names the report route but
    not the key, nor the patient id given with it."""
    pytest.importorskip("uvicorn")
    port = _free_port()
    log = tmp_path / "serve.log"
    exe = Path(sys.executable).with_name("dystonia-cds")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with log.open("wb") as out:
        proc = subprocess.Popen([str(exe), "serve", "--port", str(port)], stdout=out,
                                stderr=subprocess.STDOUT, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(base + "/cds-services", timeout=2).close()
                break
            except OSError:
                time.sleep(0.25)
        body = json.dumps(_request("patient-view", _for("A", "whiplash-neck"),
                                   patientId="A")).encode()
        req = urllib.request.Request(base + PATH, data=body,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as resp:
            url = json.load(resp)["cards"][0]["links"][0]["url"]
        key = url.rsplit("/", 1)[1]
        with urllib.request.urlopen(f"{url}?patientId=A", timeout=30) as resp:
            assert resp.status == 200 and b"dystonia" in resp.read().lower()
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{base}/cds-services/reports/{key[:-1]}", timeout=30)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    text = log.read_text()
    assert "/cds-services/reports/<redacted>" in text  # the requests were logged...
    assert key not in text and key[:-1] not in text  # ...without their keys
    assert "patientId=A" not in text
