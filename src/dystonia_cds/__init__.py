"""dystonia-cds: explainable decision support for dystonia — primary or acquired, from what.

General information to support clinical reasoning, never a diagnosis.

Public API::

    from dystonia_cds import load_case, assess
    assessment = assess(load_case("case.yaml"))
    print(assessment.to_json())

    rows = assess_many(cases, knowledge)   # a cohort: ranking, summary, checks per case
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dystonia_cds._case_io import case_to_yaml, load_case
from dystonia_cds.assessment import Assessment
from dystonia_cds.case import Case
from dystonia_cds.engine import ENGINE_VERSION, Screened, assess_case, assess_many
from dystonia_cds.errors import (
    CaseError,
    CaseFormatError,
    DystoniaCdsError,
    InputProblem,
    KnowledgeBaseError,
)
from dystonia_cds.knowledge import KnowledgeBase, default_knowledge, load_knowledge

if TYPE_CHECKING:
    from dystonia_cds.genetics import HpoIndex

__version__ = ENGINE_VERSION

__all__ = [
    "Assessment",
    "Case",
    "CaseError",
    "CaseFormatError",
    "DystoniaCdsError",
    "InputProblem",
    "KnowledgeBase",
    "KnowledgeBaseError",
    "Screened",
    "__version__",
    "assess",
    "assess_many",
    "case_to_yaml",
    "default_knowledge",
    "load_case",
    "load_knowledge",
]


def assess(case: Case, knowledge: KnowledgeBase | None = None,
           audience: str = "clinician", hpo: HpoIndex | None = None, *,
           questions: bool = True) -> Assessment:
    """Assess a Case; ``knowledge`` defaults to the shipped knowledge base (loaded once).

    Pass ``hpo`` (``dystonia_cds.genetics.load_hpo()``, loaded once) to get the genetic
    differential whenever inherited or degenerative dystonia is supported.
    ``questions=False`` skips the next-question search (most of the cost); for many cases
    at once, :func:`assess_many`.
    """
    return assess_case(case, knowledge or default_knowledge(), audience, hpo,
                       questions=questions)
