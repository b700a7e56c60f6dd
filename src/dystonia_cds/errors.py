"""Errors raised by dystonia-cds, and the problems they carry.

Input problems are collected, each with what to do about it, and reported together, so a
user fixes a whole file in one pass instead of one field per run (gpsea's notepad idea).

Hierarchy::

    DystoniaCdsError                 base of everything this package raises on purpose
    ├── CaseError                    a Case could not be read; ``.problems`` lists every issue
    │   └── CaseFormatError          not YAML/JSON at all, or not a mapping
    └── KnowledgeBaseError           the shipped knowledge base failed validation (a bug)
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class InputProblem(BaseModel):
    """One thing wrong with an input: where, what was given, and what is accepted."""

    # defer_build: its validator is built on first use, not at import — every start-up
    # imports this module, and most never build an InputProblem.
    model_config = ConfigDict(frozen=True, defer_build=True)

    field: str
    value: str | None = None
    message: str
    solution: str | None = None

    def __str__(self) -> str:
        given = f" (given: {self.value!r})" if self.value is not None else ""
        fix = f" — {self.solution}" if self.solution else ""
        return f"{self.field}: {self.message}{given}{fix}"


class DystoniaCdsError(Exception):
    """Base class for errors raised on purpose by dystonia-cds."""


class CaseError(DystoniaCdsError, ValueError):
    """The input could not be read as a Case; ``problems`` lists every problem found."""

    def __init__(self, problems: list[InputProblem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        where = f"{source}: " if source else ""
        lines = "\n".join(f"  - {p}" for p in self.problems)
        noun = "problem" if len(self.problems) == 1 else "problems"
        super().__init__(f"{where}{len(self.problems)} input {noun}:\n{lines}")


class CaseFormatError(CaseError):
    """The input is not YAML/JSON, or its top level is not a mapping."""


class KnowledgeBaseError(DystoniaCdsError):
    """The knowledge base failed validation at load: a packaging or authoring bug."""
