"""Fetch missing CDS Hooks prefetch from the EHR's FHIR server — only a trusted one.

Why so guarded: ``fhirServer`` and ``fhirAuthorization`` come from the request. Fetching any
URL given made the service an SSRF proxy into the hospital network that also handed the
bearer token to whoever named the URL; an unencoded ``patientId`` (``../../admin?x=``)
escaped the FHIR base; a 21 MB reply stalled the server; a non-JSON reply was a 500. So:

- the FHIR base must equal an entry of ``DYSTONIA_CDS_HOOKS_FHIR_SERVERS`` (comma-
  separated; an entry ``ISS URL`` is allowed only for a verified token from that ``iss``,
  a bare ``URL`` for any caller) — compared exactly, after normalising, never by prefix;
- the patient id must be a FHIR id (``[A-Za-z0-9.-]{1,64}``) and is percent-encoded anyway;
- redirects are not followed; each reply is capped in bytes and the whole fetch in time;
- the reply is parsed with the same limits as any other input.

Every failure is a :class:`FetchError` whose message is safe to show in a card (it names
the problem, never the token or the reply).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from dystonia_cds.api._cds_auth import CdsHooksSettings
from dystonia_cds.errors import CaseError
from dystonia_cds.intake import parse_json

MAX_REPLY_BYTES = 4 * 1024 * 1024
"""Largest FHIR reply read (a patient's conditions, medications and procedures)."""
FETCH_SECONDS = 10.0
"""Time for all the fetches of one hook call together."""
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


class FetchError(Exception):
    """The prefetch could not be completed; the message is shown in the card."""


def normalise_base(url: str) -> str | None:
    """``scheme://host[:port]/path`` without a trailing slash, or None if not a plain URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return None
    if parts.username or parts.password or parts.query or parts.fragment:
        return None
    default = {"http": 80, "https": 443}[parts.scheme]
    netloc = parts.hostname.lower() + (f":{port}" if port and port != default else "")
    return f"{parts.scheme}://{netloc}{parts.path.rstrip('/')}"


def allowed_servers(settings: CdsHooksSettings, iss: str | None) -> set[str]:
    """The FHIR bases this caller may have fetched from."""
    out: set[str] = set()
    for entry in settings.fhir_servers.split(","):
        words = entry.split()
        if len(words) == 1:
            base = normalise_base(words[0])
        elif len(words) == 2 and iss is not None and words[0] == iss:
            base = normalise_base(words[1])
        else:
            continue
        if base:
            out.add(base)
    return out


def check_server(fhir_server: str, settings: CdsHooksSettings, iss: str | None) -> str:
    """The normalised base of an allowed ``fhirServer``, or FetchError."""
    base = normalise_base(fhir_server)
    if base is None:
        raise FetchError("the fhirServer is not a plain http(s) URL")
    if base not in allowed_servers(settings, iss):
        raise FetchError("the fhirServer is not on this service's allow-list "
                         "(DYSTONIA_CDS_HOOKS_FHIR_SERVERS)")
    return base


def patient_path(patient: Any) -> str:
    """The patient id, checked as a FHIR id and percent-encoded for a URL path or query."""
    if not isinstance(patient, str) or not _FHIR_ID.match(patient):
        raise FetchError("context.patientId is not a FHIR id ([A-Za-z0-9.-], 1-64 characters)")
    return quote(patient, safe="")


async def _get(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    async with client.stream("GET", url) as resp:
        if resp.status_code != 200:
            raise FetchError(f"the FHIR server answered {resp.status_code}")
        declared = resp.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > MAX_REPLY_BYTES:
            raise FetchError(f"the FHIR reply is over {MAX_REPLY_BYTES} bytes")
        body = bytearray()
        async for chunk in resp.aiter_bytes():
            body += chunk
            if len(body) > MAX_REPLY_BYTES:
                raise FetchError(f"the FHIR reply is over {MAX_REPLY_BYTES} bytes")
    try:
        data = parse_json(bytes(body).decode("utf-8"))
    except (UnicodeDecodeError, CaseError):
        raise FetchError("the FHIR reply is not readable JSON") from None
    if not isinstance(data, dict) or "resourceType" not in data:
        raise FetchError("the FHIR reply is not a FHIR resource")
    return data


async def fetch_missing(
    missing: dict[str, str], fhir_server: str, token: Any, patient: Any,
    settings: CdsHooksSettings, iss: str | None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> dict[str, Any]:
    """Fetch each missing prefetch key from the allowed FHIR server; FetchError on any
    failure (the caller shows a "no prefetch" card)."""
    base = check_server(fhir_server, settings, iss)
    pid = patient_path(patient)
    headers = {"Accept": "application/fhir+json"}
    if isinstance(token, str) and token and token.isascii() and token.isprintable():
        headers["Authorization"] = f"Bearer {token}"
    out: dict[str, Any] = {}
    timeout = httpx.Timeout(5.0, connect=3.0)
    try:
        async with asyncio.timeout(FETCH_SECONDS):
            async with httpx.AsyncClient(timeout=timeout, headers=headers,
                                         follow_redirects=False, transport=transport,
                                         trust_env=False) as client:
                for key, template in missing.items():
                    url = f"{base}/{template.replace('{{context.patientId}}', pid)}"
                    out[key] = await _get(client, url)
    except TimeoutError:
        raise FetchError(f"the FHIR server did not answer within {FETCH_SECONDS:g} s") from None
    except httpx.HTTPError as exc:
        raise FetchError(f"the FHIR server could not be reached ({type(exc).__name__})") from None
    return out
