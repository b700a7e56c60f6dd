"""The Case: the public input contract ``dystonia-cds/case/v1``.

Every field but ``dystonia.regions`` may be missing, and missing means *unknown*: the engine
asks about it instead of assuming. Values here are canonical names only; the words a person
would type (``eyes``, ``torticollis``, ``left hand``) are mapped to these names from the
knowledge base by :func:`dystonia_cds.load_case` before validation, so the JSON Schema shows
exactly what is accepted.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    model_validator,
)

from dystonia_cds._time import parse_duration, validate_time

CASE_SCHEMA = "dystonia-cds/case/v1"

Region = Literal[
    "upper_face", "lower_face", "jaw", "tongue", "larynx", "neck", "trunk", "arm", "leg",
    "unspecified",
]
Side = Literal["left", "right", "bilateral"]
Sex = Literal["female", "male", "other", "unknown"]
Course = Literal["static", "progressive", "improving", "unknown"]
Variability = Literal["persistent", "action_specific", "diurnal", "paroxysmal"]
SensoryTrick = Literal["effective", "ineffective", "not_tried", "unknown"]
EventType = Literal[
    "head_injury", "stroke", "perinatal_injury", "brain_hypoxia", "brain_infection",
    "brain_tumor", "brain_surgery", "peripheral_injury", "whiplash", "eye_surgery",
    "dental_procedure", "surgery", "demyelinating_disease", "autoimmune_encephalitis",
    "toxin_exposure", "metabolic_insult", "vascular_malformation", "radiotherapy",
    "deep_brain_stimulation", "electrical_injury", "other",
]
Severity = Literal["mild", "moderate", "severe"]
Structure = Literal[
    "putamen", "caudate", "globus_pallidus", "lentiform_nucleus", "basal_ganglia", "thalamus",
    "internal_capsule", "brainstem", "midbrain", "cerebellum", "cortex", "white_matter",
    "subthalamic_nucleus", "other",
]
LesionNature = Literal[
    "infarct", "haemorrhage", "demyelination", "tumour", "calcification", "iron_deposition",
    "contusion", "abscess", "other",
]
Modality = Literal["MRI", "CT", "DaTscan", "PET", "other"]
GeneResult = Literal["positive", "negative", "vus"]


def _date_to_text(value: object) -> object:
    """YAML reads 2024-03-01 as a date; keep the contract's text form."""
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _date_only(value: object) -> object:
    """A date is a date or its ISO text; pydantic's lax mode would read 0 as 1970-01-01."""
    if isinstance(value, dt.datetime) or not isinstance(value, dt.date | str) or (
            isinstance(value, str) and not _ISO_DATE.fullmatch(value)):
        raise ValueError("a calendar date is expected, written YYYY-MM-DD")
    return value


def _check_duration(text: str) -> str:
    parse_duration(text)
    return text


TimeText = Annotated[
    str,
    BeforeValidator(_date_to_text),
    AfterValidator(validate_time),
    Field(
        description="An age as an ISO 8601 duration (P45Y, P45Y3M, P2D) or a calendar date "
        "(2024-03-01).",
        examples=["P45Y", "2024-03-01"],
    ),
]
DurationText = Annotated[
    str,
    AfterValidator(_check_duration),
    Field(description="How long before the dystonia began, ISO 8601 (P3M, P2D).", examples=["P3M"]),
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Patient(_Model):
    sex: Sex | None = None
    age: TimeText | None = Field(None, description="Current age (duration) or date of assessment.")
    birth_date: Annotated[dt.date, BeforeValidator(_date_only)] | None = None


class BodyRegion(_Model):
    region: Region
    side: Side | None = Field(None, description="For paired regions; omit for midline ones.")


class Dystonia(_Model):
    onset: TimeText | None = Field(None, description="Age or date at onset of the dystonia.")
    onset_region: Region | None = Field(None, description="Where the dystonia first began.")
    regions: list[BodyRegion] = Field(min_length=1)
    course: Course | None = None
    variability: list[Variability] | None = None
    sensory_trick: SensoryTrick | None = None
    persists_in_sleep: StrictBool | None = None
    fixed_posture: StrictBool | None = None
    features: list[str] | None = Field(
        None, description="Associated signs: knowledge-base feature names or HPO ids."
    )
    excluded_features: list[str] | None = Field(None, description="Looked for and absent.")


class Event(_Model):
    type: EventType
    when: TimeText | None = Field(None, description="Age or date of the event.")
    before_onset: DurationText | None = None
    body_site: Region | None = None
    side: Side | None = None
    severity: Severity | None = None
    note: str | None = None


class Medication(_Model):
    drug: str = Field(min_length=1, description="Generic name as in the knowledge base, or any.")
    started: TimeText | None = None
    stopped: TimeText | None = None
    before_onset: DurationText | None = Field(
        None, description="How long before the dystonia began the drug was started."
    )
    note: str | None = None


class Lesion(_Model):
    side: Side | None = None
    structure: Structure
    nature: LesionNature | None = Field(None, description="What the lesion is, if reported.")
    volume_ml: float | None = Field(None, ge=0, strict=True)  # strict: "3" or true is no volume
    fraction: float | None = Field(None, ge=0, le=1, strict=True,
                                   description="Fraction of the structure.")
    source: str | None = Field(None, description="Where it came from, e.g. a lesion-mask atlas.")


class Imaging(_Model):
    modality: Modality = "MRI"
    when: TimeText | None = None
    normal: StrictBool | None = None
    lesions: list[Lesion] = Field(default_factory=list)
    lesion_mask: str | None = Field(None, description="Path to a NIfTI lesion mask in MNI152.")

    @model_validator(mode="after")
    def _normal_has_no_lesions(self) -> Imaging:
        if self.normal is True and self.lesions:
            raise ValueError("imaging marked normal: true cannot list lesions")
        return self


class FamilyHistory(_Model):
    dystonia: StrictBool | None = None
    note: str | None = None


class GeneticTest(_Model):
    gene: str = Field(min_length=1, pattern=r"^[A-Za-z0-9-]+$")
    result: GeneResult
    variant: str | None = None


class Case(_Model):
    """One patient's history, as far as it is known."""

    schema_: Literal["dystonia-cds/case/v1"] = Field("dystonia-cds/case/v1", alias="schema")
    id: str | None = Field(None, description="A case identifier; never a name.")
    patient: Patient = Field(default_factory=Patient)
    dystonia: Dystonia
    events: list[Event] | None = Field(None, description="Missing: unknown; []: none.")
    medications: list[Medication] | None = Field(None, description="Missing: unknown; []: none.")
    imaging: list[Imaging] | None = Field(None, description="Missing or []: none recorded.")
    family_history: FamilyHistory | None = None
    genetics: list[GeneticTest] | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)
