"""Bounds on how far a field's answers could move the scores, before any answer is scored.

Why: the deciding question (the one an undetermined summary names) is the best-ranked
field, and scoring a field's variants costs far more than bounding them. A field whose
variants change inputs among a known set (``_fill.candidates``) can re-run only the rules
reading that set (``_reads``, the events read by cause as ``_event_keys`` finds them; with
the checks' readers when the set reaches what the checks are computed from), and each such
rule's term of its cause's score can only become 0 (it no longer fires) or its ln LR (it
fires): a fixed number for most rules, and for a rule weighed by the case (a base rate) a
number within a range known per knowledge base (:func:`ln_range`). So each cause can gain
or lose at most a known sum, whence whether the lead could change and how far the top three
could move.

Per set of inputs the sums are kept as if no rule had fired (:class:`Reach`); a Case's
bound corrects them for its fired rules only (a handful), not every rule of the set.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from dystonia_cds.engine._event_keys import keyed_selections
from dystonia_cds.engine._likelihood import model_of
from dystonia_cds.engine._reads import CHECKS, inputs_of, reads_any, rule_inputs
from dystonia_cds.engine.checks import compute_checks
from dystonia_cds.engine.etiology import ALL_RULES, CATEGORIES
from dystonia_cds.knowledge import KnowledgeBase

__all__ = ["Reach", "bound", "ln_range", "reach"]

_DECIBANS = 10 / math.log(10)  # natural-log score units → decibans
_CHECK_INPUTS = inputs_of([compute_checks])
SLACK = 1e-6  # far beyond the rounding of a few hundred additions of scores below 100


@dataclass(frozen=True, slots=True)
class Reach:
    """The rules that could run again when inputs among a set change: by id, (cause,
    least term, largest term) — the term 0 (not fired) included — and per cause the most
    it could gain and lose were none of them fired now."""

    rules: dict[str, tuple[str, float, float]]
    up: dict[str, float]
    down: dict[str, float]


def ln_range(rule_id: str, kb: KnowledgeBase) -> tuple[float, float] | None:
    """The least and the largest ln LR a rule weighed by the case can have, for any case:
    every value ``_likelihood._case_lr`` may give (1, the fitted LR, or the base-rate LR
    at any base rate of the knowledge base, computed as there). None when the rule has no
    fit (it is then not weighed: no bound)."""
    fit = model_of(kb).rules.get(rule_id)
    if fit is None:
        return None
    values = [1.0, fit.lr]
    if kb.rules[rule_id].base_rate is not None:
        values += [max(1.0, (fit.p_cause / max(fit.p_other, rate.per_year)) ** fit.shrink)
                   for rate in kb.base_rates]
    return math.log(min(values)), math.log(max(values))


class _Reaches:
    """Per knowledge base: the :class:`Reach` of each set of inputs met (a handful), or
    None for a set reaching a rule without a bound."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.known: dict[frozenset[str], Reach | None] = {}
        self.check_inputs = frozenset({CHECKS}).union(*(
            {x for x in rule_inputs(r, kb) if x.startswith(CHECKS)} for r in ALL_RULES))

    def of(self, may_change: frozenset[str]) -> Reach | None:
        if may_change in self.known:
            return self.known[may_change]
        inputs = may_change
        if reads_any(_CHECK_INPUTS, may_change):
            inputs = may_change | self.check_inputs
        self.known[may_change] = out = self._build(keyed_selections(self.kb).of(inputs))
        return out

    def _build(self, scored: Iterable[tuple[object, str, str, float | None]]) -> Reach | None:
        rules: dict[str, tuple[str, float, float]] = {}
        up: dict[str, float] = {}
        down: dict[str, float] = {}
        for _, rule_id, hyp, fixed in scored:
            span = (fixed, fixed) if fixed is not None else ln_range(rule_id, self.kb)
            if span is None:
                return None
            lo, hi = min(0.0, span[0]), max(0.0, span[1])
            rules[rule_id] = (hyp, lo, hi)
            up[hyp] = up.get(hyp, 0.0) + hi
            down[hyp] = down.get(hyp, 0.0) - lo
        return Reach(rules, up, down)


def reach(kb: KnowledgeBase, may_change: frozenset[str]) -> Reach | None:
    """The :class:`Reach` of a set of inputs (kept per knowledge base)."""
    return kb.derived("engine.question_reach", _Reaches).of(may_change)


def bound(r: Reach, hit_ids: Iterable[str], term: Callable[[str], float],
          base: dict[str, float], top: str, top3: list[str]) -> tuple[bool, float]:
    """(whether the lead could change, the most the top three could move, in decibans),
    widened by far more than any rounding of the sums. ``term(rule_id)`` is a fired rule's
    ln LR now: its term may fall to the least or rise to the largest of its range."""
    up, down = r.up, r.down
    copied = False
    rules = r.rules
    for rule_id in hit_ids:
        known = rules.get(rule_id)
        if known is None:
            continue
        if not copied:
            copied, up, down = True, dict(up), dict(down)
        hyp, lo, hi = known
        now = term(rule_id)
        up[hyp] += max(0.0, hi - now) - hi
        down[hyp] += max(0.0, now - lo) + lo
    floor = base[top] - down.get(top, 0.0) - SLACK
    flips = False
    for c in CATEGORIES:
        if c != top and base[c] + up.get(c, 0.0) >= floor:
            flips = True
            break
    move = sum([max(up.get(c, 0.0), down.get(c, 0.0)) for c in top3]) * _DECIBANS
    return flips, move * (1 + SLACK) + SLACK
