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

import math
from bisect import bisect_right
from dataclasses import dataclass
from operator import itemgetter

from dystonia_cds.assessment import Etiology, Evidence, Hypothesis, Support
from dystonia_cds.engine import (
    _rules_central,
    _rules_drug,
    _rules_functional,
    _rules_peripheral,
    _rules_primary,
    _rules_unrecorded,
)
from dystonia_cds.engine._facts import Facts
from dystonia_cds.engine._likelihood import (
    Fixed,
    decibans,
    fixed_of,
    fixed_weighings,
    log_lr,
    model_of,
    posterior,
    weigh,
)
from dystonia_cds.engine._rule_base import Rule
from dystonia_cds.engine._rule_gates import Plan, open_gates, plan_builder
from dystonia_cds.engine.checks import CheckSet
from dystonia_cds.knowledge import KnowledgeBase

CATEGORIES = (
    "idiopathic", "inherited", "acquired_peripheral_trauma", "acquired_central_vascular",
    "acquired_central_traumatic", "acquired_perinatal", "acquired_other_structural",
    "drug_induced_acute", "drug_induced_tardive", "degenerative", "functional",
)
PRIMARY = frozenset({"idiopathic", "inherited"})
_LEADING = 3  # the leading hypotheses advice reads (advice._LEADING)

ALL_RULES: tuple[Rule, ...] = (
    *_rules_primary.RULES, *_rules_central.RULES, *_rules_peripheral.RULES,
    *_rules_drug.RULES, *_rules_functional.RULES, *_rules_unrecorded.RULES,
)


_ORDER = {c: i for i, c in enumerate(CATEGORIES)}
_RULE_FNS = tuple((rule.id, rule.fn) for rule in ALL_RULES)
Hits = list[tuple[str, str]]


_BUILD_GATES = plan_builder(ALL_RULES)


def fired(f: Facts, checks: CheckSet, kb: KnowledgeBase) -> Hits:
    """(rule id, finding) for every rule that fires, in the order of ``ALL_RULES``: the cheap
    core of evaluation. Only the rules whose gates are open are run (``_rule_gates``: the
    others cannot fire for this Case)."""
    plan: Plan = kb.derived("engine.rule_gates", _BUILD_GATES)
    fns = _RULE_FNS
    out = []
    for i in plan.select(open_gates(f, checks, kb)):
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


@dataclass(frozen=True)
class _Scoring:
    """What scoring and the hypotheses' output read of the knowledge base, once per base
    (``KnowledgeBase.derived``): the pretest in its three forms, the rules' hypotheses, the
    support bands, the labels and the calibration note, which depend on no Case; and per
    rule what its evidence item shows beside the finding (``rule_meta``)."""

    pretest_ln: dict[str, float]
    pretest_db: dict[str, int]
    pretest_shown: dict[str, float]
    hypothesis_of: dict[str, str]
    levels: tuple[tuple[float, Support], ...]
    labels: dict[str, tuple[str, str]]
    shown: bool
    group_shown: bool
    note: str
    # rule id → (hypothesis, rationale, reference ids, its weighing when case-independent,
    # and then its rank in the order evidence is shown: strongest first, then by rule id)
    rule_meta: dict[str, tuple[str, str, tuple[str, ...], Fixed | None, int]]
    threshold: float
    # category → (label, plain label, pretest in decibans, pretest as shown)
    shown_parts: dict[str, tuple[str, str, int, float]]
    # the weak, moderate and strong thresholds, for bisect (_SUPPORTS), when they increase
    # in that order (so that the first band reached from "strong" down is the highest one
    # reached); None otherwise, and _support decides
    bands: tuple[float, float, float] | None


