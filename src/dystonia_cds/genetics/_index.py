"""Load the HPO ontology and every OMIM/Orphanet disease once, into an immutable index.

The ontology and the disease annotations come from the ``hpo3`` package (HPO 2025-11-24,
Rust backend, data inside the wheel); disease -> gene links and annotation frequencies from
HPO's own tables shipped in data/ (HPO 2025-01-16, see _build.py: hpo3 exposes neither).
Nothing is loaded at import time: call :func:`load_hpo` once and pass the index around.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files

from dystonia_cds.genetics._build import FREQ_FILE, GENES_FILE
from dystonia_cds.genetics._matrix import UNKNOWN, TermMatrix, build_matrix

DYSTONIA = 1332  # HP:0001332 Dystonia
MODE_OF_INHERITANCE = 5  # HP:0000005
ONSET = 3674  # HP:0003674 Onset
MODIFIER_ROOTS = (12823, 40279, 31797)  # clinical modifier, frequency, clinical course
PHENOTYPIC_ABNORMALITY = 118  # HP:0000118
# a disease missing from HPO's gene table (newer than its release) keeps the shared-term
# inference only when it names this few genes; more is a group entry, not a gene call
MAX_INFERRED_GENES = 3
FREQUENCY_PRIOR = 2.0  # pseudo-count for n/m frequencies (chosen by leave-one-cohort-out)


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
    """One OMIM or Orphanet disease of the HPO annotations (row ``row`` of the matrix)."""

    disease_id: str
    label: str
    terms: frozenset[int]  # phenotype annotations (inheritance and onset terms included)
    genes: tuple[str, ...]
    inheritance: tuple[int, ...]
    onset: tuple[int, ...]
    dystonia: bool = True  # annotated with dystonia or a descendant (the v1 pool)
    gene_source: str = "hpo"  # "hpo" (HPO's table), "inferred" (shared terms) or "none"
    inferred_genes: tuple[str, ...] = ()  # v1's shared-term inference (dystonia pool only)
    row: int = -1


@dataclass(frozen=True, slots=True)
class HpoIndex:
    """Everything the differential needs, precomputed. Treat as read-only."""

    hpo_version: str
    backend: str
    diseases: tuple[Disease, ...]
    ic: Mapping[int, float]
    labels: Mapping[int, str]
    ancestors: Mapping[int, frozenset[int]] = field(repr=False)
    matrix: TermMatrix | None = field(default=None, repr=False)
    gene_source: str = ""  # provenance of the disease -> gene table
    frequency_prior: float = FREQUENCY_PRIOR

    def ancestors_of(self, term: int) -> frozenset[int]:
        """The term and all its ancestors (empty for an unknown id)."""
        return self.ancestors.get(term, frozenset())

    def label(self, term: int) -> str:
        found = self.labels.get(term)
        return term_id(term) if found is None else found

    def is_descendant(self, term: int, ancestor: int) -> bool:
        return ancestor in self.ancestors_of(term)

    def disease(self, disease_id: str) -> Disease | None:
        for disease in self.diseases:
            if disease.disease_id == disease_id:
                return disease
        return None

    def closure(self, disease: Disease) -> frozenset[int]:
        """The disease's annotations and all their ancestors (computed on demand: holding it
        for all 12,801 diseases would cost ~100 MB)."""
        return frozenset().union(*(self.ancestors_of(t) for t in disease.terms))

    def table(self) -> TermMatrix:
        """The term x disease arrays (built by :func:`load_hpo`; a toy index builds them)."""
        if self.matrix is not None:
            return self.matrix
        return _matrix_for(self)


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


def prefix_of(disease_id: str) -> str:
    return disease_id.partition(":")[0]


def _read_genes() -> tuple[str, dict[str, tuple[str, ...]]]:
    """HPO's disease -> gene table shipped in data/ (see _build.py): (provenance, table)."""
    text = files("dystonia_cds.genetics").joinpath("data", GENES_FILE).read_text("utf-8")
    lines = text.splitlines()
    source = lines[0].lstrip("# ").strip()
    table = {}
    for line in lines[2:]:
        disease, _, genes = line.partition("\t")
        table[disease] = tuple(genes.split(","))
    return source, table


