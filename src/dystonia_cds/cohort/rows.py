"""One patient's resources → one output row (or one error row), and the tables' schemas.

Why rows, not Assessments: a cohort of a million patients is read as a table (Parquet),
so each patient becomes the few columns a quality team filters on — the leading cause, how
strongly, the checks, and the flags worth a review — computed once here from the Case and
its Assessment. Both engines call :func:`assess_patients` with the same inputs, so their
rows are identical by construction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import orjson
import pyarrow as pa

from dystonia_cds import Assessment, Case, CaseError, KnowledgeBase
from dystonia_cds._pipeline import assess_prepared, check_plausible
from dystonia_cds._time import is_duration, parse_date
from dystonia_cds.adapters.fhir import case_from_resources

__all__ = ["CHECKS", "ERROR_SCHEMA", "ROW_SCHEMA", "assess_patients", "row_of"]

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


def row_of(patient_id: str, case: Case, a: Assessment, kb: KnowledgeBase) -> dict[str, Any]:
    """The output row of one assessed patient (columns of :data:`ROW_SCHEMA`)."""
    hyps = a.etiology.hypotheses
    top, second = hyps[0], hyps[1]
    meds = case.medications or []
    rec_ids = {r.id for r in a.recommendations}
    return {
        "patient_id": patient_id, "summary": a.etiology.summary,
        "top_category": top.category, "top_support": top.support,
        "top_probability": top.probability, "top_score": top.score,
        "second_category": second.category, "lead": top.score - second.score,
        "distribution": a.classification.distribution,
        "age_at_onset": a.classification.age_at_onset,
        **{f"check_{c}": _status(a, c) for c in CHECKS},
        # a dystonia-inducing drug with no stop date while a drug-induced cause leads
        "flag_offending_drug_active": top.category.startswith("drug_induced") and any(
            m.drug in kb.drugs and m.stopped is None for m in meds),
        "flag_laterality_inconsistent": any(
            c.id == "laterality" and c.status == "inconsistent" for c in a.checks),
        # the dopa-responsive pattern's advice, and no levodopa in the medication list
        "flag_dopa_responsive_no_levodopa": "REC-DRD" in rec_ids and not any(
            any(w in m.drug.lower() for w in _LEVODOPA) for m in meds),
        "latency_days": _latency_days(case, top.category, kb),
        "input_notes": len(a.input_notes),
        "engine_version": a.engine_version, "knowledge_version": a.knowledge_version,
    }


def _one(patient_id: str, lines: Sequence[str], kb: KnowledgeBase
         ) -> tuple[dict[str, Any] | None, str]:
    try:
        resources = [orjson.loads(line) for line in lines]
        case, notes = case_from_resources(resources, patient_id, kb)
        check_plausible(case)
        a = assess_prepared(case, notes, kb, hpo=lambda: None, questions=False)
        return row_of(patient_id, case, a, kb), ""
    except CaseError as exc:
        return None, "; ".join(str(p) for p in exc.problems)
    except orjson.JSONDecodeError:
        return None, "a resource line is not valid JSON"
    except Exception as exc:  # a bug: name the type only, never the record's data
        return None, f"internal error ({type(exc).__name__}); this is a bug — please report it"


def assess_patients(batch: Sequence[tuple[str, Sequence[str]]], kb: KnowledgeBase
                    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(rows, errors) of a batch of (patient id, resource lines); never raises for a patient."""
    rows, errors = [], []
    for pid, lines in batch:
        row, error = _one(pid, lines, kb)
        if row is None:
            errors.append({"source": "patient", "patient_id": pid, "error": error})
        else:
            rows.append(row)
    return rows, errors
