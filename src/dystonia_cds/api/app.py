"""The FastAPI application factory: JSON API, web questionnaire and report pages.

Why a factory and no module-level app: the knowledge base is loaded once per application
(or passed in by a test) and kept on ``app.state.kb``; nothing is loaded at import time.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles

from dystonia_cds import KnowledgeBase, __version__, load_knowledge
from dystonia_cds.api._docs import install_docs
from dystonia_cds.api._fast_lane import AssessFastLane, LaneApp
from dystonia_cds.api._headers import SecurityHeadersMiddleware, redact_access_log
from dystonia_cds.api._openapi import refine
from dystonia_cds.api._query_guard import known_query_only
from dystonia_cds.api._warm import router as warm_router
from dystonia_cds.api.problems import MAX_BODY_BYTES, install_problem_handlers, problem_schema
from dystonia_cds.api.routes_assess import openapi_components
from dystonia_cds.api.routes_assess import router as assess_router
from dystonia_cds.api.routes_registry import router as registry_router
from dystonia_cds.api.routes_registry_web import router as registry_web_router
from dystonia_cds.api.routes_time import router as time_router
from dystonia_cds.api.routes_web import router as web_router

STATIC = Path(__file__).resolve().parent / "static"
DESCRIPTION = (
    "Explainable decision support for dystonia: is it primary (idiopathic or inherited) or "
    "acquired, and if acquired, from what? Every statement carries its rule id and "
    "references. **General information, not a diagnosis.** Errors are RFC 9457 problem "
    "details (`application/problem+json`) naming the field, the value and what is accepted."
)


def create_app(kb: KnowledgeBase | None = None, *, max_body: int | None = None,
               warm: bool = True) -> FastAPI:
    """Build the app; ``kb`` defaults to the shipped knowledge base, loaded here, once.
    ``warm``: the lifespan loads the HPO ontology and assesses one built-in case before the
    first request (api/_warm.py); False only to measure a cold start (bench/first_request.py)."""
    app = LaneApp(title="dystonia-cds", version=__version__, description=DESCRIPTION,
                  docs_url=None, redoc_url=None,  # /docs: _docs.install_docs, served locally
                  dependencies=[Depends(known_query_only)])  # no query word silently dropped
    app.state.kb = kb if kb is not None else load_knowledge()
    app.lane_max_body = max_body or MAX_BODY_BYTES  # the guard's limit, in the lane too
    app.add_middleware(AssessFastLane)  # innermost: inside the guard and the headers
    install_problem_handlers(app, max_body)
    app.add_middleware(SecurityHeadersMiddleware)  # outermost: also on 413/500 problems
    redact_access_log()
    app.include_router(assess_router)
    app.include_router(time_router)
    app.include_router(web_router)
    app.include_router(registry_router)  # 503 with the install hint without the extra
    app.include_router(registry_web_router)
    if warm:
        app.include_router(warm_router)  # its lifespan: the HPO ontology before requests
    try:  # the CDS Hooks service needs the standards extra (FHIR models, JWT)
        from dystonia_cds.api import cds_hooks
    except ImportError:
        pass
    else:
        app.include_router(cds_hooks.router)
    install_docs(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version,
                                 description=app.description, routes=app.routes)
            comps = schema.setdefault("components", {}).setdefault("schemas", {})
            comps.update(openapi_components())
            problem = problem_schema()
            comps.update(problem.pop("$defs", {}))
            comps["Problem"] = problem
            app.openapi_schema = refine(schema, app.state.kb)  # the words the service takes
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