def _read_frequencies(prior: float) -> dict[tuple[str, int], float]:
    """HPO's annotation frequencies shipped in data/ (see _build.py), keyed (disease, term).

    A count n/m is shrunk to (n + prior) / (m + 2 prior): "1/1" from a single case report
    says little about how often a feature is present (prior 2: 1/1 -> 0.6, 10/10 -> 0.86,
    14/14 -> 0.89; chosen by leave-one-cohort-out), and the excluded-term rule must trust
    only well-supported frequencies. HPO's frequency classes (no count) keep their midpoint."""
    raw = files("dystonia_cds.genetics").joinpath("data", FREQ_FILE).read_bytes()
    table: dict[tuple[str, int], float] = {}
    for line in gzip.decompress(raw).decode("utf-8").splitlines()[2:]:
        disease, term, freq, den = line.split("\t")
        m = int(den)
        p = float(freq)
        table[(disease, int(term[3:]))] = (p * m + prior) / (m + 2 * prior) if m else p
    return table


def _matrix_for(index: HpoIndex) -> TermMatrix:
    """Arrays for an index built by hand (tests): no frequencies, the root-less toy ontology."""
    return build_matrix(
        index.ic, index.ancestors,
        [[(t, UNKNOWN) for t in sorted(d.terms)] for d in index.diseases],
        PHENOTYPIC_ABNORMALITY, [d.dystonia for d in index.diseases],
    )


def load_hpo(frequency_prior: float = FREQUENCY_PRIOR) -> HpoIndex:
    """Load HPO (via hpo3), HPO's gene and frequency tables (shipped), and precompute the
    differential's index over every OMIM and Orphanet disease (about 3-5 s, once).
    ``frequency_prior`` shrinks counted frequencies (see :func:`_read_frequencies`)."""
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

    for term in labels:
        anc(term)
    inheritance_terms = {t for t, a in ancestors.items() if MODE_OF_INHERITANCE in a}
    onset_terms = {t for t, a in ancestors.items() if ONSET in a}
    gene_source, hpo_genes = _read_genes()
    frequencies = _read_frequencies(frequency_prior)
    by_term = _genes_by_term(Ontology.genes)
    dystonia_ids = {
        f"{prefix}:{item.id}"
        for prefix, members in (("OMIM", Ontology[DYSTONIA].omim_diseases),
                                ("ORPHA", Ontology[DYSTONIA].orpha_diseases))
        for item in members
    }
    rows = []
    for prefix, members in (("OMIM", Ontology.omim_diseases), ("ORPHA", Ontology.orpha_diseases)):
        for item in members:
            terms = frozenset(int(t) for t in item.hpo if int(t) in labels)
            rows.append((f"{prefix}:{item.id}", item.name, terms))
    rows.sort(key=lambda r: r[0])
    diseases: list[Disease] = []
    annotations: list[list[tuple[int, float]]] = []
    for row, (disease_id, name, terms) in enumerate(rows):
        dystonia = disease_id in dystonia_ids
        # v1's inference: kept for the dystonia pool (the comparison) and for OMIM entries
        # newer than HPO's gene table; Orphanet entries missing there are mostly groups
        need_inferred = dystonia or (
            prefix_of(disease_id) == "OMIM" and disease_id not in hpo_genes)
        inferred = _disease_genes(terms, by_term) if need_inferred and terms else ()
        if disease_id in hpo_genes:
            genes, source = hpo_genes[disease_id], "hpo"
        elif 0 < len(inferred) <= MAX_INFERRED_GENES:
            genes, source = inferred, "inferred"
        else:
            genes, source = (), "none"
        diseases.append(Disease(
            disease_id=disease_id, label=name, terms=terms, genes=genes,
            inheritance=tuple(sorted(terms & inheritance_terms)),
            onset=tuple(sorted(terms & onset_terms)),
            dystonia=dystonia, gene_source=source,
            inferred_genes=inferred if dystonia else (), row=row,
        ))
        annotations.append([(t, frequencies.get((disease_id, t), UNKNOWN)) for t in sorted(terms)])
    matrix = build_matrix(ic, ancestors, annotations, PHENOTYPIC_ABNORMALITY,
                          [d.dystonia for d in diseases])
    return HpoIndex(
        hpo_version=f"HPO {Ontology.version()}",
        backend=f"hpo3 {pyhpo.__version__}",
        diseases=tuple(diseases),
        ic=ic,
        labels=labels,
        ancestors=ancestors,
        matrix=matrix,
        gene_source=gene_source,
        frequency_prior=frequency_prior,
    )
