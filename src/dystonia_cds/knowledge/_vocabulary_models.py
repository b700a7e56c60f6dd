"""The words a Case may use: regions, features, events, drugs, scan structures, lesion natures.

Why a module of its own: these models are the knowledge base's vocabulary — each entry with
its labels and aliases, from which the loader builds :class:`Vocabulary` (normalised word →
id) — read by the input's normalisation and by the facts, apart from the rules and the
fitted evidence (``_models``, ``_evidence_models``).
"""

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from dystonia_cds.knowledge._model_base import DATA_CONFIG, HypothesisId

__all__ = ["DrugInfo", "EventInfo", "FeatureInfo", "FieldWord", "LesionNatureInfo",
           "RegionInfo", "StructureInfo", "Vocabulary"]


class _Data(BaseModel):
    model_config = DATA_CONFIG


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
