"""CDS Hooks 2.0 service: discovery, ``patient-view`` etiology cards, ``order-sign`` drug safety.

Include in the FastAPI app with ``app.include_router(cds_hooks.router)``. The knowledge base is
``app.state.kb`` when set, else the shipped one. Authentication: see ``_cds_auth`` (JWT
verified when a JWKS or key is configured; otherwise calls are accepted — testing only).
When a prefetch key is missing, the resource is fetched from ``fhirServer`` with the
``fhirAuthorization`` bearer token. Full reports behind the card links are kept in memory
(last 1000) and served as Markdown.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict
from typing import Any

import httpx
from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import PlainTextResponse
from pydantic import BaseModel, ConfigDict, Field

from dystonia_cds import Assessment, CaseError, KnowledgeBase, assess, default_knowledge
from dystonia_cds.adapters._fhir_codes import CodeTables
from dystonia_cds.adapters._fhir_read import collect_resources, parse_resources
from dystonia_cds.adapters.detect import with_notes
from dystonia_cds.adapters.fhir import FhirFacts, case_from_fhir, drug_of, read_fhir
from dystonia_cds.api._cds_auth import verify_request
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
_REPORTS: OrderedDict[str, Assessment] = OrderedDict()
_MAX_REPORTS = 1000


class HookRequest(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    hook: str
    hook_instance: str = Field(alias="hookInstance")
    fhir_server: str | None = Field(None, alias="fhirServer")
    fhir_authorization: dict[str, Any] | None = Field(None, alias="fhirAuthorization")
    context: dict[str, Any]
    prefetch: dict[str, Any] | None = None


def _kb(request: Request) -> KnowledgeBase:
    kb = getattr(request.app.state, "kb", None)
    return kb if isinstance(kb, KnowledgeBase) else default_knowledge()


async def _prefetch(req: HookRequest) -> dict[str, Any]:
    """The prefetch, completed from the FHIR server for keys the client did not send."""
    data = dict(req.prefetch or {})
    missing = {k: v for k, v in PREFETCH.items() if data.get(k) is None}
    if not missing or not req.fhir_server:
        return data
    patient = str(req.context.get("patientId", ""))
    headers = {"Accept": "application/fhir+json"}
    token = (req.fhir_authorization or {}).get("access_token")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    base = req.fhir_server.rstrip("/")
    async with httpx.AsyncClient(timeout=10.0, headers=headers) as client:
        for key, template in missing.items():
            url = f"{base}/{template.replace('{{context.patientId}}', patient)}"
            try:
                resp = await client.get(url)
                resp.raise_for_status()
            except httpx.HTTPError as exc:
                raise HTTPException(status_code=412, detail=f"cannot fetch {key}: {exc}") from None
            data[key] = resp.json()
    return data


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
def discovery() -> dict[str, Any]:
    """CDS Hooks discovery: the services and their prefetch templates."""
    return {"services": SERVICES}


@router.post("/cds-services/dystonia-etiology", dependencies=[Depends(verify_request)])
async def dystonia_etiology(req: HookRequest, request: Request) -> dict[str, Any]:
    """patient-view: one card classifying the recorded dystonia and ranking its causes."""
    kb = _kb(request)
    data = await _prefetch(req)
    try:
        case, notes = case_from_fhir(data, kb)
    except CaseError:
        return {"cards": []}  # no dystonia recorded: nothing to say
    a = with_notes(assess(case, kb), notes)
    key = uuid.uuid4().hex
    _REPORTS[key] = a  # rendered only when the link is followed
    while len(_REPORTS) > _MAX_REPORTS:
        _REPORTS.popitem(last=False)
    url = str(request.url_for("cds_report", key=key))
    return {"cards": [_etiology_card(a, kb, url)]}


@router.get("/cds-services/reports/{key}", name="cds_report", response_class=PlainTextResponse)
def cds_report(key: str) -> str:
    """The full report behind a card link (Markdown), while it is kept in memory."""
    if key not in _REPORTS:
        raise HTTPException(status_code=404, detail="report expired or unknown")
    return render_markdown(_REPORTS[key])


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


@router.post("/cds-services/dystonia-drug-safety", dependencies=[Depends(verify_request)])
async def dystonia_drug_safety(req: HookRequest, request: Request) -> dict[str, Any]:
    """order-sign: warn when a dopamine-receptor blocker is ordered for an at-risk patient."""
    kb = _kb(request)
    facts = read_fhir(await _prefetch(req), kb)
    if not (facts.regions or facts.acute_reaction):
        return {"cards": []}
    tables = CodeTables(kb)
    orders = parse_resources(collect_resources(req.context.get("draftOrders")), FhirFacts())
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
    return {"cards": cards}
