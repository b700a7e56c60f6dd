"""The web pages: the questionnaire at ``/`` and the report (HTML and PDF).

No server state: the page holds the case and posts it (JSON text in a form field) to
``/report`` or ``/report/pdf``; the report page carries the case again in its own forms, so
switching between patient and clinician wording or exporting a PDF needs nothing stored.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds import Case, KnowledgeBase, assess
from dystonia_cds.api.problems import ApiProblem, case_problem
from dystonia_cds.api.routes_assess import NO_STORE, knowledge_summary, parse_case
from dystonia_cds.errors import CaseError
from dystonia_cds.render.body_picker import body_picker_svg
from dystonia_cds.render.html import environment, render_error_page, render_html, render_pdf
from dystonia_cds.render.patient_html import render_patient_html
from dystonia_cds.seek_care import UnknownSignError, seek_care, warning_signs

router = APIRouter(include_in_schema=False)


def scan_places(kb: KnowledgeBase) -> list[tuple[str, list[tuple[str, str]]]]:
    """The scan's structures grouped under where they are in everyday words (the patient
    questionnaire's choices): the name a person is told sits under a place they can picture."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for s in kb.structures.values():
        if s.plain_place:
            groups.setdefault(s.plain_place, []).append((s.id, s.label))
    return list(groups.items())


@router.get("/", response_class=HTMLResponse)
def index(request: Request, mode: str = "patient") -> HTMLResponse:
    kb: KnowledgeBase = request.app.state.kb
    mode = "clinician" if mode == "clinician" else "patient"
    summary = knowledge_summary(kb)
    choices = {k: summary[k] for k in ("regions", "features", "events", "structures")}
    choices["drugs"] = [d["id"] for d in summary["drugs"]]
    html = environment().get_template("index.html").render(
        mode=mode, choices=choices, choices_json=json.dumps(choices).replace("</", "<\\/"),
        questions_json=json.dumps({q.field: {"question": q.question, "plain": q.plain_question}
                                   for q in kb.questions.values()}),
        disclaimer=kb.disclaimer["patient" if mode == "patient" else "clinician"],
        paired={k for k, v in kb.regions.items() if v.paired},
        picker=body_picker_svg({
            r["id"]: r["plain_label" if mode == "patient" else "label"]
            for r in summary["regions"] if r["id"] != "unspecified"}),
        scan_places=scan_places(kb),
        warning_signs=warning_signs(kb) if kb.seek_care is not None else (),
        urgent=kb.seek_care.levels["urgent"] if kb.seek_care is not None else None,
    )
    return HTMLResponse(html)


class _Form:
    """What a report form carries: the case, the wording, and the warning signs ticked."""

    def __init__(self, case: Case, audience: str, signs: list[str]) -> None:
        self.case, self.audience, self.signs = case, audience, signs


async def _case_from_form(request: Request) -> tuple[_Form | None, Response | None]:
    """Read the form; on bad input return an HTML page listing the problems (status 4xx)."""
    case, audience, signs, err = await _read_form(request)
    if err is not None or case is None:
        return None, err or _error([], 400)
    return _Form(case, audience, signs), None


async def _read_form(request: Request) -> tuple[Case | None, str, list[str], Response | None]:
    kb: KnowledgeBase = request.app.state.kb
    try:
        form = await request.form()
    except Exception:  # malformed multipart or urlencoded body
        return None, "clinician", [], _error(
            [{"field": "(form)", "message": "unreadable form"}], 400)
    audience = "patient" if form.get("audience") == "patient" else "clinician"
    signs = [s for s in form.getlist("warning_sign") if isinstance(s, str) and s]
    if signs and kb.seek_care is not None:
        try:
            seek_care(None, kb, signs)
        except UnknownSignError as exc:
            return None, audience, [], _error([{
                "field": "warning_sign", "message": str(exc),
                "value": next(s for s in signs if s not in {w.id for w in warning_signs(kb)}),
                "solution": "tick the signs on the questionnaire's first page"}], 422)
    raw = form.get("case")
    if not isinstance(raw, str):
        return None, audience, [], _error([{"field": "case", "message": "missing case",
                                            "solution": "fill in the questionnaire first"}],
                                          422)
    try:
        case = await run_in_threadpool(parse_case, raw.encode("utf-8", "surrogatepass"),
                                       "application/json", kb)
    except CaseError as exc:
        return None, audience, [], _error([p.model_dump() for p in exc.problems],
                                          case_problem(exc).status)
    except ApiProblem as exc:
        return None, audience, [], _error([e.model_dump() for e in exc.problem.errors],
                                          exc.problem.status)
    return case, audience, signs, None


def _error(problems: list[dict[str, Any]], status: int) -> HTMLResponse:
    return HTMLResponse(render_error_page(problems, "The case could not be read"),
                        status_code=status)


@router.post("/report", response_class=HTMLResponse)
async def report(request: Request) -> Response:
    got, err = await _case_from_form(request)
    if err is not None or got is None:
        return err or _error([], 400)
    html = await run_in_threadpool(_report_html, got, request.app.state.kb, True)
    return HTMLResponse(html, headers=NO_STORE)


def _report_html(got: _Form, kb: KnowledgeBase, web: bool) -> str:
    """Assess and render (CPU-bound; run off the event loop). The patient wording is its own
    document (render/patient_html.py), with the warning signs the person ticked."""
    a = assess(got.case, kb, audience=got.audience)
    if got.audience == "patient":
        return render_patient_html(a, got.case, web=web, kb=kb,
                                   warning_signs_present=got.signs)
    return render_html(a, got.case, audience=got.audience, web=web)


def _report_pdf(got: _Form, kb: KnowledgeBase) -> tuple[str | None, bytes]:
    return got.case.id, render_pdf(_report_html(got, kb, False))


@router.post("/report/pdf")
async def report_pdf(request: Request) -> Response:
    got, err = await _case_from_form(request)
    if err is not None or got is None:
        return err or _error([], 400)
    try:
        case_id, pdf = await run_in_threadpool(_report_pdf, got, request.app.state.kb)
    except ImportError:
        return _error([{"field": "(server)", "message": "PDF export needs WeasyPrint",
                        "solution": "pip install weasyprint (and the Pango libraries)"}], 503)
    name = f"dystonia-cds-{case_id or 'report'}.pdf"
    safe = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "-_.") else "_" for ch in name)
    return Response(pdf, media_type="application/pdf",
                    headers={"Content-Disposition": f'attachment; filename="{safe}"',
                             **NO_STORE})
