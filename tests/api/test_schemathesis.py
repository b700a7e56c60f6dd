"""Schemathesis against the app's own OpenAPI document, in-process (ASGI), every check on.

Every operation — the JSON API, the registry (/v1/cases, with a token), the CDS Hooks
service — is called with generated valid and invalid data, and every built-in check runs:
no 5xx, status codes, content types, headers, Allow on 405, response bodies, schema-valid
data accepted (``positive_data_acceptance``), schema-violating data rejected
(``negative_data_rejection``), missing headers, unsupported methods, auth not ignored, and
the stateful checks along the document's links (a stored case → its pages).

One check is configured, not left out: for the operations that read *free text as a
time* or *a Case, whose facts must agree with each other* (``GET /v1/time``,
``POST /v1/assess``, ``POST /v1/cases``, ``PUT /v1/cases/{case_id}``),
``positive_data_acceptance`` also accepts 422. JSON Schema can say "a string", "a date" or
"HP: and seven digits", but not "a date before the onset", "an onset no later than the
current age", "an id the shipped HPO release has" or "words a duration parser
understands"; the 422 problem document names the field, the value and what is accepted.
The PUT also accepts 412: a generated If-Match is a well-formed ETag, but not the current one.
Everything else the service enforces is in the document (``api/_openapi``):
the knowledge base's feature words and region words as enums, plain-JSON limits (no NUL,
bounded strings and integers) on the CDS Hooks ``context``/``prefetch``, strict numbers,
``context.patientId`` required.

Bounded for CI by ``DYSTONIA_SCHEMATHESIS_EXAMPLES`` (default 25 per operation: the whole
file, 22 items, took 4.5 CPU-minutes and 12 min wall on the shared 2-core machine on
2026-12-02, peak RSS 6.8 GB); ``bench/schemathesis.py`` runs it longer.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is not installed")
pytest.importorskip("jwt", reason="the CDS Hooks service needs the standards extra")
pytest.importorskip("sqlalchemy", reason="the registry extra is not installed")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import CHECKS, load_all_checks  # noqa: E402
from schemathesis.config import SchemathesisConfig  # noqa: E402

from dystonia_cds import load_knowledge  # noqa: E402
from dystonia_cds.api import create_app  # noqa: E402
from dystonia_cds.registry import Registry, RegistrySettings, local_admin  # noqa: E402

EXAMPLES = int(os.environ.get("DYSTONIA_SCHEMATHESIS_EXAMPLES", "25"))
load_all_checks()
ALL_CHECKS = CHECKS.get_all()
REGISTRY = ("/v1/cases", "/v1/registry", "/v1/audit")

_TMP = tempfile.TemporaryDirectory(prefix="dystonia-schemathesis-")
KB = load_knowledge()
APP = create_app(KB)
APP.state.registry = Registry(RegistrySettings(
    url=f"sqlite:///{Path(_TMP.name) / 'registry.db'}"), KB)
TOKEN = APP.state.registry.add_account(local_admin("schemathesis"), "schemathesis", "admin")
AUTH = {"Authorization": f"Bearer {TOKEN}"}
TEXT_AND_FACTS = {"checks": {"positive_data_acceptance": {
    "expected-statuses": ["2xx", "3xx", "401", "403", "404", "409", "422", "429"]}}}
# The token through schemathesis' own auth (the document's HTTPBearer scheme), not a header
# forced onto every call: so it knows a call is authorised, removes the token itself for
# ``ignored_auth``, and a generated "missing Authorization" case is really sent without it.
CONFIG = SchemathesisConfig.from_dict({"auth": {"openapi": {"HTTPBearer": {"bearer": TOKEN}}},
                                       "operations": [
    {"include-path": "/v1/time", **TEXT_AND_FACTS},
    {"include-path": "/v1/assess", **TEXT_AND_FACTS},
    {"include-path": "/v1/cases", "include-method": "POST", **TEXT_AND_FACTS},
    {"include-path": "/v1/cases/{case_id}", "include-method": "PUT", "checks": {
        "positive_data_acceptance": {"expected-statuses": [  # 412: an ETag, but a stale one
            *TEXT_AND_FACTS["checks"]["positive_data_acceptance"]["expected-statuses"],
            "412"]},
        # a stale If-Match is refused (412) before the body is read: a rejection too
        "negative_data_rejection": {"expected-statuses": [
            "400", "401", "403", "404", "405", "406", "409", "412", "415", "422", "428",
            "429", "5xx"]},
        # RFC 6585: a missing If-Match is 428 Precondition Required, not a generic 400
        "missing_required_header": {"expected-statuses": [
            "400", "401", "403", "406", "415", "422", "428"]}}},
]})
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)


def _headers(path: str) -> dict[str, str] | None:
    return AUTH if path.startswith(REGISTRY) else None


def test_every_check_is_on() -> None:
    names = {c.__name__ for c in ALL_CHECKS}
    assert {"not_a_server_error", "positive_data_acceptance", "negative_data_rejection",
            "use_after_free", "ensure_resource_availability", "ignored_auth",
            "missing_required_header", "unsupported_method"} <= names


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_api_conforms(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=ALL_CHECKS)


StateMachine = schema.as_state_machine()


class APIWorkflow(StateMachine):  # type: ignore[misc,valid-type]
    """Stored cases followed along the document's links (GET, PUT with its ETag,
    history, assessments), every check on each step."""

    def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, object]:
        return {"headers": _headers(case.path) or {}}

    def validate_response(self, response: object, case: schemathesis.Case,
                          **kwargs: object) -> None:
        case.validate_response(response, checks=ALL_CHECKS,  # type: ignore[arg-type]
                               headers=_headers(case.path))


TestAPIWorkflow = APIWorkflow.TestCase
TestAPIWorkflow.settings = settings(max_examples=max(EXAMPLES // 5, 3),
                                    stateful_step_count=6, deadline=None,
                                    derandomize=True, database=None,
                                    suppress_health_check=list(HealthCheck))