def _build_scoring(kb: KnowledgeBase) -> _Scoring:
    model = model_of(kb)
    pre, cal = model.pretest, model.calibration
    bands = kb.parameters.scoring.support_levels
    fixed = fixed_weighings(kb)
    # The rank of a case-independent rule's item: sorting a Case's items by it is sorting
    # them by _evidence_key. Others are weighed per Case (rank -1: never used as a rank).
    ordered = sorted((w.weight, rid) for rid, w in fixed.items())
    rank = dict.fromkeys(kb.rules, -1) | {
        rid: i for i, (_, rid) in enumerate(sorted(ordered, key=_key_of))}
    labels = {c: (kb.hypothesis_labels[c]["label"], kb.hypothesis_labels[c]["plain"])
              for c in CATEGORIES}
    rising = (bands["weak"], bands["moderate"], bands["strong"])
    return _Scoring(
        pretest_ln={c: math.log(pre[c]) for c in CATEGORIES},
        pretest_db={c: decibans(pre[c]) for c in CATEGORIES},
        pretest_shown={c: round(pre[c], 3) for c in CATEGORIES},
        hypothesis_of={rid: info.hypothesis for rid, info in kb.rules.items()},
        levels=tuple((bands[name], name) for name in ("strong", "moderate", "weak")),
        labels=labels,
        shown=cal.shown, group_shown=cal.shown or cal.group_shown,
        note=calibration_note(kb),
        rule_meta={rid: (info.hypothesis, info.finding, tuple(info.references), fixed.get(rid),
                         rank[rid]) for rid, info in kb.rules.items()},
        threshold=kb.parameters.scoring.summary_threshold,
        shown_parts={c: (*labels[c], decibans(pre[c]), round(pre[c], 3)) for c in CATEGORIES},
        bands=rising if list(rising) == sorted(rising) else None)


def _key_of(weighed: tuple[int, str]) -> tuple[int, str]:
    """The order evidence items are shown in: strongest first, then by rule id."""
    weight, rule_id = weighed
    return -abs(weight), rule_id


def _scoring(kb: KnowledgeBase) -> _Scoring:
    return kb.derived("engine.scoring", _build_scoring)


