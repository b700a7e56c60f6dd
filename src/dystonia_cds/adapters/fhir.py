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
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from dystonia_cds._case_io import case_from_mapping
from dystonia_cds.adapters._fhir_case_ext import case_observation
from dystonia_cds.adapters._fhir_codes import CodeTables
from dystonia_cds.adapters._fhir_read import (
    NO_CODES,
    FhirFacts,
    add_event,
    add_region,
    age_text,
    before_onset_of,
    body_site,
    codings,
    collect_resources,
    free_text,
    is_no,
    meaning_of,
    onset_of,
    parse_resources,
    shown,
    time_text,
)
from dystonia_cds.adapters._fhir_write import case_to_fhir, to_json
from dystonia_cds.assessment import InputNote
from dystonia_cds.case import Case
from dystonia_cds.errors import CaseError, InputProblem
from dystonia_cds.knowledge import KnowledgeBase, default_knowledge

__all__ = ["DystoniaCodes", "FhirFacts", "case_from_fhir", "case_from_resources", "case_to_fhir",
           "drug_of", "dystonia_codes", "read_fhir", "to_json"]

_SKIP_STATUS = {"entered-in-error", "refuted"}
_IMAGING_CATEGORIES = {"RAD", "imaging", "IMG"}


def _where(res: Any) -> str:
    return f"{res.get_resource_type()}/{res.id or '?'}"


def _status(res: Any, tables: CodeTables) -> str | None:
    status = getattr(res, "status", None)
    codes = [c for _, c, _ in codings(getattr(res, "verificationStatus", None), tables)]
    return next((s for s in [status, *codes] if s in _SKIP_STATUS), None)


def _condition(res: Any, facts: FhirFacts, tables: CodeTables) -> None:
    where = _where(res)
    meaning = meaning_of(res.code, tables)
    when = onset_of(res, facts, where)
    if meaning is None:
        facts.note(where, f"condition {shown(res.code)} is not mapped; not used")
        return
    if meaning.tardive:
        facts.tardive = True
        facts.note(where, "tardive dyskinesia recorded; it is not a dystonia region")
    if meaning.dystonia:
        region, side = body_site(res.bodySite, res, tables)
        add_region(facts, region if meaning.dystonia == "unspecified" and region
                   else meaning.dystonia, side)
        facts.acute_reaction = facts.acute_reaction or meaning.acute_reaction
        if when:
            facts.onsets.append(when)
    elif meaning.event:
        add_event(facts, tables, res, res.code, meaning, when)


def _procedure(res: Any, facts: FhirFacts, tables: CodeTables) -> None:
    where = _where(res)
    meaning = meaning_of(res.code, tables)
    if meaning is None or meaning.event is None:
        facts.note(where, f"procedure {shown(res.code)} is not mapped; not used")
        return
    when = time_text(res.performedDateTime, facts, where) if res.performedDateTime else None
    if when is None and res.performedAge is not None:
        when = age_text(res.performedAge, facts, where)
    if when is None and res.performedPeriod is not None:
        when = time_text(res.performedPeriod.start, facts, where)
    add_event(facts, tables, res, res.code, meaning, when)


def drug_of(res: Any, by_id: dict[str, Any], tables: CodeTables) -> tuple[str | None, Any]:
    """(knowledge-base drug id or the coded name, the CodeableConcept) of a medication."""
    cc = getattr(res, "medicationCodeableConcept", None)
    ref = getattr(res, "medicationReference", None)
    if cc is None and ref is not None and ref.reference:
        med = by_id.get(ref.reference) or by_id.get(ref.reference.lstrip("#"))
        cc = med.code if med is not None else None
    for system, code, display in codings(cc, tables):
        hit = tables.drug(system, code, display)
        if hit:
            return hit, cc
    if cc is not None and cc.text:
        return tables.drug(None, None, cc.text) or cc.text, cc
    names = [d for _, _, d in codings(cc, tables) if d]
    return (names[0] if names else None), cc


def _medication(res: Any, facts: FhirFacts, tables: CodeTables, by_id: dict[str, Any]) -> None:
    where = _where(res)
    drug, cc = drug_of(res, by_id, tables)
    if drug is None:
        facts.note(where, f"medication {shown(cc)} has no name or known code; not used")
        return
    med: dict[str, Any] = {"drug": drug}
    if res.get_resource_type() == "MedicationRequest":
        med["started"] = time_text(res.authoredOn, facts, where)
    else:
        period = res.effectivePeriod
        med["started"] = time_text(res.effectiveDateTime or (period and period.start), facts,
                                   where)
        med["stopped"] = time_text(period.end if period else None, facts, where)
    med["note"] = free_text(res, None)
    med["before_onset"] = before_onset_of(res, facts, where)
    facts.medications.append({k: v for k, v in med.items() if v is not None})


