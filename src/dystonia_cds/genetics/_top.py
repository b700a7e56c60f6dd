"""The head of a ranking: the best rows of a score vector, ties broken deterministically.

Why a module of its own: the ranking's cost after the scores is here — choosing ten of
12,801 diseases — and it reads the matrix only for the exact-match counts of its head.
:func:`head_of` is the default configuration's path: it chooses the head from the sums of
the best-match vectors and divides only the head's (the same floats: division by the term
count is exact per element and keeps the order), instead of a pass over every disease for the
division and two more to choose candidates from the divided scores.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from dystonia_cds.genetics._matrix import Floats, RankConfig, TermMatrix
from dystonia_cds.genetics._score import best_sum, penalty, scores

ExactOf = Callable[[npt.NDArray[np.intp]], Floats]


def exact_matches(m: TermMatrix, observed: Sequence[int], rows: npt.NDArray[np.intp]) -> Floats:
    """For the given rows only, how many observed columns each disease is annotated with
    exactly (what :func:`score_all` counts for every row): the ranking needs the count for
    its head alone. Each column's diseases are in increasing row order."""
    out = np.zeros(len(rows), dtype=np.float64)
    for c in observed:
        seg = m.exact_dis[m.exact_ptr[c]:m.exact_ptr[c + 1]]
        if len(seg):
            at = np.minimum(np.searchsorted(seg, rows), len(seg) - 1)
            out += seg[at] == rows
    return out


def top_rows(score: Floats, exact: Floats, limit: int) -> list[int]:
    """Row indices of the best ``limit`` diseases: score (rounded to 1e-9) desc, exact matches
    desc, then row (rows are in disease-id order); deterministic. Partitions first so only the
    head is sorted; rows scored -inf (outside the pool) never appear."""
    return top_rows_by(score, lambda rows: exact[rows], limit)


def top_rows_by(score: Floats, exact_of: ExactOf, limit: int) -> list[int]:
    """:func:`top_rows` with the exact matches counted for the head rows only."""
    n = len(score)
    limit = max(0, min(limit, n))
    if limit == 0:
        return []
    rows = _candidates(score, limit) if limit < n else np.arange(n)
    return [r for r, _ in _ordered(rows, score[rows], exact_of, limit, limit < n)]


def head_of(m: TermMatrix, observed: Sequence[int], excluded: Sequence[int], cfg: RankConfig,
            exact_of: ExactOf, limit: int) -> list[tuple[int, float]]:
    """(row, score) of the best ``limit`` diseases, as :func:`top_rows_by` orders
    :func:`~dystonia_cds.genetics._score.scores`; a symmetric or dystonia-only
    configuration (the benchmark's) takes that path itself."""
    if cfg.symmetric or cfg.dystonia_only or not observed:
        score = scores(m, observed, excluded, cfg)
        return [(r, float(score[r])) for r in top_rows_by(score, exact_of, limit)]
    total = best_sum(m, observed)  # a new array
    if excluded and cfg.penalty != "off":
        total -= penalty(m, excluded, cfg)
    n, k = len(observed), len(total)
    limit = max(0, min(limit, k))
    if limit == 0:
        return []
    rows = _sum_candidates(total, n, limit) if limit < k else np.arange(k)
    score = total[rows] / n  # every score is finite here (no -inf pool)
    rounded = np.round(score, 9)
    if limit < k:
        keep = np.flatnonzero(rounded >= np.partition(rounded, len(rows) - limit)[
            len(rows) - limit])
        rows, rounded, score = rows[keep], rounded[keep], score[keep]
    head, ranks, values = rows.tolist(), rounded.tolist(), score.tolist()
    exact = exact_of(rows).tolist()
    order = sorted(range(len(head)), key=lambda i: (-ranks[i], -exact[i], head[i]))
    return [(head[i], values[i]) for i in order[:limit]]


def _ordered(rows: npt.NDArray[np.intp], score: Floats, exact_of: ExactOf, limit: int,
             cut: bool) -> list[tuple[int, float]]:
    """The best ``limit`` of ``rows`` (``score``: theirs), in the ranking's order; ``cut``:
    the rows are candidates, a superset of the head, and the head is cut from them."""
    rounded = np.round(score, 9)
    if cut:
        bound = np.partition(rounded, len(rows) - limit)[len(rows) - limit]
        keep = rounded >= bound
        rows, rounded, score = rows[keep], rounded[keep], score[keep]
    finite = np.isfinite(rounded)
    rows, rounded, score = rows[finite], rounded[finite], score[finite]
    order = np.lexsort((rows, -exact_of(rows), -rounded))[:limit]
    return list(zip(rows[order].tolist(), score[order].tolist(), strict=True))


SAMPLE_STEP = 8  # top_rows bounds the cut from every 8th score


def _candidates(score: Floats, limit: int) -> npt.NDArray[np.intp]:
    """Rows that may be among the ``limit`` best once scores are rounded to 1e-9: every row
    scoring at least the ``limit``-th best of a sample of the scores, less 1e-9.

    Why: partitioning all 12,801 scores was most of the ranking's cost (scores take a few
    dozen distinct values, which introselect handles badly); the sample's ``limit``-th best
    is at most the whole's, so every row of the head is kept, and rounding moves a score by
    at most 5e-10, so no row whose rounded score ties the cut is lost."""
    sample = score[::SAMPLE_STEP]
    if len(sample) <= limit:
        return np.arange(len(score))
    bound = np.partition(sample, len(sample) - limit)[len(sample) - limit]
    if not np.isfinite(bound):
        return np.arange(len(score))
    return np.flatnonzero(score >= bound - 1e-9)


def _sum_candidates(total: Floats, n: int, limit: int) -> npt.NDArray[np.intp]:
    """:func:`_candidates` of ``total / n``, chosen from ``total`` itself: a superset of
    them. The sample's ``limit``-th best sum B gives the same bound divided (division is
    monotone); a row kept there has ``fl(t/n) >= fl(B/n) - 1e-9``, so ``t >= B - n·1e-9``
    within a few ulps — ``2e-9·n`` plus a relative 1e-12 covers those. More candidates than
    needed never change the head: it is cut from them by the exact rounded scores."""
    sample = total[::SAMPLE_STEP]
    if len(sample) <= limit:
        return np.arange(len(total))
    bound = float(np.partition(sample, len(sample) - limit)[len(sample) - limit])
    if not np.isfinite(bound):
        return np.arange(len(total))
    return np.flatnonzero(total >= bound - (2e-9 * n + 1e-12 * abs(bound)))
