"""The knowledge base: cited clinical data, validated at load.

``hpo_table`` and ``rebuild_hpo_tables`` are imported on first use (PEP 562
``__getattr__``): loading the knowledge base from the start-up cache needs neither them nor
their dataclasses.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dystonia_cds.knowledge._cache import default_knowledge
from dystonia_cds.knowledge._loader import load_knowledge, normalise_word
from dystonia_cds.knowledge._models import KnowledgeBase, Reference, RuleInfo

if TYPE_CHECKING:
    from dystonia_cds.knowledge._hpo_rebuild import rebuild_hpo_tables
    from dystonia_cds.knowledge._hpo_terms import hpo_table

__all__ = [
    "KnowledgeBase",
    "Reference",
    "RuleInfo",
    "default_knowledge",
    "hpo_label",
    "hpo_table",
    "load_knowledge",
    "normalise_word",
    "rebuild_hpo_tables",
]


def __getattr__(name: str) -> Any:
    if name == "hpo_table":
        from dystonia_cds.knowledge._hpo_terms import hpo_table

        return hpo_table
    if name == "rebuild_hpo_tables":
        from dystonia_cds.knowledge._hpo_rebuild import rebuild_hpo_tables

        return rebuild_hpo_tables
    raise AttributeError(f"module 'dystonia_cds.knowledge' has no attribute {name!r}")


def hpo_label(term_id: str) -> str | None:
    """The label of an HPO id in the shipped release (knowledge/data/hpo_terms.json)."""
    from dystonia_cds.knowledge._hpo_terms import hpo_table

    term = hpo_table().terms.get(term_id)
    return term.label if term else None
