"""Case (+ Assessment) → Phenopacket v2 (the writer of the Phenopacket adapter)."""

from __future__ import annotations

import datetime as dt

from google.protobuf import json_format  # type: ignore[import-untyped]
from phenopackets import (  # type: ignore[import-untyped]
    Disease,
    GeneDescriptor,
    GenomicInterpretation,
    Interpretation,
    MedicalAction,
    MetaData,
    Phenopacket,
    PhenotypicFeature,
    Resource,
)

from dystonia_cds.adapters._pp_own_terms import dystonia_terms, imaging_terms
from dystonia_cds.adapters._pp_terms import (
    DYSTONIA,
    GENE_STATUS,
    LIMB_DYSTONIA,
    NS,
    SEX,
    SHARED_TERMS,
    differential_region_terms,
    hpo,
    ns,
    oc,
    terms,
)
from dystonia_cds.adapters._pp_time import minus, to_time_element
from dystonia_cds.assessment import Assessment, InputNote
from dystonia_cds.case import Case
from dystonia_cds.knowledge import KnowledgeBase, default_knowledge

_SEVERITY = {"mild": "HP:0012825", "moderate": "HP:0012826", "severe": "HP:0012828"}


def _hpo_side(side: str) -> str:
    return str({v: k for k, v in terms()["laterality"].items()}[side])


def region_term(region: str, kb: KnowledgeBase) -> str:
    """The HPO term written for a region: the one the genetic differential matches on (Arm
    and Leg dystonia, not their parent Limb dystonia; Lingual and Axial dystonia for the
    tongue and trunk; Craniofacial dystonia for the lower face, which has no class of its
    own), else the most specific one the knowledge base gives."""
    info = kb.regions[region]
    more = info.hpo_more[0] if info.hpo_more else None
    specific = more if info.hpo in (None, LIMB_DYSTONIA) and more else info.hpo
    return differential_region_terms().get(region) or specific or DYSTONIA[0]


def _region_feature(region: str, side: str | None, case: Case,
                    kb: KnowledgeBase) -> PhenotypicFeature:
    t = terms()
    term = region_term(region, kb)
    pf = PhenotypicFeature(type=hpo(term))
    if region in t["uberon"] and term in SHARED_TERMS:
        pf.modifiers.append(oc(t["uberon"][region]["id"], t["uberon"][region]["label"]))
    if side:
        pf.modifiers.append(hpo(_hpo_side(side)))
    course = {v: k for k, v in t["course"].items()}.get(case.dystonia.course or "")
    if course:
        pf.modifiers.append(hpo(course))
    elif case.dystonia.course:
        pf.modifiers.append(ns("course", case.dystonia.course, f"course: {case.dystonia.course}"))
    if case.dystonia.onset:
        pf.onset.CopyFrom(to_time_element(case.dystonia.onset))
    return pf


def _not_carried(case: Case) -> list[InputNote]:
    """Case fields with no place in a phenopacket: free-text notes, a procedure's side and
    severity, lesion volumes (the dystonia-cds terms carry everything the engine reads)."""
    notes = []
    for i, ev in enumerate(case.events or []):
        if ev.note:
            notes.append(InputNote(field=f"events[{i}].note",
                                   message="not carried by the phenopacket"))
    for i, im in enumerate(case.imaging or []):
        for j, les in enumerate(im.lesions):
            for attr in ("volume_ml", "fraction", "source"):
                if getattr(les, attr) is not None:
                    notes.append(InputNote(field=f"imaging[{i}].lesions[{j}].{attr}",
                                           message="not carried by the phenopacket"))
        if im.lesion_mask:
            notes.append(InputNote(field=f"imaging[{i}].lesion_mask",
                                   message="a file path; not carried by the phenopacket"))
    return notes


def _subject(pp: Phenopacket, case: Case) -> None:
    pp.subject.id = "subject"
    if case.patient.sex in SEX:
        pp.subject.sex = SEX[case.patient.sex]
    if case.patient.birth_date:
        b = case.patient.birth_date
        pp.subject.date_of_birth.FromDatetime(dt.datetime(b.year, b.month, b.day, tzinfo=dt.UTC))
    if case.patient.age:
        pp.subject.time_at_last_encounter.CopyFrom(to_time_element(case.patient.age))


def _features(pp: Phenopacket, case: Case, kb: KnowledgeBase, notes: list[InputNote]) -> None:
    for r in case.dystonia.regions:
        pp.phenotypic_features.append(_region_feature(r.region, r.side, case, kb))
    hpo_of = {f.id: f for f in kb.features.values()}
    for excluded, ids in ((False, case.dystonia.features), (True, case.dystonia.excluded_features)):
        for fid in ids or []:
            info = hpo_of.get(fid)
            if fid.startswith("HP:") or (info and info.hpo):
                term = hpo(info.hpo) if info and info.hpo else hpo(fid)
            else:  # a knowledge-base sign without an HPO term
                term = ns("feature", fid, info.label if info else fid)
            pp.phenotypic_features.append(PhenotypicFeature(type=term, excluded=excluded))
    if case.family_history and case.family_history.dystonia is not None:
        fh = terms()["family_history"]
        pp.phenotypic_features.append(PhenotypicFeature(
            type=hpo(fh["id"]), excluded=not case.family_history.dystonia,
            modifiers=[hpo(DYSTONIA[0])], description=case.family_history.note or ""))
    dystonia_terms(pp, case)
    imaging_terms(pp, case)


