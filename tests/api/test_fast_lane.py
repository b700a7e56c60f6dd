"""The fast lane for POST /v1/assess (api/_fast_lane.py) answers exactly as the route does.

A query the lane does not take (``questions=0``, a typo) goes to the FastAPI route, so the
same request sent both ways must get the same status, headers and bytes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient

from dystonia_cds import load_knowledge
from dystonia_cds.api import _fast_lane

EXAMPLES = sorted((Path(__file__).resolve().parents[2] / "examples").glob("*.yaml"))
JSON = "application/json"


@pytest.fixture(scope="module")
def client() -> Iterator[TestClient]:
    from dystonia_cds.api import create_app

    with TestClient(create_app(load_knowledge()), raise_server_exceptions=True) as c:
        yield c


def _both(client: TestClient, body: bytes, media: str, monkeypatch: pytest.MonkeyPatch,
          query: str = "") -> tuple[Any, Any]:
    """The same request through the lane and, with the lane switched off, the route."""
    lane = client.post(f"/v1/assess{query}", content=body, headers={"content-type": media})
    with monkeypatch.context() as m:
        m.setattr(_fast_lane, "_options", lambda _query: None)
        route = client.post(f"/v1/assess{query}", content=body, headers={"content-type": media})
    return lane, route


def _same(lane: Any, route: Any) -> None:
    assert lane.status_code == route.status_code
    assert list(lane.headers.items()) == list(route.headers.items())
    assert lane.content == route.content


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_examples_are_answered_alike(client: TestClient, path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    body = json.dumps(yaml.safe_load(path.read_text()), default=str).encode()
    for query in ("", "?audience=patient", "?questions=true&audience=clinician"):
        lane, route = _both(client, body, JSON, monkeypatch, query)
        assert lane.status_code == 200
        _same(lane, route)


@pytest.mark.parametrize(("body", "media", "status"), [
    (b'{"dystonia": {"regions": ["elbow"]}}', JSON, 422),  # input problems
    (b"{", JSON, 400),  # unreadable
    (b"[1]", JSON, 400),  # not an object
    (b"", JSON, 400),  # empty
    (b"\xff\xfe", JSON, 400),  # not UTF-8
    (b"dystonia: {regions: [neck]}\n", "application/yaml", 200),
    (b"dystonia: {regions: [neck]}\n", "text/csv", 415),
    (json.dumps({"dystonia": {"regions": ["neck"], "features": [
        "HP:0001250", "HP:0001263", "HP:0002072", "HP:0001332", "HP:0000750", "HP:0001249",
        "HP:0002167", "HP:0001251", "HP:0001257"]}}).encode(), JSON, 200),  # pooled
])
def test_problems_and_other_inputs_are_answered_alike(
        client: TestClient, body: bytes, media: str, status: int,
        monkeypatch: pytest.MonkeyPatch) -> None:
    lane, route = _both(client, body, media, monkeypatch)
    assert lane.status_code == status, lane.text
    _same(lane, route)


@pytest.mark.parametrize(("query", "options"), [
    (b"", ("clinician", False)),
    (b"audience=patient", ("patient", False)),
    (b"questions=true", ("clinician", True)),
    (b"questions=false&audience=clinician", ("clinician", False)),
    (b"%61udience=patient", ("patient", False)),  # decoded as the route decodes it
])
def test_the_lane_takes_plain_options(query: bytes, options: tuple[str, bool]) -> None:
    assert _fast_lane._options(query) == options


@pytest.mark.parametrize("query", [
    b"questons=true", b"audience=doctor", b"questions=1", b"questions=", b"audience",
    b"audience=patient&audience=patient", b"audience=patient&", b"x=%ff", b"\xff=1",
])
def test_anything_else_goes_to_the_route(query: bytes) -> None:
    assert _fast_lane._options(query) is None


def test_refusals_still_come_from_the_route(client: TestClient) -> None:
    body = {"dystonia": {"regions": ["neck"]}}
    typo = client.post("/v1/assess?questons=true", json=body)
    assert typo.status_code == 422 and "query.questons" in typo.text
    bad = client.post("/v1/assess?audience=doctor", json=body)
    assert bad.status_code == 422 and "query.audience" in bad.text
    assert client.post("/v1/assess?questions=1", json=body).status_code == 200


def test_the_audiences_are_the_routes() -> None:
    """One list of audiences: the lane takes exactly the route's Literal."""
    from typing import get_args

    from dystonia_cds.api import routes_assess

    assert frozenset(get_args(routes_assess.AudienceName)) == routes_assess.AUDIENCES
    assert _fast_lane.AUDIENCES is routes_assess.AUDIENCES


