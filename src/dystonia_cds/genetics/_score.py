"""The scores over the term x disease arrays (_matrix.py): best-match vectors, their sums,
the excluded-term penalty, the symmetric variant.

Why a module of its own: _matrix.py builds and holds the arrays (the index's start-up);
this is what every ranking runs (the ranking's own hot path, with _top.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dystonia_cds.genetics._matrix import Floats, RankConfig, TermMatrix


def presence(m: TermMatrix, column: int, unknown_frequency: float) -> Floats:
    """Per disease, how often HPO says the term (or a descendant) is present: 0 outside the
    closure, the highest known frequency inside it, ``unknown_frequency`` where none is known."""
    out = np.zeros(m.n_diseases, dtype=np.float64)
    s = slice(int(m.post_ptr[column]), int(m.post_ptr[column + 1]))
    known = m.post_freq[s]
    fallback = np.where(m.post_unk[s], unknown_frequency, 0.0)
    out[m.post_dis[s]] = np.maximum(known, fallback)
    return out


def best_of(m: TermMatrix, c: int) -> Floats:
    """Per disease, the IC of the most informative ancestor of column ``c`` in its closure
    (the Resnik similarity of the best-matching disease term), cached per column."""
    cache = m.best_cache
    found = cache.get(c)
    if found is not None:
        return found
    if cache.anc_ptr is None or cache.dense_of is None:
        cache.anc_ptr, cache.dense_of = m.anc_ptr.tolist(), m.dense_of.tolist()
    anc_ptr, dense_of, ic, post_ptr = cache.anc_ptr, cache.dense_of, m.ic, m.post_ptr
    best = np.zeros(m.n_diseases, dtype=np.float64)
    general = np.zeros(m.n_diseases, dtype=np.float32)
    for a in m.anc_idx[anc_ptr[c]:anc_ptr[c + 1]].tolist():  # increasing IC: the last wins
        row = dense_of[a]
        if row >= 0:
            np.maximum(general, m.dense[row], out=general)
        elif ic[a] > 0.0:
            best[m.post_dis[post_ptr[a]:post_ptr[a + 1]]] = ic[a]
    np.maximum(best, general, out=best)  # float64 of float32 ICs: exact either way
    cache.put(c, best)
    return best


def _exact_all(m: TermMatrix, observed: Sequence[int]) -> Floats:
    exact = np.zeros(m.n_diseases, dtype=np.float64)
    for c in observed:
        exact[m.exact_dis[m.exact_ptr[c]:m.exact_ptr[c + 1]]] += 1.0
    return exact


def best_sum(m: TermMatrix, observed: Sequence[int]) -> Floats:
    """Per disease, the sum of the observed columns' best-match ICs, in their order, as a
    new array: the first two vectors added into it rather than both to zeros (0.0 + x is x
    for these non-negative values), the same sums in the same order."""
    if len(observed) < 2:
        total = np.zeros(m.n_diseases, dtype=np.float64)
        return total + best_of(m, observed[0]) if observed else total
    total = np.add(best_of(m, observed[0]), best_of(m, observed[1]))
    for c in observed[2:]:
        total += best_of(m, c)
    return total


def _disease_to_query(m: TermMatrix, observed: Sequence[int]) -> Floats:
    closure = np.unique(np.concatenate(
        [m.anc_idx[m.anc_ptr[c]:m.anc_ptr[c + 1]] for c in observed]))
    closure = closure[np.argsort(m.ic[closure], kind="stable")]
    value = np.zeros(len(m.terms), dtype=np.float64)
    for a in closure:
        value[m.desc_idx[m.desc_ptr[a]:m.desc_ptr[a + 1]]] = m.ic[a]
    per_term = value[m.phen_col]
    counts = np.diff(m.phen_ptr).astype(np.float64)
    sums = np.add.reduceat(np.r_[per_term, 0.0], m.phen_ptr[:-1]) if len(per_term) else counts
    sums = np.where(counts > 0, sums, 0.0)
    return np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)


def penalty(m: TermMatrix, excluded: Sequence[int], cfg: RankConfig) -> Floats:
    """Per disease, the score units subtracted for the excluded terms (before averaging).

    Built along each term's posting list only: outside it the presence is 0, which counts
    nothing (0.0 is added) unless a ``frequent`` threshold of 0 or less counts every
    disease — then the full presence vector, as before."""
    out = np.zeros(m.n_diseases, dtype=np.float64)
    if cfg.penalty == "off":
        return out
    unknown = 1.0 if cfg.penalty == "all" else cfg.unknown_frequency
    for e in excluded:
        if cfg.penalty == "frequent" and cfg.threshold <= 0.0:
            out += m.ic[e] * (presence(m, e, unknown) >= cfg.threshold)
            continue
        s = slice(int(m.post_ptr[e]), int(m.post_ptr[e + 1]))
        p = np.maximum(m.post_freq[s], np.where(m.post_unk[s], unknown, 0.0))
        if cfg.penalty == "all":
            counted = m.ic[e] * (p > 0)
        elif cfg.penalty == "frequent":
            counted = m.ic[e] * (p >= cfg.threshold)
        else:
            counted = m.ic[e] * p
        out[m.post_dis[s]] += counted  # rows of one posting list are distinct
    return cfg.weight * out


def score_all(
    m: TermMatrix, observed: Sequence[int], excluded: Sequence[int], cfg: RankConfig
) -> tuple[Floats, Floats]:
    """(score, exact matches) for every disease row; ``observed``/``excluded`` are columns.
    Rows outside the configured pool get -inf."""
    if not observed:
        zeros = np.zeros(m.n_diseases, dtype=np.float64)
        return zeros, zeros
    return scores(m, observed, excluded, cfg), _exact_all(m, observed)


def scores(m: TermMatrix, observed: Sequence[int], excluded: Sequence[int], cfg: RankConfig
           ) -> Floats:
    """:func:`score_all`'s scores alone (the ranking counts exact matches for its head)."""
    if not observed:
        return np.zeros(m.n_diseases, dtype=np.float64)
    total = best_sum(m, observed)
    if excluded and cfg.penalty != "off":
        total = total - penalty(m, excluded, cfg)  # else x - 0.0 is x: the same scores
    total /= len(observed)  # ours: _best_sum's or the subtraction's new array
    score = total
    if cfg.symmetric:
        score = 0.5 * (score + _disease_to_query(m, observed))
    if cfg.dystonia_only:
        score = np.where(m.dystonia, score, -np.inf)
    return score
