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
from collections.abc import Callable, Sequence
from itertools import compress
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from dystonia_cds.case import Case, Event
from dystonia_cds.engine._case_columns import extract
from dystonia_cds.engine._check_columns import named
from dystonia_cds.engine._columns import columns_from, columns_of
from dystonia_cds.engine._facts import Facts, derive_facts
from dystonia_cds.engine._finish_columns import age_codes, ids_of, recommendation_masks
from dystonia_cds.engine._likelihood import case_lr, decibans
from dystonia_cds.engine._rule_columns import firings
from dystonia_cds.engine.checks import CheckSet, compute_checks
from dystonia_cds.engine.etiology import ALL_RULES, CATEGORIES
from dystonia_cds.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from dystonia_cds.engine.batch import Screened, _Plan

__all__ = ["assess_by_facts", "assess_columns"]

_BANDS = ("strong", "moderate", "weak", "unsupported")
_SUMMARIES = ("primary", "acquired", "undetermined")
_COL = {c: i for i, c in enumerate(CATEGORIES)}
_PT = "acquired_peripheral_trauma"


def _matrices(plan: _Plan) -> tuple[Any, Any, Any]:
    """(H, ln LR per rule with 0 where weighed per case, deciban per rule)."""
    r = len(plan.rule_ids)
    h = np.zeros((r, len(CATEGORIES)))
    h[np.arange(r), plan.hypothesis_of] = 1.0
    ln = np.array([0.0 if v is None else v for v in plan.constant_log_lr])
    db = np.array(plan.constant_db, dtype=np.int64)
    return h, ln, db


def _weights(x: Any, weigh: Callable[[str, int], float], plan: _Plan) -> tuple[Any, Any]:
    """(L, D): each fired rule's ln LR and decibans; base-rate rules weighed case by case
    (``weigh(rule id, case index)``)."""
    h, ln, db = _matrices(plan)
    lnlr = x * ln
    dbs = x * db
    for j, value in enumerate(plan.constant_log_lr):
        if value is not None:
            continue
        for i in np.flatnonzero(x[:, j]).tolist():
            lr = weigh(plan.rule_ids[j], i)
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


class _Scored:
    """The scores of a batch and what follows from them, for every case at once."""

    def __init__(self, x: Any, weigh: Callable[[str, int], float], plan: _Plan) -> None:
        raw, db = _weights(x, weigh, plan)
        scores = np.asarray(plan.pretest) + raw
        score_db = np.asarray(plan.pretest_db, dtype=np.int64) + db
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


class _Names:
    """Tuples of names by their codes, built once per distinct code row of a batch."""

    def __init__(self) -> None:
        self.ranking: dict[tuple[int, ...], tuple[str, ...]] = {}
        self.bands: dict[tuple[int, ...], tuple[str, ...]] = {}

    def rank(self, o: list[int]) -> tuple[str, ...]:
        key = tuple(o)
        got = self.ranking.get(key)
        if got is None:
            got = self.ranking[key] = tuple(CATEGORIES[i] for i in o)
        return got

    def band(self, s: list[int]) -> tuple[str, ...]:
        key = tuple(s)
        got = self.bands.get(key)
        if got is None:
            got = self.bands[key] = tuple(_BANDS[i] for i in s)
        return got


def assess_by_facts(batch: Sequence[Case], kb: KnowledgeBase, plan: _Plan
                    ) -> list[Screened]:
    """The batch path with each case's Facts, CheckSet and column row built one by one and
    ``batch.finish`` per case: what :func:`assess_columns` computes over columns, kept as
    the reference it is tested against."""
    from dystonia_cds.engine.batch import finish

    if not batch:
        return []
    facts = [derive_facts(c, kb) for c in batch]
    checks: list[CheckSet] = [compute_checks(f, kb) for f in facts]
    cols = columns_of(facts, checks, plan.layout)
    x = firings(ALL_RULES, cols, facts, checks, kb)
    sc = _Scored(x, lambda rule_id, i: case_lr(rule_id, facts[i], kb), plan)
    names = _Names()
    out = []
    rows = zip(batch, facts, checks, x.tolist(), sc.order.tolist(), sc.support.tolist(),
               sc.scores.tolist(), sc.sorted_p.tolist(), sc.score_db.tolist(),
               sc.summary.tolist(), sc.wants.tolist(), strict=True)
    for case, f, c, fired, o, s, scores, p, d, summ, want in rows:
        out.append(finish(case, f, c, kb, plan, ranking=names.rank(o), support=names.band(s),
                          scores=tuple(scores), probabilities=tuple(p),
                          summary=_SUMMARIES[summ], score_db=tuple(d), wants=want,
                          rule_ids=tuple(compress(plan.rule_ids, fired))))
    return out


