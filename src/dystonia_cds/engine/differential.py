"""The inherited-dystonia differential: Case → HPO terms → ranked genetic diseases and genes.

Runs only when the inherited or degenerative hypothesis has any support and an HPO index is
passed in (the index is loaded once by the caller; the engine does no I/O). The ranking is
Phenomizer-style Resnik best-match average (Köhler 2009) over every OMIM/Orphanet disease
annotated with dystonia; treatable disorders whose fit is close come first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dystonia_cds.assessment import DifferentialEntry, DifferentialTerm, Etiology
from dystonia_cds.engine._facts import Facts
from dystonia_cds.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from dystonia_cds.genetics import HpoIndex

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


def wants_differential(et: Etiology) -> bool:
    return any(h.category in _TRIGGERS and h.support != "unsupported" for h in et.hypotheses)


def inherited_differential(
    f: Facts, distribution: str, kb: KnowledgeBase, hpo: HpoIndex
) -> tuple[list[DifferentialEntry], list[str]]:
    """Top-10 diseases (treatable close fits first) and a suggested gene panel."""
    from dystonia_cds.genetics import gene_panel, rank_diseases, treatable_first

    observed, excluded = case_hpo_terms(f, distribution, kb)
    matches = treatable_first(rank_diseases(hpo, observed, excluded, limit=10))
    panel = gene_panel(matches, f.onset_years, distribution, regions=sorted(f.regions),
                       observed=observed, index=hpo)
    entries = [
        DifferentialEntry(
            disease_id=m.disease_id, label=m.label, genes=list(m.genes),
            matched_terms=[DifferentialTerm(case_term=t.case_term, disease_term=t.disease_term,
                                            label=t.label) for t in m.matched_terms],
            excluded_present=list(m.excluded_present), score=round(m.score, 4),
            inheritance=list(m.inheritance), typical_onset=list(m.typical_onset),
            treatable=m.treatable, treatable_note=m.treatable_note,
        )
        for m in matches
    ]
    return entries, panel
