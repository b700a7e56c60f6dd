"""FHIR R4 ↔ Case: a Bundle, a single resource, or a CDS Hooks prefetch mapping → Case, and
Case → a FHIR R4 Bundle (:func:`case_to_fhir`, in ``_fhir_write``: the same code tables read
backwards; what FHIR cannot carry is listed as notes by ``_fhir_lossy``).

Resources read (validated with ``fhir.resources.R4B``): Patient (sex, birth date), Condition
(dystonia by ICD-10-CM G24.x / SNOMED CT / HPO with bodySite and laterality; events such as
head injury, stroke, whiplash, perinatal injury), MedicationRequest / MedicationStatement
(RxNorm, ATC or name → knowledge-base drug), Procedure (dental, eye and brain surgery),
DiagnosticReport / ImagingStudy (modality, normal/abnormal conclusion codes, lesions from
result Observations), Observation (HPO features and regions; absent when the value is
false/No; LOINC 30525-0 Age; the dystonia-cds case-field/feature Observations of
``_fhir_case_ext``), a ``before-onset`` Duration extension on events and medications, and
FamilyMemberHistory (dystonia in a relative). Code tables are data:
``adapters/data/fhir_codes.yaml``.

Whatever is not mapped is returned as :class:`InputNote` items — never dropped silently;
free text is kept verbatim as an event note. Dates stay calendar dates and the patient's
birth date is carried, so the engine computes ages itself.

The readers of each resource type are ``_fhir_resources``'; the dystonia code sets for SQL
selection ``_fhir_dystonia_codes``'; every name is importable from here.
"""

from __future__ import annotations

import json
from typing import Any

from dystonia_cds._case_io import case_from_mapping
from dystonia_cds.adapters._fhir_codes import CodeTables
from dystonia_cds.adapters._fhir_dystonia_codes import DystoniaCodes, dystonia_codes
from dystonia_cds.adapters._fhir_read import (
    FhirFacts,
    collect_resources,
    parse_resources,
    time_text,
)
from dystonia_cds.adapters._fhir_resources import (
    drug_of,
    modality_of,
    place,
    read_condition,
    read_family,
    read_medication,
    read_observation,
    read_procedure,
    read_report,
    skipped_status,
)
from dystonia_cds.adapters._fhir_write import case_to_fhir, to_json
from dystonia_cds.assessment import InputNote
from dystonia_cds.case import Case
from dystonia_cds.errors import CaseError, InputProblem
from dystonia_cds.knowledge import KnowledgeBase, default_knowledge

__all__ = ["CodeTables", "DystoniaCodes", "FhirFacts", "case_from_fhir", "case_from_resources",
           "case_to_fhir", "collect_resources", "drug_of", "dystonia_codes", "parse_resources",
           "read_fhir", "to_json"]


def read_fhir(data: Any, kb: KnowledgeBase | None = None) -> FhirFacts:
    """Everything the record says in Case vocabulary, with notes on what was not used."""
    tables = CodeTables(kb or default_knowledge())
    facts = FhirFacts()
    resources = parse_resources(collect_resources(data), facts)
    by_id = {f"{r.get_resource_type()}/{r.id}": r for r in resources if r.id}
    by_id.update({c.id: c for r in resources for c in getattr(r, "contained", None) or []})
    used: set[str] = set()
    for res in resources:
        if res.get_resource_type() == "DiagnosticReport" and not skipped_status(res, tables):
            used |= read_report(res, facts, tables, by_id)
    for res in resources:
        rtype, key = res.get_resource_type(), f"{res.get_resource_type()}/{res.id}"
        if key in used or rtype in {"DiagnosticReport", "Medication"}:
            continue
        if (status := skipped_status(res, tables)) is not None:
            facts.note(place(res), f"status {status}; not used")
        elif rtype == "Patient":
            facts.patient = {"sex": res.gender, "birth_date": res.birthDate}
        elif rtype == "Condition":
            read_condition(res, facts, tables)
        elif rtype == "Procedure":
            read_procedure(res, facts, tables)
        elif rtype in {"MedicationRequest", "MedicationStatement"}:
            read_medication(res, facts, tables, by_id)
        elif rtype == "ImagingStudy":
            facts.imaging.append({"modality": modality_of([res], None, tables),
                                  "when": time_text(res.started, facts, place(res))})
        elif rtype == "Observation":
            read_observation(res, facts, tables)
        elif rtype == "FamilyMemberHistory":
            read_family(res, facts, tables)
        else:
            facts.note(place(res), f"resource type {rtype} is not used by dystonia-cds")
    return facts


def _case_id(data: Any, kb: KnowledgeBase) -> str | None:
    """A Bundle's Case id: its dystonia-cds identifier (any text), else its FHIR id."""
    if not isinstance(data, dict):
        return None
    tables = CodeTables(kb)
    ident = data.get("identifier")
    for item in ident if isinstance(ident, list) else [ident]:
        if isinstance(item, dict) and tables.system(item.get("system")) == "case_id" \
                and isinstance(item.get("value"), str):
            return str(item["value"])
    found = data.get("id")
    return found if isinstance(found, str) else None


def case_from_fhir(data: Any, kb: KnowledgeBase | None = None,
                   case_id: str | None = None) -> tuple[Case, list[InputNote]]:
    """FHIR JSON (text, Bundle, resource or prefetch mapping) → (Case, input notes).

    Raises CaseError when the record holds no dystonia diagnosis (a Case needs a region).
    """
    kb = kb or default_knowledge()
    if isinstance(data, str):
        data = json.loads(data)
    facts = read_fhir(data, kb)
    if not facts.regions:
        raise CaseError([InputProblem(
            field="Condition", message="no dystonia diagnosis in the FHIR record",
            solution="add a Condition coded ICD-10-CM G24.x or SNOMED CT 15802004")])
    dystonia: dict[str, Any] = {"regions": facts.regions}
    if facts.onsets:
        dystonia["onset"] = min(facts.onsets) if all(
            not o.startswith("P") for o in facts.onsets) else facts.onsets[0]
    if facts.features:
        dystonia["features"] = facts.features
    if facts.excluded_features:
        dystonia["excluded_features"] = facts.excluded_features
    dystonia.update(facts.dystonia_more)
    patient = {k: v for k, v in facts.patient.items() if v is not None}
    if facts.age is not None:
        patient["age"] = facts.age
    mapping: dict[str, Any] = {
        "id": case_id or _case_id(data, kb),
        "patient": patient,
        "dystonia": dystonia,
    }
    for key in ("events", "medications", "imaging"):
        if getattr(facts, key):
            mapping[key] = getattr(facts, key)
    if facts.family_dystonia is not None:
        mapping["family_history"] = {"dystonia": True, "note": facts.family_note}
    return case_from_mapping(mapping, kb), facts.notes


def case_from_resources(resources: list[dict[str, Any]], patient_id: str,
                        kb: KnowledgeBase | None = None) -> tuple[Case, list[InputNote]]:
    """One patient's resources (as parsed from a FHIR Bulk Data export) → (Case, notes).

    The entry point of cohort screening: the same mapping as :func:`case_from_fhir`, with
    the patient's id as the case id. Raises CaseError like it.
    """
    return case_from_fhir(resources, kb, case_id=patient_id)
