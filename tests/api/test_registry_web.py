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


RICH = {"id": "w2", "patient": {"sex": "female", "age": "P60Y", "birth_date": "1965-04-02"},
        "dystonia": {"onset": "P50Y", "regions": [{"region": "arm", "side": "right"}],
                     "features": ["hemiparesis", "HP:0002067"]},
        "events": [{"type": "stroke", "before_onset": "P6M", "note": "left MCA infarct"}],
        "medications": [{"drug": "haloperidol", "note": "for delirium, one week"}],
        "imaging": [{"modality": "MRI", "normal": False, "when": "2024-05-01",
                     "lesions": [{"structure": "putamen", "side": "left", "nature": "infarct",
                                  "volume_ml": 2.5, "source": "radiology report"},
                                 {"structure": "thalamus", "side": "left", "fraction": 0.1}]}],
        "family_history": {"dystonia": False, "note": "no movement disorder known"},
        "genetics": [{"gene": "TOR1A", "result": "negative", "variant": "c.907_909delGAG"}]}


def _as_the_form_sends(case: dict[str, object]) -> dict[str, object]:
    """What clinicianCase() (app.js) builds from the prefilled form: only what it shows."""
    p, d = case["patient"], case["dystonia"]
    assert isinstance(p, dict) and isinstance(d, dict)
    return {"schema": "dystonia-cds/case/v1", "id": case["id"],
            "patient": {"sex": p["sex"], "age": p["age"]},
            "dystonia": {"onset": d["onset"], "regions": d["regions"],
                         "features": ["hemiparesis"]},  # the HPO id is not among its selects
            "events": [{"type": "stroke", "before_onset": "P6M", "note": "left MCA infarct"}],
            "medications": [{"drug": "haloperidol"}],
            "imaging": [{"modality": "MRI", "when": "2024-05-01", "normal": False, "lesions": [
                {"structure": "putamen", "side": "left", "nature": "infarct"},
                {"structure": "thalamus", "side": "left"}]}],
            "family_history": {"dystonia": False},
            "genetics": [{"gene": "TOR1A", "result": "negative"}]}


ORIGIN = {"events": [0], "medications": [0], "imaging": [{"i": 0, "lesions": [0, 1]}],
          "genetics": [0]}


def test_web_edit_keeps_fields_the_form_does_not_show(
        web: tuple[TestClient, Registry, str]) -> None:
    client, reg, token = web
    _sign_in(client, token)
    assert client.post("/registry/save", data={"case": json.dumps(RICH),
                                               "version": "0"}).status_code == 303
    edit = client.get("/registry/cases/w2/edit")
    assert 'name="origin"' in edit.text and "are kept from version 1" in edit.text
    form = _as_the_form_sends(RICH)
    form["dystonia"]["onset"] = "P49Y"  # type: ignore[index]  # the only change
    r = client.post("/registry/save", data={"case": json.dumps(form), "version": "1",
                                            "origin": json.dumps(ORIGIN)})
    assert r.status_code == 303
    saved = reg.get("w2", local_admin()).data()
    expected = json.loads(json.dumps(RICH))
    expected["dystonia"]["onset"] = "P49Y"
    assert {k: v for k, v in saved.items() if k != "schema"} == expected
    diff = reg.diff("w2", local_admin())
    assert [c["field"] for c in diff["case_changes"]] == ["dystonia.onset"]


def test_web_edit_removing_a_row_or_field_is_an_edit(
        web: tuple[TestClient, Registry, str]) -> None:
    client, reg, token = web
    _sign_in(client, token)
    client.post("/registry/save", data={"case": json.dumps(RICH), "version": "0"})
    form = _as_the_form_sends(RICH)
    form["imaging"][0]["lesions"] = [{"structure": "thalamus"}]  # type: ignore[index]
    del form["genetics"]  # the row removed
    form["events"] = [{"type": "head_injury"}, *form["events"]]  # type: ignore[list-item,misc]
    origin = {**ORIGIN, "events": [None, 0], "imaging": [{"i": 0, "lesions": [1]}],
              "genetics": []}
    r = client.post("/registry/save", data={"case": json.dumps(form), "version": "1",
                                            "origin": json.dumps(origin)})
    assert r.status_code == 303
    saved = reg.get("w2", local_admin()).data()
    assert "genetics" not in saved
    assert saved["events"] == [{"type": "head_injury"}, RICH["events"][0]]  # type: ignore[index]
    # the thalamus lesion keeps its fraction; its side, shown and cleared, is gone
    assert saved["imaging"][0]["lesions"] == [{"structure": "thalamus", "fraction": 0.1}]
    assert saved["imaging"][0]["when"] == "2024-05-01"  # shown and unchanged
    # without an origin (no script), no list item's hidden fields can be matched: the note
    bare = client.post("/registry/save", data={"case": json.dumps(_as_the_form_sends(RICH)),
                                               "version": "2"})
    assert bare.status_code == 303
    third = reg.get("w2", local_admin()).data()
    assert third["medications"] == [{"drug": "haloperidol"}]
    assert third["patient"]["birth_date"] == "1965-04-02"  # not a list item: kept
