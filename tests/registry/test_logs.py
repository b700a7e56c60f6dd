"""No patient data in application logs: a full run over the registry (real server, web
pages, API, re-assessment, CLI) with recognisable values in every free-text and coded
field, then the logs are searched for them. Also: ``dystonia-cds serve`` keeps its cases
across a restart with nothing but its default SQLite file."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.registry.server import free_port, serve
from typer.testing import CliRunner

from dystonia_cds import KnowledgeBase
from dystonia_cds.cli import app
from dystonia_cds.registry import Registry, RegistrySettings, local_admin

pytest.importorskip("uvicorn", reason="the web extra is not installed")
SECRETS = ["Zebrafinch-note", "Quokka-family", "c.907Quokka", "P37Y4M"]
CASE: dict[str, Any] = {
    "id": "log-1",
    "patient": {"sex": "female", "age": "P37Y4M"},
    "dystonia": {"regions": [{"region": "neck"}], "onset": "P36Y"},
    "events": [{"type": "peripheral_injury", "body_site": "neck", "before_onset": "P2M",
                "note": "Zebrafinch-note"}],
    "family_history": {"dystonia": True, "note": "Quokka-family"},
    "genetics": [{"gene": "TOR1A", "result": "negative", "variant": "c.907Quokka"}],
}


def _flow(http: httpx.Client) -> None:
    assert http.post("/v1/cases", json=CASE).status_code == 201
    etag = http.get("/v1/cases/log-1").headers["etag"]
    assert http.put("/v1/cases/log-1", json=CASE, headers={"If-Match": etag}).status_code == 200
    assert http.put("/v1/cases/log-1", json=CASE, headers={"If-Match": etag}).status_code == 412
    bad = {**CASE, "id": "log-2", "dystonia": {"regions": [{"region": "Zebrafinch-note"}]}}
    assert http.post("/v1/cases", json=bad).status_code == 422
    for path in ("/v1/cases", "/v1/cases/log-1/history", "/v1/cases/log-1/assessments",
                 "/v1/cases/log-1/diff"):
        assert http.get(path).status_code == 200
    assert http.post("/v1/registry/reassess").status_code == 200


def test_no_patient_data_in_logs(tmp_path: Path, kb: KnowledgeBase,
                                 caplog: pytest.LogCaptureFixture,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    caplog.set_level(logging.DEBUG)  # everything any logger emits, SQLAlchemy's included
    reg = Registry(RegistrySettings(url=f"sqlite:///{tmp_path / 'registry.db'}"), kb)
    token = reg.add_account(local_admin("test"), "logger", "admin")
    reg.close()
    port, log = free_port(), tmp_path / "server.log"
    server = serve(None, port, tmp_path, log)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=20,
                          headers={"Authorization": f"Bearer {token}"}) as http:
            _flow(http)
            http.cookies.set("dcr_token", token)
            for page in ("/registry", "/registry/cases/log-1",
                         "/registry/cases/log-1/diff", "/registry/cases/log-1/edit"):
                assert http.get(page).status_code == 200
    finally:
        server.terminate()
        server.wait(15)
    server = serve(None, port, tmp_path, log)  # restarted: the case is still there
    try:
        got = httpx.get(f"http://127.0.0.1:{port}/v1/cases/log-1", timeout=10,
                        headers={"Authorization": f"Bearer {token}"})
        assert got.status_code == 200 and got.json()["events"][0]["note"] == "Zebrafinch-note"
    finally:
        server.terminate()
        server.wait(15)
    # the CLI on the same registry (in-process): its stderr is a log too
    monkeypatch.setenv("DYSTONIA_CDS_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps({**CASE, "id": "log-3"}))
    errs = ""
    for args in (["import", str(case_file)], ["history", "log-3"], ["reassess"],
                 ["diff", "log-3"], ["audit"], ["list"]):
        done = CliRunner().invoke(app, ["registry", *args])
        assert done.exit_code == 0, done.output
        errs += done.stderr
        assert not any(s in done.stdout for s in SECRETS)
    server_log = log.read_text()
    assert "GET /v1/cases/log-1" in server_log  # the access log was written
    for text in (server_log, caplog.text, errs):
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} found in a log"
