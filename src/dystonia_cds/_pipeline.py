"""The whole way through for one input: any format → Case → lesion masks → Assessment.

Why here and not in the CLI: the CLI, the HTTP API and batch screening all need the same
steps — detect the format, keep the adapter's notes, turn lesion masks into lesions, and
load the HPO index only when the genetic differential is wanted — and none of them may
reach into the engine's internals to do it.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from dystonia_cds.assessment import Assessment, InputNote
from dystonia_cds.case import Case
from dystonia_cds.engine import assess_case
from dystonia_cds.engine.differential import wants_differential
from dystonia_cds.errors import CaseError, InputProblem
from dystonia_cds.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from dystonia_cds.genetics import HpoIndex


def read_input(source: str | Path, kb: KnowledgeBase) -> tuple[Case, list[InputNote]]:
    """A path or text as Case YAML/JSON, FHIR R4 JSON or Phenopacket v2 JSON."""
    try:
        from dystonia_cds.adapters.detect import read_any
    except ImportError:  # the standards extra is not installed: Case files only
        from dystonia_cds._case_io import load_case

        return load_case(source, kb), []
    try:
        return read_any(source, kb)
    except ImportError as exc:
        raise CaseError([InputProblem(
            field="(file)", message=f"this input format needs an optional package ({exc.name})",
            solution="pip install 'dystonia-cds[standards]'")]) from None


def apply_masks(case: Case, base_dir: Path | None) -> Case:
    """Fill imaging lesions from lesion masks, when the Case has any."""
    if not any(im.lesion_mask for im in case.imaging or []):
        return case
    try:
        from dystonia_cds.adapters.lesion_mask import LesionMaskError, apply_lesion_masks
    except ImportError:
        raise CaseError([InputProblem(
            field="imaging[].lesion_mask", message="reading lesion masks needs nibabel",
            solution="pip install 'dystonia-cds[imaging]'")]) from None
    try:
        return apply_lesion_masks(case, base_dir=base_dir)
    except LesionMaskError as exc:
        raise CaseError([InputProblem(field="imaging[].lesion_mask", message=str(exc))]) from None


@lru_cache(maxsize=1)
def optional_hpo() -> HpoIndex | None:
    """The HPO index when the hpo extra is installed (loaded once per process), else None."""
    try:
        from dystonia_cds.genetics import load_hpo
    except ImportError:
        return None
    try:
        return load_hpo()
    except ImportError:
        return None


def assess_input(
    source: str | Path, kb: KnowledgeBase, *, audience: str = "clinician",
    hpo: Callable[[], HpoIndex | None] = optional_hpo,
) -> tuple[Case, Assessment]:
    """Read, prepare and assess one input; the adapter's notes join the Assessment's."""
    case, notes = read_input(source, kb)
    base = Path(source).parent if isinstance(source, Path) else None
    case = apply_masks(case, base)
    a = assess_case(case, kb, audience)
    if wants_differential(a.etiology):
        index = hpo()
        if index is not None:
            a = assess_case(case, kb, audience, index)
    if notes:
        a = a.model_copy(update={"input_notes": [*a.input_notes, *notes]})
    return case, a
