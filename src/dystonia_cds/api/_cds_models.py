"""The CDS Hooks 2.0 request body, as the service reads it (pydantic, at the boundary).

Why a module of its own: the models are the contract the OpenAPI document states
(``_openapi`` refines their free-form parts), and ``cds_hooks`` holds the routes.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from dystonia_cds.api._openapi import NO_NUL
from dystonia_cds.intake import MAX_INT_DIGITS, MAX_STRING_CHARS

__all__ = ["FhirAuthorization", "HookRequest", "PlainText"]

PlainText = Annotated[str, StringConstraints(max_length=MAX_STRING_CHARS, pattern=NO_NUL)]
"""Text within the input limits (``_input_safety``): no NUL, at most 100,000 characters."""


class FhirAuthorization(BaseModel):
    """The OAuth 2.0 token the CDS client grants for its FHIR server (CDS Hooks 2.0,
    "Passing the Access Token to the CDS Service"): every member the spec marks REQUIRED is
    required here, so a call with half a grant is refused (422) rather than fetched with.
    Other members are kept as plain data (bounded like the rest of the call). Strict: a
    lifetime of ``"300"`` or ``300.5`` is not an integer."""

    model_config = ConfigDict(extra="allow", strict=True)

    access_token: Annotated[PlainText, Field(min_length=1)]
    token_type: Annotated[str, Field(pattern="^[Bb][Ee][Aa][Rr][Ee][Rr]$", description=(
        "Bearer (RFC 6749: matched without regard to case)"))]
    expires_in: Annotated[int, Field(ge=0, lt=10 ** MAX_INT_DIGITS)]
    scope: PlainText
    subject: PlainText
    patient: PlainText | None = Field(None, description=(
        "The patient a patient/ scope is restricted to (CONDITIONAL in the spec)."))


class HookRequest(BaseModel):
    """A hook call: ``context`` and ``prefetch`` are free-form FHIR JSON, checked as plain
    data by the routes (``_input_safety.check_tree``: 400 otherwise)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    hook: str
    hook_instance: str = Field(alias="hookInstance")
    fhir_server: str | None = Field(None, alias="fhirServer")
    fhir_authorization: FhirAuthorization | None = Field(None, alias="fhirAuthorization")
    context: dict[str, Any] = Field(json_schema_extra={
        "required": ["patientId"], "properties": {"patientId": {"type": "string",
                                                                "minLength": 1}}})
    prefetch: dict[str, Any] | None = None

    @field_validator("context")
    @classmethod
    def _has_patient(cls, context: dict[str, Any]) -> dict[str, Any]:
        """Both hooks are about one patient (CDS Hooks 2.0: ``patientId`` is required), and
        a report link is bound to that id."""
        patient = context.get("patientId")
        if not isinstance(patient, str) or not patient:
            raise ValueError("context.patientId must be the id of the patient (a non-empty "
                             "string)")
        return context
