"""Inherited dystonias: an HPO-based differential of genetic diseases, and genes to test.

Load once with :func:`load_hpo`, then :func:`rank_diseases` (Phenomizer-style Resnik
best-match average, Köhler 2009, over every OMIM/Orphanet disease, excluded terms counted
where HPO's frequency says they should be present) and :func:`gene_panel`. Information, not a
diagnosis.
"""

from dystonia_cds.genetics._data import treatable_for
from dystonia_cds.genetics._features import (
    distribution_to_hpo,
    features_to_hpo,
    onset_to_hpo,
    region_to_hpo,
)
from dystonia_cds.genetics._index import Disease, HpoIndex, load_hpo
from dystonia_cds.genetics._matrix import PREVIOUS, RankConfig
from dystonia_cds.genetics._panel import gene_panel, treatable_first
from dystonia_cds.genetics._rank import (
    DEFAULT,
    DiseaseMatch,
    ExcludedTerm,
    MatchedTerm,
    genes_in_order,
    naive_rank,
    rank_diseases,
    ranked_diseases,
)

__all__ = [
    "DEFAULT",
    "PREVIOUS",
    "Disease",
    "DiseaseMatch",
    "ExcludedTerm",
    "HpoIndex",
    "MatchedTerm",
    "RankConfig",
    "distribution_to_hpo",
    "features_to_hpo",
    "gene_panel",
    "genes_in_order",
    "load_hpo",
    "naive_rank",
    "onset_to_hpo",
    "rank_diseases",
    "ranked_diseases",
    "region_to_hpo",
    "treatable_first",
    "treatable_for",
]