def _modality(studies: list[Any], cc: Any, tables: CodeTables) -> str:
    for study in studies:
        for coding in [*(study.modality or []), *(s.modality for s in study.series or [])]:
            if coding is not None and coding.code in tables.dicom:
                return tables.dicom[coding.code]
    for system, code, _ in codings(cc, tables):
        if system == "dicom" and code in tables.dicom:
            return tables.dicom[code]
    return "other"


def _lesion(obs: Any, facts: FhirFacts, tables: CodeTables) -> dict[str, Any] | None:
    structure = next((c for s, c, _ in codings(obs.bodySite, tables) if s == "structure"), None)
    if structure is None:
        facts.note(_where(obs), f"imaging finding {shown(obs.code)} has no brain structure "
                   "the knowledge base knows; not used")
        return None
    _, side = body_site([obs.bodySite], obs, tables)
    return {"structure": structure, "side": side} if side else {"structure": structure}


def _report(res: Any, facts: FhirFacts, tables: CodeTables, by_id: dict[str, Any]) -> set[str]:
    """An imaging report → an imaging entry; returns the references it consumed."""
    where = _where(res)
    cats = {c for cc in res.category or [] for _, c, _ in codings(cc, tables)}
    refs = [r.reference for r in [*(res.imagingStudy or []), *(res.result or [])] if r.reference]
    studies = [by_id[r] for r in refs if r in by_id and r.startswith("ImagingStudy")]
    if not (cats & _IMAGING_CATEGORIES or studies):
        facts.note(where, f"report {shown(res.code)} is not an imaging report; not used")
        return set()
    im: dict[str, Any] = {"modality": _modality(studies, res.code, tables)}
    im["when"] = time_text(res.effectiveDateTime, facts, where) if res.effectiveDateTime else None
    verdicts = {tables.conclusion.get(c) for cc in res.conclusionCode or []
                for _, c, _ in codings(cc, tables)} - {None}
    lesions = [les for r in refs if r.startswith("Observation") and r in by_id
               for les in [_lesion(by_id[r], facts, tables)] if les]
    if lesions or "abnormal" in verdicts:
        im["normal"] = False
    elif verdicts == {"normal"}:
        im["normal"] = True
    im["lesions"] = lesions
    if res.conclusion:
        facts.note(where, f"imaging conclusion text kept, not interpreted: {res.conclusion!r}")
    facts.imaging.append({k: v for k, v in im.items() if v is not None})
    return set(refs)


def _observation(res: Any, facts: FhirFacts, tables: CodeTables) -> None:
    where = _where(res)
    if case_observation(res, facts, tables):
        return
    absent = is_no(res, tables)
    for system, code, _ in codings(res.code, tables):
        meaning = tables.code_meaning(system, code)
        if system == "hpo" and code.upper() in tables.hpo_feature:
            (facts.excluded_features if absent else facts.features).append(code.upper())
            return
        if meaning is not None and meaning.dystonia and not absent:
            region, side = body_site(res.bodySite and [res.bodySite], res, tables)
            add_region(facts, region if meaning.dystonia == "unspecified" and region
                       else meaning.dystonia, side)
            return
    facts.note(where, f"observation {shown(res.code)} is not mapped; not used")


def _family(res: Any, facts: FhirFacts, tables: CodeTables) -> None:
    for cond in res.condition or []:
        meaning = meaning_of(cond.code, tables)
        if meaning is not None and meaning.dystonia:
            facts.family_dystonia = True
            relation = res.relationship.text or shown(res.relationship)
            facts.family_note = f"{relation}: {cond.code.text or 'dystonia'}"
            return
    facts.note(_where(res), "family history without a mapped dystonia code; not used")


