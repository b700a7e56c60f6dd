"""How the HTTP interfaces reach the registry: open it once per app, find who is calling,
and turn registry errors into problem documents.

Why lazily: the registry opens (and migrates) its database on first use, so an app that
never touches ``/v1/cases`` — a test, a CDS Hooks-only deployment — never creates a file,
and ``dystonia-cds serve`` needs nothing started by hand. Why bearer tokens *and* a cookie:
programs send ``Authorization: Bearer``; the web pages keep the same token in an HttpOnly,
SameSite=Strict cookie set by the sign-in form.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dystonia_cds.api.problems import ApiProblem, ProblemItem

if TYPE_CHECKING:
    from dystonia_cds.registry import Principal, Registry

log = logging.getLogger("dystonia_cds.api")
COOKIE = "dcr_token"
bearer = HTTPBearer(auto_error=False, description="A registry API token "
                    "(`dystonia-cds registry account NAME --role ROLE` prints one).")
_lock = threading.Lock()


def registry_of(app: Any) -> Registry:
    """The app's registry, opened on first use (503 when it cannot be)."""
    reg: Registry | None = getattr(app.state, "registry", None)
    if reg is not None:
        return reg
    with _lock:
        reg = getattr(app.state, "registry", None)
        if reg is None:
            try:
                from sqlalchemy.exc import SQLAlchemyError

                from dystonia_cds.registry import Registry
            except ImportError:
                raise ApiProblem(503, "The registry is not installed", slug="no-registry",
                                 detail="install the registry extra: "
                                 "pip install 'dystonia-cds[registry]'") from None
            try:
                reg = Registry.open(kb=app.state.kb)
            except SQLAlchemyError as exc:
                log.error("registry: cannot open the database (%s)", type(exc).__name__)
                raise ApiProblem(503, "The registry database is unavailable",
                                 slug="registry-unavailable") from None
            except ValueError as exc:  # a deployment setting (DYSTONIA_CDS_TOKEN_DAYS)
                log.error("registry: bad setting: %s", exc)
                raise ApiProblem(503, "The registry is misconfigured",
                                 slug="registry-unavailable", detail=str(exc)) from None
            app.state.registry = reg
    return reg


def origin(request: Request) -> str:
    client = request.client
    return f"http:{client.host}" if client else "http:unknown"


def _principal(request: Request, token: str | None) -> Principal:
    if not token:
        raise ApiProblem(401, "Authentication required", slug="unauthenticated",
                         detail="send Authorization: Bearer <registry API token>")
    reg = registry_of(request.app)
    from dystonia_cds.registry import TokenExpired

    try:
        who = reg.principal(token, origin(request))
    except TokenExpired as exc:
        raise ApiProblem(401, "Token expired", slug="token-expired", detail=str(exc)) from None
    if who is None:
        raise ApiProblem(401, "Invalid or revoked token", slug="unauthenticated")
    return who


def api_principal(request: Request, creds: Annotated[
        HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Principal:
    """The caller of a ``/v1`` registry route (bearer token)."""
    return _principal(request, creds.credentials if creds else None)


def page_principal(request: Request) -> Principal | None:
    """The signed-in user of a web page (cookie), or None."""
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    try:
        return _principal(request, token)
    except ApiProblem as exc:
        request.state.token_expired = exc.problem.type == "/problems/token-expired"
        return None


@contextmanager
def registry_problems() -> Iterator[None]:
    """Registry exceptions → RFC 9457 problems (no patient data in the message)."""
    from sqlalchemy.exc import SQLAlchemyError

    from dystonia_cds.registry import Forbidden, NotFound, RegistryError, VersionConflict

    try:
        yield
    except Forbidden as exc:
        raise ApiProblem(403, "Not allowed", slug="forbidden", detail=str(exc)) from None
    except NotFound:
        raise ApiProblem(404, "Not found", slug="not-found",
                         detail="no such case, version or assessment") from None
    except VersionConflict as exc:
        raise ApiProblem(412, "The case has changed", slug="version-conflict",
                         detail=f"the current version is {exc.current}; reload it, reapply "
                         "your edit and send If-Match with its ETag",
                         errors=[ProblemItem(field="If-Match", message="stale version",
                                             solution=f"the current ETag is of version "
                                             f"{exc.current}")]) from None
    except RegistryError as exc:
        raise ApiProblem(400, "Registry request refused", detail=str(exc)) from None
    except SQLAlchemyError as exc:
        log.error("registry: database error %s", type(exc).__name__)
        raise ApiProblem(503, "The registry database is unavailable",
                         slug="registry-unavailable") from None
