"""Pydantic models of the knowledge base: the shape every YAML file must have.

Why models: knowledge is data, and data is checked when it loads. A rule without a
reference, a reference id that does not exist or a latency window whose end precedes its
start is a packaging bug, caught by :func:`load_knowledge` before any Case is assessed.

Here: :class:`KnowledgeBase` and the cited clinical knowledge it holds beside the words
(references, rules, parameters, treatments, recommendations, questions). The vocabulary's
models are ``_vocabulary_models``', the fitted evidence's ``_evidence_models``', the
seek-care advice's ``_care_models``'; this module names the vocabulary's and the evidence's
again (``__all__``), as the loader, the engine and the fit import them from here.
"""

from collections.abc import Callable
from typing import Literal, TypeVar, cast

from pydantic import BaseModel, Field, model_validator

from dystonia_cds.knowledge._care_models import SeekCareInfo
from dystonia_cds.knowledge._evidence_models import (
    BaseRate,
    Calibration,
    CitedLR,
    EvidenceModel,
    RuleLR,
)
from dystonia_cds.knowledge._model_base import DATA_CONFIG, HypothesisId
from dystonia_cds.knowledge._vocabulary_models import (
    DrugInfo,
    EventInfo,
    FeatureInfo,
    FieldWord,
    LesionNatureInfo,
    RegionInfo,
    StructureInfo,
    Vocabulary,
)

__all__ = [
    "AgeGroup", "BaseRate", "Calibration", "CitedLR", "DrugInfo", "EventInfo",
    "EvidenceModel", "FeatureInfo", "FieldWord", "HypothesisId", "KnowledgeBase",
    "LesionNatureInfo", "Parameters", "QuestionInfo", "RecommendationInfo", "Reference",
    "RegionInfo", "RuleInfo", "RuleLR", "Scoring", "StructureInfo", "TreatmentInfo",
    "Vocabulary", "Window",
]


_T = TypeVar("_T")


class _Data(BaseModel):
    model_config = DATA_CONFIG


class Reference(_Data):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    authors: str
    title: str
    journal: str
    year: int
    volume_pages: str | None = None
    doi: str | None = None
    pmid: str | None = Field(None, pattern=r"^\d+$")
    spl_id: str | None = Field(None, pattern=r"^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$",
                               description=(
        "An FDA drug label's Structured Product Labeling id, as shown on the page read: a "
        "label has no DOI or PMID, and counts as a source only with its identifier."))
    verified_by: str

    @model_validator(mode="after")
    def _has_identifier(self) -> "Reference":
        if not self.doi and not self.pmid and not self.spl_id:
            raise ValueError(f"reference {self.id} needs a DOI, a PMID or a label's SPL id")
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
        if self.pmid:
            return f"https://pubmed.ncbi.nlm.nih.gov/{self.pmid}/"
        return f"https://drugcentral.org/label/{self.spl_id}/view"


class Window(_Data):
    """A latency window in days with the references that report it."""

    min_days: float = Field(ge=0)
    max_days: float | None = Field(None, gt=0, description="None: no upper bound reported.")
    typical_max_days: float | None = None
    wording: str
    references: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _ordered(self) -> "Window":
        if self.max_days is not None and self.max_days < self.min_days:
            raise ValueError("max_days precedes min_days")
        return self


class RuleInfo(_Data):
    id: str = Field(pattern=r"^R-[A-Z0-9-]+$")
    hypothesis: HypothesisId
    weight: int = Field(ge=-5, le=5, description=(
        "The literature's direction (positive: for; negative: against; 0: not scored). "
        "Only the sign is used: the size of the effect is the likelihood ratio fitted from "
        "the case corpus (model.yaml)."))
    finding: str
    references: list[str] = Field(min_length=1)
    given: str | None = Field(None, description=(
        "A parent rule: this finding is only possible when the parent fired (timing, site "
        "or side of a recorded exposure), so its likelihood ratio is counted among the "
        "cases where the parent fired and is not double-counted with it."))
    base_rate: str | None = Field(None, description=(
        "For an exposure rule: the kind of exposure whose population base rate "
        "(base_rates.yaml) bounds how often it occurs anyway, by coincidence."))


class Scoring(_Data):
    support_levels: dict[str, float] = Field(description=(
        "Lower bounds of the calibrated probability for strong, moderate and weak support."))
    summary_threshold: float = Field(gt=0.5, lt=1, description=(
        "The group probability (primary or acquired) needed to name the group."))
    display_floor: float


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
    model: EvidenceModel | None = Field(None, description=(
        "None only while the model is being fitted from the corpus."))
    base_rates: list[BaseRate] = Field(default_factory=list)
    cited_lrs: dict[str, CitedLR] = Field(default_factory=dict)
    field_words: dict[str, FieldWord] = Field(
        default_factory=dict, description="Normalised word → the field it names.")
    seek_care: SeekCareInfo | None = Field(None, description=(
        "How soon to seek care (seek_care.yaml); None only in hand-built test bases."))
    dystonia_genes: frozenset[str] = Field(default_factory=frozenset, description=(
        "Genes of isolated and combined dystonias on the genetic panel (genetics/data/"
        "genes.yaml); a pathogenic variant elsewhere may be a degenerative disorder's."))

    @property
    def knowledge_version(self) -> str:
        return f"{self.version}+{self.content_hash[:12]}"

    def derived(self, name: str, build: Callable[["KnowledgeBase"], _T]) -> _T:
        """``build(self)``, computed once per knowledge-base object and kept on it.

        Why: the engine precomputes tables from the knowledge (case-independent weighings,
        their words, the treatments' conditions as sets) instead of redoing that work for
        every Case, and the object they derive from is their home — no module-level cache.
        The table sits in the instance ``__dict__`` under a ``_``-name beside the fields:
        pydantic compares, dumps and validates only fields. It carries the object it was
        built from, so a ``model_copy`` (which copies ``__dict__``) with other fields — a
        cross-validation fold's model — builds its own instead of reusing a stale one."""
        key = "_derived_" + name
        held = self.__dict__.get(key)
        if held is None or held.owner is not self:
            held = self.__dict__[key] = _Derived(self, build(self))
        return cast(_T, held.value)

    def __getstate__(self) -> dict[str, object]:
        """The pickled state, without the derived tables: they are rebuilt on first use,
        and some hold functions (the next-question search's rule selections, closures
        among them) that cannot be pickled — the knowledge cache and the Spark broadcast
        pickle a knowledge base that may have been used already."""
        state = super().__getstate__()
        state["__dict__"] = {k: v for k, v in state["__dict__"].items()
                             if not k.startswith("_derived_")}
        return state


class _Derived:
    """A table derived from a knowledge base and the object it was built from. Compared by
    identity (object's ``==``), so comparing two knowledge bases never compares tables."""

    __slots__ = ("owner", "value")

    def __init__(self, owner: KnowledgeBase, value: object) -> None:
        self.owner = owner
        self.value = value
