"""The batch path over columns: rule firings as one boolean matrix, scores from it.

Why a module of its own: this is :func:`dystonia_cds.engine.batch.assess_many` when numpy is
installed. Each Case is read once into the column facts (``engine/_case_columns``), without
Facts or Check models; everything after that — the ~100 rules, the scores, the softmax, the
ranking, the support bands, the summary and the differential's trigger — is computed for
the whole batch at once:

    X  (n × R, bool)     which rule fires for which case        (``_rule_columns``)
    S, D                 the scores and decibans from X            (``_batch_scores``)

Facts are derived only for the cases a rule without a current form, a guard form or a
base-rate weighing needs (``_Lazy``, ``_RateFacts``). The per-case work left is the
report-side bookkeeping a cohort row asks for: recommendation ids, the count of input notes
and the tuples of the result. :func:`assess_by_facts` is the same path over each case's
Facts and CheckSet, the reference it is tested against.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from itertools import compress
from typing import Any, cast

import numpy as np

from dystonia_cds.case import Case, Event
from dystonia_cds.engine._batch_rows import Screened, _Plan, finish
from dystonia_cds.engine._batch_scores import BANDS, SUMMARIES, Scored
from dystonia_cds.engine._case_columns import extract
from dystonia_cds.engine._check_columns import named
from dystonia_cds.engine._columns import columns_from, columns_of
from dystonia_cds.engine._facts import Facts, derive_facts
from dystonia_cds.engine._finish_columns import age_codes, ids_of, recommendation_masks
from dystonia_cds.engine._likelihood import case_lr
from dystonia_cds.engine._rule_columns import firings
from dystonia_cds.engine.checks import CheckSet, compute_checks
from dystonia_cds.engine.etiology import ALL_RULES, CATEGORIES
from dystonia_cds.knowledge import KnowledgeBase

__all__ = ["assess_by_facts", "assess_columns"]

_PT = "acquired_peripheral_trauma"


class _Names:
    """Tuples of names by their codes, built once per distinct code row of a batch."""

    def __init__(self) -> None:
        self.ranking: dict[tuple[int, ...], tuple[str, ...]] = {}
        self.bands: dict[tuple[int, ...], tuple[str, ...]] = {}

    def rank(self, o: list[int]) -> tuple[str, ...]:
        return _named(self.ranking, CATEGORIES, o)

    def band(self, s: list[int]) -> tuple[str, ...]:
        return _named(self.bands, BANDS, s)


def _named(made: dict[tuple[int, ...], tuple[str, ...]], names: Sequence[str],
           codes: list[int]) -> tuple[str, ...]:
    key = tuple(codes)
    got = made.get(key)
    if got is None:
        got = made[key] = tuple(names[i] for i in codes)
    return got


def assess_by_facts(batch: Sequence[Case], kb: KnowledgeBase, plan: _Plan
                    ) -> list[Screened]:
    """The batch path with each case's Facts, CheckSet and column row built one by one and
    ``batch.finish`` per case: what :func:`assess_columns` computes over columns, kept as
    the reference it is tested against."""
    if not batch:
        return []
    facts = [derive_facts(c, kb) for c in batch]
    checks: list[CheckSet] = [compute_checks(f, kb) for f in facts]
    cols = columns_of(facts, checks, plan.layout)
    x = firings(ALL_RULES, cols, facts, checks, kb)
    sc = Scored(x, lambda rule_id, i: case_lr(rule_id, facts[i], kb), plan)
    names = _Names()
    out = []
    rows = zip(batch, facts, checks, x.tolist(), sc.order.tolist(), sc.support.tolist(),
               sc.scores.tolist(), sc.sorted_p.tolist(), sc.score_db.tolist(),
               sc.summary.tolist(), sc.wants.tolist(), strict=True)
    for case, f, c, fired, o, s, scores, p, d, summ, want in rows:
        out.append(finish(case, f, c, kb, plan, ranking=names.rank(o), support=names.band(s),
                          scores=tuple(scores), probabilities=tuple(p),
                          summary=SUMMARIES[summ], score_db=tuple(d), wants=want,
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
    if not batch:
        return []
    t = plan.tables
    ex = extract(batch, t)
    lay = plan.layout
    cols = columns_from(ex.base, ex.onset, (ex.at_i, ex.at_col, ex.at_val),
                        (ex.lat_i, ex.lat_col, ex.lat_val), lay)
    facts = _Lazy(batch, kb)
    x = firings(ALL_RULES, cols, facts, _Lazy(batch, kb, facts), kb)
    sc = Scored(x, _weigher(ex.exposures, facts, kb), plan)
    recs = recommendation_masks(cols, sc.order, sc.prob, sc.lowest, kb).tolist()
    ages, age_names = age_codes(cols, kb)
    wants = (sc.wants | np.asarray(ex.beyond, dtype=bool)).tolist()
    first = lay.index[f"check:{lay.checks[0][0]}:{lay.checks[0][1]}"] if lay.checks else 0
    rec_ids = {m: ids_of(m) for m in set(recs)}
    ct = t.checks
    n = len(batch)
    # each field as a list for the whole batch (C loops: map, tolist), then one Screened
    # per case from them positionally, in Screened's field order
    return list(map(
        Screened,
        [c.id for c in batch],
        list(map(SUMMARIES.__getitem__, sc.summary.tolist())),
        _by_row(sc.order, len(CATEGORIES), lambda o: tuple(CATEGORIES[i] for i in o)),
        _by_row(sc.support, len(BANDS), lambda b: tuple(BANDS[i] for i in b)),
        list(map(tuple, sc.scores.tolist())),
        list(map(tuple, sc.sorted_p.tolist())) if plan.shown else [None] * n,
        ex.distribution,
        list(map(age_names.__getitem__, ages.tolist())),
        [named(found, ct, first) for found in ex.checks],
        _fired_ids(x, plan.rule_ids),
        wants,
        list(map(tuple, sc.score_db.tolist())),
        list(map(rec_ids.__getitem__, recs)),
        list(map(operator.add, ex.notes, wants))))


def _by_row(codes: Any, base: int, make: Callable[[list[int]], tuple[str, ...]]
            ) -> list[tuple[str, ...]]:
    """One tuple of names per row of small codes (0 ≤ code < base), each distinct row's
    tuple made once and shared (a batch has few distinct rankings and band rows)."""
    key = codes @ (base ** np.arange(codes.shape[1], dtype=np.int64))
    distinct, index = np.unique(key, return_inverse=True)
    index = index.ravel()
    firsts = np.zeros(len(distinct), dtype=np.int64)
    firsts[index] = np.arange(len(key))  # a row with each key (the rows of a key are equal)
    names = [make(row) for row in codes[firsts].tolist()]
    return list(map(names.__getitem__, index.tolist()))


def _fired_ids(x: Any, rule_ids: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Each row's fired rule ids in rule order (``compress(rule_ids, row)``), from the
    nonzero cells of the whole matrix at once."""
    rows, cols = np.nonzero(x)  # row-major: each row's columns in order
    ids = list(map(rule_ids.__getitem__, cols.tolist()))
    ends = np.cumsum(np.bincount(rows, minlength=x.shape[0])).tolist()
    starts = [0, *ends[:-1]]
    return [tuple(ids[a:b]) for a, b in zip(starts, ends, strict=True)]
