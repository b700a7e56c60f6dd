"""The engine: pure functions from a Case to an Assessment. No I/O, no global state.

The same Case and knowledge base give the same Assessment, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dystonia_cds.assessment import (
    Assessment,
    Check,
    Classification,
    DifferentialEntry,
    Etiology,
    InputNote,
    Recommendation,
    ReferenceOut,
    TreatmentOption,
)
from dystonia_cds.case import Case
from dystonia_cds.engine._facts import _Memo, derive_facts, facts_memo
from dystonia_cds.engine._hypotheses import build_etiology
from dystonia_cds.engine._input_notes import input_notes, unscored_features
from dystonia_cds.engine._likelihood import softmax
from dystonia_cds.engine._rule_gates import Plan
from dystonia_cds.engine._scoring import _Scoring, scoring
from dystonia_cds.engine.advice import _Tables, advice_tables, advise
from dystonia_cds.engine.axis1 import Axis1Tables, classify
from dystonia_cds.engine.batch import Screened, assess_many
from dystonia_cds.engine.checks import compute_checks
from dystonia_cds.engine.differential import inherited_differential, wants_differential
from dystonia_cds.engine.etiology import (
    Hits,
    fired_and_scored,
    ranked,
    rule_plan,
    rule_references,
    summary_group,
)
from dystonia_cds.engine.questions import deciding_question, next_questions
from dystonia_cds.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from dystonia_cds.genetics import HpoIndex

ENGINE_VERSION = "0.1.0"

__all__ = ["ENGINE_VERSION", "Screened", "assess_case", "assess_many", "with_differential"]


def _build_references(kb: KnowledgeBase) -> dict[str, ReferenceOut]:
    return {r.id: ReferenceOut(id=r.id, citation=r.citation, doi=r.doi, pmid=r.pmid, url=r.url)
            for r in kb.references.values()}


def _references_out(kb: KnowledgeBase) -> dict[str, ReferenceOut]:
    """Reference id → its output form, built once per knowledge base: both are immutable
    (a ReferenceOut has no list to share), so citing assessments share one object."""
    return kb.derived("engine.references_out", _build_references)


def _check_order(c: Check) -> tuple[str, str]:
    return c.id, c.hypothesis


def _reference_ids(classification: Classification, etiology: Etiology,
                   *parts: list[Check] | list[Recommendation] | list[TreatmentOption]
                   ) -> list[str]:
    """Every reference id cited anywhere in the assessment: Axis I's, each evidence item's
    and each check's, recommendation's and treatment's."""
    found = set(classification.reference_ids)
    for h in etiology.hypotheses:
        for e in h.evidence:
            found.update(e.reference_ids)
    for items in parts:
        for item in items:
            found.update(item.reference_ids)
    return sorted(found)


def _cited(classification: Classification, hits: Hits,
           refs_of_rule: dict[str, tuple[str, ...]],
           *parts: list[Check] | list[Recommendation] | list[TreatmentOption]) -> list[str]:
    """:func:`_reference_ids`, the evidence items' read from their rules (``hits``: one
    item per fired rule, citing the rule's references) instead of from the items."""
    found = set(classification.reference_ids)
    refs = refs_of_rule
    found.update(*[refs[rule_id] for rule_id, _ in hits])
    for items in parts:
        for item in items:
            found.update(item.reference_ids)
    return sorted(found)


@dataclass(frozen=True)
class _Parts:
    """What every assessment says the same, and the engine's tables it reads, once per
    knowledge base: one ``KnowledgeBase.derived`` look-up per assessment instead of one per
    table (each is a method call on a pydantic model, a string and a cast)."""

    references: dict[str, ReferenceOut]
    knowledge_version: str
    disclaimer: dict[str, str]
    refs_of_rule: dict[str, tuple[str, ...]]  # etiology.rule_references
    scoring: _Scoring  # _scoring.scoring
    plan: Plan  # etiology.rule_plan
    memo: _Memo  # _facts.facts_memo (bounded memos, changed as Cases are met)
    axis1: Axis1Tables  # the age bands and axis1.site_texts (bounded, as the memo)
    advice: _Tables  # advice.advice_tables
    unscored: frozenset[str]  # the features no rule scores (unscored_features)


def _build_parts(kb: KnowledgeBase) -> _Parts:
    return _Parts(_references_out(kb), kb.knowledge_version, dict(kb.disclaimer),
                  rule_references(kb), scoring(kb), rule_plan(kb), facts_memo(kb),
                  Axis1Tables(kb), advice_tables(kb),
                  kb.derived("engine.unscored_features", unscored_features))


