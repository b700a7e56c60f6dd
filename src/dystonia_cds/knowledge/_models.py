"""Pydantic models of the knowledge base: the shape every YAML file must have.

Why models: knowledge is data, and data is checked when it loads. A rule without a
reference, a reference id that does not exist or a latency window whose end precedes its
start is a packaging bug, caught by :func:`load_knowledge` before any Case is assessed.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

HypothesisId = Literal[
    "idiopathic", "inherited", "degenerative", "acquired_central_traumatic",
    "acquired_central_vascular", "acquired_perinatal", "acquired_other_structural",
    "acquired_peripheral_trauma", "drug_induced_acute", "drug_induced_tardive", "functional",
]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(_Data):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    authors: str
    title: str
    journal: str
    year: int
    volume_pages: str | None = None
    doi: str | None = None
    pmid: str | None = Field(None, pattern=r"^\d+$")
    verified_by: str

    @model_validator(mode="after")
    def _has_identifier(self) -> Reference:
        if not self.doi and not self.pmid:
            raise ValueError(f"reference {self.id} needs a DOI or a PMID")
        return self

    @property
    def citation(self) -> str:
        vp = f";{self.volume_pages}" if self.volume_pages else ""
        return (f"{self.authors.rstrip('.')}. {self.title.rstrip('.')}. {self.journal}. "
                f"{self.year}{vp}.")

    @property
    def url(self) -> str:
        if self.doi:
            return f"https://doi.org/{self.doi}"
        return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"


class RegionInfo(_Data):
    id: str
    label: str
    plain_label: str
    aliases: list[str] = []
    paired: bool
    hpo: str | None = None
    hpo_more: list[str] = Field(
        default_factory=list, description="Other HPO terms that name dystonia of this region.")
    icd10cm: str | None = None
    contiguous: list[str] = []
    cranial: bool = False


class FeatureInfo(_Data):
    id: str
    label: str
    plain_label: str
    hpo: str | None = None
    aliases: list[str] = []
    kind: Literal[
        "neurological_sign", "pain", "functional_sign", "psychiatric", "motor_pyramidal",
        "local", "other",
    ]


class EventInfo(_Data):
    id: str
    label: str
    plain_label: str
    aliases: list[str] = []
    mechanism: Literal["central", "peripheral", "other"]
    hypothesis: HypothesisId | None
    body_sites: list[str] = []


class DrugInfo(_Data):
    id: str
    synonyms: list[str] = []
    atc: str | None = None
    drug_class: Literal["dopamine_receptor_blocker", "other_dystonia_inducing"]
    references: list[str] = Field(min_length=1)


class StructureInfo(_Data):
    id: str
    label: str
    aliases: list[str] = []
    motor_circuit: bool = Field(
        description="Basal ganglia, thalamus or brainstem/cerebellar structures that lesion "
        "studies link to dystonia."
    )


class Window(_Data):
    """A latency window in days with the references that report it."""

    min_days: float = Field(ge=0)
    max_days: float | None = Field(None, gt=0, description="None: no upper bound reported.")
    typical_max_days: float | None = None
    wording: str
    references: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.max_days is not None and self.max_days < self.min_days:
            raise ValueError("max_days precedes min_days")
        return self


class RuleInfo(_Data):
    id: str = Field(pattern=r"^R-[A-Z0-9-]+$")
    hypothesis: HypothesisId
    weight: int = Field(ge=-5, le=5, description="Positive: for; negative: against.")
    finding: str
    references: list[str] = Field(min_length=1)


class Scoring(_Data):
    support_levels: dict[str, int]
    summary_margin: int
    display_floor: int


class AgeGroup(_Data):
    id: str
    label: str
    min_years: float
    max_years: float | None
    references: list[str] = Field(min_length=1)


class Parameters(_Data):
    age_groups: list[AgeGroup]
    windows: dict[str, Window]
    central_childhood_event_max_years: float
    adult_onset_years: float
    early_onset_years: float
    dyt1_max_limb_onset_years: float
    scoring: Scoring


class TreatmentInfo(_Data):
    id: str
    option: str
    detail: str
    plain_detail: str
    when: dict[str, list[str]] = Field(
        default_factory=dict,
        description="Conditions, all of which must match: distribution, hypothesis, onset.",
    )
    references: list[str] = Field(min_length=1)


class RecommendationInfo(_Data):
    id: str
    kind: Literal["work-up", "referral", "genetic testing", "drug review", "safety"]
    text: str
    plain_text: str
    references: list[str] = Field(min_length=1)


class QuestionInfo(_Data):
    field: str
    question: str
    plain_question: str


class Vocabulary(_Data):
    """Normalised words → canonical ids, built at load from the aliases in the data."""

    regions: dict[str, str]
    sides: dict[str, str]
    features: dict[str, str]
    events: dict[str, str]
    drugs: dict[str, str]
    structures: dict[str, str]

class KnowledgeBase(_Data):
    """Everything the engine knows, validated and cross-checked."""

    version: str
    content_hash: str
    references: dict[str, Reference]
    regions: dict[str, RegionInfo]
    features: dict[str, FeatureInfo]
    events: dict[str, EventInfo]
    drugs: dict[str, DrugInfo]
    structures: dict[str, StructureInfo]
    rules: dict[str, RuleInfo]
    parameters: Parameters
    treatments: list[TreatmentInfo]
    recommendations: dict[str, RecommendationInfo]
    questions: dict[str, QuestionInfo]
    hypothesis_labels: dict[str, dict[str, str]]
    disclaimer: dict[str, str]
    vocabulary: Vocabulary

    @property
    def knowledge_version(self) -> str:
        return f"{self.version}+{self.content_hash[:12]}"

