"""Shared CLI plumbing: reading inputs and reporting input errors without tracebacks."""

from __future__ import annotations

import sys
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from dystonia_cds import Assessment, Case, CaseError, KnowledgeBase
from dystonia_cds.intake import assess_input, case_from_mapping, load_case, read_mapping

if TYPE_CHECKING:
    from rich.console import Console


@cache
def err_console() -> Console:
    """rich's console on stderr, made on first use: importing rich costs ~0.03 s CPU, and a
    command that reports no error (`assess -f json`) never needs it."""
    from rich.console import Console

    return Console(stderr=True, highlight=False)


def read_case(name: str, kb: KnowledgeBase) -> Case:
    """Read one Case from a path or '-' (stdin)."""
    if name == "-":
        return case_from_mapping(read_mapping(sys.stdin.read(), "<stdin>"), kb, "<stdin>")
    return load_case(Path(name), kb)


def assess_name(name: str, kb: KnowledgeBase, audience: str) -> tuple[Case, Assessment]:
    """Assess a path or '-' in any supported input format."""
    source: str | Path = sys.stdin.read() if name == "-" else Path(name)
    try:
        return assess_input(source, kb, audience=audience)
    except CaseError as exc:
        if exc.source is None:
            exc.source = "<stdin>" if name == "-" else name
        raise


def report_case_error(exc: CaseError) -> None:
    where = exc.source or "input"
    err_console().print(f"[bold red]error[/]: {where}: cannot read the case")
    for p in exc.problems:
        err_console().print(f"  • [bold]{p.field}[/]: {p.message}"
                          + (f" (given: {p.value!r})" if p.value is not None else ""))
        if p.solution:
            err_console().print(f"    → {p.solution}")
