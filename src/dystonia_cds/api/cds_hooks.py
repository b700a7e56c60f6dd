"""CDS Hooks 2.0 service: discovery, ``patient-view`` etiology cards, ``order-sign`` drug safety.

Include in the FastAPI app with ``app.include_router(cds_hooks.router)``. The knowledge base is
``app.state.kb`` when set, else the shipped one. Authentication: see ``_cds_auth`` (JWT
verified when a JWKS or key is configured; otherwise calls are accepted — testing only).
When a prefetch key is missing, the resource is fetched from ``fhirServer`` with the
``fhirAuthorization`` bearer token — only from a FHIR server on the configured allow-list
(see ``_cds_fetch``); any failure gives a card saying no assessment was made, never an
error status. Full reports behind the card links: see ``_cds_reports`` (short-lived,
single-patient, unguessable keys), served as Markdown with ``Cache-Control: no-store``.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds import Assessment, CaseError, KnowledgeBase, assess, default_knowledge
from dystonia_cds.adapters.detect import with_notes
from dystonia_cds.adapters.fhir import (
    CodeTables,
    FhirFacts,
    case_from_fhir,
    collect_resources,
    drug_of,
    parse_resources,
    read_fhir,
)
from dystonia_cds.api._cds_auth import cds_settings, verify_request
from dystonia_cds.api._cds_fetch import FetchError, fetch_missing
from dystonia_cds.api._cds_models import HookRequest
from dystonia_cds.api._cds_reports import ReportStore, other_patients, report_store
from dystonia_cds.api.problems import problem_openapi
from dystonia_cds.intake import check_plausible, check_tree
from dystonia_cds.render import render_markdown

router = APIRouter(tags=["CDS Hooks"])

PREFETCH = {
    "patient": "Patient/{{context.patientId}}",
    "conditions": "Condition?patient={{context.patientId}}",
    "medications": "MedicationRequest?patient={{context.patientId}}",
    "procedures": "Procedure?patient={{context.patientId}}",
}
SERVICES = [
    {"hook": "patient-view", "id": "dystonia-etiology", "title": "Dystonia: primary or acquired",
     "description": "Classifies a recorded dystonia and ranks its possible causes with the "
                    "evidence, the causal-link checks and the next questions. Information, "
                    "not a diagnosis.", "prefetch": PREFETCH},
    {"hook": "order-sign", "id": "dystonia-drug-safety",
     "title": "Dopamine-receptor blocker in a patient with dystonia",
     "description": "Warns when a dopamine-receptor-blocking drug is ordered for a patient "
                    "with dystonia or a past acute dystonic reaction.", "prefetch": PREFETCH},
]
CORS = {"Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Allow-Headers": "Authorization, Content-Type",
        "Access-Control-Max-Age": "600"}
NO_STORE = {"Cache-Control": "no-store"}
_CARDS = {"description": "CDS Hooks cards (an info card when the record could not be "
                         "fetched)", "content": {"application/json": {"schema": {
                             "type": "object", "required": ["cards"],
                             "properties": {"cards": {"type": "array",
                                                      "items": {"type": "object"}}}}}}}
HOOK_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: _CARDS, **problem_openapi(400, 401, 413, 422, 503)}
"""Every status a hook call can answer (issue 16: 400 and 412 were undocumented)."""


def reports(request: Request) -> ReportStore:
    """The reports behind this app's card links: shared by every worker when a report file
    is configured (``DYSTONIA_CDS_HOOKS_REPORT_DB``), else this app's own memory."""
    return report_store(request.app.state, cds_settings(request).reports_file)


def _kb(request: Request) -> KnowledgeBase:
    kb = getattr(request.app.state, "kb", None)
    return kb if isinstance(kb, KnowledgeBase) else default_knowledge()


async def _prefetch(req: HookRequest, request: Request) -> dict[str, Any]:
    """The prefetch, completed from the FHIR server for keys the client did not send.

    Raises FetchError (shown as a card) when a key is missing and cannot be fetched; raises
    400 when what the client sent is not plain data within the input limits.
    """
    data = dict(req.prefetch or {})
    try:  # a walk over up to a million values: off the event loop
        await run_in_threadpool(_check_plain, req, data)
    except CaseError as exc:
        raise HTTPException(status_code=400, detail="; ".join(
            str(p) for p in exc.problems)[:500]) from None
    missing = {k: v for k, v in PREFETCH.items() if data.get(k) is None}
    if not missing or not req.fhir_server:  # without a server: assess what was sent
        return data
    claims = getattr(request.state, "cds_claims", None)
    iss = claims.get("iss") if isinstance(claims, dict) else None
    token = req.fhir_authorization.access_token if req.fhir_authorization else None
    fetched = await fetch_missing(missing, req.fhir_server, token,
                                  req.context.get("patientId"), cds_settings(request),
                                  iss if isinstance(iss, str) else None)
    return {**data, **fetched}