def test_the_application_answers_before_its_middleware(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A plain request never enters the middleware stack (LaneApp answers it), and the
    middleware lane still answers alike when the application leaves it the request (as
    it does when FastAPI's telemetry is configured)."""
    body = json.dumps(yaml.safe_load(EXAMPLES[0].read_text()), default=str).encode()
    answered: list[str] = []
    real = _fast_lane.LaneApp._answer

    async def spy(self: Any, *args: Any) -> None:
        answered.append("app")
        await real(self, *args)

    monkeypatch.setattr(_fast_lane.LaneApp, "_answer", spy)
    outer = client.post("/v1/assess", content=body, headers={"content-type": JSON})
    assert answered == ["app"]
    monkeypatch.setattr(_fast_lane.LaneApp, "_telemetry_on", lambda self: True)
    inner = client.post("/v1/assess", content=body, headers={"content-type": JSON})
    assert answered == ["app"]
    _same(outer, inner)
    lane, route = _both(client, body, JSON, monkeypatch)
    _same(lane, route)


def test_an_unexpected_error_is_answered_as_the_guard_does(
        client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*_: Any) -> bytes:
        raise RuntimeError("no patient data in here")

    from dystonia_cds.api import routes_assess

    monkeypatch.setattr(routes_assess, "_assessed", fail)
    body = b'{"dystonia": {"regions": ["neck"]}}'
    lane, route = _both(client, body, JSON, monkeypatch)
    assert lane.status_code == 500
    _same(lane, route)


def _asgi(app: Any, headers: list[tuple[bytes, bytes]], chunks: list[bytes]
          ) -> list[dict[str, Any]]:
    """One POST /v1/assess straight into the ASGI application, the body in ``chunks``."""
    import asyncio

    messages = [{"type": "http.request", "body": c, "more_body": i < len(chunks) - 1}
                for i, c in enumerate(chunks)]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": "/v1/assess",
             "raw_path": b"/v1/assess", "query_string": b"", "root_path": "",
             "headers": [(b"host", b"test"), *headers], "client": ("127.0.0.1", 1),
             "server": ("127.0.0.1", 80)}
    asyncio.run(app(scope, receive, send))
    return sent


def test_the_size_limit_holds_in_the_lane() -> None:
    """A body longer than its Content-Length said, past the limit: 413, secured; a
    Content-Length past the limit goes to the guard, which answers the same."""
    from dystonia_cds.api import create_app

    app = create_app(load_knowledge(), max_body=64, warm=False)
    body = json.dumps({"dystonia": {"regions": ["neck"]}, "id": "x" * 100}).encode()
    lying = _asgi(app, [(b"content-type", b"application/json"), (b"content-length", b"10")],
                  [body[:50], body[50:]])
    told = _asgi(app, [(b"content-type", b"application/json"),
                       (b"content-length", str(len(body)).encode())], [body])
    assert lying[0]["status"] == told[0]["status"] == 413
    assert lying[0]["headers"] == told[0]["headers"]
    assert (b"content-security-policy", _headers_csp()) in lying[0]["headers"]
    assert lying[1]["body"] == told[1]["body"]


def _headers_csp() -> bytes:
    from dystonia_cds.api._headers import CSP

    return CSP.encode()


def test_a_client_gone_before_its_body_is_logged_as_on_the_route(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """The lane used to drop such a request silently; the route's path logs it (the
    guard's last resort: method and path, no request data). Both now log and send alike."""
    from dystonia_cds.api import create_app

    app = create_app(load_knowledge(), warm=False)
    headers = [(b"content-type", b"application/json"), (b"content-length", b"40")]
    with caplog.at_level("ERROR", logger="dystonia_cds.api"):
        lane = _asgi(app, headers, [])
    lane_logs = [r.getMessage() for r in caplog.records]
    caplog.clear()
    monkeypatch.setattr(_fast_lane, "_options", lambda _query: None)
    with caplog.at_level("ERROR", logger="dystonia_cds.api"):
        route = _asgi(app, headers, [])
    route_logs = [r.getMessage() for r in caplog.records]
    assert lane_logs == route_logs == ["unhandled ClientDisconnect on POST /v1/assess"]
    assert lane == route
