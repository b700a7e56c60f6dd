"""The knowledge base: cited clinical data, validated at load."""

from dystonia_cds.knowledge._hpo_terms import hpo_table
from dystonia_cds.knowledge._loader import default_knowledge, load_knowledge, normalise_word
from dystonia_cds.knowledge._models import KnowledgeBase, Reference, RuleInfo

__all__ = [
    "KnowledgeBase",
    "Reference",
    "RuleInfo",
    "default_knowledge",
    "hpo_label",
    "hpo_table",
    "load_knowledge",
    "normalise_word",
]


def hpo_label(term_id: str) -> str | None:
    """The label of an HPO id in the shipped release (knowledge/data/hpo_terms.json)."""
    term = hpo_table().terms.get(term_id)
    return term.label if term else None
