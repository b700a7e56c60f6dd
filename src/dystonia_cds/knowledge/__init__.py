"""The knowledge base: cited clinical data, validated at load."""

from dystonia_cds.knowledge._loader import default_knowledge, load_knowledge, normalise_word
from dystonia_cds.knowledge._models import KnowledgeBase, Reference, RuleInfo

__all__ = [
    "KnowledgeBase",
    "Reference",
    "RuleInfo",
    "default_knowledge",
    "load_knowledge",
    "normalise_word",
]
