"""CDS Hooks client authentication: verify the JWT the EHR sends (CDS Hooks 2.0, Security).

Configured by environment variables (pydantic-settings, prefix ``DYSTONIA_CDS_HOOKS_``):

- ``JWKS_URL`` (a JWKS to fetch keys from by ``kid``; the token's own ``jku`` is never
  followed) or ``PUBLIC_KEY`` (one PEM key; ``KEY_ID``, when set, must equal the ``kid``).
  Every token must carry a ``kid`` in its header, as CDS Hooks 2.0 requires, with either;
- ``ISSUERS`` (comma-separated trusted ``iss`` values; empty: any);
- ``ALGORITHMS`` (asymmetric only; ``none`` and HMAC are never accepted);
- ``BASE_URL`` — **required with a key**: the public base URL of this service. The audience
  must be that URL plus the path of the service called. Why never the request's Host
  header: the caller controls it, so a token minted for ``evil.test`` was accepted when
  sent with ``Host: evil.test``;
- ``MAX_LIFETIME`` (seconds, default 300: ``exp - iat`` above it is refused; the spec
  recommends 5 minutes, and a token valid for 80 years is a stolen token forever);
- ``REPLAY_DB`` (an SQLite file shared by all worker processes for ``jti`` replay
  protection; without it replay protection is per process and ``serve`` refuses to start
  several workers with JWT switched on);
- ``REPORT_DB`` (an SQLite file shared by all worker processes for the reports behind card
  links, see :mod:`dystonia_cds.api._cds_reports`; defaults to ``REPLAY_DB``, one file for
  both; without either, reports stay in the app's memory);
- ``FHIR_SERVERS`` (see :mod:`dystonia_cds.api._cds_fetch`).

``exp``, ``iat`` and ``jti`` are required and a ``jti`` seen before (within its lifetime)
is refused as a replay. Every failure is a 401 with the reason — never a 500, whatever the
token holds (an ``ES384`` header on an unsigned token made PyJWT raise a TypeError).

When neither a JWKS nor a key is configured, calls are accepted WITHOUT authentication —
suitable for local testing only; ``serve`` refuses to listen on a non-loopback address in
that state unless ``--insecure`` is given.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from typing import Any

import jwt
from fastapi import HTTPException, Request
from pydantic_settings import BaseSettings, SettingsConfigDict

LEEWAY_SECONDS = 30
"""Clock skew tolerated between the EHR and this service."""


class CdsHooksSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DYSTONIA_CDS_HOOKS_")

    jwks_url: str | None = None
    public_key: str | None = None
    key_id: str | None = None
    issuers: str = ""
    algorithms: str = "ES384,RS384,ES256,RS256"
    base_url: str | None = None  # public base URL of the service (the JWT audience)
    max_lifetime: int = 300
    replay_db: str | None = None
    report_db: str | None = None
    fhir_servers: str = ""

    @property
    def reports_file(self) -> str | None:
        """The SQLite file for card reports shared by workers (``report_db``, else the
        replay file), or None: the app's memory."""
        return self.report_db or self.replay_db

    @property
    def configured(self) -> bool:
        return bool(self.jwks_url or self.public_key)

    def allowed_algorithms(self) -> list[str]:
        names = [a.strip() for a in self.algorithms.split(",") if a.strip()]
        return [a for a in names if a[:2] in {"ES", "RS", "PS"} or a == "EdDSA"]


class _Replay:
    """jti values seen, kept until their token expires (this process only)."""

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


class SqliteReplay:
    """jti values seen by any worker process, in one SQLite file (atomic INSERT)."""

    def __init__(self, path: str) -> None:
        self.path = path
        with self._connect() as db:
            db.execute("CREATE TABLE IF NOT EXISTS jti (id TEXT PRIMARY KEY, exp REAL)")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=5.0, isolation_level=None)

    def first_use(self, jti: str, exp: float) -> bool:
        db = self._connect()
        try:
            db.execute("DELETE FROM jti WHERE exp < ?", (time.time() - LEEWAY_SECONDS,))
            try:
                db.execute("INSERT INTO jti (id, exp) VALUES (?, ?)", (jti, exp))
            except sqlite3.IntegrityError:
                return False
            return True
        finally:
            db.close()


