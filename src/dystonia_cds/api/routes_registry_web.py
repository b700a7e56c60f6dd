"""Registry web pages: sign in, case list, a case's history, a diff, and editing a case
with the clinician form (each save is a new version; a stale edit is refused).

Why a token sign-in and a cookie: the pages act for an account like the API does (same
roles, same audit log); the token from ``dystonia-cds registry account`` is pasted once and
kept in an HttpOnly, SameSite=Strict cookie, which also keeps other sites from posting
forms here. Every page that shows a case is ``no-store``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from dystonia_cds import CaseError, KnowledgeBase
from dystonia_cds.api._form_merge import merge_form_edit
from dystonia_cds.api.problems import ApiProblem
from dystonia_cds.api.registry_access import (
    COOKIE,
    page_principal,
    registry_of,
    registry_problems,
)
from dystonia_cds.api.routes_assess import NO_STORE, knowledge_summary, parse_case
from dystonia_cds.render.html import environment, render_error_page

if TYPE_CHECKING:
    from dystonia_cds.registry import Principal, Registry

router = APIRouter(include_in_schema=False)


def _page(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    html = environment().get_template(name).render(**context)
    return HTMLResponse(html, status_code=status, headers=NO_STORE)


def _error(title: str, problems: list[dict[str, Any]], status: int) -> HTMLResponse:
    return HTMLResponse(render_error_page(problems, title), status_code=status,
                        headers=NO_STORE)


def _who(request: Request) -> Principal | Response:
    who = page_principal(request)
    if who is None:
        expired = getattr(request.state, "token_expired", False)
        return RedirectResponse("/registry/sign-in" + ("?expired=true" if expired else ""),
                                status_code=303)
    return who


def _guarded(fn: Any, *args: Any) -> Any:
    """Call the service; registry errors → ApiProblem (shown as an HTML error page)."""
    with registry_problems():
        return fn(*args)


def _problem_page(exc: ApiProblem) -> HTMLResponse:
    p = exc.problem
    items = [e.model_dump() for e in p.errors] or [{"field": "(registry)",
                                                     "message": p.detail or p.title}]
    return _error(p.title, items, p.status)


@router.get("/registry/sign-in", response_class=HTMLResponse)
def sign_in_page(request: Request, expired: bool = False) -> HTMLResponse:
    """The sign-in form; after an expired token (``?expired=true``) it says so."""
    return _page("registry_signin.html", failed=expired,
                 expired="your sign-in token is no longer valid; an administrator issues "
                 "a new one with `dystonia-cds registry token ACCOUNT`" if expired else None)


@router.post("/registry/sign-in")
async def sign_in(request: Request) -> Response:
    form = await request.form()
    token = form.get("token")
    if not isinstance(token, str) or not token.strip():
        return _page("registry_signin.html", 401, failed=True)
    from dystonia_cds.registry import TokenExpired

    try:
        who = await run_in_threadpool(registry_of(request.app).principal, token.strip(),
                                      "web")
    except ApiProblem as exc:
        return _problem_page(exc)
    except TokenExpired as exc:
        return _page("registry_signin.html", 401, failed=True, expired=str(exc))
    if who is None:
        return _page("registry_signin.html", 401, failed=True)
    out = RedirectResponse("/registry", status_code=303)
    out.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict",
                   secure=request.url.scheme == "https", path="/registry")
    return out


@router.post("/registry/sign-out")
def sign_out() -> Response:
    out = RedirectResponse("/registry/sign-in", status_code=303)
    out.delete_cookie(COOKIE, path="/registry")
    return out


@router.get("/registry", response_class=HTMLResponse)
def case_list(request: Request, after: str | None = None,
              etiology: str | None = None) -> Response:
    who = _who(request)
    if isinstance(who, Response):
        return who
    reg = registry_of(request.app)
    etiology = etiology if etiology in {"primary", "acquired", "undetermined"} else None
    try:
        rows = _guarded(reg.list_cases, who, after[:64] if after else None, 51, etiology)
        runs = _guarded(reg.runs, who)
    except ApiProblem as exc:
        return _problem_page(exc)
    last = next((r for r in runs if r["assessed"]), None)
    return _page("registry_list.html", who=who, rows=rows[:50],
                 next=rows[49]["id"] if len(rows) > 50 else None, etiology=etiology,
                 run=last, can_write=who.may("write"))


@router.get("/registry/cases/{case_id}", response_class=HTMLResponse)
def case_page(request: Request, case_id: str) -> Response:
    who = _who(request)
    if isinstance(who, Response):
        return who
    reg = registry_of(request.app)
    try:
        versions = _guarded(reg.history, case_id, who)
        stored = _guarded(reg.get, case_id, who)
        found = _guarded(reg.assessments, case_id, who)
    except ApiProblem as exc:
        return _problem_page(exc)
    return _page("registry_case.html", who=who, case_id=case_id, versions=versions,
                 assessments=found, current=stored, case_json=stored.content,
                 can_write=who.may("write"))


@router.get("/registry/cases/{case_id}/diff", response_class=HTMLResponse)
def diff_page(request: Request, case_id: str, before: int | None = None,
              after: int | None = None) -> Response:
    who = _who(request)
    if isinstance(who, Response):
        return who
    try:
        out = _guarded(registry_of(request.app).diff, case_id, who, before, after)
    except ApiProblem as exc:
        return _problem_page(exc)
    return _page("registry_diff.html", who=who, case_id=case_id, diff=out)


def _form_context(kb: KnowledgeBase) -> dict[str, Any]:
    """What the clinician form template needs (as the questionnaire page builds it)."""
    summary = knowledge_summary(kb)
    choices = {k: summary[k] for k in ("regions", "features", "events", "structures")}
    choices["drugs"] = [d["id"] for d in summary["drugs"]]
    return {"mode": "clinician", "choices": choices,
            "choices_json": json.dumps(choices).replace("</", "<\\/"),
            "disclaimer": kb.disclaimer["clinician"],
            "paired": {k for k, v in kb.regions.items() if v.paired}}


@router.get("/registry/new", response_class=HTMLResponse)
def new_page(request: Request) -> Response:
    who = _who(request)
    if isinstance(who, Response):
        return who
    return _page("registry_edit.html", who=who, case_id=None, version=0, case_json="null",
                 **_form_context(request.app.state.kb))


@router.get("/registry/cases/{case_id}/edit", response_class=HTMLResponse)
def edit_page(request: Request, case_id: str) -> Response:
    who = _who(request)
    if isinstance(who, Response):
        return who
    try:
        stored = _guarded(registry_of(request.app).get, case_id, who, None, "read-for-edit")
    except ApiProblem as exc:
        return _problem_page(exc)
    return _page("registry_edit.html", who=who, case_id=case_id, version=stored.version,
                 case_json=stored.content.replace("</", "<\\/"),
                 **_form_context(request.app.state.kb))


def _merged_edit(reg: Registry, who: Principal, case_id: str, raw: str, origin: Any,
                 version: int, kb: KnowledgeBase) -> str:
    """The form's Case (already parsed safely) laid over the stored version it was edited
    from, so fields the form does not show (notes, variants, lesion volumes, ...) are kept
    (see ``_form_merge``). A missing or unreadable ``origin`` keeps no list item's fields."""
    where = None
    if isinstance(origin, str) and len(origin) <= 20_000:
        try:
            where = json.loads(origin)
        except (ValueError, RecursionError):
            where = None
    stored = _guarded(reg.get, case_id, who, version, "read-for-edit")
    merged = merge_form_edit(stored.data(), json.loads(raw), where, frozenset(kb.features))
    return json.dumps(merged, ensure_ascii=True)


