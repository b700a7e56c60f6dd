"""The Assessment: the public output contract ``dystonia-cds/assessment/v1``.

Why every item carries ids: a clinician or a medico-legal expert must be able to trace any
statement to the rule that produced it and the published source behind that rule. Each
evidence item carries its likelihood ratio and where it comes from; probabilities are
calibrated by leave-one-source-out cross-validation on the published-case corpus and shown
only while that calibration holds (``model.yaml``, ``calibration.shown``).

Why msgspec Structs and not pydantic models: the engine makes every value itself, so
validating its own results again only cost time (about 30 model constructions per
assessment, a quarter of its cost; issue 13). The input is validated at the boundary (the
Case); the output is built as typed, frozen Structs and serialised by msgspec. The field
descriptions and the published JSON Schema come from the pydantic form of the same
contract, ``assessment_schema.py``; a test keeps the two in step (same fields, every output
valid there and re-serialised to the same bytes). The few pydantic methods callers use
(``model_copy``, ``model_dump``, ``model_dump_json``, ``model_validate_json``,
``model_json_schema``) are kept with the same meaning.
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

import msgspec

from dystonia_cds._assessment_words import (
    ASSESSMENT_SCHEMA,
    AssociatedFeatures,
    Category,
    CheckStatus,
    Direction,
    Distribution,
    Summary,
    Support,
)

__all__ = [
    "ASSESSMENT_SCHEMA",
    "Assessment",
    "AssociatedFeatures",
    "Category",
    "Check",
    "CheckStatus",
    "Classification",
    "DifferentialEntry",
    "DifferentialTerm",
    "Direction",
    "Distribution",
    "Etiology",
    "Evidence",
    "ExcludedCounted",
    "Hypothesis",
    "InputNote",
    "NextQuestion",
    "Recommendation",
    "ReferenceOut",
    "Summary",
    "Support",
    "TreatmentOption",
]

_T = TypeVar("_T", bound="_Out")
_ENCODER = msgspec.json.Encoder()


class _Out(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True, gc=False):
    """Frozen like the pydantic models were; unknown fields refused when read back.

    Not tracked by the cyclic garbage collector (``gc=False``, as the batch path's
    ``Screened``): an assessment is a tree — its parts hold strings, numbers, lists of parts
    and the shared, immutable ReferenceOuts, never an object that holds them back — so
    reference counting frees it, and the ~40 parts of each assessment need not be linked
    into and out of the collector's lists (and counted towards its next collection)."""

    def model_copy(self: _T, *, update: dict[str, Any] | None = None) -> _T:
        """A copy with ``update``'s fields replaced (pydantic's meaning: not validated)."""
        return msgspec.structs.replace(self, **(update or {}))

    def model_dump(self, *, by_alias: bool = False) -> dict[str, Any]:
        """The fields as plain Python values (JSON types), as ``model_dump(mode="json")``."""
        out: dict[str, Any] = msgspec.to_builtins(self)
        if not by_alias and "schema" in out and isinstance(self, Assessment):
            out = {("schema_" if k == "schema" else k): v for k, v in out.items()}
        return out

    @classmethod
    def model_json_schema(cls, **kwargs: Any) -> dict[str, Any]:
        """The JSON Schema of the pydantic form of this part (``assessment_schema``)."""
        from dystonia_cds import assessment_schema

        model = getattr(assessment_schema, cls.__name__)
        schema: dict[str, Any] = model.model_json_schema(**kwargs)
        return schema


class Evidence(_Out, frozen=True, kw_only=True):
    finding: str
    rationale: str
    direction: Direction
    weight: int
    likelihood_ratio: float = 1.0
    lr_basis: str = ""
    rule_id: str
    reference_ids: list[str]


class Hypothesis(_Out, frozen=True, kw_only=True):
    category: Category
    label: str
    plain_label: str
    support: Support
    score: int
    probability: float | None = None
    pretest_probability: float = 0.0
    evidence: list[Evidence]


class Etiology(_Out, frozen=True, kw_only=True):
    summary: Summary
    summary_explanation: str
    hypotheses: list[Hypothesis]
    group_probabilities: dict[str, float] | None = None
    calibration_note: str = ""


