"""Bounded fuzzing in CI: mutated shipped inputs through every adapter, the engine, the
serialiser and the HTTP body parser — no exception but an input problem, no 5xx.

The long run is ``bench/fuzz.py`` (100,000 inputs); this one takes about half a minute.
Property tests (hypothesis) cover the parser on arbitrary text and trees.
"""

from __future__ import annotations

import contextlib
import json
import random
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dystonia_cds import CaseError, KnowledgeBase, load_knowledge
from dystonia_cds._case_io import read_mapping
from dystonia_cds._input_safety import check_tree
from tests.fuzz.harness import cds_bodies, run


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture(scope="module")
def post(kb: KnowledgeBase) -> Iterator[object]:
    pytest.importorskip("fastapi")
    from fastapi.testclient import TestClient

    from dystonia_cds.api import create_app

    with TestClient(create_app(kb), raise_server_exceptions=False) as client:
        def send(text: str) -> int:
            media = "application/json" if text.lstrip().startswith("{") else "application/yaml"
            body = text.encode("utf-8", "surrogatepass")
            return client.post("/v1/assess", content=body,
                               headers={"content-type": media}).status_code
        yield send


def test_mutated_inputs_never_crash(kb: KnowledgeBase, post: object) -> None:
    report = run(kb, 300, seed=16, http=post)  # type: ignore[arg-type]
    assert report.tried == 300
    assert not report.crashes, {k: (v, report.examples[k]) for k, v in report.crashes.items()}


def test_mutated_cds_hooks_calls_are_never_5xx(kb: KnowledgeBase) -> None:
    pytest.importorskip("jwt")
    from fastapi.testclient import TestClient

    from dystonia_cds.api import create_app

    failures = []
    with TestClient(create_app(kb), raise_server_exceptions=False) as client:
        for path, body in cds_bodies(random.Random(16), 200):
            resp = client.post(path, content=body, headers={"content-type": "application/json"})
            if resp.status_code >= 500:
                failures.append(body[:300])
    assert not failures, failures[:3]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_is_a_mapping_or_an_input_problem(text: str) -> None:
    with contextlib.suppress(CaseError):
        assert isinstance(read_mapping(text + "\n"), dict)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                max_size=4),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(_json)
def test_a_tree_that_passes_check_tree_serialises(data: object) -> None:
    try:
        check_tree(data)
    except CaseError:
        return
    json.dumps(data, allow_nan=False).encode("utf-8")  # what to_json needs of its input