def _check_plain(req: HookRequest, prefetch: dict[str, Any]) -> None:
    """Raise CaseError unless the call's free-form parts are plain data within the limits."""
    check_tree(prefetch, where="prefetch")
    check_tree(req.context, where="context")
    if req.fhir_authorization is not None:  # its other members: plain data too
        check_tree(req.fhir_authorization.model_extra or {}, where="fhirAuthorization")


def _no_prefetch_card(reason: str, kb: KnowledgeBase,
                      why: str = "the patient record could not be fetched") -> dict[str, Any]:
    """The card for a call whose record could not be read: says so, assesses nothing."""
    return {
        "uuid": str(uuid.uuid4()),
        "summary": f"dystonia-cds: {why}; no assessment",
        "indicator": "info",
        "detail": f"No assessment was made: {reason}. Send the prefetch with the hook call, "
                  "or ask the administrator to allow this FHIR server.",
        "source": _source(kb, []),
    }


def _short(text: str, limit: int = 140) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _detail(a: Assessment, kb: KnowledgeBase) -> str:
    lines = [f"**Summary:** {a.etiology.summary} — {a.etiology.summary_explanation}", "",
             "**Most supported causes**"]
    lines += [f"{i}. {h.label} — *{h.support}*" for i, h in enumerate(a.etiology.hypotheses[:3], 1)]
    checks = [c for c in a.checks if c.status != "not_applicable"]
    if checks:
        lines += ["", "**Checks**"]
        labels = {k: v.get("label", k) for k, v in kb.hypothesis_labels.items()}
        lines += [f"- {c.id} ({labels.get(c.hypothesis, c.hypothesis)}): **{c.status}** — "
                  f"{c.explanation}" for c in checks[:5]]
    if a.next_questions:
        lines += ["", "**Ask next**"] + [f"- {q.question}" for q in a.next_questions[:3]]
    if a.input_notes:
        lines += ["", f"*{len(a.input_notes)} record item(s) not used; see the full report.*"]
    return "\n".join([*lines, "", f"_{a.disclaimer}_"])


def _source(kb: KnowledgeBase, ref_ids: list[str]) -> dict[str, str]:
    ref = next((kb.references[r] for r in ref_ids if r in kb.references), None)
    source = {"label": f"dystonia-cds knowledge base {kb.knowledge_version}"}
    if ref is not None:
        source["url"] = ref.url
    return source


def _etiology_card(a: Assessment, kb: KnowledgeBase, report_url: str) -> dict[str, Any]:
    top = a.top
    warn = top.category.startswith("drug_induced") or any(
        c.status == "inconsistent" for c in a.checks)
    refs = [r for e in top.evidence for r in e.reference_ids] + [r.id for r in a.references]
    return {
        "uuid": str(uuid.uuid4()),
        "summary": _short(f"Dystonia ({a.classification.distribution}): {a.etiology.summary}; "
                          f"most supported: {top.label} ({top.support})"),
        "indicator": "warning" if warn else "info",
        "detail": _detail(a, kb),
        "source": _source(kb, refs),
        "links": [{"label": "Full dystonia-cds report", "url": report_url, "type": "absolute"}],
    }


@router.get("/cds-services")
def discovery() -> Response:
    """CDS Hooks discovery: the services and their prefetch templates."""
    return _json({"services": SERVICES})


def _json(content: dict[str, Any], patient_data: bool = False) -> Response:
    from fastapi.responses import JSONResponse

    return JSONResponse(content, headers={**CORS, **(NO_STORE if patient_data else {})})


@router.options("/cds-services", include_in_schema=False)
@router.options("/cds-services/{service_id}", include_in_schema=False)
def preflight(service_id: str = "") -> Response:
    """CORS preflight: browser-based CDS clients send one before every call."""
    return Response(status_code=204, headers=CORS)


@router.post("/cds-services/dystonia-etiology", dependencies=[Depends(verify_request)],
             responses=HOOK_RESPONSES)
