"""Case → FHIR R4 Bundle (the writer of the FHIR adapter).

Why the reader's tables, read backwards: a code this writer emits must mean to the reader
exactly what the Case said, so every code comes from ``data/fhir_codes.yaml`` through
:class:`CodeTables` (and is only written where the table reads it back to the same value).
Where no standard code says it exactly (lower face, a dental procedure, a dystonia's course),
the Case word is written in the dystonia-cds code systems the reader also reads
(:mod:`dystonia_cds.adapters._fhir_case_ext`); the current age is LOINC 30525-0.
Resources are validated with ``fhir.resources.R4B``. What FHIR (or the reader) cannot
carry is listed in :mod:`dystonia_cds.adapters._fhir_lossy` as input notes with the Case
path — never dropped silently.
"""

from __future__ import annotations

import json
from typing import Any

from fhir.resources.R4B import get_fhir_model_class

from dystonia_cds.adapters._fhir_case_ext import write_observations
from dystonia_cds.adapters._fhir_codes import CodeTables
from dystonia_cds.adapters._fhir_lossy import PROCEDURES, age_quantity, is_date, not_carried
from dystonia_cds.adapters._fhir_read import BEFORE_ONSET_URL
from dystonia_cds.assessment import InputNote
from dystonia_cds.case import Case, Event, Imaging, Lesion, Medication
from dystonia_cds.knowledge import KnowledgeBase, default_knowledge, hpo_label

_LATERALITY_URL = "https://dystonia-cds.org/fhir/StructureDefinition/laterality"
_RAD = {"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "RAD",
        "display": "Radiology"}
_IMAGING = {"system": "http://terminology.hl7.org/CodeSystem/observation-category",
            "code": "imaging", "display": "Imaging"}
_FAMILY = {"system": "http://terminology.hl7.org/CodeSystem/v3-RoleCode", "code": "FAMMEMB",
           "display": "family member"}
_SUBJECT = {"reference": "Patient/patient"}


class _Codes:
    """Reverse lookups over the reader's tables: Case word → coding that reads back to it."""

    def __init__(self, tables: CodeTables) -> None:
        self.t = tables
        self.url = {name: url for url, name in reversed(list(tables.systems.items()))}

    def coding(self, system: str, code: str, display: str | None = None) -> dict[str, str]:
        out = {"system": self.url[system], "code": code}
        return out | ({"display": display} if display else {})

    def own(self, system: str, code: str) -> dict[str, str]:
        return self.coding(system, code, code.replace("_", " "))

    def region(self, region: str) -> list[dict[str, str]]:
        """HPO term of the region (one the reader maps back to it), then the Case word."""
        info = self.t.kb.regions[region]
        hpo = [h for h in [info.hpo, *info.hpo_more] if h and self.t.hpo_region.get(h) == region]
        std = [self.coding("hpo", hpo[0], hpo_label(hpo[0]))] if hpo else []
        return [*std, self.own("region", region)]

    def event(self, kind: str) -> list[dict[str, str]]:
        """The table's only SNOMED CT (else only ICD-10-CM) code for the event, then the Case
        word: a table listing several codes for one event holds narrower concepts (two kinds
        of tooth extraction), none of which says what the Case says."""
        std: list[dict[str, str]] = []
        for system, table in (("snomed", self.t.snomed), ("icd10cm", self.t.icd)):
            hits = [code for code, m in table.items() if m.event == kind and not m.dystonia]
            if len(hits) == 1:
                std = [self.coding(system, hits[0])]
                break
        return [*std, self.own("event", kind)]

    def reverse(self, table: dict[str, str], value: str) -> str | None:
        return next((k for k, v in table.items() if v == value), None)

    def body_site(self, region: str | None) -> list[dict[str, Any]]:
        if region is None:
            return []
        snomed = self.reverse(self.t.body_sites, region)
        std = [self.coding("snomed", snomed)] if snomed else []
        return [{"coding": [*std, self.own("region", region)]}]

    def laterality(self, side: str | None) -> list[dict[str, Any]]:
        code = self.reverse(self.t.laterality, side) if side else None
        if code is None:
            return []
        return [{"url": _LATERALITY_URL,
                 "valueCodeableConcept": {"coding": [self.coding("snomed", code, side)]}}]

    def drug(self, name: str) -> dict[str, Any]:
        codings = []
        rx = self.reverse(self.t.rxnorm, name)
        if rx:
            codings.append(self.coding("rxnorm", rx, name))
        info = self.t.kb.drugs.get(name)
        if info is not None and info.atc:
            codings.append(self.coding("atc", info.atc, name))
        return {"coding": codings, "text": name} if codings else {"text": name}


