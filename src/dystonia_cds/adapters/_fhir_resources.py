"""One FHIR resource → its Case fragments in :class:`FhirFacts`, per resource type.

Why one function per type: each type keeps its codes, times and side in other elements
(a Condition's onset[x], a Procedure's performed[x], a MedicationStatement's period, a
DiagnosticReport's linked studies and result Observations);
:func:`dystonia_cds.adapters.fhir.read_fhir` dispatches to them and owns the order
(reports first, so the Observations they consume are not read twice).
"""

from __future__ import annotations

from typing import Any

from dystonia_cds.adapters._fhir_case_ext import case_observation
from dystonia_cds.adapters._fhir_codes import CodeTables
from dystonia_cds.adapters._fhir_read import (
    FhirFacts,
    add_event,
    add_region,
    age_text,
    before_onset_of,
    body_site,
    codings,
    free_text,
    is_no,
    meaning_of,
    onset_of,
    shown,
    time_text,
)

__all__ = ["SKIP_STATUS", "drug_of", "modality_of", "place", "read_condition", "read_family",
           "read_medication", "read_observation", "read_procedure", "read_report",
           "skipped_status"]

SKIP_STATUS = {"entered-in-error", "refuted"}
_IMAGING_CATEGORIES = {"RAD", "imaging", "IMG"}


def place(res: Any) -> str:
    """``Type/id`` of a resource: the field an input note names."""
    return f"{res.get_resource_type()}/{res.id or '?'}"


def skipped_status(res: Any, tables: CodeTables) -> str | None:
    """The status (entered in error, refuted) for which a resource is not used, if any."""
    status = getattr(res, "status", None)
    codes = [c for _, c, _ in codings(getattr(res, "verificationStatus", None), tables)]
    return next((s for s in [status, *codes] if s in SKIP_STATUS), None)


def read_condition(res: Any, facts: FhirFacts, tables: CodeTables) -> None:
    where = place(res)
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


def read_procedure(res: Any, facts: FhirFacts, tables: CodeTables) -> None:
    where = place(res)
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


def read_medication(res: Any, facts: FhirFacts, tables: CodeTables, by_id: dict[str, Any]) -> None:
    where = place(res)
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


def modality_of(studies: list[Any], cc: Any, tables: CodeTables) -> str:
    for study in studies:
        for coding in [*(study.modality or []), *(s.modality for s in study.series or [])]:
            if coding is not None and coding.code in tables.dicom:
                return tables.dicom[coding.code]
    for system, code, _ in codings(cc, tables):
        if system == "dicom" and code in tables.dicom:
            return tables.dicom[code]
    return "other"


def lesion_of(obs: Any, facts: FhirFacts, tables: CodeTables) -> dict[str, Any] | None:
    structure = next((c for s, c, _ in codings(obs.bodySite, tables) if s == "structure"), None)
    if structure is None:
        facts.note(place(obs), f"imaging finding {shown(obs.code)} has no brain structure "
                   "the knowledge base knows; not used")
        return None
    _, side = body_site([obs.bodySite], obs, tables)
    return {"structure": structure, "side": side} if side else {"structure": structure}


def read_report(res: Any, facts: FhirFacts, tables: CodeTables, by_id: dict[str, Any]) -> set[str]:
    """An imaging report → an imaging entry; returns the references it consumed."""
    where = place(res)
    cats = {c for cc in res.category or [] for _, c, _ in codings(cc, tables)}
    refs = [r.reference for r in [*(res.imagingStudy or []), *(res.result or [])] if r.reference]
    studies = [by_id[r] for r in refs if r in by_id and r.startswith("ImagingStudy")]
    if not (cats & _IMAGING_CATEGORIES or studies):
        facts.note(where, f"report {shown(res.code)} is not an imaging report; not used")
        return set()
    im: dict[str, Any] = {"modality": modality_of(studies, res.code, tables)}
    im["when"] = time_text(res.effectiveDateTime, facts, where) if res.effectiveDateTime else None
    verdicts = {tables.conclusion.get(c) for cc in res.conclusionCode or []
                for _, c, _ in codings(cc, tables)} - {None}
    lesions = [les for r in refs if r.startswith("Observation") and r in by_id
               for les in [lesion_of(by_id[r], facts, tables)] if les]
    if lesions or "abnormal" in verdicts:
        im["normal"] = False
    elif verdicts == {"normal"}:
        im["normal"] = True
    im["lesions"] = lesions
    if res.conclusion:
        facts.note(where, f"imaging conclusion text kept, not interpreted: {res.conclusion!r}")
    facts.imaging.append({k: v for k, v in im.items() if v is not None})
    return set(refs)


def read_observation(res: Any, facts: FhirFacts, tables: CodeTables) -> None:
    where = place(res)
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


def read_family(res: Any, facts: FhirFacts, tables: CodeTables) -> None:
    for cond in res.condition or []:
        meaning = meaning_of(cond.code, tables)
        if meaning is not None and meaning.dystonia:
            facts.family_dystonia = True
            relation = res.relationship.text or shown(res.relationship)
            facts.family_note = f"{relation}: {cond.code.text or 'dystonia'}"
            return
    facts.note(place(res), "family history without a mapped dystonia code; not used")
