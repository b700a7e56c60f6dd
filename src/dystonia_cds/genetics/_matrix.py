"""The vectorised term x disease structures behind the differential (scores: _score.py).

Why: ranking every OMIM/Orphanet disease (12,801 in HPO 2025-11-24), not only the 728 annotated
with dystonia, must stay within 10 ms per case. A dense term x disease matrix would hold
~250 million cells; instead each HPO term keeps a *posting list*: the diseases whose annotation
closure contains it, with the highest annotation frequency of the disease's terms at or below
it. The Phenomizer identity (max over disease terms d of IC(MICA(q, d)) = the highest IC among
ancestors(q) that lie in the closure of D) then becomes, per query term, a few numpy
assignments along its ancestors in increasing IC.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt

Ints = npt.NDArray[np.int32]
Floats = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
UNKNOWN = -1.0  # frequency not given by HPO for this annotation
DENSE_MIN = 1000  # a term posted to more diseases than this gets a dense row (see build_matrix)
BEST_CACHE_TERMS = 256  # query terms whose per-disease best match is kept (102 KB each)

Penalty = Literal["off", "all", "frequent", "graded"]


@dataclass(frozen=True, slots=True)
class RankConfig:
    """One way of scoring; the benchmark compares several, the default is chosen by
    leave-one-cohort-out (docs/genetics.md).

    penalty: how excluded terms count against a disease —
      ``off`` not at all; ``all`` IC(e) wherever the disease's closure holds e (the v1 rule);
      ``frequent`` IC(e) only where HPO's frequency of e (or a descendant) in the disease is at
      least ``threshold``; ``graded`` IC(e) x that frequency.
    unknown_frequency: the frequency assumed for an annotation HPO gives none for.
    symmetric: average the query->disease and disease->query best-match averages.
    dystonia_only: rank only diseases annotated with dystonia (the v1 pool).
    hpo_genes: genes from HPO's disease->gene table (else v1's shared-term inference).
    """

    penalty: Penalty = "frequent"
    threshold: float = 0.9
    unknown_frequency: float = 0.0
    symmetric: bool = False
    dystonia_only: bool = False
    hpo_genes: bool = True
    weight: float = 1.0


PREVIOUS = RankConfig(penalty="all", dystonia_only=True, hpo_genes=False)


class _BestCache:
    """Per query column, its best-match IC for every disease (float64, read-only), the
    ``BEST_CACHE_TERMS`` most recently used kept.

    Why: that vector depends on the query term alone, and a service sees the same few terms
    again and again (the regions, distributions, onset bands and features the knowledge base
    maps to HPO are ~100 terms); recomputing it walks 10-30 ancestors with a numpy operation
    over 12,801 diseases each, most of the ranking's cost. Why float64 (100 KB a term, 26 MB
    when full) though float32 holds every value exactly (each is an IC the matrix stores as
    float32): the scores sum these vectors in float64, and converting float32 to float64
    was 40 % of the scores' instructions (callgrind). Shared by threads (a lock around the
    dictionary; two threads may compute the same vector once each, never a wrong one)."""

    def __init__(self) -> None:
        self.vectors: OrderedDict[int, Floats] = OrderedDict()
        self.lock = threading.Lock()
        self.anc_ptr: list[int] | None = None  # the CSR pointers as Python ints, made once
        self.dense_of: list[int] | None = None

    def get(self, column: int) -> Floats | None:
        with self.lock:
            found = self.vectors.get(column)
            if found is not None:
                self.vectors.move_to_end(column)
            return found

    def put(self, column: int, vector: Floats) -> None:
        vector.setflags(write=False)
        with self.lock:
            self.vectors[column] = vector
            while len(self.vectors) > BEST_CACHE_TERMS:
                self.vectors.popitem(last=False)


@dataclass(frozen=True, slots=True)
class TermMatrix:
    """Read-only arrays (numpy ``writeable=False``); columns are HPO terms, rows diseases."""

    col: Mapping[int, int]  # HPO term int -> column
    terms: Ints  # column -> HPO term int
    ic: Floats  # column -> information content
    anc_ptr: Ints  # CSR: column -> its ancestors (self included), increasing IC
    anc_idx: Ints
    post_ptr: Ints  # CSR: column -> diseases whose closure holds it (increasing row)
    post_dis: Ints
    post_freq: Floats  # highest known frequency of the disease's annotations at/below the term
    post_unk: Bools  # some annotation at/below the term has no frequency
    exact_ptr: Ints  # CSR: column -> diseases annotated with exactly that term
    exact_dis: Ints
    desc_ptr: Ints  # CSR: column -> its descendants (self included)
    desc_idx: Ints
    phen_ptr: Ints  # CSR: disease row -> its phenotype-abnormality annotation columns
    phen_col: Ints
    dystonia: Bools  # row -> annotated with dystonia or a descendant
    dense_of: Ints  # column -> its row in ``dense`` (-1: use the posting list)
    dense: npt.NDArray[np.float32]  # (general terms x diseases) IC where in the closure, else 0
    n_diseases: int
    best_cache: _BestCache = field(default_factory=_BestCache, compare=False, repr=False)
    explain_cache: dict[str, object] = field(default_factory=dict, compare=False, repr=False)
    """The explanations' prepared tables (_explain.py), made on first use."""


