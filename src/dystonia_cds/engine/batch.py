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
from typing import TYPE_CHECKING, Any

import msgspec

from dystonia_cds.case import Case
from dystonia_cds.engine._case_columns import Tables, tables_of
from dystonia_cds.engine._columns import Layout, layout_of
from dystonia_cds.engine._facts import derive_facts
from dystonia_cds.engine._gc_pause import gc_paused
from dystonia_cds.engine._likelihood import decibans, model_of, weigh
from dystonia_cds.engine.advice import leading_causes, recommendation_ids
from dystonia_cds.engine.axis1 import age_group
from dystonia_cds.engine.checks import CheckSet, compute_checks
from dystonia_cds.engine.etiology import ALL_RULES, CATEGORIES, summary_group
from dystonia_cds.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from dystonia_cds.engine._facts import Facts

__all__ = ["Screened", "assess_many"]

_TRIGGERS = ("inherited", "degenerative")


class Screened(msgspec.Struct, frozen=True, gc=False):
    """One case's result on the batch path: what a cohort table needs, nothing more.

    ``ranking`` lists the 11 causes highest score first (ties in the engine's fixed order);
    ``support``, ``scores`` (ln pretest + Σ ln LR) and ``probabilities`` are aligned with it.
    ``probabilities`` is None where the model's calibration does not hold (the Assessment
    then shows none either). ``checks`` holds (check id, hypothesis, status), sorted.
    ``score_db`` is each hypothesis's ``score`` as the Assessment gives it (decibans of the
    pretest plus each evidence item's rounded weight), aligned with ``ranking``;
    ``recommendation_ids`` are its recommendations' ids; ``input_notes`` counts its input
    notes as ``assess_case`` without an HPO index makes them (the engine's own, not an
    adapter's).

    A frozen msgspec Struct, not a dataclass, because a batch makes one per case: it is
    built in C (a tenth of a frozen dataclass's ``__init__``), and ``gc=False`` keeps it out
    of the cyclic collector's lists — its fields are strings, numbers and tuples of them,
    so it can be in no reference cycle.
    """

    case_id: str | None
    summary: str
    ranking: tuple[str, ...]
    support: tuple[str, ...]
    scores: tuple[float, ...]
    probabilities: tuple[float, ...] | None
    distribution: str
    age_at_onset: str
    checks: tuple[tuple[str, str, str], ...]
    rule_ids: tuple[str, ...]
    wants_differential: bool
    score_db: tuple[int, ...] = ()
    recommendation_ids: tuple[str, ...] = ()
    input_notes: int = 0

    @property
    def top(self) -> str:
        return self.ranking[0]

    def check_status(self, check_id: str) -> str | None:
        """The status of a check for the leading cause, else the first one of that id (what
        ``dystonia-cds screen`` reports); None when the check does not apply."""
        found = [(hyp, status) for cid, hyp, status in self.checks if cid == check_id]
        for hyp, status in found:
            if hyp == self.ranking[0]:
                return status
        return found[0][1] if found else None

    def as_dict(self) -> dict[str, Any]:
        """The fields as plain data (tuples stay tuples), e.g. for a JSON Lines writer."""
        return {name: getattr(self, name) for name in self.__struct_fields__}


@dataclass(frozen=True)
class _Plan:
    """What the knowledge base fixes once for every batch: rule columns and constants."""

    rule_ids: tuple[str, ...]
    hypothesis_of: tuple[int, ...]  # rule column → hypothesis column
    constant_log_lr: tuple[float | None, ...]  # None: weighed per case (base rates)
    constant_db: tuple[int, ...]  # decibans of the constant LRs (0 where weighed per case)
    pretest: tuple[float, ...]
    pretest_db: tuple[int, ...]
    temperature: float
    levels: tuple[tuple[str, float], ...]
    threshold: float
    shown: bool
    layout: Layout
    tables: Tables  # the column facts' lookups (engine/_case_columns)


