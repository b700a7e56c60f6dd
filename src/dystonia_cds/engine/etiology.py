"""Etiology: run every rule, score each hypothesis, rank them, and say primary or acquired.

Scoring, documented: each rule that fires adds its signed integer weight (from
``rules.yaml``) to its hypothesis. The score orders hypotheses; the support level is the
band the score falls in (``parameters.yaml``: strong ≥ 7, moderate ≥ 4, weak ≥ 1, else
unsupported). Ties are broken by the fixed order of categories below (commonest first), so
the ranking is deterministic. The summary is the group (primary: idiopathic or inherited;
acquired: structural, peripheral, drug-induced and functional) of the top hypothesis when it
is at least weakly supported and leads the best hypothesis of the other group by
``summary_margin`` points; otherwise it is undetermined. A degenerative disorder leading
gives *undetermined*: degeneration is a pathology, and may be inherited (Wilson disease,
PKAN) or not (Albanese 2013 keeps pathology and heritability as separate axes). None of
these numbers is a probability.
"""

from __future__ import annotations

from functools import cache

from dystonia_cds.assessment import Etiology, Evidence, Hypothesis
from dystonia_cds.engine import (
    _rules_central,
    _rules_drug,
    _rules_functional,
    _rules_peripheral,
    _rules_primary,
)
from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._rule_base import Rule
from dystonia_cds.engine.checks import CheckSet
from dystonia_cds.knowledge import KnowledgeBase

CATEGORIES = (
    "idiopathic", "inherited", "acquired_peripheral_trauma", "acquired_central_vascular",
    "acquired_central_traumatic", "acquired_perinatal", "acquired_other_structural",
    "drug_induced_acute", "drug_induced_tardive", "degenerative", "functional",
)
PRIMARY = frozenset({"idiopathic", "inherited"})

ALL_RULES: tuple[Rule, ...] = (
    *_rules_primary.RULES, *_rules_central.RULES, *_rules_peripheral.RULES,
    *_rules_drug.RULES, *_rules_functional.RULES,
)


_ORDER = {c: i for i, c in enumerate(CATEGORIES)}
Hits = list[tuple[str, str]]


def fired(f: Facts, checks: CheckSet, kb: KnowledgeBase) -> Hits:
    """(rule id, finding) for every rule that fires: the cheap core of evaluation."""
    out = []
    for rule in ALL_RULES:
        finding = rule.fn(f, checks, kb)
        if finding is not None:
            out.append((rule.id, finding))
    return out


@cache
def rules_reading(changed: frozenset[str]) -> tuple[Rule, ...]:
    """The rules that read any of the ``changed`` parts of a Case (see ``_rule_base``).

    The patient's birth date is read through the onset and event times, so a change to the
    patient re-runs every rule."""
    if "patient" in changed:
        return ALL_RULES
    return tuple(rule for rule in ALL_RULES if rule.reads & changed)


def rescored(score: dict[str, int], hit_ids: frozenset[str], f: Facts, checks: CheckSet,
             kb: KnowledgeBase, changed: frozenset[str]) -> dict[str, int]:
    """The scores of a variant of a Case that differs only in the ``changed`` parts, from
    the scores and fired rule ids of the original: only the rules reading those parts are
    re-run, and each one that now fires (or no longer fires) moves its hypothesis."""
    out = dict(score)
    for rule in rules_reading(changed):
        now = rule.fn(f, checks, kb) is not None
        if now != (rule.id in hit_ids):
            info = kb.rules[rule.id]
            out[info.hypothesis] += info.weight if now else -info.weight
    return out


def quick_scores(f: Facts, checks: CheckSet, kb: KnowledgeBase) -> dict[str, int]:
    """Scores only, without building evidence objects (for the next-question search)."""
    score = dict.fromkeys(CATEGORIES, 0)
    for rule_id, _ in fired(f, checks, kb):
        info = kb.rules[rule_id]
        score[info.hypothesis] += info.weight
    return score


def evaluate(f: Facts, checks: CheckSet, kb: KnowledgeBase,
             hits: Hits | None = None) -> dict[str, list[Evidence]]:
    """Every fired rule's evidence (``hits``, when already computed), grouped by hypothesis."""
    out: dict[str, list[Evidence]] = {c: [] for c in CATEGORIES}
    for rule_id, finding in fired(f, checks, kb) if hits is None else hits:
        info = kb.rules[rule_id]
        out[info.hypothesis].append(Evidence(
            finding=finding.rstrip("."),
            rationale=info.finding,
            direction="against" if info.weight < 0 else ("for" if info.weight else "neutral"),
            weight=info.weight,
            rule_id=rule_id,
            reference_ids=list(info.references),
        ))
    return out


def scores(evidence: dict[str, list[Evidence]]) -> dict[str, int]:
    return {c: sum(e.weight for e in evidence[c]) for c in CATEGORIES}


def leader(score: dict[str, int]) -> str:
    """``ranked(score)[0]``, without sorting: the first category with the highest score."""
    best = max(score.values())
    return next(c for c in CATEGORIES if score[c] == best)


def ranked(score: dict[str, int]) -> list[str]:
    """Categories, highest score first, ties in the fixed order of CATEGORIES."""
    return sorted(CATEGORIES, key=lambda c: (-score[c], _ORDER[c]))


def support_level(score: int, kb: KnowledgeBase) -> str:
    levels = kb.parameters.scoring.support_levels
    for name in ("strong", "moderate", "weak"):
        if score >= levels[name]:
            return name
    return "unsupported"


def summarise(order: list[str], score: dict[str, int], kb: KnowledgeBase) -> tuple[str, str]:
    top = order[0]
    margin = kb.parameters.scoring.summary_margin
    label = kb.hypothesis_labels
    if support_level(score[top], kb) == "unsupported":
        return "undetermined", ("No cause is supported by the recorded facts; "
                                "see the next questions.")
    if top == "degenerative":
        return "undetermined", (
            f"{label[top]['label']} leads; degenerative disorders may be inherited or "
            "acquired, so neither primary nor acquired is stated (see the genetic "
            "differential and work-up).")
    group = "primary" if top in PRIMARY else "acquired"
    rival = next(c for c in order
                 if c != "degenerative" and (c in PRIMARY) != (top in PRIMARY))
    lead = score[top] - score[rival]
    if lead < margin:
        return "undetermined", (
            f"{label[top]['label']} ({score[top]} points) and {label[rival]['label']} "
            f"({score[rival]} points) are too close to call (a lead of {margin} points is "
            "required).")
    other = "acquired" if group == "primary" else "primary"
    return group, (f"{label[top]['label']} ({score[top]} points) leads the best {other} "
                   f"explanation, {label[rival]['label']} ({score[rival]} points), by {lead} "
                   "points.")


def assess_etiology(f: Facts, checks: CheckSet, kb: KnowledgeBase,
                    hits: Hits | None = None) -> Etiology:
    evidence = evaluate(f, checks, kb, hits)
    score = scores(evidence)
    order = ranked(score)
    summary, why = summarise(order, score, kb)
    hyps = [
        Hypothesis(
            category=c,
            label=kb.hypothesis_labels[c]["label"],
            plain_label=kb.hypothesis_labels[c]["plain"],
            support=support_level(score[c], kb),
            score=score[c],
            evidence=sorted(evidence[c], key=lambda e: (-abs(e.weight), e.rule_id)),
        )
        for c in order
    ]
    return Etiology(summary=summary, summary_explanation=why,
                    hypotheses=hyps)
