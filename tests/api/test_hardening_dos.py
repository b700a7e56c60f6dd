"""Issue 16, denial of service: YAML alias bombs are refused before any expansion, and
CPU-bound work runs off the event loop so /healthz never waits behind a slow request."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

pytest.importorskip("fastapi")
from fastapi.testclient import TestClient

from dystonia_cds import KnowledgeBase, load_knowledge
from dystonia_cds._case_io import read_mapping
from dystonia_cds.errors import CaseError

# 514 bytes that expand ninefold per level: 9**9 ≈ 387 million strings.
BOMB = "\n".join(
    ['resourceType: Bundle', 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    + [f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]" for p, n in zip("abcdefgh", "bcdefghi",
                                                                 strict=True)]) + "\n"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture(scope="module")
def client(kb: KnowledgeBase) -> Iterator[TestClient]:
    from dystonia_cds.api import create_app

    with TestClient(create_app(kb), raise_server_exceptions=False) as c:
        yield c


def test_alias_bomb_is_refused_in_milliseconds(client: TestClient) -> None:
    start = time.perf_counter()
    resp = client.post("/v1/assess", content=BOMB, headers={"content-type": "application/yaml"})
    assert time.perf_counter() - start < 2.0
    assert resp.status_code == 400, resp.text
    assert "alias" in resp.text


def test_alias_bomb_in_a_file_exceeds_the_expansion_budget() -> None:
    start = time.perf_counter()
    with pytest.raises(CaseError) as exc:
        read_mapping(BOMB)
    assert time.perf_counter() - start < 2.0
    assert "aliases" in exc.value.problems[0].message


def test_a_few_aliases_in_a_file_are_still_fine() -> None:
    data = read_mapping("site: &s neck\ndystonia: {regions: [*s, *s]}\n")
    assert data["dystonia"]["regions"] == ["neck", "neck"]


def test_aliases_are_refused_in_request_bodies(client: TestClient) -> None:
    resp = client.post("/v1/assess", content="site: &s neck\ndystonia: {regions: [*s]}\n",
                       headers={"content-type": "application/yaml"})
    assert resp.status_code == 400 and "alias" in resp.text


# What goes to the thread pool (routes_assess._small_json, _cheap): the question search, a
# body above 2 KB, YAML, and a case with more entries than the event loop takes inline.
POOLED = [
    ("questions", {"dystonia": {"regions": ["neck"]}}, "?questions=true", "application/json"),
    ("large body", {"dystonia": {"regions": ["neck"]},
                    "family_history": {"dystonia": False, "note": "x" * 4000}}, "",
     "application/json"),
    ("yaml", {"dystonia": {"regions": ["neck"]}}, "", "application/yaml"),
    ("many entries", {"dystonia": {"regions": ["neck"], "features": [
        "HP:0001250", "HP:0001263", "HP:0001257", "HP:0002072", "HP:0001332", "HP:0000750",
        "HP:0001249", "HP:0002167", "HP:0001251"]}}, "", "application/json"),
]


@pytest.mark.parametrize(("kind", "case", "query", "media"), POOLED,
                         ids=[p[0] for p in POOLED])
def test_healthz_answers_while_an_assessment_is_running(
        client: TestClient, monkeypatch: pytest.MonkeyPatch, kind: str, case: dict[str, Any],
        query: str, media: str) -> None:
    from dystonia_cds.api import routes_assess

    real = routes_assess.assess_prepared
    started = threading.Event()

    def slow(*args: Any, **kwargs: Any) -> Any:
        started.set()
        time.sleep(1.5)  # stands for CPU-bound work: it blocks whichever thread runs it
        return real(*args, **{**kwargs, "hpo": lambda: None})

    monkeypatch.setattr(routes_assess, "assess_prepared", slow)
    result: dict[str, int] = {}

    def post() -> None:
        body = json.dumps(case) if media.endswith("json") else yaml.safe_dump(case)
        result["status"] = client.post(f"/v1/assess{query}", content=body,
                                       headers={"content-type": media}).status_code

    worker = threading.Thread(target=post)
    worker.start()
    assert started.wait(5)
    t0 = time.perf_counter()
    health = client.get("/healthz")
    waited = time.perf_counter() - t0
    worker.join()
    assert health.status_code == 200 and result["status"] == 200, kind
    assert waited < 0.75, f"/healthz waited {waited:.2f}s behind the assessment ({kind})"


def test_the_costliest_inline_case_is_quick(client: TestClient) -> None:
    """The event loop assesses a small JSON case itself (no thread hop); its cost must stay
    bounded. The costliest kind: as many rarely seen HPO terms as it takes inline (every
    one a new best-match vector and explanation), many regions, the differential on."""
    from dystonia_cds.api.routes_assess import (
        INLINE_MAX_BYTES,
        INLINE_MAX_ITEMS,
        _cheap,
        parse_input,
    )

    features = ["HP:0001250", "HP:0001263", "HP:0002072", "HP:0001332", "HP:0000750",
                "HP:0001249", "HP:0002167", "HP:0001251"][:INLINE_MAX_ITEMS]
    case = {"patient": {"age": "P12Y"}, "dystonia": {
        "onset": "P5Y", "course": "progressive", "features": features,
        "regions": ["neck", "jaw", "tongue", "trunk", "arm", "leg", "foot", "hand"]}}
    body = json.dumps(case).encode()
    kb = client.app.state.kb  # type: ignore[attr-defined]
    assert len(body) <= INLINE_MAX_BYTES and _cheap(parse_input(body, "application/json", kb)[0])
    best = min(_timed(client, body) for _ in range(3))
    assert best < 0.1, f"an inline assessment took {best * 1e3:.0f} ms"


def _timed(client: TestClient, body: bytes) -> float:
    start = time.perf_counter()
    resp = client.post("/v1/assess", content=body, headers={"content-type": "application/json"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["inherited_differential"]
    return time.perf_counter() - start