@router.post("/registry/save")
async def save(request: Request) -> Response:
    """Save the form's case: version 0 creates, version N stores N+1 if N is current."""
    who = _who(request)
    if isinstance(who, Response):
        return who
    form = await request.form()
    raw, version, reason = form.get("case"), form.get("version"), form.get("reason")
    if not isinstance(raw, str) or not isinstance(version, str) or not version.isdigit():
        return _error("The case could not be saved", [{"field": "case", "message":
                                                       "missing case or version"}], 422)
    kb: KnowledgeBase = request.app.state.kb
    reg = registry_of(request.app)
    try:
        case = await run_in_threadpool(parse_case, raw.encode("utf-8", "surrogatepass"),
                                       "application/json", kb)
        if version != "0" and case.id is not None:  # checked safe and valid: now merge
            merged = await run_in_threadpool(_merged_edit, reg, who, case.id, raw,
                                             form.get("origin"), int(version[:9]), kb)
            case = await run_in_threadpool(parse_case, merged.encode("utf-8"),
                                           "application/json", kb)
        saved = await run_in_threadpool(
            _guarded, reg.save, case, who,
            (reason if isinstance(reason, str) and reason.strip() else "edited in the web "
             "form")[:500], int(version[:9]))
    except CaseError as exc:
        return _error("The case could not be saved", [p.model_dump() for p in exc.problems],
                      422)
    except ApiProblem as exc:
        if exc.problem.status == 412 and version == "0":
            return _error("A case with this id exists", [{
                "field": "id", "value": case.id, "message": "already in the registry; "
                "nothing was saved", "solution": "open that case and edit it, or leave the "
                "id empty to get a pseudonym"}], 409)
        if exc.problem.status == 412:
            return _error("Someone saved this case meanwhile", [{
                "field": "version", "value": version, "message": "this edit started from an "
                "older version; nothing was saved",
                "solution": "open the case again, reapply your change and save"}], 412)
        return _problem_page(exc)
    return RedirectResponse(f"/registry/cases/{saved.case_id}", status_code=303)
