"""Pydantic models of the knowledge base: the shape every YAML file must have.

Why models: knowledge is data, and data is checked when it loads. A rule without a
reference, a reference id that does not exist or a latency window whose end precedes its
start is a packaging bug, caught by :func:`load_knowledge` before any Case is assessed.
"""

from collections.abc import Callable
from typing import Literal, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, model_validator

from dystonia_cds.knowledge._care_models import SeekCareInfo

_T = TypeVar("_T")

HypothesisId = Literal[
    "idiopathic", "inherited", "degenerative", "acquired_central_traumatic",
    "acquired_central_vascular", "acquired_perinatal", "acquired_other_structural",
    "acquired_peripheral_trauma", "drug_induced_acute", "drug_induced_tardive", "functional",
]


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


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
        "local", "imaging_finding", "other",
    ]
    unscored_note: str | None = Field(None, description=(
        "Said in the input notes whenever the feature is recorded: why the word is accepted "
        "but no rule scores it (no source read gives it a direction between causes)."))


class EventInfo(_Data):
    id: str
    label: str
    plain_label: str
    aliases: list[str] = []
    mechanism: Literal["central", "peripheral", "other"]
    hypothesis: HypothesisId | None
    body_sites: list[str] = []


class DrugInfo(_Data):
    """A drug reported to cause dystonia. ``drug_class`` says what the rules count it for:
    a dopamine receptor blocker counts for an acute reaction and for tardive dystonia, any
    other drug the rules read counts for an acute reaction only (its source gives an acute
    onset), and a ``reported_not_scored`` drug is known (so never "unknown", and never "no
    dystonia-inducing drug") but counts for neither: its source reports dystonia without an
    onset after starting the drug that the acute or tardive rules could use, and
    ``unscored_note`` says in the input notes what the source does say."""

    id: str
    synonyms: list[str] = []
    atc: str | None = None
    drug_class: Literal["dopamine_receptor_blocker", "other_dystonia_inducing",
                        "reported_not_scored"]
    references: list[str] = Field(min_length=1)
    unscored_note: str | None = Field(None, description=(
        "For a reported_not_scored drug: what its source reports, and that no rule counts "
        "it (said in the input notes whenever the drug is recorded before the onset)."))

    @model_validator(mode="after")
    def _note_iff_unscored(self) -> "DrugInfo":
        if (self.drug_class == "reported_not_scored") != bool(self.unscored_note):
            raise ValueError(f"drug {self.id}: unscored_note is required for, and only for, "
                             "a reported_not_scored drug")
        return self


class StructureInfo(_Data):
    id: str
    label: str
    aliases: list[str] = []
    motor_circuit: bool = Field(
        description="Basal ganglia, thalamus or brainstem/cerebellar structures that lesion "
        "studies link to dystonia."
    )
    plain_place: str | None = Field(
        None, description="Where it is, in everyday words (the patient questionnaire groups "
        "the scan's structures by it); None: not offered there.")


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


class RuleLR(_Data):
    """One rule's fitted likelihood ratio toward its hypothesis, with the counts behind it."""

    lr: float = Field(gt=0)
    p_cause: float = Field(ge=0, le=1)
    p_other: float = Field(ge=0, le=1)
    fired_cause: int = Field(ge=0)
    n_cause: int = Field(ge=0)
    fired_other: int = Field(ge=0)
    n_other: int = Field(ge=0)
    source: Literal["corpus", "series", "not_scored", "direction_conflict"]
    sensitivity: float = Field(ge=0, description=(
        "The largest change of ln(LR) when any one case is left out of the fit."))
    shrink: float = Field(1.0, ge=0, le=1, description=(
        "m / (m + κ): how far ln(p_cause / p_other) is kept, m the cases in which the rule "
        "fired; applied again when a base rate replaces p_other."))


class Calibration(_Data):
    method: str
    temperature: float = Field(gt=0)
    ece: float
    brier: float
    shown: bool = Field(description="Whether probabilities are shown (see rule).")
    rule: str
    group_ece: float = Field(0.0, description=(
        "Leave-one-source-out ECE of the group probability (primary, acquired, degenerative; "
        "top label, 10 bins)."))
    group_shown: bool = Field(False, description=(
        "Whether the group probabilities are shown: the same rule on the group ECE. The "
        "question a clinic asks, primary or acquired, can be calibrated while the eleven "
        "causes are not yet."))
    ece_p: float = Field(1.0, ge=0, le=1, description=(
        "Consistency-resampling p-value of the ECE: how often a calibrated model with the same "
        "confidences scores an ECE at least this large."))
    group_ece_p: float = Field(1.0, ge=0, le=1, description="The same for the group ECE.")


class EvidenceModel(_Data):
    """The fitted model: pretest probabilities and likelihood ratios (generated data)."""

    corpus: str
    n_cases: int
    n_sources: int
    command: str
    smoothing: float
    pretest: dict[str, float]
    calibration: Calibration
    rules: dict[str, RuleLR]


class CitedLR(_Data):
    """A likelihood ratio from a cited series (cited_lrs.yaml) instead of the corpus."""

    rule: str
    numerator: int = Field(ge=0)
    denominator: int = Field(gt=0)
    quote: str
    references: list[str] = Field(min_length=1)
    p_other: float = Field(gt=0, lt=1)
    p_other_basis: str

    @property
    def p_cause(self) -> float:
        return (self.numerator + 0.5) / (self.denominator + 1)


class BaseRate(_Data):
    """How often an exposure happens anyway in the population, per year, by age (cited)."""

    exposure: str
    min_years: float
    max_years: float | None
    per_year: float = Field(gt=0, lt=1)
    what: str
    quote: str
    references: list[str] = Field(min_length=1)


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


class LesionNatureInfo(_Data):
    """A lesion.nature value of the Case contract and the report words for it."""

    id: str
    label: str
    aliases: list[str] = []


class Vocabulary(_Data):
    """Normalised words → canonical ids, built at load from the aliases in the data."""

    regions: dict[str, str]
    sides: dict[str, str]
    features: dict[str, str]
    events: dict[str, str]
    drugs: dict[str, str]
    structures: dict[str, str]
    lesion_natures: dict[str, str] = {}

class FieldWord(_Data):
    """Words typed as a feature that name another Case field (field_words.yaml)."""

    words: list[str] = Field(min_length=1)
    field: Literal["variability", "sensory_trick"]
    value: str


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

