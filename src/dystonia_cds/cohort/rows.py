"""One patient's resources → one output row (or one error row), and the tables' schemas.

Why rows, not Assessments: a cohort of a million patients is read as a table (Parquet),
so each patient becomes the few columns a quality team filters on — the leading cause, how
strongly, the checks, and the flags worth a review — computed once here from the Case and
its batch result (:func:`dystonia_cds.assess_many`: no report objects, no next questions).
Both engines call :func:`assess_patients` with the same inputs, so their rows are identical
by construction; :func:`row_of` builds the same row from a full Assessment, and a test
checks the two agree.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import orjson
import pyarrow as pa

from dystonia_cds import Assessment, Case, CaseError, KnowledgeBase, Screened, assess_many
from dystonia_cds._pipeline import check_plausible
from dystonia_cds._time import is_duration, parse_date
from dystonia_cds.adapters.fhir import case_from_resources
from dystonia_cds.engine import ENGINE_VERSION

__all__ = ["CHECKS", "ERROR_SCHEMA", "ROW_SCHEMA", "assess_patients", "row_of",
           "row_of_screened"]

CHECKS = ("laterality", "latency", "anatomy", "exposure")
_LEVODOPA = ("levodopa", "carbidopa", "benserazide", "sinemet", "madopar", "co-careldopa")

ROW_SCHEMA = pa.schema([
    ("patient_id", pa.string()),
    ("summary", pa.string()),                 # primary | acquired | undetermined
    ("top_category", pa.string()),
    ("top_support", pa.string()),
    ("top_probability", pa.float64()),        # null where calibration does not hold
    ("top_score", pa.int64()),                # decibans
    ("second_category", pa.string()),
    ("lead", pa.int64()),                     # top score − second score, decibans
    ("distribution", pa.string()),
    ("age_at_onset", pa.string()),
    *[(f"check_{c}", pa.string()) for c in CHECKS],
    ("flag_offending_drug_active", pa.bool_()),
    ("flag_laterality_inconsistent", pa.bool_()),
    ("flag_dopa_responsive_no_levodopa", pa.bool_()),
    ("latency_days", pa.int64()),             # exposure of the leading cause → onset
    ("input_notes", pa.int64()),
    ("engine_version", pa.string()),
    ("knowledge_version", pa.string()),
])
ERROR_SCHEMA = pa.schema([("source", pa.string()), ("patient_id", pa.string()),
                          ("error", pa.string())])


def _status(a: Assessment, check_id: str) -> str:
    top = a.etiology.hypotheses[0].category
    found = [c for c in a.checks if c.id == check_id]
    best = next((c for c in found if c.hypothesis == top), found[0] if found else None)
    return best.status if best else ""


def _date(text: str | None) -> dt.date | None:
    return None if text is None or is_duration(text) else parse_date(text)


def _latency_days(case: Case, lead: str, kb: KnowledgeBase) -> int | None:
    """Days from the latest exposure of the leading cause to the onset, when both are dated."""
    onset = _date(case.dystonia.onset)
    if onset is None:
        return None
    if lead.startswith("drug_induced"):
        dates = [_date(m.started) for m in case.medications or [] if m.drug in kb.drugs]
    else:
        dates = [_date(e.when) for e in case.events or []
                 if kb.events.get(e.type) is not None and kb.events[e.type].hypothesis == lead]
    before = [d for d in dates if d is not None and d <= onset]
    return (onset - max(before)).days if before else None


def _drug_active(top: str, case: Case, kb: KnowledgeBase) -> bool:
    """A dystonia-inducing drug with no stop date while a drug-induced cause leads."""
    return top.startswith("drug_induced") and any(
        m.drug in kb.drugs and m.stopped is None for m in case.medications or [])


def _no_levodopa(case: Case) -> bool:
    return not any(any(w in m.drug.lower() for w in _LEVODOPA) for m in case.medications or [])


def row_of_screened(patient_id: str, case: Case, s: Screened, adapter_notes: int,
                    kb: KnowledgeBase) -> dict[str, Any]:
    """The output row from the batch path's result (what screening uses)."""
    top = s.ranking[0]
    return {
        "patient_id": patient_id, "summary": s.summary, "top_category": top,
        "top_support": s.support[0],
        "top_probability": None if s.probabilities is None else round(s.probabilities[0], 3),
        "top_score": s.score_db[0], "second_category": s.ranking[1],
        "lead": s.score_db[0] - s.score_db[1], "distribution": s.distribution,
        "age_at_onset": s.age_at_onset,
        **{f"check_{c}": s.check_status(c) or "" for c in CHECKS},
        "flag_offending_drug_active": _drug_active(top, case, kb),
        "flag_laterality_inconsistent": any(
            cid == "laterality" and status == "inconsistent" for cid, _, status in s.checks),
        "flag_dopa_responsive_no_levodopa": "REC-DRD" in s.recommendation_ids
        and _no_levodopa(case),
        "latency_days": _latency_days(case, top, kb),
        "input_notes": s.input_notes + adapter_notes,
        "engine_version": ENGINE_VERSION, "knowledge_version": kb.knowledge_version,
    }


