"""CDS Hooks client authentication: verify the JWT the EHR sends (CDS Hooks 2.0, Security).

Configured by environment variables (pydantic-settings, prefix ``DYSTONIA_CDS_HOOKS_``):
``JWKS_URL`` (a JWKS to fetch keys from by ``kid``) or ``PUBLIC_KEY`` (a PEM key),
``ISSUERS`` (comma-separated trusted ``iss`` values; empty: any), ``ALGORITHMS`` and
``BASE_URL`` (the public base URL when behind a proxy; default: the request's own).
The audience must be the URL of the service called; ``exp``, ``iat`` and ``jti`` are required
and a ``jti`` seen before (within its lifetime) is refused as a replay.

When neither a JWKS nor a key is configured, calls are accepted WITHOUT authentication —
suitable for local testing only; configure a key before exposing the service to an EHR.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import jwt
from fastapi import HTTPException, Request
from pydantic_settings import BaseSettings, SettingsConfigDict


class CdsHooksSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DYSTONIA_CDS_HOOKS_")

    jwks_url: str | None = None
    public_key: str | None = None
    issuers: str = ""
    algorithms: str = "ES384,RS384,ES256,RS256"
    base_url: str | None = None  # public base URL when behind a proxy (the JWT audience)

    @property
    def configured(self) -> bool:
        return bool(self.jwks_url or self.public_key)


class _Replay:
    """jti values seen, kept until their token expires."""

    def __init__(self) -> None:
        self._seen: dict[str, float] = {}
        self._lock = threading.Lock()

    def first_use(self, jti: str, exp: float) -> bool:
        now = time.time()
        with self._lock:
            self._seen = {k: v for k, v in self._seen.items() if v > now}
            if jti in self._seen:
                return False
            self._seen[jti] = exp
            return True


_replay = _Replay()
_jwks_clients: dict[str, jwt.PyJWKClient] = {}


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(status_code=401, detail=f"invalid or missing CDS Hooks JWT: {reason}",
                         headers={"WWW-Authenticate": "Bearer"})


def _key(settings: CdsHooksSettings, token: str) -> Any:
    if settings.public_key:
        return settings.public_key
    url = settings.jwks_url or ""
    client = _jwks_clients.setdefault(url, jwt.PyJWKClient(url))
    return client.get_signing_key_from_jwt(token).key


def verify_request(request: Request) -> None:
    """Raise 401 unless the request carries a valid client JWT (when auth is configured).

    Settings: ``app.state.cds_hooks_settings`` when set, else the environment.
    """
    settings = getattr(request.app.state, "cds_hooks_settings", None) or CdsHooksSettings()
    if not settings.configured:
        return
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        raise _unauthorized("no bearer token")
    token = header[7:].strip()
    base = settings.base_url.rstrip("/") if settings.base_url else str(request.base_url)[:-1]
    audience = base + request.url.path
    try:
        claims = jwt.decode(
            token, _key(settings, token), algorithms=settings.algorithms.split(","),
            audience=audience, options={"require": ["iss", "aud", "exp", "iat", "jti"]})
    except (jwt.PyJWTError, ValueError) as exc:
        raise _unauthorized(str(exc)) from None
    issuers = [i.strip() for i in settings.issuers.split(",") if i.strip()]
    if issuers and claims["iss"] not in issuers:
        raise _unauthorized("untrusted issuer")
    if not _replay.first_use(str(claims["jti"]), float(claims["exp"])):
        raise _unauthorized("jti already used")
