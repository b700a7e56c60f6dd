"""The JSON API: assess a Case, show the Case schema, list the knowledge base, health.

Why the body is read by hand instead of a pydantic parameter: a Case may come as JSON or
YAML (by Content-Type), and the words a person types (``eyes``, ``left hand``) are mapped to
canonical names before validation by :func:`dystonia_cds.intake.case_from_mapping` — the
same path as the CLI, with every problem reported together.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, get_args

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds import Assessment, Case, KnowledgeBase
from dystonia_cds.api.problems import ApiProblem, ProblemItem, problem_openapi
from dystonia_cds.assessment import InputNote
from dystonia_cds.errors import CaseError, CaseFormatError, InputProblem
from dystonia_cds.intake import (
    assess_prepared,
    case_from_data,
    parse_json,
    read_mapping,
    without_masks,
)

router = APIRouter()
NO_STORE = {"Cache-Control": "no-store"}
"""Responses that carry patient data must not be kept by a browser or a proxy."""

JSON_TYPES = ("application/json",)
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml",
              "text/plain")
CASE_REF = {"$ref": "#/components/schemas/Case"}
CASE_BODY = {"requestBody": {"required": True, "content": {
    "application/json": {"schema": CASE_REF},
    "application/yaml": {"schema": CASE_REF},
}}}
AudienceName = Literal["clinician", "patient"]
AUDIENCES: frozenset[str] = frozenset(get_args(AudienceName))
"""The wordings the route takes (its fast lane reads them from here)."""
Audience = Annotated[AudienceName,
                     Query(description="Wording: clinician or plain language (patient).")]
Questions = Annotated[bool, Query(description=(
    "Compute the next questions (which unknown facts would most move the ranking). Off by "
    "default: the search is most of an assessment's cost; an undetermined summary still "
    "names the deciding question."))]


def _format_error(message: str, solution: str) -> CaseFormatError:
    return CaseFormatError([InputProblem(field="(body)", message=message, solution=solution)])


def parse_case(body: bytes, content_type: str | None, kb: KnowledgeBase) -> Case:
    """Body bytes → Case, by media type; raises CaseError / ApiProblem (never anything else)."""
    return parse_input(body, content_type, kb)[0]


def parse_input(body: bytes, content_type: str | None,
                kb: KnowledgeBase) -> tuple[Case, list[InputNote]]:
    """Body bytes (a Case, a FHIR R4 Bundle or a Phenopacket v2) → (Case, input notes)."""
    media = (content_type or "").split(";")[0].strip().lower()
    is_json = media in JSON_TYPES or media.endswith("+json")
    if media and not is_json and media not in YAML_TYPES:
        raise ApiProblem(415, "Unsupported media type", slug="unsupported-media-type",
                         detail="send the case as application/json or application/yaml",
                         errors=[ProblemItem(field="Content-Type", value=media[:100],
                                             message="not accepted",
                                             solution="application/json or application/yaml")])
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _format_error("the body is not UTF-8 text",
                            "send UTF-8 encoded JSON or YAML") from None
    if not text.strip():
        raise _format_error("the body is empty", "send a case; see GET /v1/schema/case")
    try:
        if is_json:
            data: Any = parse_json(text)
            if not isinstance(data, dict):
                raise _format_error("the top level must be an object with a 'dystonia' member",
                                    "see GET /v1/schema/case")
        else:
            data = read_mapping(text, aliases=False)
        case, notes = case_from_data(data, kb, checked=True)  # parse_json/read_mapping did
        case, more = without_masks(case)
        return case, [*notes, *more]
    except CaseError:
        raise
    except (RecursionError, ValueError):
        raise _format_error("the body cannot be read as a case (too deeply nested or "
                            "malformed)", "send a case; see GET /v1/schema/case") from None


async def read_case(request: Request) -> Case:
    kb: KnowledgeBase = request.app.state.kb
    return parse_case(await request.body(), request.headers.get("content-type"), kb)


@router.post(
    "/v1/assess",
    summary="Assess a Case (JSON or YAML) → Assessment",
    response_class=Response,
    responses={200: {"description": "The Assessment (dystonia-cds/assessment/v1)",
                     "content": {"application/json": {
                         "schema": {"$ref": "#/components/schemas/Assessment"}}}},
               **problem_openapi(400, 413, 415, 422)},
    openapi_extra=CASE_BODY,
    tags=["assess"],
)
async def post_assess(request: Request, audience: Audience = "clinician",
                      questions: Questions = False) -> Response:
    """Classification, ranked causes with evidence, checks, next questions (with
    ``?questions=true``), treatment information and references. General information, not a
    diagnosis."""
    kb: KnowledgeBase = request.app.state.kb
    return await assess_response(await request.body(), request.headers.get("content-type"),
                                 kb, audience, questions)


async def assess_response(body: bytes, media: str | None, kb: KnowledgeBase, audience: str,
                          questions: bool) -> Response:
    """The 200 response to POST /v1/assess (raises CaseError / ApiProblem), for the route."""
    return Response(await assess_bytes(body, media, kb, audience, questions),
                    media_type="application/json", headers=NO_STORE)


async def assess_bytes(body: bytes, media: str | None, kb: KnowledgeBase, audience: str,
                       questions: bool) -> bytes:
    """The body of that response (raises CaseError / ApiProblem): for the route and for its
    fast lane (api/_fast_lane.py), which sends it with the same headers itself."""
    if questions or not _small_json(body, media):  # off the event loop: /healthz keeps
        return await run_in_threadpool(_assess_body, body, media, kb, audience, questions)
    case, notes = parse_input(body, media, kb)
    if _cheap(case):
        return _assessed(case, notes, kb, audience, questions)
    return await run_in_threadpool(_assessed, case, notes, kb, audience, questions)


INLINE_MAX_BYTES = 2048
"""Largest JSON body read on the event loop itself (a typed-in case is a few hundred bytes)."""
INLINE_MAX_ITEMS = 8
"""Most list entries (features, excluded features, events, medications, scans) of a case
assessed on the event loop itself."""


def _small_json(body: bytes, media: str | None) -> bool:
    """Whether the body is read on the event loop instead of in the thread pool.

    Why inline at all: the hop to a worker thread and back cost 0.18 ms of server CPU per
    request (bench/api.py, /healthz as ``def`` against ``async def``), about as much as a
    whole small assessment. A JSON body of at most 2 KB is parsed in well under a
    millisecond; YAML, FHIR Bundles, phenopackets and anything larger go to the pool."""
    if len(body) > INLINE_MAX_BYTES:
        return False
    return (media or "").split(";")[0].strip().lower() in JSON_TYPES


def _cheap(case: Case) -> bool:
    """Whether the case is assessed on the event loop: a handful of entries bound its cost
    (the genetic differential's explanations grow with the HPO terms, the drug check with
    the medicines); tests/api/test_hardening_dos.py checks the costliest such case. One
    GIL: a worker thread lets the loop run only every ``sys.getswitchinterval()`` (5 ms)
    anyway, so a sub-millisecond assessment inline holds /healthz back no longer."""
    d = case.dystonia
    items = (len(d.features or []) + len(d.excluded_features or []) + len(case.events or [])
             + len(case.medications or []) + sum(1 + len(im.lesions)
                                                 for im in case.imaging or []))
    return items <= INLINE_MAX_ITEMS


def _assess_body(body: bytes, media: str | None, kb: KnowledgeBase, audience: str,
                 questions: bool = False) -> bytes:
    case, notes = parse_input(body, media, kb)
    return _assessed(case, notes, kb, audience, questions)


def _assessed(case: Case, notes: list[InputNote], kb: KnowledgeBase, audience: str,
              questions: bool) -> bytes:
    """The Assessment as compact JSON bytes: the same document as the CLI's indented
    ``to_json``, without the indentation (a quarter of the serialisation's cost)."""
    return assess_prepared(case, notes, kb, audience=audience,
                           questions=questions).to_json_bytes()


@router.get("/v1/schema/case", summary="JSON Schema of the Case (input contract)",
            tags=["schema"])
def get_case_schema() -> dict[str, Any]:
    schema = Case.model_json_schema(by_alias=True)
    schema["$id"] = "dystonia-cds/case/v1"
    return schema


@router.get("/v1/knowledge", summary="Rules, references and vocabulary of the knowledge base",
            tags=["knowledge"])
def get_knowledge(request: Request) -> dict[str, Any]:
    kb: KnowledgeBase = request.app.state.kb
    return knowledge_summary(kb)


def knowledge_summary(kb: KnowledgeBase) -> dict[str, Any]:
    def labelled(items: dict[str, Any]) -> list[dict[str, Any]]:
        return [{"id": k, "label": v.label, "plain_label": v.plain_label}
                for k, v in items.items()]

    return {
        "knowledge_version": kb.knowledge_version,
        "rules": [r.model_dump() for r in kb.rules.values()],
        "references": [dict(r.model_dump(), citation=r.citation, url=r.url)
                       for r in kb.references.values()],
        "regions": labelled(kb.regions),
        "features": labelled(kb.features),
        "events": labelled(kb.events),
        "structures": [{"id": k, "label": v.label} for k, v in kb.structures.items()],
        "drugs": [{"id": k, "synonyms": v.synonyms, "drug_class": v.drug_class}
                  for k, v in kb.drugs.items()],
        "questions": [q.model_dump() for q in kb.questions.values()],
        "hypotheses": kb.hypothesis_labels,
        "disclaimer": kb.disclaimer,
    }


@router.get("/healthz", summary="Liveness and versions", tags=["health"])
def healthz(request: Request) -> dict[str, str]:
    kb: KnowledgeBase = request.app.state.kb
    from dystonia_cds import __version__

    return {"status": "ok", "engine_version": __version__,
            "knowledge_version": kb.knowledge_version}


def openapi_components() -> dict[str, Any]:
    """Schemas referenced by hand above (Case input, Assessment output)."""
    out: dict[str, Any] = {}
    for model, mode in ((Case, "validation"), (Assessment, "serialization")):
        schema = model.model_json_schema(by_alias=True, mode=mode,  # type: ignore[arg-type]
                                         ref_template="#/components/schemas/{model}")
        out.update(schema.pop("$defs", {}))
        out[model.__name__] = schema
    return out