_replay = _Replay()
_sqlite_replays: dict[str, SqliteReplay] = {}
_jwks_clients: dict[str, jwt.PyJWKClient] = {}


def _replay_store(settings: CdsHooksSettings) -> _Replay | SqliteReplay:
    if not settings.replay_db:
        return _replay
    store = _sqlite_replays.get(settings.replay_db)
    if store is None:
        store = _sqlite_replays.setdefault(settings.replay_db, SqliteReplay(settings.replay_db))
    return store


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(status_code=401, detail=f"invalid or missing CDS Hooks JWT: {reason}",
                         headers={"WWW-Authenticate": "Bearer"})


def _key(settings: CdsHooksSettings, token: str, header: dict[str, Any]) -> Any:
    """The verification key. A ``kid`` is required with a static key too: the spec asks
    every client to send one, and a token without it was accepted before (issue 16)."""
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise _unauthorized("the JWT header has no kid (CDS Hooks requires one)")
    if settings.public_key:
        if settings.key_id and kid != settings.key_id:
            raise _unauthorized("unknown kid")
        return settings.public_key
    url = settings.jwks_url or ""
    client = _jwks_clients.setdefault(url, jwt.PyJWKClient(url, timeout=5))
    return client.get_signing_key(kid).key


def verify_request(request: Request) -> dict[str, Any] | None:
    """Raise 401 unless the request carries a valid client JWT (when auth is configured).

    Returns the verified claims (also kept on ``request.state.cds_claims``; the FHIR fetch
    binds the allowed FHIR server to the token's ``iss``), or None when auth is off.
    Settings: ``app.state.cds_hooks_settings`` when set, else the environment.
    """
    settings = cds_settings(request)
    request.state.cds_claims = None
    if not settings.configured:
        return None
    if not settings.base_url:
        raise HTTPException(status_code=503, detail=(
            "CDS Hooks JWT verification is configured without DYSTONIA_CDS_HOOKS_BASE_URL; "
            "the audience cannot be checked, so no call is accepted"))
    header = request.headers.get("authorization", "")
    if not header.lower().startswith("bearer "):
        raise _unauthorized("no bearer token")
    token = header[7:].strip()
    audience = settings.base_url.rstrip("/") + request.url.path
    try:
        unverified = jwt.get_unverified_header(token)
        if unverified.get("alg") not in settings.allowed_algorithms():
            raise _unauthorized("algorithm not accepted")
        claims: dict[str, Any] = jwt.decode(
            token, _key(settings, token, unverified), algorithms=settings.allowed_algorithms(),
            audience=audience, leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "jti"]})
    except HTTPException:
        raise
    except Exception as exc:  # PyJWT lets TypeError/ValueError escape on malformed tokens
        reason = str(exc) if isinstance(exc, jwt.PyJWTError) else "malformed token"
        raise _unauthorized(reason[:200]) from None
    _check_claims(claims, settings)
    request.state.cds_claims = claims
    return claims


def _check_claims(claims: dict[str, Any], settings: CdsHooksSettings) -> None:
    issuers = [i.strip() for i in settings.issuers.split(",") if i.strip()]
    if issuers and claims["iss"] not in issuers:
        raise _unauthorized("untrusted issuer")
    try:
        iat, exp = float(claims["iat"]), float(claims["exp"])
    except (TypeError, ValueError):
        raise _unauthorized("iat and exp must be numbers") from None
    if iat > time.time() + LEEWAY_SECONDS:
        raise _unauthorized("iat is in the future")
    if exp - iat > settings.max_lifetime:
        raise _unauthorized(f"token lifetime over {settings.max_lifetime} seconds")
    jti = claims["jti"]
    if not isinstance(jti, str) or not jti or len(jti) > 256:
        raise _unauthorized("jti must be a non-empty string")
    if not _replay_store(settings).first_use(jti, exp):
        raise _unauthorized("jti already used")


def cds_settings(request: Request) -> CdsHooksSettings:
    """The app's settings (tests set ``app.state.cds_hooks_settings``), else the environment."""
    settings = getattr(request.app.state, "cds_hooks_settings", None)
    return settings if isinstance(settings, CdsHooksSettings) else CdsHooksSettings()
