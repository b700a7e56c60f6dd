"""Why a disease scored what it did: each query term's best-matching disease term.

Why a module of its own, with its own tables: the ranking itself is a few numpy operations
per query term (_matrix.py), but explaining the top ten diseases walked, for every (query
term, disease) pair, the ancestors of the term and then the disease's annotations in
Python — three quarters of a differential's cost. What that walk reads depends on the term
or on the disease alone, never on the rest of the query, so it is prepared once per term
(its ancestors by information content) and once per disease (its annotations by information
content) and kept on the index's matrix, the ``EXPLAIN_CACHE`` most recently used of each,
like the best-match vectors (:class:`~dystonia_cds.genetics._matrix._BestCache`).
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable
from typing import Generic, TypeVar, cast

import numpy as np

from dystonia_cds.genetics._data import treatable_for
from dystonia_cds.genetics._index import Disease, HpoIndex, term_id
from dystonia_cds.genetics._matrix import TermMatrix

EXPLAIN_CACHE = 1024  # query terms, and diseases, whose prepared tables are kept (each);
# 16 times as many (query term, disease) pairs' best matches
_K = TypeVar("_K")
_V = TypeVar("_V")


Ranked = dict[float, tuple[tuple[float, int], ...]]
"""A query term's ancestors (self included) grouped by their IC in float32 — as the matrix
holds it —, each group most informative first (float64 IC), ties by id, as (IC, ancestor)."""


class Memo(Generic[_K, _V]):
    """A bounded map of values never mutated, emptied when full.

    Why not a least-recently-used order under a lock: a hit is most of the explanation's
    work on a warm server, and the lock and the reordering cost more than the value saved.
    A plain dict's get and set are atomic under the GIL; two threads may build the same
    value once each, never a wrong one."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: dict[_K, _V] = {}

    def get(self, key: _K, make: Callable[[], _V]) -> _V:
        found = self.items.get(key)
        if found is None:
            found = self.put(key, make())
        return found

    def put(self, key: _K, value: _V) -> _V:
        """Keep ``value`` (emptying the map first when full); returns it."""
        if len(self.items) >= self.size:
            self.items.clear()
        self.items[key] = value
        return value


class ExplainTables:
    """The per-term and per-disease tables of one index (kept on its :class:`TermMatrix`)."""

    def __init__(self) -> None:
        self.by_ic: Memo[int, Ranked] = Memo(EXPLAIN_CACHE)
        self.terms: Memo[int, tuple[tuple[int, ...], list[float]]] = Memo(EXPLAIN_CACHE)
        self.monotone: bool | None = None  # IC never decreases from a term to a descendant
        # (query term, disease row) -> its best match (case term id, disease term id,
        # label, IC rounded), or () when it matches nothing informative
        self.matched: Memo[tuple[int, int], tuple[str, str, str, float] | tuple[()]] = Memo(
            EXPLAIN_CACHE * 16)
        # (disease row, HPO's genes?) -> what a match shows of the disease itself
        self.disease: Memo[tuple[int, bool], DiseaseInfo] = Memo(EXPLAIN_CACHE)


DiseaseInfo = tuple[tuple[str, ...], str | None, tuple[str, ...], tuple[str, ...], str]
"""(genes, treatable note, inheritance labels, onset labels, gene source) of a disease."""


def disease_info(index: HpoIndex, m: TermMatrix, disease: Disease, hpo_genes: bool
                 ) -> DiseaseInfo:
    """What a match shows of the disease itself, the same for every query: made once."""
    memo = tables(m).disease
    found = memo.items.get((disease.row, hpo_genes))
    if found is None:
        genes = disease.genes if hpo_genes else disease.inferred_genes
        found = memo.put((disease.row, hpo_genes), (
            genes, treatable_for(genes), tuple(index.label(t) for t in disease.inheritance),
            tuple(index.label(t) for t in disease.onset),
            disease.gene_source if hpo_genes else "inferred"))
    return found


def tables(m: TermMatrix) -> ExplainTables:
    found = m.explain_cache.get("tables")
    if found is None:
        found = m.explain_cache.setdefault("tables", ExplainTables())
    return cast(ExplainTables, found)


def by_ic(index: HpoIndex, m: TermMatrix, term: int) -> Ranked:
    """The term's :data:`Ranked` ancestors, made once per term."""
    return tables(m).by_ic.get(term, lambda: _by_ic(index, term))


