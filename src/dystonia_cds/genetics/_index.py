"""Load the HPO ontology and the dystonia-annotated diseases once, into an immutable index.

The ontology, the OMIM/Orphanet disease annotations and the gene annotations come from the
``hpo3`` package (Rust backend, data shipped inside the wheel). Nothing is loaded at import
time: call :func:`load_hpo` once and pass the index around.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

DYSTONIA = 1332  # HP:0001332 Dystonia
MODE_OF_INHERITANCE = 5  # HP:0000005
ONSET = 3674  # HP:0003674 Onset
MODIFIER_ROOTS = (12823, 40279, 31797)  # clinical modifier, frequency, clinical course


def term_id(term: int) -> str:
    """``1332`` -> ``"HP:0001332"``."""
    return f"HP:{term:07d}"


def term_int(curie: str) -> int:
    """``"HP:0001332"`` -> ``1332``; raises ValueError for anything that is not an HPO id."""
    prefix, _, digits = curie.strip().partition(":")
    if prefix.upper() != "HP" or not digits.isdigit():
        raise ValueError(f"not an HPO term id: {curie!r}")
    return int(digits)


@dataclass(frozen=True, slots=True)
class Disease:
    """One OMIM or Orphanet disease annotated with dystonia (or a descendant term)."""

    disease_id: str
    label: str
    terms: frozenset[int]  # phenotype annotations (inheritance and onset terms included)
    closure: frozenset[int]  # the annotations and all their ancestors
    genes: tuple[str, ...]
    inheritance: tuple[int, ...]
    onset: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class HpoIndex:
    """Everything the differential needs, precomputed. Treat as read-only."""

    hpo_version: str
    backend: str
    diseases: tuple[Disease, ...]
    ic: Mapping[int, float]
    labels: Mapping[int, str]
    ancestors: Mapping[int, frozenset[int]] = field(repr=False)

    def ancestors_of(self, term: int) -> frozenset[int]:
        """The term and all its ancestors (empty for an unknown id)."""
        return self.ancestors.get(term, frozenset())

    def label(self, term: int) -> str:
        return self.labels.get(term, term_id(term))

    def is_descendant(self, term: int, ancestor: int) -> bool:
        return ancestor in self.ancestors_of(term)

    def disease(self, disease_id: str) -> Disease | None:
        for disease in self.diseases:
            if disease.disease_id == disease_id:
                return disease
        return None


def _genes_by_term(genes: Iterable[object]) -> dict[int, set[str]]:
    index: dict[int, set[str]] = {}
    for gene in genes:
        name: str = gene.name  # type: ignore[attr-defined]
        for term in gene.hpo:  # type: ignore[attr-defined]
            index.setdefault(int(term), set()).add(name)
    return index


def _disease_genes(terms: frozenset[int], by_term: Mapping[int, set[str]]) -> tuple[str, ...]:
    """Genes whose HPO annotations contain every annotation of the disease.

    hpo3 does not expose the disease-gene links of ``genes_to_phenotype.txt``; a gene's terms are
    the union of the terms of its diseases, so a disease's genes are among the genes whose terms
    contain all of the disease's terms. docs/hpo-choice.md measures this against the HPO file.
    """
    ordered = sorted(terms, key=lambda t: (len(by_term.get(t, ())), t))
    if not ordered:
        return ()
    candidates = set(by_term.get(ordered[0], ()))
    for term in ordered[1:]:
        if not candidates:
            break
        candidates &= by_term.get(term, set())
    return tuple(sorted(candidates))


def load_hpo() -> HpoIndex:
    """Load HPO (via hpo3) and precompute the dystonia differential index (about 1.3 s)."""
    import pyhpo  # type: ignore[import-untyped]  # hpo3 installs the module ``pyhpo``
    from pyhpo import Ontology

    Ontology()
    labels: dict[int, str] = {}
    ic: dict[int, float] = {}
    parents: dict[int, list[int]] = {}
    for term in Ontology:
        labels[int(term)] = term.name
        ic[int(term)] = float(term.information_content.omim)
        parents[int(term)] = [int(p) for p in term.parent_ids()]
    ancestors: dict[int, frozenset[int]] = {}

    def anc(term: int) -> frozenset[int]:
        found = ancestors.get(term)
        if found is None:  # the HPO is a DAG no deeper than ~20 levels: recursion is safe
            found = frozenset({term}).union(*(anc(p) for p in parents.get(term, ())))
            ancestors[term] = found
        return found

    by_term = _genes_by_term(Ontology.genes)
    dystonia = Ontology[DYSTONIA]
    diseases: list[Disease] = []
    for prefix, members in (("OMIM", dystonia.omim_diseases), ("ORPHA", dystonia.orpha_diseases)):
        for item in members:
            terms = frozenset(int(t) for t in item.hpo if int(t) in labels)
            closure = frozenset().union(*(anc(t) for t in terms)) if terms else frozenset()
            inheritance = tuple(sorted(t for t in terms if MODE_OF_INHERITANCE in anc(t)))
            onset = tuple(sorted(t for t in terms if ONSET in anc(t)))
            diseases.append(
                Disease(
                    disease_id=f"{prefix}:{item.id}",
                    label=item.name,
                    terms=terms,
                    closure=closure,
                    genes=_disease_genes(terms, by_term),
                    inheritance=inheritance,
                    onset=onset,
                )
            )
    for term in labels:
        anc(term)
    diseases.sort(key=lambda d: d.disease_id)
    return HpoIndex(
        hpo_version=f"HPO {Ontology.version()}",
        backend=f"hpo3 {pyhpo.__version__}",
        diseases=tuple(diseases),
        ic=ic,
        labels=labels,
        ancestors=ancestors,
    )
