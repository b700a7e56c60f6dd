"""GA4GH Phenopacket v2 ↔ Case (and Assessment → interpretation).

Reading: observed HPO terms of the knowledge base's regions (with HPO laterality and UBERON
body-part modifiers) become dystonia regions; other observed/excluded HPO terms become
features; the earliest region onset becomes the dystonia onset; ``diseases`` and
``medicalActions`` become events and medications; genomic interpretations become genetics;
``HP:0032316`` (family history) with a Dystonia modifier becomes the family history.
Writing does the reverse and adds the Assessment as an Interpretation whose progress status
is IN_PROGRESS (decision support is never a solved diagnosis). Case fields a phenopacket
cannot carry (sensory trick, sleep, imaging, event notes, ...) are listed as notes.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from google.protobuf import json_format  # type: ignore[import-untyped]
from phenopackets import (  # type: ignore[import-untyped]
    Disease,
    GeneDescriptor,
    GenomicInterpretation,
    Interpretation,
    MedicalAction,
    MetaData,
    OntologyClass,
    Phenopacket,
    PhenotypicFeature,
    Resource,
    Sex,
)

from dystonia_cds._case_io import case_from_mapping
from dystonia_cds.adapters._fhir_codes import CodeTables
from dystonia_cds.adapters._pp_time import from_time_element, minus, to_time_element
from dystonia_cds.assessment import Assessment, InputNote
from dystonia_cds.case import Case
from dystonia_cds.errors import CaseError, InputProblem
from dystonia_cds.knowledge import KnowledgeBase, default_knowledge

__all__ = ["case_from_phenopacket", "case_to_phenopacket"]

NS = "DYSTONIA-CDS"
_DYSTONIA = ("HP:0001332", "Dystonia")
_GENE_STATUS = {"positive": GenomicInterpretation.CAUSATIVE,
                "negative": GenomicInterpretation.REJECTED,
                "vus": GenomicInterpretation.CANDIDATE}
_SEX = {"female": Sex.FEMALE, "male": Sex.MALE, "other": Sex.OTHER_SEX}
_NOT_CARRIED = ("course:improving", "variability", "sensory_trick", "persists_in_sleep",
                "fixed_posture", "onset_region", "imaging")


@cache
def _terms() -> dict[str, Any]:
    path = Path(__file__).parent / "data" / "phenopacket_terms.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def _oc(term_id: str, label: str) -> OntologyClass:
    return OntologyClass(id=term_id, label=label)


# ---------------------------------------------------------------- Phenopacket → Case

def _event_of(term: OntologyClass, tables: CodeTables) -> str | None:
    prefix, _, code = term.id.partition(":")
    if prefix == NS and code.startswith("event/"):
        return str(code).removeprefix("event/")
    system = {"ICD10CM": "icd10cm", "SNOMEDCT": "snomed", "SNOMED": "snomed"}.get(prefix.upper())
    meaning = tables.code_meaning(system, code)
    return meaning.event if meaning else None


def _region_of(pf: PhenotypicFeature, tables: CodeTables) -> tuple[str | None, str | None]:
    t = _terms()
    by_uberon = {v["id"]: k for k, v in t["uberon"].items()}
    mods = [m.id for m in pf.modifiers]
    side = next((t["laterality"][m] for m in mods if m in t["laterality"]), None)
    part = next((by_uberon[m] for m in mods if m in by_uberon), None)
    region = tables.hpo_region.get(pf.type.id)
    if region is None:
        return None, side
    if pf.type.id in ("HP:0002451", _DYSTONIA[0]) and part:
        region = part  # Limb dystonia / Dystonia made precise by a body-part modifier
    return region, side


def case_from_phenopacket(data: str | dict[str, Any], kb: KnowledgeBase | None = None
                          ) -> tuple[Case, list[InputNote]]:
    """Phenopacket v2 JSON (text or mapping) → (Case, input notes)."""
    kb = kb or default_knowledge()
    tables = CodeTables(kb)
    pp = Phenopacket()
    try:
        (json_format.ParseDict if isinstance(data, dict) else json_format.Parse)(data, pp)
    except json_format.ParseError as exc:
        raise CaseError([InputProblem(field="(phenopacket)", message=str(exc))]) from None
    notes: list[InputNote] = []
    t = _terms()
    subject: dict[str, Any] = {}
    sexes = {v: k for k, v in _SEX.items()}
    if pp.subject.sex in sexes:
        subject["sex"] = sexes[pp.subject.sex]
    if pp.subject.HasField("date_of_birth"):
        subject["birth_date"] = pp.subject.date_of_birth.ToDatetime(tzinfo=dt.UTC).date()
    if pp.subject.HasField("time_at_last_encounter"):
        subject["age"] = from_time_element(pp.subject.time_at_last_encounter)
    regions: list[dict[str, str]] = []
    onsets: list[str] = []
    dys: dict[str, Any] = {}
    family: dict[str, Any] | None = None
    for i, pf in enumerate(pp.phenotypic_features):
        region, side = _region_of(pf, tables)
        if pf.type.id == t["family_history"]["id"]:
            family = {"dystonia": not pf.excluded, "note": pf.description or None}
        elif region and not pf.excluded:
            entry = {"region": region, **({"side": side} if side else {})}
            regions += [entry] if entry not in regions else []
            if pf.HasField("onset") and (when := from_time_element(pf.onset)):
                onsets.append(when)
            for m in pf.modifiers:
                if m.id in t["course"]:
                    dys["course"] = t["course"][m.id]
        elif pf.type.id.startswith("HP:"):
            dys.setdefault("excluded_features" if pf.excluded else "features", []).append(
                pf.type.id)
        else:
            notes.append(InputNote(field=f"phenotypicFeatures[{i}]",
                                   message=f"{pf.type.id} is not an HPO term; not used"))
    events = []
    disease_onsets: list[str] = []
    for i, disease in enumerate(pp.diseases):
        etype = _event_of(disease.term, tables)
        if etype is None:
            if disease.HasField("onset") and (when := from_time_element(disease.onset)):
                disease_onsets.append(when)
            notes.append(InputNote(field=f"diseases[{i}]", message=(
                f"{disease.term.id} ({disease.term.label}) is not a known cause of acquired "
                "dystonia; its diagnosis is not used (its onset is, when no dystonia term has "
                "one)")))
            continue
        ev: dict[str, Any] = {"type": etype}
        if disease.HasField("onset"):
            ev["when"] = from_time_element(disease.onset)
        if disease.laterality.id in t["laterality"]:
            ev["side"] = t["laterality"][disease.laterality.id]
        by_uberon = {v["id"]: k for k, v in t["uberon"].items()}
        if disease.primary_site.id in by_uberon:
            ev["body_site"] = by_uberon[disease.primary_site.id]
        events.append(ev)
    if not onsets and disease_onsets:
        onsets = disease_onsets
        notes.append(InputNote(field="diseases[].onset", message=(
            "no dystonia phenotype has an onset; the diagnosed disease's onset is taken as the "
            "onset of dystonia")))
    if onsets:
        dys["onset"] = min(onsets, key=lambda o: (o.startswith("P"), o))
    meds = []
    for i, action in enumerate(pp.medical_actions):
        kind = action.WhichOneof("action")
        if kind == "procedure" and (etype := _event_of(action.procedure.code, tables)):
            ev = {"type": etype}
            if action.procedure.HasField("performed"):
                ev["when"] = from_time_element(action.procedure.performed)
            site = {v["id"]: k for k, v in t["uberon"].items()}.get(action.procedure.body_site.id)
            events.append({**ev, **({"body_site": site} if site else {})})
        elif kind == "treatment":
            agent = action.treatment.agent
            prefix, _, code = agent.id.partition(":")
            system = {"RXNORM": "rxnorm", "ATC": "atc"}.get(prefix.upper())
            med: dict[str, Any] = {"drug": tables.drug(system, code, agent.label) or agent.label}
            for di in action.treatment.dose_intervals[:1]:
                if di.interval.HasField("start"):
                    med["started"] = di.interval.start.ToDatetime(tzinfo=dt.UTC).date()
                if di.interval.HasField("end"):
                    med["stopped"] = di.interval.end.ToDatetime(tzinfo=dt.UTC).date()
            meds.append(med)
        else:
            notes.append(InputNote(field=f"medicalActions[{i}]", message="not mapped; not used"))
    genetics = []
    status_to_result = {v: k for k, v in _GENE_STATUS.items()}
    for interp in pp.interpretations:
        if interp.id.startswith("dystonia-cds"):
            continue  # our own output, not an input fact
        for gi in interp.diagnosis.genomic_interpretations:
            result = status_to_result.get(gi.interpretation_status)
            if gi.WhichOneof("call") != "gene" or result is None:
                notes.append(InputNote(field=f"interpretations[{interp.id}]", message=(
                    "genomic interpretation without a gene call and status; not used")))
                continue
            gene = {"gene": gi.gene.symbol, "result": result}
            genetics.append({**gene, **({"variant": gi.gene.description}
                                        if gi.gene.description else {})})
    if not regions:
        regions = [{"region": "unspecified"}]
        notes.append(InputNote(field="phenotypicFeatures", message=(
            "no observed dystonia term with a body region; region recorded as 'unspecified' "
            "(distribution undetermined)")))
    mapping: dict[str, Any] = {"id": pp.id or None, "patient": subject,
                               "dystonia": {"regions": regions, **dys}}
    for key, value in (("events", events), ("medications", meds), ("genetics", genetics)):
        if value:
            mapping[key] = value
    if family is not None:
        mapping["family_history"] = family
    return case_from_mapping(mapping, kb), notes


# ---------------------------------------------------------------- Case → Phenopacket

def _region_feature(region: str, side: str | None, case: Case,
                    kb: KnowledgeBase) -> PhenotypicFeature:
    t = _terms()
    info = kb.regions[region]
    pf = PhenotypicFeature(type=_oc(info.hpo or _DYSTONIA[0], info.label if info.hpo
                                    and info.hpo != _DYSTONIA[0] else _DYSTONIA[1]))
    if region in t["uberon"] and (not info.hpo or info.hpo == "HP:0002451"):
        pf.modifiers.append(_oc(t["uberon"][region]["id"], t["uberon"][region]["label"]))
    if side:
        hpo = {v: k for k, v in t["laterality"].items()}[side]
        pf.modifiers.append(_oc(hpo, f"{side.capitalize()}"))
    course = {v: k for k, v in t["course"].items()}.get(case.dystonia.course or "")
    if course:
        pf.modifiers.append(_oc(course, case.dystonia.course or ""))
    if case.dystonia.onset:
        pf.onset.CopyFrom(to_time_element(case.dystonia.onset))
    return pf


def _not_carried(case: Case) -> list[InputNote]:
    notes = []
    for name in _NOT_CARRIED:
        key, _, only = name.partition(":")
        value = getattr(case.dystonia, key, None) if key != "imaging" else case.imaging
        if value and (not only or value == only):
            notes.append(InputNote(field=key, message="not carried by the phenopacket"))
    for i, ev in enumerate(case.events or []):
        for attr in ("note", "severity"):
            if getattr(ev, attr):
                notes.append(InputNote(field=f"events[{i}].{attr}",
                                       message="not carried by the phenopacket"))
    return notes


def case_to_phenopacket(case: Case, assessment: Assessment | None = None,
                        kb: KnowledgeBase | None = None) -> tuple[Phenopacket, list[InputNote]]:
    """Case (+ Assessment) → (Phenopacket, notes on Case fields it cannot carry)."""
    kb = kb or default_knowledge()
    t = _terms()
    notes = _not_carried(case)
    pp = Phenopacket(id=case.id or "dystonia-cds-case")
    pp.subject.id = "subject"
    if case.patient.sex in _SEX:
        pp.subject.sex = _SEX[case.patient.sex]
    if case.patient.birth_date:
        b = case.patient.birth_date
        pp.subject.date_of_birth.FromDatetime(dt.datetime(b.year, b.month, b.day, tzinfo=dt.UTC))
    if case.patient.age:
        pp.subject.time_at_last_encounter.CopyFrom(to_time_element(case.patient.age))
    for r in case.dystonia.regions:
        pp.phenotypic_features.append(_region_feature(r.region, r.side, case, kb))
    hpo_of = {f.id: f for f in kb.features.values()}
    for excluded, ids in ((False, case.dystonia.features), (True, case.dystonia.excluded_features)):
        for fid in ids or []:
            info = hpo_of.get(fid)
            if fid.startswith("HP:") or (info and info.hpo):
                term = _oc(info.hpo, info.label) if info and info.hpo else _oc(fid, fid)
                pp.phenotypic_features.append(PhenotypicFeature(type=term, excluded=excluded))
            else:
                notes.append(InputNote(field="dystonia.features", message=(
                    f"{fid} has no HPO term; not carried by the phenopacket")))
    if case.family_history and case.family_history.dystonia is not None:
        fh = t["family_history"]
        pp.phenotypic_features.append(PhenotypicFeature(
            type=_oc(fh["id"], fh["label"]), excluded=not case.family_history.dystonia,
            modifiers=[_oc(*_DYSTONIA)], description=case.family_history.note or ""))
    for i, ev in enumerate(case.events or []):
        code = t["event_codes"].get(ev.type) or {"id": f"{NS}:event/{ev.type}",
                                                 "label": kb.events[ev.type].label}
        when = ev.when or (minus(case.dystonia.onset, ev.before_onset)
                           if ev.before_onset and case.dystonia.onset else None)
        if when is None and ev.before_onset:
            notes.append(InputNote(field=f"events[{i}].before_onset", message=(
                "no dystonia onset to place it against; timing not carried")))
        if ev.type in t["procedure_events"]:
            action = MedicalAction()
            action.procedure.code.CopyFrom(_oc(code["id"], code["label"]))
            if when:
                action.procedure.performed.CopyFrom(to_time_element(when))
            if ev.body_site in t["uberon"]:
                u = t["uberon"][ev.body_site]
                action.procedure.body_site.CopyFrom(_oc(u["id"], u["label"]))
            if ev.side:
                notes.append(InputNote(field=f"events[{i}].side", message=(
                    "a procedure's side is not carried by the phenopacket")))
            pp.medical_actions.append(action)
            continue
        disease = Disease(term=_oc(code["id"], code["label"]))
        if when:
            disease.onset.CopyFrom(to_time_element(when))
        if ev.side:
            hpo = {v: k for k, v in t["laterality"].items()}[ev.side]
            disease.laterality.CopyFrom(_oc(hpo, ev.side.capitalize()))
        if ev.body_site in t["uberon"]:
            u = t["uberon"][ev.body_site]
            disease.primary_site.CopyFrom(_oc(u["id"], u["label"]))
        pp.diseases.append(disease)
    for i, med in enumerate(case.medications or []):
        drug = kb.drugs.get(med.drug)
        action = MedicalAction()
        action.treatment.agent.CopyFrom(_oc(f"ATC:{drug.atc}" if drug and drug.atc
                                            else f"{NS}:drug/{med.drug}", med.drug))
        dates = [x for x in (med.started, med.stopped) if x]
        if dates and not any(x.startswith("P") for x in dates):
            di = action.treatment.dose_intervals.add()
            for name, x in (("start", med.started), ("end", med.stopped)):
                if x:
                    getattr(di.interval, name).CopyFrom(to_time_element(x).timestamp)
        elif dates or med.before_onset:
            notes.append(InputNote(field=f"medications[{i}]", message=(
                "timing given as an age or before_onset; not carried by the phenopacket")))
        pp.medical_actions.append(action)
    if case.genetics:
        interp = Interpretation(id="genetic-testing",
                                progress_status=Interpretation.COMPLETED)
        for g in case.genetics:
            gi = GenomicInterpretation(subject_or_biosample_id="subject",
                                       interpretation_status=_GENE_STATUS[g.result],
                                       gene=GeneDescriptor(value_id=f"HGNC.SYMBOL:{g.gene}",
                                                           symbol=g.gene,
                                                           description=g.variant or ""))
            interp.diagnosis.genomic_interpretations.append(gi)
        pp.interpretations.append(interp)
    if assessment is not None:
        pp.interpretations.append(_interpretation(assessment))
    pp.meta_data.CopyFrom(_meta(kb))
    return pp, notes


def _interpretation(a: Assessment) -> Interpretation:
    top = a.top
    status = (Interpretation.UNKNOWN_PROGRESS if a.etiology.summary == "undetermined"
              else Interpretation.IN_PROGRESS)
    interp = Interpretation(id="dystonia-cds-assessment", progress_status=status, summary=(
        f"dystonia-cds {a.engine_version} (knowledge {a.knowledge_version}): "
        f"{a.etiology.summary}; most supported cause {top.label} ({top.support}). "
        f"{a.disclaimer}"))
    interp.diagnosis.disease.CopyFrom(_oc(f"{NS}:etiology/{top.category}", top.label))
    return interp


def _meta(kb: KnowledgeBase) -> MetaData:
    t = _terms()
    meta = MetaData(created_by=f"dystonia-cds (knowledge {kb.knowledge_version})",
                    phenopacket_schema_version="2.0")
    meta.created.FromDatetime(dt.datetime.now(dt.UTC).replace(microsecond=0))
    meta.resources.extend([
        Resource(id="hp", name="human phenotype ontology", namespace_prefix="HP",
                 url="http://purl.obolibrary.org/obo/hp.owl", version=t["hpo_version"],
                 iri_prefix="http://purl.obolibrary.org/obo/HP_"),
        Resource(id="uberon", name="Uber-anatomy ontology", namespace_prefix="UBERON",
                 url="http://purl.obolibrary.org/obo/uberon.owl", version="2024-03-22",
                 iri_prefix="http://purl.obolibrary.org/obo/UBERON_"),
        Resource(id="snomedct", name="SNOMED CT", namespace_prefix="SNOMEDCT",
                 url="http://snomed.info/sct", version="", iri_prefix="http://snomed.info/id/"),
        Resource(id="atc", name="Anatomical Therapeutic Chemical classification",
                 namespace_prefix="ATC", url="https://atcddd.fhi.no/atc_ddd_index/",
                 version="", iri_prefix="https://atcddd.fhi.no/atc_ddd_index/?code="),
        Resource(id="dystonia-cds", name="dystonia-cds knowledge base", namespace_prefix=NS,
                 url="https://github.com/dystonia-cds", version=kb.knowledge_version,
                 iri_prefix=f"{NS}:"),
    ])
    return meta


def to_json(pp: Phenopacket) -> str:
    """Phenopacket JSON in the schema's camelCase field names."""
    return str(json_format.MessageToJson(pp, indent=2))
