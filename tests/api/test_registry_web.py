"""Registry web pages: sign-in by token, list, history, diff, edit via the clinician form
(a save is a new version; a stale save is refused with 412, nothing overwritten)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("sqlalchemy", reason="the registry extra is not installed")
from fastapi.testclient import TestClient

from dystonia_cds import KnowledgeBase
from dystonia_cds.api import create_app
from dystonia_cds.registry import Registry, RegistrySettings, local_admin

CASE = {"id": "w1", "dystonia": {"regions": [{"region": "neck"}], "onset": "P50Y"}}


@pytest.fixture
def web(tmp_path: Path, kb: KnowledgeBase) -> Iterator[tuple[TestClient, Registry, str]]:
    app = create_app(kb)
    reg = Registry(RegistrySettings(url=f"sqlite:///{tmp_path / 'r.db'}"), kb)
    app.state.registry = reg
    token = reg.add_account(local_admin("test"), "wendy", "clinician")
    with TestClient(app, follow_redirects=False) as client:
        yield client, reg, token


def _sign_in(client: TestClient, token: str) -> None:
    r = client.post("/registry/sign-in", data={"token": token})
    assert r.status_code == 303 and r.headers["location"] == "/registry"
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_pages_need_sign_in(web: tuple[TestClient, Registry, str]) -> None:
    client, _, _ = web
    assert client.get("/registry").headers["location"] == "/registry/sign-in"
    assert client.get("/registry/sign-in").status_code == 200
    assert client.post("/registry/sign-in", data={"token": "dcr_wrong"}).status_code == 401


def test_edit_saves_a_new_version_and_stale_edit_is_refused(
        web: tuple[TestClient, Registry, str]) -> None:
    client, reg, token = web
    _sign_in(client, token)
    page = client.get("/registry/new")
    assert page.status_code == 200 and 'id="case-form"' in page.text
    assert 'action="/registry/save"' in page.text and "f-onset" in page.text  # the form
    r = client.post("/registry/save", data={"case": json.dumps(CASE), "version": "0",
                                            "reason": "first visit"})
    assert r.status_code == 303 and r.headers["location"] == "/registry/cases/w1"
    edit = client.get("/registry/cases/w1/edit")
    assert edit.status_code == 200 and '"id":"w1"' in edit.text  # prefilled from v1
    assert 'name="version" value="1"' in edit.text
    changed = {**CASE, "patient": {"sex": "female"}}
    ok = client.post("/registry/save", data={"case": json.dumps(changed), "version": "1",
                                             "reason": "sex recorded"})
    assert ok.status_code == 303
    stale = client.post("/registry/save", data={"case": json.dumps(CASE), "version": "1"})
    assert stale.status_code == 412 and "meanwhile" in stale.text
    assert [h["reason"] for h in reg.history("w1", local_admin())] == ["first visit",
                                                                      "sex recorded"]
    listing = client.get("/registry")
    assert listing.status_code == 200 and 'href="/registry/cases/w1"' in listing.text
    case = client.get("/registry/cases/w1")
    assert "sex recorded" in case.text and "diff with v1" in case.text
    assert case.headers["cache-control"] == "no-store"
    diff = client.get("/registry/cases/w1/diff?before=1&after=2")
    assert diff.status_code == 200 and "patient.sex" in diff.text
    bad = client.post("/registry/save", data={"case": json.dumps(
        {"dystonia": {"regions": [{"region": "elbow"}]}}), "version": "0"})
    assert bad.status_code == 422 and "elbow" in bad.text
    assert client.get("/registry/cases/nope").status_code == 404
    dup = client.post("/registry/save", data={"case": json.dumps(CASE), "version": "0"})
    assert dup.status_code == 409 and "exists" in dup.text


def test_viewer_cannot_save(web: tuple[TestClient, Registry, str]) -> None:
    client, reg, _ = web
    _sign_in(client, reg.add_account(local_admin("test"), "vic", "viewer"))
    r = client.post("/registry/save", data={"case": json.dumps(CASE), "version": "0"})
    assert r.status_code == 403
