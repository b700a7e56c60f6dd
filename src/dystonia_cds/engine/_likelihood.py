"""Combine evidence the LIRICAL way: pretest probability × likelihood ratios, then calibrate.

Why this shape (Robinson et al., AJHG 2020): each finding's weight is a likelihood ratio,
P(finding | cause) / P(finding | other causes), that a reader can check against the counts
behind it, and the fitted numbers live in a data file (``knowledge/data/model.yaml``),
apart from this code that combines them. For each hypothesis

    score(h) = ln pretest(h) + Σ ln LR(finding, h)      over the findings that fired

and the probabilities are ``softmax(score / T)`` over the 11 hypotheses, where the
temperature ``T`` was fitted by leave-one-source-out cross-validation (``dystonia-cds model
validate``) so that the probabilities are calibrated on the corpus.

An exposure rule may carry a population base rate (``base_rates.yaml``): P(exposure | other
causes) is then at least the chance of having that exposure anyway within the year before
onset at the patient's age, so a common operation at an age when it is common counts for
little unless timing and anatomy (its child rules) make it specific.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, cast

from dystonia_cds.engine._fact_types import Facts
from dystonia_cds.knowledge import KnowledgeBase
from dystonia_cds.knowledge._models import BaseRate, EvidenceModel

_PERIPHERAL = "acquired_peripheral_trauma"


@dataclass(frozen=True)
class Weighed:
    """A fired rule's likelihood ratio for this case and where it comes from, in words."""

    lr: float
    basis: str


def model_of(kb: KnowledgeBase) -> EvidenceModel:
    if kb.model is None:
        raise RuntimeError("the knowledge base was loaded without its fitted model")
    return kb.model


def _rate_at(kb: KnowledgeBase, exposure: str, age: float) -> BaseRate | None:
    """The rate of the narrowest age band containing ``age`` (bands may overlap)."""
    best: BaseRate | None = None
    for rate in kb.base_rates:
        if rate.exposure != exposure or age < rate.min_years:
            continue
        if rate.max_years is not None and age >= rate.max_years:
            continue
        width = (rate.max_years or 200.0) - rate.min_years
        if best is None or width < (best.max_years or 200.0) - best.min_years:
            best = rate
    return best


def _rate_for(f: Facts, kb: KnowledgeBase, kind: str) -> BaseRate | None:
    """Of the recorded exposures, the least common one's yearly rate at its age: the most
    specific exposure is the one that could be causal."""
    if kind != "peripheral_exposure":
        return None
    found: list[BaseRate] = []
    for ev in f.events_of(_PERIPHERAL):
        age = ev.age_at_event_years if ev.age_at_event_years is not None else f.onset_years
        rate = _rate_at(kb, ev.event.type, age) if age is not None else None
        if rate is None:
            return None  # an exposure with no base rate: nothing to discount it by
        found.append(rate)
    return min(found, key=lambda r: r.per_year) if found else None


def _case_lr(rule_id: str, f: Facts, kb: KnowledgeBase) -> tuple[str, float, BaseRate | None]:
    """How a fired rule is weighed for this case: (reason, LR, base rate used).

    The one place the decision is made; :func:`weigh` puts it in words and :func:`log_lr`
    (the scoring and next-question paths) takes only the number."""
    fit = model_of(kb).rules[rule_id]
    if fit.source == "not_scored":
        return "not_scored", 1.0, None
    if fit.source == "series":
        return "series", fit.lr, None
    info = kb.rules[rule_id]
    if info.given is not None and info.weight > 0:
        kind = kb.rules[info.given].base_rate
        if kind is not None and _rate_for(f, kb, kind) is not None:
            return "in_parent_base_rate", 1.0, None
    if fit.source == "direction_conflict":
        return "direction_conflict", 1.0, None
    if info.base_rate is not None:
        rate = _rate_for(f, kb, info.base_rate)
        if rate is not None:
            lr = max(1.0, (fit.p_cause / max(fit.p_other, rate.per_year)) ** fit.shrink)
            return "base_rate", lr, rate
        return "no_base_rate", fit.lr, None
    return "corpus", fit.lr, None


@dataclass(frozen=True, slots=True)
class Fixed:
    """A case-independent rule's weighing, worded, logged and rounded once per knowledge
    base: what the evidence item and the score need of it."""

    weighed: Weighed
    ln: float  # ln LR, the score's term
    weight: int  # decibans(LR), the weight shown
    direction: Literal["for", "against", "neutral"]
    shown_lr: float  # the LR as shown, rounded to 3 decimals


def _case_independent(rule_id: str, kb: KnowledgeBase) -> bool:
    """Whether a rule's weighing ignores the case: only base rates (its own, or its parent
    rule's) make :func:`_case_lr` read the Facts."""
    info = kb.rules[rule_id]
    return info.base_rate is None and (
        info.given is None or kb.rules[info.given].base_rate is None)


def fixed_of(w: Weighed) -> Fixed:
    """The parts of a weighing an evidence item shows, and its ln for the score."""
    weight = decibans(w.lr)
    return Fixed(w, math.log(w.lr), weight,
                 "against" if weight < 0 else ("for" if weight > 0 else "neutral"),
                 round(w.lr, 3))


