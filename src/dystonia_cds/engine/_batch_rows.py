"""What both batch paths share: the knowledge base's plan, the Screened row and its finish.

Why a module of its own: the Python path (``batch``) and the column path (``_batch_columns``,
imported only when numpy is there) both build Screened rows from a plan and end each row with
:func:`finish`. Kept here, each path imports them and neither imports the other's module
back, so there is no import cycle between the two.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import msgspec

from dystonia_cds.case import Case
from dystonia_cds.engine._case_column_tables import Tables, tables_of
from dystonia_cds.engine._columns import Layout, layout_of
from dystonia_cds.engine._input_notes import note_count
from dystonia_cds.engine._likelihood import decibans, model_of
from dystonia_cds.engine.advice import leading_causes, recommendation_ids
from dystonia_cds.engine.axis1 import age_group
from dystonia_cds.engine.checks import CheckSet
from dystonia_cds.engine.differential import terms_beyond_dystonia
from dystonia_cds.engine.etiology import ALL_RULES, CATEGORIES
from dystonia_cds.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from dystonia_cds.engine._facts import Facts

__all__ = ["TRIGGERS", "Screened", "finish"]

TRIGGERS = ("inherited", "degenerative")


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
    tables: Tables  # the column facts' lookups (engine/_case_column_tables)


def _plan(kb: KnowledgeBase) -> _Plan:
    """The plan of a knowledge base, built once per knowledge-base object and kept on it
    (``KnowledgeBase.derived``: no module-level cache)."""
    return kb.derived("engine.batch_plan", _build_plan)


def _build_plan(kb: KnowledgeBase) -> _Plan:
    model = model_of(kb)
    column = {c: i for i, c in enumerate(CATEGORIES)}
    constant: list[float | None] = []
    for rule in ALL_RULES:
        info = kb.rules[rule.id]
        parent_rate = info.given is not None and kb.rules[info.given].base_rate is not None
        varies = info.base_rate is not None or parent_rate
        constant.append(None if varies else math.log(_constant_lr(rule.id, kb)))
    db = [0 if v is None else decibans(_constant_lr(r.id, kb)) for r, v in zip(
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


def _constant_lr(rule_id: str, kb: KnowledgeBase) -> float:
    """The LR (the ratio itself; its ln is ``_Plan.constant_log_lr``) of a rule whose
    weighing does not depend on the case (``_likelihood``)."""
    fit = model_of(kb).rules[rule_id]
    if fit.source in ("not_scored", "direction_conflict"):
        return 1.0
    return fit.lr


def finish(case: Case, f: Facts, checks: CheckSet | tuple[tuple[str, str, str], ...],
           kb: KnowledgeBase, plan: _Plan, *, ranking: tuple[str, ...],
           support: tuple[str, ...], scores: tuple[float, ...],
           probabilities: tuple[float, ...], summary: str, score_db: tuple[int, ...],
           wants: bool, rule_ids: tuple[str, ...]) -> Screened:
    """A Screened from one case's ranking and scores (both paths): the differential's
    trigger beyond the scores, the recommendations and the input-note count."""
    if not wants:
        wants = bool(terms_beyond_dystonia(case, kb))
    distribution = f.distribution[0]
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
