"""Rank OMIM/Orphanet diseases by phenotypic similarity to a case.

Method (Köhler et al. 2009, PMID 19800049, "Phenomizer"): the similarity of a query term q to a
disease D is the information content of the most informative common ancestor of q and any term
of D (Resnik); the query-to-disease score is the mean of that best match over the query terms
(best-match average, q -> D). Excluded terms (looked for and absent) are our documented
extension, and the way they count is a :class:`RankConfig`: v1 subtracted IC(e) wherever D's
closure held e, which sank true diagnoses (published packets list as excluded the features
the authors looked for, and HPO pools all patients, so the true disease is the one most often
annotated with them). The default counts e only where HPO's annotation frequency says e (or a
descendant) is present in at least 90 % of patients with D — then its absence is evidence.
Ties are broken by the number of query terms matched exactly, then by disease id.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

import msgspec
import numpy as np
import numpy.typing as npt

from dystonia_cds.genetics._explain import EXPLAIN_CACHE, Memo, by_ic, disease_info, posting_at
from dystonia_cds.genetics._explain import matched as explained
from dystonia_cds.genetics._index import Disease, HpoIndex, term_id, term_int
from dystonia_cds.genetics._matrix import Floats, RankConfig, TermMatrix
from dystonia_cds.genetics._score import best_of
from dystonia_cds.genetics._top import head_of

EXCLUDED_WEIGHT = 1.0  # v1's weight of an excluded term (``_matrix.PREVIOUS``)
# chosen by leave-one-cohort-out on the phenopacket benchmark (docs/genetics.md)
DEFAULT = RankConfig(penalty="frequent", threshold=0.9, unknown_frequency=0.0)


class MatchedTerm(msgspec.Struct, frozen=True, kw_only=True):
    """A query term and the disease term it matched best through (``ic``: the information
    content of their shared ancestor, the Resnik similarity).

    Why msgspec structs and not pydantic models: every value is made here from the index,
    never read from outside, and building ~50 validated models per differential was a fifth
    of its cost (``model_construct`` was slower still)."""

    case_term: str
    disease_term: str
    label: str  # label of the disease term
    ic: float  # information content of the shared ancestor (the Resnik similarity)


class ExcludedTerm(msgspec.Struct, frozen=True, kw_only=True):
    term: str
    label: str
    frequency: float | None  # HPO's frequency of the term (or a descendant) in the disease


class DiseaseMatch(msgspec.Struct, frozen=True, kw_only=True):
    disease_id: str
    label: str
    genes: list[str]
    matched_terms: list[MatchedTerm]
    excluded_present: list[str]  # excluded case terms that counted against the disease
    excluded_counted: list[ExcludedTerm] = []
    gene_source: str = "hpo"  # "hpo" (HPO's disease->gene table), "inferred" or "none"
    score: float
    inheritance: list[str]
    typical_onset: list[str]
    treatable: bool
    treatable_note: str | None = None


def _parse(index: HpoIndex, curies: Sequence[str]) -> list[int]:
    terms: list[int] = []
    for curie in curies:
        term = term_int(curie)
        if term not in index.labels:
            raise ValueError(f"unknown HPO term {curie!r} (HPO release {index.hpo_version})")
        if term not in terms:
            terms.append(term)
    return terms


def _presence_in(m: TermMatrix, disease: Disease, term: int, unknown: float) -> float:
    at = posting_at(m, disease, term)
    if at < 0:
        return 0.0
    known = float(m.post_freq[at])
    return max(known, unknown if bool(m.post_unk[at]) else 0.0)


def _counts(p: float, cfg: RankConfig) -> bool:
    if cfg.penalty == "off":
        return False
    if cfg.penalty == "frequent":
        return p >= cfg.threshold
    return p > 0.0


_NONE: tuple[()] = ()  # a memo's "matches nothing" / "does not count" (None: not yet made)


class _Made:
    """The explanations' structs, kept per (query term, disease row) — and for an excluded
    term per configuration too — on the index's matrix, the ``EXPLAIN_CACHE * 16`` most
    recent of each.

    Why the structs themselves (frozen, so shared safely between results): a warm service
    explains the same leading diseases for the same few terms again and again, and building
    each match, with its best-match IC read from the score vector and its term's ancestors
    looked up first, was most of the explanation's cost. What is kept depends on the term
    and the disease alone (and the configuration), never on the rest of a case."""

    def __init__(self) -> None:
        self.matched: Memo[tuple[int, int], MatchedTerm | tuple[()]] = Memo(
            EXPLAIN_CACHE * 16)
        self.counted: Memo[tuple[int, int, str, float, float], ExcludedTerm | tuple[()]] = (
            Memo(EXPLAIN_CACHE * 16))


def _made(m: TermMatrix) -> _Made:
    found = m.explain_cache.get("structs")
    if found is None:
        found = m.explain_cache.setdefault("structs", _Made())
    return cast(_Made, found)


def _matched_term(index: HpoIndex, m: TermMatrix, disease: Disease, term: int
                  ) -> MatchedTerm | tuple[()]:
    best_ic = float(best_of(m, m.col[term])[disease.row])  # the score's own vector
    found = explained(index, m, disease, term, best_ic, by_ic(index, m, term))
    if not found:
        return _NONE
    case_term, target, label, ic = found
    return MatchedTerm(case_term=case_term, disease_term=target, label=label, ic=ic)


def _counted_term(index: HpoIndex, m: TermMatrix, disease: Disease, term: int,
                  cfg: RankConfig) -> ExcludedTerm | tuple[()]:
    unknown = 1.0 if cfg.penalty == "all" else cfg.unknown_frequency
    if posting_at(m, disease, term) < 0 or not _counts(
            _presence_in(m, disease, term, unknown), cfg):
        return _NONE
    known = _presence_in(m, disease, term, -1.0)
    return ExcludedTerm(term=term_id(term), label=index.label(term),
                        frequency=round(known, 3) if known >= 0 else None)


def _explain(index: HpoIndex, m: TermMatrix, disease: Disease, observed: list[int],
             excluded: list[int], score: float, cfg: RankConfig, made: _Made) -> DiseaseMatch:
    """Why ``disease`` scored ``score``: its matches and counted excluded terms, from
    ``made`` (:class:`_Made`) or made there."""
    row = disease.row
    matched: list[MatchedTerm] = []
    memo = made.matched
    for term in observed:
        found = memo.items.get((term, row))
        if found is None:
            found = memo.put((term, row), _matched_term(index, m, disease, term))
        if isinstance(found, MatchedTerm):
            matched.append(found)
    counted: list[ExcludedTerm] = []
    for term in excluded:
        key = (term, row, cfg.penalty, cfg.threshold, cfg.unknown_frequency)
        hit = made.counted.items.get(key)
        if hit is None:
            hit = made.counted.put(key, _counted_term(index, m, disease, term, cfg))
        if isinstance(hit, ExcludedTerm):
            counted.append(hit)
    genes, treat, inheritance, onset, gene_source = disease_info(index, m, disease,
                                                                 cfg.hpo_genes)
    return DiseaseMatch(
        disease_id=disease.disease_id,
        label=disease.label,
        genes=list(genes),
        matched_terms=matched,
        excluded_present=[e.term for e in counted],
        excluded_counted=counted,
        gene_source=gene_source,
        score=round(score, 4),
        inheritance=list(inheritance),
        typical_onset=list(onset),
        treatable=treat is not None,
        treatable_note=treat,
    )


def _query(index: HpoIndex, observed: Sequence[str], excluded: Sequence[str]
           ) -> tuple[list[int], list[int]]:
    obs = _parse(index, observed)
    return obs, [t for t in _parse(index, excluded) if t not in obs]


def _top(m: TermMatrix, index: HpoIndex, obs: list[int], exc: list[int], limit: int,
         config: RankConfig) -> list[tuple[Disease, float]]:
    cols = [m.col[t] for t in obs]
    diseases, query = index.diseases, frozenset(obs)  # obs: distinct terms

    def exact(rows: npt.NDArray[np.intp]) -> Floats:
        """How many query terms each head row is annotated with exactly (its own terms:
        the matrix's exact lists are built from them), without a numpy pass per term."""
        return np.array([len(query & diseases[r].terms) for r in rows.tolist()],
                        dtype=np.float64)

    top = head_of(m, cols, [m.col[t] for t in exc], config, exact, limit)
    return [(diseases[r], score) for r, score in top]


def ranked_diseases(
    index: HpoIndex, observed: Sequence[str], excluded: Sequence[str], limit: int = 10,
    config: RankConfig = DEFAULT,
) -> list[tuple[Disease, float]]:
    """The ``limit`` best (disease, score) pairs, without explanations (the fast path the
    benchmark uses; :func:`rank_diseases` explains the same ranking)."""
    obs, exc = _query(index, observed, excluded)
    return _top(index.table(), index, obs, exc, limit, config)


def rank_diseases(
    index: HpoIndex, observed: Sequence[str], excluded: Sequence[str], limit: int = 10,
    config: RankConfig = DEFAULT,
) -> list[DiseaseMatch]:
    """The ``limit`` diseases that best fit the observed/excluded HPO terms, explained.

    Deterministic: score (higher first), then exact term matches (more first), then disease id.
    """
    obs, exc = _query(index, observed, excluded)
    m = index.table()  # once: an index built by hand (tests) builds its arrays per call
    made = _made(m)
    return [_explain(index, m, d, obs, exc, score, config, made)
            for d, score in _top(m, index, obs, exc, limit, config)]


def genes_in_order(genes_of: Sequence[Sequence[str]], max_genes: int | None = None) -> list[str]:
    """Genes in the order of their best-ranked disease, each once. A disease naming more than
    ``max_genes`` genes is a group entry (e.g. an Orphanet category) and adds none."""
    out: list[str] = []
    seen: set[str] = set()
    for genes in genes_of:
        if max_genes is not None and len(genes) > max_genes:
            continue
        for gene in genes:
            if gene not in seen:
                seen.add(gene)
                out.append(gene)
    return out


def naive_rank(
    index: HpoIndex, observed: list[str], excluded: list[str], limit: int = 10
) -> list[tuple[str, float]]:
    """Baseline for the benchmark: the textbook loop over every (query term, disease term) pair
    of the dystonia pool, computing the common ancestors of each pair, with v1's excluded-term
    rule. Same scores as :func:`rank_diseases` with ``config=PREVIOUS``."""
    obs, exc = _query(index, observed, excluded)
    rows = []
    for disease in index.diseases:
        if not disease.dystonia:
            continue
        closure = index.closure(disease)
        total = 0.0
        for q in obs:
            best = 0.0
            for d in disease.terms:
                common = index.ancestors_of(q) & index.ancestors_of(d)
                best = max([best, *(index.ic.get(a, 0.0) for a in common)])
            total += best
        total -= sum(EXCLUDED_WEIGHT * index.ic.get(e, 0.0) for e in exc if e in closure)
        rows.append((disease.disease_id, total / len(obs) if obs else 0.0))
    rows.sort(key=lambda row: (-round(row[1], 9), row[0]))
    return rows[:limit]