def _events(pp: Phenopacket, case: Case, kb: KnowledgeBase, notes: list[InputNote]) -> None:
    t = terms()
    for i, ev in enumerate(case.events or []):
        code = t["event_codes"].get(ev.type) or {"id": f"{NS}:event/{ev.type}",
                                                 "label": kb.events[ev.type].label}
        when = ev.when or (minus(case.dystonia.onset, ev.before_onset)
                           if ev.before_onset and case.dystonia.onset else None)
        if when is None and ev.before_onset:
            notes.append(InputNote(field=f"events[{i}].before_onset", message=(
                "no dystonia onset to place it against; timing not carried")))
        site = t["uberon"].get(ev.body_site) if ev.body_site else None
        if ev.type in t["procedure_events"]:
            action = MedicalAction()
            action.procedure.code.CopyFrom(oc(code["id"], code["label"]))
            if when:
                action.procedure.performed.CopyFrom(to_time_element(when))
            if site:
                action.procedure.body_site.CopyFrom(oc(site["id"], site["label"]))
            for attr in ("side", "severity"):  # a Procedure has no field for either
                if getattr(ev, attr):
                    notes.append(InputNote(field=f"events[{i}].{attr}", message=(
                        f"a procedure's {attr} is not carried by the phenopacket")))
            pp.medical_actions.append(action)
            continue
        disease = Disease(term=oc(code["id"], code["label"]))
        if when:
            disease.onset.CopyFrom(to_time_element(when))
        if ev.severity:
            disease.disease_stage.append(hpo(_SEVERITY[ev.severity]))
        if ev.side:
            disease.laterality.CopyFrom(hpo(_hpo_side(ev.side)))
        if site:
            disease.primary_site.CopyFrom(oc(site["id"], site["label"]))
        pp.diseases.append(disease)


def _medications(pp: Phenopacket, case: Case, kb: KnowledgeBase,
                 notes: list[InputNote]) -> None:
    for i, med in enumerate(case.medications or []):
        drug = kb.drugs.get(med.drug)
        action = MedicalAction()
        action.treatment.agent.CopyFrom(oc(f"ATC:{drug.atc}" if drug and drug.atc
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


def _genetics(pp: Phenopacket, case: Case) -> None:
    if not case.genetics:
        return
    interp = Interpretation(id="genetic-testing", progress_status=Interpretation.COMPLETED)
    for g in case.genetics:
        gi = GenomicInterpretation(subject_or_biosample_id="subject",
                                   interpretation_status=GENE_STATUS[g.result],
                                   gene=GeneDescriptor(value_id=f"HGNC.SYMBOL:{g.gene}",
                                                       symbol=g.gene,
                                                       description=g.variant or ""))
        interp.diagnosis.genomic_interpretations.append(gi)
    pp.interpretations.append(interp)


def _interpretation(a: Assessment) -> Interpretation:
    top = a.top
    status = (Interpretation.UNKNOWN_PROGRESS if a.etiology.summary == "undetermined"
              else Interpretation.IN_PROGRESS)
    interp = Interpretation(id="dystonia-cds-assessment", progress_status=status, summary=(
        f"dystonia-cds {a.engine_version} (knowledge {a.knowledge_version}): "
        f"{a.etiology.summary}; most supported cause {top.label} ({top.support}). "
        f"{a.disclaimer}"))
    interp.diagnosis.disease.CopyFrom(oc(f"{NS}:etiology/{top.category}", top.label))
    return interp


def _meta(kb: KnowledgeBase) -> MetaData:
    t = terms()
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


def case_to_phenopacket(case: Case, assessment: Assessment | None = None,
                        kb: KnowledgeBase | None = None) -> tuple[Phenopacket, list[InputNote]]:
    """Case (+ Assessment) → (Phenopacket, notes on Case fields it cannot carry)."""
    kb = kb or default_knowledge()
    notes = _not_carried(case)
    pp = Phenopacket(id=case.id or "dystonia-cds-case")
    _subject(pp, case)
    _features(pp, case, kb, notes)
    _events(pp, case, kb, notes)
    _medications(pp, case, kb, notes)
    _genetics(pp, case)
    if assessment is not None:
        pp.interpretations.append(_interpretation(assessment))
    pp.meta_data.CopyFrom(_meta(kb))
    return pp, notes


def to_json(pp: Phenopacket) -> str:
    """Phenopacket JSON in the schema's camelCase field names."""
    return str(json_format.MessageToJson(pp, indent=2))
