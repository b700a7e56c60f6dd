"""The head of a ranking: the best rows of a score vector, ties broken deterministically.

Why a module of its own: the ranking's cost after the scores is here — choosing ten of
12,801 diseases — and it reads the matrix only for the exact-match counts of its head.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from dystonia_cds.genetics._matrix import Floats, TermMatrix


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


def top_rows_by(score: Floats, exact_of: Callable[[npt.NDArray[np.intp]], Floats],
                limit: int) -> list[int]:
    """:func:`top_rows` with the exact matches counted for the head rows only."""
    n = len(score)
    limit = max(0, min(limit, n))
    if limit == 0:
        return []
    if limit < n:
        rows = _candidates(score, limit)
        rounded = np.round(score[rows], 9)
        cut = np.partition(rounded, len(rows) - limit)[len(rows) - limit]
        keep = rounded >= cut
        head, rounded = rows[keep], rounded[keep]
    else:
        head = np.arange(n)
        rounded = np.round(score, 9)
    finite = np.isfinite(rounded)
    head, rounded = head[finite], rounded[finite]
    order = np.lexsort((head, -exact_of(head), -rounded))
    return [int(r) for r in head[order][:limit]]


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
