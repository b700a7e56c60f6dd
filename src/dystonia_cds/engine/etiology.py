"""Etiology: run every rule, weigh each finding by its likelihood ratio, rank, summarise.

Scoring, documented (``_likelihood`` has the formula): each hypothesis starts from its
pretest probability and each rule that fires multiplies it by the rule's likelihood ratio,
fitted from the published-case corpus (``knowledge/data/model.yaml``); the products are
normalised over the 11 hypotheses and calibrated by a temperature fitted in
leave-one-source-out cross-validation. The support level is the band the calibrated
probability falls in (``parameters.yaml``). Ties are broken by the fixed order of
categories below (commonest first), so the ranking is deterministic.

The summary is primary (idiopathic or inherited) or acquired (structural, peripheral,
drug-induced and functional) when that group's probability reaches ``summary_threshold``;
otherwise it is *undetermined* and names the missing fact whose answer could decide it (the
first next question). A degenerative disorder leading gives *undetermined*: degeneration is
a pathology, and may be inherited (Wilson disease, PKAN) or not (Albanese 2013 keeps
pathology and heritability as separate axes).
"""

from __future__ import annotations

from dystonia_cds.assessment import Etiology, Evidence, Support
from dystonia_cds.engine import (
    _rules_central,
    _rules_drug,
    _rules_functional,
    _rules_peripheral,
    _rules_primary,
    _rules_unrecorded,
)
from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._hypotheses import (
    Hits,
    build_etiology,
    evidence_of,
    group_probabilities,
    percent,
    round3,
    summarise_with,
    summary_group,
    support_of,
)
from dystonia_cds.engine._likelihood import log_lr, posterior
from dystonia_cds.engine._rule_base import Rule
from dystonia_cds.engine._rule_gates import Plan, open_gates, plan_builder
from dystonia_cds.engine._scoring import (
    CATEGORIES,
    PRIMARY,
    Row,
    _Scoring,
    calibration_note,
    scoring,
)
from dystonia_cds.engine.checks import CheckSet
from dystonia_cds.knowledge import KnowledgeBase

__all__ = [
    "ALL_RULES", "CATEGORIES", "PRIMARY", "Hits", "assess_etiology", "calibration_note",
    "etiology_and_leading", "evaluate", "fired", "fired_and_scored", "fired_ungated",
    "group_probabilities",
    "leader", "percent", "pretest_scores", "quick_scores", "ranked", "round3",
    "rule_references", "summarise", "summary_group", "support_level",
]

ALL_RULES: tuple[Rule, ...] = (
    *_rules_primary.RULES, *_rules_central.RULES, *_rules_peripheral.RULES,
    *_rules_drug.RULES, *_rules_functional.RULES, *_rules_unrecorded.RULES,
)

_RULE_FNS = tuple((rule.id, rule.fn) for rule in ALL_RULES)
_BUILD_GATES = plan_builder(ALL_RULES)


def rule_plan(kb: KnowledgeBase) -> Plan:
    """The rules to run for each set of open gates (``_rule_gates``), once per base."""
    return kb.derived("engine.rule_gates", _BUILD_GATES)


def fired(f: Facts, checks: CheckSet, kb: KnowledgeBase, plan: Plan | None = None) -> Hits:
    """(rule id, finding) for every rule that fires, in the order of ``ALL_RULES``: the cheap
    core of evaluation. Only the rules whose gates are open are run (``_rule_gates``: the
    others cannot fire for this Case). ``plan`` is :func:`rule_plan`'s, when at hand."""
    if plan is None:
        plan = rule_plan(kb)
    fns = _RULE_FNS
    out = []
    for i in plan.select(open_gates(f, checks, kb, plan.limits)):
        rule_id, fn = fns[i]
        finding = fn(f, checks, kb)
        if finding is not None:
            out.append((rule_id, finding))
    return out


def fired_ungated(f: Facts, checks: CheckSet, kb: KnowledgeBase) -> Hits:
    """:func:`fired` running every rule: the reference its gates are tested against."""
    out = []
    for rule_id, fn in _RULE_FNS:
        finding = fn(f, checks, kb)
        if finding is not None:
            out.append((rule_id, finding))
    return out