def _frozen(a: npt.NDArray[np.generic]) -> npt.NDArray[np.generic]:
    a.setflags(write=False)
    return a


def _csr(groups: Sequence[Sequence[int]]) -> tuple[Ints, Ints]:
    lengths = np.fromiter((len(g) for g in groups), dtype=np.int64, count=len(groups))
    ptr = np.zeros(len(groups) + 1, dtype=np.int64)
    np.cumsum(lengths, out=ptr[1:])
    flat = np.fromiter((x for g in groups for x in g), dtype=np.int64, count=int(ptr[-1]))
    return ptr.astype(np.int32), flat.astype(np.int32)


def build_matrix(
    ic: Mapping[int, float],
    ancestors: Mapping[int, frozenset[int]],
    annotations: Sequence[Sequence[tuple[int, float]]],
    phenotype_root: int,
    dystonia_rows: Sequence[bool],
) -> TermMatrix:
    """Build the arrays. ``annotations[row]`` lists (HPO term, frequency or UNKNOWN)."""
    terms = sorted(ancestors)
    col = {t: i for i, t in enumerate(terms)}
    # ICs rounded to float32 once, so the dense float32 rows and the float64 sums agree exactly
    ic_arr = np.array([ic.get(t, 0.0) for t in terms], dtype=np.float32).astype(np.float64)
    rank = np.empty(len(terms), dtype=np.int64)
    rank[np.lexsort((np.arange(len(terms)), ic_arr))] = np.arange(len(terms))
    anc_ptr, anc_raw = _csr([[col[a] for a in ancestors[t]] for t in terms])
    owner = np.repeat(np.arange(len(terms)), np.diff(anc_ptr))
    anc_idx = anc_raw[np.lexsort((rank[anc_raw], owner))]  # within each term: increasing IC
    desc_order = np.lexsort((owner, anc_raw))
    desc_idx = owner[desc_order].astype(np.int32)
    desc_ptr = np.searchsorted(anc_raw[desc_order], np.arange(len(terms) + 1)).astype(np.int32)

    rows = len(annotations)
    dis_list: list[int] = []
    col_list: list[int] = []
    freq_list: list[float] = []
    for r, ann in enumerate(annotations):
        dis_list.extend([r] * len(ann))
        col_list.extend(col[t] for t, _ in ann)
        freq_list.extend(f for _, f in ann)
    ann_dis = np.array(dis_list, dtype=np.int64)
    ann_col = np.array(col_list, dtype=np.int64)
    ann_freq = np.array(freq_list, dtype=np.float64)
    # expand every annotation to all ancestors of its term
    lengths = (anc_ptr[1:] - anc_ptr[:-1]).astype(np.int64)[ann_col]
    starts = np.repeat(anc_ptr[:-1].astype(np.int64)[ann_col], lengths)
    offsets = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    anc_of = anc_idx.astype(np.int64)[starts + offsets]
    dis_of = np.repeat(ann_dis, lengths)
    freq_of = np.repeat(ann_freq, lengths)
    # one sort of (term, disease, frequency level) packed in an int64, instead of an argsort
    level = np.rint((freq_of + 1.0) * 1000.0).astype(np.int64)  # UNKNOWN -> 0, 1.0 -> 2000
    packed = np.sort((anc_of * rows + dis_of) * 4096 + level)
    key = packed >> 12
    freq_sorted = (packed & 4095).astype(np.float64) / 1000.0 - 1.0
    first = np.flatnonzero(np.r_[True, key[1:] != key[:-1]])
    ukey = key[first]
    post_freq = np.maximum.reduceat(freq_sorted, first)
    post_unk = freq_sorted[first] < 0  # sorted by level: the group's lowest comes first
    post_col = ukey // rows
    post_ptr = np.searchsorted(post_col, np.arange(len(terms) + 1)).astype(np.int32)
    post_dis = (ukey % rows).astype(np.int32)

    exact_order = np.lexsort((ann_dis, ann_col))
    exact_ptr = np.searchsorted(ann_col[exact_order], np.arange(len(terms) + 1))
    exact_dis = ann_dis[exact_order]

    if phenotype_root in col:
        is_phen = np.array([phenotype_root in ancestors[t] and t != phenotype_root
                            for t in terms], dtype=bool)
    else:  # a toy ontology without the phenotype root: every term counts
        is_phen = np.ones(len(terms), dtype=bool)
    by_disease = np.lexsort((ann_col, ann_dis))
    keep = by_disease[is_phen[ann_col[by_disease]]]
    keep = keep[np.r_[True, (ann_dis[keep][1:] != ann_dis[keep][:-1])
                      | (ann_col[keep][1:] != ann_col[keep][:-1])]] if len(keep) else keep
    phen_col = ann_col[keep].astype(np.int32)
    phen_ptr = np.zeros(rows + 1, dtype=np.int64)
    np.cumsum(np.bincount(ann_dis[keep], minlength=rows), out=phen_ptr[1:])
    phen_ptr = phen_ptr.astype(np.int32)
    # general terms (posted to > DENSE_MIN diseases, 239 of 19,903) get a dense row of their IC:
    # an elementwise maximum over 12,801 float32 is ~10x cheaper than a fancy-index assignment
    # of thousands of rows (12 MB)
    lengths_by_col = np.diff(post_ptr)
    general = np.flatnonzero(lengths_by_col > DENSE_MIN)
    dense_of = np.full(len(terms), -1, dtype=np.int32)
    dense_of[general] = np.arange(len(general), dtype=np.int32)
    dense = np.zeros((len(general), rows), dtype=np.float32)
    for i, c in enumerate(general):
        dense[i, post_dis[post_ptr[c]:post_ptr[c + 1]]] = ic_arr[c]
    arrays = {
        "dense_of": dense_of, "dense": dense,
        "terms": np.array(terms, dtype=np.int32), "ic": ic_arr,
        "anc_ptr": anc_ptr, "anc_idx": anc_idx,
        "post_ptr": post_ptr, "post_dis": post_dis,
        "post_freq": post_freq, "post_unk": post_unk,
        "exact_ptr": exact_ptr.astype(np.int32), "exact_dis": exact_dis.astype(np.int32),
        "desc_ptr": desc_ptr, "desc_idx": desc_idx, "phen_ptr": phen_ptr, "phen_col": phen_col,
        "dystonia": np.array(dystonia_rows, dtype=bool),
    }
    return TermMatrix(col=col, n_diseases=rows,
                      **{k: _frozen(v) for k, v in arrays.items()})  # type: ignore[arg-type]
