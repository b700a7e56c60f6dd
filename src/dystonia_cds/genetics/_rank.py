"""Rank dystonia-annotated diseases by phenotypic similarity to a case.

Method (Köhler et al. 2009, PMID 19800049, "Phenomizer"): the similarity of a query term q to a
disease D is the information content of the most informative common ancestor of q and any term
of D (Resnik); the query-to-disease score is the mean of that best match over the query terms
(best-match average, asymmetric q -> D). Excluded terms (looked for and absent) are our
documented extension: each excluded term e for which D is annotated with e or a descendant of e
subtracts ``EXCLUDED_WEIGHT * IC(e)`` from the sum before averaging. Ties are broken by the
number of query terms matched exactly, then by disease id.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from dystonia_cds.genetics._data import treatable_for
from dystonia_cds.genetics._index import Disease, HpoIndex, term_id, term_int

EXCLUDED_WEIGHT = 1.0


class MatchedTerm(BaseModel):
    model_config = ConfigDict(frozen=True)

    case_term: str
    disease_term: str
    label: str  # label of the disease term
    ic: float  # information content of the shared ancestor (the Resnik similarity)


class DiseaseMatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    disease_id: str
    label: str
    genes: list[str]
    matched_terms: list[MatchedTerm]
    excluded_present: list[str]  # excluded case terms that the disease is annotated with
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


def _by_ic(index: HpoIndex, term: int) -> list[tuple[float, int]]:
    """The term's ancestors (self included), most informative first, ties by id."""
    return sorted(
        ((index.ic.get(a, 0.0), a) for a in index.ancestors_of(term)),
        key=lambda pair: (-pair[0], pair[1]),
    )


def _best(ranked: list[tuple[float, int]], closure: frozenset[int]) -> tuple[float, int]:
    for ic, ancestor in ranked:
        if ancestor in closure:
            return ic, ancestor
    return 0.0, 0


def score_disease(
    index: HpoIndex,
    disease: Disease,
    observed: list[tuple[int, list[tuple[float, int]]]],
    excluded: list[int],
) -> tuple[float, int]:
    """(score, number of query terms the disease is annotated with exactly) for one disease.

    ``observed`` pairs each query term with its ancestors ordered by :func:`_by_ic`.
    """
    if not observed:
        return 0.0, 0
    total = 0.0
    exact = 0
    for term, ranked in observed:
        total += _best(ranked, disease.closure)[0]
        exact += term in disease.terms
    for term in excluded:
        if term in disease.closure:
            total -= EXCLUDED_WEIGHT * index.ic.get(term, 0.0)
    return total / len(observed), exact


def _disease_term(index: HpoIndex, disease: Disease, ancestor: int) -> int:
    if ancestor in disease.terms:
        return ancestor
    below = [t for t in disease.terms if ancestor in index.ancestors_of(t)]
    return min(below, key=lambda t: (index.ic.get(t, 0.0), t))


def _explain(
    index: HpoIndex, disease: Disease, observed: list[int], excluded: list[int], score: float
) -> DiseaseMatch:
    matched: list[MatchedTerm] = []
    for term in observed:
        ic, ancestor = _best(_by_ic(index, term), disease.closure)
        if ic <= 0.0:
            continue
        target = _disease_term(index, disease, ancestor)
        matched.append(
            MatchedTerm(
                case_term=term_id(term),
                disease_term=term_id(target),
                label=index.label(target),
                ic=round(ic, 4),
            )
        )
    treat = treatable_for(disease.genes)
    return DiseaseMatch(
        disease_id=disease.disease_id,
        label=disease.label,
        genes=list(disease.genes),
        matched_terms=matched,
        excluded_present=[term_id(t) for t in excluded if t in disease.closure],
        score=round(score, 4),
        inheritance=[index.label(t) for t in disease.inheritance],
        typical_onset=[index.label(t) for t in disease.onset],
        treatable=treat is not None,
        treatable_note=treat,
    )


def rank_diseases(
    index: HpoIndex, observed: list[str], excluded: list[str], limit: int = 10
) -> list[DiseaseMatch]:
    """The ``limit`` dystonia-annotated diseases that best fit the observed/excluded HPO terms.

    Deterministic: score (higher first), then exact term matches (more first), then disease id.
    """
    obs = _parse(index, observed)
    exc = [t for t in _parse(index, excluded) if t not in obs]
    ranked_obs = [(t, _by_ic(index, t)) for t in obs]
    scored = []
    for disease in index.diseases:
        score, exact = score_disease(index, disease, ranked_obs, exc)
        scored.append((-round(score, 9), -exact, disease.disease_id, score, disease))
    scored.sort(key=lambda row: row[:3])
    return [_explain(index, row[4], obs, exc, row[3]) for row in scored[: max(limit, 0)]]


def naive_rank(
    index: HpoIndex, observed: list[str], excluded: list[str], limit: int = 10
) -> list[tuple[str, float]]:
    """Baseline for the benchmark: the textbook loop over every (query term, disease term) pair,
    computing the common ancestors of each pair. Same scores as :func:`rank_diseases`."""
    obs = _parse(index, observed)
    exc = [t for t in _parse(index, excluded) if t not in obs]
    rows = []
    for disease in index.diseases:
        total = 0.0
        for q in obs:
            best = 0.0
            for d in disease.terms:
                common = index.ancestors_of(q) & index.ancestors_of(d)
                best = max([best, *(index.ic.get(a, 0.0) for a in common)])
            total += best
        total -= sum(EXCLUDED_WEIGHT * index.ic.get(e, 0.0) for e in exc if e in disease.closure)
        rows.append((disease.disease_id, total / len(obs) if obs else 0.0))
    rows.sort(key=lambda row: (-round(row[1], 9), row[0]))
    return rows[:limit]