def _build_references(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    return {rid: tuple(info.references) for rid, info in kb.rules.items()}


def rule_references(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Rule id → the reference ids its evidence item cites, once per knowledge base."""
    return kb.derived("engine.rule_references", _build_references)


def pretest_scores(kb: KnowledgeBase) -> dict[str, float]:
    """ln pretest of every category (a new dict: callers add to it)."""
    return dict(scoring(kb).pretest_ln)


def quick_scores(f: Facts, checks: CheckSet, kb: KnowledgeBase,
                 hits: Hits | None = None, sc: _Scoring | None = None) -> dict[str, float]:
    """Log scores only (ln pretest + Σ ln LR), without building evidence objects. ``sc``
    is ``scoring(kb)``, when at hand."""
    if sc is None:
        sc = scoring(kb)
    known = sc.item_parts
    score = dict(sc.pretest_ln)
    for rule_id, _ in fired(f, checks, kb) if hits is None else hits:
        held = known.get(rule_id)
        if held is None:
            score[sc.hypothesis_of[rule_id]] += log_lr(rule_id, f, kb)
        else:
            score[held[1]] += held[8]
    return score


def fired_and_scored(f: Facts, checks: CheckSet, kb: KnowledgeBase, plan: Plan,
                     sc: _Scoring) -> tuple[Hits, dict[str, float], list[Row]]:
    """:func:`fired`, :func:`quick_scores` of its hits and the rows evidence items are
    built from (``_hypotheses.evidence_of``), in one pass over the rules that fire: the
    single assessment's path. The scores are summed in the hits' order, as quick_scores
    sums them (the same floats)."""
    fns = _RULE_FNS
    known = sc.item_parts
    score = dict(sc.pretest_ln)
    hits: Hits = []
    rows: list[Row] = []
    for i in plan.select(open_gates(f, checks, kb, plan.limits)):
        rule_id, fn = fns[i]
        finding = fn(f, checks, kb)
        if finding is not None:
            hits.append((rule_id, finding))
            held = known.get(rule_id)
            if held is None:
                score[sc.hypothesis_of[rule_id]] += log_lr(rule_id, f, kb)
            else:
                score[held[1]] += held[8]
            rows.append((held, rule_id, finding))
    return hits, score, rows


def evaluate(f: Facts, checks: CheckSet, kb: KnowledgeBase,
             hits: Hits | None = None) -> dict[str, list[Evidence]]:
    """Every fired rule's evidence (``hits``, when already computed), grouped by hypothesis
    in the order shown (strongest first)."""
    out: dict[str, list[Evidence]] = {c: [] for c in CATEGORIES}
    found, _ = evidence_of(f, kb, fired(f, checks, kb) if hits is None else hits, scoring(kb))
    out.update(found)
    return out


def leader(score: dict[str, float]) -> str:
    """``ranked(score)[0]``, without sorting: the first category with the highest score."""
    best = max(score.values())
    return next(c for c in CATEGORIES if score[c] == best)


def ranked(score: dict[str, float]) -> list[str]:
    """Categories, highest score first, ties in the fixed order of CATEGORIES (a reversed
    sort keeps equal items in their given order, which is CATEGORIES')."""
    return sorted(CATEGORIES, key=score.__getitem__, reverse=True)


def support_level(p: float, kb: KnowledgeBase) -> Support:
    return support_of(p, scoring(kb).levels)


def summarise(order: list[str], prob: dict[str, float], kb: KnowledgeBase,
              deciding: str | None = None) -> tuple[str, str]:
    """primary / acquired / undetermined, and why in one or two sentences."""
    return summarise_with(order, prob, scoring(kb), deciding)


def assess_etiology(f: Facts, checks: CheckSet, kb: KnowledgeBase,
                    hits: Hits | None = None, deciding: str | None = None,
                    scores: dict[str, float] | None = None, *,
                    prob: dict[str, float] | None = None,
                    order: list[str] | None = None) -> Etiology:
    """The ranked hypotheses with their evidence. ``scores`` are :func:`quick_scores` of the
    same Case when the caller has them already (the next-question search needs them first):
    the ranking shown is then the one cross-validation measured, from unrounded LRs.
    ``prob`` and ``order`` are ``posterior(scores)`` and ``ranked(scores)``, when the caller
    has computed them too."""
    return etiology_and_leading(f, checks, kb, hits, deciding, scores, prob=prob,
                                order=order)[0]


def etiology_and_leading(f: Facts, checks: CheckSet, kb: KnowledgeBase,
                         hits: Hits | None = None, deciding: str | None = None,
                         scores: dict[str, float] | None = None, *,
                         prob: dict[str, float] | None = None,
                         order: list[str] | None = None) -> tuple[Etiology, list[str]]:
    """:func:`assess_etiology`, and the leading causes advice is matched to
    (``advice.leading_causes`` of its hypotheses), found while ranking them."""
    sc = scoring(kb)
    if hits is None:
        hits = fired(f, checks, kb)
    score = quick_scores(f, checks, kb, hits, sc) if scores is None else scores
    if prob is None or scores is None:
        prob = posterior(score, kb)
    if order is None or scores is None:
        order = ranked(score)
    return build_etiology(f, kb, hits, sc, order, prob, deciding)
