"""The batch path: many Cases at once, scored as one matrix product in log space.

Why a second path: screening a cohort needs, per case, the ranking, the summary, the support
levels and the check statuses — not the report (evidence sentences, LR bases in words,
references, treatments, next questions), which is most of a full assessment's cost. The
evidence model makes the scoring linear: each hypothesis's score is

    ln pretest(h) + Σ ln LR(rule)   over the fired rules of h

so for n cases and R rules it is ``pretest + X · H``, where X (n × R) holds each fired
rule's ln LR for that case and H (R × 11) maps a rule to its hypothesis. Most rules' LR is a
constant of the fitted model; only exposure rules with a population base rate (and their
child rules) depend on the case, and just those are weighed one by one. The probabilities
are the same softmax at the fitted temperature, the support bands and the summary rule the
same as :mod:`etiology`'s — a test checks that every case of the corpus gets the ranking,
summary and support levels of :func:`dystonia_cds.engine.assess_case`.

With numpy (the ``hpo`` extra) the rules themselves run over columns too: each rule is one
numpy expression over the whole batch (``engine/_batch_columns``, ``engine/_rule_columns``),
so the firings are a boolean matrix. Without numpy the rules run case by case and the same
sums are done in Python, so the core install has the batch path too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from dystonia_cds.case import Case
from dystonia_cds.engine._batch_rows import TRIGGERS, Screened, _Plan, _plan, finish
from dystonia_cds.engine._facts import derive_facts
from dystonia_cds.engine._gc_pause import gc_paused
from dystonia_cds.engine._likelihood import decibans, weigh
from dystonia_cds.engine.checks import compute_checks
from dystonia_cds.engine.etiology import ALL_RULES, CATEGORIES, summary_group
from dystonia_cds.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from dystonia_cds.engine._facts import Facts

__all__ = ["Screened", "assess_many"]

@dataclass(frozen=True)
class _Row:
    facts: Facts
    checks: tuple[tuple[str, str, str], ...]
    fired: list[tuple[int, float]]  # (rule column, ln LR)
    fired_db: list[int]  # each fired rule's weight in decibans, as its Evidence has it


def _evaluate(case: Case, kb: KnowledgeBase, plan: _Plan) -> _Row:
    f = derive_facts(case, kb)
    checks = compute_checks(f, kb)
    fired = []
    fired_db = []
    for j, rule in enumerate(ALL_RULES):
        if rule.fn(f, checks, kb) is not None:
            value = plan.constant_log_lr[j]
            if value is None:
                lr = weigh(rule.id, f, kb).lr
                fired.append((j, math.log(lr)))
                fired_db.append(decibans(lr))
            else:
                fired.append((j, value))
                fired_db.append(plan.constant_db[j])
    statuses = tuple(sorted((c.id, c.hypothesis, c.status) for c in checks.as_list()))
    return _Row(f, statuses, fired, fired_db)


def _scores(rows: Sequence[_Row], plan: _Plan) -> list[list[float]]:
    """pretest + X · H for all rows, in Python (the path without numpy)."""
    out = []
    for row in rows:
        s = list(plan.pretest)
        for j, value in row.fired:
            s[plan.hypothesis_of[j]] += value
        out.append(s)
    return out


def _softmax(score: list[float], t: float) -> list[float]:
    top = max(score)
    e = [math.exp((s - top) / t) for s in score]
    total = sum(e)
    return [v / total for v in e]


def _band(p: float, levels: tuple[tuple[str, float], ...]) -> str:
    for name, lowest in levels:
        if p >= lowest:
            return name
    return "unsupported"


_TRIGGER_COLUMNS = tuple(CATEGORIES.index(c) for c in TRIGGERS)


def _screened(case: Case, row: _Row, score: list[float], plan: _Plan,
              kb: KnowledgeBase) -> Screened:
    """The Python path's ranking, support bands and summary for one case."""
    prob = _softmax(score, plan.temperature)
    # highest first; sort is stable with reverse=True, so ties keep CATEGORIES' order
    order = sorted(range(len(CATEGORIES)), key=score.__getitem__, reverse=True)
    ranking = tuple(CATEGORIES[c] for c in order)
    levels = plan.levels
    lowest = min(lo for _, lo in levels)  # below every band: "unsupported"
    db = list(plan.pretest_db)
    for (j, _), weight in zip(row.fired, row.fired_db, strict=True):
        db[plan.hypothesis_of[j]] += weight
    return finish(
        case, row.facts, row.checks, kb, plan, ranking=ranking,
        support=tuple(_band(prob[c], levels) for c in order),
        scores=tuple(score[c] for c in order), probabilities=tuple(prob[c] for c in order),
        summary=summary_group(list(ranking), dict(zip(CATEGORIES, prob, strict=True)),
                              plan.threshold),
        score_db=tuple(db[c] for c in order),
        wants=any(prob[c] >= lowest for c in _TRIGGER_COLUMNS),
        rule_ids=tuple(plan.rule_ids[j] for j, _ in row.fired))


def assess_many(cases: Iterable[Case], kb: KnowledgeBase) -> list[Screened]:
    """Screen many validated Cases: the rules over columns and one score matrix for the
    batch (case by case in Python when numpy is not installed).

    No next questions, no report objects, no genetic differential (``wants_differential``
    says where a full assessment would compute one). Results follow the input order. The
    cyclic garbage collector is paused meanwhile (``engine/_gc_pause``: a batch makes no
    reference cycles, and the collections cost a fifth of its time).
    """
    with gc_paused():
        plan = _plan(kb)
        batch = list(cases)
        try:
            import numpy  # noqa: F401  (asked each time: _batch_columns may be imported)
        except ImportError:
            rows = [_evaluate(c, kb, plan) for c in batch]
            scores = _scores(rows, plan)
            return [_screened(c, r, s, plan, kb)
                    for c, r, s in zip(batch, rows, scores, strict=True)]
        from dystonia_cds.engine._batch_columns import assess_columns

        return assess_columns(batch, kb, plan)