async def dystonia_etiology(req: HookRequest, request: Request) -> Response:
    """patient-view: one card classifying the recorded dystonia and ranking its causes."""
    kb = _kb(request)
    try:
        data = await _prefetch(req, request)
    except FetchError as exc:
        return _json({"cards": [_no_prefetch_card(str(exc), kb)]})
    patient = str(req.context["patientId"])
    others = await run_in_threadpool(  # a prefetch may be megabytes: off the event loop
        lambda: other_patients(collect_resources(data), patient))
    if others:  # a report link is bound to one patient: never mix in another's record
        return _json({"cards": [_no_prefetch_card(
            f"the prefetch holds records of another patient than context.patientId "
            f"({len(others)} other id(s))", kb, "the record is not one patient's")]})
    a = await run_in_threadpool(_assess_record, data, kb)
    if a is None:
        return _json({"cards": []})  # no dystonia recorded: nothing to say
    key = await run_in_threadpool(reports(request).put, patient, a)  # rendered when followed
    url = str(request.url_for("cds_report", key=key))
    settings = cds_settings(request)
    if settings.base_url:  # the public URL, not one built from the caller's Host header
        url = settings.base_url.rstrip("/") + f"/cds-services/reports/{key}"
    return _json({"cards": [_etiology_card(a, kb, url)]}, patient_data=True)


def _assess_record(data: dict[str, Any], kb: KnowledgeBase) -> Assessment | None:
    """FHIR data → Assessment, or None when it records no dystonia (CPU-bound)."""
    try:
        case, notes = case_from_fhir(data, kb)
        check_plausible(case)
    except CaseError:
        return None
    return with_notes(assess(case, kb), notes)


@router.get("/cds-services/reports/{key}", name="cds_report", response_class=PlainTextResponse,
            responses=problem_openapi(404, 422))  # 422: an unknown or repeated query word
def cds_report(request: Request, key: str, patient_id: str | None = Query(
        None, alias="patientId", description="When given, the report opens only if it was "
        "made for this patient (as the EHR launching the link knows the chart it is in)."),
               ) -> PlainTextResponse:
    """The full report behind a card link (Markdown), while it is kept (15 minutes), for
    the patient it was made for only; 404 for an unknown, expired or other patient's key."""
    a = reports(request).get(key, patient_id)
    if a is None:
        raise HTTPException(status_code=404, detail="report expired or unknown")
    return PlainTextResponse(render_markdown(a), headers={**NO_STORE, **CORS})


def _safety_card(drug: str, facts: FhirFacts, kb: KnowledgeBase) -> dict[str, Any]:
    why = ("a past acute dystonic reaction" if facts.acute_reaction else "dystonia")
    info = kb.drugs[drug]
    detail = (f"**{drug}** is a dopamine-receptor blocker. This patient has {why} on record. "
              "Dopamine-receptor blockers cause acute dystonic reactions and tardive dystonia; "
              "consider an alternative, or a lower dose with monitoring.\n\n"
              f"_{kb.disclaimer.get('clinician', '')}_")
    return {
        "uuid": str(uuid.uuid4()),
        "summary": _short(f"{drug.capitalize()} blocks dopamine receptors: risk of dystonic "
                          f"reaction in a patient with {why}"),
        "indicator": "warning",
        "detail": detail,
        "source": _source(kb, list(info.references)),
    }


@router.post("/cds-services/dystonia-drug-safety", dependencies=[Depends(verify_request)],
             responses=HOOK_RESPONSES)
async def dystonia_drug_safety(req: HookRequest, request: Request) -> Response:
    """order-sign: warn when a dopamine-receptor blocker is ordered for an at-risk patient."""
    kb = _kb(request)
    try:
        data = await _prefetch(req, request)
    except FetchError as exc:
        return _json({"cards": [_no_prefetch_card(str(exc), kb)]})
    return _json({"cards": await run_in_threadpool(_safety_cards, data, req.context, kb)},
                 patient_data=True)


def _safety_cards(data: dict[str, Any], context: dict[str, Any],
                  kb: KnowledgeBase) -> list[dict[str, Any]]:
    facts = read_fhir(data, kb)
    if not (facts.regions or facts.acute_reaction):
        return []
    tables = CodeTables(kb)
    orders = parse_resources(collect_resources(context.get("draftOrders")), FhirFacts())
    by_id = {f"{r.get_resource_type()}/{r.id}": r for r in orders if r.id}
    cards, seen = [], set()
    for order in orders:
        if order.get_resource_type() not in {"MedicationRequest", "MedicationOrder"}:
            continue
        drug, _ = drug_of(order, by_id, tables)
        info = kb.drugs.get(drug or "")
        if info and info.drug_class == "dopamine_receptor_blocker" and info.id not in seen:
            seen.add(info.id)
            cards.append(_safety_card(info.id, facts, kb))
    return cards