def _build_fixed(kb: KnowledgeBase) -> dict[str, Fixed]:
    fits = model_of(kb).rules
    # The Facts are not read for these rules (_case_independent), so none is passed.
    return {rid: fixed_of(_weigh(rid, cast(Facts, None), kb)) for rid in kb.rules
            if rid in fits and _case_independent(rid, kb)}


def fixed_weighings(kb: KnowledgeBase) -> dict[str, Fixed]:
    """Rule id → its :class:`Fixed` weighing, for every rule whose weighing ignores the
    case (most of them); built once per knowledge base (``KnowledgeBase.derived``)."""
    return kb.derived("engine.fixed_weighings", _build_fixed)


def weigh(rule_id: str, f: Facts, kb: KnowledgeBase) -> Weighed:
    """The likelihood ratio of a fired rule for this case, with its basis in words.

    Most rules' weighing does not depend on the case: theirs is worded once per knowledge
    base (:func:`fixed_weighings`)."""
    known = fixed_weighings(kb).get(rule_id)
    return known.weighed if known is not None else _weigh(rule_id, f, kb)


def _weigh(rule_id: str, f: Facts, kb: KnowledgeBase) -> Weighed:
    reason, lr, rate = _case_lr(rule_id, f, kb)
    fit = model_of(kb).rules[rule_id]
    info = kb.rules[rule_id]
    counts = (f"{fit.fired_cause}/{fit.n_cause} published cases of this cause vs "
              f"{fit.fired_other}/{fit.n_other} of other causes")
    if info.given is not None:
        counts += f", among cases where {info.given} fired"
    if reason == "not_scored":
        return Weighed(lr, "not scored (the literature reviewed does not support it)")
    if reason == "series":
        cited = kb.cited_lrs[rule_id]
        return Weighed(lr, (
            f"P(finding | cause) {cited.p_cause:.2f} from {cited.numerator}/"
            f"{cited.denominator} in a published series ({', '.join(cited.references)}); "
            f"P(finding | other causes) {cited.p_other:g}: {cited.p_other_basis}"))
    if reason == "in_parent_base_rate":
        return Weighed(lr, (
            f"not scored separately: {info.given}'s base-rate comparison already asks how "
            "often this exposure happens anyway in a year, and a coincidental one would "
            "match in site and time too"))
    if reason == "direction_conflict":
        return Weighed(lr, f"not scored: the corpus ({counts}) does not show the direction "
                       "the literature gives")
    if reason == "base_rate" and rate is not None:
        p_other = max(fit.p_other, rate.per_year)
        which = ("the base rate" if rate.per_year > fit.p_other
                 else "the corpus figure, which is higher")
        return Weighed(lr, (
            f"P(finding | cause) {fit.p_cause:.2f} from the corpus ({counts}); "
            f"P(finding | other causes) {p_other:.3f}, the larger of the corpus figure "
            f"({fit.p_other:.3f}) and the base rate of {rate.what} ({rate.per_year:.1%} "
            f"a year at this age, {', '.join(rate.references)}) — {which}; shrunk by "
            f"{fit.shrink:.2f} for the corpus size like every fitted LR: a common exposure "
            "counts for little on its own"))
    if reason == "no_base_rate":
        counts += "; no population base rate of this exposure on file, so coincidence is " \
                  "not discounted"
    return Weighed(lr, f"estimated from the corpus ({counts}), smoothed")


def case_lr(rule_id: str, f: Facts, kb: KnowledgeBase) -> float:
    """:func:`weigh`'s likelihood ratio without building its words (the batch path)."""
    return _case_lr(rule_id, f, kb)[1]


def log_lr(rule_id: str, f: Facts, kb: KnowledgeBase) -> float:
    """ln of :func:`weigh`'s likelihood ratio, without building the words (a case-independent
    rule's once per knowledge base, as in :func:`weigh`)."""
    known = fixed_weighings(kb).get(rule_id)
    return known.ln if known is not None else math.log(_case_lr(rule_id, f, kb)[1])


def softmax(scores: dict[str, float], t: float) -> dict[str, float]:
    """exp(score / t), normalised: the one softmax of the engine and of its validation.

    Written as two loops over one dict (not two list comprehensions, ``sum`` and
    ``dict(zip())``): the same operations in the same order, so the same floats (``sum`` of
    floats adds them left to right from the first), with fewer objects built per Case."""
    top = max(scores.values())
    exp = math.exp
    out = {}
    total = 0.0
    for c, s in scores.items():
        out[c] = v = exp((s - top) / t)
        total += v
    for c, v in out.items():
        out[c] = v / total
    return out


def posterior(scores: dict[str, float], kb: KnowledgeBase) -> dict[str, float]:
    """Calibrated probabilities from the log scores (softmax at the fitted temperature)."""
    return softmax(scores, model_of(kb).calibration.temperature)


def decibans(x: float) -> int:
    """10·log10(x), rounded: the integer weight shown beside a likelihood ratio."""
    return round(10 * math.log10(x))