class _Lazy(Sequence[Any]):
    """Facts (or their CheckSet) derived only for the cases asked for: the rules run case by
    case and the base-rate weighings (see ``engine/_case_columns``)."""

    def __init__(self, batch: Sequence[Case], kb: KnowledgeBase,
                 facts: _Lazy | None = None) -> None:
        self._batch, self._kb, self._facts = batch, kb, facts
        self._done: dict[int, Any] = {}

    def __len__(self) -> int:
        return len(self._batch)

    def __getitem__(self, i: Any) -> Any:
        got = self._done.get(i)
        if got is None:
            if self._facts is None:
                got = derive_facts(self._batch[i], self._kb)
            else:
                got = compute_checks(self._facts[i], self._kb)
            self._done[i] = got
        return got


class _Exposure:
    __slots__ = ("age_at_event_years", "event")

    def __init__(self, event: Event, age: float | None) -> None:
        self.event, self.age_at_event_years = event, age


class _RateFacts:
    """What a base-rate weighing (``_likelihood._rate_for``) reads of a case's Facts: its
    peripheral exposures (event, age at the event) and its onset age, from the column
    facts. Anything else it asks for raises AttributeError, and the case's Facts are then
    derived instead (so a change there costs speed, never a different weight)."""

    __slots__ = ("_exposures", "onset_years")

    def __init__(self, onset_years: float | None, exposures: list[_Exposure]) -> None:
        self.onset_years, self._exposures = onset_years, exposures

    def events_of(self, hypothesis: str) -> list[_Exposure]:
        if hypothesis != _PT:
            raise AttributeError(f"events_of({hypothesis!r})")
        return self._exposures


def _weigher(exposures: dict[int, tuple[float | None, list[tuple[Event, float | None]]]],
             facts: Sequence[Facts], kb: KnowledgeBase) -> Callable[[str, int], float]:
    def weigh(rule_id: str, i: int) -> float:
        got = exposures.get(i)
        if got is not None:
            view = _RateFacts(got[0], [_Exposure(e, age) for e, age in got[1]])
            try:
                return case_lr(rule_id, cast(Facts, view), kb)
            except AttributeError:
                pass
        return case_lr(rule_id, facts[i], kb)
    return weigh


def assess_columns(batch: Sequence[Case], kb: KnowledgeBase, plan: _Plan) -> list[Screened]:
    """Screened rows from the batch's column facts (``engine/_case_columns``): no Facts,
    CheckSet or per-case ``finish`` except for the rows named in ``_Lazy``."""
    from dystonia_cds.engine.batch import Screened

    if not batch:
        return []
    t = plan.tables
    ex = extract(batch, t)
    lay = plan.layout
    cols = columns_from(ex.base, ex.onset, (ex.at_i, ex.at_col, ex.at_val),
                        (ex.lat_i, ex.lat_col, ex.lat_val), lay)
    facts = _Lazy(batch, kb)
    x = firings(ALL_RULES, cols, facts, _Lazy(batch, kb, facts), kb)
    sc = _Scored(x, _weigher(ex.exposures, facts, kb), plan)
    recs = recommendation_masks(cols, sc.order, sc.prob, sc.lowest, kb)
    ages, age_names = age_codes(cols, kb)
    wants = (sc.wants | np.asarray(ex.beyond, dtype=bool)).tolist()
    first = lay.index[f"check:{lay.checks[0][0]}:{lay.checks[0][1]}"] if lay.checks else 0
    rec_ids: dict[int, tuple[str, ...]] = {}
    names = _Names()
    shown = plan.shown
    rule_ids = plan.rule_ids
    ct = t.checks
    out = []
    rows = zip(batch, x.tolist(), sc.order.tolist(), sc.support.tolist(), sc.scores.tolist(),
               sc.sorted_p.tolist(), sc.score_db.tolist(), sc.summary.tolist(), wants,
               recs.tolist(), ages.tolist(), ex.checks, ex.notes, ex.distribution,
               strict=True)
    for case, fired, o, s, scores, p, d, summ, want, rec, age, found, notes, dist in rows:
        ids = rec_ids.get(rec)
        if ids is None:
            ids = rec_ids[rec] = ids_of(rec)
        out.append(Screened(
            case_id=case.id, summary=_SUMMARIES[summ], ranking=names.rank(o),
            support=names.band(s), scores=tuple(scores),
            probabilities=tuple(p) if shown else None, distribution=dist,
            age_at_onset=age_names[age], checks=named(found, ct, first),
            rule_ids=tuple(compress(rule_ids, fired)), wants_differential=want,
            score_db=tuple(d), recommendation_ids=ids, input_notes=notes + want))
    return out
