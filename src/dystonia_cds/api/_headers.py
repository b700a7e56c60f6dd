"""Security headers on every response, and report links kept out of the access log.

Why a middleware of our own: the pages, the JSON API, the problem documents written by the
guard middleware and the CDS Hooks routes must all carry the same headers, including
responses no route produced (413, 500). Patient data is in every response to a POST (an
Assessment, a report, a card) and in CDS report links, so those are ``no-store``: a
shared browser, a proxy or the back button must not keep them.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
"""No inline script anywhere; inline style stays (the report is one self-contained file
for the CLI and the PDF too, so its stylesheet is inlined)."""
_COMMON = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"no-referrer"),
           (b"x-frame-options", b"DENY"),
           (b"permissions-policy", b"camera=(), microphone=(), geolocation=()")]
REPORTS = "/cds-services/reports/"


class SecurityHeadersMiddleware:
    """Adds CSP, nosniff, Referrer-Policy, frame denial, and ``no-store`` where patient
    data may be in the response; headers a route set itself are kept."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))
        csp = CSP  # /docs too: its Swagger UI is served locally (api/_docs.py)
        patient_data = scope.get("method") == "POST" or path.startswith(REPORTS)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": secured(message.get("headers", []),
                                                         patient_data, csp)}
            await send(message)

        await self.app(scope, receive, with_headers)


def secured(headers: Iterable[tuple[bytes, bytes]], patient_data: bool, csp: str = CSP
            ) -> list[tuple[bytes, bytes]]:
    """``headers`` with the security headers after them, those already there kept (the
    middleware's work on a response start; the assessment's fast lane calls it too)."""
    out = list(headers)
    have = {k.lower() for k, _ in out}
    extra = [*_COMMON, (b"content-security-policy", csp.encode())]
    if patient_data:
        extra.append((b"cache-control", b"no-store"))
    out += [(k, v) for k, v in extra if k not in have]
    return out


class RedactReportLinks(logging.Filter):
    """Replace the secret key of a CDS report link, and any query string, in access-log
    lines: whoever reads the log must not be able to open the report."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path = args[2].split("?", 1)[0]
            if path.startswith(REPORTS):
                path = REPORTS + "<redacted>"
            record.args = (*args[:2], path, *args[3:])
        return True


def redact_access_log() -> None:
    """Install :class:`RedactReportLinks` on uvicorn's access logger (once per process)."""
    logger = logging.getLogger("uvicorn.access")
    if not any(isinstance(f, RedactReportLinks) for f in logger.filters):
        logger.addFilter(RedactReportLinks())
