"""The engine: pure functions from a Case to an Assessment. No I/O, no global state.

The same Case and knowledge base give the same Assessment, byte for byte.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from dystonia_cds.assessment import Assessment, DifferentialEntry, InputNote, ReferenceOut
from dystonia_cds.case import Case
from dystonia_cds.engine._facts import Facts, derive_facts
from dystonia_cds.engine.advice import recommendations, treatments
from dystonia_cds.engine.axis1 import classify
from dystonia_cds.engine.batch import Screened, assess_many
from dystonia_cds.engine.checks import compute_checks
from dystonia_cds.engine.differential import inherited_differential, wants_differential
from dystonia_cds.engine.etiology import assess_etiology, fired, quick_scores
from dystonia_cds.engine.questions import next_questions
from dystonia_cds.knowledge import KnowledgeBase
from dystonia_cds.knowledge._models import Reference

if TYPE_CHECKING:
    from dystonia_cds.genetics import HpoIndex

ENGINE_VERSION = "0.1.0"

__all__ = ["ENGINE_VERSION", "Screened", "assess_case", "assess_many"]


def _notes(f: Facts) -> list[InputNote]:
    notes = [
        InputNote(field=f"dystonia.features[{i}]", message=(
            f"{fid} is not a sign the rules read; kept in the record"))
        for i, fid in enumerate(f.case.dystonia.features or []) if fid in f.unread_feature_ids
    ]
    notes += [
        InputNote(field=f"medications[{d.index}].drug", message=(
            f"{d.medication.drug!r} is not in the knowledge base's list of dystonia-inducing "
            "drugs: not assessed for dystonia risk, so it neither supports a drug-induced "
            "cause nor counts as 'no dystonia-inducing drug'"))
        for d in f.drugs if d.info is None
    ]
    notes += [
        InputNote(field=f"events[{e.index}]", message=(
            f"the {e.info.label} came after the onset of dystonia: kept in the record, not "
            "counted as a cause"))
        for e in f.later_events
    ]
    notes += [
        InputNote(field=f"medications[{d.index}]", message=(
            f"{d.medication.drug} was started after the onset of dystonia: kept in the record, "
            "not counted as a cause"))
        for d in f.later_drugs
    ]
    notes += [
        InputNote(field=f"events[{e.index}]", message=(
            "the event's 'when' and 'before_onset' disagree; 'before_onset' was used"))
        for e in f.events if e.latency_conflict
    ]
    for i, im in enumerate(f.case.imaging or []):
        for les in im.lesions:
            if les.source:
                notes.append(InputNote(field=f"imaging[{i}].lesions", message=les.source))
    return notes


@cache
def _reference_out(r: Reference) -> ReferenceOut:
    """The output form of a knowledge-base reference; both are immutable, so one is built
    per reference, not one per citing assessment."""
    return ReferenceOut(id=r.id, citation=r.citation, doi=r.doi, pmid=r.pmid, url=r.url)


def _reference_ids(parts: dict[str, Any]) -> list[str]:
    """Every reference id cited anywhere in the assessment's parts.

    Fields are looked up in the model's declared fields, not with ``getattr`` defaults: a
    missing attribute of a pydantic model raises inside pydantic, which is slow."""
    found: set[str] = set()
    for value in parts.values():
        items = value if isinstance(value, list) else [value]
        for item in items:
            fields = type(item).model_fields
            if "reference_ids" in fields:
                found.update(item.reference_ids)
            if "hypotheses" in fields:
                for h in item.hypotheses:
                    for e in h.evidence:
                        found.update(e.reference_ids)
    return sorted(found)


def assess_case(case: Case, kb: KnowledgeBase, audience: str = "clinician",
                hpo: HpoIndex | None = None, *, ask_differential: bool = False) -> Assessment:
    """Assess one Case against the knowledge base (and the HPO index, when given).
    ``ask_differential`` asks for the genetic differential even when nothing calls for it."""
    f = derive_facts(case, kb)
    checks = compute_checks(f, kb)
    classification = classify(f, kb)
    hits = fired(f, checks, kb)
    base = quick_scores(f, checks, kb, hits)
    questions = next_questions(f, checks, hits, base, kb)
    etiology = assess_etiology(f, checks, kb, hits, scores=base,
                               deciding=questions[0].field if questions else None)
    dist = classification.distribution
    parts = {
        "classification": classification,
        "etiology": etiology,
        "checks": sorted(checks.as_list(), key=lambda c: (c.id, c.hypothesis)),
        "next_questions": questions,
        "recommendations": recommendations(f, etiology, dist, kb),
        "treatment_information": treatments(f, etiology, dist, kb),
    }
    refs = [kb.references[r] for r in _reference_ids(parts)]
    notes = _notes(f)
    differential: list[DifferentialEntry] = []
    panel: list[str] = []
    sources: list[str] = []
    if wants_differential(etiology, case, kb, requested=ask_differential, hpo=hpo):
        if hpo is None:
            notes.append(InputNote(field="(engine)", message=(
                "the genetic differential is called for (inherited or degenerative support, "
                "or HPO terms beyond dystonia), but no HPO index was given, so it was not "
                "computed (install dystonia-cds[hpo])")))
        else:
            differential, panel = inherited_differential(f, dist, kb, hpo)
            sources.append(f"{hpo.hpo_version} via {hpo.backend}; Resnik best-match average "
                           "(Köhler 2009)")
            refs.append(kb.references["kohler2009"])
    sources += sorted({les.source for im in case.imaging or [] for les in im.lesions
                       if les.source})
    return Assessment(
        case_id=case.id,
        input_notes=notes,
        inherited_differential=differential,
        gene_panel=panel,
        data_sources=sources,
        references=[_reference_out(r) for r in refs],
        disclaimer=kb.disclaimer["patient" if audience == "patient" else "clinician"],
        engine_version=ENGINE_VERSION,
        knowledge_version=kb.knowledge_version,
        **parts,
    )
