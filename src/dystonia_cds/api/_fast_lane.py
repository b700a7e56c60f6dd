"""POST /v1/assess without FastAPI's per-request machinery, when nothing needs it.

Why: on a small case, routing, dependency solving (the app-wide unknown-parameter guard,
the two query parameters validated one by one) and the exception middleware's wrapping cost
about a fifth of the whole request (callgrind, in-process ASGI). The lane sits inside the
security-header and guard middlewares (so the size limit, the 500 guard and the headers
apply as before) and answers only a request it fully understands: exactly POST
/v1/assess, with at most the two declared query parameters and values the route would take
as they are. Everything else — a typo in a parameter, a value to refuse, any other path —
goes on to the FastAPI route unchanged, which answers (or refuses) it as it always did.
The answer is the route's own: :func:`routes_assess.assess_response`, and the problem
documents of api/problems.py for a case that cannot be read or assessed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from dystonia_cds.api.problems import ApiProblem, case_problem, problem_response
from dystonia_cds.api.routes_assess import assess_response
from dystonia_cds.errors import CaseError

PATH = "/v1/assess"
_AUDIENCES = frozenset({"clinician", "patient"})
_BOOLEANS = {"true": True, "false": False}  # the spellings the lane takes; others: the route


def _options(query: bytes) -> tuple[str, bool] | None:
    """(audience, questions) when the query string holds nothing but those two, spelled
    plainly; None sends the request to the route (which validates and words any problem)."""
    audience, questions = "clinician", False
    if not query:
        return audience, questions
    try:
        pairs = parse_qsl(query.decode("ascii"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        return None
    seen: set[str] = set()
    for key, value in pairs:
        if key in seen:
            return None
        seen.add(key)
        if key == "audience" and value in _AUDIENCES:
            audience = value
        elif key == "questions" and value in _BOOLEANS:
            questions = _BOOLEANS[value]
        else:
            return None
    return audience, questions


class AssessFastLane:
    """ASGI middleware: the plain POST /v1/assess, answered without the router."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        options = None
        if (scope["type"] == "http" and scope.get("method") == "POST"
                and scope.get("path") == PATH and not scope.get("root_path")):
            options = _options(scope.get("query_string", b""))
        if options is None:
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive)
        app: Any = scope["app"]
        try:
            response = await assess_response(
                await request.body(), request.headers.get("content-type"), app.state.kb,
                *options)
        except CaseError as exc:  # as api/problems.py's handlers answer them
            response = problem_response(case_problem(exc))
        except ApiProblem as exc:
            response = problem_response(exc.problem)
        await response(scope, receive, send)
