"""The whole way through for one input: any format → Case → lesion masks → Assessment.

Why here and not in the CLI: the CLI, the HTTP API and batch screening all need the same
steps — detect the format, keep the adapter's notes, turn lesion masks into lesions, and
load the HPO index only when the genetic differential is wanted — and none of them may
reach into the engine's internals to do it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dystonia_cds._case_io import case_from_mapping
from dystonia_cds._input_safety import check_tree
from dystonia_cds._time import is_duration, parse_date, parse_duration
from dystonia_cds.assessment import Assessment, InputNote
from dystonia_cds.case import Case
from dystonia_cds.engine import assess_case, with_differential
from dystonia_cds.engine.differential import wants_differential
from dystonia_cds.errors import CaseError, InputProblem
from dystonia_cds.knowledge import KnowledgeBase

if TYPE_CHECKING:
    from dystonia_cds.genetics import HpoIndex


def read_input(source: str | Path, kb: KnowledgeBase) -> tuple[Case, list[InputNote]]:
    """A path or text as Case YAML/JSON, FHIR R4 JSON or Phenopacket v2 JSON."""
    case, notes = _read_input(source, kb)
    check_plausible(case)
    return case, notes


def check_plausible(case: Case) -> None:
    """Raise CaseError when the Case's times contradict each other or the calendar.

    Why here, after validation: each time is valid on its own, but a birth date in the
    future, a current age before the birth date, or an onset before birth describe no
    patient — they would flow into latencies and the age-of-onset HPO term as nonsense (or
    a crash) instead of being reported with the field and value to correct.
    """
    problems: list[InputProblem] = []
    birth = case.patient.birth_date
    today = dt.date.today()
    if birth is not None and birth > today:
        problems.append(InputProblem(
            field="patient.birth_date", value=birth.isoformat(),
            message="the birth date is in the future",
            solution=f"give a date on or before {today.isoformat()}"))
    times = [("patient.age", case.patient.age, "the current age"),
             ("dystonia.onset", case.dystonia.onset, "the onset")]
    times += [(f"events[{i}].when", e.when, "the event") for i, e in enumerate(case.events or [])]
    for i, m in enumerate(case.medications or []):
        times += [(f"medications[{i}].started", m.started, "the start of the medicine"),
                  (f"medications[{i}].stopped", m.stopped, "the end of the medicine")]
    times += [(f"imaging[{i}].when", im.when, "the scan")
              for i, im in enumerate(case.imaging or [])]
    for field, text, what in times:
        if text is None or is_duration(text):
            continue
        date = parse_date(text)
        if date > today:
            problems.append(InputProblem(
                field=field, value=text, message=f"{what} is dated in the future",
                solution=f"give a date on or before {today.isoformat()}, or an age (P45Y)"))
        if birth is not None and date < birth:
            problems.append(InputProblem(
                field=field, value=text, message=f"{what} is dated before the birth date "
                f"({birth.isoformat()})", solution="check both dates"))
    age, onset = case.patient.age, case.dystonia.onset
    if age and onset and is_duration(age) and is_duration(onset) and (
            parse_duration(onset).days > parse_duration(age).days):
        problems.append(InputProblem(
            field="dystonia.onset", value=onset,
            message=f"the age at onset is greater than the current age ({age})",
            solution="check the age at onset and patient.age"))
    if problems:
        raise CaseError(problems)


def _read_input(source: str | Path, kb: KnowledgeBase) -> tuple[Case, list[InputNote]]:
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


def case_from_data(data: dict[str, Any], kb: KnowledgeBase, *,
                   checked: bool = False) -> tuple[Case, list[InputNote]]:
    """An already-parsed mapping in any supported format → (Case, notes).

    The mapping is checked first (:func:`check_tree`): it may come from a JSON body or a
    CDS Hooks prefetch that no YAML parser has seen, and a lone surrogate or a NaN must be
    an input problem here, not a crash when the Assessment is serialised. ``checked=True``
    says it came from ``parse_json``/``parse_yaml``/``read_mapping``, which ran that very
    check already (walking a large body twice is a tenth of an HTTP assessment's cost).
    """
    if not checked:
        check_tree(data, where="")
    case, notes = _case_from_checked(data, kb)
    check_plausible(case)
    return case, notes


def _case_from_checked(data: dict[str, Any], kb: KnowledgeBase
                       ) -> tuple[Case, list[InputNote]]:
    try:
        from dystonia_cds.adapters.detect import detect_kind
    except ImportError:
        return case_from_mapping(data, kb), []
    kind = detect_kind(data)
    try:
        if kind == "fhir":
            from dystonia_cds.adapters.fhir import case_from_fhir

            return case_from_fhir(data, kb)
        if kind == "phenopacket":
            from dystonia_cds.adapters.phenopacket import case_from_phenopacket

            return case_from_phenopacket(data, kb)
    except ImportError as exc:
        raise CaseError([InputProblem(
            field="(body)", message=f"this input format needs an optional package ({exc.name})",
            solution="pip install 'dystonia-cds[standards]'")]) from None
    return case_from_mapping(data, kb), []


def without_masks(case: Case) -> tuple[Case, list[InputNote]]:
    """Drop lesion-mask paths from a Case that came over the network: a server must never
    read files named by a client. The rest of the imaging entry is kept."""
    notes = []
    imaging = []
    for i, im in enumerate(case.imaging or []):
        if im.lesion_mask:
            notes.append(InputNote(field=f"imaging[{i}].lesion_mask", message=(
                "lesion masks are not read over HTTP; analyse the mask with "
                "`dystonia-cds lesion` and send the resulting lesions")))
            im = im.model_copy(update={"lesion_mask": None})
        imaging.append(im)
    if not notes:
        return case, []
    return case.model_copy(update={"imaging": imaging}), notes


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
    hpo: Callable[[], HpoIndex | None] = optional_hpo, questions: bool = True,
) -> tuple[Case, Assessment]:
    """Read, prepare and assess one input; the adapter's notes join the Assessment's."""
    case, notes = read_input(source, kb)
    base = Path(source).parent if isinstance(source, Path) else None
    case = apply_masks(case, base)
    return case, assess_prepared(case, notes, kb, audience=audience, hpo=hpo,
                                 questions=questions)


def assess_prepared(
    case: Case, notes: list[InputNote], kb: KnowledgeBase, *, audience: str = "clinician",
    hpo: Callable[[], HpoIndex | None] = optional_hpo, questions: bool = True,
) -> Assessment:
    """Assess a ready Case; load the HPO index only when the differential is wanted (the
    engine runs once: the differential is added to its result). ``questions=False`` skips
    the next-question search (``assess_case``).

    Once this process has loaded the index (a server's warm-up did), it is passed to the
    engine directly — the same Assessment, without deciding twice whether the
    differential is wanted nor deriving the facts a second time for it."""
    if hpo is optional_hpo and optional_hpo.cache_info().currsize:
        a = assess_case(case, kb, audience, hpo=optional_hpo(), questions=questions)
        return a.model_copy(update={"input_notes": [*a.input_notes, *notes]}) if notes else a
    a = assess_case(case, kb, audience, questions=questions)
    if wants_differential(a.etiology, case, kb):
        index = hpo()
        if index is not None:
            a = with_differential(a, case, kb, index)
    if notes:
        a = a.model_copy(update={"input_notes": [*a.input_notes, *notes]})
    return a
