"""REST /v1/cases: tokens and roles, create/list/get/new version/history/assessments/diff,
ETag and If-Match (428 without, 412 when stale) on both back ends, and the audit log that
the API can read (admin) but not alter."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("sqlalchemy", reason="the registry extra is not installed")
from fastapi.testclient import TestClient
from tests.conftest import REPO
from tests.registry.backends import BACKENDS, backend_url

from dystonia_cds import KnowledgeBase, load_case
from dystonia_cds.api import create_app
from dystonia_cds.registry import Registry, RegistrySettings, local_admin

YAML = {"Content-Type": "application/yaml"}
CASE = {"dystonia": {"regions": [{"region": "neck"}], "onset": "P50Y"}}


class Api:
    def __init__(self, client: TestClient, tokens: dict[str, str]) -> None:
        self.client, self.tokens = client, tokens

    def __call__(self, method: str, url: str, role: str = "clinician", **kw: Any) -> Any:
        headers = {"Authorization": f"Bearer {self.tokens[role]}", **kw.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kw)


@pytest.fixture(params=BACKENDS)
def api(request: pytest.FixtureRequest, tmp_path: Path, kb: KnowledgeBase) -> Iterator[Api]:
    for url in backend_url(request.param, tmp_path):
        app = create_app(kb)
        reg = Registry(RegistrySettings(url=url), kb)
        app.state.registry = reg
        admin = local_admin("test")
        tokens = {role: reg.add_account(admin, f"{role}-user", role)
                  for role in ("viewer", "clinician", "admin")}
        with TestClient(app) as client:
            yield Api(client, tokens)


def test_if_match_second_editor_gets_412(api: Api) -> None:
    body = (REPO / "examples" / "whiplash-neck.yaml").read_text()
    created = api("POST", "/v1/cases?reason=first+visit", content=body, headers=YAML)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/v1/cases/whiplash-neck"
    etag = api("GET", "/v1/cases/whiplash-neck").headers["etag"]
    assert etag == created.headers["etag"] == '"whiplash-neck.v1"'
    # two clinicians both start from v1; the first to save wins, the second gets 412
    first = api("PUT", "/v1/cases/whiplash-neck", content=body,
                headers={**YAML, "If-Match": etag})
    assert first.status_code == 200 and first.headers["etag"] == '"whiplash-neck.v2"'
    second = api("PUT", "/v1/cases/whiplash-neck", content=body,
                 headers={**YAML, "If-Match": etag})
    assert second.status_code == 412
    assert second.headers["content-type"] == "application/problem+json"
    assert second.json()["errors"][0]["field"] == "If-Match"
    missing = api("PUT", "/v1/cases/whiplash-neck", content=body, headers=YAML)
    assert missing.status_code == 428
    hist = api("GET", "/v1/cases/whiplash-neck/history", role="viewer").json()
    assert [h["version"] for h in hist] == [1, 2]
    assert [h["author"] for h in hist] == ["clinician-user", "clinician-user"]


def test_create_conflict_and_id_rules(api: Api) -> None:
    assert api("POST", "/v1/cases", json={**CASE, "id": "c1"}).status_code == 201
    again = api("POST", "/v1/cases", json={**CASE, "id": "c1"})
    assert again.status_code == 409 and again.json()["errors"][0]["field"] == "id"
    anon = api("POST", "/v1/cases", json=CASE)
    assert anon.status_code == 201 and anon.json()["id"].startswith("DC-")
    bad = api("POST", "/v1/cases", json={**CASE, "id": "John Smith"})
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "id"
    other = api("PUT", "/v1/cases/c1", json={**CASE, "id": "c2"},
                headers={"If-Match": '"c1.v1"'})
    assert other.status_code == 422
    assert api("PUT", "/v1/cases/nope", json=CASE, headers={"If-Match": "*"}).status_code == 404
    wrong_case = api("PUT", "/v1/cases/c1", json=CASE, headers={"If-Match": '"c2.v1"'})
    assert wrong_case.status_code == 412
    invalid = api("POST", "/v1/cases", json={"dystonia": {"regions": [{"region": "elbow"}]}})
    assert invalid.status_code == 422
    assert invalid.json()["errors"][0]["field"] == "dystonia.regions[0].region"


def test_tokens_and_roles(api: Api) -> None:
    assert api.client.get("/v1/cases").status_code == 401
    assert api.client.get("/v1/cases", headers={"Authorization": "Bearer dcr_nope"}
                          ).status_code == 401
    assert api("POST", "/v1/cases", role="viewer", json=CASE).status_code == 403
    assert api("GET", "/v1/cases", role="viewer").status_code == 200
    assert api("GET", "/v1/audit", role="clinician").status_code == 403
    assert api("POST", "/v1/registry/reassess", role="viewer").status_code == 403


def test_expired_token_is_401_saying_so(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    from dystonia_cds.registry import repository as repo

    reg = api.client.app.state.registry  # type: ignore[attr-defined]
    short = reg.add_account(local_admin("test"), "brief-user", "viewer", expires="1h")
    ok = api.client.get("/v1/cases", headers={"Authorization": f"Bearer {short}"})
    assert ok.status_code == 200
    later = repo.utcnow() + dt.timedelta(hours=2)
    monkeypatch.setattr(repo, "utcnow", lambda: later)
    r = api.client.get("/v1/cases", headers={"Authorization": f"Bearer {short}"})
    body = r.json()
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"
    assert body["title"] == "Token expired" and body["type"] == "/problems/token-expired"
    assert "expired at" in body["detail"] and "registry token" in body["detail"]
    assert api("GET", "/v1/cases", role="viewer").status_code == 200  # 90 days: still good
    page = api.client.post("/registry/sign-in", data={"token": short})
    assert page.status_code == 401 and "That token has expired" in page.text
    api.client.cookies.set("dcr_token", short, path="/registry")
    back = api.client.get("/registry", follow_redirects=False)
    assert back.headers["location"] == "/registry/sign-in?expired=true"
    assert "That token has expired" in api.client.get(back.headers["location"]).text


def test_list_pagination_and_filters(api: Api) -> None:
    for i in range(5):
        assert api("POST", "/v1/cases", json={**CASE, "id": f"p{i}"}).status_code == 201
    api("POST", "/v1/cases", content=(REPO / "examples" / "post-stroke-arm.yaml").read_text(),
        headers=YAML)
    page = api("GET", "/v1/cases?limit=2").json()
    ids = [r["id"] for r in page["items"]]
    while page["next"]:
        page = api("GET", f"/v1/cases?limit=2&after={page['next']}").json()
        ids += [r["id"] for r in page["items"]]
    assert ids == ["p0", "p1", "p2", "p3", "p4", "post-stroke-arm"]
    acquired = api("GET", "/v1/cases?etiology=acquired").json()["items"]
    assert [r["id"] for r in acquired] == ["post-stroke-arm"]
    assert api("GET", "/v1/cases?etiology=maybe").status_code == 422


def test_assessments_diff_and_audit(api: Api) -> None:
    api("POST", "/v1/cases", json={**CASE, "id": "d1"})
    edited = {**CASE, "id": "d1", "events": [{"type": "peripheral_injury", "body_site": "neck",
                                              "before_onset": "P2M"}]}
    assert api("PUT", "/v1/cases/d1?reason=injury+recorded", json=edited,
               headers={"If-Match": '"d1.v1"'}).status_code == 200
    found = api("GET", "/v1/cases/d1/assessments", role="viewer").json()
    assert [a["case_version"] for a in found] == [1, 2]
    full = api("GET", f"/v1/cases/d1/assessments/{found[1]['id']}", role="viewer").json()
    assert full["case_id"] == "d1" and full["knowledge_version"] == found[1]["knowledge_version"]
    diff = api("GET", "/v1/cases/d1/diff?from=1&to=2", role="viewer").json()
    assert {c["field"] for c in diff["case_changes"]} >= {"events[0].type"}
    assert diff["conclusion_changes"], "an injury at the dystonic site moves the conclusion"
    log = api("GET", "/v1/audit?case_id=d1", role="admin").json()
    assert [e["action"] for e in log][-2:] == ["new-version", "create"]
    assert all(e["origin"] == "http:testclient" for e in log)
    for method in ("PUT", "POST", "PATCH", "DELETE"):
        assert api(method, "/v1/audit", role="admin").status_code == 405
    assert api("DELETE", "/v1/cases/d1", role="admin").status_code == 405


def test_start_up_reassesses_when_the_knowledge_version_moved(
        tmp_path: Path, kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'startup.db'}"
    reg = Registry(RegistrySettings(url=url), kb)
    admin = local_admin("test")
    token = reg.add_account(admin, "sam", "clinician")
    for name in ("metoclopramide-acute", "dental-jaw"):
        reg.save(load_case(REPO / "examples" / f"{name}.yaml", kb),
                 admin, "import")
    reg.close()
    kb2 = kb.model_copy(update={"version": "2027.1", "content_hash": "e" * 64, "drugs": {
        k: v for k, v in kb.drugs.items() if k != "metoclopramide"}})
    monkeypatch.setenv("DATABASE_URL", url)
    with TestClient(create_app(kb2)) as client:  # start-up runs the re-assessment
        runs = client.get("/v1/registry/runs",
                          headers={"Authorization": f"Bearer {token}"}).json()
    assert runs[0]["knowledge_version"] == "2027.1+eeeeeeeeeeee"
    assert (runs[0]["assessed"], runs[0]["changed"]) == (2, 1)
    assert [c["case_id"] for c in runs[0]["cases"]] == ["metoclopramide-acute"]


@pytest.mark.parametrize("case_id", ["", " d1", "d1/x", "x" * 65])
def test_an_audit_filter_that_is_no_case_id_is_a_422(api: Api, case_id: str) -> None:
    """Issue 16 (schemathesis): ``?case_id=`` answered 200 and an empty list, as if the case
    had no history; the filter takes a case id as the paths do, or nothing."""
    r = api("GET", "/v1/audit", role="admin", params={"case_id": case_id})
    assert r.status_code == 422, r.text
    assert r.json()["errors"][0]["field"] == "query.case_id"
    assert api("GET", "/v1/audit", role="admin", params={"case_id": "d1"}).status_code == 200
