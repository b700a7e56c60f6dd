"""The batch path over columns: rule firings as one boolean matrix, scores as its product.

Why a module of its own: this is :func:`dystonia_cds.engine.batch.assess_many` when numpy is
installed. Per case it still derives the Facts and the checks (the one interpretation of a
Case) and reads one row of columns off them; everything after that — the ~100 rules, the
scores, the softmax, the ranking, the support bands, the summary and the differential's
trigger — is computed for the whole batch at once:

    X  (n × R, bool)     which rule fires for which case        (``_rule_columns``)
    L  = X · ln LR        the fitted ln LR of each fired rule (per case for base-rate rules)
    S  = ln pretest + L · H   where H (R × 11) maps each rule to its hypothesis

and the deciban scores the same way with each rule's rounded weight. The per-case work left
is the report-side bookkeeping a cohort row asks for: recommendation ids, the count of
input notes and the tuples of the result.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from itertools import compress
from typing import TYPE_CHECKING, Any

import numpy as np

from dystonia_cds.case import Case
from dystonia_cds.engine._columns import columns_of
from dystonia_cds.engine._facts import Facts, derive_facts
from dystonia_cds.engine._likelihood import case_lr, decibans
from dystonia_cds.engine._rule_columns import firings
from dystonia_cds.engine.checks import CheckSet, compute_checks
from dystonia_cds.engine.etiology import ALL_RULES, CATEGORIES
from dystonia_cds.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from dystonia_cds.engine.batch import Screened, _Plan

__all__ = ["assess_columns"]

_BANDS = ("strong", "moderate", "weak", "unsupported")
_SUMMARIES = ("primary", "acquired", "undetermined")
_COL = {c: i for i, c in enumerate(CATEGORIES)}


def _matrices(plan: _Plan) -> tuple[Any, Any, Any]:
    """(H, ln LR per rule with 0 where weighed per case, deciban per rule)."""
    r = len(plan.rule_ids)
    h = np.zeros((r, len(CATEGORIES)))
    h[np.arange(r), plan.hypothesis_of] = 1.0
    ln = np.array([0.0 if v is None else v for v in plan.constant_log_lr])
    db = np.array(plan.constant_db, dtype=np.int64)
    return h, ln, db


def _weights(x: Any, facts: Sequence[Facts], plan: _Plan, kb: KnowledgeBase
             ) -> tuple[Any, Any]:
    """(L, D): each fired rule's ln LR and decibans; base-rate rules weighed case by case."""
    h, ln, db = _matrices(plan)
    lnlr = x * ln
    dbs = x * db
    for j, value in enumerate(plan.constant_log_lr):
        if value is not None:
            continue
        for i in np.flatnonzero(x[:, j]).tolist():
            lr = case_lr(plan.rule_ids[j], facts[i], kb)
            lnlr[i, j] = math.log(lr)
            dbs[i, j] = decibans(lr)
    return lnlr @ h, dbs @ h.astype(np.int64)


def _bands(p: Any, plan: _Plan) -> Any:
    """Support band codes (index in ``_BANDS``), as ``etiology.support_level``."""
    code = np.full(p.shape, 3, dtype=np.int64)
    for k, (_, lowest) in reversed(list(enumerate(plan.levels))):
        code[p >= lowest] = k
    return code


def _summaries(order: Any, p: Any, threshold: float) -> Any:
    """Summary codes (index in ``_SUMMARIES``), as ``etiology.summary_group``."""
    primary = p[:, _COL["idiopathic"]] + p[:, _COL["inherited"]]
    acquired = 1.0 - primary - p[:, _COL["degenerative"]]
    first = primary >= acquired
    best = np.where(first, primary, acquired)
    code = np.where(best >= threshold, np.where(first, 0, 1), 2)
    code[order[:, 0] == _COL["degenerative"]] = 2
    return code


def assess_columns(batch: Sequence[Case], kb: KnowledgeBase, plan: _Plan) -> list[Screened]:
    from dystonia_cds.engine.batch import finish

    if not batch:
        return []
    facts = [derive_facts(c, kb) for c in batch]
    checks: list[CheckSet] = [compute_checks(f, kb) for f in facts]
    cols = columns_of(facts, checks, plan.layout)
    x = firings(ALL_RULES, cols, facts, checks, kb)
    raw, db = _weights(x, facts, plan, kb)
    scores = np.asarray(plan.pretest) + raw
    score_db = np.asarray(plan.pretest_db, dtype=np.int64) + db
    top = scores.max(axis=1, keepdims=True)
    e = np.exp((scores - top) / plan.temperature)
    prob = e / e.sum(axis=1, keepdims=True)
    order = np.argsort(-scores, axis=1, kind="stable")  # ties keep CATEGORIES' order
    lowest = min(lo for _, lo in plan.levels)
    wants = (prob[:, [_COL[c] for c in ("inherited", "degenerative")]] >= lowest).any(axis=1)
    sorted_p = np.take_along_axis(prob, order, axis=1)
    support = _bands(sorted_p, plan)
    summary = _summaries(order, prob, plan.threshold)
    names: dict[tuple[int, ...], tuple[str, ...]] = {}
    bands: dict[tuple[int, ...], tuple[str, ...]] = {}
    out = []
    rows = zip(batch, facts, checks, x.tolist(), order.tolist(), support.tolist(),
               np.take_along_axis(scores, order, axis=1).tolist(), sorted_p.tolist(),
               np.take_along_axis(score_db, order, axis=1).tolist(), summary.tolist(),
               wants.tolist(), strict=True)
    for case, f, c, fired, o, s, sc, p, d, summ, want in rows:
        key = tuple(o)
        ranking = names.get(key) or names.setdefault(key, tuple(CATEGORIES[i] for i in o))
        key = tuple(s)
        band = bands.get(key) or bands.setdefault(key, tuple(_BANDS[i] for i in s))
        out.append(finish(case, f, c, kb, plan, ranking=ranking, support=band,
                          scores=tuple(sc), probabilities=tuple(p),
                          summary=_SUMMARIES[summ], score_db=tuple(d), wants=want,
                          rule_ids=tuple(compress(plan.rule_ids, fired))))
    return out
