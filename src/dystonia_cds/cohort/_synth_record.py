"""The FHIR resources of one synthetic patient's record, as the Bulk export writes them.

Why a builder class: every resource needs a unique id, a reference to its patient and dates
that sometimes go missing (as in real records), all drawn from the export's one seeded
random generator — so the same seed gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from typing import Any

__all__ = ["DCM", "HPO", "ICD", "RXN", "SCT", "STRUCT", "TODAY", "Patient", "cc", "days"]

ICD = "http://hl7.org/fhir/sid/icd-10-cm"
SCT = "http://snomed.info/sct"
RXN = "http://www.nlm.nih.gov/research/umls/rxnorm"
HPO = "http://purl.obolibrary.org/obo/hp.owl"
DCM = "http://dicom.nema.org/resources/ontology/DCM"
STRUCT = "https://dystonia-cds.org/fhir/CodeSystem/structure"
TODAY = dt.date(2025, 12, 31)
_SIDES = {"left": "7771000", "right": "24028007"}
_SITE = {"neck": "45048000", "arm": "53120007", "leg": "61685007", "trunk": "22943007",
         "upper_face": "81745001"}


def cc(system: str, code: str, display: str) -> dict[str, Any]:
    """A CodeableConcept of one coding."""
    return {"coding": [{"system": system, "code": code, "display": display}]}


class Patient:
    """One patient's resources, emitted as they are made (ids ``<patient>-<kind><n>``)."""

    def __init__(self, rng: random.Random, pid: str, emit: Callable[[dict[str, Any]], None],
                 birth: dt.date) -> None:
        self.rng, self.pid, self.emit, self.birth = rng, pid, emit, birth
        self.n = 0

    def new_id(self, kind: str) -> str:
        self.n += 1
        return f"{self.pid}-{kind}{self.n}"

    def ref(self) -> dict[str, str]:
        return {"reference": f"Patient/{self.pid}"}

    def date(self, d: dt.date, drop: float = 0.0) -> str | None:
        """A date, or None with probability ``drop`` (dates missing in real records)."""
        return None if self.rng.random() < drop else min(d, TODAY).isoformat()

    def condition(self, system: str, code: str, display: str, when: dt.date | None,
                  site: str | None = None, side: str | None = None, drop: float = 0.0,
                  **extra: Any) -> None:
        res: dict[str, Any] = {"resourceType": "Condition", "id": self.new_id("c"),
                               "subject": self.ref(), "code": cc(system, code, display),
                               "clinicalStatus": cc(
                                   "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                   "active", "Active")}
        onset = self.date(when, drop) if when else None
        if onset:
            res["onsetDateTime"] = onset
        coding = ([{"system": SCT, "code": _SITE[site]}] if site in _SITE else [])
        if side:
            coding.append({"system": SCT, "code": _SIDES[side]})
        if coding:
            res["bodySite"] = [{"coding": coding}]
        res.update(extra)
        self.emit(res)

    def medication(self, code: str, name: str, start: dt.date, stop: dt.date | None = None,
                   drop: float = 0.0) -> None:
        if stop is None and self.rng.random() < 0.5:
            res: dict[str, Any] = {"resourceType": "MedicationRequest", "id": self.new_id("m"),
                                   "status": "active", "intent": "order",
                                   "subject": self.ref(),
                                   "medicationCodeableConcept": cc(RXN, code, name)}
            when = self.date(start, drop)
            if when:
                res["authoredOn"] = when
        else:
            res = {"resourceType": "MedicationStatement", "id": self.new_id("m"),
                   "status": "completed" if stop else "active", "subject": self.ref(),
                   "medicationCodeableConcept": cc(RXN, code, name)}
            period = {k: v for k, v in (("start", self.date(start, drop)),
                                        ("end", self.date(stop) if stop else None)) if v}
            if period:
                res["effectivePeriod"] = period
        self.emit(res)

    def procedure(self, code: str, display: str, when: dt.date, site: str | None = None
                  ) -> None:
        res: dict[str, Any] = {"resourceType": "Procedure", "id": self.new_id("p"),
                               "status": "completed", "subject": self.ref(),
                               "code": cc(SCT, code, display),
                               "performedDateTime": self.date(when)}
        if site in _SITE:
            res["bodySite"] = [{"coding": [{"system": SCT, "code": _SITE[site]}]}]
        self.emit(res)

    def mri(self, when: dt.date, structure: str | None, side: str | None) -> None:
        study = {"resourceType": "ImagingStudy", "id": self.new_id("is"), "status": "available",
                 "subject": self.ref(), "modality": [{"system": DCM, "code": "MR"}]}
        self.emit(study)
        report: dict[str, Any] = {
            "resourceType": "DiagnosticReport", "id": self.new_id("dr"), "status": "final",
            "subject": self.ref(), "code": {"text": "MRI brain"},
            "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074",
                                      "code": "RAD"}]}],
            "effectiveDateTime": self.date(when),
            "imagingStudy": [{"reference": f"ImagingStudy/{study['id']}"}],
            "conclusionCode": [cc(SCT, "263654008" if structure else "17621005",
                                   "Abnormal" if structure else "Normal")]}
        if structure:
            obs_id = self.new_id("o")
            coding = [{"system": STRUCT, "code": structure}]
            if side:
                coding.append({"system": SCT, "code": _SIDES[side]})
            self.emit({"resourceType": "Observation", "id": obs_id, "status": "final",
                       "subject": self.ref(), "code": {"text": "lesion"},
                       "bodySite": {"coding": coding}})
            report["result"] = [{"reference": f"Observation/{obs_id}"}]
        self.emit(report)

    def observation(self, hpo: str, label: str, present: bool = True) -> None:
        self.emit({"resourceType": "Observation", "id": self.new_id("o"), "status": "final",
                   "subject": self.ref(), "code": cc(HPO, hpo, label),
                   "valueBoolean": present})


def days(rng: random.Random, lo: int, hi: int) -> dt.timedelta:
    return dt.timedelta(days=rng.randint(lo, hi))
