"""RFC 9457 problem details for every error the HTTP API returns.

Why one format: a program calling the API, and the web page showing errors next to the
form, read the same fields for every failure — ``errors[]`` names the field, the value given
and what is accepted (from :class:`dystonia_cds.CaseError.problems`). Why the guard
middleware: an unexpected exception must not leak a traceback or patient data into a response
or a log; it is logged by type, method and path only, and answered with a problem document.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dystonia_cds.errors import CaseError, CaseFormatError
from dystonia_cds.suggest import choice_solution, quoted_choices

PROBLEM_MEDIA_TYPE = "application/problem+json"
MAX_BODY_BYTES = 256 * 1024
log = logging.getLogger("dystonia_cds.api")


class ProblemItem(BaseModel):
    """One input problem: where, what was given, what is wrong, what is accepted."""

    field: str
    value: str | None = None
    message: str
    solution: str | None = Field(None, description="What is accepted, or how to fix it.")


class Problem(BaseModel):
    """RFC 9457 problem details, extended with ``errors``."""

    type: str = Field("about:blank", description="A URI reference naming the problem type.")
    title: str
    status: int
    detail: str | None = None
    errors: list[ProblemItem] = Field(default_factory=list)


class ApiProblem(Exception):
    """Raised by routes to answer with a problem document."""

    def __init__(self, status: int, title: str, detail: str | None = None,
                 slug: str | None = None, errors: list[ProblemItem] | None = None) -> None:
        super().__init__(title)
        self.problem = Problem(type=f"/problems/{slug}" if slug else "about:blank",
                               title=title, status=status, detail=detail, errors=errors or [])


class BodyTooLarge(Exception):
    """The request body exceeded :data:`MAX_BODY_BYTES`."""


def _printable(value: Any) -> Any:
    """Strings made encodable: a problem may echo the value given, and a lone surrogate
    in it (``"\\ud800"``) made the error response itself fail with a 500."""
    if isinstance(value, str):
        return value.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dict):
        return {_printable(k): _printable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_printable(v) for v in value]
    return value


def problem_response(problem: Problem, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(_printable(problem.model_dump()), status_code=problem.status,
                        media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def items_from_case_error(exc: CaseError) -> list[ProblemItem]:
    return [ProblemItem(field=p.field, value=p.value, message=p.message, solution=p.solution)
            for p in exc.problems]


def case_problem(exc: CaseError) -> Problem:
    items = items_from_case_error(exc)
    if isinstance(exc, CaseFormatError):
        return Problem(type="/problems/unreadable-case", title="The body is not a readable case",
                       status=400, detail="; ".join(str(p) for p in exc.problems), errors=items)
    noun = "problem" if len(items) == 1 else "problems"
    return Problem(type="/problems/invalid-case", title="The case has input problems",
                   status=422, detail=f"{len(items)} input {noun}; see errors[]", errors=items)


def _loc(parts: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for p in parts:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else str(p))
    return out


def _shown(value: Any) -> str | None:
    if value is None or isinstance(value, dict | list):
        return None
    return str(value)[:200]


async def _on_case_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, CaseError)
    return problem_response(case_problem(exc))


async def _on_api_problem(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiProblem)
    return problem_response(exc.problem)


async def _on_validation(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    items = []
    for err in exc.errors():
        expected = (err.get("ctx") or {}).get("expected")
        solution = None
        if expected:  # an enum or literal: the same "did you mean" as the Case reader's
            solution = choice_solution(err.get("input"), quoted_choices(str(expected))
                                       or [str(expected)])
        items.append(ProblemItem(field=_loc(err.get("loc", ())), value=_shown(err.get("input")),
                                 message=str(err.get("msg", "invalid")), solution=solution))
    return problem_response(Problem(type="/problems/invalid-request",
                                    title="The request parameters are not valid", status=422,
                                    detail="see errors[]", errors=items))


def _allowed(request: Request) -> str | None:
    """Every documented method at this path: Starlette's 405 names only the first route
    that matched the path, and a path served by a GET and a POST route has two."""
    from starlette.routing import compile_path

    path = request.url.path
    for template, ops in request.app.openapi().get("paths", {}).items():
        if compile_path(template)[0].match(path):
            return ", ".join(sorted(m.upper() for m in ops if m.isalpha() and m != "parameters"))
    return None


async def _on_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    headers = dict(exc.headers) if exc.headers else None
    if exc.status_code == 405 and headers and "Allow" in headers:
        headers["Allow"] = _allowed(request) or headers["Allow"]
    title = {404: "Not found", 405: "Method not allowed"}.get(exc.status_code, "HTTP error")
    detail = exc.detail if isinstance(exc.detail, str) else None
    return problem_response(Problem(title=title, status=exc.status_code, detail=detail),
                            headers)


def too_large_problem(limit: int = MAX_BODY_BYTES) -> Problem:
    return Problem(type="/problems/body-too-large", title="The request body is too large",
                   status=413, detail=f"the limit is {limit} bytes; a case is a few KB")


def _repeated_query_key(query: bytes) -> str | None:
    """The first query parameter given twice (``?top=a&top=b``), or None: no operation of
    the API takes a list in its query, and keeping only one value would drop data silently."""
    from urllib.parse import parse_qsl

    seen: set[str] = set()
    for key, _ in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
        if key in seen:
            return key[:60]
        seen.add(key)
    return None


class GuardMiddleware:
    """Request-size limit and last-resort handler; logs no bodies, no query strings."""

    def __init__(self, app: ASGIApp, max_body: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        repeated = _repeated_query_key(scope.get("query_string", b""))
        if repeated is not None:  # FastAPI would silently keep the last one
            await problem_response(Problem(
                type="/problems/invalid-request", title="The request parameters are not valid",
                status=422, detail="see errors[]", errors=[ProblemItem(
                    field=f"query.{repeated}", message="given more than once",
                    solution="give each query parameter once")]))(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length", b"")
        if length.isdigit() and int(length) > self.max_body:
            await problem_response(too_large_problem(self.max_body))(scope, receive, send)
            return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await problem_response(too_large_problem(self.max_body))(scope, receive, send)
        except Exception as exc:  # the last resort: no patient data in the log
            if not started:
                await unhandled(exc, scope)(scope, receive, send)
            else:
                unhandled(exc, scope)


def unhandled(exc: Exception, scope: Scope) -> JSONResponse:
    """Log an unexpected exception without request data; the 500 problem to answer with
    (when no response has started): the guard's last resort, and the fast lane's."""
    log.error("unhandled %s on %s %s", type(exc).__name__, scope.get("method"),
              scope.get("path"))
    return problem_response(Problem(
        type="/problems/internal", title="Internal error", status=500,
        detail="the error was logged without request data; please report it"))


def install_problem_handlers(app: FastAPI, max_body: int | None = None) -> None:
    app.add_exception_handler(CaseError, _on_case_error)
    app.add_exception_handler(ApiProblem, _on_api_problem)
    app.add_exception_handler(RequestValidationError, _on_validation)
    app.add_exception_handler(StarletteHTTPException, _on_http)
    app.add_middleware(GuardMiddleware, max_body=max_body or MAX_BODY_BYTES)


def problem_openapi(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for problem documents."""
    ref = {"$ref": "#/components/schemas/Problem"}
    names = {400: "Unreadable body", 401: "Missing or invalid CDS Hooks JWT",
             404: "Not found (or expired)", 413: "Body too large",
             415: "Unsupported media type",
             422: "Input problems (field, value, accepted values)", 503: "Unavailable"}
    return {s: {"description": names.get(s, "Problem"),
                "content": {PROBLEM_MEDIA_TYPE: {"schema": ref}}} for s in statuses}


def problem_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(json.dumps(Problem.model_json_schema(
        ref_template="#/components/schemas/{model}")))
    return schema


__all__ = ["ApiProblem", "Problem", "ProblemItem", "install_problem_handlers"]
