"""The HPO vocabulary the Case accepts: every term's id and label, and a kind for signs.

Why a generated file and not hpo3 at run time: the core install has no ontology package,
and reading the ontology takes seconds; a clinician's word ("subthalamic", "dysphagia",
"hyperreflexia") must still map to a term and a kind. The file is generated from the HPO
release hpo3 ships (``dystonia-cds knowledge --rebuild-hpo``), records that release, and is
read lazily, once, the first time a word is not one of the knowledge base's own.

A term's kind is derived from the ontology, not listed by hand: the first of these that is
an ancestor (or the term itself) decides it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

FILE = "hpo_terms.json"
# (root term, kind), in order of precedence.
KIND_ROOTS: tuple[tuple[str, str | None], ...] = (
    ("HP:0001332", "other"),            # Dystonia: the disorder itself, not another sign
    ("HP:0001337", "other"),            # Tremor: may accompany isolated dystonia (Albanese 2013)
    ("HP:0012531", "pain"),             # Pain
    ("HP:0000708", "psychiatric"),      # Behavioral abnormality
    ("HP:0002493", "motor_pyramidal"),  # Upper motor neuron dysfunction
    ("HP:0001347", "motor_pyramidal"),  # Hyperreflexia
    ("HP:0012639", "imaging_finding"),  # Abnormal nervous system morphology (imaging, pathology)
    ("HP:0000707", "neurological_sign"),  # Abnormality of the nervous system
    ("HP:0000496", "neurological_sign"),  # Abnormality of eye movement
)


@dataclass(frozen=True)
class HpoTerm:
    id: str
    label: str
    kind: str | None  # None: a valid term outside the signs the rules read


NEURODEGENERATION = "HP:0002180"
DEMENTIA = "HP:0000726"
# A gene counts as a neurodegenerative disease's when one of its diseases is annotated with
# one of these terms or a descendant: Neurodegeneration itself, and Dementia, the loss of
# acquired abilities that the HPO records for Wilson disease (ATP7B), chorea-acanthocytosis
# (VPS13A) and PRKN parkinsonism, which it does not annotate with Neurodegeneration.
DEGENERATION_TERMS = (NEURODEGENERATION, DEMENTIA)


@dataclass(frozen=True)
class HpoTable:
    release: str
    terms: dict[str, HpoTerm]
    by_label: dict[str, str]  # normalised label → id
    # Genes with a disease annotated with Neurodegeneration (HP:0002180), Dementia
    # (HP:0000726) or a descendant, in the same HPO release: the engine's sign that an
    # inherited disorder is a degenerative one.
    neurodegeneration_genes: frozenset[str] = frozenset()


@cache
def hpo_table() -> HpoTable:
    """The shipped table, read on first use and then reused (immutable)."""
    import json  # here, not with the module: the engine imports this one at every start-up

    from dystonia_cds.knowledge._loader import PACKAGE, normalise_word

    raw = (PACKAGE / "knowledge" / "data" / FILE).read_bytes()
    data: dict[str, Any] = json.loads(raw)
    terms = {t[0]: HpoTerm(t[0], t[1], t[2]) for t in data["terms"]}
    by_label: dict[str, str] = {}
    for term in terms.values():
        by_label.setdefault(normalise_word(term.label), term.id)
    return HpoTable(release=data["release"], terms=terms, by_label=by_label,
                    neurodegeneration_genes=frozenset(data.get("neurodegeneration_genes", [])))


def build_table() -> dict[str, Any]:
    """Generate the table from the ontology hpo3 ships (needs ``dystonia-cds[hpo]``)."""
    from pyhpo import Ontology  # type: ignore[import-untyped]  # hpo3's module

    Ontology()
    roots = [(Ontology.get_hpo_object(r), kind) for r, kind in KIND_ROOTS]
    rows = []
    for term in sorted(Ontology, key=lambda t: int(t)):
        if term.is_obsolete:
            continue
        ancestors = term.all_parents | {term}
        kind = next((k for root, k in roots if root in ancestors), None)
        rows.append([term.id, term.name, kind])
    roots_nd = [Ontology.get_hpo_object(r) for r in DEGENERATION_TERMS]
    genes = sorted(
        g.name for g in Ontology.genes
        if any((t := Ontology.get_hpo_object(i)) in roots_nd
               or any(t.child_of(r) for r in roots_nd) for i in g.hpo)
    )
    return {"release": f"HPO {Ontology.version()} (hpo3)",
            "command": "dystonia-cds knowledge --rebuild-hpo",
            "kind_roots": [list(r) for r in KIND_ROOTS], "terms": rows,
            "neurodegeneration_genes_from": f"genes with a disease annotated {NEURODEGENERATION} "
                                            f"Neurodegeneration, {DEMENTIA} Dementia or a "
                                            "descendant",
            "neurodegeneration_genes": genes}
