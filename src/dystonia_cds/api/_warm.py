"""Warm-up at start-up: the first person to use the service must not wait for a cold cache.

Why: the genetic differential needs the HPO ontology (hpo3), loaded lazily once per process
on the first assessment that wants it — about 20 s on this project's machine — so without
this the first request after start-up took ~20 s and every later one a fraction of a
second. The lifespan loads the ontology and runs one built-in, illustrative assessment (not
patient data) through the same path the routes use, before the server accepts requests.
A warm-up failure is logged and the server still starts: the first request then pays the
load (and reports any real error) as before.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from dystonia_cds import Case, KnowledgeBase
from dystonia_cds.intake import assess_prepared, optional_hpo

log = logging.getLogger("dystonia_cds.api")

# Childhood-onset dystonia spreading from a leg: the inherited hypothesis has support, so the
# assessment computes the genetic differential (the ontology is used, not only loaded) and
# the next questions — the whole path of a first POST /v1/assess.
WARM_CASE: dict[str, Any] = {
    "id": "warm-up",
    "patient": {"age": "P10Y"},
    "dystonia": {"onset": "P8Y", "course": "progressive",
                 "regions": [{"region": "leg", "side": "left"}, {"region": "arm", "side": "left"},
                             {"region": "trunk"}]},
}


def warm_up(kb: KnowledgeBase) -> float:
    """Load the HPO index and assess the built-in case once; the seconds it took."""
    start = time.perf_counter()
    optional_hpo()
    assess_prepared(Case.model_validate(WARM_CASE), [], kb, questions=True)
    return time.perf_counter() - start


def _warm(app: Any) -> None:
    try:
        seconds = warm_up(app.state.kb)
    except Exception as exc:  # start anyway; the first request then loads and reports
        log.warning("warm-up failed (%s); the first assessment will load the HPO ontology",
                    type(exc).__name__)
    else:
        log.info("warm-up: knowledge base and HPO ontology ready in %.1f s", seconds)
    freeze_heap()


def freeze_heap() -> None:
    """Move every object alive now (the knowledge base, the HPO index, the imported
    modules) out of the cyclic garbage collector's sight (:func:`gc.freeze`).

    Why: they live as long as the process, yet each full collection walked all of them —
    the knowledge base alone is ~67,000 tracked objects — and requests allocate enough to
    trigger one every few hundred assessments. Frozen objects are still freed by reference
    counting; only cycles among them would stay, and these tables are never dropped."""
    gc.collect()
    gc.freeze()


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    await run_in_threadpool(_warm, app)
    yield


router = APIRouter(lifespan=lifespan)

__all__ = ["WARM_CASE", "router", "warm_up"]