def read_fhir(data: Any, kb: KnowledgeBase | None = None) -> FhirFacts:
    """Everything the record says in Case vocabulary, with notes on what was not used."""
    tables = CodeTables(kb or default_knowledge())
    facts = FhirFacts()
    resources = parse_resources(collect_resources(data), facts)
    by_id = {f"{r.get_resource_type()}/{r.id}": r for r in resources if r.id}
    by_id.update({c.id: c for r in resources for c in getattr(r, "contained", None) or []})
    used: set[str] = set()
    for res in resources:
        if res.get_resource_type() == "DiagnosticReport" and not _status(res, tables):
            used |= _report(res, facts, tables, by_id)
    for res in resources:
        rtype, key = res.get_resource_type(), f"{res.get_resource_type()}/{res.id}"
        if key in used or rtype in {"DiagnosticReport", "Medication"}:
            continue
        if (status := _status(res, tables)) is not None:
            facts.note(_where(res), f"status {status}; not used")
        elif rtype == "Patient":
            facts.patient = {"sex": res.gender, "birth_date": res.birthDate}
        elif rtype == "Condition":
            _condition(res, facts, tables)
        elif rtype == "Procedure":
            _procedure(res, facts, tables)
        elif rtype in {"MedicationRequest", "MedicationStatement"}:
            _medication(res, facts, tables, by_id)
        elif rtype == "ImagingStudy":
            facts.imaging.append({"modality": _modality([res], None, tables),
                                  "when": time_text(res.started, facts, _where(res))})
        elif rtype == "Observation":
            _observation(res, facts, tables)
        elif rtype == "FamilyMemberHistory":
            _family(res, facts, tables)
        else:
            facts.note(_where(res), f"resource type {rtype} is not used by dystonia-cds")
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


@dataclass(frozen=True)
class DystoniaCodes:
    """The codes this mapping reads as a dystonia diagnosis, for selecting patients in SQL.

    Why here: cohort screening selects dystonia patients from millions of resources before
    any resource is mapped, and the selection must agree with the mapping — so both read the
    same code tables. ICD-10-CM is a prefix table (longest listed prefix wins): a code is a
    dystonia code when it starts with one of ``icd10cm_prefixes`` and with none of
    ``icd10cm_excluded`` (longer listed prefixes that mean something else, e.g. G24.01 tardive
    dyskinesia). Codes compare upper-cased and stripped; system URLs without a trailing '/'.
    """

    icd10cm_systems: tuple[str, ...]
    icd10cm_prefixes: tuple[str, ...]
    icd10cm_excluded: tuple[str, ...]
    snomed_systems: tuple[str, ...]
    snomed_codes: tuple[str, ...]
    hpo_systems: tuple[str, ...]
    hpo_codes: tuple[str, ...]
    skip_status: tuple[str, ...]      # status / verificationStatus codes the mapping ignores
    absent_codes: tuple[str, ...]     # Observation.valueCodeableConcept codes meaning "No"

    def is_dystonia(self, system: str | None, code: str) -> bool:
        """The same decision in Python (tests compare it with the mapping and the SQL)."""
        url, norm = (system or "").rstrip("/"), code.strip().upper()
        if url in self.icd10cm_systems:
            return (any(norm.startswith(p) for p in self.icd10cm_prefixes)
                    and not any(norm.startswith(p) for p in self.icd10cm_excluded))
        if url in self.snomed_systems:
            return code.strip() in self.snomed_codes
        return url in self.hpo_systems and norm in self.hpo_codes


def dystonia_codes(kb: KnowledgeBase | None = None) -> DystoniaCodes:
    """The dystonia code sets of the mapping's tables (see :class:`DystoniaCodes`)."""
    tables = CodeTables(kb or default_knowledge())

    def urls(name: str) -> tuple[str, ...]:
        return tuple(sorted(u.rstrip("/") for u, n in tables.systems.items() if n == name))

    dyst = sorted(k for k, m in tables.icd.items() if m.dystonia)
    excluded = sorted(k for k, m in tables.icd.items() if not m.dystonia
                      and any(k.startswith(d) and len(k) > len(d) for d in dyst))
    if any(d.startswith(x) for d in dyst for x in excluded):
        raise ValueError("fhir_codes.yaml: a dystonia ICD-10-CM prefix below a non-dystonia "
                         "one cannot be expressed as prefixes and exclusions")
    return DystoniaCodes(
        icd10cm_systems=urls("icd10cm"), icd10cm_prefixes=tuple(dyst),
        icd10cm_excluded=tuple(excluded), snomed_systems=urls("snomed"),
        snomed_codes=tuple(sorted(k for k, m in tables.snomed.items() if m.dystonia)),
        hpo_systems=urls("hpo"), hpo_codes=tuple(sorted(tables.hpo_region)),
        skip_status=tuple(sorted(_SKIP_STATUS)), absent_codes=tuple(sorted(NO_CODES)))


def case_from_resources(resources: list[dict[str, Any]], patient_id: str,
                        kb: KnowledgeBase | None = None) -> tuple[Case, list[InputNote]]:
    """One patient's resources (as parsed from a FHIR Bulk Data export) → (Case, notes).

    The entry point of cohort screening: the same mapping as :func:`case_from_fhir`, with
    the patient's id as the case id. Raises CaseError like it.
    """
    return case_from_fhir(resources, kb, case_id=patient_id)
