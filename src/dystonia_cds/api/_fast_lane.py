"""POST /v1/assess without FastAPI's per-request machinery, when nothing needs it.

Why: on a small case, routing, dependency solving (the app-wide unknown-parameter guard,
the two query parameters validated one by one) and the exception middleware's wrapping cost
about a fifth of the whole request (callgrind, in-process ASGI); the middleware layers
around them (Starlette's error handler, FastAPI's telemetry check and body limit, our
security headers and guard) another 7 %. The lane answers only a request it fully
understands: exactly POST /v1/assess, with at most the two declared query parameters and
values the route would take as they are, and a Content-Length within the guard's limit.
Everything else — a typo in a parameter, a value to refuse, a chunked body, any other path
— goes on to the FastAPI stack unchanged, which answers (or refuses) it as it always did.

Two entries: :class:`LaneApp` (the application class) answers such a request before any
middleware, doing itself what the guard and the security headers would (the size limit,
the last-resort 500, the same headers in the same order); when FastAPI's telemetry is
configured it leaves the request to the stack, where :class:`AssessFastLane`, inside the
guard and the headers, skips the router alone. The answer is the route's own
(:func:`routes_assess.assess_bytes`, the problem documents of api/problems.py).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from dystonia_cds.api._headers import secured
from dystonia_cds.api.problems import (
    MAX_BODY_BYTES,
    ApiProblem,
    BodyTooLarge,
    case_problem,
    problem_response,
    too_large_problem,
    unhandled,
)
from dystonia_cds.api.routes_assess import AUDIENCES, NO_STORE, assess_bytes, assess_response
from dystonia_cds.errors import CaseError

PATH = "/v1/assess"
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
        if key == "audience" and value in AUDIENCES:
            audience = value
        elif key == "questions" and value in _BOOLEANS:
            questions = _BOOLEANS[value]
        else:
            return None
    return audience, questions


def _plain_post(scope: Scope) -> tuple[str, bool] | None:
    if (scope["type"] == "http" and scope.get("method") == "POST"
            and scope.get("path") == PATH and not scope.get("root_path")):
        return _options(scope.get("query_string", b""))
    return None


class AssessFastLane:
    """ASGI middleware: the plain POST /v1/assess, answered without the router (inside the
    guard and the security headers: the path when FastAPI's telemetry is on)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        options = _plain_post(scope)
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


def _ok_headers() -> list[tuple[bytes, bytes]]:
    """The 200 answer's headers as the stack sends them: the route's Response, then the
    security headers — made from those very objects, so a new Starlette cannot make the
    lane's differ; the content length (the value of ``b"content-length"``) is filled in."""
    return secured(Response(b"", media_type="application/json", headers=NO_STORE).raw_headers,
                   patient_data=True)


class LaneApp(FastAPI):
    """The application: FastAPI, with the plain POST /v1/assess answered before its
    middleware stack (module docstring). ``lane_max_body``: the guard's size limit."""

    lane_max_body: int = MAX_BODY_BYTES
    _lane_headers: list[tuple[bytes, bytes]] | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        options = _plain_post(scope)
        if options is None or self.root_path or self._telemetry_on():
            await super().__call__(scope, receive, send)
            return
        content_type: bytes | None = None
        length: bytes | None = None
        for key, value in scope.get("headers") or ():
            if key == b"content-type":
                content_type = value
            elif key == b"content-length":
                length = value
            elif key == b"transfer-encoding":
                length = None
                break
        if length is None or not length.isdigit() or int(length) > self.lane_max_body:
            await super().__call__(scope, receive, send)  # the guard answers or reads it
            return
        scope["app"] = self
        await self._answer(scope, receive, send, options,
                           None if content_type is None else content_type.decode("latin-1"))

    def _telemetry_on(self) -> bool:
        telemetry = getattr(self, "_native_telemetry", None)
        return telemetry is not None and bool(telemetry.enabled())

    async def _answer(self, scope: Scope, receive: Receive, send: Send,
                      options: tuple[str, bool], media: str | None) -> None:
        try:
            body = await self._body(receive)
            data = await assess_bytes(body, media, self.state.kb, *options)
        except BodyTooLarge:
            await _secured(problem_response(too_large_problem(self.lane_max_body)), scope,
                           receive, send)
        except CaseError as exc:  # as api/problems.py's handlers answer them
            await _secured(problem_response(case_problem(exc)), scope, receive, send)
        except ApiProblem as exc:
            await _secured(problem_response(exc.problem), scope, receive, send)
        except Exception as exc:  # the guard's last resort (a client gone too: logged)
            await _secured(unhandled(exc, scope), scope, receive, send)
        else:
            if self._lane_headers is None:
                self._lane_headers = _ok_headers()
            length = str(len(data)).encode("latin-1")
            headers = [(k, length if k == b"content-length" else v)
                       for k, v in self._lane_headers]
            await send({"type": "http.response.start", "status": 200, "headers": headers})
            await send({"type": "http.response.body", "body": data})

    async def _body(self, receive: Receive) -> bytes:
        """The whole body, within the size limit. A client gone before it was read raises
        :class:`ClientDisconnect`, as ``Request.body()`` does on the route's path, so the
        last resort logs it the same way there and here (the method and path, nothing of
        the request): a dropped request must not vanish without a trace."""
        chunks: list[bytes] = []
        seen = 0
        while True:
            message: Message = await receive()
            if message["type"] == "http.disconnect":
                raise ClientDisconnect  # as Request.body(): logged, no request data
            chunk = message.get("body", b"")
            seen += len(chunk)
            if seen > self.lane_max_body:
                raise BodyTooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)


async def _secured(response: Response, scope: Scope, receive: Receive, send: Send) -> None:
    async def with_headers(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": secured(message.get("headers", []), True)}
        await send(message)

    await response(scope, receive, with_headers)
