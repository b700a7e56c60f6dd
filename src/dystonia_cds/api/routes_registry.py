"""REST ``/v1/cases``: the case registry over HTTP (create, list, get, new version,
history, assessments, diff), re-assessment and the audit log.

Why If-Match is required on a new version: two clinicians editing the same case each start
from a version; the second to save must not silently overwrite the first. ``GET`` returns
the version's ETag; ``PUT`` without ``If-Match`` gets 428 and with a stale one 412, so the
client reloads and reapplies. Every route is thin: the service checks the role and writes
the audit entry.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds import KnowledgeBase
from dystonia_cds.api.problems import ApiProblem, ProblemItem, problem_openapi
from dystonia_cds.api.registry_access import api_principal, registry_of, registry_problems
from dystonia_cds.api.routes_assess import CASE_BODY, NO_STORE, parse_input

if TYPE_CHECKING:
    from dystonia_cds.registry import Principal

log = logging.getLogger("dystonia_cds.api")


def _startup(app: Any) -> None:
    """Open the registry at start-up and re-assess if the knowledge version moved; a
    registry that cannot be opened is logged and leaves the rest of the app serving."""
    try:
        import sqlalchemy  # noqa: F401
    except ImportError:
        return
    try:
        reg = registry_of(app)
        if reg.needs_reassess():
            from dystonia_cds.registry import local_admin

            report = reg.reassess(local_admin("startup"))
            log.warning("registry: knowledge %s: %d of %d re-assessed cases changed",
                        report.knowledge_version, len(report.changed), report.assessed)
    except ApiProblem as exc:
        log.error("registry: not available at start-up (%s)", exc.problem.title)


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    await run_in_threadpool(_startup, app)
    yield
    reg = getattr(app.state, "registry", None)
    if reg is not None:
        reg.close()


router = APIRouter(tags=["registry"], lifespan=lifespan)
Who = Annotated["Principal", Depends(api_principal)]
CaseIdPath = Annotated[str, Path(description="The case id (a pseudonym).", max_length=64,
                                 pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
Reason = Annotated[str, Query(max_length=500, description="Why (kept with the version).")]
Etiology = Literal["primary", "acquired", "undetermined"]
ETAG = re.compile(r'^(?:W/)?"([A-Za-z0-9][A-Za-z0-9._-]{0,63})\.v([0-9]{1,9})"$')
AUTH = problem_openapi(401, 403)
ETAG_HEADER = {"ETag": {"description": "The version's entity tag (for If-Match).",
                        "schema": {"type": "string"}}}


def _json(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(data, status_code=status, headers={**NO_STORE, **(headers or {})})


def _saved(saved: Any) -> dict[str, Any]:
    return {"id": saved.case_id, "version": saved.version, "etag": saved.etag,
            "top": saved.top, "etiology": saved.etiology,
            "notes_not_stored": saved.removed_notes}


async def _body_case(request: Request) -> Any:
    kb: KnowledgeBase = request.app.state.kb
    body, media = await request.body(), request.headers.get("content-type")
    case, _ = await run_in_threadpool(parse_input, body, media, kb)
    return case


@router.post("/v1/cases", summary="Store a new case (version 1)", status_code=201,
             openapi_extra=CASE_BODY, response_class=JSONResponse,
             responses={201: {"description": "Stored; Location and ETag of version 1",
                              "headers": ETAG_HEADER},
                        **AUTH, **problem_openapi(400, 409, 413, 415, 422, 503)})
async def create_case(request: Request, who: Who, reason: Reason = "created") -> Response:
    """A case without an ``id`` gets a pseudonym. An id already stored is a 409: send a new
    version with ``PUT /v1/cases/{id}`` and ``If-Match`` instead."""
    reg = registry_of(request.app)
    case = await _body_case(request)
    with registry_problems():
        saved = await run_in_threadpool(_create, reg, case, who, reason)
    return _json(_saved(saved), 201, {"ETag": saved.etag,
                                      "Location": f"/v1/cases/{saved.case_id}"})


def _create(reg: Any, case: Any, who: Principal, reason: str) -> Any:
    from dystonia_cds.registry import VersionConflict

    try:
        return reg.save(case, who, reason, expected=0)
    except VersionConflict:
        raise ApiProblem(409, "The case exists", slug="case-exists",
                         detail="send a new version with PUT /v1/cases/{id} and If-Match",
                         errors=[ProblemItem(field="id", value=case.id, message="already "
                                             "stored", solution="PUT a new version")]) from None


@router.get("/v1/cases", summary="List current cases (keyset pagination by id)",
            responses={**AUTH, **problem_openapi(422, 503)})
def list_cases(request: Request, who: Who,
               limit: Annotated[int, Query(ge=1, le=500)] = 50,
               after: Annotated[str | None, Query(max_length=64, description=(
                   "The last id of the previous page (its `next`)."))] = None,
               etiology: Annotated[Etiology | None, Query()] = None,
               top: Annotated[str | None, Query(max_length=60, description=(
                   "Leading cause category, e.g. acquired_central_vascular."))] = None,
               ) -> JSONResponse:
    with registry_problems():
        rows = registry_of(request.app).list_cases(who, after=after, limit=limit + 1,
                                                   etiology=etiology, top=top)
    more = len(rows) > limit
    items = rows[:limit]
    return _json({"items": items, "next": items[-1]["id"] if more and items else None})


@router.get("/v1/cases/{case_id}", summary="A case version (current by default), with ETag",
            responses={200: {"description": "The Case", "headers": ETAG_HEADER},
                       **AUTH, **problem_openapi(404, 422, 503)})
def get_case(request: Request, who: Who, case_id: CaseIdPath,
             version: Annotated[int | None, Query(ge=1, le=10**9)] = None) -> JSONResponse:
    with registry_problems():
        stored = registry_of(request.app).get(case_id, who, version)
    return _json(stored.data(), headers={
        "ETag": stored.etag, "X-Case-Version": str(stored.version),
        "X-Version-Author": stored.author.encode("ascii", "replace").decode()})


def _expected(case_id: str, if_match: str | None) -> int | None:
    if if_match is None:
        raise ApiProblem(428, "If-Match required", slug="if-match-required",
                         detail="GET the case, edit it, and send its ETag in If-Match",
                         errors=[ProblemItem(field="If-Match", message="missing",
                                             solution="the ETag from GET /v1/cases/{id}")])
    if if_match.strip() == "*":
        return None
    m = ETAG.match(if_match.strip())
    if m is None or m.group(1) != case_id:
        raise ApiProblem(412, "The case has changed", slug="version-conflict",
                         detail="If-Match does not name a version of this case",
                         errors=[ProblemItem(field="If-Match", value=if_match[:100],
                                             message="not an ETag of this case",
                                             solution="the ETag from GET /v1/cases/{id}")])
    return int(m.group(2))


@router.put("/v1/cases/{case_id}", summary="Store a new version (If-Match required)",
            openapi_extra=CASE_BODY,
            responses={200: {"description": "Stored; the new ETag", "headers": ETAG_HEADER},
                       **AUTH, **problem_openapi(400, 404, 412, 413, 415, 422, 428, 503)})
async def put_case(request: Request, who: Who, case_id: CaseIdPath, reason: Reason = "edit",
                   if_match: Annotated[str | None, Header(
                       description="ETag of the version this edit started from")] = None,
                   ) -> Response:
    """The body's ``id`` must be the path's (or absent). A stale If-Match gets 412."""
    expected = _expected(case_id, if_match)
    reg = registry_of(request.app)
    case = await _body_case(request)
    if case.id not in (None, case_id):
        raise ApiProblem(422, "The case id does not match the URL", slug="id-mismatch",
                         errors=[ProblemItem(field="id", value=case.id[:64],
                                             message="differs from the URL's case id",
                                             solution=f"leave it out or use {case_id!r}")])
    case = case.model_copy(update={"id": case_id})
    with registry_problems():
        saved = await run_in_threadpool(_put, reg, case, who, reason, expected)
    return _json(_saved(saved), headers={"ETag": saved.etag})


def _put(reg: Any, case: Any, who: Principal, reason: str, expected: int | None) -> Any:
    from dystonia_cds.registry import NotFound

    if expected is None:  # If-Match: * — any current version, but the case must exist
        reg.get(case.id, who, action="read-for-update")
    elif expected == 0:
        raise NotFound(case.id)
    return reg.save(case, who, reason, expected=expected)


@router.get("/v1/cases/{case_id}/history", summary="Every version: author, time, reason",
            responses={**AUTH, **problem_openapi(404, 422, 503)})
def get_history(request: Request, who: Who, case_id: CaseIdPath) -> JSONResponse:
    with registry_problems():
        return _json(registry_of(request.app).history(case_id, who))


@router.get("/v1/cases/{case_id}/assessments",
            summary="Every stored assessment (case, engine and knowledge versions)",
            responses={**AUTH, **problem_openapi(404, 422, 503)})
def get_assessments(request: Request, who: Who, case_id: CaseIdPath) -> JSONResponse:
    with registry_problems():
        return _json(registry_of(request.app).assessments(case_id, who))


@router.get("/v1/cases/{case_id}/assessments/{assessment_id}",
            summary="One stored assessment (the dystonia-cds/assessment/v1 document)",
            response_class=Response,
            responses={200: {"description": "The Assessment", "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/Assessment"}}}},
                **AUTH, **problem_openapi(404, 422, 503)})
def get_assessment(request: Request, who: Who, case_id: CaseIdPath,
                   assessment_id: Annotated[int, Path(ge=1, le=2**62)]) -> Response:
    with registry_problems():
        text = registry_of(request.app).assessment_json(case_id, who, assessment_id)
    return Response(text, media_type="application/json", headers=NO_STORE)


@router.get("/v1/cases/{case_id}/diff",
            summary="Field changes between two versions and the change in the conclusion",
            responses={**AUTH, **problem_openapi(404, 422, 503)})
def get_diff(request: Request, who: Who, case_id: CaseIdPath,
             from_version: Annotated[int | None, Query(alias="from", ge=1, le=10**9)] = None,
             to_version: Annotated[int | None, Query(alias="to", ge=1, le=10**9)] = None,
             ) -> JSONResponse:
    with registry_problems():
        return _json(registry_of(request.app).diff(case_id, who, from_version, to_version))


@router.post("/v1/registry/reassess",
             summary="Re-assess every current case with this knowledge version",
             responses={**AUTH, **problem_openapi(503)})
def post_reassess(request: Request, who: Who) -> JSONResponse:
    with registry_problems():
        r = registry_of(request.app).reassess(who)
    return _json({"knowledge_version": r.knowledge_version, "assessed": r.assessed,
                  "unchanged": r.unchanged, "changed": r.changed})


@router.get("/v1/registry/runs", summary="Re-assessment runs and what changed in each",
            responses={**AUTH, **problem_openapi(503)})
def get_runs(request: Request, who: Who) -> JSONResponse:
    with registry_problems():
        return _json(registry_of(request.app).runs(who))


@router.get("/v1/audit", summary="The audit log, newest first (admin; read-only)",
            responses={**AUTH, **problem_openapi(422, 503)})
def get_audit(request: Request, who: Who,
              case_id: Annotated[str | None, Query(
                  max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$",
                  description="Only this case's entries (a case id as in the paths; an "
                              "empty one is a 422, not an empty list).")] = None,
              limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> JSONResponse:
    with registry_problems():
        return _json(registry_of(request.app).audit(who, case_id, limit))
