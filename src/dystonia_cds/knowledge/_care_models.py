"""Shape of ``seek_care.yaml``: how soon to seek care, as cited data checked at load.

Why its own module: the advice is for patients, not for the evidence model, and it is read
by the patient report and the questionnaire only; keeping it apart keeps ``_models`` small.
"""

from typing import Literal

from pydantic import BaseModel, Field, model_validator

from dystonia_cds.knowledge._model_base import DATA_CONFIG

CareLevel = Literal["urgent", "soon", "routine"]
LEVEL_ORDER: dict[str, int] = {"routine": 0, "soon": 1, "urgent": 2}


class _Data(BaseModel):
    model_config = DATA_CONFIG


class CareLevelText(_Data):
    title: str = Field(min_length=1)
    advice: str = Field(min_length=1)


class CareSign(_Data):
    """A warning sign the person is asked about; any one makes the advice urgent."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    question: str = Field(min_length=1)
    reason: str = Field(min_length=1)
    references: list[str] = Field(min_length=1)


class CareRule(_Data):
    """A fact pattern in the Case that raises the level (never lowers it)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    level: Literal["urgent", "soon"]
    drug_within_days: int | None = Field(None, ge=0, le=365, description=(
        "A dystonia-inducing drug (drugs.yaml) started at most this many days before onset."))
    event_within_days: int | None = Field(None, ge=0, le=365, description=(
        "An event (events.yaml) at most this many days before onset, at one of "
        "`event_sites_any` (the event's body site, or its type's)."))
    event_sites_any: list[str] = Field(default_factory=list)
    fixed_posture: bool | None = Field(None, description=(
        "True: only when the Case records a fixed posture (dystonia.fixed_posture: true)."))
    regions_any: list[str] = Field(default_factory=list)
    reason: str = Field(min_length=1)
    references: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _has_a_trigger(self) -> "CareRule":
        if self.drug_within_days is None and self.event_within_days is None:
            raise ValueError(f"seek_care rule {self.id}: needs drug_within_days or "
                             "event_within_days")
        if self.event_within_days is not None and not self.event_sites_any:
            raise ValueError(f"seek_care rule {self.id}: event_within_days needs "
                             "event_sites_any")
        return self


class CareRoutine(_Data):
    reason: str = Field(min_length=1)
    references: list[str] = Field(min_length=1)


class SeekCareInfo(_Data):
    disclaimer: str = Field(min_length=1)
    levels: dict[CareLevel, CareLevelText]
    signs: list[CareSign] = Field(min_length=1)
    rules: list[CareRule] = Field(default_factory=list)
    routine: CareRoutine

    @model_validator(mode="after")
    def _complete(self) -> "SeekCareInfo":
        missing = set(LEVEL_ORDER) - set(self.levels)
        if missing:
            raise ValueError(f"seek_care.yaml: levels missing {sorted(missing)}")
        ids = [s.id for s in self.signs] + [r.id for r in self.rules]
        if len(ids) != len(set(ids)):
            raise ValueError("seek_care.yaml: duplicate sign or rule id")
        return self