def _by_ic(index: HpoIndex, term: int) -> Ranked:
    ic = index.ic
    pairs = sorted(((ic.get(a, 0.0), a) for a in index.ancestors_of(term)),
                   key=lambda pair: (-pair[0], pair[1]))
    rounded = np.array([p[0] for p in pairs], dtype=np.float32).tolist()
    groups: dict[float, list[tuple[float, int]]] = {}
    for pair, r in zip(pairs, rounded, strict=True):
        groups.setdefault(r, []).append(pair)
    return {r: tuple(group) for r, group in groups.items()}


def posting_at(m: TermMatrix, disease: Disease, term: int) -> int:
    """Where ``disease`` is in the term's posting list, or -1 when the term is outside the
    disease's closure (the posting list holds exactly the diseases whose closure has it)."""
    col = m.col[term]
    lo, hi = int(m.post_ptr[col]), int(m.post_ptr[col + 1])
    at = lo + int(np.searchsorted(m.post_dis[lo:hi], disease.row))
    return at if at < hi and int(m.post_dis[at]) == disease.row else -1


def best(m: TermMatrix, ranked: Ranked, disease: Disease, best_ic: float) -> tuple[float, int]:
    """The most informative ancestor in the disease's closure (ties: the lowest id), given
    ``best_ic``, its IC in float32 from the score's own vectors: ancestors above it are not
    in the closure, and when one ancestor alone has that IC it is the one — instead of
    building the closure of every disease term (a union of up to hundreds of ancestor sets
    per disease) and walking it."""
    tied = ranked.get(best_ic, ())
    if len(tied) == 1:
        return tied[0]
    for ic, ancestor in tied:
        if posting_at(m, disease, ancestor) >= 0:
            return ic, ancestor
    return 0.0, 0


def _monotone(index: HpoIndex) -> bool:
    """Whether no term is less informative than one of its ancestors (true of HPO's
    annotation-based IC; a hand-built test ontology may break it)."""
    ic = index.ic
    return all(ic.get(a, 0.0) <= ic.get(t, 0.0)
               for t, ancestors in index.ancestors.items() for a in ancestors)


def _terms_by_ic(index: HpoIndex, disease: Disease) -> tuple[tuple[int, ...], list[float]]:
    ic = index.ic
    ordered = tuple(sorted(disease.terms, key=lambda t: (ic.get(t, 0.0), t)))
    return ordered, [ic.get(t, 0.0) for t in ordered]


def disease_term(index: HpoIndex, m: TermMatrix, disease: Disease, ancestor: int) -> int:
    """The disease's own term the match goes through: the least informative (then lowest
    id) of its annotations at or below ``ancestor`` — the first of them in the disease's
    annotations ordered by (IC, id). With a monotone IC none below the ancestor is less
    informative than it, so the walk starts at the ancestor's IC (a binary search)."""
    if ancestor in disease.terms:
        return ancestor
    t = tables(m)
    if t.monotone is None:
        t.monotone = _monotone(index)
    ordered, ics = t.terms.get(disease.row, lambda: _terms_by_ic(index, disease))
    start = bisect_left(ics, index.ic.get(ancestor, 0.0)) if t.monotone else 0
    anc, empty = index.ancestors, frozenset[int]()
    for term in ordered[start:]:
        if ancestor in anc.get(term, empty):
            return term
    raise ValueError(f"no annotation of {disease.disease_id} below HP:{ancestor:07d}")


def matched(index: HpoIndex, m: TermMatrix, disease: Disease, term: int, best_ic: float,
            ranked: Ranked) -> tuple[str, str, str, float] | tuple[()]:
    """The query term's best match in the disease: (case term, disease term, the disease
    term's label, the shared ancestor's IC rounded to 4 places), or () when there is no
    informative one. ``best_ic``: the pair's best-match IC (the score's own vector),
    ``ranked``: the term's :func:`by_ic`. Kept per (term, disease): it depends on nothing
    else, and a service sees the same terms and the same leading diseases again and again."""
    return tables(m).matched.get((term, disease.row), lambda: _matched(
        index, m, disease, term, best_ic, ranked))


def _matched(index: HpoIndex, m: TermMatrix, disease: Disease, term: int, best_ic: float,
             ranked: Ranked) -> tuple[str, str, str, float] | tuple[()]:
    if best_ic <= 0.0:
        return ()
    ic, ancestor = best(m, ranked, disease, best_ic)
    if ic <= 0.0:
        return ()
    target = disease_term(index, m, disease, ancestor)
    return term_id(term), term_id(target), index.label(target), round(ic, 4)