def row_of(patient_id: str, case: Case, a: Assessment, kb: KnowledgeBase) -> dict[str, Any]:
    """The output row from a full Assessment (the same columns; a test checks it equals
    :func:`row_of_screened` of the same case)."""
    hyps = a.etiology.hypotheses
    top, second = hyps[0], hyps[1]
    rec_ids = {r.id for r in a.recommendations}
    return {
        "patient_id": patient_id, "summary": a.etiology.summary,
        "top_category": top.category, "top_support": top.support,
        "top_probability": top.probability, "top_score": top.score,
        "second_category": second.category, "lead": top.score - second.score,
        "distribution": a.classification.distribution,
        "age_at_onset": a.classification.age_at_onset,
        **{f"check_{c}": _status(a, c) for c in CHECKS},
        "flag_offending_drug_active": _drug_active(top.category, case, kb),
        "flag_laterality_inconsistent": any(
            c.id == "laterality" and c.status == "inconsistent" for c in a.checks),
        # the dopa-responsive pattern's advice, and no levodopa in the medication list
        "flag_dopa_responsive_no_levodopa": "REC-DRD" in rec_ids and _no_levodopa(case),
        "latency_days": _latency_days(case, top.category, kb),
        "input_notes": len(a.input_notes),
        "engine_version": a.engine_version, "knowledge_version": a.knowledge_version,
    }


_BUG = "internal error ({}); this is a bug — please report it"


def _case(patient_id: str, lines: Sequence[str], kb: KnowledgeBase
          ) -> tuple[Case, int] | str:
    """(Case, adapter note count), or the error text — never raises for a patient."""
    try:
        resources = [orjson.loads(line) for line in lines]
        case, notes = case_from_resources(resources, patient_id, kb)
        check_plausible(case)
        return case, len(notes)
    except CaseError as exc:
        return "; ".join(str(p) for p in exc.problems)
    except orjson.JSONDecodeError:
        return "a resource line is not valid JSON"
    except Exception as exc:  # a bug: name the type only, never the record's data
        return _BUG.format(type(exc).__name__)


def _screen(cases: list[Case], kb: KnowledgeBase) -> list[Screened | str]:
    """assess_many over the batch; if it fails, case by case, so only the failing case
    becomes an error row."""
    try:
        return list(assess_many(cases, kb))
    except Exception:
        out: list[Screened | str] = []
        for case in cases:
            try:
                out.append(assess_many([case], kb)[0])
            except Exception as exc:
                out.append(_BUG.format(type(exc).__name__))
        return out


def assess_patients(batch: Sequence[tuple[str, Sequence[str]]], kb: KnowledgeBase
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(rows, errors) of a batch of (patient id, resource lines); never raises for a patient.

    Each patient's resources are mapped to a Case, then the whole batch is assessed at once
    on the engine's batch path. Rows and errors keep the batch's order."""
    mapped = [(pid, _case(pid, lines, kb)) for pid, lines in batch]
    ok = [(pid, m) for pid, m in mapped if not isinstance(m, str)]
    results = iter(_screen([case for _, (case, _) in ok], kb))
    rows, errors = [], []
    for pid, m in mapped:
        if isinstance(m, str):
            errors.append({"source": "patient", "patient_id": pid, "error": m})
            continue
        case, n_notes = m
        s = next(results)
        if isinstance(s, str):
            errors.append({"source": "patient", "patient_id": pid, "error": s})
        else:
            rows.append(row_of_screened(pid, case, s, n_notes, kb))
    return rows, errors
