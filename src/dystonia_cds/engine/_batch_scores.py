"""A batch's scores from its rule-firing matrix, and what follows from them for every case.

Why a module of its own: both batch paths (``engine/_batch_columns``: over column facts, and
over each case's Facts as the reference) score the same way, from the n × R matrix of which
rule fires for which case:

    L  = X · ln LR        the fitted ln LR of each fired rule (per case for base-rate rules)
    S  = ln pretest + L · H   where H (R × 11) maps each rule to its hypothesis

and the deciban scores the same way with each rule's rounded weight; then the softmax, the
ranking, the support bands, the summary and the differential's trigger, all as arrays.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from dystonia_cds.engine._batch_rows import _Plan
from dystonia_cds.engine._likelihood import decibans
from dystonia_cds.engine.etiology import CATEGORIES

__all__ = ["BANDS", "SUMMARIES", "Scored"]

BANDS = ("strong", "moderate", "weak", "unsupported")
SUMMARIES = ("primary", "acquired", "undetermined")
_COL = {c: i for i, c in enumerate(CATEGORIES)}


def _scores(x: Any, weigh: Callable[[str, int], float], plan: _Plan) -> tuple[Any, Any]:
    """(S, D), n × 11: per case and hypothesis, ln pretest plus its fired rules' ln LR, and
    the same in decibans; base-rate rules weighed case by case (``weigh(rule id, case
    index)``).

    This is ln pretest + X · H (H maps each rule to its hypothesis), done as one vector add
    per rule over the batch, starting from ln pretest and in rule order — the order
    ``etiology.quick_scores`` adds them in, so each score is that of a full assessment to
    the last bit. A BLAS matrix product grouped the sums its own way (one score in ~6,600
    differed in the last bit) and its threads cost, on a busy machine, more CPU than the
    rest of the scoring (~16 ms per 1,900 cases against ~1 ms on one thread).
    """
    n = x.shape[0]
    fired_by_rule = np.ascontiguousarray(x.T)  # R × n: each rule's firings contiguous
    lnlr = np.repeat(np.asarray(plan.pretest)[:, None], n, axis=1)
    dbs = np.repeat(np.asarray(plan.pretest_db, dtype=np.int64)[:, None], n, axis=1)
    term = np.empty(n)
    rules = zip(plan.rule_ids, plan.hypothesis_of, plan.constant_log_lr, plan.constant_db,
                fired_by_rule, strict=True)
    for rule_id, k, value, db, fired in rules:
        if value is not None:
            np.multiply(fired, value, out=term)
            lnlr[k] += term
            dbs[k] += fired * db
            continue
        rows = np.flatnonzero(fired).tolist()
        if not rows:
            continue
        term[:] = 0.0
        whole = np.zeros(n, dtype=np.int64)
        for i in rows:
            lr = weigh(rule_id, i)
            term[i] = math.log(lr)
            whole[i] = decibans(lr)
        lnlr[k] += term
        dbs[k] += whole
    return np.ascontiguousarray(lnlr.T), np.ascontiguousarray(dbs.T)  # row sums as before


def _bands(p: Any, plan: _Plan) -> Any:
    """Support band codes (index in ``BANDS``), as ``etiology.support_level``."""
    code = np.full(p.shape, 3, dtype=np.int64)
    for k, (_, lowest) in reversed(list(enumerate(plan.levels))):
        code[p >= lowest] = k
    return code


def _summaries(order: Any, p: Any, threshold: float) -> Any:
    """Summary codes (index in ``SUMMARIES``), as ``etiology.summary_group``."""
    primary = p[:, _COL["idiopathic"]] + p[:, _COL["inherited"]]
    acquired = 1.0 - primary - p[:, _COL["degenerative"]]
    first = primary >= acquired
    best = np.where(first, primary, acquired)
    code = np.where(best >= threshold, np.where(first, 0, 1), 2)
    code[order[:, 0] == _COL["degenerative"]] = 2
    return code


class Scored:
    """The scores of a batch and what follows from them, for every case at once."""

    def __init__(self, x: Any, weigh: Callable[[str, int], float], plan: _Plan) -> None:
        scores, score_db = _scores(x, weigh, plan)
        top = scores.max(axis=1, keepdims=True)
        e = np.exp((scores - top) / plan.temperature)
        self.prob = prob = e / e.sum(axis=1, keepdims=True)
        self.order = order = np.argsort(-scores, axis=1, kind="stable")  # ties: CATEGORIES
        self.lowest = lowest = min(lo for _, lo in plan.levels)
        self.wants = (prob[:, [_COL[c] for c in ("inherited", "degenerative")]]
                      >= lowest).any(axis=1)
        self.sorted_p = np.take_along_axis(prob, order, axis=1)
        self.support = _bands(self.sorted_p, plan)
        self.summary = _summaries(order, prob, plan.threshold)
        self.scores = np.take_along_axis(scores, order, axis=1)
        self.score_db = np.take_along_axis(score_db, order, axis=1)