def _time(prefix: str, value: str | None) -> dict[str, Any]:
    """``{prefix}DateTime`` for a date, ``{prefix}Age`` for an age the reader reads back."""
    if value is None:
        return {}
    if is_date(value):
        return {f"{prefix}DateTime": value}
    age = age_quantity(value)
    return {f"{prefix}Age": age} if age else {}


def _notes(text: str | None) -> dict[str, Any]:
    return {"note": [{"text": text}]} if text else {}


def _dystonia(case: Case, c: _Codes) -> list[dict[str, Any]]:
    out = []
    for i, reg in enumerate(case.dystonia.regions):
        out.append({
            "resourceType": "Condition", "id": f"dystonia-{i}", "subject": _SUBJECT,
            "category": [{"coding": [{
                "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                "code": "problem-list-item"}]}],
            "code": {"coding": c.region(reg.region),
                     "text": f"Dystonia: {reg.region.replace('_', ' ')}"},
            "extension": c.laterality(reg.side),
            **_time("onset", case.dystonia.onset)})
    for i, feat in enumerate([*(case.dystonia.features or []),
                              *(case.dystonia.excluded_features or [])]):
        info = c.t.kb.features.get(feat)
        hpo = info.hpo if info is not None else feat.upper()
        if hpo in c.t.hpo_feature:
            code = c.coding("hpo", hpo, hpo_label(hpo))
        elif info is not None:  # a knowledge-base feature without an HPO term
            code = c.own("feature", feat)
        else:
            continue  # listed by not_carried
        out.append({"resourceType": "Observation", "id": f"feature-{i}", "status": "final",
                    "subject": _SUBJECT, "code": {"coding": [code]},
                    "valueBoolean": i < len(case.dystonia.features or [])})
    age = case.patient.age
    return out + write_observations(case, c.coding,
                                    age_quantity(age) if age and not is_date(age) else None,
                                    _SUBJECT)


def _before_onset(text: str | None) -> list[dict[str, Any]]:
    duration = age_quantity(text) if text else None
    return [{"url": BEFORE_ONSET_URL, "valueDuration": duration}] if duration else []


def _event(i: int, ev: Event, c: _Codes) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": f"event-{i}", "subject": _SUBJECT, "code": {"coding": c.event(ev.type)},
        "bodySite": c.body_site(ev.body_site),
        "extension": c.laterality(ev.side) + _before_onset(ev.before_onset),
        **_notes(ev.note)}
    if ev.type in PROCEDURES:
        return {"resourceType": "Procedure", "status": "completed", **base,
                **_time("performed", ev.when)}
    sev = c.reverse(c.t.severity, ev.severity) if ev.severity else None
    return {"resourceType": "Condition", **base, **_time("onset", ev.when),
            **({"severity": {"coding": [c.coding("snomed", sev, ev.severity)]}} if sev else {})}


def _medication(i: int, med: Medication, c: _Codes) -> dict[str, Any]:
    period = {k: v for k, v in (("start", med.started), ("end", med.stopped))
              if v is not None and is_date(v)}
    return {"resourceType": "MedicationStatement", "id": f"medication-{i}",
            "status": "completed" if med.stopped else "unknown", "subject": _SUBJECT,
            "medicationCodeableConcept": c.drug(med.drug),
            "extension": _before_onset(med.before_onset),
            **({"effectivePeriod": period} if period else {}), **_notes(med.note)}


def _lesion(i: int, j: int, les: Lesion, c: _Codes) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "Observation", "id": f"lesion-{i}-{j}", "status": "final",
        "category": [{"coding": [_IMAGING]}], "subject": _SUBJECT,
        "code": {"text": f"Brain lesion: {les.structure.replace('_', ' ')}"},
        "bodySite": {"coding": [c.own("structure", les.structure)]},
        "extension": c.laterality(les.side)}
    if les.volume_ml is not None:
        out["valueQuantity"] = {"value": les.volume_ml, "unit": "mL",
                                "system": "http://unitsofmeasure.org", "code": "mL"}
    return out


def _imaging(i: int, im: Imaging, c: _Codes) -> list[dict[str, Any]]:
    lesions = [_lesion(i, j, les, c) for j, les in enumerate(im.lesions)]
    dicom = c.reverse(c.t.dicom, im.modality) if im.modality != "other" else None
    if im.modality == "DaTscan":
        dicom = "NM"
    study = [{"resourceType": "ImagingStudy", "id": f"study-{i}", "status": "available",
              "subject": _SUBJECT, "modality": [c.coding("dicom", dicom)]}] if dicom else []
    verdict = None if im.normal is None else ("normal" if im.normal else "abnormal")
    code = c.reverse(c.t.conclusion, verdict) if verdict else None
    report: dict[str, Any] = {
        "resourceType": "DiagnosticReport", "id": f"imaging-{i}", "status": "final",
        "category": [{"coding": [_RAD]}], "subject": _SUBJECT,
        "code": {"text": f"Brain imaging ({im.modality})"},
        "imagingStudy": [{"reference": f"ImagingStudy/study-{i}"}] if study else [],
        "result": [{"reference": f"Observation/{les['id']}"} for les in lesions]}
    if code:
        report["conclusionCode"] = [{"coding": [c.coding("snomed", code, verdict)]}]
    if im.when is not None and is_date(im.when):
        report["effectiveDateTime"] = im.when
    return [report, *study, *lesions]


def _family(case: Case) -> list[dict[str, Any]]:
    fam = case.family_history
    if fam is None or fam.dystonia is not True:
        return []
    return [{"resourceType": "FamilyMemberHistory", "id": "family", "status": "completed",
             "patient": _SUBJECT, "relationship": {"coding": [_FAMILY], "text": "family member"},
             "condition": [{"code": {"coding": [{"system": "http://snomed.info/sct",
                                                 "code": "15802004",
                                                 "display": "Dystonia"}]}}],
             **_notes(fam.note)}]


def _clean(resource: dict[str, Any]) -> dict[str, Any]:
    """Without empty lists (FHIR allows no empty arrays)."""
    return {k: v for k, v in resource.items() if v != []}


def _valid(resource: dict[str, Any]) -> dict[str, Any]:
    """Validate as FHIR R4B (a Bundle: each entry's resource too, by its resourceType) and
    return the JSON form the model gives."""
    model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    out: dict[str, Any] = json.loads(model.model_dump_json(exclude_none=True))
    return out


def case_to_fhir(case: Case, kb: KnowledgeBase | None = None
                 ) -> tuple[dict[str, Any], list[InputNote]]:
    """A Case as a FHIR R4 ``collection`` Bundle, with notes on what it cannot carry.

    Reading the Bundle back with :func:`case_from_fhir` gives the same Case except for the
    fields named in the notes (each note's ``field`` is the Case path).
    """
    kb = kb or default_knowledge()
    c = _Codes(CodeTables(kb))
    patient = {"resourceType": "Patient", "id": "patient", "gender": case.patient.sex,
               "birthDate": case.patient.birth_date.isoformat()
               if case.patient.birth_date else None}
    resources = [{k: v for k, v in patient.items() if v is not None}, *_dystonia(case, c)]
    resources += [_event(i, ev, c) for i, ev in enumerate(case.events or [])]
    resources += [_medication(i, m, c) for i, m in enumerate(case.medications or [])]
    resources += [r for i, im in enumerate(case.imaging or []) for r in _imaging(i, im, c)]
    resources += _family(case)
    bundle: dict[str, Any] = {"resourceType": "Bundle", "type": "collection",
                              "entry": [{"resource": _clean(r)} for r in resources]}
    if case.id is not None:
        bundle["identifier"] = {"system": c.url["case_id"], "value": case.id}
    out = _valid(bundle)
    return out, not_carried(case, c.t)


def to_json(bundle: dict[str, Any]) -> str:
    """The Bundle as indented JSON text."""
    return json.dumps(bundle, indent=2, ensure_ascii=False)
