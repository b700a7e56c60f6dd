"""The inherited-dystonia differential: Case → HPO terms → ranked genetic diseases and genes.

Runs when the inherited or degenerative hypothesis has any support, when the case has HPO
terms beyond dystonia itself (and what accompanies isolated dystonia: tremor, pain, dry eyes),
or when asked for — and an HPO index is passed in (loaded once by the caller; the engine does
no I/O). Why not only on the etiology's say-so: on 126 published genetic packets the etiology
led with idiopathic or vascular causes for some, and those got no differential at all, though
their seizures, delay or spasticity are exactly what the HPO ranking reads. The ranking is
Phenomizer-style Resnik best-match average (Köhler 2009) over every OMIM/Orphanet disease;
treatable disorders whose fit is close come first.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, cast

import yaml

from dystonia_cds.assessment import (
    DifferentialEntry,
    DifferentialTerm,
    Etiology,
    ExcludedCounted,
)
from dystonia_cds.case import Case
from dystonia_cds.engine._facts import Facts
from dystonia_cds.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from dystonia_cds.genetics import DiseaseMatch, HpoIndex, MatchedTerm
    from dystonia_cds.genetics._explain import Memo

_TRIGGERS = frozenset({"inherited", "degenerative"})


def case_hpo_terms(f: Facts, distribution: str, kb: KnowledgeBase) -> tuple[list[str], list[str]]:
    """Observed and excluded HPO ids of a Case: regions, distribution, onset and features."""
    from dystonia_cds.genetics import distribution_to_hpo, onset_to_hpo, region_to_hpo
    from dystonia_cds.genetics._data import regions_data

    action = "action_specific" in (f.case.dystonia.variability or [])
    observed = [region_to_hpo(r, action_specific=action) for r in sorted(f.regions)]
    if distribution in regions_data()["distributions"]:
        observed.append(distribution_to_hpo(distribution))
    if f.onset_years is not None:
        observed.append(onset_to_hpo(f.onset_years))
    observed += [kb.features[x].hpo or "" for x in sorted(f.features)]
    observed += [x for x in f.unknown_feature_ids if x.startswith("HP:")]
    excluded = []
    for word in f.case.dystonia.excluded_features or []:
        fid = kb.vocabulary.features.get(word.replace("_", " ").lower())
        hpo = kb.features[fid].hpo if fid else (word if word.startswith("HP:") else None)
        if hpo:
            excluded.append(hpo)
    return [t for t in dict.fromkeys(observed) if t], list(dict.fromkeys(excluded))


def _feature_hpo(word: str, kb: KnowledgeBase) -> str | None:
    fid = word if word in kb.features else kb.vocabulary.features.get(
        word.replace("_", " ").lower())
    if fid:
        return kb.features[fid].hpo
    return word if word.startswith("HP:") else None


@cache
def _regions_hpo() -> dict[str, Any]:
    """genetics/data/regions_hpo.yaml, read as a file of the top package: importing the
    genetics package needs numpy (the [hpo] extra), and the core install must still decide
    whether the differential is called for."""
    raw = resources.files("dystonia_cds").joinpath("genetics/data/regions_hpo.yaml")
    # libyaml's C loader when present (the same safe subset): the pure-Python one takes a
    # quarter of a second on this file, paid by every command-line assessment
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data: dict[str, Any] = yaml.load(raw.read_text(encoding="utf-8"), Loader=loader)
    return data


def _isolated_terms(hpo: HpoIndex | None) -> frozenset[str] | None:
    """Ids of the terms that do not call for the differential (regions_hpo.yaml), or None
    when the index is at hand and descendants are checked instead."""
    if hpo is not None:
        return None
    return _isolated_ids()


@cache
def _isolated_ids() -> frozenset[str]:
    """The ids themselves, built once (the gate runs on every assessment)."""
    data = _regions_hpo()
    ids = {str(r["hpo"]) for r in data["isolated_dystonia_terms"]}
    ids |= {str(v["hpo"]) for v in data["regions"].values()}
    ids |= {str(v["action_specific"]["hpo"]) for v in data["regions"].values()
            if "action_specific" in v}
    ids |= {str(v["hpo"]) for v in data["distributions"].values()}
    return frozenset(ids)


def terms_beyond_dystonia(case: Case, kb: KnowledgeBase, hpo: HpoIndex | None = None
                          ) -> list[str]:
    """The case's observed HPO terms other than dystonia and what accompanies isolated
    dystonia. Without an index, only those exact ids are set aside (a superset: the caller
    may load the index for nothing, never miss a case); with one, their descendants too."""
    terms = [t for w in case.dystonia.features or [] if (t := _feature_hpo(w, kb))]
    exact = _isolated_terms(hpo)
    if exact is not None:
        return [t for t in dict.fromkeys(terms) if t not in exact]
    assert hpo is not None
    from dystonia_cds.genetics._index import term_int

    roots = _isolated_roots()
    out = []
    for t in dict.fromkeys(terms):
        try:
            ancestors = hpo.ancestors_of(term_int(t))
        except ValueError:
            continue
        if ancestors and not roots & ancestors:
            out.append(t)
    return out


@cache
def _isolated_roots() -> frozenset[int]:
    """The isolated-dystonia terms as ints, made once (the gate runs on every assessment)."""
    from dystonia_cds.genetics._data import regions_data
    from dystonia_cds.genetics._index import term_int

    return frozenset(term_int(str(r["hpo"])) for r in regions_data()["isolated_dystonia_terms"])


def wants_differential(et: Etiology, case: Case | None = None, kb: KnowledgeBase | None = None,
                       *, requested: bool = False, hpo: HpoIndex | None = None) -> bool:
    """Whether to compute the genetic differential: asked for, inherited/degenerative has any
    support, or (given the case) it has HPO terms beyond dystonia itself."""
    if requested:
        return True
    for h in et.hypotheses:  # a loop, not any(): no generator per assessment
        if h.support != "unsupported" and h.category in _TRIGGERS:
            return True
    return case is not None and kb is not None and bool(terms_beyond_dystonia(case, kb, hpo))


def _known(hpo: HpoIndex, curies: list[str]) -> list[str]:
    """Terms of this HPO release only: an obsolete id in a phenopacket must not stop the
    differential (it stays in the Case and its input notes)."""
    from dystonia_cds.genetics._index import term_int

    out = []
    for curie in curies:
        try:
            if term_int(curie) in hpo.labels:
                out.append(curie)
        except ValueError:
            continue
    return out


def inherited_differential(
    f: Facts, distribution: str, kb: KnowledgeBase, hpo: HpoIndex
) -> tuple[list[DifferentialEntry], list[str]]:
    """Top-10 diseases (treatable close fits first) and a suggested gene panel."""
    from dystonia_cds.genetics import gene_panel, rank_diseases, treatable_first

    observed, excluded = case_hpo_terms(f, distribution, kb)
    observed, excluded = _known(hpo, observed), _known(hpo, excluded)
    matches = treatable_first(rank_diseases(hpo, observed, excluded, limit=10))
    panel = gene_panel(matches, f.onset_years, distribution, regions=sorted(f.regions),
                       observed=observed, index=hpo)
    return _entries(hpo, matches), panel


def _entries(hpo: HpoIndex, matches: list[DiseaseMatch]) -> list[DifferentialEntry]:
    """The matches as the Assessment's entries: each matched term's output struct from the
    index's memo (:func:`_terms_memo`), and the match's own fresh lists handed on as they
    are (nothing else holds them: :func:`~dystonia_cds.genetics.rank_diseases` made them for
    this ranking).

    Why: converting the ranking to the output contract, term by term, was about a third of
    a differential's instructions besides the ranking (callgrind, issue 13) — the same
    matched terms, made again for every request."""
    memo = _terms_memo(hpo)
    known, put = memo.items.get, memo.put
    out = []
    for m in matches:
        terms = []
        for t in m.matched_terms:
            term = known(t)
            if term is None:
                term = put(t, DifferentialTerm(
                    case_term=t.case_term, disease_term=t.disease_term, label=t.label,
                    information_content=round(t.ic, 3)))
            terms.append(term)
        counted = [ExcludedCounted(term=e.term, label=e.label, frequency=e.frequency)
                   for e in m.excluded_counted] if m.excluded_counted else []
        out.append(DifferentialEntry(
            disease_id=m.disease_id, label=m.label, genes=m.genes, matched_terms=terms,
            excluded_present=m.excluded_present, excluded_counted=counted,
            gene_source=m.gene_source, score=m.score,  # rounded to 4 places by the ranking
            inheritance=m.inheritance, typical_onset=m.typical_onset,
            treatable=m.treatable, treatable_note=m.treatable_note))
    return out


def _terms_memo(hpo: HpoIndex) -> Memo[MatchedTerm, DifferentialTerm]:
    """The output struct of each matched term, kept on the index's matrix beside the
    ranking's own explanation structs, as many as those (``EXPLAIN_CACHE * 16``).

    What it holds is what those hold: a query term, a disease term, its label and their
    shared ancestor's information content — the index's data for one (term, disease) pair,
    never a case's other terms. Frozen structs: shared safely between assessments."""
    from dystonia_cds.genetics._explain import EXPLAIN_CACHE, Memo

    cache = hpo.table().explain_cache
    found = cache.get("differential_terms")
    if found is None:
        found = cache.setdefault("differential_terms", Memo(EXPLAIN_CACHE * 16))
    return cast("Memo[MatchedTerm, DifferentialTerm]", found)