_PLANS: dict[int, tuple[KnowledgeBase, _Plan]] = {}


def _plan(kb: KnowledgeBase) -> _Plan:
    """The plan of a knowledge base, built once per knowledge-base object (which is not
    hashable: kept by identity, the object itself held so its id is not reused)."""
    held = _PLANS.get(id(kb))
    if held is not None and held[0] is kb:
        return held[1]
    if len(_PLANS) > 8:
        _PLANS.clear()
    plan = _build_plan(kb)
    _PLANS[id(kb)] = (kb, plan)
    return plan


def _build_plan(kb: KnowledgeBase) -> _Plan:
    model = model_of(kb)
    column = {c: i for i, c in enumerate(CATEGORIES)}
    constant: list[float | None] = []
    for rule in ALL_RULES:
        info = kb.rules[rule.id]
        parent_rate = info.given is not None and kb.rules[info.given].base_rate is not None
        varies = info.base_rate is not None or parent_rate
        constant.append(None if varies else math.log(_fixed_lr(rule.id, kb)))
    db = [0 if v is None else decibans(_fixed_lr(r.id, kb)) for r, v in zip(
        ALL_RULES, constant, strict=True)]
    levels = kb.parameters.scoring.support_levels
    layout = layout_of(kb)
    return _Plan(
        rule_ids=tuple(r.id for r in ALL_RULES),
        hypothesis_of=tuple(column[kb.rules[r.id].hypothesis] for r in ALL_RULES),
        constant_log_lr=tuple(constant),
        constant_db=tuple(db),
        pretest=tuple(math.log(model.pretest[c]) for c in CATEGORIES),
        pretest_db=tuple(decibans(model.pretest[c]) for c in CATEGORIES),
        temperature=model.calibration.temperature,
        levels=tuple((n, levels[n]) for n in ("strong", "moderate", "weak")),
        threshold=kb.parameters.scoring.summary_threshold,
        shown=model.calibration.shown,
        layout=layout,
        tables=tables_of(kb, layout),
    )


def _fixed_lr(rule_id: str, kb: KnowledgeBase) -> float:
    """The LR of a rule whose weighing does not depend on the case (``_likelihood``)."""
    fit = model_of(kb).rules[rule_id]
    if fit.source in ("not_scored", "direction_conflict"):
        return 1.0
    return fit.lr


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


_TRIGGER_COLUMNS = tuple(CATEGORIES.index(c) for c in _TRIGGERS)


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


def finish(case: Case, f: Facts, checks: CheckSet | tuple[tuple[str, str, str], ...],
           kb: KnowledgeBase, plan: _Plan, *, ranking: tuple[str, ...],
           support: tuple[str, ...], scores: tuple[float, ...],
           probabilities: tuple[float, ...], summary: str, score_db: tuple[int, ...],
           wants: bool, rule_ids: tuple[str, ...]) -> Screened:
    """A Screened from one case's ranking and scores (both paths): the differential's
    trigger beyond the scores, the recommendations and the input-note count."""
    if not wants:
        from dystonia_cds.engine.differential import terms_beyond_dystonia

        wants = bool(terms_beyond_dystonia(case, kb))
    distribution = f.distribution[0]
    from dystonia_cds.engine import note_count  # the package imports this module


    if isinstance(checks, CheckSet):
        checks = tuple(sorted((c.id, c.hypothesis, c.status) for c in checks.items.values()))
    return Screened(
        case_id=case.id,
        summary=summary,
        ranking=ranking,
        support=support,
        scores=scores,
        probabilities=probabilities if plan.shown else None,
        distribution=distribution,
        age_at_onset=age_group(f, kb)[0],
        checks=checks,
        rule_ids=rule_ids,
        wants_differential=wants,
        score_db=score_db,
        recommendation_ids=tuple(recommendation_ids(
            f, leading_causes(ranking, support), distribution, kb)),
        input_notes=note_count(f, kb) + wants,
    )


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