class Classification(_Out, frozen=True, kw_only=True):
    """Axis I of the consensus classification (Albanese 2013)."""

    age_at_onset: str
    age_at_onset_label: str
    onset_age_years: float | None
    distribution: Distribution
    distribution_explanation: str
    regions: list[str]
    course: str
    variability: list[str]
    associated_features: AssociatedFeatures
    associated_features_explanation: str
    reference_ids: list[str]


class Check(_Out, frozen=True, kw_only=True):
    id: str
    hypothesis: Category
    status: CheckStatus
    explanation: str
    rule_id: str
    reference_ids: list[str]


class NextQuestion(_Out, frozen=True, kw_only=True):
    field: str
    question: str
    plain_question: str
    why: str
    impact: int


class Recommendation(_Out, frozen=True, kw_only=True):
    id: str
    kind: str
    text: str
    plain_text: str
    reference_ids: list[str]


class TreatmentOption(_Out, frozen=True, kw_only=True):
    id: str
    option: str
    detail: str
    plain_detail: str
    reference_ids: list[str]


class ReferenceOut(_Out, frozen=True, kw_only=True):
    id: str
    citation: str
    doi: str | None
    pmid: str | None
    url: str


class DifferentialTerm(_Out, frozen=True, kw_only=True):
    case_term: str
    disease_term: str
    label: str
    information_content: float | None = None


class ExcludedCounted(_Out, frozen=True, kw_only=True):
    """A term looked for and absent that counted against a disease, and why."""

    term: str
    label: str
    frequency: float | None = None


class DifferentialEntry(_Out, frozen=True, kw_only=True):
    """A genetic disease annotated with dystonia, ranked by phenotype fit (issue: inherited)."""

    disease_id: str
    label: str
    genes: list[str]
    matched_terms: list[DifferentialTerm]
    excluded_present: list[str]
    excluded_counted: list[ExcludedCounted] = msgspec.field(default_factory=list)
    gene_source: str = "hpo"
    score: float
    inheritance: list[str]
    typical_onset: list[str]
    treatable: bool
    treatable_note: str | None


class InputNote(_Out, frozen=True, kw_only=True):
    field: str
    message: str


class Assessment(_Out, frozen=True, kw_only=True):
    schema_: Literal["dystonia-cds/assessment/v1"] = msgspec.field(
        default="dystonia-cds/assessment/v1", name="schema")
    case_id: str | None
    classification: Classification
    etiology: Etiology
    checks: list[Check]
    next_questions: list[NextQuestion]
    recommendations: list[Recommendation]
    treatment_information: list[TreatmentOption]
    references: list[ReferenceOut]
    input_notes: list[InputNote]
    inherited_differential: list[DifferentialEntry] = msgspec.field(default_factory=list)
    gene_panel: list[str] = msgspec.field(default_factory=list)
    data_sources: list[str] = msgspec.field(default_factory=list)
    disclaimer: str
    engine_version: str
    knowledge_version: str

    @property
    def top(self) -> Hypothesis:
        """The most supported hypothesis."""
        return self.etiology.hypotheses[0]

    def to_json(self) -> str:
        """The contract's JSON (field ``schema``, not ``schema_``), indented by 2: the same
        bytes as pydantic's ``model_dump_json(by_alias=True, indent=2)`` gave."""
        return msgspec.json.format(_ENCODER.encode(self), indent=2).decode()

    def to_json_bytes(self) -> bytes:
        """The contract's JSON, compact UTF-8 bytes (no indentation): for the HTTP API and
        batch output, where the indented form only costs time and bytes."""
        return _ENCODER.encode(self)

    def model_dump_json(self, *, by_alias: bool = True, indent: int | None = None) -> str:
        """The JSON text; always with the field name ``schema`` (the contract's)."""
        del by_alias
        raw = _ENCODER.encode(self)
        return (raw if indent is None else msgspec.json.format(raw, indent=indent)).decode()

    @classmethod
    def model_validate_json(cls, data: str | bytes) -> Assessment:
        """Read the contract's JSON back, checking every field's type and value."""
        return msgspec.json.decode(data, type=cls)