def _build_references(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    return {rid: tuple(info.references) for rid, info in kb.rules.items()}


def rule_references(kb: KnowledgeBase) -> dict[str, tuple[str, ...]]:
    """Rule id → the reference ids its evidence item cites, once per knowledge base."""
    return kb.derived("engine.rule_references", _build_references)


def pretest_scores(kb: KnowledgeBase) -> dict[str, float]:
    """ln pretest of every category (a new dict: callers add to it)."""
    return dict(_scoring(kb).pretest_ln)


def quick_scores(f: Facts, checks: CheckSet, kb: KnowledgeBase,
                 hits: Hits | None = None) -> dict[str, float]:
    """Log scores only (ln pretest + Σ ln LR), without building evidence objects."""
    sc = _scoring(kb)
    meta = sc.rule_meta
    score = dict(sc.pretest_ln)
    for rule_id, _ in fired(f, checks, kb) if hits is None else hits:
        hyp, _, _, known, _ = meta[rule_id]
        score[hyp] += known.ln if known is not None else log_lr(rule_id, f, kb)
    return score


def evaluate(f: Facts, checks: CheckSet, kb: KnowledgeBase,
             hits: Hits | None = None) -> dict[str, list[Evidence]]:
    """Every fired rule's evidence (``hits``, when already computed), grouped by hypothesis
    in the order shown (strongest first)."""
    out: dict[str, list[Evidence]] = {c: [] for c in CATEGORIES}
    found = _evidence(f, kb, fired(f, checks, kb) if hits is None else hits, _scoring(kb))
    for c, (items, _) in found.items():
        out[c] = items
    return out


def _evidence(f: Facts, kb: KnowledgeBase, hits: Hits, sc: _Scoring
              ) -> dict[str, tuple[list[Evidence], int]]:
    """The evidence of the hypotheses some rule fired for, in the order shown (strongest
    first, then by rule id), with the sum of their weights.

    Each item's parts but the finding are the rule's, looked up once per knowledge base
    (``_Scoring.rule_meta``, with the rank the order shown gives it); only a rule weighed
    by a base rate is weighed for the Case (and then the items are sorted by their keys)."""
    meta = sc.rule_meta
    rows = []
    ranked_once = True
    for rule_id, finding in hits:
        m = meta[rule_id]
        w = m[3]
        if w is None:
            w = fixed_of(weigh(rule_id, f, kb))
            ranked_once = False
        rows.append((m[4], rule_id, finding, m, w))
    if len(rows) > 1:
        rows.sort(key=_first if ranked_once else _row_key)  # ranks differ: a rule fires once
    found: dict[str, tuple[list[Evidence], int]] = {}
    for _, rule_id, finding, (hyp, rationale, refs, _, _), w in rows:
        item = Evidence(finding=finding.rstrip("."), rationale=rationale,
                        direction=w.direction, weight=w.weight, likelihood_ratio=w.shown_lr,
                        lr_basis=w.weighed.basis, rule_id=rule_id, reference_ids=list(refs))
        held = found.get(hyp)
        if held is None:
            found[hyp] = ([item], w.weight)
        else:
            held[0].append(item)
            found[hyp] = (held[0], held[1] + w.weight)
    return found


def _row_key(row: tuple[int, str, str, object, Fixed]) -> tuple[int, str]:
    return _key_of((row[4].weight, row[1]))


_first = itemgetter(0)


def leader(score: dict[str, float]) -> str:
    """``ranked(score)[0]``, without sorting: the first category with the highest score."""
    best = max(score.values())
    return next(c for c in CATEGORIES if score[c] == best)


def ranked(score: dict[str, float]) -> list[str]:
    """Categories, highest score first, ties in the fixed order of CATEGORIES (a reversed
    sort keeps equal items in their given order, which is CATEGORIES')."""
    return sorted(CATEGORIES, key=score.__getitem__, reverse=True)


_SUPPORTS: tuple[Support, ...] = ("unsupported", "weak", "moderate", "strong")


def percent(x: float) -> str:
    """``f"{x:.0%}"`` (a string formatting of x·100, correctly rounded, ties to even),
    without the C formatting for most values, as :func:`round3` rounds."""
    y = x * 100.0
    if 0.0 < y < 1e9:
        k = round(y)
        if -0.499999 < y - k < 0.499999:
            return f"{k}%"  # 0% too: a positive x below 0.005
    return f"{x:.0%}"


def round3(x: float) -> float:
    """``round(x, 3)``, the same float, without its cost for most values: Python's round to
    digits formats the number to decimal and reads it back (~3,000 instructions, a fifth of
    building the hypotheses). Here k = round(x·1000), and the result k/1000: IEEE division
    is correctly rounded and k and 1000 are exact, so k/1000 is the float nearest k/1000,
    which is what round(x, 3) returns when k is the right integer — and it is unless the
    exact x·1000 lies within the multiplication's error (below 1e-7 under 10^9) of a
    half-integer: ties and near-ties (within 1e-6 of one) are left to round itself, as are
    zero and negative values (round keeps the sign: -0.0), large and non-finite ones. Most
    of a Case's eleven probabilities are below 0.0005: +0.0 here.
    ``tests/engine/test_round3.py`` compares the two on ~400,000 values, ties included."""
    y = x * 1000.0
    if 0.0 < y < 1e9:
        k = round(y)
        if -0.499999 < y - k < 0.499999:
            return k / 1000.0  # 0.0 too: a positive x below 0.0005 rounds to +0.0
    return round(x, 3)


def support_level(p: float, kb: KnowledgeBase) -> Support:
    return _support(p, _scoring(kb).levels)


def _support(p: float, levels: tuple[tuple[float, Support], ...]) -> Support:
    for least, name in levels:
        if p >= least:
            return name
    return "unsupported"


def group_probabilities(prob: dict[str, float]) -> tuple[float, float, float]:
    """(primary, acquired, degenerative) probabilities."""
    primary = prob["idiopathic"] + prob["inherited"]  # PRIMARY's two (sum() of two adds them)
    degenerative = prob["degenerative"]
    return primary, 1.0 - primary - degenerative, degenerative


def summary_group(order: list[str], prob: dict[str, float], threshold: float) -> str:
    """primary / acquired / undetermined: the group reaching ``threshold``, unless a
    degenerative disorder leads (used by the engine and by its cross-validation)."""
    if order[0] == "degenerative":
        return "undetermined"
    primary, acquired, _ = group_probabilities(prob)
    group, p = ("primary", primary) if primary >= acquired else ("acquired", acquired)
    return group if p >= threshold else "undetermined"


def summarise(order: list[str], prob: dict[str, float], kb: KnowledgeBase,
              deciding: str | None = None) -> tuple[str, str]:
    """primary / acquired / undetermined, and why in one or two sentences."""
    return _summarise(order, prob, _scoring(kb), deciding)


def _summarise(order: list[str], prob: dict[str, float], sc: _Scoring,
               deciding: str | None) -> tuple[str, str]:
    top = order[0]
    primary, acquired, _ = group_probabilities(prob)
    ask = (f" The answer to '{deciding}' could decide it (see the next questions)."
           if deciding else "")
    top_label = sc.labels[top][0]
    if top == "degenerative":
        return "undetermined", (
            f"{top_label} leads; degenerative disorders may be inherited or "
            "acquired, so neither primary nor acquired is stated (see the genetic "
            "differential and work-up)." + ask)
    group, p = ("primary", primary) if primary >= acquired else ("acquired", acquired)
    how = f" ({percent(p)})" if sc.group_shown else ""
    if p < sc.threshold:  # summary_group's "undetermined"
        other = "acquired" if group == "primary" else "primary"
        return "undetermined", (
            f"The evidence does not settle it: {group}{how} is not clearly ahead of "
            f"{other}; {top_label} leads for now." + ask)
    return group, (f"{top_label} leads"
                   + (f" ({percent(prob[top])})" if sc.shown else "")
                   + f"; the evidence puts the dystonia in the {group} group{how}.")


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
    sc = _scoring(kb)
    if hits is None:
        hits = fired(f, checks, kb)
    evidence = _evidence(f, kb, hits, sc)
    score = quick_scores(f, checks, kb, hits) if scores is None else scores
    if prob is None or scores is None:
        prob = posterior(score, kb)
    if order is None or scores is None:
        order = ranked(score)
    summary, why = _summarise(order, prob, sc, deciding)
    shown, levels, parts, bands = sc.shown, sc.levels, sc.shown_parts, sc.bands
    hyps: list[Hypothesis] = []
    leading: list[str] = []
    for c in order:
        held = evidence.get(c)
        items, weight = held if held is not None else ([], 0)
        p = prob[c]
        label, plain, db, pretest = parts[c]
        support = _support(p, levels) if bands is None else _SUPPORTS[bisect_right(bands, p)]
        if support != "unsupported" and len(hyps) < _LEADING:
            leading.append(c)
        hyps.append(Hypothesis(
            category=c,  # type: ignore[arg-type]  # a category, from CATEGORIES
            label=label,
            plain_label=plain,
            support=support,
            score=db + weight,
            probability=round3(p) if shown else None,
            pretest_probability=pretest,
            evidence=items,
        ))
    primary, acquired, degenerative = group_probabilities(prob)
    return Etiology(summary=summary,  # type: ignore[arg-type]  # one of the three
                    summary_explanation=why, hypotheses=hyps,
                    calibration_note=sc.note,
                    group_probabilities={"primary": round3(primary),
                                         "acquired": round3(acquired),
                                         "degenerative": round3(degenerative)}
                    if sc.group_shown else None), leading


def calibration_note(kb: KnowledgeBase) -> str:
    """Which probabilities are shown, and the cross-validated calibration that decides it."""
    model = model_of(kb)
    cal, n = model.calibration, model.n_cases
    if cal.shown:
        return (f"Probabilities are shown: leave-one-source-out expected calibration error "
                f"{cal.ece:.3f} on {n} published cases (a calibration test does not reject "
                f"it: p = {cal.ece_p:.2f}).")
    levels = ("Support levels are bands of the model's probability; each item's likelihood "
              "ratio is shown.")
    if cal.group_shown:
        return (f"The primary/acquired probability is shown: its leave-one-source-out expected "
                f"calibration error is {cal.group_ece:.3f} on {n} published cases. The "
                f"probabilities of the single causes are not shown: their error is "
                f"{cal.ece:.3f} ({cal.rule}). " + levels)
    return (f"Probabilities are not shown: their leave-one-source-out expected calibration "
            f"error is {cal.ece:.3f} on {n} published cases ({cal.rule}). " + levels)
