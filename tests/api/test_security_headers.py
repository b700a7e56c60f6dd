"""Issue 16: security headers on every page and API response; no-store on patient data;
no inline script in the pages; report links kept out of the access log."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from dystonia_cds import KnowledgeBase, load_knowledge

CASE = '{"dystonia": {"regions": ["neck"], "onset": "P40Y"}}'


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    from dystonia_cds.api import create_app

    kb: KnowledgeBase = load_knowledge()
    with TestClient(create_app(kb), raise_server_exceptions=False) as c:
        yield c


def _common(headers: object) -> None:
    h = headers  # httpx.Headers
    assert h["x-content-type-options"] == "nosniff"  # type: ignore[index]
    assert h["referrer-policy"] == "no-referrer"  # type: ignore[index]
    assert "frame-ancestors 'none'" in h["content-security-policy"]  # type: ignore[index]


@pytest.mark.parametrize("path", ["/", "/?mode=clinician", "/healthz", "/v1/schema/case",
                                  "/v1/knowledge", "/static/app.js", "/nowhere", "/docs",
                                  "/openapi.json", "/cds-services"])
def test_every_get_has_security_headers(client: TestClient, path: str) -> None:
    _common(client.get(path).headers)


def test_pages_allow_no_inline_script(client: TestClient) -> None:
    for resp in (client.get("/"), client.post("/report", data={"case": CASE})):
        assert resp.status_code == 200
        csp = resp.headers["content-security-policy"]
        script_src = re.search(r"script-src ([^;]*)", csp)
        assert script_src and "'unsafe-inline'" not in script_src.group(1)
        # no inline handlers, no executable inline <script> (JSON data blocks are inert)
        assert not re.search(r"\son[a-z]+\s*=", resp.text)
        for tag in re.findall(r"<script[^>]*>", resp.text):
            assert "src=" in tag or 'type="application/json"' in tag, tag


@pytest.mark.parametrize("method, path, kw", [
    ("post", "/v1/assess", {"content": CASE, "headers": {"content-type": "application/json"}}),
    ("post", "/report", {"data": {"case": CASE}}),
    ("post", "/v1/assess", {"content": "{", "headers": {"content-type": "application/json"}}),
    ("post", "/v1/assess", {"content": b"x" * (300 * 1024),
                            "headers": {"content-type": "application/json"}}),
])
def test_patient_data_responses_are_no_store(client: TestClient, method: str, path: str,
                                             kw: dict[str, object]) -> None:
    resp = getattr(client, method)(path, **kw)
    assert resp.headers["cache-control"] == "no-store", resp.status_code
    _common(resp.headers)


def test_report_links_are_redacted_in_the_access_log() -> None:
    from dystonia_cds.api._headers import RedactReportLinks

    record = logging.LogRecord("uvicorn.access", logging.INFO, "", 0,
                               '%s - "%s %s HTTP/%s" %d', ("1.2.3.4:5", "GET",
                               "/cds-services/reports/SECRETKEY?x=1", "1.1", 200), None)
    assert RedactReportLinks().filter(record)
    assert "SECRETKEY" not in record.getMessage() and "<redacted>" in record.getMessage()
