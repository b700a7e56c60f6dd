"""Fit the evidence model from observations: pretest probabilities and likelihood ratios.

For a rule r of hypothesis h (its ``given`` parent g, if any, restricts the counting to the
cases where g fired, so a finding that presupposes an exposure is not double-counted with
it):

    p_cause = (fired in h + α·q) / (cases of h + α)
    p_other = (fired elsewhere + α·q) / (other cases + α)
    ln LR   = ln(p_cause / p_other) · m / (m + κ)

where q is the rule's overall firing rate (Laplace-smoothed), α = 8 the strength of the
prior toward it, and m the number of corpus cases in which the rule fired: a rule seen in
few cases is shrunk toward LR = 1 (κ = 4), and a rule never seen has LR 1, instead of an
extreme value resting on one case. α and κ were chosen once among 9 settings (α 2/4/8 ×
κ 1/2/4) on the cross-validated figures and the largest single-case sensitivity
(docs/model.md): a global choice, which makes the reported figures slightly optimistic.

The literature fixes the direction (the sign of ``weight`` in rules.yaml): an LR that
points the other way is set to 1 and marked ``direction_conflict``; a rule of weight 0 is
``not_scored``. ``sensitivity`` is the largest change in ln LR that leaving out any single
case would make — a large value is a rule resting on one case. A rule whose sensitivity would
exceed ``SENSITIVITY_MAX`` is shrunk harder (κ raised step by step) until it does not: no
likelihood ratio rests on one published case, by construction, and the rule's ``shrink``
records how much of the raw ln LR was kept.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from dystonia_cds.engine.etiology import CATEGORIES
from dystonia_cds.knowledge import KnowledgeBase
from dystonia_cds.knowledge._models import RuleLR
from dystonia_cds.modelling._corpus import Observation

SMOOTHING = 8.0
SHRINK = 4.0
LR_BOUNDS = (1 / 200, 200.0)
SENSITIVITY_MAX = 1.0  # largest |Δ ln LR| one left-out case may make
_KAPPA_STEPS = tuple(SHRINK * 1.25 ** i for i in range(1, 25))


@dataclass
class Counts:
    """Sufficient statistics: per category, cases and (per rule) cases where it fired or
    was eligible (its parent fired). Additive, so a fold is ``total - held_out``."""

    n: Counter[str]
    fired: Counter[tuple[str, str]]  # (rule, category)
    eligible: Counter[tuple[str, str]]  # (rule, category), only for rules with a parent

    @classmethod
    def of(cls, obs: Iterable[Observation], kb: KnowledgeBase) -> Counts:
        c = cls(Counter(), Counter(), Counter())
        parents = {r.id: r.given for r in kb.rules.values() if r.given}
        for o in obs:
            c.n[o.category] += 1
            fired = o.fired
            for rule_id in fired:
                c.fired[rule_id, o.category] += 1
            for rule_id, parent in parents.items():
                if parent in fired or rule_id in fired:
                    c.eligible[rule_id, o.category] += 1
        return c

    def __sub__(self, other: Counts) -> Counts:
        return Counts(self.n - other.n, self.fired - other.fired,
                      self.eligible - other.eligible)


def pretest(counts: Counts) -> dict[str, float]:
    total = sum(counts.n.values()) + len(CATEGORIES)
    return {c: (counts.n[c] + 1) / total for c in CATEGORIES}


def _lr(a: float, n1: float, b: float, n0: float, alpha: float,
        kappa: float | None = None) -> tuple[float, float, float]:
    q = (a + b + 1) / (n1 + n0 + 2)
    p1 = (a + alpha * q) / (n1 + alpha)
    p0 = (b + alpha * q) / (n0 + alpha)
    k = SHRINK if kappa is None else kappa
    fired = a + b
    log_lr = math.log(p1 / p0) * fired / (fired + k)
    lr = min(max(math.exp(log_lr), LR_BOUNDS[0]), LR_BOUNDS[1])
    return lr, p1, p0


def _sensitivity(a: int, n1: int, b: int, n0: int, alpha: float, lr: float,
                 kappa: float | None = None) -> float:
    """max |Δ ln LR| over leaving out one case of each of the four kinds present."""
    out = 0.0
    for da, dn1, db, dn0 in ((1, 1, 0, 0), (0, 1, 0, 0), (0, 0, 1, 1), (0, 0, 0, 1)):
        if a - da < 0 or n1 - dn1 < a - da or b - db < 0 or n0 - dn0 < b - db:
            continue
        if (dn1 and n1 == 0) or (dn0 and n0 == 0):
            continue
        alt, _, _ = _lr(a - da, n1 - dn1, b - db, n0 - dn0, alpha, kappa)
        out = max(out, abs(math.log(alt) - math.log(lr)))
    return out


def _robust_lr(a: int, n1: int, b: int, n0: int,
               alpha: float) -> tuple[float, float, float, float, float]:
    """(LR, p_cause, p_other, κ, sensitivity) at the smallest κ (from SHRINK up) at which no
    single case moves ln LR by more than SENSITIVITY_MAX; the last step's if none does."""
    for kappa in (SHRINK, *_KAPPA_STEPS):
        lr, p1, p0 = _lr(a, n1, b, n0, alpha, kappa)
        sens = _sensitivity(a, n1, b, n0, alpha, lr, kappa)
        if sens <= SENSITIVITY_MAX:
            break
    return lr, p1, p0, kappa, sens


def fit_rules(counts: Counts, kb: KnowledgeBase, alpha: float = SMOOTHING,
              with_sensitivity: bool = True) -> dict[str, RuleLR]:
    total = sum(counts.n.values())
    out: dict[str, RuleLR] = {}
    for rule_id, info in sorted(kb.rules.items()):
        h = info.hypothesis
        if info.given:
            n1 = counts.eligible[rule_id, h]
            n0 = sum(counts.eligible[rule_id, c] for c in CATEGORIES) - n1
        else:
            n1 = counts.n[h]
            n0 = total - n1
        a = counts.fired[rule_id, h]
        b = sum(counts.fired[rule_id, c] for c in CATEGORIES) - a
        lr, p1, p0, kappa, corpus_sens = _robust_lr(a, n1, b, n0, alpha)
        source = "corpus"
        cited = kb.cited_lrs.get(rule_id)
        if cited is not None:
            p1, p0, source = cited.p_cause, cited.p_other, "series"
            lr = p1 / p0
        if info.weight == 0:
            lr, source = 1.0, "not_scored"
        elif (info.weight > 0) != (lr > 1) and lr != 1:
            lr, source = 1.0, "direction_conflict"
        sens = corpus_sens if with_sensitivity and source == "corpus" else 0.0
        out[rule_id] = RuleLR(lr=lr, p_cause=p1, p_other=p0, fired_cause=a, n_cause=n1,
                              fired_other=b, n_other=n0, source=source, sensitivity=sens,
                              shrink=(a + b) / (a + b + kappa) if source == "corpus" else 1.0)
    return out
