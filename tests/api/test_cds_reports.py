"""Issue 16, CDS Hooks report links: short-lived, single-patient, unguessable, never logged.

Before: a link opened the full report for anyone holding it for any patient context, a
prefetch mixing two patients' records gave one report, and the link was written to the
access log of ``dystonia-cds serve``.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("jwt")

from fastapi import FastAPI
from tests.api.test_cds_hooks import AsgiClient, _prefetch, _request

from dystonia_cds.api import _cds_reports, cds_hooks
from dystonia_cds.api._cds_auth import CdsHooksSettings
from dystonia_cds.api._cds_reports import (
    MemoryReports,
    SqliteReports,
    other_patients,
    report_store,
)

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
    before = len(report_store(app.state, None))
    body = _request("patient-view", prefetch, patientId="A")
    (card,) = AsgiClient(app).post(PATH, json=body).json()["cards"]
    assert "not one patient's" in card["summary"] and "links" not in card
    assert len(report_store(app.state, None)) == before
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
    now = time.time()
    monkeypatch.setattr(_cds_reports, "_now", lambda: now + _cds_reports.REPORT_SECONDS - 5)
    assert client.get(link).status_code == 200  # still within its 15 minutes
    monkeypatch.setattr(_cds_reports, "_now", lambda: now + _cds_reports.REPORT_SECONDS + 1)
    assert client.get(link).status_code == 404
    assert len(report_store(app.state, None)) == 0  # expired: dropped, not only hidden


def test_the_store_keeps_at_most_its_limit() -> None:
    store = MemoryReports(limit=3)
    keys = [store.put("A", object()) for _ in range(5)]  # type: ignore[arg-type]
    assert len(store) == 3
    assert store.get(keys[0]) is None and store.get(keys[-1]) is not None


def test_keys_cannot_be_guessed(app: FastAPI) -> None:
    store = MemoryReports()
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


def _app_on(report_db: str | None) -> FastAPI:
    """A CDS Hooks app of its own (own state, own store object) on ``report_db``."""
    app = FastAPI()
    app.include_router(cds_hooks.router)
    app.state.cds_hooks_settings = CdsHooksSettings(report_db=report_db)
    return app


def test_a_link_made_by_one_app_opens_in_another_on_the_same_file(tmp_path: Path) -> None:
    """Two app instances stand for two workers: before, a link opened only where it was
    made (each process's memory); with a report file it opens on either."""
    db = str(tmp_path / "reports.db")
    maker, other = _app_on(db), _app_on(db)
    link = _link(maker, "A", "whiplash-neck")
    here = AsgiClient(maker).get(link)
    there = AsgiClient(other).get(link, params={"patientId": "A"})
    assert there.status_code == 200 and there.text == here.text
    assert "whiplash" in there.text.lower()
    assert there.headers["cache-control"] == "no-store"
    assert AsgiClient(other).get(link, params={"patientId": "B"}).status_code == 404
    assert report_store(maker.state, db) is not report_store(other.state, db)
    alone_a, alone_b = _app_on(None), _app_on(None)  # memory: per app, as per worker
    assert AsgiClient(alone_b).get(_link(alone_a, "A", "whiplash-neck")).status_code == 404


def test_the_replay_file_holds_reports_when_no_report_file_is_named(tmp_path: Path) -> None:
    db = str(tmp_path / "state.db")
    settings = CdsHooksSettings(replay_db=db)
    assert settings.reports_file == db
    assert CdsHooksSettings(replay_db=db, report_db="r.db").reports_file == "r.db"
    assert CdsHooksSettings().reports_file is None


def _an_assessment(app: FastAPI) -> Any:
    link = _link(app, "A", "whiplash-neck")
    return report_store(app.state, None).get(link.rsplit("/", 1)[1])


def test_a_report_put_by_another_process_opens_here(tmp_path: Path, app: FastAPI) -> None:
    """A real second process writes the report; this one serves it (and a wrong patient
    or a changed key still gets the 404)."""
    db = tmp_path / "reports.db"
    (tmp_path / "a.json").write_text(_an_assessment(app).to_json())
    code = ("import sys; from pathlib import Path; from dystonia_cds import Assessment; "
            "from dystonia_cds.api._cds_reports import SqliteReports; "
            "a = Assessment.model_validate_json(Path(sys.argv[2]).read_text()); "
            "print(SqliteReports(sys.argv[1]).put('A', a))")
    out = subprocess.run([sys.executable, "-c", code, str(db), str(tmp_path / "a.json")],
                         capture_output=True, text=True, timeout=120, check=True)
    key = out.stdout.strip()
    client = AsgiClient(_app_on(str(db)))
    resp = client.get(f"/cds-services/reports/{key}", params={"patientId": "A"})
    assert resp.status_code == 200 and "whiplash" in resp.text.lower()
    assert client.get(f"/cds-services/reports/{key}", params={"patientId": "B"}
                      ).status_code == 404
    assert client.get(f"/cds-services/reports/{key[:-1]}").status_code == 404
    assert db.stat().st_mode & 0o077 == 0  # the file holds reports: owner only


def test_the_file_store_expires_limits_and_keeps_the_report_exact(
        tmp_path: Path, app: FastAPI, monkeypatch: pytest.MonkeyPatch) -> None:
    a = _an_assessment(app)
    path = str(tmp_path / "reports.db")
    store, reader = SqliteReports(path, limit=3), SqliteReports(path, limit=3)
    key = store.put("A", a)
    assert reader.get(key) == a and reader.get(key, "A") == a  # the same Assessment back
    assert reader.get(key, "B") is None and reader.get(key + "x") is None
    odd = store.put("\ud800", a)  # a lone surrogate from a JSON body: kept, no 500
    assert reader.get(odd, "\ud800") == a and reader.get(odd, "A") is None
    keys = [store.put("A", a) for _ in range(4)]
    assert len(reader) == 3 and reader.get(key) is None and reader.get(keys[-1]) == a
    now = time.time()
    monkeypatch.setattr(_cds_reports, "_now", lambda: now + _cds_reports.REPORT_SECONDS - 5)
    assert reader.get(keys[-1]) == a
    monkeypatch.setattr(_cds_reports, "_now", lambda: now + _cds_reports.REPORT_SECONDS + 1)
    assert reader.get(keys[-1]) is None and len(reader) == 0  # expired rows are deleted
    import sqlite3

    with sqlite3.connect(path) as db:
        assert db.execute("SELECT count(*) FROM cds_report").fetchone()[0] == 0


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextlib.contextmanager
def _served(log: Path, *args: str, tmp: Path | None = None) -> Iterator[str]:
    """``dystonia-cds serve`` in its own process(es), its output in ``log``; yields the
    base URL once it answers."""
    pytest.importorskip("uvicorn")
    port = _free_port()
    exe = Path(sys.executable).with_name("dystonia-cds")
    env = {k: v for k, v in os.environ.items() if not k.startswith("DYSTONIA_CDS_HOOKS_")}
    if tmp is not None:
        env["TMPDIR"] = str(tmp)
    with log.open("wb") as out:
        proc = subprocess.Popen([str(exe), "serve", "--port", str(port), *args], stdout=out,
                                stderr=subprocess.STDOUT, env={**env, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300  # each worker loads the knowledge base: slow
        while True:  # on a busy machine, and two of them share its cores
            try:
                urllib.request.urlopen(base + "/cds-services", timeout=5).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError("serve did not answer:\n" + log.read_text(
                        errors="replace")[-2000:]) from None
                time.sleep(0.25)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def _served_link(base: str, patient: str = "A") -> str:
    body = json.dumps(_request("patient-view", _for(patient, "whiplash-neck"),
                               patientId=patient)).encode()
    req = urllib.request.Request(base + PATH, data=body,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        url: str = json.load(resp)["cards"][0]["links"][0]["url"]
    return url


def test_the_key_never_reaches_the_served_log(tmp_path: Path) -> None:
    """``dystonia-cds serve`` in its own process: the access log names the report route but
    not the key, nor the patient id given with it."""
    log = tmp_path / "serve.log"
    with _served(log) as base:
        url = _served_link(base)
        key = url.rsplit("/", 1)[1]
        with urllib.request.urlopen(f"{url}?patientId=A", timeout=30) as resp:
            assert resp.status == 200 and b"dystonia" in resp.read().lower()
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(f"{base}/cds-services/reports/{key[:-1]}", timeout=30)
    text = log.read_text()
    assert "/cds-services/reports/<redacted>" in text  # the requests were logged...
    assert key not in text and key[:-1] not in text  # ...without their keys
    assert "patientId=A" not in text


def test_links_open_on_any_worker_of_serve_workers_2(tmp_path: Path) -> None:
    """Two worker processes, no report file configured: every link opens on every new
    connection, whichever worker accepts it (before: on the worker that made it only, so
    about half the opens were 404)."""
    tmp = tmp_path / "tmp"
    tmp.mkdir()
    with _served(tmp_path / "serve.log", "--workers", "2", tmp=tmp) as base:
        urls = [_served_link(base) for _ in range(4)]
        for url in urls * 3:  # each urlopen is a new connection, balanced by the kernel
            with urllib.request.urlopen(f"{url}?patientId=A", timeout=60) as resp:
                assert resp.status == 200
        (folder,) = tmp.glob("dystonia-cds-reports-*")  # the private file of this run
        assert (folder / "reports.sqlite").stat().st_size > 0
    assert not folder.exists(), (tmp_path / "serve.log").read_text()[-2000:]  # removed