_NO_INDEX = InputNote(field="(engine)", message=(
    "the genetic differential is called for (inherited or degenerative support, or HPO terms "
    "beyond dystonia), but no HPO index was given, so it was not computed (install "
    "dystonia-cds[hpo])"))


def _hpo_source(hpo: HpoIndex) -> str:
    return f"{hpo.hpo_version} via {hpo.backend}; Resnik best-match average (Köhler 2009)"


def assess_case(case: Case, kb: KnowledgeBase, audience: str = "clinician",
                hpo: HpoIndex | None = None, *, ask_differential: bool = False,
                questions: bool = True) -> Assessment:
    """Assess one Case against the knowledge base (and the HPO index, when given).
    ``ask_differential`` asks for the genetic differential even when nothing calls for it.

    ``questions=False`` leaves ``next_questions`` empty and skips their search — most of a
    full assessment's cost — unless the summary is undetermined: it then names the deciding
    question, so that one is looked for (``questions.deciding_question``), and the summary
    reads the same either way."""
    parts: _Parts = kb.derived("engine.assessment_parts", _build_parts)
    sc = parts.scoring
    f = derive_facts(case, kb, parts.memo)
    checks = compute_checks(f, kb)
    classification = classify(f, kb, parts.axis1)
    hits, base, rows = fired_and_scored(f, checks, kb, parts.plan, sc)
    order, prob = ranked(base), softmax(base, sc.temperature)  # posterior(base, kb)
    if questions:
        asked = next_questions(f, checks, hits, base, kb)
        deciding = asked[0].field if asked else None
    else:  # only the first question, named by an undetermined summary (as summarise
        # words it: undetermined, or a degenerative disorder leads)
        asked, deciding = [], (deciding_question(f, checks, hits, base, kb)
                               if summary_group(order, prob, sc.threshold) == "undetermined"
                               else None)
    etiology, leading = build_etiology(f, kb, hits, sc, order, prob, deciding, rows)
    dist = classification.distribution
    check_list = sorted(checks.as_list(), key=_check_order) if checks.items else []
    recs, treats = advise(f, leading, dist, kb, parts.advice)
    refs_out = parts.references
    refs = [refs_out[r] for r in _cited(classification, hits, parts.refs_of_rule, check_list,
                                        recs, treats)]
    notes = input_notes(f, kb, unscored=parts.unscored)
    differential: list[DifferentialEntry] = []
    panel: list[str] = []
    sources: list[str] = []
    if wants_differential(etiology, case, kb, requested=ask_differential, hpo=hpo):
        if hpo is None:
            notes.append(_NO_INDEX)
        else:
            differential, panel = inherited_differential(f, dist, kb, hpo)
            sources.append(_hpo_source(hpo))
            refs.append(refs_out["kohler2009"])
    if f.lesions:
        sources += sorted({les.source for im in case.imaging or [] for les in im.lesions
                           if les.source})
    return Assessment(
        case_id=case.id,
        input_notes=notes,
        inherited_differential=differential,
        gene_panel=panel,
        data_sources=sources,
        references=refs,
        disclaimer=parts.disclaimer["patient" if audience == "patient" else "clinician"],
        engine_version=ENGINE_VERSION,
        knowledge_version=parts.knowledge_version,
        classification=classification,
        etiology=etiology,
        checks=check_list,
        next_questions=asked if questions else [],
        recommendations=recs,
        treatment_information=treats,
    )


def with_differential(a: Assessment, case: Case, kb: KnowledgeBase, hpo: HpoIndex, *,
                      ask_differential: bool = False) -> Assessment:
    """``a``, assessed from ``case`` without an HPO index, completed as :func:`assess_case`
    would have made it with ``hpo`` — without running the engine a second time.

    Why: whether the differential is wanted is known only after scoring, and the index is
    loaded only then (it takes seconds); re-assessing the case to add it doubled the cost of
    every such case."""
    notes = [n for n in a.input_notes if n != _NO_INDEX]
    if not wants_differential(a.etiology, case, kb, requested=ask_differential, hpo=hpo):
        return a if len(notes) == len(a.input_notes) else a.model_copy(
            update={"input_notes": notes})
    differential, panel = inherited_differential(
        derive_facts(case, kb), a.classification.distribution, kb, hpo)
    return a.model_copy(update={
        "input_notes": notes, "inherited_differential": differential, "gene_panel": panel,
        "data_sources": [_hpo_source(hpo), *a.data_sources],
        "references": [*a.references, _references_out(kb)["kohler2009"]]})
