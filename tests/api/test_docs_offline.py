"""/docs works offline: Swagger UI from the installed package, no CDN, no inline script."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from dystonia_cds import KnowledgeBase
from dystonia_cds.api import create_app


@pytest.fixture(scope="module")
def client(kb: KnowledgeBase) -> Iterator[TestClient]:
    with TestClient(create_app(kb)) as c:
        yield c


def test_docs_page_loads_nothing_from_another_host(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    srcs = re.findall(r'(?:src|href)="([^"]+)"', r.text)
    assert srcs and all(s.startswith("/") for s in srcs), srcs
    assert not re.search(r"<script>(?!</script>)", r.text)  # every script is a file
    for src in srcs:
        assert client.get(src).status_code == 200, src


def test_docs_page_has_the_strict_policy_of_every_page(client: TestClient) -> None:
    csp = client.get("/docs").headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", csp)
    assert script_src and script_src.group(1).strip() == "'self'"
    assert "http" not in csp


def test_the_bundle_is_javascript(client: TestClient) -> None:
    r = client.get("/docs/assets/swagger-ui-bundle.js")
    assert r.status_code == 200 and "javascript" in r.headers["content-type"]
    assert "SwaggerUIBundle" in r.text[:200_000]
