"""The pydantic form of the Assessment: the source of the published JSON Schema.

Why two forms: the engine builds its results as msgspec Structs (``assessment.py``), which
cost a fraction of a validated pydantic model to build and serialise, while pydantic stays
the source of the JSON Schema (``dystonia-cds schema assessment``, docs/contracts.md), with
its field descriptions. The two must stay in step: ``tests/test_output_schema.py`` checks
that their field sets are equal and that every output validates here and re-serialises to
the same bytes.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from dystonia_cds._assessment_words import Category, CheckStatus, Distribution, Support

__all__ = [
    "Assessment", "Category", "Check", "CheckStatus", "Classification", "DifferentialEntry",
    "DifferentialTerm", "Distribution", "Etiology", "Evidence", "ExcludedCounted",
    "Hypothesis", "InputNote", "NextQuestion", "Recommendation", "ReferenceOut", "Support",
    "TreatmentOption",
]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Evidence(_Out):
    finding: str = Field(description="What was found in this case.")
    rationale: str = Field(description="Why it counts, as the knowledge base states it.")
    direction: Literal["for", "against", "neutral"]
    weight: int = Field(description=(
        "The likelihood ratio in decibans, 10·log10(LR), rounded: + for, − against."))
    likelihood_ratio: float = Field(
        1.0, description="P(finding | this cause) / P(finding | other causes), as fitted.")
    lr_basis: str = Field("", description="Where the likelihood ratio comes from, in words.")
    rule_id: str
    reference_ids: list[str]


class Hypothesis(_Out):
    category: Category
    label: str
    plain_label: str
    support: Support
    score: int = Field(description=(
        "Pretest probability and evidence weights summed in decibans; orders hypotheses."))
    probability: float | None = Field(None, description=(
        "Calibrated probability (leave-one-source-out on the published-case corpus); None "
        "where calibration does not hold for the shipped model."))
    pretest_probability: float = Field(
        0.0, description="The pretest probability the evidence started from (corpus mix).")
    evidence: list[Evidence]


class Etiology(_Out):
    summary: Literal["primary", "acquired", "undetermined"]
    summary_explanation: str
    hypotheses: list[Hypothesis]
    group_probabilities: dict[str, float] | None = Field(None, description=(
        "Calibrated probabilities of primary, acquired and degenerative, when shown."))
    calibration_note: str = Field("", description=(
        "Whether probabilities are shown, and why: the model's cross-validated calibration."))


class Classification(_Out):
    """Axis I of the consensus classification (Albanese 2013)."""

    age_at_onset: str = Field(description="infancy | childhood | adolescence | "
                              "early_adulthood | late_adulthood | unknown")
    age_at_onset_label: str
    onset_age_years: float | None
    distribution: Distribution
    distribution_explanation: str
    regions: list[str]
    course: str
    variability: list[str]
    associated_features: Literal["isolated", "combined", "undetermined"]
    associated_features_explanation: str
    reference_ids: list[str]


class Check(_Out):
    id: str = Field(description="laterality | latency | anatomy | exposure")
    hypothesis: Category
    status: CheckStatus
    explanation: str
    rule_id: str
    reference_ids: list[str]


class NextQuestion(_Out):
    field: str
    question: str
    plain_question: str
    why: str
    impact: int = Field(description=(
        "How far the best answer could move the leading causes' scores (decibans)."))


class Recommendation(_Out):
    id: str
    kind: str
    text: str
    plain_text: str
    reference_ids: list[str]


class TreatmentOption(_Out):
    id: str
    option: str
    detail: str
    plain_detail: str
    reference_ids: list[str]


class ReferenceOut(_Out):
    id: str
    citation: str
    doi: str | None
    pmid: str | None
    url: str


class DifferentialTerm(_Out):
    case_term: str
    disease_term: str
    label: str
    information_content: float | None = Field(None, description=(
        "IC of the most informative shared ancestor: how much this match counts."))


class ExcludedCounted(_Out):
    """A term looked for and absent that counted against a disease, and why."""

    term: str
    label: str
    frequency: float | None = Field(None, description=(
        "HPO's annotation frequency of the term in the disease (near-obligate features only)."))


class DifferentialEntry(_Out):
    """A genetic disease annotated with dystonia, ranked by phenotype fit (issue: inherited)."""

    disease_id: str = Field(description="OMIM:… or ORPHA:…")
    label: str
    genes: list[str]
    matched_terms: list[DifferentialTerm]
    excluded_present: list[str]
    excluded_counted: list[ExcludedCounted] = Field(default_factory=list, description=(
        "The excluded terms that counted, with HPO's frequency in the disease."))
    gene_source: str = Field("hpo", description=(
        "Where the genes come from: HPO's disease→gene table, inferred, or none."))
    score: float = Field(description="Resnik best-match average; orders, not a probability.")
    inheritance: list[str]
    typical_onset: list[str]
    treatable: bool
    treatable_note: str | None


class InputNote(_Out):
    field: str
    message: str


class Assessment(_Out):
    schema_: Literal["dystonia-cds/assessment/v1"] = Field(
        "dystonia-cds/assessment/v1", alias="schema")
    case_id: str | None
    classification: Classification
    etiology: Etiology
    checks: list[Check]
    next_questions: list[NextQuestion]
    recommendations: list[Recommendation]
    treatment_information: list[TreatmentOption]
    references: list[ReferenceOut]
    input_notes: list[InputNote]
    inherited_differential: list[DifferentialEntry] = Field(
        default_factory=list,
        description="Shown whenever inherited or degenerative dystonia is supported at all.")
    gene_panel: list[str] = Field(default_factory=list)
    data_sources: list[str] = Field(
        default_factory=list, description="External data used: HPO release, atlases.")
    disclaimer: str
    engine_version: str
    knowledge_version: str

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
