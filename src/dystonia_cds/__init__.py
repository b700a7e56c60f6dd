"""dystonia-cds: explainable decision support for dystonia — primary or acquired, from what.

General information to support clinical reasoning, never a diagnosis.

Public API::

    from dystonia_cds import load_case, assess
    assessment = assess(load_case("case.yaml"))
    print(assessment.to_json())

    rows = assess_many(cases, knowledge)   # a cohort: ranking, summary, checks per case

The names are imported on first use (PEP 562 ``__getattr__``), not with the package: a
command-line call pays start-up every time, and ``import dystonia_cds`` then costs only what
the names it uses need (the knowledge base alone needs neither the Case nor the engine).
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from dystonia_cds._case_io import case_to_yaml, load_case
    from dystonia_cds.assessment import Assessment
    from dystonia_cds.case import Case
    from dystonia_cds.engine import Screened, assess_many
    from dystonia_cds.errors import (
        CaseError,
        CaseFormatError,
        DystoniaCdsError,
        InputProblem,
        KnowledgeBaseError,
    )
    from dystonia_cds.genetics import HpoIndex
    from dystonia_cds.knowledge import KnowledgeBase, default_knowledge, load_knowledge

    __version__: str

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

# name -> (module, attribute): where each lazily exported name is defined.
_EXPORTS = {
    "Assessment": ("dystonia_cds.assessment", "Assessment"),
    "Case": ("dystonia_cds.case", "Case"),
    "CaseError": ("dystonia_cds.errors", "CaseError"),
    "CaseFormatError": ("dystonia_cds.errors", "CaseFormatError"),
    "DystoniaCdsError": ("dystonia_cds.errors", "DystoniaCdsError"),
    "InputProblem": ("dystonia_cds.errors", "InputProblem"),
    "KnowledgeBase": ("dystonia_cds.knowledge", "KnowledgeBase"),
    "KnowledgeBaseError": ("dystonia_cds.errors", "KnowledgeBaseError"),
    "Screened": ("dystonia_cds.engine", "Screened"),
    "__version__": ("dystonia_cds.engine", "ENGINE_VERSION"),
    "assess_many": ("dystonia_cds.engine", "assess_many"),
    "case_to_yaml": ("dystonia_cds._case_io", "case_to_yaml"),
    "default_knowledge": ("dystonia_cds.knowledge", "default_knowledge"),
    "load_case": ("dystonia_cds._case_io", "load_case"),
    "load_knowledge": ("dystonia_cds.knowledge", "load_knowledge"),
}


def __getattr__(name: str) -> Any:
    """Import an exported name on first use and keep it in the module (later lookups are
    plain attribute reads)."""
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'dystonia_cds' has no attribute {name!r}") from None
    value = getattr(import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


def assess(case: Case, knowledge: KnowledgeBase | None = None,
           audience: str = "clinician", hpo: HpoIndex | None = None, *,
           questions: bool = True) -> Assessment:
    """Assess a Case; ``knowledge`` defaults to the shipped knowledge base (loaded once).

    Pass ``hpo`` (``dystonia_cds.genetics.load_hpo()``, loaded once) to get the genetic
    differential whenever inherited or degenerative dystonia is supported.
    ``questions=False`` skips the next-question search (most of the cost); for many cases
    at once, :func:`assess_many`.
    """
    engine = _ENGINE or _load_engine()
    return engine[0](case, knowledge or engine[1](), audience, hpo, questions=questions)


# (engine.assess_case, knowledge.default_knowledge), imported on the first assess(): a
# function-level import ran the import machinery on every call (~1 % of an assessment);
# kept the way __getattr__ keeps the names it imports (an import, not state).
_ENGINE: tuple[Callable[..., Assessment], Callable[[], KnowledgeBase]] | None = None


def _load_engine() -> tuple[Callable[..., Assessment], Callable[[], KnowledgeBase]]:
    global _ENGINE
    from dystonia_cds.engine import assess_case
    from dystonia_cds.knowledge import default_knowledge

    _ENGINE = (assess_case, default_knowledge)
    return _ENGINE
